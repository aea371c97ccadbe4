"""``ggzy inspect``: everything ggzy knows about one project, for the inspector or auditor who
opens its file (双随机 inspections, 鹤发改公管〔2022〕216号 三; audits, 二(三)).

Runs the audit once and gathers, for the project: the timeline of its dated events (notices,
documents, deadline, evaluation, candidates, award, contract) each with the rules that held it
to a limit and their outcome; the notices with the credit-clause results; the bids with every
finding on them (list hits, shared attributes); the bidder groups its bidders belong to; its
complaints and inspections; and every rule's outcome for it — including pending, not evaluable
(with the reason) and rules not evaluated at all. Personal data is masked here, before any
writer sees it; reports.inspect_page only lays the page out.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from . import schema
from .audit import run_audit
from .contract import mask_value
from .reading import ExportError
from .sql import ident, literal, records

OUTCOME_ZH = {"violated": "违规", "compliant": "合规", "pending": "待到期", "not_evaluable": "无法判断"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def show(value, kind: str = "text", personal: bool = False) -> str:
    """A cell as people read it: dates without a midnight time, personal data masked."""
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d" if (value.hour, value.minute) == (0, 0) else "%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return mask_value(text, kind) if personal else text


def reason_text(reason) -> str:
    """A not-evaluable reason: the JSON object's ``text`` (the new interface) or the old sentence."""
    if not reason:
        return ""
    try:
        data = json.loads(reason)
    except (TypeError, ValueError):
        return str(reason)
    return str(data.get("text", reason)) if isinstance(data, dict) else str(reason)


def _rows(con, table: str, where: str) -> list[dict]:
    t = schema.TABLES[table]
    cols = ", ".join(ident(c.name) for c in t.loaded_columns)
    found = records(con, f"SELECT {cols} FROM {ident(table)} WHERE {where} ORDER BY 1")
    return [{c.label: show(r[c.name], c.kind, c.personal) for c in t.loaded_columns} | {"_id": r[t.key]}
            for r in found]


def build_page(export_dir: Path, project_id: str, *, as_of: dt.date | None = None) -> dict:
    """The page's data for ``project_id``; ExportError when the project is not in the export."""
    con, audit = run_audit(Path(export_dir), as_of=as_of)
    if not audit.export.has("projects"):
        raise ExportError("导出中没有项目表 projects / the export has no projects table")
    pid = literal(project_id)
    project = _rows(con, "projects", f"project_id = {pid}")
    if not project:
        raise ExportError(f"项目表中没有项目 {project_id} / project {project_id!r} is not in projects")
    by_rule = {r.id: r for r in audit.pack.rules}
    outcomes = records(con, f"SELECT rule_id, record_id, outcome, reason FROM outcomes WHERE project_id = {pid}")
    messages = {(v["rule_id"], v["record_id"]): v for v in records(
        con, f"SELECT rule_id, record_id, severity, message, evidence FROM violations WHERE project_id = {pid}")}

    def result(o: dict) -> dict:
        rule = by_rule.get(o["rule_id"])
        v = messages.get((o["rule_id"], o["record_id"]))
        return {"rule_id": o["rule_id"], "title": rule.spec.title if rule else "", "basis": rule.spec.basis if rule else "",
                "record_id": o["record_id"], "outcome": OUTCOME_ZH.get(o["outcome"], o["outcome"]),
                "severity": SEVERITY_ZH.get(v["severity"], "") if v else "",
                "detail": v["message"] if v else reason_text(o["reason"])}

    results = [result(o) for o in outcomes]
    for r in audit.results:
        if not r.evaluated:
            results.append({"rule_id": r.rule_id, "title": r.title, "basis": r.basis, "record_id": "",
                            "outcome": "未评估", "severity": "", "detail": reason_text(r.not_evaluated_reason)})
    order = {r.id: k for k, r in enumerate(audit.pack.rules)}
    results.sort(key=lambda x: (order.get(x["rule_id"], 10**6), x["record_id"] or ""))

    timeline = []
    p_table = schema.TABLES["projects"]
    raw = records(con, f"SELECT * FROM projects WHERE project_id = {pid} LIMIT 1")[0]
    for c in p_table.loaded_columns:
        if c.kind != "datetime":
            continue
        limits = [x for x in results if x["record_id"] == project_id and by_rule.get(x["rule_id"])
                  and getattr(by_rule[x["rule_id"]].spec, "to", None) == c.name]
        timeline.append({"event": c.label, "at": show(raw[c.name]), "limits": limits})
    notices = _rows(con, "notices", f"project_id = {pid}") if audit.export.has("notices") else []
    for n in notices:
        timeline.append({"event": f"{n['公告类型']}发布（{n['_id']}）", "at": n["发布时间"],
                         "limits": [x for x in results if x["record_id"] == n["_id"]]})
        n["results"] = [x for x in results if x["record_id"] == n["_id"]]
        n.pop("正文", None)  # the full text is long; the findings quote what matters
    timeline.sort(key=lambda e: (e["at"] == "", e["at"]))

    bids = _rows(con, "bids", f"project_id = {pid}") if audit.export.has("bids") else []
    for b in bids:
        b["findings"] = [x for x in results if x["record_id"] == b["_id"] and x["outcome"] != "合规"]
    shared = [{"rule_id": k[0], "message": v["message"]} for k, v in messages.items()
              if by_rule.get(k[0]) and by_rule[k[0]].spec.check == "shared_attribute"]
    groups = [{"group_id": g["group_id"], "members": "、".join(g["member_names"]), "strength": g["strength"],
               "assessment": g["assessment"], "lots": "、".join(g["lots"]), "rotation": "是" if g.get("rotation") else "否"}
              for g in audit.groups if project_id in g.get("lots", []) or project_id in g.get("evidence_lots", [])]
    return {
        "project_id": project_id, "as_of": audit.as_of.isoformat(), "project": project[0],
        "timeline": timeline, "notices": notices, "bids": bids, "shared": shared, "groups": groups,
        "complaints": _rows(con, "complaints", f"project_id = {pid}") if audit.export.has("complaints") else [],
        "inspections": _rows(con, "inspections", f"project_id = {pid}") if audit.export.has("inspections") else [],
        "results": results,
        "counts": {z: sum(1 for x in results if x["outcome"] == z) for z in ("违规", "待到期", "无法判断", "合规", "未评估")},
    }
