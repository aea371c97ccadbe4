"""``ggzy rules --sql RULE_ID``: the SQL a rule compiles to, for a person to read.

A rule runs as two statements (``pipelines.engine.run_rule``): the *source view* — the rule's
table after its ``where`` filter, with record id, project id, responsible department and the
project's columns beside each record — and the kind's *outcome query* over that view, one row
per judged record. Both are compiled from the rule file and the export schema alone, so no
export is needed; the outcome query depends on the audit's ``as_of`` date (pending vs overdue),
which is therefore part of what is shown. The SQL is pretty-printed by sqlglot (DuckDB dialect).

>>> from pipelines.rules import load_pack
>>> rule = next(r for r in load_pack().rules if r.id == "inspection-disclosure")
>>> text = rule_sql(rule, dt.date(2026, 11, 27))
>>> "CREATE OR REPLACE TEMP VIEW rule_source AS" in text and "DATE '2026-11-27'" in text
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlglot

from checks.base import Context

from . import scope
from .engine import OUTCOME, SOURCE, judged_sql, outcome_sql, source_view_sql
from .rules import Rule
from .sql import DIALECT


@dataclass(frozen=True)
class RuleSql:
    """The two statements of one rule, as the engine runs them (not yet pretty-printed)."""

    source: str  # CREATE … VIEW rule_source AS …
    outcome: str  # CREATE … TABLE rule_outcome AS …


def compile_rule(rule: Rule, as_of: dt.date, calendar_last_year: int | None = None) -> RuleSql:
    """The rule's statements compiled against the schema, exactly as ``engine.run_rule`` builds them."""
    spec = rule.spec
    ctx = Context(source=SOURCE, as_of=as_of, rule=spec, calendar_last_year=calendar_last_year)
    outcome = scope.wrap(spec, rule.kind.compile(spec, ctx), SOURCE, getattr(rule.kind, "GROUPED", False))
    return RuleSql(f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS {source_view_sql(spec)}",
                   f"CREATE OR REPLACE TEMP TABLE {OUTCOME} AS {judged_sql(rule, outcome_sql(outcome))}")


def pretty(sql: str) -> str:
    """One statement parsed and printed again by sqlglot, indented; raises sqlglot's
    ``ParseError`` when the statement is not valid DuckDB SQL."""
    return sqlglot.transpile(sql, read=DIALECT, write=DIALECT, pretty=True)[0]


def rule_sql(rule: Rule, as_of: dt.date) -> str:
    """The text ``ggzy rules --sql`` prints: a commented header, then both statements."""
    spec, compiled = rule.spec, compile_rule(rule, as_of)
    named = "、".join(rule.kind.PREPARES)  # the preparations the kind names; the engine runs them first
    prepared = (f"\n-- 此检查类型运行前另有准备步骤（{named}），查询中引用的中间表由它生成"
                " / the kind prepares helper tables before this query runs" if named else "")
    return (f"-- 规则 rule {spec.id}：{spec.title}\n"
            f"-- 检查类型 check: {spec.check}；数据表 table: {spec.table}；审计截止日期 as_of: {as_of.isoformat()}"
            f"{prepared}\n\n"
            f"-- 1. 数据来源视图：{spec.table} 经 where 筛选，附记录编号、项目、归属部门 / source view\n"
            f"{pretty(compiled.source)};\n\n"
            f"-- 2. 结果查询：每条记录一行，outcome 为 violated / compliant / pending / not_evaluable / "
            f"not_applicable / outcome query\n"
            f"{pretty(compiled.outcome)};\n")
