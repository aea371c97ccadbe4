"""too-few-bidders (条例 §44): an engineering lot that went on to evaluation had at least 3 bidders."""

from rule_subset import audit_with

RULE = "too-few-bidders"
audit = audit_with(RULE)
PROJECTS = "project_id,department,trade_type,evaluation_report_at,award_notice_at,candidates_published_at,contract_signed_at\n"
BIDS = "bid_id,project_id,bidder_name,bidder_uscc\n"


def test_an_evaluated_engineering_lot_with_fewer_than_three_bidders_is_a_violation(audit):
    projects = PROJECTS + ("P1,市住建局,工程建设,2026-03-01,,,\nP2,市住建局,工程建设,,2026-03-05,,\n"
                           "P3,市水务局,工程建设,,,,\n"            # never evaluated (re-tendered): not checked
                           "P4,市自然资源局,矿业权,2026-03-01,,,\n"  # 挂牌 may have one bidder: not this rule
                           "P5,市水务局,工程建设,,,,2026-04-01\n")
    bids = BIDS + ("B1,P1,甲公司,91230400MA1B2C3D4Q\nB2,P1,乙公司,\nB3,P1,丙公司,\n"
                   "B4,P2,甲公司,91230400MA1B2C3D4Q\nB5,P2,鹤岗甲公司,91230400MA1B2C3D4Q\nB6,P2,乙公司,\n"
                   "B7,P3,甲公司,\nB8,P4,甲公司,\n")
    run = audit({"projects.csv": projects, "bids.csv": bids})
    assert run.outcomes(RULE) == {"P1": "compliant", "P2": "violated", "P3": "not_applicable", "P5": "violated"}
    p2, p5 = run.violations(RULE)
    assert p2["message"] == "工程建设项目P2只有2个投标人，少于3个，依法不得开标，应重新招标"
    assert p2["evidence"]["items"][0]["matched"] == 2 and p2["basis"] == "招标投标法实施条例 第四十四条"
    assert p5["message"].startswith("工程建设项目P5没有任何投标记录") and p5["department"] == "市水务局"


def test_an_unreadable_evaluation_date_is_not_evaluable(audit):
    run = audit({"projects.csv": PROJECTS + "P1,市住建局,工程建设,2026-02-30,,,\n", "bids.csv": BIDS})
    assert run.reasons(RULE) == {"P1": "评标报告提交时间无法识别"}


def test_without_bids_or_a_date_column_the_rule_is_not_evaluated(audit):
    run = audit({"projects.csv": PROJECTS + "P1,市住建局,工程建设,2026-03-01,,,\n"})
    assert run.result(RULE).not_evaluated_reason.startswith("缺少数据表 bids")
    run = audit({"projects.csv": "project_id,department,trade_type,award_notice_at\nP1,市住建局,工程建设,2026-03-01\n",
                 "bids.csv": BIDS})
    assert "evaluation_report_at" in run.result(RULE).not_evaluated_reason
