"""The working-day calendar: official 2026 schedule, 民法典 第二百零一条 counting, user year files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import chinese_calendar
import duckdb
import pytest

from pipelines.calendar import CalendarError, install_calendar, nth_working_day_after_sql

D = dt.date
README = Path(__file__).resolve().parents[1] / "rules" / "calendar" / "README.md"

# A made-up 2027 schedule for tests only (the real one is not published yet).
FAKE_2027 = """\
year: 2027
source: 测试用虚构安排 made up for tests
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - name: 春节
    from: 2027-02-05
    to: 2027-02-11
workdays:
  - {date: 2027-02-13, name: 春节调休}
"""


@pytest.fixture()
def con():
    c = duckdb.connect()
    yield c
    c.close()


def day(con, d: dt.date):
    return con.execute("SELECT is_workday, note FROM calendar WHERE day = ?", [d]).fetchone()


def nth_after(con, d: dt.date, n: int):
    """The join pattern from the module docstring."""
    row = con.execute(
        """
        SELECT cd.day FROM (SELECT CAST(? AS DATE) AS x) t
        LEFT JOIN calendar c0 ON c0.day = t.x
        LEFT JOIN calendar cd ON cd.is_workday AND cd.workday_index = c0.workday_index + ?
        """,
        [d, n],
    ).fetchone()
    return row[0]


def write(dir_: Path, name: str, text: str) -> Path:
    p = dir_ / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------ official 2026 schedule


def test_spring_festival_2026_saturday_14th_worked_15th_to_23rd_off(con):
    install_calendar(con, None)
    assert day(con, D(2026, 2, 13)) == (True, None)
    assert day(con, D(2026, 2, 14)) == (True, "调休上班")  # Saturday
    for k in range(15, 24):
        assert day(con, D(2026, 2, k)) == (False, "春节"), k
    assert day(con, D(2026, 2, 24)) == (True, None)
    assert day(con, D(2026, 2, 28)) == (True, "调休上班")  # Saturday


def test_mid_autumn_and_national_day_2026(con):
    install_calendar(con, None)
    assert day(con, D(2026, 9, 20)) == (True, "调休上班")  # Sunday
    assert day(con, D(2026, 9, 25)) == (False, "中秋")  # Friday
    assert day(con, D(2026, 9, 28)) == (True, None)  # Monday
    for k in range(1, 8):
        assert day(con, D(2026, 10, k)) == (False, "国庆节"), k
    assert day(con, D(2026, 10, 8)) == (True, None)
    assert day(con, D(2026, 10, 10)) == (True, "调休上班")  # Saturday
    assert day(con, D(2026, 10, 11)) == (False, None)  # ordinary Sunday


def test_ordinary_weekend_is_off_and_weekday_is_worked(con):
    install_calendar(con, None)
    assert day(con, D(2026, 3, 7)) == (False, None)  # Saturday
    assert day(con, D(2026, 3, 9)) == (True, None)  # Monday


def test_table_agrees_with_library_on_every_day(con):
    install_calendar(con, None)
    rows = con.execute("SELECT day, is_workday FROM calendar ORDER BY day").fetchall()
    wrong = [d for d, w in rows if chinese_calendar.is_workday(d) != w]
    assert wrong == []


# ------------------------------------------------------------ counting (民法典 第二百零一条)


def test_tenth_working_day_after_mid_autumn_friday_crosses_national_day(con):
    install_calendar(con, None)
    # 09-28,29,30 (1-3), 10-01..07 off, 10-08,09 (4-5), 10-10 Sat 调休 (6), 10-12..15 (7-10)
    assert nth_after(con, D(2026, 9, 25), 10) == D(2026, 10, 15)


def test_three_working_days_after_feb_12_2026_count_the_makeup_saturday(con):
    install_calendar(con, None)
    # 02-13 (1), 02-14 Sat 调休 (2), 02-15..23 off, 02-24 (3)
    assert nth_after(con, D(2026, 2, 12), 3) == D(2026, 2, 24)


def test_event_day_itself_is_not_counted(con):
    install_calendar(con, None)
    assert nth_after(con, D(2026, 3, 5), 1) == D(2026, 3, 6)  # Thursday -> Friday
    assert nth_after(con, D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday -> Monday
    assert nth_after(con, D(2026, 3, 7), 1) == D(2026, 3, 9)  # Saturday -> Monday


def test_sql_helper_matches_join_pattern(con):
    install_calendar(con, None)
    expr = nth_working_day_after_sql("t.x", 10)
    got = con.execute(f"SELECT {expr} FROM (SELECT DATE '2026-09-25' AS x) t").fetchone()[0]
    assert got == D(2026, 10, 15)
    expr3 = nth_working_day_after_sql("x", 3)
    got = con.execute(
        f"SELECT x, {expr3} AS due FROM (VALUES (DATE '2026-02-12'), (DATE '2026-12-30')) v(x) ORDER BY x"
    ).fetchall()
    assert got == [(D(2026, 2, 12), D(2026, 2, 24)), (D(2026, 12, 30), None)]


def test_sql_helper_rejects_anything_but_a_column_and_positive_int():
    for bad in ("x; DROP TABLE calendar", "now()", "1", ""):
        with pytest.raises(ValueError):
            nth_working_day_after_sql(bad, 3)
    for n in (0, -1, True, 2.0):
        with pytest.raises(ValueError):
            nth_working_day_after_sql("x", n)


def test_period_running_past_the_last_known_year_has_no_deadline(con):
    info = install_calendar(con, None)
    assert info.last_year == 2026
    # Mon 2026-12-28: 29, 30, 31 are working days 1-3; the 5th lies in an unknown year
    assert nth_after(con, D(2026, 12, 28), 3) == D(2026, 12, 31)
    assert nth_after(con, D(2026, 12, 28), 5) is None
    assert nth_after(con, D(2030, 1, 2), 1) is None


# ------------------------------------------------------------ table shape


def test_table_is_contiguous_and_index_steps_exactly_on_working_days(con):
    info = install_calendar(con, None)
    n, first, last, years_ok = con.execute(
        "SELECT count(*), min(day), max(day), bool_and(year = year(day)) FROM calendar"
    ).fetchone()
    assert (first, last) == (D(info.first_year, 1, 1), D(info.last_year, 12, 31))
    assert n == (last - first).days + 1 and years_ok
    bad = con.execute(
        """
        SELECT count(*) FROM (
            SELECT day - lag(day) OVER w AS gap,
                   workday_index - coalesce(lag(workday_index) OVER w, 0) AS step, is_workday
            FROM calendar WINDOW w AS (ORDER BY day))
        WHERE coalesce(gap, 1) <> 1 OR step <> CAST(is_workday AS INTEGER)
        """
    ).fetchone()[0]
    assert bad == 0


def test_library_range_is_detected_and_reported_as_source(con, tmp_path):
    for year_dir in (None, tmp_path / "missing", tmp_path):
        info = install_calendar(con, year_dir)
        assert info.first_year == min(chinese_calendar.holidays).year
        assert info.last_year == 2026
        assert set(info.sources) == set(range(info.first_year, 2027))
        assert set(info.sources.values()) == {"chinese_calendar 1.11.0"}


# ------------------------------------------------------------ user year files


def test_year_file_for_2027_extends_the_calendar(con, tmp_path):
    path = write(tmp_path, "2027.yaml", FAKE_2027)
    info = install_calendar(con, tmp_path)
    assert info.last_year == 2027
    assert info.sources[2027] == str(path)
    assert day(con, D(2027, 1, 1)) == (False, "元旦")
    assert day(con, D(2027, 2, 8)) == (False, "春节")
    assert day(con, D(2027, 2, 13)) == (True, "调休上班")  # Saturday
    assert day(con, D(2027, 2, 14)) == (False, None)
    # 12-29, 30, 31 (1-3), 2027-01-01..03 off, 01-04 (4), 01-05 (5)
    assert nth_after(con, D(2026, 12, 28), 5) == D(2027, 1, 5)
    # 261 weekdays in 2027, minus 6 weekday holidays, plus 1 makeup Saturday
    worked = con.execute("SELECT count(*) FROM calendar WHERE year = 2027 AND is_workday").fetchone()[0]
    assert worked == 256
    assert con.execute("SELECT max(day) FROM calendar").fetchone()[0] == D(2027, 12, 31)


def test_year_file_for_a_library_year_overrides_it(con, tmp_path):
    write(tmp_path, "2026.yaml", "year: 2026\nsource: 测试\nholidays: []\n")
    info = install_calendar(con, tmp_path)
    assert "2026.yaml" in info.sources[2026] and "overrides chinese_calendar" in info.sources[2026]
    assert day(con, D(2026, 2, 16)) == (True, None)  # Monday, no holiday in this file
    assert day(con, D(2026, 2, 14)) == (False, None)  # Saturday, no 调休 in this file
    assert day(con, D(2025, 10, 1)) == (False, "国庆节")  # other years still from the library


def test_readme_example_is_a_valid_year_file(con, tmp_path):
    example = re.search(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    write(tmp_path, "2027.yaml", example)
    assert install_calendar(con, tmp_path).last_year == 2027


HEAD = "year: 2027\nsource: 测试\n"  # lines 1-2


@pytest.mark.parametrize(
    "text, line, field, words",
    [
        pytest.param(
            HEAD + "holiday:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-01}\n",
            3, "holiday", "未知字段", id="typo-field",
        ),
        pytest.param(
            HEAD + "holidays:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-01, note: x}\n",
            4, "holidays[0].note", "unknown field", id="unknown-nested-field",
        ),
        pytest.param(
            HEAD + "holidays:\n  - name: 春节\n    from: 2027-02-05\n    to: 2027-02-30\n",
            6, "holidays[0].to", "invalid date '2027-02-30'", id="invalid-date",
        ),
        pytest.param(
            HEAD + "holidays:\n  - {name: 春节, from: 20270205, to: 2027-02-06}\n",
            4, "holidays[0].from", "日期无效", id="number-is-not-a-date",
        ),
        pytest.param(
            "year: 2028\nsource: 测试\n", 1, "year", "does not match file name 2027.yaml", id="wrong-year",
        ),
        pytest.param(
            HEAD + "holidays:\n  - {name: 元旦, from: 2026-12-31, to: 2027-01-01}\n",
            4, "holidays[0].from", "outside year 2027", id="date-outside-year",
        ),
        pytest.param(
            HEAD + "holidays:\n  - name: 春节\n    from: 2027-02-11\n    to: 2027-02-05\n",
            6, "holidays[0].to", "before 'from'", id="from-after-to",
        ),
        pytest.param(
            HEAD + "workdays:\n  - {date: 2027-02-10, name: 春节调休}\n",
            4, "workdays[0].date", "is a weekday", id="workday-not-weekend",
        ),
        pytest.param(
            HEAD + "holidays:\n  - {name: 春节, from: 2027-02-05, to: 2027-02-14}\n"
            "workdays:\n  - {date: 2027-02-13}\n",
            6, "workdays[0].date", "also in holiday", id="workday-inside-holiday",
        ),
        pytest.param("year: 2027\nholidays: []\n", 1, "source", "missing field", id="missing-source"),
        pytest.param(HEAD + "year: 2027\n", 3, "year", "duplicate field", id="duplicate-key"),
    ],
)
def test_bad_year_file_names_file_line_and_field(con, tmp_path, text, line, field, words):
    write(tmp_path, "2027.yaml", text)
    with pytest.raises(CalendarError) as e:
        install_calendar(con, tmp_path)
    msg = str(e.value)
    assert "2027.yaml" in msg and f"第{line}行" in msg and f"字段 {field}:" in msg and words in msg, msg


def test_yaml_syntax_error_names_file_and_line(con, tmp_path):
    write(tmp_path, "2027.yaml", HEAD + "holidays:\n  - {name: 元旦, from: 2027-01-01\n")
    with pytest.raises(CalendarError, match=r"2027\.yaml 第\d+行: YAML 语法错误 syntax error"):
        install_calendar(con, tmp_path)


def test_missing_year_between_library_and_file_is_refused(con, tmp_path):
    write(tmp_path, "2029.yaml", "year: 2029\nsource: 测试\n")
    with pytest.raises(CalendarError) as e:
        install_calendar(con, tmp_path)
    msg = str(e.value)
    assert "不连续" in msg and "2027, 2028" in msg and "2029.yaml" in msg, msg


def test_misnamed_year_file_is_refused_not_ignored(con, tmp_path):
    write(tmp_path, "2027.yml", FAKE_2027)
    with pytest.raises(CalendarError, match=r"2027\.yml 第1行: 文件名须为 YYYY\.yaml"):
        install_calendar(con, tmp_path)
