"""The CI gate over an export: the data-quality checks a pipeline needs besides the contract.

The contract (``pipelines.validate``) says whether each value is readable; the gate says
whether the export as a whole can be trusted for an audit: references resolve (a bid's lot is
among the projects), dates come in order (an inspection does not end before it starts),
values are plausible (prices above zero, dates not in the far future), the export is fresh
(its newest record is recent as of the audit date), and the columns each rule needs are filled.
Each check gives a rate of bad rows; ``rules/gate.yaml`` (or ``--gate FILE``) sets, per family,
the rate above which it is a warning and the rate above which it fails the gate. Every check
is one SQL query over a whole table; examples name a few record keys, never personal values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from . import schema
from .reading import Export
from .shipped import DEFAULT_RULES_DIR
from .sql import ident, literal
from .yamlfile import YamlDoc

#: (table, column, referenced table, referenced column): every reference an audit relies on
REFERENCES = (
    ("bids", "project_id", "projects", "project_id"),
    ("notices", "project_id", "projects", "project_id"),
    ("complaints", "project_id", "projects", "project_id"),
    ("inspections", "project_id", "projects", "project_id"),
    ("inspection_targets", "project_id", "projects", "project_id"),
    ("panels", "project_id", "projects", "project_id"),
)

#: (table, earlier, later): the later date must not come before the earlier one
DATE_ORDER = (
    ("projects", "docs_issued_at", "bid_deadline"),
    ("projects", "bid_deadline", "evaluation_report_at"),
    ("projects", "award_notice_at", "contract_signed_at"),
    ("projects", "candidates_published_at", "candidates_publicity_end"),
    ("inspections", "started_at", "ended_at"),
    ("inspections", "ended_at", "published_at"),
    ("complaints", "received_at", "transferred_at"),
    ("complaints", "received_at", "accepted_at"),
    ("complaints", "accepted_at", "decided_at"),
    ("credit_list", "listed_at", "removed_at"),
    ("inspectors", "qualified_from", "qualified_until"),
    ("referrals", "referred_at", "closed_at"),
)

EARLIEST_DATE = dt.date(1990, 1, 1)  # no record of a trading platform is older
FUTURE_YEARS = 10  # a date may lie ahead (a qualification valid until…), but not by decades: a typo

FAMILIES = {
    "references": "引用完整",
    "date_order": "日期先后",
    "ranges": "取值合理",
    "freshness": "数据新鲜度",
    "completeness": "规则所需列的完整度",
}
DEFAULT_GATE = DEFAULT_RULES_DIR / "gate" / "thresholds.yaml"


class GateConfigError(ValueError):
    """gate.yaml is wrong; the message names the file, the line and the field."""


@dataclass(frozen=True)
class Threshold:
    warn: float
    fail: float


@dataclass
class GateCheck:
    """One check's result: how many rows it looked at, how many were bad, and its level."""

    family: str
    name: str  # e.g. bids.project_id → projects.project_id
    table: str
    checked: int
    failed: int
    level: str = "pass"  # pass | warning | error | skipped
    measure: float = 0.0  # the rate of bad rows, or days for freshness
    detail: str = ""  # Chinese, what was checked and why it failed or was skipped
    examples: list[str] = field(default_factory=list)  # a few record keys

    def as_dict(self) -> dict:
        return asdict(self)


def load_thresholds(path: Path | None = None) -> dict[str, Threshold]:
    """Per family: the warning and failing rates (days, for freshness)."""
    doc = YamlDoc.load(Path(path or DEFAULT_GATE))
    data = doc.data or {}
    if not isinstance(data, dict):
        raise GateConfigError(str(doc.error((), "门禁阈值文件应为映射 gate file must be a mapping")))
    found = {}
    for family, spec in data.items():
        if family not in FAMILIES:
            raise GateConfigError(str(doc.error((family,), f"未知检查类别 unknown family; 可用 known: {', '.join(FAMILIES)}")))
        if not isinstance(spec, dict) or set(spec) != {"warn", "fail"}:
            raise GateConfigError(str(doc.error((family,), "应为 {warn: 数, fail: 数} / must be {warn: n, fail: n}")))
        values = {}
        for part in ("warn", "fail"):
            value = spec[part]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise GateConfigError(str(doc.error((family, part), "应为非负数 / must be a non-negative number")))
            values[part] = float(value)
        if values["fail"] < values["warn"]:
            raise GateConfigError(str(doc.error((family, "fail"), "fail 不得小于 warn / fail must be ≥ warn")))
        found[family] = Threshold(**values)
    missing = [f for f in FAMILIES if f not in found]
    if missing:
        raise GateConfigError(f"{doc.path}: 缺少检查类别 missing families: {', '.join(missing)}")
    return found


def _level(measure: float, limit: Threshold) -> str:
    if measure > limit.fail:
        return "error"
    return "warning" if measure > limit.warn else "pass"


def _rate_check(con, family: str, name: str, table: str, where_bad: str, where_checked: str,
                detail: str, limit: Threshold) -> GateCheck:
    key = ident(schema.TABLES[table].key)
    checked, failed, examples = con.execute(f"""
        SELECT count(*) FILTER (WHERE {where_checked}),
               count(*) FILTER (WHERE {where_checked} AND {where_bad}),
               list(CAST({key} AS VARCHAR) ORDER BY _row) FILTER (WHERE {where_checked} AND {where_bad})[1:5]
        FROM {ident(table)} t""").fetchone()
    rate = failed / checked if checked else 0.0
    return GateCheck(family, name, table, checked, failed, _level(rate, limit) if checked else "skipped",
                     round(rate, 6), detail if checked else detail + "；没有可检查的记录", examples or [])


def _skipped(family: str, name: str, table: str, why: str) -> GateCheck:
    return GateCheck(family, name, table, 0, 0, "skipped", 0.0, why)


def _has(export: Export, table: str, *columns: str) -> str | None:
    """Why a check cannot run (table or column absent), else None."""
    if not export.has(table):
        return f"缺少数据表 {table}（{schema.TABLES[table].chinese}）"
    absent = [c for c in columns if c in export.files[table].missing_columns]
    return f"数据表 {table} 缺少列 {'、'.join(absent)}" if absent else None


def reference_checks(con, export: Export, limits) -> list[GateCheck]:
    found = []
    for table, column, target, target_column in REFERENCES:
        name = f"{table}.{column} → {target}.{target_column}"
        why = _has(export, table, column) or _has(export, target, target_column)
        if why:
            found.append(_skipped("references", name, table, why))
            continue
        bad = (f"NOT EXISTS (SELECT 1 FROM {ident(target)} r "
               f"WHERE r.{ident(target_column)} = t.{ident(column)})")
        found.append(_rate_check(con, "references", name, table, bad, f"t.{ident(column)} IS NOT NULL",
                                 f"{schema.TABLES[table].chinese}的{schema.column(table, column).label}"
                                 f"须在{schema.TABLES[target].chinese}中", limits["references"]))
    return found


def date_order_checks(con, export: Export, limits) -> list[GateCheck]:
    found = []
    for table, earlier, later in DATE_ORDER:
        name = f"{table}: {earlier} ≤ {later}"
        why = _has(export, table, earlier, later)
        if why:
            found.append(_skipped("date_order", name, table, why))
            continue
        a, b = f"CAST(t.{ident(earlier)} AS DATE)", f"CAST(t.{ident(later)} AS DATE)"
        found.append(_rate_check(con, "date_order", name, table, f"{b} < {a}", f"{a} IS NOT NULL AND {b} IS NOT NULL",
                                 f"{schema.column(table, later).label}不得早于{schema.column(table, earlier).label}",
                                 limits["date_order"]))
    return found


def range_checks(con, export: Export, as_of: dt.date, limits) -> list[GateCheck]:
    found = []
    latest = as_of.replace(year=as_of.year + FUTURE_YEARS, day=min(as_of.day, 28))
    for name, tf in export.files.items():
        table = schema.TABLES[name]
        for column in table.loaded_columns:
            if column.name in tf.missing_columns or column.kind not in ("number", "datetime"):
                continue
            col = f"t.{ident(column.name)}"
            if column.kind == "number":
                bad, detail = f"{col} <= 0", f"{column.label}应大于 0"
            else:
                bad = (f"(CAST({col} AS DATE) < DATE {literal(EARLIEST_DATE.isoformat())} "
                       f"OR CAST({col} AS DATE) > DATE {literal(latest.isoformat())})")
                detail = f"{column.label}应在 {EARLIEST_DATE} 至 {latest} 之间"
            found.append(_rate_check(con, "ranges", f"{name}.{column.name}", name, bad, f"{col} IS NOT NULL",
                                     detail, limits["ranges"]))
    return found


def freshness_checks(con, export: Export, as_of: dt.date, limits) -> list[GateCheck]:
    """Days from the export's newest date (any table, not after as-of) to as-of: an export whose
    newest record is months old was probably exported from a stale copy. Tables that change
    rarely (meetings, powers) are judged with the rest, not alone."""
    parts = []
    for name, tf in export.files.items():
        for c in schema.TABLES[name].loaded_columns:
            if c.kind == "datetime" and c.name not in tf.missing_columns:
                parts.append(f"SELECT max(CAST({ident(c.name)} AS DATE)) FILTER "
                             f"(WHERE CAST({ident(c.name)} AS DATE) <= DATE {literal(as_of.isoformat())}) AS d, "
                             f"count(*) AS n FROM {ident(name)}")
    if not parts:
        return [_skipped("freshness", "整个导出 whole export", "", "导出中没有日期列")]
    latest, rows = con.execute(f"SELECT max(d), sum(n) FROM ({' UNION ALL '.join(parts)})").fetchone()
    if latest is None:
        return [_skipped("freshness", "整个导出 whole export", "", "没有截止日期前的日期")]
    days = (as_of - latest).days
    return [GateCheck("freshness", "整个导出 whole export", "", int(rows), 0, _level(days, limits["freshness"]),
                      float(days), f"最新日期 {latest}，距截止日期 {days} 天")]


def completeness_checks(con, export: Export, needed: dict[str, set[str]], limits) -> list[GateCheck]:
    """Empty share of each column some selected rule reads (``needed``: table → columns)."""
    found = []
    for table in sorted(needed):
        if not export.has(table):
            continue
        for column in sorted(needed[table]):
            if column.startswith("project.") or column in export.files[table].missing_columns:
                continue
            raw = column + "__raw" if schema.column(table, column).kind in ("number", "datetime", "bool") else column
            found.append(_rate_check(con, "completeness", f"{table}.{column}", table,
                                     f"t.{ident(raw)} IS NULL", "TRUE",
                                     f"{schema.column(table, column).label}为空的比例", limits["completeness"]))
    return found


def run_gate(con: duckdb.DuckDBPyConnection, export: Export, as_of: dt.date, limits: dict[str, Threshold],
             needed: dict[str, set[str]]) -> list[GateCheck]:
    """Every gate check over the loaded export, in family order."""
    return [*reference_checks(con, export, limits), *date_order_checks(con, export, limits),
            *range_checks(con, export, as_of, limits), *freshness_checks(con, export, as_of, limits),
            *completeness_checks(con, export, needed, limits)]


def verdict(checks: list[GateCheck]) -> str:
    """'fail' when any check is at error level, 'warn' with warnings only, else 'pass'."""
    levels = {c.level for c in checks}
    return "fail" if "error" in levels else "warn" if "warning" in levels else "pass"


@dataclass
class RuleFeed:
    """Whether this export can feed a rule, and why not."""

    rule_id: str
    title: str
    status: str  # 可运行 feeds | 部分可运行 partly (a needed column mostly empty) | 不能运行 cannot
    reason: str = ""
    fill: float | None = None  # the lowest share of filled values among the columns it reads

    def as_dict(self) -> dict:
        return asdict(self)


def needed_columns(rules) -> dict[str, set[str]]:
    """table -> the columns the selected rules read (their own table's; ``project.*`` under projects)."""
    needed: dict[str, set[str]] = {}
    for rule in rules:
        spec = rule.spec
        for column in spec.columns_used():
            if column.startswith("project."):
                needed.setdefault("projects", set()).add(column[len("project."):])
            else:
                needed.setdefault(spec.table, set()).add(column)
    return needed


def rule_feed(rules, export: Export, checks: list[GateCheck], limits: dict[str, Threshold]) -> list[RuleFeed]:
    """Per selected rule: can this export feed it? Missing tables and columns say no; a column it
    reads that is emptier than the completeness failing rate makes it partly fed."""
    empty = {c.name: c.measure for c in checks if c.family == "completeness" and c.level != "skipped"}
    found = []
    for rule in rules:
        spec = rule.spec
        tables = [spec.table, *spec.tables_used()]
        if any(t for t in spec.columns_used() if t.startswith("project.")):
            tables.append("projects")
        absent_tables = [t for t in dict.fromkeys(tables) if not export.has(t)]
        if absent_tables:
            found.append(RuleFeed(spec.id, spec.title, "不能运行",
                                  "缺少数据表 " + "、".join(f"{t}（{schema.TABLES[t].chinese}）" for t in absent_tables)))
            continue
        own = [c for c in spec.columns_used() if not c.startswith("project.")]
        required = [c.name for c in spec.schema_table.columns if c.required]
        absent = [c for c in dict.fromkeys([*required, *own]) if c in export.files[spec.table].missing_columns]
        if absent:
            found.append(RuleFeed(spec.id, spec.title, "不能运行", f"数据表 {spec.table} 缺少列 "
                                  + "、".join(f"{c}（{schema.column(spec.table, c).label}）" for c in absent)))
            continue
        names = [f"{spec.table}.{c}" for c in own] + [f"projects.{c[8:]}" for c in spec.columns_used()
                                                      if c.startswith("project.")]
        rates = {n: empty[n] for n in names if n in empty}
        fill = round(1 - max(rates.values()), 4) if rates else None
        worst = [n for n, r in rates.items() if r > limits["completeness"].fail]
        if worst:
            found.append(RuleFeed(spec.id, spec.title, "部分可运行", "列几乎全空 mostly empty: " + "、".join(worst), fill))
        else:
            found.append(RuleFeed(spec.id, spec.title, "可运行", "", fill))
    return found
