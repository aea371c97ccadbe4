"""Check kind ``shared_attribute``: different bidders in one lot share a value that must differ.

Serves the notice's aim (鹤发改公管〔2022〕216号: 遏制打击围标串标) through 《招标投标法实施条例》
§40, under which bids are *treated as* collusive when different bidders' documents were made on
the same machine (file-maker machine code, MAC, IP — §40(1)), they entrusted the same agent
(§40(2)), name the same project manager (§40(3)) or paid their deposits from the same account
(§40(6)); and §34, which bars bidders with the same legal representative from one lot.

A grouped kind (``GROUPED = True``): one finding per lot and shared value, ``record_id`` the lot's
project_id, ``_key`` the lot, the attribute and a hash of the value (two shared values in one lot
are two findings; the ledger tells findings apart by it). Over whole tables, in DuckDB:

* the value is normalised (``normalise``: IDs half-width, upper case, no spaces; MACs without
  separators; IPs without leading zeros; accounts without spaces and dashes), and identity is by
  the normalised value;
* empty values, placeholders (``PLACEHOLDERS``: ``-``, ``unknown``, ``0.0.0.0``, all zeros, 无…),
  values already masked in the export (with ``*``: two masked values may be different people or
  accounts), private/loopback IP addresses, the rule's ``ignore_values`` (e.g. the trading centre's public
  terminals) and, with ``max_bidders``, a value used by more distinct bidders across the export
  than that (shared infrastructure: an agency's or an office building's line) are never evidence;
* bidders are ``pipelines.bidders`` keys (USCC, else normalised name); two bids of one bidder
  never make a finding;
* with ``min_lots: N`` a lot's shared value counts only for the pairs of bidders that share it in
  at least N lots (one shared IP in one lot is weak: ``min_lots: 2`` for IP and MAC);
* with ``single_lot_lead: true`` a value shared by pairs in fewer than ``min_lots`` lots is not
  dropped but reported one severity lower as a lead (``evidence.lead: true``), after the same
  placeholder, ignore and ``max_bidders`` exclusions (issue #8: one MAC in one lot is a lead).

Outcome per lot: fewer than two bidders → not applicable; a shared value passing the thresholds →
violated (one row per value); fewer than two bidders with a usable value → not evaluable (why);
otherwise compliant. Evidence: ``attribute``, ``bid_ids``, ``bidders`` (bid, key, name, how the
key was found), ``value`` (masked when personal: resident IDs ``2304**********123X``, deposit
accounts all but the last 4), ``value_key``, ``lots_together``, ``lots_with_value``.

Example rule::

    check: shared_attribute
    attribute: ip_address
    min_lots: 2
    max_bidders: 10
    ignore_values: [222.171.18.21]
"""

from __future__ import annotations

from pydantic import Field, field_validator

from pipelines import schema
from pipelines.sql import ident, literal

from .base import Context, RuleSpec, Shown, halfwidth, json_object, reason
from .listed_party import mask_id

GROUPED = True
#: the engine makes every bid's bidder key first: table bidder_keys (pipelines.bidders)
PREPARES = ("bidders",)
BIDDER_KEYS = "bidder_keys"

SHOWN = (
    Shown("attribute", "共同属性", "column"),
    Shown("value", "共同值"),
    Shown("bid_ids", "涉及投标", "list"),
    Shown("bidder_count", "投标人数", "number"),
    Shown("lots_together", "共同出现的标段数", "number"),
    Shown("lots_with_value", "含该值的标段", "list"),
    Shown("bidders", "涉及投标人", "records", excel=False),
    Shown("min_lots", "至少共同出现的标段数", "number", excel=False),
    Shown("attribute_label", "共同属性名称", "hidden"),
    Shown("value_key", "共同值标识", "hidden"),
)

LOWER = {"error": "warning", "warning": "info", "info": "info"}

#: message-template name -> (result column, kind)
FIELDS = {"attribute_label": ("attribute_label", "text"), "value": ("value_shown", "text"),
          "bidders": ("bidders_text", "text"), "bidder_count": ("bidder_count", "number"),
          "bid_ids": ("bid_ids_text", "text"), "lots_together": ("pair_lots", "number")}

#: bid column -> (normalisation, how the value is shown)
ATTRIBUTES = {
    "file_machine_code": ("id", "plain"),
    "mac_address": ("mac", "plain"),
    "ip_address": ("ip", "plain"),
    "agent_id": ("id", "resident_id"),
    "project_manager_id": ("id", "resident_id"),
    "legal_rep_id": ("id", "resident_id"),
    "deposit_account": ("account", "last4"),
}

#: normalised values that say "no value" (compared upper case)
PLACEHOLDERS = ("-", "--", "/", "\\", "NULL", "NONE", "NIL", "N/A", "NA", "UNKNOWN", "无", "暂无", "不详",
                "未知", "空", "FFFFFFFFFFFF", "255.255.255.255")
#: values made only of these characters are placeholders too (0, 0.0.0.0, 000000000000, ---, ***)
_FILLER = r"[0\-.:/*_#?xX ]+"
#: IP addresses that say nothing about who uploaded: private (RFC 1918), loopback, link-local, 0.x
_LOCAL_IP = r"(10|127|0)\..*|192\.168\..*|169\.254\..*|172\.(1[6-9]|2[0-9]|3[01])\..*"


def normalise(x: str, how: str) -> str:
    """SQL: a value in the form compared for identity (NULL when nothing is left)."""
    text = halfwidth(x)
    if how == "id":
        return f"ggzy_id({x})"
    if how == "mac":
        return f"NULLIF(upper(regexp_replace({text}, '[\\s:.\\-]', '', 'g')), '')"
    if how == "ip":
        compact = f"lower(regexp_replace({text}, '\\s', '', 'g'))"
        return f"NULLIF(regexp_replace({compact}, '(^|\\.)0+([0-9])', '\\1\\2', 'g'), '')"
    if how == "account":
        return f"NULLIF(upper(regexp_replace({text}, '[\\s\\-]', '', 'g')), '')"
    raise ValueError(how)


def is_placeholder(v: str, how: str) -> str:
    """SQL: TRUE when the normalised value ``v`` is no evidence of anything."""
    words = ", ".join(literal(w) for w in PLACEHOLDERS)
    local = f" OR regexp_full_match({v}, {literal(_LOCAL_IP)})" if how == "ip" else ""
    return (f"(upper({v}) IN ({words}) OR regexp_full_match({v}, {literal(_FILLER)}) OR contains({v}, '*')"
            f"{local})")


def shown(v: str, raw: str, how: str) -> str:
    """SQL: the value as people see it — masked when personal."""
    if how == "resident_id":
        return mask_id(v)
    if how == "last4":
        return f"IF(length({v}) > 4, repeat('*', length({v}) - 4) || right({v}, 4), repeat('*', length({v})))"
    return raw


class Spec(RuleSpec):
    attribute: str = Field(description="共用的列")
    min_lots: int = Field(1, ge=1, le=100, description="至少共同出现的标段数")
    max_bidders: int | None = Field(None, ge=2, description="共用者超过此数视为公共出口")
    ignore_values: list[str] = Field([], description="不作证据的取值")
    single_lot_lead: bool = Field(False, description="只在一个标段共用时作为线索（降一级）报告")

    @field_validator("attribute")
    @classmethod
    def _known_attribute(cls, value: str) -> str:
        if value not in ATTRIBUTES:
            raise ValueError(f"不支持的列 unsupported attribute {value!r}; 可用 known: {', '.join(ATTRIBUTES)}")
        return value

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), ("attribute",): self.attribute}

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        if self.table != "bids":
            found.append((("table",), "shared_attribute 只适用于 bids（投标记录）/ applies to table bids only"))
        return found


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    how, show = ATTRIBUTES[spec.attribute]
    column = schema.column("bids", spec.attribute)
    # resident IDs are normalised by the loader already (pipelines.reading: ggzy_id)
    value = f"s.{ident(spec.attribute)}" if column.kind == "resident_id" else normalise(f"s.{ident(spec.attribute)}", how)
    ignore = "[" + ", ".join(literal(v) for v in spec.ignore_values) + "]::VARCHAR[]"
    if spec.max_bidders:  # values used by more bidders than that are shared infrastructure
        capped = f"""
    crowded AS (
        SELECT v FROM (SELECT DISTINCT v, bidder_no FROM b0 WHERE usable) GROUP BY v HAVING count(*) > {spec.max_bidders}),
    b AS (SELECT * REPLACE (usable AND v NOT IN (SELECT v FROM crowded) AS usable) FROM b0),"""
    else:
        capped = "\n    b AS (SELECT * FROM b0),"
    why = (f"{column.label}为有效值的投标人少于两家（空值、占位值、局域网地址、公共终端及多家共用的值不作证据）"
           if how == "ip" else f"{column.label}为有效值的投标人少于两家（空值、占位值及忽略的值不作证据）")
    bidder = "{'bid_id': k.bid_id, 'bidder_key': k.bidder_key, 'bidder_name': k.bidder_name, 'key_by': k.key_by}"
    names = "list(k.bidder_name ORDER BY k.bid_id)"
    evidence = json_object(
        attribute=literal(spec.attribute), attribute_label=literal(column.label),
        value="value_shown", value_key="value_key", bid_ids="bid_ids", bidders="bidders",
        bidder_count="bidder_count", lots_together="pair_lots", min_lots=literal(spec.min_lots),
        lots_with_value="lots_with_value", lead="pair_lots < " + str(spec.min_lots))
    null_fields = ", ".join(f"CAST(NULL AS {'BIGINT' if k == 'number' else 'VARCHAR'}) AS {ident(c)}"
                            for c, k in FIELDS.values())
    return f"""
    WITH ignored AS (
        SELECT DISTINCT v FROM (SELECT {normalise('x', how)} AS v FROM (SELECT unnest({ignore}) AS x)) WHERE v IS NOT NULL),
    b0 AS (  -- the rule's bids: lot, bidder, normalised value, and whether the value may be evidence
        SELECT *, v IS NOT NULL AND NOT {is_placeholder('v', how)} AND v NOT IN (SELECT v FROM ignored) AS usable
        FROM (SELECT s._row, s._project_id AS project_id, k.bidder_no, {value} AS v
              FROM {ctx.source} s JOIN {BIDDER_KEYS} k USING (_row)
              WHERE s._project_id IS NOT NULL AND k.bidder_no IS NOT NULL)),{capped}
    lots AS (  -- bidders per lot, and those with a usable value
        SELECT project_id, count(*) AS bidders, count(*) FILTER (WHERE usable) AS with_value
        FROM (SELECT project_id, bidder_no, bool_or(usable) AS usable FROM b GROUP BY project_id, bidder_no)
        GROUP BY project_id),
    m AS (  -- bids whose value another bidder in the same lot shares
        SELECT b._row, b.project_id, b.bidder_no, b.v FROM b
        JOIN (SELECT project_id, v FROM b WHERE usable GROUP BY project_id, v
              HAVING min(bidder_no) < max(bidder_no)) shared USING (project_id, v)
        WHERE b.usable),
    lot_pairs AS (
        SELECT DISTINCT a.project_id, a.v, a.bidder_no AS ka, c.bidder_no AS kb
        FROM m a JOIN m c ON a.project_id = c.project_id AND a.v = c.v AND a.bidder_no < c.bidder_no),
    pair_lots AS (  -- in how many lots each pair of bidders shares the value
        SELECT v, ka, kb, count(*) AS n FROM lot_pairs GROUP BY v, ka, kb),
    kept AS (  -- the bidders of each lot and value that belong to a pair meeting min_lots
        SELECT project_id, v, bidder_no, max(n) AS n
        FROM (SELECT lp.project_id, lp.v, unnest([lp.ka, lp.kb]) AS bidder_no, pl.n
              FROM lot_pairs lp JOIN pair_lots pl USING (v, ka, kb)
              WHERE pl.n >= {1 if spec.single_lot_lead else spec.min_lots})
        GROUP BY ALL),
    findings AS (
        SELECT m.project_id, m.v,
               max(kept.n) AS pair_lots,
               count(DISTINCT m.bidder_no) AS bidder_count,
               list(k.bid_id ORDER BY k.bid_id) AS bid_ids,
               list({bidder} ORDER BY k.bid_id) AS bidders,
               {shown('m.v', f'min(ggzy_text(t.{ident(spec.attribute)}))', show)} AS value_shown,
               array_to_string(list_filter({names}, lambda x, i: list_position({names}, x) = i), '、') AS bidders_text,
               array_to_string(list(k.bid_id ORDER BY k.bid_id), '、') AS bid_ids_text
        FROM m JOIN kept USING (project_id, v, bidder_no)
        JOIN {BIDDER_KEYS} k ON k._row = m._row JOIN bids t ON t._row = m._row
        GROUP BY m.project_id, m.v),
    value_lots AS (
        SELECT v, list(project_id ORDER BY project_id)[1:20] AS lots_with_value FROM findings GROUP BY v)
    SELECT f.project_id AS _record_id, f.project_id AS _project_id, CAST(NULL AS VARCHAR) AS _department,
           f.project_id || ':' || f.value_key AS _key,  -- a finding is one lot and one value
           'violated' AS outcome, CAST(NULL AS VARCHAR) AS reason,
           IF(f.pair_lots < {spec.min_lots}, {literal(LOWER[spec.severity])}, NULL) AS severity,
           {evidence} AS evidence,
           {literal(column.label)} AS attribute_label, f.value_shown, f.bidders_text, f.bidder_count,
           f.bid_ids_text, f.pair_lots
    FROM (SELECT *, {literal(spec.attribute + ':')} || left(md5(v), 16) AS value_key FROM findings) f
    JOIN value_lots USING (v)
    UNION ALL BY NAME
    SELECT l.project_id AS _record_id, l.project_id AS _project_id, CAST(NULL AS VARCHAR) AS _department,
           l.project_id AS _key,
           CASE WHEN l.bidders < 2 THEN 'not_applicable'
                WHEN l.with_value < 2 THEN 'not_evaluable'
                ELSE 'compliant' END AS outcome,
           IF(l.bidders >= 2 AND l.with_value < 2, {reason("too_few_values", literal(why), column=literal(spec.attribute))}, NULL) AS reason,
           CAST(NULL AS VARCHAR) AS severity, CAST(NULL AS JSON) AS evidence,
           {null_fields}
    FROM lots l
    WHERE l.project_id NOT IN (SELECT project_id FROM findings)
    """
