"""The parameters of check kind ``coverage`` (``checks/coverage.py`` says what they mean and
compiles them): what must be covered, where its match is looked for, the validity window and
conditions a match must meet, the scope, and the words for each gap — validated when the rule
file is loaded, each problem located by its field (Soda's lesson: parse apart from execute)."""

from __future__ import annotations

import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines import schema

from .base import Condition, RuleSpec

AS_OF = "as_of"
PLACEHOLDERS = {"n", "at_least", "date", "failed", "keys", "bounds"}


class Items(BaseModel):
    """What must be covered, when not each record of the rule's table."""

    model_config = ConfigDict(extra="forbid")
    explode: str | None = Field(None, description="列表列：其中每个编号各为一项")
    distinct: list[str] | None = Field(None, min_length=1, description="按这些列的不同取值各为一项")
    values: dict[str, list[str]] | None = Field(None, min_length=1, description="这些取值的每种组合各为一项")

    @model_validator(mode="after")
    def _one(self):
        if sum(x is not None for x in (self.explode, self.distinct, self.values)) != 1:
            raise ValueError("items 需且只需给出 explode、distinct、values 之一 / give exactly one of explode, distinct, values")
        if self.values and any(not v for v in self.values.values()):
            raise ValueError("values 的每一列至少给出一个取值 / every column needs at least one value")
        return self

    @property
    def mode(self) -> str:
        return "explode" if self.explode else "distinct" if self.distinct else "values"


class ValidOn(BaseModel):
    """The matched record must be valid on the item's date."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date: list[str] = Field(min_length=1, description="项目日期列（取第一个已填写的），或 as_of（审计基准日）")
    from_: str = Field(alias="from", description="匹配记录的有效期起始列")
    until: str | None = Field(None, description="匹配记录的有效期截止列（空为长期有效）")
    until_inclusive: bool = Field(True, description="截止日当日是否仍有效（移出日期为 false）")

    @model_validator(mode="before")
    @classmethod
    def _date_list(cls, data):
        if isinstance(data, dict) and isinstance(data.get("date"), str):
            data = {**data, "date": [data["date"]]}
        return data


class Requirement(Condition):
    """A condition the matched record must meet, with the words that name it in findings."""

    label: str | None = None


class Match(BaseModel):
    model_config = ConfigDict(extra="forbid")
    table: str | None = Field(None, description="匹配的数据表（默认为规则本表）")
    label: str | None = Field(None, description="匹配表在消息中的称呼")
    by: dict[str, str] = Field(min_length=1, description="项目列 → 匹配表列，全部相等才匹配")
    valid_on: ValidOn | None = None
    where: dict[str, Requirement] = Field({}, description="匹配记录须满足的条件")
    at_least: int = Field(1, ge=1, le=1000, description="至少须有几条匹配记录")
    count_distinct: list[str] | None = Field(None, min_length=1,
                                             description="按这些列（取第一个已填写的）计不同取值的个数")


class GapTexts(BaseModel):
    """Chinese wording per kind of gap; {n} {at_least} {date} {failed} {keys} {bounds} are filled in."""

    model_config = ConfigDict(extra="forbid")
    none: str | None = None
    out_of_date: str | None = None
    unmet: str | None = None
    too_few: str | None = None
    matched: str | None = None


class Scope(BaseModel):
    """Items are judged only when the first filled ``date`` exists (and falls in the last
    ``calendar_years`` calendar years up to the as-of date)."""

    model_config = ConfigDict(extra="forbid")
    date: list[str] = Field(min_length=1, description="判断是否纳入检查的日期列（取第一个已填写的）")
    calendar_years: int | None = Field(None, ge=1, le=50, description="只检查该日期在当年及之前若干个自然年内的")


class Spec(RuleSpec):
    items: Items | None = Field(None, description="须覆盖的项目（默认每条记录）")
    match: Match = Field(description="到哪张表找对应记录：对应列、有效期、须满足的条件、至少几条")
    expect: Literal["match", "no_match"] = Field("match", description="须有匹配（match）或不得有匹配（no_match）")
    scope: Scope | None = Field(None, description="只检查该日期在范围内的记录")
    gap_texts: GapTexts = Field(GapTexts(), description="各种缺口在消息中的说法")

    # -- the tables and columns --------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.items.mode if self.items else "record"

    @property
    def match_table(self) -> str:
        return self.match.table or self.table

    def item_columns(self) -> list[str]:
        """Columns an item has in ``distinct``/``values`` mode (else any column of the record)."""
        if self.mode == "distinct":
            return list(self.items.distinct)
        if self.mode == "values":
            return list(self.items.values)
        return []

    def dates(self) -> list[str]:
        return [c for c in self.match.valid_on.date if c != AS_OF] if self.match.valid_on else []

    def match_columns(self) -> dict[tuple, str]:
        m, refs = self.match, {}
        refs.update({("match", "by", k, v): v for k, v in m.by.items()})
        if m.valid_on:
            refs[("match", "valid_on", "from")] = m.valid_on.from_
            if m.valid_on.until:
                refs[("match", "valid_on", "until")] = m.valid_on.until
        refs.update({("match", "where", c): c for c in m.where})
        refs.update({("match", "where", c, "differs_from"): r.differs_from for c, r in m.where.items() if r.differs_from})
        refs.update({("match", "count_distinct", i): c for i, c in enumerate(m.count_distinct or [])})
        return refs

    def column_refs(self) -> dict[tuple, str]:
        refs = {**super().column_refs(), **{("match", "by", k): k for k in self.match.by}}
        refs.update({("match", "valid_on", "date", i): c for i, c in enumerate(self.match.valid_on.date)
                     if c != AS_OF} if self.match.valid_on else {})
        if self.items:
            if self.items.explode:
                refs[("items", "explode")] = self.items.explode
            refs.update({("items", "distinct", i): c for i, c in enumerate(self.items.distinct or [])})
            refs.update({("items", "values", c): c for c in self.items.values or {}})
        refs.update({("scope", "date", i): c for i, c in enumerate(self.scope.date)} if self.scope else {})
        if self.match_table == self.table:
            refs.update(self.match_columns())
        return refs

    def tables_used(self) -> list[str]:
        return [self.match_table] if self.match_table != self.table else []

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        m = self.match
        if m.table is not None and m.table not in schema.TABLES:
            return found + [(("match", "table"), f"未知数据表 unknown table {m.table!r}; known: {', '.join(schema.TABLES)}")]
        other = schema.TABLES[self.match_table]
        if self.match_table != self.table:
            for loc, column in self.match_columns().items():
                if not other.has(column) or other.column(column).confidential:
                    found.append((loc, f"数据表 {other.name} 没有列 has no column {column!r}"))
        if found:
            return found
        kind = lambda c: schema.column(self.table, c).kind  # noqa: E731
        mkind = lambda c: other.column(c).kind  # noqa: E731
        sql_kind = lambda k: k if k in ("datetime", "bool", "number") else "text"  # noqa: E731
        for item_col, match_col in m.by.items():
            if sql_kind(kind(item_col)) != sql_kind(mkind(match_col)):
                found.append((("match", "by", item_col), f"{item_col} 与 {match_col} 类型不同，无法比较 / kinds differ"))
        if m.valid_on:
            if AS_OF in m.valid_on.date and len(m.valid_on.date) > 1:
                found.append((("match", "valid_on", "date"), "as_of 只能单独使用 / as_of stands alone"))
            for i, c in enumerate(m.valid_on.date):
                if c != AS_OF and kind(c) != "datetime":
                    found.append((("match", "valid_on", "date", i), f"{c} 不是日期列 / is not a date column"))
                if c != AS_OF and self.mode in ("distinct", "values"):
                    found.append((("match", "valid_on", "date", i), "distinct/values 项目只能用 as_of 日期 / only as_of here"))
            for part in ("from", "until"):
                column = m.valid_on.from_ if part == "from" else m.valid_on.until
                if column and mkind(column) != "datetime":
                    found.append((("match", "valid_on", part), f"{column} 不是日期列 / is not a date column"))
        for column, req in m.where.items():
            if req.equals is not None and mkind(column) == "bool" and req.equals not in ("true", "false"):
                found.append((("match", "where", column, "equals"), "是/否列只能等于 true 或 false / bool: true or false"))
        if self.items:
            if self.items.explode and self.items.explode not in m.by:
                found.append((("items", "explode"), "explode 的列须出现在 match.by 中 / must be a key of match.by"))
            if self.items.explode and kind(self.items.explode) != "text":
                found.append((("items", "explode"), "explode 只适用于文本列 / applies to text columns"))
            if self.item_columns() and set(m.by) - set(self.item_columns()):
                found.append((("match", "by"), f"match.by 只能用项目列 / keys must be item columns: {', '.join(self.item_columns())}"))
            if self.item_columns() and self.department_column() is None and "project_id" not in self.item_columns():
                found.append((("department",), "项目列中须有部门列（department 选项或 department 列）/ "
                                               "an item column must give the department"))
        if self.scope:
            if self.mode in ("distinct", "values"):
                found.append((("scope",), "scope 只适用于按记录检查 / applies to records only"))
            found += [(("scope", "date", i), f"{c} 不是日期列 / is not a date column")
                      for i, c in enumerate(self.scope.date) if kind(c) != "datetime"]
        if self.expect == "no_match" and m.at_least != 1:
            found.append((("match", "at_least"), "expect: no_match 时不能设 at_least / not with no_match"))
        for gap, text in self.gap_texts.model_dump(exclude_none=True).items():
            try:
                names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            except ValueError as exc:
                found.append((("gap_texts", gap), f"格式错误 bad template: {exc}"))
                continue
            if names - PLACEHOLDERS:
                found.append((("gap_texts", gap), f"未知占位符 unknown placeholder {sorted(names - PLACEHOLDERS)}; "
                                                  f"可用 known: {', '.join(sorted(PLACEHOLDERS))}"))
        return found

    def department_column(self) -> str | None:
        """The item column that names the department, in distinct/values mode."""
        for column in (self.department, "department"):
            if column and column in self.item_columns():
                return column
        return None
