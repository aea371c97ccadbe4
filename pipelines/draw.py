"""``ggzy draw``: the 双随机 draw of 鹤发改公管〔2022〕216号 三 — targets from the 检查对象名录库
(三(二)), inspectors from the 执法人员库 (三(一)), a plan ready to publish (三(三)).

The result is a pure function of (the input files' SHA-256, the policy digest, the seed text,
the draw date and department, the algorithm name and version); the draw record holds all of
them, and :func:`verify` re-runs the draw from a record and names whatever differs. The
arithmetic is in :mod:`pipelines.draw_sampling` (Efraimidis–Spirakis over PCG64); this module
gathers the facts with DuckDB:

* targets: ``inspection_targets`` joined to ``projects`` (department falls back to the
  project's), or the projects of a ``ggzy rank`` file (``--from-rank``, weight
  ``rank_base + score``);
* eligible inspectors: in the pool, qualified on the draw date (``qualified_from ≤ d ≤
  qualified_until``, an empty end meaning no end — the facts ``inspector-qualified`` uses),
  optionally with 执法资质 filled, of the target's department and speciality when the policy
  says so, and never in conflict: working unit equal to the tenderer or a bidder of the
  project, or resident ID equal to a bidder's legal representative, agent or project manager.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import draw_sampling as ds
from . import reading
from .draw_policy import LEVEL_DIMENSIONS, Policy, policy_digest, policy_values
from .sql import literal

NEEDED = ("inspectors",)
READ = ("inspection_targets", "projects", "inspectors", "bids")
SPLIT = r"\s*[;；,，、/]\s*"


class DrawError(reading.ExportError):
    """The draw cannot be made from this input; Chinese + English."""


@dataclass
class Draw:
    """One draw: what went in, what came out."""

    seed: str
    date: dt.date
    department: str | None
    policy: Policy
    policy_file: str | None
    inputs: dict[str, str]  # file name → sha256
    source: str  # "inspection_targets" or "rank:<file>"
    population: dict
    targets: pd.DataFrame  # drawn, in draw order
    assignments: pd.DataFrame  # target_id, inspector_id (+ display columns)
    unstaffed: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _load(export_dir: Path, con: duckdb.DuckDBPyConnection, rank_file: Path | None) -> tuple[reading.Export, dict]:
    export = reading.load_export(con, Path(export_dir))
    wanted = ("projects", "inspectors", "bids") if rank_file else READ
    inputs = {tf.path.name: tf.sha256 for name, tf in export.files.items() if name in wanted}
    if export.mapping_file:
        inputs[Path(export.mapping_file).name] = reading.sha256_of(Path(export.mapping_file))
    if rank_file:
        inputs[Path(rank_file).name] = reading.sha256_of(Path(rank_file))
    for table in ("inspectors",) + (("projects",) if rank_file else ("inspection_targets",)):
        if not export.has(table):
            raise DrawError(f"缺少数据表 {table}，无法抽取 / table {table} is missing: a draw needs it")
    return export, inputs


def _targets_frame(con, export: reading.Export, department: str | None, rank_file: Path | None) -> pd.DataFrame:
    has_projects = export.has("projects")
    p_cols = ("p.department", "p.project_name", "p.tenderer_name") if has_projects else ("NULL",) * 3
    dept_filter = "" if department is None else f"WHERE department = {literal(department)}"
    if rank_file:
        try:
            rows = json.loads(Path(rank_file).read_text(encoding="utf-8"))["projects"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DrawError(f"{rank_file}: 不是 ggzy rank 的 JSON 输出 / not a ggzy rank json: {exc}") from None
        con.register("rank_rows", pd.DataFrame(
            [(str(r["project_id"]), float(r["score"])) for r in rows], columns=["project_id", "score"]))
        sql = f"""SELECT * FROM (SELECT r.project_id AS target_id, r.project_id, {p_cols[0]} AS department,
                  NULL AS risk_level, NULL AS credit_level, NULL AS speciality, {p_cols[1]} AS project_name,
                  {p_cols[2]} AS tenderer_name, r.score
                  FROM rank_rows r LEFT JOIN projects p USING (project_id)) {dept_filter} ORDER BY target_id"""
    else:
        join = "LEFT JOIN projects p USING (project_id)" if has_projects else ""
        sql = f"""SELECT * FROM (SELECT t.target_id, t.project_id, COALESCE(t.department, {p_cols[0]}) AS department,
                  t.risk_level, t.credit_level, t.speciality, {p_cols[1]} AS project_name,
                  {p_cols[2]} AS tenderer_name, NULL::DOUBLE AS score
                  FROM inspection_targets t {join}) {dept_filter} ORDER BY target_id, project_id"""
    return con.execute(sql).df()


def _weights(frame: pd.DataFrame, policy: Policy, ranked: bool) -> np.ndarray:
    if ranked:
        return policy.targets.rank_base + frame["score"].to_numpy(dtype=float)
    w = policy.targets.weights
    weight = np.ones(len(frame))
    for dim in LEVEL_DIMENSIONS:
        weight *= frame[dim].map(getattr(w, dim)).fillna(w.unknown).to_numpy(dtype=float)
    return weight


def _minimums(frame: pd.DataFrame, policy: Policy) -> tuple[list, dict]:
    out, shown = [], {}
    for dim, shares in policy.targets.minimum_ratio.items():
        levels = sorted(shares)
        codes = pd.Categorical(frame[dim], categories=levels).codes.astype(np.int64)
        counts = np.bincount(codes[codes >= 0], minlength=len(levels))
        places = ds.places_for(np.array([shares[lv] for lv in levels]), counts)
        out.append((codes, places))
        shown[dim] = {lv: {"在库": int(c), "保底": int(p)} for lv, c, p in zip(levels, counts, places)}
    return out, shown


def _eligible_pairs(con, export: reading.Export, drawn: pd.DataFrame, policy: Policy, date: dt.date) -> pd.DataFrame:
    """Every (draw position, inspector) pair the policy and the data allow, sorted; with the
    count of inspectors excluded for a conflict, per position."""
    ip = policy.inspectors
    con.register("drawn_targets", drawn[["position", "project_id", "department", "speciality", "tenderer_name"]])
    qualified = [f"qualified_from <= {literal(date.isoformat())}::DATE",
                 f"(qualified_until IS NULL OR {literal(date.isoformat())}::DATE <= qualified_until)"]
    if ip.require_qualification:
        qualified.append("qualification IS NOT NULL")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE draw_pool AS
        SELECT row_number() OVER (ORDER BY inspector_id) - 1 AS idx, inspector_id, department,
               ggzy_norm_name(unit) AS unit, id_number,
               list_filter(regexp_split_to_array(coalesce(specialities, ''), {literal(SPLIT)}), lambda x: x <> '') AS specs
        FROM inspectors WHERE {' AND '.join(qualified)}""")
    bidders = ""
    if export.has("bids"):  # only the drawn projects' bids: normalising every name would cost seconds
        bidders = """UNION ALL SELECT project_id, NULL, unnest([legal_rep_id, agent_id, project_manager_id]) FROM b
                     UNION ALL SELECT project_id, ggzy_norm_name(bidder_name), NULL FROM b"""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE draw_links AS
        WITH b AS (SELECT * FROM bids SEMI JOIN drawn_targets d ON d.project_id = bids.project_id)
        SELECT DISTINCT project_id, unit, id FROM (
            SELECT project_id, ggzy_norm_name(tenderer_name) AS unit, NULL AS id FROM drawn_targets {bidders})
        WHERE unit IS NOT NULL OR id IS NOT NULL""" if bidders else f"""CREATE OR REPLACE TEMP TABLE draw_links AS
        SELECT DISTINCT project_id, ggzy_norm_name(tenderer_name) AS unit, NULL AS id FROM drawn_targets""")
    # conflicts as equi-joins (unit, resident ID), never a per-pair subquery
    con.execute("""CREATE OR REPLACE TEMP TABLE draw_conflicts AS
        SELECT DISTINCT d.position, i.idx FROM drawn_targets d JOIN draw_links l ON l.project_id = d.project_id
            JOIN draw_pool i ON l.unit = i.unit
        UNION SELECT d.position, i.idx FROM drawn_targets d JOIN draw_links l ON l.project_id = d.project_id
            JOIN draw_pool i ON l.id = i.id_number""")
    # matching as equi-joins: one row per (inspector, speciality) when specialities must match
    dept = "i.department = d.department" if ip.same_department else "TRUE"
    if ip.match_speciality:
        con.execute("""CREATE OR REPLACE TEMP TABLE draw_specs AS
            SELECT DISTINCT idx, department, unnest(specs) AS speciality FROM draw_pool""")
        joined = f"""SELECT d.position, i.idx FROM drawn_targets d JOIN draw_specs i
                       ON {dept} AND i.speciality = d.speciality
                     UNION ALL SELECT d.position, i.idx FROM drawn_targets d JOIN draw_pool i
                       ON {dept} WHERE d.speciality IS NULL"""
    else:
        joined = f"SELECT d.position, i.idx FROM drawn_targets d JOIN draw_pool i ON {dept}"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE draw_candidates AS
        SELECT DISTINCT p.position, p.idx, c.idx IS NOT NULL AS conflicted FROM ({joined}) p
        LEFT JOIN draw_conflicts c ON c.position = p.position AND c.idx = p.idx""")
    found = con.execute("SELECT position, idx, conflicted FROM draw_candidates ORDER BY position, idx").fetchnumpy()
    return pd.DataFrame({k: np.asarray(v) for k, v in found.items()})


def run_draw(export_dir: Path, policy: Policy, seed: str, *, date: dt.date, department: str | None = None,
             policy_file: str | None = None, rank_file: Path | None = None) -> Draw:
    """Draw targets and inspectors; see the module docstring for the facts used."""
    con = duckdb.connect()
    export, inputs = _load(export_dir, con, rank_file)
    frame = _targets_frame(con, export, department, rank_file)
    notes = []
    if not export.has("projects"):
        notes.append("导出中没有项目表：无法核对执法人员与招标人同单位的回避情形")
    if not export.has("bids"):
        notes.append("导出中没有投标记录：无法核对执法人员与投标人的关联回避情形")
    rng = ds.generator(seed)
    weights = _weights(frame, policy, bool(rank_file))
    keys = ds.es_keys(rng, weights)
    mins, shown = ([], {}) if rank_file else _minimums(frame, policy)
    t = policy.targets
    size = t.count if t.count is not None else ds.places_for(np.array([t.ratio]), np.array([len(frame)]))[0]
    drawn_idx, by_floor = ds.select(keys, int(size), mins)
    drawn = frame.iloc[drawn_idx].reset_index(drop=True)
    drawn.insert(0, "position", np.arange(len(drawn)))
    drawn["weight"] = weights[drawn_idx]
    drawn["stage"] = np.where(by_floor, "保底", "加权")

    pairs = _eligible_pairs(con, export, drawn, policy, date)
    conflicts = pairs[pairs["conflicted"]].groupby("position").size()
    pairs = pairs[~pairs["conflicted"]]
    uniforms = rng.random(len(pairs))
    pool = con.execute("""SELECT d.idx, d.inspector_id, any_value(i.inspector_name) AS inspector_name,
        any_value(i.certificate_no) AS certificate_no FROM draw_pool d JOIN inspectors i USING (inspector_id)
        GROUP BY d.idx, d.inspector_id ORDER BY d.idx""").df()
    ip = policy.inspectors
    tpos, iidx = ds.assign(pairs["position"].to_numpy(np.int64), pairs["idx"].to_numpy(np.int64), uniforms,
                           len(drawn), len(pool), ip.per_target, ip.max_targets_each)
    assignments = pd.DataFrame({"target_id": drawn["target_id"].to_numpy()[tpos],
                                "inspector_id": pool["inspector_id"].to_numpy()[iidx], "position": tpos,
                                "inspector_name": pool["inspector_name"].to_numpy()[iidx],
                                "certificate_no": pool["certificate_no"].to_numpy()[iidx]})
    assignments = assignments.sort_values(["position", "inspector_id"]).reset_index(drop=True)
    staffed = np.bincount(tpos, minlength=len(drawn))
    drawn["conflicts_avoided"] = conflicts.reindex(drawn["position"]).fillna(0).astype(int).to_numpy()
    unstaffed = [{"target_id": str(tid), "assigned": int(n), "needed": ip.per_target}
                 for tid, n in zip(drawn["target_id"], staffed) if n < ip.per_target]
    population = {"targets": len(frame), "drawn": len(drawn), "eligible_inspectors": len(pool), "minimums": shown}
    source = f"rank:{Path(rank_file).name}" if rank_file else "inspection_targets"
    return Draw(seed, date, department, policy, policy_file, inputs, source, population, drawn, assignments,
                unstaffed, notes)


# --- the record -----------------------------------------------------------------------------

def _canonical(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def result_of(draw: Draw) -> dict:
    targets = [{"order": int(r.position) + 1, "target_id": str(r.target_id), "project_id": str(r.project_id),
                "weight": round(float(r.weight), 12), "stage": r.stage} for r in draw.targets.itertuples()]
    assigned = [[str(a), str(b)] for a, b in zip(draw.assignments["target_id"], draw.assignments["inspector_id"])]
    return {"targets": targets, "assignments": assigned, "unstaffed": draw.unstaffed}


def record_of(draw: Draw) -> dict:
    """The draw record: every fact the result depends on, and the result with its digest."""
    result = result_of(draw)
    return {
        "record": "ggzy 双随机抽取记录 draw record", "format": 1,
        "algorithm": {"name": ds.ALGORITHM, "version": ds.VERSION, "module": "pipelines.draw_sampling"},
        "seed": {"text": draw.seed, "sha256": ds.seed_digest(draw.seed)},
        "draw_date": draw.date.isoformat(), "department": draw.department, "source": draw.source,
        "policy": {"file": draw.policy_file, "digest": policy_digest(draw.policy), "values": policy_values(draw.policy)},
        "inputs": dict(sorted(draw.inputs.items())),
        "population": draw.population, "notes": draw.notes,
        "result": result, "result_sha256": hashlib.sha256(_canonical(result).encode("utf-8")).hexdigest(),
    }
