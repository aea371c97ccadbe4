"""report.html: the audit as one self-contained Chinese web page for the joint meeting.

Everything is in the one file — CSS, the filter script, the charts (inline SVG drawn here, on
the server side) — so it opens from ``file://`` on an intranet PC with no network. A
Content-Security-Policy in the page allows only its own style and script (by hash) and no
network at all.

Safety: the template is rendered with autoescape ON; evidence is shown as escaped key/value
lists (flattened here, never a raw JSON dump); the only JSON inside a ``<script>`` is a data
block written by :func:`script_json`, which escapes ``<``, ``>``, ``&`` and U+2028/2029.

Scale (issue #13): the page holds every total, rule, department and group, and each rule's
first ``RECORDS_PER_RULE`` violations (new, then long-open, then the rest), read in one pass
over the violations that keeps no more than that; the page says plainly that the rest are in
violations.xlsx and violations.jsonl. Each rule shows the first ``PAGE_SIZE`` rows; the others
are in the page but hidden until "显示更多" is clicked (the filters page the same way).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from pipelines import schema

from . import evidence as E
from .counts import is_lead
from .data import SEVERITY_ZH, STATUS_ZH, ReportData
from .text import clean, clean_value

PAGE_SIZE = 50  # rows shown per rule before "显示更多"
#: records of each rule written into the page at all (issue #13: report.html stays ≤ 10 MB whatever the
#: violation count); totals, departments, rules and groups are always complete, and the page says
#: plainly that the rest are in violations.xlsx and violations.jsonl
RECORDS_PER_RULE = 100
LONG_OPEN_RUNS = 4  # open in this many weekly runs or more ...
LONG_OPEN_DAYS = 28  # ... or first seen this many days before as_of: "长期未整改"
HIGHLIGHT_LIMIT = 200  # rows per list in the "重点关注" section (all are in the details)
FINDINGS_LIMIT = 1000  # data-quality findings listed one by one (all are in data_quality.jsonl)
NO_DEPARTMENT = "（未注明部门）"
NUMERALS = "一二三四五六七八九十"

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_COLOURS = {"error": "#b42318", "warning": "#d97706", "info": "#64748b"}

#: Chinese labels of keys inside records (a screen's bids, a finding's bidders) and of bidder
#: groups' edges; a kind's own evidence keys are labelled by the kind (SHOWN, in ReportData.kinds)
EVIDENCE_LABELS = {
    "party": "当事人", "party_label": "当事人", "value": "值", "bidders": "涉及投标人", "bid_ids": "涉及投标",
    "attribute": "共用信息", "bid_id": "投标编号", "bidder_name": "投标人", "bidder_key": "投标人代码/名称",
    "key_by": "投标人识别方式", "price": "投标报价（元）", "status": "投标状态", "is_winner": "是否中标",
    "item": "项目", "outcome": "结果", "key": "记录", "candidates": "候选记录", "counts": "计入",
    "failed": "未满足的条件", "members": "成员", "project_id": "项目（标段）编号", "lots": "共同投标标段",
    "evidence_types": "关联证据类型", "strength": "证据强度", "wins": "中标情况", "rotation": "轮流中标",
}
#: keys not shown when the named sibling (their Chinese form) is present
HIDDEN_WHEN = {"party": "party_label"}
VALUE_LABELS = {
    "party": {"bidder": "投标人", "legal_rep": "法定代表人", "agent": "授权委托人", "project_manager": "项目经理"},
    "outcome": {"violated": "违规", "compliant": "合规", "pending": "待到期", "not_evaluable": "无法判断"},
}
#: keys whose value is a column name, shown as the column's Chinese name
COLUMN_KEYS = {"attribute"}
#: how an empty value reads, by key (default: 未填写)
NONE_TEXT = {}


# ---------------------------------------------------------------- small helpers

def script_json(value) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``: no ``</script>``, no
    comment or CDATA openers, no raw U+2028/2029 (each is a ``\\uXXXX`` escape JSON parses back)."""
    text = json.dumps(clean_value(value), ensure_ascii=False, separators=(",", ":"), default=str)
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


def csp_hash(text) -> str:
    """The CSP source expression allowing exactly this inline <script>/<style> body."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _hash_param(**params) -> str:
    """``#dept=…&rule=…``: the page's script applies such a hash as a filter."""
    return "#" + "&".join(f"{k}={quote(clean(str(v)), safe='')}" for k, v in params.items() if v)


def _label(table: str | None, column: str | None) -> str:
    if not column:
        return ""
    try:
        return schema.column(table or "bids", column).label
    except KeyError:
        for t in schema.TABLES.values():
            if t.has(column):
                return t.column(column).label
        return column


def _scalar(key: str, value, table: str | None) -> str:
    if value is None:
        return f"（{NONE_TEXT.get(key, '未填写')}）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in VALUE_LABELS:
        return VALUE_LABELS[key].get(str(value), str(value))
    if key in COLUMN_KEYS:
        return _label(table, str(value))
    return str(value)


_CONTAINERS = (dict, list, tuple)


def violation_evidence(evidence, table: str | None, displays: list[dict]) -> list[tuple[int, str, str]]:
    """A violation's evidence as ``(depth, label, text)`` rows: first what its kind declares
    (``displays``: the kind's SHOWN, in order; a list of records one block each), then whatever
    else the evidence holds, generically."""
    if not isinstance(evidence, dict):
        return evidence_items(evidence, table)
    items: list[tuple[int, str, str]] = []
    table = table or ""
    for d in displays:
        value = E.value_at(evidence, d["key"])
        if d.get("type") == "records" and isinstance(value, list):
            for n, element in enumerate(value, 1):
                items.append((0, f"{d['label']} {n}" if len(value) > 1 else d["label"], ""))
                items.extend(evidence_items(element, table, 1, evidence) if isinstance(element, dict)
                             else [(1, "", str(element))])
            continue
        shown = E.shown_value(d, evidence, table)
        if shown not in (None, "", []):
            items.append((0, E.label(d, evidence, table), E.text(shown)))
    covered = {d["key"].split(".")[0] for d in displays} | {d["of"] for d in displays if d.get("of")}
    rest = {k: v for k, v in evidence.items() if k not in covered}
    return items + evidence_items(rest, table)


def evidence_items(evidence, table: str | None = None, depth: int = 0,
                   parent: dict | None = None) -> list[tuple[int, str, str]]:
    """Evidence flattened to ``(depth, label, text)`` rows for an escaped key/value list. A nested
    object's key with the same value as in its parent (a match's 匹配程度) is not repeated."""
    items: list[tuple[int, str, str]] = []
    if not isinstance(evidence, dict):
        if evidence not in (None, {}, []):
            items.append((depth, "证据", str(evidence)))
        return items
    labels = EVIDENCE_LABELS
    for key, value in evidence.items():
        if (key in HIDDEN_WHEN and HIDDEN_WHEN[key] in evidence) \
                or (parent and key in parent and parent[key] == value and not isinstance(value, _CONTAINERS)):
            continue
        label = labels.get(key, key)
        if not isinstance(value, _CONTAINERS):
            items.append((depth, label, _scalar(key, value, table)))
        elif isinstance(value, dict):
            items.append((depth, label, ""))
            items.extend(evidence_items(value, table, depth + 1))
        elif not any(isinstance(x, _CONTAINERS) for x in value):
            items.append((depth, label, "、".join(_scalar(key, x, table) for x in value) if value else "（无）"))
        else:
            for n, element in enumerate(value, 1):
                items.append((depth, f"{label} {n}" if len(value) > 1 else label, ""))
                items.extend(evidence_items(element, table, depth + 1, evidence) if isinstance(element, dict)
                             else [(depth + 1, "", str(element))])
    return items


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- charts (inline SVG geometry)

def department_chart(by_department, width: int = 860, row: int = 30, max_rows: int = 30) -> dict | None:
    """Horizontal bars per department, stacked by severity; a bar links to that department's filter."""
    if not by_department:
        return None
    rows = [(dept or NO_DEPARTMENT, counts) for dept, counts in by_department]
    if len(rows) > max_rows:
        rest = rows[max_rows - 1:]
        merged: dict = {}
        for _, sev in rest:
            for k, n in sev.items():
                merged[k] = merged.get(k, 0) + n
        rows = rows[: max_rows - 1] + [(f"其余 {len(rest)} 个部门", merged)]
    label_w, right = 190, 70
    plot_w = width - label_w - right
    top = max(sum(c.values()) for _, c in rows) or 1
    step = _nice_step(top)
    scale = plot_w / (math.ceil(top / step) * step)
    bars = []
    for i, (label, counts) in enumerate(rows):
        y = 28 + i * row
        x = label_w
        segments = []
        for sev in sorted(counts, key=lambda s: SEVERITY_ORDER.get(s, 9)):
            w = counts[sev] * scale
            segments.append({"sev": sev, "n": counts[sev], "x": round(x, 1), "w": round(max(w, 1), 1), "fill": SEVERITY_COLOURS.get(sev, "#64748b"),
                             "title": f"{label} {SEVERITY_ZH.get(sev, sev)} {counts[sev]} 条"})
            x += w
        bars.append({"label": label, "y": y, "total": sum(counts.values()), "end": round(x, 1),
                     "segments": segments, "href": None if label.startswith("其余 ") else _hash_param(dept=label)})
    ticks = [{"x": round(label_w + v * scale, 1), "value": v}
             for v in range(0, math.ceil(top / step) * step + 1, step)]
    return {"width": width, "height": 28 + len(rows) * row + 10, "bars": bars, "ticks": ticks, "label_x": label_w - 8,
            "bar_h": row - 10, "plot_bottom": 28 + len(rows) * row}


def _nice_step(top: float, ticks: int = 5) -> int:
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return int(m * power)
    return int(10 * power)


def trend_chart(trend: list[dict], width: int = 860, height: int = 300) -> dict | None:
    """Weekly runs: a stacked bar of open violations by severity, lines for new and resolved."""
    runs = [t for t in trend if isinstance(t, dict)]
    if not runs:
        return None
    left, right, top_pad, bottom = 56, 20, 20, 48
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    totals = [int(t.get("total") or 0) for t in runs]
    peak = max(totals + [int(t.get("new") or 0) for t in runs] + [int(t.get("resolved") or 0) for t in runs]) or 1
    step = _nice_step(peak)
    ymax = math.ceil(peak / step) * step

    def y(v):
        return round(top_pad + plot_h - v * plot_h / ymax, 1)

    slot = plot_w / len(runs)
    bar_w = max(min(slot * 0.6, 48), 2)
    label_every = max(1, math.ceil(len(runs) / 12))
    bars, new_pts, resolved_pts = [], [], []
    for i, t in enumerate(runs):
        cx = left + slot * (i + 0.5)
        base = 0
        segments = []
        by_sev = t.get("by_severity") or {}
        parts = [(s, int(by_sev.get(s) or 0)) for s in sorted(by_sev, key=lambda s: SEVERITY_ORDER.get(s, 9))]
        if not parts or sum(n for _, n in parts) != totals[i]:
            parts = [("total", totals[i])]
        for sev, n in parts:
            if n:
                segments.append({"y": y(base + n), "h": round(y(base) - y(base + n), 1),
                                 "fill": SEVERITY_COLOURS.get(sev, "#475569")})
                base += n
        as_of = str(t.get("as_of") or "")
        bars.append({"x": round(cx - bar_w / 2, 1), "w": round(bar_w, 1), "cx": round(cx, 1), "segments": segments,
                     "total": totals[i], "ty": y(totals[i]) - 5, "as_of": as_of,
                     "label": as_of[5:] if len(as_of) >= 10 else as_of, "show_label": i % label_every == 0
                     or i == len(runs) - 1, "new": t.get("new"), "resolved": t.get("resolved")})
        if t.get("new") is not None:
            new_pts.append(f"{cx:.1f},{y(int(t['new']))}")
        if t.get("resolved") is not None:
            resolved_pts.append(f"{cx:.1f},{y(int(t['resolved']))}")
    ticks = [{"y": y(v), "value": v} for v in range(0, ymax + 1, step)]
    return {"width": width, "height": height, "left": left, "right": width - right, "bottom": top_pad + plot_h,
            "bars": bars, "ticks": ticks, "new_points": " ".join(new_pts), "resolved_points": " ".join(resolved_pts),
            "label_y": top_pad + plot_h + 18}


# ---------------------------------------------------------------- the view the template shows

def _status(v: dict, as_of: dt.date | None) -> tuple[str, bool]:
    """(status key for the filter, long-open?) for a violation; '' without a ledger."""
    status = v.get("status") or ""
    long_open = False
    if status == "open":
        runs = v.get("runs_open")
        first = _date(v.get("first_seen"))
        long_open = bool((isinstance(runs, int) and runs >= LONG_OPEN_RUNS)
                         or (first and as_of and (as_of - first).days >= LONG_OPEN_DAYS))
    return ("long" if long_open else status), long_open


def _group_view(g: dict) -> dict:
    members = [str(m) for m in (g.get("members") or [])]
    names = g.get("member_names") or {}
    if isinstance(names, (list, tuple)):
        names = dict(zip(members, names)) if len(names) == len(members) else {str(n): str(n) for n in names}

    def who(key):
        name = names.get(key) if isinstance(names, dict) else None
        return f"{name}（{key}）" if name and name != key else str(key)

    wins = g.get("wins") or {}
    win_rows = []
    if isinstance(wins, dict):
        for member, lots in wins.items():
            lots = lots if isinstance(lots, (list, tuple)) else [lots]
            win_rows.append((names.get(member, member) if isinstance(names, dict) else member,
                             "、".join(str(x) for x in lots)))
    edges = g.get("edges") or []
    edge_items = []
    for e in edges[:100] if isinstance(edges, list) else []:
        edge_items.append(evidence_items(e, "bids") if isinstance(e, dict) else [(0, "", str(e))])
    strength = g.get("strength")
    rotation = g.get("rotation")
    return {"group_id": str(g.get("group_id", "")), "members": [who(m) for m in members] or
            [str(n) for n in (names.values() if isinstance(names, dict) else [])],
            "lots": [str(x) for x in (g.get("lots") or [])],
            "evidence_types": [_label("bids", str(x)) for x in (g.get("evidence_types") or [])],
            "strength": strength if isinstance(strength, (int, float)) else None,
            "wins": win_rows, "rotation": None if rotation is None else bool(rotation),
            "edges": edge_items, "more_edges": max(len(edges) - 100, 0) if isinstance(edges, list) else 0}


def _finding(f) -> dict:
    if dataclasses.is_dataclass(f):
        return dataclasses.asdict(f)
    return dict(f) if isinstance(f, dict) else {"reason": str(f)}


def _clause_sentence(clauses: dict, clause_id: str, marker: str) -> str | None:
    """The sentence of a clause containing ``marker`` (e.g. 一(三)'s referral duty), quoted."""
    clause = clauses.get(clause_id)
    if not clause:
        return None
    for sentence in clause["text"].replace("；", "。").split("。"):
        if marker in sentence:
            return sentence.strip() + "。"
    return None


def build_view(data: ReportData) -> dict:
    s = data.summary
    as_of = _date(s.get("as_of"))
    rules = {r["rule_id"]: r for r in data.rules}
    counts = data.counts
    ledger = bool(counts.whole.by_status) or bool(data.trend)

    # the violations as rows: every rule's first RECORDS_PER_RULE (new, then long-open, then the
    # rest) and the highlighted ones; the page stays bounded whatever the count (issue #13), the
    # rest are in violations.xlsx and violations.jsonl, and every count comes from data.counts
    departments = {d.name: d.total for d in counts.departments}
    # one pass over the (streamed) violations keeps, per rule, at most RECORDS_PER_RULE of each
    # priority (new, long-open, the rest), the first HIGHLIGHT_LIMIT new ones, and the earliest
    # long-open ones — memory bounded by what the page shows, not by the violation count
    priority = {"new": 0, "long": 1}
    kept: dict[str, tuple[list, list, list]] = {}
    n_new = n_long = 0
    highlights_new, long_open_items = [], []

    def long_key(entry):
        v = entry[1][0]
        return str(v.get("first_seen") or "9999"), -(v.get("runs_open") or 0), entry[0]

    if not ledger and hasattr(data.violations, "of_rule"):
        # no statuses, so every rule's first rows in report order: only those are read (issue #13)
        streamed = (v for r in counts.rules_with_violations for v in data.rule_violations(r, RECORDS_PER_RULE))
        totals = {r: counts.rule(r) for r in counts.rules_with_violations}
    else:
        streamed, totals = data.violations, None
    counted = totals is None
    totals = totals or {}
    for seq, v in enumerate(streamed):
        status, long_open = _status(v, as_of)
        item = (v, status, long_open)
        buckets = kept.setdefault(v["rule_id"], ([], [], []))
        bucket = buckets[priority.get(status, 2)]
        if len(bucket) < RECORDS_PER_RULE:
            bucket.append(item)
        if counted:
            totals[v["rule_id"]] = totals.get(v["rule_id"], 0) + 1
        n_new += status == "new"
        n_long += status != "new" and long_open
        if status == "new":
            if len(highlights_new) < HIGHLIGHT_LIMIT:
                highlights_new.append(item)
        elif long_open:
            long_open_items.append((seq, item))
            if len(long_open_items) >= 4 * HIGHLIGHT_LIMIT:
                long_open_items = sorted(long_open_items, key=long_key)[:HIGHLIGHT_LIMIT]
    built: dict[int, dict] = {}

    def row_of(v: dict, status: str, long_open: bool) -> dict:
        if id(v) in built:
            return built[id(v)]
        rule = rules.get(v["rule_id"], {})
        dept = v.get("department") or NO_DEPARTMENT
        refer = [str(x) for x in (v.get("refer_to") if v.get("refer_to") is not None else rule.get("refer_to") or [])]
        severity = v.get("severity") or "error"
        built[id(v)] = row = {
            "rule_id": v["rule_id"], "severity": severity, "severity_zh": SEVERITY_ZH.get(severity, severity),
            "status_zh": {"new": "新增", "long": "长期未整改", "open": "持续"}.get(status, status), "dept": dept,
            "record_id": v.get("record_id"), "project_id": v.get("project_id"), "table": v.get("table"),
            "table_zh": schema.TABLES[v["table"]].chinese if v.get("table") in schema.TABLES else v.get("table"),
            "message": v.get("message") or "", "basis": v.get("basis") or rule.get("basis") or "",
            "clause_id": (rule.get("clause") or {}).get("id"), "refer_to": refer,
            "evidence": violation_evidence(v.get("evidence"), v.get("table"), E.displays(data.kinds, v.get("check"))),
            "status": status, "long_open": long_open, "first_seen": v.get("first_seen"),
            "runs_open": v.get("runs_open"), "rule_title": rule.get("title", v["rule_id"]), "lead": is_lead(v)}
        return row

    listed: dict[str, tuple[list[dict], int]] = {}
    for rule_id, buckets in kept.items():  # new, long-open, then the rest, each in report order
        rows = [row_of(*item) for item in (*buckets[0], *buckets[1], *buckets[2])[:RECORDS_PER_RULE]]
        for i, r in enumerate(rows):
            r["n"], r["hidden"] = i + 1, i >= PAGE_SIZE
        listed[rule_id] = rows, totals[rule_id]
    highlights_new = [row_of(*item) for item in highlights_new]
    highlights_long = [row_of(*item) for _, item in sorted(long_open_items, key=long_key)[:HIGHLIGHT_LIMIT]]
    details = []

    def block(rule: dict, rows: list[dict], total: int) -> dict:
        return {"rule": rule, "rows": rows, "total": total, "omitted": total - len(rows),
                "more": max(len(rows) - PAGE_SIZE, 0)}

    for rule in data.rules:
        rows, total = listed.pop(rule["rule_id"], ([], 0))
        if rows:
            details.append(block(rule, rows, total))
    for rule_id, (rows, total) in listed.items():  # violations of rules not in the summary (defensive)
        details.append(block({"rule_id": rule_id, "title": rule_id, "severity": rows[0]["severity"],
                              "basis": rows[0]["basis"], "refer_to": [], "clause": None, "description": ""},
                             rows, total))

    # department x rule, from reports.counts like every other count on the page
    matrix_rules = [rules[r] for r in counts.rules_with_violations if r in rules]
    matrix = [{"dept": d.name, "counts": [d.by_rule.get(r["rule_id"], 0) for r in matrix_rules],
               "total": d.total, "href": _hash_param(dept=d.name)} for d in counts.departments]
    matrix_totals = [counts.rule(r["rule_id"]) for r in matrix_rules]

    totals = s.get("totals") or {}
    evaluated = [r for r in data.rules if r.get("evaluated", True)]
    quality_rules = [r for r in data.rules if not r.get("evaluated", True) or r.get("not_evaluable")]
    findings = [_finding(f) for f in data.findings]
    groups = sorted((g for g in data.groups if isinstance(g, dict)),
                    key=lambda g: (-(g.get("strength") if isinstance(g.get("strength"), (int, float)) else 0),
                                   str(g.get("group_id", ""))))
    trend = [t for t in data.trend if isinstance(t, dict)]

    headline = [
        {"label": "违规总数", "value": counts.total, "kind": "total"},
        {"label": "错误", "value": counts.severity("error"), "kind": "error"},
        {"label": "警告", "value": counts.severity("warning"), "kind": "warning"},
    ]
    if counts.severity("info"):
        headline.append({"label": "提示", "value": counts.severity("info"), "kind": "info"})
    if counts.whole.leads:
        headline.append({"label": "线索（待核实）", "value": counts.whole.leads, "kind": "leads"})
    if ledger:
        headline += [{"label": "本期新增", "value": counts.status("new"), "kind": "new"},
                     {"label": "长期未整改", "value": n_long, "kind": "long"},
                     {"label": "上期以来已整改", "value": len(data.resolved), "kind": "resolved"}]
    headline += [
        {"label": "涉及部门", "value": len(counts.departments), "kind": "departments"},
        {"label": "待到期", "value": sum(r.get("pending", 0) for r in evaluated), "kind": "pending"},
        {"label": "无法判断", "value": sum(r.get("not_evaluable", 0) for r in evaluated), "kind": "not_evaluable"},
        {"label": "数据质量问题", "value": len(findings), "kind": "findings"},
    ]

    # the numbered sections, in page order
    toc = [("overview", "总体情况"), ("departments", "按部门统计")]
    if trend or data.resolved:
        toc.append(("trend", "趋势与整改"))
    if ledger:
        toc.append(("highlights", "重点关注：新增与长期未整改"))
    if groups:
        toc.append(("groups", "围标串标线索"))
    toc.append(("details", "违规明细"))
    if data.due_soon:
        toc.append(("due-soon", "即将到期"))
    toc += [("quality", "无法判断的记录与数据质量"), ("rules", "规则与依据")]
    numbers = {key: NUMERALS[i] if i < len(NUMERALS) else str(i + 1) for i, (key, _) in enumerate(toc)}

    files = [{"name": name, **f} for name, f in ((s.get("export") or {}).get("files") or {}).items()]
    statuses = []
    if ledger:
        statuses = [("new", "新增"), ("open", "持续（全部）"), ("long", "长期未整改")]
    return {
        "personal_data": data.show_personal_data,
        "personal_data_by": ((s.get("options") or {}).get("show_personal_data_by") or {}),
        "s": s, "as_of": s.get("as_of"), "files": files, "ledger": ledger, "headline": headline,
        "n_leads": counts.whole.leads,
        "referral_quote": _clause_sentence(data.clauses, "一(三)", "报送公安机关"),
        "rules": data.rules, "matrix_rules": matrix_rules, "matrix": matrix, "matrix_totals": matrix_totals,
        "dept_chart": department_chart([(d.name, dict(d.by_severity)) for d in counts.departments]),
        "trend": trend, "trend_chart": trend_chart(trend), "resolved": data.resolved,
        "highlights_new": highlights_new, "highlights_long": highlights_long,
        "n_new": n_new, "n_long": n_long, "records_per_rule": RECORDS_PER_RULE,
        "n_omitted": sum(d["omitted"] for d in details),
        "groups": [_group_view(g) for g in groups], "details": details, "n_violations": len(data.violations),
        "due_soon": [d for d in data.due_soon if isinstance(d, dict)],
        "quality_rules": quality_rules, "findings": findings[:FINDINGS_LIMIT],
        "findings_more": max(len(findings) - FINDINGS_LIMIT, 0),
        "filter_departments": sorted(departments.items(), key=lambda kv: (-kv[1], kv[0])),
        "filter_rules": [(d["rule"]["rule_id"], d["rule"].get("title", ""), d["total"]) for d in details],
        "statuses": statuses, "toc": toc, "num": numbers,
        "config": {"pageSize": PAGE_SIZE, "total": len(data.violations),
                   "departments": [d for d, _ in sorted(departments.items())]},
        "long_open_runs": LONG_OPEN_RUNS, "long_open_days": LONG_OPEN_DAYS, "page_size": PAGE_SIZE,
        "highlight_limit": HIGHLIGHT_LIMIT,
    }


# ---------------------------------------------------------------- rendering

def _finalize(value):
    """Every printed data value writable (reports.text.clean: no XML-illegal controls, no lone
    surrogate). Markup is the page's own (style, script, script_json's already clean JSON): kept."""
    return clean(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, finalize=_finalize)
    env.filters["severity"] = lambda s: SEVERITY_ZH.get(s, s)
    env.filters["status"] = lambda s: STATUS_ZH.get(s, s)
    env.filters["script_json"] = script_json
    env.filters["csp_hash"] = csp_hash
    env.filters["bid_label"] = lambda c: _label("bids", c)
    env.filters["table_zh"] = lambda n: f"{schema.TABLES[n].chinese}（{n}）" if n in schema.TABLES else n
    env.filters["hash_param"] = lambda params: _hash_param(**params)
    env.globals["SEVERITY_COLOURS"] = SEVERITY_COLOURS
    return env


def render_html(data: ReportData) -> str:
    return _environment().get_template("report.html.j2").render(**build_view(data))


def write_html(data: ReportData, out_dir: Path) -> Path:
    path = Path(out_dir) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path
