"""SQL macros that turn an export's raw text into typed values, inside DuckDB.

Every value is read as text first (EXPORT-V1: dates, booleans and numbers come in many
forms); these macros parse it where the data lives, over whole columns. A value that does
not parse becomes NULL here, and its raw text is kept beside it so that a rule can say
"not evaluable: unreadable" rather than treating it as missing.

>>> import duckdb
>>> con = duckdb.connect()
>>> install(con)
>>> con.execute("SELECT ggzy_ts('2026年3月5日')::DATE, ggzy_bool('是'), ggzy_norm_name('鹤岗（北方）公司 ')").fetchone()
(datetime.date(2026, 3, 5), True, '鹤岗(北方)公司')
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

TRUE_WORDS = ("true", "t", "1", "是", "y", "yes", "有")
FALSE_WORDS = ("false", "f", "0", "否", "n", "no", "无")

# full-width ASCII (U+FF01..U+FF5E) and the ideographic space, mapped to their half-width forms
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(words) -> str:
    return "[" + ", ".join(_sql_str(w) for w in words) + "]"


MACROS = {
    # text: trimmed, empty -> NULL
    "ggzy_text": "(s) AS NULLIF(trim(CAST(s AS VARCHAR)), '')",
    # full-width -> half-width, for dates, numbers and names; pure-ASCII text (byte length =
    # character length) skips the translate, which is costly over millions of values
    "ggzy_halfwidth": f"""(s) AS CASE WHEN strlen(CAST(s AS VARCHAR)) = length(CAST(s AS VARCHAR)) THEN CAST(s AS VARCHAR)
        ELSE translate(CAST(s AS VARCHAR), {_sql_str(_FULL)}, {_sql_str(_HALF)}) END""",
    # the common forms parse directly; Excel serials and full-width digits take the slower path
    "ggzy_ts": f"""(s) AS coalesce(
        try_strptime(trim(CAST(s AS VARCHAR)), {_sql_list(DATETIME_FORMATS)}),
        CASE
          WHEN ggzy_text(s) IS NULL THEN NULL
          WHEN regexp_full_match(trim(ggzy_halfwidth(s)), '[1-9][0-9]{{4}}(\\.[0-9]+)?')
            THEN TIMESTAMP '1899-12-30'
                 + to_microseconds(CAST(round(CAST(trim(ggzy_halfwidth(s)) AS DOUBLE) * 86400e6) AS BIGINT))
          ELSE try_strptime(trim(ggzy_halfwidth(s)), {_sql_list(DATETIME_FORMATS)})
        END)""",
    "ggzy_bool": f"""(s) AS (
        CASE
          WHEN lower(ggzy_text(s)) IN (SELECT unnest({_sql_list(TRUE_WORDS)})) THEN TRUE
          WHEN lower(ggzy_text(s)) IN (SELECT unnest({_sql_list(FALSE_WORDS)})) THEN FALSE
        END)""",
    "ggzy_num": """(s) AS TRY_CAST(
        regexp_replace(ggzy_text(ggzy_halfwidth(s)), '[,，¥￥元\\s]', '', 'g') AS DECIMAL(20, 2))""",
    # identifiers: half-width, upper case, no spaces
    "ggzy_id": "(s) AS NULLIF(upper(regexp_replace(ggzy_halfwidth(s), '\\s', '', 'g')), '')",
    # organisation names: half-width brackets and letters, no spaces (EXPORT-V1 matching)
    "ggzy_norm_name": """(s) AS NULLIF(upper(regexp_replace(
        replace(replace(ggzy_halfwidth(s), '【', '['), '】', ']'), '\\s', '', 'g')), '')""",
    # did a raw value fail to parse? (non-empty text, NULL typed value)
    "ggzy_unreadable": "(raw, typed) AS (ggzy_text(raw) IS NOT NULL AND typed IS NULL)",
}

#: the macro that turns a raw text column of each schema kind into its typed value
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


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ggzy_* macros on a connection (idempotent)."""
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for name, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE MACRO {name}{body}")
    from . import masking  # ggzy_mask / ggzy_mask_json: IDs and phones in free text

    masking.install(con)
