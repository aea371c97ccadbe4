"""Check kind ``min_interval``: at least N days (or working days) between two dates — the reverse
of ``deadline``: a later event must not come too *early*.

Serves the statutory minimum periods DOMAIN.md lists: 条例 §21 (a clarification or change at least
15 days before the bid deadline), 招标投标法 §24 (at least 20 days from issuing the tender documents
to the bid deadline), 条例 §54 (candidates publicised for at least 3 days). Either date may be a
column of the record or of its project (``project.bid_deadline``).

Counting follows 民法典 第二百零一条 (the day of ``from`` is not counted): the earliest compliant
date of ``to`` is the N-th day (working day) after ``from``'s date; ``to`` before it is a violation.
Dates, not hours, are compared (DOMAIN.md).

* ``at_least: {days: N}`` — calendar days; needs no calendar. With ``holiday_extends: true`` a
  period whose N-th day is not a working day lasts until the next working day (民法典 第二百零三条),
  so ``to`` must be on or after that day; that one day comes from the ``calendar`` table. A record
  that is short *only* because of that move (N full days, but ending on the holiday) is reported
  one severity lower (``evidence.short_by_holiday_only``): practice often counts such a period as
  complete, so it is for review rather than a plain breach.
* ``at_least: {working_days: N}`` — working days per the official schedule (调休 included).

Outcome per record:

* ``from`` or ``to`` empty, unreadable, or its project missing → not evaluable, with why;
* ``to`` on or before ``from`` (N ≥ 1) → violated, whatever the calendar;
* ``to`` before the earliest compliant date → violated; on or after it → compliant;
* the earliest date needs a year the calendar does not cover → not evaluable ("缺少YYYY年工作日历"),
  unless the answer does not depend on it (``to`` inside the calendar and so before a date beyond it;
  ``to`` before the unextended N-th day).

Unlike ``deadline`` there is no "pending": a minimum period is judged once both dates are known.

Example rule::

    check: min_interval
    from: published_at
    to: project.bid_deadline
    at_least: {days: 15}
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.sql import literal

from . import values
from .base import Context, RuleSpec, Shown, json_object, reason

#: message-template name -> (result column, kind)
FIELDS = {"earliest_date": ("earliest_date", "datetime"), "outcome": ("outcome_text", "text"),
          "days_counted": ("days_counted", "number")}

LOWER = {"error": "warning", "warning": "info", "info": "info"}

GROUPED = False
PREPARES = ()
SHOWN = (
    Shown("from", "较早日期", "date", of="from_column"),
    Shown("to", "较晚日期", "date", of="to_column"),
    Shown("earliest_date", "最早应为", "date"),
    Shown("period", "最短间隔"),
    Shown("working_days_counted", "实际间隔工作日", "number"),
    Shown("days_counted", "实际间隔天数", "number"),
    Shown("short_by_holiday_only", "仅因节假日顺延而不足", "bool"),
    Shown("holiday_extends", "期限末日遇节假日顺延", "bool", excel=False),
)


class AtLeast(BaseModel):
    model_config = ConfigDict(extra="forbid")
    working_days: int | None = Field(None, ge=0, le=366)
    days: int | None = Field(None, ge=0, le=3660)
    holiday_extends: bool = False  # 民法典 第二百零三条, with ``days`` only

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.working_days is None) == (self.days is None):
            raise ValueError("at_least 需且只需给出 working_days 或 days 之一 / give exactly one of working_days, days")
        if self.holiday_extends and self.days is None:
            raise ValueError("holiday_extends 只用于 days（自然日）/ holiday_extends applies to days only")
        return self

    @property
    def period(self) -> str:
        return f"{self.working_days}个工作日" if self.working_days is not None else f"{self.days}日"


class Spec(RuleSpec):
    from_: str = Field(alias="from", description="较早的日期")
    to: str = Field(description="较晚的日期（不得早于最早合规日期）")
    at_least: AtLeast = Field(description="最短间隔")

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), ("from",): self.from_, ("to",): self.to}

    def problems(self) -> list[tuple[tuple, str]]:
        return values.pair_problems(self, {("from",): self.from_, ("to",): self.to}, "datetime")



def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    a = spec.at_least
    n_work, n_days = a.working_days, a.days
    last_day = "(SELECT max(day) FROM calendar)"
    next_year = "(SELECT max(year) FROM calendar) + 1"
    if n_work is not None:
        joins = (f"LEFT JOIN calendar c0 ON c0.day = b.from_date "
                 f"LEFT JOIN calendar ce ON ce.is_workday AND ce.workday_index = c0.workday_index + {n_work} "
                 f"LEFT JOIN calendar ct ON ct.day = b.to_date")
        judged = f"""
            WHEN c0.day IS NULL THEN 'not_evaluable'
            WHEN ce.day IS NOT NULL THEN IF(b.to_date < ce.day, 'violated', 'compliant')
            WHEN b.to_date <= {last_day} THEN 'violated'
            ELSE 'not_evaluable'"""
        missing_year = f"IF(c0.day IS NULL, year(b.from_date), {next_year})"
        earliest = "ce.day"
        counted = "ct.workday_index - c0.workday_index"
        unit = "个工作日"
    elif a.holiday_extends:
        joins = (f"LEFT JOIN calendar cr ON cr.day = b.from_date + {n_days} "
                 "LEFT JOIN calendar ce ON ce.is_workday AND ce.workday_index = "
                 "cr.workday_index + CASE WHEN cr.is_workday THEN 0 ELSE 1 END")
        judged = f"""
            WHEN b.to_date < b.from_date + {n_days} THEN 'violated'
            WHEN ce.day IS NOT NULL THEN IF(b.to_date < ce.day, 'violated', 'compliant')
            ELSE 'not_evaluable'"""
        missing_year = f"IF(cr.day IS NULL, year(b.from_date + {n_days}), {next_year})"
        earliest = "ce.day"
        counted = "datediff('day', b.from_date, b.to_date)"
        unit = "日"
    else:
        joins = ""
        judged = f"WHEN TRUE THEN IF(b.to_date < b.from_date + {n_days}, 'violated', 'compliant')"
        missing_year = "NULL"
        earliest = f"b.from_date + {n_days}"
        counted = "datediff('day', b.from_date, b.to_date)"
        unit = "日"
    n = n_work if n_work is not None else n_days
    outcome = f"""CASE
            WHEN b.from_date IS NULL OR b.to_date IS NULL THEN 'not_evaluable'
            {f"WHEN b.to_date <= b.from_date THEN 'violated'" if n >= 1 else ''}
            {judged} END"""
    why = f"""CASE
            WHEN b.from_date IS NULL THEN b.from_why
            WHEN b.to_date IS NULL THEN b.to_why
            ELSE {reason('calendar_missing', f"'缺少' || {missing_year} || '年工作日历'", year=missing_year)} END"""
    from_label, to_label = values.label(spec, spec.from_), values.label(spec, spec.to)
    period = literal(a.period)
    outcome_text = f"""CASE
            WHEN b.to_date <= b.from_date AND {n} >= 1
                THEN {literal(to_label)} || '（' || strftime(b.to_date, '%Y-%m-%d') || '）不晚于'
                     || {literal(from_label)} || '（' || strftime(b.from_date, '%Y-%m-%d') || '）'
            WHEN ({counted}) IS NULL THEN {literal(to_label)} || '为' || strftime(b.to_date, '%Y-%m-%d')
            WHEN ({counted}) < {n} THEN '仅间隔' || ({counted}) || {literal(unit)} || '，不足' || {period}
            WHEN b.to_date < {earliest} THEN '间隔' || ({counted}) || {literal(unit)}
                 || '，但期间末日为非工作日，依民法典第二百零三条顺延至' || strftime({earliest}, '%Y-%m-%d')
            ELSE '间隔' || ({counted}) || {literal(unit)} END"""
    evidence = json_object(**{
        "from_column": literal(spec.from_), "from": "b.from_date",
        "to_column": literal(spec.to), "to": "b.to_date",
        "period": period, "earliest_date": earliest,
        ("working_days_counted" if n_work is not None else "days_counted"): counted,
        **({"holiday_extends": "TRUE", "short_by_holiday_only": f"({counted}) >= {n} AND b.to_date < {earliest}"}
           if a.holiday_extends else {}),
    })
    lower = (f"IF(b.from_date IS NOT NULL AND ({counted}) >= {n} AND b.to_date < {earliest}, "
             f"{literal(LOWER[spec.severity])}, NULL)" if a.holiday_extends else "CAST(NULL AS VARCHAR)")
    return f"""
    WITH b AS (
        SELECT s._row,
               CAST({values.value(spec.from_)} AS DATE) AS from_date,
               CAST({values.value(spec.to)} AS DATE) AS to_date,
               IF({values.value(spec.from_)} IS NULL, {values.why_missing(spec, spec.from_)}, NULL) AS from_why,
               IF({values.value(spec.to)} IS NULL, {values.why_missing(spec, spec.to)}, NULL) AS to_why
        FROM {ctx.source} s),
    j AS (
        SELECT b._row, {outcome} AS outcome,
               -- built only for the records that keep them: JSON and text for every record are costly
               CASE WHEN ({outcome}) = 'not_evaluable' THEN {why} END AS reason,
               {earliest} AS earliest_date, {counted} AS days_counted, {lower} AS lower_severity,
               CASE WHEN ({outcome}) = 'violated' THEN {evidence} END AS evidence,
               CASE WHEN ({outcome}) = 'violated' THEN {outcome_text} END AS outcome_text
        FROM b {joins})
    SELECT _row, outcome,
           reason,
           IF(outcome = 'violated', lower_severity, NULL) AS severity,
           evidence, earliest_date, outcome_text, days_counted
    FROM j
    """

