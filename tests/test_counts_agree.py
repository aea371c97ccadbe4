"""Every count agrees (issue #10 item 4): whichever file the meeting opens, the numbers are those
of violations.jsonl.

All formats are written for the shipped sample (as of 2026-11-27) and for a generated export
(benchmarks/generate.py, small scale, its own seed); every number that can be read back — HTML
stat cards, department chart and department × rule table (parsed), the Excel summary, department
and per-rule sheets (openpyxl), the Word briefing's sentences and department table (python-docx),
report.md's sentences and tables, summary.json (which the terminal prints) — is compared with a
count made here directly from violations.jsonl."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pytest

from pipelines.cli import main
from reports.html import RECORDS_PER_RULE

ROOT = Path(__file__).resolve().parents[1]
NO_DEPARTMENT = "（未注明部门）"
SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def _generator():
    spec = importlib.util.spec_from_file_location("ggzy_bench_generate_counts", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["sample", "generated"])
def audited(request, sample_outputs, tmp_path_factory):
    """(output folder, violations from violations.jsonl, summary) with every format written."""
    if request.param == "sample":
        return sample_outputs
    export = tmp_path_factory.mktemp("generated-export")
    _generator().generate(export, projects=150, bids=1200, credit=300, inspections=90, complaints=90, seed=23,
                          collusion_groups=2)
    out = tmp_path_factory.mktemp("generated-outputs")
    assert main(["audit", str(export), "--out", str(out), "--as-of", "2026-12-31"]) in (0, 1)
    violations = [json.loads(line) for line in (out / "violations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(violations) > 50  # enough to tell counts apart
    return out, violations, json.loads((out / "summary.json").read_text(encoding="utf-8"))


class Truth:
    """Counts made here from violations.jsonl, independently of reports.counts."""

    def __init__(self, violations: list[dict]):
        self.total = len(violations)
        self.severity = Counter(v["severity"] for v in violations)
        self.rule = Counter(v["rule_id"] for v in violations)
        self.dept = Counter(self.dept_of(v) for v in violations)
        self.dept_severity = Counter((self.dept_of(v), v["severity"]) for v in violations)
        self.dept_rule = Counter((self.dept_of(v), v["rule_id"]) for v in violations)
        self.overdue = Counter(self.dept_of(v) for v in violations if self.is_overdue(v))
        self.possible = Counter(self.dept_of(v) for v in violations if v["evidence"].get("confidence") == "possible")
        self.leads = Counter(self.dept_of(v) for v in violations if self.is_lead(v))

    @staticmethod
    def dept_of(v):
        return v["department"] or NO_DEPARTMENT

    @staticmethod
    def is_overdue(v):
        ev = v["evidence"]
        return "to_column" in ev and "due_date" in ev and not ev.get("to") and not v.get("late_done")

    @staticmethod
    def is_lead(v):
        ev = v["evidence"]
        return "attribute" in ev and "bid_ids" in ev and "第三十四条" not in (v["basis"] or "")


@pytest.fixture(scope="module")
def truth(audited):
    return Truth(audited[1])


def test_summary_json_which_the_terminal_prints_agrees(audited, truth):
    _, _, summary = audited
    assert summary["totals"]["violations"] == truth.total
    assert {k: v for k, v in summary["totals"]["by_severity"].items() if v} == dict(truth.severity)
    assert {r["rule_id"]: r["violated"] for r in summary["rules"] if r["violated"]} == dict(truth.rule)


MATRIX = "//table[contains(concat(' ', @class, ' '), ' matrix ')]"


def test_report_html_cards_chart_and_department_table_agree(audited, truth):
    out, _, summary = audited
    page = lxml.html.parse(str(out / "report.html")).getroot()
    cards = {c.get("data-count"): int(c.xpath(".//div[@class='v']")[0].text_content())
             for c in page.xpath("//*[@data-count]")}
    assert cards["total"] == truth.total
    for sev in SEVERITIES:
        assert cards.get(sev, 0) == truth.severity[sev], sev
    assert cards["departments"] == len(truth.dept)
    assert cards.get("leads", 0) == sum(truth.leads.values())
    chart = Counter()
    for rect in page.xpath("//svg//rect[@data-dept]"):
        if not rect.get("data-dept").startswith("其余 "):
            chart[(rect.get("data-dept"), rect.get("data-sev"))] += int(rect.get("data-n"))
    assert chart and all(chart[k] == n for k, n in truth.dept_severity.items() if k[0] in {d for d, _ in chart})
    assert sum(chart.values()) <= truth.total
    matrix = Counter({(td.get("data-dept"), td.get("data-rule")): int(td.get("data-n"))
                      for td in page.xpath(f"{MATRIX}//td[@data-rule]")})
    assert +matrix == truth.dept_rule
    rows = page.xpath(f"{MATRIX}/tbody/tr")
    assert {r.xpath("./td[1]")[0].text_content().strip(): int(r.xpath("./td[last()]")[0].text_content())
            for r in rows} == dict(truth.dept)
    printed = Counter()
    for tr in page.xpath("//table[contains(@class, 'matrix-long')]/tbody/tr"):
        dept, title, n = (td.text_content().strip() for td in tr.xpath("./td"))
        printed[(dept, title)] += int(n)
    titles = {r["rule_id"]: r["title"] for r in summary["rules"]}
    assert printed == Counter({(d, titles[r]): n for (d, r), n in truth.dept_rule.items()})
    shown = page.xpath("//tr[@data-rule]")
    # one detail row per violation, up to RECORDS_PER_RULE per rule (the page is bounded, issue #13);
    # a rule cut short says its full count
    assert Counter(tr.get("data-rule") for tr in shown) == {r: min(n, RECORDS_PER_RULE) for r, n in truth.rule.items()}
    text = page.text_content()
    for rule, n in truth.rule.items():
        if n > RECORDS_PER_RULE:
            assert f"本页只列出本规则的前 {RECORDS_PER_RULE} 条（共 {n} 条）" in text, rule


def _records(ws, header_row: int = 1):
    headers = [c.value for c in ws[header_row]]
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if any(v is not None for v in row):
            yield dict(zip(headers, row))


def test_violations_xlsx_summary_department_and_rule_sheets_agree(audited, truth):
    out, _, summary = audited
    wb = openpyxl.load_workbook(out / "violations.xlsx")
    ws = wb["汇总"]
    facts = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0] and r[1] is not None}
    assert facts["违规合计"] == truth.total
    for sev in SEVERITIES:
        assert facts[f"其中{SEVERITY_ZH[sev]}"] == truth.severity[sev]
    assert facts.get("其中线索（第四十条情形的迹象，待核实）", 0) == sum(truth.leads.values())
    rows = list(ws.iter_rows(values_only=True))
    rule_header = next(i for i, r in enumerate(rows) if r[0] == "规则编号")
    by_rule = {}
    for r in rows[rule_header + 1:]:
        if not r[0]:
            break
        by_rule[r[0]] = r[rows[rule_header].index("违规")]
    assert {k: v for k, v in by_rule.items() if v not in (0, "—")} == dict(truth.rule)
    dept_header = next(i for i, r in enumerate(rows) if r[0] == "部门")
    header = rows[dept_header]
    for r in rows[dept_header + 1:]:
        if not r[0] or r[0] == "三、数据覆盖":
            break
        d = r[0]
        got = dict(zip(header, r))
        assert got["合计"] == truth.dept[d], d
        for sev in SEVERITIES:
            assert got[SEVERITY_ZH[sev]] == truth.dept_severity[(d, sev)], (d, sev)
        assert (got["逾期未办"], got["疑似待核实"], got["线索待核实"]) == (
            truth.overdue[d], truth.possible[d], truth.leads[d]), d
    assert sum(1 for r in rows[dept_header + 1:] if r[0] and r[0] != "三、数据覆盖" and r[1] is not None) >= len(truth.dept)
    assert Counter({(r["部门"], r["规则编号"]): r["违规"] for r in _records(wb["部门分规则"])}) == truth.dept_rule
    listed = list(_records(wb["违规清单"]))
    assert len(listed) == truth.total and Counter(r["规则编号"] for r in listed) == truth.rule


def test_briefing_docx_sentences_and_department_table_agree(audited, truth):
    out, _, _ = audited
    doc = docx.Document(str(out / "briefing.docx"))
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    assert f"发现问题{truth.total}条" in summary
    assert (f"其中错误{truth.severity['error']}条、警告{truth.severity['warning']}条、"
            f"提示{truth.severity['info']}条，涉及{len(truth.dept)}个部门") in summary
    if truth.leads:
        assert f"有{sum(truth.leads.values())}条是投标人之间共用信息的线索" in summary
    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    header = rows[0]
    body = {r[0]: dict(zip(header, r)) for r in rows[1:-1]}
    assert set(body) == set(truth.dept)
    for d, got in body.items():
        assert (int(got["违规"]), int(got["错误"]), int(got["警告"])) == (
            truth.dept[d], truth.dept_severity[(d, "error")], truth.dept_severity[(d, "warning")]), d
        assert (int(got["逾期未办"]), int(got["疑似待核实"]), int(got["线索待核实"])) == (
            truth.overdue[d], truth.possible[d], truth.leads[d]), d
    total = dict(zip(header, rows[-1]))
    assert total["部门"] == "合计" and int(total["违规"]) == truth.total and int(total["错误"]) == truth.severity["error"]


def _md_table(lines: list[str], first_header: str) -> list[list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return [[c.strip() for c in re.split(r"(?<!\\)\|", lines[start])[1:-1]]] + rows


def test_report_md_sentences_and_tables_agree(audited, truth):
    out, _, summary = audited
    text = (out / "report.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert (f"共发现违规 **{truth.total}** 条（错误 {truth.severity['error']} 条，警告 {truth.severity['warning']} 条，"
            f"提示 {truth.severity['info']} 条") in text
    rules = _md_table(lines, "规则")
    head = rules[0]
    assert {r[head.index("规则编号")]: int(r[head.index("违规")]) for r in rules[1:]
            if r[head.index("违规")] not in ("—", "0")} == dict(truth.rule)
    depts = _md_table(lines, "部门")
    head = depts[0]
    got = {r[0].replace("\\", ""): dict(zip(head, r)) for r in depts[1:]}
    assert set(got) == set(truth.dept)
    for d, row in got.items():
        assert int(row["合计"]) == truth.dept[d]
        for sev in SEVERITIES:
            assert int(row[SEVERITY_ZH[sev]]) == truth.dept_severity[(d, sev)], (d, sev)
        assert (int(row["逾期未办"]), int(row["疑似待核实"]), int(row["线索待核实"])) == (
            truth.overdue[d], truth.possible[d], truth.leads[d]), d
    title_to_id = {r["title"]: r["rule_id"] for r in summary["rules"]}
    start = lines.index("各部门分规则：")
    per_rule = Counter()
    for line in lines[start + 4:]:
        if not line.startswith("|"):
            break
        dept, title, n = (c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1])
        per_rule[(dept.replace("\\", ""), title_to_id[title.replace("\\", "")])] = int(n)
    assert per_rule == truth.dept_rule


def test_the_exports_exercise_every_breakdown(audited, truth):
    """A count that is zero everywhere would agree by accident: both exports have violations of
    every severity class that matters, in several departments, with overdue items and leads."""
    assert len(truth.dept) >= 3 and len(truth.rule) >= 5
    assert truth.severity["error"] and truth.severity["warning"]
    assert sum(truth.overdue.values()) and sum(truth.leads.values())
