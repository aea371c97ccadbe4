"""The due-soon list (--due-within N): pending records that fall due within N working days of the
as-of date, counted on the official calendar (holidays off, 调休 Saturdays worked), listed in
due_soon.jsonl, summary.json, ReportData and report.md — overdue, finished and later items not."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from helpers import write_files
from pipelines.audit import run_audit
from pipelines.cli import main
from reports import outputs
from reports.due_soon import build_due_soon, due_soon_rows
from test_ledger import headline_rules

AS_OF = "2026-11-27"  # a Friday; no holidays from mid-November to mid-December 2026
INSPECTIONS = """\
    抽查编号,实施部门,检查结束时间,抽查结果公开时间
    D0,市住建局,2026-11-13,
    D1,市水务局,2026-11-16,
    D3,市交通运输局,2026-11-18,
    D4,市住建局,2026-11-19,
    LATE,市住建局,2026-11-02,
    DONE,市水务局,2026-11-20,2026-11-21
    """
# due: D0 11-27 (the as-of day: 0 left), D1 11-30 (Monday: 1), D3 12-02 (3), D4 12-03 (4: not within 3);
# LATE was due 11-16 (a violation, not due soon); DONE is published (compliant)
COMPLAINTS = """\
    投诉编号,接收部门,收到投诉时间,有权处理部门,转办时间,投诉人,投诉人电话
    C1,市住建局,2026-11-25,市水务局,,张三丰,13900000000
    """
# C1 received Wednesday 11-25: 3 working days -> Monday 11-30, 1 left


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    return headline_rules(tmp_path_factory.mktemp("rules") / "pack")


def export(folder: Path, **files: str) -> Path:
    return write_files(folder, {f"{name}.csv": textwrap.dedent(text) for name, text in files.items()})


def due_soon(folder: Path, rules_dir: Path, as_of: str, within: int, **files: str) -> list[dict]:
    con, audit = run_audit(export(folder, **files), rules_dir=rules_dir, as_of=dt.date.fromisoformat(as_of))
    build_due_soon(con, audit, within)
    return due_soon_rows(con)


def test_pending_items_due_within_three_working_days_are_listed_soonest_first(tmp_path, rules_dir):
    rows = due_soon(tmp_path / "e", rules_dir, AS_OF, 3, inspections=INSPECTIONS, complaints=COMPLAINTS)
    assert [(r["rule_id"], r["record_id"], r["due_date"].isoformat(), r["working_days_left"]) for r in rows] == [
        ("inspection-disclosure", "D0", "2026-11-27", 0),
        ("inspection-disclosure", "D1", "2026-11-30", 1),
        ("complaint-transfer", "C1", "2026-11-30", 1),
        ("inspection-disclosure", "D3", "2026-12-02", 3),
    ]
    assert rows[0]["message"] == "市住建局：双随机抽查D0应于2026-11-27前公开，今日到期（抽查结果未在检查结束后10个工作日内公开）"
    assert rows[2]["department"] == "市住建局" and "还剩1个工作日" in rows[2]["message"] and "转办" in rows[2]["message"]


def test_working_days_left_skip_holidays_and_count_makeup_saturdays(tmp_path, rules_dir):
    """Ended Friday 2026-09-25 (中秋): due Thursday 10-15 after the 国庆 week; Saturday 10-10 is
    worked (调休), Sunday 10-11 is not."""
    files = {"inspections": "抽查编号,实施部门,检查结束时间,抽查结果公开时间\nH1,市住建局,2026-09-25,\n"}
    left = {}
    for as_of in ("2026-10-03", "2026-10-09", "2026-10-11"):
        [row] = due_soon(tmp_path / as_of, rules_dir, as_of, 10, **files)
        assert row["due_date"] == dt.date(2026, 10, 15)
        left[as_of] = row["working_days_left"]
    # 10-03 (holiday): 10-08, 10-09, 10-10, 10-12..10-15; 10-09: 10-10, 10-12..10-15; 10-11: 10-12..10-15
    assert left == {"2026-10-03": 7, "2026-10-09": 5, "2026-10-11": 4}
    assert due_soon(tmp_path / "n4", rules_dir, "2026-10-09", 4, **files) == []  # 5 left is not within 4
    assert len(due_soon(tmp_path / "n5", rules_dir, "2026-10-09", 5, **files)) == 1


def test_due_within_zero_lists_only_what_falls_due_today(tmp_path, rules_dir):
    rows = due_soon(tmp_path / "e", rules_dir, AS_OF, 0, inspections=INSPECTIONS, complaints=COMPLAINTS)
    assert [r["record_id"] for r in rows] == ["D0"]


def test_audit_writes_due_soon_jsonl_summary_report_data_and_report_section(tmp_path, rules_dir, capsys, monkeypatch):
    folder = export(tmp_path / "e", inspections=INSPECTIONS, complaints=COMPLAINTS)
    seen = {}
    md = outputs.WRITERS["md"]
    monkeypatch.setitem(outputs.WRITERS, "md", lambda data, out: (seen.setdefault("data", data), md(data, out)))
    out = tmp_path / "out"
    code = main(["audit", str(folder), "--out", str(out), "--as-of", AS_OF, "--rules", str(rules_dir),
                 "--format", "md", "--due-within", "4"])
    assert code == 1  # LATE is overdue
    lines = [json.loads(x) for x in (out / "due_soon.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["record_id"], x["working_days_left"]) for x in lines] == [("D0", 0), ("D1", 1), ("C1", 1),
                                                                        ("D3", 3), ("D4", 4)]
    assert set(lines[0]) == {"rule_id", "record_id", "project_id", "department", "due_date", "working_days_left",
                             "message", "evidence"}
    assert lines[0]["due_date"] == "2026-11-27" and lines[0]["evidence"]["from"] == "2026-11-13"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["due_soon"] == {"within_working_days": 4, "count": 5}
    assert summary["options"]["due_within"] == 4
    assert [r["record_id"] for r in seen["data"].due_soon] == ["D0", "D1", "C1", "D3", "D4"]
    report = (out / "report.md").read_text(encoding="utf-8")
    section = report.split("## 六、即将到期（4 个工作日内）")[1]
    assert "| 2026-11-27 | 0 | 市住建局 |" in section and "还剩4个工作日" in section
    assert "LATE" not in section and "DONE" not in section
    assert "4 个工作日内到期的待办 5 条" in capsys.readouterr().out


def test_due_within_must_be_a_non_negative_number(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["audit", str(tmp_path), "--out", str(tmp_path / "out"), "--due-within", "-1"])
    assert exit_.value.code == 2 and "--due-within" in capsys.readouterr().err
