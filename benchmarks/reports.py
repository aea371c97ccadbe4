#!/usr/bin/env python3
"""Time report generation for an audit with 10 000 violations (issue #3: all formats < 10 s).

    python benchmarks/reports.py [--violations 10000] [--repeat 3] [--source generated|sample] [--browser]
                                 [--keep-output]

1. Audit a real export: ``generated`` (default) is a synthetic export from
   ``benchmarks/generate.py`` (cached in ``benchmarks/data/``, audited as of 2026-12-31, the
   generator's end of data; it yields ~18 000 violations); ``sample`` is examples/sample-export
   as of 2026-11-27 (18 violations, so its rows are repeated).
2. Bring the ``violations`` table to exactly ``--violations`` rows. With fewer real violations, the
   real rows are repeated — same rule, message and evidence, record id suffixed ``#n`` and the
   department spread over the Hegang supervising bodies, so charts and tables have realistic
   breadth; with more, a deterministic sample is kept. Per-rule counts in the summary follow.
3. Time ``pipelines.cli.write_outputs`` — every format registered in ``WRITERS`` plus json —
   ``--repeat`` times; report the median, each writer's own time and the output sizes.
   ``--browser`` also times headless Chromium loading report.html (process start included).

Writes the figures to ``benchmarks/results/reports.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2026, 12, 31)
#: export sizes that give a little over 10 000 violations with the shipped rule pack
SIZES = dict(projects=8_000, bids=60_000, credit=6_000, inspections=20_000, complaints=12_000)
BUDGET_SECONDS = 10.0


def _generator():
    spec = importlib.util.spec_from_file_location("ggzy_bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE = ROOT / "examples" / "sample-export"
SAMPLE_AS_OF = dt.date(2026, 11, 27)
#: the supervising bodies copies are spread over (the joint meeting's members and county bureaus)
DEPARTMENTS = ["市住建局", "市交通运输局", "市水务局", "市农业农村局", "市自然资源局", "市财政局",
               "萝北县住建局", "绥滨县农业农村局", "东山区水务局", "兴山区住建局", "向阳区交通运输局", "南山区财政局"]


def prepare(source: str, data: Path, wanted: int):
    """(con, audit, found): a real audit, its violations set to exactly ``wanted``."""
    from pipelines.audit import run_audit

    if source == "generated":
        if not (data / "inspections.csv").exists():
            data.mkdir(parents=True, exist_ok=True)
            _generator().generate(data, seed=1, **SIZES)
        con, audit = run_audit(data, as_of=AS_OF)
    else:
        con, audit = run_audit(SAMPLE, as_of=SAMPLE_AS_OF)
    found = con.execute("SELECT count(*) FROM violations").fetchone()[0]
    if found > wanted:  # a deterministic sample across all rules
        con.execute(f"""CREATE OR REPLACE TABLE violations AS
                        SELECT * FROM violations ORDER BY hash(rule_id, "key") LIMIT {int(wanted)}""")
    elif found < wanted:
        copies = -(-wanted // max(found, 1))
        con.execute(f"""INSERT INTO violations BY NAME
                        SELECT v.* REPLACE (v.record_id || '#' || i AS record_id, v."key" || '#' || i AS "key",
                                            $departments[CAST(1 + (i * 7 + hash(v.record_id)) % 12 AS BIGINT)] AS department)
                        FROM violations v, range(1, {copies}) t(i)""", {"departments": DEPARTMENTS})
        con.execute(f"""CREATE OR REPLACE TABLE violations AS
                        SELECT * FROM violations ORDER BY rule_order, hash(rule_id, "key") LIMIT {int(wanted)}""")
    per_rule = dict(con.execute("SELECT rule_id, count(*) FROM violations GROUP BY 1").fetchall())
    for result in audit.results:  # keep summary.json consistent with the table
        if result.evaluated:
            result.counts["violated"] = per_rule.get(result.rule_id, 0)
    return con, audit, found


def time_outputs(con, audit, repeat: int) -> dict:
    from pipelines.cli import write_outputs
    from reports import outputs

    runs, cpu = [], []
    writer_times = {name: [] for name in outputs.WRITERS}
    writer_cpu = {name: [] for name in outputs.WRITERS}
    originals = dict(outputs.WRITERS)

    def timed(name, fn):
        def wrapper(data, out_dir):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = fn(data, out_dir)
            writer_times[name].append(time.perf_counter() - start)
            writer_cpu[name].append(time.process_time() - start_cpu)
            return result
        return wrapper

    sizes = {}
    try:
        for name, fn in originals.items():
            outputs.WRITERS[name] = timed(name, fn)
        keep = None
        for _ in range(repeat):
            if keep:
                shutil.rmtree(keep, ignore_errors=True)
            out = Path(tempfile.mkdtemp(prefix="ggzy-reports-"))
            start, start_cpu = time.perf_counter(), time.process_time()
            summary = write_outputs(con, audit, out)
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
            keep = out
    finally:
        outputs.WRITERS.clear()
        outputs.WRITERS.update(originals)
    return {"seconds": runs, "median": statistics.median(runs), "cpu_seconds": cpu, "cpu_median": statistics.median(cpu),
            "formats": list(originals), "load_average": os.getloadavg(), "cpus": os.cpu_count(),
            "writer_median": {k: statistics.median(v) for k, v in writer_times.items() if v},
            "writer_cpu_median": {k: statistics.median(v) for k, v in writer_cpu.items() if v},
            "bytes": sizes, "violations": summary["totals"]["violations"], "out": str(keep)}


def time_browser(report: Path, repeat: int) -> dict | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return None
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as profile:
            start = time.perf_counter()
            dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                  f"--user-data-dir={profile}", "--dump-dom", report.as_uri()],
                                 capture_output=True, text=True, timeout=300).stdout
            runs.append(time.perf_counter() - start)
        assert 'data-filters="ready"' in dom, "the page's script did not run"
    return {"seconds": runs, "median": statistics.median(runs)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--violations", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--source", choices=("generated", "sample"), default="generated")
    ap.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "reports-export",
                    help="where --source generated keeps its export")
    ap.add_argument("--browser", action="store_true", help="also time Chromium loading report.html")
    ap.add_argument("--keep-output", action="store_true", help="keep the last run's output folder")
    args = ap.parse_args(argv)

    start = time.perf_counter()
    con, audit, found = prepare(args.source, args.data, args.violations)
    print(f"审计 audit: {found} violations found, set to {args.violations} ({time.perf_counter() - start:.1f} s)")
    result = time_outputs(con, audit, args.repeat)
    print(f"write_outputs ({', '.join(['json', *result['formats']])}): "
          + ", ".join(f"{s:.2f}" for s in result["seconds"]) + f" s; median {result['median']:.2f} s "
          f"(budget {BUDGET_SECONDS:.0f} s); CPU median {result['cpu_median']:.2f} s; "
          f"load average {result['load_average'][0]:.1f} on {result['cpus']} CPUs")
    for name, seconds in result["writer_median"].items():
        print(f"  {name}: {seconds:.2f} s (CPU {result['writer_cpu_median'][name]:.2f} s)")
    for name, size in result["bytes"].items():
        print(f"  {name}: {size / 1e6:.1f} MB")
    if args.browser:
        result["browser"] = time_browser(Path(result["out"]) / "report.html", args.repeat)
        if result["browser"]:
            print(f"chromium load report.html: median {result['browser']['median']:.2f} s")
    if args.keep_output:
        print(f"输出 outputs kept in {result['out']}")
    else:
        shutil.rmtree(result.pop("out"), ignore_errors=True)
    result.update(source=args.source, found=found, budget_seconds=BUDGET_SECONDS,
                  export_sizes=SIZES if args.source == "generated" else None)
    path = ROOT / "benchmarks" / "results" / "reports.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"结果 results: {path}")
    return 0 if result["median"] < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
