"""Bidder networks (围标串标): groups of bidders linked by §40/§34 evidence, and bid rotation.

Serves the notice's aim (鹤发改公管〔2022〕216号: 遏制打击围标串标). Run after the rules: the
findings of the ``shared_attribute`` rules (``shared-*``) are the evidence. Every finding links
each pair of its bidders (``pipelines.bidders`` keys) by an edge carrying the attribute, the lot and
the (masked) value; the connected components of that graph, found inside DuckDB by iterative
label propagation (each pass one SQL statement over all nodes; passes ≤ the longest path), are
the groups. For each group of two or more bidders (EXPORT-V1 "Collusion findings"):

* ``members`` and ``member_names``; ``lots``: the lots where two or more members bid together;
  ``evidence_lots``: the lots with evidence; ``evidence_types``: the attributes on its edges;
* ``strength`` = distinct evidence types × lots with evidence — groups are sorted by it. Only §40
  evidence counts: §34 (same legal representative, ``not_collusion_evidence``) is an eligibility
  rule, not collusion evidence (DOMAIN.md, "§39 vs §40"), so its edges link members but add no
  strength; a one-lot lead (``evidence.lead``, e.g. one shared MAC in one lot) is no edge at all;
* ``wins``: member → the group's lots it won; ``rotation``: in at least ``rotation_min_lots``
  lots with evidence exactly one member wins each, the others lose, and more than one member
  takes a turn;
* ``suspected`` (``assessment``): strength ≥ ``min_strength`` and some evidence that is not weak
  (IP and MAC alone are weak: offices and agencies share them); otherwise the group is a lead;
* ``edges``: every pair, attribute, lot and value shown in the findings (personal IDs masked).

Parameters come from ``<rules>/collusion/network.yaml`` (defaults below when absent).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from . import schema
from .bidders import TABLE as BIDDER_KEYS
from .bidders import prepare_bidder_keys
from .sql import in_list, literal
from .yamlfile import YamlDoc, validate_with

PARAMS_FILE = Path("collusion") / "network.yaml"
KIND = "shared_attribute"
ATTRIBUTE_LABELS = {c: schema.column("bids", c).label for c in (
    "file_machine_code", "mac_address", "ip_address", "agent_id", "project_manager_id",
    "deposit_account", "legal_rep_id")}


class NetworkParams(BaseModel):
    """``collusion/network.yaml``: when a group is called suspected, and what rotation needs."""

    model_config = ConfigDict(extra="forbid")
    min_strength: int = Field(2, ge=1)
    weak_attributes: list[str] = ["ip_address", "mac_address"]
    rotation_min_lots: int = Field(3, ge=2)
    # links that are eligibility matters (条例 §34), not §40 collusion evidence: they join members
    # into a group but count for neither its strength nor its being suspected
    not_collusion_evidence: list[str] = ["legal_rep_id"]


def load_params(rules_folder: Path) -> NetworkParams:
    path = Path(rules_folder) / PARAMS_FILE
    if not path.exists():
        return NetworkParams()
    doc = YamlDoc.load(path)
    params = validate_with(doc, NetworkParams, doc.data or {})
    for name in ("weak_attributes", "not_collusion_evidence"):
        unknown = [a for a in getattr(params, name) if a not in ATTRIBUTE_LABELS]
        if unknown:
            raise doc.error((name,), f"未知属性 unknown attribute {unknown}; 可用 known: {', '.join(ATTRIBUTE_LABELS)}")
    return params


def _evidence_sql(rule_ids: list[str]) -> str:
    """One row per bid named in a shared_attribute finding."""
    shape = literal(json.dumps([{"bid_id": "VARCHAR", "bidder_key": "VARCHAR", "bidder_name": "VARCHAR"}]))
    return f"""
        SELECT project_id, attribute, value, value_key, bidder.bidder_key AS bidder_key
        FROM (SELECT project_id, evidence->>'attribute' AS attribute, evidence->>'value' AS value,
                     evidence->>'value_key' AS value_key,
                     unnest(from_json(evidence->'bidders', {shape})) AS bidder
              FROM violations WHERE {in_list('rule_id', rule_ids)}
                AND NOT coalesce(CAST(evidence->>'lead' AS BOOLEAN), FALSE))"""


def _components(con: duckdb.DuckDBPyConnection) -> int:
    """Label every node of ``net_edges`` with the smallest node of its component: each pass takes
    the smallest label among a node and its neighbours, then jumps to the label's own label.
    Returns the number of passes."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE net_adjacent AS
        SELECT a AS node, b AS other FROM net_edges UNION SELECT b, a FROM net_edges""")
    con.execute("CREATE OR REPLACE TEMP TABLE net_label AS SELECT DISTINCT node, node AS label FROM net_adjacent")
    nodes = con.execute("SELECT count(*) FROM net_label").fetchall()[0][0]
    for passes in range(1, nodes + 2):
        con.execute("""
            CREATE OR REPLACE TEMP TABLE net_label_next AS
            WITH stepped AS (
                SELECT l.node, least(l.label, min(n.label)) AS label
                FROM net_label l JOIN net_adjacent e ON e.node = l.node JOIN net_label n ON n.node = e.other
                GROUP BY l.node, l.label)
            SELECT s.node, least(s.label, j.label) AS label   -- pointer jumping
            FROM stepped s JOIN stepped j ON j.node = s.label""")
        changed = con.execute("""
            SELECT count(*) FROM net_label_next n JOIN net_label o USING (node) WHERE n.label <> o.label""").fetchall()[0][0]
        con.execute("CREATE OR REPLACE TEMP TABLE net_label AS SELECT * FROM net_label_next")
        if not changed:
            return passes
    raise RuntimeError("连通分量计算未收敛 / label propagation did not converge")  # cannot happen: ≤ nodes passes


def _groups_sql(params: NetworkParams) -> str:
    labels = "CASE x " + " ".join(f"WHEN {literal(a)} THEN {literal(lb)}" for a, lb in ATTRIBUTE_LABELS.items()) + " END"
    weak = in_list("attribute", params.weak_attributes)
    counts = f"NOT coalesce({in_list('attribute', params.not_collusion_evidence)}, FALSE)" \
        if params.not_collusion_evidence else "TRUE"
    return f"""
    WITH names AS (  -- each member's name as its bids most often write it
        SELECT bidder_key, first(bidder_name ORDER BY n DESC, bidder_name) AS member_name
        FROM (SELECT k.bidder_key, k.bidder_name, count(*) AS n
              FROM {BIDDER_KEYS} k SEMI JOIN net_label l ON l.node = k.bidder_key GROUP BY ALL)
        GROUP BY bidder_key),
    members AS (
        SELECT l.label, l.node AS member, n.member_name
        FROM net_label l LEFT JOIN names n ON n.bidder_key = l.node),
    member_bids AS (
        SELECT m.label, m.member, k.project_id, k.bid_id, coalesce(b.is_winner, FALSE) AS won
        FROM members m JOIN {BIDDER_KEYS} k ON k.bidder_key = m.member JOIN bids b USING (_row)),
    co_lots AS (  -- lots where two or more members bid together
        SELECT label, project_id FROM member_bids GROUP BY label, project_id HAVING count(DISTINCT member) >= 2),
    wins AS (
        SELECT mb.label, mb.member, list(DISTINCT mb.project_id ORDER BY mb.project_id) AS lots
        FROM member_bids mb SEMI JOIN co_lots c USING (label, project_id) WHERE mb.won GROUP BY ALL),
    edges AS (SELECT l.label, e.* FROM net_edges e JOIN net_label l ON l.node = e.a),
    evidence AS (
        SELECT label, count(DISTINCT attribute) FILTER (WHERE {counts}) AS n_types,
               count(DISTINCT project_id) FILTER (WHERE {counts}) AS n_lots,
               list(DISTINCT attribute ORDER BY attribute) AS evidence_types,
               list_transform(list(DISTINCT attribute ORDER BY attribute), lambda x: {labels}) AS evidence_labels,
               list(DISTINCT project_id ORDER BY project_id) AS evidence_lots,
               coalesce(bool_or(NOT {weak} AND {counts}), FALSE) AS has_strong,
               bool_or({counts}) AS has_collusion_evidence,
               list({{'members': [a, b], 'attribute': attribute, 'project_id': project_id, 'value': value}}
                    ORDER BY project_id, attribute, a, b) AS edges
        FROM edges GROUP BY label),
    turns AS (  -- per lot with evidence: how many members won it, and which
        SELECT ev.label, ev.project_id, count(DISTINCT mb.member) FILTER (WHERE mb.won) AS winners,
               min(mb.member) FILTER (WHERE mb.won) AS winner,
               any_value(p.bid_deadline) AS deadline
        FROM (SELECT DISTINCT label, project_id FROM edges) ev
        JOIN member_bids mb USING (label, project_id)
        LEFT JOIN (SELECT DISTINCT ON (project_id) project_id, bid_deadline FROM projects) p USING (project_id)
        GROUP BY ev.label, ev.project_id),
    rotation AS (
        SELECT label,
               count(*) >= {params.rotation_min_lots} AND bool_and(winners = 1)
                   AND count(DISTINCT winner) >= 2 AS rotation,
               list({{'project_id': project_id, 'winner': winner}} ORDER BY deadline NULLS LAST, project_id)
                   AS winners_in_order
        FROM turns GROUP BY label),
    departments AS (
        SELECT c.label, list(DISTINCT p.department ORDER BY p.department) FILTER (WHERE p.department IS NOT NULL)
                   AS departments
        FROM (SELECT DISTINCT label, project_id FROM edges) c
        JOIN (SELECT DISTINCT ON (project_id) project_id, department FROM projects) p USING (project_id)
        GROUP BY c.label),
    grouped AS (
        SELECT m.label, list(m.member ORDER BY m.member) AS members,
               list(coalesce(m.member_name, m.member) ORDER BY m.member) AS member_names
        FROM members m GROUP BY m.label),
    whole AS (
        SELECT g.*, ev.*, r.rotation, r.winners_in_order, d.departments,
               ev.n_types * ev.n_lots AS strength,
               (SELECT list(project_id ORDER BY project_id) FROM co_lots c WHERE c.label = g.label) AS lots,
               (SELECT map(list(w.member ORDER BY w.member), list(w.lots ORDER BY w.member))
                FROM wins w WHERE w.label = g.label) AS wins
        FROM grouped g JOIN evidence ev USING (label) JOIN rotation r USING (label)
        LEFT JOIN departments d USING (label)),
    ranked AS (
        SELECT *, row_number() OVER (ORDER BY strength DESC, n_lots DESC, len(members) DESC, label) AS rank
        FROM whole)
    SELECT rank, to_json({{
        'group_id': 'G' || lpad(CAST(rank AS VARCHAR), 3, '0'),
        'members': members, 'member_names': member_names, 'lots': coalesce(lots, []),
        'evidence_lots': evidence_lots, 'evidence_types': evidence_types, 'evidence_labels': evidence_labels,
        'strength': strength, 'wins': coalesce(wins, MAP {{}}), 'rotation': rotation,
        'winners_in_order': winners_in_order,
        'suspected': strength >= {params.min_strength} AND has_strong,
        'assessment': CASE WHEN strength >= {params.min_strength} AND has_strong THEN '疑似围标串标'
                           WHEN NOT has_collusion_evidence
                               THEN '资格问题：仅有法定代表人相同（条例第三十四条），不是串通证据，请评标委员会或行政监督部门核实'
                           WHEN NOT has_strong THEN '线索：仅有弱信号（IP/MAC 共用），待核实'
                           ELSE '线索：证据强度不足，待核实' END,
        'departments': coalesce(departments, []), 'edges': edges}}) AS "group"
    FROM ranked"""


def find_groups(con: duckdb.DuckDBPyConnection, rules: list, export, rules_folder: Path,
                params: NetworkParams | None = None) -> list[dict]:
    """The bidder groups behind the ``shared_attribute`` findings of ``rules`` (already run), as
    EXPORT-V1's groups.jsonl objects, strongest first. Leaves ``net_edges``, ``net_label`` and
    ``bidder_groups`` (one JSON per group) in ``con``."""
    params = params or load_params(rules_folder)
    rule_ids = [r.id for r in rules if r.spec.check == KIND]
    con.execute("CREATE OR REPLACE TABLE bidder_groups (rank INTEGER, \"group\" JSON)")
    if not rule_ids or not export.has("bids"):
        return []
    prepare_bidder_keys(con, export)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE net_edges AS
        WITH ev AS ({_evidence_sql(rule_ids)})
        SELECT DISTINCT x.bidder_key AS a, y.bidder_key AS b, x.attribute, x.project_id, x.value
        FROM ev x JOIN ev y ON x.project_id = y.project_id AND x.value_key = y.value_key
                           AND x.bidder_key < y.bidder_key""")
    if not con.execute("SELECT count(*) FROM net_edges").fetchall()[0][0]:
        return []
    _components(con)
    con.execute(f"INSERT INTO bidder_groups {_groups_sql(params)}")
    return [json.loads(g) for (g,) in con.execute("SELECT \"group\" FROM bidder_groups ORDER BY rank").fetchall()]
