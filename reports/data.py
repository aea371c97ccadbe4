"""Everything a human-facing report shows, gathered once from an audit so that every format
(Markdown, HTML, Excel, Word) tells the same story from the same numbers."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import duckdb

from pipelines.audit import Audit
from pipelines.clauses import clause_for_basis, load_clauses
from pipelines.sql import records

from .counts import Counts, count_violations

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"new": "新增", "open": "持续", "late_done": "逾期已办", "resolved": "已整改"}


@dataclass
class ReportData:
    summary: dict
    rules: list[dict]  # summary's per-rule counts + title, description, refer_to, clause {id, title, text}
    violations: list[dict]  # violations rows, evidence parsed; + status/first_seen/runs_open with a ledger
    by_department: list[tuple[str | None, dict[str, int]]]  # department -> rule_id -> count, largest first
    findings: list  # pipelines.contract.Finding
    due_soon: list[dict] = field(default_factory=list)  # pending items falling due soon
    resolved: list[dict] = field(default_factory=list)  # violations of the previous run no longer found
    trend: list[dict] = field(default_factory=list)  # with a ledger: one row per run (as_of, counts)
    groups: list[dict] = field(default_factory=list)  # bidder groups (围标串标)
    show_personal_data: bool = False

    @functools.cached_property
    def counts(self) -> Counts:
        """Every count of the violations (reports.counts); every format shows these and no other."""
        return count_violations(self.violations, [r["rule_id"] for r in self.rules])

    def rule(self, rule_id: str) -> dict:
        return next(r for r in self.rules if r["rule_id"] == rule_id)


def collect(con: duckdb.DuckDBPyConnection, audit: Audit, summary: dict) -> ReportData:
    clauses = load_clauses(audit.pack.folder)
    specs = {r.id: r.spec for r in audit.pack.rules}
    rules = []
    for r in summary["rules"]:
        spec = specs[r["rule_id"]]
        clause = clause_for_basis(spec.basis, clauses)
        rules.append({**r, "description": spec.description.strip(), "refer_to": list(spec.refer_to),
                      "clause": clause and {"id": clause.id, "title": clause.title, "text": clause.text}})
    extra = [c for c in ("status", "first_seen", "runs_open") if c in _columns(con, "violations")]
    violations = records(con, f"""
        SELECT rule_id, severity, "table", record_id, project_id, department, basis, message,
               evidence, refer_to, "key" {''.join(', ' + c for c in extra)}
        FROM violations ORDER BY rule_order, department NULLS LAST, record_id""")
    for v in violations:
        v["evidence"] = json.loads(v["evidence"]) if v["evidence"] else {}
    by_dept: dict[str | None, dict[str, int]] = {}
    for v in violations:
        counts = by_dept.setdefault(v["department"], {})
        counts[v["rule_id"]] = counts.get(v["rule_id"], 0) + 1
    return ReportData(summary=summary, rules=rules, violations=violations,
                      by_department=sorted(by_dept.items(), key=lambda kv: -sum(kv[1].values())),
                      findings=audit.findings)


def _columns(con, table: str) -> set[str]:
    return {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
