"""credit-clause and credit-clause-persons (八(二)): tender notices and documents state the credit condition."""

import shutil

import pytest

from tests.conftest import ROOT

RULE, PERSONS = "credit-clause", "credit-clause-persons"
FULL = ("投标人不得被最高人民法院在信用中国(黑龙江鹤岗)网站或鹤岗市信用信息共享平台中列入失信被执行人名单。"
        "投标单位、企业法人代表人及授权委托人不得存在行贿犯罪记录行为,严禁参与项目投标。")
PROJECTS = "project_id,department\nP1,市住建局\nP2,市交通局\n"


def notices(*rows: tuple, extra: dict | None = None) -> dict:
    """rows of (notice_id, notice_type, content[, content_file]); contents are CSV-quoted."""
    lines = ["notice_id,project_id,notice_type,content,content_file"]
    for notice_id, kind, content, *file in rows:
        quoted = '"' + content.replace('"', '""') + '"'
        lines.append(f"{notice_id},P1,{kind},{quoted},{file[0] if file else ''}")
    return {"projects.csv": PROJECTS, "notices.csv": "\n".join(lines) + "\n", **(extra or {})}


def test_full_clause_is_compliant_and_department_comes_from_the_project(audit_export):
    run = audit_export(notices(("N1", "招标公告", "一、项目概况。" + FULL),
                               ("N2", "招标公告", "本项目不设信用条件。")), only=[RULE])
    assert run.outcomes(RULE) == {"N1": "compliant", "N2": "violated"}
    [v] = run.violations(RULE)
    assert v["department"] == "市住建局" and v["basis"] == "鹤发改公管〔2022〕216号 八(二)"
    assert v["severity"] == "error" and v["project_id"] == "P1"


def test_missing_dishonest_part_is_violated_naming_it(audit_export):
    run = audit_export(notices(("N1", "招标文件", "投标单位及其法定代表人、授权委托人不得存在行贿犯罪记录。")), only=[RULE])
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["dishonest_debtor"]
    assert v["evidence"]["missing_labels"] == ["失信被执行人条款"]
    assert v["evidence"]["found"] == {"dishonest_debtor": [], "bribery_record": ["行贿犯罪"]}
    assert v["message"].startswith("招标文件N1缺少信用条件：失信被执行人条款，")


def test_missing_bribery_part_is_violated_with_exact_missing_list(audit_export):
    run = audit_export(notices(("N1", "采购公告", "投标人不得被列入失信被执行人名单。")), only=[RULE])
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["bribery_record"]
    assert v["evidence"]["notice_type"] == "采购公告"
    assert "行贿犯罪记录条款" in v["message"]


def test_both_parts_missing_lists_both_in_message(audit_export):
    run = audit_export(notices(("N1", "资格预审公告", "欢迎参加投标。")), only=[RULE])
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["dishonest_debtor", "bribery_record"]
    assert "失信被执行人条款、行贿犯罪记录条款" in v["message"]


def test_traditional_characters_are_compliant(audit_export):
    text = "投標人不得被列入失信被執行人名單。投標單位、法定代表人及授權委託人不得存在行賄犯罪記錄。"
    run = audit_export(notices(("N1", "招标公告", text)), only=[RULE, PERSONS])
    assert run.outcomes(RULE) == {"N1": "compliant"}
    assert run.outcomes(PERSONS) == {"N1": "compliant"}


def test_full_width_and_space_split_text_is_compliant(audit_export):
    text = "投标人不得列入失 信 被 执 行 人名单；投标单位　法定代表人和授权委托人无行贿\u3000犯罪记录。"
    run = audit_export(notices(("N1", "招标公告", text)), only=[RULE])
    assert run.outcomes(RULE) == {"N1": "compliant"}


def test_pinyin_glosses_are_ignored(audit_export):
    text = "不得列入失信被執(zhí)行人名单；不得有行贿（xíng huì）犯罪（fan4 zui4）记录。"
    run = audit_export(notices(("N1", "招标公告", text)), only=[RULE])
    assert run.outcomes(RULE) == {"N1": "compliant"}


def test_html_tags_between_characters_are_stripped_and_script_text_ignored(audit_export):
    html = ("<p>投标人不得列入失信<span style='color:red'>被执</span>行人名单；"
            "投标单位、法定代表人及授权委托人不得有&#34892;贿<b>犯罪</b>记录。</p>")
    in_script = "<p>欢迎投标。</p><script>var t='失信被执行人 行贿犯罪';</script><style>.x{}</style>"
    run = audit_export(notices(("N1", "招标公告", html), ("N2", "招标公告", in_script)), only=[RULE])
    assert run.outcomes(RULE) == {"N1": "compliant", "N2": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["dishonest_debtor", "bribery_record"]


def test_text_in_utf8_txt_and_gbk_html_side_files(audit_export, tmp_path):
    (tmp_path / "export" / "text").mkdir(parents=True)  # the folder audit_export writes into
    files = {"text/N1.txt": FULL.encode("utf-8"),
             "text/N2.html": f"<html><body><p>{FULL}</p></body></html>".encode("gbk"),
             "text/N3.txt": "欢迎投标。".encode("gb18030")}
    run = audit_export(notices(("N1", "招标公告", "", "text/N1.txt"), ("N2", "招标文件", "", "text/N2.html"),
                               ("N3", "招标文件", "", "text/N3.txt"), extra=files), only=[RULE])
    assert run.outcomes(RULE) == {"N1": "compliant", "N2": "compliant", "N3": "violated"}


def test_broken_docx_or_missing_side_file_is_not_evaluable_with_the_reason(audit_export):
    files = {"N1.docx": b"PK\x03\x04 not really a docx"}
    run = audit_export(notices(("N1", "招标文件", "", "N1.docx"), ("N2", "招标文件", "", "none.txt"),
                               ("N3", "招标文件", ""), extra=files), only=[RULE])
    assert run.outcomes(RULE) == {"N1": "not_evaluable", "N2": "not_evaluable", "N3": "not_evaluable"}
    reasons = run.reasons(RULE)
    assert ".docx" in reasons["N1"] and "损坏" in reasons["N1"]
    assert reasons["N2"] == "正文文件不存在" and reasons["N3"] == "正文为空且未提供正文文件"
    assert run.violations(RULE) == []
    data = run.reason_data(RULE)
    assert data["N1"]["code"] == "file_unreadable" and data["N1"]["file"] == "N1.docx"  # read now; this one is broken
    assert data["N2"]["code"] == "file_missing" and data["N3"]["code"] == "text_missing"
    assert {"code": "file_missing", "text": "正文文件不存在", "file": "none.txt", "count": 1} in run.result(RULE).reasons


def test_side_file_outside_the_export_is_refused_and_not_read(audit_export, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(FULL, encoding="utf-8")  # would be compliant if it were read
    run = audit_export(notices(("N1", "招标公告", "", "../secret.txt"), ("N2", "招标公告", "", str(secret))),
                       only=[RULE])
    assert run.outcomes(RULE) == {"N1": "not_evaluable", "N2": "not_evaluable"}
    assert set(run.reasons(RULE).values()) == {"正文文件路径超出导出文件夹，未读取"}
    assert run.con.execute("SELECT count(*) FROM notice_text WHERE text IS NOT NULL").fetchone()[0] == 0


def test_other_notice_types_are_not_checked(audit_export):
    run = audit_export(notices(("N1", "中标结果公告", "无信用条件。"), ("N2", "变更公告", "无。")), only=[RULE, PERSONS])
    assert run.outcomes(RULE) == {} and run.outcomes(PERSONS) == {}
    assert run.result(RULE).checked == 0


# --- credit-clause-persons ---------------------------------------------------------------------

def test_bribery_sentence_lacking_agent_warns_naming_the_agent(audit_export):
    text = "投标人不得列入失信被执行人名单。投标单位及其法定代表人不得存在行贿犯罪记录。"
    run = audit_export(notices(("N1", "招标公告", text)), only=[RULE, PERSONS])
    assert run.outcomes(RULE) == {"N1": "compliant"}
    [v] = run.violations(PERSONS)
    assert v["severity"] == "warning" and v["department"] == "市住建局"
    assert v["evidence"]["missing"] == ["authorised_agent"]
    assert v["evidence"]["found"]["legal_representative"] == ["法定代表人", "法定代表"]
    assert "未列明授权委托人" in v["message"]


def test_legal_rep_named_only_in_another_sentence_is_still_flagged(audit_export):
    text = "法定代表人须到场。授权委托人及投标单位不得有行贿犯罪记录；失信被执行人不得投标。"
    run = audit_export(notices(("N1", "招标公告", text)), only=[PERSONS])
    [v] = run.violations(PERSONS)
    assert v["evidence"]["missing"] == ["legal_representative"]
    assert v["evidence"]["sentences"] == ["授权委托人及投标单位不得有行贿犯罪记录"]


def test_line_break_ends_a_sentence(audit_export):
    text = "1.投标单位、授权委托人不得有行贿犯罪记录\n2.法定代表人须持身份证"
    run = audit_export(notices(("N1", "招标公告", text)), only=[PERSONS])
    assert run.violations(PERSONS)[0]["evidence"]["missing"] == ["legal_representative"]


def test_no_bribery_sentence_is_not_applicable_and_no_text_not_evaluable(audit_export):
    run = audit_export(notices(("N1", "招标公告", "投标人不得列入失信被执行人名单。"), ("N2", "招标公告", FULL),
                               ("N3", "招标公告", "", "missing.html")), only=[PERSONS])
    assert run.outcomes(PERSONS) == {"N1": "not_applicable", "N2": "compliant", "N3": "not_evaluable"}
    assert run.reasons(PERSONS) == {"N3": "正文文件不存在"}


# --- rule files written by users -------------------------------------------------------------

def test_a_phrase_with_a_quote_does_not_break_the_sql(audit_export, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "credit-clause.yaml").read_text(encoding="utf-8")
    (rules / "credit-clause.yaml").write_text(
        text.replace("any_of: [失信被执行人]", "any_of: [失信被执行人, \"O'Brien's 失信\"]"), encoding="utf-8")
    run = audit_export(notices(("N1", "招标公告", "O'Brien's 失信名单；行贿犯罪记录"), ("N2", "招标公告", "无")),
                       only=[RULE], rules_dir=rules)
    assert run.outcomes(RULE) == {"N1": "compliant", "N2": "violated"}
    assert run.violations(RULE)[0]["evidence"]["found"]["dishonest_debtor"] == []


@pytest.mark.parametrize("rule", [RULE, PERSONS])
def test_each_rule_has_violating_compliant_and_not_evaluable_records(audit_export, rule):
    weak = "投标人不得列入失信被执行人名单。投标单位不得有行贿犯罪记录。" if rule == PERSONS else "欢迎投标。"
    run = audit_export(notices(("A", "招标公告", weak), ("B", "招标文件", FULL), ("C", "采购公告", "", "a.pdf"),
                               extra={"a.pdf": b"%PDF-1.4"}), only=[rule])
    assert run.outcomes(rule) == {"A": "violated", "B": "compliant", "C": "not_evaluable"}
    assert "损坏" in run.reasons(rule)["C"]
