#!/usr/bin/env python3
"""Time the collusion stage (围标串标, issue #5) on a generated export and check it against the
groups the generator planted.

    python benchmarks/collusion.py [--data /tmp/bench-export] [--repeat 3]

The export must come from ``generate.py --collusion-groups K`` (it is generated at full scale with
50 groups when ``--data`` has no bids.csv). Each repetition runs in a fresh process: the audit
with only the collusion rules (kinds ``shared_attribute`` and ``bid_prices``), then the network
step. The collusion stage is those rules plus the network step, from the audit's progress marks;
reading the export and its contract check are timed apart. Peak memory is given for the whole
process and, on Linux, for the collusion stage alone (the peak RSS count is reset when it starts,
so it includes the export already held in memory). Checked against
``_planted_groups.json``:

* every planted group is found: a group whose members are exactly the planted members, whose
  lots include the planted lots, with rotation;
* no group that is not planted reaches strength ≥ 2.

Prints the figures and writes them to ``benchmarks/results/collusion.json``. The goal (issue #5):
the collusion stage under 60 s at full scale (1M bids, 100k lots, 50 groups).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = dict(projects=100_000, bids=1_000_000, credit=100_000, inspections=50_000, complaints=50_000)
AS_OF = "2026-12-31"
KINDS = ("shared_attribute", "bid_prices")
NETWORK_STEP = "围标串标关联分析 bidder networks"


def ensure_export(data: Path, groups: int) -> None:
    if (data / "bids.csv").exists() or (data / "bids.parquet").exists():
        return
    args = [f"--{k}={v}" for k, v in FULL.items()] + [f"--collusion-groups={groups}"]
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(data), *args], check=True)


def child(data: Path) -> dict:
    """One audit with the collusion rules only, in this process."""
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    from pipelines.audit import run_audit
    from pipelines.rules import load_pack

    ids = [r.id for r in load_pack().rules if r.spec.check in KINDS and r.spec.enabled]
    marks: list[tuple[str, float]] = []
    at_start: dict[str, float | None] = {}

    def progress(msg: str) -> None:
        if msg.startswith("规则 ") and not at_start:
            at_start["rss_mb"] = _status_mb("VmRSS")
            _reset_peak_rss()  # from here on, the peak is the collusion stage's own
        marks.append((msg, time.perf_counter()))

    start = time.perf_counter()
    con, audit = run_audit(data, as_of=dt.date.fromisoformat(AS_OF), only=ids, progress=progress)
    stage_peak = _status_mb("VmHWM")
    end = time.perf_counter()
    stages: dict[str, float] = {}
    for (name, t0), (_, t1) in zip(marks, marks[1:] + [("end", end)]):
        stages[name] = stages.get(name, 0) + t1 - t0
    collusion = {k: v for k, v in stages.items() if k == NETWORK_STEP or k.removeprefix("规则 ") in ids}
    violations = dict(con.execute("SELECT rule_id, count(*) FROM violations GROUP BY 1 ORDER BY 1").fetchall())
    return {"total_seconds": end - start, "collusion_seconds": sum(collusion.values()),
            "collusion_stages": collusion, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "collusion_peak_rss_mb": stage_peak, "rss_at_collusion_start_mb": at_start.get("rss_mb"),
            "violations": violations,
            "rules": {r.rule_id: {**r.counts, "not_evaluable_reasons": r.reasons} for r in audit.results},
            "groups": audit.groups}


def _reset_peak_rss() -> None:
    """Linux: restart the process's peak-RSS count (VmHWM) from its current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _status_mb(field: str) -> float | None:
    """A /proc/self/status memory figure in MB (VmRSS: now; VmHWM: peak since the last reset),
    or None where /proc is not there."""
    try:
        line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) / 1024


def compare(groups: list[dict], planted: list[dict]) -> dict:
    """Planted groups found (exact members, planted lots covered, rotation) and unplanted groups."""
    by_members = {frozenset(g["members"]): g for g in groups}
    found, missing = [], []
    for p in planted:
        g = by_members.get(frozenset(p["members"]))
        ok = (g is not None and set(p["lots"]) <= set(g["lots"]) and set(p["lots"]) <= set(g["evidence_lots"])
              and g["rotation"] and set(p["shared"]) <= set(g["evidence_types"]))
        (found if ok else missing).append({"planted": p["group_id"], "found": g and g["group_id"],
                                           "strength": g and g["strength"]})
    planted_sets = {frozenset(p["members"]) for p in planted}
    unplanted = [g for g in groups if frozenset(g["members"]) not in planted_sets]
    exact_lots = sum(1 for p in planted if (g := by_members.get(frozenset(p["members"])))
                     and g["lots"] == sorted(p["co_bid_lots"]))
    return {"planted": len(planted), "found": len(found), "missing": missing,
            "lots_equal_generator_co_bid_lots": exact_lots,
            "unplanted_groups": len(unplanted),
            "unplanted_strength_ge_2": [{k: g[k] for k in ("group_id", "members", "strength", "evidence_types")}
                                        for g in unplanted if g["strength"] >= 2],
            "planted_strength_min": min((f["strength"] for f in found), default=None),
            "suspected_groups": sum(g["suspected"] for g in groups)}


def run_child(data: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", "--data", str(data)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench-export"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--groups", type=int, default=50, help="planted groups when generating")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.data), ensure_ascii=False))
        return
    ensure_export(args.data, args.groups)
    planted = json.loads((args.data / "_planted_groups.json").read_text(encoding="utf-8"))["groups"]
    runs = [run_child(args.data) for _ in range(args.repeat)]
    check = compare(runs[0]["groups"], planted)
    stage_names = runs[0]["collusion_stages"].keys()
    result = {
        "data": str(args.data), "repeat": args.repeat,
        "collusion_seconds_median": round(statistics.median(r["collusion_seconds"] for r in runs), 2),
        "collusion_runs": [round(r["collusion_seconds"], 2) for r in runs],
        "stage_seconds_median": {s: round(statistics.median(r["collusion_stages"][s] for r in runs), 2)
                                 for s in stage_names},
        "audit_total_seconds_median": round(statistics.median(r["total_seconds"] for r in runs), 2),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
        "collusion_stage_peak_rss_mb": (round(max(r["collusion_peak_rss_mb"] for r in runs))
                                        if all(r["collusion_peak_rss_mb"] for r in runs) else None),
        "rss_at_collusion_start_mb": (round(max(r["rss_at_collusion_start_mb"] for r in runs))
                                      if all(r["rss_at_collusion_start_mb"] for r in runs) else None),
        "check": check,
        "violations": runs[0]["violations"],
        "rules": runs[0]["rules"],
        "groups": len(runs[0]["groups"]),
    }
    out = ROOT / "benchmarks" / "results" / "collusion.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("rules",)}, ensure_ascii=False, indent=2))
    ok = check["found"] == check["planted"] and not check["unplanted_strength_ge_2"]
    sys.exit(0 if ok and result["collusion_seconds_median"] < 60 else 1)


if __name__ == "__main__":
    main()
