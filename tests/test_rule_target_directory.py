"""The inspection-target directory (三(二)): projects that finished tendering this or last year are
in it; every target has a risk level and a credit level."""

from rule_subset import audit_with

RULE = "target-directory"
audit = audit_with(RULE, "target-risk-level", "target-credit-level")
PROJECTS = "project_id,department,bid_deadline,award_notice_at,contract_signed_at\n"
TARGETS = "target_id,project_id,department,risk_level,credit_level,added_at\n"


def test_projects_finished_this_or_last_year_must_be_in_the_directory(audit):
    projects = PROJECTS + ("P1,市住建局,2026-03-01,2026-03-20,\n"   # in the directory
                           "P2,市住建局,2025-03-01,2025-03-20,\n"   # last year: missing
                           "P3,市水务局,2024-11-01,,2025-01-10\n"   # contract signed last year: missing
                           "P4,市水务局,2024-03-01,2024-03-20,\n"   # the year before last: not checked
                           "P5,市水务局,2026-12-20,,\n"            # bid deadline still ahead: not checked
                           "P6,市水务局,,,\n")                     # no date: not finished
    run = audit({"projects.csv": projects, "inspection_targets.csv": TARGETS + "T1,P1,市住建局,低,A,2026-04-01\n"})
    assert run.outcomes(RULE) == {"P1": "compliant", "P2": "violated", "P3": "violated", "P4": "not_applicable",
                                  "P5": "not_applicable", "P6": "not_applicable"}
    p2, p3 = run.violations(RULE)
    assert p2["severity"] == "warning" and p2["department"] == "市住建局" and p3["department"] == "市水务局"
    assert p2["message"] == "项目P2已完成招投标，未纳入检查对象名录库，应由行业监督部门纳入当年和上一年的检查对象名录库"


def test_an_unreadable_completion_date_is_not_evaluable(audit):
    run = audit({"projects.csv": PROJECTS + "P1,市住建局,2026-03-01,2026年3月32日,\n", "inspection_targets.csv": TARGETS})
    assert run.outcomes(RULE) == {"P1": "not_evaluable"}
    assert run.reasons(RULE) == {"P1": "中标通知书发出时间无法识别"}


def test_without_a_directory_the_rule_is_not_evaluated(audit):
    run = audit({"projects.csv": PROJECTS + "P1,市住建局,2026-03-01,2026-03-20,\n"})
    assert run.result(RULE).not_evaluated_reason.startswith("缺少数据表 inspection_targets（检查对象名录库）")


def test_targets_need_a_risk_level_and_a_credit_level(audit):
    targets = TARGETS + "T1,P1,市住建局,低,A,2026-04-01\nT2,P2,,,B,2026-04-01\nT3,P1,市住建局,高,,2026-04-01\n"
    run = audit({"projects.csv": PROJECTS + "P2,市水务局,,,\n", "inspection_targets.csv": targets})
    assert run.outcomes("target-risk-level") == {"T1": "compliant", "T2": "violated", "T3": "compliant"}
    assert run.outcomes("target-credit-level") == {"T1": "compliant", "T2": "compliant", "T3": "violated"}
    [v] = run.violations("target-risk-level")
    assert v["department"] == "市水务局"  # no department on the entry: its project's
    assert v["message"] == "检查对象名录T2（项目P2）未确定风险等级，无法据此确定抽查比例和频次"
