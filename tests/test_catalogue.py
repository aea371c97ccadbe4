"""The rule catalogue (``ggzy rules --doc DIR``): every rule with the clause it serves, a coverage
table accounting for every clause of the notice, statutes cited, escaping, and the command."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from pipelines.catalogue import build_catalogue, load_coverage
from pipelines.clauses import load_clauses, parse_basis
from pipelines.cli import main
from pipelines.rules import DEFAULT_RULES_DIR, RuleError, load_pack
from pipelines.yamlfile import YamlError
from reports.catalogue import md, render_html, render_markdown


@pytest.fixture(scope="module")
def shipped():
    cat = build_catalogue()
    return cat, render_markdown(cat), render_html(cat)


def copy_pack(tmp_path: Path, *rule_files: str) -> Path:
    """A pack folder with clauses.yaml, coverage.yaml and the named rule files of the shipped pack."""
    folder = tmp_path / "pack"
    folder.mkdir()
    for name in ("clauses.yaml", "coverage.yaml", "pack.yaml", *rule_files):
        shutil.copy(DEFAULT_RULES_DIR / name, folder)
    return folder


def section(text: str, start: str, end: str | None) -> str:
    body = text[text.index(start):]
    return body[:body.index(end)] if end and end in body else body


# ------------------------------------------------------------------------------------------ rules

def test_every_shipped_rule_appears_with_the_clause_text_or_statute_it_serves(shipped):
    cat, markdown, page = shipped
    clauses = load_clauses()
    assert [r.id for r in cat.rules] == load_pack().ids()
    for rule in load_pack().rules:
        entry = next(e for e in cat.rules if e.id == rule.id)
        refs = parse_basis(rule.spec.basis)
        assert entry.clauses or entry.statutes, f"{rule.id}: basis names neither a clause nor a statute"
        assert f"（`{rule.id}`）" in markdown and f'id="rule-{rule.id}"' in page
        block = section(markdown, f"（`{rule.id}`）", "\n### ")
        for clause_id in refs.clauses + list(rule.spec.clauses):
            assert md(clauses[clause_id].text) in block, (rule.id, clause_id)
            assert html.escape(clauses[clause_id].text, quote=False) in page
        for statute in refs.statutes:
            assert md(statute) in block


def test_no_shipped_rule_cites_a_clause_that_clauses_yaml_lacks(shipped):
    cat, _, _ = shipped
    assert {r.id: r.unresolved for r in cat.rules if r.unresolved} == {}


def test_period_parameters_read_as_working_days_with_column_labels(shipped):
    cat, markdown, _ = shipped
    entry = next(r for r in cat.rules if r.id == "inspection-disclosure")
    params = {p.name: p.value for p in entry.params}
    assert params["within"] == "10 个工作日"
    assert params["from"] == "ended_at（检查结束时间）"
    assert "| `within` | 期限 | 10 个工作日 |" in markdown
    assert entry.enabled and entry.severity_zh == "错误"
    assert ("ended_at", "检查结束时间") in entry.tables[0].columns


def test_a_parameter_the_description_flags_as_unconfirmed_is_marked(tmp_path):
    folder = copy_pack(tmp_path, "inspection-disclosure.yaml")
    rule = folder / "inspection-disclosure.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(
        "description: |\n", "description: |\n  10个工作日的期限未经原文核实（unconfirmed）。\n"), encoding="utf-8")
    cat = build_catalogue(folder)
    [entry] = cat.rules
    flagged = {p.name for p in entry.params if p.unconfirmed}
    assert flagged == {"within"}
    assert "10 个工作日 ⚠ 未经原文核实" in render_markdown(cat)


def test_a_rule_citing_several_clauses_is_listed_under_each(tmp_path):
    folder = copy_pack(tmp_path, "complaint-transfer.yaml")
    rule = folder / "complaint-transfer.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(
        "basis: 鹤发改公管〔2022〕216号 四(二)", "basis: 鹤发改公管〔2022〕216号 一(三)、四（二）；招标投标法实施条例 第六十条"),
        encoding="utf-8")
    cat = build_catalogue(folder)
    rows = {row.clause.id: [e.id for e in row.rules] for row in cat.coverage}
    assert rows["一(三)"] == rows["四(二)"] == ["complaint-transfer"]
    assert [(c, [e.id for e in rs]) for c, rs in cat.statutes] == [("招标投标法实施条例 第六十条", ["complaint-transfer"])]


def test_the_clauses_field_ties_a_statutory_rule_to_a_clause_and_unknown_ids_are_load_errors(tmp_path):
    folder = copy_pack(tmp_path, "complaint-transfer.yaml")
    rule = folder / "complaint-transfer.yaml"
    text = rule.read_text(encoding="utf-8").replace("basis: 鹤发改公管〔2022〕216号 四(二)", "basis: 财政部令第94号")
    rule.write_text(text + "clauses: [九]\n", encoding="utf-8")
    cat = build_catalogue(folder)
    assert [e.id for e in next(r for r in cat.coverage if r.clause.id == "九").rules] == ["complaint-transfer"]

    rule.write_text(text + "clauses:\n  - 九\n  - 十(一)\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"complaint-transfer.yaml 第\d+行 字段 field clauses\[1\]: 条款 '十\(一\)' 不在"):
        load_pack(folder)


# ------------------------------------------------------------------------------------------ coverage

def test_every_clause_appears_in_the_coverage_table_with_rules_or_a_reason(shipped):
    cat, markdown, page = shipped
    clauses = load_clauses()
    assert [row.clause.id for row in cat.coverage] == list(clauses)
    missing = [row.clause.id for row in cat.coverage if not any(e.enabled for e in row.rules) and not row.note]
    assert missing == [], f"clauses with neither an enabled rule nor a reason in rules/coverage.yaml: {missing}"
    assert not [p for p in cat.problems if "coverage.yaml" in p]
    table = section(markdown, "## 二、条款覆盖表", "## 三")
    for row in cat.coverage:
        line = next(li for li in table.splitlines() if li.startswith(f"| {md(row.clause.id)} |"))
        if row.rules:
            assert all(f"`{e.id}`" in line for e in row.rules)
        else:
            assert md(row.note) in line and "无法检查" in line
        assert html.escape(row.clause.title, quote=False) in page


def test_the_reason_shows_only_when_no_enabled_rule_cites_the_clause(tmp_path):
    folder = copy_pack(tmp_path, "inspection-disclosure.yaml")
    reason = load_coverage(folder, load_clauses(folder))["三(三)"]
    row = next(r for r in build_catalogue(folder).coverage if r.clause.id == "三(三)")
    assert row.status == "partial" and row.note == "".join(reason.partial.split("\n"))

    (folder / "local.yaml").write_text("disable: [inspection-disclosure]\n", encoding="utf-8")
    cat = build_catalogue(folder)
    row = next(r for r in cat.coverage if r.clause.id == "三(三)")
    assert row.status == "uncheckable" and [e.id for e in row.rules] == ["inspection-disclosure"]
    assert row.note == "".join(reason.uncheckable.split("\n"))
    assert "`inspection-disclosure`（停用）" in render_markdown(cat)
    assert "停用（local.yaml 停用）" in render_markdown(cat)


def test_a_clause_with_neither_rule_nor_reason_is_reported(tmp_path):
    folder = copy_pack(tmp_path, "inspection-disclosure.yaml")
    text = (folder / "coverage.yaml").read_text(encoding="utf-8")
    (folder / "coverage.yaml").write_text(re.sub(r"\n  二:\n(    .*\n)+", "\n", text), encoding="utf-8")
    cat = build_catalogue(folder)
    row = next(r for r in cat.coverage if r.clause.id == "二")
    assert row.status == "unexplained"
    assert any("条款 二" in p for p in cat.problems)
    assert "⚠ 既无规则也无说明" in render_markdown(cat)


def test_coverage_yaml_naming_an_unknown_clause_is_an_error_with_its_line(tmp_path):
    folder = copy_pack(tmp_path)
    with open(folder / "coverage.yaml", "a", encoding="utf-8") as f:
        f.write("  十(二):\n    uncheckable: 笔误\n")
    with pytest.raises(YamlError, match=r"coverage.yaml 第\d+行 字段 field clauses.十\(二\): 条款"):
        build_catalogue(folder)


# ------------------------------------------------------------------------------------------ output

def test_html_and_markdown_escape_a_rule_title_containing_a_script_tag(tmp_path):
    folder = copy_pack(tmp_path, "inspection-disclosure.yaml")
    rule = folder / "inspection-disclosure.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(re.sub(r"^title: .*$", 'title: "<script>alert(1)</script> 抽查 | 公开"', text, flags=re.M),
                    encoding="utf-8")
    cat = build_catalogue(folder)
    page, markdown = render_html(cat), render_markdown(cat)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt; 抽查 \\| 公开" in markdown


def test_the_html_page_is_self_contained_and_print_friendly(shipped):
    _, _, page = shipped
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "@media print" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no external resources
    assert "<link" not in page and "<script" not in page


def test_rules_doc_writes_both_files_and_the_default_stays_the_terminal_table(tmp_path, capsys):
    out_dir = tmp_path / "catalogue" / "2026"
    code = main(["rules", "--doc", str(out_dir)])
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["rules.html", "rules.md"]
    markdown = (out_dir / "rules.md").read_text(encoding="utf-8")
    assert markdown.startswith("# 规则目录：") and "## 二、条款覆盖表" in markdown
    assert "rules.md" in capsys.readouterr().out

    code = main(["rules"])
    assert code == 0 and "rules.md" not in capsys.readouterr().out


# ------------------------------------------------------------------------------------------ examples

def test_a_rules_examples_are_shown_as_small_chinese_tables_with_the_expected_outcomes(shipped):
    _, markdown, page = shipped
    block = section(markdown, "（`inspection-disclosure`）", "\n### ")
    assert "**示例 1：国庆假期前结束的抽查：10月10日（周六）调休上班计入，第10个工作日是10月15日**（审计截止日期：2026-11-27）" in block
    assert "| 抽查编号 | 实施部门 | 检查结束时间 | 抽查结果公开时间 | 预期结果 | 说明 |" in block
    assert "| X1 | 市住建局 | 2026-09-25 | 2026-10-16 | 违规 | 9月25日（中秋）结束" in block
    assert "| X5 | 市住建局 | 2026-09-25 | — | 待到期 |" in block
    assert "<th>预期结果</th>" in page and '<td class="outcome">待到期</td>' in page
    # a record the rule's where leaves out is shown as not checked; related tables follow the rule's own
    assert "| C3 | 市住建局 | 2026-10-09 | 市住建局 | — | 不检查 | 不在本规则的适用范围内 |" in markdown
    assert "失信与惩戒名单（credit_list）：" in section(markdown, "（`dishonest-bidder`）", "\n### ")
    assert "示例" not in section(markdown, "（`credit-clause-persons`）", "\n### ")


def test_example_rows_show_personal_data_masked_and_organisations_in_full(shipped):
    _, markdown, page = shipped
    for text in (markdown, page):
        assert "230402198001011232" not in text and "2304**********1232" in text
        assert "王五" not in text and "王*" in text
    assert "| R2 | 行贿犯罪记录 | 鹤岗市丙建设有限公司 | 91230400MA1AAAAA0X | 企业 |" in markdown


def test_examples_of_a_rule_local_yaml_changed_carry_a_warning(tmp_path):
    folder = copy_pack(tmp_path, "inspection-disclosure.yaml", "complaint-transfer.yaml")
    (folder / "local.yaml").write_text("params:\n  inspection-disclosure:\n    within: {working_days: 5}\n",
                                       encoding="utf-8")
    markdown = render_markdown(build_catalogue(folder))
    warning = "注意：local.yaml 改了本规则，示例按改动前的规则文件编写，结果可能不同"
    assert warning in section(markdown, "（`inspection-disclosure`）", "\n### ")
    assert warning not in section(markdown, "（`complaint-transfer`）", "\n### ")
