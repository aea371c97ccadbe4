"""The EXPORT-V1 contract (pipelines.contract, pipelines.validate): every obligation proved on
small exports loaded for real, checked over the typed tables in DuckDB."""

from __future__ import annotations

import csv
import io

import duckdb
import pandera.pandas as pa
import pytest

from pipelines import schema
from pipelines.contract import contract_for, failing_rows_sql, mask_value, rules_for
from pipelines.reading import load_export
from pipelines.validate import check_contract, failing_frame

BIDS = schema.TABLES["bids"]
VALID_USCC = "91110108551385082Q"


def resident_id(base17: str) -> str:
    """GB 11643-1999 computed here, independently of the module under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return base17 + "10X98765432"[sum(int(d) * w for d, w in zip(base17, weights)) % 11]


VALID_ID = resident_id("11010519491231002")


def csv_text(columns: dict[str, list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*columns.values()))
    return out.getvalue()


def load_table(tmp_path, table: str, columns: dict[str, list]):
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    (folder / f"{table}.csv").write_text(csv_text(columns), encoding="utf-8")
    con = duckdb.connect()
    return con, load_export(con, folder)


def bids(tmp_path, **columns):
    """Findings of a bids file of len(any column) rows, valid except for what the caller passes."""
    n = len(next(iter(columns.values()))) if columns else 1
    base = {"bid_id": [f"B{i}" for i in range(n)], "project_id": ["P1"] * n, "bidder_name": ["某公司"] * n}
    con, export = load_table(tmp_path, "bids", {**base, **columns})
    return check_contract(con, export)


def only(fs, check):
    return [f for f in fs if f.check == check]


# --------------------------------------------------------------------------------- the engine

def test_contract_is_a_pandera_schema_generated_from_the_same_rules_as_the_sql():
    contract = contract_for(BIDS)
    assert isinstance(contract, pa.DataFrameSchema)
    assert [n for n, c in contract.columns.items() if c.required] == ["bid_id", "project_id", "bidder_name"]
    assert [n for n, c in contract.columns.items() if c.unique] == ["bid_id"]
    assert sorted(c.name for c in contract.checks) == sorted(r.name for r in rules_for(BIDS))
    assert "complainant_id" not in contract_for(schema.TABLES["complaints"]).columns


def test_only_failing_rows_leave_duckdb(tmp_path):
    n = 500
    con, export = load_table(tmp_path, "bids", {
        "bid_id": [f"B{i}" for i in range(n)], "project_id": ["P1"] * n, "bidder_name": ["甲"] * n,
        "price": ["100"] * 7 + ["一百"] + ["100"] * (n - 8)})
    frame = failing_frame(con, BIDS, export.files["bids"])
    assert frame["_row"].tolist() == [8]
    assert "ORDER BY" in failing_rows_sql(BIDS, ["bid_id", "price"])


def test_clean_table_has_no_findings(tmp_path):
    assert bids(tmp_path, bidder_uscc=[VALID_USCC, ""], legal_rep_id=[VALID_ID, ""], price=["1,234.5", "100"],
                submitted_at=["2026-03-05 14:30", "2026年3月5日"], status=["有效", "否决"],
                is_winner=["是", "否"]) == []


# --------------------------------------------------------------------------------- identifiers in SQL

def test_valid_uscc_passes_and_lower_case_with_spaces_is_accepted(tmp_path):
    assert bids(tmp_path, bidder_uscc=[VALID_USCC, " 91110108551385082q "]) == []


def test_uscc_with_one_character_changed_is_a_check_character_warning(tmp_path):
    changed = [VALID_USCC[:8] + "6" + VALID_USCC[9:], VALID_USCC[:17] + "R"]
    fs = bids(tmp_path, bidder_uscc=changed)
    assert [(f.row, f.check, f.severity, f.value) for f in fs] == [
        (1, "uscc", "warning", changed[0]), (2, "uscc", "warning", changed[1])]  # USCC not masked
    assert {f.reason for f in fs} == {"统一社会信用代码校验位错误"}


def test_uscc_with_wrong_length_or_letters_is_a_format_warning(tmp_path):
    fs = bids(tmp_path, bidder_uscc=["9111010855138508", "9111010855138508IO"])
    assert [f.reason for f in fs] == ["统一社会信用代码格式错误"] * 2


def test_valid_resident_id_passes_and_lower_case_x_is_accepted(tmp_path):
    assert VALID_ID == "11010519491231002X"
    assert bids(tmp_path, legal_rep_id=[VALID_ID, VALID_ID.lower(), resident_id("23040219800101123")]) == []


def test_resident_id_with_wrong_check_character_fails(tmp_path):
    wrong = VALID_ID[:17] + "0"
    [f] = bids(tmp_path, agent_id=[wrong])
    assert (f.column, f.check, f.severity, f.reason) == ("agent_id", "resident_id", "warning", "身份证号码校验位错误")


def test_resident_id_with_impossible_birth_date_fails_even_with_right_check_character(tmp_path):
    [f] = bids(tmp_path, project_manager_id=[resident_id("11010519491331002")])
    assert f.reason == "身份证号码出生日期无效"


def test_any_id_is_flagged_only_when_it_fails_both_check_characters(tmp_path):
    con, export = load_table(tmp_path, "credit_list", {
        "entry_id": ["E1", "E2", "E3", "E4"], "list_type": ["其他"] * 4, "subject_name": ["张三"] * 4,
        "listed_at": ["2026-01-01"] * 4, "subject_id": [VALID_USCC, VALID_ID, "ZJ-2021-0042", "110105194912310029"]})
    [f] = check_contract(con, export)
    assert (f.row, f.check, f.severity, f.reason, f.value) == (4, "id_any", "warning", "证件号码校验位错误",
                                                               "1101**********0029")


# --------------------------------------------------------------------------------- keys, required, value sets

def test_duplicate_keys_are_reported_once_per_row_with_row_numbers(tmp_path):
    fs = only(bids(tmp_path, bid_id=["B1", "B2", "B1", "B3", " B1 "]), "unique_key")
    assert [(f.row, f.column, f.value, f.reason, f.severity) for f in fs] == [
        (r, "bid_id", "B1", "主键重复", "error") for r in (1, 3, 5)]  # keys compared trimmed


def test_missing_required_column_is_reported_once_at_table_level(tmp_path):
    con, export = load_table(tmp_path, "bids", {"bid_id": ["B1", "B2"], "bidder_name": ["a", "b"]})
    fs = check_contract(con, export)
    assert [(f.row, f.column, f.reason, f.check, f.severity) for f in fs] == [
        (None, "project_id", "缺少必需列 project_id", "required_column", "error")]


def test_empty_required_value_is_an_error_but_empty_optional_values_are_not_checked(tmp_path):
    fs = bids(tmp_path, bidder_name=["甲", "  ", ""], price=["", "", " "], is_winner=["", "", ""])
    assert [(f.row, f.column, f.check, f.severity, f.reason) for f in fs] == [
        (r, "bidder_name", "not_empty", "error", "必填项为空") for r in (2, 3)]


def test_unreadable_required_date_is_unreadable_not_empty(tmp_path):
    con, export = load_table(tmp_path, "credit_list", {
        "entry_id": ["E1"], "list_type": ["其他"], "subject_name": ["张三"], "listed_at": ["下周一"]})
    [f] = check_contract(con, export)
    assert (f.column, f.check, f.value) == ("listed_at", "datetime", "下周一")


def test_value_outside_the_set_is_a_warning(tmp_path):
    fs = bids(tmp_path, status=["有效", "作废", ""])
    assert [(f.row, f.value, f.check, f.severity, f.reason) for f in fs] == [
        (2, "作废", "value_set", "warning", "值不在允许范围内")]


# --------------------------------------------------------------------------------- readable values

def test_every_export_date_form_is_readable(tmp_path):
    forms = ["2026-03-05", "2026-03-05 14:30", "2026-03-05 14:30:00", "2026/3/5", "2026.3.5",
             "2026年3月5日", "20260305", "46086", "２０２６-０３-０５"]
    assert bids(tmp_path, submitted_at=forms) == []


def test_impossible_or_unreadable_date_is_an_error_showing_the_raw_text(tmp_path):
    fs = bids(tmp_path, submitted_at=["2026-02-30", "下周一", "2026-03-05"])
    assert [(f.row, f.value, f.check, f.severity, f.reason) for f in fs] == [
        (1, "2026-02-30", "datetime", "error", "日期无法识别"),
        (2, "下周一", "datetime", "error", "日期无法识别")]


@pytest.mark.parametrize("placeholder", ["0000-01-01", "1899-12-31", "2101-01-01", "9999-12-31 00:00:00"])
def test_a_date_outside_1900_to_2100_is_not_a_date(tmp_path, placeholder):
    con, export = load_table(tmp_path, "bids", {"bid_id": ["B1"], "project_id": ["P1"], "bidder_name": ["甲"],
                                                "submitted_at": [placeholder]})
    assert con.execute("SELECT submitted_at, submitted_at__raw FROM bids").fetchall() == [(None, placeholder)]
    [f] = check_contract(con, export)
    assert (f.check, f.value) == ("datetime", placeholder)


def test_booleans_the_loader_reads_are_accepted_including_yes_and_t(tmp_path):
    words = ["是", "否", "有", "无", "Y", "n", "TRUE", "false", "1", "0", "yes", "No", "T", "f", "ＹＥＳ"]
    con, export = load_table(tmp_path, "bids", {"bid_id": [f"B{i}" for i in range(len(words))],
                                                "project_id": ["P1"] * len(words), "bidder_name": ["甲"] * len(words),
                                                "is_winner": words})
    assert check_contract(con, export) == []
    loaded = [r[0] for r in con.execute("SELECT is_winner FROM bids ORDER BY _row").fetchall()]
    assert loaded == [True, False, True, False, True, False, True, False, True, False, True, False, True, False, True]
    [f] = bids(tmp_path, is_winner=["也许"])
    assert (f.check, f.reason, f.value) == ("bool", "无法识别的是/否值", "也许")


@pytest.mark.parametrize("raw, loaded", [
    ("¥100", "100.00"), ("100元", "100.00"), ("１２３，４５６", "123456.00"), ("¥1,000元", "1000.00"),
    ("1,234,567.89", "1234567.89"), ("1，000", "1000.00"), ("-5", "-5.00"), ("3e2", "300.00"),
    ("￥ 2,500.5 元", "2500.50"), ("999999999999999999", "999999999999999999.00"),
])
def test_numbers_the_loader_reads_are_accepted(tmp_path, raw, loaded):
    con, export = load_table(tmp_path, "bids", {"bid_id": ["B1"], "project_id": ["P1"], "bidder_name": ["甲"],
                                                "price": [raw]})
    assert con.execute("SELECT CAST(price AS VARCHAR) FROM bids").fetchall() == [(loaded,)]
    assert check_contract(con, export) == []


@pytest.mark.parametrize("raw", ["1e400", "1234567890123456789", "12345678901234567890123", "一百万", "inf", "nan"])
def test_numbers_the_loader_cannot_hold_are_flagged_unreadable_with_the_raw_value(tmp_path, raw):
    con, export = load_table(tmp_path, "bids", {"bid_id": ["B1"], "project_id": ["P1"], "bidder_name": ["甲"],
                                                "price": [raw]})
    assert con.execute("SELECT price, price__raw FROM bids").fetchall() == [(None, raw)]
    [f] = check_contract(con, export)
    assert (f.row, f.column, f.check, f.severity, f.reason, f.value) == (1, "price", "number", "error",
                                                                         "无法识别的数字", raw)


# --------------------------------------------------------------------------------- personal data

def test_mask_value_hides_resident_ids_and_names():
    assert mask_value("230402198001011234", "resident_id") == "2304**********1234"
    assert mask_value("张三", "text") == "张*"
    assert mask_value("欧阳娜娜", "text") == "欧***"
    assert mask_value(VALID_USCC, "uscc") == VALID_USCC


def test_masked_values_never_show_the_full_resident_id(tmp_path):
    bad = [VALID_ID[:17] + "0", "12345678901234567890"]
    fs = bids(tmp_path, legal_rep_id=bad, agent_name=["王五", "赵六"], bid_id=["B1", "B1"])
    shown = " ".join(str(f.value) for f in fs)
    assert fs and all(v not in shown for v in bad)
    assert "1101" in shown  # masked, not dropped


def test_complainant_columns_never_appear_in_any_finding_even_with_garbage(tmp_path):
    secret = {"complainant_name": ["李四告状人", ""], "complainant_phone": ["not a phone!!", "x"],
              "complainant_id": ["110105194913319999", "garbage"]}
    con, export = load_table(tmp_path, "complaints", {"complaint_id": ["C1", "C1"], "received_by": ["市住建局", ""],
                                                      "received_at": ["2026-02-30", "2026-03-05"], **secret})
    fs = check_contract(con, export)
    assert {f.check for f in fs} == {"unique_key", "not_empty", "datetime"}  # the other problems are found ...
    assert not {f.column for f in fs} & set(secret)  # ... but never the confidential columns
    assert not any(v and v in repr(fs) for vs in secret.values() for v in vs)
