"""The data rows of a violations.xlsx sheet, written as the sheet's XML in one string per row.

Issue #13: at provincial scale the workbook holds millions of cells, and xlsxwriter spends
several Python calls on each (argument conversion, dimension checks, a cell tuple, then the
XML) — most of the time an audit took to write its outputs. The workbook is written in
xlsxwriter's constant-memory mode, where each finished row goes straight to the sheet's row
file; :func:`write_rows` writes the data rows' ``<row>`` elements into that same file itself,
cell for cell as xlsxwriter would (inline strings with xlsxwriter's escapes, numbers as ``%.16G``,
a cell's own format or else its column's), and then tells the worksheet how far its data goes.
The header, widths, filter, frozen pane, conditional formats and print setup stay xlsxwriter's
public API (reports/xlsx.py).

It relies on xlsxwriter internals of its constant-memory mode (the row file ``fh``, the pending
row ``previous_row``/``table``, the dimension fields), so a test reads such a sheet back cell by
cell against one written cell by cell (tests/test_xlsx_report.py); a workbook that is not in
constant-memory mode is written through the public API instead.
"""

from __future__ import annotations

import datetime as dt
import re

from xlsxwriter.utility import xl_col_to_name

from . import evidence as E
from .text import clean

MAX_CELL = 32_000  # Excel holds at most 32 767 UTF-16 units in a cell
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (1900 date system)
_DATETIME_EPOCH = dt.datetime(1899, 12, 31)
MAX_ROWS = 1_048_576  # rows in a sheet; xlsxwriter ignores cells beyond
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # a literal _xHHHH_ is escaped itself
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")  # control characters become _xHHHH_
_XML = re.compile("[&<>]")
_EDGE_SPACE = re.compile(r"^\s|\s$")


_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f&<>]|_x[0-9a-fA-F]{4}_|^\s|\s$")


def _text(value: str) -> str:
    """A string cell's ``<is>`` content: xlsxwriter's control-character and XML escapes."""
    if not _SPECIAL.search(value):  # the common case: nothing to escape
        return f"<is><t>{value}</t></is>"
    if "_x" in value:
        value = _ESCAPED.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
    if _XML.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(value) else ""
    return f"<is><t{space}>{value}</t></is>"


def _plain(value: str) -> bool:
    """True when ``value`` (not empty) needs none of clean's or _text's changes: printable (no
    control character, so clean keeps it), no XML or ``_x`` escape, no space at either end, short
    enough for a cell."""
    return (value.isprintable() and "&" not in value and "<" not in value and ">" not in value
            and "_x" not in value and not value[0].isspace() and not value[-1].isspace() and len(value) <= 16_383)


def _utf16_cut(text: str) -> str:
    """At most MAX_CELL characters, and no more UTF-16 units than Excel holds."""
    text = text[:MAX_CELL]
    while len(text.encode("utf-16-le")) // 2 > 32_767:
        text = text[:-1]
    return text


def cell_xml(value, ref: str, col_style: str, date_style: str, datetime_style: str) -> str:
    """One cell as reports.xlsx._write writes it: '' for an empty value. ``*_style`` are
    ' s="N"' attributes (or '')."""
    if type(value) is str:
        if not value:
            return ""
        if _plain(value):  # the common case, tested with str methods (C) instead of a regex
            return f'<c r="{ref}"{col_style} t="inlineStr"><is><t>{value}</t></is></c>'
        text = clean(value)
        return f'<c r="{ref}"{col_style} t="inlineStr">{_text(_utf16_cut(text) if len(text) > 16_383 else text)}</c>'
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{col_style} t="inlineStr">{_text("是" if value else "否")}</c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{col_style}><v>{value:.16G}</v></c>'
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _DATETIME_EPOCH  # as xlsxwriter's write_datetime counts
        days = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
        days += days > 59  # Excel's 1900-02-29
        return f'<c r="{ref}"{datetime_style}><v>{days:.16G}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{date_style}><v>{(value - _EPOCH).days}</v></c>'
    return f'<c r="{ref}"{col_style} t="inlineStr">{_text(_utf16_cut(clean(E.compact(value))))}</c>'


def _style(fmt) -> str:
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""


def write_rows(ws, first_row: int, rows, ncols: int, date_format, datetime_format) -> int:
    """Write ``rows`` (lists of values) from row ``first_row`` on; return how many were written.
    The worksheet must be in constant-memory mode with nothing written at or after ``first_row``;
    its column widths and formats must already be set (a cell without its own format takes its
    column's, as xlsxwriter does)."""
    ws._write_single_row(first_row)  # finish the rows before (the header), as xlsxwriter would
    letters = [xl_col_to_name(c) for c in range(ncols)]
    col_styles = [_style(ws.col_info[c].column_format) if c in ws.col_info else "" for c in range(ncols)]
    date_style, datetime_style = _style(date_format), _style(datetime_format)
    write = ws.fh.write
    n, widest = 0, -1
    for n, values in enumerate(rows, start=1):
        r = first_row + n - 1
        if r >= MAX_ROWS:
            n -= 1
            break
        number = r + 1
        cells = []
        for c, v in enumerate(values[:ncols]):
            cell = cell_xml(v, f"{letters[c]}{number}", col_styles[c], date_style, datetime_style)
            if cell:
                cells.append(cell)
                widest = max(widest, c)
        if cells:  # xlsxwriter writes no row without a cell
            write(f'<row r="{number}">{"".join(cells)}</row>')
    if n and widest >= 0:
        ws._check_dimensions(first_row + n - 1, widest)
    if n:
        ws.previous_row = first_row + n - 1
    return n
