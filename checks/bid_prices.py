"""Check kind ``bid_prices``: price and outcome screens for bid rigging, one lot at a time.

Serves the notice's aim (鹤发改公管〔2022〕216号: 遏制打击围标串标) with the screens that
procurement-integrity tools use (Open Contracting red flags, Prozorro risk indicators) and
《招标投标法实施条例》§40(4) (bid prices that differ by a regular pattern). A screen is a lead for
review, not proof: rules of this kind are ``warning``. One ``screen`` per rule:

``identical``
    two or more different bidders in a lot bid the same price (a price equal to the project's
    budget, i.e. the ceiling many bidders hit, is no evidence unless ``ignore_budget_price: false``);
``pattern``
    three bids, next to each other in price order, whose two gaps are equal within
    ``gap_tolerance`` yuan or whose two ratios are equal within ``ratio_tolerance``;
``single_valid``
    exactly one valid (有效) bid in a lot of an open procedure: the project has a notice of one of
    ``open_notice_types`` (招标公告, 资格预审公告, 采购公告); without such a notice the procedure is
    unknown and the lot is not evaluable;
``all_but_winner_rejected``
    a lot of at least ``min_bids`` bidders where every bid but the winner's is 无效 or 否决;
``cover``
    cover bidding: at least ``min_bids`` valid priced bids, the winner's price within ``close``
    (a share) of the runner-up's (the cheapest other valid bid) while every other valid bid is at
    least ``far_above`` (a share) above the runner-up.

A grouped kind: one finding per lot (``identical``: per lot and price), ``record_id`` the lot's
project_id. Bidders are ``pipelines.bidders`` keys, so one bidder's two bids are never "different
bidders". With ``trade_types`` only lots of those trade types are judged (others not applicable).
A lot whose prices, statuses or winner are missing where the screen needs them is not evaluable,
with the reason. Evidence lists every bid of the lot (id, bidder, price, status, winner) and the
screen's figures.

Example rule::

    check: bid_prices
    screen: cover
    min_bids: 3
    close: 0.02
    far_above: 0.10
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from pipelines import schema
from pipelines.sql import in_list, literal

from .base import Context, RuleSpec, Shown, json_object, known_trade_types, reason
from .bid_screens import BIDDER_KEYS, SCREENS

GROUPED = True
#: the engine makes every bid's bidder key first: table bidder_keys (pipelines.bidders)
PREPARES = ("bidders",)

SCREEN_ZH = (("identical", "报价相同"), ("pattern", "报价呈规律性差异"), ("single_valid", "仅一家有效投标"),
             ("all_but_winner_rejected", "除中标人外均被否决或无效"), ("cover", "陪标（中标价与次低价接近、其余远高）"))
SHOWN = (
    Shown("screen", "筛查类型", values=SCREEN_ZH),
    Shown("bid_ids", "涉及投标", "list"),
    Shown("facts.price", "相同报价（元）", "number"),
    Shown("facts.bidders", "投标人数", "number"),
    Shown("facts.valid_bids", "有效投标数", "number"),
    Shown("facts.rejected", "被否决或无效的投标数", "number"),
    Shown("facts.open_notice_ids", "公开招标公告", "list"),
    Shown("facts.winner_price", "中标报价（元）", "number"),
    Shown("facts.runner_up_price", "次低报价（元）", "number"),
    Shown("facts.runner_up_bid_id", "次低价投标编号"),
    Shown("facts.winner_to_runner_up", "中标价与次低价相差（比例）", "number"),
    Shown("facts.rest_lowest_price", "其余投标最低报价（元）", "number"),
    Shown("facts.rest_above_runner_up", "其余报价高出次低价（比例）", "number"),
    Shown("facts.close", "“接近”阈值（比例）", "number", excel=False),
    Shown("facts.far_above", "“远高于”阈值（比例）", "number", excel=False),
    Shown("facts.triples", "规律性报价", "records", excel=False),
    Shown("bids", "有关投标", "records", excel=False),
)

#: message-template name -> (result column, kind)
FIELDS = {"detail": ("detail", "text"), "bidders": ("bidders_text", "text"),
          "bid_ids": ("bid_ids_text", "text"), "bid_count": ("bid_count", "number")}

Screen = Literal["identical", "pattern", "single_valid", "all_but_winner_rejected", "cover"]

#: the bid columns each screen reads
COLUMNS = {"identical": ("price",), "pattern": ("price",), "single_valid": ("status",),
           "all_but_winner_rejected": ("status", "is_winner"), "cover": ("price", "status", "is_winner")}


class Spec(RuleSpec):
    screen: Screen = Field(description="筛查方法")
    trade_types: list[str] | None = Field(None, min_length=1, description="交易类型")
    ignore_budget_price: bool = Field(True, description="报价等于最高限价的不计为相同报价")
    gap_tolerance: float = Field(0.01, ge=0, description="报价差额的容差（元）")
    ratio_tolerance: float = Field(0.0000001, ge=0, description="报价比例的容差")
    open_notice_types: list[str] = Field(["招标公告", "资格预审公告", "采购公告"], min_length=1,
                                         description="表明公开招标的公告类型")
    min_bids: int = Field(3, ge=2, description="最少投标数")
    close: float = Field(0.02, ge=0, lt=1, description="“接近”阈值（比例）")
    far_above: float = Field(0.10, gt=0, description="“远高于”阈值（比例）")

    @field_validator("trade_types")
    @classmethod
    def _known_trade_types(cls, value):
        return known_trade_types(value)

    @field_validator("open_notice_types")
    @classmethod
    def _known_notice_types(cls, value):
        unknown = [v for v in value if v not in schema.NOTICE_TYPES]
        if unknown:
            raise ValueError(f"未知公告类型 unknown notice type {unknown}; 可用 known: {', '.join(schema.NOTICE_TYPES)}")
        return value

    def column_refs(self) -> dict[tuple, str]:
        return {**super().column_refs(), **{("screen", c): c for c in COLUMNS[self.screen]}}

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        if self.table != "bids":
            found.append((("table",), "bid_prices 只适用于 bids（投标记录）/ applies to table bids only"))
        return found

    def tables_used(self) -> list[str]:
        return ["notices"] if self.screen == "single_valid" else []


BID = ("{'bid_id': b.bid_id, 'bidder_name': k.bidder_name, 'bidder_key': k.bidder_key, 'price': b.price, "
       "'status': b.status, 'is_winner': b.is_winner}")


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    in_scope = in_list("l.trade_type", spec.trade_types) if spec.trade_types else "TRUE"
    scope_why = reason("scope_unknown", literal("项目交易类型未填写，无法确定是否适用"),
                       column=literal("project.trade_type"))
    evidence = json_object(screen=literal(spec.screen), bid_ids="f.bid_ids", bids="f.bids", facts="f.facts")
    named = "(x.bid_ids IS NULL OR list_contains(x.bid_ids, b.bid_id))"
    return f"""
    WITH b AS (
        SELECT s._row, s.bid_id, s._project_id AS project_id, k.bidder_no,
               s.price, s.status, s.is_winner, s."project.budget" AS budget, s."project.trade_type" AS trade_type
        FROM {ctx.source} s JOIN {BIDDER_KEYS} k USING (_row)
        WHERE s._project_id IS NOT NULL AND k.bidder_no IS NOT NULL),
    all_lots AS (
        SELECT project_id, count(DISTINCT bidder_no) AS bidders, any_value(trade_type) AS trade_type
        FROM b GROUP BY project_id),
    lots AS (SELECT * FROM all_lots l WHERE {in_scope}),
    {SCREENS[spec.screen](spec)},
    fb AS (  -- every bid of a finding's lot, and the bids and bidders the finding names
        SELECT x.project_id, x.fkey,
               list({BID} ORDER BY b.bid_id) AS bids,
               list(b.bid_id ORDER BY b.bid_id) FILTER (WHERE {named}) AS named_ids,
               list(k.bidder_name ORDER BY b.bid_id) FILTER (WHERE {named}) AS names,
               count(DISTINCT b.bidder_no) FILTER (WHERE {named}) AS bid_count
        FROM findings x JOIN b USING (project_id) JOIN {BIDDER_KEYS} k ON k._row = b._row
        GROUP BY x.project_id, x.fkey),
    f AS (
        SELECT x.project_id, x.fkey, x.facts, x.detail, fb.bids, fb.named_ids AS bid_ids, fb.bid_count,
               array_to_string(list_filter(fb.names, lambda n, i: list_position(fb.names, n) = i), '、') AS bidders_text
        FROM findings x JOIN fb USING (project_id, fkey)
        WHERE x.project_id IN (SELECT project_id FROM lots))
    SELECT f.project_id AS _record_id, f.project_id AS _project_id, CAST(NULL AS VARCHAR) AS _department,
           {literal(spec.screen + ':')} || f.fkey AS _key,
           'violated' AS outcome, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS severity,
           {evidence} AS evidence,
           f.detail, f.bidders_text, array_to_string(f.bid_ids, '、') AS bid_ids_text, f.bid_count
    FROM f
    UNION ALL BY NAME
    SELECT l.project_id AS _record_id, l.project_id AS _project_id, CAST(NULL AS VARCHAR) AS _department,
           l.project_id AS _key,
           CASE WHEN NOT coalesce({in_scope}, FALSE) THEN IF(l.trade_type IS NULL, 'not_evaluable', 'not_applicable')
                ELSE j.outcome END AS outcome,
           CASE WHEN NOT coalesce({in_scope}, FALSE) THEN IF(l.trade_type IS NULL, {scope_why}, NULL)
                WHEN j.outcome = 'not_evaluable' THEN {reason('bids_unknown', 'j.why')} END AS reason,
           CAST(NULL AS VARCHAR) AS severity, CAST(NULL AS JSON) AS evidence,
           CAST(NULL AS VARCHAR) AS detail, CAST(NULL AS VARCHAR) AS bidders_text,
           CAST(NULL AS VARCHAR) AS bid_ids_text, CAST(NULL AS BIGINT) AS bid_count
    FROM all_lots l LEFT JOIN judged j USING (project_id)
    WHERE l.project_id NOT IN (SELECT project_id FROM f)
    """
