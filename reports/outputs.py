"""All outputs of one audit, written into a folder, by format, from what they are handed.

``json`` (violations.jsonl, data_quality.jsonl, summary.json, due_soon.jsonl and, with a ledger,
resolved.jsonl) is what other tools read and is always written; the human-facing formats each
have one writer, registered in ``WRITERS``. Which folder, and when the files count (after the
ledger commits), is pipelines.publish's business; ``pipelines.cli.write_outputs`` puts the two
together.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .data import ReportData
from .due_soon import due_soon_rows, write_due_soon
from .jsonl import write_findings, write_resolved, write_violations, write_violations_parquet
from .groups import write_groups
from .html import write_html
from .markdown import write_report
from .xlsx import write_xlsx
from .docx import write_docx
from .summary import write_summary

#: format name -> writer(data, out_dir) -> Path; the order is the order they are written in
WRITERS = {
    "md": write_report,
    "html": write_html,
    "xlsx": write_xlsx,
    "docx": write_docx,
}
ALL_FORMATS = ("json", *WRITERS)  # written when --format is not given
#: written only when asked for: violations.parquet, the rows of violations.jsonl for analysts' tools
OPTIONAL_FORMATS = ("parquet",)
#: the ledger's columns that violations.jsonl carries with a ledger (pipelines.ledger.STATUS_COLUMNS)
STATUS_FIELDS = ("status", "first_seen", "runs_open", "this_week")


def parse_formats(text: str | None) -> tuple[str, ...]:
    """``"html,md"`` -> ("json", "html", "md"); None -> every format but the optional ones. json is
    always written."""
    if not text:
        return ALL_FORMATS
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    known = ALL_FORMATS + OPTIONAL_FORMATS
    unknown = [f for f in wanted if f not in known]
    if unknown:
        raise ValueError(f"未知输出格式 unknown format: {', '.join(unknown)}; 可用 known: {', '.join(known)}")
    return tuple(dict.fromkeys(["json", *wanted]))


def violations_by_severity(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT severity, count(*) FROM violations GROUP BY 1 ORDER BY 1").fetchall())


def write_machine_outputs(con: duckdb.DuckDBPyConnection, summary: dict, findings: list, groups: list[dict],
                          out_dir: Path, *, ledger: bool = False, parquet: bool = False) -> None:
    """The ``json`` format: violations.jsonl (with the ledger's status columns when ``ledger``),
    data_quality.jsonl, groups.jsonl, due_soon.jsonl (table ``due_soon``, see build_due_soon),
    resolved.jsonl (with a ledger) and summary.json; with ``parquet`` also violations.parquet."""
    write_violations(con, out_dir, extra_fields=STATUS_FIELDS if ledger else ())
    if parquet:
        write_violations_parquet(con, out_dir, extra_fields=STATUS_FIELDS if ledger else ())
    write_findings(findings, out_dir)
    write_groups(groups, out_dir)
    write_due_soon(con, out_dir)
    if ledger:
        write_resolved(con, out_dir)
    write_summary(summary, out_dir)


def write_reports(con: duckdb.DuckDBPyConnection, fields: dict, out_dir: Path,
                  formats: tuple[str, ...] = ALL_FORMATS) -> ReportData | None:
    """The human-facing formats among ``formats``, from the ReportData ``fields`` a pipelines
    module gathered (pipelines.report_data) and the due-soon table; returns the ReportData."""
    human = [f for f in formats if f in WRITERS]
    if not human:
        return None
    data = ReportData(**fields)
    data.due_soon = due_soon_rows(con)
    for name in human:
        WRITERS[name](data, out_dir)
    return data
