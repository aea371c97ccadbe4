"""Check kind ``coverage``: every item has a matching record in another table (or, with
``expect: no_match``, has none).

Serves the obligations that say "each X is backed by a Y": 二 a power exercised is on the
published 权责清单 (and was published by then); 三(一) every inspector of an inspection crew is in
the 执法人员库 and qualified on the inspection date; 三(二) a project that finished tendering this
or last year is in the 检查对象名录库; 四(一) every supervising department has published a complaint
channel stating the five elements; 一(二) every member unit has a current 责任领导 and 联络员;
条例 §44 a lot that went on to evaluation had at least 3 bidders (``at_least: 3``); and, with
``expect: no_match``, 八(一) no expert sits on a panel while listed as 评标专家违法.

What must be covered (``items``), one of:

* each record of the rule's table (after ``where``) — the default;
* ``explode: column`` — each id in a list column (ids separated by ; ； , ， 、), e.g. an
  inspection's crew; the finding is still the record (one per inspection, the unmatched ids in
  ``evidence.items``): the department acts per inspection, and a crew of five with two bad ids
  is one case to fix, not two;
* ``distinct: [columns]`` — each distinct value (combination) of these columns, e.g. each
  department that supervises projects;
* ``values: {column: [values]}`` — each combination of these values, e.g. 11 member units × the
  two roles.

A record of ``match.table`` matches an item when every ``match.by`` pair is equal (values as
the loader typed them: trimmed text; the key is ``by``, since YAML 1.1 reads a bare ``on`` as
true); it counts when it also lies in its validity window on the item's date
(``match.valid_on``: ``from`` ≤ date ≤ ``until``, ``until`` empty = open-ended,
``until_inclusive: false`` for a removal date) and meets every ``match.where`` condition.
Validity and conditions are three-valued: an unreadable value, an empty ``from``, or an empty
value tested by anything but ``present`` is "unknown" — never a silent pass or fail.

Outcome per item: key or date unknown → not evaluable; outside ``scope`` → not applicable;
enough counting matches (``at_least``, default 1; ``count_distinct`` counts distinct values
instead of records) → compliant; enough only if the unknown ones count → not evaluable, with
why; else violated, ``gap`` saying how: ``none`` (no record with that key), ``out_of_date``,
``unmet`` (conditions failed), ``too_few``. With ``expect: no_match`` a counting match is the
violation (``gap: matched``). A finding joins its items: violated if any item is, else not
evaluable if any is, else compliant.

Grouped kind: ``record_id`` is the record's key (records, explode) or the item's values joined
by ``/`` (distinct, values); the department is the record's, or the item's department column.

Example rule (三(一))::

    table: inspections
    check: coverage
    items: {explode: inspectors}
    match:
      table: inspectors
      by: {inspectors: inspector_id}
      valid_on: {date: [ended_at, started_at], from: qualified_from, until: qualified_until}
"""

from __future__ import annotations

import string
from types import SimpleNamespace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines import schema
from pipelines.engine import condition_sql
from pipelines.sql import ident, literal

from .base import Condition, Context, RuleSpec, json_object
from .listed_party import bid_date_sql, mask_id, mask_name

GROUPED = True

#: message-template name -> (result column, kind)
FIELDS = {"item": ("item_text", "text"), "gap": ("gap_text", "text"), "date": ("item_date", "datetime"),
          "matched": ("matched", "number")}

#: separators of ids in a list column (EXPORT-V1 inspections.inspectors)
LIST_SEPARATORS = "[;；,，、]"
AS_OF = "as_of"
GAPS = ("none", "out_of_date", "unmet", "too_few", "matched")
PLACEHOLDERS = {"n", "at_least", "date", "failed", "keys", "bounds"}
MAX_SHOWN = 20  # items per finding, candidates per item, in evidence


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


# --- SQL pieces -----------------------------------------------------------------------------

def _first_date(spec: Spec, columns: list[str]) -> tuple[str, str, str]:
    """SQL (date, its column, why unknown) of the first filled of ``columns`` of the source record ``s``."""
    date, source, why = bid_date_sql(SimpleNamespace(table=spec.table, on_date=columns))
    return f"CAST({date} AS DATE)", source, why


def _shown(spec: Spec, column: str, value: str) -> str:
    """SQL: an item value as findings show it (personal values masked)."""
    col = schema.column(spec.table, column)
    if not col.personal:
        return f"CAST({value} AS VARCHAR)"
    return mask_id(value) if col.kind in ("resident_id", "id_any") else mask_name(value)


def _items(spec: Spec, ctx: Context, as_of: str) -> str:
    """SQL: one row per item: _item, _rid, _pid, _dept, k0.. (the match.by item values), shown
    (their display text), item_date, bad (why the item cannot be judged), in_scope."""
    by = list(spec.match.by)
    shown = lambda exprs: " || '/' || ".join(f"coalesce({_shown(spec, c, e)}, '（空）')" for c, e in exprs)  # noqa: E731
    if spec.mode in ("distinct", "values"):
        cols = spec.item_columns()
        if spec.mode == "distinct":
            base = (f"SELECT DISTINCT {', '.join(f's.{ident(c)}' for c in cols)} FROM {ctx.source} s "
                    f"WHERE {' AND '.join(f's.{ident(c)} IS NOT NULL' for c in cols)}")
        else:
            base = "SELECT * FROM " + ", ".join(
                f"(SELECT unnest([{', '.join(literal(v) for v in vals)}]::VARCHAR[]) AS {ident(c)})"
                for c, vals in spec.items.values.items())
        dept = spec.department_column()
        record = shown([(c, f"s.{ident(c)}") for c in cols])
        return f"""
        SELECT row_number() OVER (ORDER BY {', '.join(f's.{ident(c)}' for c in cols)}) AS _item, {record} AS _rid,
               {'s.project_id' if 'project_id' in cols else 'CAST(NULL AS VARCHAR)'} AS _pid,
               {f's.{ident(dept)}' if dept else 'CAST(NULL AS VARCHAR)'} AS _dept,
               {', '.join(f's.{ident(c)} AS k{i}' for i, c in enumerate(by))},
               {shown([(c, f's.{ident(c)}') for c in by])} AS shown,
               {as_of} AS item_date, {literal(AS_OF)} AS date_source, CAST(NULL AS VARCHAR) AS bad, TRUE AS in_scope
        FROM ({base}) s"""
    keys = {c: f"s.{ident(c)}" for c in by}
    source, order = f"{ctx.source} s", "s._row"
    if spec.mode == "explode":
        col = spec.items.explode
        ids = (f"list_filter(list_transform(regexp_split_to_array(s.{ident(col)}, {literal(LIST_SEPARATORS)}), "
               "lambda x: trim(x)), lambda x: x <> '')")
        first_seen = f"list_filter({ids}, lambda x, i: list_position({ids}, x) = i)"  # in list order, once each
        source += f", unnest(coalesce(nullif({first_seen}, []), [NULL::VARCHAR])) WITH ORDINALITY AS _e(_element, _pos)"
        keys[col], order = "_e._element", "s._row, _e._pos"
    unknown = [f"WHEN {expr} IS NULL THEN {literal(schema.column(spec.table, c).label + '未填写')}"
               for c, expr in keys.items()]
    date, date_source, date_why = _first_date(spec, spec.dates()) if spec.dates() else (as_of, literal(AS_OF), "NULL")
    if spec.dates():
        unknown.append(f"WHEN {date} IS NULL THEN {date_why}")
    in_scope = "TRUE"
    if spec.scope:
        scope_date, _, scope_why = _first_date(spec, spec.scope.date)
        filled = " OR ".join(f"ggzy_text(s.{ident(c + '__raw')}) IS NOT NULL" for c in spec.scope.date)
        unknown.insert(0, f"WHEN ({filled}) AND {scope_date} IS NULL THEN {scope_why}")
        first_year = f"year({as_of}) - {spec.scope.calendar_years - 1}" if spec.scope.calendar_years else "0"
        in_scope = (f"CASE WHEN ({filled}) AND {scope_date} IS NULL THEN NULL "
                    f"ELSE coalesce({scope_date} <= {as_of} AND year({scope_date}) >= {first_year}, FALSE) END")
    return f"""
    SELECT row_number() OVER (ORDER BY {order}) AS _item, s._record_id AS _rid, s._project_id AS _pid, s._department AS _dept,
           {', '.join(f'{keys[c]} AS k{i}' for i, c in enumerate(by))},
           {shown([(c, keys[c]) for c in by])} AS shown,
           {date} AS item_date, {date_source} AS date_source, CASE {' '.join(unknown)} END AS bad,
           {in_scope} AS in_scope
    FROM {source}"""


def _why(column: schema.Column) -> str:
    """SQL: why a column of the match record ``t`` gives no value: '的<列>未填写' or '的<列>无法识别'."""
    raw = f"t.{ident(column.name + '__raw')}" if column.kind in ("datetime", "bool", "number") else "NULL"
    return f"{literal('的' + column.label)} || IF(ggzy_text({raw}) IS NULL, '未填写', '无法识别')"


def _candidates(spec: Spec, ctx: Context) -> tuple[str, str]:
    """SQL: the match table with its key, keys c0.., the count key, validity dates and each
    condition (three-valued); and the problem that makes every item not evaluable (a key or
    validity column with no value at all: the file lacks it)."""
    m = spec.match
    table = schema.TABLES[spec.match_table]
    source = ctx.source if spec.match_table == spec.table else ident(table.name)
    label = m.label or table.chinese
    cols = [f"CAST(t.{ident(table.key)} AS VARCHAR) AS _mkey"]
    cols += [f"t.{ident(c)} AS c{i}" for i, c in enumerate(m.by.values())]
    # the count key: the first filled of count_distinct, text normalised as names are (once per
    # distinct value: normalising a million bids' names one by one costs seconds)
    counted, joins = [], []
    for j, c in enumerate(m.count_distinct or [table.key]):
        if table.column(c).kind == "text" and m.count_distinct:
            joins.append(f"LEFT JOIN (SELECT v, ggzy_norm_name(v) AS nv FROM (SELECT DISTINCT {ident(c)} AS v FROM {source})) "
                         f"n{j} ON n{j}.v = t.{ident(c)}")
            counted.append(f"n{j}.nv")
        else:
            counted.append(f"CAST(t.{ident(c)} AS VARCHAR)")
    cols.append(f"coalesce({', '.join(counted)}) AS _ck")
    cols.append(f"{literal(label)} || '记录' || t.{ident(table.key)} AS _mlabel")
    if m.valid_on:
        f, u = table.column(m.valid_on.from_), table.column(m.valid_on.until) if m.valid_on.until else None
        cols += [f"CAST(t.{ident(f.name)} AS DATE) AS _from", f"{literal(f.label)} AS _from_label",
                 f"IF(t.{ident(f.name)} IS NULL, {_why(f)}, NULL) AS _from_why"]
        cols += ([f"CAST(t.{ident(u.name)} AS DATE) AS _until", f"{literal(u.label)} AS _until_label",
                  f"IF(ggzy_unreadable(t.{ident(u.name + '__raw')}, t.{ident(u.name)}), {_why(u)}, NULL) AS _until_why"]
                 if u else ["CAST(NULL AS DATE) AS _until", "NULL AS _until_label", "CAST(NULL AS VARCHAR) AS _until_why"])
    conds = []
    for i, (column, req) in enumerate(m.where.items()):
        cond = f"({' AND '.join(condition_sql(column, req))})"
        if table.column(column).kind in ("datetime", "bool", "number"):  # unreadable: unknown, whatever the test
            cond = f"IF(ggzy_unreadable(t.{ident(column + '__raw')}, t.{ident(column)}), NULL, {cond})"
        cols.append(f"{cond} AS q{i}")
        conds.append((f"q{i}", literal(req.label or table.column(column).label),
                      _why(table.column(column))))
    cols.append("[" + ", ".join(f"IF({q} IS FALSE, {lab}, NULL)" for q, lab, _ in conds) + "]::VARCHAR[] AS _failed")
    cols.append("[" + ", ".join(f"IF({q} IS NULL, {why}, NULL)" for q, _, why in conds) + "]::VARCHAR[] AS _cond_why")
    cols.append((" AND ".join(q for q, _, _ in conds) or "TRUE") + " AS _conds_ok")
    watched = [table.column(c) for c in [*m.by.values(), *([m.valid_on.from_] if m.valid_on else [])]]
    empty = [f"IF(count(*) > 0 AND count(t.{ident(c.name)}) = 0, {literal(f'{table.chinese}的{c.label}全部为空（或缺少该列）')}, NULL)"
             for c in dict.fromkeys(watched)]
    problem = f"(SELECT concat_ws('；', {', '.join(empty)}) FROM {source} t)"
    return f"SELECT {', '.join(cols)} FROM {source} t {' '.join(joins)}", problem


def _texts(spec: Spec) -> dict[str, str]:
    m = spec.match
    label = m.label or schema.TABLES[spec.match_table].chinese
    defaults = {"none": f"{label}中无对应记录", "out_of_date": f"{label}中的对应记录在{{date}}不在有效期内（{{bounds}}）",
                "unmet": f"{label}中的对应记录未满足：{{failed}}", "too_few": f"{label}中对应记录仅{{n}}条，少于{{at_least}}条",
                "matched": f"{label}中有对应记录{{keys}}"}
    return {**defaults, **spec.gap_texts.model_dump(exclude_none=True)}


def _fill(text: str, values: dict[str, str]) -> str:
    """SQL: a gap text with its placeholders replaced by SQL values (the text stays a literal)."""
    sql = literal(text)
    for name, expr in values.items():
        if "{" + name + "}" in text:
            sql = f"replace({sql}, {literal('{' + name + '}')}, coalesce(CAST({expr} AS VARCHAR), '（空）'))"
    return sql


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    m, as_of = spec.match, f"DATE {literal(ctx.as_of.isoformat())}"
    candidates, problem = _candidates(spec, ctx)
    join = " AND ".join(f"m.c{i} = i.k{i}" for i in range(len(m.by)))
    if m.valid_on:
        after_until = "i.item_date > m._until" if m.valid_on.until_inclusive else "i.item_date >= m._until"
        date_ok = (f"CASE WHEN m._from > i.item_date OR {after_until} THEN FALSE "
                   "WHEN m._from IS NULL OR m._until_why IS NOT NULL THEN NULL ELSE TRUE END")
        date_why = "coalesce(_from_why, _until_why)"
        bounds = ("m._from_label || ' ' || coalesce(strftime(m._from, '%Y-%m-%d'), '未填写') || '，' || "
                  "coalesce(m._until_label || ' ' || coalesce(strftime(m._until, '%Y-%m-%d'), '未填写'), '未设截止日期')")
    else:
        date_ok, date_why, bounds = "TRUE", "NULL", "''"
    n, at_least, expect_match = "coalesce(a.n_ok, 0)", m.at_least, spec.expect == "match"
    texts = _texts(spec)
    fill = {"n": n, "at_least": str(at_least), "date": "strftime(i.item_date, '%Y-%m-%d')",
            "failed": "array_to_string(a.best_failed, '、')", "keys": "array_to_string(a.ok_keys, '、')",
            "bounds": "array_to_string(a.bounds, '；')"}
    if expect_match:
        outcome = f"""CASE WHEN i.in_scope IS FALSE THEN 'not_applicable' WHEN i.bad IS NOT NULL THEN 'not_evaluable'
            WHEN p.problem <> '' THEN 'not_evaluable'
            WHEN {n} >= {at_least} THEN 'compliant'
            WHEN {n} + coalesce(a.n_unknown, 0) >= {at_least} THEN 'not_evaluable' ELSE 'violated' END"""
        gap = f"""CASE WHEN coalesce(a.n_cand, 0) = 0 THEN 'none' WHEN {n} > 0 THEN 'too_few'
            WHEN NOT a.any_in_date THEN 'out_of_date' ELSE 'unmet' END"""
    else:
        outcome = """CASE WHEN i.in_scope IS FALSE THEN 'not_applicable' WHEN i.bad IS NOT NULL THEN 'not_evaluable'
            WHEN p.problem <> '' THEN 'not_evaluable'
            WHEN coalesce(a.n_ok, 0) > 0 THEN 'violated'
            WHEN coalesce(a.n_unknown, 0) > 0 THEN 'not_evaluable' ELSE 'compliant' END"""
        gap = "'matched'"
    detailed = f"n_ok < {at_least}" if expect_match else "n_ok > 0 OR n_unknown > 0"
    gap_text = " ".join(f"WHEN {literal(g)} THEN {_fill(texts[g], fill)}" for g in GAPS)
    candidate = ("{'key': _mkey, 'counts': coalesce(ok, FALSE), 'failed': list_filter(_failed, lambda x: x IS NOT NULL)"
                 + (", 'from': _from, 'until': _until" if m.valid_on else "") + "}")
    explode = spec.mode == "explode"
    item_gap = "j.shown || '：' || j.gap_text" if explode else "j.gap_text"
    item_ev = "{'item': j.shown, 'outcome': j.outcome, 'gap': IF(j.outcome = 'violated', j.gap, NULL), " \
              "'matched': j.matched, 'candidates': j.candidates[1:" + str(MAX_SHOWN) + "]}"
    evidence = json_object(
        expect=literal(spec.expect), match_table=literal(spec.match_table),
        **({"at_least": str(at_least)} if at_least > 1 else {}),
        **({"date": "any_value(j.item_date)", "date_column": "any_value(j.date_source)"} if m.valid_on else {}),
        items=f"(list({item_ev} ORDER BY j._item) FILTER (WHERE j.outcome IN ('violated', 'not_evaluable')))[1:{MAX_SHOWN}]",
        as_of=as_of)
    finding = """CASE WHEN bool_or(j.outcome = 'violated') THEN 'violated'
        WHEN bool_or(j.outcome = 'not_evaluable') THEN 'not_evaluable'
        WHEN bool_or(j.outcome = 'compliant') THEN 'compliant' ELSE 'not_applicable' END"""
    return f"""
    WITH i AS ({_items(spec, ctx, as_of)}),
    m AS ({candidates}),
    p AS (SELECT {problem} AS problem),
    c AS (
        SELECT *,
               CASE WHEN date_ok IS FALSE OR _conds_ok IS FALSE THEN FALSE
                    WHEN date_ok IS NULL OR _conds_ok IS NULL THEN NULL ELSE TRUE END AS ok,
               NULLIF(array_to_string(list_transform(list_sort(list_distinct(list_filter(
                   list_concat([IF(date_ok IS NULL, {date_why}, NULL)], _cond_why), lambda x: x IS NOT NULL))),
                   lambda x: _mlabel || x), '；'), '') AS unknown_why
        FROM (SELECT i._item, m.*, {date_ok} AS date_ok, {bounds} AS bounds
              FROM i JOIN m ON {join} WHERE i.bad IS NULL AND i.in_scope)),
    counts AS (
        SELECT _item, count(*) AS n_cand,
               count(DISTINCT _ck) FILTER (WHERE ok) AS n_ok,
               count(*) FILTER (WHERE ok IS NULL) AS n_unknown,
               bool_or(date_ok IS NOT FALSE) AS any_in_date
        FROM c GROUP BY _item),
    a AS (  -- the details, for the items that are not plainly compliant only
        SELECT _item, any_value(n_cand) AS n_cand, any_value(n_ok) AS n_ok, any_value(n_unknown) AS n_unknown,
               any_value(any_in_date) AS any_in_date,
               list(_mkey ORDER BY _mkey) FILTER (WHERE ok) AS ok_keys,
               list(DISTINCT bounds) AS bounds,
               (list(list_filter(_failed, lambda x: x IS NOT NULL)
                     ORDER BY len(list_filter(_failed, lambda x: x IS NOT NULL)), _mkey) FILTER (WHERE date_ok IS NOT FALSE))[1] AS best_failed,
               string_agg(DISTINCT unknown_why, '；' ORDER BY unknown_why) FILTER (WHERE ok IS NULL) AS unknown_why,
               list({candidate} ORDER BY _mkey) AS candidates
        FROM c JOIN counts USING (_item) WHERE {detailed} GROUP BY _item
        UNION ALL BY NAME
        SELECT _item, n_cand, n_ok, n_unknown, any_in_date FROM counts WHERE NOT ({detailed})),
    j AS (
        SELECT i.*, coalesce(a.candidates, []) AS candidates, {outcome} AS outcome, {n} AS matched,
               coalesce(i.bad, NULLIF(p.problem, ''), a.unknown_why) AS why,
               {gap} AS gap, CASE {gap} {gap_text} END AS gap_text
        FROM i CROSS JOIN p LEFT JOIN a USING (_item))
    SELECT j._rid AS _record_id, any_value(j._pid) AS _project_id, any_value(j._dept) AS _department,
           j._rid AS _key,
           {finding} AS outcome,
           IF(({finding}) = 'not_evaluable',
              string_agg(DISTINCT j.why, '；' ORDER BY j.why) FILTER (WHERE j.outcome = 'not_evaluable'), NULL) AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           {evidence} AS evidence,
           string_agg(j.shown, '、' ORDER BY j._item) FILTER (WHERE j.outcome = 'violated') AS item_text,
           string_agg({item_gap}, '；' ORDER BY j._item) FILTER (WHERE j.outcome = 'violated') AS gap_text,
           any_value(j.item_date) AS item_date,
           {'min' if expect_match else 'max'}(j.matched) FILTER (WHERE j.outcome = 'violated') AS matched
    FROM j GROUP BY j._rid
    """
