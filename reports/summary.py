"""summary.json: per rule, how many records were checked, violated, pending and not evaluable
(with the reasons); the as-of date, the export's file fingerprints and the rule pack's version."""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

OUTCOME_KEYS = ("violated", "compliant", "pending", "not_evaluable", "not_applicable")


def rule_summary(result) -> dict:
    counts = {key: result.counts.get(key, 0) for key in OUTCOME_KEYS}
    return {
        "rule_id": result.rule_id, "title": result.title, "severity": result.severity,
        "basis": result.basis, "table": result.table, "check": result.check,
        "evaluated": result.evaluated,
        "not_evaluated": result.not_evaluated,  # {code, text, ...params} when the rule could not run
        "checked": result.checked, **counts,
        "reasons": result.reasons,  # [{code, text, count, ...params}] of the not-evaluable records
        "parts": result.parts,  # per part of the record (listed_party: each party): what could not be checked
    }


def build_summary(audit, violations_by_severity: dict[str, int], options: dict | None = None, *,
                  ledger: dict | None = None, due_soon: dict | None = None) -> dict:
    """``audit``: the pipelines.audit.Audit handed over (read, never imported).
    ``ledger``: the ledger's view of this run (pipelines.ledger.LedgerRun.summary), None without one;
    ``due_soon``: {within_working_days, count} of the due-soon list."""
    export = audit.export
    by_check = collections.Counter((f.table, f.reason, f.severity) for f in audit.findings)
    return {
        "as_of": audit.as_of.isoformat(),
        "generated_at": dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds"),
        "rule_pack": {"name": audit.pack.name, "version": audit.pack.version, "digest": audit.pack.digest,
                      "folder": str(audit.pack.folder),
                      "local_overrides": audit.pack.local_overrides},  # local.yaml's changes, or null
        "calendar": {"first_year": audit.calendar.first_year, "last_year": audit.calendar.last_year},
        "export": {
            "folder": str(export.folder),
            "mapping": export.mapping_file,
            "files": {tf.path.name: {"table": tf.table, "sha256": tf.sha256, "format": tf.format,
                                     "encoding": tf.encoding, "rows": tf.rows,
                                     "missing_columns": tf.missing_columns,
                                     # in the file but not read: no rule chosen with --only reads them
                                     "skipped_columns": tf.skipped_columns}
                      for tf in export.files.values()},
            "missing_tables": export.missing_tables,
        },
        "totals": {"violations": sum(violations_by_severity.values()), "by_severity": violations_by_severity,
                   "data_quality_findings": len(audit.findings)},
        "rules": [rule_summary(r) for r in audit.results],
        "unjudged": audit.unjudged,  # what checked nothing and why; checked_nothing → exit 3 (pipelines.unjudged)
        "data_quality": [{"table": t, "reason": r, "severity": s, "count": n}
                         for (t, r, s), n in sorted(by_check.items(), key=lambda kv: -kv[1])],
        "options": options or {},
        "ledger": ledger,
        "due_soon": due_soon,
    }


def write_summary(summary: dict, out_dir: Path) -> Path:
    path = Path(out_dir) / "summary.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
