"""Check kind ``ratio``: one amount at most (or at least) a factor times another.

Serves 条例 §26: a bid deposit (``deposit_amount``) at most 2% of the estimated price (the export's
``budget``). Either amount may be a column of the record or of its project (``project.budget``).
The factor is a rule parameter, so a number not yet confirmed in the primary text stays editable.

Outcome per record:

* either amount empty, unreadable, or its project missing → not evaluable, with why;
* the base amount zero or negative → not evaluable (no ratio to speak of);
* ``at_most: f`` and value > f × base, or ``at_least: f`` and value < f × base → violated;
* otherwise → compliant. Amounts are compared exactly (DECIMAL), not rounded.

Example rule::

    check: ratio
    value: deposit_amount
    of: budget
    at_most: 0.02
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from pipelines.sql import literal

from . import values
from .base import Context, RuleSpec, Shown, json_object, reason

#: message-template name -> (result column, kind)
FIELDS = {"limit": ("limit_amount", "number"), "ratio": ("ratio_text", "text"), "factor": ("factor_text", "text")}

GROUPED = False
PREPARES = ()
SHOWN = (
    Shown("value", "金额", "number", of="value_column"),
    Shown("of", "计算基数", "number", of="of_column"),
    Shown("bound", "限制", values=(("at_most", "不超过"), ("at_least", "不少于"))),
    Shown("factor", "比例上限", "number"),
    Shown("limit", "上限（元）", "number"),
    Shown("ratio", "实际比例", "number"),
)


class Spec(RuleSpec):
    value: str = Field(description="比较的金额")
    of: str = Field(description="基数金额")
    at_most: float | None = Field(None, gt=0, le=1000, description="不得超过基数的比例")
    at_least: float | None = Field(None, gt=0, le=1000, description="不得低于基数的比例")

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("需且只需给出 at_most 或 at_least 之一 / give exactly one of at_most, at_least")
        return self

    @property
    def factor(self) -> float:
        return self.at_most if self.at_most is not None else self.at_least

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), ("value",): self.value, ("of",): self.of}

    def problems(self) -> list[tuple[tuple, str]]:
        return values.pair_problems(self, {("value",): self.value, ("of",): self.of}, "number")



def factor_sql(factor: float) -> str:
    """The factor as an exact DECIMAL (0.02 stays 0.02, not a binary fraction)."""
    return f"CAST({literal(format(Decimal(repr(factor)), 'f'))} AS DECIMAL(38, 12))"


def percent(factor: float) -> str:
    """0.02 -> '2%'"""
    return format(Decimal(repr(factor)) * 100, "f").rstrip("0").rstrip(".") + "%"


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    f = factor_sql(spec.factor)
    breach = "b.v > b.base * f" if spec.at_most is not None else "b.v < b.base * f"
    of_label = values.label(spec, spec.of)
    outcome = f"""CASE
            WHEN b.v IS NULL OR b.base IS NULL OR b.base <= 0 THEN 'not_evaluable'
            WHEN {breach} THEN 'violated' ELSE 'compliant' END"""
    why = f"""CASE
            WHEN b.v IS NULL THEN b.v_why
            WHEN b.base IS NULL THEN b.base_why
            ELSE {reason('base_not_positive', literal(of_label + '不大于0，无法计算比例'), column=literal(spec.of))} END"""
    evidence = json_object(  # over the columns of j
        value_column=literal(spec.value), value="v", of_column=literal(spec.of), of="base",
        bound=literal("at_most" if spec.at_most is not None else "at_least"),
        factor="CAST(f AS DOUBLE)", limit="limit_amount", ratio="round(CAST(v AS DOUBLE) / CAST(base AS DOUBLE), 6)")
    return f"""
    WITH b AS (
        SELECT s._row,
               CAST({values.value(spec.value)} AS DECIMAL(38, 2)) AS v,
               CAST({values.value(spec.of)} AS DECIMAL(38, 2)) AS base,
               {values.why_missing(spec, spec.value)} AS v_why,
               {values.why_missing(spec, spec.of)} AS base_why,
               {f} AS f
        FROM {ctx.source} s),
    j AS (
        SELECT b.*, {outcome} AS outcome, {why} AS reason,
               CAST(round(b.base * f, 2) AS DECIMAL(38, 2)) AS limit_amount
        FROM b)
    SELECT _row, outcome,
           reason,
           CAST(NULL AS VARCHAR) AS severity,
           IF(outcome = 'not_evaluable', NULL, {evidence}) AS evidence,
           limit_amount,
           IF(base > 0, printf('%.2f%%', CAST(v AS DOUBLE) / CAST(base AS DOUBLE) * 100), NULL) AS ratio_text,
           {literal(percent(spec.factor))} AS factor_text
    FROM j
    """
