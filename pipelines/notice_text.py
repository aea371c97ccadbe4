"""The text of each notice, prepared once per audit for the 八(二) credit-clause checks.

鹤发改公管〔2022〕216号 八(二) requires tender notices and tender documents to state the credit
condition (失信被执行人, 行贿犯罪记录). To look for it, the text must first be had and be made
comparable; that is load-time preparation, not rule logic, and it lives here.

The text of a notice is ``notices.content`` (plain text or HTML) or, when that is empty, the
file ``notices.content_file`` (relative to the export folder, never outside it; ``.txt``,
``.html``, ``.htm`` decoded as UTF-8, else GB18030; tender documents ``.docx`` and ``.pdf`` read
by :mod:`pipelines.documents`, in parallel and cached by :mod:`pipelines.document_cache`;
``.doc``/``.wps``, scans, encrypted, corrupt or oversized files not evaluable, with the reason). Normalised (:func:`normalise`): HTML tags,
scripts, styles and comments removed and entities unescaped, NFKC (full-width → half-width),
traditional → simplified (OpenCC ``t2s``), every whitespace removed — except that a line break
(a ``<br>`` or block end in HTML) stays as one ``\\n``, a sentence boundary — and pinyin glosses
after a character (``執(zhí)``) dropped.

:func:`prepare_notice_text` materialises ``notice_text(_row, text, problem, places, reason)``;
``problem`` says why a notice has no text (then ``text`` is NULL), ``reason`` says it as data
(``{"code", "text", "file", …}``, for tender documents), ``places`` says where each part of a
document's text starts and where a person finds it (``第12页``, ``表2第3行第2列``). Normalising runs as a vectorised Arrow UDF
(one pass of each step over a whole vector of 2048 notices, after DuckDB's own full-width →
half-width ``translate``); only rows whose text is in a side file touch the file system.

>>> normalise(["<p>失信被<b>執(zhí)</b>行人</p><script>x()</script>", "行　賄 犯 罪"], [True, False])
['失信被执行人', '行贿犯罪']
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

from .sql import literal

TABLE = "notice_text"
TEXT_SUFFIXES = {".txt": False, ".html": True, ".htm": True}  # suffix -> is HTML
NO_TEXT = "正文为空且未提供正文文件"
EMPTY = "正文为空"
NO_FILE = "正文文件不存在"
ESCAPES = "正文文件路径超出导出文件夹，未读取"
UNDECODABLE = "正文文件无法按 UTF-8 或 GB18030 解码"
NO_COLUMNS = "数据表 notices 缺少正文和正文文件列"

_SEP = "\ue000"  # joins a vector's texts for one-pass processing; removed from inputs first
_HTML_SQL = "regexp_matches(content, '</?[A-Za-z!][^>]*>')"
_DROP = re.compile(r"<(script|style|head|title)\b[^\ue000]*?</\1\s*>|<!--[^\ue000]*?-->", re.I)
_BLOCK = re.compile(r"</?(?:br|hr|p|div|li|ul|ol|tr|td|th|h[1-6]|table|section|article)\b[^>\ue000]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z!][^>\ue000]*>")
#: every whitespace but \n (``str.isspace``), and zero-width characters; one class, so ``re`` scans fast
_SPACE = re.compile("[\t\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u00ad]+")
_HTML_SPACE = re.compile(_SPACE.pattern[:-2] + "\n]+")  # in HTML a line break in the source is only a space
_BREAKS = re.compile(r"\n{2,}")
#: characters NFKC may change: all but CJK ideographs, printable ASCII and common CJK punctuation
_NOT_NFKC = re.compile("[^\u4e00-\u9fff\x20-\x7e\n\ue000\u3001\u3002\u201c\u201d\u2018\u2019\u300a-\u3011\u2014\u00b7]+")
#: a parenthesised pinyin gloss right after a CJK character: 執(zhí), 执(zhi2), 行贿(xínghuì)
_PINYIN = re.compile(r"\((?<=[\u3400-\u9fff\uf900-\ufaff]\()(?:[a-z\u00c0-\u024f\u1e00-\u1eff]+[0-5]?)+\)", re.I)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _each(texts: list[str], step) -> list[str]:
    """Apply a whole-string ``step`` to many texts in one call (no pattern crosses _SEP)."""
    return step(_SEP.join(texts)).split(_SEP) if texts else []


def _strip_html(text: str) -> str:
    text = _HTML_SPACE.sub(" ", text)
    return _TAG.sub("", _BLOCK.sub("\n", _DROP.sub("", text)))


def _nfkc(text: str) -> str:
    """NFKC of ``text``, applied only to the runs that may change (with the character before
    each, which a combining mark may join): the same result, several times faster."""
    out, last = [], 0
    for match in _NOT_NFKC.finditer(text):
        start = max(match.start() - 1, last)
        out += [text[last:start], unicodedata.normalize("NFKC", text[start:match.end()])]
        last = match.end()
    return "".join(out) + text[last:] if out else text


def _plain(text: str) -> str:
    text = _t2s().convert(_nfkc(text))
    return _PINYIN.sub("", _BREAKS.sub("\n", _SPACE.sub("", text)))


def normalise(texts: list[str | None], html_flags: list[bool]) -> list[str | None]:
    """Normalise many texts at once: each step is one call over all texts joined by a
    private-use separator (removed from the inputs first); entities are unescaped per text
    so that none can forge a separator."""
    rows = [i for i, t in enumerate(texts) if t is not None]
    clean = {i: texts[i].replace(_SEP, "") for i in rows}
    marked = [i for i in rows if html_flags[i]]
    for i, part in zip(marked, _each([clean[i] for i in marked], _strip_html)):
        clean[i] = html.unescape(part).replace(_SEP, "") if "&" in part else part
    out: list[str | None] = [None] * len(texts)
    for i, part in zip(rows, _each([clean[i] for i in rows], _plain)):
        out[i] = part.strip("\n")
    return out


def normalise_phrase(phrase: str) -> str:
    """A rule's phrase, normalised like the texts it is looked for in (no line breaks)."""
    return normalise([str(phrase)], [False])[0].replace("\n", "")


# --- side files -------------------------------------------------------------------------------

def side_file_path(folder: Path, name: str) -> tuple[Path | None, str | None]:
    """(path, problem) of ``content_file`` ``name``; a path leaving ``folder`` (``..``, absolute,
    or a link pointing out) is refused before anything is opened."""
    relative = Path(name.strip().replace("\\", "/"))
    root = folder.resolve()
    if relative.is_absolute() or ".." in relative.parts:
        return None, ESCAPES
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        return None, ESCAPES
    if not path.is_file():
        return None, NO_FILE
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
    con.execute(f"COMMENT ON TABLE {TABLE} IS {literal(key)}")


_NO_PLACES = "CAST(NULL AS STRUCT(start BIGINT, place VARCHAR)[]) AS places"


def _materialise(con: duckdb.DuckDBPyConnection, folder: Path, cache: Path | None = None) -> None:
    """Inline content first (ggzy_halfwidth is only a fast path: NFKC follows anyway); then the
    side files of the rows whose inline text is empty: text files here, tender documents
    (.docx, .pdf, and the formats refused with a reason) through :mod:`pipelines.document_cache`."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _notice_inline AS
        SELECT _row, ggzy_text(content) IS NOT NULL AS has_content,
               NULLIF(ggzy_notice_text(ggzy_halfwidth(content), {_HTML_SQL}), '') AS text,
               ggzy_text(content_file) AS file
        FROM notices""")
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
