"""The CLI end to end on the sample export shipped in examples/: the exact violation set."""

import json
from pathlib import Path

from helpers import snapshot
from pipelines.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-export"

EXPECTED = {
    ("credit-clause", "N002", "error"),          # 采购公告 without the bribery part
    ("credit-clause", "N007", "error"),          # 资格预审公告 without either part
    ("credit-clause-persons", "N005", "warning"),  # bribery sentence leaves out 授权委托人
    ("inspection-disclosure", "CC2026-02", "error"),  # one day late across 国庆 + 10-10 调休
    ("inspection-disclosure", "CC2026-04", "error"),  # never published, overdue
    ("inspection-disclosure", "CC2026-07", "error"),  # late, dates in 2026/10/30 and 年月日 forms
    ("complaint-transfer", "TS2026-03", "error"),  # 10-10 调休 Saturday counted: due 10-13, sent 10-14
    ("complaint-transfer", "TS2026-05", "error"),  # never transferred
    ("dishonest-bidder", "B002", "error"),        # listed by USCC; list writes the name differently
    ("dishonest-bidder", "B006", "error"),        # no submitted_at: project's bid deadline used
    ("bribery-record", "B004", "error"),          # legal representative by resident ID
    ("bribery-record", "B005", "warning"),        # agent by name only: possible match
}


def test_sample_export_gives_exactly_the_documented_violations(tmp_path, capsys):
    before = snapshot(SAMPLE)
    code = main(["audit", str(SAMPLE), "--out", str(tmp_path), "--as-of", "2026-11-27"])
    assert code == 1  # error-level violations present
    lines = (tmp_path / "violations.jsonl").read_text(encoding="utf-8").splitlines()
    found = {(v["rule_id"], v["record_id"], v["severity"]) for v in map(json.loads, lines)}
    assert found == EXPECTED
    assert len(lines) == len(EXPECTED)
    assert snapshot(SAMPLE) == before  # inputs are never modified


def test_sample_export_pending_and_not_evaluable_records_are_counted_with_reasons(tmp_path, capsys):
    main(["audit", str(SAMPLE), "--out", str(tmp_path), "--as-of", "2026-11-27"])
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    rules = {r["rule_id"]: r for r in summary["rules"]}
    assert rules["inspection-disclosure"]["pending"] == 1  # CC2026-05, due 12-04
    assert rules["complaint-transfer"]["pending"] == 1  # TS2026-04, due 11-27 itself
    assert rules["inspection-disclosure"]["not_evaluable_reasons"] == {"检查结束时间未填写": 1}
    assert rules["complaint-transfer"]["not_evaluable_reasons"] == {"收到投诉时间无法识别": 1}
    assert rules["dishonest-bidder"]["not_evaluable"] == 1  # B007: no bid date anywhere
    assert rules["credit-clause"]["not_evaluable"] == 1  # N008: no text, no file
    assert summary["export"]["files"]["credit_list.csv"]["encoding"] == "gb18030"
    assert all(r["evaluated"] for r in summary["rules"])


def test_every_violation_names_its_department_and_basis(tmp_path, capsys):
    main(["audit", str(SAMPLE), "--out", str(tmp_path), "--as-of", "2026-11-27"])
    for line in (tmp_path / "violations.jsonl").read_text(encoding="utf-8").splitlines():
        v = json.loads(line)
        assert v["department"] and v["basis"].startswith("鹤发改公管〔2022〕216号")
        assert v["message"] and isinstance(v["evidence"], dict)


def test_sample_outputs_hold_no_complainant_identity_and_mask_resident_ids(tmp_path, capsys):
    main(["audit", str(SAMPLE), "--out", str(tmp_path), "--as-of", "2026-11-27"])
    complaints = (SAMPLE / "complaints.csv").read_text(encoding="utf-8").splitlines()[1:]
    secrets = [field for row in complaints for field in row.split(",")[-3:]]
    bids = (SAMPLE / "bids.csv").read_text(encoding="utf-8")
    resident_ids = [f for f in bids.replace("\n", ",").split(",") if len(f) == 18 and f[:4] == "2304"]
    assert secrets and resident_ids
    for path in tmp_path.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], path.name
        assert not [r for r in resident_ids if r in text], path.name
