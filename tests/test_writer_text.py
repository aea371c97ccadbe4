"""Writers never crash on data, and data never becomes markup (issue #9 items 4 and 7).

A control character copied from Excel (\\x0b), \\x01, a NUL or a lone surrogate anywhere in an
audit's data must not stop report.md, report.html, violations.xlsx or briefing.docx being
written; in report.md and rules.md, remote images, ``javascript:`` links, raw HTML and line
breaks or pipes in a value must not become Markdown markup or break a table."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import openpyxl
import pytest

from helpers import report_data as collect
from reports.outputs import WRITERS, violations_by_severity
from reports.summary import build_summary
from reports.text import clean, md_inline

HOSTILE = "甲\x0b乙\x01丙\x00丁\ud800戊\ufffe己\x1f庚"
INJECTION = "![x](http://evil.example/a.png) [点我](javascript:alert(1)) <img src=x>\r\n| 伪造 | 列 |\u2028尾"


def test_clean_keeps_text_and_drops_only_what_xml_and_utf8_cannot_hold():
    assert clean("市住建局 CC2026-01\t\n") == "市住建局 CC2026-01\t\n"
    assert clean(HOSTILE) == "甲 乙丙丁\ufffd戊己庚"
    clean(HOSTILE).encode("utf-8")  # no lone surrogate left


def test_md_inline_makes_data_one_line_of_literal_text():
    text = md_inline(INJECTION)
    assert "\n" not in text and "\r" not in text and "\u2028" not in text
    assert not re.search(r"(?<!\\)[\[\]]", text)  # no bracket left to open a link or an image
    assert "<img" not in text and "&lt;img" in text
    assert not re.search(r"(?<!\\)\|", text)  # every pipe escaped: the table keeps its columns


@pytest.fixture
def hostile_data(audit_export):
    """A real audit whose department, record ids and notice text carry control characters, and
    whose violations, groups and findings are then given more (as JSON or Parquet could)."""
    run = audit_export({"inspections.csv": (
        "inspection_id,department,project_id,ended_at,published_at\n"
        "CC1,市住建局\x0b二科,P1,2026-10-09,\n"
        "CC\x012,市水务局,P2,2026-10-09,2026-11-20\n")}, only=["inspection-disclosure"])
    summary = build_summary(run.audit, violations_by_severity(run.con))
    data = collect(run.con, run.audit, summary)
    data.violations, data.count_rows = list(data.violations), None  # rows edited here: a list, counted from it
    assert data.violations
    for v in data.violations:
        v["message"] += HOSTILE + INJECTION
        v["department"] = (v["department"] or "") + HOSTILE
        v["evidence"]["note"] = HOSTILE
    data.rules[0]["title"] += HOSTILE
    data.groups = [{"group_id": "G001", "members": ["A", "B"], "member_names": [f"甲公司{HOSTILE}", "乙公司"],
                    "lots": ["P1"], "evidence_lots": ["P1"], "evidence_types": ["mac_address"], "evidence_labels": ["MAC"], "strength": 1, "wins": {"A": ["P1"]},
                    "rotation": False, "winners_in_order": [{"project_id": "P1", "winner": "A"}], "suspected": False,
                    "assessment": "线索：证据强度不足，待核实", "departments": ["市住建局"], "edges": []}]
    return data


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_writer_takes_control_characters_and_surrogates_in_any_field(hostile_data, tmp_path, name):
    path = WRITERS[name](hostile_data, tmp_path)
    raw = path.read_bytes()
    if name == "xlsx":
        wb = openpyxl.load_workbook(path)
        texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
        assert any("市住建局 二科" in t for t in texts)
        assert any("甲公司" in t for t in texts)  # the group sheet too
    elif name == "docx":
        doc = docx.Document(io.BytesIO(raw))
        assert any("市住建局 二科" in p.text for p in doc.paragraphs)
        with zipfile.ZipFile(path) as z:
            assert b"\x01" not in z.read("word/document.xml")
    else:
        text = raw.decode("utf-8")
        assert "市住建局 二科" in text and "\x00" not in text and "\x01" not in text and "\x0b" not in text


def test_report_md_neutralises_images_links_html_and_table_breakers(hostile_data, tmp_path):
    text = WRITERS["md"](hostile_data, tmp_path).read_text(encoding="utf-8")
    assert "![x](http" not in text and "[点我](javascript:" not in text and "<img" not in text
    for line in text.splitlines():  # every table row has the header's number of columns
        if line.startswith("| 部门 |"):
            header = len(re.findall(r"(?<!\\)\|", line))
        elif line.startswith("| ") and "市住建局" in line and "二科" in line and line.count("---") == 0:
            assert len(re.findall(r"(?<!\\)\|", line)) in (header, 4)  # department or department × rule row
    [item] = [line for line in text.splitlines() if line.startswith("1. ") and "伪造" in line]
    assert "\\| 伪造 \\|" in item


def test_rules_md_neutralises_markup_in_rule_text(tmp_path):
    from reports.catalogue import md
    text = md(INJECTION)
    assert "\n" not in text and "<img" not in text
    assert not re.search(r"(?<!\\)[\[\]]", text)  # no bracket left to open a link or an image


def test_xlsx_writes_text_shaped_like_excel_markup_as_that_text(hostile_data, tmp_path):
    """In constant-memory mode xlsxwriter copies a string shaped like ``<r>…</r>`` into the
    sheet as XML; a department so named must still be shown as written, in every sheet."""
    shaped = '<r><t>假</t></r><c r="A1"><v>1</v></c><r>'
    named = f"<r>{shaped}</r>"
    for v in hostile_data.violations:
        v["department"] = named
    hostile_data.groups[0]["departments"] = [named]
    path = WRITERS["xlsx"](hostile_data, tmp_path)
    wb = openpyxl.load_workbook(path)
    where = {ws.title for ws in wb for row in ws.iter_rows() for c in row if c.value == named}
    assert {"违规清单", "汇总"} <= where, where
