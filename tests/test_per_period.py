"""Check kind per_period: at least N events per calendar period, periods enumerated (an empty
year is reported), the current period pending, undated events making short periods not
evaluable — on real DuckDB."""

import pytest

from pipelines.rules import load_rule
from pipelines.yamlfile import YamlError
from rule_subset import rule_folder

RULE = """\
id: yearly
title: 每年
basis: 测试
severity: error
description: 测试规则
table: inspections
check: per_period
date: ended_at
at_least: 2
from_year: 2024
responsible: 市发改委
message: "{period}年只有{count}次（{period_end}止）"
"""
HEAD = "inspection_id,department,ended_at\n"


def run(audit_export, tmp_path, rows: str, rule: str = RULE, as_of: str = "2026-11-27"):
    return audit_export({"inspections.csv": HEAD + rows}, as_of=as_of,
                        rules_dir=rule_folder(tmp_path / "rules", yearly=rule))


def test_every_year_from_from_year_is_judged_and_an_empty_year_is_a_violation(audit_export, tmp_path):
    rows = "A,市住建局,2024-02-01\nB,市水务局,2024-12-31\nC,市住建局,2025-06-01\n"
    r = run(audit_export, tmp_path, rows, as_of="2027-01-05")
    assert r.outcomes("yearly") == {"2024": "compliant", "2025": "violated", "2026": "violated", "2027": "pending"}
    v2025, v2026 = r.violations("yearly")
    assert v2025["department"] == "市发改委" and v2025["message"] == "2025年只有1次（2025-12-31止）"
    assert v2025["evidence"]["events"] == ["C"] and v2025["evidence"]["count"] == 1
    assert v2026["evidence"]["count"] == 0 and v2026["evidence"]["events"] == []


def test_the_current_year_is_pending_until_it_ends_unless_already_met(audit_export, tmp_path):
    r = run(audit_export, tmp_path, "A,x,2026-01-05\n", rule=RULE.replace("from_year: 2024", "from_year: 2026"))
    assert r.outcomes("yearly") == {"2026": "pending"}
    pending = r.con.execute("SELECT evidence FROM outcomes WHERE outcome = 'pending'").fetchall()[0][0]
    assert '"due_date":"2026-12-31"' in pending
    r = run(audit_export, tmp_path, "A,x,2026-01-05\nB,x,2026-03-01\n", rule=RULE.replace("from_year: 2024", "from_year: 2026"))
    assert r.outcomes("yearly") == {"2026": "compliant"}


def test_events_after_the_as_of_date_do_not_count(audit_export, tmp_path):
    rule = RULE.replace("from_year: 2024", "from_year: 2025").replace("at_least: 2", "at_least: 1")
    r = run(audit_export, tmp_path, "A,x,2025-12-01\n", rule=rule, as_of="2025-11-27")
    assert r.outcomes("yearly") == {"2025": "pending"}


def test_undated_events_make_a_short_past_year_not_evaluable(audit_export, tmp_path):
    rows = "A,x,2024-02-01\nB,x,2024-03-01\nC,x,\nD,x,2025-02-30\n"
    r = run(audit_export, tmp_path, rows)
    assert r.outcomes("yearly") == {"2024": "compliant", "2025": "not_evaluable", "2026": "pending"}
    assert r.reasons("yearly")["2025"] == "2条记录的检查结束时间未填写或无法识别，无法确定所属期间"


def test_without_from_year_periods_start_at_the_earliest_event_or_the_as_of_year(audit_export, tmp_path):
    rule = RULE.replace("from_year: 2024\n", "").replace("at_least: 2", "at_least: 1")
    assert run(audit_export, tmp_path, "A,x,2025-05-01\n", rule=rule).outcomes("yearly") == {
        "2025": "compliant", "2026": "pending"}
    assert run(audit_export, tmp_path, "", rule=rule).outcomes("yearly") == {"2026": "pending"}


def test_group_by_counts_per_group_and_takes_the_department_from_the_group(audit_export, tmp_path):
    rule = RULE.replace("responsible: 市发改委\n", "group_by: [department]\n").replace("from_year: 2024", "from_year: 2025")
    rule = rule.replace("at_least: 2", "at_least: 1").replace("{period}年", "{group}{period}年")
    rows = "A,市住建局,2025-02-01\nB,市水务局,2026-03-01\nC,,2025-03-01\n"
    r = run(audit_export, tmp_path, rows, rule=rule)
    assert r.outcomes("yearly") == {"市住建局/2025": "compliant", "市住建局/2026": "pending",
                                    "市水务局/2025": "violated", "市水务局/2026": "compliant"}
    [v] = r.violations("yearly")
    assert v["department"] == "市水务局" and v["message"].startswith("市水务局2025年只有0次")


def test_quarters_are_labelled_and_enumerated(audit_export, tmp_path):
    rule = RULE.replace("from_year: 2024", "from_year: 2026").replace("at_least: 2", "at_least: 1")
    rule = rule.replace("date: ended_at", "date: ended_at\nperiod: quarter")
    r = run(audit_export, tmp_path, "A,x,2026-05-01\n", rule=rule, as_of="2026-08-01")
    assert r.outcomes("yearly") == {"2026Q1": "violated", "2026Q2": "compliant", "2026Q3": "pending"}
    assert r.violations("yearly")[0]["evidence"]["period_end"] == "2026-03-31"


@pytest.mark.parametrize("change, pattern", [
    (("date: ended_at", "date: department"), r"第8行 字段 field date: department 不是日期列"),
    (("date: ended_at", "date: nope"), r"第8行 字段 field date: 数据表 inspections 没有列"),
    (("responsible: 市发改委\n", ""), r"字段 field responsible: 须给出违规归属部门"),
    (("at_least: 2", "at_least: 0"), r"第9行 字段 field at_least"),
    (("check: per_period", "check: per_period\nperiod: week"), r"字段 field period"),
])
def test_rule_mistakes_name_file_line_and_field(tmp_path, change, pattern):
    path = tmp_path / "yearly.yaml"
    path.write_text(RULE.replace(*change), encoding="utf-8")
    with pytest.raises(YamlError, match=pattern):
        load_rule(path)
