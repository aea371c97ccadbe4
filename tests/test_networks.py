"""Bidder networks (pipelines.networks): groups of bidders linked by §40/§34 evidence, found as
connected components inside DuckDB, with their lots, evidence, strength, wins and bid rotation —
and no group from the false-positive traps."""

import json

import pytest

from collusion_helpers import CO, NAMES, SHARED_RULES, bid, export, pack_with, resident_id
from pipelines.audit import run_audit
from pipelines.yamlfile import YamlError
from reports.markdown import _environment
from pipelines.cli import write_outputs

AGENT = resident_id("23040119850817345")
WON, LOST = {"is_winner": "是"}, {"is_winner": "否"}


def groups_of(run) -> dict[frozenset, dict]:
    return {frozenset(g["members"]): g for g in run.audit.groups}


def members(*who: str) -> frozenset:
    return frozenset(CO[w] for w in who)


def test_a_bridge_bidder_joins_two_pairs_into_one_group_beside_a_separate_component(audit_export):
    run = audit_export(export([
        bid("B1", "L1", "A", agent_id=AGENT, **WON), bid("B2", "L1", "B", agent_id=AGENT, **LOST),
        bid("B3", "L1", "G", **LOST),
        bid("B4", "L2", "B", deposit_account="6222021001123456789", **LOST),
        bid("B5", "L2", "C", deposit_account="6222 0210 0112 3456 789", **WON), bid("B6", "L2", "G", **LOST),
        bid("B7", "L3", "D", file_machine_code="M1", **WON), bid("B8", "L3", "E", file_machine_code="M1", **LOST),
        bid("B9", "L4", "D", file_machine_code="M1", **LOST), bid("B10", "L4", "E", file_machine_code="M1", **WON),
        bid("B11", "L5", "A", **LOST), bid("B12", "L5", "C", **LOST), bid("B13", "L5", "G", **WON),
    ]), only=SHARED_RULES)
    assert [set(g["members"]) for g in run.audit.groups] == [set(members("A", "B", "C")), set(members("D", "E"))]
    abc, de = run.audit.groups
    assert abc["group_id"] == "G001" and abc["strength"] == 4  # two evidence types × two lots
    assert abc["evidence_types"] == ["agent_id", "deposit_account"] and abc["evidence_lots"] == ["L1", "L2"]
    assert abc["lots"] == ["L1", "L2", "L5"]  # L5: A and C bid together, without evidence
    assert abc["wins"] == {CO["A"]: ["L1"], CO["C"]: ["L2"]}
    assert abc["member_names"] == [NAMES[k] for k in sorted("ABC", key=lambda k: CO[k])]
    masked = AGENT[:4] + "*" * 10 + AGENT[-4:]
    assert {(e["attribute"], e["project_id"], e["value"], frozenset(e["members"])) for e in abc["edges"]} == {
        ("agent_id", "L1", masked, members("A", "B")),
        ("deposit_account", "L2", "*" * 15 + "6789", members("B", "C"))}
    assert abc["suspected"] and abc["assessment"] == "疑似围标串标" and abc["departments"] == ["市住建局"]
    assert de["group_id"] == "G002" and de["strength"] == 2 and de["evidence_lots"] == ["L3", "L4"]


def test_winner_rotating_among_members_who_otherwise_lose_is_bid_rotation(audit_export):
    rotating = [bid(f"R{i}{w}", f"R{i}", w, file_machine_code="M7", **(WON if w == "ABC"[i] else LOST))
                for i in range(3) for w in "ABC"]
    one_winner = [bid(f"S{i}{w}", f"S{i}", w, deposit_account="9558800200112233", **(WON if w == "D" else LOST))
                  for i in range(3) for w in "DE"]
    outsider_wins = [bid(f"T{i}{w}", f"T{i}", w, agent_id=AGENT if w in "FG" else "", **(WON if w == winner else LOST))
                     for i, winner in enumerate("FGH") for w in "FGH"]
    run = audit_export(export(rotating + one_winner + outsider_wins), only=SHARED_RULES)
    found = groups_of(run)
    abc = found[members("A", "B", "C")]
    assert abc["rotation"] is True and abc["strength"] == 3
    assert abc["wins"] == {CO["A"]: ["R0"], CO["B"]: ["R1"], CO["C"]: ["R2"]}
    assert [t["winner"] for t in abc["winners_in_order"]] == [CO["A"], CO["B"], CO["C"]]
    assert found[members("D", "E")]["rotation"] is False  # the same member wins every time
    assert found[members("F", "G")]["rotation"] is False  # an outsider won one of the lots
    assert len(found) == 3


def test_false_positive_traps_make_no_group(audit_export, tmp_path):
    rules = pack_with(tmp_path, "collusion-shared-ip.yaml", {"ignore_values: []": "ignore_values: [222.171.18.21]"})
    run = audit_export(export([
        bid("B1", "L1", "A", ip_address="61.158.10.20"), bid("B2", "L1", "B", ip_address="61.158.10.20"),  # one lot only
        bid("B3", "L2", "C", ip_address="222.171.18.21"), bid("B4", "L2", "D", ip_address="222.171.18.21"),  # terminal
        bid("B5", "L3", "C", ip_address="222.171.18.21"), bid("B6", "L3", "D", ip_address="222.171.18.21"),
        bid("B7", "L4", "E", file_machine_code="", agent_id="", deposit_account="-"),  # empty and placeholder
        bid("B8", "L4", "F", file_machine_code="", agent_id="", deposit_account="-"),
    ]), only=SHARED_RULES, rules_dir=rules)
    # the one-lot shared IP is a lead (warning), but a lead is no edge: no group
    assert run.audit.groups == [] and [(v["rule_id"], v["record_id"], v["severity"]) for v in run.violations()] == [
        ("shared-ip", "L1", "warning")]


def test_a_shared_legal_representative_links_a_pair_but_adds_no_strength(audit_export):
    rep = AGENT
    run = audit_export(export([bid(f"B{i}{w}", f"L{i}", w, legal_rep_id=rep) for i in range(3) for w in "AB"]),
                       only=SHARED_RULES)
    [group] = run.audit.groups
    assert group["evidence_types"] == ["legal_rep_id"] and group["strength"] == 0  # §34 is eligibility, not §40
    assert group["suspected"] is False and "第三十四条" in group["assessment"]


def test_a_group_linked_only_by_a_shared_ip_is_a_lead_not_a_suspected_collusion(audit_export):
    run = audit_export(export([bid(f"B{i}{w}", f"L{i}", w, ip_address="61.158.10.20") for i in range(2) for w in "AB"]),
                       only=SHARED_RULES)
    [group] = run.audit.groups
    assert group["strength"] == 2 and group["evidence_types"] == ["ip_address"]
    assert group["suspected"] is False and group["assessment"].startswith("线索")


def test_a_long_chain_of_pairs_is_one_component(audit_export):
    chain = "ABCDEFGH"
    bids = [bid(f"B{i}{w}", f"L{i}", w, file_machine_code=f"M{i}") for i in range(7) for w in chain[i:i + 2]]
    run = audit_export(export(bids), only=["shared-machine-code"])
    [group] = run.audit.groups
    assert set(group["members"]) == members(*chain) and group["strength"] == 7
    assert len(group["edges"]) == 7


def test_groups_are_written_to_groups_jsonl_and_the_report_section(audit_export, tmp_path):
    run = audit_export(export([bid(f"B{i}{w}", f"L{i}", w, agent_id=AGENT, **(WON if w == "AB"[i % 2] else LOST))
                               for i in range(3) for w in "AB"]), only=SHARED_RULES)
    write_outputs(run.con, run.audit, tmp_path / "out", formats=("json",))
    [line] = (tmp_path / "out" / "groups.jsonl").read_text(encoding="utf-8").splitlines()
    group = json.loads(line)
    assert {"group_id", "members", "member_names", "lots", "evidence_types", "strength", "wins", "rotation",
            "edges"} <= set(group)
    assert group["members"] == sorted([CO["A"], CO["B"]]) and group["lots"] == ["L0", "L1", "L2"]
    assert group["rotation"] is True and group["strength"] == 3
    for path in (tmp_path / "out").glob("*.json*"):
        assert AGENT not in path.read_text(encoding="utf-8")
    section = _environment().get_template("groups.md.j2").render(groups=run.audit.groups)
    assert "## 围标串标：投标人关联分组" in section and "| G001 | 3 | 疑似围标串标 | 授权委托人身份证号（3） |" in section
    assert f"{NAMES['A']}（2）" in section and "| L0、L1、L2 | 是 |" in section


def test_a_wrong_network_parameter_fails_before_the_export_is_read_naming_file_and_line(tmp_path):
    rules = pack_with(tmp_path, "collusion/network.yaml", {"weak_attributes: [ip_address, mac_address]":
                                                          "weak_attributes: [ip_adress]"})
    with pytest.raises(YamlError) as exc:
        run_audit(tmp_path / "no-such-export", rules_dir=rules)
    assert "network.yaml" in str(exc.value) and "weak_attributes" in str(exc.value) and "第" in str(exc.value)


def test_groups_planted_in_a_generated_export_are_found_exactly_and_nothing_else(tmp_path):
    import datetime as dt
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("ggzy_bench_generate_networks", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.generate(tmp_path, projects=1000, bids=10000, credit=0, inspections=0, complaints=0, collusion_groups=6)
    planted = json.loads((tmp_path / "_planted_groups.json").read_text(encoding="utf-8"))["groups"]
    _, audit = run_audit(tmp_path, as_of=dt.date(2026, 12, 31), only=SHARED_RULES)
    found = {frozenset(g["members"]): g for g in audit.groups}
    assert set(found) == {frozenset(p["members"]) for p in planted}
    for p in planted:
        g = found[frozenset(p["members"])]
        assert set(p["lots"]) <= set(g["evidence_lots"]) and set(p["shared"]) <= set(g["evidence_types"])
        assert g["lots"] == sorted(p["co_bid_lots"])  # planted lots and those where members met by chance
        assert g["rotation"] and g["suspected"]
        assert all(set(lots) <= set(g["wins"][m]) for m, lots in p["wins"].items())
