"""``ggzy rank``: every project scored for audit risk from what the audit found, so an auditor
(审计部门, 鹤发改公管〔2022〕216号 二(三)) can say why these projects: the top N, or a
risk-weighted sample with ``ggzy draw --from-rank`` (same verifiability as any draw).

The score is a sum of parts, each shown (``WEIGHTS`` is written into the output too):

* 其他违规 ``violations``: severity points (错误 3, 警告 2, 提示 1) of the project's violations
  not counted below;
* 逾期 ``late``: severity points of violations of ``deadline`` rules (late or missing
  publication, transfer, decision, signing…);
* 报价异常 ``price_screens``: 2 × severity points of ``bid_prices`` rules (identical prices,
  patterns, cover bidding);
* 串标线索 ``collusion_leads``: 2 × severity points of ``shared_attribute`` rules;
* 关联群组 ``groups``: the largest strength of a bidder group bidding in the project, + 5 when a
  group is assessed 疑似围标串标;
* 投诉 ``complaints``: 2 per complaint about the project.

All counting is SQL over the ``violations`` table; the rule → check-kind map comes from the pack.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from .audit import run_audit

WEIGHTS = {"severity_points": {"error": 3, "warning": 2, "info": 1}, "late": 1, "price_screens": 2,
           "collusion_leads": 2, "group_suspected_bonus": 5, "complaint": 2}
PARTS = {"violations": "其他违规", "late": "逾期", "price_screens": "报价异常", "collusion_leads": "串标线索",
         "groups": "关联群组", "complaints": "投诉"}


def rank_projects(export_dir: Path, *, as_of: dt.date | None = None) -> dict:
    con, audit = run_audit(Path(export_dir), as_of=as_of)
    if not audit.export.has("projects"):
        from .reading import ExportError

        raise ExportError("导出中没有项目表 projects，无法排序 / the export has no projects table")
    con.register("rank_kinds", pd.DataFrame([(r.id, r.spec.check) for r in audit.pack.rules], columns=["rule_id", "check"]))
    sev = WEIGHTS["severity_points"]
    con.register("rank_groups", pd.DataFrame(
        [(pid, g["strength"], bool(g.get("suspected"))) for g in audit.groups
         for pid in sorted(set(g.get("lots", [])) | set(g.get("evidence_lots", [])))],
        columns=["project_id", "strength", "suspected"]) if audit.groups else
        pd.DataFrame({"project_id": pd.Series(dtype=str), "strength": pd.Series(dtype=int), "suspected": pd.Series(dtype=bool)}))
    complaints = ("SELECT project_id, count(*) AS n FROM complaints WHERE project_id IS NOT NULL GROUP BY 1"
                  if audit.export.has("complaints") else "SELECT NULL::VARCHAR AS project_id, 0 AS n WHERE FALSE")
    rows = con.execute(f"""
        WITH v AS (SELECT v.project_id, k."check",
                          CASE v.severity WHEN 'error' THEN {sev['error']} WHEN 'warning' THEN {sev['warning']} ELSE {sev['info']} END AS pts
                   FROM violations v LEFT JOIN rank_kinds k USING (rule_id) WHERE v.project_id IS NOT NULL),
        parts AS (SELECT project_id,
                  sum(pts) FILTER (WHERE "check" NOT IN ('deadline', 'bid_prices', 'shared_attribute') OR "check" IS NULL) AS violations,
                  {WEIGHTS['late']} * sum(pts) FILTER (WHERE "check" = 'deadline') AS late,
                  {WEIGHTS['price_screens']} * sum(pts) FILTER (WHERE "check" = 'bid_prices') AS price_screens,
                  {WEIGHTS['collusion_leads']} * sum(pts) FILTER (WHERE "check" = 'shared_attribute') AS collusion_leads
                  FROM v GROUP BY 1),
        g AS (SELECT project_id, max(strength) + IF(bool_or(suspected), {WEIGHTS['group_suspected_bonus']}, 0) AS groups
              FROM rank_groups GROUP BY 1),
        c AS (SELECT project_id, {WEIGHTS['complaint']} * n AS complaints FROM ({complaints}))
        SELECT p.project_id, any_value(p.project_name) AS project_name, any_value(p.department) AS department,
               coalesce(any_value(parts.violations), 0) AS violations, coalesce(any_value(parts.late), 0) AS late,
               coalesce(any_value(parts.price_screens), 0) AS price_screens,
               coalesce(any_value(parts.collusion_leads), 0) AS collusion_leads,
               coalesce(any_value(g.groups), 0) AS groups, coalesce(any_value(c.complaints), 0) AS complaints
        FROM projects p LEFT JOIN parts USING (project_id) LEFT JOIN g USING (project_id) LEFT JOIN c USING (project_id)
        GROUP BY p.project_id""").df()
    rows["score"] = rows[list(PARTS)].sum(axis=1).astype(int)
    rows = rows.sort_values(["score", "project_id"], ascending=[False, True]).reset_index(drop=True)
    rows["rank"] = range(1, len(rows) + 1)
    projects = [{"rank": int(r.rank), "project_id": str(r.project_id), "project_name": r.project_name or "",
                 "department": r.department or "", "score": int(r.score),
                 "parts": {k: int(getattr(r, k)) for k in PARTS}} for r in rows.itertuples()]
    return {"ranking": "ggzy 审计风险排序 audit risk ranking", "as_of": audit.as_of.isoformat(),
            "inputs": dict(sorted(audit.export.fingerprints().items())),
            "rule_pack": {"name": audit.pack.name, "version": audit.pack.version, "digest": audit.pack.digest},
            "weights": WEIGHTS, "parts": PARTS, "projects": projects}


def write_rank(ranking: dict, out_dir: Path) -> list[Path]:
    """rank.json (for ``ggzy draw --from-rank``), rank.csv and rank.xlsx with the score's parts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame([{"排名": r["rank"], "项目编号": r["project_id"], "项目名称": r["project_name"],
                           "行业监督部门": r["department"], "风险得分": r["score"],
                           **{PARTS[k]: v for k, v in r["parts"].items()}} for r in ranking["projects"]])
    paths = [out_dir / "rank.json", out_dir / "rank.csv", out_dir / "rank.xlsx"]
    paths[0].write_text(json.dumps(ranking, ensure_ascii=False, indent=1), encoding="utf-8")
    table.to_csv(paths[1], index=False, encoding="utf-8-sig")
    with pd.ExcelWriter(paths[2], engine="xlsxwriter") as writer:
        table.to_excel(writer, sheet_name="审计风险排序", index=False)
    return paths
