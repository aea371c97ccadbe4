"""一(一)/一(二): the joint meeting held every year; each member unit with a current 责任领导 and
联络员; a change of contact reported to 公管办 within 3 working days."""

from rule_subset import audit_with

audit = audit_with("joint-meeting-yearly", "member-unit-contacts", "member-contact-report")

MEETINGS = "meeting_id,held_at,kind,convenor\n"
UNITS = ["市发改委", "市住建局", "市农业农村局", "市交通运输局", "市水务局", "市自然资源局",
         "市纪委监委", "市审计局", "市公安局", "市营商局", "市公共资源交易中心"]
CONTACTS = "contact_id,member_unit,role,person_name,phone,effective_from,effective_until,reported_at\n"


def all_units_staffed(skip: tuple = ()) -> str:
    rows = [f"{u}-{r},{u},{r},张{i},1390000{i:04d},2024-03-01,,2024-03-04"
            for i, (u, r) in enumerate((u, r) for u in UNITS for r in ("责任领导", "联络员")) if (u, r) not in skip]
    return CONTACTS + "\n".join(rows) + "\n"


# --- joint-meeting-yearly (一(一)) ----------------------------------------------------------

def test_a_year_without_any_meeting_is_a_violation_of_the_convenor(audit):
    run = audit({"meetings.csv": MEETINGS + "M1,2023-03-01,例会,市发改委\nM2,2025年4月1日,例会,市发改委\n"})
    assert run.outcomes("joint-meeting-yearly") == {"2023": "compliant", "2024": "violated", "2025": "compliant",
                                                    "2026": "pending"}
    [v] = run.violations("joint-meeting-yearly")
    assert v["department"] == "市发改委" and v["basis"] == "鹤发改公管〔2022〕216号 一(一)"
    assert v["severity"] == "warning"  # "原则上，每年召开一次": a principle, not a hard limit
    assert v["message"].startswith("2024年未召开公共资源交易监管工作联席会议（当年记录0次）")


def test_an_extraordinary_meeting_counts_and_the_running_year_waits_for_its_end(audit):
    rows = "M1,2023-03-01,例会,市发改委\nM2,2024-08-01,临时会议,市发改委\nM3,2025-06-01,专题会,市发改委\n"
    run = audit({"meetings.csv": MEETINGS + rows})
    assert run.violations("joint-meeting-yearly") == []
    assert run.outcomes("joint-meeting-yearly")["2026"] == "pending"
    run = audit({"meetings.csv": MEETINGS + rows}, as_of="2027-01-04")
    assert run.outcomes("joint-meeting-yearly")["2026"] == "violated"


def test_a_meeting_without_a_readable_date_leaves_short_years_not_evaluable(audit):
    run = audit({"meetings.csv": MEETINGS + "M1,2023-03-01,例会,市发改委\nM2,2025-06-01,例会,市发改委\nM3,去年,例会,\n"})
    assert run.outcomes("joint-meeting-yearly")["2024"] == "not_evaluable"
    assert "1条记录的召开日期未填写或无法识别" in run.reasons("joint-meeting-yearly")["2024"]


def test_without_a_meetings_table_the_rule_is_not_evaluated(audit):
    run = audit({"inspections.csv": "inspection_id,department\nC1,市住建局\n"})
    result = run.result("joint-meeting-yearly")
    assert not result.evaluated and result.not_evaluated_reason.startswith("缺少数据表 meetings（联席会议）")


# --- member-unit-contacts (一(二)) ----------------------------------------------------------

def test_every_member_unit_with_both_roles_current_is_compliant(audit):
    run = audit({"member_contacts.csv": all_units_staffed()})
    outcomes = run.outcomes("member-unit-contacts")
    assert len(outcomes) == 22 and set(outcomes.values()) == {"compliant"}


def test_a_missing_or_departed_contact_is_a_violation_of_that_unit(audit):
    contacts = all_units_staffed(skip=(("市审计局", "联络员"),)).replace(
        "市水务局-联络员,市水务局,联络员,张9,13900000009,2024-03-01,,", "市水务局-联络员,市水务局,联络员,张9,13900000009,2024-03-01,2026-10-31,")
    run = audit({"member_contacts.csv": contacts})
    assert {k: v for k, v in run.outcomes("member-unit-contacts").items() if v != "compliant"} == {
        "市审计局/联络员": "violated", "市水务局/联络员": "violated"}
    shen, shui = run.violations("member-unit-contacts")
    assert shen["department"] == "市审计局"
    assert shen["message"] == ("联席会议成员单位市审计局/联络员：截至2026-11-27未指定（联络人员表中没有记录），"
                              "各成员单位应指定一名责任领导和一名联络员")
    assert shui["department"] == "市水务局" and "无在任人员" in shui["message"] and "2026-10-31" in shui["message"]
    assert "张9" not in str(shui) and "13900000009" not in str(shui)


def test_a_contact_without_a_start_date_is_not_evaluable(audit):
    contacts = all_units_staffed().replace("市公安局-责任领导,市公安局,责任领导,张16,13900000016,2024-03-01,",
                                           "市公安局-责任领导,市公安局,责任领导,张16,13900000016,,")
    run = audit({"member_contacts.csv": contacts})
    assert run.outcomes("member-unit-contacts")["市公安局/责任领导"] == "not_evaluable"
    assert run.reasons("member-unit-contacts") == {"市公安局/责任领导": "成员单位责任领导与联络员记录市公安局-责任领导的调整确定日期未填写"}


# --- member-contact-report (一(二)) ---------------------------------------------------------

#: first designations of the units the change tests use (一(二) binds changes, "变动时", not these)
FIRST = ("F1,市住建局,联络员,赵一,,2024-03-01,2026-10-08,2024-03-04\n"
         "F2,市水务局,责任领导,钱二,,2024-03-01,2026-10-08,2024-03-04\n"
         "F3,市审计局,联络员,孙三,,2024-03-01,2026-10-08,2024-03-04\n")


def test_a_change_reported_after_three_working_days_is_late(audit):
    # confirmed Fri 2026-10-09; 10-10 (Sat, 调休上班), 10-12, 10-13 -> due 10-13
    rows = ("A,市住建局,联络员,张三,13900000001,2026-10-09,,2026-10-13\n"
            "B,市水务局,责任领导,李四,13900000002,2026-10-09,,2026-10-14\n")
    run = audit({"member_contacts.csv": CONTACTS + FIRST + rows})
    assert run.outcomes("member-contact-report") == {"A": "compliant", "B": "violated"}
    [v] = run.violations("member-contact-report")
    assert v["department"] == "市水务局" and v["evidence"]["due_date"] == "2026-10-13"
    assert v["message"] == ("市水务局的责任领导于2026-10-09变动调整确定，应于2026-10-13前将联系方式报市发改委公管办，"
                            "实际于2026-10-14报送，已超期")
    assert "李四" not in str(v) and "13900000002" not in str(v)


def test_the_first_designation_is_not_a_change_and_is_not_judged(audit):
    rows = "A,市住建局,联络员,张三,,2026-10-09,,2026-11-20\n"  # the unit's first 联络员, reported late
    run = audit({"member_contacts.csv": CONTACTS + rows})
    assert run.outcomes("member-contact-report") == {} and run.violations("member-contact-report") == []


def test_an_unreported_change_is_pending_then_late_and_an_unknown_date_not_evaluable(audit):
    rows = ("A,市住建局,联络员,张三,,2026-11-25,,\nB,市水务局,责任领导,李四,,2026-11-02,,\n"
            "C,市审计局,联络员,王五,,2026-13-01,,2026-11-02\n")
    run = audit({"member_contacts.csv": CONTACTS + FIRST + rows})
    outcomes = run.outcomes("member-contact-report")
    assert {k: outcomes[k] for k in "ABC"} == {"A": "pending", "B": "violated", "C": "not_evaluable"}
    assert run.reasons("member-contact-report") == {"C": "调整确定日期无法识别"}
