"""The official working-day calendar as a DuckDB table, so that working-day periods are one join.

Obligation: periods "within N working days" (N2, N8, N10, 条例 §60–61, 采购条例 §43/§50 …) are
counted as 民法典 第二百零一条 says: the event's own day is not counted, the period starts the next
day. Working days follow the State Council schedule: Monday–Friday, except statutory holidays and
their 调休 days off, plus the 调休 weekend days that are worked (调休上班).

``install_calendar(con, year_dir)`` creates::

    calendar(day DATE PRIMARY KEY, year INTEGER, is_workday BOOLEAN,
             workday_index INTEGER, note VARCHAR)

``workday_index`` counts the working days on or before ``day`` since the calendar's first day, so
for any date X (working day or not) the N-th working day after X is the working day whose index is
``index(X) + N``. The deadline of "within 10 working days after x" is one join::

    SELECT t.*, cd.day AS deadline, CAST(t.published_at AS DATE) <= cd.day AS on_time
    FROM t
    LEFT JOIN calendar c0 ON c0.day = CAST(t.ended_at AS DATE)
    LEFT JOIN calendar cd ON cd.is_workday AND cd.workday_index = c0.workday_index + 10

``deadline`` is NULL when X or the deadline lies outside the calendar: the checker must then say
"calendar does not cover this period" rather than judge (DOMAIN.md: refuse to count through a year
it does not know). ``nth_working_day_after_sql`` builds the same thing as a scalar expression.

Years come from ``chinese_calendar`` (its covered range is detected, not hard-coded) and from
``year_dir/YYYY.yaml`` files a user adds when the schedule for a new year is published (format in
``rules/calendar/README.md``). A file for a year the library also covers replaces the library for
that year. Years must be contiguous, since a running index across a missing year would be wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import chinese_calendar
import duckdb
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from . import yamlfile

MAKEUP_NOTE = "调休上班"
_YEAR_FILE = re.compile(r"^(\d{4})\.yaml$")
_SQL_REF = re.compile(r'^(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+")(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+"))*$')


class CalendarError(ValueError):
    """A year file is unusable, or the years are not contiguous. Message: Chinese + English."""


@dataclass(frozen=True)
class CalendarInfo:
    first_year: int
    last_year: int  # every day from Jan 1 first_year to Dec 31 last_year is in the table
    sources: dict[int, str]  # year -> 'chinese_calendar 1.11.0' or the YAML file it came from


# ---------------------------------------------------------------- year files


def _only_date(v: Any) -> Any:
    # YAML gives a date for 2027-01-01; an int or a datetime would be coerced silently by pydantic.
    if isinstance(v, dt.datetime) or not isinstance(v, (dt.date, str)):
        raise PydanticCustomError("invalid_date", "invalid date")
    return v


Day = Annotated[dt.date, BeforeValidator(_only_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class HolidaySpan(_Strict):
    """Days off that would otherwise be working days (weekend days inside the span are fine)."""

    name: str = Field(min_length=1)
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")


class MakeupWorkday(_Strict):
    """A Saturday or Sunday that is worked (调休上班)."""

    day: Day = Field(alias="date")
    name: str | None = None


class YearFile(_Strict):
    year: int
    source: str = Field(min_length=1)  # the notice the schedule comes from
    holidays: list[HolidaySpan] = []
    workdays: list[MakeupWorkday] = []


def _shown(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
        return str(path) if rel.startswith("..") else rel
    except ValueError:
        return str(path)


def _plain(node: yaml.Node, path: tuple, lines: dict, fail) -> Any:
    """Composed YAML node -> plain data, recording the line of every field path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                fail(k.start_mark.line + 1, _label(path), "键必须是文字 key must be a plain name")
            if k.value in out:
                fail(k.start_mark.line + 1, _label(path + (k.value,)), "字段重复 duplicate field")
            out[k.value] = _plain(v, path + (k.value,), lines, fail)
            lines[path + (k.value,)] = k.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, path + (i,), lines, fail) for i, v in enumerate(node.value)]
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):  # e.g. 2027-02-30: let the model report it as a bad date
        return node.value


def _label(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(根 root)"


def _message(err: dict) -> str:
    kind, value = err["type"], err.get("input")
    if kind.startswith("date") or kind == "invalid_date":
        return f"日期无效 invalid date {str(value)!r}"
    if kind == "extra_forbidden":
        return "未知字段 unknown field (允许 allowed: year, source, holidays[name, from, to], workdays[date, name])"
    if kind == "missing":
        return "缺少字段 missing field"
    return f"取值无效 invalid value {value!r}: {err['msg']}"


def load_year_file(path: Path) -> tuple[int, dict[dt.date, str], set[dt.date]]:
    """Read one ``YYYY.yaml``: (year, {day off: holiday name}, {调休 working weekend days})."""
    shown = _shown(path)

    def fail(line: int, field: str | None, text: str):
        where = f" 字段 {field}" if field else ""
        raise CalendarError(f"{shown} 第{line}行{where}: {text}")

    try:  # the one YAML parser for supplied files: aliases refused (pipelines.yamlfile)
        root = yamlfile.compose(path.read_text(encoding="utf-8"), shown)
    except yamlfile.YamlError as e:
        fail(e.line or 1, None, e.problem)
    except UnicodeDecodeError:
        fail(1, None, "文件须为 UTF-8 编码 file must be UTF-8")
    except OSError as e:  # e.g. a folder named 2027.yaml
        fail(1, None, f"无法读取 cannot read: {e.strerror or e}")
    if root is None:
        fail(1, None, "文件为空 empty file")
    lines: dict[tuple, int] = {}
    data = _plain(root, (), lines, fail)

    def line_of(loc: tuple) -> int:
        while loc not in lines:
            loc = loc[:-1]
        return lines[loc]

    try:
        doc = YearFile.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        fail(line_of(tuple(err["loc"])), _label(tuple(err["loc"])), _message(err))

    expected = int(_YEAR_FILE.match(path.name).group(1))
    if doc.year != expected:
        fail(line_of(("year",)), "year", f"年份与文件名不符 year {doc.year} does not match file name {path.name}")

    def in_year(d: dt.date, loc: tuple) -> None:
        if d.year != doc.year:
            fail(line_of(loc), _label(loc), f"日期不在 {doc.year} 年内 date {d} is outside year {doc.year}")

    off: dict[dt.date, str] = {}
    for i, h in enumerate(doc.holidays):
        in_year(h.start, ("holidays", i, "from"))
        in_year(h.end, ("holidays", i, "to"))
        if h.start > h.end:
            loc = ("holidays", i, "to")
            fail(line_of(loc), _label(loc), f"结束早于开始 'to' {h.end} is before 'from' {h.start}")
        for k in range((h.end - h.start).days + 1):
            d = h.start + dt.timedelta(days=k)
            if d in off:
                loc = ("holidays", i)
                fail(line_of(loc), _label(loc), f"假期重叠 {d} is already in holiday {off[d]!r}")
            off[d] = h.name
    work: set[dt.date] = set()
    for i, w in enumerate(doc.workdays):
        loc = ("workdays", i, "date")
        in_year(w.day, loc)
        if w.day.weekday() < 5:
            fail(line_of(loc), _label(loc), f"调休上班日须为周六或周日 {w.day} is a weekday, not a weekend day")
        if w.day in off:
            fail(line_of(loc), _label(loc), f"与假期冲突 {w.day} is also in holiday {off[w.day]!r}")
        if w.day in work:
            fail(line_of(loc), _label(loc), f"日期重复 {w.day} listed twice")
        work.add(w.day)
    return doc.year, off, work


def _year_files(year_dir: Path | None) -> dict[int, Path]:
    if year_dir is None or not Path(year_dir).is_dir():
        return {}
    found: dict[int, Path] = {}
    for p in sorted(Path(year_dir).iterdir()):
        if p.suffix.lower() not in (".yaml", ".yml"):
            continue
        m = _YEAR_FILE.match(p.name)
        if not m:
            raise CalendarError(
                f"{_shown(p)} 第1行: 文件名须为 YYYY.yaml file name must be YYYY.yaml (e.g. 2027.yaml)"
            )
        found[int(m.group(1))] = p
    return found


# ---------------------------------------------------------------- library


def _library() -> tuple[str, int, int, dict[dt.date, str], set[dt.date]]:
    """The library's covered years, detected from its data, and its exception days."""
    version = getattr(chinese_calendar, "__version__", None)
    if version is None:
        from importlib.metadata import version as _v

        version = _v("chinesecalendar")
    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    off = {d: chinese.get(n, n) for d, n in chinese_calendar.holidays.items()}
    work = set(chinese_calendar.workdays)
    years = {d.year for d in off} | {d.year for d in work}
    return f"chinese_calendar {version}", min(years), max(years), off, work


# ---------------------------------------------------------------- table


def install_calendar(con: duckdb.DuckDBPyConnection, year_dir: Path | None) -> CalendarInfo:
    """Create (or replace) table ``calendar`` in ``con``; see the module docstring."""
    lib_name, lib_first, lib_last, lib_off, lib_work = _library()
    sources = {y: lib_name for y in range(lib_first, lib_last + 1)}
    off = dict(lib_off)
    work = set(lib_work)
    for year, path in _year_files(year_dir).items():
        _, y_off, y_work = load_year_file(path)
        if year in sources:  # the file replaces the library for that year
            off = {d: n for d, n in off.items() if d.year != year}
            work = {d for d in work if d.year != year}
            sources[year] = f"{_shown(path)} (覆盖 overrides {lib_name})"
        else:
            sources[year] = _shown(path)
        off.update(y_off)
        work |= y_work
    first, last = min(sources), max(sources)
    missing = [y for y in range(first, last + 1) if y not in sources]
    if missing:
        have = ", ".join(f"{y}: {sources[y]}" for y in sorted(sources) if y > missing[0])
        raise CalendarError(
            f"日历年份不连续，缺少 {', '.join(map(str, missing))} 年 — calendar years are not contiguous, "
            f"missing {', '.join(map(str, missing))} (have {have}); "
            f"请添加 add {', '.join(f'{y}.yaml' for y in missing)}"
        )

    days = sorted(off) + sorted(work)
    con.execute(
        """
        CREATE OR REPLACE TABLE calendar (
            day DATE PRIMARY KEY, year INTEGER NOT NULL, is_workday BOOLEAN NOT NULL,
            workday_index INTEGER NOT NULL, note VARCHAR)
        """
    )
    con.execute(
        """
        INSERT INTO calendar
        WITH ex AS (
            SELECT unnest($days::DATE[]) AS day, unnest($is_work::BOOLEAN[]) AS is_work,
                   unnest($note::VARCHAR[]) AS note),
        d AS (
            SELECT CAST(range AS DATE) AS day
            FROM range(CAST($first AS TIMESTAMP), CAST($stop AS TIMESTAMP), INTERVAL 1 DAY)),
        w AS (
            SELECT d.day, COALESCE(ex.is_work, isodow(d.day) <= 5) AS is_workday, ex.note
            FROM d LEFT JOIN ex USING (day))
        SELECT day, CAST(year(day) AS INTEGER), is_workday,
               CAST(SUM(CAST(is_workday AS INTEGER)) OVER (ORDER BY day) AS INTEGER), note
        FROM w ORDER BY day
        """,
        {
            "days": days,
            "is_work": [False] * len(off) + [True] * len(work),
            "note": [off[d] for d in sorted(off)] + [MAKEUP_NOTE] * len(work),
            "first": dt.date(first, 1, 1),
            "stop": dt.date(last + 1, 1, 1),
        },
    )
    return CalendarInfo(first_year=first, last_year=last, sources=dict(sorted(sources.items())))


def nth_working_day_after_sql(date_expr: str, n: int, table: str = "calendar") -> str:
    """SQL scalar: the ``n``-th working day after the date of column ``date_expr`` (民法典 第二百零一条:
    the day itself is not counted), NULL if outside the calendar. ``date_expr`` must be a (dotted)
    column reference; the caller's query must not itself use the aliases ``_c0``/``_cd``."""
    if not _SQL_REF.match(date_expr) or not _SQL_REF.match(table):
        raise ValueError(f"not a column reference: {date_expr!r} / {table!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    return (
        f"(SELECT _cd.day FROM {table} _c0 JOIN {table} _cd "
        f"ON _cd.is_workday AND _cd.workday_index = _c0.workday_index + {n} "
        f"WHERE _c0.day = CAST({date_expr} AS DATE))"
    )
