"""Reading an export folder exactly as EXPORT-V1 "Reading" says (pipelines.reading), on real
files in every format, read into a real DuckDB."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import snapshot, write_files as write

from pipelines import schema
from pipelines.reading import ExportError, load_export
from pipelines.validate import check_contract

INSPECTIONS_CN = "抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"


# --------------------------------------------------------------------------------- helpers

def load(folder: Path, mapping: Path | None = None):
    con = duckdb.connect()
    return con, load_export(con, folder, mapping)


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


MARCH_5 = dt.datetime(2026, 3, 5)


# --------------------------------------------------------------------------------- CSV encodings

def test_utf8_csv_with_chinese_headers_is_read_and_typed(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": INSPECTIONS_CN + "C1,市住建局,2026-03-05,2026-03-10\n"})
    con, export = load(folder)
    assert export.files["inspections"].encoding == "utf-8"
    assert rows(con, "SELECT inspection_id, department, ended_at, published_at FROM inspections") == [
        ("C1", "市住建局", MARCH_5, dt.datetime(2026, 3, 10))]


def test_utf8_csv_with_bom_has_clean_first_header(tmp_path):
    data = "\ufeff抽查编号,实施部门,检查结束时间\nC1,市住建局,2026/3/5\n".encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    folder = write(tmp_path / "export", {"inspections.csv": data})
    con, export = load(folder)
    assert export.files["inspections"].sources["inspection_id"] == "抽查编号"  # BOM not part of the header
    assert rows(con, "SELECT inspection_id, ended_at FROM inspections") == [("C1", MARCH_5)]


def test_gbk_csv_is_detected_without_being_told(tmp_path):
    data = (INSPECTIONS_CN + "C1,鹤岗市住房和城乡建设局,2026年3月5日,\n").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    folder = write(tmp_path / "export", {"inspections.csv": data})
    con, export = load(folder)
    assert export.files["inspections"].encoding == "gb18030"
    assert rows(con, "SELECT inspection_id, department, ended_at FROM inspections") == [
        ("C1", "鹤岗市住房和城乡建设局", MARCH_5)]


def test_gb18030_csv_with_characters_outside_gbk_is_detected(tmp_path):
    rare = "𠀀"  # CJK Extension B: four bytes in GB18030, not in GBK at all
    with pytest.raises(UnicodeEncodeError):
        rare.encode("gbk")
    data = (INSPECTIONS_CN + f"C1,鹤岗{rare}监督局,2026-03-05,\n").encode("gb18030")
    folder = write(tmp_path / "export", {"inspections.csv": data})
    con, export = load(folder)
    assert export.files["inspections"].encoding == "gb18030"
    assert rows(con, "SELECT department FROM inspections") == [(f"鹤岗{rare}监督局",)]


# --------------------------------------------------------------------------------- XLSX

def _xlsx(path: Path, sheets: dict[str, list[list]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        sheet = book.create_sheet(name)
        for row in table:
            sheet.append(row)
    book.save(path)


def test_xlsx_real_excel_date_and_datetime_cells_are_read(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _xlsx(folder / "inspections.xlsx", {"Sheet1": [
        ["抽查编号", "实施部门", "检查开始时间", "检查结束时间", "抽查结果公开时间"],
        ["C1", "市住建局", dt.date(2026, 3, 2), dt.datetime(2026, 3, 5, 14, 30), dt.datetime(2026, 3, 10, 9, 0, 0)],
        [1001, "市水务局", dt.datetime(2026, 3, 3), dt.date(2026, 3, 5), None],
    ]})
    cell = openpyxl.load_workbook(folder / "inspections.xlsx")["Sheet1"]["D2"]
    assert cell.is_date  # a real Excel date cell (a serial number with a date format), not text
    con, export = load(folder)
    assert export.files["inspections"].format == "xlsx"
    assert rows(con, "SELECT _row, inspection_id, started_at, ended_at, published_at FROM inspections ORDER BY _row") == [
        (1, "C1", dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 5, 14, 30), dt.datetime(2026, 3, 10, 9, 0)),
        (2, "1001", dt.datetime(2026, 3, 3), MARCH_5, None),  # a numeric ID keeps no '.0'
    ]
    assert check_contract(con, export) == []


def test_xlsx_text_dates_in_every_form_are_read(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    forms = ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305", "2026-03-05 14:30"]
    _xlsx(folder / "inspections.xlsx", {"Sheet1": [["抽查编号", "实施部门", "检查结束时间"]]
                                        + [[f"C{i}", "市住建局", text] for i, text in enumerate(forms)]})
    con, export = load(folder)
    got = [r[0] for r in rows(con, "SELECT ended_at FROM inspections ORDER BY _row")]
    assert got == [MARCH_5] * 5 + [dt.datetime(2026, 3, 5, 14, 30)]
    assert rows(con, "SELECT ended_at__raw FROM inspections WHERE _row = 4") == [("2026年3月5日",)]


def test_xlsx_reads_the_first_sheet_when_none_is_named_after_the_table(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _xlsx(folder / "inspections.xlsx", {
        "导出数据": [["抽查编号", "实施部门"], ["FIRST", "市住建局"]],
        "Sheet2": [["抽查编号", "实施部门"], ["SECOND", "市住建局"]],
    })
    con, _ = load(folder)
    assert rows(con, "SELECT inspection_id FROM inspections") == [("FIRST",)]


@pytest.mark.parametrize("sheet", ["inspections", "双随机抽查"])
def test_xlsx_reads_the_sheet_named_after_the_table_even_when_not_first(tmp_path, sheet):
    folder = tmp_path / "export"
    folder.mkdir()
    _xlsx(folder / "inspections.xlsx", {
        "填表说明": [["本表为抽查结果导出"], ["请勿修改表头"]],
        sheet: [["抽查编号", "实施部门"], ["NAMED", "市住建局"]],
    })
    con, _ = load(folder)
    assert rows(con, "SELECT inspection_id FROM inspections") == [("NAMED",)]


def test_repeated_header_is_an_error_naming_it_in_xlsx_and_csv_alike(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _xlsx(folder / "inspections.xlsx", {"Sheet1": [["抽查编号", "实施部门", "实施部门"], ["C1", "市住建局", "市水务局"]]})
    write(tmp_path / "csv", {"inspections.csv": "抽查编号,实施部门,实施部门\nC1,市住建局,市水务局\n"})
    for source in (folder, tmp_path / "csv"):
        with pytest.raises(ExportError, match="表头“实施部门”出现了不止一次"):
            load(source)


# --------------------------------------------------------------------------------- Parquet and JSON

def test_parquet_with_real_timestamp_date_and_integer_columns(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    pq.write_table(pa.table({
        "inspection_id": pa.array([7, 8], pa.int64()),
        "department": ["市住建局", "市水务局"],
        "ended_at": pa.array([dt.datetime(2026, 3, 5, 14, 30), None], pa.timestamp("us")),
        "published_at": pa.array([dt.date(2026, 3, 10), None], pa.date32()),
    }), folder / "inspections.parquet")
    con, export = load(folder)
    assert export.files["inspections"].format == "parquet"
    assert rows(con, "SELECT inspection_id, ended_at, published_at FROM inspections ORDER BY _row") == [
        ("7", dt.datetime(2026, 3, 5, 14, 30), dt.datetime(2026, 3, 10)), ("8", None, None)]
    assert check_contract(con, export) == []


def test_parquet_timestamp_with_time_zone_is_read_as_beijing_time(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    utc = dt.datetime(2026, 3, 5, 6, 30, tzinfo=dt.timezone.utc)  # 14:30 in Beijing
    pq.write_table(pa.table({
        "inspection_id": ["C1"], "department": ["市住建局"],
        "ended_at": pa.array([utc], pa.timestamp("us", tz="UTC")),
    }), folder / "inspections.parquet")
    con, export = load(folder)
    assert rows(con, "SELECT ended_at FROM inspections") == [(dt.datetime(2026, 3, 5, 14, 30),)]
    assert check_contract(con, export) == []  # not an unreadable date


def test_json_array_is_read(tmp_path):
    records = [{"抽查编号": "C1", "实施部门": "市住建局", "检查结束时间": "2026-03-05"},
               {"抽查编号": "C2", "实施部门": "市水务局", "检查结束时间": None}]
    folder = write(tmp_path / "export", {"inspections.json": json.dumps(records, ensure_ascii=False)})
    con, export = load(folder)
    assert export.files["inspections"].format == "json"
    assert rows(con, "SELECT inspection_id, department, ended_at FROM inspections ORDER BY _row") == [
        ("C1", "市住建局", MARCH_5), ("C2", "市水务局", None)]


def test_jsonl_is_read(tmp_path):
    records = [{"抽查编号": "C1", "实施部门": "市住建局", "检查结束时间": "2026/3/5"},
               {"抽查编号": "C2", "实施部门": "市水务局", "检查结束时间": "2026年3月5日"}]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    folder = write(tmp_path / "export", {"inspections.jsonl": text})
    con, export = load(folder)
    assert export.files["inspections"].format == "json"
    assert rows(con, "SELECT inspection_id, ended_at FROM inspections ORDER BY _row") == [("C1", MARCH_5), ("C2", MARCH_5)]


def test_json_values_of_mixed_types_are_read_as_their_text_not_quoted_json(tmp_path):
    # an ID given once as text and once as a number, a date as text and as an Excel serial
    records = [{"抽查编号": "C1", "实施部门": "市住建局", "检查结束时间": "2026-03-05"},
               {"抽查编号": 2, "实施部门": "市水务局", "检查结束时间": 46086}]
    folder = write(tmp_path / "export", {"inspections.jsonl": "\n".join(json.dumps(r, ensure_ascii=False)
                                                                        for r in records)})
    con, export = load(folder)
    assert rows(con, "SELECT inspection_id, ended_at, ended_at__raw FROM inspections ORDER BY _row") == [
        ("C1", MARCH_5, "2026-03-05"), ("2", MARCH_5, "46086")]
    assert check_contract(con, export) == []


def test_json_value_of_another_type_beyond_the_sampled_rows_is_kept_not_an_error(tmp_path):
    records = [{"inspection_id": f"C{i}", "department": "市住建局", "ended_at": "2026-03-05"} for i in range(25000)]
    records.append({"inspection_id": 99999, "department": "市住建局", "ended_at": "2026-02-30"})
    folder = write(tmp_path / "export", {"inspections.jsonl": "\n".join(json.dumps(r) for r in records)})
    con, export = load(folder)
    assert rows(con, "SELECT inspection_id, ended_at, ended_at__raw FROM inspections WHERE _row = 25001") == [
        ("99999", None, "2026-02-30")]
    [finding] = check_contract(con, export)
    assert (finding.row, finding.column, finding.reason) == (25001, "ended_at", "日期无法识别")


# --------------------------------------------------------------------------------- headers

def test_headers_match_ignoring_spaces_and_full_width_half_width_differences(tmp_path):
    header = " 项目 编号 ,项目名称,预算金额(元),投标截止时间,ｔｒａｄｅ＿ｔｙｐｅ\n"
    folder = write(tmp_path / "export", {"projects.csv": header + "P1,道路工程,\"1,234,567.80\",2026-03-05 09:30,工程建设\n"})
    con, export = load(folder)
    tf = export.files["projects"]
    assert tf.sources["project_id"].strip() == "项目 编号"  # the CSV reader may trim the outer spaces
    assert {k: v for k, v in tf.sources.items() if k != "project_id"} == {
        "project_name": "项目名称", "budget": "预算金额(元)", "bid_deadline": "投标截止时间",
        "trade_type": "ｔｒａｄｅ＿ｔｙｐｅ"}
    assert tf.unknown_headers == []
    [(pid, budget, deadline, trade)] = rows(con, "SELECT project_id, budget, bid_deadline, trade_type FROM projects")
    assert (pid, str(budget), deadline, trade) == ("P1", "1234567.80", dt.datetime(2026, 3, 5, 9, 30), "工程建设")


def test_full_width_and_half_width_brackets_are_the_same_header(tmp_path):
    for header in ("预算金额（元）", "预算金额(元)", "预算金额 （ 元 ）"):
        folder = write(tmp_path / f"export-{len(header)}", {"projects.csv": f"项目编号,{header}\nP1,100\n"})
        con, export = load(folder)
        assert export.files["projects"].sources["budget"] == header
        assert str(rows(con, "SELECT budget FROM projects")[0][0]) == "100.00"


def test_canonical_headers_work_as_well_as_chinese_ones(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": "inspection_id,department,ended_at\nC1,市住建局,2026-03-05\n"})
    con, _ = load(folder)
    assert rows(con, "SELECT inspection_id, department, ended_at FROM inspections") == [("C1", "市住建局", MARCH_5)]


# --------------------------------------------------------------------------------- mapping.yaml

NOTICES_PLATFORM = "公告序号,所属项目,公告类别,发布日期\nN1,P1,招标公告(正式),2026-03-05\nN2,P1,变更公告,2026-03-06\n"
MAPPING = """\
notices:
  columns:
    公告序号: notice_id
    所属项目: project_id
    公告类别: notice_type
    发布日期: published_at
  values:
    notice_type:
      招标公告(正式): 招标公告
"""


def test_mapping_yaml_in_the_export_folder_renames_columns_and_maps_values(tmp_path):
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM, "mapping.yaml": MAPPING})
    con, export = load(folder)
    assert export.mapping_file == str(folder / "mapping.yaml")
    assert rows(con, "SELECT notice_id, project_id, notice_type, published_at FROM notices ORDER BY _row") == [
        ("N1", "P1", "招标公告", MARCH_5), ("N2", "P1", "变更公告", dt.datetime(2026, 3, 6))]
    # the mapped value is what the contract checks too: no "value not allowed" finding
    assert check_contract(con, export) == []
    # raw_<table> still holds the text as found in the file
    assert rows(con, "SELECT 公告类别 FROM raw_notices") == [("招标公告(正式)",), ("变更公告",)]


def test_mapped_value_with_spaces_around_it_is_mapped_for_the_rules_and_the_contract(tmp_path):
    csv = NOTICES_PLATFORM.replace(",招标公告(正式),", ",\" 招标公告(正式) \",")
    folder = write(tmp_path / "export", {"notices.csv": csv, "mapping.yaml": MAPPING})
    con, export = load(folder)
    assert rows(con, "SELECT notice_type FROM notices WHERE _row = 1") == [("招标公告",)]
    assert check_contract(con, export) == []


def test_mapping_yaml_given_by_explicit_path_outside_the_folder(tmp_path):
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM})
    mapping = tmp_path / "elsewhere" / "my-mapping.yaml"
    mapping.parent.mkdir()
    mapping.write_text(MAPPING, encoding="utf-8")
    con, export = load(folder, mapping)
    assert export.mapping_file == str(mapping)
    assert rows(con, "SELECT notice_id, notice_type FROM notices ORDER BY _row") == [("N1", "招标公告"), ("N2", "变更公告")]


def test_explicit_mapping_path_wins_over_the_folders_mapping_yaml(tmp_path):
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM,
                                         "mapping.yaml": "notices:\n  columns:\n    公告序号: title\n"})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    con, _ = load(folder, mapping)
    assert rows(con, "SELECT notice_id FROM notices ORDER BY _row") == [("N1",), ("N2",)]


def test_explicit_mapping_path_that_does_not_exist_is_an_error_not_ignored(tmp_path):
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM})
    with pytest.raises(ExportError, match="mapping file not found") as exc:
        load(folder, tmp_path / "mapingg.yaml")
    assert "mapingg.yaml" in str(exc.value)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_mapping_naming_an_unknown_table_names_the_file_and_line(tmp_path):
    text = "# 平台字段映射\nnotices:\n  columns: {公告序号: notice_id}\nnotice_list:\n  columns: {a: b}\n"
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM, "mapping.yaml": text})
    with pytest.raises(ExportError) as exc:
        load(folder)
    message = str(exc.value)
    assert "mapping.yaml" in message and f"第{_line_of(text, 'notice_list:')}行" in message
    assert "notice_list" in message and "unknown table" in message


def test_mapping_naming_an_unknown_column_names_the_file_and_line(tmp_path):
    text = MAPPING.replace("发布日期: published_at", "发布日期: publish_time")
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM, "mapping.yaml": text})
    with pytest.raises(ExportError) as exc:
        load(folder)
    message = str(exc.value)
    assert "mapping.yaml" in message and f"第{_line_of(text, 'publish_time')}行" in message
    assert "publish_time" in message and "unknown column" in message


def test_mapping_value_map_for_an_unknown_column_names_the_file_and_line(tmp_path):
    text = MAPPING.replace("    notice_type:\n", "    notice_kind:\n")
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM, "mapping.yaml": text})
    with pytest.raises(ExportError) as exc:
        load(folder)
    assert f"第{_line_of(text, 'notice_kind:')}行" in str(exc.value) and "notice_kind" in str(exc.value)


def test_mapping_with_columns_as_a_list_is_an_error_with_the_line_not_a_crash(tmp_path):
    text = "notices:\n  columns: [公告序号, 所属项目]\n"
    folder = write(tmp_path / "export", {"notices.csv": NOTICES_PLATFORM, "mapping.yaml": text})
    with pytest.raises(ExportError) as exc:
        load(folder)
    assert "mapping.yaml 第2行" in str(exc.value) and "notices.columns" in str(exc.value)


# --------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("text, expected", [
    ("2026-03-05", MARCH_5),
    ("2026-03-05 14:30", dt.datetime(2026, 3, 5, 14, 30)),
    ("2026-03-05 14:30:00", dt.datetime(2026, 3, 5, 14, 30)),
    ("2026/3/5", MARCH_5),
    ("2026/03/05 08:05", dt.datetime(2026, 3, 5, 8, 5)),
    ("2026.3.5", MARCH_5),
    ("2026年3月5日", MARCH_5),
    ("20260305", MARCH_5),
    ("46086", MARCH_5),  # Excel serial
    ("２０２６－０３－０５", MARCH_5),  # full-width digits and dash
    ("２０２６年３月５日", MARCH_5),
    ("４６０８６", MARCH_5),
    (" 2026-03-05 ", MARCH_5),
])
def test_every_date_form_is_read(tmp_path, text, expected):
    folder = write(tmp_path / "export", {"inspections.csv": f"抽查编号,实施部门,检查结束时间\nC1,市住建局,\"{text}\"\n"})
    con, export = load(folder)
    assert rows(con, "SELECT ended_at FROM inspections") == [(expected,)]
    assert check_contract(con, export) == []


def test_empty_date_is_null_without_a_finding(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": INSPECTIONS_CN + "C1,市住建局,,\nC2,市住建局,  ,\n"})
    con, export = load(folder)
    assert rows(con, "SELECT ended_at, published_at FROM inspections") == [(None, None), (None, None)]
    assert check_contract(con, export) == []


def test_impossible_date_is_null_kept_and_a_finding_with_file_row_and_column(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": INSPECTIONS_CN
                                         + "C1,市住建局,2026-03-05,\nC2,市住建局,2026-02-30,\nC3,市住建局,2026-03-06,\n"})
    con, export = load(folder)
    assert rows(con, "SELECT inspection_id, ended_at, ended_at__raw FROM inspections ORDER BY _row") == [
        ("C1", MARCH_5, "2026-03-05"), ("C2", None, "2026-02-30"), ("C3", dt.datetime(2026, 3, 6), "2026-03-06")]
    [finding] = check_contract(con, export)
    assert (finding.file, finding.row, finding.column, finding.value) == ("inspections.csv", 2, "ended_at", "2026-02-30")
    assert finding.reason == "日期无法识别" and finding.severity == "error"


# --------------------------------------------------------------------------------- booleans

@pytest.mark.parametrize("yes, no", [("是", "否"), ("Y", "N"), ("y", "n"), ("1", "0"), ("有", "无"),
                                     ("true", "false"), ("TRUE", "False")])
def test_booleans_in_every_form(tmp_path, yes, no):
    csv = f"投标编号,项目编号,投标人,是否中标,是否附信用报告\nB1,P1,甲公司,{yes},{no}\nB2,P1,乙公司,{no},\n"
    folder = write(tmp_path / "export", {"bids.csv": csv})
    con, export = load(folder)
    assert rows(con, "SELECT is_winner, credit_report_attached FROM bids ORDER BY _row") == [(True, False), (False, None)]
    assert check_contract(con, export) == []


def test_unreadable_boolean_is_null_and_a_finding(tmp_path):
    folder = write(tmp_path / "export", {"bids.csv": "投标编号,项目编号,投标人,是否中标\nB1,P1,甲公司,也许\n"})
    con, export = load(folder)
    assert rows(con, "SELECT is_winner, is_winner__raw FROM bids") == [(None, "也许")]
    [finding] = check_contract(con, export)
    assert (finding.row, finding.column, finding.check) == (1, "is_winner", "bool")


# --------------------------------------------------------------------------------- columns and rows

def test_unknown_extra_columns_are_kept_in_raw_table_and_ignored(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": "抽查编号,备注,实施部门,内部流水号\nC1,无异常,市住建局,0001\n"})
    con, export = load(folder)
    assert export.files["inspections"].unknown_headers == ["备注", "内部流水号"]
    assert columns(con, "raw_inspections") == ["抽查编号", "备注", "实施部门", "内部流水号"]
    assert rows(con, "SELECT 备注, 内部流水号 FROM raw_inspections") == [("无异常", "0001")]
    assert "备注" not in columns(con, "inspections") and "内部流水号" not in columns(con, "inspections")
    assert check_contract(con, export) == []


def test_missing_optional_column_is_null_in_the_typed_table(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    con, export = load(folder)
    assert "published_at" in export.files["inspections"].missing_columns
    assert rows(con, "SELECT published_at, published_at__raw, publish_channel, project_id FROM inspections") == [
        (None, None, None, None)]
    assert check_contract(con, export) == []


def test_row_is_the_one_based_data_row_in_file_order(tmp_path):
    body = "".join(f"{key},市住建局,2026-03-0{i + 1}\n" for i, key in enumerate(["Z9", "A1", "M5", "B2"]))
    folder = write(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门,检查结束时间\n" + body})
    con, _ = load(folder)
    assert rows(con, "SELECT _row, inspection_id FROM inspections ORDER BY _row") == [
        (1, "Z9"), (2, "A1"), (3, "M5"), (4, "B2")]


def test_row_counts_data_rows_not_lines_when_a_quoted_value_spans_lines(tmp_path):
    csv = "公告编号,项目编号,公告类型,正文\nN1,P1,招标公告,\"第一行\n第二行\"\nN2,P1,变更公告,短\n"
    folder = write(tmp_path / "export", {"notices.csv": csv})
    con, export = load(folder)
    assert rows(con, "SELECT _row, notice_id, content FROM notices ORDER BY _row") == [
        (1, "N1", "第一行\n第二行"), (2, "N2", "短")]
    assert export.files["notices"].rows == 2


def test_a_short_last_row_is_padded_not_misread_as_one_column(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": INSPECTIONS_CN + "C1,市住建局,2026-03-05,2026-03-06\nC2,市水务局\n"})
    con, export = load(folder)
    assert export.files["inspections"].sources["department"] == "实施部门"
    assert rows(con, "SELECT inspection_id, department, ended_at FROM inspections ORDER BY _row") == [
        ("C1", "市住建局", MARCH_5), ("C2", "市水务局", None)]


# --------------------------------------------------------------------------------- fingerprints, inputs, missing tables

def test_file_fingerprint_is_the_sha256_of_the_file_bytes(tmp_path):
    data = (INSPECTIONS_CN + "C1,市住建局,2026-03-05,\n").encode("gbk")
    folder = write(tmp_path / "export", {"inspections.csv": data,
                                         "projects.csv": "项目编号,项目名称\nP1,道路\n"})
    _, export = load(folder)
    assert export.files["inspections"].sha256 == hashlib.sha256(data).hexdigest()
    assert export.files["projects"].sha256 == hashlib.sha256((folder / "projects.csv").read_bytes()).hexdigest()
    assert export.fingerprints() == {"inspections.csv": hashlib.sha256(data).hexdigest(),
                                     "projects.csv": export.files["projects"].sha256}


def test_input_folder_is_byte_for_byte_unchanged_after_loading_every_format(tmp_path):
    folder = write(tmp_path / "export", {
        "inspections.csv": (INSPECTIONS_CN + "C1,市住建局,2026年3月5日,\n").encode("gb18030"),  # transcoded
        "projects.csv": "\ufeff项目编号,项目名称\nP1,道路\n",
        "bids.jsonl": json.dumps({"投标编号": "B1", "项目编号": "P1", "投标人": "甲"}, ensure_ascii=False) + "\n",
        "complaints.json": json.dumps([{"投诉编号": "T1", "接收部门": "市住建局", "收到投诉时间": "2026-03-05"}],
                                      ensure_ascii=False),
        "mapping.yaml": "notices:\n  values:\n    notice_type: {招标公告(正式): 招标公告}\n",
        "README.txt": "导出说明",
    })
    _xlsx(folder / "notices.xlsx", {"Sheet1": [["公告编号", "项目编号", "公告类型"], ["N1", "P1", "招标公告(正式)"]]})
    pq.write_table(pa.table({"entry_id": ["E1"], "list_type": ["失信被执行人"], "subject_name": ["某公司"],
                             "listed_at": [dt.date(2026, 1, 1)]}), folder / "credit_list.parquet")
    before = snapshot(folder)
    con, export = load(folder)
    assert sorted(export.files) == sorted(["inspections", "projects", "bids", "complaints", "notices", "credit_list"])
    assert export.files["inspections"].encoding == "gb18030"
    assert snapshot(folder) == before  # same files, same bytes, same mtimes, nothing added


def test_gb18030_is_transcoded_into_a_temporary_copy_outside_the_export_folder(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    folder = write(tmp_path / "export", {"inspections.csv": (INSPECTIONS_CN + "C1,市住建局,,\n").encode("gb18030")})
    before = snapshot(folder)
    con, _ = load(folder)
    assert rows(con, "SELECT department FROM inspections") == [("市住建局",)]
    assert snapshot(folder) == before
    assert list(scratch.iterdir()) == []  # the temporary copy is cleaned up


def test_a_table_the_folder_lacks_is_listed_as_missing(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n",
                                         "bids_backup.csv": "投标编号\nB1\n"})
    _, export = load(folder)
    assert export.has("inspections") and not export.has("bids")
    assert export.missing_tables == ["projects", "notices", "bids", "credit_list", "complaints",
                                     *(t for t in schema.TABLES if t not in schema.EXPORT_V1)]


def test_two_files_for_one_table_is_an_error_naming_both(tmp_path):
    folder = write(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门\nC1,x\n",
                                         "inspections.jsonl": '{"抽查编号": "C1", "实施部门": "x"}\n'})
    with pytest.raises(ExportError, match="inspections.csv") as exc:
        load(folder)
    assert "inspections.jsonl" in str(exc.value)
