"""Check kind min_interval: at least N days / working days between two dates (条例 §21, §54,
招标投标法 §24), on real DuckDB with the real calendar; either date may be the project's."""

import pytest

from rule_subset import rule_folder

from pipelines.rules import load_rule
from pipelines.yamlfile import YamlError

HEAD = """\
id: gap
title: 间隔不足
basis: 测试
severity: error
description: 测试规则
"""
NOTICE_RULE = HEAD + """\
table: notices
check: min_interval
from: published_at
to: project.bid_deadline
at_least: {at_least}
message: "{{notice_id}}截止{{project.bid_deadline}}应不早于{{earliest_date}}，{{outcome}}"
"""


def rules(tmp_path, text: str, name="gap.yaml"):
    return rule_folder(tmp_path / "rules", **{name.removesuffix(".yaml"): text})


def export(notices: str, projects: str) -> dict:
    return {"notices.csv": "notice_id,project_id,notice_type,published_at\n" + notices,
            "projects.csv": "project_id,department,bid_deadline\n" + projects}


def test_calendar_days_counted_from_the_next_day_reach_the_project_deadline(audit_export, tmp_path):
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{days: 15}"))
    run = audit_export(export("OK,P1,变更公告,2026-09-01\nLATE,P2,变更公告,2026-09-01 08:00\n",
                              "P1,市住建局,2026-09-16 09:00\nP2,市水务局,2026-09-15 17:00\n"), rules_dir=folder)
    assert run.outcomes("gap") == {"OK": "compliant", "LATE": "violated"}
    [v] = run.violations("gap")
    assert v["department"] == "市水务局" and v["project_id"] == "P2"
    assert v["evidence"]["earliest_date"] == "2026-09-16" and v["evidence"]["days_counted"] == 14
    assert v["evidence"]["to_column"] == "project.bid_deadline" and v["evidence"]["period"] == "15日"
    assert v["message"] == "LATE截止2026-09-15应不早于2026-09-16，仅间隔14日，不足15日"


def test_a_later_date_on_or_before_the_earlier_one_is_violated(audit_export, tmp_path):
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{days: 15}"))
    run = audit_export(export("A,P1,变更公告,2026-09-20\n", "P1,市住建局,2026-09-16\n"), rules_dir=folder)
    [v] = run.violations("gap")
    assert "投标截止时间（2026-09-16）不晚于发布时间（2026-09-20）" in v["message"]


def test_working_days_skip_national_day_and_count_the_makeup_saturday(audit_export, tmp_path):
    # from Tue 2026-09-29: 09-30, (10-01..07 off), 10-08, 10-09 -> 3rd working day 10-09;
    # from Fri 2026-10-09: Sat 10-10 is a 调休 working day -> 1st working day 10-10
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{working_days: 3}"))
    run = audit_export(export("OK,P1,变更公告,2026-09-29\nLATE,P2,变更公告,2026-09-29\nSAT,P3,变更公告,2026-10-07\n",
                              "P1,市住建局,2026-10-09\nP2,市住建局,2026-10-08\nP3,市住建局,2026-10-10\n"),
                       rules_dir=folder)
    assert run.outcomes("gap") == {"OK": "compliant", "LATE": "violated", "SAT": "compliant"}
    [v] = run.violations("gap")
    assert v["evidence"]["earliest_date"] == "2026-10-09" and v["evidence"]["working_days_counted"] == 2
    assert "仅间隔2个工作日，不足3个工作日" in v["message"]


def test_holiday_extends_moves_the_last_day_past_national_day_and_such_a_shortfall_is_one_severity_lower(
        audit_export, tmp_path):
    # 2026-09-28 + 3 days = 10-01, a holiday: the period runs to 10-08 (民法典 第二百零三条);
    # 2026-10-07 + 3 days = 10-10, a 调休 Saturday that is worked: no move
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{days: 3, holiday_extends: true}"))
    run = audit_export(export("HOLIDAY,P1,变更公告,2026-09-28\nOK,P2,变更公告,2026-09-28\nSAT,P3,变更公告,2026-10-07\n"
                              "SHORT,P4,变更公告,2026-09-28\n",
                              "P1,市住建局,2026-10-07\nP2,市住建局,2026-10-08\nP3,市住建局,2026-10-10\n"
                              "P4,市住建局,2026-09-30\n"), rules_dir=folder)
    assert run.outcomes("gap") == {"HOLIDAY": "violated", "OK": "compliant", "SAT": "compliant", "SHORT": "violated"}
    holiday, short = run.violations("gap")
    assert holiday["evidence"]["earliest_date"] == "2026-10-08" and holiday["evidence"]["holiday_extends"] is True
    assert "间隔9日，但期间末日为非工作日，依民法典第二百零三条顺延至2026-10-08" in holiday["message"]
    assert (holiday["severity"], holiday["evidence"]["short_by_holiday_only"]) == ("warning", True)
    assert (short["severity"], short["evidence"]["short_by_holiday_only"]) == ("error", False)


def test_missing_unreadable_and_orphan_dates_are_not_evaluable_with_reasons(audit_export, tmp_path):
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{days: 15}"))
    run = audit_export(export("A,P1,变更公告,\nB,P1,变更公告,2026-02-30\nC,P9,变更公告,2026-09-01\nD,P2,变更公告,2026-09-01\n"
                              "E,P3,变更公告,2026-09-01\n",
                              "P1,市住建局,2026-12-01\nP2,市住建局,\nP3,市住建局,下月\n"), rules_dir=folder)
    assert set(run.outcomes("gap").values()) == {"not_evaluable"}
    assert run.reasons("gap") == {"A": "发布时间未填写", "B": "发布时间无法识别",
                                  "C": "项目P9不在项目表中，无法取得投标截止时间",
                                  "D": "投标截止时间未填写", "E": "投标截止时间无法识别"}
    assert run.violations("gap") == []


def test_a_period_reaching_an_unknown_year_is_judged_only_when_it_does_not_depend_on_it(audit_export, tmp_path):
    # the 3rd working day after 2026-12-30 lies in 2027, which no calendar covers
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{working_days: 3}"))
    run = audit_export(export("IN,P1,变更公告,2026-12-30\nOUT,P2,变更公告,2026-12-30\n",
                              "P1,市住建局,2026-12-31\nP2,市住建局,2027-01-10\n"), rules_dir=folder)
    assert run.outcomes("gap") == {"IN": "violated", "OUT": "not_evaluable"}
    assert run.reasons("gap")["OUT"].startswith("缺少2027年工作日历")


def test_holiday_extension_into_an_unknown_year_is_not_guessed(audit_export, tmp_path):
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{days: 10, holiday_extends: true}"))
    run = audit_export(export("SHORT,P1,变更公告,2026-12-25\nMAYBE,P2,变更公告,2026-12-25\n",
                              "P1,市住建局,2027-01-03\nP2,市住建局,2027-01-05\n"), rules_dir=folder)
    assert run.outcomes("gap") == {"SHORT": "violated", "MAYBE": "not_evaluable"}
    assert "2027" in run.reasons("gap")["MAYBE"]


def test_without_the_projects_table_a_rule_on_project_dates_is_not_evaluated(audit_export, tmp_path):
    folder = rules(tmp_path, NOTICE_RULE.format(at_least="{days: 15}"))
    run = audit_export({"notices.csv": "notice_id,project_id,notice_type,published_at\nA,P1,变更公告,2026-09-01\n"},
                       rules_dir=folder)
    result = run.result("gap")
    assert not result.evaluated and "projects" in result.not_evaluated_reason


@pytest.mark.parametrize("at_least, field, words", [
    ("{days: 3, working_days: 3}", "at_least", "exactly one"),
    ("{working_days: 3, holiday_extends: true}", "at_least", "holiday_extends"),
    ("{days: -1}", "at_least.days", ""),
])
def test_bad_periods_are_reported_with_file_line_and_field(tmp_path, at_least, field, words):
    folder = rules(tmp_path, NOTICE_RULE.format(at_least=at_least))
    with pytest.raises(YamlError) as err:
        load_rule(folder / "gap.yaml")
    assert f"gap.yaml 第10行 字段 field {field}" in str(err.value) and words in str(err.value)


def test_columns_must_be_dates_and_projects_rules_name_their_own_columns(tmp_path):
    text = NOTICE_RULE.format(at_least="{days: 1}").replace("from: published_at", "from: title")
    with pytest.raises(YamlError, match=r"第8行 字段 field from: title 不是日期列"):
        load_rule(rules(tmp_path, text) / "gap.yaml")
    text = (HEAD + "table: projects\ncheck: min_interval\nfrom: docs_issued_at\nto: project.bid_deadline\n"
            "at_least: {days: 20}\nmessage: m\n")
    with pytest.raises(YamlError, match=r"第9行 字段 field to: 项目表的规则直接写列名 bid_deadline"):
        load_rule(rules(tmp_path, text, "p.yaml") / "p.yaml")
