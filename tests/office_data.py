"""A synthetic ReportData of any size, shaped like a real audit's (the Excel and Word tests and
the 10 000-violation timing use it)."""

from __future__ import annotations

import datetime as dt

import checks
from reports.data import ReportData

DEPARTMENTS = ("市住建局", "市交通运输局", "市水务局", "市农业农村局", "市自然资源局", "市财政局", "市发改委",
               "市公安局", "市纪委监委", "市审计局", "市营商环境局", "市公共资源交易中心")
BASIS = "鹤发改公管〔2022〕216号"
RULES = (
    ("inspection-disclosure", "抽查结果未在检查结束后10个工作日内公开", "error", "inspections", "三(三)"),
    ("complaint-transfer", "不属本部门办理的投诉未在3个工作日内转办", "error", "complaints", "四(二)"),
    ("dishonest-bidder", "失信被执行人参与投标", "error", "bids", "八(二)"),
    ("bribery-record", "投标人或其法定代表人、授权委托人有行贿犯罪记录", "warning", "bids", "八(二)"),
    ("credit-clause", "招标公告或招标文件未载明信用条件", "error", "notices", "八(二)"),
)
CHECKS = {"inspection-disclosure": "deadline", "complaint-transfer": "deadline", "dishonest-bidder": "listed_party",
          "bribery-record": "listed_party", "credit-clause": "text_clause"}


def _evidence(rule_id: str, i: int) -> dict:
    start = dt.date(2026, 1, 5) + dt.timedelta(days=i % 300)
    if rule_id in ("inspection-disclosure", "complaint-transfer"):
        done = None if i % 3 == 0 else (start + dt.timedelta(days=20)).isoformat()
        return {"from_column": "ended_at" if rule_id == "inspection-disclosure" else "received_at",
                "from": start.isoformat(), "to_column": "published_at" if rule_id == "inspection-disclosure"
                else "transferred_at", "to": done, "period": "10个工作日",
                "due_date": (start + dt.timedelta(days=14)).isoformat(), "working_days_counted": 11 + i % 9,
                "as_of": "2026-11-27"}
    if rule_id in ("dishonest-bidder", "bribery-record"):
        possible = rule_id == "bribery-record" and i % 2 == 0
        return {"bid_date": start.isoformat(), "bid_date_source": "submitted_at",
                "confidence": "possible" if possible else "confirmed",
                "matches": [{"party": "agent" if possible else "bidder", "party_label": "授权委托人" if possible else "投标人",
                             "matched_by": "name" if possible else "uscc",
                             "confidence": "possible" if possible else "confirmed", "entry_id": f"E{i:05d}",
                             "list_type": "行贿犯罪记录" if rule_id == "bribery-record" else "失信被执行人",
                             "listed_at": "2025-06-01", "removed_at": None, "publisher": "鹤岗市中级人民法院",
                             "subject_name": "李**" if possible else f"鹤岗市第{i}建设有限公司",
                             "subject_id": None if possible else "91230400128765432P"}]}
    return {"missing": ["bribery_record"], "missing_labels": ["行贿犯罪记录条款"], "notice_type": "招标公告",
            "found": {"dishonest_debtor": ["失信被执行人"], "bribery_record": []}}


def synthetic_data(n: int, ledger: bool = False) -> ReportData:
    violations = []
    for i in range(n):
        rule_id, title, severity, table, clause = RULES[i % len(RULES)]
        ev = _evidence(rule_id, i)
        severity = "warning" if ev.get("confidence") == "possible" else severity
        v = {"rule_id": rule_id, "check": CHECKS[rule_id], "severity": severity, "table": table, "record_id": f"R{i:06d}",
             "project_id": f"HG2026-{i % 5000:04d}", "department": DEPARTMENTS[(i * 7) % len(DEPARTMENTS)],
             "basis": f"{BASIS} {clause}", "message": f"第{i}号记录违反“{title}”，应于规定期限内整改（合成数据）",
             "evidence": ev, "refer_to": ["行政监督部门", "评标委员会"] if rule_id == "bribery-record" else [], "key": f"k{i}"}
        if ledger:
            v.update(status="new" if i % 4 == 0 else "open", first_seen="2026-10-02" if i % 4 else "2026-11-27",
                     runs_open=1 if i % 4 == 0 else 1 + i % 9)
        violations.append(v)
    counts: dict[str, dict] = {}
    for v in violations:
        c = counts.setdefault(v["rule_id"], {"violated": 0})
        c["violated"] += 1
    rules = []
    for rule_id, title, severity, table, clause in RULES:
        violated = counts.get(rule_id, {"violated": 0})["violated"]
        rules.append({"rule_id": rule_id, "title": title, "severity": severity, "basis": f"{BASIS} {clause}",
                      "table": table, "check": CHECKS[rule_id], "evaluated": True, "not_evaluated": None,
                      "checked": violated * 3,
                      "violated": violated, "compliant": violated * 2 - 1 if violated else 0, "pending": 1,
                      "not_evaluable": 1, "not_applicable": 0,
                      "reasons": [{"code": "value_missing", "column": "ended_at", "text": "检查结束时间未填写",
                                   "count": 1}], "description": "", "refer_to": [],
                      "clause": None})
    by_sev: dict[str, int] = {}
    by_dept: dict = {}
    for v in violations:
        by_sev[v["severity"]] = by_sev.get(v["severity"], 0) + 1
        d = by_dept.setdefault(v["department"], {})
        d[v["rule_id"]] = d.get(v["rule_id"], 0) + 1
    summary = {"as_of": "2026-11-27", "generated_at": "2026-11-27T09:00:00+08:00",
               "rule_pack": {"name": "合成规则包", "version": "0", "digest": "0"},
               "export": {"folder": "synthetic", "files": {
                   f"{t}.csv": {"table": t, "rows": n, "sha256": "0" * 64, "format": "csv", "encoding": "utf-8",
                                "missing_columns": []} for t in ("inspections", "complaints", "bids", "notices")},
                   "missing_tables": []},
               "totals": {"violations": n, "by_severity": by_sev, "data_quality_findings": 0},
               "rules": rules, "data_quality": []}
    return ReportData(summary=summary, rules=rules, violations=violations,
                      by_department=sorted(by_dept.items(), key=lambda kv: -sum(kv[1].values())), findings=[],
                      kinds=checks.shown())
