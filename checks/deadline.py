"""Check kind ``deadline``: a later event within N working (or calendar) days of an earlier one.

Serves the notice's time limits: 三(三) inspection results public within 10 working days of the
inspection's end, 四(二) complaints transferred within 3 working days, and the statutory limits
of DOMAIN.md. Counting follows 民法典 第二百零一条 (the day of ``from`` is not counted): the due
date is the N-th working day after ``from``'s date, taken from the ``calendar`` table by one join.
With ``within: {days: N}`` a due date that is not a working day moves to the next working day
(民法典 第二百零三条) — for a *period*. A *precondition* (something required on or before an event,
e.g. experts verified on site before the evaluation: ``within: {days: 0, holiday_extends: false}``)
is compared by date and never moves: §203 is about periods, not preconditions (DOMAIN.md).

Outcome per record (EXPORT-V1 "Working-day periods"):

* ``from`` unknown or unreadable → not evaluable;
* ``to`` after the due date → violated; on or before it → compliant;
* ``to`` empty: violated once ``as_of`` is past the due date, pending until then;
* a period the calendar does not cover → not evaluable ("calendar for YEAR unknown"),
  unless the answer does not depend on the missing year.

A violation whose ``to`` is given was done, but late: ``late_done`` is TRUE (the ledger calls it
逾期已办, not open work); with ``to`` empty it is FALSE (逾期未办, still to be done).

Example rule::

    check: deadline
    from: ended_at
    to: published_at
    within: {working_days: 10}
    action: 公开
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines import schema
from pipelines.sql import ident, literal

from .base import Context, RuleSpec, Shown, json_object, reason, value_reason

GROUPED = False
PREPARES = ()

#: message-template name -> (result column, kind)
FIELDS = {"due_date": ("due_date", "datetime"), "outcome": ("outcome_text", "text"),
          "days_counted": ("days_counted", "number")}

SHOWN = (
    Shown("from", "起算日", "date", of="from_column"),
    Shown("due_date", "应办期限", "date"),
    Shown("to", "实际办理", "date", of="to_column"),
    Shown("state", "办理情况", values=(("late", "逾期办理"), ("not_done", "逾期未办"),
                                      ("on_time", "按期办理"), ("waiting", "尚未到期"))),
    Shown("period", "期限"),
    Shown("working_days_counted", "已计工作日", "number"),
    Shown("days_counted", "已计日数", "number"),
    Shown("as_of", "审计截止日期", "date", excel=False),
)


class Within(BaseModel):
    model_config = ConfigDict(extra="forbid")
    working_days: int | None = Field(None, ge=0, le=366, description="工作日数")
    days: int | None = Field(None, ge=0, le=3660, description="日数（末日遇节假日顺延）")
    # 民法典 §203: a period's last day on a holiday moves to the next working day (the default, None);
    # false for a precondition ("on or before the event"), which is compared by date only
    holiday_extends: bool | None = Field(None, description="末日遇节假日是否顺延（前置条件为否）")

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.working_days is None) == (self.days is None):
            raise ValueError("within 需且只需给出 working_days 或 days 之一 / give exactly one of working_days, days")
        if self.holiday_extends is not None and self.days is None:
            raise ValueError("holiday_extends 只用于 days（自然日）/ holiday_extends applies to days only")
        return self


class Spec(RuleSpec):
    from_: str = Field(alias="from", description="起算事件")
    to: str = Field(description="完成事件")
    within: Within = Field(description="期限")
    action: str = Field("完成", description="完成动作")

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), ("from",): self.from_, ("to",): self.to}

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        if not found:
            found += [((key,), f"{column} 不是日期列 / is not a date column")
                      for key, column in (("from", self.from_), ("to", self.to))
                      if schema.column(self.table, column).kind != "datetime"]
        return found


def _label(spec: Spec, column: str) -> str:
    return schema.column(spec.table, column).label


def _why_unknown(spec: Spec, column: str) -> str:
    """SQL: the reason a date column gives no date (empty vs unreadable)."""
    return value_reason(spec.table, column, f"ggzy_text(s.{ident(column + '__raw')}) IS NOT NULL")


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    n_work, n_days = spec.within.working_days, spec.within.days
    as_of = f"DATE {literal(ctx.as_of.isoformat())}"
    if n_work is not None:
        # due: the N-th working day after from; known-lower-bound: the calendar's last day
        due_join = f"LEFT JOIN calendar cd ON cd.is_workday AND cd.workday_index = c0.workday_index + {n_work}"
        bound = "(SELECT max(day) FROM calendar)"
        period = f"{n_work}个工作日"
    elif spec.within.holiday_extends is False:  # a precondition: the date itself, no calendar needed
        due_join = f"LEFT JOIN LATERAL (SELECT b.from_date + {n_days} AS day) cd ON TRUE"
        bound = f"b.from_date + {n_days}"
        period = f"{n_days}日（不顺延）" if n_days else "当日"
    else:
        due_join = (f"LEFT JOIN calendar cr ON cr.day = b.from_date + {n_days} "
                    "LEFT JOIN calendar cd ON cd.is_workday AND cd.workday_index = "
                    "cr.workday_index + CASE WHEN cr.is_workday THEN 0 ELSE 1 END")
        bound = f"b.from_date + {n_days}"
        period = f"{n_days}日"
    year = "CASE WHEN c0.day IS NULL THEN year(b.from_date) ELSE (SELECT max(year) FROM calendar) + 1 END"
    unknown_year = reason("calendar_missing", f"'缺少' || {year} || '年工作日历'", year=year)
    no_calendar = "FALSE" if n_days is not None and spec.within.holiday_extends is False else "c0.day IS NULL"
    outcome = f"""CASE
        WHEN b.from_date IS NULL THEN 'not_evaluable'
        WHEN {no_calendar} THEN 'not_evaluable'
        WHEN b.to_date IS NOT NULL AND cd.day IS NOT NULL THEN IF(b.to_date > cd.day, 'violated', 'compliant')
        WHEN b.to_date IS NOT NULL THEN IF(b.to_date <= {bound}, 'compliant', 'not_evaluable')
        WHEN b.to_unreadable THEN 'not_evaluable'
        WHEN cd.day IS NOT NULL THEN IF({as_of} > cd.day, 'violated', 'pending')
        WHEN {as_of} <= {bound} THEN 'pending'
        ELSE 'not_evaluable' END"""
    why = f"""CASE
        WHEN b.from_date IS NULL THEN b.from_why
        WHEN {no_calendar} THEN {unknown_year}
        WHEN b.to_date IS NULL AND b.to_unreadable THEN b.to_why
        ELSE {unknown_year} END"""
    done = literal(spec.action)
    outcome_text = f"""CASE
        WHEN b.to_date IS NOT NULL THEN '实际于' || strftime(b.to_date, '%Y-%m-%d') || {done}
             || IF(cd.day IS NOT NULL AND b.to_date > cd.day, '，已超期', '')
        ELSE '截至' || strftime({as_of}, '%Y-%m-%d') || '仍未' || {done} END"""
    counted = ("greatest(coalesce(ct.workday_index, ca.workday_index) - c0.workday_index, 0)" if n_work is not None
               else f"greatest(datediff('day', b.from_date, coalesce(b.to_date, {as_of})), 0)")
    evidence = json_object(**{
        "from_column": literal(spec.from_), "from": "b.from_date",
        "to_column": literal(spec.to), "to": "b.to_date",
        "state": f"CASE WHEN b.to_date IS NOT NULL AND cd.day IS NOT NULL AND b.to_date > cd.day THEN 'late' "
                 f"WHEN b.to_date IS NOT NULL THEN 'on_time' WHEN {as_of} > cd.day THEN 'not_done' ELSE 'waiting' END",
        "period": literal(period), "due_date": "cd.day",
        ("working_days_counted" if n_work is not None else "days_counted"): counted,
        "as_of": as_of,
    })
    # reason, evidence and message text are built only for the records that keep them (the engine
    # keeps a reason when not evaluable, evidence when violated or pending): JSON for every record is costly
    return f"""
    WITH b AS (
        SELECT s._row,
               CAST(s.{ident(spec.from_)} AS DATE) AS from_date,
               CAST(s.{ident(spec.to)} AS DATE) AS to_date,
               ggzy_unreadable(s.{ident(spec.to + '__raw')}, s.{ident(spec.to)}) AS to_unreadable,
               IF(s.{ident(spec.from_)} IS NULL, {_why_unknown(spec, spec.from_)}, NULL) AS from_why,
               IF(s.{ident(spec.to)} IS NULL, {_why_unknown(spec, spec.to)}, NULL) AS to_why
        FROM {ctx.source} s)
    SELECT b._row,
           {outcome} AS outcome,
           CASE WHEN ({outcome}) = 'not_evaluable' THEN {why} END AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           CASE WHEN ({outcome}) IN ('violated', 'pending') THEN {evidence} END AS evidence,
           cd.day AS due_date,
           CASE WHEN ({outcome}) = 'violated' THEN {outcome_text} END AS outcome_text,
           {counted} AS days_counted,
           b.to_date IS NOT NULL AND b.to_date > cd.day AS late_done
    FROM b
    LEFT JOIN calendar c0 ON c0.day = b.from_date
    {due_join}
    LEFT JOIN calendar ct ON ct.day = b.to_date
    LEFT JOIN calendar ca ON ca.day = {as_of}
    """
