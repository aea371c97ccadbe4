"""Reading an export folder into DuckDB, as EXPORT-V1 says.

Each table file becomes two DuckDB tables:

* ``raw_<table>``: every value as the text in the file, headers as found;
* ``<table>``: canonical column names, typed values (``pipelines.sqlfuncs``), the raw text kept
  as ``<column>__raw`` for dates, booleans and numbers, and ``_row``, the 1-based data row.

DuckDB reads UTF-8 CSV, Parquet and JSON itself. GB18030/GBK CSV is transcoded to a temporary
UTF-8 copy (the input is never modified) and XLSX goes through python-calamine into Arrow.
A file that cannot be read at all raises :class:`ExportError` (the CLI exits 2).

>>> import duckdb, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "inspections.csv").write_text("抽查编号,实施部门,检查结束时间\\nC1,市住建局,2026/3/5\\n", encoding="gbk")
>>> con = duckdb.connect(); export = load_export(con, folder)
>>> export.files["inspections"].encoding, con.execute("SELECT inspection_id, ended_at FROM inspections").fetchall()
('gb18030', [('C1', datetime.datetime(2026, 3, 5, 0, 0))])
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import schema, sqlfuncs
from .sql import case_map, ident, literal
from .yamlfile import YamlDoc, YamlError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".json": "json", ".jsonl": "json"}
_CHUNK = 1 << 24


class ExportError(Exception):
    """An export file that cannot be read at all. The message is Chinese + English and names the file."""


@dataclass
class TableFile:
    table: str
    path: Path
    format: str
    sha256: str
    encoding: str | None = None
    rows: int = 0
    sources: dict[str, str] = field(default_factory=dict)  # canonical column -> header in the file
    missing_columns: list[str] = field(default_factory=list)  # schema columns the file lacks
    unknown_headers: list[str] = field(default_factory=list)  # kept in raw_<table>, ignored
    value_maps: dict[str, dict] = field(default_factory=dict)  # mapping.yaml values, by canonical column


@dataclass
class Export:
    folder: Path
    files: dict[str, TableFile]
    missing_tables: list[str]
    mapping_file: str | None = None
    document_cache: Path | None = None  # where read tender documents are kept (pipelines.document_cache)

    def has(self, table: str) -> bool:
        return table in self.files

    def fingerprints(self) -> dict[str, str]:
        return {tf.path.name: tf.sha256 for tf in self.files.values()}


# --- finding and fingerprinting files -------------------------------------------------------

def find_table_files(folder: Path) -> dict[str, Path]:
    """The file of each known table in ``folder``; two files for one table is an error."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        name, suffix = path.stem.lower(), path.suffix.lower()
        if path.is_file() and suffix in FORMATS and name in schema.TABLES:
            if name in found:
                raise ExportError(f"数据表 {name} 有多个文件 ({found[name].name}, {path.name})，请只保留一个 / "
                                  f"table {name} has more than one file")
            found[name] = path
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- encodings ------------------------------------------------------------------------------

def _decodes_as(path: Path, encoding: str) -> int | None:
    """None when the whole file decodes strictly, else the byte offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset + exc.start
    return None


def _check_not_blank(path: Path) -> bytes:
    """The file's first bytes; a file of nothing but a BOM and whitespace is an ExportError."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if not head.strip().lstrip(codecs.BOM_UTF8).strip() and path.stat().st_size <= len(head):
        raise ExportError(f"{path.name}: 文件为空 / file is empty")
    return head


def detect_encoding(path: Path) -> str:
    """'utf-8' or 'gb18030', by strict decoding; a binary or undecodable file is an ExportError."""
    head = _check_not_blank(path)
    if b"\x00" in head:
        raise ExportError(f"{path.name}: 不是文本 CSV 文件（含二进制内容）/ not a text CSV file (binary content)")
    bad_utf8 = _decodes_as(path, "utf-8")
    if bad_utf8 is None:
        return "utf-8"
    bad_gb = _decodes_as(path, "gb18030")
    if bad_gb is None:
        return "gb18030"
    offset = max(bad_utf8, bad_gb)
    raise ExportError(f"{path.name}: 第 {offset} 字节处无法按 UTF-8 或 GB18030 解码 / "
                      f"cannot be decoded as UTF-8 or GB18030 at byte offset {offset}")


# --- raw readers: each creates raw_<table> with every value as text -------------------------

def _read_csv(con, raw: str, path: Path, tf: TableFile, workdir: Path) -> None:
    tf.encoding = detect_encoding(path)
    source = path
    if tf.encoding != "utf-8":
        source = workdir / f"{tf.table}.utf8.csv"
        with open(path, encoding=tf.encoding, newline="") as src, open(source, "w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(_CHUNK), ""):
                dst.write(chunk)
    # null_padding: a row with fewer fields than the header (a short last row, trailing empty
    # cells left out) is padded with NULLs; without it DuckDB's sniffer falls back to reading
    # the whole file as one column. DuckDB needs parallel = false for that with quoted newlines.
    con.execute(f"CREATE TABLE {raw} AS SELECT * FROM read_csv(?, all_varchar = true, header = true, "
                "null_padding = true, parallel = false)", [str(source)])


def _as_text(column: str, sql_type: str) -> str:
    """SQL: a typed Parquet column as the text a CSV would hold. A timestamp with time zone
    becomes Beijing local time (the session time zone, sqlfuncs.install), which ggzy_ts reads."""
    if sql_type.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"CAST(CAST({column} AS TIMESTAMP) AS VARCHAR)"
    return column if sql_type == "VARCHAR" else f"CAST({column} AS VARCHAR)"


def _read_parquet(con, raw: str, path: Path, tf: TableFile, workdir: Path) -> None:
    source = f"read_parquet({literal(str(path))})"
    columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    select = ", ".join(f"{_as_text(ident(name), sql_type)} AS {ident(name)}" for name, sql_type, *_ in columns)
    con.execute(f"CREATE TABLE {raw} AS SELECT {select} FROM {source}")


def _read_json(con, raw: str, path: Path, tf: TableFile, workdir: Path) -> None:
    # Keys are found by DuckDB's sampling, then every key is read as VARCHAR: a value is its
    # JSON text (strings unquoted), and a value whose type differs from the sampled rows'
    # (an ID given as a number, a date as an Excel serial) is neither quoted nor an error.
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


def _read_xlsx(con, raw: str, path: Path, tf: TableFile, workdir: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    wanted = {tf.table, schema.TABLES[tf.table].chinese}
    sheet_name = next((n for n in book.sheet_names if n in wanted), book.sheet_names[0])
    rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    if not rows or not any(c not in (None, "") for c in rows[0]):
        raise ExportError(f"{path.name}: 工作表“{sheet_name}”没有表头 / sheet has no header row")
    headers: list[str] = []
    for i, cell in enumerate(rows[0]):  # unique names, as DuckDB gives a CSV's repeated headers
        name = base = _cell_text(cell) or f"column{i}"
        while name in headers:
            name = f"{base}_{len(headers)}"
        headers.append(name)
    columns = list(zip(*[[_cell_text(c) for c in r] for r in rows[1:]])) or [[] for _ in headers]
    arrow = pa.table({h: pa.array(list(col), type=pa.string()) for h, col in zip(headers, columns)})
    con.register("_xlsx_arrow", arrow)
    con.execute(f"CREATE TABLE {raw} AS SELECT * FROM _xlsx_arrow")
    con.unregister("_xlsx_arrow")


READERS = {"csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet, "json": _read_json}


# --- headers and mapping.yaml ---------------------------------------------------------------

def header_key(text: str) -> str:
    """A header compared without spaces, case or full-width/half-width differences."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower().lstrip("★*")


def load_mapping(path: Path | None) -> dict:
    """mapping.yaml: ``{table: {columns: {source header: canonical}, values: {column: {source: canonical}}}}``."""
    if path is None or not Path(path).exists():
        return {}
    doc = YamlDoc.load(path)
    data = doc.data or {}
    if not isinstance(data, dict):
        raise doc.error((), "应为映射 must be a mapping of table names")
    for tname, spec in data.items():
        if tname not in schema.TABLES:
            raise doc.error((tname,), f"未知数据表 unknown table (known: {', '.join(schema.TABLES)})")
        if not isinstance(spec, dict) or set(spec) - {"columns", "values"}:
            raise doc.error((tname,), "只能包含 columns 和 values / only 'columns' and 'values' allowed")
        for part in ("columns", "values"):
            if not isinstance(spec.get(part) or {}, dict):
                raise doc.error((tname, part), f"应为映射 must be a mapping ({'source header: canonical name' if part == 'columns' else 'column: {source: value}'})")
        for source, canonical in (spec.get("columns") or {}).items():
            if not schema.TABLES[tname].has(str(canonical)):
                raise doc.error((tname, "columns", source), f"未知列 unknown column {canonical!r}")
        for column, values in (spec.get("values") or {}).items():
            if not schema.TABLES[tname].has(str(column)) or not isinstance(values, dict):
                raise doc.error((tname, "values", column), "应为已知列名到取值映射 / known column → {source: value}")
    return data


def match_headers(table: schema.Table, headers: list[str], mapped: dict) -> tuple[dict[str, str], list[str]]:
    """canonical column -> source header, and the headers that match nothing."""
    by_key: dict[str, str] = {}
    for column in table.columns:
        for alias in (column.name, *column.chinese):
            by_key.setdefault(header_key(alias), column.name)
    mapped_keys = {header_key(src): canonical for src, canonical in (mapped or {}).items()}
    sources: dict[str, str] = {}
    unknown = []
    for header in headers:
        key = header_key(header)
        canonical = mapped_keys.get(key) or by_key.get(key)
        if canonical and canonical not in sources:
            sources[canonical] = header
        else:
            unknown.append(header)
    return sources, unknown


def _typed_select(table: schema.Table, tf: TableFile, value_maps: dict) -> str:
    parts = ["CAST(rowid + 1 AS BIGINT) AS _row"]
    for column in table.loaded_columns:
        source = tf.sources.get(column.name)
        text = "CAST(NULL AS VARCHAR)" if source is None else f"ggzy_text({ident(source)})"
        text = case_map(text, value_maps.get(column.name) or {})
        parser = sqlfuncs.PARSER_FOR_KIND[column.kind]
        parts.append(f"{parser}({text}) AS {ident(column.name)}")
        if column.kind in sqlfuncs.KEEPS_RAW:
            parts.append(f"{text} AS {ident(column.name + '__raw')}")
    return ", ".join(parts)


# --- the whole export -----------------------------------------------------------------------

def load_export(con: duckdb.DuckDBPyConnection, folder: Path, mapping_path: Path | None = None,
                progress=None) -> Export:
    """Read every known table file in ``folder`` into ``con``; tables absent from the folder are
    listed in ``Export.missing_tables``. Raises ExportError for a file that cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"{folder}: 不是文件夹 / not a folder")
    sqlfuncs.install(con)
    if mapping_path is None and (folder / "mapping.yaml").exists():
        mapping_path = folder / "mapping.yaml"
    elif mapping_path is not None and not Path(mapping_path).is_file():
        raise ExportError(f"{mapping_path}: 映射文件不存在 / mapping file not found")
    try:
        mapping = load_mapping(mapping_path)
    except YamlError as exc:
        raise ExportError(f"映射文件有误 / mapping file invalid: {exc}") from None
    paths = find_table_files(folder)
    export = Export(folder, {}, [t for t in schema.TABLES if t not in paths],
                    str(mapping_path) if mapping_path else None)
    with tempfile.TemporaryDirectory(prefix="ggzy-") as workdir:
        for name, path in paths.items():
            if progress:
                progress(f"读取 {path.name}")
            export.files[name] = _load_table(con, schema.TABLES[name], path, mapping.get(name) or {}, Path(workdir))
    return export


def _load_table(con, table: schema.Table, path: Path, mapped: dict, workdir: Path) -> TableFile:
    tf = TableFile(table.name, path, FORMATS[path.suffix.lower()], sha256_of(path))
    if path.stat().st_size == 0:
        raise ExportError(f"{path.name}: 文件为空 / file is empty")
    if tf.format == "json":
        _check_not_blank(path)
    raw = ident(f"raw_{table.name}")
    con.execute(f"DROP TABLE IF EXISTS {raw}")
    try:
        READERS[tf.format](con, raw, path, tf, workdir)
    except ExportError:
        raise
    except (duckdb.Error, OSError, ValueError, Exception) as exc:  # noqa: BLE001 - any reader failure is the file's
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"{path.name}: 无法读取（格式错误或不是 {tf.format} 文件）/ cannot be read as {tf.format}: {first}") from None
    headers = [row[0] for row in con.execute(f"DESCRIBE {raw}").fetchall()]
    tf.sources, tf.unknown_headers = match_headers(table, headers, mapped.get("columns") or {})
    if not tf.sources:
        raise ExportError(f"{path.name}: 找不到任何已知表头（第一行应为表头）/ no known header found "
                          f"(first row must be the header): {', '.join(headers[:8])}")
    tf.missing_columns = [c.name for c in table.loaded_columns if c.name not in tf.sources]
    tf.value_maps = mapped.get("values") or {}
    con.execute(f"DROP TABLE IF EXISTS {ident(table.name)}")
    con.execute(f"CREATE TABLE {ident(table.name)} AS SELECT {_typed_select(table, tf, tf.value_maps)} FROM {raw}")
    tf.rows = con.execute(f"SELECT count(*) FROM {ident(table.name)}").fetchall()[0][0]
    return tf


#: pandas' default string dtype (Arrow storage, NaN for missing), for Arrow strings of any width
_PANDAS_STRING = {t: pd.StringDtype("pyarrow", na_value=np.nan) for t in (pa.string(), pa.large_string())}


def canonical_frame(con, table: schema.Table, tf: TableFile):
    """The table's raw text with canonical headers and mapping.yaml's value mappings applied,
    as pandas (for the pandera contract)."""
    def text(canon: str, src: str) -> str:  # a mapped value is matched on trimmed text, as in _typed_select
        values = tf.value_maps.get(canon)
        return case_map(f"ggzy_text({ident(src)})", values) if values else f"CAST({ident(src)} AS VARCHAR)"

    cols = ["CAST(rowid + 1 AS BIGINT) AS _row"] + [
        f"{text(canon, src)} AS {ident(canon)}" for canon, src in tf.sources.items()
        if not table.column(canon).confidential]
    arrow_table = con.sql(f"SELECT {', '.join(cols)} FROM {ident('raw_' + table.name)}").to_arrow_table()
    return arrow_table.to_pandas(types_mapper=_PANDAS_STRING.get)  # Arrow-backed: no per-value objects


__all__ = ["Export", "ExportError", "TableFile", "load_export", "canonical_frame", "literal"]
