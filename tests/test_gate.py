"""The CI gate for platform teams: the export format as a document, the template, `ggzy validate`'s
data-quality checks with thresholds, JUnit XML, annotations and GGZY_* environment variables."""

from __future__ import annotations

import csv
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, SAMPLE, write_export
from pipelines import gate, reading, schema
from pipelines.cli import main
from pipelines.export_format import render_markdown
from pipelines.template import header_of, template_columns, write_template

XSD = ROOT / "tests" / "data" / "junit-ant.xsd"


def junit_schema():
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(XSD))


def test_export_format_document_is_generated_from_the_schema_and_current():
    committed = (ROOT / "docs" / "export-format.md").read_text(encoding="utf-8")
    assert committed == render_markdown(), "docs/export-format.md 已过期：运行 ggzy export-format --out docs/export-format.md"
    for table in schema.TABLES.values():
        assert f"### {table.name} — {table.chinese}" in committed
    assert "complainant_name" in committed and "保密：不读入、不输出" in committed
    assert "```yaml" in committed and "mapping.yaml" in committed


def _fill_from_sample(template: Path) -> None:
    """Copy every sample table's raw text (as read, before typing) under the template's own headers."""
    from pipelines.sql import ident

    con = duckdb.connect()
    export = reading.load_export(con, SAMPLE)
    for name, tf in export.files.items():
        columns = template_columns(schema.TABLES[name])
        select = ", ".join(f"CAST({ident(tf.sources[c.name])} AS VARCHAR)" if c.name in tf.sources else "NULL"
                           for c in columns)
        rows = con.execute(f"SELECT {select} FROM {ident('raw_' + name)}").fetchall()
        with open(template / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([header_of(c) for c in columns])
            writer.writerows([["" if v is None else v for v in row] for row in rows])
    (template / "notices").mkdir(exist_ok=True)
    for side in (SAMPLE / "notices").iterdir():  # notice side files named in content_file
        (template / "notices" / side.name).write_bytes(side.read_bytes())


def _violation_keys(out: Path) -> set[tuple[str, str, str]]:
    return {(v["rule_id"], v["record_id"], v["message"]) for v in
            map(json.loads, (out / "violations.jsonl").read_text(encoding="utf-8").splitlines())}


def test_template_filled_from_the_sample_audits_like_the_sample_without_mapping(tmp_path, sample_outputs):
    template = tmp_path / "template"
    written = write_template(template, "csv")
    assert {p.name for p in written} >= {"bids.csv", "projects.csv", "mapping.yaml", "README.md"}
    header = (template / "complaints.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "投诉编号" in header and "投诉人" not in header.split(","), "保密列不进模板"
    _fill_from_sample(template)
    out = tmp_path / "out"
    main(["audit", str(template), "--out", str(out), "--as-of", "2026-11-27", "--format", "json"])
    sample_out, _, _ = sample_outputs
    assert _violation_keys(out) == _violation_keys(sample_out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert not summary.get("missing_tables"), "每张表都由模板读到"


def test_xlsx_template_has_the_same_headers_the_reader_matches(tmp_path):
    write_template(tmp_path, "xlsx")
    con = duckdb.connect()
    export = reading.load_export(con, tmp_path)
    assert set(export.files) == set(schema.TABLES)
    for name, tf in export.files.items():
        loaded = {c.name for c in template_columns(schema.TABLES[name])}
        assert set(tf.sources) == loaded, name
        assert not tf.unknown_headers


BROKEN = {
    "projects.csv": """\
        project_id,department,budget,docs_issued_at,bid_deadline
        P1,市住建局,1000000,2026-10-01,2026-10-25
        P2,市住建局,-5,2026-10-20,2026-10-10
        """,
    "bids.csv": """\
        bid_id,project_id,bidder_name,submitted_at,price
        B1,P1,甲公司,2026-10-24,900000
        B2,P9,乙公司,2026-10-24,0
        """,
    "inspections.csv": """\
        inspection_id,department,started_at,ended_at,published_at
        I1,市住建局,2026-10-05,2026-10-01,2026-10-09
        """,
}


def _gate(folder: Path, as_of="2026-10-30"):
    con = duckdb.connect()
    export = reading.load_export(con, folder)
    limits = gate.load_thresholds()
    checks = gate.run_gate(con, export, dt.date.fromisoformat(as_of), limits, {})
    return {(c.family, c.name): c for c in checks}


def test_gate_finds_dangling_references_dates_out_of_order_and_implausible_values(tmp_path):
    checks = _gate(write_export(tmp_path / "e", BROKEN))
    ref = checks[("references", "bids.project_id → projects.project_id")]
    assert (ref.checked, ref.failed, ref.examples, ref.level) == (2, 1, ["B2"], "error")
    order = checks[("date_order", "projects: docs_issued_at ≤ bid_deadline")]
    assert (order.failed, order.examples) == (1, ["P2"])
    assert checks[("date_order", "inspections: started_at ≤ ended_at")].examples == ["I1"]
    assert checks[("ranges", "projects.budget")].examples == ["P2"]
    assert checks[("ranges", "bids.price")].examples == ["B2"]
    assert checks[("references", "complaints.project_id → projects.project_id")].level == "skipped"
    assert gate.verdict(list(checks.values())) == "fail"


def test_gate_freshness_judges_the_export_by_its_newest_date(tmp_path):
    folder = write_export(tmp_path / "e", BROKEN)
    assert _gate(folder, "2026-10-30")[("freshness", "整个导出 whole export")].level == "pass"
    stale = _gate(folder, "2027-03-01")[("freshness", "整个导出 whole export")]
    assert (stale.measure, stale.level) == (127.0, "error")


def test_gate_thresholds_file_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "gate.yaml"
    bad.write_text("references: {warn: 0, fail: 0.1}\ndate_order: {warn: 0.5, fail: 0.1}\n", encoding="utf-8")
    with pytest.raises(gate.GateConfigError, match=r"gate.yaml.*第2行.*fail"):
        gate.load_thresholds(bad)


def test_validate_cli_writes_a_versioned_verdict_and_schema_valid_junit(tmp_path, capsys):
    folder = write_export(tmp_path / "e", BROKEN)
    junit, out = tmp_path / "junit.xml", tmp_path / "out"
    code = main(["validate", str(folder), "--as-of", "2026-10-30", "--junit", str(junit), "--out", str(out)])
    assert code == 1
    result = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert result["verdict"] == "fail" and result["exit_code"] == 1
    assert result["ggzy_version"] and result["schema_version"] == "1"
    junit_schema().validate(str(junit))
    suites = {s.get("name"): s for s in ET.parse(junit).getroot()}
    gate_suite = suites["数据质量门禁 gate"]
    assert int(gate_suite.get("tests")) == len(result["gate"])
    assert int(gate_suite.get("failures")) == sum(c["level"] == "error" for c in result["gate"])
    assert int(gate_suite.get("skipped")) == sum(c["level"] == "skipped" for c in result["gate"])
    contract_failures = suites["数据契约 contract"].findall("testcase/failure")
    findings = [json.loads(line) for line in (out / "data_quality.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(contract_failures) == len({(f["table"], f["check"], f["column"]) for f in findings})
    feed = {r["rule_id"]: r for r in result["rules"]}
    assert feed["complaint-transfer"]["status"] == "不能运行" and "complaints" in feed["complaint-transfer"]["reason"]


def test_fail_on_none_from_the_environment_passes_the_gate(tmp_path, monkeypatch):
    folder = write_export(tmp_path / "e", BROKEN)
    monkeypatch.setenv("GGZY_FAIL_ON", "none")
    assert main(["validate", str(folder), "--as-of", "2026-10-30"]) == 0
    monkeypatch.setenv("GGZY_FAIL_ON", "error")
    assert main(["validate", str(folder), "--as-of", "2026-10-30", "--fail-on", "none"]) == 0, "命令行优先"


def test_github_annotations_point_at_file_and_line(tmp_path, capsys):
    folder = write_export(tmp_path / "e", {"bids.csv": "bid_id,project_id,bidder_name,submitted_at\nB1,P1,甲,2026-13-45\n"})
    main(["validate", str(folder), "--annotations", "github", "--as-of", "2026-10-30"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert any(line.startswith("::error file=bids.csv,line=2,") and "submitted_at" in line for line in lines), lines


def test_gitlab_code_quality_report_is_written_with_locations(tmp_path):
    folder = write_export(tmp_path / "e", {"bids.csv": "bid_id,project_id,bidder_name,submitted_at\nB1,P1,甲,2026-13-45\n"})
    main(["validate", str(folder), "--annotations", "gitlab", "--out", str(tmp_path / "o"), "--as-of", "2026-10-30"])
    report = json.loads((tmp_path / "o" / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert report[0]["location"] == {"path": "bids.csv", "lines": {"begin": 2}}
    assert report[0]["severity"] == "major" and len(report[0]["fingerprint"]) == 64


def test_nothing_to_validate_is_exit_3(tmp_path):
    (tmp_path / "empty").mkdir()
    assert main(["validate", str(tmp_path / "empty")]) == 3


@pytest.fixture(scope="module")
def sample_ci(tmp_path_factory):
    """The sample audited once with every CI output."""
    tmp = tmp_path_factory.mktemp("sample-ci")
    out, junit, log = tmp / "out", tmp / "junit.xml", tmp / "ggzy.log"
    code = main(["audit", str(SAMPLE), "--out", str(out), "--as-of", "2026-11-27", "--format", "json",
                 "--junit", str(junit), "--annotations", "gitlab", "--log-file", str(log), "--quiet"])
    violations = [json.loads(line) for line in (out / "violations.jsonl").read_text(encoding="utf-8").splitlines()]
    return code, out, junit, log, violations, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_audit_junit_is_schema_valid_and_its_counts_equal_violations_jsonl(sample_ci):
    code, out, junit, _, violations, summary = sample_ci
    junit_schema().validate(str(junit))
    [suite] = ET.parse(junit).getroot()
    cases = {c.get("name").split(" ")[0]: c for c in suite.findall("testcase")}
    assert set(cases) == {r["rule_id"] for r in summary["rules"]}
    errors = {}
    for v in violations:
        if v["severity"] == "error":
            errors[v["rule_id"]] = errors.get(v["rule_id"], 0) + 1
    failed = {rid for rid, c in cases.items() if c.find("failure") is not None}
    assert failed == set(errors), "--fail-on error: a rule fails exactly when it has error-level violations"
    for rid in failed:
        total = sum(v["rule_id"] == rid for v in violations)
        assert cases[rid].find("failure").get("message").startswith(f"违规 {total} 条")
    assert int(suite.get("failures")) == len(failed)


def test_summary_carries_the_verdict_and_the_cli_exits_with_it(sample_ci):
    code, _, _, _, _, summary = sample_ci
    assert summary["verdict"] == "findings" and summary["exit_code"] == code == 1
    assert summary["schema_version"] == "2" and summary["ggzy_version"]


def test_gitlab_report_points_every_violation_at_its_file_and_line(sample_ci):
    _, out, _, _, violations, _ = sample_ci
    report = json.loads((out / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert len(report) == len(violations)
    credit = next(r for r in report if r["check_name"] == "ggzy credit-clause")
    assert credit["location"]["path"] == "notices.csv" and credit["location"]["lines"]["begin"] > 1
    assert len({r["fingerprint"] for r in report}) == len(report)


def test_log_file_records_the_stages_and_the_verdict(sample_ci):
    _, _, _, log, _, _ = sample_ci
    text = log.read_text(encoding="utf-8")
    assert "读取数据" in text and "verdict findings, exit 1" in text


def test_fail_on_none_never_fails_and_says_so(tmp_path):
    out = tmp_path / "out"
    assert main(["audit", str(SAMPLE), "--out", str(out), "--as-of", "2026-11-27", "--format", "json",
                 "--fail-on", "none", "--quiet"]) == 0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["verdict"] == "pass"
