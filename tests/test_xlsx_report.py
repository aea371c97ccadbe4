"""violations.xlsx: the audit of the sample export opened with openpyxl, sheet by sheet."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path

import hypothesis
import hypothesis.strategies
import openpyxl
import pytest
from office_data import synthetic_data

from pipelines.cli import main
from reports.docx import write_docx
from reports.xlsx import WRAP_WIDTH, _display_width, sheet_names, write_xlsx

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-export"
COMMON = ["规则", "级别", "记录编号", "项目编号", "责任部门", "依据", "问题描述"]
OTHER_SHEETS = {"汇总", "违规清单", "部门分规则", "无法判断", "数据质量", "已整改", "即将到期", "围标串标团伙", "历次运行"}


@pytest.fixture(scope="module")
def audited(sample_outputs):
    out, violations, summary = sample_outputs
    return out, openpyxl.load_workbook(out / "violations.xlsx"), violations, summary


def cells(ws, key: str = "记录编号") -> list[dict]:
    """The sheet's data rows as {header: cell} (header row 1); rows without ``key`` (notes) left out."""
    headers = [c.value for c in ws[1]]
    rows = (dict(zip(headers, row)) for row in ws.iter_rows(min_row=2))
    return [r for r in rows if r.get(key) is not None and r[key].value is not None]


def records(ws, key: str = "记录编号") -> list[dict]:
    """The same rows as {header: value}."""
    return [{k: c.value for k, c in r.items()} for r in cells(ws, key)]


def rule_sheets(wb):
    return [ws for ws in wb.worksheets if ws.title not in OTHER_SHEETS]


def sheet_for(wb, rule_id: str):
    return next(ws for ws in rule_sheets(wb) if ws["A2"].value == rule_id)


def test_workbook_has_a_summary_sheet_first_and_one_sheet_per_rule(audited):
    _, wb, _, summary = audited
    assert wb.sheetnames[0] == "汇总"
    assert {"违规清单", "无法判断", "数据质量"} <= set(wb.sheetnames)
    titles = [ws.title for ws in rule_sheets(wb)]
    assert len(titles) == len(summary["rules"])
    assert all(len(t) <= 31 for t in wb.sheetnames)
    assert len({t.casefold() for t in wb.sheetnames}) == len(wb.sheetnames)
    assert "抽查结果未在检查结束后10个工作日内公开" in titles  # the rule's title, Chinese


def test_every_violation_is_on_its_rule_sheet_exactly_once(audited):
    _, wb, violations, _ = audited
    found = Counter()
    for ws in rule_sheets(wb):
        assert [c.value for c in ws[1]][:len(COMMON)] == COMMON, ws.title
        for rec in records(ws):
            found[(rec["规则"], rec["记录编号"])] += 1
    assert found == Counter((v["rule_id"], v["record_id"]) for v in violations)
    assert len(violations) >= 12  # the sample's documented set (tests/test_examples.py)


def test_all_violations_sheet_lists_every_violation(audited):
    _, wb, violations, _ = audited
    rows = records(wb["违规清单"])
    assert sorted((r["规则编号"], r["记录编号"]) for r in rows) == sorted((v["rule_id"], v["record_id"]) for v in violations)


def test_data_sheets_have_a_frozen_header_and_an_autofilter_over_all_rows(audited):
    _, wb, _, _ = audited
    for ws in [*rule_sheets(wb), wb["违规清单"], wb["无法判断"], wb["数据质量"]]:
        assert ws.freeze_panes == "A2", ws.title
        ref = ws.auto_filter.ref
        assert ref and ref.startswith("A1:"), ws.title
        last_row = int("".join(ch for ch in ref.split(":")[1] if ch.isdigit()))
        key = "记录编号" if ws.title != "无法判断" else "原因"
        key = "问题" if ws.title == "数据质量" else key
        assert last_row == len(records(ws, key)) + 1, ws.title


def test_deadline_evidence_is_in_real_date_cells(audited):
    _, wb, violations, _ = audited
    ws = sheet_for(wb, "inspection-disclosure")
    headers = [c.value for c in ws[1]]
    assert headers[7:13] == ["起算日（检查结束时间）", "应办期限", "实际办理（抽查结果公开时间）", "办理情况", "期限", "已计工作日"]
    rows = {r["记录编号"].value: r for r in cells(ws)}
    late = rows["CC2026-02"]
    for name, day in (("起算日（检查结束时间）", dt.date(2026, 9, 25)), ("应办期限", dt.date(2026, 10, 15)),
                      ("实际办理（抽查结果公开时间）", dt.date(2026, 10, 16))):
        assert late[name].is_date, name
        assert late[name].value.date() == day
    assert late["已计工作日"].value == 11 and late["办理情况"].value == "逾期办理"
    never = rows["CC2026-04"]
    assert never["实际办理（抽查结果公开时间）"].value is None and never["办理情况"].value == "逾期未办"
    assert never["应办期限"].is_date and never["应办期限"].value.date() == dt.date(2026, 11, 13)
    # the same due dates on the all-violations sheet
    all_rows = {(r["规则编号"].value, r["记录编号"].value): r for r in cells(wb["违规清单"])}
    transfer = all_rows[("complaint-transfer", "TS2026-03")]["应办期限"]
    assert transfer.is_date and transfer.value.date() == dt.date(2026, 10, 13)


def test_list_matches_are_flattened_into_readable_columns(audited):
    _, wb, _, _ = audited
    dishonest = {r["记录编号"]: r for r in records(sheet_for(wb, "dishonest-bidder"))}
    b006 = dishonest["B006"]
    assert b006["投标日"].date() == dt.date(2026, 9, 30) and b006["投标日来源"] == "项目投标截止时间"
    assert b006["匹配方式"] == "统一社会信用代码"
    assert b006["名单类型"] == "失信被执行人" and b006["名单记录编号"] == "E005"
    assert b006["可信度"] == "确认"
    bribery = {r["记录编号"]: r for r in records(sheet_for(wb, "bribery-record"))}
    assert bribery["B004"]["匹配对象"] == "法定代表人" and bribery["B004"]["匹配方式"] == "身份证号"
    assert bribery["B004"]["名单证件号"] == "2304**********1236"  # masked as in violations.jsonl
    assert bribery["B005"]["可信度"] == "疑似，待核实" and bribery["B005"]["匹配方式"] == "名称或姓名相同"
    assert bribery["B004"]["移送"] == "行政监督部门、评标委员会"  # 条例 §51, §42(四); never 纪检监察 by itself


def test_missing_clause_elements_are_named(audited):
    _, wb, _, _ = audited
    rows = {r["记录编号"]: r for r in records(sheet_for(wb, "credit-clause"))}
    assert rows["N002"]["缺少要素"] == "行贿犯罪记录条款"
    assert rows["N002"]["已有表述"] == "失信被执行人"


def test_summary_sheet_counts_match_summary_json(audited):
    _, wb, violations, summary = audited
    ws = wb["汇总"]
    cells = {row[0].value: row for row in ws.iter_rows() if row[0].value}
    assert cells["审计截止日期"][1].is_date and cells["审计截止日期"][1].value.date() == dt.date(2026, 11, 27)
    assert cells["违规合计"][1].value == summary["totals"]["violations"]
    assert cells["数据质量问题"][1].value == summary["totals"]["data_quality_findings"]
    assert "complaints.csv 11 行" in cells["数据文件"][1].value
    header = cells["规则编号"]
    names = [c.value for c in header]
    for r in summary["rules"]:
        row = {n: c.value for n, c in zip(names, cells[r["rule_id"]])}
        if r["evaluated"]:
            assert (row["检查"], row["违规"], row["待到期"], row["无法判断"]) == (
                r["checked"], r["violated"], r["pending"], r["not_evaluable"]), r["rule_id"]
        else:
            assert row["说明"].startswith("未评估")
    by_dept = Counter(v["department"] for v in violations)
    dept_header = [c.value for c in cells["部门"]]
    for dept, n in by_dept.items():
        row = dict(zip(dept_header, (c.value for c in cells[dept])))
        assert row["合计"] == n, dept


def test_summary_links_each_rule_to_its_sheet(audited):
    _, wb, _, _ = audited
    ws = wb["汇总"]
    link = next(c for row in ws.iter_rows() for c in row if c.value == "抽查结果未在检查结束后10个工作日内公开"
                and c.hyperlink is not None)
    assert link.hyperlink.location == "'抽查结果未在检查结束后10个工作日内公开'!A1"


def test_not_evaluable_reasons_and_data_quality_findings_have_their_sheets(audited):
    _, wb, _, _ = audited
    reasons = {(r["规则编号"], r["原因"]): r["记录数"] for r in records(wb["无法判断"], "原因")}
    assert reasons[("inspection-disclosure", "检查结束时间未填写")] == 1
    assert reasons[("complaint-transfer", "收到投诉时间无法识别")] == 1
    [finding] = records(wb["数据质量"], "问题")
    assert (finding["文件"], finding["行"], finding["列"], finding["中文列名"], finding["问题"]) == (
        "complaints.csv", 8, "received_at", "收到投诉时间", "日期无法识别")


def test_column_widths_count_a_chinese_character_as_two(audited):
    assert _display_width("市住建局") == 8 and _display_width("CC2026-02") == 9
    _, wb, _, _ = audited
    ws = sheet_for(wb, "inspection-disclosure")
    widths = {ws.cell(1, i + 1).value: ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
              for i in range(ws.max_column)}
    assert WRAP_WIDTH <= widths["问题描述"] < WRAP_WIDTH + 1  # long Chinese messages: capped and wrapped
    column = openpyxl.utils.get_column_letter(list(widths).index("问题描述") + 1)
    assert ws[f"{column}2"].alignment.wrap_text
    assert 10 <= widths["记录编号"] < 20
    assert widths["责任部门"] >= _display_width("市交通运输局")


def test_with_a_ledger_each_violation_shows_new_or_open_and_when_first_seen(tmp_path, capsys):
    ledger = tmp_path / "ledger.duckdb"
    main(["audit", str(SAMPLE), "--out", str(tmp_path / "w47"), "--as-of", "2026-11-20", "--ledger", str(ledger)])
    main(["audit", str(SAMPLE), "--out", str(tmp_path / "w48"), "--as-of", "2026-11-27", "--ledger", str(ledger)])
    first = openpyxl.load_workbook(tmp_path / "w47" / "violations.xlsx")
    second = openpyxl.load_workbook(tmp_path / "w48" / "violations.xlsx")
    new = {r["状态"] for r in records(sheet_for(first, "credit-clause"))}
    assert new == {"新增"}
    rows = cells(sheet_for(second, "inspection-disclosure"))
    # CC2026-04 still unpublished: 持续; CC2026-02 and CC2026-07 published, but late: 逾期已办, not open work
    assert sorted(r["状态"].value for r in rows) == ["持续", "逾期已办", "逾期已办"]
    assert all(r["首次发现"].is_date and r["首次发现"].value.date() == dt.date(2026, 11, 20) for r in rows)
    assert all(r["持续期数"].value == 2 for r in rows)
    runs = records(second["历次运行"], "审计截止日期")
    assert [r["审计截止日期"].date() for r in runs] == [dt.date(2026, 11, 20), dt.date(2026, 11, 27)]


def test_sheet_names_are_short_unique_and_legal():
    rules = [{"rule_id": "a", "title": "不同投标人的投标文件由同一台电脑制作（文件制作机器码相同）且更长的标题"},
             {"rule_id": "b", "title": "不同投标人的投标文件由同一台电脑制作（文件制作机器码相同）且更长的标题"},
             {"rule_id": "c", "title": "汇总"}, {"rule_id": "d", "title": "a/b:c*d?[e]"}, {"rule_id": "e", "title": ""}]
    names = sheet_names(rules)
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == 5
    assert names["a"].endswith("…") and names["b"].endswith("(2)")
    assert names["c"] != "汇总" and names["d"] == "abcde" and names["e"] == "e"


def test_ten_thousand_violations_write_to_excel_and_word_well_under_ten_seconds(tmp_path):
    data = synthetic_data(10_000, ledger=True)
    start, cpu = time.perf_counter(), time.process_time()
    write_xlsx(data, tmp_path)
    write_docx(data, tmp_path)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU time of this process: other work on a shared machine does not count against it
    # (measured 2-3 s of CPU; see docs/office-reports.md)
    assert cpu < 10, (cpu, wall)
    wb = openpyxl.load_workbook(tmp_path / "violations.xlsx", read_only=True)
    assert wb["违规清单"].max_row == 10_001


def test_data_rows_written_as_xml_read_back_as_xlsxwriter_writes_them_cell_by_cell(tmp_path, monkeypatch):
    """reports.xlsx_rows writes a sheet's data rows as XML itself (issue #13: millions of cells);
    every value, type, number format and column format reads back as xlsxwriter's own
    cell-by-cell writing (same constant-memory mode) gives it, hostile text included (markup,
    escapes, edge spaces, control characters)."""
    import xlsxwriter

    import reports.xlsx as X

    rows = [["plain", "  leading", "trailing\n", "a&b<c>\"d'", "<r><t>x</t></r>", "_x0041_ stays literal",
             "ctl\x01\x0bgone", 12, 3.5, True, dt.date(2026, 5, 1), dt.datetime(2026, 5, 1, 8, 30), {"键": "值"},
             None, "", "长" * 50],
            [None, "", 0, False, -1.25, 10**17, "市住建局\u2028二科", [1, 2], dt.date(1900, 1, 5)]]

    def cell_by_cell(ws, first_row, rows, ncols, date_format, datetime_format):
        n = 0
        for n, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                X._write(ws, fmt, first_row + n - 1, c, value, measure=False)
        return n

    read = []
    for writer in (X.write_rows, cell_by_cell):
        monkeypatch.setattr(X, "write_rows", writer)
        path = tmp_path / f"{writer.__name__}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                             "strings_to_formulas": False, "strings_to_urls": False})
        fmt = X._Formats(wb)
        assert X._table(wb.add_worksheet("s"), fmt, [f"列{i}" for i in range(16)], iter(rows)) == 2
        wb.close()
        ws = openpyxl.load_workbook(path)["s"]
        read.append([[(c.value, c.data_type, c.number_format, c.alignment.wrap_text) for c in row]
                     for row in ws.iter_rows()] + [ws.dimensions, ws.auto_filter.ref])
    fast, reference = read
    # xlsxwriter's constant-memory mode writes a string shaped like rich-text XML as raw markup;
    # the rows written here keep it as the text it is
    assert fast[1][4][0] == "<r><t>x</t></r>" and reference[1][4][0] == "x"
    reference[1][4] = fast[1][4]
    assert fast == reference
    assert fast[1][15][3] and fast[2][2][0] == 0  # a long column wraps; zero is a number


@hypothesis.settings(max_examples=3000, deadline=None)
@hypothesis.given(text=hypothesis.strategies.text(min_size=1, max_size=40))
def test_a_cell_text_takes_the_fast_path_only_when_no_escape_or_cleaning_would_change_it(text):
    """reports.xlsx_rows writes most strings without its regex escapes (issue #13); whatever the
    text, the cell is the one the full escaping path gives."""
    from reports import xlsx_rows as XR
    from reports.text import clean

    full = f'<c r="A2" s="3" t="inlineStr">{XR._text(clean(text))}</c>'
    assert XR.cell_xml(text, "A2", ' s="3"', "", "") == full
