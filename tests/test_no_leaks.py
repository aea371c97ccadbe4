"""Issue #9.5: nothing personal leaks. An error never echoes a data row of a table with personal
or confidential columns (a complaints file without a header row starts with a complainant);
resident IDs and mobile numbers inside free text — notice sentences copied into evidence,
messages, data-quality values — are masked in every output."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines import masking, sqlfuncs
from helpers import run_cli
from pipelines.cli import main

AS_OF = "2026-11-27"
RESIDENT_ID = "230402198807150011"
PHONE = "13912345678"
NAME = "王秀英"


def run(capsys, *args) -> tuple[int, str]:
    """(exit code, stdout and stderr together)."""
    code, out, err = run_cli(capsys, *args)
    return code, out + err


def every_output(out: Path) -> str:
    """The text of every output file (xlsx and docx unzipped)."""
    import zipfile

    parts = []
    for path in sorted(out.iterdir()):
        if path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as book:
                parts += [book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith(".xml")]
        else:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("command", ["audit", "validate"])
def test_a_complaints_file_without_a_header_row_never_prints_its_first_row(capsys, tmp_path, command):
    export = tmp_path / "export"
    export.mkdir()
    (export / "complaints.csv").write_text(f"T1,{NAME},{PHONE},{RESIDENT_ID},2026-03-02\n"
                                           f"T2,李四,13800000000,230402199001010022,2026-03-03\n", encoding="utf-8")
    args = ["audit", export, "--out", tmp_path / "out", "--as-of", AS_OF] if command == "audit" else ["validate", export]
    code, output = run(capsys, *args)
    assert code == 2 and "complaints.csv" in output, output
    for value in (NAME, PHONE, RESIDENT_ID):
        assert value not in output


def test_ids_and_phones_in_notice_sentences_are_masked_in_every_output(capsys, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    sentence = (f"投标单位不得有行贿犯罪记录（联系人{NAME}，身份证号{RESIDENT_ID}，电话{PHONE}）。"
                "投标人不得为失信被执行人。")
    rows = [{"公告编号": "N1", "项目编号": "P1", "公告类型": "招标公告", "正文": sentence}]
    (export / "notices.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    code, output = run(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF,
                       "--only", "credit-clause-persons", "--fail-on", "warning")
    assert code == 1, output  # the clause names neither 法定代表人 nor 授权委托人
    [violation] = [json.loads(line) for line in (tmp_path / "out" / "violations.jsonl").read_text().splitlines()]
    quoted = json.dumps(violation["evidence"], ensure_ascii=False)
    assert "行贿犯罪记录" in quoted and "2304**********0011" in quoted and "139****5678" in quoted
    text = every_output(tmp_path / "out") + output
    assert RESIDENT_ID not in text and PHONE not in text


def test_mask_text_covers_ids_and_mobiles_but_not_other_numbers():
    masked = masking.mask_text(f"身份证{RESIDENT_ID}、{RESIDENT_ID[:-1]}X；手机{PHONE}；金额12345678901234567890元；"
                               "日期20260302；编号ZB2026-0001")
    assert RESIDENT_ID not in masked and PHONE not in masked and RESIDENT_ID[:-1] + "X" not in masked
    assert "12345678901234567890" in masked and "20260302" in masked and "ZB2026-0001" in masked


def test_the_sql_functions_mask_text_and_every_string_inside_json():
    con = duckdb.connect()
    sqlfuncs.install(con)
    text, doc = con.execute(
        f"SELECT {masking.masked_sql(repr(f'电话{PHONE}'))}, "
        f"{masking.masked_sql(repr(json.dumps({'sentences': [RESIDENT_ID], 'amount': 13912345678})), is_json=True)}"
    ).fetchone()
    assert text == "电话139****5678"
    assert json.loads(doc) == {"sentences": ["2304**********0011"], "amount": 13912345678}
