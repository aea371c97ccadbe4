"""All outputs of one audit, written into the output folder."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.audit import Audit

from .jsonl import write_findings, write_violations
from .markdown import write_report
from .summary import build_summary, write_summary


def violations_by_severity(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT severity, count(*) FROM violations GROUP BY 1 ORDER BY 1").fetchall())


def write_outputs(con: duckdb.DuckDBPyConnection, audit: Audit, out_dir: Path, options: dict | None = None) -> dict:
    """Write violations.jsonl, data_quality.jsonl, summary.json and report.md; return the summary."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = build_summary(audit, violations_by_severity(con), options)
    write_violations(con, out_dir)
    write_findings(audit.findings, out_dir)
    write_summary(summary, out_dir)
    write_report(con, summary, out_dir)
    return summary
