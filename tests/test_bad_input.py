"""Bad input: each gives its clear message (Chinese + English, naming the file) and exit code,
never a traceback, and nothing in the export folder changes. The CLI is run in-process."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from helpers import snapshot, write_files as write

from pipelines.cli import main
from pipelines.reading import ExportError, load_export
from pipelines.rules import DEFAULT_RULES_DIR
from pipelines.validate import check_contract

AS_OF = "2026-11-27"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[a-z]{4,}")


# --------------------------------------------------------------------------------- helpers

def cli(capsys, *args) -> tuple[int, str]:
    """Run ``ggzy ARGS`` in-process; (exit code, stdout + stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def audit_args(folder: Path, tmp_path: Path, *extra) -> list:
    return ["audit", folder, "--out", tmp_path / "out", "--as-of", AS_OF, *extra]


def assert_user_error(code: int, output: str, *names: str) -> None:
    """Exit 2, a message in Chinese and English naming ``names``, no traceback."""
    assert code == 2, output
    assert "Traceback" not in output and 'File "' not in output
    assert CJK.search(output) and LATIN_WORD.search(output.lower()), output
    for name in names:
        assert name in output, (name, output)


def load(folder: Path):
    con = duckdb.connect()
    return con, load_export(con, folder)


@pytest.fixture
def export_dir(tmp_path):
    """write an export and check, after the test, that no file in it changed."""
    made = []

    def make(files: dict) -> Path:
        folder = write(tmp_path / "export", files)
        made.append((folder, snapshot(folder)))
        return folder

    yield make
    for folder, before in made:
        assert snapshot(folder) == before, "the export folder was modified"


# --------------------------------------------------------------------------------- unreadable files

UNDECODABLE = "抽查编号,实施部门\nC1,".encode("utf-8") + b"\xff\xfe\xfa" + "市住建局\n".encode("utf-8")


def test_undecodable_bytes_are_an_error_naming_the_file_and_byte_offset(export_dir):
    folder = export_dir({"inspections.csv": UNDECODABLE})
    offset = UNDECODABLE.index(b"\xff")
    with pytest.raises(ExportError) as exc:
        load(folder)
    message = str(exc.value)
    assert "inspections.csv" in message
    assert f"byte offset {offset}" in message and f"第 {offset} 字节" in message
    assert "UTF-8" in message and "GB18030" in message


@pytest.mark.parametrize("command", ["validate", "audit"])
def test_undecodable_bytes_exit_2_with_a_bilingual_message_and_no_traceback(capsys, tmp_path, export_dir, command):
    folder = export_dir({"inspections.csv": UNDECODABLE})
    args = ["validate", folder] if command == "validate" else audit_args(folder, tmp_path)
    code, output = cli(capsys, *args)
    assert_user_error(code, output, "inspections.csv", str(UNDECODABLE.index(b"\xff")))
    assert "无法按 UTF-8 或 GB18030 解码" in output and "cannot be decoded" in output


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00",
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)),
], ids=["png", "zip"])
def test_binary_file_named_csv_exits_2_naming_the_file(capsys, tmp_path, export_dir, content):
    folder = export_dir({"bids.csv": content})
    with pytest.raises(ExportError, match="bids.csv"):
        load(folder)
    for args in (["validate", folder], audit_args(folder, tmp_path)):
        code, output = cli(capsys, *args)
        assert_user_error(code, output, "bids.csv")
        assert "binary" in output


@pytest.mark.parametrize("name, content", [
    ("inspections.csv", b""),
    ("inspections.csv", b"\xef\xbb\xbf"),
    ("inspections.csv", b"\xef\xbb\xbf \r\n\t\n"),
    ("inspections.csv", b"   \n\n"),
    ("inspections.json", b""),
    ("inspections.jsonl", b"\n \n"),
    ("inspections.xlsx", b""),
], ids=["csv-0-bytes", "csv-bom-only", "csv-bom-whitespace", "csv-whitespace", "json-0-bytes", "jsonl-blank",
        "xlsx-0-bytes"])
def test_empty_file_exits_2_saying_it_is_empty(capsys, tmp_path, export_dir, name, content):
    folder = export_dir({name: content})
    with pytest.raises(ExportError, match="file is empty") as exc:
        load(folder)
    assert name in str(exc.value) and "文件为空" in str(exc.value)
    for args in (["validate", folder], audit_args(folder, tmp_path)):
        code, output = cli(capsys, *args)
        assert_user_error(code, output, name, "文件为空", "empty")


def test_file_with_no_recognisable_header_exits_2(capsys, tmp_path, export_dir):
    # the platform exported without a header row: the first row is data
    folder = export_dir({"inspections.csv": "C1,市住建局,2026-03-05\nC2,市水务局,2026-03-06\n"})
    with pytest.raises(ExportError, match="no known header") as exc:
        load(folder)
    assert "inspections.csv" in str(exc.value) and "C1" in str(exc.value)  # shows what it found
    code, output = cli(capsys, "validate", folder)
    assert_user_error(code, output, "inspections.csv", "表头", "header")


def test_xlsx_that_is_really_a_text_file_exits_2(capsys, tmp_path, export_dir):
    folder = export_dir({"notices.xlsx": "公告编号,项目编号,公告类型\nN1,P1,招标公告\n"})
    with pytest.raises(ExportError, match="cannot be read as xlsx"):
        load(folder)
    for args in (["validate", folder], audit_args(folder, tmp_path)):
        code, output = cli(capsys, *args)
        assert_user_error(code, output, "notices.xlsx", "xlsx")


@pytest.mark.parametrize("name, content", [
    ("credit_list.parquet", "记录编号,名单类型\nE1,其他\n"),
    ("bids.json", '[{"投标编号": "B1", '),
], ids=["parquet-is-text", "truncated-json"])
def test_other_unreadable_formats_exit_2_naming_the_file(capsys, tmp_path, export_dir, name, content):
    folder = export_dir({name: content})
    code, output = cli(capsys, *audit_args(folder, tmp_path))
    assert_user_error(code, output, name)


def test_explicit_mapping_file_that_does_not_exist_exits_2(capsys, tmp_path, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    code, output = cli(capsys, "validate", folder, "--mapping", tmp_path / "no-such-mapping.yaml")
    assert_user_error(code, output, "no-such-mapping.yaml")


def test_broken_mapping_yaml_exits_2_naming_file_and_line(capsys, tmp_path, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,部门名称\nC1,市住建局\n",
                         "mapping.yaml": "inspections:\n  columns:\n    部门名称: dept\n"})
    code, output = cli(capsys, *audit_args(folder, tmp_path))
    assert_user_error(code, output, "mapping.yaml", "第3行", "dept")


def test_export_folder_that_does_not_exist_exits_2(capsys, tmp_path):
    code, output = cli(capsys, "validate", tmp_path / "no-such-export")
    assert_user_error(code, output, "no-such-export")


# --------------------------------------------------------------------------------- bad data: findings, not crashes

NO_DEPARTMENT = "抽查编号,检查结束时间,抽查结果公开时间\nC1,2026-03-05,2026-03-06\n"


def test_missing_required_column_is_a_finding_not_a_crash(capsys, export_dir):
    folder = export_dir({"inspections.csv": NO_DEPARTMENT})
    con, export = load(folder)
    [finding] = check_contract(con, export)
    assert (finding.file, finding.row, finding.column, finding.check) == ("inspections.csv", None, "department",
                                                                          "required_column")
    assert finding.reason.startswith("缺少必需列") and finding.severity == "error"
    code, output = cli(capsys, "validate", folder)
    assert code == 1 and "缺少必需列" in output and "Traceback" not in output


def test_missing_required_column_fails_audit_strict_with_exit_2(capsys, tmp_path, export_dir):
    folder = export_dir({"inspections.csv": NO_DEPARTMENT})
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "inspection-disclosure"))
    assert code == 3, output  # without --strict the audit runs, but its one rule judged nothing: exit 3, not clean
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "inspection-disclosure", "--strict"))
    assert code == 2 and "--strict" in output and "Traceback" not in output
    findings = [json.loads(line) for line in (tmp_path / "out" / "data_quality.jsonl").read_text().splitlines()]
    assert [(f["column"], f["check"]) for f in findings] == [("department", "required_column")]


def test_rule_needing_a_missing_required_column_is_not_evaluated(capsys, tmp_path, export_dir):
    # complaints without 接收部门 (received_by): complaint-transfer needs it to know who must transfer
    folder = export_dir({"complaints.csv": "投诉编号,收到投诉时间,有权处理部门,转办时间\nT1,2026-03-02,市水务局,2026-03-20\n"})
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "complaint-transfer"))
    assert code == 3 and "Traceback" not in output  # its one rule judged nothing: not a clean result
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [rule] = summary["rules"]
    assert rule["rule_id"] == "complaint-transfer" and rule["evaluated"] is False
    assert "received_by" in rule["not_evaluated"]["text"] and "接收部门" in rule["not_evaluated"]["text"]
    assert rule["violated"] == 0
    assert (tmp_path / "out" / "violations.jsonl").read_text() == ""
    assert "缺少必需列 received_by" in (tmp_path / "out" / "data_quality.jsonl").read_text(encoding="utf-8")
    code, _ = cli(capsys, *audit_args(folder, tmp_path, "--only", "complaint-transfer", "--strict"))
    assert code == 2


@pytest.mark.parametrize("header, missing", [
    ("实施部门,检查结束时间,抽查结果公开时间", "inspection_id"),  # the key
    ("抽查编号,检查结束时间,抽查结果公开时间", "department"),  # 实施部门: whom the violation is attributed to
], ids=["no-key", "no-department"])
def test_rule_over_a_table_missing_its_key_or_a_required_column_is_not_evaluated(capsys, tmp_path, export_dir,
                                                                                  header, missing):
    folder = export_dir({"inspections.csv": f"{header}\n" + ",".join(
        {"抽查编号": "C1", "实施部门": "市住建局", "检查结束时间": "2026-03-02", "抽查结果公开时间": "2026-03-31"}[h]
        for h in header.split(",")) + "\n"})
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "inspection-disclosure"))
    assert "Traceback" not in output
    [rule] = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["rules"]
    assert rule["evaluated"] is False and missing in rule["not_evaluated"]["text"]
    assert (tmp_path / "out" / "violations.jsonl").read_text() == ""
    assert code == 3  # nothing was checked


def test_duplicate_keys_are_a_finding_per_row_and_validate_exits_1(capsys, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\nC2,市住建局\nC1,市水务局\n"})
    con, export = load(folder)
    found = [(f.row, f.column, f.reason) for f in check_contract(con, export)]
    assert found == [(1, "inspection_id", "主键重复"), (3, "inspection_id", "主键重复")]
    code, output = cli(capsys, "validate", folder)
    assert code == 1 and output.count("主键重复") == 2


def test_impossible_dates_are_findings_and_the_audit_still_runs(capsys, tmp_path, export_dir):
    rows = ("抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"
            "C1,市住建局,2026-02-30,2026-03-06\n"     # impossible end date: not evaluable
            "C2,市住建局,2026-03-02,2026-03-04\n"     # compliant
            "C3,市住建局,2026-03-02,2026-13-01\n")    # impossible publish date: not evaluable
    folder = export_dir({"inspections.csv": rows})
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "inspection-disclosure"))
    assert code == 0, output  # no violations, so exit 0 despite the findings
    findings = [json.loads(line) for line in (tmp_path / "out" / "data_quality.jsonl").read_text().splitlines()]
    assert [(f["file"], f["row"], f["column"], f["value"]) for f in findings] == [
        ("inspections.csv", 1, "ended_at", "2026-02-30"), ("inspections.csv", 3, "published_at", "2026-13-01")]
    [rule] = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["rules"]
    assert (rule["compliant"], rule["not_evaluable"], rule["violated"]) == (1, 2, 0)


def test_impossible_dates_beside_a_violation_exit_1(capsys, tmp_path, export_dir):
    rows = ("抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"
            "C1,市住建局,2026-02-30,\nC2,市住建局,2026-03-02,2026-06-30\n")
    folder = export_dir({"inspections.csv": rows})
    code, _ = cli(capsys, *audit_args(folder, tmp_path, "--only", "inspection-disclosure"))
    assert code == 1
    [violation] = [json.loads(line) for line in (tmp_path / "out" / "violations.jsonl").read_text().splitlines()]
    assert violation["record_id"] == "C2"


# --------------------------------------------------------------------------------- broken rule files

def rules_with(tmp_path: Path, old: str, new: str, file: str = "inspection-disclosure.yaml") -> tuple[Path, int]:
    """A copy of the shipped rules with one edit; (folder, 1-based line of the edit)."""
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder, line


@pytest.mark.parametrize("old, new, field, words", [
    ("within:", "wihtin:", "wihtin", ["未知字段", "typo"]),
    ("check: deadline", "check: dedline", "check", ["未知检查类型", "unknown check kind", "dedline"]),
    ("from: ended_at", "from: ended_on", "from", ["没有列", "no column", "ended_on"]),
    ("{due_date}", "{due_dat}", "message", ["模板字段", "unknown template field", "{due_dat}"]),
], ids=["typo-within", "unknown-check-kind", "unknown-column-in-from", "unknown-template-field"])
def test_rule_file_mistake_exits_2_naming_file_line_and_field(capsys, tmp_path, export_dir, old, new, field, words):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    rules_dir, line = rules_with(tmp_path, old, new)
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--rules", rules_dir))
    assert_user_error(code, output, "inspection-disclosure.yaml", f"第{line}行", f"field {field}", *words)
    assert not (tmp_path / "out").exists()  # nothing written from a broken pack
    code, output = cli(capsys, "rules", "--rules", rules_dir)
    assert_user_error(code, output, "inspection-disclosure.yaml", f"第{line}行")


def test_typo_in_within_also_reports_the_missing_field(capsys, tmp_path, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    rules_dir, _ = rules_with(tmp_path, "within:", "wihtin:")
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--rules", rules_dir))
    assert code == 2 and "field within" in output and "缺少必填字段" in output


# --------------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("value", ["2026/11/27", "2026-02-30", "yesterday"])
def test_bad_as_of_exits_2(capsys, tmp_path, export_dir, value):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    code, output = cli(capsys, "audit", folder, "--out", tmp_path / "out", "--as-of", value)
    assert code == 2 and "--as-of" in output and "YYYY-MM-DD" in output
    assert "Traceback" not in output


def test_unknown_only_rule_id_exits_2_listing_the_known_ids(capsys, tmp_path, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "inspection-disclosur"))
    assert_user_error(code, output, "inspection-disclosur", "unknown rule id", "未知规则")
    known = output.split("known:")[-1]
    for rule_id in ("inspection-disclosure", "complaint-transfer", "credit-clause", "dishonest-bidder", "bribery-record"):
        assert rule_id in known


def test_unknown_command_or_missing_out_exits_2(capsys, tmp_path, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门\nC1,市住建局\n"})
    assert cli(capsys, "audti", folder)[0] == 2
    assert cli(capsys, "audit", folder)[0] == 2  # --out is required


# --------------------------------------------------------------------------------- text that looks like markup

def test_header_that_looks_like_markup_is_shown_in_the_error_as_written(capsys, export_dir):
    folder = export_dir({"inspections.csv": "[note],[/x]\n1,2\n"})
    code, output = cli(capsys, "validate", folder)
    assert_user_error(code, output, "[note]", "[/x]")


def test_value_that_looks_like_markup_in_a_finding_does_not_crash_validate(capsys, export_dir):
    folder = export_dir({"inspections.csv": "抽查编号,实施部门,检查结束时间\nC1,市住建局,[/y]\n"})
    code, output = cli(capsys, "validate", folder)
    assert code == 1 and "[/y]" in output


# ------------------------------------------------ issue #9.3: every user mistake is exit 2, found first

INSPECTIONS_OK = "抽查编号,实施部门,检查结束时间,抽查结果公开时间\nC1,市住建局,2026-03-02,2026-03-05\n"


@pytest.mark.parametrize("case", ["file", "under-a-file", "not-writable", "the-export-itself"])
def test_an_unusable_out_folder_exits_2_before_any_work(capsys, tmp_path, export_dir, case):
    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    (tmp_path / "a-file").write_text("x")
    out = {"file": tmp_path / "a-file", "under-a-file": tmp_path / "a-file" / "out",
           "not-writable": Path("/proc/ggzy-out"), "the-export-itself": folder}[case]
    code, output = cli(capsys, "audit", folder, "--out", out, "--as-of", AS_OF)
    assert_user_error(code, output, "--out")
    assert not (folder / "summary.json").exists()


@pytest.mark.parametrize("case", ["under-a-file", "sqlite", "csv", "folder"])
def test_an_unusable_ledger_exits_2_before_any_work(capsys, tmp_path, export_dir, case):
    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    (tmp_path / "a-file").write_text("x")
    book = {"under-a-file": tmp_path / "a-file" / "ledger.duckdb", "sqlite": tmp_path / "l.sqlite",
            "csv": tmp_path / "l.csv", "folder": tmp_path}[case]
    if case == "sqlite":
        book.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    if case == "csv":
        book.write_text("a,b\n1,2\n")
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--ledger", book))
    assert_user_error(code, output, "--ledger")
    assert not (tmp_path / "out").exists()  # found before the audit: nothing written


@pytest.mark.parametrize("command", ["audit", "validate"])
def test_an_unlistable_export_folder_exits_2(capsys, tmp_path, export_dir, monkeypatch, command):
    import os

    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    real = os.scandir

    def refuse(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    args = audit_args(folder, tmp_path) if command == "audit" else ["validate", folder]
    code, output = cli(capsys, *args)
    assert_user_error(code, output, "export")


@pytest.mark.parametrize("command", ["audit", "validate"])
def test_an_unreadable_table_file_exits_2_naming_it(capsys, tmp_path, export_dir, monkeypatch, command):
    import builtins

    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    real = builtins.open

    def refuse(file, *args, **kwargs):
        if str(file).endswith("inspections.csv"):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    args = audit_args(folder, tmp_path) if command == "audit" else ["validate", folder]
    code, output = cli(capsys, *args)
    assert_user_error(code, output, "inspections.csv")


@pytest.mark.parametrize("name", ["x" * 5000 + ".txt", "bad\x00name.txt", "loop.txt"],
                         ids=["too-long", "nul", "symlink-loop"])
def test_a_hostile_content_file_name_makes_that_notice_not_evaluable(capsys, tmp_path, name):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "loop.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop.txt")
    rows = [{"notice_id": "N1", "project_id": "P1", "notice_type": "招标公告", "content_file": name}]
    (folder / "notices.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--only", "credit-clause", "--format", "json"))
    assert code == 3 and "Traceback" not in output, output  # nothing judged: every notice lacks text
    reasons = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["rules"][0]
    assert "正文文件名无效" in json.dumps(reasons, ensure_ascii=False)


@pytest.mark.parametrize("file, text", [
    ("pack.yaml", "- just\n- a list\n"),
    ("pack.yaml", "name: x\norder: not-a-list\n"),
    ("clauses.yaml", "clauses: [a, b]\n"),
    ("clauses.yaml", "clauses:\n  一(一): {title: 联席会议}\n"),
])
def test_a_wrongly_shaped_pack_or_clauses_file_exits_2_naming_it(capsys, tmp_path, export_dir, file, text):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    (rules / file).write_text(text, encoding="utf-8")
    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--rules", rules))
    assert_user_error(code, output, file)


@pytest.mark.parametrize("where", ["rules", "export"])
def test_a_directory_named_yaml_exits_2(capsys, tmp_path, export_dir, where):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    (rules / "extra-rule.yaml" if where == "rules" else folder / "mapping.yaml").mkdir()
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--rules", rules))
    assert_user_error(code, output, "extra-rule.yaml" if where == "rules" else "mapping.yaml")


def test_any_other_failure_is_exit_4_in_one_line_naming_the_stage(capsys, tmp_path, export_dir, monkeypatch):
    from pipelines import engine

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(engine, "run_rules", broken)
    folder = export_dir({"inspections.csv": INSPECTIONS_OK})
    code, output = cli(capsys, *audit_args(folder, tmp_path))
    assert code == 4, output
    assert "内部错误 internal error" in output and "ZeroDivisionError" in output and "boom" in output
    assert "阶段 stage" in output and "Traceback" not in output
    code, output = cli(capsys, *audit_args(folder, tmp_path, "--debug"))
    assert code == 4 and "Traceback" in output and "broken" in output
