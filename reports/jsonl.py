"""violations.jsonl and data_quality.jsonl: the machine-readable outputs other tools rely on
(EXPORT-V1 "What an audit writes"). DuckDB writes them straight from its tables."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import duckdb

from pipelines.sql import literal

VIOLATION_FIELDS = ("rule_id", '"check"', "severity", '"table"', "record_id", "project_id", "department",
                    "basis", "message", "evidence", "refer_to")
SEVERITY_ORDER = "CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"


def write_violations(con: duckdb.DuckDBPyConnection, out_dir: Path, extra_fields: tuple[str, ...] = ()) -> Path:
    """One JSON object per violation, in rule order, then department and record."""
    path = Path(out_dir) / "violations.jsonl"
    fields = ", ".join(VIOLATION_FIELDS + extra_fields)
    con.execute(f"""COPY (SELECT {fields} FROM violations
                          ORDER BY rule_order, {SEVERITY_ORDER}, department NULLS LAST, record_id)
                    TO {literal(str(path))} (FORMAT json)""")
    if not path.exists():  # DuckDB writes nothing for an empty result on some versions
        path.write_text("", encoding="utf-8")
    return path


def write_violations_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path, extra_fields: tuple[str, ...] = ()) -> Path:
    """violations.parquet (``--format parquet``, not written by default): the same rows and
    fields as violations.jsonl, in the same order, evidence as JSON text, streamed by DuckDB."""
    path = Path(out_dir) / "violations.parquet"
    fields = ", ".join(VIOLATION_FIELDS + extra_fields)
    con.execute(f"""COPY (SELECT {fields} FROM violations
                          ORDER BY rule_order, {SEVERITY_ORDER}, department NULLS LAST, record_id)
                    TO {literal(str(path))} (FORMAT parquet)""")
    return path


def write_findings(findings, out_dir: Path) -> Path:
    """The export contract's findings (values already masked), one JSON object each."""
    path = Path(out_dir) / "data_quality.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for finding in findings:
            handle.write(json.dumps(asdict(finding), ensure_ascii=False) + "\n")
    return path


RESOLVED_FIELDS = ("rule_id", "record_id", "first_seen", "resolved_as_of", "last_seen", "last_status", '"key"', '"table"',
                   "project_id", "department", "severity", "basis", "message")


def write_resolved(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """resolved.jsonl (with a ledger): the previous run's violations this run no longer finds
    (table ``resolved_violations``, made by pipelines.ledger)."""
    path = Path(out_dir) / "resolved.jsonl"
    con.execute(f"""COPY (SELECT {', '.join(RESOLVED_FIELDS)} FROM resolved_violations
                          ORDER BY rule_order, department NULLS LAST, record_id)
                    TO {literal(str(path))} (FORMAT json)""")
    if not path.exists():
        path.write_text("", encoding="utf-8")
    return path
