"""The commands a platform team and a CI job use: ``validate`` (the gate), ``template``,
``export-format``, ``gx-suite``; and what every command shares for CI: ``--junit``,
``--annotations`` and ``GGZY_*`` environment variables as option defaults.

``ggzy validate`` exit codes: 0 the gate passes, 1 findings at or above ``--fail-on``
(contract errors, gate failures), 2 unusable input, 3 nothing to check (no table read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time
from pathlib import Path

from rich.markup import escape

from . import gate, preflight, reading, rules
from . import verdict as verdict_rules
from .stage import set_stage
from .consoles import err, out
from .versions import SCHEMA_VERSIONS, ggzy_version

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_NOTHING = 0, 1, 2, 3
ENV_PREFIX = "GGZY_"



def env_name(dest: str) -> str:
    """The environment variable that sets an option's default: ``--fail-on`` → ``GGZY_FAIL_ON``."""
    return ENV_PREFIX + dest.upper()


def apply_environment(parser: argparse.ArgumentParser, environ=None) -> None:
    """Every optional argument of every subcommand takes its default from ``GGZY_<DEST>`` when set
    (a flag: 1/true/yes/是 → on). The command line still wins. Each help text names its variable."""
    environ = os.environ if environ is None else environ
    for action in parser._actions:  # noqa: SLF001 - argparse has no public walk of its actions
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in action.choices.values():
                apply_environment(sub, environ)
            continue
        if not action.option_strings or action.dest in ("help", "version"):
            continue
        name = env_name(action.dest)
        action.help = f"{action.help or ''}（环境变量 {name}）".replace("%", "%%") if "%" in (action.help or "") \
            else f"{action.help or ''}（环境变量 {name}）"
        if name not in environ:
            continue
        text = environ[name]
        if action.nargs == 0:  # store_true
            action.default = text.strip().lower() in ("1", "true", "yes", "y", "是", "on")
        elif action.nargs in ("+", "*"):
            action.default = text.split()
            action.required = False
        else:
            action.default = action.type(text) if action.type else text
            action.required = False


def add_ci_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--junit", type=Path, metavar="FILE.xml",
                        help="写出 JUnit XML（每条规则或每项检查一个测试用例）/ write JUnit XML")
    parser.add_argument("--annotations", choices=("github", "gitlab"),
                        help="CI 标注：github 打印工作流命令；gitlab 写 gl-code-quality-report.json / CI annotations")
    parser.add_argument("--quiet", action="store_true", help="只显示错误和结论 / print errors and the verdict only")
    parser.add_argument("--verbose", action="store_true",
                        help="把每个阶段写到标准错误（管道中也写）/ log every stage to stderr, also when piped")
    parser.add_argument("--log-file", type=Path, metavar="FILE",
                        help="把每个阶段、结论和错误（带时间）追加写入日志文件 / append stages, verdict and errors to FILE")


def configure_output(args) -> None:
    """--quiet, --verbose and --log-file, for whichever command has them."""
    log = logging.getLogger("ggzy")
    log.setLevel(logging.INFO)
    log.handlers.clear()
    log.propagate = False
    out.quiet = bool(getattr(args, "quiet", False))
    if getattr(args, "verbose", False):
        log.addHandler(logging.StreamHandler(sys.stderr))
    if getattr(args, "log_file", None):
        args.log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(args.log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)


def ci_outputs_of_audit(args, con, audit, summary: dict) -> None:
    """``ggzy audit --junit/--annotations``: a case per rule, a note per violation at its file and line."""
    from reports.ci import write_annotations, write_junit

    from .ci import audit_cases, violation_notes

    if args.junit:
        write_junit(args.junit, audit_cases(summary, con, args.fail_on), "ggzy audit",
                    {"export": str(audit.export.folder), "as_of": summary["as_of"], "verdict": summary["verdict"],
                     "ggzy_version": summary["ggzy_version"]})
    if args.annotations:
        write_annotations(args.annotations, violation_notes(con, audit.export), args.out, out.print)
    logging.getLogger("ggzy").info("结论 verdict %s, exit %s", summary["verdict"], summary["exit_code"])


def add_commands(command) -> None:
    """Add the gate's subcommands with ``command(name, text)``, the CLI's subparser factory."""
    validate = command("validate", "校验导出数据并作为 CI 门禁：数据契约 + 数据质量门禁（引用、日期先后、取值、新鲜度、"
                                   "完整度）+ 规则可运行表 / check an export (the CI gate)")
    validate.add_argument("export_dir", type=Path, help="导出文件夹 / export folder")
    validate.add_argument("--mapping", type=Path, help="表头与取值映射文件 / mapping.yaml")
    validate.add_argument("--rules", type=Path, help="规则目录（决定需要哪些列）/ rules folder")
    validate.add_argument("--gate", type=Path, metavar="FILE.yaml", help="门禁阈值文件，默认 rules/gate/thresholds.yaml / thresholds")
    validate.add_argument("--as-of", type=dt.date.fromisoformat, help="截止日期（新鲜度、日期范围），默认今天 / as-of date")
    validate.add_argument("--fail-on", choices=verdict_rules.FAIL_ON, default="error",
                          help="有此级别及以上问题时退出码为 1，none 表示从不 / exit 1 at or above this level")
    validate.add_argument("--limit", type=int, default=50, help="终端最多显示多少条契约问题 / findings shown")
    validate.add_argument("--out", type=Path, help="写出 validation.json 与 data_quality.jsonl 的文件夹 / output folder")
    validate.add_argument("--gx", type=Path, metavar="DIR",
                          help="同时作为 Great Expectations Checkpoint 运行，GX 项目与 Data Docs 写入 DIR（需 ggzy[gx]）")
    add_ci_options(validate)

    template = command("template", "写出带中文表头的空导出模板 / write an empty export template")
    template.add_argument("out_dir", type=Path, help="模板文件夹 / folder to write")
    template.add_argument("--format", dest="template_format", choices=("csv", "xlsx"), default="csv",
                          help="表格式 / table format")

    fmt = command("export-format", "写出导出格式说明 docs/export-format.md / write the export format")
    fmt.add_argument("--out", type=Path, help="文件，默认打印到终端 / file, default stdout")

    suite = command("gx-suite", "导出 Great Expectations 期望套件（每表一个 JSON）/ export the GX suites")
    suite.add_argument("out_dir", type=Path, help="写出 ggzy-export-<表>.json 的文件夹 / folder")


HANDLERS = {}


def _handler(name):
    def register(fn):
        HANDLERS[name] = fn
        return fn
    return register


def _level_at_or_above(level: str, fail_on: str) -> bool:
    return verdict_rules.at_or_above(level, fail_on)


@_handler("validate")
def cmd_validate(args) -> int:
    from rich.table import Table

    from .sql import connect
    from .validate import check_contract

    started = time.perf_counter()
    set_stage("检查参数 checking arguments")
    preflight.check_export(args.export_dir)
    preflight.check_mapping(args.mapping)
    as_of = args.as_of or dt.date.today()
    limits = gate.load_thresholds(args.gate)
    pack = rules.load_pack(args.rules)
    con = connect()
    set_stage("读取数据 reading export")
    export = reading.load_export(con, args.export_dir, args.mapping)
    set_stage("校验数据契约 checking the export contract")
    findings = check_contract(con, export)
    set_stage("数据质量门禁 gate checks")
    selected = pack.select(None)
    checks = gate.run_gate(con, export, as_of, limits, gate.needed_columns(selected))
    feed = gate.rule_feed(selected, export, checks, limits)
    for name, tf in export.files.items():
        out.print(escape(f"{tf.path.name}: {tf.rows} 行, {tf.format}{'/' + tf.encoding if tf.encoding else ''}, "
                         f"sha256 {tf.sha256[:12]}"), soft_wrap=True)
    for f in export.unread:
        meant = f"；是否应为 did you mean: {'、'.join(f['did_you_mean'])}" if f["did_you_mean"] else ""
        out.print(escape(f"未读取 not read: {f['file']}：{f['reason']['text']}{meant}"), soft_wrap=True)
    if export.missing_tables:
        out.print(escape(f"缺少的数据表 missing tables: {', '.join(export.missing_tables)}"), soft_wrap=True)
    if findings:
        table = Table(title=f"数据契约问题 {len(findings)} 处")
        for name in ("文件", "行", "列", "值", "问题", "级别"):
            table.add_column(name)
        for f in findings[: args.limit]:
            table.add_row(*(escape(str(x)) for x in (f.file, f.row or "", f.column or "", f.value or "", f.reason, f.severity)))
        out.print(table)
    elif export.files:
        out.print("数据契约校验通过 / the export meets the contract")
    _print_gate(checks, feed)
    gx_run = None
    if args.gx:
        from .gx_run import run_checkpoint

        set_stage("Great Expectations Checkpoint")
        gx_run = run_checkpoint(con, export, args.gx)
        sampled = "；抽样 " + "、".join(f"{t} {n} 行" for t, n in gx_run.sampled.items()) if gx_run.sampled else ""
        out.print(escape(f"Great Expectations Checkpoint：{'通过' if gx_run.success else '未通过'}，"
                         f"{len(gx_run.expectations)} 项期望{sampled}；Data Docs：{gx_run.docs_index}"), soft_wrap=True)
    levels = [f.severity for f in findings] + [c.level for c in checks if c.level in ("warning", "error")]
    if not export.files:
        code, verdict = EXIT_NOTHING, "nothing_checked"
        err.print("[yellow]没有读到任何数据表，什么也没有检查 / no table was read: nothing checked[/yellow]")
    elif any(_level_at_or_above(level, args.fail_on) for level in levels):
        code, verdict = EXIT_FINDINGS, "fail"
    else:
        code, verdict = EXIT_OK, "warn" if levels else "pass"
    result = {"ggzy_version": ggzy_version(), "schema_version": SCHEMA_VERSIONS["validation"],
              "verdict": verdict, "exit_code": code, "as_of": as_of.isoformat(), "fail_on": args.fail_on,
              "fingerprints": export.fingerprints(), "missing_tables": export.missing_tables,
              "contract": {"errors": sum(f.severity == "error" for f in findings),
                           "warnings": sum(f.severity == "warning" for f in findings)},
              "gate": [c.as_dict() for c in checks], "rules": [r.as_dict() for r in feed],
              "gx": gx_run and {"success": gx_run.success, "docs_index": str(gx_run.docs_index),
                                "sampled": gx_run.sampled, "expectations": gx_run.expectations}}
    if args.out:
        _write_validation(args.out, result, findings)
    _ci_outputs(args, export, findings, checks, started)
    out.print(f"门禁结论 verdict: {verdict}（退出码 {code}）")
    logging.getLogger("ggzy").info("门禁结论 verdict %s, exit %s", verdict, code)
    return code


def _print_gate(checks: list, feed: list) -> None:
    from rich.table import Table

    level_zh = {"pass": "通过", "warning": "警告", "error": "不通过", "skipped": "跳过"}
    shown = [c for c in checks if c.level != "pass"]
    if not shown:
        out.print(f"数据质量门禁：{len(checks)} 项检查全部通过 / every gate check passed")
    table = Table(title=f"数据质量门禁：{len(checks)} 项检查，{len(shown)} 项需关注")
    for name in ("检查", "问题/检查", "比例或天数", "结论"):
        table.add_column(name, overflow="fold")
    for c in shown:
        table.add_row(escape(f"{gate.FAMILIES[c.family]} {c.name}：{c.detail}"), f"{c.failed}/{c.checked}",
                      f"{c.measure:g}", level_zh[c.level])
    if shown:
        out.print(table)
    rules_table = Table(title="本导出能支撑哪些规则")
    for name in ("规则", "名称", "可否运行", "原因"):
        rules_table.add_column(name)
    for r in feed:
        if r.status != "可运行":
            rules_table.add_row(escape(r.rule_id), escape(r.title), r.status, escape(r.reason))
    runnable = sum(r.status == "可运行" for r in feed)
    if runnable < len(feed):
        out.print(rules_table)
    out.print(f"规则 {len(feed)} 条：可运行 {runnable}，部分可运行 {sum(r.status == '部分可运行' for r in feed)}，"
              f"不能运行 {sum(r.status == '不能运行' for r in feed)}")


def _write_validation(out_dir: Path, result: dict, findings: list) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "validation.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str),
                                             encoding="utf-8")
    with open(out_dir / "data_quality.jsonl", "w", encoding="utf-8") as handle:
        for f in findings:
            handle.write(json.dumps({"table": f.table, "file": f.file, "row": f.row, "column": f.column,
                                     "value": f.value, "reason": f.reason, "check": f.check,
                                     "severity": f.severity}, ensure_ascii=False) + "\n")


def _ci_outputs(args, export, findings, checks, started) -> None:
    from reports.ci import write_annotations, write_junit

    from .ci import contract_cases, finding_notes, gate_cases

    if args.junit:
        write_junit(args.junit, contract_cases(findings, export) + gate_cases(checks), "ggzy validate",
                    {"export": str(export.folder), "ggzy_version": ggzy_version()}, time.perf_counter() - started)
    if args.annotations:
        write_annotations(args.annotations, finding_notes(findings, export), args.out, out.print)


@_handler("template")
def cmd_template(args) -> int:
    from .template import write_template

    paths = write_template(args.out_dir, args.template_format)
    out.print(escape(f"模板已写出 {len(paths)} 个文件到 {args.out_dir} / template written"), soft_wrap=True)
    return EXIT_OK


@_handler("export-format")
def cmd_export_format(args) -> int:
    from .export_format import render_markdown

    text = render_markdown()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        out.print(escape(f"已写出 written {args.out}"))
    else:
        print(text)
    return EXIT_OK


@_handler("gx-suite")
def cmd_gx_suite(args) -> int:
    from . import schema
    from .gx_suite import SUITE_PREFIX, suite_json

    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in schema.TABLES:
        path = args.out_dir / f"{SUITE_PREFIX}{name}.json"
        path.write_text(json.dumps(suite_json(name), ensure_ascii=False, indent=1), encoding="utf-8")
    out.print(escape(f"已写出 {len(schema.TABLES)} 个期望套件到 {args.out_dir} / suites written"), soft_wrap=True)
    return EXIT_OK
