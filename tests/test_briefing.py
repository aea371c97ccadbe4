"""The briefing's content (reports/briefing.py) as issue #8 requires: the decisions list holds only
what the joint meeting can decide, and every count in it equals the count in violations.jsonl."""

from __future__ import annotations

import json
import re
from collections import Counter

import docx
import pytest
from office_data import synthetic_data

from reports.briefing import LEAD_WORDS, build_briefing, decision_items, notes, outside_meeting

OUTSIDE_WORDS = ("纪委", "监委", "纪检", "公安", "检察")


@pytest.fixture(scope="module")
def sample(sample_outputs):
    out, violations, summary = sample_outputs
    doc = docx.Document(str(out / "briefing.docx"))
    groups = [json.loads(line) for line in (out / "groups.jsonl").read_text(encoding="utf-8").splitlines()]
    return doc, violations, summary, groups


def _section(doc, starts: str) -> list[str]:
    texts, inside = [], False
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            inside = p.text.startswith(starts)
            continue
        if inside and p.text:
            texts.append(p.text)
    return texts


def _overdue(v) -> bool:  # recounted from violations.jsonl, independently of reports.counts
    ev = v["evidence"]
    return "to_column" in ev and "due_date" in ev and not ev.get("to")


def _lead(v) -> bool:
    ev = v["evidence"]
    return "attribute" in ev and "bid_ids" in ev and "第三十四条" not in v["basis"]


def test_every_count_in_the_decisions_equals_the_count_in_violations_jsonl(sample):
    doc, violations, _, groups = sample
    items = _section(doc, "四、")
    assert items
    overdue = Counter(v["department"] for v in violations
                      if _overdue(v) and v["severity"] != "info" and not outside_meeting(v["department"]))
    stated = {m.group(1): int(m.group(2)) for t in items if (m := re.match(r"（.+?）(\S+?)有(\d+)项逾期至今仍未办理", t))}
    assert stated == dict(overdue) and stated
    [lead] = [t for t in items if "线索" in t]
    assert int(re.search(r"（.+?）(\d+)条投标人共用信息的线索", lead).group(1)) == sum(map(_lead, violations))
    [possible] = [t for t in items if "疑似匹配" in t]
    assert int(re.search(r"(\d+)条为疑似匹配", possible).group(1)) == sum(
        v["evidence"].get("confidence") == "possible" for v in violations)
    suspected = sum(g["suspected"] is True for g in groups)
    stated_groups = [int(m.group(1)) for t in items if (m := re.search(r"发现(\d+)个疑似围标串标", t))]
    assert stated_groups == ([suspected] if suspected else [])


def test_the_decisions_never_ask_to_oversee_or_refer_to_bodies_outside_the_meeting(sample):
    doc, violations, _, _ = sample
    items = _section(doc, "四、")
    assert not [t for t in items if any(word in t for word in OUTSIDE_WORDS)]
    # the referral not yet reported back (市纪委监委) is a note for information, without deadline wording
    [back] = [v for v in violations if v["rule_id"] == "referral-report-back"]
    assert not [t for t in items if back["record_id"] in t]
    [note] = [t for t in _section(doc, "五、") if back["record_id"] in t]
    assert "不列入督办" in note and not re.search(r"应于|期限|日内|逾期|督办事项。$", note.replace("不列入督办事项", ""))


def test_shared_attribute_findings_are_signs_to_verify_not_collusion_verdicts(sample):
    doc, violations, _, _ = sample
    [lead] = [t for t in _section(doc, "四、") if "线索" in t]
    assert LEAD_WORDS in lead and "核实" in lead and "不作为围标串标认定" in lead
    summary = _section(doc, "一、")[0]
    assert f"{sum(map(_lead, violations))}条是投标人之间共用信息的线索" in summary
    cases = [t for t in _section(doc, "三、") if t[:1].isdigit()]
    assert not any("【错误" in t and ("MAC相同" in t or "IP相同" in t) for t in cases)  # leads are tagged 线索


def test_a_group_is_called_suspected_only_when_groups_jsonl_says_so():
    data = synthetic_data(5)
    data.groups = [{"group_id": "G001", "suspected": False, "strength": 2},
                   {"group_id": "G002", "suspected": False, "strength": 1}]
    items = decision_items(data)
    assert not [d for d in items if "疑似围标串标" in d.text]
    assert any("2个投标人关联组证据不足" in n and "不认定为围标串标" in n for n in notes(data))
    data.groups[0]["suspected"] = True
    [group] = [d for d in decision_items(data) if d.kind == "groups"]
    assert group.count == 1 and "发现1个疑似围标串标投标人组" in group.text


def test_overdue_items_of_member_departments_are_for_the_meeting_and_of_outside_bodies_are_notes():
    data = synthetic_data(60)
    late = [v for v in data.violations if "to_column" in v["evidence"] and not v["evidence"]["to"]]
    late[0]["department"] = "市纪委监委"  # e.g. a referral's case not reported back
    briefing = build_briefing(data)
    overdue = [d for d in briefing.decisions if d.kind == "overdue"]
    assert overdue and not [d for d in overdue if outside_meeting(d.department)]
    for d in overdue:
        assert d.count == data.counts.department(d.department).overdue  # same as the department table
    assert any(n.startswith(f"市纪委监委：{late[0]['record_id']}") for n in briefing.notes)
    # bribery-record goes to the 行政监督部门 / 评标委员会 (条例 §51, §42(四)), never to 纪检 or 公安
    assert not [d for d in briefing.decisions if d.kind == "refer" and outside_meeting(d.body)]
