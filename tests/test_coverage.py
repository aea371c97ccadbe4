"""Check kind coverage: every item (record, list element, distinct value, listed value) has a
matching record in another table — valid on a date, meeting conditions, N of them — or, with
expect: no_match, has none; on real DuckDB."""

import textwrap

import pytest

from pipelines.rules import load_rule
from pipelines.yamlfile import YamlError
from rule_subset import rule_folder

HEAD = """\
id: cov
title: 覆盖
basis: 测试
severity: error
description: 测试规则
"""
CREW = HEAD + """\
table: inspections
check: coverage
items: {explode: inspectors}
match:
  table: inspectors
  by: {inspectors: inspector_id}
  valid_on: {date: [ended_at, started_at], from: qualified_from, until: qualified_until}
message: "{record_id}：{gap}"
"""
INSPECTIONS = "inspection_id,department,inspectors,started_at,ended_at\n"
INSPECTORS = "inspector_id,department,qualified_from,qualified_until\n"


def audit(audit_export, tmp_path, files: dict, rule: str, as_of: str = "2026-11-27"):
    return audit_export(files, as_of=as_of, rules_dir=rule_folder(tmp_path / "rules", cov=rule))


def crews(rows: str, pool: str | None = "I1,市住建局,2024-01-01,\nI2,市住建局,2024-01-01,2026-05-03\n") -> dict:
    files = {"inspections.csv": INSPECTIONS + rows}
    if pool is not None:
        files["inspectors.csv"] = INSPECTORS + pool
    return files


# --- explode: one finding per record, the list's unmatched ids in it ------------------------

def test_a_crew_list_is_split_on_every_separator_and_each_id_is_matched(audit_export, tmp_path):
    rows = ("A,市住建局,I1；I2,,2026-05-03\nB,市住建局, I1 、I9,,2026-05-03\nC,市水务局,I1,I2,,2026-05-04\n"
            "D,市住建局,I9；I8；I9,,2026-05-03\n")
    r = audit(audit_export, tmp_path, crews(rows.replace(",I1,I2,,", ",\"I1,I2\",,")), CREW)
    assert r.outcomes("cov") == {"A": "compliant", "B": "violated", "C": "violated", "D": "violated"}
    b, c, d = r.violations("cov")
    assert [i["item"] for i in d["evidence"]["items"]] == ["I9", "I8"]  # list order, each id once
    assert b["message"] == "B：I9：执法人员库中无对应记录"
    assert [i["item"] for i in b["evidence"]["items"]] == ["I9"] and b["department"] == "市住建局"
    # the last day of a qualification is still a qualified day; the next is not
    assert c["evidence"]["items"] == [{"item": "I2", "outcome": "violated", "gap": "out_of_date", "matched": 0,
                                       "candidates": [{"key": "I2", "counts": False, "failed": [],
                                                       "from": "2024-01-01", "until": "2026-05-03"}]}]
    assert "在2026-05-04不在有效期内" in c["message"]


def test_the_first_filled_date_column_is_the_items_date(audit_export, tmp_path):
    r = audit(audit_export, tmp_path, crews("A,x,I2,2026-05-01,\nB,x,I2,2026-05-01,2026-05-05\n"), CREW)
    assert r.outcomes("cov") == {"A": "compliant", "B": "violated"}
    assert r.violations("cov")[0]["evidence"]["date_column"] == "ended_at"


def test_empty_list_unknown_date_or_unknown_validity_is_not_evaluable_with_why(audit_export, tmp_path):
    rows = "A,x,,,2026-05-03\nB,x,I1,,\nC,x,I3,,2026-05-03\nD,x,I1；I9；I3,,2026-05-03\n"
    r = audit(audit_export, tmp_path, crews(rows, pool="I1,x,2024-01-01,\nI3,x,,\n"), CREW)
    assert r.outcomes("cov") == {"A": "not_evaluable", "B": "not_evaluable", "C": "not_evaluable", "D": "violated"}
    assert r.reasons("cov") == {"A": "执法人员未填写", "B": "检查结束时间及检查开始时间均未填写",
                                "C": "执法人员库记录I3的执法资格起始日期未填写"}
    assert [i["outcome"] for i in r.violations("cov")[0]["evidence"]["items"]] == ["violated", "not_evaluable"]


def test_a_match_table_the_export_lacks_leaves_the_rule_not_evaluated(audit_export, tmp_path):
    r = audit(audit_export, tmp_path, crews("A,x,I1,,2026-05-03\n", pool=None), CREW)
    assert r.outcomes("cov") == {}
    assert not r.result("cov").evaluated and "inspectors" in r.result("cov").not_evaluated_reason


def test_a_match_column_the_file_lacks_makes_every_item_not_evaluable(audit_export, tmp_path):
    files = {"inspections.csv": INSPECTIONS + "A,x,I1,,2026-05-03\n", "inspectors.csv": "inspector_id,department\nI1,x\n"}
    r = audit(audit_export, tmp_path, files, CREW)
    assert r.reasons("cov") == {"A": "执法人员库的执法资格起始日期全部为空（或缺少该列）"}


# --- conditions, counting, scope, no_match ---------------------------------------------------

CHANNELS = HEAD + """\
table: projects
check: coverage
items: {distinct: [department]}
match:
  table: complaint_channels
  by: {department: department}
  where:
    published_at: {present: true, label: 已发布}
    states_time_limit: {equals: "true", label: 时限}
    states_channel: {equals: "true"}
message: "{department}：{gap}"
"""
CHANNEL_HEAD = "channel_id,department,published_at,states_time_limit,states_channel\n"


def test_conditions_are_three_valued_and_the_best_candidate_says_what_is_missing(audit_export, tmp_path):
    projects = "project_id,department\nP1,市住建局\nP2,市住建局\nP3,市水务局\nP4,市交通运输局\nP5,市农业农村局\nP6,\n"
    channels = ("K1,市住建局,2026-01-01,是,是\nK2,市水务局,,否,否\nK3,市水务局,2026-01-01,否,是\n"
                "K4,市交通运输局,2026-01-01,,是\n")
    r = audit(audit_export, tmp_path, {"projects.csv": projects, "complaint_channels.csv": CHANNEL_HEAD + channels}, CHANNELS)
    assert r.outcomes("cov") == {"市住建局": "compliant", "市水务局": "violated", "市交通运输局": "not_evaluable",
                                 "市农业农村局": "violated"}
    assert r.reasons("cov") == {"市交通运输局": "投诉举报渠道记录K4的明确投诉时限未填写"}
    nong, shui = r.violations("cov")
    assert nong["message"] == "市农业农村局：投诉举报渠道中无对应记录" and nong["department"] == "市农业农村局"
    assert shui["message"] == "市水务局：投诉举报渠道中的对应记录未满足：时限"
    assert shui["evidence"]["items"][0]["candidates"][1] == {"key": "K3", "counts": False, "failed": ["时限"]}


BIDDERS = HEAD + """\
table: projects
where: {trade_type: {in: [工程建设]}}
check: coverage
scope: {date: [award_notice_at, contract_signed_at]}
match:
  table: bids
  by: {project_id: project_id}
  at_least: 3
  count_distinct: [bidder_uscc, bidder_name]
gap_texts: {too_few: "只有{n}个（应至少{at_least}个）"}
message: "{project_id}{gap}"
"""


def test_at_least_counts_distinct_values_and_scope_limits_the_items(audit_export, tmp_path):
    projects = ("project_id,department,trade_type,award_notice_at,contract_signed_at\n"
                "P1,市住建局,工程建设,2026-03-01,\nP2,市住建局,工程建设,,2026-03-01\nP3,市住建局,工程建设,,\n"
                "P4,市住建局,矿业权,2026-03-01,\nP5,市住建局,工程建设,2026-02-30,\nP6,市住建局,工程建设,2026-03-01,\n")
    bids = ("bid_id,project_id,bidder_name,bidder_uscc\n"
            "B1,P1,甲公司,\nB2,P1,乙公司,\nB3,P1,（丙）公司,\nB4,P2,甲公司,\nB5,P2,甲 公司,\nB6,P2,乙公司,\n"
            "B7,P3,甲公司,\n")
    r = audit(audit_export, tmp_path, {"projects.csv": projects, "bids.csv": bids}, BIDDERS)
    assert r.outcomes("cov") == {"P1": "compliant", "P2": "violated", "P3": "not_applicable",
                                 "P5": "not_evaluable", "P6": "violated"}
    assert r.reasons("cov") == {"P5": "中标通知书发出时间无法识别"}
    p2, p6 = r.violations("cov")
    assert p2["message"] == "P2只有2个（应至少3个）" and p2["evidence"]["at_least"] == 3
    assert p6["message"] == "P6bids中无对应记录".replace("bids", "投标记录")


def test_calendar_years_scope_keeps_this_and_last_year_up_to_the_as_of_date(audit_export, tmp_path):
    rule = BIDDERS.replace("scope: {date: [award_notice_at, contract_signed_at]}",
                           "scope: {date: [award_notice_at], calendar_years: 2}").replace("at_least: 3", "at_least: 1")
    projects = ("project_id,department,trade_type,award_notice_at\n"
                "P1,x,工程建设,2024-12-31\nP2,x,工程建设,2025-01-01\nP3,x,工程建设,2026-11-27\nP4,x,工程建设,2026-11-28\n")
    r = audit(audit_export, tmp_path, {"projects.csv": projects, "bids.csv": "bid_id,project_id,bidder_name\n"}, rule)
    assert r.outcomes("cov") == {"P1": "not_applicable", "P2": "violated", "P3": "violated", "P4": "not_applicable"}


EXPERTS = HEAD + """\
table: panels
check: coverage
expect: no_match
match:
  table: credit_list
  by: {expert_id: subject_id}
  valid_on: {date: evaluated_at, from: listed_at, until: removed_at, until_inclusive: false}
  where: {list_type: {in: [评标专家违法]}}
message: "{record_id}：{gap}"
"""
CREDIT = "entry_id,list_type,subject_name,subject_id,listed_at,removed_at\n"


def test_no_match_flags_a_match_valid_on_the_date_and_a_removal_day_is_no_longer_listed(audit_export, tmp_path):
    panels = ("seat_id,project_id,expert_id,expert_name,evaluated_at\n"
              "S1,P1,E1,张三,2026-05-01\nS2,P1,E1,张三,2026-06-01\nS3,P1,E2,李四,2026-05-01\nS4,P1,E3,王五,2026-05-01\n"
              "S5,P1,,赵六,2026-05-01\nS6,P1,E4,钱七,2026-05-01\n")
    credit = (CREDIT + "L1,评标专家违法,张三,E1,2026-04-01,2026-06-01\nL2,失信被执行人,李四,E2,2026-01-01,\n"
              "L3,评标专家违法,钱七,E4,2026-04-31,\n")
    files = {"panels.csv": panels, "credit_list.csv": credit, "projects.csv": "project_id,department\nP1,市住建局\n"}
    r = audit(audit_export, tmp_path, files, EXPERTS)
    assert r.outcomes("cov") == {"S1": "violated", "S2": "compliant", "S3": "compliant", "S4": "compliant",
                                 "S5": "not_evaluable", "S6": "not_evaluable"}
    assert r.reasons("cov") == {"S5": "专家编号未填写", "S6": "失信与惩戒名单记录L3的列入日期无法识别"}
    [v] = r.violations("cov")
    assert v["message"] == "S1：失信与惩戒名单中有对应记录L1" and v["department"] == "市住建局"
    assert "张三" not in str(v)


def test_values_items_cover_every_combination_as_of_the_audit_date(audit_export, tmp_path):
    rule = HEAD + textwrap.dedent("""\
    table: member_contacts
    check: coverage
    items: {values: {member_unit: [市住建局, 市水务局], role: [责任领导, 联络员]}}
    department: member_unit
    match:
      by: {member_unit: member_unit, role: role}
      valid_on: {date: as_of, from: effective_from, until: effective_until}
    message: "{item}：{gap}"
    """)
    contacts = ("contact_id,member_unit,role,person_name,effective_from,effective_until\n"
                "C1,市住建局,责任领导,张三,2025-01-01,\nC2,市住建局,联络员,李四,2025-01-01,2026-11-26\n"
                "C3,市水务局,责任领导,王五,,\n")
    r = audit(audit_export, tmp_path, {"member_contacts.csv": contacts}, rule)
    assert r.outcomes("cov") == {"市住建局/责任领导": "compliant", "市住建局/联络员": "violated",
                                 "市水务局/责任领导": "not_evaluable", "市水务局/联络员": "violated"}
    lianluo, shui = r.violations("cov")
    assert lianluo["department"] == "市住建局" and shui["department"] == "市水务局"
    assert lianluo["evidence"]["items"][0]["gap"] == "out_of_date" and shui["evidence"]["items"][0]["gap"] == "none"
    assert "李四" not in str(lianluo)


def test_personal_item_values_are_masked(audit_export, tmp_path):
    rule = HEAD + textwrap.dedent("""\
    table: bids
    check: coverage
    match: {table: credit_list, by: {legal_rep_id: subject_id}}
    message: "{item}：{gap}"
    """)
    files = {"bids.csv": "bid_id,project_id,bidder_name,legal_rep_id\nB1,P1,甲,230402197803121236\n",
             "credit_list.csv": CREDIT, "projects.csv": "project_id,department\nP1,x\n"}
    [v] = audit(audit_export, tmp_path, files, rule).violations("cov")
    assert v["message"].startswith("2304**********1236：") and "230402197803121236" not in str(v)


# --- rule mistakes ---------------------------------------------------------------------------

@pytest.mark.parametrize("change, pattern", [
    (("by: {inspectors: inspector_id}", "by: {inspectors: nope}"), r"第11行 字段 field match.by.inspectors.nope: 数据表 inspectors 没有列 has no column 'nope'"),
    (("table: inspectors\n", "table: nope\n"), r"第10行 字段 field match.table: 未知数据表"),
    (("from: qualified_from", "from: department"), r"第12行 字段 field match.valid_on.from: department 不是日期列"),
    (("items: {explode: inspectors}", "items: {explode: department}"), r"第8行 字段 field items.explode: explode 的列须出现在 match.by 中"),
    (("items: {explode: inspectors}", "items: {explode: inspectors, distinct: [department]}"), r"字段 field items: .*exactly one"),
    (("date: [ended_at, started_at]", "date: [ended_at, as_of]"), r"match.valid_on.date: as_of 只能单独使用"),
    (("message:", "gap_texts: {none: '{oops}'}\nmessage:"), r"字段 field gap_texts.none: 未知占位符"),
    (("message:", "expect: no_match\nmessage:"), None),
    (("  valid_on", "  at_least: 2\n  valid_on"), None),
    (("message: \"{record_id}：{gap}\"", "message: \"{department}{ended_at}\""), r"字段 field message: 模板字段 \{ended_at\} 未知"),
])
def test_rule_mistakes_name_file_line_and_field(tmp_path, change, pattern):
    path = tmp_path / "cov.yaml"
    path.write_text(CREW.replace(*change), encoding="utf-8")
    if pattern is None:  # valid variants
        load_rule(path)
        return
    with pytest.raises(YamlError, match=pattern):
        load_rule(path)


def test_no_match_with_at_least_is_refused(tmp_path):
    path = tmp_path / "cov.yaml"
    path.write_text(CREW.replace("message:", "expect: no_match\nmessage:").replace("  valid_on", "  at_least: 2\n  valid_on"),
                    encoding="utf-8")
    with pytest.raises(YamlError, match=r"match.at_least: expect: no_match 时不能设 at_least"):
        load_rule(path)


def test_distinct_items_must_give_a_department(tmp_path):
    path = tmp_path / "cov.yaml"
    path.write_text(CHANNELS.replace("items: {distinct: [department]}", "items: {distinct: [region]}")
                    .replace("by: {department: department}", "by: {region: department}"), encoding="utf-8")
    with pytest.raises(YamlError, match=r"字段 field department: 项目列中须有部门列"):
        load_rule(path)
