"""What the human-facing reports are handed: the fields of ``reports.data.ReportData`` as plain
data, gathered here from the audit (rule specs, the clauses their ``basis`` cites, violations,
findings, bidder groups) and the ledger (statuses, resolved rows, trend), so that ``reports``
needs no knowledge of rules, clauses or the ledger and imports only pipelines.schema and
pipelines.sql (DESIGN.md "One-way imports").
"""

from __future__ import annotations

import json

import duckdb

from .clauses import clause_for_basis, load_clauses
from .ledger import STATUS_COLUMNS, LedgerRun, resolved_rows
from .sql import records


def rule_rows(audit, summary: dict, clauses: dict) -> list[dict]:
    """summary.json's per-rule counts, each with its rule's title, description, refer_to and the
    clause it cites ({id, title, text} or None)."""
    specs = {r.id: r.spec for r in audit.pack.rules}
    rows = []
    for r in summary["rules"]:
        spec = specs[r["rule_id"]]
        clause = clause_for_basis(spec.basis, clauses)
        rows.append({**r, "description": spec.description.strip(), "refer_to": list(spec.refer_to),
                     "clause": clause and {"id": clause.id, "title": clause.title, "text": clause.text}})
    return rows


def violation_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The ``violations`` table, evidence parsed, in report order; with a ledger each row also has
    status, first_seen, runs_open and this_week (pipelines.ledger_status)."""
    present = {d[0] for d in con.execute("SELECT * FROM violations LIMIT 0").description}
    extra = [c for c in ("late_done", *STATUS_COLUMNS) if c in present]
    rows = records(con, f"""
        SELECT rule_id, "check", severity, "table", record_id, project_id, department, basis, message,
               evidence, refer_to, "key" {''.join(', ' + c for c in extra)}
        FROM violations ORDER BY rule_order, department NULLS LAST, record_id""")
    for v in rows:
        v["evidence"] = json.loads(v["evidence"]) if v["evidence"] else {}
    return rows


def by_department(violations: list[dict]) -> list[tuple[str | None, dict[str, int]]]:
    """department -> rule_id -> number of violations, the department with most first."""
    counts: dict[str | None, dict[str, int]] = {}
    for v in violations:
        per_rule = counts.setdefault(v["department"], {})
        per_rule[v["rule_id"]] = per_rule.get(v["rule_id"], 0) + 1
    return sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))


def report_fields(con: duckdb.DuckDBPyConnection, audit, summary: dict, run: LedgerRun | None = None, *,
                  show_personal_data: bool = False) -> dict:
    """The ReportData fields (all but ``due_soon``, which reports read from their own table)."""
    violations = violation_rows(con)
    clauses = load_clauses(audit.pack.folder)
    return {
        "summary": summary,
        "rules": rule_rows(audit, summary, clauses),
        "violations": violations,
        "by_department": by_department(violations),
        "findings": audit.findings,
        "groups": audit.groups,
        "kinds": audit.kinds,
        "resolved": resolved_rows(con) if run else [],
        "trend": run.trend if run else [],
        "show_personal_data": show_personal_data,
        "clauses": {c.id: {"id": c.id, "title": c.title, "text": c.text} for c in clauses.values()},
    }
