"""Issue #8: findings an official can sign. Whom a finding goes to, which records a statute binds,
which limits are the law's and which the pack's own — each as DOMAIN.md's "Corrections and
sources" says — and the obligations of 三(三) and 八(一) the data already supports."""

import re

import pytest

from pipelines.rules import RuleError, load_pack
from rule_subset import audit_with, rule_folder

audit = audit_with("inspection-plan-disclosure", "inspection-publish-channel", "serious-dishonest-bidder",
                   "credit-clause")

USCC = "91230404MA1BH2RT6Y"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


# --- 1. referrals: never the police or the 纪委 by the tool itself --------------------------------

def test_no_shipped_rule_refers_a_case_to_the_police_or_the_discipline_commission(pack):
    for rule in pack.rules:
        assert not {"公安机关", "纪检监察机关"} & set(rule.spec.refer_to), rule.id
    assert all(rule.spec.refer_to == ["行政监督部门"] for rule in pack.rules
               if rule.spec.check == "shared_attribute" and "第四十条" in rule.spec.basis)


def test_a_rule_file_referring_to_the_police_is_refused_naming_file_line_and_field(tmp_path):
    text = (rule_folder(tmp_path / "src", "collusion-shared-agent").joinpath("collusion-shared-agent.yaml")
            .read_text(encoding="utf-8").replace("refer_to: [行政监督部门]", "refer_to: [公安机关]"))
    folder = rule_folder(tmp_path / "rules", **{"collusion-shared-agent": text})
    with pytest.raises(RuleError) as exc:
        load_pack(folder)
    message = str(exc.value)
    assert "collusion-shared-agent.yaml" in message and "refer_to" in message and "公安机关" in message


def test_the_report_back_reminder_has_no_deadline_and_leaves_the_discipline_commission_alone(pack):
    rule = next(r for r in pack.rules if r.id == "referral-report-back")
    assert rule.spec.severity == "info" and rule.spec.check == "field_check"
    assert rule.spec.where["to_body"].in_ == ["市公安局"]
    assert "应于" not in rule.spec.message and "日内" not in rule.spec.message


# --- 2. presumptions are signs to verify ---------------------------------------------------------

def test_every_40_rule_says_sign_to_verify_never_treated_as_collusion(pack):
    for rule in pack.rules:
        if "第四十条" in rule.spec.basis or "第三十四条" in rule.spec.basis or "第十八条" in rule.spec.basis:
            assert "迹象" in rule.spec.message and "核实" in rule.spec.message, rule.id
            assert "视为串通" not in rule.spec.message, rule.id


# --- 3. scope: 招标投标法 never judges 政府采购 or 招拍挂 lots -------------------------------------

def test_tendering_law_rules_never_judge_procurement_or_land_and_mining_lots(pack):
    for rule in pack.rules:
        scope = rule.spec.applies_to
        cites_tendering = re.search(r"《?招标投标法(实施条例)?》?", rule.spec.basis) and "政府采购" not in rule.spec.basis
        if cites_tendering and rule.spec.table in ("projects", "bids", "notices", "complaints"):
            assert scope and scope.trade_types, rule.id
            assert not {"政府采购", "土地使用权", "矿业权"} & set(scope.trade_types), rule.id


def test_the_credit_clause_is_not_applied_to_a_mining_right_notice(audit):
    files = {"projects.csv": "project_id,trade_type,department\nP1,矿业权,市自然资源局\nP2,工程建设,市住建局\n",
             "notices.csv": "notice_id,project_id,notice_type,content\n"
                            "N1,P1,资格预审公告,采矿权出让，竞买人须具备相应资质。\n"
                            "N2,P2,招标公告,投标人须具备相应资质。\n"}
    run = audit(files)
    assert run.outcomes("credit-clause") == {"N2": "violated"}


# --- 4. no invented limits presented as law --------------------------------------------------------

@pytest.mark.parametrize("rule_id", ["complaint-feedback", "credit-list-report"])
def test_a_limit_of_the_packs_own_is_a_warning_and_says_so_in_its_message(pack, rule_id):
    spec = next(r for r in pack.rules if r.id == rule_id).spec
    assert spec.severity in ("warning", "info")
    assert "本规则包设定" in spec.message and "不是法定期限" in spec.message


def test_credit_list_publication_uses_the_open_government_regulations_twenty_working_days(pack):
    spec = next(r for r in pack.rules if r.id == "credit-list-publication").spec
    assert spec.within.working_days == 20 and "政府信息公开条例》第二十六条" in spec.basis


def test_the_yearly_meeting_is_a_principle_a_warning(pack):
    assert next(r for r in pack.rules if r.id == "joint-meeting-yearly").spec.severity == "warning"


# --- 5. preconditions are not periods ------------------------------------------------------------

def test_no_same_day_rule_rolls_over_to_the_next_working_day(pack):
    for rule in pack.rules:
        within = getattr(rule.spec, "within", None)
        if within is not None and within.days == 0:
            assert within.holiday_extends is False, rule.id


# --- 6. 三(三) plan published and results on the provincial platform or city site; 八(一) list -------

INSPECTIONS = "inspection_id,department,plan_published_at,ended_at,published_at,publish_channel\n"


def test_the_inspection_plan_is_published_within_ten_working_days_of_the_end(audit):
    # ended Fri 2026-09-25 (中秋): 09-28,29,30, 10-08,09, 10-10 (调休), 10-12,13,14,15 -> due 10-15
    rows = ("BEFORE,市住建局,2026-09-10,2026-09-25,2026-10-15,黑龙江省公共资源交易平台\n"
            "LAST,市住建局,2026-10-15,2026-09-25,2026-10-15,鹤岗市政府网站\n"
            "LATE,市水务局,2026-10-16,2026-09-25,2026-10-15,鹤岗市人民政府网站\n"
            "NEVER,市水务局,,2026-11-01,,\n"
            "SOON,市水务局,,2026-11-20,,\n")
    run = audit({"inspections.csv": INSPECTIONS + rows})
    assert run.outcomes("inspection-plan-disclosure") == {
        "BEFORE": "compliant", "LAST": "compliant", "LATE": "violated", "NEVER": "violated", "SOON": "pending"}
    late = next(v for v in run.violations("inspection-plan-disclosure") if v["record_id"] == "LATE")
    assert late["evidence"]["due_date"] == "2026-10-15" and late["department"] == "市水务局"


def test_results_published_elsewhere_than_the_provincial_platform_or_city_site_are_a_warning(audit):
    rows = ("A,市住建局,,2026-09-25,2026-10-15,黑龙江省公共资源交易平台\n"
            "B,市住建局,,2026-09-25,2026-10-15,鹤岗市 政府网站\n"          # spaces do not matter
            "C,市水务局,,2026-09-25,2026-10-15,市水务局微信公众号\n"
            "D,市水务局,,2026-09-25,2026-10-15,\n"                         # channel unknown
            "E,市水务局,,2026-11-20,,\n")                                  # not yet published: not this rule
    run = audit({"inspections.csv": INSPECTIONS + rows})
    assert run.outcomes("inspection-publish-channel") == {
        "A": "compliant", "B": "compliant", "C": "violated", "D": "not_evaluable"}
    [v] = run.violations("inspection-publish-channel")
    assert v["severity"] == "warning"
    assert v["message"] == "市水务局抽查C的结果在“市水务局微信公众号”公布，应在黑龙江省公共资源交易平台或鹤岗市政府网站公布"


def test_a_bidder_on_the_serious_dishonesty_list_is_kept_out_like_a_dishonest_debtor(audit):
    files = {"projects.csv": "project_id,department,bid_deadline\nP1,市住建局,2026-07-20\n",
             "bids.csv": "bid_id,project_id,bidder_name,bidder_uscc,submitted_at\n"
                         f"B1,P1,鹤岗市恒远建筑劳务有限公司,{USCC},2026-07-19\n"
                         f"B2,P1,鹤岗市恒远建筑劳务有限公司,{USCC},2026-06-14\n",
             "credit_list.csv": "entry_id,list_type,subject_name,subject_id,subject_type,listed_at\n"
                                f"E1,严重违法失信,鹤岗市恒远建筑劳务有限公司,{USCC},企业,2026-06-15\n"
                                f"E2,失信被执行人,别的公司,91230400MA1B2C3D4Q,企业,2026-01-01\n"}
    run = audit(files)
    assert run.outcomes("serious-dishonest-bidder") == {"B1": "violated", "B2": "compliant"}  # B2 before listing
    [v] = run.violations("serious-dishonest-bidder")
    assert v["severity"] == "error" and v["basis"] == "鹤发改公管〔2022〕216号 八(一)"
    assert v["refer_to"] == ["评标委员会"] and "名单记录E1" in v["message"]


# --- 3. 施工 deposit: also at most 800,000 (施工招标投标办法 §37, secondary source) ------------------

def test_a_construction_deposit_above_800_thousand_is_a_warning_even_within_two_percent(audit_export):
    files = {"projects.csv": "project_id,trade_type,department,category,budget,deposit_amount\n"
                             "BIG,工程建设,市住建局,施工,48000000,900000\n"
                             "CAP,工程建设,市住建局,施工,48000000,800000\n"
                             "GOODS,工程建设,市住建局,货物,48000000,900000\n"
                             "GP,政府采购,市财政局,施工,48000000,900000\n"
                             "NONE,工程建设,市住建局,施工,48000000,\n"}
    run = audit_export(files, only=["construction-deposit-cap", "bid-deposit-limit"])
    assert run.outcomes("construction-deposit-cap") == {"BIG": "violated", "CAP": "compliant", "NONE": "not_evaluable"}
    [v] = run.violations("construction-deposit-cap")
    assert v["severity"] == "warning" and "二手资料" in v["message"]
    assert run.outcomes("bid-deposit-limit")["BIG"] == "compliant"  # 1.875% of the budget: within 条例 §26


def test_the_rule_catalogue_states_the_must_tender_thresholds_and_the_legal_basis_exemption():
    from pipelines.catalogue import build_catalogue

    entries = {e.id: e for e in build_catalogue().rules}
    scope = entries["tender-period"].applies_to
    assert "交易类型属于 工程建设" in scope and "依法必须招标的项目" in scope
    assert "施工≥400万元" in scope and "货物≥200万元" in scope and "服务≥100万元" in scope and "第16号" in scope
    assert "（法定依据）已填写的记录不作违规" in entries["enforcement-power-listed"].applies_to
