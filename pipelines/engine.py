"""Running a rule pack over a loaded export, inside DuckDB.

For each rule the engine builds a source view (the rule's table after its ``where`` filter,
with the record id, project id, responsible department and the project's columns beside each
record), lets the check kind compile its outcome query over that view, counts the outcomes
and appends the violations — message rendered in SQL from the rule's template — to the
``violations`` table. Nothing here loops over records in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from checks.base import Context, RuleSpec

from . import schema
from .masking import masked_sql
from .reading import Export
from .rules import RECORD_FIELDS, Rule
from .sql import ident, in_list, literal

SOURCE = "rule_source"
OUTCOME = "rule_outcome"

VIOLATIONS_DDL = """
CREATE OR REPLACE TABLE violations (
    rule_id VARCHAR, severity VARCHAR, "table" VARCHAR, record_id VARCHAR, project_id VARCHAR,
    department VARCHAR, basis VARCHAR, message VARCHAR, evidence JSON, refer_to VARCHAR[],
    rule_order INTEGER, "key" VARCHAR);
CREATE OR REPLACE TABLE outcomes (
    rule_id VARCHAR, record_id VARCHAR, project_id VARCHAR, department VARCHAR,
    outcome VARCHAR, reason VARCHAR, evidence JSON)
"""


@dataclass
class RuleResult:
    """What one rule found, for summary.json: counts by outcome and why records were not evaluable."""

    rule_id: str
    title: str
    severity: str
    basis: str
    table: str
    evaluated: bool = True
    not_evaluated_reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def checked(self) -> int:
        return sum(n for o, n in self.counts.items() if o != "not_applicable")


def _sql_type(column: schema.Column) -> str:
    return {"datetime": "TIMESTAMP", "bool": "BOOLEAN", "number": "DECIMAL(20, 2)"}.get(column.kind, "VARCHAR")


def create_missing_tables(con: duckdb.DuckDBPyConnection, export: Export) -> None:
    """An empty typed table for each table the export lacks, so every rule's SQL binds."""
    for name in export.missing_tables:
        cols = ["_row BIGINT"]
        for column in schema.TABLES[name].loaded_columns:
            cols.append(f"{ident(column.name)} {_sql_type(column)}")
            if column.kind in ("datetime", "bool", "number"):
                cols.append(f"{ident(column.name + '__raw')} VARCHAR")
        con.execute(f"CREATE OR REPLACE TABLE {ident(name)} ({', '.join(cols)})")


def _column_sql(column: str) -> str:
    """A column of the rule's table (``t``) or, written ``project.<column>``, of its project (``p``)."""
    return f"p.{ident(column[len('project.'):])}" if column.startswith("project.") else f"t.{ident(column)}"


def condition_sql(column: str, cond) -> list[str]:
    """SQL predicates (over alias ``t``) for one column's ``where`` condition; shared with
    kinds that filter a matched table the same way (``coverage``)."""
    col = _column_sql(column)
    parts = []
    if cond.in_ is not None:
        parts.append(in_list(col, cond.in_))
    if cond.not_in is not None:
        parts.append(f"NOT coalesce({in_list(col, cond.not_in)}, FALSE)")
    if cond.equals is not None:
        parts.append(f"{col} = {literal(cond.equals)}")
    if cond.present is not None:
        parts.append(f"{col} IS {'NOT ' if cond.present else ''}NULL")
    if cond.differs_from is not None:
        parts.append(f"{col} IS DISTINCT FROM {_column_sql(cond.differs_from)}")
    return parts


def source_view_sql(spec: RuleSpec) -> str:
    """The rule's records with their context columns, after the ``where`` filter."""
    table = spec.schema_table
    has_project = table.has("project_id") and table.name != "projects"
    own = [spec.department] if isinstance(spec.department, str) else (spec.department or [])
    own_dept = ", ".join(_column_sql(c) for c in own) if own else (
        "t.department" if table.has("department") else "NULL")
    project_dept = "p.department" if has_project else ("t.department" if table.name == "projects" else "NULL")
    columns = [
        "t.*",
        f"CAST(t.{ident(table.key)} AS VARCHAR) AS _record_id",
        f"CAST({'t.project_id' if table.has('project_id') else 'NULL'} AS VARCHAR) AS _project_id",
        f"coalesce({own_dept}, {project_dept}) AS _department",
    ]
    joins = ""
    if has_project:
        columns += [f"p.{ident(n)} AS {ident('project.' + n)}" for c in schema.TABLES["projects"].loaded_columns
                    for n in (c.name, c.name + "__raw")[:2 if c.kind in ("datetime", "bool", "number") else 1]]
        joins = "LEFT JOIN (SELECT DISTINCT ON (project_id) * FROM projects) p ON p.project_id = t.project_id"
    where = [p for column, cond in spec.where.items() for p in condition_sql(column, cond)]
    return (f"SELECT {', '.join(columns)} FROM {ident(table.name)} t {joins} "
            f"WHERE {' AND '.join(where) if where else 'TRUE'}")


def _format(expr: str, kind: str) -> str:
    if kind == "datetime":
        return f"strftime(CAST({expr} AS DATE), '%Y-%m-%d')"
    return f"CAST({expr} AS VARCHAR)"


@dataclass(frozen=True)
class Identity:
    """Where a rule's outcome rows get their record id, project and department from.

    A record-level kind (one outcome per source record) joins back to the source view by
    ``_row``. A grouped kind (``GROUPED = True``: one finding per lot and shared value, say)
    gives ``_record_id``, ``_project_id``, ``_department`` (NULL: the project's) and ``_key``
    (what tells two findings on one record apart) itself."""

    source: str
    record: str
    project: str
    department: str
    key: str


def identity(rule: Rule) -> Identity:
    if getattr(rule.kind, "GROUPED", False):
        return Identity(f"{OUTCOME} o LEFT JOIN (SELECT DISTINCT ON (project_id) project_id, department "
                        "FROM projects) p ON p.project_id = o._project_id",
                        "o._record_id", "o._project_id", "coalesce(o._department, p.department)",
                        "coalesce(o._key, o._record_id)")
    return Identity(f"{OUTCOME} o JOIN {SOURCE} s USING (_row)", "s._record_id", "s._project_id",
                    "s._department", "s._record_id")


def message_sql(rule: Rule) -> str:
    """The rule's message template as one SQL string expression over ``o`` (outcome) and ``s`` (source)."""
    who = identity(rule)
    record_fields = {"record_id": who.record, "project_id": who.project, "department": who.department}
    parts = []
    for text, name in rule.template:
        if text:
            parts.append(literal(text))
        if name is None:
            continue
        if name in rule.kind.FIELDS:
            column, kind = rule.kind.FIELDS[name]
            expr = _format(f"o.{ident(column)}", kind)
        elif name in RECORD_FIELDS:
            expr = record_fields[name]
        else:
            expr = _format(f"s.{ident(name)}", schema.column(rule.spec.table, name).kind)
        parts.append(f"coalesce({expr}, '（空）')")
    return "concat(" + ", ".join(parts or ["''"]) + ")"


def _not_evaluated(rule: Rule, export: Export) -> str | None:
    """Why a rule cannot run at all on this export (a table or a column it needs is absent)."""
    spec = rule.spec
    for name in [spec.table, *spec.tables_used()]:
        if not export.has(name):
            return f"缺少数据表 {name}（{schema.TABLES[name].chinese}）/ table missing"
    missing = export.files[spec.table].missing_columns
    required = [c.name for c in spec.schema_table.columns if c.required]  # the key and the ★ columns
    needed = dict.fromkeys([*required, *spec.columns_used()])
    absent = [c for c in needed if not c.startswith("project.") and c in missing]
    if absent:
        labels = "、".join(f"{c}（{schema.column(spec.table, c).label}）" for c in absent)
        return f"数据表 {spec.table} 缺少列 {labels} / column missing"
    return None


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule, order: int, export: Export,
             as_of: dt.date, calendar_last_year: int | None) -> RuleResult:
    spec = rule.spec
    result = RuleResult(spec.id, spec.title, spec.severity, spec.basis, spec.table)
    reason = _not_evaluated(rule, export)
    if reason:
        result.evaluated, result.not_evaluated_reason = False, reason
        return result
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS {source_view_sql(spec)}")
    if hasattr(rule.kind, "prepare"):  # a kind's one-off preparation, e.g. notice text
        rule.kind.prepare(con, export)
    ctx = Context(source=SOURCE, as_of=as_of, rule=spec, calendar_last_year=calendar_last_year)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {OUTCOME} AS {rule.kind.compile(spec, ctx)}")
    for outcome, why, count in con.execute(
            f"SELECT outcome, reason, count(*) FROM {OUTCOME} GROUP BY ALL ORDER BY 3 DESC").fetchall():
        result.counts[outcome] = result.counts.get(outcome, 0) + count
        if outcome == "not_evaluable":
            result.reasons[why or "原因未知"] = count
    who = identity(rule)
    con.execute(f"""
        INSERT INTO outcomes
        SELECT {literal(spec.id)}, {who.record}, {who.project}, {who.department}, o.outcome, o.reason,
               IF(o.outcome = 'pending', {masked_sql('o.evidence', is_json=True)}, NULL)
        FROM {who.source}""")
    refer = "[" + ", ".join(literal(x) for x in spec.refer_to) + "]::VARCHAR[]"
    con.execute(f"""
        INSERT INTO violations
        SELECT {literal(spec.id)}, coalesce(o.severity, {literal(spec.severity)}), {literal(spec.table)},
               {who.record}, {who.project}, {who.department}, {literal(spec.basis)},
               {masked_sql(message_sql(rule))}, {masked_sql('o.evidence', is_json=True)}, {refer}, {order}, {who.key}
        FROM {who.source}
        WHERE o.outcome = 'violated'""")
    return result


def run_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule], export: Export, as_of: dt.date,
              calendar_last_year: int | None = None, progress=None) -> list[RuleResult]:
    """Run ``rules`` in order; violations land in the ``violations`` table and every judged
    record's outcome in ``outcomes`` (pending ones with their evidence, for due-soon lists)."""
    create_missing_tables(con, export)
    con.execute(VIOLATIONS_DDL)
    results = []
    for order, rule in enumerate(rules):
        if progress:
            progress(f"规则 {rule.id}")
        results.append(run_rule(con, rule, order, export, as_of, calendar_last_year))
    return results
