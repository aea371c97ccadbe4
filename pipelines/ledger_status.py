"""The weekly statuses of the ledger, derived in SQL from its whole history, never stored.

Each rule has its own history: the runs that evaluated it (``run_rules``), ordered by
(as_of, run_id) — a run with ``--only`` or without a table never "resolves" the rules it did not
evaluate. A violation is identified by (rule_id, key); key defaults to record_id. Per run:

* 逾期已办 ``late_done``: the required action was done, but after its due date (the violation's
  ``late_done`` fact, e.g. a deadline rule whose ``to`` is after ``due_date``). It is never open
  work. ``this_week`` (本周补办) marks one that the rule's previous run found still not done;
* 新增 ``new``: not done, and the first run of an unbroken streak of that rule's runs that find it
  (one that was resolved and comes back starts a new streak: 新增 again);
* 持续 ``open``: not done, and found by the rule's previous run too;
* 已整改 (resolved): found by the rule's previous run, not by this one (``last_status`` says
  what it was then).

``first_seen`` is the as_of of the streak's first run and ``runs_open`` the streak's length so
far (the runs in a row that found it, whatever its status).
"""

from __future__ import annotations

from .sql import ident, literal, records

SEVERITIES = ("error", "warning", "info")
#: status counts of a run (summary.json "ledger", trend rows, by_rule)
COUNTS = ("new", "open", "late_done", "late_done_this_week", "resolved")

#: ledgers of format 1 did not store late_done; a deadline violation's evidence still says it
LATE_DONE_FROM_EVIDENCE = """(json_extract_string(evidence, '$.to_column') IS NOT NULL
    AND TRY_CAST(json_extract_string(evidence, '$.to') AS DATE)
        > TRY_CAST(json_extract_string(evidence, '$.due_date') AS DATE))"""


def violations_source(db: str, stored_late_done: bool = True) -> str:
    """The ledger's run_violations; for a format-1 ledger with late_done derived from evidence."""
    table = f"{ident(db)}.run_violations"
    if stored_late_done:
        return table
    return f"(SELECT *, {LATE_DONE_FROM_EVIDENCE} AS late_done FROM {table})"


def history_ctes(db: str, stored_late_done: bool = True) -> str:
    """SQL common table expressions (without WITH) over the ledger attached as ``db``:

    * ``rr``: (run_id, rule_id, as_of, seq) — each rule's runs, seq 1, 2, … by (as_of, run_id);
    * ``status``: (run_id, rule_id, key, seq, as_of, late_done, first_seen, runs_open, status,
      this_week) per violation;
    * ``gone``: (run_id, rule_id, key, first_seen, last_seen, last_run_id, last_status,
      resolved_as_of) — the violations of the rule's previous run that run ``run_id`` no longer finds.
    """
    L = ident(db)
    return f"""
    rr AS (
        SELECT x.run_id, x.rule_id, r.as_of,
               row_number() OVER (PARTITION BY x.rule_id ORDER BY r.as_of, x.run_id) AS seq
        FROM {L}.run_rules x JOIN {L}.runs r USING (run_id)),
    occ AS (
        SELECT v.run_id, v.rule_id, v."key", any_value(rr.seq) AS seq, any_value(rr.as_of) AS as_of,
               coalesce(bool_and(v.late_done), FALSE) AS late_done
        FROM {violations_source(db, stored_late_done)} v JOIN rr USING (run_id, rule_id)
        GROUP BY v.run_id, v.rule_id, v."key"),
    isl AS (
        SELECT *, seq - row_number() OVER (PARTITION BY rule_id, "key" ORDER BY seq) AS island FROM occ),
    status AS (
        SELECT run_id, rule_id, "key", seq, as_of, late_done,
               min(as_of) OVER streak AS first_seen,
               CAST(seq - min(seq) OVER streak + 1 AS INTEGER) AS runs_open,
               CASE WHEN late_done THEN 'late_done'
                    WHEN seq = min(seq) OVER streak THEN 'new' ELSE 'open' END AS status,
               late_done AND coalesce(NOT lag(late_done) OVER (PARTITION BY rule_id, "key", island ORDER BY seq),
                                      FALSE) AS this_week
        FROM isl WINDOW streak AS (PARTITION BY rule_id, "key", island)),
    gone AS (
        SELECT cur.run_id, p.rule_id, p."key", p.first_seen, p.as_of AS last_seen,
               p.run_id AS last_run_id, p.status AS last_status, cur.as_of AS resolved_as_of
        FROM rr cur
        JOIN rr prev ON prev.rule_id = cur.rule_id AND prev.seq = cur.seq - 1
        JOIN status p ON p.run_id = prev.run_id AND p.rule_id = cur.rule_id
        LEFT JOIN occ c ON c.run_id = cur.run_id AND c.rule_id = p.rule_id AND c."key" = p."key"
        WHERE c."key" IS NULL)"""


_STATUS_COUNTS = """count(*) FILTER (WHERE status = 'new') AS new,
                    count(*) FILTER (WHERE status = 'open') AS open,
                    count(*) FILTER (WHERE status = 'late_done') AS late_done,
                    count(*) FILTER (WHERE this_week) AS late_done_this_week"""


def trend(cur, db: str, stored_late_done: bool = True) -> list[dict]:
    """One dict per run, oldest first: run_id, as_of, recorded_at, export_fingerprint,
    rule_pack_version, total, by_severity, new, open, late_done, late_done_this_week, resolved,
    and by_rule: {rule_id: {total, new, open, late_done, late_done_this_week, resolved}} for the
    rules that run evaluated."""
    L = ident(db)
    ctes = history_ctes(db, stored_late_done)
    severity_counts = ", ".join(f"count(*) FILTER (WHERE severity = {literal(s)}) AS {s}" for s in SEVERITIES)
    status_cols = ", ".join(f"coalesce(st.{c}, 0) AS {c}" for c in COUNTS[:-1])
    runs = records(cur, f"""
        WITH {ctes},
        tot AS (SELECT run_id, count(*) AS total, {severity_counts} FROM {L}.run_violations GROUP BY run_id),
        st AS (SELECT run_id, {_STATUS_COUNTS} FROM status GROUP BY run_id),
        rs AS (SELECT run_id, count(*) AS resolved FROM gone GROUP BY run_id)
        SELECT r.run_id, r.as_of, r.recorded_at, r.export_fingerprint, r.rule_pack_version,
               coalesce(tot.total, 0) AS total, {", ".join(f"coalesce(tot.{s}, 0) AS {s}" for s in SEVERITIES)},
               {status_cols}, coalesce(rs.resolved, 0) AS resolved
        FROM {L}.runs r LEFT JOIN tot USING (run_id) LEFT JOIN st USING (run_id) LEFT JOIN rs USING (run_id)
        ORDER BY r.as_of, r.run_id""")
    per_rule = records(cur, f"""
        WITH {ctes},
        vr AS (SELECT run_id, rule_id, count(*) AS total FROM {L}.run_violations GROUP BY ALL),
        st AS (SELECT run_id, rule_id, {_STATUS_COUNTS} FROM status GROUP BY ALL),
        gr AS (SELECT run_id, rule_id, count(*) AS resolved FROM gone GROUP BY ALL)
        SELECT rr.run_id, rr.rule_id, coalesce(vr.total, 0) AS total, {status_cols},
               coalesce(gr.resolved, 0) AS resolved
        FROM rr LEFT JOIN vr USING (run_id, rule_id) LEFT JOIN st USING (run_id, rule_id)
             LEFT JOIN gr USING (run_id, rule_id)
        ORDER BY rr.run_id, rr.rule_id""")
    by_run: dict[int, dict] = {}
    for row in per_rule:
        by_run.setdefault(row.pop("run_id"), {})[row.pop("rule_id")] = row
    for run in runs:
        run["by_severity"] = {s: run.pop(s) for s in SEVERITIES}
        run["by_rule"] = by_run.get(run["run_id"], {})
    return runs
