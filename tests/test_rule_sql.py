"""``ggzy rules --sql RULE_ID``: every shipped rule compiles, without an export, to SQL that sqlglot
parses as DuckDB, and the pretty-printed SQL a person reads is the SQL that runs — it gives the
audit's own outcome counts on the sample export."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot

from conftest import SAMPLE
from pipelines.audit import run_audit
from pipelines.cli import main
from pipelines.rules import load_pack
from pipelines.rulesql import compile_rule, pretty, rule_sql

AS_OF = dt.date(2026, 11, 27)
PACK = load_pack()


def cli(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("rule", PACK.rules, ids=PACK.ids())
def test_every_shipped_rule_compiles_to_sql_that_sqlglot_parses_as_duckdb(rule):
    compiled = compile_rule(rule, AS_OF)
    for statement in (compiled.source, compiled.outcome):
        [tree] = sqlglot.parse(statement, read="duckdb")
        assert isinstance(tree, sqlglot.exp.Create)
    assert rule_sql(rule, AS_OF).count(";\n") == 2


@pytest.fixture(scope="module")
def sample_audit():
    con, audit = run_audit(SAMPLE, as_of=AS_OF)
    return con, {r.rule_id: r for r in audit.results}, audit.calendar.last_year


@pytest.mark.parametrize("rule", PACK.rules, ids=PACK.ids())
def test_the_pretty_printed_sql_gives_the_audits_outcome_counts_on_the_sample(rule, sample_audit):
    con, results, last_year = sample_audit
    result = results[rule.id]
    if not result.evaluated:
        pytest.skip(f"not evaluated on the sample: {result.not_evaluated_reason}")
    compiled = compile_rule(rule, AS_OF, calendar_last_year=last_year)
    con.execute(pretty(compiled.source))  # the kind's prepared tables are still there from the audit
    con.execute(pretty(compiled.outcome))
    counts = dict(con.execute("SELECT outcome, count(*) FROM rule_outcome GROUP BY ALL").fetchall())
    assert counts == result.counts
    assert sum(counts.values()) > 0


def test_rules_sql_prints_both_statements_without_an_export(capsys):
    code, out, _ = cli(capsys, "rules", "--sql", "inspection-disclosure", "--as-of", "2026-11-27")
    assert code == 0
    assert out.startswith("-- 规则 rule inspection-disclosure：抽查结果未在检查结束后10个工作日内公开")
    assert "CREATE OR REPLACE TEMPORARY VIEW rule_source AS\nSELECT\n  t.*," in out
    assert 'FROM "inspections" AS t' in out
    # the 10 working days and the audit date are in the outcome query
    assert "cd.workday_index = c0.workday_index + 10" in out and "CAST('2026-11-27' AS DATE)" in out


def test_rules_sql_for_an_unknown_rule_exits_2_with_a_bilingual_message(capsys):
    code, out, err = cli(capsys, "rules", "--sql", "no-such-rule")
    assert code == 2 and out == ""
    assert "规则包中没有规则 no-such-rule" in err and "unknown rule id 'no-such-rule'" in err
