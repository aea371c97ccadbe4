"""Check kind ``per_period``: at least N events of the rule's table in every calendar period.

Serves 一(一): the joint meeting is held at least once a year (原则上，每年召开一次). The periods
are calendar years (or quarters, months) from ``from_year`` — else the year of the earliest
event, else the as-of year — up to the period holding the as-of date. A period with no event at
all is reported: periods are enumerated, not read from the data.

Outcome per period (and per group, with ``group_by``):

* at least ``at_least`` events dated in it (on or before the as-of date) → compliant;
* fewer, and the period holds the as-of date → pending (it has not ended; ``evidence.due_date``
  is its last day);
* fewer, and some events of the group have no readable date (they might belong to it) → not
  evaluable, with how many and why;
* otherwise → violated.

With ``group_by`` the count is per group of events (say, per department); a group is known from
its events, so a group with no event in any period is not seen — list such obligations as
``coverage`` rules instead. Events whose group value is empty are left out of every group.

Grouped kind: ``record_id`` is the period (``2025``, ``2025Q3``, ``2025-07``), prefixed by the
group's values (``市住建局/2025``). The department is the group's department column, else the
rule's ``responsible`` department (the body the obligation falls on: 市发改委 convenes the
meeting), else the group's project's.

Example rule::

    table: meetings
    check: per_period
    date: held_at
    at_least: 1
    from_year: 2023
    responsible: 市发改委
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelines import schema
from pipelines.sql import ident, literal

from .base import Context, RuleSpec, Shown, json_object, reason

GROUPED = True
PREPARES = ()
SHOWN = (
    Shown("group", "分组"),
    Shown("period", "期间"),
    Shown("period_start", "期间开始", "date"),
    Shown("period_end", "期间结束", "date"),
    Shown("count", "期间内事件数", "number"),
    Shown("at_least", "至少", "number"),
    Shown("events", "期间内事件", "list"),
    Shown("undated", "日期未知的事件数", "number"),
    Shown("due_date", "应办期限", "date", excel=False),
    Shown("as_of", "审计截止日期", "date", excel=False),
)

#: message-template name -> (result column, kind)
FIELDS = {"period": ("period", "text"), "count": ("n", "number"), "period_end": ("period_end", "datetime"),
          "group": ("group_text", "text")}

#: period -> (DuckDB interval, SQL label of the period starting on day {d})
PERIODS = {"year": ("1 year", "strftime({d}, '%Y')"),
           "quarter": ("3 months", "strftime({d}, '%Y') || 'Q' || quarter({d})"),
           "month": ("1 month", "strftime({d}, '%Y-%m')")}
MAX_SHOWN = 20


class Spec(RuleSpec):
    date: str = Field(description="事件日期列")
    at_least: int = Field(1, ge=1, le=10000, description="每期至少的事件数")
    period: Literal["year", "quarter", "month"] = Field("year", description="期间：自然年、季度或月")
    from_year: int | None = Field(None, ge=1990, le=2100, description="从哪一年起检查（默认为最早事件所在年）")
    group_by: list[str] = Field([], description="分组列：每组各自计数")
    responsible: str | None = Field(None, description="违规归属部门（分组中没有部门列时）")

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), ("date",): self.date,
                **{("group_by", i): c for i, c in enumerate(self.group_by)}}

    def department_column(self) -> str | None:
        return next((c for c in (self.department, "department") if c and c in self.group_by), None)

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        if found:
            return found
        if schema.column(self.table, self.date).kind != "datetime":
            found.append((("date",), f"{self.date} 不是日期列 / is not a date column"))
        if not (self.responsible or self.department_column() or "project_id" in self.group_by):
            found.append((("responsible",), "须给出违规归属部门：responsible，或分组列中的部门列 / "
                                            "give responsible, or group by a department column"))
        return found


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    as_of = f"DATE {literal(ctx.as_of.isoformat())}"
    step, label = PERIODS[spec.period]
    unit = literal(spec.period)
    keys = [f"g{i}" for i in range(len(spec.group_by))]
    of = lambda alias: ", ".join(f"{alias}.{k}" for k in keys)  # noqa: E731
    group_text = " || '/' || ".join(f"CAST(g.{k} AS VARCHAR)" for k in keys) or "''"
    dept_col = spec.department_column()
    dept = (f"k.g{spec.group_by.index(dept_col)}" if dept_col
            else literal(spec.responsible) if spec.responsible else "CAST(NULL AS VARCHAR)")
    project = f"k.g{spec.group_by.index('project_id')}" if "project_id" in spec.group_by else "CAST(NULL AS VARCHAR)"
    first_year = (f"SELECT {spec.from_year} AS y" if spec.from_year is not None
                  else f"SELECT coalesce(year(min(d)), year({as_of})) AS y FROM e")
    same_group = lambda a, b: " AND ".join(f"{a}.{k} = {b}.{k}" for k in keys) or "TRUE"  # noqa: E731
    record = "IF(k.group_text = '', k.period, k.group_text || '/' || k.period)"
    outcome = f"""CASE WHEN k.n >= {spec.at_least} THEN 'compliant'
        WHEN k.period_end >= {as_of} THEN 'pending'
        WHEN k.undated > 0 THEN 'not_evaluable' ELSE 'violated' END"""
    why = reason("undated_events", "k.undated || " + literal("条记录的" + schema.column(spec.table, spec.date).label
                                                          + "未填写或无法识别，无法确定所属期间"),
                 count="k.undated", column=literal(spec.date))
    evidence = json_object(
        period="k.period", period_start="k.p", period_end="k.period_end", due_date="k.period_end",
        count="k.n", at_least=str(spec.at_least), events="k.events", undated="k.undated",
        **({"group": "k.group_text"} if keys else {}), as_of=as_of)
    return f"""
    WITH e AS (
        SELECT {''.join(f's.{ident(c)} AS g{i}, ' for i, c in enumerate(spec.group_by))}s._record_id AS rid,
               CAST(s.{ident(spec.date)} AS DATE) AS d
        FROM {ctx.source} s
        WHERE {' AND '.join(f's.{ident(c)} IS NOT NULL' for c in spec.group_by) or 'TRUE'}),
    g AS ({f'SELECT DISTINCT {of("e")} FROM e' if keys else 'SELECT TRUE AS all_events'}),
    periods AS (
        SELECT CAST(t.p AS DATE) AS p
        FROM ({first_year}) y, generate_series(make_date(CAST(y.y AS BIGINT), 1, 1), date_trunc({unit}, {as_of}),
                                                INTERVAL {literal(step)}) AS t(p)),
    counts AS (
        SELECT {of('e') + ', ' if keys else ''}CAST(date_trunc({unit}, e.d) AS DATE) AS p, count(*) AS n,
               list(e.rid ORDER BY e.d, e.rid)[1:{MAX_SHOWN}] AS events
        FROM e WHERE e.d <= {as_of} GROUP BY ALL),
    undated AS (SELECT {of('e') + ', ' if keys else ''}count(*) AS undated FROM e WHERE e.d IS NULL GROUP BY ALL),
    k AS (
        SELECT g.*, periods.p, {label.format(d='periods.p')} AS period,
               CAST(periods.p + INTERVAL {literal(step)} - INTERVAL 1 day AS DATE) AS period_end,
               coalesce(c.n, 0) AS n, coalesce(c.events, []) AS events, coalesce(u.undated, 0) AS undated,
               {group_text} AS group_text
        FROM g CROSS JOIN periods
        LEFT JOIN counts c ON c.p = periods.p AND {same_group('c', 'g')}
        LEFT JOIN undated u ON {same_group('u', 'g')})
    SELECT {record} AS _record_id, {project} AS _project_id, {dept} AS _department, {record} AS _key,
           {outcome} AS outcome,
           {why} AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           {evidence} AS evidence,
           k.period, k.n, k.period_end, k.group_text
    FROM k
    """
