"""briefing.docx: the 联席会议 briefing of the sample export opened with python-docx, and its chart
rendered and looked at pixel by pixel (legible Chinese, not tofu boxes)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from office_data import synthetic_data
from PIL import Image, ImageChops

from reports import fonts
from helpers import report_data as collect
from reports.briefing import KEY_CASES, chinese_number, decision_items, key_cases, summary_sentences
from reports.docx import TITLE, TITLE_BODY, chart_png, department_chart
from reports.outputs import violations_by_severity
from reports.summary import build_summary



@pytest.fixture(scope="module")
def briefing(sample_outputs):
    out, violations, summary = sample_outputs
    return docx.Document(str(out / "briefing.docx")), violations, summary


def section(doc, heading: str) -> list[str]:
    """Texts of the paragraphs under a Heading 1, up to the next one."""
    texts, inside = [], False
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            inside = p.text == heading
            continue
        if inside and p.text:
            texts.append(p.text)
    return texts


def test_briefing_opens_with_the_joint_meeting_title_and_the_period(briefing):
    doc, _, _ = briefing
    texts = [p.text for p in doc.paragraphs[:3]]
    assert texts[0] == TITLE_BODY == "鹤岗市公共资源交易协同监管联席会议"
    assert texts[1] == "工作简报"
    assert "统计截至：2026年11月27日" in texts[2]
    assert doc.core_properties.title == TITLE
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "一、总体情况", "二、各部门情况", "三、重点问题", "四、需研究决定的事项", "五、情况通报（供掌握，不需决定）"]


def test_summary_paragraph_numbers_are_those_of_summary_json(briefing):
    doc, _, summary = briefing
    text = section(doc, "一、总体情况")[0]
    totals, rules = summary["totals"], summary["rules"]
    sev = totals["by_severity"]
    for phrase in (f"执行{len(rules)}条监管规则", f"检查记录{sum(r['checked'] for r in rules)}条次",
                   f"发现问题{totals['violations']}条", f"错误{sev.get('error', 0)}条",
                   f"警告{sev.get('warning', 0)}条", f"提示{sev.get('info', 0)}条",
                   f"另有{sum(r['pending'] for r in rules)}条尚未到期",
                   f"{sum(r['not_evaluable'] for r in rules)}条因数据缺失或无法识别无法判断",
                   f"数据质量问题{totals['data_quality_findings']}处", "截至2026年11月27日", "投诉11条"):
        assert phrase in text, phrase


def test_department_table_has_a_row_per_department_with_its_counts(briefing):
    doc, violations, _ = briefing
    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["部门", "违规", "错误", "警告", "逾期未办", "疑似待核实", "线索待核实"]
    body = {r[0]: r for r in rows[1:-1]}
    totals = Counter(v["department"] for v in violations)
    errors = Counter(v["department"] for v in violations if v["severity"] == "error")
    assert set(body) == set(totals)
    for dept, n in totals.items():
        assert (int(body[dept][1]), int(body[dept][2])) == (n, errors[dept]), dept
    assert int(body["市农业农村局"][4]) == 2  # CC2026-04: neither its results nor its plan ever published
    assert int(body["市水务局"][5]) == 1  # B005 name-only match
    assert rows[-1][0] == "合计" and int(rows[-1][1]) == len(violations)
    counts = [int(r[1]) for r in rows[1:-1]]
    assert counts == sorted(counts, reverse=True)


def test_chart_is_an_inline_png_in_the_document(briefing):
    doc, _, _ = briefing
    assert len(doc.inline_shapes) == 1
    blip = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip
    image = doc.part.related_parts[blip.embed].blob
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(image)).size[0] >= 1000  # 200 dpi, sharp when printed
    assert any("图1" in p.text for p in doc.paragraphs)


def test_key_cases_list_errors_first_and_point_to_the_workbook(briefing):
    doc, violations, _ = briefing
    texts = section(doc, "三、重点问题")
    cases = [t for t in texts if t[:1].isdigit()]
    assert len(cases) == min(len(violations), KEY_CASES)
    severities = ["错误" if "【错误" in t else "警告" for t in cases]
    assert severities == sorted(severities, key=lambda s: s != "错误")
    assert any("CC2026-04" in t and "市农业农村局" in t for t in cases)
    assert "violations.xlsx" in texts[-1]


def test_key_cases_are_capped_and_with_a_ledger_new_and_long_open_come_first():
    data = synthetic_data(60, ledger=True)
    cases = key_cases(data)
    assert len(cases) == KEY_CASES
    ranks = [(c.violation["severity"] != "error", c.violation["status"] != "new", -c.violation["runs_open"])
             for c in cases]
    assert ranks == sorted(ranks)
    doc = docx.Document(io.BytesIO(_docx_bytes(data)))
    texts = section(doc, "三、重点问题")
    assert texts[0].endswith(f"列出前{KEY_CASES}条：")
    assert sum(t[:1].isdigit() for t in texts) == KEY_CASES
    assert "全部60条问题" in texts[-1] and "violations.xlsx" in texts[-1]
    assert any("【错误·新增】" in t for t in texts) and any("持续" in t and "首次发现于" in t for t in texts)


def _docx_bytes(data) -> bytes:
    from reports.docx import build_document
    buffer = io.BytesIO()
    build_document(data).save(buffer)
    return buffer.getvalue()


def test_decisions_name_overdue_departments_referrals_possible_matches_and_missing_data(briefing):
    doc, _, summary = briefing
    items = section(doc, "四、需研究决定的事项")
    assert items and items[0].startswith("（一）")
    text = "\n".join(items)
    assert any("市农业农村局" in t and "CC2026-04" in t and "逾期" in t for t in items)
    assert any("市自然资源局" in t and "TS2026-05" in t for t in items)
    assert not any(word in text for word in ("纪检", "纪委", "公安"))  # never referred by the tool itself
    assert any("B004" in t and "评标委员会" in t for t in items)
    assert any("B005" in t and "疑似" in t and "核实" in t for t in items)
    reasons = Counter()
    for r in summary["rules"]:
        reasons.update({w["text"]: w["count"] for w in r["reasons"]})
    [missing] = [t for t in items if "无法判断" in t]
    assert missing.startswith(f"（{chinese_number(items.index(missing) + 1)}）{sum(reasons.values())}条记录")
    assert reasons.most_common(1)[0][0] in missing
    assert "complaints.csv第8行" in text


def test_a_missing_working_day_calendar_becomes_a_decision(audit_export):
    run = audit_export({"inspections.csv": """
        inspection_id,department,project_id,ended_at,published_at
        CC1,市住建局,P1,2026-12-28,
        """}, only=["inspection-disclosure"], as_of="2027-01-20")
    summary = build_summary(run.audit, violations_by_severity(run.con))
    items = decision_items(collect(run.con, run.audit, summary))
    [item] = [d.text for d in items if "工作日历" in d.text]
    assert "缺少2027年工作日历，1条记录" in item and "rules/calendar/2027.yaml" in item


def test_styles_carry_east_asian_fonts_for_word(briefing):
    doc, _, _ = briefing

    def east_asian(style_name):
        fonts_el = doc.styles[style_name].element.rPr.find(qn("w:rFonts"))
        assert fonts_el.get(qn("w:asciiTheme")) is None and fonts_el.get(qn("w:eastAsiaTheme")) is None
        return fonts_el.get(qn("w:eastAsia"))

    assert east_asian("Normal") == "仿宋"
    assert east_asian("Heading 1") == "黑体"
    assert east_asian("简报报头") == "宋体"
    section_ = doc.sections[0]
    assert round(section_.page_width.cm, 1) == 21.0 and round(section_.page_height.cm, 1) == 29.7


def test_chinese_numbering_of_decisions():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


def test_summary_mentions_new_open_and_the_previous_run_with_a_ledger():
    data = synthetic_data(40, ledger=True)
    data.trend = [{"as_of": dt.date(2026, 11, 20), "total": 45}, {"as_of": dt.date(2026, 11, 27), "total": 40}]
    text = summary_sentences(data)
    assert "新增10条、持续30条" in text and "与上期（截至2026年11月20日）相比问题减少5条" in text


# ------------------------------------------------------------------------------- the chart

def _ink(png: bytes) -> float:
    """Share of pixels that are not (near) white."""
    gray = Image.open(io.BytesIO(png)).convert("L")
    histogram = gray.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def test_chart_is_not_blank_and_draws_every_character_without_warnings(briefing):
    doc, violations, _ = briefing
    font = fonts.cjk_font()
    labels = "".join({v["department"] for v in violations}) + "各部门违规数量截至年月日错误警告条"
    assert fonts.missing_glyphs(font, labels) == set()
    data = synthetic_data(30)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = department_chart(data)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert 0.05 < _ink(png) < 0.6


def test_chart_labels_are_real_glyphs_not_tofu_boxes():
    """Two charts that differ only in a department's name differ in pixels when the glyphs are
    drawn; with a font lacking CJK (DejaVu Sans) every character is the same box and they match."""
    a = [("市住建局", {"error": 2})]
    b = [("市水务局", {"error": 2})]
    cjk = fonts.cjk_font()
    assert ImageChops.difference(*(Image.open(io.BytesIO(chart_png(rows, "各部门违规数量", cjk))).convert("L")
                                   for rows in (a, b))).getbbox() is not None
    import matplotlib
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    tofu = fonts.CJKFont(path=dejavu, index=0, family="DejaVu Sans", source="test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib warns about each missing glyph
        boxes = [Image.open(io.BytesIO(chart_png(rows, "各部门违规数量", tofu))).convert("L") for rows in (a, b)]
    assert ImageChops.difference(*boxes).getbbox() is None


def test_font_comes_from_the_installed_package_with_simplified_chinese_face():
    fonts.cjk_font.cache_clear()
    font = fonts.cjk_font()
    assert font.source == "noto-cjk-sans-otc" and font.family == "Noto Sans CJK SC" and font.index == 2


def test_without_any_cjk_font_the_error_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setenv("GGZY_CJK_FONT", str(tmp_path / "none.ttf"))
    monkeypatch.setattr(fonts, "_package_font", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_CANDIDATES", ())
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(fonts.CJKFontMissing, match="找不到可显示中文的字体.*pip install -e .*fonts-noto-cjk"):
            fonts.cjk_font()
    finally:
        fonts.cjk_font.cache_clear()


def test_a_font_without_chinese_is_skipped_for_the_next_one(monkeypatch):
    import matplotlib
    monkeypatch.setenv("GGZY_CJK_FONT", str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))
    fonts.cjk_font.cache_clear()
    try:
        assert fonts.cjk_font().source == "noto-cjk-sans-otc"
    finally:
        fonts.cjk_font.cache_clear()


def test_without_a_cjk_font_the_briefing_is_still_written_and_says_why_the_chart_is_missing(monkeypatch):
    def no_font():
        raise fonts.CJKFontMissing("找不到可显示中文的字体（测试）")

    monkeypatch.setattr("reports.docx.cjk_font", no_font)
    with pytest.warns(UserWarning, match="找不到可显示中文的字体"):
        doc = docx.Document(io.BytesIO(_docx_bytes(synthetic_data(10))))
    assert len(doc.inline_shapes) == 0
    assert any(p.text.startswith("（图1未能生成：找不到可显示中文的字体") for p in doc.paragraphs)
    assert section(doc, "四、需研究决定的事项")  # the rest of the briefing is there


def test_an_audit_without_violations_gives_a_briefing_that_says_so(tmp_path):
    from reports.xlsx import write_xlsx

    data = synthetic_data(0)
    doc = docx.Document(io.BytesIO(_docx_bytes(data)))
    assert "本期未发现违规。" in section(doc, "三、重点问题")
    assert not doc.tables and len(doc.inline_shapes) == 1  # the chart says 本期未发现违规
    import openpyxl
    wb = openpyxl.load_workbook(write_xlsx(data, tmp_path))
    assert wb["违规清单"].max_row == 1
    assert wb["抽查结果未在检查结束后10个工作日内公开"]["A3"].value == "本期未发现违规。"
