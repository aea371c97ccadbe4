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


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(words) -> str:
    return "[" + ", ".join(_sql_str(w) for w in words) + "]"


def _sql_tuple(words) -> str:
    return "(" + ", ".join(_sql_str(w) for w in words) + ")"


_LOW, _HIGH = f"TIMESTAMP '{YEARS[0]}-01-01'", f"TIMESTAMP '{YEARS[1] + 1}-01-01'"

MACROS = {
    # text: trimmed, empty -> NULL
    "ggzy_text": "(s) AS NULLIF(trim(CAST(s AS VARCHAR)), '')",
    # full-width -> half-width, for dates, numbers and names; pure-ASCII text (byte length =
    # character length) skips the translate, which is costly over millions of values
    "ggzy_halfwidth": f"""(s) AS CASE WHEN strlen(CAST(s AS VARCHAR)) = length(CAST(s AS VARCHAR)) THEN CAST(s AS VARCHAR)
        ELSE translate(CAST(s AS VARCHAR), {_sql_str(_FULL)}, {_sql_str(_HALF)}) END""",
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
        fast = (f"CASE WHEN {text} >= '{YEARS[0]}' AND {text} < '{YEARS[1] + 1}' "
                f"THEN try_strptime({text}, {_sql_list(FAST_DATETIME_FORMATS)}) END")
    elif kind == "number":
        fast = f"TRY_CAST({text} AS {NUMBER_TYPE})"
    else:
        return full
    return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {full} END"


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ggzy_* macros on a connection (idempotent)."""
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for name, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE MACRO {name}{body}")
