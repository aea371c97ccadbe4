"""The text of each notice, prepared once per audit for the 八(二) credit-clause checks.

鹤发改公管〔2022〕216号 八(二) requires tender notices and tender documents to state the credit
condition (失信被执行人, 行贿犯罪记录). To look for it, the text must first be had and be made
comparable; that is load-time preparation, not rule logic, and it lives here.

The text of a notice is ``notices.content`` (plain text or HTML) or, when that is empty, the
file ``notices.content_file`` (relative to the export folder, never outside it; ``.txt``,
``.html``, ``.htm`` decoded as UTF-8, else GB18030; tender documents ``.docx`` and ``.pdf`` read
by :mod:`pipelines.documents`, in parallel and cached by :mod:`pipelines.document_cache`;
``.doc``/``.wps``, scans, encrypted, corrupt or oversized files not evaluable, with the reason). Normalised (:func:`pipelines.sqlfuncs.normalise`): HTML tags,
scripts, styles and comments removed and entities unescaped, NFKC (full-width → half-width),
traditional → simplified (OpenCC ``t2s``), every whitespace removed — except that a line break
(a ``<br>`` or block end in HTML) stays as one ``\\n``, a sentence boundary — and pinyin glosses
after a character (``執(zhí)``) dropped.

the table ``notice_text(_row, text, problem, places, reason, problem_code)``;
``problem`` says why a notice has no text (then ``text`` is NULL), ``problem_code`` the same as a
code, ``reason`` says it as data for tender documents (``{"code", "text", "file", …}``), ``places``
says where each part of a document's text starts and where a person finds it (``第12页``,
``表2第3行第2列``). Normalising runs as a vectorised Arrow UDF
(one pass of each step over a whole vector of 2048 notices, after DuckDB's own full-width →
half-width ``translate``); only rows whose text is in a side file touch the file system.

>>> normalise(["<p>失信被<b>執(zhí)</b>行人</p><script>x()</script>", "行　賄 犯 罪"], [True, False])
['失信被执行人', '行贿犯罪']
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa

from .sql import literal
from .sqlfuncs import normalise, normalise_phrase, fast_text_sql  # noqa: F401 - the normaliser lives in the foundation

TABLE = "notice_text"
TEXT_SUFFIXES = {".txt": False, ".html": True, ".htm": True}  # suffix -> is HTML
NO_TEXT = "正文为空且未提供正文文件"
EMPTY = "正文为空"
NO_FILE = "正文文件不存在"
ESCAPES = "正文文件路径超出导出文件夹，未读取"
UNDECODABLE = "正文文件无法按 UTF-8 或 GB18030 解码"
BAD_NAME = "正文文件名无效（过长、含空字符或符号链接循环），未读取"
NO_COLUMNS = "数据表 notices 缺少正文和正文文件列"
#: the code of each problem (text_clause's not-evaluable reasons carry it); a format not read is
#: ``file_unsupported``, any other problem with a side file ``file_unreadable``
PROBLEM_CODES = {NO_TEXT: "text_missing", EMPTY: "text_missing", NO_FILE: "file_missing",
                 ESCAPES: "file_refused", NO_COLUMNS: "column_missing"}

_HTML_SQL = "regexp_matches(content, '</?[A-Za-z!][^>]*>')"


# --- side files -------------------------------------------------------------------------------

def side_file_path(folder: Path, name: str) -> tuple[Path | None, str | None]:
    """(path, problem) of ``content_file`` ``name``; a path leaving ``folder`` (``..``, absolute,
    or a link pointing out) is refused before anything is opened, and a name no file system can
    hold (NUL, too long, links that loop) names no file."""
    if "\x00" in name:
        return None, BAD_NAME
    relative = Path(name.strip().replace("\\", "/"))
    root = folder.resolve()
    if relative.is_absolute() or ".." in relative.parts:
        return None, ESCAPES
    try:
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            return None, ESCAPES
        if not path.is_file():
            return None, NO_FILE
    except (OSError, RuntimeError, ValueError):
        return None, BAD_NAME
    return path, None


def read_side_file(folder: Path, name: str) -> tuple[str | None, bool, str | None]:
    """(text, is_html, problem) of a text ``content_file`` (see :func:`side_file_path`)."""
    path, problem = side_file_path(folder, name)
    if problem:
        return None, False, problem
    relative = Path(name.strip().replace("\\", "/"))
    suffix = relative.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        return None, False, f"正文文件格式 {suffix or '（无扩展名）'} 不支持 / not supported"
    try:
        data = path.read_bytes()
    except OSError:
        return None, False, "正文文件无法读取"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), TEXT_SUFFIXES[suffix], None
        except UnicodeDecodeError:
            continue
    return None, False, UNDECODABLE


# --- the notice_text table --------------------------------------------------------------------

def _udf(texts: pa.ChunkedArray, flags: pa.ChunkedArray) -> pa.Array:
    return pa.array(normalise(texts.to_pylist(), flags.to_pylist()), type=pa.string())


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Register ``ggzy_notice_text(text, is_html)``, the vectorised normaliser (idempotent)."""
    known = con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'ggzy_notice_text'").fetchall()
    if not known[0][0]:
        con.create_function("ggzy_notice_text", _udf, ["VARCHAR", "BOOLEAN"], "VARCHAR", type="arrow")


def _fingerprint(export) -> str:
    tf = export.files.get("notices")
    return hashlib.sha256(f"{Path(export.folder).resolve()}|{tf.sha256 if tf else '-'}".encode()).hexdigest()


def prepare_notice_text(con: duckdb.DuckDBPyConnection, export) -> None:
    """Create ``notice_text(_row, text, problem, places, reason)`` for the export's notices, once: a table made
    for the same export (folder and notices file fingerprint) is kept as it is."""
    key = _fingerprint(export)
    made = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
                       [TABLE]).fetchall()
    if made and made[0][0] == key:
        return
    install(con)
    missing = export.files["notices"].missing_columns if export.has("notices") else []
    if not export.has("notices") or {"content", "content_file"} <= set(missing):
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT _row, CAST(NULL AS VARCHAR) AS text, "
                    f"{literal(NO_COLUMNS)} AS problem, {_NO_PLACES}, CAST(NULL AS JSON) AS reason FROM notices")
    else:
        _materialise(con, Path(export.folder), getattr(export, "document_cache", None))
    con.execute(f"ALTER TABLE {TABLE} ADD COLUMN problem_code VARCHAR")
    whens = " ".join(f"WHEN {literal(text)} THEN {literal(code)}" for text, code in PROBLEM_CODES.items())
    con.execute(f"UPDATE {TABLE} SET problem_code = CASE problem {whens} "
                "ELSE IF(problem LIKE '正文文件格式%', 'file_unsupported', 'file_unreadable') END "
                "WHERE problem IS NOT NULL")
    con.execute(f"COMMENT ON TABLE {TABLE} IS {literal(key)}")


_NO_PLACES = "CAST(NULL AS STRUCT(start BIGINT, place VARCHAR)[]) AS places"


def _materialise(con: duckdb.DuckDBPyConnection, folder: Path, cache: Path | None = None) -> None:
    """Inline content first: plain simplified text and simple HTML normalised in SQL
    (``sqlfuncs.fast_text_sql``), the rest (traditional script, glosses, entities, scripts,
    unusual characters) by the vectorised Python
    normaliser (ggzy_halfwidth before it is only a fast path: NFKC follows anyway); then the
    side files of the rows whose inline text is empty: text files here, tender documents
    (.docx, .pdf, and the formats refused with a reason) through :mod:`pipelines.document_cache`."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _notice_fast AS
        {fast_text_sql(f"(SELECT _row, content, {_HTML_SQL} AS is_html FROM notices WHERE content IS NOT NULL)")}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _notice_inline AS
        SELECT s._row, s.content IS NOT NULL AS has_content, ggzy_text(s.content_file) AS file,
               NULLIF(CASE WHEN f.fast THEN f.text WHEN s.content IS NOT NULL
                           THEN ggzy_notice_text(ggzy_halfwidth(s.content), f.is_html) END, '') AS text
        FROM notices s LEFT JOIN _notice_fast f USING (_row)""")
    con.execute("DROP TABLE _notice_fast")
    wanted = con.execute("SELECT _row, file FROM _notice_inline WHERE text IS NULL AND file IS NOT NULL").fetchall()
    documents, wanted = _documents_apart(folder, wanted)
    read = [read_side_file(folder, name) for _, name in wanted]
    texts = normalise([t for t, _, _ in read], [h for _, h, _ in read])
    files = pa.table({
        "_row": pa.array([r for r, _ in wanted], type=pa.int64()),
        "text": pa.array([t or None for t in texts], type=pa.string()),
        "problem": pa.array([p or (None if t else EMPTY) for (_, _, p), t in zip(read, texts)], type=pa.string()),
    })
    from .document_cache import load_documents, TABLE as DOCUMENTS

    load_documents(con, {name: path for _, name, path in documents}, cache)
    rows = pa.table({"_row": pa.array([r for r, _, _ in documents], type=pa.int64()),
                     "file": pa.array([name for _, name, _ in documents], type=pa.string())})
    con.register("_notice_files", files)
    con.register("_notice_documents", rows)
    try:
        con.execute(f"""
            CREATE OR REPLACE TABLE {TABLE} AS
            WITH f AS (
                SELECT _row, text, problem, {_NO_PLACES}, CAST(NULL AS JSON) AS reason FROM _notice_files
                UNION ALL
                SELECT n._row, d.text,
                       coalesce(json_extract_string(d.reason, '$.text'), IF(d.text IS NULL, {literal(EMPTY)}, NULL)),
                       d.places, d.reason
                FROM _notice_documents n JOIN {DOCUMENTS} d USING (file))
            SELECT i._row,
                   IF(f._row IS NULL, i.text, f.text) AS text,
                   CASE WHEN f._row IS NOT NULL THEN f.problem
                        WHEN i.text IS NOT NULL THEN NULL
                        WHEN i.has_content THEN {literal(EMPTY)}
                        ELSE {literal(NO_TEXT)} END AS problem,
                   f.places, f.reason
            FROM _notice_inline i LEFT JOIN f USING (_row)""")
        # the text now lives in notice_text; keep only the bookkeeping (what was read, from where)
        con.execute(f"CREATE OR REPLACE TABLE {DOCUMENTS} AS SELECT * EXCLUDE (text, places) FROM {DOCUMENTS}")
    finally:
        con.unregister("_notice_files")
        con.unregister("_notice_documents")
        con.execute("DROP TABLE IF EXISTS _notice_inline")


def _documents_apart(folder: Path, wanted: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """``(documents, the rest)``: the rows whose file is a tender document that exists inside
    the export, as ``(_row, name, path)``; a missing or escaping one stays with the text files,
    which say why."""
    from .documents import SUFFIXES

    documents, rest = [], []
    for row, name in wanted:
        path, problem = side_file_path(folder, name) if Path(name.strip()).suffix.lower() in SUFFIXES else (None, "-")
        if problem:
            rest.append((row, name))
        else:
            documents.append((row, name, path))
    return documents, rest
