#!/usr/bin/env python3
"""Generate a synthetic trading-platform export (EXPORT-V1) at a given scale.

    python benchmarks/generate.py OUT_DIR --projects 100000 --bids 1000000 --credit 100000 \\
        --inspections 50000 --complaints 50000 [--seed 1] [--format csv|parquet] [--collusion-groups 50]

One file per table, canonical English headers (from ``pipelines.schema``), UTF-8, dates as
``YYYY-MM-DD`` / ``YYYY-MM-DD HH:MM:SS`` text, booleans as 是/否. Every column is built
vectorised (numpy + pyarrow compute) and written by DuckDB ``COPY``; only the small pools
(companies, people, devices: at most a few hundred thousand) and the planted collusion groups
are ever touched element by element.
The output is byte-for-byte deterministic for a given seed and set of sizes.

Besides the tables the generator writes two files of ground truth (never read as evidence):

* ``_planted_groups.json`` — the collusion groups planted with ``--collusion-groups``;
* ``_expected.json`` — the facts planted for the headline rules (notices lacking each part of the
  credit clause, late/unpublished inspections, late/untransferred complaints, bids that hit a list
  entry on the bid date), counted from the generator's own identities, so a rule's result can be
  compared with it.

The rates below are the knobs; ``benchmarks/README.md`` documents them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import time
import zlib
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.schema import TABLES  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Time frame. Nothing after DATA_END is ever written: an event that would fall later "has not
# happened yet" and is left empty (the working-day calendar only knows years up to 2026).
EPOCH = dt.date(1970, 1, 1)
DEADLINE_FIRST, DEADLINE_LAST = dt.date(2025, 1, 1), dt.date(2026, 11, 20)  # bid deadlines
EVENT_FIRST, EVENT_LAST = dt.date(2025, 1, 2), dt.date(2026, 11, 30)  # inspection ends, complaints
LIST_FIRST = dt.date(2020, 1, 1)  # credit-list entries are listed from here on
DATA_END = dt.date(2026, 12, 31)
CALENDAR_FIRST = dt.date(2024, 1, 1)  # working days are taken from chinese_calendar from here

# ---------------------------------------------------------------------------------------------
# Vocabulary
DEPARTMENTS = ("市住建局", "市交通运输局", "市水务局", "市农业农村局", "市自然资源局", "市财政局")
REGIONS = ("向阳区", "工农区", "南山区", "兴安区", "东山区", "兴山区", "萝北县", "绥滨县")
REGION_CODES = (230402, 230403, 230404, 230405, 230406, 230407, 230421, 230422)
TRADE_TYPES = ("工程建设", "政府采购", "土地使用权", "矿业权", "国有产权", "其他")
TRADE_TYPE_WEIGHTS = (0.55, 0.35, 0.04, 0.02, 0.02, 0.02)
# 工程建设 is supervised by one of the first four departments; 政府采购 and 国有产权 by 市财政局;
# land and mining rights by 市自然资源局; 其他 by any department.
WORKS_DEPARTMENT_WEIGHTS = (0.45, 0.20, 0.20, 0.15)
PROJECT_OBJECTS = (  # by category: 4 works departments, then trade types 政府采购..其他
    ("老旧小区改造工程", "市政道路维修工程", "供热管网改造工程", "棚户区改造配套基础设施工程", "公园绿化提升工程"),
    ("农村公路建设工程", "桥梁维修加固工程", "公路养护工程", "客运站改造工程"),
    ("供水管网改造工程", "污水处理厂提标改造工程", "河道综合治理工程", "防洪堤加固工程"),
    ("高标准农田建设项目", "农田水利设施建设项目", "农村人居环境整治工程", "乡村道路硬化工程"),
    ("办公设备采购项目", "信息化系统建设项目", "物业管理服务采购项目", "公务车辆采购项目", "医疗设备采购项目"),
    ("地块国有建设用地使用权出让",),
    ("煤矿采矿权出让", "石墨矿探矿权出让"),
    ("国有企业股权转让", "国有资产租赁权转让"),
    ("检验检测服务项目", "造价咨询服务项目"),
)
BUDGET_MEDIANS = (3e6, 2.5e6, 3e6, 1.5e6, 0.8e6, 2e7, 1e7, 5e6, 5e5)  # yuan, by category
BUDGET_SIGMA = 0.9
PLACES = ("红旗路", "解放路", "新华街", "南山社区", "胜利街", "鹤立路", "五指山路", "松鹤路", "光宇街",
          "兴山矿区", "峻德社区", "蔡家沟村", "宝泉岭", "名山镇", "太平沟乡", "富力村", "东方红村",
          "团结村", "迎春街", "北山社区")
TENDERER_UNITS = (  # (unit, USCC registration+category code)
    ("住房和城乡建设局", "11"), ("交通运输局", "11"), ("水务局", "11"), ("农业农村局", "11"),
    ("自然资源局", "11"), ("财政局", "11"), ("教育局", "11"), ("卫生健康局", "11"),
    ("城市管理综合执法局", "11"), ("人民医院", "12"), ("第一中学", "12"), ("实验小学", "12"),
    ("公路管理站", "12"), ("水利工作站", "12"), ("农业技术推广中心", "12"), ("供热中心", "12"),
    ("城市建设投资发展有限公司", "91"), ("国有资产经营有限公司", "91"), ("供水有限公司", "91"),
    ("热力有限公司", "91"), ("市政工程管理处", "12"), ("环境卫生管理所", "12"),
    ("政务服务中心", "12"), ("疾病预防控制中心", "12"), ("图书馆", "12"),
)
AGENCY_COUNT = 30
AGENCY_EMPTY_RATE = 0.10  # self-tendering: no agency
COMPANY_PREFIXES = ("鹤岗市", "黑龙江", "黑龙江省", "哈尔滨", "佳木斯市", "萝北县", "绥滨县", "鹤岗")
COMPANY_BRACKET_REGIONS = ("（鹤岗）", "（黑龙江）")  # names like 龙兴（鹤岗）建设有限公司
COMPANY_CHARS = "".join(dict.fromkeys("龙兴华泰盛鑫宏远恒建通达昌隆金鹏福瑞祥安顺丰源嘉信诚德润正合利广汇众宇晟博创新天海东"
                                     "北森林江山川岳峰杰俊凯旭阳光明辉煌荣耀锦绣永久佳美好力强壮胜"))  # distinct
COMPANY_INDUSTRIES = ("建筑工程", "建设工程", "市政工程", "路桥工程", "水利水电工程", "园林绿化工程",
                      "电力工程", "装饰工程", "农业科技", "信息技术", "办公设备", "医疗器械", "环保科技",
                      "商贸", "劳务")
COMPANY_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
            "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
GIVEN_CHARS = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕玉兰晶婷"
               "鹏飞宇浩然子轩欣怡梓涵雨萱博文俊杰思远嘉怡凯瑞晓东春梅冬梅秋菊立新红梅")
PERSON_REGION_CODES = REGION_CODES + (230102, 230103, 230803, 230804, 230902, 231002, 210102, 370102)
PERSON_BIRTH_FIRST, PERSON_BIRTH_LAST = dt.date(1955, 1, 1), dt.date(2003, 12, 31)

# ---------------------------------------------------------------------------------------------
# projects: rates
DEADLINE_MINUTES = (540, 570, 600, 810, 840, 870)  # 09:00 09:30 10:00 13:30 14:00 14:30
SHORT_DOCS_LEAD_RATE = 0.03  # docs issued 10..19 days before the deadline (招标投标法 §24: ≥ 20)
CANDIDATES_LATE_RATE = 0.05  # candidates published 4..7 days after the report (条例 §54: ≤ 3)
PUBLICITY_SHORT_RATE = 0.03  # candidates publicised 1..2 days (条例 §54: ≥ 3)
CONTRACT_LATE_RATE = 0.04  # contract 31..60 days after the award notice (≤ 30)
DEPOSIT_NONE_RATE = 0.10  # no bid deposit asked (deposit_amount empty)
DEPOSIT_OVER_RATE = 0.02  # deposit 2.5..5 % of the budget (条例 §26: ≤ 2 %)
CONTRACT_PUBLISH_LATE_RATE = 0.05  # 政府采购 contract published 3..6 working days after signing (采购条例 §50: ≤ 2)
SECTION_NAME_RATE = 0.20  # project names ending in （第N标段）

# notices: per project one 招标公告, plus these types with these probabilities (≈ 1.5 per project)
EXTRA_NOTICE_RATES = {"招标文件": 0.40, "变更公告": 0.05, "中标结果公告": 0.05}
CLAUSE_NOTICE_TYPES = ("招标公告", "招标文件")  # the types that carry the credit clause
CLAUSE_MISSING_DISHONEST_RATE = 0.03  # lacks the 失信被执行人 sentence
CLAUSE_MISSING_BRIBERY_RATE = 0.02  # lacks the 行贿 sentence
CLAUSE_BRIBERY_INCOMPLETE_RATE = 0.01  # mentions 行贿 but not 法定代表人/授权委托人
TRADITIONAL_RATE = 0.01  # full clause, written in traditional characters
HTML_RATE = 0.10  # content given as HTML (<p> per paragraph) instead of plain text
FILLERS_PER_NOTICE = (2, 5)  # filler paragraphs, inclusive; content ≈ 1–2 KB

# bids
LOW_BID_LOT_RATE = 0.02  # lots with only 1–2 bids (条例 §44)
BIDS_PER_COMPANY = 20  # the company pool is bids / 20, clamped to [50, 50 000]
COMPANY_POOL_MAX = 50_000
BIDDER_SKEW = 1.7  # activity skew: company rank ∝ u^skew, a few companies bid a lot
SUBMITTED_EMPTY_RATE = 0.05
BID_NO_USCC_RATE = 0.02  # bidder_uscc empty: matched by name only
BID_NAME_VARIANT_RATE = 0.01  # bidder name typed with half-width brackets or spaces
PERSON_ID_EMPTY_RATE = 0.01  # legal_rep_id / agent_id / project_manager_id empty
STATUS_WEIGHTS = {"有效": 0.93, "无效": 0.04, "否决": 0.03}
CREDIT_REPORT_RATE = 0.90
DEPOSIT_EMPTY_RATE = 0.03  # bank guarantee instead of a transfer
SHARED_TERMINAL_IP_RATE = 0.002  # bids uploaded from the trading centre's public terminals
TERMINAL_IPS = ("222.171.18.21", "222.171.18.22", "222.171.18.23")
PRICE_FACTOR = (0.93, 0.04, 0.75, 1.05)  # price / budget: mean, sd, min, max

# credit_list
LIST_TYPE_WEIGHTS = {"失信被执行人": 0.70, "行贿犯罪记录": 0.20, "严重违法失信": 0.06,
                     "评标专家违法": 0.02, "其他": 0.02}
COMPANY_SUBJECT_SHARE = {"失信被执行人": 0.55, "行贿犯罪记录": 0.40, "严重违法失信": 0.90,
                         "评标专家违法": 0.0, "其他": 0.60}  # the rest are persons (experts for 评标专家违法)
REMOVED_RATE = 0.30
NAME_ONLY_RATE = 0.10  # company entries without a USCC; their name varies in brackets/spaces
DISHONEST_BID_RATE = 0.004  # target share of bids whose bidder is 失信被执行人 on the bid date
BRIBERY_BID_RATE = 0.001  # target share of bids with a 行贿犯罪记录 (bidder, legal rep or agent)
EDGE_RATE = 0.00005  # per bid, for each kind: listed on the bid date / removed on the bid date
HISTORICAL_POOL_RATE = 0.01  # pool companies with a listing removed before any bid
DISTRACTOR_POOL_RATE = 0.005  # legal reps listed 失信被执行人 (a person, not the bidder); companies on 严重违法失信
PUBLISHED_EMPTY_RATE = 0.02
PUBLISHERS = {
    "失信被执行人": ("最高人民法院", "鹤岗市中级人民法院"),
    "行贿犯罪记录": ("鹤岗市人民检察院", "黑龙江省人民检察院"),
    "严重违法失信": ("鹤岗市市场监督管理局", "鹤岗市发展和改革委员会"),
    "评标专家违法": ("鹤岗市发展和改革委员会",),
    "其他": ("信用中国（黑龙江鹤岗）",),
}

# inspections
INSPECTION_PROJECT_RATE = 0.85
INSPECTION_ON_TIME_RATE, INSPECTION_LATE_RATE = 0.80, 0.15  # rest unpublished
INSPECTION_ON_TIME_DAYS, INSPECTION_LATE_DAYS = (1, 10), (11, 20)  # working days after the end
CHANNELS = {"黑龙江省公共资源交易平台": 0.55, "鹤岗市政府网站": 0.40, "部门微信公众号": 0.05}
INSPECTORS_PER_DEPARTMENT = 30
INSPECTOR_SEPARATORS = ("、", ";", "，", ",", "；")

# complaints
COMPLAINT_PROJECT_RATE = 0.90
COMPETENT_EMPTY_RATE, COMPETENT_SAME_RATE = 0.70, 0.05  # rest (25 %) another department
TRANSFER_EMPTY_RATE = 0.10  # of the complaints that must be transferred
TRANSFER_LATE_RATE = 0.20  # of those transferred: 4..6 working days (else 0..3)
NON_WORKING_RECEIPT_RATE = 0.10  # received on a weekend or holiday
ACCEPT_LATE_RATE = 0.10  # acceptance 4..8 working days after receipt/transfer (条例 §61: ≤ 3)
ACCEPT_EMPTY_RATE = 0.05
DECIDE_LATE_RATE = 0.10  # decision 31..45 working days after acceptance (≤ 30)
FEEDBACK_EMPTY_RATE = 0.05

# collusion groups
GROUP_SIZE = (3, 5)  # members, inclusive
GROUP_LOTS = (3, 6)  # lots each group bids together, inclusive
SHARED_OPTIONS = (("file_machine_code",), ("file_machine_code", "mac_address", "ip_address"),
                  ("agent_id",), ("deposit_account",))

# ---------------------------------------------------------------------------------------------
# Identifiers
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
ORG_CODE_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])  # GB 11714 (the USCC's characters 9–17)
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = "10X98765432"

# ---------------------------------------------------------------------------------------------
# Notice text
CLAUSE_DISHONEST = "投标人不得被最高人民法院在信用中国(黑龙江鹤岗)网站或鹤岗市信用信息共享平台中列入失信被执行人名单。"
CLAUSE_BRIBERY = "投标单位、企业法定代表人及授权委托人不得存在行贿犯罪记录行为，严禁参与项目投标。"
CLAUSE_BRIBERY_WEAK = "投标人不得存在行贿犯罪记录。"
CLAUSE_TRADITIONAL = ("投標人不得被最高人民法院在信用中國(黑龍江鶴崗)網站或鶴崗市信用信息共享平臺中列入失信被執行人名單。"
                      "投標單位、企業法定代表人及授權委託人不得存在行賄犯罪記錄行爲，嚴禁參與項目投標。")
CLAUSE_VARIANTS = ("full", "missing_dishonest", "missing_bribery", "bribery_incomplete", "traditional")
CLAUSE_TEXTS = (CLAUSE_DISHONEST + CLAUSE_BRIBERY, CLAUSE_BRIBERY, CLAUSE_DISHONEST,
                CLAUSE_DISHONEST + CLAUSE_BRIBERY_WEAK, CLAUSE_TRADITIONAL)
FILLERS = (
    "一、招标条件：本招标项目已由相关主管部门批准建设，建设资金来自财政资金及自筹资金，出资比例为100%。项目已具备招标条件，现对该项目进行公开招标，特邀请有兴趣的潜在投标人（以下简称投标人）参加投标。",
    "二、项目概况与招标范围：本次招标范围为施工图纸及工程量清单所包含的全部内容，包括但不限于土建工程、安装工程、附属工程及相关配套设施。计划工期以招标文件约定为准，质量要求达到国家现行验收规范合格标准。",
    "三、投标人资格要求：投标人须具备独立法人资格，持有有效的营业执照和相应资质证书，并在人员、设备、资金等方面具备相应的履约能力。本次招标不接受联合体投标。拟派项目经理须具备相应专业注册建造师执业资格，且未担任其他在建工程项目的项目经理。",
    "四、招标文件的获取：凡有意参加投标者，请于规定时间内登录黑龙江省公共资源交易平台，使用数字证书下载电子招标文件。招标文件不收取费用。未按规定获取招标文件的潜在投标人，其投标将被拒绝。",
    "五、投标文件的递交：投标文件递交的截止时间（投标截止时间）及开标时间以交易平台公布为准。投标人应在截止时间前通过交易平台递交加密的电子投标文件，逾期送达的投标文件，招标人不予受理。",
    "六、发布公告的媒介：本次招标公告同时在黑龙江省公共资源交易平台、鹤岗市公共资源交易中心网站上发布。其他任何媒介转载的公告内容与本公告不一致的，以本公告为准。",
    "七、评标办法：本项目采用综合评估法，评标委员会按照招标文件规定的评标标准和方法，对投标文件进行系统的评审和比较，推荐排名前三的中标候选人，并对评审意见承担个人责任。",
    "八、投标保证金：投标保证金须从投标人基本账户以转账方式缴纳，或以银行保函、保证保险等形式提交，金额不超过招标项目估算价的百分之二，未按要求提交的投标文件将被否决。",
    "九、信用报告：鼓励投标人登录“信用中国”网站下载本单位的信用报告，并随投标文件一并提交，供评标委员会参考。",
    "十、异议与答复：投标人对招标文件有异议的，应当在投标截止时间十日前提出，招标人将自收到异议之日起三日内作出答复；作出答复前，暂停招标投标活动。",
    "十一、监督部门：本招标项目接受相应行业行政监督部门的监督，投标人或者其他利害关系人认为招标投标活动不符合法律法规规定的，可以依法向监督部门投诉。",
    "十二、联系方式：招标人及招标代理机构的地址、联系人、电话详见交易平台项目页面，投标人可在工作日上午8:30至11:30、下午13:30至17:00咨询。",
)
FILLERS_TRADITIONAL = (  # OpenCC s2t of FILLERS
    "一、招標條件：本招標項目已由相關主管部門批准建設，建設資金來自財政資金及自籌資金，出資比例爲100%。項目已具備招標條件，現對該項目進行公開招標，特邀請有興趣的潛在投標人（以下簡稱投標人）參加投標。",
    "二、項目概況與招標範圍：本次招標範圍爲施工圖紙及工程量清單所包含的全部內容，包括但不限於土建工程、安裝工程、附屬工程及相關配套設施。計劃工期以招標文件約定爲準，質量要求達到國家現行驗收規範合格標準。",
    "三、投標人資格要求：投標人須具備獨立法人資格，持有有效的營業執照和相應資質證書，並在人員、設備、資金等方面具備相應的履約能力。本次招標不接受聯合體投標。擬派項目經理須具備相應專業註冊建造師執業資格，且未擔任其他在建工程項目的項目經理。",
    "四、招標文件的獲取：凡有意參加投標者，請於規定時間內登錄黑龍江省公共資源交易平臺，使用數字證書下載電子招標文件。招標文件不收取費用。未按規定獲取招標文件的潛在投標人，其投標將被拒絕。",
    "五、投標文件的遞交：投標文件遞交的截止時間（投標截止時間）及開標時間以交易平臺公佈爲準。投標人應在截止時間前通過交易平臺遞交加密的電子投標文件，逾期送達的投標文件，招標人不予受理。",
    "六、發佈公告的媒介：本次招標公告同時在黑龍江省公共資源交易平臺、鶴崗市公共資源交易中心網站上發佈。其他任何媒介轉載的公告內容與本公告不一致的，以本公告爲準。",
    "七、評標辦法：本項目採用綜合評估法，評標委員會按照招標文件規定的評標標準和方法，對投標文件進行系統的評審和比較，推薦排名前三的中標候選人，並對評審意見承擔個人責任。",
    "八、投標保證金：投標保證金須從投標人基本賬戶以轉賬方式繳納，或以銀行保函、保證保險等形式提交，金額不超過招標項目估算價的百分之二，未按要求提交的投標文件將被否決。",
    "九、信用報告：鼓勵投標人登錄“信用中國”網站下載本單位的信用報告，並隨投標文件一併提交，供評標委員會參考。",
    "十、異議與答覆：投標人對招標文件有異議的，應當在投標截止時間十日前提出，招標人將自收到異議之日起三日內作出答覆；作出答覆前，暫停招標投標活動。",
    "十一、監督部門：本招標項目接受相應行業行政監督部門的監督，投標人或者其他利害關係人認爲招標投標活動不符合法律法規規定的，可以依法向監督部門投訴。",
    "十二、聯繫方式：招標人及招標代理機構的地址、聯繫人、電話詳見交易平臺項目頁面，投標人可在工作日上午8:30至11:30、下午13:30至17:00諮詢。",
)
OTHER_NOTICE_LEADS = {
    "变更公告": "变更公告：因故对招标文件部分内容进行澄清和修改，投标截止时间及其他内容不变，投标人应以本次变更内容为准。",
    "中标结果公告": "中标结果公告：经评标委员会评审，中标候选人公示期满无异议，现将中标结果公告如下，招标人将向中标人发出中标通知书。",
}

NA = np.int64(-(2 ** 62))  # "empty" in every day / second array
KEY_BASE = np.int64(1 << 20)  # subject * KEY_BASE + day, for per-subject date look-ups


# =============================================================================================
# small helpers


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def rng_for(seed: int, name: str) -> np.random.Generator:
    """An independent stream per component, so changing one table's size leaves the others alone."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def strs(values) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def take(pool: pa.Array, idx: np.ndarray, empty: np.ndarray | None = None) -> pa.Array:
    """pool[idx] with nulls where ``empty``."""
    idx = np.asarray(idx, dtype=np.int64)
    if empty is not None and empty.any():
        return pool.take(pa.array(np.where(empty, 0, idx), mask=empty))
    return pool.take(pa.array(idx))


def ref(pool, idx: np.ndarray, empty: np.ndarray | None = None) -> pa.DictionaryArray:
    """Like take, but as a dictionary array over the pool: no copy of the strings (for output columns)."""
    if isinstance(pool, pa.ChunkedArray):
        pool = pool.combine_chunks()
    idx = np.asarray(idx, dtype=np.int32)
    if empty is not None and empty.any():
        return pa.DictionaryArray.from_arrays(pa.array(np.where(empty, 0, idx), mask=empty), pool)
    return pa.DictionaryArray.from_arrays(pa.array(idx), pool)


def join(*parts, sep="") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep, null_handling="skip")


def sql_list(texts) -> str:
    """A DuckDB list literal of string constants (1-based when indexed)."""
    return "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in texts) + "]"


def numbered(prefix: str, n: int, width: int, start: int = 1) -> pa.Array:
    nums = pc.utf8_lpad(pc.cast(pa.array(np.arange(start, start + n, dtype=np.int64)), pa.string()),
                        width=width, padding="0")
    return join(pa.scalar(prefix), nums)


def date_col(days: np.ndarray) -> pa.Array:
    empty = days == NA
    return pa.array(np.where(empty, 0, days).astype(np.int32), mask=empty).cast(pa.date32())


def ts_col(secs: np.ndarray) -> pa.Array:
    empty = secs == NA
    return pa.array(np.where(empty, 0, secs).astype(np.int64), mask=empty).cast(pa.timestamp("s"))


def cap(days_or_secs: np.ndarray, secs: bool = False) -> np.ndarray:
    """Events later than DATA_END have not happened: empty."""
    limit = (day(DATA_END) + 1) * (86400 if secs else 1)
    return np.where(days_or_secs >= limit, NA, days_or_secs)


def after(base: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """base + delta, empty where base is empty or the result is past DATA_END (days)."""
    return cap(np.where(base == NA, NA, base + delta))


def at(days: np.ndarray, secs_of_day: np.ndarray) -> np.ndarray:
    return np.where(days == NA, NA, days * 86400 + secs_of_day)


def secs_between(rng, n, first_hhmm: float, last_hhmm: float) -> np.ndarray:
    """Seconds of day, whole minutes, uniform between two hours (e.g. 8.5 = 08:30)."""
    return rng.integers(int(first_hhmm * 60), int(last_hhmm * 60) + 1, n) * 60


def choice(rng, weights, n) -> np.ndarray:
    w = np.asarray(list(weights.values()) if isinstance(weights, dict) else weights, dtype=float)
    return rng.choice(len(w), n, p=w / w.sum())


def uniform_days(rng, first: dt.date, last: dt.date, n) -> np.ndarray:
    return rng.integers(day(first), day(last) + 1, n).astype(np.int64)


class WorkCalendar:
    """Working days (chinese_calendar, the schedule ggzy itself uses) from CALENDAR_FIRST to DATA_END."""

    def __init__(self) -> None:
        import chinese_calendar

        days = np.arange(day(CALENDAR_FIRST), day(DATA_END) + 1, dtype=np.int64)
        is_work = np.fromiter((chinese_calendar.is_workday(EPOCH + dt.timedelta(days=int(d))) for d in days),
                              dtype=bool, count=len(days))
        self.days = days[is_work]
        self.off_days = days[~is_work]

    def add(self, base: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The k-th working day after base (base's own day not counted); k = 0 is base itself.
        Empty where base is empty or the day falls outside the calendar."""
        k = np.asarray(k, dtype=np.int64)
        idx = np.searchsorted(self.days, base, side="right") + k - 1
        ok = (base != NA) & (idx < len(self.days))
        out = np.where(ok, self.days[np.clip(idx, 0, len(self.days) - 1)], NA)
        return np.where((k == 0) & (base != NA), base, out)

    def pick(self, rng, first: dt.date, last: dt.date, n, working: bool = True) -> np.ndarray:
        pool = self.days if working else self.off_days
        pool = pool[(pool >= day(first)) & (pool <= day(last))]
        return pool[rng.integers(0, len(pool), n)]


# =============================================================================================
# identifiers (vectorised)

_ALPHA_BYTES = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
_ORG_VALUES = np.array([int(c) if c.isdigit() else ord(c) - 55 for c in USCC_ALPHABET])


def uscc_array(rng, heads: np.ndarray, admin: np.ndarray) -> pa.Array:
    """Unique valid USCCs (GB 32100-2015). ``heads``: 2-char registration+category codes ('91', '11'…),
    ``admin``: 6-digit administrative codes. The organisation code (characters 9–17) carries its
    own GB 11714 check character."""
    n = len(heads)
    body = rng.choice(31 ** 8, n, replace=False).astype(np.int64)
    idx = np.empty((n, 17), dtype=np.int64)
    head_idx = np.array([[USCC_ALPHABET.index(h[0]), USCC_ALPHABET.index(h[1])] for h in np.unique(heads)])
    lookup = {h: i for i, h in enumerate(np.unique(heads))}
    idx[:, 0:2] = head_idx[np.array([lookup[h] for h in heads])] if n else 0
    for i in range(6):
        idx[:, 2 + i] = admin // 10 ** (5 - i) % 10
    for i in range(8):
        idx[:, 8 + 7 - i] = body % 31
        body //= 31
    c = 11 - (_ORG_VALUES[idx[:, 8:16]] * ORG_CODE_WEIGHTS).sum(axis=1) % 11
    idx[:, 16] = np.where(c == 10, USCC_ALPHABET.index("X"), np.where(c == 11, 0, c))
    check = (31 - (idx * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    chars = np.concatenate([_ALPHA_BYTES[idx], _ALPHA_BYTES[check][:, None]], axis=1)
    return pa.array(np.ascontiguousarray(chars).view("S18").ravel()).cast(pa.string())


def resident_id_array(rng, n: int) -> pa.Array:
    """Unique valid 18-character resident IDs (GB 11643-1999)."""
    ndays = day(PERSON_BIRTH_LAST) - day(PERSON_BIRTH_FIRST) + 1
    key = rng.choice(len(PERSON_REGION_CODES) * ndays * 1000, n, replace=False).astype(np.int64)
    seq, key = key % 1000, key // 1000
    birth = (key % ndays + day(PERSON_BIRTH_FIRST)).astype("datetime64[D]")
    region = np.array(PERSON_REGION_CODES, dtype=np.int64)[key // ndays]
    y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    number = ((region * 10000 + y) * 100 + m) * 100 + d  # 14 digits
    digits = np.empty((n, 17), dtype=np.int64)
    for i in range(14):
        digits[:, i] = number // 10 ** (13 - i) % 10
    for i in range(3):
        digits[:, 14 + i] = seq // 10 ** (2 - i) % 10
    check = np.frombuffer(ID_CHECK.encode(), dtype=np.uint8)[(digits * ID_WEIGHTS).sum(axis=1) % 11]
    chars = np.concatenate([(digits + 48).astype(np.uint8), check[:, None]], axis=1)
    return pa.array(np.ascontiguousarray(chars).view("S18").ravel()).cast(pa.string())


def person_names(rng, n: int) -> pa.Array:
    sur, given = strs(SURNAMES), strs(GIVEN_CHARS)
    second = np.where(rng.random(n) < 0.7, rng.integers(0, len(GIVEN_CHARS), n), -1)
    return join(take(sur, rng.integers(0, len(SURNAMES), n)),
                take(given, rng.integers(0, len(GIVEN_CHARS), n)),
                take(given, second, second < 0))


def company_names(rng, n: int) -> pa.Array:
    """n distinct company names: prefix 字号 industry suffix, or (1 in 5) 字号（鹤岗）industry suffix."""
    nc, ni, ns = len(COMPANY_CHARS), len(COMPANY_INDUSTRIES), len(COMPANY_SUFFIXES)
    nform = len(COMPANY_PREFIXES) + len(COMPANY_BRACKET_REGIONS)  # a prefix, or a bracketed region
    key = rng.choice(nform * nc * nc * ni * ns, n, replace=False).astype(np.int64)
    suf, key = key % ns, key // ns
    ind, key = key % ni, key // ni
    c2, key = key % nc, key // nc
    c1, form = key % nc, key // nc
    is_bracket = form >= len(COMPANY_PREFIXES)
    chars = strs(COMPANY_CHARS)
    names = join(take(strs(COMPANY_PREFIXES), form, is_bracket), take(chars, c1), take(chars, c2),
                 take(strs(COMPANY_BRACKET_REGIONS), form - len(COMPANY_PREFIXES), ~is_bracket),
                 take(strs(COMPANY_INDUSTRIES), ind), take(strs(COMPANY_SUFFIXES), suf))
    assert pc.count_distinct(names).as_py() == n, "company names must be unique"
    return names


def name_variant_sql(name: str, variant: str) -> str:
    """SQL for a company name as someone typed it: variant 0 as is; 1 half-width brackets;
    2 a space before 有限; 3 wrapped in a full-width and a half-width space."""
    return (f"CASE {variant} WHEN 1 THEN replace(replace({name}, '（', '('), '）', ')') "
            f"WHEN 2 THEN regexp_replace({name}, '有限', ' 有限') "
            f"WHEN 3 THEN '\u3000' || {name} || ' ' ELSE {name} END")


# =============================================================================================
# the generator


class Generator:
    def __init__(self, out_dir, *, projects, bids, credit, inspections, complaints, seed=1,
                 fmt="csv", collusion_groups=0, companies=None):
        if bids and bids < projects:
            raise ValueError("--bids must be 0 or at least --projects (every lot gets a bid and one winner)")
        if collusion_groups and not bids:
            raise ValueError("--collusion-groups needs bids")
        if (inspections or complaints or bids) and not projects:
            raise ValueError("--projects must be positive when bids, inspections or complaints are asked for")
        self.out = Path(out_dir)
        self.n = dict(projects=projects, bids=bids, credit=credit, inspections=inspections,
                      complaints=complaints)
        self.seed, self.fmt, self.k_groups = seed, fmt, collusion_groups
        self.n_companies = companies or int(np.clip(bids // BIDS_PER_COMPANY, 50, COMPANY_POOL_MAX))
        self.cal = WorkCalendar()
        self.rows: dict[str, int] = {}
        self.sizes: dict[str, int] = {}
        self.con = duckdb.connect()
        # one writer thread: on small machines it is faster and it keeps memory flat (a parallel
        # writer that preserves row order buffers whole tables)
        self.con.execute("SET threads = 1")
        self.expected: dict = {}
        self.groups: list[dict] = []

    def rng(self, name: str) -> np.random.Generator:
        return rng_for(self.seed, name)

    # ---------------------------------------------------------------- pools
    def make_pools(self) -> None:
        rng = self.rng("pools")
        N = self.n_companies
        # companies: the bidder pool, then outside companies that only appear on the credit list
        self.n_outside_companies = self.n["credit"]
        n_orgs = N + self.n_outside_companies
        self.company_name = company_names(rng, n_orgs)
        admin = np.array(REGION_CODES, dtype=np.int64)[rng.integers(0, len(REGION_CODES), n_orgs)]
        # tenderers: region × unit
        units = [(r, code, u, h) for r, code in zip(REGIONS, REGION_CODES) for u, h in TENDERER_UNITS]
        heads = np.array(["91"] * n_orgs + [h for _, _, _, h in units])
        admins = np.concatenate([admin, np.array([c for _, c, _, _ in units], dtype=np.int64)])
        all_uscc = uscc_array(rng, heads, admins)
        self.company_uscc = all_uscc.slice(0, n_orgs)
        self.tenderer_uscc = all_uscc.slice(n_orgs)
        self.tenderer_name = strs(("鹤岗市" if r.endswith("区") else "") + r + u for r, _, u, _ in units)
        self.agency_name = strs(
            f"{'黑龙江' if i % 2 else '鹤岗市'}{COMPANY_CHARS[(7 * i) % len(COMPANY_CHARS)]}"
            f"{COMPANY_CHARS[(11 * i + 3) % len(COMPANY_CHARS)]}{'招标代理' if i % 3 else '工程咨询'}有限公司"
            for i in range(AGENCY_COUNT))

        # people of the bidder pool: one legal rep per company, 1–2 agents, 1–3 project managers
        self.n_agents = 1 + (rng.random(N) < 0.5).astype(np.int64)
        self.n_pms = rng.integers(1, 4, N)
        self.agent_start = N + np.r_[0, np.cumsum(self.n_agents)[:-1]]
        n_a = int(self.n_agents.sum())
        self.pm_start = N + n_a + np.r_[0, np.cumsum(self.n_pms)[:-1]]
        n_pool_people = N + n_a + int(self.n_pms.sum())
        self.outside_person_start = n_pool_people
        self.complainant_start = n_pool_people + self.n["credit"]
        n_people = self.complainant_start + self.n["complaints"]
        self.person_id = resident_id_array(rng, n_people)
        self.person_name = person_names(rng, n_people)

        # devices (file-making machine + the MAC/IP it submits from): 1–2 per company
        self.n_devices = 1 + (rng.random(N) < 0.3).astype(np.int64)
        self.device_start = np.r_[0, np.cumsum(self.n_devices)[:-1]]
        n_dev = int(self.n_devices.sum())
        codes = rng.choice(2 ** 62, n_dev, replace=False)
        self.machine_code = strs(f"{c:016X}" for c in codes)
        ouis = (0x00E04C, 0x3C7C3F, 0x7085C2, 0xD8BBC1, 0x00163E)
        macs = rng.choice(len(ouis) << 24, n_dev, replace=False)
        self.mac = strs("-".join(f"{(ouis[m >> 24] << 24 | m & 0xFFFFFF) >> s & 0xFF:02X}" for s in range(40, -1, -8))
                        for m in macs.tolist())
        nets = ("221.207", "222.170", "112.100", "1.58", "113.4", "61.180")
        perm = rng.choice(len(nets) * 62500, n_dev, replace=False)
        self.ip = strs(f"{nets[p % len(nets)]}.{p // len(nets) // 250 + 1}.{p // len(nets) % 250 + 2}" for p in perm)
        # deposit accounts: one per company
        acct = rng.choice(10 ** 15, N, replace=False)
        banks = ("0810", "2300", "0520", "3502", "0916")
        bank = rng.integers(0, len(banks), N)
        self.deposit = strs(f"{banks[b]}{a:015d}" for b, a in zip(bank, acct))

    # ---------------------------------------------------------------- projects
    def make_projects(self) -> None:
        rng, P = self.rng("projects"), self.n["projects"]
        tt = choice(rng, TRADE_TYPE_WEIGHTS, P)
        works = choice(rng, WORKS_DEPARTMENT_WEIGHTS, P)
        dept = np.select([tt == 0, tt == 1, (tt == 2) | (tt == 3), tt == 4], [works, 5, 4, 5],
                         default=rng.integers(0, len(DEPARTMENTS), P))
        category = np.where(tt == 0, works, 3 + tt)
        deadline_day = np.sort(self.cal.pick(rng, DEADLINE_FIRST, DEADLINE_LAST, P))
        deadline = deadline_day * 86400 + np.array(DEADLINE_MINUTES)[rng.integers(0, len(DEADLINE_MINUTES), P)] * 60
        lead = np.where(rng.random(P) < SHORT_DOCS_LEAD_RATE, rng.integers(10, 20, P), rng.integers(20, 36, P))
        docs = (deadline_day - lead) * 86400 + secs_between(rng, P, 8.5, 17)
        has_eval = np.isin(tt, (0, 1, 5))
        ev_day = np.where(has_eval, deadline_day + rng.integers(0, 3, P), NA)
        ev_day = cap(ev_day)
        cand_day = after(ev_day, np.where(rng.random(P) < CANDIDATES_LATE_RATE,
                                          rng.integers(4, 8, P), rng.integers(1, 4, P)))
        end_day = after(cand_day, np.where(rng.random(P) < PUBLICITY_SHORT_RATE,
                                           rng.integers(1, 3, P), rng.integers(3, 6, P)))
        award_base = np.where(has_eval, end_day, deadline_day)
        award_day = after(award_base, rng.integers(1, 8, P))
        contract_day = after(award_day, np.where(rng.random(P) < CONTRACT_LATE_RATE,
                                                 rng.integers(31, 61, P), rng.integers(5, 31, P)))
        region = rng.integers(0, len(REGIONS), P)
        obj_counts = np.array([len(o) for o in PROJECT_OBJECTS])
        obj_start = np.r_[0, np.cumsum(obj_counts)[:-1]]
        obj = obj_start[category] + (rng.random(P) * obj_counts[category]).astype(np.int64)
        section = np.where(rng.random(P) < SECTION_NAME_RATE, rng.integers(1, 6, P), -1)
        year = deadline_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        pid = join(pa.scalar("HG"), pc.cast(pa.array(year), pa.string()), pa.scalar("-"),
                   pc.utf8_lpad(pc.cast(pa.array(np.arange(1, P + 1)), pa.string()), width=6, padding="0"))
        name = join(take(strs(REGIONS), region), take(strs(PLACES), rng.integers(0, len(PLACES), P)),
                    take(strs(o for objs in PROJECT_OBJECTS for o in objs), obj),
                    take(strs(f"（第{i}标段）" for i in range(1, 6)), section - 1, section < 0))
        budget = np.round(np.array(BUDGET_MEDIANS)[category] * rng.lognormal(0, BUDGET_SIGMA, P), -2)
        budget = np.clip(budget, 5e4, 5e9)
        tenderer = region * len(TENDERER_UNITS) + rng.integers(0, len(TENDERER_UNITS), P)
        agency = np.where(rng.random(P) < AGENCY_EMPTY_RATE, -1, rng.integers(0, AGENCY_COUNT, P))
        self.p = dict(tt=tt, dept=dept, deadline_day=deadline_day, deadline=deadline, docs=docs,
                      budget=budget, award_day=award_day, id=pid, name=name, tenderer=tenderer)
        self.emit("projects", {
            "project_id": pid, "project_name": name,
            "trade_type": ref(strs(TRADE_TYPES), tt), "department": ref(strs(DEPARTMENTS), dept),
            "region": ref(strs(REGIONS), region),
            "tenderer_name": ref(self.tenderer_name, tenderer), "tenderer_uscc": ref(self.tenderer_uscc, tenderer),
            "agency_name": ref(self.agency_name, agency, agency < 0),
            "budget": pa.array(budget),
            "docs_issued_at": ts_col(docs), "bid_deadline": ts_col(deadline),
            "evaluation_report_at": ts_col(at(ev_day, secs_between(rng, P, 15, 18))),
            "candidates_published_at": ts_col(at(cand_day, secs_between(rng, P, 9, 11))),
            "candidates_publicity_end": ts_col(at(end_day, np.full(P, 17 * 3600))),
            "award_notice_at": ts_col(at(award_day, secs_between(rng, P, 9, 17))),
            "contract_signed_at": ts_col(at(contract_day, secs_between(rng, P, 9, 17))),
            **self.deposits_and_contract_publication(tt, budget, contract_day),
            **self.must_tender_and_category(tt),
        })

    def must_tender_and_category(self, tt) -> dict:
        """依法必须招标 and 标的类别 (issue #8), from a stream of their own: works are 施工 (a few
        勘察设计监理), procurement 货物 or 服务, the rest empty; 依法必须招标 stated for a fifth of
        the works and left empty otherwise (then budget and category decide, pipelines.scope)."""
        rng, P = self.rng("projects-must-tender"), len(tt)
        works = np.where(rng.random(P) < 0.9, 0, 3)
        kind = np.where(tt == 0, works, np.where(tt == 1, np.where(rng.random(P) < 0.6, 1, 2), -1))
        stated = (tt == 0) & (rng.random(P) < 0.2)
        return {"must_tender": pa.array(np.where(stated, rng.random(P) < 0.9, False), mask=~stated),
                "category": ref(strs(("施工", "货物", "服务", "勘察设计监理")), kind, kind < 0)}

    def deposits_and_contract_publication(self, tt, budget, contract_day) -> dict:
        """deposit_amount and contract_published_at, from streams of their own (the other columns
        keep their values): deposits mostly 0.5..2 % of the budget, 政府采购 contracts published
        0..2 working days after signing, some late."""
        rng, P = self.rng("projects-deposit"), len(tt)
        share = np.where(rng.random(P) < DEPOSIT_OVER_RATE, rng.uniform(0.025, 0.05, P), rng.uniform(0.005, 0.02, P))
        deposit = np.round(budget * share, -2)
        none = rng.random(P) < DEPOSIT_NONE_RATE
        k = np.where(rng.random(P) < CONTRACT_PUBLISH_LATE_RATE, rng.integers(3, 7, P), rng.integers(0, 3, P))
        published = np.where((tt == 1) & (contract_day != NA), cap(self.cal.add(contract_day, k)), NA)
        return {"deposit_amount": pa.array(deposit, mask=none),
                "contract_published_at": ts_col(at(published, secs_between(rng, P, 9, 17)))}

    # ---------------------------------------------------------------- notices
    def make_notices(self) -> None:
        rng, P = self.rng("notices"), self.n["projects"]
        types = ["招标公告"] + list(EXTRA_NOTICE_RATES)
        proj_parts, type_parts = [np.arange(P)], [np.zeros(P, dtype=np.int64)]
        for t, rate in enumerate(EXTRA_NOTICE_RATES.values(), start=1):
            sel = np.flatnonzero(rng.random(P) < rate)
            if types[t] == "中标结果公告":
                sel = sel[self.p["award_day"][sel] != NA]
            proj_parts.append(sel)
            type_parts.append(np.full(len(sel), t))
        proj, ntype = np.concatenate(proj_parts), np.concatenate(type_parts)
        order = np.lexsort((ntype, proj))
        proj, ntype = proj[order], ntype[order]
        n = len(proj)
        docs, deadline = self.p["docs"][proj], self.p["deadline"][proj]
        award = at(self.p["award_day"][proj], np.zeros(n, dtype=np.int64))
        published = np.select(
            [ntype == 0, ntype == 1, ntype == 2],
            [docs - rng.integers(0, 2, n) * 86400, docs,
             np.maximum(deadline - rng.integers(5, 26, n) * 86400, docs + 86400)],
            default=np.where(award == NA, NA, award + rng.integers(0, 3, n) * 86400 + 10 * 3600))
        published = cap(published, secs=True)

        in_scope = ntype <= 1
        u = rng.random(n)
        cuts = np.cumsum([CLAUSE_MISSING_DISHONEST_RATE, CLAUSE_MISSING_BRIBERY_RATE,
                          CLAUSE_BRIBERY_INCOMPLETE_RATE, TRADITIONAL_RATE])
        variant = np.searchsorted(cuts, u, side="right") + 1  # 1..4 for the defects and traditional ...
        variant = np.where(variant > 4, 0, variant)  # ... 0 for the full simplified clause
        variant = np.where(in_scope, variant, -1)
        trad = variant == 4
        html = rng.random(n) < HTML_RATE

        title = join(take(self.p["name"], proj), take(strs(types), ntype))
        dept = take(strs(DEPARTMENTS), self.p["dept"][proj])
        intro = join(take(self.tenderer_name, self.p["tenderer"][proj]), pa.scalar("的"), take(self.p["name"], proj),
                     pa.scalar("已具备招标条件，现进行公开招标。项目编号："), take(self.p["id"], proj),
                     pa.scalar("，预算金额："), pc.cast(pa.array(self.p["budget"][proj].astype(np.int64)), pa.string()),
                     pa.scalar("元，行业监督部门："), dept, pa.scalar("。"))
        lead = take(strs(OTHER_NOTICE_LEADS.values()), ntype - 2, ntype < 2)
        intro = pc.if_else(pa.array(ntype >= 2), join(take(self.p["name"], proj), lead), intro)
        # the ~1–2 KB bodies are assembled by DuckDB while it writes (streamed, not held in memory):
        # paragraphs are looked up by index in constant lists, NULL paragraphs are skipped
        nfill = len(FILLERS)
        k = rng.integers(FILLERS_PER_NOTICE[0], FILLERS_PER_NOTICE[1] + 1, n)
        start = rng.integers(0, nfill, n)
        fills = {f"_f{j}": pa.array((start + j) % nfill + nfill * trad + 1, mask=j >= k)
                 for j in range(FILLERS_PER_NOTICE[1])}
        fill_list = sql_list(FILLERS + FILLERS_TRADITIONAL)
        clause_list = sql_list(["信用要求：" + t for t in CLAUSE_TEXTS])
        f = [f"{fill_list}[_f{j}]" for j in range(FILLERS_PER_NOTICE[1])]
        paragraphs = ", ".join(["_intro", f[0], f[1], f"{clause_list}[_clause]"] + f[2:])
        content = (f"CASE WHEN _html THEN '<html><body><h1>' || title || '</h1>\n<p>' || "
                   f"concat_ws('</p>\n<p>', {paragraphs}) || '</p></body></html>' "
                   f"ELSE title || '\n' || concat_ws('\n', {paragraphs}) END")
        self.emit("notices", {
            "notice_id": numbered("GG", n, 7), "project_id": ref(self.p["id"], proj),
            "notice_type": ref(strs(types), ntype), "published_at": ts_col(published), "title": title,
            "content_file": pa.nulls(n, pa.string()),
            "_intro": intro, "_html": pa.array(html), "_clause": pa.array(variant + 1, mask=variant < 0), **fills,
        }, sql={"content": content})
        counts = {v: int(((variant == i) & in_scope).sum()) for i, v in enumerate(CLAUSE_VARIANTS)}
        self.expected["credit_clause"] = {
            "notice_types_checked": list(CLAUSE_NOTICE_TYPES),
            "notices_checked": int(in_scope.sum()),
            "variants": counts,
            "missing_dishonest_debtor": counts["missing_dishonest"],
            "missing_bribery_record": counts["missing_bribery"],
            "bribery_without_legal_rep_and_agent": counts["bribery_incomplete"],
            "html": int((html & in_scope).sum()),
            "notices_of_other_types_without_clause": int((~in_scope).sum()),
        }

    # ---------------------------------------------------------------- bids
    def lot_sizes(self, rng) -> np.ndarray:
        P, B = self.n["projects"], self.n["bids"]
        counts = np.zeros(P, dtype=np.int64)
        if B == 0:
            return counts
        low = rng.random(P) < LOW_BID_LOT_RATE
        counts[low] = rng.integers(1, 3, int(low.sum()))
        base = 3 if B - counts.sum() >= 3 * (~low).sum() else 1
        if base == 1:  # too few bids for a 3-bid floor: every lot gets at least one
            low[:] = False
            counts[:] = 0
        others = np.flatnonzero(~low)
        rest = B - counts.sum() - base * len(others)
        w = rng.gamma(3.0, 1.0, len(others))
        extra = np.floor(w / w.sum() * rest).astype(np.int64)
        short = rest - extra.sum()
        extra[rng.choice(len(others), int(short), replace=False)] += 1
        counts[others] = base + extra
        assert counts.sum() == B and counts.min() >= 1
        return counts

    def make_bids(self) -> None:
        rng, P, B, N = self.rng("bids"), self.n["projects"], self.n["bids"], self.n_companies
        counts = self.lot_sizes(rng)
        if B and counts.max() > N:
            raise ValueError(f"a lot has {counts.max()} bids but the company pool only {N}: raise --companies")
        proj = np.repeat(np.arange(P), counts)
        lot_start = np.r_[0, np.cumsum(counts)[:-1]]
        activity = rng.permutation(N)

        def draw(m):
            return activity[np.minimum((rng.random(m) ** BIDDER_SKEW * N).astype(np.int64), N - 1)]

        comp = draw(B)
        for _ in range(200):  # a company bids at most once per lot
            key = proj * N + comp
            order = np.argsort(key, kind="stable")
            sk = key[order]
            dup = np.zeros(B, dtype=bool)
            dup[order[1:][sk[1:] == sk[:-1]]] = True
            if not dup.any():
                break
            comp[dup] = draw(int(dup.sum()))
        else:
            raise RuntimeError("could not draw distinct bidders per lot")

        # per-bid choice of the company's own people and devices
        no_uscc = rng.random(B) < BID_NO_USCC_RATE
        name_variant = np.where(rng.random(B) < BID_NAME_VARIANT_RATE, rng.integers(1, 4, B), 0)
        status = choice(rng, STATUS_WEIGHTS, B)
        self.plant_groups(rng, counts, lot_start, comp, no_uscc, name_variant, status)
        # each bid uses its company's own people and devices ...
        agent = self.agent_start[comp] + (rng.random(B) * self.n_agents[comp]).astype(np.int64)
        pm = self.pm_start[comp] + (rng.random(B) * self.n_pms[comp]).astype(np.int64)
        device = self.device_start[comp] + (rng.random(B) * self.n_devices[comp]).astype(np.int64)
        maker, submitter, deposit = device.copy(), device.copy(), comp.copy()
        for g in self.groups:  # ... except what a planted group shares in its lots
            lead = g["_members"][0]
            dev, agt = self.device_start[lead], self.agent_start[lead]
            for ids in g["_member_bids"]:
                if "file_machine_code" in g["shared"]:
                    maker[ids] = dev
                if "mac_address" in g["shared"]:
                    submitter[ids] = dev
                if "agent_id" in g["shared"]:
                    agent[ids] = agt
                if "deposit_account" in g["shared"]:
                    deposit[ids] = lead
        legal_rep = comp.copy()
        clean = ~self.planted  # noise (empty ids, guarantees, terminals) stays off the planted bids
        empty_rep = (rng.random(B) < PERSON_ID_EMPTY_RATE) & clean
        empty_agent = (rng.random(B) < PERSON_ID_EMPTY_RATE) & clean
        works = self.p["tt"][proj] == 0
        empty_pm = ~works | (rng.random(B) < PERSON_ID_EMPTY_RATE)
        deposit = np.where((rng.random(B) < DEPOSIT_EMPTY_RATE) & clean, -1, deposit)
        terminal = np.where((rng.random(B) < SHARED_TERMINAL_IP_RATE) & clean,
                            rng.integers(0, len(TERMINAL_IPS), B), -1)
        ip = pc.if_else(pa.array(terminal >= 0), take(strs(TERMINAL_IPS), terminal, terminal < 0),
                        take(self.ip, submitter))

        deadline, docs = self.p["deadline"][proj], self.p["docs"][proj]
        lead = (np.floor(rng.random(B) ** 2 * 10) * 86400 + rng.integers(300, 86400, B)).astype(np.int64)
        submitted = np.maximum(deadline - lead, np.minimum(docs + 3600, deadline - 300))
        submitted = np.where(rng.random(B) < SUBMITTED_EMPTY_RATE, NA, submitted)
        f_mean, f_sd, f_lo, f_hi = PRICE_FACTOR
        price = np.round(self.p["budget"][proj] * np.clip(rng.normal(f_mean, f_sd, B), f_lo, f_hi), 2)

        # exactly one winner per lot: the cheapest valid bid after a ±5 % scoring noise;
        # a lot with no valid bid gets its first bid made valid
        score = np.where(status == 0, price * (1 + 0.05 * rng.random(B)), np.inf)
        order = np.lexsort((score, proj))
        first = order[np.r_[0, np.cumsum(counts)[:-1]][counts > 0]] if B else np.zeros(0, dtype=np.int64)
        winner = np.zeros(B, dtype=bool)
        winner[first] = True
        for g in self.groups:  # planted groups: the winner rotates among the members
            for lot, w in zip(g["_lots"], g["_winner_bids"]):
                sl = slice(lot_start[lot], lot_start[lot] + counts[lot])
                winner[sl] = False
                winner[w] = True
        status[winner] = 0

        self.b = dict(proj=proj, comp=comp, legal_rep=np.where(empty_rep, -1, legal_rep),
                      agent=np.where(empty_agent, -1, agent), no_uscc=no_uscc,
                      date=np.where(submitted == NA, deadline, submitted) // 86400)
        bid_id = numbered("TB", B, 7)
        self.b["id"] = bid_id
        self.emit("bids", {
            "bid_id": bid_id, "project_id": ref(self.p["id"], proj),
            "_name": ref(self.company_name, comp), "_variant": pa.array(name_variant),
            "bidder_uscc": ref(self.company_uscc, comp, no_uscc),
            "legal_rep_name": ref(self.person_name, legal_rep),
            "legal_rep_id": ref(self.person_id, legal_rep, empty_rep),
            "agent_name": ref(self.person_name, agent),
            "agent_id": ref(self.person_id, agent, empty_agent),
            "project_manager_name": ref(self.person_name, pm, ~works),
            "project_manager_id": ref(self.person_id, pm, empty_pm),
            "submitted_at": ts_col(submitted), "price": pa.array(price),
            "status": ref(strs(STATUS_WEIGHTS), status), "is_winner": pa.array(winner),
            "credit_report_attached": pa.array(rng.random(B) < CREDIT_REPORT_RATE),
            "file_machine_code": ref(self.machine_code, maker), "ip_address": ip,
            "mac_address": ref(self.mac, submitter), "deposit_account": ref(self.deposit, deposit, deposit < 0),
        }, sql={"bidder_name": name_variant_sql("_name", "_variant")})
        for g in self.groups:
            g["lot_bids"] = {self.p["id"][int(lot)].as_py(): [bid_id[int(i)].as_py() for i in ids]
                             for lot, ids in zip(g["_lots"], g["_member_bids"])}
            g["wins"] = {}
            for lot, w in zip(g["_lots"], g["_winner_bids"]):
                g["wins"].setdefault(self.company_uscc[int(comp[w])].as_py(), []).append(self.p["id"][int(lot)].as_py())
            g["winners_in_order"] = [self.company_uscc[int(comp[w])].as_py() for w in g["_winner_bids"]]
            g["co_bid_lots"] = []
        if self.groups:  # every lot where two or more members of a group bid, planted or by chance
            group_of = np.full(N, -1, dtype=np.int64)
            for i, g in enumerate(self.groups):
                group_of[g["_members"]] = i
            gb = group_of[comp]
            pairs, n_members = np.unique(np.stack([gb[gb >= 0], proj[gb >= 0]]), axis=1, return_counts=True)
            for gi, lot in pairs[:, n_members >= 2].T:
                self.groups[gi]["co_bid_lots"].append(self.p["id"][int(lot)].as_py())

    def plant_groups(self, rng, counts, lot_start, comp, no_uscc, name_variant, status) -> None:
        """Put each group's members into its lots (the other bidders of a lot stay distinct outsiders)
        and choose what they share; the shared values are applied once the bids' own ones are drawn."""
        K, N = self.k_groups, self.n_companies
        self.planted = np.zeros(len(comp), dtype=bool)
        if not K:
            return
        sizes = rng.integers(GROUP_SIZE[0], GROUP_SIZE[1] + 1, K)
        n_lots = rng.integers(GROUP_LOTS[0], GROUP_LOTS[1] + 1, K)
        if sizes.sum() > N // 2:
            raise ValueError(f"{K} collusion groups need more companies than the pool of {N}")
        members_all = rng.choice(N, int(sizes.sum()), replace=False)
        # 工程建设 lots only: the §40 rules judge 招标投标, not 政府采购 (issue #8, pipelines.scope)
        eligible = np.flatnonzero((counts >= GROUP_SIZE[1] + 1) & (self.p["tt"] == 0))
        if len(eligible) < n_lots.sum():
            raise ValueError(f"{K} collusion groups need {n_lots.sum()} lots with ≥ {GROUP_SIZE[1] + 1} bids; "
                             f"only {len(eligible)} exist")
        lots_all = rng.choice(eligible, int(n_lots.sum()), replace=False)
        m0 = l0 = 0
        for g in range(K):
            members = members_all[m0:m0 + sizes[g]]
            lots = np.sort(lots_all[l0:l0 + n_lots[g]])  # in deadline order
            m0, l0 = m0 + sizes[g], l0 + n_lots[g]
            shared = SHARED_OPTIONS[int(rng.integers(0, len(SHARED_OPTIONS)))]
            lead = members[0]
            dev, agt = self.device_start[lead], self.agent_start[lead]
            member_bids, winner_bids = [], []
            for i, lot in enumerate(lots):
                s, c = lot_start[lot], counts[lot]
                ids = s + np.sort(rng.permutation(c)[:len(members)])  # the members' bids, in lot order
                comp[ids] = members[rng.permutation(len(members))]
                taken = set(members.tolist())
                for j in np.setdiff1d(np.arange(s, s + c), ids):  # the other bidders stay distinct outsiders
                    while comp[j] in taken:
                        comp[j] = rng.integers(0, N)
                    taken.add(int(comp[j]))
                self.planted[ids] = True
                no_uscc[ids] = False
                name_variant[ids] = 0
                status[ids] = 0
                member_bids.append(ids)
                winner_bids.append(int(ids[comp[ids] == members[i % len(members)]][0]))  # rotating
            values = {"file_machine_code": self.machine_code[int(dev)].as_py(),
                      "mac_address": self.mac[int(dev)].as_py(),
                      "ip_address": self.ip[int(dev)].as_py(), "agent_id": self.person_id[int(agt)].as_py(),
                      "deposit_account": self.deposit[int(lead)].as_py()}
            self.groups.append({
                "group_id": f"G{g + 1:03d}",
                "members": [self.company_uscc[int(m)].as_py() for m in members],
                "member_names": [self.company_name[int(m)].as_py() for m in members],
                "shared": list(shared), "values": {a: values[a] for a in shared},
                "lots": [self.p["id"][int(x)].as_py() for x in lots],
                "rotation": True,
                "_members": members, "_lots": lots, "_member_bids": member_bids, "_winner_bids": winner_bids,
            })

    # ---------------------------------------------------------------- credit_list
    def make_credit(self) -> None:
        rng, M, N = self.rng("credit"), self.n["credit"], self.n_companies
        types = list(LIST_TYPE_WEIGHTS)
        T = {t: i for i, t in enumerate(types)}
        entries: list[dict] = []  # blocks of columns, in priority order (cut at M)
        data_end = day(DATA_END)

        def block(n, list_type, org=None, person=None, expert=None, listed=None, removed=None, role=""):
            n = int(n)
            full = (lambda x: np.full(n, -1, dtype=np.int64) if x is None else np.asarray(x, dtype=np.int64))
            entries.append(dict(org=full(org), person=full(person), expert=full(expert),
                                type=np.broadcast_to(np.asarray(list_type, dtype=np.int64), (n,)).copy(),
                                listed=np.asarray(listed, dtype=np.int64),
                                removed=np.asarray(removed, dtype=np.int64), role=np.full(n, role, dtype=object)))

        def windows(n, first=dt.date(2022, 1, 1), last=dt.date(2026, 10, 31)):
            listed = uniform_days(rng, first, last, n)
            span = np.maximum(data_end - listed - 30, 1)
            removed = np.where(rng.random(n) < REMOVED_RATE, listed + 30 + (rng.random(n) * span).astype(np.int64), NA)
            return listed, np.where(removed > data_end, NA, removed)

        if self.n["bids"]:
            b = self.b
            bid_date = b["date"]

            def sorted_keys(subject, valid):
                return np.sort(subject[valid] * KEY_BASE + bid_date[valid])

            keys = {"org": sorted_keys(b["comp"], np.ones(len(bid_date), dtype=bool)),
                    "legal_rep": sorted_keys(b["legal_rep"], b["legal_rep"] >= 0),
                    "agent": sorted_keys(b["agent"], b["agent"] >= 0)}

            def hits(kind, subject, listed, removed):
                k = keys[kind]
                hi = np.where(removed == NA, data_end + 1, removed)
                return np.searchsorted(k, subject * KEY_BASE + hi) - np.searchsorted(k, subject * KEY_BASE + listed)

            def greedy(h, target):
                """Candidates (in random order) whose hits add up to about target, never more than 10 % over."""
                chosen, acc, allow = [], 0, max(1, int(np.ceil(target * 1.1)))
                for i in np.flatnonzero(h > 0):
                    if acc >= target:
                        break
                    if acc + h[i] <= allow:
                        chosen.append(i)
                        acc += int(h[i])
                if not chosen and (h > 0).any():  # every candidate overshoots: the smallest one
                    chosen = [int(np.flatnonzero(h == h[h > 0].min())[0])]
                return np.array(chosen, dtype=np.int64)

            B = len(bid_date)
            n_edge = max(1, round(EDGE_RATE * B))
            companies = rng.permutation(N)
            edge_removed, edge_listed, pool = companies[:n_edge], companies[n_edge:2 * n_edge], companies[2 * n_edge:]
            # edges: one bid each; (a) removed exactly on the bid date — not listed that day;
            # (b) listed exactly on the bid date — listed, until the company's next bid date
            k = keys["org"]
            for which, comps in (("removed", edge_removed), ("listed", edge_listed)):
                lo = np.searchsorted(k, comps * KEY_BASE)
                hi = np.searchsorted(k, (comps + 1) * KEY_BASE)
                has = hi > lo
                comps, lo, hi = comps[has], lo[has], hi[has]
                pos = lo + (rng.random(len(comps)) * (hi - lo)).astype(np.int64)
                d = k[pos] - comps * KEY_BASE
                if which == "removed":
                    prev_pos = np.searchsorted(k, comps * KEY_BASE + d) - 1
                    prev = np.where(prev_pos >= lo, k[np.maximum(prev_pos, 0)] - comps * KEY_BASE, d - 200)
                    ok = prev < d - 1
                    block(ok.sum(), T["失信被执行人"], org=comps[ok], listed=(prev + 1)[ok], removed=d[ok],
                          role="edge_removed_on_bid_date")
                else:
                    nxt_pos = np.searchsorted(k, comps * KEY_BASE + d, side="right")
                    nxt = np.where(nxt_pos < hi, k[np.minimum(nxt_pos, len(k) - 1)] - comps * KEY_BASE, NA)
                    block(len(comps), T["失信被执行人"], org=comps, listed=d, removed=nxt,
                          role="edge_listed_on_bid_date")
            # dishonest bidders: pool companies, windows added until ~DISHONEST_BID_RATE of bids hit
            listed, removed = windows(len(pool))
            h = hits("org", pool, listed, removed)
            sel = greedy(h, DISHONEST_BID_RATE * B)
            block(len(sel), T["失信被执行人"], org=pool[sel], listed=listed[sel], removed=removed[sel],
                  role="target_dishonest")
            rest = np.setdiff1d(pool, pool[sel])
            rest = rest[rng.permutation(len(rest))]
            # bribery: the bidder itself, its legal representative or one of its agents
            cand_kind = rng.integers(0, 3, len(rest))  # 0 company, 1 legal rep, 2 agent
            subject = np.select([cand_kind == 0, cand_kind == 1],
                                [rest, rest], default=self.agent_start[rest])
            listed, removed = windows(len(rest))
            h = np.select([cand_kind == 0, cand_kind == 1],
                          [hits("org", subject, listed, removed), hits("legal_rep", subject, listed, removed)],
                          default=hits("agent", subject, listed, removed))
            sel = greedy(h, BRIBERY_BID_RATE * B)
            for kind in (0, 1, 2):
                s = sel[cand_kind[sel] == kind]
                if kind == 0:
                    block(len(s), T["行贿犯罪记录"], org=subject[s], listed=listed[s], removed=removed[s],
                          role="target_bribery")
                else:
                    block(len(s), T["行贿犯罪记录"], person=subject[s], listed=listed[s], removed=removed[s],
                          role="target_bribery")
            # distractors: the legal rep (not the bidder) listed 失信被执行人; companies on other lists;
            # old listings removed before any bid
            nd = max(1, round(DISTRACTOR_POOL_RATE * N))
            listed, removed = windows(nd)
            block(nd, T["失信被执行人"], person=rng.choice(N, nd, replace=False), listed=listed, removed=removed,
                  role="distractor_legal_rep")
            listed, removed = windows(nd)
            block(nd, T["严重违法失信"], org=rng.choice(N, nd, replace=False), listed=listed, removed=removed,
                  role="distractor_other_list")
            nh = max(1, round(HISTORICAL_POOL_RATE * N))
            listed = uniform_days(rng, LIST_FIRST, dt.date(2023, 6, 30), nh)
            removed = listed + 30 + (rng.random(nh) * (day(dt.date(2024, 10, 31)) - listed - 30)).astype(np.int64)
            block(nh, T["失信被执行人"], org=rng.choice(N, nh, replace=False), listed=listed, removed=removed,
                  role="historical")

        used = sum(len(e["type"]) for e in entries)
        n_out = max(0, M - used)
        lt = choice(rng, LIST_TYPE_WEIGHTS, n_out)
        share = np.array([COMPANY_SUBJECT_SHARE[t] for t in types])[lt]
        is_org = rng.random(n_out) < share
        is_expert = lt == T["评标专家违法"]
        is_person = ~is_org & ~is_expert
        org = np.where(is_org, N + np.cumsum(is_org) - 1, -1)
        person = np.where(is_person, self.outside_person_start + np.cumsum(is_person) - 1, -1)
        expert = np.where(is_expert, np.cumsum(is_expert) - 1, -1)
        listed, removed = windows(n_out, LIST_FIRST, EVENT_LAST)
        block(n_out, lt, org=org, person=person, expert=expert, listed=listed, removed=removed, role="outside")

        e = {key: np.concatenate([x[key] for x in entries])[:M] for key in entries[0]}
        n = len(e["type"])
        order = np.lexsort((np.arange(n), e["listed"]))
        e = {key: v[order] for key, v in e.items()}
        is_org, is_person, is_expert = e["org"] >= 0, e["person"] >= 0, e["expert"] >= 0
        name_only = is_org & (rng.random(n) < NAME_ONLY_RATE)
        variant = np.where(name_only, rng.integers(0, 4, n), 0)
        n_experts = int(e["expert"].max() + 1) if n and is_expert.any() else 0
        expert_names = person_names(rng, max(n_experts, 1))
        expert_ids = numbered("ZJ2304", max(n_experts, 1), 5, start=int(rng.integers(1000, 5000)))
        subject_type = np.where(is_org, 0, np.where(is_person, 1, 2))
        pub_choice = np.floor(rng.random(n) * np.array([len(PUBLISHERS[t]) for t in types])[e["type"]]).astype(np.int64)
        pub_start = np.r_[0, np.cumsum([len(PUBLISHERS[t]) for t in types])[:-1]]
        published = np.where(rng.random(n) < PUBLISHED_EMPTY_RATE, NA, cap(e["listed"] + rng.integers(0, 11, n)))
        self.c = dict(e, name_only=name_only)
        self.emit("credit_list", {
            "entry_id": numbered("XY", n, 7), "list_type": ref(strs(types), e["type"]),
            "_org": ref(self.company_name, e["org"], ~is_org), "_variant": pa.array(variant),
            "_person": ref(self.person_name, e["person"], ~is_person), "_expert": ref(expert_names, e["expert"], ~is_expert),
            "_org_id": ref(self.company_uscc, e["org"], ~is_org | name_only),
            "_person_id": ref(self.person_id, e["person"], ~is_person), "_expert_id": ref(expert_ids, e["expert"], ~is_expert),
            "subject_type": ref(strs(("企业", "个人", "专家")), subject_type),
            "listed_at": date_col(e["listed"]), "removed_at": date_col(e["removed"]),
            "publisher": ref(strs(p for t in types for p in PUBLISHERS[t]), pub_start[e["type"]] + pub_choice),
            "published_at": date_col(published),
            "reported_at": date_col(self.credit_reported(e["listed"])),
        }, sql={"subject_name": f"coalesce({name_variant_sql('_org', '_variant')}, _person, _expert)",
                "subject_id": "coalesce(_org_id, _person_id, _expert_id)"})

    def credit_reported(self, listed: np.ndarray) -> np.ndarray:
        """reported_at (报送市信用办): 0..14 days after listing (entries go back before the working-day
        calendar starts), 2 % empty; a stream of its own."""
        rng, n = self.rng("credit-reported"), len(listed)
        reported = after(listed, rng.integers(0, 15, n))
        return np.where(rng.random(n) < PUBLISHED_EMPTY_RATE, NA, reported)

    # ---------------------------------------------------------------- inspections
    def make_inspections(self) -> None:
        rng, n = self.rng("inspections"), self.n["inspections"]
        ended = self.cal.pick(rng, EVENT_FIRST, EVENT_LAST, n)
        # a project whose bid deadline precedes the inspection
        upto = np.searchsorted(self.p["deadline_day"], ended)
        proj = np.where((rng.random(n) < INSPECTION_PROJECT_RATE) & (upto > 0),
                        (rng.random(n) * upto).astype(np.int64), -1)
        dept = np.where(proj >= 0, self.p["dept"][np.maximum(proj, 0)], rng.integers(0, len(DEPARTMENTS), n))
        started = ended - rng.integers(0, 6, n)
        plan = started - rng.integers(5, 31, n)
        u = rng.random(n)
        on_time, late = u < INSPECTION_ON_TIME_RATE, (u >= INSPECTION_ON_TIME_RATE) & (
            u < INSPECTION_ON_TIME_RATE + INSPECTION_LATE_RATE)
        k = np.where(on_time, rng.integers(INSPECTION_ON_TIME_DAYS[0], INSPECTION_ON_TIME_DAYS[1] + 1, n),
                     rng.integers(INSPECTION_LATE_DAYS[0], INSPECTION_LATE_DAYS[1] + 1, n))
        published = np.where(on_time | late, self.cal.add(ended, k), NA)
        channel = np.where(published == NA, -1, choice(rng, CHANNELS, n))
        per = INSPECTORS_PER_DEPARTMENT
        i1 = rng.integers(0, per, n)
        i2 = (i1 + rng.integers(1, per, n)) % per
        inspector_ids = numbered("ZF23040", len(DEPARTMENTS) * per, 4)
        sep = take(strs(INSPECTOR_SEPARATORS), rng.integers(0, len(INSPECTOR_SEPARATORS), n))
        inspectors = pc.binary_join_element_wise(take(inspector_ids, dept * per + i1),
                                                 take(inspector_ids, dept * per + i2), sep)
        self.emit("inspections", {
            "inspection_id": numbered("CC", n, 7), "department": ref(strs(DEPARTMENTS), dept),
            "project_id": ref(self.p["id"], proj, proj < 0), "inspectors": inspectors,
            "plan_published_at": date_col(plan), "started_at": date_col(started), "ended_at": date_col(ended),
            "published_at": date_col(published), "publish_channel": ref(strs(CHANNELS), channel, channel < 0),
        })
        unpublished = published == NA
        self.expected["inspection_disclosure"] = {
            "limit_working_days": 10, "inspections": n,
            "on_time": int((~unpublished & (k <= 10)).sum()), "late": int((~unpublished & (k > 10)).sum()),
            "unpublished": int(unpublished.sum()),
            "published_elsewhere": int((channel >= 2).sum()),
        }

    # ---------------------------------------------------------------- complaints
    def make_complaints(self) -> None:
        rng, n = self.rng("complaints"), self.n["complaints"]
        off = rng.random(n) < NON_WORKING_RECEIPT_RATE
        recv_day = np.where(off, self.cal.pick(rng, EVENT_FIRST, EVENT_LAST, n, working=False),
                            self.cal.pick(rng, EVENT_FIRST, EVENT_LAST, n))
        received = recv_day * 86400 + secs_between(rng, n, 8, 20)
        upto = np.searchsorted(self.p["deadline_day"], recv_day)
        proj = np.where((rng.random(n) < COMPLAINT_PROJECT_RATE) & (upto > 0),
                        (rng.random(n) * upto).astype(np.int64), -1)
        D = len(DEPARTMENTS)
        recv_by = np.where((proj >= 0) & (rng.random(n) < 0.8), self.p["dept"][np.maximum(proj, 0)],
                           rng.integers(0, D, n))
        u = rng.random(n)
        competent = np.where(u < COMPETENT_EMPTY_RATE, -1,
                             np.where(u < COMPETENT_EMPTY_RATE + COMPETENT_SAME_RATE, recv_by,
                                      (recv_by + rng.integers(1, D, n)) % D))
        must = (competent >= 0) & (competent != recv_by)
        transferred = must & (rng.random(n) >= TRANSFER_EMPTY_RATE)
        late = transferred & (rng.random(n) < TRANSFER_LATE_RATE)
        k = np.where(late, rng.integers(4, 7, n), rng.integers(0, 4, n))
        tr_day = np.where(transferred, self.cal.add(recv_day, k), NA)
        recv_secs = received - recv_day * 86400  # a same-day transfer comes after the receipt
        tr = at(tr_day, np.where(k == 0, np.minimum(recv_secs + rng.integers(10, 121, n) * 60, 86340),
                                 secs_between(rng, n, 9, 17)))
        base = np.where(tr_day == NA, recv_day, tr_day)
        acc_day = self.cal.add(base, np.where(rng.random(n) < ACCEPT_LATE_RATE, rng.integers(4, 9, n),
                                              rng.integers(1, 4, n)))
        acc_day = np.where(rng.random(n) < ACCEPT_EMPTY_RATE, NA, acc_day)
        dec_day = self.cal.add(acc_day, np.where(rng.random(n) < DECIDE_LATE_RATE, rng.integers(31, 46, n),
                                                 rng.integers(5, 31, n)))
        fb_day = np.where(rng.random(n) < FEEDBACK_EMPTY_RATE, NA, after(dec_day, rng.integers(1, 4, n)))
        phone_prefix = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 158, 159,
                                 166, 177, 180, 181, 185, 186, 187, 188, 189, 198, 199])
        phone = phone_prefix[rng.integers(0, len(phone_prefix), n)] * 10 ** 8 + rng.integers(0, 10 ** 8, n)
        who = self.complainant_start + np.arange(n)
        self.emit("complaints", {
            "complaint_id": numbered("TS", n, 7), "project_id": ref(self.p["id"], proj, proj < 0),
            "received_by": ref(strs(DEPARTMENTS), recv_by), "received_at": ts_col(received),
            "competent_department": ref(strs(DEPARTMENTS), competent, competent < 0),
            "transferred_at": ts_col(tr),
            "accepted_at": ts_col(at(acc_day, secs_between(rng, n, 9, 17))),
            "decided_at": ts_col(at(dec_day, secs_between(rng, n, 9, 17))),
            "feedback_at": ts_col(at(fb_day, secs_between(rng, n, 9, 17))),
            "complainant_name": ref(self.person_name, who), "complainant_phone": pc.cast(pa.array(phone), pa.string()),
            "complainant_id": ref(self.person_id, who),
        })
        self.expected["complaint_transfer"] = {
            "limit_working_days": 3, "complaints": n, "must_transfer": int(must.sum()),
            "on_time": int((transferred & ~late).sum()), "late": int(late.sum()),
            "not_transferred": int((must & ~transferred).sum()),
            "competent_same_as_receiver": int(((competent >= 0) & ~must).sum()),
            "received_on_non_working_day": int(off.sum()),
        }

    # ---------------------------------------------------------------- output
    def emit(self, name: str, columns: dict, sql: dict | None = None) -> None:
        """Write one table now (so at most one table's columns are held at a time), canonical columns
        in schema order, dates as text, booleans as 是/否, amounts with two decimals. ``sql`` gives
        a column as a SQL expression over the others (internal ones start with ``_``)."""
        sql = sql or {}
        raw = pa.table(columns)
        ext = "parquet" if self.fmt == "parquet" else "csv"
        self.out.mkdir(parents=True, exist_ok=True)
        for other in ("csv", "parquet"):  # a stale file of the other format would be read too
            (self.out / f"{name}.{other}").unlink(missing_ok=True)
        cols = []
        for c in TABLES[name].columns:
            q = f'"{c.name}"'
            if c.name in sql:
                cols.append(f"{sql[c.name]} AS {q}")
            elif c.name not in raw.column_names:
                raise AssertionError(f"{name}.{c.name} not generated")
            elif c.kind == "bool":
                cols.append(f"CASE WHEN {q} THEN '是' WHEN NOT {q} THEN '否' END AS {q}")
            elif c.kind == "number":
                cols.append(f"CAST({q} AS DECIMAL(18, 2)) AS {q}")
            elif c.kind == "datetime":
                cols.append(f"CAST({q} AS VARCHAR) AS {q}")
            else:
                cols.append(q)
        path = self.out / f"{name}.{ext}"
        opts = "FORMAT parquet, COMPRESSION zstd" if ext == "parquet" else "FORMAT csv, HEADER true"
        self.con.register("t", raw)
        target = str(path).replace("'", "''")
        self.con.execute(f"COPY (SELECT {', '.join(cols)} FROM t) TO '{target}' ({opts})")
        self.con.unregister("t")
        self.rows[name] = raw.num_rows
        self.sizes[path.name] = path.stat().st_size

    def credit_truth(self, con) -> dict:
        """Bids that hit a list entry on the bid date, counted from the generator's identities."""
        if not self.n["bids"] or not self.n["credit"]:
            return {"dishonest_bidder": {"bids": 0}, "bribery_record": {"bids": 0}}
        b, c = self.b, self.c
        con.register("b", pa.table({"bid": np.arange(len(b["comp"])), "comp": b["comp"], "rep": b["legal_rep"],
                                    "agent": b["agent"], "d": b["date"], "no_uscc": b["no_uscc"]}))
        types = list(LIST_TYPE_WEIGHTS)
        con.register("c", pa.table({"entry": np.arange(len(c["type"])), "type": take(strs(types), c["type"]),
                                    "org": c["org"], "person": c["person"], "l": c["listed"],
                                    "r": np.where(c["removed"] == NA, np.iinfo(np.int64).max, c["removed"]),
                                    "name_only": c["name_only"]}))
        on = "c.l <= b.d AND b.d < c.r"
        dishonest = con.execute(f"""
            SELECT count(DISTINCT bid), count(DISTINCT bid) FILTER (WHERE NOT (b.no_uscc OR c.name_only)),
                   count(DISTINCT bid) FILTER (WHERE b.no_uscc OR c.name_only)
            FROM b JOIN c ON c.org = b.comp AND {on} WHERE c.type = '失信被执行人'""").fetchone()
        bribery = con.execute(f"""
            WITH hits AS (
                SELECT bid, 'bidder' AS via FROM b JOIN c ON c.org = b.comp AND {on} WHERE c.type = '行贿犯罪记录'
                UNION ALL SELECT bid, 'legal_rep' FROM b JOIN c ON c.person = b.rep AND {on}
                    WHERE c.type = '行贿犯罪记录' AND b.rep >= 0
                UNION ALL SELECT bid, 'agent' FROM b JOIN c ON c.person = b.agent AND {on}
                    WHERE c.type = '行贿犯罪记录' AND b.agent >= 0)
            SELECT count(DISTINCT bid), count(DISTINCT bid) FILTER (WHERE via = 'bidder'),
                   count(DISTINCT bid) FILTER (WHERE via = 'legal_rep'),
                   count(DISTINCT bid) FILTER (WHERE via = 'agent') FROM hits""").fetchone()
        rep_dishonest = con.execute(f"""
            SELECT count(DISTINCT bid) FROM b JOIN c ON c.person = b.rep AND {on}
            WHERE c.type = '失信被执行人' AND b.rep >= 0""").fetchone()[0]
        roles, role_counts = np.unique(c["role"].astype(str), return_counts=True)
        return {
            "dishonest_bidder": {"bids": dishonest[0], "matched_by_uscc": dishonest[1],
                                 "matched_by_name": dishonest[2],
                                 "note": "matched_by_name: the bid or the entry lacks a USCC; the entry's name "
                                         "may differ in brackets/spaces"},
            "bribery_record": {"bids": bribery[0], "via_bidder": bribery[1], "via_legal_rep": bribery[2],
                               "via_agent": bribery[3]},
            "legal_rep_listed_as_dishonest_debtor": {"bids": rep_dishonest,
                                                     "note": "not a dishonest-bidder violation: the person is not the bidder"},
            "credit_entries_by_role": dict(zip(roles.tolist(), role_counts.tolist())),
        }

    def run(self) -> dict:
        t0 = time.perf_counter()
        self.make_pools()
        self.make_projects()
        self.make_notices()
        self.make_bids() if self.n["bids"] else self._no_bids()
        self.make_credit()
        self.make_inspections()
        self.make_complaints()
        self.expected.update(self.credit_truth(self.con))
        self.con.close()
        groups = [{k: v for k, v in g.items() if not k.startswith("_")} for g in self.groups]
        (self.out / "_planted_groups.json").write_text(json.dumps(
            {"seed": self.seed, "groups": groups}, ensure_ascii=False, indent=1), encoding="utf-8")
        self.expected = {"seed": self.seed, "as_of": DATA_END.isoformat(),
                         "note": "counts of planted facts; with as_of ≥ this date every due date has passed",
                         "rows": self.rows, "companies": self.n_companies, "collusion_groups": len(groups),
                         **self.expected}
        (self.out / "_expected.json").write_text(json.dumps(self.expected, ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
        return {"rows": self.rows, "bytes": self.sizes, "seconds": round(time.perf_counter() - t0, 2)}

    def _no_bids(self) -> None:
        self.b = dict(proj=np.zeros(0, np.int64), comp=np.zeros(0, np.int64), legal_rep=np.zeros(0, np.int64),
                      agent=np.zeros(0, np.int64), no_uscc=np.zeros(0, bool), date=np.zeros(0, np.int64))
        empty = {c.name: pa.nulls(0, pa.string()) for c in TABLES["bids"].columns}
        empty.update(price=pa.nulls(0, pa.float64()), submitted_at=pa.nulls(0, pa.timestamp("s")),
                     is_winner=pa.nulls(0, pa.bool_()), credit_report_attached=pa.nulls(0, pa.bool_()))
        self.emit("bids", empty)


#: the benchmark sizes at scale 1 (provincial scale: 100k projects, 1M bids)
SIZES = {"projects": 100_000, "bids": 1_000_000, "credit": 100_000, "inspections": 50_000, "complaints": 50_000}


def generate(out_dir, *, projects, bids, credit, inspections, complaints, seed=1, fmt="csv",
             collusion_groups=0, companies=None, extensions=False) -> dict:
    """Write the export to ``out_dir``; returns rows, bytes per file and seconds. ``extensions``
    also writes the nine extension tables (``extensions.py``), derived from the core ones."""
    result = Generator(out_dir, projects=projects, bids=bids, credit=credit, inspections=inspections,
                       complaints=complaints, seed=seed, fmt=fmt, collusion_groups=collusion_groups,
                       companies=companies).run()
    if extensions:
        t0 = time.perf_counter()
        spec = importlib.util.spec_from_file_location("ggzy_bench_extensions", Path(__file__).with_name("extensions.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rows = module.write_extensions(Path(out_dir), fmt)
        result["rows"].update(rows)
        ext = "parquet" if fmt == "parquet" else "csv"
        result["bytes"].update({f"{n}.{ext}": (Path(out_dir) / f"{n}.{ext}").stat().st_size for n in rows})
        result["seconds"] = round(result["seconds"] + time.perf_counter() - t0, 2)
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="生成合成的交易平台导出数据（EXPORT-V1），用于基准测试与测试。")
    ap.add_argument("out_dir")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every default size (1 = 100k projects, 1M bids); explicit sizes win")
    for name, size in SIZES.items():
        ap.add_argument(f"--{name}", type=int, default=None, help=f"rows (default {size:,} × --scale)")
    ap.add_argument("--companies", type=int, default=None,
                    help="bidder pool size (default: bids/20, clamped to 50..50000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("csv", "parquet"), default="csv")
    ap.add_argument("--collusion-groups", type=int, default=0)
    ap.add_argument("--no-extensions", dest="extensions", action="store_false",
                    help="write only the six core tables, not the nine extension tables")
    a = ap.parse_args(argv)
    if a.scale <= 0:
        ap.error("--scale must be positive")
    for name, size in SIZES.items():
        if getattr(a, name) is None:
            setattr(a, name, max(1, round(size * a.scale)))
    for k in ("projects", "bids", "credit", "inspections", "complaints", "collusion_groups", "seed"):
        if getattr(a, k) < 0:
            ap.error(f"--{k.replace('_', '-')} must not be negative")
    try:
        result = generate(a.out_dir, projects=a.projects, bids=a.bids, credit=a.credit,
                          inspections=a.inspections, complaints=a.complaints, seed=a.seed, fmt=a.format,
                          collusion_groups=a.collusion_groups, companies=a.companies,
                          extensions=a.extensions)
    except ValueError as e:
        ap.error(str(e))
    for name, size in result["bytes"].items():
        print(f"{name:22s} {result['rows'][name.rsplit('.', 1)[0]]:>10,d} rows {size / 1e6:>9.1f} MB")
    print(f"{result['seconds']} s → {a.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
