"""Raw readers: each turns one export file into ``raw_<table>``, every value as text.

DuckDB reads UTF-8 CSV (in parallel where it can), Parquet and JSON itself; other CSV
encodings and line-ending mixes go through a repaired UTF-8 copy (``pipelines.textfile``);
XLSX goes through python-calamine into Arrow, after the sheet's real extent is checked
(:func:`xlsx_extent`), because calamine allocates the whole rectangle from A1 to the farthest
cell: one stray cell at XFD1048576 would ask for 512 GiB.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa

from . import schema, textfile
from .sql import ident, literal
from .textfile import ExportError

#: the most cells an XLSX sheet's rectangle may have beyond its real cells (calamine holds the
#: whole rectangle in memory, 32 bytes a cell): a few empty cells are normal, a far stray cell not
XLSX_MAX_EMPTY_CELLS = 5_000_000


#: a CSV larger than this is read through a view (no second, all-text copy held in memory);
#: a smaller one into a table, sniffed once rather than by each statement that reads the view
VIEW_ABOVE_BYTES = 32 * 1024**2


def read_csv(con, raw: str, path: Path, tf, workdir: Path):
    """``raw`` as a view over a large file (a table for a small one, and when the file is read
    through a repaired copy, which is removed after loading); returns what to do when reading
    it fails. The file is taken
    to be UTF-8 until DuckDB, which checks every byte as it reads, finds one that is not: then it
    is inspected in full (GBK lines, GB18030, …) and read through a repaired copy."""
    # null_padding: a row with fewer fields than the header (a short last row, trailing empty
    # cells left out) is padded with NULLs; without it DuckDB's sniffer falls back to reading
    # the whole file as one column. DuckDB's parallel reader refuses null_padding when a quoted
    # field holds a newline: then the file is read again by the serial reader.
    # max_line_size: DuckDB's default first; a larger limit makes DuckDB allocate buffers that
    # large (the file's size: 800 MB for 3M bids), so it is set only for a file that needs it
    state = {"info": None, "source": path, "serial": False, "inspected": False, "long_lines": False}

    def use(info) -> None:
        state["info"] = info
        tf.encoding, tf.notes[:] = info.encoding, [n for n in tf.notes if n.check not in ("encoding", "line_endings")]
        tf.notes.extend(info.notes)
        state["source"] = textfile.utf8_copy(path, info, workdir / f"{tf.table}.utf8.csv") if info.needs_copy else path

    def define() -> None:
        source = state["source"]
        options = ("all_varchar = true, header = true, null_padding = true"
                   + (f", max_line_size = {textfile.max_line_size(source)}" if state["long_lines"] else "")
                   + (", parallel = false" if state["serial"] else ""))
        kind = "VIEW" if source == path and path.stat().st_size > VIEW_ABOVE_BYTES else "TABLE"
        con.execute(f"CREATE OR REPLACE {kind} {raw} AS SELECT * FROM read_csv({literal(str(source))}, {options})")

    def failed(exc: Exception) -> None:
        """Raise ExportError for ``exc``, or redefine ``raw`` so that reading it again can succeed
        (each remedy is tried once, so this ends)."""
        text = str(exc).lower()
        if "maximum line size" in text and not state["long_lines"]:  # a cell of more than 2 MB
            state["long_lines"] = True
        elif "parallel" in text and not state["serial"]:
            state["serial"] = True
        elif "unicode" in text and not state["inspected"]:
            state["inspected"] = True
            use(textfile.inspect(path))
        else:
            line = textfile.first_lone_cr_line(state["source"]) if state["info"].lone_cr else None
            if line is not None:
                raise ExportError(f"{path.name}: 第 {line} 行含单独的回车符（CR），无法判断是换行还是数据；请统一用 LF 或 CRLF 换行 / "
                                  f"line {line} holds a lone carriage return (CR): neither a line end nor data") from None
            raise ExportError(_duckdb_message(path, "csv", exc)) from None
        try:
            define()
        except duckdb.Error as again:  # a table is read, a view sniffed, as it is defined
            failed(again)

    use(textfile.inspect(path, trust_utf8=True))
    try:
        define()
    except duckdb.Error as exc:  # a table is read here; a view only when it is used
        failed(exc)
    return failed


def _duckdb_message(path: Path, fmt: str, exc: Exception) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    line = re.search(r"Line: (\d+)", text)
    where = f"第 {line.group(1)} 行附近" if line else ""
    return f"{path.name}: {where}无法读取（格式错误或不是 {fmt} 文件）/ cannot be read as {fmt}: {first}"


def _as_text(column: str, sql_type: str) -> str:
    """SQL: a typed Parquet column as the text a CSV would hold. A timestamp with time zone
    becomes Beijing local time (the session time zone, sqlfuncs.install), which ggzy_ts reads."""
    if sql_type.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"CAST(CAST({column} AS TIMESTAMP) AS VARCHAR)"
    return column if sql_type == "VARCHAR" else f"CAST({column} AS VARCHAR)"


def read_parquet(con, raw: str, path: Path, tf, workdir: Path) -> None:
    source = f"read_parquet({literal(str(path))})"
    columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    select = ", ".join(f"{_as_text(ident(name), sql_type)} AS {ident(name)}" for name, sql_type, *_ in columns)
    con.execute(f"CREATE VIEW {raw} AS SELECT {select} FROM {source}")


def read_json(con, raw: str, path: Path, tf, workdir: Path) -> None:
    # Keys are found by DuckDB's sampling, then every key is read as VARCHAR: a value is its
    # JSON text (strings unquoted), and a value whose type differs from the sampled rows'
    # (an ID given as a number, a date as an Excel serial) is neither quoted nor an error.
    textfile._head(path)
    source = f"read_json({literal(str(path))}, format = 'auto')"
    names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    con.execute(f"CREATE TABLE {raw} AS SELECT * FROM read_json({literal(str(path))}, format = 'auto', "
                f"columns = {columns})")


def _cell_text(value) -> str | None:
    """An XLSX cell as the text a CSV would hold: dates ISO, whole numbers without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_CELL_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _sheet_part(book: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding a sheet, from workbook.xml and its relationships (read by regex:
    no XML entities are expanded)."""
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            targets[rid.group(1)] = target.group(1).lstrip("/").removeprefix("xl/")
    for sheet in re.findall(r"<sheet\b[^>]*>", workbook):
        name, rid = re.search(r'\bname="([^"]*)"', sheet), re.search(r'\br:id="([^"]*)"', sheet)
        if name and rid and _xml_text(name.group(1)) == sheet_name and rid.group(1) in targets:
            return "xl/" + targets[rid.group(1)]
    return None


def _xml_text(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def xlsx_extent(path: Path, sheet_name: str) -> tuple[int, int, int, str]:
    """(cells, farthest row, farthest column, reference of a farthest cell) of a sheet, from its
    cell references, streamed; (0, 0, 0, '') when the sheet part cannot be found."""
    with zipfile.ZipFile(path) as book:
        part = _sheet_part(book, sheet_name)
        if part is None or part not in book.namelist():
            return 0, 0, 0, ""
        cells, max_row, max_col, far, tail = 0, 0, 0, "", b""
        with book.open(part) as handle:
            for chunk in iter(lambda: handle.read(1 << 22), b""):
                data = tail + chunk
                cut = data.rfind(b"<")  # a tag cut by the chunk end is scanned with the next chunk
                data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                refs = _CELL_REF.findall(data)
                cells += len(refs)
                for letters, digits in set(refs):
                    row, col = int(digits), _column_number(letters)
                    if row > max_row or col > max_col:
                        max_row, max_col = max(row, max_row), max(col, max_col)
                        far = f"{letters.decode()}{row}"
        refs = _CELL_REF.findall(tail)
        cells += len(refs)
    return cells, max_row, max_col, far


def read_xlsx(con, raw: str, path: Path, tf, workdir: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    wanted = {tf.table, schema.TABLES[tf.table].chinese}
    sheet_name = next((n for n in book.sheet_names if n in wanted), book.sheet_names[0])
    cells, rows_, cols, far = xlsx_extent(path, sheet_name)
    if rows_ * cols - cells > XLSX_MAX_EMPTY_CELLS:
        raise ExportError(f"{path.name}: 工作表“{sheet_name}”只有 {cells} 个单元格，但最远的单元格在 {far}"
                          f"（{rows_} 行 × {cols} 列）；请删除远处多余的单元格或另存为 CSV / sheet has {cells} cells "
                          f"but one as far as {far}: delete the stray cells or save as CSV")
    rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    if not rows or not any(c not in (None, "") for c in rows[0]):
        raise ExportError(f"{path.name}: 工作表“{sheet_name}”没有表头 / sheet has no header row")
    headers: list[str] = []
    for i, cell in enumerate(rows[0]):  # repeated headers renamed as DuckDB renames a CSV's: name_1
        name = base = _cell_text(cell) or f"column{i}"
        n = 0
        while name in headers:
            n += 1
            name = f"{base}_{n}"
        headers.append(name)
    while len(rows) > 1 and all(c in (None, "") for c in rows[-1]):  # trailing blank rows (formatting only)
        rows.pop()
    columns = list(zip(*[[_cell_text(c) for c in r] for r in rows[1:]])) or [[] for _ in headers]
    arrow = pa.table({h: pa.array(list(col), type=pa.string()) for h, col in zip(headers, columns)})
    con.register("_xlsx_arrow", arrow)
    con.execute(f"CREATE TABLE {raw} AS SELECT * FROM _xlsx_arrow")
    con.unregister("_xlsx_arrow")


READERS = {"csv": read_csv, "xlsx": read_xlsx, "parquet": read_parquet, "json": read_json}
