"""Everything a human-facing report shows, gathered once from an audit so that every format
(Markdown, HTML, Excel, Word) tells the same story from the same numbers. The fields are
gathered by pipelines.report_data and handed over as plain data; reports never import the
audit, the rules, the clauses or the ledger."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .counts import Counts, count_violations

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"new": "新增", "open": "持续", "late_done": "逾期已办", "resolved": "已整改"}
THIS_WEEK_ZH = "本周补办"  # a late_done violation with this_week: still open at the previous run


@dataclass
class ReportData:
    summary: dict
    rules: list[dict]  # summary's per-rule counts + title, description, refer_to, clause {id, title, text}
    #: violations rows, evidence parsed, late_done; + status/first_seen/runs_open/this_week with a ledger.
    #: A list, or (from an audit) pipelines.report_data.ViolationRows, which streams them from DuckDB
    #: each time it is iterated: iterate it, take len(); for one rule use :func:`rule_violations`
    violations: list[dict]
    by_department: list[tuple[str | None, dict[str, int]]]  # department -> rule_id -> count, largest first
    findings: list  # pipelines.contract.Finding
    due_soon: list[dict] = field(default_factory=list)  # pending items falling due soon
    resolved: list[dict] = field(default_factory=list)  # violations of the previous run no longer found
    trend: list[dict] = field(default_factory=list)  # with a ledger: one row per run (as_of, counts)
    groups: list[dict] = field(default_factory=list)  # bidder groups (围标串标)
    #: check kind -> its evidence displays ({key, label, type, excel, values}), as the kind declares
    #: them (checks.shown, handed over by whoever builds the report data: reports never import checks)
    kinds: dict[str, list[dict]] = field(default_factory=dict)
    show_personal_data: bool = False
    clauses: dict[str, dict] = field(default_factory=dict)  # clause id -> {id, title, text}, the pack's clauses.yaml
    #: the violations aggregated for reports.counts (each row with its counts.WEIGHT), when the
    #: audit gave them; else the counts are taken from ``violations`` themselves
    count_rows: list[dict] | None = None

    @functools.cached_property
    def counts(self) -> Counts:
        """Every count of the violations (reports.counts); every format shows these and no other."""
        rows = self.count_rows if self.count_rows is not None else self.violations
        return count_violations(rows, [r["rule_id"] for r in self.rules])

    @functools.cached_property
    def ledger(self) -> bool:
        """Whether the violations carry a ledger's status."""
        has_column = getattr(self.violations, "has_column", None)
        if has_column:
            return has_column("status") and len(self.violations) > 0
        return any("status" in v for v in self.violations)

    def rule_violations(self, rule_id: str, limit: int | None = None):
        """One rule's violations in report order (only the first ``limit`` when given), streamed
        from DuckDB when the violations are."""
        of_rule = getattr(self.violations, "of_rule", None)
        if of_rule:
            return of_rule(rule_id, limit)
        rows = [v for v in self.violations if v["rule_id"] == rule_id]
        return rows if limit is None else rows[:limit]

    def violations_where(self, **kinds):
        """A superset of the violations of some check kinds, severities, referred ones or of an
        evidence confidence (pipelines.report_data.ViolationRows.where): the caller still judges
        each with reports.counts' predicates. A list is handed back whole."""
        where = getattr(self.violations, "where", None)
        return where(**kinds) if where else self.violations

    def rule(self, rule_id: str) -> dict:
        return next(r for r in self.rules if r["rule_id"] == rule_id)
