"""SQL that turns an export's raw text into typed values, inside DuckDB: one parser per value kind.

Every value is read as text first (EXPORT-V1: dates, booleans and numbers come in many
forms); the macros here parse it where the data lives, over whole columns. A value that does
not parse becomes NULL, and its raw text is kept beside it (``<column>__raw``), so that a rule
says "not evaluable: unreadable" and the contract (``pipelines.contract``) flags exactly the
values whose raw text is present and typed value NULL — the loader is the only parser, so
``ggzy validate`` and ``ggzy audit`` cannot disagree about a value.

:func:`typed` is what the loader uses: a fast path for the forms nearly every export uses
(ISO dates, plain decimals, 是/否), and the full macro (``ggzy_ts``, ``ggzy_num``,
``ggzy_bool``) only for the values the fast path misses. The fast path never accepts a value the
full macro would read differently (``tests/test_value_kinds.py`` proves it on generated values).

What each kind accepts:

* dates: the forms of ``DATETIME_FORMATS`` (also full-width digits) and Excel serial day
  numbers 10000–99999; only years 1900–2100 (``YEARS``) — ``0000-01-01`` or ``9999-12-31`` is a
  placeholder, not a date, and is unreadable;
* numbers: decimals with optional sign and exponent, thousands separators ``,`` ``，``, currency
  marks ``¥`` ``￥`` ``元``, full-width digits; held as DECIMAL(20, 2), so a value of 19 or more
  integer digits, or ``1e400``, is unreadable rather than rounded or infinite;
* booleans: ``TRUE_WORDS`` / ``FALSE_WORDS`` in any case, full-width too.

>>> import duckdb
>>> con = duckdb.connect()
>>> install(con)
>>> con.execute("SELECT ggzy_ts('2026年3月5日')::DATE, ggzy_bool('是'), ggzy_num('¥1,000元'), ggzy_norm_name('鹤岗（北方）公司 ')").fetchone()
(datetime.date(2026, 3, 5), True, Decimal('1000.00'), '鹤岗(北方)公司')
>>> con.execute("SELECT ggzy_ts('0000-01-01'), ggzy_num('1e400')").fetchone()
(None, None)
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from functools import lru_cache

import duckdb

#: every date form EXPORT-V1 lists, for DuckDB's strptime (which also accepts unpadded months/days)
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M", "%Y年%m月%d日",
    "%Y%m%d",
)
#: the two forms the fast path reads (what platforms and the generator write)
FAST_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
#: the years a date may have; anything else is a placeholder or a typing error
YEARS = (1900, 2100)

TRUE_WORDS = ("true", "t", "1", "是", "y", "yes", "有")
FALSE_WORDS = ("false", "f", "0", "否", "n", "no", "无")

#: the decimal type numbers are held in: 18 integer digits, 2 decimals
NUMBER_TYPE = "DECIMAL(20, 2)"

# full-width ASCII (U+FF01..U+FF5E) and the ideographic space, mapped to their half-width forms
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "


#: the full-width characters of everyday Chinese prose, mapped by replace() (see ggzy_halfwidth)
_COMMON_FULL = "，：；（）！？"
#: an RE2 class of every other full-width character
_RARE_FULL = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _FULL if c not in _COMMON_FULL) + "]"


def _replace_common(text: str) -> str:
    for ch in _COMMON_FULL:
        text = f"replace({text}, '{ch}', '{_HALF[_FULL.index(ch)]}')"
    return text


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(words) -> str:
    return "[" + ", ".join(_sql_str(w) for w in words) + "]"


def _sql_tuple(words) -> str:
    return "(" + ", ".join(_sql_str(w) for w in words) + ")"


_LOW, _HIGH = f"TIMESTAMP '{YEARS[0]}-01-01'", f"TIMESTAMP '{YEARS[1] + 1}-01-01'"

MACROS = {
    # text: without leading and trailing spaces, empty -> NULL; trim (which scans the whole
    # value) only runs on a value that starts or ends with a space
    "ggzy_text": """(s) AS CASE WHEN prefix(CAST(s AS VARCHAR), ' ') OR suffix(CAST(s AS VARCHAR), ' ')
        THEN NULLIF(trim(CAST(s AS VARCHAR)), '') ELSE NULLIF(CAST(s AS VARCHAR), '') END""",
    # full-width -> half-width, for dates, numbers, names and notices: pure-ASCII text (byte
    # length = character length) is left as it is; text whose only full-width characters are the
    # common punctuation of Chinese prose (_COMMON_FULL) gets a few replace() passes; only the
    # rest pays for translate(), which is costly over millions of values
    "ggzy_halfwidth": f"""(s) AS CASE WHEN strlen(CAST(s AS VARCHAR)) = length(CAST(s AS VARCHAR)) THEN CAST(s AS VARCHAR)
        WHEN regexp_matches(CAST(s AS VARCHAR), {_sql_str(_RARE_FULL)})
        THEN translate(CAST(s AS VARCHAR), {_sql_str(_FULL)}, {_sql_str(_HALF)})
        ELSE {_replace_common("CAST(s AS VARCHAR)")} END""",
    # a timestamp inside YEARS, else NULL
    "ggzy_in_years": f"(t) AS CASE WHEN t >= {_LOW} AND t < {_HIGH} THEN t END",
    # every EXPORT-V1 form; Excel serials and full-width digits take the slower branch
    "ggzy_ts": f"""(s) AS ggzy_in_years(coalesce(
        try_strptime(trim(CAST(s AS VARCHAR)), {_sql_list(DATETIME_FORMATS)}),
        CASE
          WHEN ggzy_text(s) IS NULL THEN NULL
          WHEN regexp_full_match(trim(ggzy_halfwidth(s)), '[1-9][0-9]{{4}}(\\.[0-9]+)?')
            THEN TIMESTAMP '1899-12-30'
                 + to_microseconds(CAST(round(CAST(trim(ggzy_halfwidth(s)) AS DOUBLE) * 86400e6) AS BIGINT))
          ELSE try_strptime(trim(ggzy_halfwidth(s)), {_sql_list(DATETIME_FORMATS)})
        END))""",
    "ggzy_bool": f"""(s) AS (
        CASE
          WHEN lower(trim(ggzy_halfwidth(s))) IN {_sql_tuple(TRUE_WORDS)} THEN TRUE
          WHEN lower(trim(ggzy_halfwidth(s))) IN {_sql_tuple(FALSE_WORDS)} THEN FALSE
        END)""",
    "ggzy_num": f"""(s) AS TRY_CAST(
        regexp_replace(ggzy_text(ggzy_halfwidth(s)), '[,，¥￥元\\s]', '', 'g') AS {NUMBER_TYPE})""",
    # identifiers: half-width, upper case, no spaces
    "ggzy_id": "(s) AS NULLIF(upper(regexp_replace(ggzy_halfwidth(s), '\\s', '', 'g')), '')",
    # organisation names: half-width brackets and letters, no spaces (EXPORT-V1 matching)
    "ggzy_norm_name": """(s) AS NULLIF(upper(regexp_replace(
        replace(replace(ggzy_halfwidth(s), '【', '['), '】', ']'), '\\s', '', 'g')), '')""",
    # did a raw value fail to parse? (non-empty text, NULL typed value)
    "ggzy_unreadable": "(raw, typed) AS (ggzy_text(raw) IS NOT NULL AND typed IS NULL)",
}

#: the full macro that turns a raw text column of each schema kind into its typed value
PARSER_FOR_KIND = {
    "text": "ggzy_text",
    "datetime": "ggzy_ts",
    "bool": "ggzy_bool",
    "number": "ggzy_num",
    "uscc": "ggzy_id",
    "resident_id": "ggzy_id",
    "id_any": "ggzy_id",
}

#: kinds whose raw text is kept beside the typed value (as ``<column>__raw``)
KEEPS_RAW = {"datetime", "bool", "number"}


def typed(kind: str, text: str) -> str:
    """SQL: the typed value of ``text`` (an SQL expression of trimmed, non-empty text or NULL) for
    a column of ``kind``. The fast path first; the full macro only for the rows it leaves NULL
    (a CASE branch is evaluated only for its rows; COALESCE would evaluate the full macro for all)."""
    full = f"{PARSER_FOR_KIND[kind]}({text})"
    if kind == "text":
        return text
    if kind == "bool":
        return f"CASE {text} WHEN '是' THEN TRUE WHEN '否' THEN FALSE ELSE {full} END"
    if kind == "datetime":
        # one format by length: a list of formats would try (and fail) the first on every date-only value
        by_length = " ".join(f"WHEN {len(dt.datetime(2000, 1, 1).strftime(f))} THEN try_strptime({text}, {_sql_str(f)})"
                             for f in FAST_DATETIME_FORMATS)
        fast = (f"CASE WHEN {text} >= '{YEARS[0]}' AND {text} < '{YEARS[1] + 1}' "
                f"THEN CASE strlen({text}) {by_length} END END")
    elif kind == "number":
        fast = f"TRY_CAST({text} AS {NUMBER_TYPE})"
    elif kind in ("uscc", "resident_id", "id_any"):  # already half-width, upper case, no spaces
        return f"CASE WHEN regexp_full_match({text}, '[0-9A-Z]+') THEN {text} ELSE {full} END"
    else:
        return full
    return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {full} END"


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ggzy_* macros on a connection (idempotent)."""
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for name, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE MACRO {name}{body}")
    from . import masking  # ggzy_mask / ggzy_mask_json: IDs and phones in free text

    masking.install(con)


# --- text normalisation: notices' text and rules' phrases, made comparable ----------------------
# (pipelines.notice_text applies it to the notices; checks.text_clause to a rule's phrases, at load)

_SEP = "\ue000"  # joins a vector's texts for one-pass processing; removed from inputs first
#: what starts a dropped element; its end is found by :func:`_drop_elements` (linear, no backtracking)
_DROP_START = re.compile(r"<(script|style|head|title)\b|<!--", re.I)
_DROP_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "head", "title")}
#: tags end at the first ``>`` and never span a ``<``: an unclosed ``<a`` stops at the next tag,
#: so every character is scanned at most twice (a ``[^>]*>`` rescans to the end for each ``<a``)
_BLOCK = re.compile(r"</?(?:br|hr|p|div|li|ul|ol|tr|td|th|h[1-6]|table|section|article)\b[^<>\ue000]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z!][^<>\ue000]*>")
#: every whitespace but \n (``str.isspace``), and zero-width characters; one class, so ``re`` scans fast
_SPACE = re.compile("[\t\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u00ad]+")
_HTML_SPACE = re.compile(_SPACE.pattern[:-2] + "\n]+")  # in HTML a line break in the source is only a space
_BREAKS = re.compile(r"\n{2,}")
#: characters NFKC may change: all but CJK ideographs, printable ASCII and common CJK punctuation
_NOT_NFKC = re.compile("[^\u4e00-\u9fff\x20-\x7e\n\ue000\u3001\u3002\u201c\u201d\u2018\u2019\u300a-\u3011\u2014\u00b7]+")
#: a parenthesised pinyin gloss right after a CJK character: 執(zhí), 执(zhi2), 行贿(xínghuì) —
#: letters with single tone digits 0-5 after a letter. Written without a nested quantifier: each
#: character has one way to match, so a long non-gloss like (HEGANGCITYCONSTRUCTION…) fails in
#: one pass instead of trying every split of its letters (exponential).
_PY = "a-z\u00c0-\u024f\u1e00-\u1eff"
_PINYIN = re.compile(rf"\((?<=[\u3400-\u9fff\uf900-\ufaff]\()[{_PY}](?:[{_PY}]|(?<=[{_PY}])[0-5])*\)", re.I)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _each(texts: list[str], step) -> list[str]:
    """Apply a whole-string ``step`` to many texts in one call (no pattern crosses _SEP)."""
    return step(_SEP.join(texts)).split(_SEP) if texts else []


def _drop_elements(text: str) -> str:
    """``text`` without scripts, styles, heads, titles and comments (each up to its end tag,
    never across a text separator). Linear: an end tag is searched for only past the last one
    found, so a thousand unclosed ``<script`` or ``<!--`` cost one scan, not a thousand."""
    out, last = [], 0
    next_end: dict[str, tuple[int, int]] = {}  # kind -> (start, end) of the next end tag seen, or (-1, -1)
    next_sep = -1  # the next separator at or after the last position asked about
    for match in _DROP_START.finditer(text):
        start = match.start()
        if start < last:
            continue
        kind = (match.group(1) or "--").lower()
        found = next_end.get(kind)
        if found is None or (found[0] != -1 and found[0] < match.end()):
            if kind == "--":
                pos = text.find("-->", match.end())
                found = (pos, pos + 3) if pos >= 0 else (-1, -1)
            else:
                end = _DROP_END[kind].search(text, match.end())
                found = (end.start(), end.end()) if end else (-1, -1)
            next_end[kind] = found
        if found[0] == -1:
            continue
        if next_sep < start:
            pos = text.find(_SEP, start)
            next_sep = pos if pos >= 0 else len(text)
        if found[0] > next_sep:  # the end tag belongs to another text
            continue
        out.append(text[last:start])
        last = found[1]
    return "".join(out) + text[last:] if out else text


def _strip_html(text: str) -> str:
    text = _HTML_SPACE.sub(" ", text)
    return _TAG.sub("", _BLOCK.sub("\n", _drop_elements(text)))


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


# --- the fast path: the same normalisation in SQL, for texts it provably leaves nearly alone -------
# Most notices are plain simplified text, or simple HTML around it. When every character of a
# text is in ``_PLAIN`` (printable ASCII, line breaks, common CJK punctuation, ideographs; all left
# alone by NFKC, see ``_NOT_NFKC``) and none is one OpenCC t2s may change (:func:`t2s_changed`),
# :func:`normalise` does no more than this:
#
# * HTML without ``&`` and without script/style/head/title/comments: runs of spaces and line
#   breaks become one space, block tags a line break, other tags nothing (``_BLOCK``, ``_TAG``;
#   their ``\b`` is exact here: a word character of such a text is [A-Za-z0-9_] or an ideograph);
# * then spaces are removed, runs of line breaks folded, line breaks trimmed at both ends — unless
#   a ``(`` before a Latin letter remains (a possible pinyin gloss, ``_PINYIN``).
#
# :func:`fast_text_sql` does exactly that in SQL and says when it applies; every other text goes
# through :func:`normalise` (tests/test_fast_text.py compares the two on generated texts).

#: (first, last) code points a text may hold for the fast path: line break, printable ASCII, ·, —,
#: ‘’, “”, 、。, 《》〈〉「」『』【】 and the CJK Unified Ideographs
_PLAIN = ((0x0A, 0x0A), (0x20, 0x7E), (0xB7, 0xB7), (0x2014, 0x2014), (0x2018, 0x2019), (0x201C, 0x201D),
          (0x3001, 0x3002), (0x300A, 0x3011), (0x4E00, 0x9FFF))
#: characters t2s changes only inside a phrase (TSPhrases keys none of whose characters changes
#: alone: 回覆 → 回复, 深沈 → 深沉, 英哩 → 英里); tests/test_fast_text.py checks this against the
#: dictionaries of the installed OpenCC
T2S_PHRASE_CHARS = "哩坏沈甦瞭藉衹覆"
_WORD = "A-Za-z0-9_\\x{4e00}-\\x{9fff}"
_BLOCK_SQL = ("</?(?:br|hr|p|div|li|ul|ol|tr|td|th|h[1-6]|table|section|article)"
              f"(?:[^{_WORD}<>][^<>]*)?>")
_TAG_SQL = "</?[A-Za-z!][^<>]*>"


@lru_cache(maxsize=1)
def t2s_changed() -> frozenset[int]:
    """The ideographs (U+4E00–U+9FFF) OpenCC t2s may change: each it changes on its own, and
    ``T2S_PHRASE_CHARS``."""
    ideographs = [chr(c) for c in range(0x4E00, 0xA000)]
    converted = [_t2s().convert(ch) for ch in ideographs]
    return frozenset(ord(ch) for ch, out in zip(ideographs, converted) if out != ch) | set(map(ord, T2S_PHRASE_CHARS))


@lru_cache(maxsize=1)
def _outside_fast_path() -> str:
    """An RE2 class of every character that sends a text to the Python normaliser."""
    plain = {c for a, b in _PLAIN for c in range(a, b + 1)} | set(map(ord, _COMMON_FULL))
    allowed = sorted(plain - t2s_changed())
    runs: list[list[int]] = []
    for c in allowed:
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "[^" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in runs) + "]"


def fast_text_sql(relation: str) -> str:
    """SQL over ``relation(_row, content, is_html)`` giving ``(_row, is_html, fast, text)``: whether the
    text takes the fast path, and then its normalised text — equal to
    ``normalise([ggzy_halfwidth(content)], [is_html])[0]``, '' meaning no text. The common
    full-width punctuation (``_COMMON_FULL``) is allowed and mapped after the tags are stripped
    (a tag pattern treats it as it treats its half-width form). Each step is a column of its own,
    computed once; a guard skips a costly scan where it cannot change anything."""
    tags_stripped = ("CASE WHEN simple AND is_html THEN regexp_replace(regexp_replace(regexp_replace("
                     f"content, '[ \\n]+', ' ', 'g'), '{_BLOCK_SQL}', chr(10), 'gi'), '{_TAG_SQL}', '', 'g') "
                     "WHEN simple THEN content END")
    return f"""
        WITH simple AS (
            SELECT _row, is_html, content,
                   NOT regexp_matches(content, '{_outside_fast_path()}')
                   AND NOT (CASE WHEN is_html THEN contains(content, '&') OR contains(content, '<!--')
                                 OR regexp_matches(content, '<(?i:script|style|head|title)') END) IS TRUE AS simple
            FROM {relation}),
        stripped AS (
            SELECT _row, is_html, simple, {_replace_common(tags_stripped)} AS stripped
            FROM simple),
        spaceless AS (
            SELECT _row, is_html, simple AND NOT regexp_matches(stripped, '\\( *[A-Za-z]') AS fast,
                   replace(stripped, ' ', '') AS t
            FROM stripped),
        folded AS (
            SELECT _row, is_html, fast, CASE WHEN fast AND contains(t, chr(10) || chr(10))
                                    THEN regexp_replace(t, '\\n{{2,}}', chr(10), 'g') ELSE t END AS t
            FROM spaceless)
        SELECT _row, is_html, fast, CASE WHEN fast AND (starts_with(t, chr(10)) OR ends_with(t, chr(10)))
                                THEN trim(t, chr(10)) WHEN fast THEN t END AS text
        FROM folded"""


def normalise_phrase(phrase: str) -> str:
    """A rule's phrase, normalised like the texts it is looked for in (no line breaks)."""
    return normalise([str(phrase)], [False])[0].replace("\n", "")


def one_paragraph(text) -> str:
    """A hard-wrapped YAML block as one paragraph: Chinese lines joined directly, others with a space.

    >>> one_paragraph("检查结束后\\n10个工作日内\\nin the\\nplatform")
    '检查结束后10个工作日内in the platform'
    """
    out = ""
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if out and ord(out[-1]) < 0x2E80 and ord(line[0]) < 0x2E80:
            out += " "
        out += line
    return out
