"""violations.xlsx: the audit as a workbook for analysts.

Sheets, in order:

* 汇总 — as-of date, data covered (files, rows, fingerprints), totals, per-rule counts
  (checked / violated / pending / not evaluable, with a link to the rule's sheet) and
  per-department counts;
* 违规清单 — every violation on one sheet (common columns only), for pivot tables across rules;
* one sheet per rule — the violations of that rule with their evidence in columns, as the rule's
  check kind declares them (``SHOWN``, handed over in ``ReportData.kinds``; a display without a
  value in any violation is left out), and a compact 证据 column for whatever else it holds;
* 无法判断 — per rule, why records could not be judged;
* 数据质量 — the export contract's findings (values already masked);
* 已整改 / 即将到期 / 围标串标团伙 — when the audit has them (ledger, groups).

Every data sheet has a frozen header row and an auto-filter; dates are real Excel dates; column
widths count a CJK character as two. With a ledger the violations carry 状态 (新增/持续),
首次发现 and 持续期数.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import re
import shutil
import zipfile
from pathlib import Path

import xlsxwriter
import xlsxwriter.workbook
import xlsxwriter.worksheet

from . import evidence as E
from pipelines import schema

from .counts import department_columns, is_lead, is_possible_match
from .data import SEVERITY_ZH, STATUS_ZH, ReportData
from .text import clean
from .xlsx_rows import write_rows

FILE_NAME = "violations.xlsx"
MAX_WIDTH, MIN_WIDTH = 60, 6
WRAP_WIDTH = 40  # a longer text column is this wide and wraps, so a printed page holds the whole sheet
WIDTH_SAMPLE = 2000  # rows looked at when sizing a column
ZIP_LEVEL = 1  # deflate level of the workbook's parts (see _Workbook)
MAX_CELL = 32_000  # Excel holds at most 32 767 characters in a cell
RESERVED_SHEETS = ("汇总", "违规清单", "部门分规则", "无法判断", "数据质量", "已整改", "即将到期", "围标串标团伙", "历次运行")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

CHECK_ZH = {"deadline": "期限", "listed_party": "名单比对", "text_clause": "公告条款", "shared_attribute": "围标串标",
            "bid_prices": "报价筛查", "min_interval": "最短间隔", "ratio": "金额比例", "field_check": "字段检查",
            "coverage": "对照检查", "per_period": "定期事项"}
#: Chinese headers for the keys of ledger, due-soon and group records
KEY_ZH = {
    "rule_id": "规则编号", "title": "规则", "record_id": "记录编号", "project_id": "项目编号",
    "department": "责任部门", "severity": "级别", "message": "问题描述", "first_seen": "首次发现",
    "resolved_as_of": "整改确认日", "due_date": "应办期限", "from": "起算日", "days_left": "剩余天数",
    "working_days_left": "剩余工作日", "table": "数据表", "basis": "依据", "status": "状态",
    "runs_open": "持续期数", "group_id": "团伙编号", "members": "成员", "lots": "共同投标标段",
    "evidence_types": "关联证据", "strength": "关联强度", "wins": "中标情况", "rotation": "轮流中标",
    "as_of": "审计截止日期", "evidence": "证据", "last_seen": "最后发现", "message_zh": "问题描述",
}
HIDDEN_KEYS = {"key", "evidence"}  # internal identity; evidence is in due_soon.jsonl / resolved.jsonl


def _display_width(text: str) -> int:
    """Column width in Excel character units: a CJK (3-byte UTF-8) character counts as two."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
        self.datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.section = wb.add_format({"bold": True, "font_size": 12})
        self.label = wb.add_format({"bold": True})
        self.error = wb.add_format({"font_color": "#C00000", "bold": True})
        self.new = wb.add_format({"font_color": "#C00000"})
        self.link = wb.add_format({"font_color": "#0563C1", "underline": 1})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})


class _Widths:
    def __init__(self):
        self.w: dict[int, int] = {}

    def see(self, col: int, width: int) -> None:
        if width > self.w.get(col, 0):
            self.w[col] = width

    def apply(self, ws, wrap=None) -> None:
        """Set the widths; with a ``wrap`` format, long text columns are WRAP_WIDTH wide and wrap."""
        for col, width in self.w.items():
            if wrap is not None and width + 2 > WRAP_WIDTH:
                ws.set_column(col, col, WRAP_WIDTH, wrap)
            else:
                ws.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width + 2)))


_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (1900 date system)


def _excel_day(day: dt.date) -> int:
    return (day - _EPOCH).days


def _page_setup(ws, header_row: int | None = 0) -> None:
    """Printable on A4: landscape, every column on one page width (as many pages down as the rows
    need), the header row repeated on every page, gridlines printed, page numbers in the footer."""
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.hide_gridlines(0)
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _write(ws, fmt: _Formats, row: int, col: int, value, cell_format=None, measure: bool = True) -> int:
    """Write one typed cell; return its display width (0 when left empty or not ``measure``d).

    Dates are written as Excel date serials with a date format, which is what Excel stores for a
    date cell (xlsxwriter's own conversion is the slowest part for 10 000 rows)."""
    if type(value) is str:  # the common case first
        if not value:
            return 0
        value = clean(value)
        ws.write_string(row, col, value[:MAX_CELL], cell_format)
        return _display_width(value[:200]) if measure else 0
    if value is None or value == []:
        return 0
    if isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", cell_format)
        return 2
    if isinstance(value, (int, float)):
        ws.write_number(row, col, value, cell_format)
        return len(str(value))
    if isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), cell_format or fmt.datetime)
        return 16
    if isinstance(value, dt.date):
        ws.write_number(row, col, _excel_day(value), cell_format or fmt.date)
        return 10
    text = clean(E.compact(value))
    ws.write_string(row, col, text[:MAX_CELL], cell_format)
    return _display_width(text[:200]) if measure else 0


def _width(value) -> int:
    """The display width :func:`_write` would return for ``value``, without writing it."""
    if type(value) is str:
        return _display_width(clean(value)[:200]) if value else 0
    if value is None or value == []:
        return 0
    if isinstance(value, bool):
        return 2
    if isinstance(value, (int, float)):
        return len(str(value))
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return _display_width(clean(E.compact(value))[:200])


def _table(ws, fmt: _Formats, headers: list[str], rows, first_row: int = 0, freeze: bool = True) -> int:
    """A header row and data rows with a frozen header and an auto-filter; returns the rows written.

    The workbook is written in constant-memory mode (issue #13: memory does not grow with the
    violation count), where a column's format reaches only the cells written after it is set; so
    the first ``WIDTH_SAMPLE`` rows are held back, measured, the widths set, and then every row
    is written."""
    widths = _Widths()
    for c, h in enumerate(headers):
        widths.see(c, _display_width(clean(h)) + 2)  # room for the filter button
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    for values in sample:
        for c, value in enumerate(values):
            widths.see(c, _width(value))
    widths.apply(ws, fmt.wrap)
    for c, h in enumerate(headers):
        ws.write_string(first_row, c, clean(h), fmt.header)
    if ws.constant_memory:  # the rows' XML in one string each (reports/xlsx_rows.py)
        n = write_rows(ws, first_row + 1, itertools.chain(sample, rows), len(headers), fmt.date, fmt.datetime)
    else:
        n = 0
        for n, values in enumerate(itertools.chain(sample, rows), start=1):
            for c, value in enumerate(values):
                _write(ws, fmt, first_row + n, c, value, measure=False)
    if freeze:
        ws.freeze_panes(first_row + 1, 0)
    ws.autofilter(first_row, 0, first_row + max(n, 0), len(headers) - 1)
    _page_setup(ws, first_row)
    return n


class _Deferred:
    """A worksheet whose writes are recorded and replayed later, so that a sheet measured as it
    is written (汇总) can have its column widths and wrap formats set before its cells reach the
    file (constant-memory mode, see :func:`_table`)."""

    def __init__(self, ws):
        self.ws, self.calls = ws, []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))

    def replay(self) -> None:
        for name, args, kwargs in self.calls:
            getattr(self.ws, name)(*args, **kwargs)


def _highlight(ws, fmt: _Formats, headers: list[str], first_row: int, n: int) -> None:
    """错误 in the 级别 column and 新增 in the 状态 column stand out."""
    for name, word, style in (("级别", "错误", fmt.error), ("状态", "新增", fmt.new)):
        if name in headers and n:
            c = headers.index(name)
            ws.conditional_format(first_row + 1, c, first_row + n, c,
                                  {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": style})


def sheet_names(rules: list[dict]) -> dict[str, str]:
    """rule_id -> a unique worksheet name of at most 31 characters: the rule's title, shortened."""
    used = {n.casefold() for n in RESERVED_SHEETS}
    names = {}
    for rule in rules:
        base = _BAD_SHEET_CHARS.sub("", clean(rule.get("title") or rule["rule_id"])).strip().strip("'") or rule["rule_id"]
        name = base if len(base) <= 31 else base[:30] + "…"
        k = 2
        while name.casefold() in used or name.casefold() == "history":
            suffix = f"({k})"
            name = (base if len(base) + len(suffix) <= 31 else base[:30 - len(suffix)] + "…") + suffix
            k += 1
        used.add(name.casefold())
        names[rule["rule_id"]] = name
    return names


# ------------------------------------------------------------------ evidence columns, as each kind declares

def _join(values, sep="；") -> str:
    return sep.join(str(v) for v in values if v not in (None, ""))


def _kind_columns(kinds: dict, check: str | None, table: str,
                  first: dict) -> tuple[list[tuple[str, callable]], set[str]]:
    """(header, value of a violation's evidence) for every display its kind marks as an Excel
    column (labelled from the ``first`` violation's evidence), and the evidence keys the kind's
    displays cover."""
    cols = [(E.label(d, first, table), lambda ev, d=d: E.shown_value(d, ev, table))
            for d in E.displays(kinds, check) if d.get("excel", True)]
    return cols, E.shown_keys(kinds, check) | {d["of"] for d in E.displays(kinds, check) if d.get("of")}


class _Columns:
    """Which columns a rule's sheet needs — its kind's Excel displays that have a value in some
    row, 移送, 证据 — seen one violation at a time, while 违规清单 is written, so that each rule's
    violations are read once more for its sheet, not twice (issue #13)."""

    def __init__(self, rule: dict, kinds: dict | None):
        self.rule, self.kinds = rule, kinds or {}
        self.first: dict | None = None  # the first violation's evidence (labels are taken from it)
        self.kind_cols: list[tuple[str, callable]] = []
        self.shown: set[str] = set()
        self.filled: set[int] = set()
        self.refer = self.has_rest = False

    def see(self, v: dict) -> None:
        ev = v["evidence"]
        if self.first is None:
            self.first = ev
            self.kind_cols, self.shown = _kind_columns(self.kinds, self.rule.get("check"),
                                                       self.rule.get("table") or "", ev)
        self.filled.update(i for i, (_, get) in enumerate(self.kind_cols)
                           if i not in self.filled and get(ev) not in (None, ""))
        self.refer = self.refer or bool(v.get("refer_to"))
        self.has_rest = self.has_rest or any(k not in self.shown for k in ev)


def _rule_sheet(wb, fmt: _Formats, name: str, rule: dict, violations, ledger: bool,
                kinds: dict | None = None, columns: _Columns | None = None) -> int:
    """One rule's sheet. ``columns``: what its violations need, if already seen; else they are
    iterated twice (they may stream from DuckDB): to see it, then to write the rows."""
    ws = wb.add_worksheet(name)
    if columns is None:
        columns = _Columns(rule, kinds)
        for v in violations:
            columns.see(v)
    first, shown, refer, has_rest = columns.first, columns.shown, columns.refer, columns.has_rest
    kind_cols = [col for i, col in enumerate(columns.kind_cols) if i in columns.filled]
    headers = ["规则", "级别", "记录编号", "项目编号", "责任部门", "依据", "问题描述", *(h for h, _ in kind_cols)]
    if ledger:
        headers += ["状态", "首次发现", "持续期数"]
    if refer:
        headers.append("移送")
    if has_rest:
        headers.append("证据")

    def rows():
        for v in violations:
            ev = v["evidence"]
            row = [v["rule_id"], SEVERITY_ZH.get(v["severity"], v["severity"]), v["record_id"], v.get("project_id"),
                   v.get("department"), v.get("basis"), v.get("message")]
            row += [get(ev) for _, get in kind_cols]
            if ledger:
                row += [STATUS_ZH.get(v.get("status"), v.get("status")), E.as_date(v.get("first_seen")),
                        v.get("runs_open")]
            if refer:
                row.append(_join(v.get("refer_to") or [], "、"))
            if has_rest:
                row.append(E.compact({k: x for k, x in ev.items() if k not in shown}))
            yield row

    n = _table(ws, fmt, headers, rows())
    _highlight(ws, fmt, headers, 0, n)
    if first is None:
        note = (f"未评估：{rule['not_evaluated']['text']}" if rule.get("not_evaluated")
                else "本期未发现违规。")
        ws.write_string(2, 0, clean(note))
    return n


def _all_sheet(wb, fmt: _Formats, data: ReportData, ledger: bool, columns: dict[str, _Columns] | None = None) -> None:
    """违规清单; every violation written is also shown to its rule's ``columns``."""
    columns = columns or {}
    ws = wb.add_worksheet("违规清单")
    titles = {r["rule_id"]: r.get("title") or r["rule_id"] for r in data.rules}
    headers = ["规则编号", "规则", "级别", "待核实", "数据表", "记录编号", "项目编号", "责任部门", "依据", "问题描述", "应办期限"]
    if ledger:
        headers += ["状态", "首次发现", "持续期数"]
    headers.append("移送")

    def rows():
        for v in data.violations:
            ev = v["evidence"]
            if v["rule_id"] in columns:
                columns[v["rule_id"]].see(v)
            verify = "线索（第四十条情形的迹象）" if is_lead(v) else "疑似匹配" if is_possible_match(v) else None
            row = [v["rule_id"], titles.get(v["rule_id"]), SEVERITY_ZH.get(v["severity"], v["severity"]), verify,
                   schema.TABLES[v["table"]].chinese if v.get("table") in schema.TABLES else v.get("table"),
                   v["record_id"], v.get("project_id"), v.get("department"), v.get("basis"), v.get("message"),
                   E.as_date(ev.get("due_date"))]
            if ledger:
                row += [STATUS_ZH.get(v.get("status"), v.get("status")), E.as_date(v.get("first_seen")),
                        v.get("runs_open")]
            row.append(_join(v.get("refer_to") or [], "、"))
            yield row

    n = _table(ws, fmt, headers, rows())
    _highlight(ws, fmt, headers, 0, n)


def _summary_sheet(wb, fmt: _Formats, data: ReportData, names: dict[str, str]) -> None:
    s = data.summary
    real = wb.add_worksheet("汇总")
    ws = _Deferred(real)  # widths first, then the cells (see _table)
    widths = _Widths()
    export = s.get("export", {})
    pack = s.get("rule_pack", {})
    ws.write_string(0, 0, "公共资源交易协同监管审计 · 违规清单（鹤发改公管〔2022〕216号）", fmt.title)
    facts = [
        ("审计截止日期", E.as_date(s.get("as_of"))),
        ("生成时间", s.get("generated_at")),
        ("数据来源", export.get("folder")),
        ("数据文件", "；".join(f"{name} {f.get('rows')} 行" for name, f in export.get("files", {}).items())),
        ("缺少的数据表", "、".join(export.get("missing_tables") or []) or "无"),
        ("规则包", f"{pack.get('name', '')} {pack.get('version', '')}（{pack.get('digest', '')}）"),
        *_count_facts(data),
    ]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, fmt.label)
        widths.see(0, _display_width(label))
        _write(ws, fmt, row, 1, value)  # long texts may spill over; not sized
        row += 1

    row += 1
    ws.write_string(row, 0, "一、按规则统计", fmt.section)
    row += 1
    headers = ["规则编号", "规则", "依据", "级别", "检查类型", "检查", "违规", "待到期", "无法判断", "合规", "不适用",
               "说明", "明细工作表"]
    first = row
    for c, h in enumerate(headers):
        ws.write_string(row, c, h, fmt.header)
        widths.see(c, _display_width(h))
    for r in data.rules:
        row += 1
        evaluated = r.get("evaluated", True)
        reasons = "；".join(f"{why['text']} {why['count']} 条" for why in r.get("reasons") or [])
        values = [r["rule_id"], r.get("title"), r.get("basis"), SEVERITY_ZH.get(r.get("severity"), r.get("severity")),
                  CHECK_ZH.get(r.get("check"), r.get("check") or ""),
                  *((r.get("checked", 0), data.counts.rule(r["rule_id"]), r.get("pending", 0), r.get("not_evaluable", 0),
                     r.get("compliant", 0), r.get("not_applicable", 0)) if evaluated else ("—",) * 6),
                  reasons if evaluated else f"未评估：{r['not_evaluated']['text']}"]
        for c, value in enumerate(values):
            widths.see(c, _write(ws, fmt, row, c, value))
        sheet = names[r["rule_id"]]
        ws.write_url(row, len(values), f"internal:'{sheet}'!A1", fmt.link, string=sheet)
        widths.see(len(values), _display_width(sheet))
    ws.autofilter(first, 0, row, len(headers) - 1)

    row += 2
    ws.write_string(row, 0, "二、按部门统计（各部门分规则的条数见“部门分规则”表）", fmt.section)
    row += 1
    columns = department_columns(data.counts)
    for c, (h, _) in enumerate([("部门", None), *columns]):
        ws.write_string(row, c, h, fmt.header)
        widths.see(c, _display_width(h))
    for d in data.counts.departments:
        row += 1
        for c, value in enumerate([d.name, *(d.get(key) for _, key in columns)]):
            widths.see(c, _write(ws, fmt, row, c, value))
    if not data.counts.departments:
        row += 1
        ws.write_string(row, 0, "未发现违规。")

    row += 2
    ws.write_string(row, 0, "三、数据覆盖", fmt.section)
    row += 1
    headers = ["文件", "数据表", "行数", "格式", "编码", "缺少的列", "SHA-256"]
    for c, h in enumerate(headers):
        ws.write_string(row, c, h, fmt.header)
    for name, f in export.get("files", {}).items():
        row += 1
        values = [name, f.get("table"), f.get("rows"), f.get("format"), f.get("encoding"),
                  "、".join(E.column_label(f.get("table") or "", c) for c in f.get("missing_columns") or []),
                  f.get("sha256")]
        for c, value in enumerate(values):
            _write(ws, fmt, row, c, value)  # hashes and column lists are not sized
    for table in export.get("missing_tables") or []:
        row += 1
        _write(ws, fmt, row, 0, "（缺失）")
        _write(ws, fmt, row, 1, table)
    widths.apply(real, fmt.wrap)
    real.set_column(1, 1, 40, fmt.wrap)
    ws.replay()
    _page_setup(real, None)
    real.activate()


def _count_facts(data: ReportData) -> list[tuple[str, int]]:
    """The totals of the 汇总 sheet, from reports.counts like every other format's."""
    c, rules = data.counts, data.summary.get("rules", [])
    facts = [("违规合计", c.total), ("其中错误", c.severity("error")), ("其中警告", c.severity("warning")),
             ("其中提示", c.severity("info"))]
    if c.whole.leads:
        facts.append(("其中线索（第四十条情形的迹象，待核实）", c.whole.leads))
    facts += [(f"其中{STATUS_ZH.get(k, k)}", c.status(k)) for k in ("new", "open", "late_done") if k in c.whole.by_status]
    facts += [("尚未到期", sum(r.get("pending", 0) for r in rules)),
              ("无法判断", sum(r.get("not_evaluable", 0) for r in rules)), ("数据质量问题", len(data.findings))]
    if data.resolved:
        facts.append(("已整改（上期有、本期无）", len(data.resolved)))
    return facts


def _department_rule_sheet(wb, fmt: _Formats, data: ReportData) -> None:
    """部门分规则: one row per department and rule with violations (long, not 49 columns wide)."""
    ws = wb.add_worksheet("部门分规则")
    titles = {r["rule_id"]: r.get("title") or r["rule_id"] for r in data.rules}
    rows = ([d.name, titles.get(rule_id, rule_id), rule_id, d.by_rule[rule_id]]
            for d in data.counts.departments for rule_id in data.counts.rule_order if d.by_rule.get(rule_id))
    if not _table(ws, fmt, ["部门", "规则", "规则编号", "违规"], rows):
        ws.write_string(2, 0, "未发现违规。")


def _reasons_sheet(wb, fmt: _Formats, data: ReportData) -> None:
    ws = wb.add_worksheet("无法判断")
    rows = []
    for r in data.rules:
        if r.get("not_evaluated"):
            rows.append([r["rule_id"], r.get("title"), r.get("table"), f"未评估：{r['not_evaluated']['text']}", None])
        for why in r.get("reasons") or []:
            rows.append([r["rule_id"], r.get("title"), r.get("table"), why["text"], why["count"]])
    n = _table(ws, fmt, ["规则编号", "规则", "数据表", "原因", "记录数"], rows)
    if not n:
        ws.write_string(2, 0, "所有记录均可判断。")


def _findings_sheet(wb, fmt: _Formats, data: ReportData) -> None:
    ws = wb.add_worksheet("数据质量")

    def get(f, name):
        return f.get(name) if isinstance(f, dict) else getattr(f, name, None)

    rows = ([get(f, "table"), get(f, "file"), get(f, "row"), get(f, "column"),
             E.column_label(get(f, "table") or "", get(f, "column")), get(f, "value"), get(f, "reason"),
             SEVERITY_ZH.get(get(f, "severity"), get(f, "severity")), get(f, "check")] for f in data.findings)
    headers = ["数据表", "文件", "行", "列", "中文列名", "值（已脱敏）", "问题", "级别", "检查项"]
    n = _table(ws, fmt, headers, rows)
    _highlight(ws, fmt, headers, 0, n)
    if not n:
        ws.write_string(2, 0, "未发现数据质量问题。")


def _records_sheet(wb, fmt: _Formats, name: str, records: list[dict]) -> None:
    """A sheet for records of a shape this module does not fix (resolved, due soon, groups)."""
    ws = wb.add_worksheet(name)
    keys = [k for k in dict.fromkeys(k for rec in records for k in rec) if k not in HIDDEN_KEYS]
    headers = [KEY_ZH.get(k, k) for k in keys]

    def value(k, x):
        if k == "severity":
            return SEVERITY_ZH.get(x, x)
        if k == "status":
            return STATUS_ZH.get(x, x)
        if isinstance(x, (list, dict)):
            return E.compact(x)
        return E.as_date(x)

    _table(ws, fmt, headers, ([value(k, rec.get(k)) for k in keys] for rec in records))


def _groups_sheet(wb, fmt: _Formats, groups: list[dict]) -> None:
    """围标串标团伙: one row per bidder group of groups.jsonl, with firm names (not codes), lists
    joined and Chinese headers; 判断 is groups.jsonl's own (疑似围标串标 only when it says so).
    Each link's lot and shared value are in groups.jsonl."""
    ws = wb.add_worksheet("围标串标团伙")

    def name_of(group: dict):
        names = dict(zip(group.get("members") or [], group.get("member_names") or []))
        return lambda key: str(names.get(key) or key)

    def rows():
        for g in groups:
            name = name_of(g)
            wins = g.get("wins") if isinstance(g.get("wins"), dict) else {}
            order = [w for w in g.get("winners_in_order") or [] if isinstance(w, dict)]
            yield [g.get("group_id"), g.get("assessment") or ("疑似围标串标" if g.get("suspected") else "线索，待核实"),
                   "、".join(name(m) for m in g.get("members") or []), len(g.get("members") or []),
                   _join(g.get("evidence_labels") or g.get("evidence_types") or [], "、"),
                   _join(g.get("evidence_lots") or [], "、"), _join(g.get("lots") or [], "、"), g.get("strength"),
                   "；".join(f"{name(m)}：{_join(lots if isinstance(lots, list) else [lots], '、')}"
                            for m, lots in wins.items()),
                   None if g.get("rotation") is None else bool(g.get("rotation")),
                   " → ".join(f"{w.get('project_id')} {name(w.get('winner'))}" for w in order),
                   _join(g.get("departments") or [], "、"), len(g.get("edges") or [])]

    headers = ["团伙编号", "判断", "成员（投标人）", "成员数", "关联证据类型", "有证据的标段", "共同投标标段", "关联强度",
               "中标情况", "轮流中标", "各标段中标人（按投标截止时间）", "涉及部门", "关联明细条数（见 groups.jsonl）"]
    _table(ws, fmt, headers, rows())


def _trend_sheet(wb, fmt: _Formats, trend: list[dict]) -> None:
    """With a ledger: one row per recorded run, oldest first."""
    ws = wb.add_worksheet("历次运行")
    headers = ["审计截止日期", "违规", "错误", "警告", "提示", "新增", "持续", "已整改", "规则包版本", "记录时间"]

    def rows():
        for run in trend:
            sev = run.get("by_severity") or {}
            yield [E.as_date(run.get("as_of")), run.get("total"), sev.get("error"), sev.get("warning"), sev.get("info"),
                   run.get("new"), run.get("open"), run.get("resolved"), run.get("rule_pack_version"),
                   E.as_date(str(run["recorded_at"])[:19]) if run.get("recorded_at") else None]

    _table(ws, fmt, headers, rows())


class _TextSafeWorksheet(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter's worksheet, except that a text shaped like a rich string (``<r>…</r>``) is
    still written as that text. In constant-memory mode xlsxwriter copies such a string into
    the sheet as XML, so one hostile cell (a department named ``<r>…</r>``) would alter or
    corrupt the workbook; here it becomes a rich string holding the escaped text, which Excel
    shows exactly as it was."""

    def _write_string(self, row, col, string, cell_format=None):
        if self.constant_memory and string.startswith("<r>") and string.endswith("</r>"):
            escaped = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            string = f'<r><t xml:space="preserve">{escaped}</t></r>'
        return super()._write_string(row, col, string, cell_format)

    def _write_optimized_sheet_data(self) -> None:
        """The rows kept in the constant-memory row file, copied into the sheet's XML as bytes
        (xlsxwriter copies them as text, decoding and re-encoding hundreds of MB; issue #13)."""
        if self.dim_rowmin is None:
            return super()._write_optimized_sheet_data()
        self._xml_start_tag("sheetData")
        self.row_data_fh.close()
        self.fh.flush()
        with open(self.row_data_filename, "rb") as rows:
            shutil.copyfileobj(rows, self.fh.buffer, 1 << 20)
        os.unlink(self.row_data_filename)
        self._xml_end_tag("sheetData")


class _Workbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook, zipped at deflate level 1 instead of 6: at provincial scale the
    sheets hold hundreds of MB of XML, which level 6 compresses three times slower for a file
    about a fifth smaller (issue #13)."""

    def _store_workbook(self) -> None:
        original = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=ZIP_LEVEL)
        try:
            super()._store_workbook()
        finally:
            xlsxwriter.workbook.ZipFile = original


def write_xlsx(data: ReportData, out_dir: Path) -> Path:
    path = Path(out_dir) / FILE_NAME
    wb = _Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "remove_timezone": True})
    wb.worksheet_class = _TextSafeWorksheet
    wb.set_properties({"title": "公共资源交易协同监管审计 违规清单", "subject": f"截至 {data.summary.get('as_of')}",
                       "author": "ggzy", "comments": "鹤发改公管〔2022〕216号"})
    fmt = _Formats(wb)
    names = sheet_names(data.rules)
    ledger = data.ledger
    _summary_sheet(wb, fmt, data, names)
    columns = {rule["rule_id"]: _Columns(rule, data.kinds) for rule in data.rules}
    _all_sheet(wb, fmt, data, ledger, columns)
    _department_rule_sheet(wb, fmt, data)
    for rule in data.rules:
        _rule_sheet(wb, fmt, names[rule["rule_id"]], rule, data.rule_violations(rule["rule_id"]), ledger, data.kinds,
                    columns[rule["rule_id"]])
    _reasons_sheet(wb, fmt, data)
    _findings_sheet(wb, fmt, data)
    if data.groups:
        _groups_sheet(wb, fmt, [g for g in data.groups if isinstance(g, dict)])
    for name, records in (("已整改", data.resolved), ("即将到期", data.due_soon)):
        if records:
            _records_sheet(wb, fmt, name, [r if isinstance(r, dict) else vars(r) for r in records])
    if data.trend:
        _trend_sheet(wb, fmt, data.trend)
    wb.close()
    return path
