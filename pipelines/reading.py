"""Reading an export folder into DuckDB, as EXPORT-V1 says.

Each table file becomes two DuckDB relations:

* ``raw_<table>``: every value as the text in the file, headers as found — a view over the file
  for CSV and Parquet (read once, when the typed table is made), a table for the rest;
* ``<table>``: canonical column names, typed values (``pipelines.sqlfuncs``), the raw text kept
  as ``<column>__raw`` for dates, booleans and numbers, and ``_row``, the 1-based data row.

The raw readers are in ``pipelines.readers`` (encodings and line endings in
``pipelines.textfile``). The typed table is made in one pass over ``raw_<table>`` with DuckDB's
vectorised functions (``sqlfuncs.typed``: a fast path for the common forms, the full macro for
the rest); no value passes through Python. A file that cannot be read at all raises
:class:`ExportError` (the CLI exits 2); what the reader repaired or noticed (a GBK line in a
UTF-8 file, mixed line endings, a header with invisible characters) is kept in
``TableFile.notes`` and reported by the contract as a data-quality finding.

>>> import duckdb, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "inspections.csv").write_text("抽查编号,实施部门,检查结束时间\\nC1,市住建局,2026/3/5\\n", encoding="gbk")
>>> con = duckdb.connect(); export = load_export(con, folder)
>>> export.files["inspections"].encoding, con.execute("SELECT inspection_id, ended_at FROM inspections").fetchall()
('gb18030', [('C1', datetime.datetime(2026, 3, 5, 0, 0))])
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import schema, sqlfuncs
from .readers import READERS
from .discovery import find_tables
from .sql import case_map, ident, literal
from .textfile import ExportError, Note
from .yamlfile import YamlDoc, YamlError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".json": "json", ".jsonl": "json"}
_CHUNK = 1 << 24


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
    skipped_columns: list[str] = field(default_factory=list)  # in the file, not read: no chosen rule reads them
    notes: list[Note] = field(default_factory=list)  # what the reader repaired or noticed


@dataclass
class Export:
    folder: Path
    files: dict[str, TableFile]
    missing_tables: list[str]
    mapping_file: str | None = None
    unread: list[dict] = field(default_factory=list)  # files in the folder not read (pipelines.discovery)
    document_cache: Path | None = None  # where read tender documents are kept (pipelines.document_cache)

    def has(self, table: str) -> bool:
        return table in self.files

    def fingerprints(self) -> dict[str, str]:
        return {tf.path.name: tf.sha256 for tf in self.files.values()}


# --- finding and fingerprinting files -------------------------------------------------------

def find_table_files(folder: Path) -> dict[str, Path]:
    """The file of each known table in ``folder`` (pipelines.discovery); two files for one table is an error."""
    return find_tables(folder, tuple(FORMATS))[0]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- headers and mapping.yaml ---------------------------------------------------------------

def _invisible(text: str) -> list[str]:
    """The invisible characters in a header (zero-width spaces and joiners, a BOM, soft hyphens:
    Unicode category Cf), as U+XXXX."""
    return sorted({f"U+{ord(ch):04X}" for ch in str(text) if unicodedata.category(ch) == "Cf"})


def header_key(text: str) -> str:
    """A header compared without spaces, invisible characters, case or full-width/half-width differences."""
    visible = "".join(ch for ch in unicodedata.normalize("NFKC", str(text)) if unicodedata.category(ch) != "Cf")
    return "".join(visible.split()).lower().lstrip("★*")


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


def match_headers(table: schema.Table, headers: list[str], mapped: dict, file: str = "") -> tuple[dict[str, str], list[str], list[Note]]:
    """canonical column -> source header, the headers that match nothing, and notes about
    headers with invisible characters. Two headers for one column (the same header twice, or two
    aliases such as 项目编号 and 标段编号) raise ExportError naming both: using either silently
    could judge the wrong column. mapping.yaml, which names the header to use, settles it."""
    by_key: dict[str, str] = {}
    for column in table.columns:
        for alias in (column.name, *column.chinese):
            by_key.setdefault(header_key(alias), column.name)
    mapped_keys = {header_key(src): canonical for src, canonical in (mapped or {}).items()}
    sources: dict[str, str] = {}
    unknown, notes = [], []
    for header in headers:
        key = header_key(header)
        base = header.rsplit("_", 1)[0] if header.rsplit("_", 1)[-1].isdigit() else None
        if base is not None and base in headers and key not in mapped_keys:  # DuckDB renamed a repeat: name_1
            key = header_key(base)
        canonical = mapped_keys.get(key) or (None if mapped_keys and by_key.get(key) in mapped_keys.values()
                                             else by_key.get(key))
        if canonical is None:
            unknown.append(header)
            continue
        if canonical in sources:
            first, second = sources[canonical], header if base is None or base not in headers else base
            label = table.column(canonical).label
            if first == second:
                raise ExportError(f"{file}: 表头“{first}”出现了不止一次（列 {canonical}，{label}），无法确定使用哪一列；"
                                  f"请删除重复的列 / header {first!r} appears more than once: remove the repeated column")
            raise ExportError(f"{file}: 表头“{first}”和“{second}”都对应列 {canonical}（{label}），无法确定使用哪一列；"
                              f"请删除其中一列，或在 mapping.yaml 中指明 / headers {first!r} and {second!r} both "
                              f"mean column {canonical}: remove one or name the one to use in mapping.yaml")
        sources[canonical] = header
        if _invisible(header):
            notes.append(Note(1, canonical, f"表头“{header_key(header)}”含不可见字符 {', '.join(_invisible(header))}，"
                                            f"已忽略这些字符识别为 {canonical} / header has invisible characters",
                              "header"))
    return sources, unknown, notes


def _typed_select(table: schema.Table, tf: TableFile, value_maps: dict, raw: str) -> str:
    """One SELECT over ``raw``: every column typed by ``sqlfuncs.typed``, raw text kept for the
    kinds that can be unreadable, ``_row`` the 1-based data row. The trimmed text of each column
    is computed once, in an inner SELECT, however often the parser refers to it."""
    inner = ["CAST(row_number() OVER () AS BIGINT) AS _row"]  # the file order: an empty window streams in order
    outer = ["_row"]
    for column in table.loaded_columns:
        if column.name in tf.skipped_columns:
            continue
        source = tf.sources.get(column.name)
        text = "CAST(NULL AS VARCHAR)" if source is None else f"ggzy_text({ident(source)})"
        inner.append(f"{case_map(text, value_maps.get(column.name) or {})} AS {ident(column.name + '__text')}")
        text = ident(column.name + "__text")
        outer.append(f"{sqlfuncs.typed(column.kind, text)} AS {ident(column.name)}")
        if column.kind in sqlfuncs.KEEPS_RAW:
            outer.append(f"{text} AS {ident(column.name + '__raw')}")
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {raw})"


# --- the whole export -----------------------------------------------------------------------

#: why a table file was left unread when the selected rules do not need it
NOT_NEEDED = {"code": "not_needed", "text": "所选规则（--only）不需要此表，未读取 / not needed by the rules selected with --only"}


def load_export(con: duckdb.DuckDBPyConnection, folder: Path, mapping_path: Path | None = None,
                progress=None, tables: dict[str, set[str] | None] | set[str] | None = None) -> Export:
    """Read every known table file in ``folder`` into ``con`` — or, given ``tables``, only those
    (the others are listed in ``Export.unread`` as not needed, and are not created at all), and
    of a table mapped to a set of columns only those (the others: ``TableFile.skipped_columns``);
    tables absent from the folder are listed in ``Export.missing_tables``. Raises ExportError
    for a file that cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"{folder}: 不是文件夹 / not a folder")
    sqlfuncs.install(con)
    if mapping_path is None and os.path.lexists(folder / "mapping.yaml"):
        mapping_path = folder / "mapping.yaml"
        if not mapping_path.is_file():  # a folder, a FIFO (reading would block), a dangling link
            raise ExportError(f"{mapping_path}: mapping.yaml 不是普通文件 / is not a regular file")
    elif mapping_path is not None and not Path(mapping_path).is_file():
        raise ExportError(f"{mapping_path}: 映射文件不存在 / mapping file not found")
    try:
        mapping = load_mapping(mapping_path)
    except YamlError as exc:
        raise ExportError(f"映射文件有误 / mapping file invalid: {exc}") from None
    paths, unread = find_tables(folder, tuple(FORMATS))
    export = Export(folder, {}, [t for t in schema.TABLES if t not in paths],
                    str(mapping_path) if mapping_path else None, unread)
    if tables is not None:
        export.unread += [{"file": path.name, "reason": dict(NOT_NEEDED), "did_you_mean": []}
                          for name, path in paths.items() if name not in tables]
        paths = {name: path for name, path in paths.items() if name in tables}
    with tempfile.TemporaryDirectory(prefix="ggzy-") as workdir:
        for name, path in paths.items():
            if progress:
                progress(f"读取 {path.name}")
            wanted = tables.get(name) if isinstance(tables, dict) else None
            export.files[name] = _load_table(con, schema.TABLES[name], path, mapping.get(name) or {}, Path(workdir),
                                             wanted)
    return export


def _load_table(con, table: schema.Table, path: Path, mapped: dict, workdir: Path,
                wanted: set[str] | None = None) -> TableFile:
    """One table file into ``raw_<table>`` and ``<table>`` (only the ``wanted`` columns, when
    given); its fingerprint is computed on a second thread while DuckDB reads it (hashlib
    releases the GIL)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(sha256_of, path)
        tf = _read_table(con, table, path, mapped, workdir, wanted)
        tf.sha256 = digest.result()
    return tf


def _read_table(con, table: schema.Table, path: Path, mapped: dict, workdir: Path,
                wanted: set[str] | None) -> TableFile:
    tf = TableFile(table.name, path, FORMATS[path.suffix.lower()], "")
    if path.stat().st_size == 0:
        raise ExportError(f"{path.name}: 文件为空 / file is empty")
    raw = ident(f"raw_{table.name}")
    try:  # a view or a table, from an earlier load on this connection
        con.execute(f"DROP VIEW IF EXISTS {raw}")
    except duckdb.CatalogException:
        con.execute(f"DROP TABLE {raw}")
    try:
        failed = READERS[tf.format](con, raw, path, tf, workdir)
    except ExportError:
        raise
    except (duckdb.Error, OSError, ValueError, Exception) as exc:  # noqa: BLE001 - any reader failure is the file's
        raise _unreadable(path, tf.format, exc) from None
    headers = [row[0] for row in con.execute(f"DESCRIBE {raw}").fetchall()]
    tf.sources, tf.unknown_headers, header_notes = match_headers(table, headers, mapped.get("columns") or {}, path.name)
    tf.notes.extend(header_notes)
    if not tf.sources:  # the "headers" may be a data row: echo them only for tables without personal data
        private = any(c.personal or c.confidential for c in table.columns)
        shown = "（此表含个人信息，不显示首行内容 / not shown: the table holds personal data）" if private else \
            ", ".join(headers[:8])
        raise ExportError(f"{path.name}: 找不到任何已知表头（第一行应为表头）/ no known header found "
                          f"(first row must be the header): {shown}")
    if wanted is not None:
        tf.skipped_columns = [c for c in tf.sources if c not in wanted]
        tf.sources = {c: h for c, h in tf.sources.items() if c in wanted}
    tf.missing_columns = [c.name for c in table.loaded_columns
                          if c.name not in tf.sources and c.name not in tf.skipped_columns]
    tf.value_maps = mapped.get("values") or {}
    con.execute(f"DROP TABLE IF EXISTS {ident(table.name)}")
    while True:  # a raw view is read only now: its reader says what a failure means, or retries
        try:
            con.execute(f"CREATE TABLE {ident(table.name)} AS {_typed_select(table, tf, tf.value_maps, raw)}")
            break
        except duckdb.Error as exc:
            if failed is None:
                raise _unreadable(path, tf.format, exc) from None
            failed(exc)
    tf.rows = con.execute(f"SELECT count(*) FROM {ident(table.name)}").fetchall()[0][0]
    return tf


def _unreadable(path: Path, fmt: str, exc: Exception) -> ExportError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ExportError(f"{path.name}: 无法读取（格式错误或不是 {fmt} 文件）/ cannot be read as {fmt}: {first}")


__all__ = ["Export", "ExportError", "TableFile", "load_export", "literal"]
