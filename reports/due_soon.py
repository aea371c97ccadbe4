"""The due-soon list: pending records (their period has not run out yet) that fall due within N
working days of the as-of date, so a department can act before they become violations.

Built in SQL from the ``outcomes`` table (pending rows keep their evidence, whose ``due_date`` the
deadline check put there) joined to the ``calendar`` table: ``working_days_left`` is the number of
working days after the as-of date up to and including the due date — 0 when it falls due on the
as-of date itself, 1 when it is the next working day. An item is listed when
``working_days_left <= N``; a due date outside the calendar is not listed (it cannot be counted).

Table ``due_soon``: rule_id, title, record_id, project_id, department, due_date,
working_days_left, message (Chinese), evidence, rule_order. Written as ``due_soon.jsonl``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines import schema
from pipelines.sql import literal, records

DEFAULT_WITHIN = 3
TABLE = "due_soon"
FIELDS = ("rule_id", "record_id", "project_id", "department", "due_date", "working_days_left", "message",
          "evidence")


def build_due_soon(con: duckdb.DuckDBPyConnection, audit, within: int = DEFAULT_WITHIN) -> int:
    """Create table ``due_soon`` for ``audit`` (outcomes and calendar in ``con``); return its size."""
    if isinstance(within, bool) or not isinstance(within, int) or within < 0:
        raise ValueError(f"--due-within 应为非负整数 / must be a non-negative integer: {within!r}")
    order = {r.rule_id: i for i, r in enumerate(audit.results)}
    rules = [r for r in audit.pack.rules if r.id in order]
    meta = {
        "ids": [r.id for r in rules],
        "titles": [r.spec.title for r in rules],
        "actions": [getattr(r.spec, "action", None) or "办结" for r in rules],
        "labels": [schema.TABLES[r.spec.table].chinese for r in rules],
        "orders": [order[r.id] for r in rules],
    }
    con.execute(f"""
        CREATE OR REPLACE TABLE {TABLE} AS
        WITH meta AS (
            SELECT unnest($ids::VARCHAR[]) AS rule_id, unnest($titles::VARCHAR[]) AS title,
                   unnest($actions::VARCHAR[]) AS action, unnest($labels::VARCHAR[]) AS label,
                   unnest($orders::INTEGER[]) AS rule_order),
        p AS (
            SELECT o.rule_id, o.record_id, o.project_id, o.department, o.evidence,
                   TRY_CAST(json_extract_string(o.evidence, '$.due_date') AS DATE) AS due_date
            FROM outcomes o WHERE o.outcome = 'pending'),
        d AS (
            SELECT p.*, m.title, m.action, m.label, m.rule_order,
                   CAST(cd.workday_index - ca.workday_index AS INTEGER) AS working_days_left
            FROM p
            JOIN meta m USING (rule_id)
            JOIN calendar ca ON ca.day = $as_of
            JOIN calendar cd ON cd.day = p.due_date
            WHERE p.due_date >= $as_of AND cd.workday_index - ca.workday_index <= $within)
        SELECT rule_id, title, record_id, project_id, department, due_date, working_days_left,
               concat(coalesce(department, '（未注明部门）'), '：', label, coalesce(record_id, '（空）'),
                      '应于', strftime(due_date, '%Y-%m-%d'), '前', action, '，',
                      IF(working_days_left = 0, '今日到期', '还剩' || working_days_left || '个工作日'),
                      '（', title, '）') AS message,
               evidence, rule_order
        FROM d""", {**meta, "as_of": audit.as_of, "within": within})
    return con.execute(f"SELECT count(*) FROM {TABLE}").fetchall()[0][0]


ORDER = "working_days_left, due_date, rule_order, department NULLS LAST, record_id"


def due_soon_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The list for ReportData.due_soon, soonest first (evidence left to due_soon.jsonl)."""
    return records(con, f"""SELECT rule_id, title, record_id, project_id, department, due_date, working_days_left,
                                   message FROM {TABLE} ORDER BY {ORDER}""")


def write_due_soon(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    path = Path(out_dir) / "due_soon.jsonl"
    con.execute(f"COPY (SELECT {', '.join(FIELDS)} FROM {TABLE} ORDER BY {ORDER}) "
                f"TO {literal(str(path))} (FORMAT json)")
    if not path.exists():
        path.write_text("", encoding="utf-8")
    return path
