"""Rule examples as data (pipelines/examples.py): every ``examples:`` block of the shipped rule
files is run as a real audit — its rows written as CSV files into an export folder, the shipped
pack, the real calendar, DuckDB — and the outcome of every record is compared with what the rule
file expects. The block is checked when the pack loads, with file, line and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil

import pytest

from helpers import write_files
from pipelines.audit import run_audit, today_in_beijing
from pipelines.examples import Example, cell_text
from pipelines.rules import DEFAULT_RULES_DIR, RuleError, load_pack
from pipelines.rulesql import compile_rule

PACK = load_pack()
CASES = [(rule, example) for rule in PACK.rules for example in rule.examples]
HEADLINE = ("credit-clause", "inspection-disclosure", "complaint-transfer", "dishonest-bidder", "bribery-record")


def csv_text(rows: list[dict]) -> str:
    """Rows as one CSV file: the columns any row names, in the order first named."""
    columns = list(dict.fromkeys(c for row in rows for c in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell_text(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue()


def plain(value):
    """An expected value as JSON holds it (YAML dates become ISO text)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return cell_text(value) if isinstance(value, (dt.date, dt.datetime)) else value


def holds(expected, actual) -> bool:
    """``expected`` is part of ``actual``: every key of a mapping, every item of an equally long list."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and holds(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(holds, expected, actual))
    return expected == actual


def run_example(rule_id: str, example: Example, folder):
    files = {f"{table}.csv": csv_text(rows) for table, rows in example.rows.items()}
    return run_audit(write_files(folder, files), only=[rule_id], as_of=example.as_of or today_in_beijing())


@pytest.mark.parametrize("rule,example", CASES,
                         ids=[f"{r.id}[{r.examples.index(e)}]" for r, e in CASES])
def test_rule_example_gives_the_expected_outcome_for_every_record(rule, example, tmp_path):
    con, audit = run_example(rule.id, example, tmp_path / "export")
    [result] = audit.results
    assert result.evaluated, result.not_evaluated_reason
    rows = con.execute("SELECT record_id, outcome, reason FROM outcomes WHERE rule_id = ?", [rule.id]).fetchall()
    outcomes: dict[str, set] = {}
    for record, outcome, _ in rows:
        outcomes.setdefault(record, set()).add(outcome)
    assert outcomes == {record: {exp.outcome} for record, exp in example.expect.items()}
    reasons = {record: reason for record, _, reason in rows}
    violations = {}
    for record, severity, evidence in con.execute(
            "SELECT record_id, severity, evidence FROM violations WHERE rule_id = ?", [rule.id]).fetchall():
        violations.setdefault(record, []).append((severity, json.loads(evidence) if evidence else {}))
    pending = {record: json.loads(evidence) for record, evidence in con.execute(
        "SELECT record_id, evidence FROM outcomes WHERE rule_id = ? AND outcome = 'pending'", [rule.id]).fetchall()}
    for record, exp in example.expect.items():
        if exp.reason:
            assert exp.reason in str(reasons[record]), (record, reasons[record])
        if exp.severity:
            assert {s for s, _ in violations[record]} == {exp.severity}, record
        if exp.evidence:
            found = [e for _, e in violations.get(record, [])] or [pending.get(record)]
            assert any(holds(plain(exp.evidence), e) for e in found), (record, found)


@pytest.mark.parametrize("rule_id", HEADLINE)
def test_headline_rules_have_examples_of_a_violation_a_compliance_and_an_undecided_record(rule_id):
    rule = next(r for r in PACK.rules if r.id == rule_id)
    seen = {exp.outcome for example in rule.examples for exp in example.expect.values()}
    assert {"violated", "compliant"} <= seen and seen & {"pending", "not_evaluable"}, seen


def test_the_engine_compiles_the_same_sql_with_or_without_examples():
    rule = next(r for r in PACK.rules if r.id == "inspection-disclosure")
    bare = rule.spec.model_copy(update={"examples": []})
    assert rule.spec.examples
    with_examples = compile_rule(rule, dt.date(2026, 11, 27))
    rule.spec, kept = bare, rule.spec
    try:
        assert compile_rule(rule, dt.date(2026, 11, 27)) == with_examples
    finally:
        rule.spec = kept


def test_an_expectation_that_does_not_hold_fails_the_comparison(tmp_path):
    """The runner can fail: X2 was published on its due date, so expecting a violation is wrong."""
    rule = next(r for r in PACK.rules if r.id == "inspection-disclosure")
    example = rule.examples[0].model_copy(update={"expect": {**rule.examples[0].expect,
                                                             "X2": rule.examples[0].expect["X1"]}})
    con, _ = run_example(rule.id, example, tmp_path / "export")
    got = dict(con.execute("SELECT record_id, outcome FROM outcomes").fetchall())
    assert got["X2"] == "compliant" != example.expect["X2"].outcome


# ------------------------------------------------------------------------------- checked on load

BROKEN = """
examples:
  - title: 错误示例
    rows:
      inspections:
        - {inspection_id: X1, department: 市住建局, ended_on: 2026-09-25}
        - {inspection_id: X1, department: 市住建局}
      complaintz:
        - {complaint_id: C1}
      complaints:
        - {complaint_id: C1, received_by: 市住建局, received_at: 2026-10-01, complainant_name: 张三}
    expect:
      X1: overdue
      X9: {outcome: compliant, evidence: {due_date: 2026-10-15}}
  - rows:
      inspections:
        - {inspection_id: X5, department: 市住建局, ended_at: 2026-09-25}
    expect:
      X5: pending
"""


def pack_with(tmp_path, text: str):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "inspection-disclosure.yaml"
    body = path.read_text(encoding="utf-8").split("\nexamples:")[0]
    path.write_text(body + "\n" + text.lstrip("\n"), encoding="utf-8")
    return folder, path


def test_a_wrong_examples_block_is_reported_with_file_line_and_field(tmp_path):
    folder, path = pack_with(tmp_path, BROKEN)
    start = path.read_text(encoding="utf-8").splitlines().index("examples:") + 1  # line of "examples:"
    with pytest.raises(RuleError) as caught:
        load_pack(folder)
    text = str(caught.value)
    assert f"{path} 第{start + 11}行 字段 field examples[0].expect.X1.outcome: 取值无效" in text


def test_examples_that_parse_are_checked_against_the_schema_and_the_rows(tmp_path):
    broken = BROKEN.replace("X1: overdue", "X1: violated")
    folder, path = pack_with(tmp_path, broken)
    start = path.read_text(encoding="utf-8").splitlines().index("examples:") + 1
    with pytest.raises(RuleError) as caught:
        load_pack(folder)
    lines = str(caught.value).splitlines()
    expected = [
        (start + 4, "examples[0].rows.inspections[0].ended_on", "没有列 has no column 'ended_on'"),
        (start + 5, "examples[0].rows.inspections[1].inspection_id", "主键重复 duplicate key 'X1'"),
        (start + 6, "examples[0].rows.complaintz", "未知数据表 unknown table 'complaintz'"),
        (start + 9, "examples[0].rows.complaints[0].complainant_name", "保密信息，ggzy 从不读入"),
        (start + 12, "examples[0].expect.X9", "不在示例数据 inspections.inspection_id 中"),
        (start + 12, "examples[0].expect.X9.evidence", "只有违规与待到期记录保留证据"),
        (start + 13, "examples[1].as_of", "须写明 as_of / a pending expectation needs as_of"),
    ]
    for line, field, problem in expected:
        assert any(f"{path} 第{line}行 字段 field {field}: " in x and problem in x for x in lines), (field, lines)
    assert len(lines) == len(expected)


def test_an_impossible_date_in_a_rule_file_is_reported_with_its_line_not_a_traceback(tmp_path):
    text = BROKEN.replace("ended_on: 2026-09-25", "ended_at: 2026-09-31")
    folder, path = pack_with(tmp_path, text)
    start = path.read_text(encoding="utf-8").splitlines().index("examples:") + 1
    with pytest.raises(RuleError) as caught:
        load_pack(folder)
    assert f"{path} 第{start + 4}行 取值无效 invalid value '2026-09-31'" in str(caught.value)


def test_local_yaml_may_replace_a_rules_examples_and_its_mistakes_name_local_yaml(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    local = folder / "local.yaml"
    local.write_text("params:\n  inspection-disclosure:\n    within: {working_days: 5}\n    examples:\n"
                     "      - rows: {inspections: [{inspection_id: L1, department: 市住建局, ended_at: 2026-09-25}]}\n"
                     "        as_of: 2026-11-27\n        expect: {L1: violated}\n", encoding="utf-8")
    rule = next(r for r in load_pack(folder).rules if r.id == "inspection-disclosure")
    assert [list(e.expect) for e in rule.examples] == [["L1"]]
    local.write_text(local.read_text(encoding="utf-8").replace("L1: violated", "L2: violated"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"local.yaml 第7行 字段 field params.inspection-disclosure.examples\[0\]"
                                        r".expect.L2: 记录 'L2' 不在示例数据"):
        load_pack(folder)
