"""referral-report-back (一(三)): the police report back to the referring department after closing a
case. The notice sets no limit and the joint meeting cannot supervise the 纪委监委, so the rule is
an ``info`` reminder on closed police cases with no report back — no deadline, no due date."""

from rule_subset import audit_with

RULE = "referral-report-back"
audit = audit_with(RULE)
HEAD = "referral_id,case_id,kind,from_body,to_body,referred_at,closed_at,reported_back_at\n"


def test_a_closed_police_case_without_report_back_is_an_info_reminder_without_any_deadline(audit):
    rows = ("R1,A1,案件移送,市住建局,市公安局,2026-03-01,2026-06-01,2026-09-01\n"  # reported, however late
            "R2,A2,案件移送,市住建局,市公安局,2026-03-01,2026-11-20,\n"          # closed a week ago: no limit to await
            "R3,A3,线索移交,市审计局,市水务局,2026-03-01,2026-06-01,\n")         # not the police: not this rule
    run = audit({"referrals.csv": HEAD + rows})
    assert run.outcomes(RULE) == {"R1": "compliant", "R2": "violated"}
    [v] = run.violations(RULE)
    assert v["severity"] == "info" and v["department"] == "市住建局"  # the referring department follows it up
    assert v["message"] == "市住建局移送市公安局的案件A2（移送R2）已于2026-11-20结案，尚无结案通报记录，请跟进了解处理情况"
    assert "due_date" not in v["evidence"] and "应于" not in v["message"] and "超期" not in v["message"]


def test_the_discipline_commission_and_open_cases_are_not_checked(audit):
    rows = ("R1,A1,案件移送,市水务局,市纪委监委,2026-03-01,2026-06-01,\n"  # the meeting has no power over 纪委监委
            "R2,A2,案件移送,市住建局,市公安局,2026-03-01,,\n")              # still open
    run = audit({"referrals.csv": HEAD + rows})
    assert run.outcomes(RULE) == {} and run.violations(RULE) == []
