"""Issue #13.4: notice text is normalised in SQL when that provably gives what the Python
normaliser gives (pipelines.sqlfuncs.fast_text_sql), and in Python otherwise."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import opencc
import pytest
from hypothesis import given, settings, strategies as st

from pipelines import notice_text, sqlfuncs

HTML = notice_text._HTML_SQL

#: pieces a clerk's or a platform's notice text is made of, the awkward ones included
PIECES = ["失信被执行人", "行贿犯罪", "投标人", "法定代表人", "。", "、", "“信用中国”", "《办法》", "·", "—",
          "，", "：", "（", "）", "；", "！", "？", "Ａ", "１", "\u3000", " ", "  ", "\n", "\n\n", "\r\n", "\t",
          "執行", "賄", "回覆", "深沈", "覆盖", "(", ")", "zhí", "(zhi2)", "HG2026", "a&b", "&amp;", "<p>",
          "</p>", "<br/>", "<div class=x>", "</div>", "<pre>", "<p中>", "<b>", "</b>", "<script>x()</script>",
          "<!-- c -->", "<title>t</title>", "<a", ">", "<", "\u200b", "\xa0", "ﬁ", "〔2022〕", "216号"]


def _fast(con, rows: list[str]) -> list[tuple]:
    con.execute("CREATE OR REPLACE TABLE notices AS SELECT row_number() OVER () AS _row, t AS content "
                "FROM unnest(?::VARCHAR[]) AS u(t)", [rows])
    relation = f"(SELECT _row, content, {HTML} AS is_html FROM notices)"
    return con.execute(f"SELECT f.fast, f.text, f.is_html, ggzy_halfwidth(n.content) FROM ({sqlfuncs.fast_text_sql(relation)}) f "
                       "JOIN notices n USING (_row) ORDER BY _row").fetchall()


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    sqlfuncs.install(con)
    return con


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), min_size=1, max_size=20))
def test_fast_path_text_equals_the_python_normaliser(con, texts):
    for text, (fast, sql_text, is_html, half) in zip(texts, _fast(con, texts)):
        if fast:
            assert sql_text == sqlfuncs.normalise([half], [is_html])[0], (text, is_html)


def test_plain_text_and_simple_html_take_the_fast_path_the_rest_does_not(con):
    texts = ["信用要求：投标人不得被列入失信被执行人名单。\n\n投标单位不得存在行贿犯罪记录（见附件）。 ",
             "<html><body><h1>公告</h1>\n<p>失信被执行人，</p><br/><p>行贿犯罪</p></body></html>",
             "失信被執行人", "回覆", "执(zhí)行", "a&amp;b<p>x</p>", "<script>x</script><p>失信</p>", "全角　空格"]
    got = _fast(con, texts)
    assert [fast for fast, *_ in got] == [True, True, False, False, False, False, False, False]
    assert got[0][1] == "信用要求:投标人不得被列入失信被执行人名单。\n投标单位不得存在行贿犯罪记录(见附件)。"
    assert got[1][1] == "公告\n失信被执行人,\n\n行贿犯罪".replace("\n\n", "\n")


def test_the_audit_gives_the_same_notice_text_either_way(con):
    texts = PIECES + ["".join(PIECES), "".join(reversed(PIECES))]
    for text, (fast, sql_text, is_html, half) in zip(texts, _fast(con, texts)):
        notice_text.install(con)
        via_udf = con.execute("SELECT NULLIF(ggzy_notice_text(?, ?), '')", [half, is_html]).fetchone()[0]
        assert (sql_text or None if fast else via_udf) == via_udf


def _dictionary(name: str) -> dict[str, str]:
    """An OpenCC dictionary of the installed package, as text (its own opencc_dict tool)."""
    root = Path(opencc.__file__).parent / "clib"
    tool = root / "bin" / "opencc_dict"
    if not tool.exists():
        pytest.skip("opencc_dict not shipped with this OpenCC build")
    out = Path(shutil.os.environ.get("TMPDIR", "/tmp")) / f"ggzy-{name}.txt"
    subprocess.run([str(tool), "-i", str(root / "share" / "opencc" / f"{name}.ocd2"), "-o", str(out),
                    "-f", "ocd2", "-t", "text"], check=True, capture_output=True)
    pairs = (line.rstrip("\n").split("\t") for line in out.read_text(encoding="utf-8").splitlines())
    return {key: values.split(" ")[0] for key, values in pairs}


def test_every_t2s_phrase_that_changes_text_contains_a_character_the_fast_path_refuses():
    changed = sqlfuncs.t2s_changed()
    for name in ("TSPhrases", "TSCharacters", "TSCharactersExt"):
        for key, value in _dictionary(name).items():
            if value != key:
                assert any(ord(ch) in changed or not 0x4E00 <= ord(ch) <= 0x9FFF for ch in key), (name, key, value)
