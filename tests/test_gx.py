"""Great Expectations as the CI gate's second engine: a suite generated from the schema, run as a
Checkpoint over the loaded export, with Data Docs — and flagging exactly the rows the contract flags."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE, write_export
from pipelines import reading, schema
from pipelines.cli import main
from pipelines.gx_suite import SUITE_PREFIX, table_specs
from pipelines.validate import check_contract

pytest.importorskip("great_expectations")


def _contract_and_gx(folder: Path, project: Path):
    from pipelines.gx_run import run_checkpoint

    con = duckdb.connect()
    export = reading.load_export(con, folder)
    contract = {(f.table, f.row, f.column, f.check) for f in check_contract(con, export)}
    return contract, run_checkpoint(con, export, project)


@pytest.fixture(scope="module")
def sample_gx(tmp_path_factory):
    return _contract_and_gx(SAMPLE, tmp_path_factory.mktemp("gx-sample"))


BROKEN = {
    "bids.csv": """\
        bid_id,project_id,bidder_name,bidder_uscc,legal_rep_id,submitted_at,price,is_winner,status
        B1,P1,甲公司,91110108551385082Q,11010519491231002X,2026-10-24,"¥1,000元",是,有效
        B1,P1,乙公司,91110108551385082A,110105194912310021,2026-02-30,1e400,maybe,作废
        B3,P1,丙公司,91110108551385082Q,110105194912310029,2026/10/24,"１２３，４５６",yes,有效
        B4,,丁公司,,,,,,
        """,
    "inspections.csv": """\
        inspection_id,department,ended_at,published_at
        I1,市住建局,2026-09-25,2026年10月16日
        I2,市住建局,25/09/2026,
        """,
    "notices.csv": """\
        notice_id,notice_type,published_at
        N1,招标公告,2026-10-01
        """,
}


def test_gx_and_the_contract_flag_the_same_rows_on_the_sample(sample_gx):
    contract, gx = sample_gx
    assert contract, "样例数据中有一处契约问题（complaints 第8行日期）"
    assert gx.flagged == contract


def test_gx_and_the_contract_flag_the_same_rows_on_broken_data(tmp_path):
    contract, gx = _contract_and_gx(write_export(tmp_path / "e", BROKEN), tmp_path / "gx")
    assert not gx.success
    assert gx.flagged == contract
    checks = {c for _, _, _, c in contract}
    assert {"unique_key", "datetime", "value_set", "uscc", "resident_id", "required_column"} <= checks, checks
    assert ("notices", None, "project_id", "required_column") in gx.flagged


def test_data_docs_index_exists_and_every_expectation_is_listed(sample_gx):
    _, gx = sample_gx
    assert gx.docs_index and gx.docs_index.exists()
    site = gx.docs_index.parent
    index = gx.docs_index.read_text(encoding="utf-8")
    for table in {e["table"] for e in gx.expectations}:
        assert SUITE_PREFIX + table in index
        page = (site / "expectations" / f"{SUITE_PREFIX}{table}.html").read_text(encoding="utf-8")
        for e in (e for e in gx.expectations if e["table"] == table):
            assert e["column"] in page, (table, e)
    assert len(gx.expectations) == sum(len(table_specs(t, set(tf))) for t, tf in _present(SAMPLE).items())


def _present(folder):
    con = duckdb.connect()
    export = reading.load_export(con, folder)
    return {n: {c for c in tf.sources if not schema.TABLES[n].column(c).confidential} for n, tf in export.files.items()}


def test_gx_suite_command_writes_one_generated_suite_per_table(tmp_path):
    assert main(["gx-suite", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob(f"{SUITE_PREFIX}*.json"))
    assert len(files) == len(schema.TABLES)
    bids = json.loads((tmp_path / f"{SUITE_PREFIX}bids.json").read_text(encoding="utf-8"))
    types = {e["type"] for e in bids["expectations"]}
    assert {"expect_column_values_to_be_unique", "expect_column_values_to_be_valid_uscc",
            "expect_column_values_to_be_valid_resident_id", "expect_column_values_to_be_in_set"} <= types
    assert all(e["meta"]["ggzy_check"] for e in bids["expectations"])


def test_validate_with_gx_reports_the_checkpoint_and_its_data_docs(tmp_path):
    folder = write_export(tmp_path / "e", {"notices.csv": BROKEN["notices.csv"]})
    out = tmp_path / "out"
    assert main(["validate", str(folder), "--gx", str(tmp_path / "gx"), "--out", str(out), "--as-of", "2026-10-30"]) == 1
    result = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert result["gx"]["success"] is False and Path(result["gx"]["docs_index"]).exists()


def test_audit_does_not_import_great_expectations():
    code = ("import sys, pipelines.cli, pipelines.audit, reports.outputs; "
            "print('great_expectations' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
