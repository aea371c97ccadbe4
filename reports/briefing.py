"""What the 联席会议 briefing says — its sentences, key cases, decisions and notes — apart from
how Word shows it (reports/docx.py lays this out; nothing here knows about fonts or tables).

The briefing goes to a joint meeting of government departments (鹤发改公管〔2022〕216号 一(一)),
so what it asks the meeting to decide must be within the meeting's power (issue #8):

* the decisions list holds only what the meeting can decide: 督办 of its member departments,
  verification by the 行政监督部门, data the platform must supply. It never asks to 督办 a body
  outside the meeting (纪委监委, 公安, 检察, 法院), and the tool never proposes by itself to send
  anything to 公安机关 or 纪检监察机关 — that is a human decision after verification (条例 §67,
  刑法 §223 needs 情节严重). Such items are at most notes for information, without deadline wording;
* §40 shared-attribute findings are signs to verify (“存在……情形的迹象，请核实”), counted as
  线索, never as collusion verdicts; a bidder group is 疑似围标串标 only when groups.jsonl marks it
  ``suspected``;
* every count comes from reports.counts or from the same predicates, so each equals the count
  in violations.jsonl.

Length (~370 lines): one short builder per kind of decision; they share the rule of what the
meeting may decide, which is the point of keeping them in one module.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipelines import schema
from pipelines.sql import literal

from . import evidence as E
from .counts import NO_DEPARTMENT, DepartmentTally, is_lead, is_overdue_not_done, is_possible_match
from .data import SEVERITY_ZH, STATUS_ZH, ReportData

WORKBOOK = "violations.xlsx"
KEY_CASES = 20
LIST_IN_ITEM = 5  # records named in one item before "等 N 项"
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
#: bodies outside the joint meeting's power: it cannot 督办 them, and the tool never refers to them
OUTSIDE_MEETING = ("纪委", "监委", "纪检", "监察", "公安", "检察", "法院")
LEAD_WORDS = "存在《招标投标法实施条例》第四十条所列情形的迹象"


def outside_meeting(body: str | None) -> bool:
    return any(word in str(body or "") for word in OUTSIDE_MEETING)


@dataclass
class Case:
    """One key case: ``head`` (tags and department, shown bold) and ``tail``."""
    head: str
    tail: str
    violation: dict


@dataclass
class Decision:
    """One item for the meeting to decide; ``count`` is the number the sentence states and
    ``kind`` says which violations (or records) it counts, so a test can recount them."""
    kind: str  # overdue | refer | lead | possible | groups | calendar | not_evaluated | not_evaluable | data_quality
    text: str
    count: int
    department: str | None = None
    body: str | None = None
    records: list[str] = field(default_factory=list)


@dataclass
class Briefing:
    as_of: str  # 2026年11月27日
    summary: str
    departments: list[DepartmentTally]
    department_columns: list[tuple[str, str]]  # (header, Tally.get key)
    department_intro: str
    cases_intro: str
    cases: list[Case]
    cases_outro: str
    decisions: list[Decision]
    notes: list[str]  # for information only: nothing to decide, no deadline wording
    ledger: bool


def date_zh(iso) -> str:
    d = E.as_date(iso)
    return f"{d.year}年{d.month}月{d.day}日" if hasattr(d, "year") else str(iso or "")


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 23 -> 二十三 (for 1..99)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def _records(items: list[dict]) -> str:
    """'CC2026-04、TS2026-05' or 'A、B、C、D、E等7项' (each record once, even if two rules name it)."""
    ids = list(dict.fromkeys(str(v["record_id"]) for v in items))
    return "、".join(ids[:LIST_IN_ITEM]) + (f"等{len(ids)}项" if len(ids) > LIST_IN_ITEM else "")


def _departments(items: list[dict]) -> str:
    return "、".join(dict.fromkeys(v.get("department") or NO_DEPARTMENT for v in items))


def _table_zh(name: str | None) -> str:
    return schema.TABLES[name].chinese if name in schema.TABLES else str(name)


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


# ------------------------------------------------------------------------------- reasons

def rule_reasons(rule: dict) -> list[dict]:
    """A rule's not-evaluable reasons, each ``{code, text, count, ...params}`` (summary.json)."""
    return [r for r in rule.get("reasons") or [] if isinstance(r, dict)]


def calendar_year(reason: dict) -> int | None:
    """The year whose working-day calendar a reason says is missing (code ``calendar_missing``)."""
    return int(reason["year"]) if reason.get("code") == E.CALENDAR_MISSING and reason.get("year") else None


def reason_text(reason: dict | None) -> str:
    """The Chinese sentence of a reason (the part before any ' / ' English gloss)."""
    return str((reason or {}).get("text") or "").split(" / ")[0].strip()


def missing_inputs(rules: list[dict]) -> str:
    """What the not-evaluated rules lack, grouped: 缺少数据表：…；投标记录缺少列：…"""
    tables: dict[str, None] = {}
    columns: dict[str, dict[str, None]] = defaultdict(dict)
    other: dict[str, None] = {}
    for r in rules:
        why = r.get("not_evaluated") or {}
        if why.get("code") == "table_missing":
            tables[_table_zh(why.get("table"))] = None
        elif why.get("code") == "column_missing":
            for col in why.get("columns") or []:
                columns[_table_zh(why.get("table"))][E.column_label(why.get("table") or "", col)] = None
        elif why:
            other[reason_text(why)] = None
    parts = [f"缺少数据表：{'、'.join(tables)}"] if tables else []
    parts += [f"{table}缺少列：{'、'.join(cols)}" for table, cols in columns.items()]
    return "；".join(parts + list(other))


# ------------------------------------------------------------------------------- the sentences

def summary_sentences(data: ReportData) -> str:
    s, c = data.summary, data.counts
    rules = s.get("rules", [])
    files = (s.get("export") or {}).get("files", {})
    covered = "、".join(f"{_table_zh(f.get('table'))}{f.get('rows', 0)}条" for f in files.values())
    text = (f"截至{date_zh(s.get('as_of'))}，对公共资源交易平台导出数据（{covered}）执行{len(rules)}条监管规则，"
            f"检查记录{sum(r.get('checked', 0) for r in rules)}条次，发现问题{c.total}条，"
            f"其中错误{c.severity('error')}条、警告{c.severity('warning')}条、提示{c.severity('info')}条，"
            f"涉及{len(c.departments)}个部门")
    if c.whole.leads:
        text += (f"；上述问题中有{c.whole.leads}条是投标人之间共用信息的线索（{LEAD_WORDS}，须经核实，"
                 "不是围标串标的认定）")
    text += (f"；另有{sum(r.get('pending', 0) for r in rules)}条尚未到期，"
             f"{sum(r.get('not_evaluable', 0) for r in rules)}条因数据缺失或无法识别无法判断；"
             f"数据质量问题{len(data.findings)}处。")
    if c.whole.by_status:
        parts = [f"{STATUS_ZH.get(k, k)}{c.status(k)}条" for k in ("new", "open", "late_done") if c.status(k)]
        text += f"本期问题中{'、'.join(parts) or '无新增'}；上期问题已整改{len(data.resolved)}条。"
    if len(data.trend) >= 2 and all(isinstance(t, dict) for t in data.trend[-2:]):
        before, now = data.trend[-2], data.trend[-1]
        a, b = _trend_total(before), _trend_total(now)
        if a is not None and b is not None:
            change = "持平" if a == b else (f"增加{b - a}条" if b > a else f"减少{a - b}条")
            text += f"与上期（截至{date_zh(before.get('as_of'))}）相比问题{change}。"
    if data.due_soon:
        text += f"近期将有{len(data.due_soon)}项到期，请相关部门及时办理。"
    return text


def _trend_total(row: dict):
    for key in ("violations", "total"):
        if isinstance(row.get(key), int):
            return row[key]
    counts = row.get("counts")
    if isinstance(counts, dict):
        return counts.get("violations", counts.get("total"))
    return None


def key_cases(data: ReportData, limit: int = KEY_CASES) -> list[Case]:
    """Errors first, then warnings and notes; within each, new before open and long-open first."""
    first = getattr(data.violations, "first", None)
    if first:  # the same order, sorted by DuckDB (issue #13)
        ledger = data.ledger
        by = [f"CASE severity {' '.join(f'WHEN {literal(s)} THEN {n}' for s, n in SEVERITY_RANK.items())} ELSE 3 END"]
        if ledger:
            by += ["CASE WHEN status = 'new' THEN 0 ELSE 1 END", "-coalesce(runs_open, 0)"]
        return [_case(v, data.kinds) for v in first(limit, ", ".join(by))]

    def order(iv):
        i, v = iv
        return (SEVERITY_RANK.get(v["severity"], 3), 0 if v.get("status") == "new" else 1,
                -(v.get("runs_open") or 0), i)
    return [_case(v, data.kinds) for _, v in heapq.nsmallest(limit, enumerate(data.violations), key=order)]


def _case(v: dict, kinds: dict | None = None) -> Case:
    tags = ["线索·待核实"] if is_lead(v) else [SEVERITY_ZH.get(v["severity"], v["severity"])]
    if is_possible_match(v):
        tags.append("疑似·待核实")
    if v.get("status") == "new":
        tags.append("新增")
    elif v.get("status") == "open":
        runs = v.get("runs_open")
        tags.append(f"持续{runs}期" if runs else STATUS_ZH["open"])
    elif v.get("status"):
        tags.append(STATUS_ZH.get(v["status"], v["status"]))
    head = f"【{'·'.join(tags)}】{v.get('department') or NO_DEPARTMENT}："
    tail = f"{v.get('message')}（依据{v.get('basis')}；记录{v['record_id']}"
    if v.get("first_seen") and v.get("status") != "new":
        tail += f"，首次发现于{date_zh(v['first_seen'])}"
    evidence = E.one_line(kinds or {}, v)  # as the violation's kind declares its evidence
    return Case(head, tail + "）" + (f"。证据：{evidence}" if evidence else ""), v)


# ------------------------------------------------------------------------------- decisions

def _slim(v: dict) -> dict:
    """What a decision or note keeps of a violation it names (record, department, rule, due date):
    the lists grow with the violations, so not the whole row (issue #13)."""
    return {"record_id": v["record_id"], "department": v.get("department"), "rule_id": v["rule_id"],
            "evidence": {"due_date": (v.get("evidence") or {}).get("due_date")}}


def overdue_for_meeting(v: dict) -> bool:
    """Overdue and still not done, by a member department the meeting can 督办 (not a reminder)."""
    return is_overdue_not_done(v) and v.get("severity") != "info" and not outside_meeting(v.get("department"))


def decision_items(data: ReportData) -> list[Decision]:
    """What the joint meeting can decide or order, one sentence each (see the module docstring)."""
    items: list[Decision] = []
    titles = {r["rule_id"]: r.get("title") or r["rule_id"] for r in data.rules}

    overdue: dict[str, list[dict]] = defaultdict(list)
    for v in data.violations_where(checks=("deadline",)):  # the superset; overdue_for_meeting decides
        if overdue_for_meeting(v):
            overdue[v.get("department") or NO_DEPARTMENT].append(_slim(v))
    for dept, vs in sorted(overdue.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        by_rule = Counter(titles.get(v["rule_id"], v["rule_id"]) for v in vs)
        what = "；".join(f"{t}{n}项" for t, n in by_rule.items())
        earliest = min(str((v.get("evidence") or {}).get("due_date") or "") for v in vs)
        items.append(Decision("overdue", f"{dept}有{len(vs)}项逾期至今仍未办理（{what}：{_records(vs)}，"
                                         f"最早应于{date_zh(earliest)}前办理），建议联席会议督办，限期整改并报送结果。",
                              len(vs), department=dept, records=[v["record_id"] for v in vs]))

    referrals: dict[str, list[dict]] = defaultdict(list)
    for v in data.violations_where(referred=True):
        if not (is_possible_match(v) or is_lead(v)):
            for body in v.get("refer_to") or []:
                if not outside_meeting(body):
                    referrals[body].append(_slim(v))
    for body, vs in referrals.items():
        items.append(Decision("refer", f"{len(vs)}条问题（{_records(vs)}，责任部门{_departments(vs)}）依规定由{body}处理，"
                                       f"建议由责任部门转{body}依法处理。", len(vs), body=body,
                              records=[v["record_id"] for v in vs]))

    leads = [_slim(v) for v in data.violations_where(checks=("shared_attribute",)) if is_lead(v)]
    if leads:
        items.append(Decision("lead", f"{len(leads)}条投标人共用信息的线索（{_records(leads)}），{LEAD_WORDS}，"
                                      f"请{_departments(leads)}等行政监督部门组织核实；核实前不作为围标串标认定。",
                              len(leads), records=[v["record_id"] for v in leads]))

    possible = [_slim(v) for v in data.violations_where(confidence="possible") if is_possible_match(v)]
    if possible:
        items.append(Decision("possible", f"{len(possible)}条为疑似匹配（{_records(possible)}：人员仅姓名与名单相同，"
                                          f"名单未载身份证号），请{_departments(possible)}核实身份证号后再认定，暂不作为确认问题。",
                              len(possible), records=[v["record_id"] for v in possible]))

    suspected = [g for g in data.groups if isinstance(g, dict) and g.get("suspected") is True]
    if suspected:
        items.append(Decision("groups", f"发现{len(suspected)}个疑似围标串标投标人组（groups.jsonl 中标为疑似，"
                                        f"见 {WORKBOOK}“围标串标团伙”表），建议相关行政监督部门组织核查。",
                              len(suspected), records=[str(g.get("group_id")) for g in suspected]))

    years: Counter = Counter()
    for r in data.rules:
        for reason in rule_reasons(r):
            if (year := calendar_year(reason)) is not None:
                years[year] += int(reason.get("count") or 0)
    for year, n in sorted(years.items()):
        items.append(Decision("calendar", f"缺少{year}年工作日历，{n}条记录的期限无法计算；请在国务院公布{year}年放假安排后"
                                          f"补充 rules/calendar/{year}.yaml 后重新审计。", n))

    skipped = [r for r in data.rules if not r.get("evaluated", True)]
    if skipped:
        names = "、".join(f"“{titles[r['rule_id']]}”" for r in skipped[:LIST_IN_ITEM])
        names += f"等{len(skipped)}条规则" if len(skipped) > LIST_IN_ITEM else ""
        items.append(Decision("not_evaluated", f"{len(skipped)}条规则因导出数据缺少所需数据未能评估"
                                               f"（{missing_inputs(skipped)}），涉及{names}；"
                                               "请交易平台在导出数据中补充，或由联席会议确定暂不检查。", len(skipped)))

    missing: Counter = Counter()
    for r in data.rules:
        for reason in rule_reasons(r):
            if calendar_year(reason) is None:
                missing[reason_text(reason)] += int(reason.get("count") or 0)
    if missing:
        total = sum(missing.values())
        why = "；".join(f"{w}{n}条" for w, n in missing.most_common(8)) + ("等" if len(missing) > 8 else "")
        items.append(Decision("not_evaluable", f"{total}条记录因数据缺失或无法识别无法判断（{why}），"
                                               "请交易平台和责任部门补全、更正数据。", total))

    if data.findings:
        errors = [f for f in data.findings if _get(f, "severity") == "error"]
        first = errors[0] if errors else data.findings[0]
        where = f"{_get(first, 'file')}" + (f"第{_get(first, 'row')}行" if _get(first, "row") else "")
        items.append(Decision("data_quality", f"导出数据有{len(data.findings)}处数据质量问题（其中错误{len(errors)}处，"
                                              f"如{where}“{_get(first, 'reason')}”），请交易平台核对更正，"
                                              f"明细见 {WORKBOOK}“数据质量”表。", len(data.findings)))
    return items


def notes(data: ReportData) -> list[str]:
    """For the meeting's information, nothing to decide and no deadline: open items of bodies
    outside the meeting (e.g. a referral's case not yet reported back) and reminders (info)."""
    out: list[str] = []
    titles = {r["rule_id"]: r.get("title") or r["rule_id"] for r in data.rules}
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    reminders: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for v in data.violations_where(checks=("deadline",), severities=("info",)):
        key = (v.get("department") or NO_DEPARTMENT, v["rule_id"])
        if is_overdue_not_done(v) and not overdue_for_meeting(v):
            grouped[key].append(_slim(v))
        elif v.get("severity") == "info":  # a reminder (提示): information, never a deadline
            reminders[key].append(_slim(v))
    for (dept, rule_id), vs in grouped.items():
        out.append(f"{dept}：{_records(vs)}（{titles.get(rule_id, rule_id)}）尚无办理记录，供掌握情况，不列入督办事项。")
    for (dept, rule_id), vs in reminders.items():
        out.append(f"{dept}：{_records(vs)}（{titles.get(rule_id, rule_id)}），提示跟进，供掌握情况，不列入督办事项。")
    other = [g for g in data.groups if isinstance(g, dict) and g.get("suspected") is not True]
    if other:
        out.append(f"另有{len(other)}个投标人关联组证据不足（仅弱信号或强度不足），作为线索供行政监督部门参考，"
                   "不认定为围标串标。")
    return out


# ------------------------------------------------------------------------------- the whole

def build_briefing(data: ReportData, limit: int = KEY_CASES) -> Briefing:
    c = data.counts
    ledger = bool(c.whole.by_status)
    columns = [("违规", "total"), ("错误", "error"), ("警告", "warning"), ("逾期未办", "overdue"),
               ("疑似待核实", "possible"), ("线索待核实", "leads")]
    if ledger:
        columns.append(("新增", "new"))
    if c.departments:
        top = c.departments[0]
        intro = (f"问题最多的是{top.name}（{top.total}条，其中错误{top.by_severity.get('error', 0)}条）。"
                 "各部门问题数量如下表和图1。")
    else:
        intro = "本期未发现违规。"
    cases = key_cases(data, limit)
    total = c.total
    if cases:
        cases_intro = (f"按严重程度排列{'（新增和持续时间长的在前）' if ledger else ''}，"
                       f"{'列出前' + str(len(cases)) + '条' if total > len(cases) else '共' + str(total) + '条'}：")
    else:
        cases_intro = "本期未发现违规。"
    return Briefing(
        as_of=date_zh(data.summary.get("as_of")), summary=summary_sentences(data), departments=c.departments,
        department_columns=columns, department_intro=intro, cases_intro=cases_intro, cases=cases,
        cases_outro=f"全部{total}条问题的明细（含证据、应办期限、责任部门）见附件 {WORKBOOK}，按规则分表。",
        decisions=decision_items(data), notes=notes(data), ledger=ledger)
