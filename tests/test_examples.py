"""The CLI end to end on the sample export shipped in examples/: the exact violation set, and that
the sample shows every rule of the shipped pack at work (issue #4; docs/sample-findings.md explains
each finding)."""

import json
from collections import Counter
from pathlib import Path

import pytest

import checks

from helpers import output_text, snapshot
from pipelines.cli import main
from pipelines.rules import load_pack

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-export"

#: README's "样例数据中的发现": the headline rules
HEADLINE = {
    ("credit-clause", "N002", "error"),          # 采购公告 without the bribery part
    # N007 (采矿权出让资格预审公告) lacks both parts, but 八(二)'s bidding conditions do not bind 矿业权 出让
    ("credit-clause", "N023", "error"),          # 招标文件 as a PDF: the 失信 part only (N022.docx, in a table, complies)
    ("credit-clause-persons", "N005", "warning"),  # bribery sentence leaves out 授权委托人
    ("inspection-disclosure", "CC2026-02", "error"),  # one day late across 国庆 + 10-10 调休
    ("inspection-disclosure", "CC2026-04", "error"),  # never published, overdue
    ("inspection-disclosure", "CC2026-07", "error"),  # late, dates in 2026/10/30 and 年月日 forms
    ("complaint-transfer", "TS2026-03", "error"),  # 10-10 调休 Saturday counted: due 10-13, sent 10-14
    ("complaint-transfer", "TS2026-05", "error"),  # never transferred
    ("dishonest-bidder", "B002", "error"),        # listed by USCC; list writes the name differently
    ("dishonest-bidder", "B006", "error"),        # no submitted_at: project's bid deadline used
    ("bribery-record", "B004", "error"),          # legal representative by resident ID
    ("bribery-record", "B005", "warning"),        # agent by name only: possible match
}

#: statutory time limits and the notice's other clauses (docs/statutory-rules.md)
STATUTORY = {
    ("complaint-acceptance", "TS2026-05", "error"),  # received 11-10, no acceptance decision by 11-13
    ("complaint-acceptance-transferred", "TS2026-02", "error"),  # transferred 10-09, never decided (due 10-13)
    ("complaint-acceptance-transferred", "TS2026-03", "error"),  # transferred 10-14, never decided (due 10-19)
    ("complaint-decision", "TS2026-09", "error"),  # accepted 06-24 (端午 06-19): due 08-05, decided 08-14
    ("complaint-feedback", "TS2026-10", "warning"),  # decided 08-26: due 09-02, fed back 09-10
    ("credit-list-publication", "E007", "warning"),  # listed 06-15 (Mon), 20 WD skipping 端午 06-19: due 07-14, published 07-20
    ("credit-list-report", "E008", "warning"),  # 评标专家违法 listed 04-01 (清明): due 04-13, reported 04-20
    ("credit-report-attached", "B002", "info"),  # 是否附信用报告 = 否
    ("credit-report-attached", "B007", "info"),
    ("candidates-publication", "HG2026-003", "error"),  # report 09-30, 3rd day 10-03 (国庆) -> 10-08; 10-09
    # HG2026-009's 2-day publicity (06-16..06-18) is no finding: 施工 3,500,000 < 4,000,000, not 依法必须招标
    ("candidates-publicity-period", "HG2026-007", "warning"),  # 依法必须招标 = 是; 03-04..03-07 (Sat): full only before 203条 moves it
    ("award-result-publication", "N017", "warning"),  # notice 07-27: due 07-29, result announced 07-31
    ("procurement-award", "HG2026-008", "error"),  # report 07-14: due 07-23 (5+2), notice 07-27
    ("procurement-contract-publication", "HG2026-002", "error"),  # signed 06-05 (Fri): due 06-09, 06-10
    ("clarification-lead-time", "N019", "warning"),  # change notice 10-12, deadline 10-20: 8 days
    ("tender-period", "HG2026-012", "warning"),  # 依法必须招标 = 是 (290万 施工 alone would not be); 07-06..07-20: 14 days
    ("contract-signing", "HG2026-003", "warning"),  # notice 10-15: due 11-14 (Sat) -> 11-16, signed 11-20
    ("bid-deposit-limit", "HG2026-009", "error"),  # 80,000 of 3,500,000 = 2.29%
    ("construction-deposit-cap", "HG2026-013", "warning"),  # 施工: 900,000 > 800,000 (only 1.875% of 4,800万)
}

#: 政府采购 under its own law (政府采购法, 采购条例), never under 招标投标法 (issue #8)
PROCUREMENT = {
    ("procurement-tender-period", "HG2026-008", "warning"),  # documents 06-26, deadline 07-13: 17 < 20 days (§35)
    ("procurement-deposit-limit", "HG2026-002", "error"),  # 30,000 of 1,250,000 = 2.4% > 2% (采购条例 §33)
    ("procurement-clarification-lead-time", "N020", "warning"),  # clarification 07-01, deadline 07-13: 12 < 15 days (§31)
    ("procurement-contract-signing", "HG2026-008", "warning"),  # notice 07-27: due 08-26 (Wed), signed 08-31 (§46)
    ("procurement-complaint-decision", "TS2026-11", "error"),  # received 08-17: 30th WD 09-28 (09-20 调休 in, 中秋 out), decided 10-09
    ("procurement-shared-agent", "HG2026-008", "error"),  # B030/B031: one agent (财政部令87号 §37(二))
    ("procurement-shared-legal-rep", "HG2026-008", "error"),  # B029/B031: one legal representative (采购条例 §18)
}

#: the nine added tables (docs/export-extension.md) and 条例 §44
NEW_TABLES = {
    ("joint-meeting-yearly", "2024", "warning"),  # meetings in 2023 and 2025, none in 2024 ("原则上每年")
    ("member-unit-contacts", "市审计局/联络员", "error"),  # the 联络员 left 09-30, no successor
    ("member-unit-contacts", "市营商局/联络员", "error"),  # never designated
    ("member-contact-report", "LL005", "error"),  # 联络员 changed (LL004 before) 07-01: due 07-06, reported 07-10
    ("inspection-plan-disclosure", "CC2026-04", "error"),  # ended 11-01 (Sun): plan due 11-13, never published
    ("inspection-publish-channel", "CC2026-03", "warning"),  # results on 市水务局微信公众号, not 省平台/市政府网站
    ("serious-dishonest-bidder", "B032", "error"),  # 恒远建筑劳务 on the 严重违法失信 list (E007) from 06-15, bid 07-19
    ("expert-onsite-verification", "PW003", "error"),  # evaluated 03-20, never verified on site
    ("referral-report-back", "YS2026-03", "info"),  # 市公安局 closed 11-10, no report back yet: a reminder, no deadline
    # YS2026-02 (市纪委监委) is no finding: the meeting cannot supervise the 纪委监委, the notice sets no limit
    ("enforcement-power-listed", "ZFXW2026-002", "error"),  # power published 08-15, used 07-08
    # ZFXW2026-003: power never published, but 法定依据 招标投标法第七条: 二 forbids only "未列入且无法定依据"
    ("enforcement-power-listed", "ZFXW2026-004", "error"),  # power not on the list at all
    ("inspector-qualified", "CC2026-02", "error"),  # ZF012 not in the 执法人员库
    ("inspector-qualified", "CC2026-07", "error"),  # ZF003's qualification ended 10-15, inspection 10-30
    ("inspector-qualification-class", "ZF022", "warning"),  # 执法资质 empty
    ("inspector-speciality-class", "ZF031", "warning"),  # 业务专长 empty
    ("target-directory", "HG2026-012", "warning"),  # awarded 07-31, not in the 检查对象名录库
    ("target-risk-level", "ML2026-005", "warning"),  # 风险等级 empty
    ("target-credit-level", "ML2026-004", "warning"),  # 信用等级 empty
    ("complaint-channel", "市自然资源局", "error"),  # published without 要件 and 法定工作时间
    ("sanctioned-expert-on-panel", "PW004", "error"),  # ZJ-1385 on the 评标专家违法 list (E008) on 05-11
    ("too-few-bidders", "HG2026-003", "error"),  # evaluated with one bidder
}

#: 围标串标 (docs/collusion.md): a ring of three bidders (HG2026-007/-009/-010), one pair under one
#: legal representative (HG2026-011), and the price and outcome screens
COLLUSION = {
    ("shared-machine-code", "HG2026-007", "error"),  # B011/B012: one machine code (case differs)
    ("shared-ip", "HG2026-007", "error"),  # B012/B013 …
    ("shared-ip", "HG2026-009", "error"),  # … B016/B017 (leading zero): the same pair in 2 lots
    ("shared-ip", "HG2026-011", "warning"),  # B022/B024 share 203.0.113.88 in this lot only: a lead
    ("shared-mac", "HG2026-009", "error"),  # B015/B017 …
    ("shared-mac", "HG2026-010", "error"),  # … B019/B021 (other separators): the same pair in 2 lots
    ("shared-agent", "HG2026-009", "error"),  # B015/B016
    ("shared-project-manager", "HG2026-010", "error"),  # B019/B020
    ("shared-deposit-account", "HG2026-010", "error"),  # B020/B021 (spaces in one account)
    ("shared-legal-rep", "HG2026-011", "error"),  # B022/B023
    ("price-identical", "HG2026-007", "warning"),  # B012/B013: 2,489,500
    ("price-pattern", "HG2026-004", "warning"),  # ratios 1.05, 1.05
    ("price-pattern", "HG2026-009", "warning"),  # gaps 30,000, 30,000
    ("single-valid-bid", "HG2026-003", "warning"),  # B006 alone
    ("single-valid-bid", "HG2026-012", "warning"),  # 4 bids, 3 rejected
    ("all-but-winner-rejected", "HG2026-012", "warning"),
    ("cover-bidding", "HG2026-010", "warning"),  # winner 0.7% under the runner-up, the rest 10.9% above
}

MUST_TENDER_UNKNOWN = ("无法判断是否依法必须招标：“依法必须招标”未填写，标的类别未填写或不在门槛表中，预算金额介于100万元与400万元之间"
                       "（施工≥400万元、货物≥200万元、服务≥100万元、勘察≥100万元、设计≥100万元、监理≥100万元、勘察设计监理≥100万元"
                       "（《必须招标的工程项目规定》（国家发展改革委令第16号）第五条（二手资料，未经原文核实）））")

EXPECTED = HEADLINE | STATUTORY | PROCUREMENT | NEW_TABLES | COLLUSION


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """(exit code, output folder) of one audit of the sample, with the sample's fingerprint before it."""
    out = tmp_path_factory.mktemp("sample")
    before = snapshot(SAMPLE)
    code = main(["audit", str(SAMPLE), "--out", str(out), "--as-of", "2026-11-27"])
    return code, out, before


def violations(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "violations.jsonl").read_text(encoding="utf-8").splitlines()]


def test_sample_export_gives_exactly_the_documented_violations(audited):
    code, out, before = audited
    assert code == 1  # error-level violations present
    found = violations(out)
    assert {(v["rule_id"], v["record_id"], v["severity"]) for v in found} == EXPECTED
    assert len(found) == len(EXPECTED) == 76
    assert snapshot(SAMPLE) == before  # inputs are never modified


def test_every_violation_line_and_rule_summary_names_the_rules_check_kind(audited):
    _, out, _ = audited
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    kinds = {r["rule_id"]: r["check"] for r in summary["rules"]}
    assert set(kinds.values()) <= set(checks.KINDS) and "" not in kinds.values()
    found = violations(out)
    assert all(v["check"] == kinds[v["rule_id"]] for v in found)
    assert {v["check"] for v in found if v["rule_id"] == "joint-meeting-yearly"} == {"per_period"}


def test_summary_reasons_are_data_with_code_params_and_chinese_text(audited):
    _, out, _ = audited
    rules = {r["rule_id"]: r for r in json.loads((out / "summary.json").read_text(encoding="utf-8"))["rules"]}
    assert rules["inspection-disclosure"]["reasons"] == [
        {"code": "value_missing", "column": "ended_at", "text": "检查结束时间未填写", "count": 1}]
    assert rules["complaint-transfer"]["reasons"] == [
        {"code": "value_unreadable", "column": "received_at", "text": "收到投诉时间无法识别", "count": 1}]
    assert all(r["not_evaluated"] is None for r in rules.values() if r["evaluated"])
    for r in rules.values():
        for why in r["reasons"]:
            assert why["code"] and why["text"] and why["count"] > 0 and "unknown" != why["code"], (r["rule_id"], why)


def test_every_enabled_rule_of_the_shipped_pack_has_a_violation_on_the_sample(audited):
    _, out, _ = audited
    enabled = {r.id for r in load_pack().select(None)}
    assert len(enabled) >= 60
    assert enabled - {v["rule_id"] for v in violations(out)} == set()
    assert {rule for rule, _, _ in EXPECTED} == enabled  # and EXPECTED names each of them


def test_sample_export_pending_and_not_evaluable_records_are_counted_with_reasons(audited):
    _, out, _ = audited
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rules = {r["rule_id"]: r for r in summary["rules"]}
    # every rule of the pack ran on the sample: no table and no column a rule reads is missing
    assert summary["export"]["missing_tables"] == []
    assert [r["rule_id"] for r in summary["rules"] if not r["evaluated"]] == []
    # README's pending and not-evaluable counterparts
    assert rules["inspection-disclosure"]["pending"] == 1  # CC2026-05, due 12-04
    assert rules["complaint-transfer"]["pending"] == 1  # TS2026-04, due 11-27 itself
    assert {w["text"]: w["count"] for w in rules["inspection-disclosure"]["reasons"]} == {"检查结束时间未填写": 1}
    assert {w["text"]: w["count"] for w in rules["complaint-transfer"]["reasons"]} == {"收到投诉时间无法识别": 1}
    assert rules["dishonest-bidder"]["not_evaluable"] == 1  # B007: no bid date anywhere
    assert rules["credit-clause"]["not_evaluable"] == 1  # N008: no text, no file
    # the other rules' pending records (docs/sample-findings.md)
    pending = {r["rule_id"]: r["pending"] for r in summary["rules"] if r["pending"]}
    assert pending == {
        "inspection-disclosure": 1, "complaint-transfer": 1,
        "complaint-acceptance": 1,  # TS2026-04, due 11-27
        "complaint-decision": 2,  # TS2026-06, TS2026-07: 30 working days not yet over
        "procurement-complaint-decision": 1,  # TS2026-01 (政府采购), received 11-02: 30 WD run into December
        "inspection-plan-disclosure": 1,  # CC2026-05, ended 11-20, due 12-04
        "credit-list-publication": 1,  # E009, listed 11-25, 20 WD: due 12-23
        "credit-list-report": 1,  # E009, listed 11-25, due 12-04
        "contract-signing": 1,  # HG2026-004: notice 10-29, due 11-28 (Sat) -> 11-30
        "joint-meeting-yearly": 1,  # 2026: no meeting yet, the year is not over
        "member-contact-report": 1,  # LL009, appointed 11-25, due 11-30
        "expert-onsite-verification": 1,  # PW009, evaluation on 12-02
    }
    # the other rules' not-evaluable records, each with its reason
    reasons = {r["rule_id"]: {w["text"]: w["count"] for w in r["reasons"]} for r in summary["rules"]
               if r["not_evaluable"] and r["rule_id"] not in ("inspection-disclosure", "complaint-transfer")}
    assert reasons == {
        "credit-clause": {"正文为空且未提供正文文件": 1},
        "credit-clause-persons": {"正文为空且未提供正文文件": 1},
        "dishonest-bidder": {"投标时间及投标截止时间均未填写": 1},
        "bribery-record": {"投标时间及投标截止时间均未填写": 1},
        "serious-dishonest-bidder": {"投标时间及投标截止时间均未填写": 1},
        "inspection-plan-disclosure": {"检查结束时间未填写": 1},  # CC2026-06
        "complaint-decision": {"受理决定时间未填写": 4},  # the 政府采购 ones (TS2026-01, -08) left to their own rule
        "procurement-complaint-decision": {"收到投诉时间无法识别": 1},  # TS2026-08: 2026-11-31
        "complaint-feedback": {"处理决定时间未填写": 8},
        # HG2026-006: no 依法必须招标, no 标的类别, budget 2,100,000 between the thresholds
        # HG2026-013: 4,800万 施工 is 依法必须招标, but its bids close only on 12-10
        "candidates-publication": {MUST_TENDER_UNKNOWN: 1, "评标报告提交时间未填写": 1},
        "candidates-publicity-period": {MUST_TENDER_UNKNOWN: 1, "中标候选人公示开始未填写": 1},
        "tender-period": {MUST_TENDER_UNKNOWN: 1},
        "contract-signing": {"中标通知书发出时间未填写": 2},  # HG2026-006, HG2026-013
        "bid-deposit-limit": {"投标保证金（元）未填写": 1},
        "procurement-deposit-limit": {"投标保证金（元）未填写": 1},  # HG2026-008
        "member-unit-contacts": {"成员单位责任领导与联络员记录LL020的调整确定日期未填写": 1},  # 市公安局/联络员
        "member-contact-report": {"调整确定日期未填写": 1},
        "expert-onsite-verification": {"评标时间未填写": 1},  # PW010
        "enforcement-power-listed": {"实施日期未填写": 1},  # ZFXW2026-005
        "inspector-qualified": {"执法人员库记录ZF041的执法资格起始日期未填写": 1},  # CC2026-05
        "complaint-channel": {"投诉举报渠道记录QD-03的明确投诉程序未填写": 1},  # 市交通运输局
        "sanctioned-expert-on-panel": {"评标时间及现场核验时间均未填写": 1},  # PW010
        "shared-agent": {"授权委托人身份证号为有效值的投标人少于两家（空值、占位值及忽略的值不作证据）": 1},
        # HG2026-002 (政府采购): B004 names no agent, B005 no legal representative
        "procurement-shared-agent": {"授权委托人身份证号为有效值的投标人少于两家（空值、占位值及忽略的值不作证据）": 1},
        "procurement-shared-legal-rep": {"法定代表人身份证号为有效值的投标人少于两家（空值、占位值及忽略的值不作证据）": 1},
        "single-valid-bid": {"该项目无招标公告、资格预审公告、采购公告，无法确定是否公开招标": 1},  # HG2026-006
    }
    # README's format counterparts: a GB18030 CSV, an XLSX sheet, JSON Lines
    files = summary["export"]["files"]
    assert files["credit_list.csv"]["encoding"] == "gb18030"
    assert files["panels.xlsx"]["rows"] == 10 and files["referrals.jsonl"]["rows"] == 5
    assert summary["totals"]["data_quality_findings"] == 1  # complaints.csv row 8: 2026-11-31


def test_sample_bidder_groups_are_one_rotating_ring_a_procurement_lead_and_a_34_pair(audited):
    _, out, _ = audited
    groups = [json.loads(line) for line in (out / "groups.jsonl").read_text(encoding="utf-8").splitlines()]
    ring, supply, pair = groups
    assert sorted(ring["member_names"]) == sorted(["鹤岗市鑫源建筑工程有限公司", "鹤岗市宏泰市政工程有限公司",
                                                   "鹤岗市恒达路桥建设有限公司"])
    assert ring["evidence_lots"] == ["HG2026-007", "HG2026-009", "HG2026-010"]
    assert len(ring["evidence_types"]) == 6 and ring["strength"] == 18
    assert ring["rotation"] is True and ring["suspected"] is True
    assert sorted(pair["member_names"]) == ["鹤岗市龙江水利工程有限公司", "鹤岗市龙江水利设备安装有限公司"]
    # §34 (same legal representative) links the pair but is no collusion evidence: strength 0
    assert pair["evidence_types"] == ["legal_rep_id"] and pair["suspected"] is False and pair["strength"] == 0
    assert "第三十四条" in pair["assessment"] and "围标串标" not in pair["assessment"]
    # HG2026-008 (政府采购): one shared agent counts (1 type x 1 lot), the shared legal representative does not
    assert supply["evidence_types"] == ["agent_id", "legal_rep_id"] and supply["strength"] == 1
    assert supply["suspected"] is False and supply["assessment"].startswith("线索")


def test_every_violation_names_its_department_and_the_rules_basis(audited):
    _, out, _ = audited
    basis = {r.id: r.spec.basis for r in load_pack().rules}
    found = violations(out)
    for v in found:
        assert v["department"] and v["basis"] == basis[v["rule_id"]], v["rule_id"]
        assert v["message"] and isinstance(v["evidence"], dict)
    assert Counter(v["department"] for v in found)["市公共资源交易中心"] == 1  # PW003: the venue, not the project's


def test_sample_outputs_hold_no_complainant_identity_and_mask_resident_ids(audited):
    _, out, _ = audited
    complaints = (SAMPLE / "complaints.csv").read_text(encoding="utf-8").splitlines()[1:]
    secrets = [field for row in complaints for field in row.split(",")[-3:]]
    bids = (SAMPLE / "bids.csv").read_text(encoding="utf-8")
    resident_ids = [f for f in bids.replace("\n", ",").split(",") if len(f) == 18 and f[:4] == "2304"]
    assert len(secrets) == 33 and len(resident_ids) >= 60
    for path in out.iterdir():
        text = output_text(path)
        assert not [s for s in secrets if s in text], path.name
        assert not [r for r in resident_ids if r in text], path.name
