"""referral-report-back (一(三)): police and 纪检监察 report back to the referring department after
closing a case; the 30 days are a parameter, not a limit of the notice (warning)."""

from rule_subset import audit_with

RULE = "referral-report-back"
audit = audit_with(RULE)
HEAD = "referral_id,case_id,kind,from_body,to_body,referred_at,closed_at,reported_back_at\n"


def test_report_back_within_thirty_days_of_closing_and_only_for_police_and_discipline_bodies(audit):
    rows = ("R1,A1,案件移送,市住建局,市公安局,2026-03-01,2026-06-01,2026-07-01\n"
            "R2,A2,案件移送,市住建局,市公安局,2026-03-01,2026-06-01,2026-07-02\n"
            "R3,A3,线索移交,市审计局,市水务局,2026-03-01,2026-06-01,\n"          # not police/纪检: not checked
            "R4,A4,案件移送,市水务局,市纪委监委,2026-03-01,2026-09-01,\n")
    run = audit({"referrals.csv": HEAD + rows})
    assert run.outcomes(RULE) == {"R1": "compliant", "R2": "violated", "R4": "violated"}
    r2, r4 = run.violations(RULE)
    assert r2["severity"] == "warning" and r2["department"] == "市公安局" and r4["department"] == "市纪委监委"
    assert r2["message"] == ("市公安局于2026-06-01对市住建局移送的案件A2（移送R2）结案，应于2026-07-01前通报结案情况，"
                             "实际于2026-07-02通报移送单位，已超期")
    assert r4["evidence"]["due_date"] == "2026-10-08"  # 10-01 falls in 国庆: moved to the next working day


def test_an_open_case_or_an_unreadable_closing_date_is_not_evaluable_and_a_recent_one_pending(audit):
    rows = ("R1,A1,案件移送,市住建局,市公安局,2026-03-01,,\n"
            "R2,A2,案件移送,市住建局,市公安局,2026-03-01,2026/13/01,\n"
            "R3,A3,案件移送,市住建局,市公安局,2026-03-01,2026-11-20,\n")
    run = audit({"referrals.csv": HEAD + rows})
    assert run.outcomes(RULE) == {"R1": "not_evaluable", "R2": "not_evaluable", "R3": "pending"}
    assert run.reasons(RULE) == {"R1": "结案日期未填写", "R2": "结案日期无法识别"}
