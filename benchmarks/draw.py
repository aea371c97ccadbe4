#!/usr/bin/env python3
"""Time ``ggzy draw`` over a large directory: 100k targets (with projects and bids) and 5k
inspectors by default, synthetic and deterministic, three runs, median reported.

    python benchmarks/draw.py [--targets 100000] [--inspectors 5000] [--repeat 3] [--keep DIR]

The draw itself (reading the four tables, hashing them, weighting, sampling, the inspector
assignment, writing plan/csv/xlsx/record) is timed in-process; the export is built once with
numpy + DuckDB ``COPY``. Results go to ``benchmarks/results/draw.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.draw import run_draw  # noqa: E402
from pipelines.draw_outputs import write_draw  # noqa: E402
from pipelines.draw_policy import parse_policy  # noqa: E402

DEPARTMENTS = np.array(["市住建局", "市交通运输局", "市水务局", "市农业农村局", "市自然资源局", "市财政局"])
SPECIALITIES = np.array(["房屋建筑工程", "市政公用工程", "公路工程", "水利水电工程", "农田建设工程"])
POLICY = """
targets:
  ratio: 0.1
  weights: {risk_level: {高: 3, 中: 1.5, 低: 1}, credit_level: {A: 0.8, B: 1, C: 1.5, D: 2}}
  minimum_ratio: {risk_level: {高: 0.05, 中: 0.05, 低: 0.05}}
inspectors: {per_target: 2, max_targets_each: 5}
"""


def _write(con, frame: pd.DataFrame, path: Path) -> None:
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (HEADER, DELIMITER ',')")
    con.unregister("frame")


def build(folder: Path, targets: int, inspectors: int) -> None:
    rng = np.random.default_rng(1)
    con = duckdb.connect()
    ids = np.char.add("P", np.arange(targets).astype(str))
    dept = DEPARTMENTS[rng.integers(0, len(DEPARTMENTS), targets)]
    _write(con, pd.DataFrame({"project_id": ids, "project_name": np.char.add("工程", ids), "department": dept,
                              "tenderer_name": np.char.add("招标人", rng.integers(0, 2000, targets).astype(str))}),
           folder / "projects.csv")
    _write(con, pd.DataFrame({"target_id": np.char.add("T", np.arange(targets).astype(str)), "project_id": ids,
                              "department": dept, "risk_level": np.array(["高", "中", "低", ""])[rng.integers(0, 4, targets)],
                              "credit_level": np.array(["A", "B", "C", "D", ""])[rng.integers(0, 5, targets)],
                              "speciality": SPECIALITIES[rng.integers(0, len(SPECIALITIES), targets)]}),
           folder / "inspection_targets.csv")
    bids = targets * 3
    _write(con, pd.DataFrame({"bid_id": np.char.add("B", np.arange(bids).astype(str)),
                              "project_id": ids[rng.integers(0, targets, bids)],
                              "bidder_name": np.char.add("公司", rng.integers(0, 5000, bids).astype(str)),
                              "legal_rep_id": np.char.add("2304021970", rng.integers(10**7, 10**8, bids).astype(str))}),
           folder / "bids.csv")
    n = inspectors
    _write(con, pd.DataFrame({
        "inspector_id": np.char.add("ZF", np.arange(n).astype(str)), "department": DEPARTMENTS[rng.integers(0, 6, n)],
        "inspector_name": "某某", "qualification": "行政执法证",
        "specialities": [f"{a}；{b}" for a, b in SPECIALITIES[rng.integers(0, 5, (n, 2))]],
        "qualified_from": "2022-01-01", "qualified_until": np.where(rng.random(n) < 0.1, "2025-12-31", "2028-12-31"),
        "unit": np.where(rng.random(n) < 0.02, np.char.add("招标人", rng.integers(0, 2000, n).astype(str)), "市直部门"),
        "id_number": np.char.add("2304021970", rng.integers(10**7, 10**8, n).astype(str))}), folder / "inspectors.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the export here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ggzy-draw-") as tmp:
        folder = args.keep or Path(tmp) / "export"
        folder.mkdir(parents=True, exist_ok=True)
        build(folder, args.targets, args.inspectors)
        policy = parse_policy(POLICY, "benchmark policy")
        times, draw = [], None
        for k in range(args.repeat):
            start = time.perf_counter()
            draw = run_draw(folder, policy, "benchmark seed", date=dt.date(2026, 12, 1))
            write_draw(draw, Path(tmp) / f"out{k}")
            times.append(time.perf_counter() - start)
    result = {"targets": args.targets, "inspectors": args.inspectors, "drawn": len(draw.targets),
              "assignments": len(draw.assignments), "unstaffed": len(draw.unstaffed),
              "seconds": [round(t, 2) for t in times], "median_seconds": round(statistics.median(times), 2)}
    print(json.dumps(result, ensure_ascii=False))
    out = ROOT / "benchmarks" / "results" / "draw.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
