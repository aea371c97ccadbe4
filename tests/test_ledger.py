"""The weekly ledger (--ledger): 新增 / 持续 / 逾期已办 (本周补办) / 已整改 across real audits of real
exports, re-runs that replace instead of double counting, rules a run did not evaluate,
``ggzy history``, and runs killed with SIGKILL before and after the ledger commits leaving the
outputs and the ledger in agreement."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from pipelines import ledger as ledger_module
from pipelines import publish
from pipelines.cli import main
from pipelines.rules import DEFAULT_RULES_DIR
from reports import outputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-export"
WEEK1, WEEK2, WEEK3 = "2026-11-27", "2026-12-04", "2026-12-11"

WEEK1_FOUND = {
    ("credit-clause", "N002"), ("credit-clause-persons", "N005"),
    ("credit-clause", "N023"),  # the sample's PDF tender document lacks the bribery part
    ("dishonest-bidder", "B002"), ("dishonest-bidder", "B006"), ("bribery-record", "B004"),
    ("bribery-record", "B005"), ("inspection-disclosure", "CC2026-02"), ("inspection-disclosure", "CC2026-04"),
    ("inspection-disclosure", "CC2026-07"), ("complaint-transfer", "TS2026-03"), ("complaint-transfer", "TS2026-05"),
}
#: done, but after the due date, already in the week-1 export: 逾期已办 from the start, never open work
LATE_IN_WEEK1 = {("inspection-disclosure", "CC2026-02"), ("inspection-disclosure", "CC2026-07"),
                 ("complaint-transfer", "TS2026-03")}
PUBLISHED_LATE_IN_WEEK2 = ("inspection-disclosure", "CC2026-04")  # ended 11-01, published 12-01
FIXED_IN_WEEK2 = {("credit-clause", "N002"), ("complaint-transfer", "TS2026-05")}
NEW_IN_WEEK2 = {("credit-clause", "N009"),  # a new notice without the credit clause
                ("complaint-transfer", "TS2026-04")}  # received 11-24, due 11-27, still not transferred


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def week2_export(folder: Path) -> Path:
    """The sample export a week later: N002 corrected to carry the bribery-record clause, complaint
    TS2026-05 found to be within the receiver's remit after all, a new notice N009 without
    any credit clause, and inspection CC2026-04's results published at last (late) on 12-01."""
    shutil.copytree(SAMPLE, folder)
    replace_in(folder / "notices.csv", "投标人不得被列入失信被执行人名单。三、开标时间另行通知。",
               "投标人不得被列入失信被执行人名单；投标单位、法定代表人及授权委托人不得存在行贿犯罪记录。三、开标时间另行通知。")
    with open(folder / "notices.csv", "a", encoding="utf-8") as handle:
        handle.write("N009,HG2026-006,招标公告,2026-11-30,南山区供热管网维修工程招标公告,"
                     "一、项目概况：供热管网维修。二、投标人应具备相应资质。,\n")
    replace_in(folder / "complaints.csv", "TS2026-05,HG2026-004,市自然资源局,2026-11-10,市农业农村局,",
               "TS2026-05,HG2026-004,市自然资源局,2026-11-10,市自然资源局,")
    replace_in(folder / "inspections.csv", "CC2026-04,市农业农村局,HG2026-004,ZF031;ZF032,,2026-10-26,2026-11-01,,",
               "CC2026-04,市农业农村局,HG2026-004,ZF031;ZF032,,2026-10-26,2026-11-01,2026-12-01,鹤岗市政府网站")
    return folder


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


#: the rules these tests follow; other rules the pack may gain are left out so the sets stay exact
RULES = ("credit-clause", "credit-clause-persons", "dishonest-bidder", "bribery-record", "inspection-disclosure",
         "complaint-transfer")


def headline_rules(folder: Path) -> Path:
    """A rule pack of just RULES (copied from the shipped pack, with its calendar and clauses), so
    that rules other developers add or are still editing cannot change these exact sets."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("pack.yaml", "clauses.yaml", *(f"{r}.yaml" for r in RULES)):
        shutil.copy(DEFAULT_RULES_DIR / name, folder / name)
    shutil.copytree(DEFAULT_RULES_DIR / "calendar", folder / "calendar")
    return folder


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    return headline_rules(tmp_path_factory.mktemp("rules") / "pack")


def audit(export: Path, out: Path, as_of: str, ledger: Path, *extra, rules: Path, formats: str = "json") -> int:
    return main(["audit", str(export), "--out", str(out), "--as-of", as_of, "--ledger", str(ledger),
                 "--format", formats, "--rules", str(rules), *map(str, extra)])


def statuses(out: Path) -> dict[tuple[str, str], tuple[str, str, int]]:
    return {(v["rule_id"], v["record_id"]): (v["status"], v["first_seen"], v["runs_open"])
            for v in jsonl(out / "violations.jsonl")}


def by_status(out: Path) -> dict[str, set[tuple[str, str]]]:
    """status -> the (rule_id, record_id) with it; "this_week" -> those flagged 本周补办."""
    found: dict[str, set] = {"new": set(), "open": set(), "late_done": set(), "this_week": set()}
    for v in jsonl(out / "violations.jsonl"):
        found[v["status"]].add((v["rule_id"], v["record_id"]))
        if v["this_week"]:
            found["this_week"].add((v["rule_id"], v["record_id"]))
    return found


def ledger_dump(path: Path) -> dict[str, list]:
    """Every row of every table of the ledger, sorted — what 'unchanged' means."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def weeks(tmp_path_factory, rules_dir):
    """Week 1 (sample), week 2 (fixed + new + CC2026-04 published late), week 2 again (re-run),
    week 3 (the week-1 export again a week later), all into one ledger; and week 3 of the
    week-2 export, into a copy of the ledger as it was after week 2 ("branch"). Returns the
    output folders of each, a copy of the ledger as it was after week 1 (for the tests that
    branch off it) and week 2's ReportData."""
    base = tmp_path_factory.mktemp("ledger")
    export2 = week2_export(base / "export-week2")
    book = base / "ledger" / "weekly.duckdb"  # the folder does not exist yet
    out = {name: base / name for name in ("week1", "week2", "week2-again", "week3")}
    codes = [audit(SAMPLE, out["week1"], WEEK1, book, rules=rules_dir)]
    after_week1 = base / "after-week1.duckdb"
    shutil.copy(book, after_week1)
    seen = {}
    with pytest.MonkeyPatch.context() as patch:  # keep the ReportData the md writer is given
        md = outputs.WRITERS["md"]
        patch.setitem(outputs.WRITERS, "md", lambda data, folder: (seen.setdefault("data", data), md(data, folder)))
        codes.append(audit(export2, out["week2"], WEEK2, book, formats="md", rules=rules_dir))
    dump_after_week2 = ledger_dump(book)
    codes.append(audit(export2, out["week2-again"], WEEK2, book, rules=rules_dir))
    branch = Path(shutil.copy(book, base / "branch-after-week2.duckdb"))
    codes.append(audit(SAMPLE, out["week3"], WEEK3, book, rules=rules_dir))
    out["week3-branch"] = base / "week3-branch"  # the week-2 export audited a week later
    codes.append(audit(export2, out["week3-branch"], WEEK3, branch, rules=rules_dir))
    return {"book": book, "out": out, "codes": codes, "export2": export2, "dump_after_week2": dump_after_week2,
            "after_week1": after_week1, "week2_data": seen["data"], "branch": branch}


def ledger_after_week1(weeks, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(weeks["after_week1"], folder / "book.duckdb"))


def test_first_run_marks_undone_violations_new_and_late_done_ones_late_done(weeks):
    found = statuses(weeks["out"]["week1"])
    assert set(found) == WEEK1_FOUND
    assert by_status(weeks["out"]["week1"]) == {"new": WEEK1_FOUND - LATE_IN_WEEK1, "open": set(),
                                                "late_done": LATE_IN_WEEK1, "this_week": set()}
    assert set(found.values()) == {("new", WEEK1, 1), ("late_done", WEEK1, 1)}
    assert jsonl(weeks["out"]["week1"] / "resolved.jsonl") == []
    summary = json.loads((weeks["out"]["week1"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["ledger"] == {**summary["ledger"], "runs": 1, "previous_as_of": None, "new": 9, "open": 0,
                                 "late_done": 3, "late_done_this_week": 0, "resolved": 0,
                                 "replaced_earlier_record": False}


def test_second_week_gives_exact_new_open_late_done_and_resolved_sets(weeks):
    found = statuses(weeks["out"]["week2"])
    sets = by_status(weeks["out"]["week2"])
    assert sets == {"new": NEW_IN_WEEK2,
                    "open": WEEK1_FOUND - FIXED_IN_WEEK2 - LATE_IN_WEEK1 - {PUBLISHED_LATE_IN_WEEK2},
                    "late_done": LATE_IN_WEEK1 | {PUBLISHED_LATE_IN_WEEK2},
                    "this_week": {PUBLISHED_LATE_IN_WEEK2}}  # open last week, published (late) since: 本周补办
    assert {found[k][1:] for k in sets["new"]} == {(WEEK2, 1)}
    assert {found[k][1:] for k in sets["open"] | sets["late_done"]} == {(WEEK1, 2)}

    resolved = jsonl(weeks["out"]["week2"] / "resolved.jsonl")
    assert {(r["rule_id"], r["record_id"]) for r in resolved} == FIXED_IN_WEEK2
    for r in resolved:
        assert (r["first_seen"], r["resolved_as_of"], r["last_seen"], r["last_status"]) == (WEEK1, WEEK2, WEEK1, "new")
        assert r["message"] and r["department"]

    summary = json.loads((weeks["out"]["week2"] / "summary.json").read_text(encoding="utf-8"))
    assert {k: summary["ledger"][k] for k in ("runs", "previous_as_of", "new", "open", "late_done",
                                              "late_done_this_week", "resolved")} == {
        "runs": 2, "previous_as_of": WEEK1, "new": 2, "open": 6, "late_done": 4, "late_done_this_week": 1,
        "resolved": 2}


def test_an_action_done_late_is_late_done_for_good_and_flagged_only_in_the_week_it_was_done(weeks):
    """CC2026-04 over three consecutive runs: still not published (新增), published late since the
    last run (逾期已办, 本周补办), and a week later still 逾期已办 but no longer this week's — it
    never comes back as 持续 open work."""
    week3 = by_status(weeks["out"]["week3-branch"])
    assert statuses(weeks["out"]["week1"])[PUBLISHED_LATE_IN_WEEK2] == ("new", WEEK1, 1)
    assert PUBLISHED_LATE_IN_WEEK2 in by_status(weeks["out"]["week2"])["this_week"]
    assert week3 == {
        "new": {("inspection-disclosure", "CC2026-05")},  # due 12-04, still not published on 12-11
        "open": WEEK1_FOUND - FIXED_IN_WEEK2 - LATE_IN_WEEK1 - {PUBLISHED_LATE_IN_WEEK2} | NEW_IN_WEEK2,
        "late_done": LATE_IN_WEEK1 | {PUBLISHED_LATE_IN_WEEK2},
        "this_week": set()}
    assert statuses(weeks["out"]["week3-branch"])[PUBLISHED_LATE_IN_WEEK2] == ("late_done", WEEK1, 3)
    assert jsonl(weeks["out"]["week3-branch"] / "resolved.jsonl") == []
    runs = ledger_module.read_history(weeks["branch"]).runs
    assert [(r["new"], r["open"], r["late_done"], r["late_done_this_week"], r["resolved"]) for r in runs] == [
        (9, 0, 3, 0, 0), (2, 6, 4, 1, 2), (1, 8, 4, 0, 0)]


def test_rerunning_the_same_export_and_as_of_replaces_the_run_instead_of_counting_it_twice(weeks):
    assert statuses(weeks["out"]["week2-again"]) == statuses(weeks["out"]["week2"])
    assert jsonl(weeks["out"]["week2-again"] / "resolved.jsonl") == jsonl(weeks["out"]["week2"] / "resolved.jsonl")
    summary = json.loads((weeks["out"]["week2-again"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["ledger"]["replaced_earlier_record"] is True and summary["ledger"]["runs"] == 2
    history = ledger_module.read_history(weeks["book"])
    assert [r["as_of"].isoformat() for r in history.runs] == [WEEK1, WEEK2, WEEK3]
    dump = ledger_dump(weeks["book"])
    week2_ids = [r[0] for r in weeks["dump_after_week2"]["runs"] if str(r[1]) == WEEK2]
    assert len(week2_ids) == 1
    # the re-run kept run_id and exactly the same violation rows (recorded_at aside)
    assert [r for r in dump["run_violations"] if r[0] == week2_ids[0]] == \
        [r for r in weeks["dump_after_week2"]["run_violations"] if r[0] == week2_ids[0]]


def test_a_violation_that_comes_back_after_being_resolved_is_new_again_and_others_keep_counting(weeks):
    found = statuses(weeks["out"]["week3"])
    # week 3 audits the week-1 export again: N002 and TS2026-05 are back, N009 is gone
    assert found[("credit-clause", "N002")] == ("new", WEEK3, 1)
    assert found[("complaint-transfer", "TS2026-05")] == ("new", WEEK3, 1)
    assert found[("credit-clause-persons", "N005")] == ("open", WEEK1, 3)
    assert found[("complaint-transfer", "TS2026-04")] == ("open", WEEK2, 2)
    assert found[("inspection-disclosure", "CC2026-05")] == ("new", WEEK3, 1)  # due 12-04, now overdue
    # the week-1 export again says CC2026-04 was never published: not done after all, open work
    assert found[PUBLISHED_LATE_IN_WEEK2] == ("open", WEEK1, 3)
    assert {k for k, (status, _, _) in found.items() if status == "late_done"} == LATE_IN_WEEK1
    resolved = jsonl(weeks["out"]["week3"] / "resolved.jsonl")
    assert [(r["rule_id"], r["record_id"], r["first_seen"], r["last_status"]) for r in resolved] == [
        ("credit-clause", "N009", WEEK2, "new")]


def test_trend_counts_each_run_once(weeks):
    runs = ledger_module.read_history(weeks["book"]).runs
    assert [(r["total"], r["new"], r["open"], r["late_done"], r["late_done_this_week"], r["resolved"])
            for r in runs] == [(12, 9, 0, 3, 0, 0), (12, 2, 6, 4, 1, 2), (14, 3, 8, 3, 0, 1)]
    assert runs[1]["by_severity"] == {"error": 10, "warning": 2, "info": 0}
    assert runs[1]["by_rule"]["credit-clause"] == {"total": 2, "new": 1, "open": 1, "late_done": 0,
                                                   "late_done_this_week": 0, "resolved": 1}
    assert runs[1]["by_rule"]["inspection-disclosure"] == {"total": 3, "new": 0, "open": 0, "late_done": 3,
                                                           "late_done_this_week": 1, "resolved": 0}


def test_history_prints_runs_and_per_rule_trends(weeks, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    capsys.readouterr()
    assert main(["history", "--ledger", str(weeks["book"])]) == 0
    printed = capsys.readouterr().out
    assert "3 次运行" in printed
    for as_of in (WEEK1, WEEK2, WEEK3):
        assert as_of in printed
    assert "credit-clause" in printed and "2 (+1 −1)" in printed  # week 2: N009 new, N002 resolved, N023 open (N007 no longer a finding)
    assert "0 (+0 −0) 已办3" in printed  # week 2 inspection-disclosure: nothing open, three done late
    assert "已整改" in printed and "新增" in printed and "逾期已办" in printed and "本周补办" in printed
    week2_row = next(line for line in printed.splitlines() if line.count(WEEK2) and "│" in line and "/" in line)
    assert [cell.strip() for cell in week2_row.split("│")[2:8]] == ["12", "10/2/0", "2", "6", "4", "1"]


def test_report_marks_new_and_open_violations_and_lists_the_resolved(weeks):
    report = (weeks["out"]["week2"] / "report.md").read_text(encoding="utf-8")
    assert "【新增】" in report and f"【持续第2次，自{WEEK1}】" in report
    assert "新增 **2** 条，持续 6 条，已整改 **2** 条" in report
    resolved_part = report.split("七、已整改")[1]
    assert "N002" in resolved_part and "TS2026-05" in resolved_part


def test_report_data_gets_resolved_and_trend_from_the_ledger(weeks):
    data = weeks["week2_data"]
    assert {(r["rule_id"], r["record_id"]) for r in data.resolved} == FIXED_IN_WEEK2
    assert [(t["as_of"].isoformat(), t["total"], t["new"], t["late_done"], t["resolved"]) for t in data.trend] == [
        (WEEK1, 12, 9, 3, 0), (WEEK2, 12, 2, 4, 2)]
    assert {(v["rule_id"], v["record_id"]) for v in data.violations if v["status"] == "new"} == NEW_IN_WEEK2
    assert {(v["rule_id"], v["record_id"]) for v in data.violations if v["this_week"]} == {PUBLISHED_LATE_IN_WEEK2}
    assert {(v["rule_id"], v["record_id"]) for v in data.violations if v["late_done"]} == \
        LATE_IN_WEEK1 | {PUBLISHED_LATE_IN_WEEK2}
    assert "报送公安机关" in data.clauses["一(三)"]["text"]  # handed over: reports never load clauses.yaml


def test_a_run_of_only_some_rules_does_not_resolve_the_others(weeks, tmp_path, capsys, rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    audit(SAMPLE, tmp_path / "w2", WEEK2, book, "--only", "inspection-disclosure", rules=rules_dir)
    assert jsonl(tmp_path / "w2" / "resolved.jsonl") == []
    audit(weeks["export2"], tmp_path / "w3", WEEK3, book, rules=rules_dir)
    found = statuses(tmp_path / "w3")
    # credit-clause-persons was not evaluated in week 2: its history is weeks 1 and 3, N005 still unbroken
    assert found[("credit-clause-persons", "N005")] == ("open", WEEK1, 2)
    assert found[("inspection-disclosure", "CC2026-04")] == ("late_done", WEEK1, 3)  # published late meanwhile
    assert {(r["rule_id"], r["record_id"], r["resolved_as_of"]) for r in jsonl(tmp_path / "w3" / "resolved.jsonl")} \
        == {(rule, record, WEEK3) for rule, record in FIXED_IN_WEEK2}


def test_another_export_with_the_same_as_of_is_a_further_run(weeks, tmp_path, capsys, rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    capsys.readouterr()
    audit(weeks["export2"], tmp_path / "b", WEEK1, book, rules=rules_dir)
    assert "另有 1 次截止日期相同、导出文件不同的运行" in capsys.readouterr().out
    runs = ledger_module.read_history(book).runs
    assert [r["as_of"].isoformat() for r in runs] == [WEEK1, WEEK1]
    assert runs[0]["export_fingerprint"] != runs[1]["export_fingerprint"]
    assert {(r["rule_id"], r["record_id"]) for r in jsonl(tmp_path / "b" / "resolved.jsonl")} == FIXED_IN_WEEK2


def test_a_file_that_is_not_a_ledger_is_refused_with_a_clear_error(tmp_path, capsys, rules_dir):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("这不是数据库", encoding="utf-8")
    code = audit(SAMPLE, tmp_path / "out", WEEK1, bad, rules=rules_dir)
    err = capsys.readouterr().err
    assert code == 2 and "不是 DuckDB 台账文件" in err and "notes.duckdb" in err
    assert not (tmp_path / "out").exists()  # refused before the audit ran
    assert bad.read_text(encoding="utf-8") == "这不是数据库"
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    assert audit(SAMPLE, tmp_path / "out", WEEK1, other, rules=rules_dir) == 2
    assert "不是 ggzy 账本" in capsys.readouterr().err
    assert main(["history", "--ledger", str(tmp_path / "missing.duckdb")]) == 2
    assert "账本文件不存在" in capsys.readouterr().err


def test_a_format_1_ledger_is_read_with_late_done_from_evidence_and_upgraded_by_the_next_run(weeks, tmp_path,
                                                                                            rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    with closing(duckdb.connect(str(book))) as con:  # as ggzy wrote it before late_done was stored
        con.execute("ALTER TABLE run_violations DROP COLUMN late_done")
        con.execute("UPDATE ledger_info SET value = '1' WHERE key = 'format'")
    runs = ledger_module.read_history(book).runs
    assert [(r["new"], r["open"], r["late_done"]) for r in runs] == [(9, 0, 3)]
    audit(weeks["export2"], tmp_path / "w2", WEEK2, book, rules=rules_dir)
    assert by_status(tmp_path / "w2") == by_status(weeks["out"]["week2"])
    with closing(duckdb.connect(str(book), read_only=True)) as con:
        assert con.execute("SELECT value FROM ledger_info WHERE key = 'format'").fetchall() == [("2",)]
        assert set(con.execute("SELECT rule_id, record_id FROM run_violations WHERE run_id = 1 AND late_done")
                   .fetchall()) == LATE_IN_WEEK1


def test_a_sqlite_or_csv_file_as_ledger_is_refused_without_trying_to_load_an_extension(tmp_path, capsys, rules_dir):
    sqlite = tmp_path / "book.sqlite"
    with closing(sqlite3.connect(sqlite)) as db:
        db.execute("CREATE TABLE runs (x INTEGER)")
        db.commit()
    csv = tmp_path / "book.csv"
    csv.write_text("run_id,as_of\n1,2026-11-27\n", encoding="utf-8")
    for path in (sqlite, csv):
        before = path.read_bytes()
        assert audit(SAMPLE, tmp_path / "out", WEEK1, path, rules=rules_dir) == 2
        err = capsys.readouterr().err
        assert "不是 DuckDB 台账文件" in err and "not a DuckDB ledger file" in err and path.name in err
        assert "extension" not in err.lower()  # DuckDB was never asked to fetch sqlite_scanner
        assert path.read_bytes() == before
        assert main(["history", "--ledger", str(path)]) == 2
        assert "extension" not in capsys.readouterr().err.lower()
    assert not (tmp_path / "out").exists()  # refused before the audit ran


def test_a_ledger_under_a_file_is_refused_before_the_audit(tmp_path, capsys, rules_dir):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert audit(SAMPLE, tmp_path / "out", WEEK1, tmp_path / "notes.txt" / "sub" / "book.duckdb", rules=rules_dir) == 2
    err = capsys.readouterr().err
    assert "notes.txt 是文件，不是文件夹" in err and "is a file, not a folder" in err
    assert not (tmp_path / "out").exists()


def test_connections_ggzy_opens_never_autoload_or_autoinstall_extensions(rules_dir):
    from pipelines.audit import run_audit

    settings = "SELECT current_setting('autoload_known_extensions'), current_setting('autoinstall_known_extensions')"
    con, _ = run_audit(SAMPLE, rules_dir=rules_dir, only=["credit-clause"])
    assert con.execute(settings).fetchall() == [(False, False)]
    theirs = duckdb.connect()  # a connection handed in (tests, benchmarks) gets the same settings
    run_audit(SAMPLE, rules_dir=rules_dir, only=["credit-clause"], con=theirs)
    assert theirs.execute(settings).fetchall() == [(False, False)]


# --------------------------------------------------------------------------------- SIGKILL

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def killed_at(hook: str, export: Path, out: Path, as_of: str, book: Path, marker: Path, rules: Path) -> None:
    """Run ``ggzy audit --ledger`` in a real process, wait until it reaches the test hook named by
    the environment variable ``hook`` (it then pauses) and SIGKILL it there."""
    env = {**os.environ, hook: str(marker)}
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "audit", str(export), "--out", str(out),
                             "--as-of", as_of, "--ledger", str(book), "--format", "json", "--rules", str(rules)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"the audit ended before reaching the hook: {proc.stderr.read().decode()}")
            assert time.monotonic() < deadline, "the audit never reached the hook"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def staged(out: Path) -> list[Path]:
    """The hidden staging folders pipelines.publish makes next to ``out``."""
    return sorted(out.parent.glob(f".{out.name}.ggzy-*.tmp"))


def folder_state(folder: Path) -> dict[str, tuple[bool, bytes]]:
    """name -> (is a symlink, bytes or link target) for everything in ``folder``."""
    return {p.name: (p.is_symlink(), os.readlink(p).encode() if p.is_symlink() else p.read_bytes())
            for p in sorted(folder.iterdir())}


def assert_outputs_agree_with_ledger(out: Path, book: Path) -> None:
    """summary.json names the ledger's latest run, and violations.jsonl holds exactly its violations."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    latest = ledger_module.read_history(book).runs[-1]
    assert (summary["ledger"]["run_id"], summary["as_of"]) == (latest["run_id"], latest["as_of"].isoformat())
    con = duckdb.connect(str(book), read_only=True)
    try:
        recorded = set(con.execute("SELECT rule_id, record_id FROM run_violations WHERE run_id = ?",
                                   [latest["run_id"]]).fetchall())
    finally:
        con.close()
    assert {(v["rule_id"], v["record_id"]) for v in jsonl(out / "violations.jsonl")} == recorded


def test_a_run_killed_before_the_ledger_commits_leaves_outputs_and_ledger_as_they_were(weeks, tmp_path, rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    out = tmp_path / "out"
    shutil.copytree(weeks["out"]["week1"], out)  # last week's outputs, as the ledger records them
    victim = tmp_path / "victim.txt"
    victim.write_text("不是输出", encoding="utf-8")
    (out / "due_soon.jsonl").unlink()
    (out / "due_soon.jsonl").symlink_to(victim)  # planted: must be replaced, never written through
    before, before_sha, out_before = ledger_dump(book), sha256(book), folder_state(out)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    killed_at(ledger_module.PAUSE_ENV, weeks["export2"], out, WEEK2, book, tmp_path / "paused", rules_dir)

    assert [p.name for p in staged(out)] and (staged(out)[0] / "violations.jsonl").exists()  # written, not placed
    assert ledger_dump(book) == before  # opens, same runs, same rows
    assert sha256(book) == before_sha  # not a byte changed
    assert folder_state(out) == out_before  # no new output appeared
    assert_outputs_agree_with_ledger(out, book)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("paused", ".ggzy-cache") and not p.name.startswith(".out.")) \
        == files_before
    # (.ggzy-cache: the tender-document text cache beside the ledger, content-addressed, kept on purpose)
    # and the next run uses the ledger normally: week 2 is compared with week 1
    assert audit(weeks["export2"], out, WEEK2, book, rules=rules_dir) == 1
    assert {(r["rule_id"], r["record_id"]) for r in jsonl(out / "resolved.jsonl")} == FIXED_IN_WEEK2
    assert_outputs_agree_with_ledger(out, book)
    assert not (out / "due_soon.jsonl").is_symlink() and victim.read_text(encoding="utf-8") == "不是输出"


def test_a_run_killed_after_the_ledger_commits_has_its_outputs_in_place(weeks, tmp_path, rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    out = tmp_path / "out"
    shutil.copytree(weeks["out"]["week1"], out)
    killed_at(publish.PAUSE_ENV, weeks["export2"], out, WEEK2, book, tmp_path / "paused", rules_dir)
    assert [r["as_of"].isoformat() for r in ledger_module.read_history(book).runs] == [WEEK1, WEEK2]
    assert_outputs_agree_with_ledger(out, book)
    assert {(r["rule_id"], r["record_id"]) for r in jsonl(out / "resolved.jsonl")} == FIXED_IN_WEEK2


def test_a_first_run_killed_before_commit_leaves_no_ledger_file_and_no_outputs(tmp_path, rules_dir):
    book = tmp_path / "ledgers" / "book.duckdb"
    killed_at(ledger_module.PAUSE_ENV, SAMPLE, tmp_path / "out", WEEK1, book, tmp_path / "paused", rules_dir)
    assert not book.exists()
    assert not (tmp_path / "out").exists()


def test_a_failing_run_leaves_no_staging_folder_and_no_ledger_run(weeks, tmp_path, rules_dir, monkeypatch):
    book = ledger_after_week1(weeks, tmp_path)
    before = ledger_dump(book)

    def broken(data, folder):
        raise RuntimeError("writer failed")

    monkeypatch.setitem(outputs.WRITERS, "md", broken)
    assert audit(weeks["export2"], tmp_path / "out", WEEK2, book, rules=rules_dir, formats="md") == 4  # internal error
    assert ledger_dump(book) == before
    assert not (tmp_path / "out").exists() and staged(tmp_path / "out") == []
