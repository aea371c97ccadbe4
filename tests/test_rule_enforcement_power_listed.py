"""enforcement-power-listed (二): a power exercised is on the published 权责清单 of the acting
department, and was published by then (清单之外无权利) — or has a statutory basis: the notice forbids
powers "未列入权责清单**且**无法定依据", both."""

from rule_subset import audit_with

RULE = "enforcement-power-listed"
audit = audit_with(RULE)
ACTIONS = "action_id,department,power_code,power_name,acted_at,target\n"
ACTIONS_WITH_BASIS = "action_id,department,power_code,power_name,acted_at,target,legal_basis\n"
POWERS = "power_code,department,power_name,published_at\nQ1,市住建局,招投标活动行政检查,2025-01-01\n" \
         "Q2,市住建局,招投标违法行为行政处罚,2026-06-01\nQ3,市住建局,投诉处理,\nQ4,市水务局,水利工程招投标监督,2025-13-01\n"


TAIL = "；执法记录未登记法定依据，请核实是否另有法律、法规依据"


def test_an_unlisted_power_another_departments_power_or_one_not_yet_published_is_a_violation(audit):
    rows = ("A1,市住建局,Q1,行政检查,2026-03-01,某公司,\nA2,市住建局,Q9,行政检查,2026-03-01,某公司,\n"
            "A3,市水务局,Q1,行政检查,2026-03-01,某公司,\nA4,市住建局,Q2,行政处罚,2026-05-31,某公司,\n"
            "A5,市住建局,Q2,行政处罚,2026-06-01,某公司,\nA6,市住建局,Q3,投诉处理,2026-03-01,某公司,\n")
    run = audit({"enforcement_actions.csv": ACTIONS_WITH_BASIS + rows, "powers.csv": POWERS})
    assert run.outcomes(RULE) == {"A1": "compliant", "A2": "violated", "A3": "violated", "A4": "violated",
                                  "A5": "compliant", "A6": "violated"}
    a2, a3, a4, a6 = run.violations(RULE)
    assert {v["severity"] for v in (a2, a3, a4, a6)} == {"error"}
    assert a2["message"] == ("市住建局于2026-03-01实施的执法行为A2所行使的权力（部门/权力编码：市住建局/Q9）不在已公布的权责清单之内："
                              "权责清单中没有该部门的该项权力" + TAIL)
    assert a3["department"] == "市水务局" and a3["evidence"]["items"][0]["gap"] == "none"
    assert "行使时该项权力尚未公布（公布日期 2026-06-01，未设截止日期）" in a4["message"]
    assert a6["message"].endswith("：该项权力未公布" + TAIL)


def test_an_unlisted_power_with_a_legal_basis_passes(audit):
    rows = ("A1,市住建局,Q9,行政检查,2026-03-01,某公司,《中华人民共和国招标投标法》第七条\n"
            "A2,市住建局,Q9,行政检查,2026-03-01,某公司,\n")
    run = audit({"enforcement_actions.csv": ACTIONS_WITH_BASIS + rows, "powers.csv": POWERS})
    assert run.outcomes(RULE) == {"A1": "compliant", "A2": "violated"}


def test_without_a_legal_basis_column_an_unlisted_power_is_a_warning_to_verify(audit):
    rows = "A1,市住建局,Q9,行政检查,2026-03-01,某公司\nA2,市住建局,Q1,行政检查,2026-03-01,某公司\n"
    run = audit({"enforcement_actions.csv": ACTIONS + rows, "powers.csv": POWERS})
    assert run.outcomes(RULE) == {"A1": "violated", "A2": "compliant"}
    [v] = run.violations(RULE)
    assert v["severity"] == "warning" and v["message"].endswith(TAIL)


def test_unknown_code_date_or_publication_date_is_not_evaluable(audit):
    rows = ("A1,市住建局,,行政检查,2026-03-01,某公司\nA2,市住建局,Q1,行政检查,,某公司\n"
            "A3,市水务局,Q4,行政检查,2026-03-01,某公司\n")
    run = audit({"enforcement_actions.csv": ACTIONS + rows, "powers.csv": POWERS})
    assert run.outcomes(RULE) == {"A1": "not_evaluable", "A2": "not_evaluable", "A3": "not_evaluable"}
    assert run.reasons(RULE) == {"A1": "权力编码未填写", "A2": "实施日期未填写", "A3": "权责清单记录Q4的公布日期无法识别"}


def test_without_the_published_list_the_rule_is_not_evaluated(audit):
    run = audit({"enforcement_actions.csv": ACTIONS + "A1,市住建局,Q1,行政检查,2026-03-01,某公司\n"})
    assert run.result(RULE).not_evaluated_reason.startswith("缺少数据表 powers（权责清单）")
