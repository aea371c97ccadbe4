"""What the human-facing reports are handed: the fields of ``reports.data.ReportData`` as plain
data, gathered here from the audit (rule specs, the clauses their ``basis`` cites, violations,
findings, bidder groups) and the ledger (statuses, resolved rows, trend), so that ``reports``
needs no knowledge of rules, clauses or the ledger and imports only pipelines.schema and
pipelines.sql (DESIGN.md "One-way imports").

Issue #13 items 5 and 6: nothing here fetches the whole violations table into Python. Counts
come from DuckDB as aggregated rows (one per combination of what reports.counts looks at, with
its number), and the violations themselves are a :class:`ViolationRows` — read from DuckDB in
batches each time a writer iterates it, one rule at a time, or only each rule's first records.
"""

from __future__ import annotations

import json

import duckdb

from .clauses import clause_for_basis, load_clauses
from .ledger import STATUS_COLUMNS, LedgerRun, resolved_rows
from .sql import literal, records

#: the violations in report order, numbered, made once per report (a TEMP table: the ledger's
#: uncommitted status columns are visible to it, and every batch is an independent query)
REPORT_TABLE = "report_violations"
BATCH = 5_000
#: reports.counts.WEIGHT (pipelines never import reports): the number of violations an aggregated
#: row stands for (no violation field has this name)
WEIGHT = "n_violations"


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


class ViolationRows:
    """The ``violations`` table as report rows (evidence parsed; with a ledger also status,
    first_seen, runs_open and this_week), in report order — rule, department, record — read
    from DuckDB ``BATCH`` rows at a time whenever it is iterated, so memory does not grow with
    the violation count. ``of_rule`` streams one rule's rows (optionally only its first
    ``limit``); ``where`` streams the rows of a check kind, severity, … (a superset a report then
    judges with reports.counts' own predicates). Each batch is its own query, so a writer may run
    other queries while it iterates."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        present = {d[0] for d in con.execute("SELECT * FROM violations LIMIT 0").description}
        self.columns = ["rule_id", "check", "severity", "table", "record_id", "project_id", "department", "basis",
                        "message", "evidence", "refer_to", "key",
                        *(c for c in ("late_done", *STATUS_COLUMNS) if c in present)]
        select = ", ".join(f'"{c}"' for c in self.columns)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {REPORT_TABLE} AS
            SELECT {select}, row_number() OVER (ORDER BY rule_order, department NULLS LAST, record_id) AS seq,
                   row_number() OVER (PARTITION BY rule_id ORDER BY rule_order, department NULLS LAST, record_id)
                     AS rule_seq
            FROM violations ORDER BY seq""")
        self._len = con.execute(f"SELECT count(*) FROM {REPORT_TABLE}").fetchone()[0]

    def has_column(self, name: str) -> bool:
        return name in self.columns

    def __len__(self) -> int:
        return self._len

    def __iter__(self):
        return self._stream("TRUE")

    def __getitem__(self, index: int) -> dict:
        """One row by position (negative from the end), as a list would give it."""
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        return next(self._stream(f"seq = {index + 1}"))

    def of_rule(self, rule_id: str, limit: int | None = None):
        """One rule's rows in report order; with ``limit`` only its first ``limit``."""
        cond = f"rule_id = {literal(rule_id)}" + (f" AND rule_seq <= {int(limit)}" if limit is not None else "")
        return _Rows(self, cond)

    def where(self, *, checks=(), severities=(), referred: bool = False, confidence: str | None = None):
        """The rows of any of these check kinds or severities, or referred to a body (refer_to not
        empty), or with this evidence confidence; a superset for the report's own predicates."""
        conds = [f'"check" = {literal(c)}' for c in checks] + [f"severity = {literal(s)}" for s in severities]
        if referred:
            conds.append("len(refer_to) > 0")
        if confidence is not None:
            conds.append(f"evidence->>'confidence' = {literal(confidence)}")
        return _Rows(self, " OR ".join(f"({c})" for c in conds) or "FALSE")

    def first(self, limit: int, order_by: str):
        """The first ``limit`` rows by ``order_by`` (an SQL ORDER BY list over the row's columns
        and ``seq``, its place in report order), sorted by DuckDB instead of in Python."""
        select = ", ".join(f'"{c}"' for c in self.columns)
        result = self.con.execute(f"SELECT {select} FROM {REPORT_TABLE} ORDER BY {order_by}, seq LIMIT {int(limit)}")
        return [self._row(row) for row in result.fetchall()]

    def _row(self, row) -> dict:
        v = dict(zip(self.columns, row))
        v["evidence"] = json.loads(v["evidence"]) if v["evidence"] else {}
        return v

    def _stream(self, cond: str):
        select = ", ".join(f'"{c}"' for c in self.columns)
        after = 0
        while True:
            result = self.con.execute(f"""SELECT {select}, seq FROM {REPORT_TABLE}
                                          WHERE seq > {after} AND ({cond}) ORDER BY seq LIMIT {BATCH}""")
            batch = result.fetchall()
            if not batch:
                return
            after = batch[-1][-1]
            for row in batch:
                yield self._row(row)
            if len(batch) < BATCH:
                return


class _Rows:
    """A re-iterable selection of :class:`ViolationRows`."""

    def __init__(self, rows: ViolationRows, cond: str):
        self.rows, self.cond = rows, cond

    def __iter__(self):
        return self.rows._stream(self.cond)


def count_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The violations aggregated on exactly what reports.counts looks at (rule, department,
    severity, status, check kind, basis, late_done, whether the evidence names a ``to`` date and
    its ``confidence``), each row with its number under ``WEIGHT``: counts.py stays the one place
    that decides what is counted, over a few hundred rows instead of every violation."""
    present = {d[0] for d in con.execute("SELECT * FROM violations LIMIT 0").description}
    status = "status" if "status" in present else "NULL"
    late_done = "late_done" if "late_done" in present else "NULL"
    rows = records(con, f"""
        SELECT rule_id, department, severity, {status} AS status, "check", basis, {late_done} AS late_done,
               coalesce(evidence->>'to', '') <> '' AS has_to, evidence->>'confidence' AS confidence,
               count(*) AS {WEIGHT}
        FROM violations GROUP BY ALL ORDER BY min(rule_order), department NULLS LAST, rule_id""")
    for r in rows:
        # the evidence as counts.py reads it: a "to" date or none, and the confidence
        r["evidence"] = {"to": "dated" if r.pop("has_to") else None, "confidence": r.pop("confidence")}
    return rows


def by_department(rows: list[dict]) -> list[tuple[str | None, dict[str, int]]]:
    """department -> rule_id -> number of violations, the department with most first."""
    counts: dict[str | None, dict[str, int]] = {}
    for v in rows:
        per_rule = counts.setdefault(v["department"], {})
        per_rule[v["rule_id"]] = per_rule.get(v["rule_id"], 0) + v.get(WEIGHT, 1)
    return sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))


def report_fields(con: duckdb.DuckDBPyConnection, audit, summary: dict, run: LedgerRun | None = None, *,
                  show_personal_data: bool = False) -> dict:
    """The ReportData fields (all but ``due_soon``, which reports read from their own table)."""
    aggregated = count_rows(con)
    clauses = load_clauses(audit.pack.folder)
    return {
        "summary": summary,
        "rules": rule_rows(audit, summary, clauses),
        "violations": ViolationRows(con),
        "count_rows": aggregated,
        "by_department": by_department(aggregated),
        "findings": audit.findings,
        "groups": audit.groups,
        "kinds": audit.kinds,
        "resolved": resolved_rows(con) if run else [],
        "trend": run.trend if run else [],
        "show_personal_data": show_personal_data,
        "clauses": {c.id: {"id": c.id, "title": c.title, "text": c.text} for c in clauses.values()},
    }
