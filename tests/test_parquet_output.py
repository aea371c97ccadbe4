"""violations.parquet (issue #13): written only when ``--format parquet`` asks for it, by DuckDB,
with the same rows, fields and order as violations.jsonl; an earlier run's file does not
outlive a run that did not ask for it."""

from __future__ import annotations

import json

import duckdb
import pytest
from conftest import SAMPLE

from pipelines.cli import main
from reports.outputs import parse_formats


def test_parquet_is_optional_and_named_in_the_error_for_an_unknown_format():
    assert "parquet" not in parse_formats(None)
    assert parse_formats("parquet") == ("json", "parquet")
    with pytest.raises(ValueError, match="parquet"):
        parse_formats("pdf")


def test_violations_parquet_holds_the_rows_of_violations_jsonl_in_order(sample_outputs, tmp_path):
    default_out, violations, _ = sample_outputs
    assert not (default_out / "violations.parquet").exists()
    out = tmp_path / "out"
    main(["audit", str(SAMPLE), "--out", str(out), "--as-of", "2026-11-27", "--format", "parquet"])
    jsonl = [json.loads(line) for line in (out / "violations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert jsonl == violations and len(jsonl) > 10
    con = duckdb.connect()
    cursor = con.execute("SELECT * FROM read_parquet(?)", [str(out / "violations.parquet")])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    assert names == list(jsonl[0])
    for row in rows:
        row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else None
    assert rows == jsonl
    main(["audit", str(SAMPLE), "--out", str(out), "--as-of", "2026-11-27", "--format", "md"])
    assert not (out / "violations.parquet").exists()  # an earlier run's file does not stay behind
