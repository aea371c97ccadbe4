"""Check kind ``field_check``: one column of a record must be true (or false), or must hold a value.

Serves 鹤发改公管〔2022〕216号 八(二), second half: bidders are guided to attach a 信用中国 credit
report to their bid (``credit_report_attached``, advisory: the rule's severity is ``info``), and
similar yes/no facts the export records (a channel stating its time limits, say). The column may
be one of the record or of its project (``project.<column>``).

* ``must_be: true`` / ``must_be: false`` — a boolean column. The other value → violated. An
  empty value → not evaluable ("未填写"), unless ``empty: violated`` says that an empty value
  counts as a breach (for data where the platform writes nothing when the answer is no).
* ``must_be: present`` — any column must hold a value: empty → violated.
* ``must_be: {at_most: N}`` — a number column must not exceed N (工程建设项目施工招标投标办法 §37:
  a 施工 bid deposit at most 800,000 yuan). More → violated; empty → not evaluable.
* ``must_be: {contains_any: [..]}`` — a text column must mention one of the phrases (compared
  half-width, without spaces): 三(三) results published on 黑龙江省公共资源交易平台 or
  鹤岗市政府网站. Another value → violated; empty → not evaluable (unless ``empty: violated``).

In both forms a value that is there but cannot be read (``是吧``, ``2026-02-30``) is not evaluable
("无法识别"), and so is a project column whose project is not in the projects table. A personal
column's value never reaches the evidence.

Example rule::

    check: field_check
    column: credit_report_attached
    must_be: true
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.sql import ident, literal

from . import values
from .base import Context, RuleSpec, Shown, halfwidth, json_object

#: message-template name -> (result column, kind)
FIELDS = {"value": ("value_text", "text")}

GROUPED = False
PREPARES = ()
SHOWN = (
    Shown("column", "检查字段", "column"),
    Shown("expected", "应为", values=(("true", "是"), ("false", "否"), ("present", "已填写"))),
    Shown("value", "实际值"),
)


class ContainsAny(BaseModel):
    """The value must mention one of these phrases."""

    model_config = ConfigDict(extra="forbid")
    contains_any: list[str] = Field(min_length=1)


class AtMost(BaseModel):
    """The value must not exceed this amount."""

    model_config = ConfigDict(extra="forbid")
    at_most: float = Field(ge=0)


def _compact(x: str) -> str:
    """SQL: text half-width, without spaces (for phrase matching)."""
    return f"regexp_replace({halfwidth(x)}, '\\s', '', 'g')"


class Spec(RuleSpec):
    column: str = Field(description="检查的列")
    must_be: bool | Literal["present"] | ContainsAny | AtMost = Field(
        description="应为（true 是、false 否、present 已填写、contains_any 提及其一、at_most 不超过）")
    empty: Literal["not_evaluable", "violated"] | None = Field(
        None, description="空值的判定（not_evaluable 无法判断、violated 违规）")

    @model_validator(mode="after")
    def _empty_only_for_booleans(self):
        if self.must_be == "present" and self.empty == "not_evaluable":
            raise ValueError("must_be: present 检查的就是是否填写，空值即违规，不能设 empty: not_evaluable / "
                             "with must_be: present an empty value is the breach")
        return self

    @property
    def empty_policy(self) -> str:
        return "violated" if self.must_be == "present" else (self.empty or "not_evaluable")

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), ("column",): self.column}

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        found += values.problems_project_columns(self, {("column",): self.column})
        if not found and isinstance(self.must_be, AtMost) and values.column(self, self.column).kind != "number":
            found.append((("must_be",), f"{self.column} 不是数字列，不能用 at_most / is not a number column"))
        if not found and isinstance(self.must_be, ContainsAny) and values.column(self, self.column).kind != "text":
            found.append((("must_be",), f"{self.column} 不是文字列，不能用 contains_any / is not a text column"))
        if not found and isinstance(self.must_be, bool) and values.column(self, self.column).kind != "bool":
            found.append((("must_be",), f"{self.column} 不是是/否列，must_be 只能为 present / "
                                        "is not a yes/no column; use must_be: present"))
        return found



def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    col = values.column(spec, spec.column)
    v = values.value(spec.column)
    bad = values.unreadable(spec, spec.column)
    gone = values.missing_project(spec.column)
    if spec.must_be == "present":
        judged = f"WHEN {v} IS NOT NULL THEN 'compliant'"
        expected = "present"
    elif isinstance(spec.must_be, ContainsAny):
        hit = " OR ".join(f"contains({_compact(v)}, {_compact(literal(p))})" for p in spec.must_be.contains_any)
        judged = f"WHEN {v} IS NOT NULL THEN IF({hit}, 'compliant', 'violated')"
        expected = "、".join(spec.must_be.contains_any)
    elif isinstance(spec.must_be, AtMost):
        limit = f"CAST({literal(format(spec.must_be.at_most, 'f'))} AS DECIMAL(38, 2))"
        judged = f"WHEN {v} IS NOT NULL THEN IF({v} > {limit}, 'violated', 'compliant')"
        expected = f"at_most {format(spec.must_be.at_most, 'f')}"
    else:
        judged = f"WHEN {v} IS NOT NULL THEN IF({v} = {literal(spec.must_be)}, 'compliant', 'violated')"
        expected = "true" if spec.must_be else "false"
    outcome = f"""CASE
            WHEN {gone} THEN 'not_evaluable'
            {judged}
            WHEN {bad} THEN 'not_evaluable'
            ELSE {literal(spec.empty_policy)} END"""
    if col.personal:
        shown = literal("（个人信息不显示）")
    elif values.has_raw(spec, spec.column):
        shown = f"ggzy_text(s.{ident(spec.column + '__raw')})"
    else:
        shown = f"CAST({v} AS VARCHAR)"
    evidence = json_object(column=literal(spec.column), expected=literal(expected), value=shown)
    return f"""
    WITH j AS (
        SELECT s._row, {outcome} AS outcome,  -- reason and evidence only where the engine keeps them
               CASE WHEN ({outcome}) = 'not_evaluable' THEN {values.why_missing(spec, spec.column)} END AS why,
               CASE WHEN ({outcome}) IN ('violated', 'pending') THEN {evidence} END AS evidence,
               coalesce({shown}, '（空）') AS value_text
        FROM {ctx.source} s)
    SELECT _row, outcome,
           why AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           evidence, value_text
    FROM j
    """
