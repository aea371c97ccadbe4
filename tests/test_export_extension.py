"""The nine tables beyond EXPORT-V1 (docs/export-extension.md): read under their Chinese headers,
checked by the same contract, masked where personal; old exports just list them as missing."""

import duckdb

from helpers import write_files
from pipelines import schema
from pipelines.reading import load_export
from pipelines.validate import check_contract

ADDED = ("meetings", "member_contacts", "inspectors", "inspection_targets", "powers", "enforcement_actions",
         "panels", "complaint_channels", "referrals")

CHINESE = {
    "meetings.csv": "会议编号,召开日期,会议类型,召集单位\nM1,2025年3月5日,例会,市发改委\n",
    "member_contacts.csv": "记录编号,成员单位,角色,姓名,联系电话,调整确定日期,报公管办日期\n"
                           "C1,市住建局,联络员,张三,13900001111,2026/3/2,2026-03-04\nC2,市水务局,副组长,李四,,2026-03-02,\n",
    "inspectors.csv": "执法人员编号,所属部门,执法证号,执法资格起始日期,资格有效期至,业务专长\nI1,市住建局,Z01,2024-01-01,,房建\n",
    "inspection_targets.csv": "名录编号,项目编号,风险等级,信用等级,纳入日期\nT1,P1,高,A,2026-01-05\n",
    "powers.csv": "权力编码,实施部门,权力名称,公布日期\nQ1,市住建局,行政检查,2025-01-01\n",
    "enforcement_actions.csv": "执法行为编号,实施部门,权力编码,实施日期,执法对象\nA1,市住建局,Q1,2026-03-01,某公司\n",
    "panels.csv": "记录编号,标段编号,专家编号,专家姓名,现场核验时间,评标时间,交易中心\n"
                  "S1,P1,E1,王五,2026-05-06 08:30,2026-05-06 09:00,市公共资源交易中心\n",
    "complaint_channels.csv": "记录编号,行业监督部门,发布日期,明确投诉时限,明确投诉要件,明确投诉程序,明确法定工作时间,明确投诉渠道\n"
                              "K1,市住建局,2025-01-01,是,有,Y,1,也许\n",
    "referrals.csv": "移送编号,案件编号,移送类型,移送单位,接收单位,移送日期,结案日期,结案通报日期\n"
                     "R1,A1,案件移送,市住建局,市公安局,2026-03-01,2026-06-01,\nR1,A2,案件移送,市住建局,市公安局,,,\n",
}


def test_the_nine_tables_read_under_chinese_headers_and_are_held_to_the_contract(tmp_path):
    con = duckdb.connect()
    export = load_export(con, write_files(tmp_path / "export", CHINESE))
    assert set(ADDED) <= set(export.files) and not set(ADDED) & set(export.missing_tables)
    assert con.execute("SELECT held_at::DATE::VARCHAR, kind FROM meetings").fetchall() == [("2025-03-05", "例会")]
    assert con.execute("SELECT states_time_limit, states_documents, states_procedure, states_office_hours, states_channel "
                       "FROM complaint_channels").fetchall() == [(True, True, True, True, None)]
    found = {(f.table, f.row, f.column, f.reason, f.value) for f in check_contract(con, export)}
    assert found == {
        ("member_contacts", 2, "role", "值不在允许范围内", "副组长"),
        ("complaint_channels", 1, "states_channel", "无法识别的是/否值", "也许"),
        ("referrals", 1, "referral_id", "主键重复", "R1"), ("referrals", 2, "referral_id", "主键重复", "R1"),
    }


def test_an_old_export_lists_the_added_tables_as_missing_and_they_exist_in_the_schema(tmp_path):
    export = load_export(duckdb.connect(), write_files(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"}))
    assert set(ADDED) <= set(export.missing_tables)
    assert set(schema.TABLES) - set(schema.EXPORT_V1) == set(ADDED)
    assert all(schema.TABLES[t].column(c).personal for t, c in (
        ("member_contacts", "person_name"), ("member_contacts", "phone"), ("inspectors", "inspector_name"),
        ("panels", "expert_name")))
