"""complaint-transfer (四(二)): a complaint outside the receiver's remit is transferred within
3 working days; the breach belongs to the receiving department; complainants never appear."""

import json

from helpers import output_text

RULE = "complaint-transfer"
HEADER = "complaint_id,received_by,received_at,competent_department,transferred_at,complainant_name,complainant_phone,complainant_id\n"
SECRET = ",张秘密,13900001111,230402199001011236\n"


def complaints(*rows: str) -> dict:
    return {"complaints.csv": HEADER + "".join(r + SECRET for r in rows)}


def test_makeup_saturday_after_national_day_counts_toward_the_three_days(audit_export):
    # received Fri 2026-10-09; 10-10 (Sat, 调休上班), 10-12, 10-13 -> due 10-13
    run = audit_export(complaints("A,市交通运输局,2026-10-09,市住建局,2026-10-13",
                                  "B,市交通运输局,2026-10-09,市住建局,2026-10-14"), only=[RULE])
    assert run.outcomes(RULE) == {"A": "compliant", "B": "violated"}
    [v] = run.violations(RULE)
    assert v["department"] == "市交通运输局"
    assert v["evidence"]["due_date"] == "2026-10-13" and v["evidence"]["working_days_counted"] == 4


def test_national_day_holiday_is_not_counted(audit_export):
    # received Tue 2026-09-29: 09-30, (10-01..10-07 off), 10-08, 10-09 -> due 10-09
    run = audit_export(complaints("A,市水务局,2026-09-29,市交通运输局,2026-10-09",
                                  "B,市水务局,2026-09-29,市交通运输局,2026-10-10"), only=[RULE])
    assert run.outcomes(RULE) == {"A": "compliant", "B": "violated"}


def test_untransferred_complaint_is_pending_on_its_due_day_and_violated_after(audit_export):
    rows = ("A,市农业农村局,2026-11-24,市住建局,", "B,市自然资源局,2026-11-10,市农业农村局,")
    run = audit_export(complaints(*rows), only=[RULE], as_of="2026-11-27")
    assert run.outcomes(RULE) == {"A": "pending", "B": "violated"}
    run = audit_export(complaints(*rows), only=[RULE], as_of="2026-11-30")
    assert run.outcomes(RULE) == {"A": "violated", "B": "violated"}


def test_complaints_within_the_receivers_remit_are_not_checked(audit_export):
    run = audit_export(complaints("A,市住建局,2026-11-02,,", "B,市住建局,2026-11-02,市住建局,"), only=[RULE])
    assert run.outcomes(RULE) == {}
    assert run.result(RULE).checked == 0


def test_unreadable_receipt_date_is_not_evaluable(audit_export):
    run = audit_export(complaints("A,市水务局,2026-11-31,市农业农村局,2026-12-01"), only=[RULE])
    assert run.outcomes(RULE) == {"A": "not_evaluable"}
    assert run.reasons(RULE) == {"A": "收到投诉时间无法识别"}


def test_complainant_identity_never_reaches_any_output(audit_export, tmp_path):
    from pipelines.cli import write_outputs

    run = audit_export(complaints("B,市自然资源局,2026-11-10,市农业农村局,", "C,市水务局,2026-02-30,市住建局,"))
    write_outputs(run.con, run.audit, tmp_path / "out")
    for path in (tmp_path / "out").iterdir():
        text = output_text(path)
        for secret in ("张秘密", "13900001111", "230402199001011236"):
            assert secret not in text, (path.name, secret)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["totals"]["violations"] >= 1
