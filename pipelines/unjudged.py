"""What an audit did not judge: the rules and tables that checked nothing, and why.

"违规 0 条" is a claim that records were looked at and found in order. An audit of an empty
folder, of tables with only a header row, of files nobody recognised, or of rules whose
``where`` left no record, judged nothing; reporting it as clean would be a silent pass. This
module tells the two apart, per rule and per table, from the rules' results and the export:

* a rule *checked nothing* when none of its records was judged (violated, compliant or
  pending): it was not evaluated (a table or column missing), its table has no data row, its
  ``where`` excluded every record, every record was not evaluable, or none was in scope;
* a table *checked nothing* when its file holds a header and no data row;
* the run *checked nothing* when no rule judged a single record — the CLI's exit code 3.

The files of the folder that were not read come from :mod:`pipelines.discovery`.
"""

from __future__ import annotations

import duckdb

from . import engine

#: outcomes that are a judgement on a record
JUDGED = ("violated", "compliant", "pending")


def judged(result) -> int:
    return sum(result.counts.get(outcome, 0) for outcome in JUDGED)


def _reason(code: str, text: str, **params) -> dict:
    return {"code": code, "text": text, **params}


def _not_evaluated(result) -> dict:
    """The engine's reason a rule was not run (a reason object, or a sentence before they were data)."""
    reason = getattr(result, "not_evaluated", None)
    if isinstance(reason, dict):
        return reason
    return _reason("not_evaluated", str(getattr(result, "not_evaluated_reason", None) or "未评估 not evaluated"))


def _in_scope(con: duckdb.DuckDBPyConnection, rule) -> int | None:
    """How many records of the rule's table pass its ``where`` (None when that cannot be counted)."""
    try:
        return con.execute(f"SELECT count(*) FROM ({engine.source_view_sql(rule.spec)})").fetchall()[0][0]
    except (duckdb.Error, AttributeError):
        return None


def _rule_reason(con, result, rule, rows: int | None) -> dict:
    if not result.evaluated:
        return _not_evaluated(result)
    if rows == 0:
        return _reason("table_empty", f"数据表 {result.table} 只有表头，没有数据行 / the table has no data rows",
                       table=result.table)
    if rule is not None and (rule.spec.where or rule.spec.applies_to):
        scope = _in_scope(con, rule)
        if scope == 0 and rule.spec.where:
            return _reason("where_filtered_all", f"数据表 {result.table} 的 {rows} 行都被规则的筛选条件（where）排除 / "
                                                 "the rule's where excluded every record", table=result.table, rows=rows)
        if scope == 0:
            return _reason("out_of_legal_scope", f"数据表 {result.table} 的 {rows} 行都不在本规则所依法律的适用范围内"
                                                 "（交易类型或依法必须招标）/ no record is within the statute's scope",
                           table=result.table, rows=rows)
    unjudgeable = result.counts.get("not_evaluable", 0)
    if unjudgeable:
        return _reason("all_not_evaluable", f"全部 {unjudgeable} 条记录无法判断 / every record was not evaluable",
                       count=unjudgeable)
    return _reason("nothing_in_scope", "没有适用本规则的记录 / no record the rule applies to")


def assess(con: duckdb.DuckDBPyConnection, audit) -> dict:
    """``{"checked_nothing": bool, "reason", "rules": [...], "tables": [...], "unread_files": [...]}``
    for summary.json and the terminal."""
    export = audit.export
    rules_by_id = {rule.id: rule for rule in audit.pack.rules}
    rows = {name: tf.rows for name, tf in export.files.items()}
    tables = [{"table": tf.table, "file": tf.path.name,
               "reason": _reason("table_empty", "只有表头，没有数据行 / header only, no data rows")}
              for tf in export.files.values() if tf.rows == 0]
    rules = [{"rule_id": r.rule_id, "table": r.table,
              "reason": _rule_reason(con, r, rules_by_id.get(r.rule_id), rows.get(r.table))}
             for r in audit.results if judged(r) == 0]
    nothing = not any(judged(r) for r in audit.results)
    reason = None
    if nothing:
        if not audit.results:
            reason = _reason("no_rules", "没有要运行的规则（规则目录为空或全部停用）/ no rules to run")
        elif not export.files:
            reason = _reason("no_tables", "导出文件夹中没有可读取的数据表文件 / no table file was read")
        else:
            reason = _reason("no_record_judged", "所有规则都没有判断任何记录 / no rule judged a single record")
    return {"checked_nothing": nothing, "reason": reason, "rules": rules, "tables": tables,
            "unread_files": list(export.unread)}
