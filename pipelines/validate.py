"""The export contract run over every loaded table, with dates parsed by the same SQL macro
the rules use (one date parser in the whole program).

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
import pandas as pd

from . import schema
from .contract import Finding, validate_table
from .masking import mask_text
from .reading import Export, canonical_frame


def sql_datetime_parser(con: duckdb.DuckDBPyConnection):
    """A pandas Series of date text -> parsed timestamps, by the ``ggzy_ts`` macro in DuckDB."""

    def parse(values: pd.Series) -> pd.Series:
        frame = pd.DataFrame({"v": values.astype("string")})
        parsed = con.execute("SELECT ggzy_ts(v) AS t FROM frame").df()["t"]
        parsed.index = values.index
        return parsed

    return parse


def check_contract(con: duckdb.DuckDBPyConnection, export: Export) -> list[Finding]:
    """Every data-quality finding of every loaded table, in table order."""
    parse = sql_datetime_parser(con)
    findings: list[Finding] = []
    for name, tf in export.files.items():
        frame = canonical_frame(con, schema.TABLES[name], tf)
        findings += validate_table(frame, schema.TABLES[name], tf.path.name, parse_datetime=parse)
    # a value of a free-text column may hold a resident ID or a phone number (pipelines.masking)
    return [replace(f, value=mask_text(f.value)) if f.value else f for f in findings]


__all__ = ["Finding", "check_contract"]
