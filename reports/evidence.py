"""Reading a violation's evidence for people — the one evidence renderer every format uses.

What a kind's evidence holds and how to show it is declared by the kind (``SHOWN`` in its
module) and handed over as data (``ReportData.kinds``: check -> displays); a violation says its
kind in ``check``. So a new kind shows up in HTML, Excel and Word with no change here, and no
kind is ever guessed from evidence keys. Also the facts the reports share: dates as dates,
overdue and still not done, a possible match to verify, missing working-day calendars (from
reason codes, never from sentences)."""

from __future__ import annotations

import datetime as dt
import json
import re

from pipelines import schema

CALENDAR_MISSING = "calendar_missing"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


# ------------------------------------------------------------------ the one evidence renderer
# A display is a dict as a kind declares it (checks' SHOWN, handed over in ReportData.kinds):
# {key, label, type: date|number|list|text|column|records|bool, excel: bool, values: {code: 中文}}

def displays(kinds: dict[str, list[dict]], check: str | None) -> list[dict]:
    """The evidence displays of check kind ``check`` (none for an unknown kind)."""
    return list((kinds or {}).get(check or "", []))


def label(display: dict, evidence, table: str) -> str:
    """The display's label; with ``of``, followed by the Chinese name of the column the evidence
    says the value comes from: 起算日（检查结束时间）."""
    column = value_at(evidence, display["of"]) if display.get("of") else None
    return f"{display['label']}（{column_label(table, str(column))}）" if column else display["label"]


def value_at(evidence, key: str):
    """The value under ``key`` in the evidence; ``a.b`` is ``b`` of the object under ``a`` or, when
    ``a`` holds a list of objects, the list of their ``b``; ``a.*`` is every value of the object
    under ``a``. Lists of lists are flattened."""
    value = evidence
    for part in key.split("."):
        if part == "*":
            value = list(value.values()) if isinstance(value, dict) else value
        elif isinstance(value, list):
            value = [x.get(part) if isinstance(x, dict) else None for x in value]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _one(display: dict, value, table: str):
    """One value as the display's type says: a date, a number, a column's Chinese name, a coded value's word."""
    if value is None or value == "":
        return None
    kind, words = display.get("type", "text"), display.get("values") or {}
    if str(value) in words:
        return words[str(value)]
    if kind == "date":
        return as_date(value)
    if kind == "column":
        return column_label(table, str(value))
    if kind == "bool" or isinstance(value, bool):
        return "是" if value else "否"
    if kind == "number" and isinstance(value, (int, float)):
        return value
    if isinstance(value, (dict, list)):
        return compact(value)
    return value


def shown_value(display: dict, evidence, table: str):
    """The evidence's value for ``display``, ready for a cell: a date or number as such; a list
    of several values joined with 、 (distinct, in order); a list of one as that one."""
    value = value_at(evidence, display["key"])
    if display.get("type") == "hidden":
        return None
    if display.get("type") == "records":
        return compact(value) if value else None
    if isinstance(value, list):
        value = [y for x in value for y in (x if isinstance(x, list) else [x])]
        parts = [x for x in (_one(display, v, table) for v in value) if x not in (None, "")]
        parts = list(dict.fromkeys(parts if all(isinstance(x, (str, int, float, dt.date)) for x in parts)
                                   else [compact(x) for x in parts]))
        if len(parts) == 1:
            return parts[0]
        return "、".join(x.isoformat() if isinstance(x, dt.date) else str(x) for x in parts) or None
    return _one(display, value, table)


def text(value) -> str:
    """A shown value as text (dates ISO)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return compact(value)


def shown_items(kinds: dict[str, list[dict]], check: str | None, evidence, table: str,
                excel_only: bool = False) -> list[tuple[str, str]]:
    """(label, text) for every declared display the evidence has a value for, in declared order."""
    out = []
    for display in displays(kinds, check):
        if (excel_only and not display.get("excel", True)) or display.get("type") == "hidden":
            continue
        value = shown_value(display, evidence, table)
        if value not in (None, "", []):
            out.append((label(display, evidence, table), text(value)))
    return out


def shown_keys(kinds: dict[str, list[dict]], check: str | None) -> set[str]:
    """The top-level evidence keys the kind's displays cover (the rest is shown as 证据)."""
    return {d["key"].split(".")[0] for d in displays(kinds, check)}


def one_line(kinds: dict[str, list[dict]], v: dict) -> str:
    """A violation's evidence in one line (label：value；…), as its kind declares it."""
    return "；".join(f"{label}：{value}" for label, value in
                    shown_items(kinds, v.get("check"), v.get("evidence") or {}, v.get("table") or "", excel_only=True))


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
        label = schema.column(table, name).label
    except KeyError:
        return name
    return "项目" + label if name.startswith("project.") else label


def missing_calendar_years(reasons: list[dict]) -> dict[int, int]:
    """{year: records} from a rule's not-evaluable reasons (code ``calendar_missing`` {year})."""
    years: dict[int, int] = {}
    for why in reasons or []:
        if why.get("code") == CALENDAR_MISSING and why.get("year") is not None:
            years[int(why["year"])] = years.get(int(why["year"]), 0) + why.get("count", 0)
    return years


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
