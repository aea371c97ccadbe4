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

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow

from . import schema
from .contract import CHECKS, Finding, contract_for, failing_rows_sql, mask_value, rules_for
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
        contract_for(table, present).validate(frame, lazy=True)
        cases = pd.DataFrame(columns=["check", "column", "failure_case", "index"])
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    rules = {r.name: r for r in rules_for(table)}
    found = [_finding(table, tf, frame, rules, case) for case in cases.itertuples(index=False)]
    found += [Finding(table.name, tf.path.name, None, n.column, None, n.reason, n.check, n.severity)
              for n in tf.notes]
    order = {c.name: i for i, c in enumerate(table.columns)}
    unique = list(dict.fromkeys(f for f in found if f is not None))
    return sorted(unique, key=lambda f: (f.row or 0, order.get(f.column, -1)))


def _finding(table, tf, frame, rules, case) -> Finding | None:
    """One pandera failure case as a finding (None for the extra cells pandera lists of a row
    a frame-level rule already reported)."""
    file, check, index = tf.path.name, str(case.check), case.index
    if check == "column_in_dataframe":
        name = str(case.failure_case)
        return Finding(table.name, file, None, name, None, f"{CHECKS['required_column'][1]} {name}",
                       "required_column", CHECKS["required_column"][0])
    rule = rules.get(check)
    if index is None or (isinstance(index, float) and np.isnan(index)):  # the check itself broke
        column = rule.column if rule else case.column
        return Finding(table.name, file, None, column, None, f"检查无法执行 {case.failure_case}",
                       rule.check if rule else check, "error")
    at = int(index)
    if rule is not None:
        column, check_id, reason = rule.column, rule.check, rule.reason
        shown = frame.at[at, column + "__raw"] if rule.shows_raw else frame.at[at, column]
    elif check == "field_uniqueness":
        column, check_id, reason, shown = str(case.column), "unique_key", CHECKS["unique_key"][1], frame.at[at, str(case.column)]
    else:
        return None
    col = table.column(column)
    value = None if pd.isna(shown) else str(shown)
    if col.personal and value is not None:
        value = mask_value(value, col.kind)
    return Finding(table.name, file, int(frame.at[at, "_row"]), column, value, reason, check_id, CHECKS[check_id][0])


def check_contract(con: duckdb.DuckDBPyConnection, export: Export) -> list[Finding]:
    """Every data-quality finding of every loaded table, in table order."""
    findings: list[Finding] = []
    for name, tf in export.files.items():
        findings += table_findings(con, schema.TABLES[name], tf)
    return findings


__all__ = ["Finding", "check_contract", "failing_frame", "table_findings"]
