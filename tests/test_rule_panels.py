"""Evaluation panels: experts verified on site by the trading centre (一(三)); no expert listed as
评标专家违法 sits on a panel while listed (八(一))."""

from rule_subset import audit_with

audit = audit_with("expert-onsite-verification", "sanctioned-expert-on-panel")

PANELS = "seat_id,project_id,expert_id,expert_name,verified_at,evaluated_at,venue\n"
PROJECTS = "project_id,department\nP1,市住建局\nP2,市水务局\n"
CREDIT = "entry_id,list_type,subject_name,subject_id,subject_type,listed_at,removed_at\n"


# --- expert-onsite-verification (一(三)) ----------------------------------------------------

def test_verification_on_or_before_the_evaluation_day_is_compliant_later_or_never_is_not(audit):
    rows = ("S1,P1,E1,张三,2026-05-06 08:30,2026-05-06 09:00,市公共资源交易中心\n"
            "S2,P1,E2,李四,2026-05-07 08:30,2026-05-06 09:00,市公共资源交易中心\n"
            "S3,P2,E3,王五,,2026-05-06 09:00,\n")
    run = audit({"panels.csv": PANELS + rows, "projects.csv": PROJECTS})
    assert run.outcomes("expert-onsite-verification") == {"S1": "compliant", "S2": "violated", "S3": "violated"}
    s2, s3 = run.violations("expert-onsite-verification")
    assert s2["department"] == "市公共资源交易中心" and s3["department"] == "市水务局"  # no venue: the project's
    assert s2["message"] == "项目P1评标专家（记录S2）应于评标当日2026-05-06或之前经现场核验，实际于2026-05-07核验，已超期"
    assert s3["message"].endswith("截至2026-11-27仍未核验")
    assert "李四" not in str(s2) and "王五" not in str(s3)


def test_a_saturday_or_holiday_evaluation_verified_on_the_next_working_day_is_a_violation(audit):
    # verification is a precondition of the evaluation, not a period: 民法典 §203 never moves it
    rows = ("S1,P1,E1,张三,2026-06-08 08:30,2026-06-06 09:00,市公共资源交易中心\n"   # Sat evaluation, Mon check
            "S2,P1,E2,李四,2026-10-08 08:30,2026-10-03 09:00,市公共资源交易中心\n"   # 国庆 evaluation, checked after
            "S3,P1,E3,王五,2026-06-06 08:10,2026-06-06 09:00,市公共资源交易中心\n")  # the same Saturday: fine
    run = audit({"panels.csv": PANELS + rows, "projects.csv": PROJECTS})
    assert run.outcomes("expert-onsite-verification") == {"S1": "violated", "S2": "violated", "S3": "compliant"}
    s1, s2 = run.violations("expert-onsite-verification")
    assert s1["evidence"]["due_date"] == "2026-06-06" and s2["evidence"]["due_date"] == "2026-10-03"


def test_a_future_evaluation_is_pending_and_an_unknown_evaluation_date_not_evaluable(audit):
    rows = "S1,P1,E1,张三,,2026-12-01,市公共资源交易中心\nS2,P1,E2,李四,2026-05-06,,市公共资源交易中心\n"
    run = audit({"panels.csv": PANELS + rows, "projects.csv": PROJECTS})
    assert run.outcomes("expert-onsite-verification") == {"S1": "pending", "S2": "not_evaluable"}
    assert run.reasons("expert-onsite-verification") == {"S2": "评标时间未填写"}


# --- sanctioned-expert-on-panel (八(一)) ----------------------------------------------------

def test_an_expert_listed_on_the_evaluation_day_is_a_violation_matched_by_expert_id_only(audit):
    rows = ("S1,P1,E1,张三,2026-05-06,2026-05-06,\nS2,P1,E2,李四,2026-05-06,2026-05-06,\n"
            "S3,P2,E3,王五,2026-05-06,2026-05-06,\nS4,P2,E9,赵六,2026-05-06,2026-05-06,\n")
    credit = (CREDIT + "L1,评标专家违法,张三,E1,专家,2026-03-01,\n"
              "L2,评标专家违法,李四,E2,专家,2025-01-01,2026-05-06\n"   # removed that very day: no longer listed
              "L3,失信被执行人,王五,E3,个人,2026-01-01,\n"             # another list: not this rule
              "L4,评标专家违法,赵六,,专家,2026-01-01,\n")              # name only: never matched
    run = audit({"panels.csv": PANELS + rows, "projects.csv": PROJECTS, "credit_list.csv": credit})
    assert run.outcomes("sanctioned-expert-on-panel") == {"S1": "violated", "S2": "compliant", "S3": "compliant",
                                                          "S4": "compliant"}
    [v] = run.violations("sanctioned-expert-on-panel")
    assert v["department"] == "市住建局" and v["basis"] == "鹤发改公管〔2022〕216号 八(一)"
    assert v["message"] == "项目P1评标专家（记录S1）在评标日2026-05-06列于评标专家违法名单（名单记录L1），不得参加评标"
    assert "张三" not in str(v)


def test_an_evaluation_date_falls_back_to_the_verification_date_and_unknowns_are_not_evaluable(audit):
    rows = "S1,P1,E1,张三,2026-05-06,,\nS2,P1,E2,李四,,,\nS3,P1,,王五,2026-05-06,2026-05-06,\n"
    credit = CREDIT + "L1,评标专家违法,张三,E1,专家,2026-03-01,\n"
    run = audit({"panels.csv": PANELS + rows, "projects.csv": PROJECTS, "credit_list.csv": credit})
    assert run.outcomes("sanctioned-expert-on-panel") == {"S1": "violated", "S2": "not_evaluable", "S3": "not_evaluable"}
    assert run.reasons("sanctioned-expert-on-panel") == {"S2": "评标时间及现场核验时间均未填写", "S3": "专家编号未填写"}


def test_without_a_credit_list_the_sanction_rule_is_not_evaluated(audit):
    run = audit({"panels.csv": PANELS + "S1,P1,E1,张三,2026-05-06,2026-05-06,\n", "projects.csv": PROJECTS})
    result = run.result("sanctioned-expert-on-panel")
    assert not result.evaluated and "credit_list" in result.not_evaluated_reason
