"""Running a rule pack over a loaded export, inside DuckDB.

For each rule the engine builds a source view (the rule's table after its ``where`` filter,
with the record id, project id, responsible department and the project's columns beside each
record), runs the preparations the kind names, lets the kind compile its outcome query over
that view, counts the outcomes and appends the violations — message rendered in SQL from the
rule's template — to the ``violations`` table. Nothing here loops over records in Python.

Like dbt's test wrapper, the engine applies what holds for every kind, once:

* every violation and outcome row carries ``check``, the rule's kind;
* a rule runs only when its table, the tables its kind names, and — for any ``project.<column>``
  it reads — ``projects`` are there; else it is not evaluated, with a reason (``table_missing``,
  ``column_missing``);
* a record keeps a reason only when it is not evaluable (and always has one then);
* a record's severity is the kind's override, else the rule's.

Reasons are data (``checks.base.reason``): ``{"code", "text", ...params}``; :class:`RuleResult`
holds them as dicts, counted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb

import checks
from checks.base import Context, RuleSpec, column_sql, condition_sql

from . import schema, scope
from .bidders import prepare_bidder_keys
from .masking import masked_sql
from .notice_text import prepare_notice_text
from .reading import Export
from .rules import RECORD_FIELDS, Rule
from .sql import ident, literal

SOURCE = "rule_source"
OUTCOME = "rule_outcome"
#: one row per project (the first of duplicated ids), made once per audit: every rule's source view
#: and every grouped kind's identity join it instead of de-duplicating ``projects`` again
PROJECTS = "rule_projects"

VIOLATIONS_DDL = """
CREATE OR REPLACE TABLE violations (
    rule_id VARCHAR, "check" VARCHAR, severity VARCHAR, "table" VARCHAR, record_id VARCHAR, project_id VARCHAR,
    department VARCHAR, basis VARCHAR, message VARCHAR, evidence JSON, refer_to VARCHAR[],
    rule_order INTEGER, "key" VARCHAR, late_done BOOLEAN);
CREATE OR REPLACE TABLE outcomes (
    rule_id VARCHAR, "check" VARCHAR, record_id VARCHAR, project_id VARCHAR, department VARCHAR,
    outcome VARCHAR, reason JSON, evidence JSON)
"""

#: the preparations a kind may name (checks.PREPARATIONS), each run once per export
PREPARATIONS = {"notice_text": prepare_notice_text, "bidders": prepare_bidder_keys}
#: the reason of a not-evaluable record whose kind gave none
UNKNOWN_REASON = {"code": "unknown", "text": "原因未知"}


@dataclass
class RuleResult:
    """What one rule found, for summary.json: counts by outcome and why records were not evaluable.

    ``not_evaluated``: why the rule did not run at all (a reason dict), else None; ``reasons``:
    every distinct reason of the not-evaluable records, with ``count``, most frequent first."""

    rule_id: str
    title: str
    severity: str
    basis: str
    table: str
    check: str = ""
    not_evaluated: dict | None = None
    counts: dict[str, int] = field(default_factory=dict)
    reasons: list[dict] = field(default_factory=list)

    @property
    def evaluated(self) -> bool:
        return self.not_evaluated is None

    @property
    def not_evaluated_reason(self) -> str | None:
        """The Chinese text of why the rule did not run."""
        return self.not_evaluated["text"] if self.not_evaluated else None
    # a kind that checks a record in parts (listed_party: each party) says, per part, what the
    # export's columns let it check and what not: [{part, label, checked_by, not_checked}]
    parts: list[dict] = field(default_factory=list)

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


def source_view_sql(spec: RuleSpec) -> str:
    """The rule's records with their context columns, after the ``where`` filter."""
    table = spec.schema_table
    has_project = table.has("project_id") and table.name != "projects"
    own = [spec.department] if isinstance(spec.department, str) else (spec.department or [])
    own_dept = ", ".join(column_sql(c) for c in own) if own else (
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
        joins = f"LEFT JOIN {PROJECTS} p ON p.project_id = t.project_id"
    where = [p for column, cond in spec.where.items() for p in condition_sql(column, cond, table.name)]
    where += scope.source_filter(spec)  # the statute's trade types and 依法必须招标 (pipelines.scope)
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
    (what tells two findings on one record apart) itself. ``join`` follows the kind's outcome
    (``o``); ``found``: whether the outcome row has its record (a record kind's inner join)."""

    join: str
    found: str
    record: str
    project: str
    department: str
    key: str


def identity(rule: Rule) -> Identity:
    if rule.kind.GROUPED:
        return Identity(f"LEFT JOIN {PROJECTS} p ON p.project_id = o._project_id", "TRUE",
                        "o._record_id", "o._project_id", "coalesce(o._department, p.department)",
                        "coalesce(o._key, o._record_id)")
    return Identity(f"LEFT JOIN {SOURCE} s ON s._row = o._row", "s._row IS NOT NULL", "s._record_id", "s._project_id",
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


def tables_needed(spec: RuleSpec) -> list[str]:
    """The rule's table, the tables its kind names, and ``projects`` when the kind's parameters
    read a ``project.`` column (a ``where`` or ``department`` on one is a filter or a fallback that
    works without projects: ``not_in`` keeps a record whose project is unknown)."""
    judged = [c for loc, c in spec.column_refs().items() if loc[0] not in ("where", "department")]
    projects = ["projects"] if any(c.startswith("project.") for c in judged) else []
    return list(dict.fromkeys([spec.table, *spec.tables_used(), *projects]))


def not_evaluated(spec: RuleSpec, export: Export) -> dict | None:
    """Why a rule cannot run at all on this export (a table or a column it needs is absent), as a
    reason dict (``table_missing`` {table}, ``column_missing`` {table, columns}), else None."""
    for name in tables_needed(spec):
        if not export.has(name):
            return {"code": "table_missing", "table": name,
                    "text": f"缺少数据表 {name}（{schema.TABLES[name].chinese}）"}
    missing = export.files[spec.table].missing_columns
    required = [c.name for c in spec.schema_table.columns if c.required]  # the key and the ★ columns
    needed = dict.fromkeys([*required, *spec.columns_used()])
    absent = [c for c in needed if not c.startswith("project.") and c in missing]
    if absent:
        labels = "、".join(f"{c}（{schema.column(spec.table, c).label}）" for c in absent)
        return {"code": "column_missing", "table": spec.table, "columns": absent,
                "labels": [schema.column(spec.table, c).label for c in absent],
                "text": f"数据表 {spec.table} 缺少列 {labels}"}
    return None


def displays() -> dict[str, list[dict]]:
    """check kind -> its evidence displays as plain data (``SHOWN``), handed to the reports."""
    return checks.shown()


def prepare(con: duckdb.DuckDBPyConnection, kind, export: Export) -> None:
    """Run the preparations ``kind`` names (each keeps its table when made for this export)."""
    for name in kind.PREPARES:
        PREPARATIONS[name](con, export)


def outcome_sql(compiled: str) -> str:
    """The kind's outcomes with the engine's defaults: a reason only, and always, when not evaluable."""
    unknown = f"json_object('code', {literal(UNKNOWN_REASON['code'])}, 'text', {literal(UNKNOWN_REASON['text'])})"
    return (f"SELECT * REPLACE (IF(outcome = 'not_evaluable', coalesce(CAST(reason AS JSON), {unknown}), "
            f"NULL) AS reason) FROM ({compiled})")


def judged_sql(rule: Rule, outcome: str) -> str:
    """The outcome query as the engine stores it (``rule_outcome``): each row with its record id,
    project, department and key (``_who_*``; a record kind's looked up in the source view once here,
    not again by each statement that reads them), its message when violated (``_who_message``; the
    kind's message fields are not kept apart), and its evidence only when violated or pending — the
    only rows whose evidence is kept."""
    who = identity(rule)
    # the message's fields are read here, once; the table need not keep them for every record
    fields = sorted({column for column, _ in rule.kind.FIELDS.values()} - {"outcome", "reason", "severity", "evidence"})
    exclude = f"EXCLUDE ({', '.join(ident(c) for c in fields)}) " if fields else ""
    return f"""
    SELECT o.* {exclude}REPLACE (IF(o.outcome IN ('violated', 'pending'), o.evidence, NULL) AS evidence),
           {who.found} AS _who_found, {who.record} AS _who_record, {who.project} AS _who_project,
           {who.department} AS _who_department, {who.key} AS _who_key,
           IF(o.outcome = 'violated', {masked_sql(message_sql(rule))}, NULL) AS _who_message
    FROM ({outcome}) o {who.join}"""


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {d[0] for d in con.execute(f"SELECT * FROM {ident(table)} LIMIT 0").description}


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule, order: int, export: Export,
             as_of: dt.date, calendar_last_year: int | None) -> RuleResult:
    spec = rule.spec
    result = RuleResult(spec.id, spec.title, spec.severity, spec.basis, spec.table, spec.check)
    result.not_evaluated = not_evaluated(spec, export)
    if result.not_evaluated:
        return result
    if hasattr(rule.kind, "parts"):
        result.parts = rule.kind.parts(spec, export.files[spec.table].missing_columns)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS {source_view_sql(spec)}")
    prepare(con, rule.kind, export)
    ctx = Context(source=SOURCE, as_of=as_of, rule=spec, calendar_last_year=calendar_last_year)
    wrapped = scope.wrap(spec, rule.kind.compile(spec, ctx), SOURCE, getattr(rule.kind, "GROUPED", False),
                         unless_missing=bool(spec.unless) and spec.unless in export.files[spec.table].missing_columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {OUTCOME} AS {judged_sql(rule, outcome_sql(wrapped))}")
    for outcome, why, count in con.execute(
            f"SELECT outcome, CAST(reason AS VARCHAR), count(*) FROM {OUTCOME} GROUP BY ALL ORDER BY 3 DESC, 2").fetchall():
        result.counts[outcome] = result.counts.get(outcome, 0) + count
        if outcome == "not_evaluable":
            result.reasons.append({**json.loads(why), "count": count})
    check = literal(spec.check)
    con.execute(f"""
        INSERT INTO outcomes
        SELECT {literal(spec.id)}, {check}, o._who_record, o._who_project, o._who_department, o.outcome, o.reason,
               IF(o.outcome = 'pending', {masked_sql('o.evidence', is_json=True)}, NULL)
        FROM {OUTCOME} o WHERE o._who_found""")
    refer = "[" + ", ".join(literal(x) for x in spec.refer_to) + "]::VARCHAR[]"
    late_done = "coalesce(o.late_done, FALSE)" if "late_done" in _columns(con, OUTCOME) else "FALSE"
    con.execute(f"""
        INSERT INTO violations
        SELECT {literal(spec.id)}, {check}, coalesce(o.severity, {literal(spec.severity)}), {literal(spec.table)},
               o._who_record, o._who_project, o._who_department, {literal(spec.basis)},
               o._who_message, {masked_sql('o.evidence', is_json=True)}, {refer}, {order}, o._who_key,
               {late_done}
        FROM {OUTCOME} o
        WHERE o._who_found AND o.outcome = 'violated'""")
    return result


def prepare_projects(con: duckdb.DuckDBPyConnection) -> None:
    """The table :data:`PROJECTS`: ``projects`` with one row per project id, made once per audit."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {PROJECTS} AS SELECT DISTINCT ON (project_id) * FROM projects")


def run_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule], export: Export, as_of: dt.date,
              calendar_last_year: int | None = None, progress=None) -> list[RuleResult]:
    """Run ``rules`` in order; violations land in the ``violations`` table and every judged
    record's outcome in ``outcomes`` (pending ones with their evidence, for due-soon lists)."""
    create_missing_tables(con, export)
    prepare_projects(con)
    scope.prepare(con, scope.load_params(rules[0].path.parent if rules else None))
    con.execute(VIOLATIONS_DDL)
    results = []
    for order, rule in enumerate(rules):
        if progress:
            progress(f"规则 {rule.id}")
        results.append(run_rule(con, rule, order, export, as_of, calendar_last_year))
    return results
