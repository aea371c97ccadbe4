"""Shared fixtures: write a small export into a temporary folder and audit it for real
(DuckDB in memory, the shipped rule pack, the real calendar)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import write_files
from pipelines.audit import run_audit

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class AuditRun:
    con: object
    audit: object

    def outcomes(self, rule_id: str) -> dict[str, str]:
        """record_id -> outcome for one rule."""
        rows = self.con.execute("SELECT record_id, outcome FROM outcomes WHERE rule_id = ?", [rule_id]).fetchall()
        return dict(rows)

    def reasons(self, rule_id: str) -> dict[str, str]:
        """record_id -> the Chinese text of why it is not evaluable."""
        return {k: v["text"] for k, v in self.reason_data(rule_id).items()}

    def reason_data(self, rule_id: str) -> dict[str, dict]:
        """record_id -> why it is not evaluable, as data: {code, text, ...params}."""
        rows = self.con.execute("SELECT record_id, reason FROM outcomes WHERE rule_id = ? AND reason IS NOT NULL",
                                [rule_id]).fetchall()
        return {k: json.loads(v) for k, v in rows}

    def violations(self, rule_id: str | None = None) -> list[dict]:
        sql = "SELECT * FROM violations" + (" WHERE rule_id = ?" if rule_id else "") + " ORDER BY record_id"
        cur = self.con.execute(sql, [rule_id] if rule_id else [])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else None
        return rows

    def result(self, rule_id: str):
        return next(r for r in self.audit.results if r.rule_id == rule_id)


def write_export(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write {file name: CSV text (dedented) or raw bytes} into ``folder``."""
    return write_files(folder, files, dedent=True)


@pytest.fixture
def audit_export(tmp_path):
    """audit_export({file: content}, only=[rule ids], as_of='2026-11-27') -> AuditRun"""

    def run(files: dict, only=None, as_of="2026-11-27", rules_dir=None) -> AuditRun:
        folder = write_export(tmp_path / "export", files)
        con, audit = run_audit(folder, rules_dir=rules_dir, only=only, as_of=dt.date.fromisoformat(as_of))
        return AuditRun(con, audit)

    return run


SAMPLE = ROOT / "examples" / "sample-export"


@pytest.fixture(scope="session")
def sample_outputs(tmp_path_factory):
    """The shipped sample audited once for the whole session (as of 2026-11-27), read-only:
    (output folder, violations as dicts, summary)."""
    from pipelines.cli import main

    out = tmp_path_factory.mktemp("sample-outputs")
    main(["audit", str(SAMPLE), "--out", str(out), "--as-of", "2026-11-27"])
    violations = [json.loads(line) for line in (out / "violations.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, violations, json.loads((out / "summary.json").read_text(encoding="utf-8"))
