"""A check kind owns its whole story: every kind declares what checks.Kind says, and a kind the
reports have never heard of shows its evidence in HTML, Excel and Word by its declaration alone."""

from __future__ import annotations

import html
import re

import docx
import openpyxl
from office_data import synthetic_data

import checks
from checks.base import RuleSpec, Shown
from pipelines import bidders, engine, notice_text
from reports.docx import write_docx
from reports.html import write_html
from reports.xlsx import sheet_names, write_xlsx


def test_every_kind_declares_spec_fields_shown_preparations_and_compile():
    for name in checks.KINDS:
        kind = checks.kind(name)
        assert isinstance(kind, checks.Kind), name
        assert issubclass(kind.Spec, RuleSpec) and kind.SHOWN and all(isinstance(s, Shown) for s in kind.SHOWN)
        assert set(kind.PREPARES) <= set(checks.PREPARATIONS), name


def test_every_kind_parameter_has_a_chinese_label_for_the_rule_catalogue():
    for name in checks.KINDS:
        spec = checks.kind(name).Spec
        unlabelled = [f for f, info in spec.model_fields.items()
                      if f not in RuleSpec.model_fields and not info.description]
        assert not unlabelled, (name, unlabelled)


def test_the_engine_runs_every_named_preparation_and_makes_the_table_checks_expect():
    assert set(engine.PREPARATIONS) == set(checks.PREPARATIONS)
    assert checks.PREPARATIONS == {"notice_text": notice_text.TABLE, "bidders": bidders.TABLE}


FAKE = "fake_kind"
FAKE_SHOWN = (Shown("seen_on", "发现日期", "date"), Shown("tally", "数量核对", "number"),
              Shown("flag", "核对结果", values=(("odd", "异常待查"),)), Shown("note", "仅网页显示", excel=False))


def _fake_data():
    data = synthetic_data(6)
    data.summary["export"]["mapping"] = None  # as summary.json has it without a mapping file
    data.kinds = {**checks.shown(), FAKE: [s.as_dict() for s in FAKE_SHOWN]}
    rule = data.rules[0]
    rule["check"] = FAKE
    for v in data.violations:
        if v["rule_id"] == rule["rule_id"]:
            v["check"] = FAKE
            v["evidence"] = {"seen_on": "2026-03-04", "tally": 7, "flag": "odd", "note": "附注", "other": "余下"}
    return data, rule


def test_a_new_kind_shows_its_evidence_in_html_xlsx_and_docx_with_no_report_change(tmp_path):
    data, rule = _fake_data()
    page = html.unescape(re.sub(r"<[^>]+>", " ", write_html(data, tmp_path).read_text(encoding="utf-8")))
    for text in ("发现日期", "2026-03-04", "数量核对", "异常待查", "仅网页显示", "附注"):
        assert text in page, text

    wb = openpyxl.load_workbook(write_xlsx(data, tmp_path))
    ws = wb[sheet_names(data.rules)[rule["rule_id"]]]
    headers = [c.value for c in ws[1]]
    assert {"发现日期", "数量核对", "核对结果"} <= set(headers) and "仅网页显示" not in headers
    row = {h: c for h, c in zip(headers, ws[2])}
    assert row["发现日期"].is_date and row["数量核对"].value == 7 and row["核对结果"].value == "异常待查"
    assert "余下" in row["证据"].value  # what the kind does not declare is still there

    text = "\n".join(p.text for p in docx.Document(str(write_docx(data, tmp_path))).paragraphs)
    assert "发现日期：2026-03-04" in text and "核对结果：异常待查" in text


DEADLINE_ON_PROJECT = """\
id: bid-window
title: 投标截止前未发布
basis: 测试
severity: error
description: 测试规则
table: notices
check: deadline
from: published_at
to: project.bid_deadline
within: {days: 20}
message: "{notice_id}"
"""


def test_a_rule_reading_a_project_column_is_not_evaluated_without_the_projects_table(audit_export, tmp_path):
    from rule_subset import rule_folder

    folder = rule_folder(tmp_path / "rules", **{"bid-window": DEADLINE_ON_PROJECT})
    run = audit_export({"notices.csv": "notice_id,project_id,notice_type,published_at\nA,P1,招标公告,2026-09-01\n"},
                       rules_dir=folder)
    result = run.result("bid-window")
    assert not result.evaluated and result.counts == {}
    assert result.not_evaluated == {"code": "table_missing", "table": "projects", "text": "缺少数据表 projects（项目（标段））"}
    assert run.outcomes("bid-window") == {}


def test_every_outcome_row_carries_its_rules_check_and_reasons_only_when_not_evaluable(audit_export, tmp_path):
    from rule_subset import rule_folder

    folder = rule_folder(tmp_path / "rules", **{"bid-window": DEADLINE_ON_PROJECT})
    run = audit_export({"notices.csv": "notice_id,project_id,notice_type,published_at\nA,P1,招标公告,2026-09-01\n"
                                       "B,P2,招标公告,\nC,P3,招标公告,2026-09-01\n",
                        "projects.csv": "project_id,department,bid_deadline\nP1,市住建局,2026-09-30\n"
                                        "P2,市住建局,2026-09-30\nP3,市住建局,2026-09-10\n"}, rules_dir=folder)
    rows = run.con.execute('SELECT record_id, "check", outcome, reason FROM outcomes ORDER BY 1').fetchall()
    assert {r[1] for r in rows} == {"deadline"}
    assert all((r[2] == "not_evaluable") == (r[3] is not None) for r in rows), rows
    assert run.reason_data("bid-window") == {"B": {"code": "value_missing", "column": "published_at",
                                                    "text": "发布时间未填写"}}
    assert {v["check"] for v in run.violations("bid-window")} == {"deadline"}
