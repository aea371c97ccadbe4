"""The weekly ledger (--ledger): 新增 / 持续 / 已整改 across real audits of real exports, re-runs
that replace instead of double counting, rules a run did not evaluate, ``ggzy history``, and a
run killed with SIGKILL inside the ledger transaction leaving the ledger exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import ledger as ledger_module
from pipelines.cli import main
from pipelines.rules import DEFAULT_RULES_DIR
from reports import outputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-export"
WEEK1, WEEK2, WEEK3 = "2026-11-27", "2026-12-04", "2026-12-11"

WEEK1_FOUND = {
    ("credit-clause", "N002"), ("credit-clause", "N007"), ("credit-clause-persons", "N005"),
    ("credit-clause", "N021"),  # the sample's PDF tender document lacks the bribery part
    ("dishonest-bidder", "B002"), ("dishonest-bidder", "B006"), ("bribery-record", "B004"),
    ("bribery-record", "B005"), ("inspection-disclosure", "CC2026-02"), ("inspection-disclosure", "CC2026-04"),
    ("inspection-disclosure", "CC2026-07"), ("complaint-transfer", "TS2026-03"), ("complaint-transfer", "TS2026-05"),
}
FIXED_IN_WEEK2 = {("credit-clause", "N002"), ("complaint-transfer", "TS2026-05")}
NEW_IN_WEEK2 = {("credit-clause", "N009"),  # a new notice without the credit clause
                ("complaint-transfer", "TS2026-04")}  # received 11-24, due 11-27, still not transferred


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def week2_export(folder: Path) -> Path:
    """The sample export a week later: N002 corrected to carry the bribery-record clause, complaint
    TS2026-05 found to be within the receiver's remit after all, and a new notice N009 without
    any credit clause."""
    shutil.copytree(SAMPLE, folder)
    replace_in(folder / "notices.csv", "投标人不得被列入失信被执行人名单。三、开标时间另行通知。",
               "投标人不得被列入失信被执行人名单；投标单位、法定代表人及授权委托人不得存在行贿犯罪记录。三、开标时间另行通知。")
    with open(folder / "notices.csv", "a", encoding="utf-8") as handle:
        handle.write("N009,HG2026-006,招标公告,2026-11-30,南山区供热管网维修工程招标公告,"
                     "一、项目概况：供热管网维修。二、投标人应具备相应资质。,\n")
    replace_in(folder / "complaints.csv", "TS2026-05,HG2026-004,市自然资源局,2026-11-10,市农业农村局,",
               "TS2026-05,HG2026-004,市自然资源局,2026-11-10,市自然资源局,")
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
    """Week 1 (sample), week 2 (fixed + new), week 2 again (re-run), week 3 (the week-1 export
    again a week later), all into one ledger: the output folders of each, a copy of the ledger
    as it was after week 1 (for the tests that branch off it) and week 2's ReportData."""
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
    codes += [audit(export2, out["week2-again"], WEEK2, book, rules=rules_dir),
              audit(SAMPLE, out["week3"], WEEK3, book, rules=rules_dir)]
    return {"book": book, "out": out, "codes": codes, "export2": export2, "dump_after_week2": dump_after_week2,
            "after_week1": after_week1, "week2_data": seen["data"]}


def ledger_after_week1(weeks, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(weeks["after_week1"], folder / "book.duckdb"))


def test_first_run_marks_every_violation_new_and_resolves_nothing(weeks):
    found = statuses(weeks["out"]["week1"])
    assert set(found) == WEEK1_FOUND
    assert set(found.values()) == {("new", WEEK1, 1)}
    assert jsonl(weeks["out"]["week1"] / "resolved.jsonl") == []
    summary = json.loads((weeks["out"]["week1"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["ledger"] == {**summary["ledger"], "runs": 1, "previous_as_of": None, "new": 13, "open": 0,
                                 "resolved": 0, "replaced_earlier_record": False}


def test_second_week_gives_exact_new_open_and_resolved_sets(weeks):
    found = statuses(weeks["out"]["week2"])
    new = {k for k, (status, _, _) in found.items() if status == "new"}
    still_open = {k for k, (status, _, _) in found.items() if status == "open"}
    assert new == NEW_IN_WEEK2
    assert still_open == WEEK1_FOUND - FIXED_IN_WEEK2
    assert {found[k][1:] for k in new} == {(WEEK2, 1)}
    assert {found[k][1:] for k in still_open} == {(WEEK1, 2)}

    resolved = jsonl(weeks["out"]["week2"] / "resolved.jsonl")
    assert {(r["rule_id"], r["record_id"]) for r in resolved} == FIXED_IN_WEEK2
    for r in resolved:
        assert (r["first_seen"], r["resolved_as_of"], r["last_seen"]) == (WEEK1, WEEK2, WEEK1)
        assert r["message"] and r["department"]

    summary = json.loads((weeks["out"]["week2"] / "summary.json").read_text(encoding="utf-8"))
    assert {k: summary["ledger"][k] for k in ("runs", "previous_as_of", "new", "open", "resolved")} == {
        "runs": 2, "previous_as_of": WEEK1, "new": 2, "open": 11, "resolved": 2}


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
    assert found[("credit-clause", "N007")] == ("open", WEEK1, 3)
    assert found[("complaint-transfer", "TS2026-04")] == ("open", WEEK2, 2)
    assert found[("inspection-disclosure", "CC2026-05")] == ("new", WEEK3, 1)  # due 12-04, now overdue
    resolved = jsonl(weeks["out"]["week3"] / "resolved.jsonl")
    assert [(r["rule_id"], r["record_id"], r["first_seen"]) for r in resolved] == [("credit-clause", "N009", WEEK2)]


def test_trend_counts_each_run_once(weeks):
    runs = ledger_module.read_history(weeks["book"]).runs
    assert [(r["total"], r["new"], r["open"], r["resolved"]) for r in runs] == [
        (13, 13, 0, 0), (13, 2, 11, 2), (15, 3, 12, 1)]
    assert runs[1]["by_severity"] == {"error": 11, "warning": 2, "info": 0}
    assert runs[1]["by_rule"]["credit-clause"] == {"total": 3, "new": 1, "open": 2, "resolved": 1}


def test_history_prints_runs_and_per_rule_trends(weeks, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    capsys.readouterr()
    assert main(["history", "--ledger", str(weeks["book"])]) == 0
    printed = capsys.readouterr().out
    assert "3 次运行" in printed
    for as_of in (WEEK1, WEEK2, WEEK3):
        assert as_of in printed
    assert "credit-clause" in printed and "3 (+1 −1)" in printed  # week 2: N009 new, N002 resolved
    assert "已整改" in printed and "新增" in printed


def test_report_marks_new_and_open_violations_and_lists_the_resolved(weeks):
    report = (weeks["out"]["week2"] / "report.md").read_text(encoding="utf-8")
    assert "【新增】" in report and f"【持续第2次，自{WEEK1}】" in report
    assert "新增 **2** 条，持续 11 条，已整改 **2** 条" in report
    resolved_part = report.split("七、已整改")[1]
    assert "N002" in resolved_part and "TS2026-05" in resolved_part


def test_report_data_gets_resolved_and_trend_from_the_ledger(weeks):
    data = weeks["week2_data"]
    assert {(r["rule_id"], r["record_id"]) for r in data.resolved} == FIXED_IN_WEEK2
    assert [(t["as_of"].isoformat(), t["total"], t["new"], t["resolved"]) for t in data.trend] == [
        (WEEK1, 13, 13, 0), (WEEK2, 13, 2, 2)]
    assert {(v["rule_id"], v["record_id"]) for v in data.violations if v["status"] == "new"} == NEW_IN_WEEK2


def test_a_run_of_only_some_rules_does_not_resolve_the_others(weeks, tmp_path, capsys, rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    audit(SAMPLE, tmp_path / "w2", WEEK2, book, "--only", "inspection-disclosure", rules=rules_dir)
    assert jsonl(tmp_path / "w2" / "resolved.jsonl") == []
    audit(weeks["export2"], tmp_path / "w3", WEEK3, book, rules=rules_dir)
    found = statuses(tmp_path / "w3")
    # credit-clause was not evaluated in week 2: its history is weeks 1 and 3, N007 still unbroken
    assert found[("credit-clause", "N007")] == ("open", WEEK1, 2)
    assert found[("inspection-disclosure", "CC2026-04")] == ("open", WEEK1, 3)
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
    assert code == 2 and "账本" in err and "notes.duckdb" in err
    assert not (tmp_path / "out").exists()  # refused before the audit ran
    assert bad.read_text(encoding="utf-8") == "这不是数据库"
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    assert audit(SAMPLE, tmp_path / "out", WEEK1, other, rules=rules_dir) == 2
    assert "不是 ggzy 账本" in capsys.readouterr().err
    assert main(["history", "--ledger", str(tmp_path / "missing.duckdb")]) == 2
    assert "账本文件不存在" in capsys.readouterr().err


# --------------------------------------------------------------------------------- SIGKILL

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def killed_in_the_ledger_transaction(export: Path, out: Path, as_of: str, book: Path, marker: Path,
                                     rules: Path) -> None:
    """Run ``ggzy audit --ledger`` in a real process, wait until it has made every write of the
    run inside the ledger transaction (the test hook then pauses before COMMIT) and SIGKILL it."""
    env = {**os.environ, ledger_module.PAUSE_ENV: str(marker)}
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "audit", str(export), "--out", str(out),
                             "--as-of", as_of, "--ledger", str(book), "--format", "json", "--rules", str(rules)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"the audit ended before reaching the hook: {proc.stderr.read().decode()}")
            assert time.monotonic() < deadline, "the audit never reached the ledger hook"
            time.sleep(0.05)
        assert (out / "violations.jsonl").exists()  # the outputs were written: only COMMIT was left
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def test_a_run_killed_inside_the_ledger_transaction_leaves_the_ledger_unchanged(weeks, tmp_path, capsys,
                                                                                 rules_dir):
    book = ledger_after_week1(weeks, tmp_path)
    before, before_sha = ledger_dump(book), sha256(book)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    killed_in_the_ledger_transaction(weeks["export2"], tmp_path / "week2", WEEK2, book, tmp_path / "paused",
                                     rules_dir)

    assert ledger_dump(book) == before  # opens, same runs, same rows
    assert sha256(book) == before_sha  # not a byte changed
    assert len(ledger_module.read_history(book).runs) == 1
    # (.ggzy-cache: the tender-document text cache beside the ledger, content-addressed, kept on purpose)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("week2", "paused", ".ggzy-cache")) == files_before
    # and the next run uses the ledger normally: week 2 is compared with week 1
    assert audit(weeks["export2"], tmp_path / "week2", WEEK2, book, rules=rules_dir) == 1
    assert {(r["rule_id"], r["record_id"]) for r in jsonl(tmp_path / "week2" / "resolved.jsonl")} == FIXED_IN_WEEK2


def test_a_first_run_killed_before_commit_leaves_no_ledger_file(tmp_path, rules_dir):
    book = tmp_path / "ledgers" / "book.duckdb"
    killed_in_the_ledger_transaction(SAMPLE, tmp_path / "out", WEEK1, book, tmp_path / "paused", rules_dir)
    assert not book.exists()
