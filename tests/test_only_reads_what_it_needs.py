"""Issue #13: ``ggzy audit --only`` reads only the tables the chosen rules need — and a rule run
alone finds exactly what it finds in the whole pack, so no rule reads a table it did not declare."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines import rules
from pipelines.audit import run_audit, tables_read_by

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-export"
AS_OF = dt.date(2026, 11, 27)


def _found(con, audit, rule_id: str) -> tuple:
    [result] = [r for r in audit.results if r.rule_id == rule_id]
    rows = con.execute("SELECT record_id, message FROM violations WHERE rule_id = ? ORDER BY ALL", [rule_id]).fetchall()
    return result.not_evaluated, result.counts, result.reasons, rows


@pytest.fixture(scope="module")
def whole_pack():
    return run_audit(SAMPLE, as_of=AS_OF)


@pytest.mark.parametrize("rule_id", [r.id for r in rules.load_pack().select(None)])
def test_a_rule_run_alone_finds_what_it_finds_in_the_whole_pack(whole_pack, rule_id):
    con, audit = run_audit(SAMPLE, as_of=AS_OF, only=[rule_id])
    assert _found(con, audit, rule_id) == _found(*whole_pack, rule_id)
    read = set(audit.export.files)
    assert read <= tables_read_by(rules.load_pack().select([rule_id]))
    assert "projects" in read


def test_tables_no_chosen_rule_reads_are_not_read_and_the_audit_says_so():
    con, audit = run_audit(SAMPLE, as_of=AS_OF, only=["complaint-transfer"])
    assert set(audit.export.files) == {"complaints", "projects"}
    skipped = {u["file"] for u in audit.export.unread if u["reason"]["code"] == "not_needed"}
    assert {"bids.csv", "notices.csv", "inspections.csv"} <= skipped
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "bids" not in tables  # not even an empty stand-in: a rule reading it would fail loudly
    assert audit.unjudged["unread_files"] and not audit.checked_nothing


def test_columns_no_chosen_rule_reads_are_not_read_nor_checked():
    con, audit = run_audit(SAMPLE, as_of=AS_OF, only=["dishonest-bidder"])
    bids = audit.export.files["bids"]
    assert {"price", "ip_address", "mac_address"} <= set(bids.skipped_columns)
    assert not {"bidder_name", "bidder_uscc", "submitted_at", "bid_id", "project_id"} & set(bids.skipped_columns)
    loaded = {row[0] for row in con.execute("DESCRIBE bids").fetchall()}
    assert "price" not in loaded and "bidder_uscc" in loaded
    assert not [f for f in audit.findings if f.table == "bids" and f.column in bids.skipped_columns]
    assert audit.export.files["credit_list"].skipped_columns == []  # read by the kind beside its own table
    assert audit.export.files["projects"].skipped_columns == []
