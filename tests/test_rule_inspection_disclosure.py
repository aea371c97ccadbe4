"""inspection-disclosure (三(三)): results public within 10 working days after the inspection ends."""

RULE = "inspection-disclosure"


def inspections(rows: str) -> dict:
    return {"inspections.csv": "inspection_id,department,ended_at,published_at\n" + rows}


def test_published_on_the_tenth_working_day_after_national_day_is_compliant(audit_export):
    # ended Fri 2026-09-25 (中秋); 09-28,29,30, 10-08,09, 10-10 (Sat, 调休上班), 10-12,13,14,15 -> due 10-15
    run = audit_export(inspections("A,市住建局,2026-09-25,2026-10-15\nB,市住建局,2026-09-25,2026-10-16\n"), only=[RULE])
    assert run.outcomes(RULE) == {"A": "compliant", "B": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["due_date"] == "2026-10-15"
    assert v["evidence"]["working_days_counted"] == 11
    assert v["department"] == "市住建局" and v["basis"] == "鹤发改公管〔2022〕216号 三(三)"
    assert "2026-10-15" in v["message"] and "已超期" in v["message"]


def test_spring_festival_makeup_saturday_counts_as_a_working_day(audit_export):
    # ended Tue 2026-02-10: 02-11,12,13, 02-14 (Sat 调休), then 春节 02-15..23 off, 02-24.. -> 10th = 03-02
    run = audit_export(inspections("A,市水务局,2026-02-10,2026-03-02\nB,市水务局,2026-02-10,2026-03-03\n"), only=[RULE])
    assert run.outcomes(RULE) == {"A": "compliant", "B": "violated"}


def test_unpublished_is_pending_until_due_then_violated(audit_export):
    rows = "A,市水务局,2026-11-20,\nB,市水务局,2026-11-01,\n"
    run = audit_export(inspections(rows), only=[RULE], as_of="2026-11-27")
    assert run.outcomes(RULE) == {"A": "pending", "B": "violated"}
    [v] = run.violations(RULE)
    assert "截至2026-11-27仍未公开" in v["message"]


def test_unknown_or_unreadable_dates_are_not_evaluable_with_a_reason(audit_export):
    rows = "A,市水务局,,2026-11-01\nB,市水务局,2026-02-30,2026-11-01\nC,市水务局,2026-11-01,下周\n"
    run = audit_export(inspections(rows), only=[RULE])
    assert run.outcomes(RULE) == {"A": "not_evaluable", "B": "not_evaluable", "C": "not_evaluable"}
    assert run.reasons(RULE) == {"A": "检查结束时间未填写", "B": "检查结束时间无法识别", "C": "抽查结果公开时间无法识别"}
    assert run.violations(RULE) == []


def test_a_period_running_into_an_unknown_year_is_not_evaluable(audit_export):
    # due date falls in January 2027, which no calendar file covers; as_of is in 2027
    run = audit_export(inspections("A,市水务局,2026-12-28,\nB,市水务局,2026-12-28,2026-12-30\n"),
                       only=[RULE], as_of="2027-01-20")
    assert run.outcomes(RULE) == {"A": "not_evaluable", "B": "compliant"}
    assert "2027" in run.reasons(RULE)["A"]
