#!/usr/bin/env python3
"""Time a full ``ggzy audit`` on a generated export against the time DuckDB takes just to read it.

    python benchmarks/run.py [--data DIR] [--scale full|small] [--repeat 3]

Each repetition runs in a fresh process (so peak memory is that run's own), with stage timings
taken from the audit's progress steps. Prints medians and the audit/read ratio; writes the
figures to ``benchmarks/results/<scale>.json``. The goal (audit issue): a full audit within 2x
the reading time.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCALES = {
    "full": dict(projects=100_000, bids=1_000_000, credit=100_000, inspections=50_000, complaints=50_000),
    "small": dict(projects=5_000, bids=50_000, credit=5_000, inspections=2_500, complaints=2_500),
}
AS_OF = "2026-12-31"  # every planted due date has passed (see _expected.json)


def generate(data: Path, scale: str) -> None:
    if (data / "bids.csv").exists():
        return
    args = [f"--{k}={v}" for k, v in SCALES[scale].items()]
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(data), *args], check=True)


def child_read(data: Path) -> dict:
    """DuckDB alone: every table file into an in-memory table, all columns as text."""
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    for path in sorted(data.glob("*.csv")):
        con.execute(f"CREATE TABLE \"{path.stem}\" AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
                    [str(path)])
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": _peak_mb()}


def child_audit(data: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    from pipelines.audit import run_audit
    from pipelines.cli import write_outputs

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    con, audit = run_audit(data, as_of=dt.date.fromisoformat(AS_OF),
                           progress=lambda msg: marks.append((msg, time.perf_counter())))
    marks.append(("写出报告 writing outputs", time.perf_counter()))
    with tempfile.TemporaryDirectory() as out:
        summary = write_outputs(con, audit, Path(out))
    end = time.perf_counter()
    stages: dict[str, float] = {}
    for (name, t0), (_, t1) in zip(marks, marks[1:] + [("end", end)]):
        stages[name] = stages.get(name, 0) + t1 - t0
    return {"seconds": end - start, "peak_rss_mb": _peak_mb(), "stages": stages,
            "violations": summary["totals"]["violations"],
            "rules": {r["rule_id"]: {k: r[k] for k in ("checked", "violated", "pending", "not_evaluable")}
                      for r in summary["rules"]}}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, data: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--data", str(data)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _planted(data: Path) -> dict:
    """The generator's own count of what it planted, to set beside what the rules found."""
    path = data / "_expected.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path)
    parser.add_argument("--scale", choices=SCALES, default="full")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=("read", "audit"))
    args = parser.parse_args()
    data = args.data or ROOT / "benchmarks" / "data" / args.scale
    if args.child:
        print(json.dumps((child_read if args.child == "read" else child_audit)(data), ensure_ascii=False))
        return
    generate(data, args.scale)
    reads = [run_child("read", data) for _ in range(args.repeat)]
    audits = [run_child("audit", data) for _ in range(args.repeat)]
    read_s = statistics.median(r["seconds"] for r in reads)
    audit_s = statistics.median(a["seconds"] for a in audits)
    stage_names = audits[0]["stages"].keys()
    result = {
        "scale": args.scale, "sizes": SCALES[args.scale], "repeat": args.repeat,
        "read_seconds_median": round(read_s, 2), "read_peak_rss_mb": round(max(r["peak_rss_mb"] for r in reads)),
        "audit_seconds_median": round(audit_s, 2), "audit_peak_rss_mb": round(max(a["peak_rss_mb"] for a in audits)),
        "audit_over_read": round(audit_s / read_s, 2),
        "stage_seconds_median": {s: round(statistics.median(a["stages"].get(s, 0) for a in audits), 2)
                                 for s in stage_names},
        "audit_runs": [round(a["seconds"], 2) for a in audits], "read_runs": [round(r["seconds"], 2) for r in reads],
        "violations": audits[0]["violations"], "rules": audits[0]["rules"],
        "planted": _planted(data),
    }
    out = ROOT / "benchmarks" / "results" / f"{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
