"""The facts a CI system is told, gathered from an audit or a validation (``reports.ci`` writes them).

An audit gives one JUnit case per rule (failure when it has violations at or above
``--fail-on``; skipped when it was not evaluated or checked nothing) and one annotation per
violation, pointing at the table's file and the record's line. A validation gives one case per
contract check and column, and one per gate check, and one annotation per contract finding.
A CSV line number is the data row + 1 (the header is line 1); other formats give the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from . import schema
from .reading import Export
from .sql import ident, in_list, literal


@dataclass
class CiCase:
    """One JUnit test case: a rule, a contract check or a gate check."""

    suite: str  # e.g. 规则 rules / 数据契约 contract / 数据质量门禁 gate
    name: str
    classname: str
    status: str  # pass | failure | skipped
    message: str = ""
    details: list[str] = field(default_factory=list)  # a few keys or rows
    severity: str = "error"


@dataclass
class CiNote:
    """One annotation: a finding pointing at a file and a line."""

    level: str  # error | warning | info
    title: str
    message: str
    file: str | None = None
    line: int | None = None
    key: str = ""  # what makes the note unique (its fingerprint)


SEVERITY_RANK = {"none": 99, "info": 0, "warning": 1, "error": 2}
EXAMPLES = 5


def _line(export: Export, table: str, row: int | None) -> tuple[str | None, int | None]:
    tf = export.files.get(table)
    if tf is None:
        return None, None
    if row is None:
        return tf.path.name, None
    return tf.path.name, row + 1 if tf.format == "csv" else row


def audit_cases(summary: dict, con: duckdb.DuckDBPyConnection, fail_on: str) -> list[CiCase]:
    """One case per rule of the run."""
    threshold = SEVERITY_RANK[fail_on]
    failing_levels = [s for s, rank in SEVERITY_RANK.items() if rank >= threshold]
    # counts per rule and severity, and the first EXAMPLES records at a failing severity: computed
    # in DuckDB, so a run with a million violations hands Python a few rows per rule
    counts: dict[str, dict[str, int]] = {}
    for rule_id, severity, n in con.execute(
            "SELECT rule_id, severity, count(*) FROM violations GROUP BY ALL ORDER BY ALL").fetchall():
        counts.setdefault(rule_id, {})[severity] = n
    examples: dict[str, list[str]] = {}
    for rule_id, record_id in con.execute(f"""
            SELECT rule_id, record_id FROM violations WHERE {in_list('severity', failing_levels)}
            QUALIFY row_number() OVER (PARTITION BY rule_id ORDER BY rule_order, record_id) <= {EXAMPLES}
            ORDER BY rule_id, rule_order, record_id""").fetchall():
        examples.setdefault(rule_id, []).append(record_id)
    cases = []
    for r in summary["rules"]:
        name, classname = f"{r['rule_id']} {r['title']}", f"ggzy.rules.{r.get('check') or r['table']}"
        if not r.get("evaluated", True) or not r.get("checked"):
            why = r.get("not_evaluated_reason") or r.get("not_evaluated") or "没有可检查的记录 nothing checked"
            why = why.get("text", "") if isinstance(why, dict) else str(why)
            cases.append(CiCase("规则 rules", name, classname, "skipped", f"未评估 not evaluated: {why}"))
            continue
        by_severity = counts.get(r["rule_id"], {})
        failing = [s for s in by_severity if SEVERITY_RANK.get(s, 0) >= threshold]
        if failing:
            worst = max(failing, key=lambda s: SEVERITY_RANK[s])
            shown = "，".join(f"{s} {n}" for s, n in sorted(by_severity.items()))
            cases.append(CiCase("规则 rules", name, classname, "failure",
                                f"违规 {sum(by_severity.values())} 条（{shown}）；检查 {r['checked']} 条",
                                [f"记录 record: {k}" for k in examples.get(r["rule_id"], [])], worst))
        else:
            cases.append(CiCase("规则 rules", name, classname, "pass"))
    return cases


def violation_notes(con: duckdb.DuckDBPyConnection, export: Export) -> list[CiNote]:
    """One note per violation, at the line of its record where the record is a row of a file."""
    parts = []
    for name in export.files:
        key = ident(schema.TABLES[name].key)
        parts.append(f"SELECT {literal(name)} AS tbl, CAST({key} AS VARCHAR) AS rid, min(_row) AS row "
                     f"FROM {ident(name)} GROUP BY ALL")
    rows_sql = " UNION ALL ".join(parts) if parts else "SELECT NULL AS tbl, NULL AS rid, NULL AS row WHERE FALSE"
    notes = []
    for rule_id, severity, table, record_id, message, row in con.execute(f"""
            SELECT v.rule_id, v.severity, v."table", v.record_id, v.message, r.row
            FROM violations v LEFT JOIN ({rows_sql}) r ON r.tbl = v."table" AND r.rid = v.record_id
            ORDER BY v.rule_order, v.record_id""").fetchall():
        file, line = _line(export, table, row)
        notes.append(CiNote(severity, f"ggzy {rule_id}", message, file or table, line, f"{rule_id}\0{record_id}"))
    return notes


def contract_cases(findings: list, export: Export) -> list[CiCase]:
    """One case per (table, contract check, column) that failed, and a passing case per table."""
    grouped: dict[tuple, list] = {}
    for f in findings:
        grouped.setdefault((f.table, f.check, f.column), []).append(f)
    cases = []
    for name in export.files:
        failed = [(k, v) for k, v in grouped.items() if k[0] == name]
        if not failed:
            cases.append(CiCase("数据契约 contract", f"{name} 符合导出格式", f"ggzy.contract.{name}", "pass"))
        for (table, check, column), items in failed:
            cases.append(CiCase(
                "数据契约 contract", f"{table}.{column or '*'} {check}", f"ggzy.contract.{table}", "failure",
                f"{items[0].reason}：{len(items)} 处", [f"行 row {f.row}: {f.value or ''}" for f in items[:EXAMPLES]],
                items[0].severity))
    return cases


def finding_notes(findings: list, export: Export) -> list[CiNote]:
    notes = []
    for f in findings:
        file, line = _line(export, f.table, f.row)
        value = f"（值 {f.value}）" if f.value else ""
        notes.append(CiNote(f.severity, f"ggzy 数据契约 {f.check}", f"{f.column or ''} {f.reason}{value}".strip(),
                            file or f.file, line, f"{f.table}\0{f.row}\0{f.column}\0{f.check}"))
    return notes


def gate_cases(checks: list) -> list[CiCase]:
    status = {"pass": "pass", "warning": "pass", "error": "failure", "skipped": "skipped"}
    return [CiCase("数据质量门禁 gate", f"{c.family}: {c.name}", f"ggzy.gate.{c.family}", status[c.level],
                   f"{c.detail}：{c.failed}/{c.checked}" if c.level != "skipped" else c.detail,
                   [f"记录 record: {k}" for k in c.examples], "error") for c in checks]
