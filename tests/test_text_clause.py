"""Check kind text_clause and notice text preparation (八(二) credit clause), on real DuckDB."""

import os
from pathlib import Path

import duckdb
import pytest

from pipelines import notice_text as nt
from pipelines import sqlfuncs
from pipelines.reading import load_export
from pipelines.rules import load_rule
from pipelines.yamlfile import YamlError
from tests.conftest import write_export

RULE_HEAD = """\
id: t
title: t
basis: b
severity: error
description: d
table: notices
check: text_clause
message: "{notice_id}缺少{missing}"
"""


# --- normalisation ---------------------------------------------------------------------------

def test_normalise_folds_width_traditional_whitespace_and_pinyin():
    texts = ["ＡＢＣ１２３　失信被執(zhí)行人", "行 賄\t犯\u200b罪（xíng huì）", "人(Zhi2)", None]
    assert nt.normalise(texts, [False] * 4) == ["ABC123失信被执行人", "行贿犯罪", "人", None]


def test_normalise_keeps_line_breaks_as_one_boundary_and_html_blocks_become_breaks():
    plain = nt.normalise(["第一句\r\n\r\n  第二句\n"], [False])
    html = nt.normalise(["<div>第一\n句</div><p>第二句<br/>第三句</p>"], [True])
    assert plain == ["第一句\n第二句"] and html == ["第一句\n第二句\n第三句"]


def test_normalise_drops_scripts_styles_comments_and_unescapes_entities():
    html = "<head><title>失信</title></head><style>p{}</style><!-- 行贿 --><p>A&amp;B&nbsp;&#22833;信</p><script>x</script>"
    assert nt.normalise([html], [True]) == ["A&B失信"]


def test_normalise_keeps_rows_aligned_whatever_the_text_holds():
    texts = ["a\ue000b", "<p>&#xe000;c</p>", "<附件1>d", "<script>unclosed", "e"]
    assert nt.normalise(texts, [False, True, False, True, False]) == ["ab", "c", "<附件1>d", "unclosed", "e"]


def test_fast_nfkc_equals_nfkc_and_every_whitespace_is_removed():
    import unicodedata

    sample = "Ｅ\u0301①㈠ﾊﾟ…ｶ鹤岗（北方）e\u0301ᄀ\u1161\u11a8" + "".join(map(chr, range(0xF900, 0xF910)))
    assert sqlfuncs._nfkc(sample) == unicodedata.normalize("NFKC", sample)
    spaces = "".join(chr(c) for c in range(0x3100) if chr(c).isspace() and c != 10) + "\u3000\u200b\ufeff"
    assert nt.normalise([f"失{spaces}信"], [False]) == ["失信"]


def test_phrases_are_normalised_like_texts():
    assert nt.normalise_phrase("失信被執行人 ") == "失信被执行人"
    assert nt.normalise_phrase("ｘ'ｙ") == "x'y"


# --- side files ------------------------------------------------------------------------------

def test_side_file_paths_may_not_leave_the_export_even_through_a_link(tmp_path):
    export = tmp_path / "export"
    (export / "sub").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("失信被执行人", encoding="utf-8")
    os.symlink(tmp_path / "outside.txt", export / "link.txt")
    (export / "sub" / "in.txt").write_text("本文", encoding="utf-8")
    for name in ("../outside.txt", str(tmp_path / "outside.txt"), "link.txt", "sub/../../outside.txt"):
        assert nt.read_side_file(export, name) == (None, False, nt.ESCAPES), name
    assert nt.read_side_file(export, "sub\\in.txt") == ("本文", False, None)


def test_side_file_decoding_utf8_bom_gb18030_and_failure(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeff失信".encode("utf-8"))
    (tmp_path / "b.htm").write_bytes("<p>行贿</p>".encode("gb18030"))
    (tmp_path / "c.txt").write_bytes(b"\xff\xfe\x00\xd8\x00")
    assert nt.read_side_file(tmp_path, "a.txt") == ("失信", False, None)
    assert nt.read_side_file(tmp_path, "b.htm") == ("<p>行贿</p>", True, None)
    assert nt.read_side_file(tmp_path, "c.txt") == (None, False, nt.UNDECODABLE)


# --- the notice_text table -------------------------------------------------------------------

def _load(folder: Path, rows: str, files: dict | None = None):
    write_export(folder, {"notices.csv": "notice_id,project_id,notice_type,content,content_file\n" + rows,
                          **(files or {})})
    con = duckdb.connect()
    return con, load_export(con, folder)


def test_prepare_builds_the_table_once_per_export_and_again_for_another(tmp_path):
    con, export = _load(tmp_path / "e1", "N1,P1,招标公告,失信被執行人,\nN2,P1,招标公告,<p> </p>,n2.txt\n",
                        {"n2.txt": "行賄"})
    nt.prepare_notice_text(con, export)
    assert con.execute("SELECT _row, text, problem FROM notice_text ORDER BY 1").fetchall() == [
        (1, "失信被执行人", None), (2, "行贿", None)]  # empty HTML content falls back to the file
    con.execute("UPDATE notice_text SET text = 'kept'")
    nt.prepare_notice_text(con, export)
    assert con.execute("SELECT DISTINCT text FROM notice_text").fetchall() == [("kept",)]
    other = load_export(con, write_export(tmp_path / "e2", {
        "notices.csv": "notice_id,project_id,notice_type,content\nM1,P1,招标公告,\n"}))
    nt.prepare_notice_text(con, other)
    assert con.execute("SELECT _row, text, problem FROM notice_text").fetchall() == [(1, None, nt.NO_TEXT)]


def test_prepare_without_text_columns_says_so(tmp_path):
    con, export = _load(tmp_path / "e", "N1,P1,招标公告,,\n")
    export.files["notices"].missing_columns += ["content", "content_file"]
    nt.prepare_notice_text(con, export)
    assert con.execute("SELECT problem FROM notice_text").fetchall() == [(nt.NO_COLUMNS,)]


def test_prepare_normalises_many_vectors_in_row_order(tmp_path):
    rows = "".join(f"N{i},P1,招标公告,<p>編號{i}</p>,\n" for i in range(1, 5001))
    con, export = _load(tmp_path / "e", rows)
    nt.prepare_notice_text(con, export)
    wrong = con.execute("SELECT count(*) FROM notice_text WHERE text <> '编号' || _row").fetchall()
    assert wrong == [(0,)]


# --- rule files ------------------------------------------------------------------------------

def _rule(tmp_path, body: str):
    path = tmp_path / "t.yaml"
    path.write_text(RULE_HEAD + body, encoding="utf-8")
    return load_rule(path)


def test_rule_phrases_are_normalised_at_load(tmp_path):
    rule = _rule(tmp_path, "within_sentences_of: [行賄]\nelements:\n  a: {label: 甲, any_of: [授權委託人, 授权委托人]}\n")
    assert rule.spec.within_sentences_of == ["行贿"]
    assert rule.spec.elements["a"].any_of == ["授权委托人"]


@pytest.mark.parametrize("body, complaint", [
    ("elements: {}\n", "elements"),
    ("elements:\n  Bad-Name: {label: 甲, any_of: [x]}\n", "lower_snake_case"),
    ("elements:\n  a: {label: 甲, any_of: ['  ']}\n", "规范化后为空"),
    ("elements:\n  a: {label: 甲, any_of: []}\n", "any_of"),
    ("within_sentences_of: [行贿]\nelements:\n  a: {label: 甲, any_of: [甲。乙]}\n", "句末标点"),
])
def test_bad_rule_parameters_are_reported_at_load(tmp_path, body, complaint):
    with pytest.raises(YamlError, match=complaint):
        _rule(tmp_path, body)


def test_kind_applies_to_notices_only(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(RULE_HEAD.replace("table: notices", "table: bids").replace("{notice_id}", "{bid_id}")
                    + "elements:\n  a: {label: 甲, any_of: [x]}\n", encoding="utf-8")
    with pytest.raises(YamlError, match="只适用于 notices"):
        load_rule(path)


def test_sql_renders_phrases_as_literals_only(tmp_path):
    from checks.base import Context
    import datetime as dt

    rule = _rule(tmp_path, "elements:\n  a: {label: \"甲'); DROP TABLE x; --\", any_of: [\"a'b\"]}\n")
    sql = rule.kind.compile(rule.spec, Context("rule_source", dt.date(2026, 1, 1), rule.spec))
    assert "'a''b'" in sql and "'甲''); DROP TABLE x; --'" in sql
