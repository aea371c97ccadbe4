"""briefing.docx: the 联席会议 briefing (工作简报) as a Word document.

One short document for the joint meeting of the 12 member bodies: masthead and period, the
numbers in one paragraph, a department table and a bar chart of violations by department, the
key cases (errors first; with a ledger new and long-open ones first; at most ``KEY_CASES``, the
full list being in violations.xlsx), and the items that need a decision (overdue and still
undone, referrals, possible matches to verify, missing data and calendars, data quality).

Government style (GB/T 9704 in spirit): A4, 仿宋 body, 黑体 headings, 宋体 masthead; the East
Asian font is set on every style (``w:eastAsia``) so Word does not fall back to a Latin theme
font. The chart is drawn with matplotlib in the CJK font that ``reports.fonts`` finds.
"""

from __future__ import annotations

import io
import warnings
from collections import Counter, defaultdict
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from pipelines import schema

from . import evidence as E
from .data import SEVERITY_ZH, STATUS_ZH, ReportData
from .fonts import CJKFont, CJKFontMissing, cjk_font

FILE_NAME = "briefing.docx"
WORKBOOK = "violations.xlsx"
TITLE_BODY = "鹤岗市公共资源交易协同监管联席会议"
TITLE = f"{TITLE_BODY} 工作简报"
ISSUER = "市发改委公管办"
KEY_CASES = 20
MAX_BARS = 15  # departments drawn one by one; the rest are one bar
LIST_IN_ITEM = 5  # records named in one decision item before "等 N 项"

BODY_FONT, HEADING_FONT, TITLE_FONT, LATIN_FONT = "仿宋", "黑体", "宋体", "Times New Roman"
BODY_SIZE, TABLE_SIZE = Pt(16), Pt(12)  # 三号 body, 小四 tables
RED = RGBColor(0xC0, 0x00, 0x00)
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
SEVERITY_COLOURS = (("error", "#C0392B"), ("warning", "#E69F00"), ("info", "#7F8C8D"))
NO_DEPARTMENT = "（未注明部门）"


# ------------------------------------------------------------------------------- the numbers

def _date_zh(iso: str | None) -> str:
    d = E.as_date(iso)
    return f"{d.year}年{d.month}月{d.day}日" if hasattr(d, "year") else str(iso or "")


def department_rows(data: ReportData) -> list[tuple[str, dict[str, int]]]:
    """(department, counts) for every department with violations, most violations first."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for v in data.violations:
        c = rows[v.get("department") or NO_DEPARTMENT]
        c["total"] += 1
        c[v["severity"]] += 1
        c["overdue"] += E.is_overdue_not_done(v)
        c["possible"] += E.is_possible_match(v)
        if v.get("status"):
            c[v["status"]] += 1
    return sorted(((d, dict(c)) for d, c in rows.items()), key=lambda kv: (-kv[1]["total"], -kv[1].get("error", 0), kv[0]))


def key_cases(data: ReportData, limit: int = KEY_CASES) -> list[dict]:
    """Errors first, then warnings and notes; within each, new before open and long-open first."""
    def order(iv):
        i, v = iv
        return (SEVERITY_RANK.get(v["severity"], 3), 0 if v.get("status") == "new" else 1,
                -(v.get("runs_open") or 0), i)
    return [v for _, v in sorted(enumerate(data.violations), key=order)[:limit]]


def _records(items: list[dict]) -> str:
    """'CC2026-04、TS2026-05' or 'A、B、C、D、E等7项' (each record once, even if two rules name it)."""
    ids = list(dict.fromkeys(str(v["record_id"]) for v in items))
    return "、".join(ids[:LIST_IN_ITEM]) + (f"等{len(ids)}项" if len(ids) > LIST_IN_ITEM else "")


def decision_items(data: ReportData) -> list[str]:
    """What the meeting has to decide or order, one sentence each."""
    items: list[str] = []
    titles = {r["rule_id"]: r.get("title") or r["rule_id"] for r in data.rules}

    overdue: dict[str, list[dict]] = defaultdict(list)
    for v in data.violations:
        if E.is_overdue_not_done(v):
            overdue[v.get("department") or NO_DEPARTMENT].append(v)
    for dept, vs in sorted(overdue.items(), key=lambda kv: -len(kv[1])):
        by_rule = Counter(titles.get(v["rule_id"], v["rule_id"]) for v in vs)
        what = "；".join(f"{t}{n}项" for t, n in by_rule.items())
        earliest = min(v["evidence"].get("due_date") or "" for v in vs)
        items.append(f"{dept}有{len(vs)}项逾期至今仍未办理（{what}：{_records(vs)}，最早应于{_date_zh(earliest)}前办理），"
                     "建议联席会议督办，限期整改并报送结果。")

    referrals: dict[str, list[dict]] = defaultdict(list)
    for v in data.violations:
        if not E.is_possible_match(v):
            for body in v.get("refer_to") or []:
                referrals[body].append(v)
    for body, vs in referrals.items():
        depts = "、".join(dict.fromkeys(v.get("department") or NO_DEPARTMENT for v in vs))
        items.append(f"{len(vs)}条已确认问题（{_records(vs)}，责任部门{depts}）涉嫌违法犯罪线索，建议按一(三)移送{body}，"
                     "并请其办结后反馈。")

    possible = [v for v in data.violations if E.is_possible_match(v)]
    if possible:
        depts = "、".join(dict.fromkeys(v.get("department") or NO_DEPARTMENT for v in possible))
        items.append(f"{len(possible)}条为疑似匹配（{_records(possible)}：人员仅姓名与名单相同，名单未载身份证号），"
                     f"请{depts}核实身份证号后再认定，暂不作为确认违规。")

    years: Counter = Counter()
    for r in data.rules:
        years.update(E.missing_calendar_years(r.get("reasons") or []))
    for year, n in sorted(years.items()):
        items.append(f"缺少{year}年工作日历，{n}条记录的期限无法计算；请在国务院公布{year}年放假安排后"
                     f"补充 rules/calendar/{year}.yaml 后重新审计。")

    skipped = [r for r in data.rules if not r.get("evaluated", True)]
    if skipped:
        names = "、".join(f"“{titles[r['rule_id']]}”" for r in skipped[:LIST_IN_ITEM])
        names += f"等{len(skipped)}条规则" if len(skipped) > LIST_IN_ITEM else ""
        items.append(f"{len(skipped)}条规则因导出数据缺少所需数据未能评估（{missing_inputs(skipped)}），涉及{names}；"
                     "请交易平台在导出数据中补充，或由联席会议确定暂不检查。")
    missing_data: Counter = Counter()
    for r in data.rules:
        for why in r.get("reasons") or []:
            if why.get("code") != E.CALENDAR_MISSING:
                missing_data[why["text"]] += why["count"]
    if missing_data:
        total = sum(missing_data.values())
        why = "；".join(f"{w}{n}条" for w, n in missing_data.most_common(8))
        why += "等" if len(missing_data) > 8 else ""
        items.append(f"{total}条记录因数据缺失或无法识别无法判断（{why}），请交易平台和责任部门补全、更正数据。")

    errors = [f for f in data.findings if _get(f, "severity") == "error"]
    if data.findings:
        first = errors[0] if errors else data.findings[0]
        where = f"{_get(first, 'file')}" + (f"第{_get(first, 'row')}行" if _get(first, "row") else "")
        items.append(f"导出数据有{len(data.findings)}处数据质量问题（其中错误{len(errors)}处，如{where}"
                     f"“{_get(first, 'reason')}”），请交易平台核对更正，明细见 {WORKBOOK}“数据质量”表。")

    if data.groups:
        items.append(f"发现{len(data.groups)}个疑似围标串标投标人团伙（见 groups.jsonl 及 {WORKBOOK}），"
                     "建议相关行业监督部门组织核查。")
    return items


def missing_inputs(rules: list[dict]) -> str:
    """What the not-evaluated rules lack, grouped: 缺少数据表：…；投标记录缺少列：…"""
    tables: dict[str, None] = {}
    columns: dict[str, dict[str, None]] = defaultdict(dict)
    other: dict[str, None] = {}
    for r in rules:
        why = r.get("not_evaluated") or {}
        if why.get("code") == "table_missing":
            tables[_table_zh(why["table"])] = None
        elif why.get("code") == "column_missing":
            for column in why["columns"]:
                columns[_table_zh(why["table"])][E.column_label(why["table"], column)] = None
        elif why:
            other[why["text"]] = None
    parts = [f"缺少数据表：{'、'.join(tables)}"] if tables else []
    parts += [f"{table}缺少列：{'、'.join(cols)}" for table, cols in columns.items()]
    return "；".join(parts + list(other))


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 23 -> 二十三 (for 1..99)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def summary_sentences(data: ReportData) -> str:
    s = data.summary
    totals = s.get("totals", {})
    sev = totals.get("by_severity", {})
    rules = s.get("rules", [])
    files = s.get("export", {}).get("files", {})
    covered = "、".join(f"{_table_zh(f.get('table'))}{f.get('rows', 0)}条" for f in files.values())
    depts = len({v.get("department") for v in data.violations})
    text = (f"截至{_date_zh(s.get('as_of'))}，对公共资源交易平台导出数据（{covered}）执行{len(rules)}条监管规则，"
            f"检查记录{sum(r.get('checked', 0) for r in rules)}条次，发现违规{totals.get('violations', 0)}条，"
            f"其中错误{sev.get('error', 0)}条、警告{sev.get('warning', 0)}条、提示{sev.get('info', 0)}条，"
            f"涉及{depts}个部门；另有{sum(r.get('pending', 0) for r in rules)}条尚未到期，"
            f"{sum(r.get('not_evaluable', 0) for r in rules)}条因数据缺失或无法识别无法判断；"
            f"数据质量问题{totals.get('data_quality_findings', 0)}处。")
    if any("status" in v for v in data.violations):
        new = sum(v.get("status") == "new" for v in data.violations)
        text += f"本期违规中新增{new}条、持续{len(data.violations) - new}条"
        text += f"；上期问题已整改{len(data.resolved)}条。"
    if len(data.trend) >= 2 and all(isinstance(t, dict) for t in data.trend[-2:]):
        before, now = data.trend[-2], data.trend[-1]
        a, b = _trend_total(before), _trend_total(now)
        if a is not None and b is not None:
            change = "持平" if a == b else (f"增加{b - a}条" if b > a else f"减少{a - b}条")
            text += f"与上期（截至{_date_zh(before.get('as_of'))}）相比违规{change}。"
    if data.due_soon:
        text += f"近期将有{len(data.due_soon)}项到期，请相关部门及时办理。"
    return text


def _trend_total(row: dict):
    for key in ("violations", "total"):
        if isinstance(row.get(key), int):
            return row[key]
    counts = row.get("counts")
    if isinstance(counts, dict):
        return counts.get("violations", counts.get("total"))
    return None


def _table_zh(name: str | None) -> str:
    return schema.TABLES[name].chinese if name in schema.TABLES else str(name)


# ------------------------------------------------------------------------------- the chart

_registered: set[tuple[str, int]] = set()


def chart_png(rows: list[tuple[str, dict[str, int]]], title: str, font: CJKFont | None = None) -> bytes:
    """A horizontal bar chart, one bar per department split by severity, as PNG bytes.

    ``rows`` is (department, counts by severity) as from :func:`department_rows`."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = font or cjk_font()
    if (str(font.path), font.index) not in _registered:
        font_manager.fontManager.addfont(str(font.path))
        _registered.add((str(font.path), font.index))
    if len(rows) > MAX_BARS:
        rest = rows[MAX_BARS - 1:]
        merged: Counter = Counter()
        for _, c in rest:
            merged.update(c)
        rows = [*rows[:MAX_BARS - 1], (f"其他{len(rest)}个部门", dict(merged))]
    labels = [d for d, _ in rows][::-1]
    counts = [c for _, c in rows][::-1]
    with matplotlib.rc_context({"font.family": [font.family], "font.size": 11, "axes.unicode_minus": False}):
        fig = Figure(figsize=(6.3, 1.3 + 0.42 * max(len(rows), 1)), dpi=200)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        left = [0] * len(rows)
        for sev, colour in SEVERITY_COLOURS:
            values = [c.get(sev, 0) for c in counts]
            if any(values):
                ax.barh(labels, values, left=left, color=colour, label=SEVERITY_ZH[sev], height=0.6)
                left = [a + b for a, b in zip(left, values)]
        top = max(left, default=0)
        for y, total in enumerate(left):
            ax.text(total + top * 0.01 + 0.05, y, f"{total}条", va="center", fontsize=10)
        ax.set_xlim(0, max(top * 1.15, 1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("违规数量（条）")
        ax.set_title(title, fontsize=13, loc="left", pad=22 if rows else 6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        if rows:
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False, fontsize=10,
                      handlelength=1.2, borderaxespad=0.2)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "本期未发现违规", ha="center", va="center", transform=ax.transAxes, fontsize=14)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def department_chart(data: ReportData, font: CJKFont | None = None) -> bytes:
    return chart_png(department_rows(data), f"各部门违规数量（截至{_date_zh(data.summary.get('as_of'))}）", font)


# ------------------------------------------------------------------------------- the document

def _east_asian(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set Latin and East Asian fonts on a style's or run's rPr, dropping theme fonts."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), name)


def _style(doc, name: str, east_asia: str, size, bold=False, colour=None, base="Normal", kind=WD_STYLE_TYPE.PARAGRAPH):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, kind)
    if kind == WD_STYLE_TYPE.PARAGRAPH and name != "Normal" and base:
        style.base_style = styles[base]
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = colour or RGBColor(0, 0, 0)
    _east_asian(style.element, east_asia)
    return style


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    normal = _style(doc, "Normal", BODY_FONT, BODY_SIZE)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    fmt.first_line_indent = Pt(32)
    fmt.space_before = fmt.space_after = Pt(0)

    for name in ("Heading 1", "Heading 2"):
        heading = _style(doc, name, HEADING_FONT if name == "Heading 1" else "楷体", BODY_SIZE, bold=False)
        heading.paragraph_format.first_line_indent = Pt(32)
        heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(6), Pt(0)
        heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        heading.paragraph_format.line_spacing = Pt(28)
        heading.paragraph_format.keep_with_next = True

    cell = _style(doc, "简报表格", BODY_FONT, TABLE_SIZE)
    cell.paragraph_format.first_line_indent = Pt(0)
    cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    masthead = _style(doc, "简报报头", TITLE_FONT, Pt(22), bold=True, colour=RED)
    masthead.paragraph_format.first_line_indent = Pt(0)
    masthead.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    masthead.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    caption = _style(doc, "简报图题", BODY_FONT, Pt(12))
    caption.paragraph_format.first_line_indent = Pt(0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # page number "— 1 —" centred in the footer
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" —")


#: elements that follow w:pBdr inside w:pPr (Word rejects them out of order)
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


def _red_rule(paragraph) -> None:
    """A red line under the masthead (paragraph bottom border)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _cell(cell, text: str, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.style = "简报表格"
    paragraph.alignment = align
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
        _east_asian(run._r, HEADING_FONT)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _department_table(doc, data: ReportData) -> None:
    rows = department_rows(data)
    ledger = any("status" in v for v in data.violations)
    headers = ["部门", "违规", "错误", "警告", "逾期未办", "疑似待核实"] + (["新增"] if ledger else [])
    keys = ["total", "error", "warning", "overdue", "possible"] + (["new"] if ledger else [])
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers):
        _cell(cell, header, bold=True)
    _repeat_header(table.rows[0])
    total: Counter = Counter()
    for dept, counts in rows:
        cells = table.add_row().cells
        _cell(cells[0], dept, align=WD_ALIGN_PARAGRAPH.LEFT)
        for cell, key in zip(cells[1:], keys):
            _cell(cell, str(counts.get(key, 0)))
        total.update(counts)
    cells = table.add_row().cells
    _cell(cells[0], "合计", bold=True)
    for cell, key in zip(cells[1:], keys):
        _cell(cell, str(total.get(key, 0)), bold=True)
    first = 5.0 if ledger else 5.6
    widths = [Cm(first)] + [Cm((15.6 - first) / (len(headers) - 1))] * (len(headers) - 1)
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width  # w:gridCol, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width  # w:tcW, which Word reads


def _case_text(v: dict, kinds: dict | None = None) -> tuple[str, str]:
    tags = [SEVERITY_ZH.get(v["severity"], v["severity"])]
    if v.get("status") == "new":
        tags.append("新增")
    elif v.get("status"):
        runs = v.get("runs_open")
        tags.append(f"持续{runs}期" if runs else STATUS_ZH.get(v["status"], v["status"]))
    head = f"【{'·'.join(tags)}】{v.get('department') or NO_DEPARTMENT}："
    tail = f"{v.get('message')}（依据{v.get('basis')}；记录{v['record_id']}"
    if v.get("first_seen") and v.get("status") != "new":
        tail += f"，首次发现于{_date_zh(v['first_seen'])}"
    evidence = E.one_line(kinds or {}, v)  # as the violation's kind declares its evidence
    return head, tail + "）" + (f"。证据：{evidence}" if evidence else "")


def build_document(data: ReportData, chart: bytes | None = None):
    doc = Document()
    _setup(doc)
    as_of = _date_zh(data.summary.get("as_of"))
    core = doc.core_properties
    core.title, core.subject, core.author = TITLE, f"截至{as_of}", "ggzy"
    core.keywords = "公共资源交易;协同监管;联席会议;鹤发改公管〔2022〕216号"

    doc.add_paragraph(TITLE_BODY, style="简报报头")
    masthead = doc.add_paragraph(style="简报报头")
    masthead.add_run("工作简报").font.size = Pt(36)
    period = doc.add_paragraph(style="简报表格")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period.add_run(f"{ISSUER}编　　　　统计截至：{as_of}")
    _red_rule(period)

    doc.add_paragraph("一、总体情况", style="Heading 1")
    doc.add_paragraph(summary_sentences(data))

    doc.add_paragraph("二、各部门情况", style="Heading 1")
    rows = department_rows(data)
    if rows:
        top = rows[0]
        doc.add_paragraph(f"违规最多的是{top[0]}（{top[1]['total']}条，其中错误{top[1].get('error', 0)}条）。"
                          "各部门违规数量如下表和图1。")
        _department_table(doc, data)
    else:
        doc.add_paragraph("本期未发现违规。")
    if chart is None:
        try:
            chart = department_chart(data)
        except CJKFontMissing as exc:  # the briefing still goes out, saying why the chart is missing
            warnings.warn(str(exc), stacklevel=2)
            doc.add_paragraph(f"（图1未能生成：{exc}）", style="简报图题")
    if chart is not None:
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.first_line_indent = Pt(0)
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        picture.paragraph_format.space_before = Pt(8)
        picture.add_run().add_picture(io.BytesIO(chart), width=Cm(15))
        doc.add_paragraph("图1　各部门违规数量", style="简报图题")

    doc.add_paragraph("三、重点问题", style="Heading 1")
    cases = key_cases(data)
    total = len(data.violations)
    if cases:
        doc.add_paragraph(f"按严重程度排列{'（新增和持续时间长的在前）' if any('status' in v for v in cases) else ''}，"
                          f"{'列出前' + str(len(cases)) + '条' if total > len(cases) else '共' + str(total) + '条'}：")
        for i, v in enumerate(cases, start=1):
            head, tail = _case_text(v, data.kinds)
            p = doc.add_paragraph()
            p.add_run(f"{i}. ")
            strong = p.add_run(head)
            strong.bold = True
            p.add_run(tail)
    else:
        doc.add_paragraph("本期未发现违规。")
    doc.add_paragraph(f"全部{total}条违规的明细（含证据、应办期限、责任部门）见附件 {WORKBOOK}，按规则分表。")

    doc.add_paragraph("四、需研究决定的事项", style="Heading 1")
    decisions = decision_items(data)
    for i, item in enumerate(decisions, start=1):
        doc.add_paragraph(f"（{chinese_number(i) if i < 100 else i}）{item}")
    if not decisions:
        doc.add_paragraph("本期无需提请研究决定的事项。")

    doc.add_paragraph()
    closing = doc.add_paragraph(f"附件：{WORKBOOK}（违规明细）")
    closing.paragraph_format.first_line_indent = Pt(0)
    send = doc.add_paragraph("报送：鹤岗市公共资源交易协同监管联席会议各成员单位")
    send.paragraph_format.first_line_indent = Pt(0)
    _red_rule(send)
    return doc


def write_docx(data: ReportData, out_dir: Path) -> Path:
    path = Path(out_dir) / FILE_NAME
    build_document(data).save(str(path))
    return path
