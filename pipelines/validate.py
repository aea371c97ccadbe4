"""The export contract run over every loaded (typed) table: DuckDB finds the failing rows,
pandera judges them (``pipelines.contract``), and what the reader repaired in a file (a GBK line,
mixed line endings, invisible header characters) is reported beside them.

>>> import duckdb, tempfile, pathlib
>>> from pipelines import reading
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "inspections.csv").write_text("inspection_id,department,ended_at\\nC1,市住建局,2026-02-30\\nC1,市住建局,\\n")
>>> con = duckdb.connect(); export = reading.load_export(con, folder)
>>> sorted((f.row, f.column, f.reason) for f in check_contract(con, export))
[(1, 'ended_at', '日期无法识别'), (1, 'inspection_id', '主键重复'), (2, 'inspection_id', '主键重复')]
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow

from . import schema
from .contract import CHECKS, Finding, contract_for, failing_rows_sql, mask_value, rules_for
from .masking import mask_text
from .reading import Export, TableFile

_STRING = {t: pd.StringDtype("pyarrow", na_value=np.nan) for t in (arrow.string(), arrow.large_string())}


def failing_frame(con: duckdb.DuckDBPyConnection, table: schema.Table, tf: TableFile) -> pd.DataFrame:
    """The typed table's rows that break a rule, every value as text (only these reach pandas)."""
    present = [c.name for c in table.loaded_columns if c.name in tf.sources]
    rows = con.sql(failing_rows_sql(table, present)).to_arrow_table()
    return rows.to_pandas(types_mapper=_STRING.get)


def table_findings(con: duckdb.DuckDBPyConnection, table: schema.Table, tf: TableFile) -> list[Finding]:
    """Every finding of one table, ordered by row (table-level first) then column."""
    frame = failing_frame(con, table, tf)
    present = [c for c in frame.columns if table.has(c)]
    try:
        contract_for(table, present, tf.skipped_columns).validate(frame, lazy=True)
        cases = pd.DataFrame(columns=["check", "column", "failure_case", "index"])
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    # a frame-level check lists every non-empty cell of a failing row: one case per row is enough
    cases = cases.assign(check=cases["check"].astype(str)).drop_duplicates(["check", "column", "index"])
    found = [Finding(table.name, tf.path.name, None, n.column, None, n.reason, n.check, n.severity) for n in tf.notes]
    rules = {r.name: r for r in rules_for(table)}
    for check, group in cases.groupby("check", sort=False):
        found += _findings(table, tf.path.name, frame, rules.get(check), check, group)
    order = {c.name: i for i, c in enumerate(table.columns)}
    return sorted(dict.fromkeys(found), key=lambda f: (f.row or 0, order.get(f.column, -1)))


def _findings(table, file, frame, rule, check, group) -> list[Finding]:
    """The pandera failure cases of one check as findings."""
    if check == "column_in_dataframe":
        severity, reason = CHECKS["required_column"]
        return [Finding(table.name, file, None, str(n), None, f"{reason} {n}", "required_column", severity)
                for n in group["failure_case"]]
    index = pd.to_numeric(group["index"], errors="coerce")
    broken = [Finding(table.name, file, None, rule.column if rule else str(c), None, f"检查无法执行 {e}",
                      rule.check if rule else check, "error")  # the check itself broke: never a pass
              for c, e in zip(group["column"][index.isna()], group["failure_case"][index.isna()])]
    at = index.dropna().astype(np.int64).drop_duplicates().to_numpy()
    if rule is not None:
        column, check_id, reason, shown = rule.column, rule.check, rule.reason, \
            rule.column + "__raw" if rule.shows_raw else rule.column
    elif check == "field_uniqueness":
        column = shown = str(group["column"].iloc[0])
        check_id, reason = "unique_key", CHECKS["unique_key"][1]
    else:
        return broken
    col = table.column(column)
    values = frame[shown].to_numpy(dtype=object, na_value=None)[at]
    if col.personal:
        values = [None if v is None else mask_value(v, col.kind) for v in values]
    rows = frame["_row"].to_numpy()[at]
    return broken + [Finding(table.name, file, int(r), column, v, reason, check_id, CHECKS[check_id][0])
                     for r, v in zip(rows.tolist(), values)]


def check_contract(con: duckdb.DuckDBPyConnection, export: Export) -> list[Finding]:
    """Every data-quality finding of every loaded table, in table order."""
    findings: list[Finding] = []
    for name, tf in export.files.items():
        findings += table_findings(con, schema.TABLES[name], tf)
    # a value of a free-text column may hold a resident ID or a phone number (pipelines.masking)
    return [replace(f, value=mask_text(f.value)) if f.value else f for f in findings]


__all__ = ["Finding", "check_contract", "failing_frame", "table_findings"]
