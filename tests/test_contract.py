"""The EXPORT-V1 contract (pipelines.contract): every obligation proved on small frames."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipelines import schema
from pipelines.contract import (Finding, contract_for, default_parse_datetime, mask_value,
                                validate_table)

BIDS = schema.TABLES["bids"]
VALID_USCC = "91110108551385082Q"


def resident_id(base17: str) -> str:
    """GB 11643-1999 computed here, independently of the module under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return base17 + "10X98765432"[sum(int(d) * w for d, w in zip(base17, weights)) % 11]


VALID_ID = resident_id("11010519491231002")


def bids(**columns) -> pd.DataFrame:
    """A bids frame of len(any column) rows, valid except for what the caller passes."""
    n = len(next(iter(columns.values()))) if columns else 1
    base = {"bid_id": [f"B{i}" for i in range(n)], "project_id": ["P1"] * n,
            "bidder_name": ["某公司"] * n}
    return pd.DataFrame({**base, **columns}, dtype=object)


def findings(df: pd.DataFrame, table: schema.Table = BIDS, **kw) -> list[Finding]:
    return validate_table(df, table, f"{table.name}.csv", **kw)


def only(fs: list[Finding], check: str) -> list[Finding]:
    return [f for f in fs if f.check == check]


def test_contract_is_a_pandera_schema_built_from_schema_py():
    contract = contract_for(BIDS)
    assert isinstance(contract, pa.DataFrameSchema)
    assert [n for n, c in contract.columns.items() if c.required] == ["bid_id", "project_id", "bidder_name"]
    assert "complainant_id" not in contract_for(schema.TABLES["complaints"]).columns


def test_clean_table_has_no_findings():
    df = bids(bidder_uscc=[VALID_USCC, ""], legal_rep_id=[VALID_ID, None], price=["1,234.5", "100"],
              submitted_at=["2026-03-05 14:30", "2026年3月5日"], status=["有效", "否决"],
              is_winner=["是", "否"])
    assert findings(df) == []


def test_valid_uscc_passes_and_lower_case_with_spaces_is_accepted():
    assert findings(bids(bidder_uscc=[VALID_USCC, " 91110108551385082q "])) == []


def test_uscc_with_one_character_changed_is_a_check_character_warning():
    changed = [VALID_USCC[:8] + "6" + VALID_USCC[9:], VALID_USCC[:17] + "R"]
    fs = findings(bids(bidder_uscc=changed))
    assert [(f.row, f.check, f.severity, f.value) for f in fs] == [
        (1, "uscc", "warning", changed[0]), (2, "uscc", "warning", changed[1])]  # USCC not masked
    assert {f.reason for f in fs} == {"统一社会信用代码校验位错误"}


def test_uscc_with_wrong_length_or_letters_is_a_format_warning():
    fs = findings(bids(bidder_uscc=["9111010855138508", "9111010855138508IO"]))
    assert [f.reason for f in fs] == ["统一社会信用代码格式错误"] * 2


def test_valid_resident_id_passes_and_lower_case_x_is_accepted():
    assert VALID_ID == "11010519491231002X"
    other = resident_id("23040219800101123")
    assert findings(bids(legal_rep_id=[VALID_ID, VALID_ID.lower(), other])) == []


def test_resident_id_with_wrong_check_character_fails():
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    [f] = findings(bids(agent_id=[wrong]))
    assert (f.column, f.check, f.severity, f.reason) == (
        "agent_id", "resident_id", "warning", "身份证号码校验位错误")


def test_resident_id_with_impossible_birth_date_fails_even_with_right_check_character():
    [f] = findings(bids(project_manager_id=[resident_id("11010519491331002")]))
    assert f.reason == "身份证号码出生日期无效"


def test_duplicate_keys_are_reported_once_per_row_with_row_numbers():
    fs = only(findings(bids(bid_id=["B1", "B2", "B1", "B3", "B1"])), "unique_key")
    assert [(f.row, f.column, f.value, f.reason, f.severity) for f in fs] == [
        (r, "bid_id", "B1", "主键重复", "error") for r in (1, 3, 5)]


def test_row_numbers_come_from_the_row_column_when_present():
    df = bids(bid_id=["B1", "B1"])
    df["_row"] = ["10", "12"]
    assert [f.row for f in findings(df)] == [10, 12]


def test_missing_required_column_is_reported_once_at_table_level():
    fs = findings(bids(bidder_name=["a", "b", "c"]).drop(columns=["project_id"]))
    assert fs == [Finding("bids", "bids.csv", None, "project_id", None, "缺少必需列 project_id",
                          "required_column", "error")]


def test_empty_required_value_is_an_error_but_empty_optional_values_are_not_checked():
    fs = findings(bids(bidder_name=["甲", "  ", None], price=["", None, " "], is_winner=[None, "", ""]))
    assert [(f.row, f.column, f.check, f.severity, f.reason) for f in fs] == [
        (r, "bidder_name", "not_empty", "error", "必填项为空") for r in (2, 3)]


def test_value_outside_the_set_is_a_warning():
    fs = findings(bids(status=["有效", "作废", ""]))
    assert [(f.row, f.value, f.check, f.severity, f.reason) for f in fs] == [
        (2, "作废", "value_set", "warning", "值不在允许范围内")]


def test_every_export_date_form_parses():
    forms = ["2026-03-05", "2026-03-05 14:30", "2026-03-05 14:30:00", "2026/3/5", "2026.3.5",
             "2026年3月5日", "20260305", "46086"]
    parsed = default_parse_datetime(pd.Series(forms))
    assert parsed.dt.date.astype(str).tolist() == ["2026-03-05"] * len(forms)
    assert parsed[2] == pd.Timestamp("2026-03-05 14:30")
    assert findings(bids(submitted_at=forms)) == []


def test_impossible_or_unreadable_date_is_an_error():
    fs = findings(bids(submitted_at=["2026-02-30", "下周一", "2026-03-05"]))
    assert [(f.row, f.value, f.check, f.severity, f.reason) for f in fs] == [
        (1, "2026-02-30", "datetime", "error", "日期无法识别"),
        (2, "下周一", "datetime", "error", "日期无法识别")]


def test_a_given_date_parser_is_used_instead_of_the_local_one():
    only_iso = lambda s: pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")  # noqa: E731
    fs = findings(bids(submitted_at=["2026-03-05", "2026/3/5"]), parse_datetime=only_iso)
    assert [f.row for f in fs] == [2]


def test_booleans_in_chinese_and_english_are_readable():
    words = ["是", "否", "有", "无", "Y", "n", "TRUE", "false", "1", "0"]
    assert findings(bids(is_winner=words, credit_report_attached=words[::-1])) == []
    [f] = findings(bids(is_winner=["也许"]))
    assert (f.check, f.reason) == ("bool", "无法识别的是/否值")


def test_numbers_with_thousands_separators_are_readable():
    assert findings(bids(price=["1,234,567.89", "1，000", "-5", "3e2"])) == []
    [f] = findings(bids(price=["一百万"]))
    assert (f.check, f.reason) == ("number", "无法识别的数字")


def test_any_id_is_flagged_only_when_it_fails_both_check_characters():
    credit = schema.TABLES["credit_list"]
    df = pd.DataFrame({"entry_id": ["E1", "E2", "E3", "E4"], "list_type": ["其他"] * 4,
                       "subject_name": ["张三"] * 4, "listed_at": ["2026-01-01"] * 4,
                       "subject_id": [VALID_USCC, VALID_ID, "ZJ-2021-0042", "110105194912310029"]})
    [f] = findings(df, credit)
    assert (f.row, f.check, f.severity, f.reason, f.value) == (
        4, "id_any", "warning", "证件号码校验位错误", "1101**********0029")


def test_mask_value_hides_resident_ids_and_names():
    assert mask_value("230402198001011234", "resident_id") == "2304**********1234"
    assert mask_value("张三", "text") == "张*"
    assert mask_value("欧阳娜娜", "text") == "欧***"
    assert mask_value(VALID_USCC, "uscc") == VALID_USCC


def test_masked_values_never_show_the_full_resident_id():
    bad = [VALID_ID[:17] + "0" if VALID_ID[17] != "0" else VALID_ID[:17] + "1", "12345678901234567890"]
    fs = findings(bids(legal_rep_id=bad, agent_name=["王五", "赵六"], bid_id=["B1", "B1"]))
    shown = " ".join(str(f.value) for f in fs)
    assert fs and all(v not in shown for v in bad)
    assert "1101" in shown  # masked, not dropped


def test_complainant_columns_never_appear_in_any_finding_even_with_garbage():
    secret = {"complainant_name": ["李四告状人", ""], "complainant_phone": ["not a phone!!", "x"],
              "complainant_id": ["110105194913319999", "garbage"]}
    df = pd.DataFrame({"complaint_id": ["C1", "C1"], "received_by": ["市住建局", ""],
                       "received_at": ["2026-02-30", "2026-03-05"], **secret})
    fs = findings(df, schema.TABLES["complaints"])
    assert fs  # the other problems are found ...
    assert not {f.column for f in fs} & set(secret)  # ... but never the confidential columns
    text = repr(fs)
    assert not any(v and v in text for vs in secret.values() for v in vs)


def test_unknown_extra_columns_are_ignored_and_the_input_is_not_modified():
    df = bids(bid_id=["B1", " B1 "], 备注=["随便", "写"])
    before = df.copy()
    assert [f.check for f in findings(df)] == ["unique_key", "unique_key"]  # keys compared trimmed
    pd.testing.assert_frame_equal(df, before)


def test_a_date_parser_that_breaks_is_reported_not_passed():
    def broken(s):
        raise ValueError("boom")
    fs = findings(bids(submitted_at=["2026-03-05"]), parse_datetime=broken)
    assert [(f.row, f.column, f.check, f.severity) for f in fs] == [
        (None, "submitted_at", "datetime", "error")]


def test_row_number_is_position_plus_one_whatever_the_frame_index():
    df = bids(bid_id=["B1", "B2", "B1"]).set_axis([7, 7, 3])
    assert [f.row for f in findings(df)] == [1, 3]
