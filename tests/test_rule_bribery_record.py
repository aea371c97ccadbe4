"""bribery-record (八(二)): the bidder, its legal representative and its authorised agent must have
no 行贿犯罪记录 on the bid date; persons are confirmed by resident ID only."""

import json
import re

import pytest

RULE = "bribery-record"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def uscc(body: str) -> str:
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS))
    return body + _ALPHABET[(31 - total % 31) % 31]


def resident_id(body: str) -> str:
    """A valid resident ID (GB 11643-1999) from its first 17 digits."""
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]


NORTH, OTHER = uscc("91230400MA1B2C3D4"), uscc("91230400MA1X9Y8W7")
ZHANG = resident_id("23040219800101123")  # 张三, legal representative
ZHANG_OTHER = resident_id("23040219750505456")  # another 张三
LI = resident_id("23040219900202567")  # 李四, agent
CREDIT_HEADER = "entry_id,list_type,subject_name,subject_id,subject_type,listed_at,removed_at,publisher\n"
BIDS_HEADER = "bid_id,project_id,bidder_name,bidder_uscc,legal_rep_name,legal_rep_id,agent_name,agent_id,submitted_at\n"


def export(bids: str, credit: str, projects: str = "P1,市住建局,2026-03-10\n") -> dict:
    return {"projects.csv": "project_id,department,bid_deadline\n" + projects,
            "bids.csv": BIDS_HEADER + bids, "credit_list.csv": CREDIT_HEADER + credit}


def bid(bid_id="B1", rep_id=ZHANG, agent_id=LI, submitted="2026-03-05", uscc_=NORTH) -> str:
    return f"{bid_id},P1,鹤岗（北方）建设有限公司,{uscc_},张三,{rep_id},李四,{agent_id},{submitted}\n"


def test_bidder_with_a_bribery_record_is_an_eligibility_error_for_the_panel_and_department(audit_export):
    run = audit_export(export(bid(), f"E1,行贿犯罪记录,鹤岗北方建设公司,{NORTH},企业,2024-01-01,,检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "violated"}
    [v] = run.violations(RULE)
    # 条例 §51: the 评标委员会 rejects the bid; §42(四): a false pledge is for the 行政监督部门 — never 纪检监察 by itself
    assert v["severity"] == "error" and v["refer_to"] == ["行政监督部门", "评标委员会"]
    assert v["message"] == ("鹤岗（北方）建设有限公司在2026-03-05投标P1时，投标人有行贿犯罪记录"
                            "（名单记录E1，按统一社会信用代码匹配，确认匹配），应否决其投标，请评标委员会或行政监督部门核实")
    assert v["evidence"]["matches"][0]["subject_id"] == NORTH  # a USCC is not personal


def test_bids_with_ids_but_no_names_are_checked_by_id_and_the_summary_says_what_was_not(audit_export):
    header = "bid_id,project_id,bidder_name,bidder_uscc,legal_rep_id,agent_id,submitted_at\n"
    files = {"projects.csv": "project_id,department,bid_deadline\nP1,市住建局,2026-03-10\n",
             "bids.csv": header + f"B1,P1,鹤岗（北方）建设有限公司,{NORTH},{ZHANG},{LI},2026-03-05\n"
                                  f"B2,P1,别的建设有限公司,{OTHER},{ZHANG_OTHER},,2026-03-05\n",
             "credit_list.csv": CREDIT_HEADER + f"E1,行贿犯罪记录,张三,{ZHANG},个人,2024-01-01,,检察院\n"
                                                f"E2,行贿犯罪记录,李四,,个人,2024-01-01,,检察院\n"}
    run = audit_export(files, only=[RULE])
    result = run.result(RULE)
    assert result.evaluated  # the names missing no longer silence the whole rule
    assert run.outcomes(RULE) == {"B1": "violated", "B2": "compliant"}
    [v] = run.violations(RULE)
    assert v["severity"] == "error" and [m["matched_by"] for m in v["evidence"]["matches"]] == ["resident_id"]
    parts = {p["part"]: p for p in result.parts}
    assert parts["bidder"]["not_checked"] is None and parts["bidder"]["checked_by"] == ["uscc", "name"]
    assert parts["legal_rep"]["checked_by"] == ["resident_id"]
    assert "缺少法定代表人列" in parts["legal_rep"]["not_checked"]  # E2 (李四, name only) could not be looked for
    assert "只按身份证号核对" in parts["agent"]["not_checked"]


def test_a_party_with_neither_name_nor_id_column_is_reported_unchecked(audit_export):
    header = "bid_id,project_id,bidder_name,bidder_uscc,submitted_at\n"
    files = {"projects.csv": "project_id,department,bid_deadline\nP1,市住建局,2026-03-10\n",
             "bids.csv": header + f"B1,P1,鹤岗（北方）建设有限公司,{NORTH},2026-03-05\n",
             "credit_list.csv": CREDIT_HEADER + f"E1,行贿犯罪记录,张三,{ZHANG},个人,2024-01-01,,检察院\n"}
    run = audit_export(files, only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}  # the bidder part ran
    parts = {p["part"]: p for p in run.result(RULE).parts}
    assert parts["legal_rep"]["checked_by"] == [] and "未核对法定代表人" in parts["legal_rep"]["not_checked"]
    assert parts["agent"]["checked_by"] == [] and "未核对授权委托人" in parts["agent"]["not_checked"]


def test_bid_with_no_listed_party_is_compliant(audit_export):
    credit = (f"E1,行贿犯罪记录,别的公司,{OTHER},企业,2024-01-01,,检察院\n"
              f"E2,行贿犯罪记录,王五,{ZHANG_OTHER},个人,2024-01-01,,检察院\n")
    run = audit_export(export(bid(), credit), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}


def test_legal_representative_matched_by_resident_id_is_an_error_with_masked_evidence(audit_export):
    run = audit_export(export(bid(), f"E1,行贿犯罪记录,张三,{ZHANG},个人,2026-03-05,,检察院\n"), only=[RULE])
    [v] = run.violations(RULE)
    assert v["severity"] == "error" and v["evidence"]["confidence"] == "confirmed"
    [m] = v["evidence"]["matches"]
    assert m["party"] == "legal_rep" and m["matched_by"] == "resident_id" and m["confidence"] == "confirmed"
    assert m["subject_name"] == "张*"
    assert m["subject_id"] == ZHANG[:4] + "*" * 10 + ZHANG[-4:]
    assert "法定代表人有行贿犯罪记录" in v["message"]
    assert "张三" not in v["message"] and ZHANG not in v["message"]


def test_agent_matched_by_name_only_is_a_possible_match_reported_as_warning(audit_export):
    # the bid gives no agent ID; the list entry has one
    run = audit_export(export(bid(agent_id=""), f"E1,行贿犯罪记录,李 四,{LI},个人,2024-01-01,,检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "violated"}
    [v] = run.violations(RULE)
    assert v["severity"] == "warning"
    assert v["evidence"]["confidence"] == "possible"
    [m] = v["evidence"]["matches"]
    assert (m["party"], m["matched_by"], m["confidence"]) == ("agent", "name", "possible")
    assert "授权委托人（疑似）" in v["message"] and "疑似匹配" in v["message"]


def test_possible_match_beside_a_confirmed_one_keeps_the_error_and_lists_both(audit_export):
    credit = (f"E1,行贿犯罪记录,张三,{ZHANG},个人,2024-01-01,,检察院\n"
              "E2,行贿犯罪记录,李四,,,2024-01-01,,检察院\n")
    run = audit_export(export(bid(), credit), only=[RULE])
    [v] = run.violations(RULE)
    assert v["severity"] == "error" and v["evidence"]["confidence"] == "confirmed"
    assert [(m["entry_id"], m["confidence"]) for m in v["evidence"]["matches"]] == [("E1", "confirmed"), ("E2", "possible")]
    assert "法定代表人、授权委托人（疑似）" in v["message"]


def test_persons_with_different_resident_ids_but_the_same_name_do_not_match(audit_export):
    run = audit_export(export(bid(), f"E1,行贿犯罪记录,张三,{ZHANG_OTHER},个人,2024-01-01,,检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}


def test_a_company_entry_bearing_a_persons_name_does_not_match_the_person(audit_export):
    run = audit_export(export(bid(rep_id=""), "E1,行贿犯罪记录,张三,,企业,2024-01-01,,检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}


@pytest.mark.parametrize(("listed_at", "removed_at", "outcome"), [
    ("2026-03-06", "", "compliant"),
    ("2025-01-01", "2026-03-04", "compliant"),
    ("2025-01-01", "2026-03-05", "compliant"),
    ("2026-03-05", "", "violated"),
])
def test_person_listing_period_is_judged_on_the_bid_date(audit_export, listed_at, removed_at, outcome):
    run = audit_export(export(bid(), f"E1,行贿犯罪记录,李四,{LI},个人,{listed_at},{removed_at},检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": outcome}


def test_empty_submitted_at_uses_the_project_bid_deadline(audit_export):
    run = audit_export(export(bid(submitted=""), f"E1,行贿犯罪记录,李四,{LI},个人,2026-03-09,,检察院\n"), only=[RULE])
    [v] = run.violations(RULE)
    assert (v["evidence"]["bid_date"], v["evidence"]["bid_date_source"]) == ("2026-03-10", "project.bid_deadline")


def test_without_bid_time_and_deadline_the_bid_is_not_evaluable(audit_export):
    run = audit_export(export(bid(submitted=""), f"E1,行贿犯罪记录,李四,{LI},个人,2020-01-01,,检察院\n",
                              projects="P1,市住建局,\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "not_evaluable"}
    assert run.reasons(RULE) == {"B1": "投标时间及投标截止时间均未填写"}


def test_matching_entry_with_an_unreadable_removal_date_is_not_evaluable_naming_the_entry(audit_export):
    run = audit_export(export(bid(), f"E7,行贿犯罪记录,张三,{ZHANG},个人,2024-01-01,待定,检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "not_evaluable"}
    assert run.reasons(RULE) == {"B1": "名单记录E7移出日期无法识别"}


def test_evidence_never_contains_an_unmasked_resident_id_or_person_name(audit_export):
    bids = bid("B1") + bid("B2", agent_id="") + bid("B3", rep_id="", agent_id="")
    credit = (f"E1,行贿犯罪记录,张三,{ZHANG},个人,2024-01-01,,检察院\n"
              f"E2,行贿犯罪记录,李四,{LI},,2024-01-01,,检察院\n"
              f"E3,行贿犯罪记录,张三,{ZHANG},,2024-01-01,,检察院\n")
    run = audit_export(export(bids, credit), only=[RULE])
    violations = run.violations(RULE)
    assert len(violations) == 3
    text = json.dumps(violations, ensure_ascii=False, default=str)
    assert not re.search(r"\d{17}[\dX]", text)
    assert ZHANG not in text and LI not in text and "张三" not in text and "李四" not in text


def test_entries_of_another_list_type_do_not_count(audit_export):
    run = audit_export(export(bid(), f"E1,失信被执行人,张三,{ZHANG},个人,2024-01-01,,法院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}


def test_without_a_credit_list_table_the_rule_is_not_evaluated(audit_export):
    files = export(bid(), "")
    del files["credit_list.csv"]
    run = audit_export(files, only=[RULE])
    assert run.result(RULE).evaluated is False
    assert "credit_list" in run.result(RULE).not_evaluated_reason
