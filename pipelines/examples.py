"""Rule examples as data: rows in, the expected outcome of each record out (sqlfluff's lesson,
test cases kept with the rule they test).

A rule file may end with an ``examples:`` list. Each example is a tiny export — rows per table —
an optional audit date, and what the rule must conclude about each record of its table::

    examples:
      - title: 国庆假期后第10个工作日才到期（10月10日周六调休上班）
        as_of: 2026-11-27
        rows:
          inspections:
            - {inspection_id: X1, department: 市住建局, ended_at: 2026-09-25, published_at: 2026-10-16}
            - {inspection_id: X2, department: 市住建局, ended_at: 2026-09-25, published_at: 2026-10-15}
        expect:
          X1: {outcome: violated, evidence: {due_date: 2026-10-15}, note: 晚一天公开}
          X2: compliant

``expect`` lists every record the rule judges, no more: a record of the rows the rule's ``where``
leaves out is simply not listed. An expectation is an outcome, or a mapping with ``outcome`` and
optionally ``reason`` (text the not-evaluable reason contains), ``severity`` (of a violation),
``evidence`` (facts the violation or pending record's evidence must hold; nested mappings and
lists compared item by item) and ``note`` (why, for the catalogue). Without ``as_of`` the example
is judged as of today, so a ``pending`` expectation needs one.

:func:`parse_examples` checks the block when the pack loads and names file, line and field for
every mistake: tables and columns the export schema knows (never a confidential column), each
row's key filled and unique, the rule's table present with its required columns, each expected
record one of that table's keys, evidence only where the audit keeps it. The engine never reads
examples; ``tests/test_rule_examples.py`` runs each as a real audit and the rule catalogue prints
them.

>>> cell_text(dt.date(2026, 10, 15)), cell_text(True), cell_text(None)
('2026-10-15', '是', '')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checks.base import OUTCOMES, RuleSpec

from . import schema
from .yamlfile import YamlError, validate_with

#: where the audit keeps a record's evidence: violations (violated) and outcomes (pending)
EVIDENCE_KEPT = ("violated", "pending")
OUTCOME_ZH = {"violated": "违规", "compliant": "合规", "pending": "待到期", "not_evaluable": "无法判断",
              "not_applicable": "不适用"}
Scalar = str | bool | int | float | dt.datetime | dt.date | None


class Expectation(BaseModel):
    """What the rule must conclude about one record."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    reason: str | None = None
    severity: Literal["error", "warning", "info"] | None = None
    evidence: dict[str, Any] = {}
    note: str | None = None


class Example(BaseModel):
    """One example: a tiny export, the audit date, and the expected outcome per record."""

    model_config = ConfigDict(extra="forbid")

    title: str = ""
    as_of: dt.date | None = None
    rows: dict[str, list[dict[str, Scalar]]] = Field(min_length=1)
    expect: dict[str, Expectation]

    @field_validator("expect", mode="before")
    @classmethod
    def _outcome_alone(cls, value):
        """``X1: violated`` is short for ``X1: {outcome: violated}``; record ids are text."""
        if not isinstance(value, dict):
            return value
        return {str(k): {"outcome": v} if isinstance(v, str) else v for k, v in value.items()}

    @field_validator("rows", mode="before")
    @classmethod
    def _keys_as_text(cls, value):
        """Column names as text (YAML reads ``1:`` as a number)."""
        if not isinstance(value, dict):
            return value
        return {t: [{str(k): v for k, v in r.items()} if isinstance(r, dict) else r for r in rs]
                if isinstance(rs, list) else rs for t, rs in value.items()}


class _Examples(BaseModel):
    examples: list[Example]


def cell_text(value) -> str:
    """A value of an example row as written into a CSV cell and shown in the catalogue."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row_problems(example: Example, spec: RuleSpec, base: tuple) -> list[tuple[tuple, str]]:
    found = []
    for name, rows in example.rows.items():
        loc = (*base, "rows", name)
        if name not in schema.TABLES:
            found.append((loc, f"未知数据表 unknown table {name!r}; 可用 known: {', '.join(schema.TABLES)}"))
            continue
        table = schema.TABLES[name]
        keys: set[str] = set()
        for j, row in enumerate(rows):
            for column in row:
                if not table.has(column):
                    found.append(((*loc, j, column), f"数据表 {name} 没有列 has no column {column!r}"))
                elif table.column(column).confidential:
                    found.append(((*loc, j, column), f"列 {column} 是保密信息，ggzy 从不读入 / confidential, never read"))
            key = cell_text(row.get(table.key))
            if not key:
                found.append(((*loc, j), f"缺少主键 {table.key} / the row's key {table.key} is empty"))
            elif key in keys:
                found.append(((*loc, j, table.key), f"主键重复 duplicate key {key!r}"))
            keys.add(key)
        written = {c for row in rows for c in row}
        absent = [c.name for c in table.columns if c.required and c.name not in written]
        if rows and absent:
            found.append((loc, f"缺少必填列 required columns missing: {', '.join(absent)}"))
    if spec.table not in example.rows:
        found.append(((*base, "rows"), f"缺少规则的数据表 {spec.table} 的行 / no rows for the rule's table {spec.table}"))
    return found


def _expect_problems(example: Example, spec: RuleSpec, grouped: bool, base: tuple) -> list[tuple[tuple, str]]:
    found = []
    if grouped:  # a grouped kind's record is a lot: a project id of the rows
        table, keys = "projects/project_id", {cell_text(r.get("project_id")) for rs in example.rows.values() for r in rs}
    else:
        table = f"{spec.table}.{spec.schema_table.key}"
        keys = {cell_text(r.get(spec.schema_table.key)) for r in example.rows.get(spec.table, [])}
    for record, exp in example.expect.items():
        loc = (*base, "expect", record)
        if record not in keys:
            found.append((loc, f"记录 {record!r} 不在示例数据 {table} 中 / not a record of the example's rows"))
        if exp.evidence and exp.outcome not in EVIDENCE_KEPT:
            found.append(((*loc, "evidence"), "只有违规与待到期记录保留证据 / evidence is kept only for "
                                              "violated and pending records"))
        if exp.severity and exp.outcome != "violated":
            found.append(((*loc, "severity"), "只有违规记录有级别 / only a violation has a severity"))
        if exp.reason and exp.outcome != "not_evaluable":
            found.append(((*loc, "reason"), "只有无法判断的记录有原因 / only a not-evaluable record has a reason"))
        if exp.outcome == "pending" and example.as_of is None:
            found.append(((*base, "as_of"), "预期“待到期”的示例须写明 as_of / a pending expectation needs as_of"))
    return found


def parse_examples(doc, spec: RuleSpec, kind) -> list[Example]:
    """The rule file's ``examples`` block, validated; a YamlError lists every problem with its
    file, line and field. ``doc`` is the rule's YamlDoc (or local.yaml's overlay of it)."""
    raw = doc.data.get("examples") if isinstance(doc.data, dict) else None
    if not raw:
        return []
    examples = validate_with(doc, _Examples, data={"examples": raw}).examples
    problems = []
    for i, example in enumerate(examples):
        base = ("examples", i)
        problems += _row_problems(example, spec, base)
        problems += _expect_problems(example, spec, getattr(kind, "GROUPED", False), base)
    if problems:
        raise YamlError("\n".join(str(doc.error(loc, p)) for loc, p in dict.fromkeys(problems)))
    return examples


# ------------------------------------------------------------------------------ the catalogue's view

@dataclass
class ExampleTable:
    """One table of an example as the catalogue prints it: Chinese headers, text cells."""

    name: str
    label: str  # the table's Chinese name
    headers: list[str]
    rows: list[list[str]]


@dataclass
class ExampleView:
    title: str
    as_of: str
    tables: list[ExampleTable]  # the rule's table first, with 预期结果 and 说明 columns


def _shown(kind) -> dict[str, tuple[str, dict]]:
    """Evidence key → (Chinese label, coded value → words) from the kind's ``SHOWN``, if it has one."""
    return {s.key: (s.label, dict(getattr(s, "values", ()) or ())) for s in getattr(kind, "SHOWN", ())
            if hasattr(s, "key") and hasattr(s, "label")}


def _evidence_text(evidence: dict, shown: dict, prefix: str = "") -> list[str]:
    parts = []
    for key, value in evidence.items():
        path = prefix + key
        label, words = shown.get(path, (key, {}))
        if isinstance(value, dict):
            parts += _evidence_text(value, shown, path + ".")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            parts += ["；".join("，".join(_evidence_text(v, shown, path + ".")) for v in value)]
        elif isinstance(value, list):
            parts.append(f"{label}：{'、'.join(words.get(str(v), cell_text(v)) for v in value)}")
        else:
            parts.append(f"{label}：{words.get(str(value), cell_text(value))}")
    return parts


def _masked(table: schema.Table, row: dict, column: str) -> str:
    """A cell as the catalogue shows it: personal data masked like every other output (a list
    entry of an enterprise, 企业, names an organisation and is shown as is, as in evidence)."""
    text = cell_text(row.get(column))
    organisation = table.name == "credit_list" and row.get("subject_type") == "企业"
    if text and not organisation and table.has(column) and table.column(column).personal:
        from .contract import mask_value  # the one masking rule for values shown to people

        return mask_value(text, table.column(column).kind)
    return text


def _expected(exp: Expectation, shown: dict) -> list[str]:
    """(预期结果, 说明) of one record: the outcome in Chinese, the note, reason and evidence expected."""
    severity = {"error": "（错误）", "warning": "（警告）", "info": "（提示）"}.get(exp.severity or "", "")
    notes = [exp.note] if exp.note else []
    notes += [f"原因：{exp.reason}"] if exp.reason else []
    notes += _evidence_text(exp.evidence, shown)
    return [OUTCOME_ZH[exp.outcome] + severity, "；".join(notes)]


def example_views(spec: RuleSpec, kind, examples: list[Example]) -> list[ExampleView]:
    """The examples of one rule as small Chinese tables for the rule catalogue: the rule's table
    first, each record with its expected outcome (a grouped kind's lots get a table of their own)."""
    shown, grouped, views = _shown(kind), getattr(kind, "GROUPED", False), []
    for example in examples:
        tables = []
        for name in sorted(example.rows, key=lambda t: t != spec.table):
            table, rows = schema.TABLES[name], example.rows[name]
            columns = list(dict.fromkeys(c for row in rows for c in row))
            headers = [table.column(c).label for c in columns]
            cells = [[_masked(table, row, c) for c in columns] for row in rows]
            if name == spec.table and not grouped:
                headers += ["预期结果", "说明"]
                for row, line in zip(rows, cells):
                    exp = example.expect.get(cell_text(row.get(table.key)))
                    line += _expected(exp, shown) if exp else ["不检查", "不在本规则的适用范围内"]
            tables.append(ExampleTable(name, table.chinese, headers, cells))
        if grouped:
            tables.insert(0, ExampleTable("expect", "预期结果", ["项目编号", "预期结果", "说明"],
                                          [[record, *_expected(exp, shown)] for record, exp in example.expect.items()]))
        views.append(ExampleView(example.title, example.as_of.isoformat() if example.as_of else "运行当日", tables))
    return views
