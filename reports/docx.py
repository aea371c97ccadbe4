"""briefing.docx: the 联席会议 briefing (工作简报) as a Word document.

What it says — the sentences, the department counts, the key cases, the decisions and the notes
— is reports.briefing's; this module only lays it out: masthead and period, the numbers in one
paragraph, a department table and a bar chart of violations by department, the key cases, the
items that need a decision, notes for information.

Government style (GB/T 9704 in spirit): A4, 仿宋 body, 黑体 headings, 宋体 masthead; the East
Asian font is set on every style (``w:eastAsia``) so Word does not fall back to a Latin theme
font. The chart is drawn with matplotlib in the CJK font that ``reports.fonts`` finds.
"""

from __future__ import annotations

import dataclasses
import io
import warnings
from collections import Counter
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .briefing import WORKBOOK, Briefing, Case, build_briefing, chinese_number, date_zh
from .counts import Tally
from .data import SEVERITY_ZH, ReportData
from .fonts import CJKFont, CJKFontMissing, cjk_font
from .text import clean

FILE_NAME = "briefing.docx"
TITLE_BODY = "鹤岗市公共资源交易协同监管联席会议"
TITLE = f"{TITLE_BODY} 工作简报"
ISSUER = "市发改委公管办"
MAX_BARS = 15  # departments drawn one by one; the rest are one bar

BODY_FONT, HEADING_FONT, TITLE_FONT, LATIN_FONT = "仿宋", "黑体", "宋体", "Times New Roman"
BODY_SIZE, TABLE_SIZE = Pt(16), Pt(12)  # 三号 body, 小四 tables
RED = RGBColor(0xC0, 0x00, 0x00)
SEVERITY_COLOURS = (("error", "#C0392B"), ("warning", "#E69F00"), ("info", "#7F8C8D"))


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


def department_rows(data: ReportData) -> list[tuple[str, dict[str, int]]]:
    """(department, counts by severity) from reports.counts, most violations first."""
    return [(clean(d.name), dict(d.by_severity)) for d in data.counts.departments]


def department_chart(data: ReportData, font: CJKFont | None = None) -> bytes:
    return chart_png(department_rows(data), f"各部门违规数量（截至{date_zh(data.summary.get('as_of'))}）", font)


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


def _department_table(doc, briefing: Briefing) -> None:
    headers = ["部门"] + [h for h, _ in briefing.department_columns]
    keys = [k for _, k in briefing.department_columns]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers):
        _cell(cell, header, bold=True)
    _repeat_header(table.rows[0])
    total = Tally()
    for dept in briefing.departments:
        cells = table.add_row().cells
        _cell(cells[0], dept.name, align=WD_ALIGN_PARAGRAPH.LEFT)
        for cell, key in zip(cells[1:], keys):
            _cell(cell, str(dept.get(key)))
        total.total += dept.total
        total.by_severity.update(dept.by_severity)
        total.by_status.update(dept.by_status)
        total.overdue, total.possible, total.leads = (total.overdue + dept.overdue, total.possible + dept.possible,
                                                      total.leads + dept.leads)
    cells = table.add_row().cells
    _cell(cells[0], "合计", bold=True)
    for cell, key in zip(cells[1:], keys):
        _cell(cell, str(total.get(key)), bold=True)
    first = 4.4 if briefing.ledger else 5.0
    widths = [Cm(first)] + [Cm((15.6 - first) / (len(headers) - 1))] * (len(headers) - 1)
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width  # w:gridCol, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width  # w:tcW, which Word reads


def writable(b: Briefing) -> Briefing:
    """The briefing with every text XML can hold (reports.text.clean): a control character copied
    from Excel into a department or a message must not stop the document being written."""
    return dataclasses.replace(
        b, as_of=clean(b.as_of), summary=clean(b.summary), department_intro=clean(b.department_intro),
        departments=[dataclasses.replace(d, name=clean(d.name)) for d in b.departments],
        cases_intro=clean(b.cases_intro), cases_outro=clean(b.cases_outro),
        cases=[Case(clean(c.head), clean(c.tail), c.violation) for c in b.cases],
        decisions=[dataclasses.replace(d, text=clean(d.text)) for d in b.decisions], notes=[clean(n) for n in b.notes])


def build_document(data: ReportData, chart: bytes | None = None, briefing: Briefing | None = None):
    briefing = writable(briefing or build_briefing(data))
    doc = Document()
    _setup(doc)
    as_of = briefing.as_of
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
    doc.add_paragraph(briefing.summary)

    doc.add_paragraph("二、各部门情况", style="Heading 1")
    doc.add_paragraph(briefing.department_intro)
    if briefing.departments:
        _department_table(doc, briefing)
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
    doc.add_paragraph(briefing.cases_intro)
    for i, case in enumerate(briefing.cases, start=1):
        p = doc.add_paragraph()
        p.add_run(f"{i}. ")
        p.add_run(case.head).bold = True
        p.add_run(case.tail)
    doc.add_paragraph(briefing.cases_outro)

    doc.add_paragraph("四、需研究决定的事项", style="Heading 1")
    for i, item in enumerate(briefing.decisions, start=1):
        doc.add_paragraph(f"（{chinese_number(i) if i < 100 else i}）{item.text}")
    if not briefing.decisions:
        doc.add_paragraph("本期无需提请研究决定的事项。")
    if briefing.notes:
        doc.add_paragraph("五、情况通报（供掌握，不需决定）", style="Heading 1")
        for i, note in enumerate(briefing.notes, start=1):
            doc.add_paragraph(f"{i}. {note}")

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
