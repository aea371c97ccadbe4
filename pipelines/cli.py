"""The ``ggzy`` command: audit an export, validate it, list the rules.

Exit codes: 0 done (nothing at or above ``--fail-on``), 1 violations at or above ``--fail-on``
(``validate``: contract errors), 2 unusable input or arguments. A user mistake never shows a
traceback; its message is Chinese + English.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from . import calendar, reading, rules, yamlfile

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
USER_ERRORS = (reading.ExportError, yamlfile.YamlError, calendar.CalendarError)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / expected YYYY-MM-DD: {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ggzy", description="公共资源交易协同监管合规检查（鹤发改公管〔2022〕216号）")
    sub = parser.add_subparsers(dest="command", required=True)

    audit = sub.add_parser("audit", help="审计一个导出文件夹 / audit an export folder")
    audit.add_argument("export_dir", type=Path)
    audit.add_argument("--out", type=Path, required=True, help="输出文件夹 / output folder")
    audit.add_argument("--as-of", type=_date, help="审计截止日期，默认北京时间今天 / default: today in Beijing")
    audit.add_argument("--rules", type=Path, help="规则目录 / rules folder (default: the shipped pack)")
    audit.add_argument("--mapping", type=Path, help="表头与取值映射文件 / mapping.yaml")
    audit.add_argument("--only", nargs="+", metavar="RULE_ID", help="只运行这些规则 / run only these rules")
    audit.add_argument("--fail-on", choices=("error", "warning"), default="error",
                       help="有此级别及以上违规时退出码为 1 / exit 1 on violations at or above this severity")
    audit.add_argument("--format", dest="formats", metavar="LIST",
                       help="输出格式，逗号分隔，默认全部 / comma-separated output formats, default all (json always)")
    audit.add_argument("--strict", action="store_true",
                       help="缺表或数据契约错误时退出码为 2 / exit 2 on missing tables or contract errors")

    validate = sub.add_parser("validate", help="只校验导出数据 / check an export against EXPORT-V1")
    validate.add_argument("export_dir", type=Path)
    validate.add_argument("--mapping", type=Path)
    validate.add_argument("--limit", type=int, default=50, help="最多显示多少条问题 / findings shown")

    listing = sub.add_parser("rules", help="列出规则 / list the rule pack")
    listing.add_argument("--rules", type=Path)
    return parser


@contextmanager
def _progress(enabled: bool):
    """A status line on a terminal; silent when piped."""
    if not enabled:
        yield lambda _msg: None
        return
    with err.status("开始 starting…") as status:
        yield lambda msg: status.update(msg)


def cmd_audit(args) -> int:
    from pipelines.audit import run_audit
    from reports.outputs import parse_formats, write_outputs

    try:
        formats = parse_formats(args.formats)
    except ValueError as exc:
        err.print(f"错误 error: {escape(str(exc))}")
        return EXIT_INPUT
    with _progress(err.is_terminal) as step:
        con, audit = run_audit(args.export_dir, rules_dir=args.rules, mapping=args.mapping, as_of=args.as_of,
                               only=args.only, progress=step)
        step("写出报告 writing outputs")
        summary = write_outputs(con, audit, args.out, formats=formats,
                                options={"fail_on": args.fail_on, "only": args.only, "strict": args.strict,
                                         "formats": list(formats)})
    _print_summary(summary, args.out)
    if args.strict:
        needed = {r.table for r in audit.results if not r.evaluated}
        contract_errors = [f for f in audit.findings if f.severity == "error"]
        if needed or contract_errors:
            err.print(f"[red]--strict：缺少数据表 {', '.join(sorted(needed)) or '无'}；数据契约错误 {len(contract_errors)} 处 / "
                      "missing tables or contract errors[/red]")
            return EXIT_INPUT
    threshold = SEVERITY_RANK[args.fail_on]
    failing = sum(n for sev, n in summary["totals"]["by_severity"].items() if SEVERITY_RANK.get(sev, 0) >= threshold)
    return EXIT_FINDINGS if failing else EXIT_OK


def _print_summary(summary: dict, out_dir: Path) -> None:
    from rich.table import Table

    table = Table(title=f"审计结果（截至 {summary['as_of']}）", show_lines=False)
    for name in ("规则", "检查", "违规", "待到期", "无法判断"):
        table.add_column(name, justify="left" if name == "规则" else "right")
    for r in summary["rules"]:
        if r["evaluated"]:
            table.add_row(escape(r["rule_id"]), str(r["checked"]), str(r["violated"]), str(r["pending"]), str(r["not_evaluable"]))
        else:
            table.add_row(escape(r["rule_id"]), "—", "—", "—", escape(f"未评估：{r['not_evaluated_reason']}"))
    out.print(table)
    totals = summary["totals"]
    out.print(f"违规 {totals['violations']} 条，数据质量问题 {totals['data_quality_findings']} 处；输出在 {escape(str(out_dir))}")


def cmd_validate(args) -> int:
    import duckdb
    from rich.table import Table

    from .validate import check_contract

    con = duckdb.connect()
    export = reading.load_export(con, args.export_dir, args.mapping)
    findings = check_contract(con, export)
    for name, tf in export.files.items():
        out.print(f"{tf.path.name}: {tf.rows} 行, {tf.format}{'/' + tf.encoding if tf.encoding else ''}, sha256 {tf.sha256[:12]}")
    if export.missing_tables:
        out.print(f"缺少的数据表 missing tables: {', '.join(export.missing_tables)}")
    if findings:
        table = Table(title=f"数据质量问题 {len(findings)} 处")
        for name in ("文件", "行", "列", "值", "问题", "级别"):
            table.add_column(name)
        for f in findings[: args.limit]:
            table.add_row(*(escape(str(x)) for x in (f.file, f.row or "", f.column or "", f.value or "", f.reason, f.severity)))
        out.print(table)
    else:
        out.print("数据契约校验通过 / the export meets the contract")
    return EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK


def cmd_rules(args) -> int:
    from rich.table import Table

    pack = rules.load_pack(args.rules)
    table = Table(title=f"{pack.name} {pack.version}（{len(pack.rules)} 条规则）")
    table.add_column("编号", no_wrap=True, min_width=max((len(r.id) for r in pack.rules), default=2))
    for name in ("名称", "依据", "级别", "数据表", "检查类型"):
        table.add_column(name)
    for r in pack.rules:
        s = r.spec
        table.add_row(*(escape(x) for x in (s.id, s.title, s.basis, s.severity, s.table,
                                           s.check + ("" if s.enabled else "（停用）"))))
    out.print(table)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"audit": cmd_audit, "validate": cmd_validate, "rules": cmd_rules}[args.command]
    try:
        return handler(args)
    except USER_ERRORS as exc:
        err.print(f"[red]错误 error:[/red] {escape(str(exc))}", markup=True, soft_wrap=True)
        return EXIT_INPUT
    except KeyboardInterrupt:
        err.print("已中断 interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
