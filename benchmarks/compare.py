#!/usr/bin/env python3
"""ggzy side by side with its peers on one generated export (issue #13): ratios, not seconds.

    python benchmarks/compare.py [--scales 0.3,1,3] [--repeat 3] [--data-root DIR]

For each scale (1 = 100k projects, 1M bids; see ``generate.py --scale``) it generates the export
once (kept under ``--data-root``), then runs, each in a fresh subprocess, ``--repeat`` times,
interleaved round by round so machine load hits all of them alike:

- ``read``: DuckDB reading every table file into an in-memory table, all columns as text;
- ``peer``: ``peer_pandas.py``, the five headline checks as a lean pandas script;
- ``headline``: ``ggzy audit --only <the five headline rules> --format json``;
- ``full``: ``ggzy audit`` with the whole pack and every output format;
- ``headline_bounded``, ``full_bounded``: the same with ``--memory 700MB`` (DuckDB's memory limit;
  past it DuckDB spills to a temp folder), to show what bounded memory costs in time.

Wall time is the subprocess's start to exit. Peak memory is the larger of (a) ``ru_maxrss`` of the
child from ``os.wait4`` (the kernel's own high-water mark of that process) and (b) the sum of RSS
over the child's process tree, sampled with psutil every 20 ms (catches helper processes).
Medians are reported, and ratios ggzy ÷ peer and ggzy ÷ DuckDB read. The honesty check: the
peer's count of each headline check must equal ggzy's ``violated`` for that rule; a mismatch is
printed and recorded (``counts_equal: false``) and makes the exit code 1.

Results go to ``benchmarks/results/compare.json`` (one entry per scale).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = ["credit-clause", "inspection-disclosure", "complaint-transfer", "dishonest-bidder", "bribery-record"]
AS_OF = "2026-12-31"  # every planted due date has passed (see _expected.json)
BOUNDED = "700MB"  # --memory of the *_bounded runs: DuckDB's limit, below the peer's whole footprint
READ = """
import sys, time, duckdb
from pathlib import Path
con = duckdb.connect()
for p in sorted(Path(sys.argv[1]).glob('*.csv')):
    con.execute(f'CREATE TABLE "{p.stem}" AS SELECT * FROM read_csv(?, all_varchar = true, header = true)', [str(p)])
"""


def measure(cmd: list[str]) -> dict:
    """Run ``cmd``; wall seconds, peak RSS (MB) of its process tree, exit code, stdout."""
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
    tree_peak = 0
    ps = psutil.Process(proc.pid)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            tree_peak = max(tree_peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    return {"seconds": seconds, "peak_rss_mb": max(usage.ru_maxrss / 1024, tree_peak / 2**20),
            "rc": proc.returncode, "stdout": out.read().decode("utf-8", "replace")}


def generate(data: Path, scale: float) -> None:
    if (data / "_expected.json").exists():
        return
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(data), f"--scale={scale}"],
                   check=True, stdout=subprocess.DEVNULL)


def ggzy(data: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "audit", str(data), "--out", str(out), "--as-of", AS_OF, *extra]


def violated(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {r["rule_id"]: r["violated"] for r in summary["rules"]}, summary["totals"]["violations"]


def run_scale(scale: float, data: Path, repeat: int, work: Path, only: list[str] | None = None) -> dict:
    generate(data, scale)
    kinds = {
        "read": lambda: [sys.executable, "-c", READ, str(data)],
        "peer": lambda: [sys.executable, str(ROOT / "benchmarks" / "peer_pandas.py"), str(data), "--as-of", AS_OF],
        "headline": lambda: ggzy(data, work / "headline", "--only", *HEADLINE, "--format", "json"),
        "full": lambda: ggzy(data, work / "full"),
        # the same two with DuckDB held to BOUNDED (ggzy audit --memory), spilling to disk past it
        "headline_bounded": lambda: ggzy(data, work / "headline_bounded", "--only", *HEADLINE, "--format", "json",
                                         "--memory", BOUNDED),
        "full_bounded": lambda: ggzy(data, work / "full_bounded", "--memory", BOUNDED),
    }
    kinds = {k: v for k, v in kinds.items() if not only or k in only}
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for i in range(repeat):
        for kind, cmd in kinds.items():
            shutil.rmtree(work / kind, ignore_errors=True)
            shutil.rmtree(work / ".ggzy-cache", ignore_errors=True)  # every run starts cold
            r = measure(cmd())
            if r["rc"] not in (0, 1):
                raise SystemExit(f"{kind} exited {r['rc']} at scale {scale}")
            runs[kind].append(r)
            print(f"  scale {scale} round {i + 1}: {kind:16s} {r['seconds']:7.2f} s {r['peak_rss_mb']:7.0f} MB",
                  flush=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    rss = {k: statistics.median(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    peer_counts = json.loads(runs["peer"][-1]["stdout"].strip().splitlines()[-1])
    found = {k: violated(work / k) for k in ("headline", "full", "headline_bounded", "full_bounded") if k in runs}
    counts = {k: f[0] for k, f in found.items()}
    mismatch = {r: {"peer": peer_counts[r], **{f"ggzy_{k}": c.get(r) for k, c in counts.items()}}
                for r in HEADLINE if any(c.get(r) != peer_counts[r] for c in counts.values())}
    ggzy_kinds = ("headline", "full", "headline_bounded", "full_bounded")
    ratios = {f"{k}_over_{base}": round(med[k] / med[base], 2)
              for k in ggzy_kinds if k in med for base in ("peer", "read") if base in med}
    ratios.update({f"{k}_rss_over_peer": round(rss[k] / rss["peer"], 2) for k in ggzy_kinds if k in rss})
    html = work / "full" / "report.html"
    return {
        "scale": scale, "rows": json.loads((data / "_expected.json").read_text(encoding="utf-8"))["rows"],
        "csv_mb": round(sum(p.stat().st_size for p in data.glob("*.csv")) / 1e6, 1),
        "seconds_median": {k: round(v, 2) for k, v in med.items()},
        "peak_rss_mb_median": {k: round(v) for k, v in rss.items()},
        "runs_seconds": {k: [round(r["seconds"], 2) for r in v] for k, v in runs.items()},
        "ratios": ratios,
        "headline_counts": {"peer": peer_counts, **{f"ggzy_{k}": {r: c.get(r) for r in HEADLINE} for k, c in counts.items()}},
        "counts_equal": not mismatch, "mismatch": mismatch,
        "full_violations": found["full"][1] if "full" in found else None,
        "bounded_memory": BOUNDED,
        "report_html_mb": round(html.stat().st_size / 1e6, 1) if "full" in runs and html.exists() else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1", help="comma-separated, e.g. 0.3,1,3 (1 = 100k projects, 1M bids)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data-root", type=Path, default=ROOT / "benchmarks" / "data")
    ap.add_argument("--kinds", default="read,peer,headline,full,headline_bounded,full_bounded",
                    help="which of read, peer, headline, full, headline_bounded, full_bounded to run "
                         "(peer is always needed for the ratios)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "compare.json")
    a = ap.parse_args(argv)
    scales = [float(s) for s in a.scales.split(",")]
    result = {"machine": {"cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
                          "python": platform.python_version(), "load_avg_at_start": os.getloadavg()},
              "as_of": AS_OF, "repeat": a.repeat, "headline_rules": HEADLINE,
              "memory_measure": "max(ru_maxrss of the child via os.wait4, psutil RSS sum over its tree every 20 ms)",
              "scales": []}
    with tempfile.TemporaryDirectory(prefix="ggzy-compare-") as work:
        for s in scales:
            only = sorted({"peer", *a.kinds.split(",")})
            result["scales"].append(run_scale(s, a.data_root / f"scale-{s:g}", a.repeat, Path(work), only))
    if len(scales) > 1:
        base = result["scales"][0]
        result["growth"] = [{"scale": e["scale"], "rows_factor": round(e["scale"] / base["scale"], 2),
                             "seconds_factor": {k: round(e["seconds_median"][k] / base["seconds_median"][k], 2)
                                                for k in e["seconds_median"]},
                             "rss_factor": {k: round(e["peak_rss_mb_median"][k] / base["peak_rss_mb_median"][k], 2)
                                            for k in e["peak_rss_mb_median"]}}
                            for e in result["scales"][1:]]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items()}, ensure_ascii=False, indent=1))
    return 0 if all(e["counts_equal"] for e in result["scales"]) else 1


if __name__ == "__main__":
    sys.exit(main())
