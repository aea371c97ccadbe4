"""report.md: the audit in plain Chinese for a person — totals, counts by rule and by
department, then each violation (up to a limit per rule; the rest are in violations.jsonl)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from pipelines import schema

from .counts import department_columns
from .data import SEVERITY_ZH, STATUS_ZH, ReportData
from .text import md_inline, one_line

PER_RULE_LIMIT = 500


def _finalize(value):
    """Every value the template prints stays on its line (md_inline escapes data further)."""
    return one_line(value) if isinstance(value, str) else value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                             finalize=_finalize)
    env.filters["md"] = md_inline
    env.filters["severity"] = lambda s: SEVERITY_ZH.get(s, s)
    env.filters["status"] = lambda s: STATUS_ZH.get(s, s)
    env.filters["table_zh"] = lambda n: schema.TABLES[n].chinese if n in schema.TABLES else md_inline(n or "")
    return env


def render_report(data: ReportData) -> str:
    summary = data.summary
    details = []
    for rule in data.rules:  # each rule's first PER_RULE_LIMIT only, from DuckDB when streamed (issue #13)
        items = list(data.rule_violations(rule["rule_id"], PER_RULE_LIMIT))
        if items:
            total = data.counts.rule(rule["rule_id"])
            details.append({**rule, "violations": items, "more": max(total - len(items), 0)})
    return _environment().get_template("report.md.j2").render(
        s=summary, c=data.counts, dept_columns=department_columns(data.counts), details=details,
        titles={r["rule_id"]: r.get("title") or r["rule_id"] for r in data.rules}, n_findings=len(data.findings),
        pending=sum(r["pending"] for r in summary["rules"]),
        not_evaluable=sum(r["not_evaluable"] for r in summary["rules"]),
        due_soon=data.due_soon, resolved=data.resolved, groups=data.groups)


def write_report(data: ReportData, out_dir: Path) -> Path:
    path = Path(out_dir) / "report.md"
    path.write_text(render_report(data), encoding="utf-8")
    return path
