"""Faster SQL forms the kinds use give exactly the result of the forms they replace (issue #13)."""

import duckdb
import pytest

from checks.base import halfwidth, norm_name
from checks.text_clause import _SPLIT, _scoped_sentence
from pipelines import sqlfuncs
from pipelines.sql import contains_any, literal

NAMES = ["鹤岗市甲建筑有限公司", "鹤岗市乙工程（集团）有限公司", "鹤岗市乙工程(集团)有限公司", "ＡＢＣ　公司",
         "【丙】建设 有限公司", "甲\t乙\n丙", "甲\u00a0乙", "Ａ（ｂ）", "（）", "　", " ", "", None, "91230400MA1AAAAA0X",
         "ｘｙｚ１２３", "鹤岗市〔2026〕号（北方）", "～！＠"]


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    sqlfuncs.install(con)
    con.execute("CREATE TABLE v (s VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?)", [[n] for n in NAMES])
    return con


def test_halfwidth_equals_the_macro_on_every_kind_of_name(con):
    rows = con.execute(f"SELECT s, ggzy_halfwidth(s), {halfwidth('s')} FROM v").fetchall()
    assert [(s, a) for s, a, b in rows if a != b] == []
    assert con.execute(f"SELECT {halfwidth(literal('Ａ（ｂ）　'))}").fetchone()[0] == "A(b) "


def test_norm_name_equals_the_macro_on_every_kind_of_name(con):
    rows = con.execute(f"SELECT s, ggzy_norm_name(s), {norm_name('s')} FROM v").fetchall()
    assert [(s, a) for s, a, b in rows if a != b] == []
    assert con.execute(f"SELECT {norm_name(literal('【丙】建设 （集团）'))}").fetchone()[0] == "[丙]建设(集团)"


TEXTS = ["投标人不得有行贿犯罪记录。法定代表人；授权委托人无受贿记录！", "行贿", "。。行贿", "行贿行贿\n行贿\n",
         "无关内容", "", None, "a.b (x)在此？不在。a.b (x)"]


@pytest.mark.parametrize("scope", [["行贿"], ["行贿", "受贿"], ["a.b (x)"]])
def test_scoped_sentences_are_those_splitting_finds(con, scope):
    split = f"list_filter(regexp_split_to_array(t, {literal(_SPLIT)}), lambda x: {contains_any('x', scope)})"
    fast = f"regexp_extract_all(t, {literal(_scoped_sentence(scope))})"
    rows = con.execute(f"SELECT t, {split}, {fast} FROM (SELECT unnest(?::VARCHAR[]) AS t)", [TEXTS]).fetchall()
    assert [(t, a, b) for t, a, b in rows if a != b] == []
    assert any(a for _, a, _ in rows)
