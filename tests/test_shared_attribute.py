"""shared_attribute (条例 §40(1)(2)(3)(6), §34): different bidders in one lot sharing a value that
must differ — one finding per lot and value, personal values masked, and the false-positive traps
(empty and placeholder values, public terminals, one shared IP in one lot, shared infrastructure)."""

import pytest

from collusion_helpers import CO, NAMES, SHARED_RULES, bid, export, pack_with, resident_id
from pipelines.rules import RuleError, load_pack

AGENT = resident_id("23040119850817345")
AGENT_MASKED = AGENT[:4] + "*" * 10 + AGENT[-4:]


def test_same_file_machine_code_in_one_lot_is_one_finding_naming_the_bids(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", file_machine_code="MC-7F3A"),
        bid("B2", "P1", "B", file_machine_code=" mc-7f3a "),  # the same code, typed differently
        bid("B3", "P1", "C", file_machine_code="MC-0001"),
    ]), only=["shared-machine-code"])
    [v] = run.violations("shared-machine-code")
    assert (v["record_id"], v["project_id"], v["department"], v["severity"]) == ("P1", "P1", "市住建局", "error")
    assert v["basis"] == "招标投标法实施条例 第四十条第（一）项" and v["refer_to"] == ["行政监督部门"]
    ev = v["evidence"]
    assert ev["attribute"] == "file_machine_code" and ev["bid_ids"] == ["B1", "B2"] and ev["value"] == "MC-7F3A"
    assert [b["bidder_key"] for b in ev["bidders"]] == [CO["A"], CO["B"]]
    assert v["message"] == (f"标段P1中2家投标人（{NAMES['A']}、{NAMES['B']}）的文件制作机器码相同（MC-7F3A），"
                            "涉及投标B1、B2，存在《招标投标法实施条例》第四十条第（一）项所列情形的迹象，"
                            "请评标委员会或行政监督部门核实")
    assert "视为串通" not in v["message"]  # a sign to verify, not a verdict (DOMAIN.md "§39 vs §40")
    assert run.outcomes("shared-machine-code") == {"P1": "violated"}


def test_two_shared_values_in_one_lot_are_two_findings_with_distinct_keys(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", file_machine_code="M1"), bid("B2", "P1", "B", file_machine_code="M1"),
        bid("B3", "P1", "C", file_machine_code="M2"), bid("B4", "P1", "D", file_machine_code="M2"),
    ]), only=["shared-machine-code"])
    found = run.violations("shared-machine-code")
    assert sorted(v["evidence"]["bid_ids"] for v in found) == [["B1", "B2"], ["B3", "B4"]]
    assert len({v["key"] for v in found}) == 2 and all(v["record_id"] == "P1" for v in found)


@pytest.mark.parametrize(("rule", "column", "basis"), [
    ("shared-agent", "agent_id", "招标投标法实施条例 第四十条第（二）项"),
    ("shared-project-manager", "project_manager_id", "招标投标法实施条例 第四十条第（三）项"),
    ("shared-legal-rep", "legal_rep_id", "招标投标法实施条例 第三十四条"),
])
def test_same_person_across_different_bidders_is_a_finding_with_the_id_masked(audit_export, rule, column, basis):
    other = resident_id("23040219900101456")
    run = audit_export(export([
        bid("B1", "P1", "A", **{column: AGENT}), bid("B2", "P1", "B", **{column: AGENT.lower()}),
        bid("B3", "P1", "C", **{column: other}),
    ]), only=[rule])
    [v] = run.violations(rule)
    assert v["basis"] == basis and v["evidence"]["bid_ids"] == ["B1", "B2"]
    assert v["evidence"]["value"] == AGENT_MASKED and AGENT_MASKED in v["message"]
    assert AGENT not in str(v)  # the full ID appears nowhere
    # never the police by itself: the 行政监督部门, and the 评标委员会 for §34's eligibility check
    assert v["refer_to"] == (["行政监督部门", "评标委员会"] if rule == "shared-legal-rep" else ["行政监督部门"])


def test_same_deposit_account_is_a_finding_showing_only_the_last_four_digits(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", deposit_account="6222 0210 0112 3456 789"),
        bid("B2", "P1", "B", deposit_account="6222-0210-0112-3456-789"),
    ]), only=["shared-deposit-account"])
    [v] = run.violations("shared-deposit-account")
    assert v["evidence"]["value"] == "*" * 15 + "6789" and "62220210" not in str(v)


def test_two_bids_of_one_bidder_are_not_different_bidders_even_without_a_uscc(audit_export):
    run = audit_export(export([
        bid("B1", "P1", "A", agent_id=AGENT),
        {**bid("B2", "P1", "A", agent_id=AGENT), "bidder_uscc": "", "bidder_name": NAMES["A"].replace("有限", " 有限")},
        bid("B3", "P1", "B", agent_id=resident_id("23040219900101456")),
    ]), only=["shared-agent"])
    assert run.violations("shared-agent") == []
    assert run.outcomes("shared-agent") == {"P1": "compliant"}


def test_bidder_without_uscc_is_known_by_the_uscc_its_name_carries_elsewhere(audit_export):
    run = audit_export(export([
        {**bid("B1", "P1", "A", file_machine_code="M1"), "bidder_uscc": ""},
        bid("B2", "P1", "B", file_machine_code="M1"),
        bid("B3", "P2", "A", file_machine_code="X"),
    ]), only=["shared-machine-code"])
    [v] = run.violations("shared-machine-code")
    assert v["evidence"]["bidders"][0] == {"bid_id": "B1", "bidder_key": CO["A"], "bidder_name": NAMES["A"],
                                           "key_by": "name_to_uscc"}


PLACEHOLDERS = ["", "-", "unknown", "UNKNOWN", "0", "0000000000", "无", "N/A", "MC****7F3A"]  # the last: masked


def test_empty_and_placeholder_values_are_never_evidence(audit_export):
    bids = [bid(f"B{i}{w}", f"P{i}", w, file_machine_code=p) for i, p in enumerate(PLACEHOLDERS) for w in "AB"]
    run = audit_export(export(bids), only=["shared-machine-code"])
    assert run.violations("shared-machine-code") == []
    assert set(run.outcomes("shared-machine-code").values()) == {"not_evaluable"}
    assert all("少于两家" in why for why in run.reasons("shared-machine-code").values())


def test_zero_ip_and_lan_addresses_are_never_evidence(audit_export):
    bids = [bid(f"B{i}{w}", lot, w, ip_address=ip)
            for i, (lot, ip) in enumerate([("P1", "0.0.0.0"), ("P2", "0.0.0.0"), ("P3", "192.168.1.100"),
                                           ("P4", "192.168.1.100"), ("P5", "10.0.0.8"), ("P6", "10.0.0.8")])
            for w in "AB"]
    run = audit_export(export(bids), only=["shared-ip"])
    assert run.violations("shared-ip") == []


def test_one_shared_ip_in_one_lot_only_is_a_lead_one_severity_lower_the_same_pair_in_two_lots_a_finding(audit_export):
    one_lot = [bid("B1", "P1", "A", ip_address="61.158.10.20"), bid("B2", "P1", "B", ip_address="61.158.10.20"),
               bid("B3", "P2", "A", ip_address="61.158.10.21"), bid("B4", "P2", "B", ip_address="61.158.10.22")]
    [lead] = audit_export(export(one_lot), only=["shared-ip"]).violations("shared-ip")
    assert (lead["record_id"], lead["severity"], lead["evidence"]["lead"]) == ("P1", "warning", True)
    assert lead["evidence"]["lots_together"] == 1 and "迹象" in lead["message"]
    two_lots = one_lot[:2] + [bid("B3", "P2", "A", ip_address="061.158.010.020"),
                              bid("B4", "P2", "B", ip_address="61.158.10.20")]
    found = audit_export(export(two_lots), only=["shared-ip"]).violations("shared-ip")
    assert [(v["record_id"], v["evidence"]["lots_together"], v["severity"]) for v in found] == [
        ("P1", 2, "error"), ("P2", 2, "error")]
    assert not any(v["evidence"]["lead"] for v in found)
    assert len({v["key"] for v in found}) == 2  # one value in two lots: two findings the ledger tells apart
    assert found[0]["evidence"]["lots_with_value"] == ["P1", "P2"]


def test_one_shared_mac_in_one_lot_is_a_lead_and_in_two_lots_a_finding(audit_export):
    one_lot = [bid("B1", "P1", "A", mac_address="00-1A-2B-3C-4D-5E"), bid("B2", "P1", "B", mac_address="00:1a:2b:3c:4d:5e")]
    run = audit_export(export(one_lot), only=["shared-mac"])
    [lead] = run.violations("shared-mac")
    assert (lead["severity"], lead["evidence"]["lead"], lead["evidence"]["bid_ids"]) == ("warning", True, ["B1", "B2"])
    assert run.outcomes("shared-mac") == {"P1": "violated"}
    two_lots = one_lot + [bid("B3", "P2", "A", mac_address="001A2B3C4D5E"), bid("B4", "P2", "B", mac_address="001a.2b3c.4d5e")]
    found = audit_export(export(two_lots), only=["shared-mac"]).violations("shared-mac")
    assert [(v["record_id"], v["evidence"]["value"], v["severity"]) for v in found] == [
        ("P1", "00-1A-2B-3C-4D-5E", "error"), ("P2", "001A2B3C4D5E", "error")]


def test_a_one_lot_mac_lead_keeps_the_placeholder_and_shared_device_exclusions(audit_export, tmp_path):
    placeholder = [bid("B1", "P1", "A", mac_address="00-00-00-00-00-00"), bid("B2", "P1", "B", mac_address="000000000000")]
    assert audit_export(export(placeholder), only=["shared-mac"]).violations("shared-mac") == []
    crowd = [bid(f"C{w}", "P1", w, mac_address="AA-BB-CC-DD-EE-01") for w in "ABC"]
    rules = pack_with(tmp_path, "collusion-shared-mac.yaml", {"max_bidders: 10": "max_bidders: 2"})
    assert audit_export(export(crowd), only=["shared-mac"], rules_dir=rules).violations("shared-mac") == []


def test_a_procurement_lot_with_a_shared_agent_cites_the_procurement_article_not_the_tendering_one(audit_export):
    bids = [bid("B1", "P1", "A", agent_id=AGENT), bid("B2", "P1", "B", agent_id=AGENT)]
    run = audit_export(export(bids, lots={"P1": "政府采购"}), only=["shared-agent", "procurement-shared-agent"])
    assert run.violations("shared-agent") == [] and run.outcomes("shared-agent") == {}
    [v] = run.violations("procurement-shared-agent")
    assert v["basis"] == "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十七条第（二）项"
    assert "未经原文核实" in v["message"] and "招标投标法实施条例" not in v["message"]
    assert v["refer_to"] == ["财政部门"]


@pytest.mark.parametrize("trade", ["土地使用权", "矿业权"])
def test_a_land_or_mining_auction_gets_no_tendering_rule_at_all(audit_export, trade):
    bids = [bid("B1", "P1", "A", agent_id=AGENT, file_machine_code="M1", legal_rep_id=AGENT),
            bid("B2", "P1", "B", agent_id=AGENT, file_machine_code="M1", legal_rep_id=AGENT)]
    rules = SHARED_RULES + ["procurement-shared-agent", "procurement-shared-legal-rep"]
    run = audit_export(export(bids, lots={"P1": trade}), only=rules)
    assert all(run.violations(r) == [] and run.outcomes(r) == {} for r in rules)


def test_a_lot_whose_trade_type_is_unknown_is_not_evaluable_rather_than_judged(audit_export):
    bids = [bid("B1", "P1", "A", agent_id=AGENT), bid("B2", "P1", "B", agent_id=AGENT)]
    run = audit_export(export(bids, lots={"P1": ""}), only=["shared-agent"])
    assert run.violations("shared-agent") == [] and run.outcomes("shared-agent") == {"P1": "not_evaluable"}
    assert run.reasons("shared-agent") == {"P1": "交易类型未填写，无法判断适用的法律"}


def test_a_public_terminal_ip_listed_in_ignore_values_is_not_evidence(audit_export, tmp_path):
    bids = [bid(f"B{i}{w}", lot, w, ip_address="222.171.18.21") for i, lot in enumerate(["P1", "P2"]) for w in "AB"]
    assert len(audit_export(export(bids), only=["shared-ip"]).violations("shared-ip")) == 2  # not listed: found
    rules = pack_with(tmp_path, "collusion-shared-ip.yaml", {"ignore_values: []": "ignore_values: [222.171.18.21]"})
    run = audit_export(export(bids), only=["shared-ip"], rules_dir=rules)
    assert run.violations("shared-ip") == []
    assert run.outcomes("shared-ip") == {"P1": "not_evaluable", "P2": "not_evaluable"}


def test_an_ip_used_by_more_bidders_than_max_bidders_is_shared_infrastructure(audit_export, tmp_path):
    pair = [bid(f"B{i}{w}", lot, w, ip_address="61.158.10.20") for i, lot in enumerate(["P1", "P2"]) for w in "AB"]
    crowd = [bid("C1", "P3", "C", ip_address="61.158.10.20"), bid("C2", "P3", "D", ip_address="61.158.10.99")]
    rules = pack_with(tmp_path, "collusion-shared-ip.yaml", {"max_bidders: 10": "max_bidders: 2"})
    assert len(audit_export(export(pair), only=["shared-ip"], rules_dir=rules).violations("shared-ip")) == 2
    assert audit_export(export(pair + crowd), only=["shared-ip"], rules_dir=rules).violations("shared-ip") == []


def test_a_lot_with_one_bidder_is_not_applicable(audit_export):
    run = audit_export(export([bid("B1", "P1", "A", file_machine_code="M1")]), only=["shared-machine-code"])
    assert run.outcomes("shared-machine-code") == {"P1": "not_applicable"}


def test_a_rule_whose_column_the_export_lacks_is_not_evaluated_with_the_reason(audit_export):
    columns = tuple(c for c in export([bid("B1", "P1", "A")])["bids.csv"].split("\n")[0].split(",")
                    if c != "mac_address")
    run = audit_export(export([bid("B1", "P1", "A"), bid("B2", "P1", "B")], columns=columns), only=SHARED_RULES)
    result = run.result("shared-mac")
    assert not result.evaluated and "mac_address" in result.not_evaluated_reason
    assert run.result("shared-ip").evaluated


def test_an_unknown_attribute_is_a_rule_error_naming_file_line_and_field(tmp_path):
    rules = pack_with(tmp_path, "collusion-shared-ip.yaml", {"attribute: ip_address": "attribute: bidder_name"})
    with pytest.raises(RuleError) as exc:
        load_pack(rules)
    assert "collusion-shared-ip.yaml" in str(exc.value) and "attribute" in str(exc.value) and "第" in str(exc.value)
