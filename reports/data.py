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
    violations: list[dict]  # violations rows, evidence parsed, late_done; + status/first_seen/runs_open/this_week with a ledger
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

    @functools.cached_property
    def counts(self) -> Counts:
        """Every count of the violations (reports.counts); every format shows these and no other."""
        return count_violations(self.violations, [r["rule_id"] for r in self.rules])

    def rule(self, rule_id: str) -> dict:
        return next(r for r in self.rules if r["rule_id"] == rule_id)
