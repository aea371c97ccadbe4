"""Check kind ratio: an amount at most / at least a factor times another (条例 §26 bid deposit),
on real DuckDB; exact DECIMAL comparison; the base may be the project's."""

import pytest

from rule_subset import rule_folder

from pipelines.rules import load_rule
from pipelines.yamlfile import YamlError

HEAD = """\
id: share
title: 比例
basis: 测试
severity: error
description: 测试规则
check: ratio
"""
DEPOSIT = HEAD + """\
table: projects
value: deposit_amount
of: budget
at_most: 0.02
message: "{project_id}保证金{deposit_amount}元为{ratio}，超过{factor}（上限{limit}元）"
"""
LOW_PRICE = HEAD + """\
table: bids
value: price
of: project.budget
at_least: 0.5
message: "{bid_id}报价{price}低于预算的{factor}（{limit}元）"
"""


def rules(tmp_path, text: str):
    return rule_folder(tmp_path / "rules", share=text)


def projects(rows: str) -> dict:
    return {"projects.csv": "项目编号,行业监督部门,预算金额（元）,投标保证金（元）\n" + rows}


def test_a_deposit_exactly_at_two_percent_passes_and_one_cent_more_fails(audit_export, tmp_path):
    run = audit_export(projects('AT,市住建局,"3,800,000",76000\nOVER,市住建局,3800000,76000.01\n'
                                "LOW,市水务局,3800000,1000\n"), rules_dir=rules(tmp_path, DEPOSIT))
    assert run.outcomes("share") == {"AT": "compliant", "OVER": "violated", "LOW": "compliant"}
    [v] = run.violations("share")
    assert v["department"] == "市住建局"
    assert v["evidence"]["limit"] == 76000 and v["evidence"]["factor"] == 0.02 and v["evidence"]["bound"] == "at_most"
    assert v["message"] == "OVER保证金76000.01元为2.00%，超过2%（上限76000.00元）"


def test_at_least_against_the_projects_budget(audit_export, tmp_path):
    files = {"projects.csv": "project_id,department,budget\nP1,市交通运输局,1000000\n",
             "bids.csv": "bid_id,project_id,bidder_name,price\nB1,P1,甲公司,499999.99\nB2,P1,乙公司,500000\n"}
    run = audit_export(files, rules_dir=rules(tmp_path, LOW_PRICE))
    assert run.outcomes("share") == {"B1": "violated", "B2": "compliant"}
    [v] = run.violations("share")
    assert v["department"] == "市交通运输局" and v["evidence"]["of_column"] == "project.budget"
    assert v["message"] == "B1报价499999.99低于预算的50%（500000.00元）"


def test_missing_unreadable_or_non_positive_amounts_are_not_evaluable(audit_export, tmp_path):
    rows = "A,市住建局,3800000,\nB,市住建局,3800000,五万元\nC,市住建局,,1000\nD,市住建局,0,1000\n"
    run = audit_export(projects(rows), rules_dir=rules(tmp_path, DEPOSIT))
    assert set(run.outcomes("share").values()) == {"not_evaluable"}
    assert run.reasons("share") == {"A": "投标保证金（元）未填写", "B": "投标保证金（元）无法识别",
                                    "C": "预算金额（元）未填写", "D": "预算金额（元）不大于0，无法计算比例"}


def test_a_bid_whose_project_is_unknown_is_not_evaluable(audit_export, tmp_path):
    files = {"projects.csv": "project_id,department,budget\nP1,市交通运输局,1000000\n",
             "bids.csv": "bid_id,project_id,bidder_name,price\nB1,P9,甲公司,1\n"}
    run = audit_export(files, rules_dir=rules(tmp_path, LOW_PRICE))
    assert run.reasons("share") == {"B1": "项目P9不在项目表中，无法取得预算金额（元）"}


def test_an_export_without_the_amount_column_does_not_run_the_rule(audit_export, tmp_path):
    run = audit_export({"projects.csv": "project_id,department,budget\nP1,市住建局,100\n"},
                       rules_dir=rules(tmp_path, DEPOSIT))
    result = run.result("share")
    assert not result.evaluated and "deposit_amount" in result.not_evaluated_reason


@pytest.mark.parametrize("change, pattern", [
    (("at_most: 0.02", "at_most: 0.02\nat_least: 0.01"), r"字段 field \(根 root\).*at_most 或 at_least"),
    (("at_most: 0.02", "at_most: 0"), r"第10行 字段 field at_most"),
    (("of: budget", "of: project_name"), r"第9行 字段 field of: project_name 不是数值列"),
    (("of: budget", "of: project.budget"), r"第9行 字段 field of: 项目表的规则直接写列名 budget"),
])
def test_bad_parameters_are_reported_with_file_line_and_field(tmp_path, change, pattern):
    folder = rules(tmp_path, DEPOSIT.replace(*change))
    with pytest.raises(YamlError, match=pattern):
        load_rule(folder / "share.yaml")
