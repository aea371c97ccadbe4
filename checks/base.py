"""What every rule has, whatever its check kind, and what a check kind must provide.

A rule is one YAML file. Its common fields (id, title, basis, severity, description, table,
where, department, message) are declared here; each check kind in ``checks/`` subclasses
:class:`RuleSpec` with its own parameters and compiles the rule to one SQL query.

The query a check returns reads the view named ``ctx.source`` (the rule's table after its
``where`` filter, with ``_row``, ``_record_id``, ``_project_id``, ``_department`` and the
record's project's columns as ``"project.<column>"``) and yields one row per judged record:

===============  ============================================================================
``_row``         the record (the source's ``_row``)
``outcome``      ``violated`` | ``compliant`` | ``pending`` | ``not_evaluable`` | ``not_applicable``
``reason``       why a record is not evaluable: a JSON object made by :func:`reason` (a code,
                 its parameters and a Chinese ``text``); the engine keeps it only when the
                 outcome is ``not_evaluable``, so a kind need not guard it
``severity``     NULL, or a severity that overrides the rule's for this record
``evidence``     JSON object: the facts that prove the outcome
(fields)         every name in the kind's ``FIELDS``, for the message template
===============  ============================================================================

A *grouped* kind (module constant ``GROUPED = True``) judges groups rather than records — one
finding per lot and shared value, say — and gives, instead of ``_row``: ``_record_id`` (the
record the finding is about, e.g. the lot's project_id), ``_project_id``, ``_department`` (NULL:
the project's department) and ``_key`` (what tells two findings on one record apart, e.g. the
shared value). Its message templates use only its ``FIELDS`` and record_id/project_id/department.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelines import schema
from pipelines.sql import ident, in_list, literal

OUTCOMES = ("violated", "compliant", "pending", "not_evaluable", "not_applicable")
SEVERITIES = ("error", "warning", "info")


class Condition(BaseModel):
    """One column's condition in a rule's ``where``; all given parts must hold."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    in_: list[str] | None = Field(None, alias="in")
    not_in: list[str] | None = None
    equals: str | None = None
    present: bool | None = None
    differs_from: str | None = None
    # the record is a *change*, not the first: its date (this column) is later than the earliest date
    # among the table's records with the same values of these columns (一(二): "变动时" binds changes,
    # not the first designation). An empty date stays in (the rule says it is not evaluable).
    after_first_per: list[str] | None = None


class AppliesTo(BaseModel):
    """Where the statute a rule cites applies (``applies_to``), judged once per project by the
    engine (``pipelines.scope``) rather than by each rule's ``where``: records of projects of another
    trade type are left out; with ``must_tender: true`` records of projects that need not be
    tendered by law are left out, and those that cannot be classified are not evaluable
    ("无法判断是否依法必须招标"), never violations."""

    model_config = ConfigDict(extra="forbid")

    trade_types: list[str] | None = None  # 招标投标法 rules: [工程建设, …]; never 政府采购, 土地使用权, 矿业权
    must_tender: bool | None = None  # 招标投标法 §24, 条例 §54: 依法必须招标 projects only

    @field_validator("trade_types")
    @classmethod
    def _known_trade_types(cls, value):
        return known_trade_types(value)


class RuleSpec(BaseModel):
    """The fields every rule file has."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    basis: str
    severity: Literal["error", "warning", "info"]
    description: str
    table: str
    check: str
    message: str
    where: dict[str, Condition] = {}
    # the column naming the responsible department; a list means the first non-empty of them
    # (e.g. [competent_department, received_by]); default: the record's or its project's department
    department: str | list[str] | None = None
    # bodies the law sends a finding to besides the department's own file (行政监督部门, 评标委员会,
    # 财政部门); never 公安机关 or 纪检监察机关: that is a person's decision after verification
    refer_to: list[str] = []
    applies_to: AppliesTo | None = None  # trade types and 依法必须招标 (pipelines.scope)
    # a column that, when filled, exempts a record from being a violation (二: "未列入权责清单**且**无法定依据":
    # an unlisted power with a legal basis is allowed); an export without the column gets the findings one
    # severity lower, to be verified
    unless: str | None = None
    enabled: bool = True
    # notice clauses (ids of rules/clauses.yaml, e.g. 九) the rule serves besides those its basis names;
    # for a statutory rule that implements a clause of the notice. The rule catalogue's coverage table uses both.
    clauses: list[str] = []
    # rows in -> expected outcome per record (pipelines.examples validates them, the rule-examples
    # test runs them, the catalogue prints them); never read by the engine
    examples: list[dict[str, Any]] = []

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in schema.TABLES:
            raise ValueError(f"未知数据表 unknown table {value!r}; known: {', '.join(schema.TABLES)}")
        return value

    # -- helpers for kinds -----------------------------------------------------------------

    @property
    def schema_table(self) -> schema.Table:
        return schema.TABLES[self.table]

    def require_column(self, column: str) -> str:
        """A column of the rule's table, or ``project.<column>`` for tables with project_id."""
        if column.startswith("project."):
            if not self.schema_table.has("project_id") or not schema.TABLES["projects"].has(column[8:]):
                raise ValueError(f"未知列 unknown column {column!r}")
        elif not self.schema_table.has(column) or self.schema_table.column(column).confidential:
            raise ValueError(f"数据表 {self.table} 没有列 has no column {column!r}")
        return column

    def column_refs(self) -> dict[tuple, str]:
        """Where in the rule file each column the rule reads is named: loc → column.
        A kind adds its own parameters' columns (``{**super().column_refs(), ("from",): …}``)."""
        refs: dict[tuple, str] = {("where", c): c for c in self.where}
        refs.update({("where", c, "differs_from"): cond.differs_from
                     for c, cond in self.where.items() if cond.differs_from})
        refs.update({("where", c, "after_first_per", i): g for c, cond in self.where.items()
                     for i, g in enumerate(cond.after_first_per or [])})
        if isinstance(self.department, list):
            refs.update({("department", i): c for i, c in enumerate(self.department)})
        elif self.department:
            refs[("department",)] = self.department
        return refs

    def problems(self) -> list[tuple[tuple, str]]:
        """(loc, problem) for every column reference the schema does not know; kinds may add more."""
        found = []
        if self.applies_to and not self.schema_table.has("project_id"):
            found.append((("applies_to",), f"数据表 {self.table} 没有项目编号，无法按项目判断适用范围 / "
                                           "applies_to needs a table with project_id"))
        if self.unless and (not self.schema_table.has(self.unless) or self.unless.startswith("project.")):
            found.append((("unless",), f"数据表 {self.table} 没有列 has no column {self.unless!r}"))
        forbidden = [b for b in self.refer_to if b in ("公安机关", "纪检监察机关")]
        if forbidden:
            found.append((("refer_to",), f"规则不得自行移送{'、'.join(forbidden)}：是否涉嫌犯罪或违纪须经核实后由人决定 / "
                                         "a rule never refers a case to the police or the discipline commission"))
        for loc, column in self.column_refs().items():
            try:
                self.require_column(column)
            except ValueError as exc:
                found.append((loc, str(exc)))
        return found

    def columns_used(self) -> list[str]:
        return list(dict.fromkeys(self.column_refs().values()))

    def columns_read(self) -> list[str]:
        """Every column the check reads (the rule catalogue lists them): those the rule file names,
        and those the kind reads itself (text_clause: the notice's text)."""
        return self.columns_used()

    def tables_used(self) -> list[str]:
        """Tables besides the rule's own that the check needs (e.g. credit_list)."""
        return []


@dataclass
class Context:
    """What a check needs to compile its SQL."""

    source: str  # quoted name of the rule's source view
    as_of: dt.date
    rule: RuleSpec
    calendar_last_year: int | None = None


@dataclass(frozen=True)
class Shown:
    """One fact of a kind's evidence as reports show it: the evidence ``key`` (``a.b`` reads ``b``
    of the object, or of each object of the list, under ``a``), its Chinese ``label``, its
    display ``type`` (see :data:`DISPLAY_TYPES`), whether it is a column of the rule's Excel
    sheet, ``values``: Chinese words for coded values (``{"possible": "疑似，待核实"}``), and
    ``of``: the evidence key naming the column the value comes from (its Chinese name is added
    to the label: 起算日（检查结束时间）)."""

    key: str
    label: str
    type: str = "text"
    excel: bool = True
    values: tuple[tuple[str, str], ...] = ()
    of: str | None = None

    def __post_init__(self):
        assert self.type in DISPLAY_TYPES, self.type

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "type": self.type, "excel": self.excel,
                "values": dict(self.values), "of": self.of}


#: date: a date; number: a number; list: values joined with 、; text: as it is; column: a column
#: name of the rule's table, shown as its Chinese label; records: a list of objects (one block
#: each); bool: 是/否; hidden: a key for programs (an identity, a label repeated), never shown
DISPLAY_TYPES = ("date", "number", "list", "text", "column", "records", "bool", "hidden")


def reason(code: str, text: str, **params: str) -> str:
    """SQL: a not-evaluable reason as data — a JSON object ``{"code", "text", ...params}``;
    ``text`` and every param are SQL expressions (Chinese text for people; params for programs).

    Codes used across kinds: ``value_missing``/``value_unreadable`` {column},
    ``project_missing`` {column, project_id}, ``calendar_missing`` {year}, ``file_unsupported``/
    ``file_unreadable``/``text_missing`` {file}, ``scope_unknown`` {column}; a kind may add its own."""
    return reason_of(literal(code), text, **params)


def reason_of(code: str, text: str, **params: str) -> str:
    """:func:`reason` with the code an SQL expression too (a code chosen per record)."""
    assert all(_FIELD.match(k) for k in params)
    pairs = ", ".join(f"{literal(k)}, {v}" for k, v in (("code", code), ("text", text), *params.items()))
    return f"json_object({pairs})"


def value_reason(table: str, column: str, unreadable: str, alias: str = "s") -> str:
    """SQL: why ``column`` gives no value — ``value_unreadable`` when ``unreadable`` (SQL) holds,
    else ``value_missing`` — with the column's Chinese label in the text."""
    label = schema.column(table, column).label
    return (f"CASE WHEN {unreadable} THEN {reason('value_unreadable', literal(label + '无法识别'), column=literal(column))} "
            f"ELSE {reason('value_missing', literal(label + '未填写'), column=literal(column))} END")


def known_trade_types(value: list[str] | None) -> list[str] | None:
    """A list of trade types, each one of the export's (schema.TRADE_TYPES); a rule-file validator."""
    unknown = [v for v in value or [] if v not in schema.TRADE_TYPES]
    if unknown:
        raise ValueError(f"未知交易类型 unknown trade type {unknown}; 可用 known: {', '.join(schema.TRADE_TYPES)}")
    return value


#: SQL class of the characters ``ggzy_halfwidth`` changes (full-width ASCII U+FF01..U+FF5E and the
#: ideographic space); text without any is returned unchanged by it
_FULL_WIDTH = "'[\uff01-\uff5e\u3000]'"


def halfwidth(x: str) -> str:
    """SQL: ``ggzy_halfwidth(x)`` (pipelines.sqlfuncs) with the same result, faster: its ``translate``
    costs microseconds a value, so text without a full-width character is returned as it is, and
    the full-width characters names mostly hold — （）and the ideographic space — are replaced
    first, leaving ``translate`` only the rare rest."""
    text = f"CAST({x} AS VARCHAR)"
    common = f"replace(replace(replace({text}, '（', '('), '）', ')'), '\u3000', ' ')"
    return (f"CASE WHEN NOT regexp_matches({text}, {_FULL_WIDTH}) THEN {text} "
            f"WHEN regexp_matches({common}, {_FULL_WIDTH}) THEN ggzy_halfwidth({common}) ELSE {common} END")


def norm_name(x: str) -> str:
    """SQL: ``ggzy_norm_name(x)`` (EXPORT-V1 name matching: half-width, 【】 as [], no spaces, upper
    case) with the same result, over :func:`halfwidth`."""
    return (f"NULLIF(upper(regexp_replace(replace(replace({halfwidth(x)}, '【', '['), '】', ']'), "
            f"'\\s', '', 'g')), '')")


def column_sql(column: str) -> str:
    """A column of the rule's table (``t``) or, written ``project.<column>``, of its project (``p``)."""
    return f"p.{ident(column[len('project.'):])}" if column.startswith("project.") else f"t.{ident(column)}"


def condition_sql(column: str, cond: Condition, table: str | None = None) -> list[str]:
    """SQL predicates (over alias ``t``) for one column's ``where`` condition; the engine filters
    a rule's records with it and ``coverage`` the matched table's. ``table``: the table ``t`` is,
    for conditions comparing a record with others of its table (``after_first_per``)."""
    col = column_sql(column)
    parts = []
    if cond.after_first_per:
        same = " AND ".join(f"x.{ident(g)} = t.{ident(g)}" for g in cond.after_first_per)
        parts.append(f"coalesce({col} > (SELECT min(x.{ident(column)}) FROM {ident(table)} x WHERE {same}), "
                     f"{col} IS NULL)")
    if cond.in_ is not None:
        parts.append(in_list(col, cond.in_))
    if cond.not_in is not None:
        parts.append(f"NOT coalesce({in_list(col, cond.not_in)}, FALSE)")
    if cond.equals is not None:
        parts.append(f"{col} = {literal(cond.equals)}")
    if cond.present is not None:
        parts.append(f"{col} IS {'NOT ' if cond.present else ''}NULL")
    if cond.differs_from is not None:
        parts.append(f"{col} IS DISTINCT FROM {column_sql(cond.differs_from)}")
    return parts


_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def json_object(**pairs: str) -> str:
    """SQL for a JSON object from name → SQL expression (names are code, not user text)."""
    assert all(_FIELD.match(k) for k in pairs)
    inner = ", ".join(f"'{k}': {v}" for k, v in pairs.items())
    return f"to_json({{{inner}}})"
