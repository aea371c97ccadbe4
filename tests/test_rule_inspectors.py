"""The enforcement-staff pool (三(一)): every inspector of an inspection crew is in the pool and
qualified on the inspection date; the pool classifies its staff by qualification and speciality."""

from rule_subset import audit_with

RULE = "inspector-qualified"
audit = audit_with(RULE, "inspector-qualification-class", "inspector-speciality-class")
INSPECTIONS = "inspection_id,department,inspectors,started_at,ended_at\n"
POOL = ("inspector_id,department,inspector_name,certificate_no,qualification,specialities,qualified_from,qualified_until\n"
        "I1,市住建局,张三,Z001,行政执法证,房建市政,2024-01-01,\n"
        "I2,市住建局,李四,Z002,行政执法证,,2024-01-01,2026-05-03\n"
        "I3,市水务局,王五,Z003,,水利,,\n")


def test_a_crew_member_outside_the_pool_or_unqualified_that_day_is_one_finding_per_inspection(audit):
    rows = ("C1,市住建局,I1；I2,2026-05-01,2026-05-03\nC2,市住建局,\"I1,I9\",2026-05-01,2026-05-03\n"
            "C3,市水务局,I2、I9,2026-05-01,2026-05-04\n")
    run = audit({"inspections.csv": INSPECTIONS + rows, "inspectors.csv": POOL})
    assert run.outcomes(RULE) == {"C1": "compliant", "C2": "violated", "C3": "violated"}
    c2, c3 = run.violations(RULE)
    assert c2["message"] == "市住建局抽查C2的执法人员不符合要求：I9：不在执法人员库中"
    assert c3["department"] == "市水务局" and c3["basis"] == "鹤发改公管〔2022〕216号 三(一)"
    assert c3["message"] == ("市水务局抽查C3的执法人员不符合要求：I2：检查日2026-05-04不在其执法资格有效期内"
                             "（执法资格起始日期 2024-01-01，执法资格截止日期 2026-05-03）；I9：不在执法人员库中")
    assert [(i["item"], i["gap"]) for i in c3["evidence"]["items"]] == [("I2", "out_of_date"), ("I9", "none")]
    assert "李四" not in str(c3)


def test_no_crew_no_date_or_an_unknown_qualification_date_is_not_evaluable(audit):
    rows = "C1,市住建局,,2026-05-01,2026-05-03\nC2,市住建局,I1,,\nC3,市水务局,I3,2026-05-01,2026-05-03\n"
    run = audit({"inspections.csv": INSPECTIONS + rows, "inspectors.csv": POOL})
    assert run.reasons(RULE) == {"C1": "执法人员未填写", "C2": "检查结束时间及检查开始时间均未填写",
                                 "C3": "执法人员库记录I3的执法资格起始日期未填写"}
    assert run.violations(RULE) == []


def test_without_the_pool_the_crew_rule_is_not_evaluated(audit):
    run = audit({"inspections.csv": INSPECTIONS + "C1,市住建局,I1,2026-05-01,2026-05-03\n"})
    assert run.result(RULE).not_evaluated_reason.startswith("缺少数据表 inspectors（执法人员库）")


def test_pool_members_without_a_qualification_or_a_speciality_are_flagged(audit):
    run = audit({"inspectors.csv": POOL})
    assert run.outcomes("inspector-qualification-class") == {"I1": "compliant", "I2": "compliant", "I3": "violated"}
    assert run.outcomes("inspector-speciality-class") == {"I1": "compliant", "I2": "violated", "I3": "compliant"}
    [v] = run.violations("inspector-speciality-class")
    assert v["severity"] == "warning" and v["department"] == "市住建局"
    assert v["message"] == "市住建局执法人员I2在执法人员库中未标明业务专长，应按执法资质、业务专长分类管理"
