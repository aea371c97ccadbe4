"""complaint-channel (四(一)): every supervising department publishes a complaint channel stating
time limits, required papers, procedure, office hours and channels."""

from rule_subset import audit_with

RULE = "complaint-channel"
audit = audit_with(RULE)
PROJECTS = "project_id,department\nP1,市住建局\nP2,市住建局\nP3,市水务局\nP4,市交通运输局\nP5,市农业农村局\n"
CHANNELS = ("channel_id,department,published_at,published_where,channel,states_time_limit,states_documents,"
            "states_procedure,states_office_hours,states_channel\n")


def test_each_department_needs_one_published_channel_stating_all_five_elements(audit):
    channels = CHANNELS + ("K1,市住建局,2025-01-01,市政府网站,0468-1234567,是,是,是,是,是\n"
                           "K2,市水务局,2025-01-01,单位门口张贴,0468-7654321,是,否,是,否,是\n"
                           "K3,市交通运输局,,市政府网站,0468-1111111,是,是,是,是,是\n")
    run = audit({"projects.csv": PROJECTS, "complaint_channels.csv": channels})
    assert run.outcomes(RULE) == {"市住建局": "compliant", "市水务局": "violated", "市交通运输局": "violated",
                                  "市农业农村局": "violated"}
    by_dept = {v["department"]: v["message"] for v in run.violations(RULE)}
    assert by_dept == {
        "市水务局": "市水务局已公布的投诉举报渠道未明确：投诉要件、法定工作时间，应明确投诉举报时限、要件、程序、法定工作时间和投诉渠道并公开发布",
        "市交通运输局": "市交通运输局已公布的投诉举报渠道未明确：已发布，应明确投诉举报时限、要件、程序、法定工作时间和投诉渠道并公开发布",
        "市农业农村局": "市农业农村局未公布投诉举报渠道，应明确投诉举报时限、要件、程序、法定工作时间和投诉渠道并公开发布"}


def test_an_element_left_blank_is_not_evaluable(audit):
    channels = CHANNELS + "K1,市住建局,2025-01-01,市政府网站,0468-1234567,是,是,,是,是\n"
    run = audit({"projects.csv": "project_id,department\nP1,市住建局\n", "complaint_channels.csv": channels})
    assert run.outcomes(RULE) == {"市住建局": "not_evaluable"}
    assert run.reasons(RULE) == {"市住建局": "投诉举报渠道记录K1的明确投诉程序未填写"}


def test_without_the_channel_table_the_rule_is_not_evaluated(audit):
    run = audit({"projects.csv": "project_id,department\nP1,市住建局\n"})
    assert run.result(RULE).not_evaluated_reason.startswith("缺少数据表 complaint_channels")
