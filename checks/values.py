"""Reading one column of a rule's source view, for the kinds that judge one or two values of a
record (``min_interval``, ``ratio``, ``field_check``): the SQL of the value, whether it is
unreadable, and — when it gives nothing — why, in Chinese, so a record is "not evaluable" with a
reason rather than passed or failed.

A column is one of the rule's table or, written ``project.<column>``, of the record's project (the
source view holds the project's columns under those names). For a project column the reasons
tell a missing project apart from an empty value:

>>> from checks import deadline
>>> spec = deadline.Spec.model_validate({"id": "x", "title": "t", "basis": "b", "severity": "error",
...     "description": "d", "table": "notices", "check": "deadline", "message": "m",
...     "from": "published_at", "to": "project.bid_deadline", "within": {"days": 1}})
>>> label(spec, "project.bid_deadline")
'投标截止时间'
"""

from __future__ import annotations

from pipelines import schema
from pipelines.sql import ident, literal
from pipelines.sqlfuncs import KEEPS_RAW

from .base import RuleSpec, reason


def column(spec: RuleSpec, name: str) -> schema.Column:
    return schema.column(spec.table, name)


def label(spec: RuleSpec, name: str) -> str:
    """The column's Chinese name, as messages and reasons show it."""
    return column(spec, name).label


def value(name: str, alias: str = "s") -> str:
    """SQL: the typed value of column ``name`` in the source view."""
    return f"{alias}.{ident(name)}"


def has_raw(spec: RuleSpec, name: str) -> bool:
    return column(spec, name).kind in KEEPS_RAW


def unreadable(spec: RuleSpec, name: str, alias: str = "s") -> str:
    """SQL: TRUE when the column holds text that did not parse (only dates, booleans, numbers can)."""
    if not has_raw(spec, name):
        return "FALSE"
    return f"ggzy_unreadable({alias}.{ident(name + '__raw')}, {alias}.{ident(name)})"


def missing_project(name: str, alias: str = "s") -> str:
    """SQL: TRUE when ``name`` is a project column and the record's project is not in projects."""
    if not name.startswith("project."):
        return "FALSE"
    return f"({alias}.{ident('project.project_id')} IS NULL)"


def why_missing(spec: RuleSpec, name: str, alias: str = "s") -> str:
    """SQL: why column ``name`` gives no value, as a reason — ``project_missing`` {column,
    project_id}, ``value_unreadable`` or ``value_missing`` {column}."""
    text, col = label(spec, name), literal(name)
    parts = []
    if name.startswith("project."):
        no_id = reason("project_missing", literal("未填写项目编号，无法取得" + text), column=col)
        gone = reason("project_missing", f"'项目' || {alias}._project_id || {literal('不在项目表中，无法取得' + text)}",
                      column=col, project_id=f"{alias}._project_id")
        parts.append(f"WHEN {missing_project(name, alias)} THEN "
                     f"CASE WHEN {alias}._project_id IS NULL THEN {no_id} ELSE {gone} END")
    parts.append(f"WHEN {unreadable(spec, name, alias)} THEN "
                 f"{reason('value_unreadable', literal(text + '无法识别'), column=col)}")
    return f"CASE {' '.join(parts)} ELSE {reason('value_missing', literal(text + '未填写'), column=col)} END"


def problems_project_columns(spec: RuleSpec, refs: dict[tuple, str]) -> list[tuple[tuple, str]]:
    """A rule over the projects table names its own columns directly, never ``project.<column>``."""
    if spec.table != "projects":
        return []
    return [(loc, f"项目表的规则直接写列名 {c[len('project.'):]} / on table projects write the column "
                  f"without 'project.'") for loc, c in refs.items() if c.startswith("project.")]


KIND_WORDS = {"datetime": "日期列 / a date column", "number": "数值列 / a number column"}


def pair_problems(spec: RuleSpec, refs: dict[tuple, str], kind: str) -> list[tuple[tuple, str]]:
    """Problems of the two columns a kind compares (``{loc: column}``): the base checks, no
    ``project.`` prefix on the projects table, and both columns of the schema ``kind``."""
    found = RuleSpec.problems(spec)
    found += problems_project_columns(spec, refs)
    if not found:
        found += [(loc, f"{c} 不是{KIND_WORDS[kind].replace(' / ', ' / is not ')}")
                  for loc, c in refs.items() if column(spec, c).kind != kind]
    return found


