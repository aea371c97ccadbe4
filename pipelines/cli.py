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

from . import calendar, ledger, reading, rules, spot_cli, yamlfile

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
USER_ERRORS = (reading.ExportError, yamlfile.YamlError, calendar.CalendarError, ledger.LedgerError)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / expected YYYY-MM-DD: {text!r}") from None


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"应为非负整数 / expected a non-negative integer: {text!r}")
    return value


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
    audit.add_argument("--ledger", type=Path, metavar="FILE.duckdb",
                       help="整改台账文件：记录本次运行，标出新增/持续/已整改 / weekly ledger file")
    audit.add_argument("--due-within", type=_non_negative, default=3, metavar="N",
                       help="列出 N 个工作日内到期的待办事项，默认 3 / list pending items due within N working days")
    audit.add_argument("--show-personal-data", action="store_true",
                       help="仅限经授权的内部运行：记录操作人与时间，允许报告显示未脱敏的个人信息 / "
                            "authorised internal run only; logged")

    history = sub.add_parser("history", help="整改台账中的历次运行与趋势 / runs and trends in a ledger")
    history.add_argument("--ledger", type=Path, required=True, metavar="FILE.duckdb")

    validate = sub.add_parser("validate", help="只校验导出数据 / check an export against EXPORT-V1")
    validate.add_argument("export_dir", type=Path)
    validate.add_argument("--mapping", type=Path)
    validate.add_argument("--limit", type=int, default=50, help="最多显示多少条问题 / findings shown")

    listing = sub.add_parser("rules", help="列出规则 / list the rule pack")
    listing.add_argument("--rules", type=Path)
    listing.add_argument("--doc", type=Path, metavar="DIR",
                         help="把规则目录写成 DIR/rules.md 与 DIR/rules.html / write the rule catalogue into DIR")
    listing.add_argument("--sql", metavar="RULE_ID",
                         help="打印该规则编译成的 SQL（无需导出数据）/ print the rule's compiled SQL")
    listing.add_argument("--as-of", type=_date,
                         help="--sql 所用的审计截止日期，默认北京时间今天 / as_of for --sql, default: today in Beijing")
    spot_cli.add_parsers(sub, _date)  # draw, inspect, rank (issue 12)
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
    options = {"fail_on": args.fail_on, "only": args.only, "strict": args.strict, "formats": list(formats),
               "ledger": str(args.ledger) if args.ledger else None, "due_within": args.due_within,
               "show_personal_data": args.show_personal_data}
    if args.show_personal_data:
        options["show_personal_data_by"] = _personal_data_authorisation()
        err.print("[bold red]警告：已使用 --show-personal-data。本次运行仅限经授权的内部使用，输出可能含未脱敏的个人信息，"
                  "不得对外提供；操作人与时间已记入 summary.json。投诉人身份信息在任何情况下都不读取、不输出。[/bold red]\n"
                  "WARNING: --show-personal-data is for an authorised internal run only; it is logged in summary.json.",
                  soft_wrap=True)
    if args.ledger:
        ledger.check_usable(args.ledger)  # before the audit, not after it
    with _progress(err.is_terminal) as step:
        con, audit = run_audit(args.export_dir, rules_dir=args.rules, mapping=args.mapping, as_of=args.as_of,
                               only=args.only, progress=step)
        step("写出报告 writing outputs")
        summary = write_outputs(con, audit, args.out, formats=formats, options=options, ledger=args.ledger,
                                due_within=args.due_within, show_personal_data=args.show_personal_data)
    _print_summary(summary, args.out)
    _print_ledger_and_due_soon(summary)
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


def _personal_data_authorisation() -> dict:
    """Who ran an audit with --show-personal-data and when: the OS user and Beijing time."""
    import getpass
    import os
    import socket

    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name anywhere: the numeric uid still identifies the account
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
    return {"user": user, "host": socket.gethostname(), "at": now}


def _print_ledger_and_due_soon(summary: dict) -> None:
    book = summary.get("ledger")
    if book:
        since = f"与上次（截至 {book['previous_as_of']}）相比" if book["previous_as_of"] else "账本中的第一次运行"
        again = "；同一导出与截止日期的旧记录已替换" if book["replaced_earlier_record"] else ""
        if book["same_as_of_other_exports"]:
            again += f"；注意：台账中另有 {book['same_as_of_other_exports']} 次截止日期相同、导出文件不同的运行，本次记为其后的一次新运行"
        out.print(f"整改台账（{escape(book['file'])}，共 {book['runs']} 次运行）：{since}，新增 {book['new']} 条，"
                  f"持续 {book['open']} 条，已整改 {book['resolved']} 条{again}", soft_wrap=True)
    due = summary.get("due_soon")
    if due and due["count"]:
        out.print(f"{due['within_working_days']} 个工作日内到期的待办 {due['count']} 条，见 due_soon.jsonl", soft_wrap=True)


def cmd_history(args) -> int:
    from rich.table import Table

    history = ledger.read_history(args.ledger)
    if not history.runs:
        out.print(f"账本 {escape(str(args.ledger))} 中还没有运行记录 / no runs yet")
        return EXIT_OK
    runs = Table(title=f"整改台账 {escape(str(args.ledger))}：{len(history.runs)} 次运行")
    for name in ("截止日期", "违规", "错/警/提", "新增", "持续", "已整改", "规则包", "导出"):
        runs.add_column(name, justify="left" if name in ("截止日期", "规则包", "导出") else "right", no_wrap=True)
    for r in history.runs:
        sev = r["by_severity"]
        runs.add_row(r["as_of"].isoformat(), str(r["total"]), f"{sev['error']}/{sev['warning']}/{sev['info']}",
                     str(r["new"]), str(r["open"]), str(r["resolved"]), escape(r["rule_pack_version"] or ""),
                     r["export_fingerprint"][:8])
    out.print(runs)
    out.print("错/警/提：错误/警告/提示级违规数；导出：导出文件指纹前 8 位", soft_wrap=True)
    fits = max(1, (out.width - 26) // 14)  # as many recent runs side by side as the screen holds
    shown = history.runs[-fits:]
    per_rule = Table(title="按规则：违规数（+新增 −已整改）" + (f"，最近 {fits} 次" if len(history.runs) > fits else ""))
    per_rule.add_column("规则", no_wrap=True)
    one_year = len({r["as_of"].year for r in shown}) == 1
    for r in shown:
        per_rule.add_column(r["as_of"].isoformat()[5 if one_year else 0:], justify="right", no_wrap=True)
    for rule_id in sorted({rid for r in history.runs for rid in r["by_rule"]}):
        cells = []
        for r in shown:
            c = r["by_rule"].get(rule_id)
            cells.append("—" if c is None else f"{c['total']} (+{c['new']} −{c['resolved']})")
        per_rule.add_row(escape(rule_id), *cells)
    out.print(per_rule)
    out.print("“—”：该次运行未评估此规则 / rule not evaluated in that run")
    return EXIT_OK


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


def _write_catalogue(pack, out_dir: Path) -> int:
    """``ggzy rules --doc DIR``: the Chinese rule catalogue with the clause coverage table."""
    from reports.catalogue import write_catalogue

    from .catalogue import build_catalogue

    cat = build_catalogue(pack=pack)
    try:
        paths = write_catalogue(cat, out_dir)
    except OSError as exc:
        err.print(f"[red]错误 error:[/red] 无法写出规则目录 cannot write the catalogue: {escape(str(exc))}")
        return EXIT_INPUT
    for problem in cat.problems:
        err.print(f"[yellow]待处理 to fix:[/yellow] {escape(problem)}")
    out.print(f"规则目录（{len(cat.rules)} 条规则，{len(cat.coverage)} 个条款）已写出 written:", soft_wrap=True)
    for path in paths:
        out.print(escape(str(path)), soft_wrap=True)
    return EXIT_OK


def _print_sql(pack, rule_id: str, as_of: dt.date | None) -> int:
    """``ggzy rules --sql RULE_ID``: the rule's source view and outcome query, pretty-printed."""
    from .audit import today_in_beijing
    from .rulesql import rule_sql

    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None:
        err.print(f"[red]错误 error:[/red] 规则包中没有规则 {escape(rule_id)} / unknown rule id {escape(rule_id)!r}；"
                  f"用 ggzy rules 列出全部规则 / run `ggzy rules` to list them", soft_wrap=True)
        return EXIT_INPUT
    sys.stdout.write(rule_sql(rule, as_of or today_in_beijing()))
    return EXIT_OK


def cmd_rules(args) -> int:
    from rich.table import Table

    pack = rules.load_pack(args.rules)
    if args.sql:
        return _print_sql(pack, args.sql, args.as_of)
    if args.doc:
        return _write_catalogue(pack, args.doc)
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
    handler = {"audit": cmd_audit, "validate": cmd_validate, "rules": cmd_rules, "history": cmd_history,
               **spot_cli.HANDLERS}[args.command]
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
