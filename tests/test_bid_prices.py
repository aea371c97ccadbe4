"""bid_prices: the price and outcome screens for bid rigging (条例 §40(4), Open Contracting red flags) —
identical prices, regular price patterns, a single valid bid in an open procedure, every bid but the
winner's rejected, cover bidding. Screens are warnings, and lots they cannot judge say why."""

from collusion_helpers import NAMES, bid, export


def test_identical_prices_from_different_bidders_are_a_warning_but_the_budget_ceiling_is_not(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", price="900,000.00"), bid("B2", "P1", "B", price="900000"), bid("B3", "P1", "C", price=950000),
        bid("B4", "P2", "A", price=1000000), bid("B5", "P2", "B", price=1000000),  # the budget: a ceiling, no evidence
        bid("B6", "P3", "A", price=800000), bid("B7", "P3", "A", price=800000), bid("B8", "P3", "B", price=850000),
        bid("B9", "P4", "A", price=""), bid("B10", "P4", "B", price="面议"),
    ]), only=["price-identical"])
    [v] = run.violations("price-identical")
    assert (v["record_id"], v["severity"], v["basis"]) == ("P1", "warning", "招标投标法实施条例 第四十条第（四）项")
    assert v["evidence"]["bid_ids"] == ["B1", "B2"] and v["evidence"]["facts"] == {"price": 900000.0}
    assert [b["bid_id"] for b in v["evidence"]["bids"]] == ["B1", "B2", "B3"]  # the whole lot, for checking
    assert v["message"] == (f"标段P1中2家投标人（{NAMES['A']}、{NAMES['B']}）报价均为900,000.00元，涉及投标B1、B2，"
                            "存在《招标投标法实施条例》第四十条第（四）项所列情形的迹象，请核实")
    assert run.outcomes("price-identical") == {"P1": "violated", "P2": "compliant", "P3": "compliant",
                                               "P4": "not_evaluable"}


def test_three_prices_with_equal_gaps_or_equal_ratios_are_a_regular_pattern(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", price=900000), bid("B2", "P1", "B", price=910000), bid("B3", "P1", "C", price=920000),
        bid("B4", "P1", "D", price=987654.32),
        bid("B5", "P2", "A", price=1000000), bid("B6", "P2", "B", price=1020000), bid("B7", "P2", "C", price=1040400),
        bid("B8", "P3", "A", price=900000), bid("B9", "P3", "B", price=913456.78), bid("B10", "P3", "C", price=951234.56),
        bid("B11", "P4", "A", price=900000), bid("B12", "P4", "B", price=910000),
    ]), only=["price-pattern"])
    found = {v["record_id"]: v for v in run.violations("price-pattern")}
    assert found["P1"]["evidence"]["bid_ids"] == ["B1", "B2", "B3"]
    assert "相邻差额均约为10,000.00元" in found["P1"]["message"]
    assert found["P2"]["evidence"]["facts"]["triples"][0]["equal_gaps"] is False
    assert "相邻比值均约为1.0200" in found["P2"]["message"]
    assert run.outcomes("price-pattern") == {"P1": "violated", "P2": "violated", "P3": "compliant",
                                             "P4": "not_applicable"}


def test_single_valid_bid_in_an_open_procedure_is_flagged_and_an_unknown_procedure_is_not_evaluable(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", is_winner="是"), bid("B2", "P1", "B", status="否决", is_winner="否"),
        bid("B3", "P2", "A", is_winner="是"),
        bid("B4", "P3", "A"), bid("B5", "P3", "B"),
        bid("B6", "P4", "A"), bid("B7", "P4", "B", status=""),
        bid("B8", "P5", "A"),
    ], lots={"P5": "土地使用权"},
        notices=[("N1", "P1", "招标公告"), ("N3", "P3", "采购公告"), ("N4", "P4", "招标公告"), ("N5", "P5", "招标公告")]),
        only=["single-valid-bid"])
    [v] = run.violations("single-valid-bid")
    assert v["record_id"] == "P1" and v["evidence"]["bid_ids"] == ["B1"]
    assert v["evidence"]["facts"] == {"open_notice_ids": ["N1"], "valid_bids": 1, "bidders": 2}
    assert run.outcomes("single-valid-bid") == {"P1": "violated", "P2": "not_evaluable", "P3": "compliant",
                                                "P4": "not_evaluable", "P5": "not_applicable"}
    reasons = run.reasons("single-valid-bid")
    assert "无法确定是否公开招标" in reasons["P2"] and "投标状态未填写" in reasons["P4"]


def test_every_bid_but_the_winners_rejected_is_flagged(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", is_winner="是"), bid("B2", "P1", "B", status="否决", is_winner="否"),
        bid("B3", "P1", "C", status="无效", is_winner="否"),
        bid("B4", "P2", "A", is_winner="是"), bid("B5", "P2", "B", is_winner="否"), bid("B6", "P2", "C", status="否决", is_winner="否"),
        bid("B7", "P3", "A", is_winner="是"), bid("B8", "P3", "B", status="否决", is_winner="否"),
        bid("B9", "P4", "A", is_winner=""), bid("B10", "P4", "B", status="否决", is_winner="否"),
        bid("B11", "P4", "C", status="否决", is_winner="否"),
        bid("B12", "P5", "A", is_winner="否"), bid("B13", "P5", "B", is_winner="否"), bid("B14", "P5", "C", is_winner="否"),
    ]), only=["all-but-winner-rejected"])
    [v] = run.violations("all-but-winner-rejected")
    assert v["record_id"] == "P1" and "其余2份投标均被否决或无效" in v["message"]
    assert run.outcomes("all-but-winner-rejected") == {"P1": "violated", "P2": "compliant", "P3": "not_applicable",
                                                       "P4": "not_evaluable", "P5": "not_applicable"}


def test_winner_close_to_the_runner_up_with_the_rest_far_above_is_cover_bidding(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", price=1000000, is_winner="是"), bid("B2", "P1", "B", price=1010000, is_winner="否"),
        bid("B3", "P1", "C", price=1150000, is_winner="否"), bid("B4", "P1", "D", price=1200000, is_winner="否"),
        bid("B5", "P2", "A", price=1000000, is_winner="是"), bid("B6", "P2", "B", price=1010000, is_winner="否"),
        bid("B7", "P2", "C", price=1050000, is_winner="否"),
        bid("B8", "P3", "A", price=1000000, is_winner="是"), bid("B9", "P3", "B", price=1010000, is_winner="是"),
        bid("B10", "P3", "C", price=1300000, is_winner="否"),
        bid("B11", "P4", "A", price=1000000, is_winner="是"), bid("B12", "P4", "B", price=1100000, is_winner="否"),
        bid("B13", "P4", "C", price=1300000, is_winner="否"),
    ]), only=["cover-bidding"])
    [v] = run.violations("cover-bidding")
    facts = v["evidence"]["facts"]
    assert v["record_id"] == "P1" and facts["runner_up_bid_id"] == "B2" and facts["winner_to_runner_up"] == 0.01
    assert facts["rest_above_runner_up"] == 0.1386
    assert "仅相差1.0%" in v["message"] and "高出次低价13.9%以上" in v["message"]
    assert run.outcomes("cover-bidding") == {"P1": "violated", "P2": "compliant", "P3": "not_evaluable",
                                             "P4": "compliant"}
