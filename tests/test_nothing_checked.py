"""Issue #9.1: an audit that judged nothing is never reported as clean. It exits 3, says per
rule and per table why nothing was judged (terminal and summary.json ``unjudged``), and names
every file of the export folder it did not read, with the names the file might have meant."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.cli import EXIT_NOTHING_CHECKED, main
from pipelines.rules import DEFAULT_RULES_DIR

AS_OF = "2026-11-27"
INSPECTIONS = ("抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"
               "LATE,市住建局,2026-03-02,2026-03-31\n"
               "OK,市水务局,2026-03-02,2026-03-10\n")
HEADER_ONLY = "抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"
PROCUREMENT_ONLY = "项目编号,交易类型,行业监督部门,评标报告提交时间,中标候选人公示开始\nP1,政府采购,市财政局,2026-03-02,\n"


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def audit(capsys, tmp_path: Path, export: Path, *extra) -> tuple[int, str, dict | None]:
    capsys.readouterr()
    try:
        code = main(["audit", str(export), "--out", str(tmp_path / "out"), "--as-of", AS_OF, "--format", "json",
                     *map(str, extra)])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    summary_path = tmp_path / "out" / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else None
    return code, captured.out + captured.err, summary


def test_an_empty_folder_checked_nothing_and_exits_3(capsys, tmp_path):
    code, output, summary = audit(capsys, tmp_path, write(tmp_path / "export", {}))
    assert code == EXIT_NOTHING_CHECKED == 3, output
    assert "没有检查任何记录" in output and "nothing was checked" in output and "Traceback" not in output
    assert summary["unjudged"]["checked_nothing"] is True
    assert summary["unjudged"]["reason"]["code"] == "no_tables"
    assert {r["rule_id"] for r in summary["unjudged"]["rules"]} == {r["rule_id"] for r in summary["rules"]}


def test_the_export_one_folder_down_is_named(capsys, tmp_path):
    outer = write(tmp_path / "export", {"2026-11/inspections.csv": INSPECTIONS})
    code, output, summary = audit(capsys, tmp_path, outer)
    assert code == 3
    [hint] = summary["unjudged"]["unread_files"]
    assert hint["file"] == "2026-11/" and hint["reason"]["code"] == "tables_in_subfolder"
    assert hint["did_you_mean"] == ["2026-11/inspections.csv"] and "2026-11" in output


@pytest.mark.parametrize("name, meant", [
    ("inspections.tsv", "inspections.csv"),
    ("inspections .csv", "inspections.csv"),
    ("inspection.csv", "inspections.csv"),
])
def test_unrecognised_file_names_are_warned_with_what_they_might_mean(capsys, tmp_path, name, meant):
    code, output, summary = audit(capsys, tmp_path, write(tmp_path / "export", {name: INSPECTIONS}))
    assert code == 3, output
    [unread] = summary["unjudged"]["unread_files"]
    assert unread["file"] == name and meant in unread["did_you_mean"]
    assert name in output and meant in output


def test_a_chinese_table_name_is_read_as_that_table(capsys, tmp_path):
    export = write(tmp_path / "export", {"双随机抽查.csv": INSPECTIONS, "说明.docx": "x"})
    code, output, summary = audit(capsys, tmp_path, export, "--only", "inspection-disclosure")
    assert code == 1, output  # LATE is a violation: the file was read
    assert summary["export"]["files"]["双随机抽查.csv"]["table"] == "inspections"
    assert [u["file"] for u in summary["unjudged"]["unread_files"]] == ["说明.docx"]


def test_a_header_only_table_is_named_per_table_and_per_rule(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": HEADER_ONLY})
    code, output, summary = audit(capsys, tmp_path, export, "--only", "inspection-disclosure")
    assert code == 3
    [table] = summary["unjudged"]["tables"]
    assert (table["table"], table["reason"]["code"]) == ("inspections", "table_empty")
    [rule] = summary["unjudged"]["rules"]
    assert (rule["rule_id"], rule["reason"]["code"]) == ("inspection-disclosure", "table_empty")
    assert "只有表头" in output


def test_a_statute_scope_that_excludes_every_record_is_said(capsys, tmp_path):
    """candidates-publication binds 工程建设 lots (applies_to): a 政府采购-only export checks nothing."""
    export = write(tmp_path / "export", {"projects.csv": PROCUREMENT_ONLY})
    code, output, summary = audit(capsys, tmp_path, export, "--only", "candidates-publication")
    assert code == 3, output
    [rule] = summary["unjudged"]["rules"]
    assert rule["reason"]["code"] == "out_of_legal_scope" and rule["reason"]["rows"] == 1
    assert "candidates-publication" in output and "适用范围" in output


def test_only_a_rule_whose_table_is_missing_checked_nothing(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, _, summary = audit(capsys, tmp_path, export, "--only", "complaint-transfer")
    assert code == 3
    [rule] = summary["unjudged"]["rules"]
    assert rule["rule_id"] == "complaint-transfer"


def test_an_empty_rule_folder_checked_nothing(capsys, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(DEFAULT_RULES_DIR / "pack.yaml", rules / "pack.yaml")
    (rules / "pack.yaml").write_text("name: empty\nversion: '1'\n", encoding="utf-8")
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, output, summary = audit(capsys, tmp_path, export, "--rules", rules)
    assert code == 3, output
    assert summary["unjudged"]["reason"]["code"] == "no_rules"


def test_a_run_that_judged_records_is_not_nothing_checked(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS.replace("2026-03-31", "2026-03-05")})
    code, output, summary = audit(capsys, tmp_path, export, "--only", "inspection-disclosure")
    assert code == 0, output
    assert summary["unjudged"]["checked_nothing"] is False and summary["unjudged"]["rules"] == []


def test_a_table_symlink_out_of_the_export_is_not_followed(capsys, tmp_path):
    secret = write(tmp_path / "elsewhere", {"inspections.csv": INSPECTIONS})
    export = tmp_path / "export"
    export.mkdir()
    (export / "inspections.csv").symlink_to(secret / "inspections.csv")
    code, output, summary = audit(capsys, tmp_path, export)
    assert code == 3
    [unread] = summary["unjudged"]["unread_files"]
    assert unread["reason"]["code"] == "symlink_outside" and "LATE" not in output


def test_validate_of_a_folder_with_no_table_file_checked_nothing(capsys, tmp_path):
    export = write(tmp_path / "export", {"投标记录 (1).csv": INSPECTIONS})
    capsys.readouterr()
    code = main(["validate", str(export)])
    output = "".join(capsys.readouterr())
    assert code == 3 and "投标记录 (1).csv" in output and "bids.csv" in output
