"""Check kind field_check: a yes/no column must be true (or false), or a column must hold a value
(八(二) credit report attached), on real DuckDB; empty is not evaluable unless the rule says otherwise."""

import pytest

from rule_subset import rule_folder

from pipelines.rules import load_rule
from pipelines.yamlfile import YamlError

HEAD = """\
id: field
title: 字段
basis: 测试
severity: info
description: 测试规则
check: field_check
"""
REPORT = HEAD + """\
table: bids
column: credit_report_attached
must_be: true
message: "{bid_id}是否附信用报告：{value}"
"""
BIDS = "bid_id,project_id,bidder_name,credit_report_attached,legal_rep_name\n"


def rules(tmp_path, text: str):
    return rule_folder(tmp_path / "rules", field=text)


def files(bids: str) -> dict:
    return {"bids.csv": BIDS + bids, "projects.csv": "project_id,department\nP1,市住建局\n"}


def test_yes_passes_no_fails_and_empty_or_unreadable_is_not_evaluable(audit_export, tmp_path):
    run = audit_export(files("Y,P1,甲,是,\nN,P1,乙,否,\nE,P1,丙,,\nX,P1,丁,也许,\n"), rules_dir=rules(tmp_path, REPORT))
    assert run.outcomes("field") == {"Y": "compliant", "N": "violated", "E": "not_evaluable", "X": "not_evaluable"}
    assert run.reasons("field") == {"E": "是否附信用报告未填写", "X": "是否附信用报告无法识别"}
    [v] = run.violations("field")
    assert v["severity"] == "info" and v["department"] == "市住建局"
    assert v["evidence"] == {"column": "credit_report_attached", "expected": "true", "value": "否"}
    assert v["message"] == "N是否附信用报告：否"


def test_empty_counts_as_a_breach_when_the_rule_says_so(audit_export, tmp_path):
    text = REPORT.replace("must_be: true", "must_be: true\nempty: violated")
    run = audit_export(files("E,P1,丙,,\nX,P1,丁,也许,\n"), rules_dir=rules(tmp_path, text))
    assert run.outcomes("field") == {"E": "violated", "X": "not_evaluable"}
    assert run.violations("field")[0]["message"] == "E是否附信用报告：（空）"


def test_must_be_false(audit_export, tmp_path):
    text = REPORT.replace("must_be: true", "must_be: false")
    run = audit_export(files("Y,P1,甲,是,\nN,P1,乙,否,\n"), rules_dir=rules(tmp_path, text))
    assert run.outcomes("field") == {"Y": "violated", "N": "compliant"}


def test_present_requires_a_value_and_hides_personal_values(audit_export, tmp_path):
    text = REPORT.replace("column: credit_report_attached\nmust_be: true", "column: legal_rep_name\nmust_be: present")
    text = text.replace("{bid_id}是否附信用报告：{value}", "{bid_id}缺法定代表人")
    run = audit_export(files("A,P1,甲,,张三\nB,P1,乙,,\n"), rules_dir=rules(tmp_path, text))
    assert run.outcomes("field") == {"A": "compliant", "B": "violated"}
    row = run.con.execute("SELECT evidence FROM rule_outcome WHERE outcome = 'compliant'").fetchall()
    assert "张三" not in str(row)


def test_a_project_column_of_an_unknown_project_is_not_evaluable(audit_export, tmp_path):
    text = REPORT.replace("column: credit_report_attached\nmust_be: true", "column: project.agency_name\nmust_be: present")
    run = audit_export(files("A,P9,甲,,\nB,P1,乙,,\n"), rules_dir=rules(tmp_path, text))
    assert run.outcomes("field") == {"A": "not_evaluable", "B": "violated"}
    assert run.reasons("field") == {"A": "项目P9不在项目表中，无法取得招标代理机构"}


@pytest.mark.parametrize("change, pattern", [
    (("column: credit_report_attached", "column: bidder_name"), r"第9行 字段 field must_be: bidder_name 不是是/否列"),
    (("must_be: true", "must_be: present\nempty: not_evaluable"), r"空值即违规"),
    (("must_be: true", "must_be: maybe"), r"第9行 字段 field must_be"),
    (("column: credit_report_attached", "column: complainant"), r"第8行 字段 field column"),
])
def test_bad_parameters_are_reported_with_file_line_and_field(tmp_path, change, pattern):
    with pytest.raises(YamlError, match=pattern):
        load_rule(rules(tmp_path, REPORT.replace(*change)) / "field.yaml")
