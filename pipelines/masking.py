"""Resident ID and phone numbers masked in any free text that reaches an output.

Personal columns are masked by the writers, but free text carries personal data too: a
notice sentence quoted as evidence (``credit-clause-persons``), a message, a data-quality
value, an error message. One function, :func:`mask_text`, masks every resident ID (first 4
and last 4 characters kept, as ``contract.mask_value``) and every mainland mobile number
(first 3 and last 4 kept) wherever it appears; DuckDB gets it as the scalar functions
``ggzy_mask(text)`` and ``ggzy_mask_json(json)`` (every string inside a JSON value masked,
numbers and keys untouched), so rules mask in SQL, over whole columns.

>>> mask_text("联系人张三，身份证110101199003071234，电话13812345678。")
'联系人张三，身份证1101**********1234，电话138****5678。'
>>> mask_json('{"sentences": ["身份证号11010119900307123X"], "n": 13812345678}')
'{"sentences": ["身份证号1101**********123X"], "n": 13812345678}'
"""

from __future__ import annotations

import json
import re

import duckdb
import pyarrow as pa

#: an 18-character resident ID not inside a longer run of digits
RESIDENT_ID = re.compile(r"(?<![0-9])([1-9][0-9]{3})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9Xx])")
#: a mainland mobile number not inside a longer run of digits
MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
#: SQL: text that may hold either (eleven digits in a row), so the rest skips the Python call
MAY_HOLD_SQL = "[0-9]{11}"


def mask_text(text: str | None) -> str | None:
    """``text`` with every resident ID and mobile number masked."""
    if not text:
        return text
    return MOBILE.sub(r"\1****\2", RESIDENT_ID.sub(r"\1**********\2", text))


def _mask_values(value):
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask_values(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_values(v) for k, v in value.items()}
    return value


def mask_json(text: str | None) -> str | None:
    """A JSON document with every string in it masked (text that is not JSON: masked as text)."""
    if not text or not RESIDENT_ID.search(text) and not MOBILE.search(text):
        return text
    try:
        return json.dumps(_mask_values(json.loads(text)), ensure_ascii=False)
    except ValueError:
        return mask_text(text)


def _udf(step):
    def run(values: pa.ChunkedArray) -> pa.Array:
        return pa.array([step(v) for v in values.to_pylist()], type=pa.string())
    return run


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Register ``ggzy_mask`` and ``ggzy_mask_json`` on ``con`` (idempotent)."""
    known = {row[0] for row in con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE function_name IN ('ggzy_mask', 'ggzy_mask_json')").fetchall()}
    for name, step in (("ggzy_mask", mask_text), ("ggzy_mask_json", mask_json)):
        if name not in known:
            con.create_function(name, _udf(step), ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False)


def masked_sql(expr: str, *, is_json: bool = False) -> str:
    """SQL: ``expr`` masked, the Python call made only for values with eleven digits in a row."""
    fn = "ggzy_mask_json" if is_json else "ggzy_mask"
    text = f"CAST({expr} AS VARCHAR)"
    masked = f"IF(regexp_matches({text}, '{MAY_HOLD_SQL}'), {fn}({text}), {text})"
    return f"CAST({masked} AS JSON)" if is_json else masked
