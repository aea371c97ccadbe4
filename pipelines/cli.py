"""The ``ggzy`` command: audit an export, validate it, list the rules.

Exit codes (:data:`EXIT_CODES`, also in ``--help`` and the README): 0 done, nothing at or above
``--fail-on``; 1 violations at or above ``--fail-on`` (``validate``: contract errors); 2 unusable
input or arguments, found before work starts; 3 nothing was checked (no rule judged a single
record — never reported as clean); 4 internal error. A user mistake never shows a traceback;
its message is Chinese + English. An internal error is one line naming the stage it happened
in; the traceback only with ``--debug``.

Everything printed that comes from data or paths is escaped for rich (``[brackets]`` are text)
and the consoles never turn ``:x:`` into emoji.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from . import calendar, cli_gate, gate, ledger, preflight, reading, rules, spot_cli, stage, verdict, yamlfile
from .masking import mask_text

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_NOTHING_CHECKED, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_CODES = {
    EXIT_OK: "完成，没有 --fail-on 级别及以上的违规 / done, nothing at or above --fail-on",
    EXIT_FINDINGS: "有 --fail-on 级别及以上的违规（validate：有数据契约错误）/ violations found (validate: contract errors)",
    EXIT_INPUT: "输入或参数不可用，开始工作前即报告 / unusable input or arguments",
    EXIT_NOTHING_CHECKED: "没有检查任何记录（不是“无违规”）/ nothing was checked (not a clean result)",
    EXIT_INTERNAL: "内部错误（程序缺陷；加 --debug 看详细信息）/ internal error (a bug; --debug shows the traceback)",
}
#: pipelines.unjudged reasons of rules that ran and judged nothing (the others were not run)
EVALUATED_BUT_NOTHING = ("table_empty", "where_filtered_all", "out_of_legal_scope", "all_not_evaluable", "nothing_in_scope")
USER_ERRORS = (reading.ExportError, yamlfile.YamlError, calendar.CalendarError, ledger.LedgerError,
               preflight.UsageError, gate.GateConfigError)

from .consoles import err, out  # noqa: E402 - after the constants the help text uses
#: what the command is doing, named in an internal error's one line


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ggzy")
    except PackageNotFoundError:
        return "unknown"


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


def _memory(text: str) -> str:
    from .memory import parse

    try:
        parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _epilog() -> str:
    return "退出码 exit codes:\n" + "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="ggzy", description="公共资源交易协同监管合规检查（鹤发改公管〔2022〕216号）",
                                     epilog=_epilog(), formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"ggzy {_version()}", help="显示版本 / show the version")
    debug = dict(action="store_true", help="内部错误时显示完整的调用栈 / show the traceback of an internal error")
    parser.add_argument("--debug", **debug)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text, epilog=_epilog(), formatter_class=fmt)
        p.add_argument("--debug", **{**debug, "default": argparse.SUPPRESS})
        return p

    audit = command("audit", "审计一个导出文件夹 / audit an export folder")
    audit.add_argument("export_dir", type=Path, help="导出文件夹（每张数据表一个文件）/ the export folder")
    audit.add_argument("--out", type=Path, required=True, help="输出文件夹 / output folder")
    audit.add_argument("--as-of", type=_date, help="审计截止日期，默认北京时间今天 / default: today in Beijing")
    audit.add_argument("--rules", type=Path, help="规则目录 / rules folder (default: the shipped pack)")
    audit.add_argument("--mapping", type=Path, help="表头与取值映射文件 / mapping.yaml")
    audit.add_argument("--only", nargs="+", metavar="RULE_ID", help="只运行这些规则 / run only these rules")
    audit.add_argument("--fail-on", choices=verdict.FAIL_ON, default="error",
                       help="有此级别及以上违规时退出码为 1，none 表示从不 / exit 1 on violations at or above this "
                            "severity (none: never)")
    audit.add_argument("--format", dest="formats", metavar="LIST",
                       help="输出格式，逗号分隔：json,md,html,xlsx,docx，默认全部；parquet（violations.parquet）"
                            "仅在指定时输出 / comma-separated output formats, default all but parquet (json always)")
    audit.add_argument("--strict", action="store_true",
                       help="缺表或数据契约错误时退出码为 2 / exit 2 on missing tables or contract errors")
    audit.add_argument("--ledger", type=Path, metavar="FILE.duckdb",
                       help="整改台账文件：记录本次运行，标出新增/持续/已整改 / weekly ledger file")
    audit.add_argument("--cache", type=Path, metavar="DIR",
                       help="招标文件文字缓存文件夹，默认为 --ledger 账本或输出文件夹旁的 .ggzy-cache / "
                            "cache of tender-document text (default: .ggzy-cache beside the ledger, else beside OUT)")
    audit.add_argument("--due-within", type=_non_negative, default=3, metavar="N",
                       help="列出 N 个工作日内到期的待办事项，默认 3 / list pending items due within N working days")
    audit.add_argument("--memory", type=_memory, default="50%", metavar="SIZE",
                       help="DuckDB 内存上限，超出部分写入临时文件：本机内存的百分比或大小，默认 50%% / "
                            "DuckDB memory limit, spilling beyond it: a share of RAM or a size (50%%, 4GB), default 50%%")
    audit.add_argument("--show-personal-data", action="store_true",
                       help="仅限经授权的内部运行：记录操作人与时间，允许报告显示未脱敏的个人信息 / "
                            "authorised internal run only; logged")
    cli_gate.add_ci_options(audit)

    history = command("history", "整改台账中的历次运行与趋势 / runs and trends in a ledger")
    history.add_argument("--ledger", type=Path, required=True, metavar="FILE.duckdb", help="整改台账文件 / ledger file")

    cli_gate.add_commands(command)

    listing = command("rules", "列出规则 / list the rule pack")
    listing.add_argument("--rules", type=Path, help="规则目录 / rules folder (default: the shipped pack)")
    listing.add_argument("--doc", type=Path, metavar="DIR",
                         help="把规则目录写成 DIR/rules.md 与 DIR/rules.html / write the rule catalogue into DIR")
    listing.add_argument("--sql", metavar="RULE_ID",
                         help="打印该规则编译成的 SQL（无需导出数据）/ print the rule's compiled SQL")
    listing.add_argument("--as-of", type=_date,
                         help="--sql 所用的审计截止日期，默认北京时间今天 / as_of for --sql, default: today in Beijing")
    spot_cli.add_parsers(command, _date)  # draw, inspect, rank (issue 12)
    cli_gate.apply_environment(parser)
    return parser


_set_stage = stage.set_stage


@contextmanager
def _progress(enabled: bool):
    """A status line on a terminal; silent when piped. Either way the stage is remembered for
    an internal error's message."""
    if not enabled:
        yield _set_stage
        return
    with err.status("开始 starting…") as status:
        def step(msg: str) -> None:
            _set_stage(msg)
            status.update(escape(msg))
        yield step


def _preflight_audit(args) -> None:
    """Every path on the command line checked before the audit starts (exit 2 on a mistake)."""
    _set_stage("检查参数 checking arguments")
    preflight.check_export(args.export_dir)
    preflight.check_rules(args.rules)
    preflight.check_mapping(args.mapping)
    if args.ledger:
        preflight.check_ledger(args.ledger)
        ledger.check_usable(args.ledger)
    preflight.check_out(args.out, args.export_dir)


def write_outputs(con, audit, out_dir: Path, options: dict | None = None, formats: tuple[str, ...] | None = None, *,
                  ledger: Path | None = None, due_within: int = 3, show_personal_data: bool = False) -> dict:
    """Every output of ``audit`` into ``out_dir``, recorded in ``ledger`` when given; return the
    summary. pipelines.publish stages the files and commits the ledger before they move into
    place; reports write them from the data handed over (pipelines.report_data); this is the
    one place the two meet (DESIGN.md: only the CLI imports reports)."""
    from reports.due_soon import build_due_soon
    from reports.outputs import ALL_FORMATS, WRITERS, violations_by_severity, write_machine_outputs, write_reports
    from reports.summary import build_summary

    from .publish import publishing
    from .report_data import report_fields

    with publishing(con, audit, out_dir, ledger=ledger, options=options) as pub:
        due = build_due_soon(con, audit, due_within)
        by_severity = violations_by_severity(con)
        summary = {**verdict.decide(audit, by_severity, options or {}),
                   **build_summary(audit, by_severity, options, ledger=pub.run.summary() if pub.run else None,
                                   due_soon={"within_working_days": due_within, "count": due})}
        formats = formats or ALL_FORMATS
        write_machine_outputs(con, summary, audit.findings, audit.groups, pub.folder, ledger=pub.run is not None,
                              parquet="parquet" in formats)
        if not pub.run:  # a resolved.jsonl left from an earlier audit with a ledger would not belong to this one
            pub.obsolete.add("resolved.jsonl")
        if "parquet" not in formats:  # nor would an earlier audit's violations.parquet
            pub.obsolete.add("violations.parquet")
        if any(f in WRITERS for f in formats):
            fields = report_fields(con, audit, summary, pub.run, show_personal_data=show_personal_data)
            write_reports(con, fields, pub.folder, formats)
    return summary


def cmd_audit(args) -> int:
    from pipelines.audit import run_audit
    from reports.outputs import parse_formats

    try:
        formats = parse_formats(args.formats)
    except ValueError as exc:
        err.print(f"错误 error: {escape(str(exc))}")
        return EXIT_INPUT
    options = {"fail_on": args.fail_on, "only": args.only, "strict": args.strict, "formats": list(formats),
               "ledger": str(args.ledger) if args.ledger else None, "due_within": args.due_within,
               "show_personal_data": args.show_personal_data, "memory": args.memory}
    _preflight_audit(args)  # before the audit, not after it
    if args.show_personal_data:
        options["show_personal_data_by"] = _personal_data_authorisation()
        err.print("[bold red]警告：已使用 --show-personal-data。本次运行仅限经授权的内部使用，输出可能含未脱敏的个人信息，"
                  "不得对外提供；操作人与时间已记入 summary.json。投诉人身份信息在任何情况下都不读取、不输出。[/bold red]\n"
                  "WARNING: --show-personal-data is for an authorised internal run only; it is logged in summary.json.",
                  soft_wrap=True)
    with _progress(err.is_terminal) as step:
        step("读取规则 loading rules")
        con, audit = run_audit(args.export_dir, rules_dir=args.rules, mapping=args.mapping, as_of=args.as_of,
                               only=args.only, progress=step, document_cache=_document_cache(args),
                               memory=args.memory)
        step("写出报告 writing outputs")
        summary = write_outputs(con, audit, args.out, formats=formats, options=options, ledger=args.ledger,
                                due_within=args.due_within, show_personal_data=args.show_personal_data)
    _set_stage("显示结果 printing the summary")
    _print_summary(summary, args.out)
    _print_ledger_and_due_soon(summary)
    _print_unjudged(audit.unjudged)
    cli_gate.ci_outputs_of_audit(args, con, audit, summary)
    if summary["verdict"] == "strict_failed":
        needed = {r.table for r in audit.results if not r.evaluated}
        contract_errors = [f for f in audit.findings if f.severity == "error"]
        err.print(f"[red]--strict：缺少数据表 {escape(', '.join(sorted(needed)) or '无')}；数据契约错误 "
                  f"{len(contract_errors)} 处 / missing tables or contract errors[/red]")
    return summary["exit_code"]  # decided once (pipelines.verdict) and written into summary.json


def _print_unjudged(unjudged: dict) -> None:
    """Every file not read, every table with no data row and every rule that checked nothing,
    each with its reason; then, when no rule judged anything, that the run checked nothing."""
    for f in unjudged.get("unread_files", []):
        meant = f"；是否应为 did you mean: {'、'.join(f['did_you_mean'])}" if f["did_you_mean"] else ""
        err.print(f"[yellow]未读取 not read:[/yellow] {escape(f['file'])}：{escape(f['reason']['text'])}{escape(meant)}",
                  soft_wrap=True)
    for t in unjudged.get("tables", []):
        err.print(f"[yellow]空表 empty table:[/yellow] {escape(t['file'])}（{escape(t['table'])}）："
                  f"{escape(t['reason']['text'])}", soft_wrap=True)
    evaluated = [r for r in unjudged.get("rules", []) if r["reason"].get("code") in EVALUATED_BUT_NOTHING]
    if evaluated:  # rules not evaluated at all already say why in the summary table
        out.print(f"[yellow]运行了但没有判断任何记录的规则 rules that ran but judged nothing（{len(evaluated)} 条）:[/yellow]",
                  soft_wrap=True)
        for r in evaluated:
            out.print(f"  {escape(r['rule_id'])}：{escape(str(r['reason'].get('text', '')))}", soft_wrap=True)
    if unjudged.get("checked_nothing"):
        why = (unjudged.get("reason") or {}).get("text", "")
        err.print(f"[bold red]本次审计没有检查任何记录，结果不是“无违规” / nothing was checked — this is not a clean "
                  f"result[/bold red]：{escape(why)}（退出码 exit {EXIT_NOTHING_CHECKED}）", soft_wrap=True)


def _document_cache(args) -> Path:
    """Where tender-document text is kept: asked for, else beside the ledger or the output folder
    — never inside it, where it would travel with the reports; weekly runs writing to
    out/2026-W49, out/2026-W50 share out/.ggzy-cache."""
    if args.cache:
        return args.cache
    return (args.ledger if args.ledger else args.out).resolve().parent / ".ggzy-cache"


def _print_summary(summary: dict, out_dir: Path) -> None:
    from rich.table import Table

    table = Table(title=f"审计结果（截至 {summary['as_of']}）", show_lines=False)
    for name in ("规则", "检查", "违规", "待到期", "无法判断"):
        table.add_column(name, justify="left" if name == "规则" else "right", overflow="fold", no_wrap=name != "规则")
    for r in summary["rules"]:  # the rule's Chinese title; its id is in summary.json and every report
        name = escape(r.get("title") or r["rule_id"])
        if r["evaluated"]:
            table.add_row(name, str(r["checked"]), str(r["violated"]), str(r["pending"]), str(r["not_evaluable"]))
        else:
            table.add_row(name, "—", "—", "—", escape(f"未评估：{r['not_evaluated']['text']}"))
    out.print(table)
    totals = summary["totals"]
    out.print(f"违规 {totals['violations']} 条，数据质量问题 {totals['data_quality_findings']} 处；输出在 {escape(str(out_dir))}",
              soft_wrap=True)


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
                  f"持续（仍未办理）{book['open']} 条，逾期已办 {book['late_done']} 条"
                  f"（其中本周补办 {book['late_done_this_week']} 条），已整改 {book['resolved']} 条{again}", soft_wrap=True)
    due = summary.get("due_soon")
    if due and due["count"]:
        out.print(f"{due['within_working_days']} 个工作日内到期的待办 {due['count']} 条，见 due_soon.jsonl", soft_wrap=True)


def cmd_history(args) -> int:
    from rich.table import Table

    preflight.check_ledger(args.ledger)
    history = ledger.read_history(args.ledger)
    if not history.runs:
        out.print(f"账本 {escape(str(args.ledger))} 中还没有运行记录 / no runs yet")
        return EXIT_OK
    runs = Table(title=f"整改台账 {escape(str(args.ledger))}：{len(history.runs)} 次运行")
    for name in ("截止日期", "违规", "错/警/提", "新增", "持续", "逾期已办", "本周补办", "已整改", "规则包", "导出"):
        runs.add_column(name, justify="left" if name in ("截止日期", "规则包", "导出") else "right", no_wrap=True)
    for r in history.runs:
        sev = r["by_severity"]
        runs.add_row(r["as_of"].isoformat(), str(r["total"]), f"{sev['error']}/{sev['warning']}/{sev['info']}",
                     str(r["new"]), str(r["open"]), str(r["late_done"]), str(r["late_done_this_week"]),
                     str(r["resolved"]), escape(r["rule_pack_version"] or ""), r["export_fingerprint"][:8])
    out.print(runs)
    out.print("错/警/提：错误/警告/提示级违规数；新增、持续：仍未办理的违规（待办工作）；逾期已办：已办理但超过期限，"
              "不再是待办，其中本周补办指上次运行时仍未办理的；导出：导出文件指纹前 8 位", soft_wrap=True)
    fits = max(1, (out.width - 26) // 19)  # as many recent runs side by side as the screen holds
    shown = history.runs[-fits:]
    per_rule = Table(title="按规则：未办违规数（+新增 −已整改），“已办N”为逾期已办" +
                     (f"，最近 {fits} 次" if len(history.runs) > fits else ""))
    per_rule.add_column("规则", no_wrap=True)
    one_year = len({r["as_of"].year for r in shown}) == 1
    for r in shown:
        per_rule.add_column(r["as_of"].isoformat()[5 if one_year else 0:], justify="right", no_wrap=True)
    for rule_id in sorted({rid for r in history.runs for rid in r["by_rule"]}):
        cells = []
        for r in shown:
            c = r["by_rule"].get(rule_id)
            cells.append("—" if c is None else f"{c['new'] + c['open']} (+{c['new']} −{c['resolved']})"
                         + (f" 已办{c['late_done']}" if c["late_done"] else ""))
        per_rule.add_row(escape(rule_id), *cells)
    out.print(per_rule)
    out.print("“—”：该次运行未评估此规则 / rule not evaluated in that run")
    return EXIT_OK


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
    cli_gate.configure_output(args)
    handler = {"audit": cmd_audit, "rules": cmd_rules, "history": cmd_history, **cli_gate.HANDLERS,
               **spot_cli.HANDLERS}[args.command]
    _set_stage("开始 starting")
    try:
        return handler(args)
    except USER_ERRORS as exc:  # a message may quote a line of the data: IDs and phones masked
        err.print(f"[red]错误 error:[/red] {escape(mask_text(str(exc)))}", soft_wrap=True)
        return EXIT_INPUT
    except KeyboardInterrupt:
        err.print("已中断 interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - anything else is a bug: one line, the stage, exit 4
        first = mask_text((str(exc).strip().splitlines() or [""])[0][:300])
        err.print(f"[red]内部错误 internal error[/red]（阶段 stage: {escape(stage.current())}）："
                  f"{escape(type(exc).__name__)}{escape(': ' + first) if first else ''} — "
                  "请报告此问题，加 --debug 查看详细信息 / please report it; --debug shows the traceback", soft_wrap=True)
        if getattr(args, "debug", False):
            err.print(escape(mask_text(traceback.format_exc())), soft_wrap=True)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
