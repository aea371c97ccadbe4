"""All outputs of one audit, written into the output folder, by format.

``json`` (violations.jsonl, data_quality.jsonl, summary.json) is what other tools read and is
always written; the human-facing formats each have one writer, registered in ``WRITERS``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.audit import Audit

from .data import ReportData, collect
from .jsonl import write_findings, write_violations
from .markdown import write_report
from .summary import build_summary, write_summary

#: format name -> writer(data, out_dir) -> Path; the order is the order they are written in
WRITERS = {
    "md": write_report,
}
ALL_FORMATS = ("json", *WRITERS)


def parse_formats(text: str | None) -> tuple[str, ...]:
    """``"html,md"`` -> ("json", "html", "md"); None -> every format. json is always written."""
    if not text:
        return ALL_FORMATS
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in ALL_FORMATS]
    if unknown:
        raise ValueError(f"未知输出格式 unknown format: {', '.join(unknown)}; 可用 known: {', '.join(ALL_FORMATS)}")
    return tuple(dict.fromkeys(["json", *wanted]))


def violations_by_severity(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT severity, count(*) FROM violations GROUP BY 1 ORDER BY 1").fetchall())


def write_outputs(con: duckdb.DuckDBPyConnection, audit: Audit, out_dir: Path, options: dict | None = None,
                  formats: tuple[str, ...] = ALL_FORMATS) -> dict:
    """Write the chosen formats; return the summary."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = build_summary(audit, violations_by_severity(con), options)
    write_violations(con, out_dir)
    write_findings(audit.findings, out_dir)
    write_summary(summary, out_dir)
    human = [f for f in formats if f in WRITERS]
    if human:
        data: ReportData = collect(con, audit, summary)
        for name in human:
            WRITERS[name](data, out_dir)
    return summary
