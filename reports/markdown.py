"""report.md: the audit in plain Chinese for a person — totals, counts by rule and by
department, then each violation (up to a limit per rule; the rest are in violations.jsonl)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
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


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def render_report(con: duckdb.DuckDBPyConnection, summary: dict) -> str:
    by_dept: dict[str | None, dict[str, int]] = {}
    for row in _rows(con, "SELECT department, rule_id, count(*) AS n FROM violations GROUP BY ALL ORDER BY ALL"):
        by_dept.setdefault(row["department"], {})[row["rule_id"]] = row["n"]
    dept_rules = [r["rule_id"] for r in summary["rules"] if any(r["rule_id"] in c for c in by_dept.values())]
    details = []
    for rule in summary["rules"]:
        if not rule["violated"]:
            continue
        items = _rows(con, """SELECT severity, "table", record_id, project_id, message FROM violations
                              WHERE rule_id = ? ORDER BY department NULLS LAST, record_id LIMIT ?""",
                      (rule["rule_id"], PER_RULE_LIMIT))
        details.append({**rule, "violations": items, "more": max(rule["violated"] - PER_RULE_LIMIT, 0)})
    return _environment().get_template("report.md.j2").render(
        s=summary, by_department=sorted(by_dept.items(), key=lambda kv: -sum(kv[1].values())),
        dept_rules=dept_rules, details=details,
        pending=sum(r["pending"] for r in summary["rules"]),
        not_evaluable=sum(r["not_evaluable"] for r in summary["rules"]))


def write_report(con: duckdb.DuckDBPyConnection, summary: dict, out_dir: Path) -> Path:
    path = Path(out_dir) / "report.md"
    path.write_text(render_report(con, summary), encoding="utf-8")
    return path
