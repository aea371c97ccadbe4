"""dishonest-bidder (八(二)): a bidder listed as 失信被执行人 on the bid date must be kept out."""

import pytest

RULE = "dishonest-bidder"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(body: str) -> str:
    """A valid USCC (GB 32100-2015) from its first 17 characters."""
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS))
    return body + _ALPHABET[(31 - total % 31) % 31]


NORTH = uscc("91230400MA1B2C3D4")  # 鹤岗（北方）建设有限公司
OTHER = uscc("91230400MA1X9Y8W7")
CREDIT_HEADER = "entry_id,list_type,subject_name,subject_id,subject_type,listed_at,removed_at,publisher\n"


def export(bids: str, credit: str, projects: str = "P1,市住建局,2026-03-10\n") -> dict:
    return {
        "projects.csv": "project_id,department,bid_deadline\n" + projects,
        "bids.csv": "bid_id,project_id,bidder_name,bidder_uscc,submitted_at\n" + bids,
        "credit_list.csv": CREDIT_HEADER + credit,
    }


def test_bidder_listed_by_uscc_under_a_differently_written_name_is_violated(audit_export):
    run = audit_export(export(f"B1,P1,鹤岗（北方）建设有限公司,{NORTH},2026-03-05 09:30\n",
                              f"E1,失信被执行人,鹤岗北方建设公司,{NORTH},企业,2025-06-01,,鹤岗市中级人民法院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "violated"}
    [v] = run.violations(RULE)
    assert v["severity"] == "error" and v["department"] == "市住建局"
    assert v["basis"] == "鹤发改公管〔2022〕216号 八(二)"
    assert v["message"] == ("鹤岗（北方）建设有限公司在2026-03-05投标P1时被列为失信被执行人"
                            "（名单记录E1，按统一社会信用代码匹配）")
    ev = v["evidence"]
    assert ev["bid_date"] == "2026-03-05" and ev["bid_date_source"] == "submitted_at"
    assert ev["matches"] == [{
        "party": "bidder", "party_label": "投标人", "matched_by": "uscc", "confidence": "confirmed",
        "entry_id": "E1", "list_type": "失信被执行人", "listed_at": "2025-06-01", "removed_at": None,
        "publisher": "鹤岗市中级人民法院", "subject_name": "鹤岗北方建设公司", "subject_id": NORTH}]


def test_bidder_not_on_the_list_is_compliant(audit_export):
    run = audit_export(export(f"B1,P1,鹤岗（北方）建设有限公司,{NORTH},2026-03-05\n",
                              f"E1,失信被执行人,别的公司,{OTHER},企业,2025-06-01,,法院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}
    assert run.violations(RULE) == []


@pytest.mark.parametrize(("listed_at", "removed_at", "outcome"), [
    ("2026-03-06", "", "compliant"),            # listed after the bid date
    ("2025-01-01", "2026-03-04", "compliant"),  # removed before the bid date
    ("2025-01-01", "2026-03-05", "compliant"),  # removed on the bid date: d < removed_at fails
    ("2026-03-05", "", "violated"),             # listed on the bid date
    ("2026-03-05 23:59", "2026-03-06 00:01", "violated"),  # dates compared, not times
])
def test_listing_period_is_judged_on_the_bid_date(audit_export, listed_at, removed_at, outcome):
    run = audit_export(export(f"B1,P1,甲公司,{NORTH},2026-03-05 16:00\n",
                              f"E1,失信被执行人,甲公司,{NORTH},企业,{listed_at},{removed_at},法院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": outcome}


def test_entry_without_uscc_matches_by_normalised_name_with_fullwidth_brackets_and_spaces(audit_export):
    run = audit_export(export(f"B1,P1,鹤岗（北方） 建设有限公司,{NORTH},2026-03-05\n",
                              "E1,失信被执行人,鹤岗(北方)建设有限公司　,,企业,2025-06-01,,法院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["matches"][0]["matched_by"] == "name"
    assert "按名称匹配" in v["message"]


def test_bidder_without_uscc_matches_an_entry_with_one_by_name(audit_export):
    run = audit_export(export("B1,P1,鹤岗［北方］建设有限公司,,2026-03-05\n",
                              f"E1,失信被执行人,鹤岗[北方]建设有限公司,{NORTH},企业,2025-06-01,,法院\n"), only=[RULE])
    [v] = run.violations(RULE)
    assert v["evidence"]["matches"][0]["matched_by"] == "name"
    assert v["evidence"]["matches"][0]["subject_id"] == NORTH


def test_different_usccs_with_equal_names_do_not_match(audit_export):
    run = audit_export(export(f"B1,P1,甲公司,{NORTH},2026-03-05\n",
                              f"E1,失信被执行人,甲公司,{OTHER},企业,2025-06-01,,法院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}


def test_empty_submitted_at_uses_the_project_bid_deadline(audit_export):
    # listed 2026-03-08: after nothing was submitted, before the deadline 2026-03-10
    run = audit_export(export(f"B1,P1,甲公司,{NORTH},\n",
                              f"E1,失信被执行人,甲公司,{NORTH},企业,2026-03-08,,法院\n"), only=[RULE])
    [v] = run.violations(RULE)
    assert v["evidence"]["bid_date"] == "2026-03-10"
    assert v["evidence"]["bid_date_source"] == "project.bid_deadline"


def test_without_bid_time_and_deadline_or_with_an_unreadable_one_the_bid_is_not_evaluable(audit_export):
    bids = f"B1,P1,甲公司,{NORTH},\nB2,P2,甲公司,{NORTH},2026-02-30\nB3,P2,甲公司,{NORTH},\n"
    run = audit_export(export(bids, f"E1,失信被执行人,甲公司,{NORTH},企业,2020-01-01,,法院\n",
                              projects="P1,市住建局,\nP2,市交通局,下周五\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "not_evaluable", "B2": "not_evaluable", "B3": "not_evaluable"}
    assert run.reasons(RULE) == {"B1": "投标时间及投标截止时间均未填写", "B2": "投标时间无法识别",
                                 "B3": "投标截止时间无法识别"}
    assert run.violations(RULE) == []


def test_matching_entry_with_unreadable_dates_makes_the_bid_not_evaluable_unless_another_entry_confirms(audit_export):
    bids = f"B1,P1,甲公司,{NORTH},2026-03-05\nB2,P1,乙公司,{OTHER},2026-03-05\n"
    credit = (f"E1,失信被执行人,甲公司,{NORTH},企业,去年,,法院\n"
              f"E2,失信被执行人,乙公司,{OTHER},企业,2025-01-01,不详,法院\n"
              f"E3,失信被执行人,乙公司,{OTHER},企业,2025-01-01,,法院\n")
    run = audit_export(export(bids, credit), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "not_evaluable", "B2": "violated"}
    assert run.reasons(RULE) == {"B1": "名单记录E1列入日期无法识别"}
    assert [m["entry_id"] for m in run.violations(RULE)[0]["evidence"]["matches"]] == ["E3"]


def test_entries_of_another_list_type_do_not_count(audit_export):
    run = audit_export(export(f"B1,P1,甲公司,{NORTH},2026-03-05\n",
                              f"E1,行贿犯罪记录,甲公司,{NORTH},企业,2025-01-01,,检察院\n"), only=[RULE])
    assert run.outcomes(RULE) == {"B1": "compliant"}


def test_without_a_credit_list_table_the_rule_is_not_evaluated(audit_export):
    files = export(f"B1,P1,甲公司,{NORTH},2026-03-05\n", "")
    del files["credit_list.csv"]
    run = audit_export(files, only=[RULE])
    result = run.result(RULE)
    assert result.evaluated is False
    assert "credit_list" in result.not_evaluated_reason
    assert run.outcomes(RULE) == {}


def test_rule_file_naming_a_wrong_column_points_at_its_line(tmp_path):
    from pipelines.rules import DEFAULT_RULES_DIR, load_rule
    from pipelines.yamlfile import YamlError

    text = (DEFAULT_RULES_DIR / "dishonest-bidder.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("id: bidder_uscc", "id: legal_rep_id").replace("project.bid_deadline", "project.nope"),
                   encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_rule(bad)
    lines = text.splitlines()
    assert f"第{next(i for i, s in enumerate(lines, 1) if s.startswith('on_date'))}行 字段 field on_date[1]" in str(err.value)
    bad.write_text(text.replace("id: bidder_uscc", "id: legal_rep_id"), encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_rule(bad)
    assert "parties.bidder.id" in str(err.value) and "uscc" in str(err.value)
