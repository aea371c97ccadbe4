"""Reading a violation's evidence for people: which kind of check produced it, its dates as
dates, and the facts the Excel and Word reports both need (overdue and still not done, a
possible match that needs verifying, a missing working-day calendar).

The kind is recognised from the evidence itself (EXPORT-V1 "What an audit writes"), so a new
rule of an existing check type needs no change here."""

from __future__ import annotations

import datetime as dt
import json
import re

from pipelines import schema

DEADLINE, LISTED_PARTY, TEXT_CLAUSE, COLLUSION, OTHER = "deadline", "listed_party", "text_clause", "collusion", "other"

MATCHED_BY_ZH = {"uscc": "统一社会信用代码", "resident_id": "身份证号", "name": "名称"}
CONFIDENCE_ZH = {"confirmed": "确认", "possible": "疑似（待核实）"}
BID_DATE_SOURCE_ZH = {"submitted_at": "投标时间", "project.bid_deadline": "项目投标截止时间"}
CALENDAR_MISSING = "calendar_missing"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


def kind_of(evidence: dict) -> str:
    if not isinstance(evidence, dict):
        return OTHER
    if "due_date" in evidence:
        return DEADLINE
    if "matches" in evidence:
        return LISTED_PARTY
    if "missing" in evidence:
        return TEXT_CLAUSE
    if "attribute" in evidence and "bid_ids" in evidence:
        return COLLUSION
    return OTHER


def rule_kind(violations: list[dict]) -> str:
    """The kind shared by a rule's violations (the first one decides; a rule has one check)."""
    return kind_of(violations[0]["evidence"]) if violations else OTHER


def as_date(value):
    """``'2026-10-15'`` -> date, ``'2026-10-15 14:30:00'`` -> datetime; anything else unchanged."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE.match(text):
                return dt.date.fromisoformat(text)
            if _DATETIME.match(text):
                return dt.datetime.fromisoformat(text.replace("T", " "))
        except ValueError:
            return value
    return value


def column_label(table: str, name: str | None) -> str:
    """The Chinese name of a table column, e.g. ended_at -> 检查结束时间; the name itself if unknown."""
    if not name:
        return ""
    try:
        return schema.column(table, name).label
    except KeyError:
        return name


def is_overdue_not_done(v: dict) -> bool:
    """A deadline violation whose later event still has not happened (e.g. 仍未公开)."""
    ev = v.get("evidence") or {}
    return kind_of(ev) == DEADLINE and ev.get("to") in (None, "")


def is_possible_match(v: dict) -> bool:
    """A list match on a person's name only: to be verified, not a confirmed violation."""
    ev = v.get("evidence") or {}
    return ev.get("confidence") == "possible"


def missing_calendar_years(reasons: list[dict]) -> dict[int, int]:
    """{year: records} from a rule's not-evaluable reasons (code ``calendar_missing`` {year})."""
    years: dict[int, int] = {}
    for why in reasons or []:
        if why.get("code") == CALENDAR_MISSING and why.get("year") is not None:
            years[int(why["year"])] = years.get(int(why["year"]), 0) + why.get("count", 0)
    return years


def matched_by_zh(match: dict) -> str:
    how = match.get("matched_by")
    if how == "name":
        return "名称（规范化后相同）" if match.get("party") == "bidder" else "姓名（仅姓名相同）"
    return MATCHED_BY_ZH.get(how, how or "")


def compact(value) -> str:
    """A short readable text for any evidence value: lists joined with 、, objects as k: v."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        if any(isinstance(x, dict) for x in value):
            return " | ".join(f"（{compact(x)}）" for x in value)
        return "、".join(compact(x) for x in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {compact(x)}" for k, x in value.items() if x not in (None, "", [], {}))
    return json.dumps(value, ensure_ascii=False, default=str)
