"""The EXPORT-V1 contract (``shared/EXPORT-V1.md``) in pandera, built from ``pipelines.schema``.

One table as read from an export — a DataFrame of raw text with canonical column names — is
validated with a lazy pandera ``DataFrameSchema``; every failure case becomes a :class:`Finding`
(file, 1-based data row, column, value, Chinese reason). Bad data never raises and never passes
silently. Obligations enforced here:

* required (★) columns present; the key (first ★ column) unique; ★ values not empty;
* values inside the export's fixed value sets;
* USCC check character (GB 32100-2015) and resident-ID check character and birth date
  (GB 11643-1999), see DOMAIN.md "Identifiers";
* dates, booleans and numbers readable in the forms EXPORT-V1 "Reading" lists;
* personal data shown masked, confidential columns (complainant identity, 四(二)) never read.

Every check is vectorised over the whole column; empty values are only checked by the
not-empty rule on required columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

from pipelines import schema

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_USCC_VALUE = np.full(256, -1, dtype=np.int64)  # character code -> value in the USCC alphabet
_USCC_VALUE[np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)] = np.arange(31)
_USCC_RE = "[0-9A-HJ-NPQRTUWXY]{18}"
_ID_RE = "[0-9]{17}[0-9X]"

_NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
BOOL_WORDS = frozenset({"true", "false", "1", "0", "是", "否", "y", "n", "有", "无"})

ERROR, WARNING = "error", "warning"
#: check id -> (severity, reason when the kind does not give a finer one)
CHECKS = {
    "required_column": (ERROR, "缺少必需列"),
    "unique_key": (ERROR, "主键重复"),
    "not_empty": (ERROR, "必填项为空"),
    "datetime": (ERROR, "日期无法识别"),
    "bool": (ERROR, "无法识别的是/否值"),
    "number": (ERROR, "无法识别的数字"),
    "value_set": (WARNING, "值不在允许范围内"),
    "uscc": (WARNING, "统一社会信用代码校验位错误"),
    "resident_id": (WARNING, "身份证号码校验位错误"),
    "id_any": (WARNING, "证件号码校验位错误"),
}


@dataclass(frozen=True)
class Finding:
    """One data-quality finding of the EXPORT-V1 contract."""

    table: str
    file: str
    row: int | None  # 1-based data row; None for table-level findings
    column: str | None
    value: str | None  # masked when the column is personal
    reason: str  # Chinese, one short actionable phrase
    check: str  # machine id, a key of CHECKS
    severity: str  # 'error' or 'warning'


# ---------------------------------------------------------------- identifiers (vectorised)

def _matches(s: pd.Series, regex: str) -> pd.Series:
    """Whole-value regex match; missing values do not match."""
    return s.str.fullmatch(regex).fillna(False).astype(bool)


def _codes(s: pd.Series, width: int) -> np.ndarray:
    """ASCII strings of one fixed width -> (n, width) array of character codes, read straight
    from the Arrow data buffer."""
    a = arrow.array(s, arrow.large_string())
    if isinstance(a, arrow.ChunkedArray):  # Arrow-backed pandas strings may come in chunks
        a = a.combine_chunks()
    offsets = np.frombuffer(a.buffers()[1], np.int64)[a.offset:a.offset + len(a) + 1]
    return np.frombuffer(a.buffers()[2], np.uint8)[offsets[0]:offsets[-1]].reshape(-1, width)


def _uscc_check_ok(s: pd.Series) -> pd.Series:
    """GB 32100-2015 check character, for values already matching the USCC pattern."""
    if s.empty:
        return pd.Series(True, index=s.index)
    v = _USCC_VALUE[_codes(s, 18)]
    expected = (31 - (v[:, :17] @ USCC_WEIGHTS) % 31) % 31
    return pd.Series(v[:, 17] == expected, index=s.index)


def _id_check_ok(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(birth date real, check character right) for values already matching the ID pattern."""
    c = _codes(s, 18).astype(np.int64) - 48 if len(s) else np.zeros((0, 18), np.int64)
    born = _real_date(c[:, 6] * 1000 + c[:, 7] * 100 + c[:, 8] * 10 + c[:, 9],
                      c[:, 10] * 10 + c[:, 11], c[:, 12] * 10 + c[:, 13])
    ok = ID_CHECK[(c[:, :17] @ ID_WEIGHTS) % 11] == c[:, 17] + 48
    return pd.Series(born, index=s.index), pd.Series(ok, index=s.index)


def _real_date(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Vectorised: is (year, month, day) a calendar date (year 1000–9999)?"""
    ok = (y >= 1000) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    month = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]")
    days = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    return ok & (d <= days)


def _problems(s: pd.Series, rules: list[tuple[pd.Series, str]]) -> pd.Series:
    """Reason per value of ``s``: that of the first rule it fails, else None (valid). A rule's
    mask may cover only some values (those it applies to); the others pass it."""
    out = pd.Series(None, index=s.index, dtype=object)
    for passed, reason in reversed(rules):
        out = out.mask(~passed.reindex(s.index, fill_value=True), reason)
    return out


def uscc_problems(s: pd.Series) -> pd.Series:
    """USCC reason per trimmed value (None = valid); lower case is accepted."""
    t = s.str.upper()
    shaped = _matches(t, _USCC_RE)
    return _problems(t, [(shaped, "统一社会信用代码格式错误"),
                         (_uscc_check_ok(t[shaped]), "统一社会信用代码校验位错误")])


def resident_id_problems(s: pd.Series) -> pd.Series:
    """Resident-ID reason per trimmed value (None = valid): shape, birth date (chars 7–14),
    check character; a lower-case x is accepted."""
    t = s.str.upper()
    shaped = _matches(t, _ID_RE)
    born, check_ok = _id_check_ok(t[shaped])
    return _problems(t, [(shaped, "身份证号码格式错误"),
                         (born, "身份证号码出生日期无效"),
                         (check_ok, "身份证号码校验位错误")])


def id_any_problems(s: pd.Series) -> pd.Series:
    """USCC, resident ID or expert number: flagged only when an 18-character value looks like a
    USCC or a resident ID and fails both check characters (the kind is otherwise ambiguous)."""
    t = s.str.upper()
    as_uscc = _matches(t, _USCC_RE)
    as_id = _matches(t, _ID_RE)
    ok = (_uscc_check_ok(t[as_uscc]).reindex(t.index, fill_value=False)
          | _id_check_ok(t[as_id])[1].reindex(t.index, fill_value=False))
    return _problems(t, [(~(as_uscc | as_id) | ok, "证件号码校验位错误")])


# ---------------------------------------------------------------- dates, booleans, numbers

_DATE_RE = (r"^(?P<y>[0-9]{4})(?:[-/.年](?P<m>[0-9]{1,2})[-/.月](?P<d>[0-9]{1,2})日?"
            r"|(?P<m8>[0-9]{2})(?P<d8>[0-9]{2}))"
            r"(?:[ T]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?)?$")
_EXCEL_RE = r"[0-9]{5}(?:\.[0-9]+)?"
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


def _groups(t: pd.Series, regex: str) -> dict[str, np.ndarray]:
    """The named groups of ``regex`` as integer arrays, 0 where absent (vectorised in Arrow)."""
    found = pc.extract_regex(arrow.array(t, arrow.string()), regex)
    return {f.name: pc.cast(pc.binary_join_element_wise("0", pc.fill_null(v, ""), ""),
                            arrow.int64()).to_numpy()
            for f, v in zip(found.type, found.flatten())}


def default_parse_datetime(s: pd.Series) -> pd.Series:
    """Local stand-in for the DuckDB date macro: the EXPORT-V1 forms, NaT when unreadable
    (impossible dates such as 2026-02-30 included)."""
    t = s.astype("str").str.strip()
    g = _groups(t, _DATE_RE)
    y, m, d = g["y"], g["m"] + g["m8"], g["d"] + g["d8"]
    ok = _real_date(y, m, d) & (g["H"] < 24) & (g["M"] < 60) & (g["S"] < 60)
    month = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]")
    seconds = (d - 1) * 86400 + g["H"] * 3600 + g["M"] * 60 + g["S"]
    parsed = np.where(ok, month.astype("datetime64[s]") + seconds, np.datetime64("NaT"))
    serial = np.flatnonzero(~ok & _matches(t, _EXCEL_RE).to_numpy())  # days since 1899-12-30
    days = t.iloc[serial].astype(float).to_numpy()
    parsed[serial] = _EXCEL_EPOCH + (days * 86400).round().astype("timedelta64[s]")
    return pd.Series(parsed, index=s.index)


def bool_ok(s: pd.Series) -> pd.Series:
    """EXPORT-V1 booleans: true/false, 1/0, 是/否, Y/N, 有/无, any case (trimmed text)."""
    return s.str.lower().isin(BOOL_WORDS)


def number_ok(s: pd.Series) -> pd.Series:
    """A number once the thousands separators , and ， are removed (trimmed text)."""
    bare = s.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    return _matches(bare, _NUMBER_RE)


# ---------------------------------------------------------------- the contract

ParseDatetime = Callable[[pd.Series], pd.Series]


def _passes(problems: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    return lambda s: problems(s).isna()


def _readable(parse: ParseDatetime) -> Callable[[pd.Series], pd.Series]:
    def readable(s: pd.Series) -> pd.Series:
        parsed = parse(s)
        parsed = parsed if isinstance(parsed, pd.Series) else pd.Series(parsed)
        return pd.Series(parsed.notna().to_numpy(), index=s.index)
    return readable


def _fine_reason(kind: str) -> Callable[[pd.Series], pd.Series] | None:
    return {"uscc": uscc_problems, "resident_id": resident_id_problems,
            "id_any": id_any_problems}.get(kind)


def _checks(table: schema.Table, col: schema.Column, parse: ParseDatetime) -> list[pa.Check]:
    checks = []
    if col.required:
        checks.append(pa.Check(lambda s: s.notna(), name="not_empty", ignore_na=False))
    if col.name == table.key:
        checks.append(pa.Check(lambda s: ~s.duplicated(keep=False), name="unique_key"))
    if col.values:
        allowed = frozenset(col.values)
        checks.append(pa.Check(lambda s: s.isin(allowed), name="value_set"))
    kind = {
        "uscc": _passes(uscc_problems), "resident_id": _passes(resident_id_problems),
        "id_any": _passes(id_any_problems), "datetime": _readable(parse),
        "bool": bool_ok, "number": number_ok,
    }.get(col.kind)
    if kind is not None:
        checks.append(pa.Check(kind, name=col.kind))
    return checks


def contract_for(table: schema.Table, parse_datetime: ParseDatetime | None = None) -> pa.DataFrameSchema:
    """The EXPORT-V1 contract of one table, derived from ``schema`` only. It expects the frame
    :func:`validate_table` prepares (text trimmed, empty = missing, positional index).
    Confidential columns are not part of it; extra columns are ignored."""
    parse = parse_datetime or default_parse_datetime
    return pa.DataFrameSchema(
        {c.name: pa.Column(required=c.required, nullable=True, checks=_checks(table, c, parse))
         for c in table.loaded_columns},
        name=table.name, strict=False)


def mask_value(value: str, kind: str) -> str:
    """Personal data as shown to people: resident IDs keep the first and last 4 characters,
    other text keeps its first character; a USCC is not personal and is shown as is."""
    if value is None or kind == "uscc":
        return value
    v = str(value).strip()
    if kind in ("resident_id", "id_any") and len(v) > 8:
        return v[:4] + "*" * (len(v) - 8) + v[-4:]
    return v[:1] + "*" * (len(v) - 1) if len(v) > 1 else "*" * len(v)


def _row_numbers(df: pd.DataFrame) -> np.ndarray:
    position = np.arange(1, len(df) + 1)
    if "_row" not in df.columns:
        return position
    given = pd.to_numeric(df["_row"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(given), position, given).astype(np.int64)


def _prepared(df: pd.DataFrame, table: schema.Table) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """(trimmed text with empty as missing, raw text) for the table's loaded columns present."""
    names = list(df.columns)
    raw = {c.name: df.iloc[:, names.index(c.name)].reset_index(drop=True)
           for c in table.loaded_columns if c.name in names}
    clean = {}
    for name, s in raw.items():
        t = s.astype("str").str.strip()
        clean[name] = t.where(t != "")
    return pd.DataFrame(clean, index=pd.RangeIndex(len(df))), raw


def validate_table(df: pd.DataFrame, table: schema.Table, file: str,
                   parse_datetime: ParseDatetime | None = None) -> list[Finding]:
    """Validate one export table against its EXPORT-V1 contract; return every finding,
    ordered by row (table-level first) then column. Never raises for bad data; the input is
    not modified."""
    frame, raw = _prepared(df, table)
    try:
        contract_for(table, parse_datetime).validate(frame, lazy=True, inplace=True)
        return []
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    found = pd.concat([_failures(check, column, group, table, frame, raw) for (check, column), group
                       in cases.groupby(["check", "column"], dropna=False, sort=False)],
                      ignore_index=True)
    at = found["position"].to_numpy()
    rows = np.append(_row_numbers(df), 0)[np.where(at >= 0, at, len(df))]  # 0 = table level
    order = {c.name: i for i, c in enumerate(table.columns)}
    by_row = np.lexsort((found["column"].map(order).fillna(-1).to_numpy(), rows))
    found, rows = found.iloc[by_row], rows[by_row]
    cols = (found[k].tolist() for k in ("column", "value", "reason", "check", "severity"))
    return [Finding(table.name, file, row or None, column, value, reason, check, severity)
            for row, column, value, reason, check, severity in zip(rows.tolist(), *cols)]


def _failures(check, column, group, table, frame, raw) -> pd.DataFrame:
    """pandera failure cases of one (check, column) -> finding columns; position -1 = table level."""
    def out(position, value, reason, check, severity, column=column):
        return pd.DataFrame({"position": position, "column": column, "value": value,
                             "reason": reason, "check": check, "severity": severity})

    if check == "column_in_dataframe":
        severity, reason = CHECKS["required_column"]
        names = group["failure_case"].astype(str).tolist()
        return out(-1, None, [f"{reason} {n}" for n in names], "required_column", severity, names)
    col = table.column(column) if isinstance(column, str) and table.has(column) else None
    if col is None or col.confidential:  # cannot come from contract_for; never leak
        return out([], None, None, None, None)
    severity, reason = CHECKS.get(check, (ERROR, f"数据检查失败 {check}"))
    index = pd.to_numeric(group["index"], errors="coerce")
    # a check that could not run at all (it raised) is reported, never passed silently
    errors = group["failure_case"][index.isna()]
    broken = out(-1, None, [f"检查无法执行 {e}" for e in errors], check, ERROR)
    at = index.dropna().astype(np.int64).to_numpy()
    clean = frame[column].iloc[at]
    fine = _fine_reason(check)
    reasons = fine(clean).fillna(reason).to_numpy() if fine else reason
    values = raw[column].iloc[at].astype("str").astype(object).where(clean.notna().to_numpy(), None)
    if col.personal:
        values = [None if v is None else mask_value(v, col.kind) for v in values]
    return pd.concat([broken, out(at, list(values), reasons, check, severity)], ignore_index=True)
