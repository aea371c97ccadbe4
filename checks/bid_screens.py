"""The five bid-price screens of check kind ``bid_prices`` (``checks/bid_prices.py`` says what each
one finds and why, and runs them): each is one SQL fragment over the lot's bids.

Each gives ``findings(project_id, fkey, bid_ids, facts, detail)`` — ``bid_ids`` the bids the
finding names (NULL: every bid of the lot) — and ``judged(project_id, outcome, why)`` for every
lot without a finding. They read ``b`` (one row per bid: _row, bid_id, project_id, bidder_no,
price, status, is_winner, budget) and ``lots`` (project_id, bidders, trade_type); names are
joined from bidder_keys only for the findings.
"""

from __future__ import annotations

from pipelines.sql import in_list, literal

BIDDER_KEYS = "bidder_keys"  # made by the engine's "bidders" preparation
VALID, REJECTED = "有效", ("无效", "否决")


def _yuan(x: str) -> str:
    return f"format('{{:,.2f}}', CAST({x} AS DOUBLE))"


def _pct(x: str) -> str:
    return f"format('{{:.1f}}', 100 * CAST({x} AS DOUBLE)) || '%'"


def _identical(spec) -> str:
    at_budget = "budget IS NOT NULL AND price = budget" if spec.ignore_budget_price else "FALSE"
    return f"""
    priced AS (SELECT * FROM b WHERE price IS NOT NULL AND price > 0),
    findings AS (
        SELECT project_id, project_id || ':' || CAST(price AS VARCHAR) AS fkey, list(bid_id ORDER BY bid_id) AS bid_ids,
               {{'price': price}} AS facts,
               '报价均为' || {_yuan('price')} || '元' AS detail
        FROM priced WHERE NOT ({at_budget})
        GROUP BY project_id, price HAVING min(bidder_no) < max(bidder_no)),
    judged AS (
        SELECT l.project_id,
               CASE WHEN l.bidders < 2 THEN 'not_applicable'
                    WHEN coalesce(p.n, 0) < 2 THEN 'not_evaluable' ELSE 'compliant' END AS outcome,
               '投标报价缺失或无法识别，有报价的投标人少于两家' AS why
        FROM lots l LEFT JOIN (SELECT project_id, count(DISTINCT bidder_no) AS n FROM priced GROUP BY 1) p
             USING (project_id))"""


def _pattern(spec) -> str:
    gap, ratio = literal(spec.gap_tolerance), literal(spec.ratio_tolerance)
    return f"""
    priced AS (  -- one price per bidder: its first bid
        SELECT project_id, bidder_no, arg_min(bid_id, bid_id) AS bid_id, arg_min(price, bid_id) AS price
        FROM b WHERE price IS NOT NULL AND price > 0 GROUP BY project_id, bidder_no),
    ordered AS (
        SELECT project_id, bid_id, price,
               lag(price) OVER w AS p1, lag(price, 2) OVER w AS p2,
               lag(bid_id) OVER w AS id1, lag(bid_id, 2) OVER w AS id2
        FROM priced WINDOW w AS (PARTITION BY project_id ORDER BY price, bid_id)),
    triples AS (
        SELECT project_id, [id2, id1, bid_id] AS ids, [p2, p1, price] AS prices,
               p1 - p2 AS gap1, price - p1 AS gap2,
               CAST(p1 AS DOUBLE) / CAST(p2 AS DOUBLE) AS ratio1, CAST(price AS DOUBLE) / CAST(p1 AS DOUBLE) AS ratio2,
               abs((price - p1) - (p1 - p2)) <= {gap} AS equal_gaps
        FROM ordered
        WHERE p2 IS NOT NULL AND p1 > p2 AND price > p1
          AND (abs((price - p1) - (p1 - p2)) <= {gap}
               OR abs(CAST(price AS DOUBLE) / CAST(p1 AS DOUBLE) - CAST(p1 AS DOUBLE) / CAST(p2 AS DOUBLE)) <= {ratio})),
    findings AS (
        SELECT project_id, project_id AS fkey,
               list_sort(list_distinct(flatten(list(ids)))) AS bid_ids,
               {{'triples': list({{'bid_ids': ids, 'prices': prices, 'gaps': [gap1, gap2],
                                  'ratios': [round(ratio1, 6), round(ratio2, 6)], 'equal_gaps': equal_gaps}}
                                ORDER BY prices[1])}} AS facts,
               string_agg('报价' || array_to_string(list_transform(prices, lambda x: {_yuan('x')}), '、') || '元'
                          || IF(equal_gaps, '相邻差额均约为' || {_yuan('gap2')} || '元',
                                '相邻比值均约为' || format('{{:.4f}}', ratio2)), '；' ORDER BY prices[1]) AS detail
        FROM triples GROUP BY project_id),
    judged AS (
        SELECT l.project_id,
               CASE WHEN l.bidders < 3 THEN 'not_applicable'
                    WHEN coalesce(p.n, 0) < 3 THEN 'not_evaluable' ELSE 'compliant' END AS outcome,
               '投标报价缺失或无法识别，有报价的投标人少于三家' AS why
        FROM lots l LEFT JOIN (SELECT project_id, count(*) AS n FROM priced GROUP BY 1) p USING (project_id))"""


def _single_valid(spec) -> str:
    types = "、".join(spec.open_notice_types)
    valid = f"status = {literal(VALID)}"
    return f"""
    open_calls AS (
        SELECT project_id, list(DISTINCT notice_id ORDER BY notice_id) AS notice_ids FROM notices
        WHERE {in_list('notice_type', spec.open_notice_types)} GROUP BY project_id),
    counted AS (
        SELECT project_id,
               count(DISTINCT bidder_no) FILTER (WHERE {valid}) AS n_valid,
               count(*) FILTER (WHERE status IS NULL) AS n_unknown,
               any_value(_row) FILTER (WHERE {valid}) AS valid_row,
               count(DISTINCT bidder_no) AS n_bidders
        FROM b GROUP BY project_id),
    findings AS (
        SELECT c.project_id, c.project_id AS fkey,
               (SELECT list(x.bid_id ORDER BY x.bid_id) FROM b x WHERE x.project_id = c.project_id AND x.{valid})
                   AS bid_ids,
               {{'open_notice_ids': o.notice_ids, 'valid_bids': c.n_valid, 'bidders': c.n_bidders}} AS facts,
               '公开招标（' || array_to_string(o.notice_ids, '、') || '）中仅' || k.bidder_name || '一家有效投标（共'
                   || c.n_bidders || '家投标）' AS detail
        FROM counted c JOIN open_calls o USING (project_id) JOIN {BIDDER_KEYS} k ON k._row = c.valid_row
        WHERE c.n_valid = 1 AND c.n_unknown = 0),
    judged AS (
        SELECT project_id,
               CASE WHEN n_valid >= 2 THEN 'compliant'
                    WHEN n_valid + n_unknown >= 2 OR (n_valid = 0 AND n_unknown > 0) THEN 'not_evaluable'
                    WHEN n_valid = 0 THEN 'not_applicable'
                    ELSE 'not_evaluable' END AS outcome,
               CASE WHEN n_unknown > 0 THEN '投标状态未填写，无法确定有效投标数'
                    ELSE {literal(f'该项目无{types}，无法确定是否公开招标')} END AS why
        FROM counted)"""


def _all_but_winner_rejected(spec) -> str:
    rejected = in_list("status", REJECTED)
    return f"""
    counted AS (
        SELECT project_id,
               count(DISTINCT bidder_no) AS n_bidders,
               count(*) FILTER (WHERE is_winner) AS n_win,
               count(*) FILTER (WHERE is_winner IS NULL) AS n_win_unknown,
               count(*) FILTER (WHERE is_winner IS FALSE) AS n_others,
               count(*) FILTER (WHERE is_winner IS FALSE AND status = {literal(VALID)}) AS n_other_valid,
               count(*) FILTER (WHERE is_winner IS FALSE AND {rejected}) AS n_other_rejected,
               any_value(_row) FILTER (WHERE is_winner) AS winner_row
        FROM b GROUP BY project_id),
    findings AS (
        SELECT c.project_id, c.project_id AS fkey, CAST(NULL AS VARCHAR[]) AS bid_ids,
               {{'bidders': c.n_bidders, 'rejected': c.n_other_rejected}} AS facts,
               '除中标人' || k.bidder_name || '外，其余' || c.n_others || '份投标均被否决或无效' AS detail
        FROM counted c JOIN {BIDDER_KEYS} k ON k._row = c.winner_row
        WHERE c.n_bidders >= {spec.min_bids} AND c.n_win = 1 AND c.n_win_unknown = 0
          AND c.n_others >= 1 AND c.n_other_rejected = c.n_others),
    judged AS (
        SELECT project_id,
               CASE WHEN n_bidders < {spec.min_bids} THEN 'not_applicable'
                    WHEN n_win = 0 AND n_win_unknown = 0 THEN 'not_applicable'
                    WHEN n_win <> 1 OR n_win_unknown > 0 THEN 'not_evaluable'
                    WHEN n_other_valid > 0 THEN 'compliant'
                    ELSE 'not_evaluable' END AS outcome,
               CASE WHEN n_win <> 1 OR n_win_unknown > 0 THEN '中标人不唯一或“是否中标”未填写'
                    ELSE '投标状态未填写，无法确定是否其余投标均被否决' END AS why
        FROM counted)"""


def _cover(spec) -> str:
    valid = f"status = {literal(VALID)} AND price IS NOT NULL AND price > 0"
    close, far = literal(spec.close), literal(spec.far_above)
    return f"""
    counted AS (
        SELECT project_id,
               count(DISTINCT bidder_no) AS n_bidders,
               count(DISTINCT bidder_no) FILTER (WHERE {valid}) AS n_valid,
               count(*) FILTER (WHERE status IS NULL OR (status = {literal(VALID)} AND price IS NULL)) AS n_unknown,
               count(*) FILTER (WHERE is_winner) AS n_win,
               count(*) FILTER (WHERE is_winner IS NULL) AS n_win_unknown,
               max(price) FILTER (WHERE is_winner AND {valid}) AS w
        FROM b GROUP BY project_id),
    losers AS (  -- the valid priced bids that did not win, cheapest first
        SELECT project_id, _row, bid_id, price,
               row_number() OVER (PARTITION BY project_id ORDER BY price, bid_id) AS rank
        FROM b WHERE is_winner IS FALSE AND {valid}),
    runner AS (SELECT project_id, _row AS runner_row, bid_id AS runner_id, price AS r FROM losers WHERE rank = 1),
    rest AS (SELECT project_id, min(price) AS rest_min, count(*) AS n_rest FROM losers WHERE rank > 1 GROUP BY 1),
    spread AS (SELECT * FROM counted LEFT JOIN runner USING (project_id) LEFT JOIN rest USING (project_id)),
    findings AS (
        SELECT s.project_id, s.project_id AS fkey, CAST(NULL AS VARCHAR[]) AS bid_ids,
               {{'winner_price': s.w, 'runner_up_price': s.r, 'runner_up_bid_id': s.runner_id,
                 'winner_to_runner_up': round(abs(s.r - s.w) / s.w, 4),
                 'rest_lowest_price': s.rest_min, 'rest_above_runner_up': round(s.rest_min / s.r - 1, 4),
                 'close': {close}, 'far_above': {far}}} AS facts,
               '中标价' || {_yuan('s.w')} || '元与次低价（' || k.bidder_name || '）' || {_yuan('s.r')}
                   || '元仅相差' || {_pct('abs(s.r - s.w) / s.w')} || '，其余' || s.n_rest || '家有效报价均高出次低价'
                   || {_pct('s.rest_min / s.r - 1')} || '以上' AS detail
        FROM spread s JOIN {BIDDER_KEYS} k ON k._row = s.runner_row
        WHERE s.n_valid >= {spec.min_bids} AND s.n_win = 1 AND s.n_win_unknown = 0 AND s.w IS NOT NULL
          AND s.n_rest >= 1 AND abs(s.r - s.w) <= {close} * s.w AND s.rest_min >= s.r * (1 + {far})),
    judged AS (
        SELECT project_id,
               CASE WHEN n_bidders < {spec.min_bids} THEN 'not_applicable'
                    WHEN n_win = 0 AND n_win_unknown = 0 THEN 'not_applicable'
                    WHEN n_win <> 1 OR n_win_unknown > 0 OR w IS NULL THEN 'not_evaluable'
                    WHEN n_valid >= {spec.min_bids} THEN 'compliant'
                    WHEN n_valid + n_unknown >= {spec.min_bids} THEN 'not_evaluable'
                    ELSE 'not_applicable' END AS outcome,
               CASE WHEN n_win <> 1 OR n_win_unknown > 0 THEN '中标人不唯一或“是否中标”未填写'
                    WHEN w IS NULL THEN '中标投标无效或中标价缺失'
                    ELSE '投标状态或报价未填写，有效报价数无法确定' END AS why
        FROM spread)"""


SCREENS = {"identical": _identical, "pattern": _pattern, "single_valid": _single_valid,
           "all_but_winner_rejected": _all_but_winner_rejected, "cover": _cover}
