"""Unlucky files are read, or refused naming the file, the line and the reason (issue #9, items 2
and 7): a stray XLSX cell far away, a huge cell, mixed line endings, a lone CR, a GBK line in a
UTF-8 file, UTF-16, repeated or doubly-aliased headers, invisible characters in headers."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.reading import ExportError, load_export
from pipelines.validate import check_contract

ROOT = Path(__file__).resolve().parents[1]
HEADER = "抽查编号,实施部门,检查结束时间\n"


def export(tmp_path, name: str, content: bytes) -> Path:
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    return folder


def load(folder: Path):
    con = duckdb.connect()
    return con, load_export(con, folder)


def rows(con, sql: str):
    return con.execute(sql).fetchall()


# --------------------------------------------------------------------------------- XLSX extent

def _inspections_xlsx(tmp_path, cells: dict) -> Path:
    """An export folder whose inspections.xlsx holds one data row and ``cells`` (address -> value)."""
    folder = tmp_path / "export"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["抽查编号", "实施部门"])
    sheet.append(["C1", "市住建局"])
    for address, value in cells.items():
        sheet[address] = value
    book.save(folder / "inspections.xlsx")
    return folder


def test_xlsx_with_one_cell_at_xfd1048576_is_refused_quickly_naming_the_cell(tmp_path):
    folder = _inspections_xlsx(tmp_path, {"XFD1048576": "x"})
    # in a child process: calamine would abort the whole process asking for 512 GiB
    code = ("import duckdb, sys; from pipelines.reading import load_export, ExportError\n"
            f"try: load_export(duckdb.connect(), {str(folder)!r})\n"
            "except ExportError as e: print(e); sys.exit(2)\n")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert time.perf_counter() - start < 60
    assert done.returncode == 2, done.stderr[-2000:]
    assert "XFD1048576" in done.stdout and "inspections.xlsx" in done.stdout and "CSV" in done.stdout


def test_xlsx_with_a_few_empty_cells_around_the_data_is_read(tmp_path):
    folder = _inspections_xlsx(tmp_path, {"J40": None, "E30": " "})
    con, _ = load(folder)
    assert rows(con, "SELECT inspection_id, department FROM inspections WHERE inspection_id IS NOT NULL") == [
        ("C1", "市住建局")]


# --------------------------------------------------------------------------------- CSV bytes

def test_a_cell_over_2_mb_is_read_whole(tmp_path):
    big = "长" * 1_000_000  # 3 MB of UTF-8
    folder = export(tmp_path, "notices.csv",
                    f"公告编号,项目编号,公告类型,正文\nN1,P1,招标公告,\"{big}\"\nN2,P1,招标公告,短\n".encode())
    con, _ = load(folder)
    assert rows(con, "SELECT notice_id, length(content) FROM notices ORDER BY _row") == [("N1", 1_000_000), ("N2", 1)]


def test_mixed_crlf_and_lf_line_endings_are_read_and_reported(tmp_path):
    folder = export(tmp_path, "inspections.csv",
                    (HEADER.replace("\n", "\r\n") + "C1,市住建局,2026-03-05\nC2,市水务局,2026-03-06\r\nC3,市交通局,\n").encode())
    con, ex = load(folder)
    assert rows(con, "SELECT _row, inspection_id, department FROM inspections ORDER BY _row") == [
        (1, "C1", "市住建局"), (2, "C2", "市水务局"), (3, "C3", "市交通局")]
    [note] = check_contract(con, ex)
    assert (note.check, note.severity, note.row) == ("line_endings", "warning", None)
    assert "CRLF" in note.reason


def test_a_lone_carriage_return_is_refused_naming_its_line(tmp_path):
    folder = export(tmp_path, "inspections.csv", (HEADER + "C1,市水务局,\nC2,市住\r建局,\nC3,市交通局,\n").encode())
    with pytest.raises(ExportError) as exc:
        load(folder)
    message = str(exc.value)
    assert "inspections.csv" in message and "第 3 行" in message and "line 3" in message and "CR" in message


def test_a_carriage_return_inside_quotes_is_data_or_refused_naming_its_line(tmp_path):
    """DuckDB reads a quoted CR in a small file, and refuses it deep in a large one: either way
    nothing is silently split or padded."""
    small = export(tmp_path, "inspections.csv", (HEADER + 'C1,"市住\r建局",\nC2,市交通局,\n').encode())
    con, _ = load(small)
    assert rows(con, "SELECT inspection_id, department FROM inspections ORDER BY _row") == [
        ("C1", "市住\r建局"), ("C2", "市交通局")]
    lines = [f"C{i},市交通局," for i in range(30_000)]
    lines[25_000] = 'C25000,"市住\r建局",'
    large = tmp_path / "large"
    large.mkdir()
    (large / "inspections.csv").write_bytes((HEADER + "\n".join(lines) + "\n").encode())
    try:
        con, _ = load(large)
    except ExportError as exc:
        assert "第 25002 行" in str(exc) and "CR" in str(exc)
    else:
        assert rows(con, "SELECT count(*), max(department) FROM inspections WHERE inspection_id = 'C25000'") == [
            (1, "市住\r建局")]


def test_a_gbk_line_in_a_utf8_file_is_decoded_and_reported_with_its_line(tmp_path):
    content = (HEADER + "C1,市住建局,2026-03-05\nC2,市水务局,2026-03-06\n").encode() + \
        "C3,市交通运输局,2026-03-07\n".encode("gbk") + "C4,市自然资源局,2026-03-08\n".encode()
    con, ex = load(export(tmp_path, "inspections.csv", content))
    assert [r[0] for r in rows(con, "SELECT department FROM inspections ORDER BY _row")] == [
        "市住建局", "市水务局", "市交通运输局", "市自然资源局"]  # no mojibake in the other lines
    [note] = check_contract(con, ex)
    assert (note.file, note.check, note.severity) == ("inspections.csv", "encoding", "warning")
    assert "第 4 行" in note.reason and "GBK" in note.reason


def test_a_whole_gbk_file_is_still_read_as_gb18030(tmp_path):
    content = (HEADER + "C1,市住建局,2026-03-05\nC2,市水务局,2026-03-06\n").encode("gbk")
    con, ex = load(export(tmp_path, "inspections.csv", content))
    assert ex.files["inspections"].encoding == "gb18030"
    assert rows(con, "SELECT department FROM inspections ORDER BY _row") == [("市住建局",), ("市水务局",)]
    assert check_contract(con, ex) == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read_not_called_binary(tmp_path, encoding):
    text = HEADER.replace(",", "\t") + "C1\t市住建局\t2026-03-05\nC2\tCity Water\t2026-03-06\n"
    con, ex = load(export(tmp_path, "inspections.csv", text.encode(encoding)))
    assert ex.files["inspections"].encoding == "utf-16"
    assert rows(con, "SELECT inspection_id, department, CAST(ended_at AS DATE)::VARCHAR FROM inspections ORDER BY _row") == [
        ("C1", "市住建局", "2026-03-05"), ("C2", "City Water", "2026-03-06")]


def test_bytes_that_are_neither_utf8_nor_gb18030_name_the_line(tmp_path):
    content = (HEADER + "C1,市住建局,\n").encode() + b"C2,\x80\xff,\n"
    with pytest.raises(ExportError) as exc:
        load(export(tmp_path, "inspections.csv", content))
    assert "第 3 行" in str(exc.value) and "UTF-8" in str(exc.value)


# --------------------------------------------------------------------------------- headers

def test_two_aliases_of_one_column_are_an_error_naming_both(tmp_path):
    folder = export(tmp_path, "projects.csv", "项目编号,标段编号,项目名称\nP1,P1-1,某工程\n".encode())
    with pytest.raises(ExportError) as exc:
        load(folder)
    assert "项目编号" in str(exc.value) and "标段编号" in str(exc.value) and "mapping.yaml" in str(exc.value)


def test_mapping_yaml_settles_two_aliases_of_one_column(tmp_path):
    folder = export(tmp_path, "projects.csv", "项目编号,标段编号,项目名称\nP1,P1-1,某工程\n".encode())
    (folder / "mapping.yaml").write_text("projects:\n  columns:\n    标段编号: project_id\n", encoding="utf-8")
    con, ex = load(folder)
    assert rows(con, "SELECT project_id FROM projects") == [("P1-1",)]
    assert "项目编号" in ex.files["projects"].unknown_headers


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060", "\u00ad"])
def test_invisible_characters_in_a_header_are_ignored_and_reported(tmp_path, invisible):
    folder = export(tmp_path, "inspections.csv", f"抽查{invisible}编号,实施部门\nC1,市住建局\n".encode())
    con, ex = load(folder)
    assert rows(con, "SELECT inspection_id FROM inspections") == [("C1",)]
    [note] = check_contract(con, ex)
    assert (note.column, note.check) == ("inspection_id", "header")
    assert f"U+{ord(invisible):04X}" in note.reason


def test_a_cell_longer_than_duckdbs_default_line_limit_is_read_whole(tmp_path):
    """The reader starts with DuckDB's default line limit (a larger one makes DuckDB allocate
    buffers that large) and raises it only for a file that needs it."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "inspections.csv").write_text("inspection_id,department,ended_at\nC1," + "市" * 1_500_000
                                            + ",2026-01-05\nC2,市住建局,2026-01-06\n", encoding="utf-8")
    con = duckdb.connect()
    load_export(con, folder)
    assert con.execute("SELECT inspection_id, length(department) FROM inspections ORDER BY _row").fetchall() == [
        ("C1", 1_500_000), ("C2", 4)]
