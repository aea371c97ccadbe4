"""All outputs of one audit, written into the output folder, by format.

``json`` (violations.jsonl, data_quality.jsonl, summary.json, due_soon.jsonl and, with a ledger,
resolved.jsonl) is what other tools read and is always written; the human-facing formats each have one writer, registered in ``WRITERS``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.audit import Audit

from pipelines.ledger import STATUS_COLUMNS, LedgerRun, recording, resolved_rows

from .data import ReportData, collect
from .due_soon import DEFAULT_WITHIN, build_due_soon, due_soon_rows, write_due_soon
from .jsonl import write_findings, write_resolved, write_violations
from .groups import write_groups
from .html import write_html
from .markdown import write_report
from .xlsx import write_xlsx
from .docx import write_docx
from .summary import build_summary, write_summary

#: format name -> writer(data, out_dir) -> Path; the order is the order they are written in
WRITERS = {
    "md": write_report,
    "html": write_html,
    "xlsx": write_xlsx,
    "docx": write_docx,
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
                  formats: tuple[str, ...] = ALL_FORMATS, *, ledger: Path | None = None,
                  due_within: int = DEFAULT_WITHIN, show_personal_data: bool = False) -> dict:
    """Write the chosen formats; return the summary.

    With ``ledger`` the run is recorded in that file (pipelines.ledger) before anything is
    written — violations get status/first_seen/runs_open, resolved.jsonl is written — and the
    ledger transaction commits only after every output is written."""
    with recording(con, audit, ledger, options) as run:
        return _write_outputs(con, audit, Path(out_dir), options, formats, run, due_within, show_personal_data)


def _write_outputs(con, audit: Audit, out_dir: Path, options: dict | None, formats: tuple[str, ...],
                   run: LedgerRun | None, due_within: int, show_personal_data: bool) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    due_count = build_due_soon(con, audit, due_within)
    summary = build_summary(audit, violations_by_severity(con), options,
                            ledger=run.summary() if run else None,
                            due_soon={"within_working_days": due_within, "count": due_count})
    write_violations(con, out_dir, extra_fields=STATUS_COLUMNS if run else ())
    write_findings(audit.findings, out_dir)
    write_groups(audit.groups, out_dir)
    write_due_soon(con, out_dir)
    if run:
        write_resolved(con, out_dir)
    else:  # a resolved.jsonl left from an earlier audit with a ledger would not belong to this one
        (out_dir / "resolved.jsonl").unlink(missing_ok=True)
    write_summary(summary, out_dir)
    human = [f for f in formats if f in WRITERS]
    if human:
        data: ReportData = collect(con, audit, summary)
        data.due_soon = due_soon_rows(con)
        data.groups = audit.groups
        if run:
            data.resolved = resolved_rows(con)
            data.trend = run.trend
        data.show_personal_data = show_personal_data
        for name in human:
            WRITERS[name](data, out_dir)
    return summary
