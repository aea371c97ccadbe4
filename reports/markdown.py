"""report.md: the audit in plain Chinese for a person — totals, counts by rule and by
department, then each violation (up to a limit per rule; the rest are in violations.jsonl)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .data import SEVERITY_ZH, ReportData

PER_RULE_LIMIT = 500


def _md(text) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["md"] = _md
    env.filters["severity"] = lambda s: SEVERITY_ZH.get(s, s)
    return env


def render_report(data: ReportData) -> str:
    summary = data.summary
    dept_rules = [r["rule_id"] for r in data.rules if any(r["rule_id"] in c for _, c in data.by_department)]
    details = []
    for rule in data.rules:
        items = [v for v in data.violations if v["rule_id"] == rule["rule_id"]]
        if items:
            details.append({**rule, "violations": items[:PER_RULE_LIMIT], "more": max(len(items) - PER_RULE_LIMIT, 0)})
    return _environment().get_template("report.md.j2").render(
        s=summary, by_department=data.by_department, dept_rules=dept_rules, details=details,
        pending=sum(r["pending"] for r in summary["rules"]),
        not_evaluable=sum(r["not_evaluable"] for r in summary["rules"]),
        due_soon=data.due_soon, resolved=data.resolved, groups=data.groups)


def write_report(data: ReportData, out_dir: Path) -> Path:
    path = Path(out_dir) / "report.md"
    path.write_text(render_report(data), encoding="utf-8")
    return path
