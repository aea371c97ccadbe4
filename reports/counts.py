"""Every number a report shows about the violations, computed in one place.

Issue #10 item 4: the meeting must read the same figure whichever file it opens. The HTML stat
cards, its department chart and table, the Excel summary, the Word briefing, report.md and the
terminal summary all take their counts from :func:`count_violations` — by rule, by department,
by severity (the violation's own severity, which may be lower than its rule's, e.g. a possible
name match), by ledger status — and from nothing else.

A violation is counted once in every breakdown; a department's row adds up to its total, and the
departments add up to the whole.

The rows counted may be violations (dicts as in violations.jsonl) or, at scale (issue #13),
violations aggregated by DuckDB on exactly the fields these predicates read, each carrying how
many violations it stands for under ``WEIGHT`` (pipelines.report_data.count_rows): the same
predicates decide either way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")
WEIGHT = "n_violations"  # on an aggregated row: the number of violations it stands for
NO_DEPARTMENT = "（未注明部门）"


def _evidence(v: dict) -> dict:
    ev = v.get("evidence")
    return ev if isinstance(ev, dict) else {}


def is_deadline(v: dict) -> bool:
    """A violation of a deadline rule (the engine writes every violation's ``check``)."""
    return v.get("check") == "deadline"


def is_overdue_not_done(v: dict) -> bool:
    """A deadline whose required action still has not been done (逾期未办): never done late
    (the ledger's ``late_done``) and no ``to`` date in the evidence."""
    if not is_deadline(v) or v.get("late_done"):
        return False
    return _evidence(v).get("to") in (None, "")


def is_possible_match(v: dict) -> bool:
    """A list match on a person's name only: to be verified, not a confirmed violation."""
    return _evidence(v).get("confidence") == "possible"


def is_lead(v: dict) -> bool:
    """A §40 shared-attribute finding (machine code, MAC, IP, agent, manager, account shared):
    a sign (线索) that 条例第四十条's presumption may apply, for the 评标委员会 or the 行政监督部门
    to verify — never a collusion verdict. §34 (same legal representative) is an eligibility
    rule, not a presumption, and is not a lead."""
    return v.get("check") == "shared_attribute" and "第三十四条" not in str(v.get("basis") or "")


@dataclass
class Tally:
    """Counts of one slice of the violations (all of them, or one department's)."""
    total: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    overdue: int = 0  # 逾期未办
    possible: int = 0  # 疑似匹配，待核实
    leads: int = 0  # §40 线索，待核实

    def add(self, v: dict) -> None:
        n = v.get(WEIGHT, 1)
        self.total += n
        self.by_severity[v.get("severity") or "error"] += n
        self.by_rule[v["rule_id"]] += n
        if v.get("status"):
            self.by_status[v["status"]] += n
        self.overdue += n * is_overdue_not_done(v)
        self.possible += n * is_possible_match(v)
        self.leads += n * is_lead(v)

    def get(self, key: str) -> int:
        """One figure by name: total, overdue, possible, leads, a severity or a status."""
        if key in ("total", "overdue", "possible", "leads"):
            return getattr(self, key)
        return self.by_severity.get(key, 0) or self.by_status.get(key, 0)


@dataclass
class DepartmentTally(Tally):
    name: str = NO_DEPARTMENT  # as shown; the violations' department, or NO_DEPARTMENT
    department: str | None = None  # the violations' own value (None when not given)


@dataclass
class Counts:
    whole: Tally
    departments: list[DepartmentTally]  # most violations first, then most errors, then by name
    rule_order: list[str]  # rule ids in pack order, every rule with a violation included

    @property
    def total(self) -> int:
        return self.whole.total

    def severity(self, name: str) -> int:
        return self.whole.by_severity.get(name, 0)

    def status(self, name: str) -> int:
        return self.whole.by_status.get(name, 0)

    def rule(self, rule_id: str) -> int:
        return self.whole.by_rule.get(rule_id, 0)

    @property
    def rules_with_violations(self) -> list[str]:
        return [r for r in self.rule_order if self.whole.by_rule.get(r)]

    def department(self, name: str | None) -> DepartmentTally | None:
        return next((d for d in self.departments if d.department == name or d.name == name), None)


def count_violations(violations: list[dict], rule_order: list[str] | None = None) -> Counts:
    """All counts of ``violations`` (dicts as in violations.jsonl; status/late_done when a ledger
    ran; or aggregated rows with their ``WEIGHT``). ``rule_order``: the pack's rule ids, so tables
    list rules in the pack's order."""
    whole = Tally()
    by_dept: dict[str | None, DepartmentTally] = {}
    for v in violations:
        whole.add(v)
        dept = v.get("department") or None
        if dept not in by_dept:
            by_dept[dept] = DepartmentTally(name=dept or NO_DEPARTMENT, department=dept)
        by_dept[dept].add(v)
    order = list(rule_order or [])
    order += [r for r in whole.by_rule if r not in order]
    departments = sorted(by_dept.values(), key=lambda d: (-d.total, -d.by_severity.get("error", 0), d.name))
    return Counts(whole=whole, departments=departments, rule_order=order)


STATUS_HEADERS = {"new": "新增", "open": "持续", "late_done": "逾期已办"}


def department_columns(counts: Counts) -> list[tuple[str, str]]:
    """The department table's columns in every format: (Chinese header, Tally.get key); the
    ledger's statuses only when a ledger ran."""
    columns = [("合计", "total"), ("错误", "error"), ("警告", "warning"), ("提示", "info"), ("逾期未办", "overdue"),
               ("疑似待核实", "possible"), ("线索待核实", "leads")]
    return columns + [(h, k) for k, h in STATUS_HEADERS.items() if k in counts.whole.by_status]
