"""The issue-#4 rules over the EXPORT-V1 tables (complaints 四(二)/条例 §61, credit lists 八(一),
credit report 八(二), 条例 §21/§26/§54, 招标投标法 §24/§46, 采购条例 §43/§50, information 九):
for each rule a violating, a compliant and a not-evaluable record, audited for real with the
shipped rule pack and the real calendar (国庆 2026: 10-01..07 off, Sat 10-10 worked)."""

import shutil

import pytest

from pipelines.rules import DEFAULT_RULES_DIR, load_pack
from pipelines.yamlfile import YamlDoc

NOTICE = "鹤发改公管〔2022〕216号"
COMPLAINTS = "complaint_id,project_id,received_by,received_at,competent_department,transferred_at,accepted_at,decided_at,feedback_at\n"
PROJECTS = ("project_id,trade_type,department,budget,deposit_amount,docs_issued_at,bid_deadline,evaluation_report_at,"
            "candidates_published_at,candidates_publicity_end,award_notice_at,contract_signed_at,contract_published_at,"
            "must_tender,category\n")
CREDIT = "entry_id,list_type,subject_name,listed_at,publisher,published_at,reported_at\n"


def project(pid, trade="工程建设", dept="市住建局", **cols) -> str:
    """A project row; 依法必须招标 is 是 unless given (the tests of the 依法必须招标 scope set it)."""
    cols.setdefault("must_tender", "是")
    names = PROJECTS.strip().split(",")[3:]
    return ",".join([pid, trade, dept] + [cols.get(n, "") for n in names]) + "\n"


def projects(*rows: str) -> dict:
    return {"projects.csv": PROJECTS + "".join(rows)}


@pytest.fixture
def audit_rules(audit_export, tmp_path):
    """audit_export with a rules folder holding only the shipped files of the rules under test
    (loading the whole pack for every test would double the time these tests take)."""

    def run(files: dict, only: list[str], as_of="2026-11-27"):
        folder = tmp_path / "rules"
        folder.mkdir(exist_ok=True)
        for rule_id in only:
            shutil.copy(DEFAULT_RULES_DIR / f"{rule_id}.yaml", folder)
        return audit_export(files, only=only, as_of=as_of, rules_dir=folder)

    return run


def only_violation(run, rule):
    [v] = run.violations(rule)
    return v


# --- complaints: 四(二) and 条例 §61 ------------------------------------------------------------

def test_complaint_acceptance_counts_three_working_days_across_national_day(audit_rules):
    # received Tue 09-29: 09-30, 10-08, 10-09 -> due 10-09; Sat 10-10 (调休) is the 4th working day
    rows = ("OK,,市住建局,2026-09-29,,,2026-10-09,,\n"
            "LATE,,市水务局,2026-09-29,,,2026-10-10,,\n"
            "BAD,,市水务局,2026-11-31,,,2026-12-01,,\n"
            "GP,P2,市水务局,2026-09-01,,,2026-10-30,,\n"      # 政府采购: 财政部令第94号, not this rule
            "TR,,市水务局,2026-09-01,市住建局,2026-09-02,2026-10-30,,\n")  # transferred: the other rule
    files = {"complaints.csv": COMPLAINTS + rows, **projects(project("P2", "政府采购"))}
    run = audit_rules(files, only=["complaint-acceptance"])
    assert run.outcomes("complaint-acceptance") == {"OK": "compliant", "LATE": "violated", "BAD": "not_evaluable"}
    assert run.reasons("complaint-acceptance") == {"BAD": "收到投诉时间无法识别"}
    v = only_violation(run, "complaint-acceptance")
    assert v["department"] == "市水务局" and v["basis"].startswith(NOTICE + " 四(二)") and v["severity"] == "error"
    assert v["evidence"]["due_date"] == "2026-10-09" and v["evidence"]["working_days_counted"] == 4
    assert v["message"] == "市水务局于2026-09-29收到投诉LATE，应于2026-10-09前决定是否受理，实际于2026-10-10作出受理决定，已超期"


def test_transferred_complaint_acceptance_counts_from_the_transfer_and_belongs_to_the_competent_department(audit_rules):
    # transferred Fri 10-09: Sat 10-10 (调休), 10-12, 10-13 -> due 10-13
    rows = ("OK,,市交通运输局,2026-09-28,市住建局,2026-10-09,2026-10-13,,\n"
            "LATE,,市交通运输局,2026-09-28,市住建局,2026-10-09,2026-10-14,,\n"
            "OPEN,,市交通运输局,2026-11-20,市水务局,2026-11-24,,,\n"
            "BAD,,市交通运输局,2026-09-28,市住建局,2026-10-09,明天,,\n")
    run = audit_rules({"complaints.csv": COMPLAINTS + rows}, only=["complaint-acceptance-transferred"])
    assert run.outcomes("complaint-acceptance-transferred") == {
        "OK": "compliant", "LATE": "violated", "OPEN": "pending", "BAD": "not_evaluable"}
    assert run.reasons("complaint-acceptance-transferred") == {"BAD": "受理决定时间无法识别"}
    v = only_violation(run, "complaint-acceptance-transferred")
    assert v["department"] == "市住建局" and v["evidence"]["due_date"] == "2026-10-13"
    assert v["message"].startswith("市住建局于2026-10-09收到市交通运输局转办的投诉LATE")


def test_complaint_decision_within_thirty_working_days_of_acceptance(audit_rules):
    # accepted 09-01: the 30th working day after it is 10-19 (中秋 09-25, 国庆 skipped, 09-20 and 10-10 worked)
    rows = ("OK,,市水务局,2026-08-28,,,2026-09-01,2026-10-19,\n"
            "LATE,,市水务局,2026-08-28,市住建局,2026-08-31,2026-09-01,2026-10-20,\n"
            "NEW,,市水务局,2026-11-20,,,,,\n")
    run = audit_rules({"complaints.csv": COMPLAINTS + rows}, only=["complaint-decision"])
    assert run.outcomes("complaint-decision") == {"OK": "compliant", "LATE": "violated", "NEW": "not_evaluable"}
    assert run.reasons("complaint-decision") == {"NEW": "受理决定时间未填写"}
    v = only_violation(run, "complaint-decision")
    assert v["department"] == "市住建局"  # the competent department, when given
    assert v["evidence"]["due_date"] == "2026-10-19"


def test_complaint_feedback_is_a_warning_with_a_parameter_limit_and_falls_back_to_the_receiver(audit_rules):
    # decided 09-30: 10-08, 10-09, 10-10 (调休), 10-12, 10-13 -> due 10-13
    rows = ("OK,,市水务局,2026-08-01,,,2026-08-03,2026-09-30,2026-10-13\n"
            "LATE,,市水务局,2026-08-01,,,2026-08-03,2026-09-30,2026-10-14\n"
            "NONE,,市水务局,2026-08-01,,,2026-08-03,2026-09-30,\n"
            "OPEN,,市水务局,2026-08-01,,,2026-08-03,,\n")
    run = audit_rules({"complaints.csv": COMPLAINTS + rows}, only=["complaint-feedback"])
    assert run.outcomes("complaint-feedback") == {
        "OK": "compliant", "LATE": "violated", "NONE": "violated", "OPEN": "not_evaluable"}
    late, none = run.violations("complaint-feedback")
    assert late["severity"] == "warning" and late["department"] == "市水务局"
    assert "截至2026-11-27仍未书面反馈" in none["message"]


# --- credit: 八(一), 八(二) ----------------------------------------------------------------------

def test_credit_report_not_attached_is_an_advisory_info(audit_rules):
    files = {"bids.csv": "bid_id,project_id,bidder_name,credit_report_attached\n"
                         "Y,P1,甲公司,是\nN,P1,乙公司,否\nE,P1,丙公司,\n",
             **projects(project("P1", dept="市交通运输局"))}
    run = audit_rules(files, only=["credit-report-attached"])
    assert run.outcomes("credit-report-attached") == {"Y": "compliant", "N": "violated", "E": "not_evaluable"}
    v = only_violation(run, "credit-report-attached")
    assert v["severity"] == "info" and v["department"] == "市交通运输局" and v["basis"] == NOTICE + " 八(二)"
    assert v["message"] == "项目P1的投标N（乙公司）未附信用中国网站下载的信用报告，请引导投标人附带"


def test_credit_list_entries_published_within_twenty_working_days_and_reported_within_the_packs_seven(audit_rules):
    # listed 09-25 (中秋): 09-28, 29, 30, 10-08, 09, 10 (调休), 12 -> 7th working day 10-12 (report, the pack's own);
    # then 10-13 … 10-16, 10-19 … 10-23, 10-26 … 10-29 -> 20th working day 10-29 (publication, 政府信息公开条例 §26)
    rows = ("OK,严重违法失信,甲公司,2026-09-25,市住建局,2026-10-29,2026-09-28\n"
            "LATE,评标专家违法,专家乙,2026-09-25,市水务局,2026-10-30,2026-10-13\n"
            "NEVER,严重违法失信,丙公司,2026-09-25,,,\n"
            "BAD,严重违法失信,丁公司,2026-13-01,市住建局,2026-10-12,\n"
            "COURT,失信被执行人,戊公司,2026-01-01,鹤岗市中级人民法院,,\n")  # the courts' list: not this clause
    run = audit_rules({"credit_list.csv": CREDIT + rows}, only=["credit-list-publication", "credit-list-report"])
    assert run.outcomes("credit-list-publication") == {
        "OK": "compliant", "LATE": "violated", "NEVER": "violated", "BAD": "not_evaluable"}
    assert run.outcomes("credit-list-report") == {
        "OK": "compliant", "LATE": "violated", "NEVER": "violated", "BAD": "not_evaluable"}
    late, never = run.violations("credit-list-publication")
    assert late["department"] == "市水务局" and late["severity"] == "warning"
    assert late["evidence"]["due_date"] == "2026-10-29" and late["basis"] == NOTICE + " 八(一)；《政府信息公开条例》第二十六条"
    assert "政府信息公开条例第二十六条的20个工作日" in late["message"]
    assert never["department"] is None  # no publisher given: the report shows “未注明部门”
    report = run.violations("credit-list-report")[0]
    assert "应于2026-10-12前报市信用办、市发改委" in report["message"] and report["severity"] == "warning"
    assert "本规则包设定的期限" in report["message"] and "不是法定期限" in report["message"]  # said where it is read


def test_credit_list_report_needs_the_reported_at_column(audit_rules):
    rows = "A,严重违法失信,甲公司,2026-09-25,市住建局,2026-10-12\n"
    run = audit_rules({"credit_list.csv": CREDIT.replace(",reported_at", "") + rows}, only=["credit-list-report"])
    result = run.result("credit-list-report")
    assert not result.evaluated and "reported_at（报送时间）" in result.not_evaluated_reason


# --- projects: 条例 §54, §26, 招标投标法 §24, §46, 采购条例 §43, §50 ----------------------------

def test_candidates_published_within_three_days_the_last_day_moving_past_national_day(audit_rules):
    # report 09-28 + 3 days = 10-01 (国庆): the period ends 10-08 (民法典 第二百零三条)
    files = projects(project("OK", evaluation_report_at="2026-09-28 17:00", candidates_published_at="2026-10-08 09:00"),
                     project("LATE", evaluation_report_at="2026-09-28", candidates_published_at="2026-10-09"),
                     project("NONE", evaluation_report_at=""),
                     project("GP", "政府采购", evaluation_report_at="2026-09-28", candidates_published_at="2026-11-01"))
    run = audit_rules(files, only=["candidates-publication"])
    assert run.outcomes("candidates-publication") == {"OK": "compliant", "LATE": "violated", "NONE": "not_evaluable"}
    v = only_violation(run, "candidates-publication")
    assert v["evidence"]["due_date"] == "2026-10-08" and v["basis"] == "《招标投标法实施条例》第五十四条"


def test_candidates_publicity_lasts_at_least_three_days(audit_rules):
    files = projects(project("OK", candidates_published_at="2026-03-02 09:00", candidates_publicity_end="2026-03-05 17:00"),
                     project("SHORT", candidates_published_at="2026-03-02", candidates_publicity_end="2026-03-04"),
                     project("WEEKEND", candidates_published_at="2026-03-04", candidates_publicity_end="2026-03-07"),
                     project("NONE", candidates_published_at="2026-03-02"))
    run = audit_rules(files, only=["candidates-publicity-period"])
    # 03-04 + 3 = Sat 03-07: the period runs to Mon 03-09
    assert run.outcomes("candidates-publicity-period") == {
        "OK": "compliant", "SHORT": "violated", "WEEKEND": "violated", "NONE": "not_evaluable"}
    assert run.reasons("candidates-publicity-period") == {"NONE": "中标候选人公示结束未填写"}
    short, weekend = run.violations("candidates-publicity-period")
    assert "仅间隔2日，不足3日" in short["message"] and short["severity"] == "error"
    # three full days, but ending on a Saturday: short only by 民法典 第二百零三条 — a warning, for review
    assert weekend["evidence"]["earliest_date"] == "2026-03-09" and weekend["severity"] == "warning"


def test_clarification_at_least_fifteen_days_before_the_projects_bid_deadline(audit_rules):
    files = {"notices.csv": "notice_id,project_id,notice_type,published_at\n"
                            "OK,P1,变更公告,2026-09-01\nLATE,P2,变更公告,2026-09-01\nORPHAN,P9,变更公告,2026-09-01\n"
                            "TENDER,P2,招标公告,2026-09-10\nLAND,P3,变更公告,2026-09-10\n"
                            "GP,P4,变更公告,2026-09-01\n",
             **projects(project("P1", bid_deadline="2026-09-16 09:00"), project("P2", bid_deadline="2026-09-15"),
                        project("P3", "土地使用权", bid_deadline="2026-09-11"),
                        project("P4", "政府采购", bid_deadline="2026-09-15"))}
    run = audit_rules(files, only=["clarification-lead-time", "procurement-clarification-lead-time"])
    assert run.outcomes("clarification-lead-time") == {"OK": "compliant", "LATE": "violated", "ORPHAN": "not_evaluable"}
    assert run.reasons("clarification-lead-time") == {"ORPHAN": "项目不在项目表中，无法判断适用的法律"}
    # the 政府采购 change notice is judged under 采购条例 §31, never under 条例 §21
    assert run.outcomes("procurement-clarification-lead-time") == {"GP": "violated", "ORPHAN": "not_evaluable"}
    assert only_violation(run, "procurement-clarification-lead-time")["basis"] == "《政府采购法实施条例》第三十一条"
    v = only_violation(run, "clarification-lead-time")
    assert v["severity"] == "warning" and v["evidence"]["earliest_date"] == "2026-09-16"
    assert "投标截止时间2026-09-15应不早于2026-09-16" in v["message"]


def test_tender_period_of_twenty_days_is_an_unconfirmed_parameter(audit_rules):
    # 03-04 + 20 = Tue 03-24; 03-02 + 20 = Sun 03-22 -> the period runs to Mon 03-23
    files = projects(project("OK", docs_issued_at="2026-03-04", bid_deadline="2026-03-24 09:30"),
                     project("SHORT", docs_issued_at="2026-03-04", bid_deadline="2026-03-23 09:30"),
                     project("SUNDAY", docs_issued_at="2026-03-02", bid_deadline="2026-03-22 09:30"),
                     project("NONE", bid_deadline="2026-03-22"),
                     project("GP", "政府采购", docs_issued_at="2026-03-04", bid_deadline="2026-03-05"))
    run = audit_rules(files, only=["tender-period"])
    assert run.outcomes("tender-period") == {"OK": "compliant", "SHORT": "violated", "SUNDAY": "violated",
                                             "NONE": "not_evaluable"}
    short, sunday = run.violations("tender-period")
    assert short["severity"] == "warning" and sunday["evidence"]["earliest_date"] == "2026-03-23"
    rule = next(r for r in load_pack().rules if r.id == "tender-period")
    assert "未经原文核实" in rule.spec.description and rule.spec.at_least.days == 20


def test_contract_signed_within_thirty_days_of_the_award_notice(audit_rules):
    # 09-01 + 30 days = 10-01 (国庆): due 10-08
    files = projects(project("OK", award_notice_at="2026-09-01", contract_signed_at="2026-10-08"),
                     project("LATE", award_notice_at="2026-09-01", contract_signed_at="2026-10-09"),
                     project("GP", "政府采购", award_notice_at="2026-09-01", contract_signed_at="2026-10-09"),
                     project("OPEN", award_notice_at="2026-11-20"),
                     project("NONE"),
                     project("LAND", "土地使用权", award_notice_at="2026-01-01"))
    run = audit_rules(files, only=["contract-signing"])
    assert run.outcomes("contract-signing") == {"OK": "compliant", "LATE": "violated", "OPEN": "pending",
                                                "NONE": "not_evaluable"}
    v = only_violation(run, "contract-signing")
    assert v["severity"] == "warning" and v["evidence"]["due_date"] == "2026-10-08"
    assert "未经原文核实" in next(r for r in load_pack().rules if r.id == "contract-signing").spec.description
    run = audit_rules(files, only=["procurement-contract-signing"])
    assert run.outcomes("procurement-contract-signing") == {"GP": "violated"}
    assert only_violation(run, "procurement-contract-signing")["basis"] == "《政府采购法》第四十六条"


# --- 依法必须招标: 招标投标法 §24 and 条例 §54 bind only projects that must be tendered by law ----------

def test_a_350_wan_construction_tender_with_a_15_day_period_is_not_a_finding(audit_rules):
    # 施工 below 4,000,000 (发改委令16号 §5): not 依法必须招标, so §24's 20 days do not bind it
    files = projects(project("SMALL", budget="3500000", category="施工", must_tender="",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-19"),
                     project("BIG", budget="4000000", category="施工", must_tender="",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-19"),
                     project("SAID", budget="3500000", category="施工", must_tender="是",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-19"),
                     project("NOT", budget="9000000", category="施工", must_tender="否",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-19"))
    run = audit_rules(files, only=["tender-period"])
    assert run.outcomes("tender-period") == {"BIG": "violated", "SAID": "violated"}  # SMALL, NOT: not applicable
    big, said = run.violations("tender-period")
    assert big["evidence"]["must_tender_by"] == "预算金额不低于各类门槛（400万元）"  # 4,000,000 itself: "以上"
    assert said["evidence"]["must_tender_by"] == "项目表“依法必须招标”为是"


def test_a_project_that_cannot_be_classified_is_not_evaluable_never_a_violation(audit_rules):
    files = projects(project("NOCAT", budget="2500000", must_tender="", docs_issued_at="2026-03-04", bid_deadline="2026-03-10"),
                     project("NOBUDGET", category="施工", must_tender="", docs_issued_at="2026-03-04",
                             bid_deadline="2026-03-10"),
                     project("HUGE", budget="5000000", must_tender="", docs_issued_at="2026-03-04", bid_deadline="2026-03-10"),
                     project("TINY", budget="900000", must_tender="", docs_issued_at="2026-03-04", bid_deadline="2026-03-10"),
                     project("GOODS", budget="2500000", category="货物", must_tender="", docs_issued_at="2026-03-04",
                             bid_deadline="2026-03-10"))
    run = audit_rules(files, only=["tender-period"])
    # at or above every threshold: must-tender whatever the category; below every one: never
    assert run.outcomes("tender-period") == {"NOCAT": "not_evaluable", "NOBUDGET": "not_evaluable",
                                             "HUGE": "violated", "GOODS": "violated"}
    reasons = run.reasons("tender-period")
    assert reasons["NOCAT"].startswith("无法判断是否依法必须招标：“依法必须招标”未填写，标的类别未填写或不在门槛表中")
    assert reasons["NOBUDGET"] == "无法判断是否依法必须招标：“依法必须招标”与预算金额均未填写"
    goods, huge = run.violations("tender-period")
    assert goods["evidence"]["must_tender_by"] == "标的类别货物，门槛2000000.00元"
    assert huge["evidence"]["must_tender_by"] == "预算金额不低于各类门槛（400万元）"


def test_candidates_publication_binds_must_tender_projects_only(audit_rules):
    files = projects(project("SMALL", budget="3500000", category="施工", must_tender="",
                             evaluation_report_at="2026-03-02", candidates_published_at="2026-03-20"),
                     project("BIG", budget="4500000", category="施工", must_tender="",
                             evaluation_report_at="2026-03-02", candidates_published_at="2026-03-20"))
    run = audit_rules(files, only=["candidates-publication", "candidates-publicity-period"])
    assert run.outcomes("candidates-publication") == {"BIG": "violated"}


# --- 政府采购 under its own law ----------------------------------------------------------------------

def test_procurement_tender_period_and_deposit_follow_the_procurement_law(audit_rules):
    files = projects(project("GP", "政府采购", budget="1000000", deposit_amount="20001",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-23"),
                     project("GPOK", "政府采购", budget="1000000", deposit_amount="20000",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-24"),
                     project("WORKS", budget="1000000", deposit_amount="30000",
                             docs_issued_at="2026-03-04", bid_deadline="2026-03-05"))
    run = audit_rules(files, only=["procurement-tender-period", "procurement-deposit-limit", "bid-deposit-limit"])
    assert run.outcomes("procurement-tender-period") == {"GP": "violated", "GPOK": "compliant"}
    assert run.outcomes("procurement-deposit-limit") == {"GP": "violated", "GPOK": "compliant"}
    assert run.outcomes("bid-deposit-limit") == {"WORKS": "violated"}  # 条例 §26 never judges a 政府采购 lot
    assert only_violation(run, "procurement-tender-period")["basis"] == "《政府采购法》第三十五条"
    assert only_violation(run, "procurement-deposit-limit")["basis"] == "《政府采购法实施条例》第三十三条"


def test_procurement_complaint_decision_counts_thirty_working_days_from_receipt_not_acceptance(audit_rules):
    # received 09-01: the 30th working day after it is 10-19 (中秋 09-25, 国庆 skipped, 09-20 and 10-10 worked)
    rows = ("OK,P1,市财政局,2026-09-01,,,2026-09-20,2026-10-19,\n"
            "LATE,P1,市财政局,2026-09-01,,,2026-09-02,2026-10-20,\n"   # from acceptance it would be in time
            "WORKS,P2,市住建局,2026-09-01,,,2026-09-02,2026-10-20,\n")
    files = {"complaints.csv": COMPLAINTS + rows, **projects(project("P1", "政府采购"), project("P2"))}
    run = audit_rules(files, only=["procurement-complaint-decision", "complaint-decision"])
    assert run.outcomes("procurement-complaint-decision") == {"OK": "compliant", "LATE": "violated"}
    assert only_violation(run, "procurement-complaint-decision")["evidence"]["due_date"] == "2026-10-19"
    assert run.outcomes("complaint-decision") == {"WORKS": "compliant"}  # 条例 §61: from acceptance 09-02


def test_bid_deposit_at_most_two_percent_of_the_budget(audit_rules):
    files = projects(project("OK", budget="3800000", deposit_amount="76000"),
                     project("OVER", dept="市交通运输局", budget="3800000", deposit_amount="80000"),
                     project("NONE", budget="3800000"),
                     project("MINE", "矿业权", budget="1000000", deposit_amount="200000"))
    run = audit_rules(files, only=["bid-deposit-limit"])
    assert run.outcomes("bid-deposit-limit") == {"OK": "compliant", "OVER": "violated", "NONE": "not_evaluable"}
    v = only_violation(run, "bid-deposit-limit")
    assert v["department"] == "市交通运输局" and v["basis"] == "《招标投标法实施条例》第二十六条"
    assert v["message"] == "项目OVER投标保证金80000.00元，为预算金额3800000.00元的2.11%，超过2%的上限76000.00元"


def test_procurement_award_notice_within_five_plus_two_working_days_of_the_report(audit_rules):
    # report 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (调休), 10-12, 10-13 -> due 10-13
    files = projects(project("OK", "政府采购", evaluation_report_at="2026-09-28", award_notice_at="2026-10-13"),
                     project("LATE", "政府采购", evaluation_report_at="2026-09-28", award_notice_at="2026-10-14"),
                     project("NONE", "政府采购", award_notice_at="2026-10-14"),
                     project("WORKS", evaluation_report_at="2026-09-28", award_notice_at="2026-11-14"))
    run = audit_rules(files, only=["procurement-award"])
    assert run.outcomes("procurement-award") == {"OK": "compliant", "LATE": "violated", "NONE": "not_evaluable"}
    assert only_violation(run, "procurement-award")["evidence"]["due_date"] == "2026-10-13"


def test_procurement_contract_published_within_two_working_days(audit_rules):
    # signed 09-30: 10-08, 10-09 -> due 10-09; Sat 10-10 (调休) is the 3rd working day
    files = projects(project("OK", "政府采购", contract_signed_at="2026-09-30", contract_published_at="2026-10-09"),
                     project("LATE", "政府采购", contract_signed_at="2026-09-30", contract_published_at="2026-10-10"),
                     project("NONE", "政府采购", contract_published_at="2026-10-10"),
                     project("WORKS", contract_signed_at="2026-09-30"))
    run = audit_rules(files, only=["procurement-contract-publication"])
    assert run.outcomes("procurement-contract-publication") == {
        "OK": "compliant", "LATE": "violated", "NONE": "not_evaluable"}
    v = only_violation(run, "procurement-contract-publication")
    assert v["evidence"]["working_days_counted"] == 3
    without = audit_rules({"projects.csv": "project_id,trade_type,department,contract_signed_at\n"
                                            "A,政府采购,市财政局,2026-09-30\n"}, only=["procurement-contract-publication"])
    assert "contract_published_at" in without.result("procurement-contract-publication").not_evaluated_reason


# --- 九: information published within its time limit -----------------------------------------

def test_procurement_result_notice_published_within_two_working_days_of_the_award_notice(audit_rules):
    files = {"notices.csv": "notice_id,project_id,notice_type,published_at\n"
                            "OK,P1,中标结果公告,2026-10-09\nLATE,P2,中标结果公告,2026-10-12\nNONE,P3,中标结果公告,2026-10-12\n"
                            "WORKS,P4,中标结果公告,2026-12-01\nCAND,P1,中标候选人公示,2026-12-01\n",
             **projects(project("P1", "政府采购", award_notice_at="2026-09-30"),
                        project("P2", "政府采购", dept="市教育局", award_notice_at="2026-09-30"),
                        project("P3", "政府采购"), project("P4", award_notice_at="2026-09-30"))}
    run = audit_rules(files, only=["award-result-publication"])
    assert run.outcomes("award-result-publication") == {"OK": "compliant", "LATE": "violated", "NONE": "not_evaluable"}
    assert run.reasons("award-result-publication") == {"NONE": "中标通知书发出时间未填写"}
    v = only_violation(run, "award-result-publication")
    assert v["department"] == "市教育局" and v["basis"].startswith(NOTICE + " 九")
    assert v["evidence"]["due_date"] == "2026-10-09"


# --- the pack -----------------------------------------------------------------------------------

STATUTORY = ["complaint-acceptance", "complaint-acceptance-transferred", "complaint-decision", "complaint-feedback",
             "credit-list-publication", "credit-list-report", "credit-report-attached", "candidates-publication",
             "candidates-publicity-period", "award-result-publication", "procurement-award",
             "procurement-contract-publication", "clarification-lead-time", "tender-period", "contract-signing",
             "bid-deposit-limit", "procurement-tender-period", "procurement-deposit-limit",
             "procurement-clarification-lead-time", "procurement-contract-signing", "procurement-complaint-decision"]


def test_every_rule_is_in_the_pack_order_and_written_in_chinese():
    pack = load_pack()
    order = YamlDoc.load(pack.folder / "pack.yaml").data["order"]
    rules = {r.id: r for r in pack.rules}
    for rule_id in STATUTORY:
        assert rule_id in order and rule_id in rules, rule_id
        spec = rules[rule_id].spec
        for text in (spec.title, spec.description, spec.message):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (rule_id, text)
