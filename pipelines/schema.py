"""The trading-platform export, version 1 (``shared/EXPORT-V1.md``), as data.

Every table the rules may read is declared here once: its canonical columns, the Chinese
headers the platform uses for them, the kind of value each holds and whether it is personal
data. Reading, the pandera contract, the rule validator and the reports all take their facts
from this module, so a column is added in exactly one place.

>>> TABLES["bids"].key
'bid_id'
>>> TABLES["bids"].column("legal_rep_id").kind
'resident_id'
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: value kinds a column may hold; each has a parser in SQL (pipelines.sqlfuncs)
KINDS = ("text", "datetime", "bool", "number", "uscc", "resident_id", "id_any")


@dataclass(frozen=True)
class Column:
    name: str
    chinese: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values, when the export fixes them
    personal: bool = False  # masked wherever it is shown
    confidential: bool = False  # never read into ggzy at all (complainant identity, 四(二))

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind

    @property
    def label(self) -> str:
        """The column's Chinese name, as people read it in messages and reasons."""
        return self.chinese[0] if self.chinese else self.name


@dataclass(frozen=True)
class Table:
    name: str
    chinese: str
    columns: tuple[Column, ...]
    notes: str = ""
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({c.name: c for c in self.columns})

    @property
    def key(self) -> str:
        """The first required column: the record's identity, unique within the table."""
        return next(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return self._index[name]

    def has(self, name: str) -> bool:
        return name in self._index

    @property
    def loaded_columns(self) -> tuple[Column, ...]:
        """Columns ggzy keeps: every column except confidential ones."""
        return tuple(c for c in self.columns if not c.confidential)


def C(name: str, *chinese: str, **kw) -> Column:  # noqa: N802 - a table-building shorthand
    return Column(name, tuple(chinese), **kw)


TRADE_TYPES = ("工程建设", "政府采购", "土地使用权", "矿业权", "国有产权", "其他")
NOTICE_TYPES = ("招标公告", "资格预审公告", "招标文件", "采购公告", "变更公告",
                "中标候选人公示", "中标结果公告", "其他")
BID_STATUSES = ("有效", "无效", "否决")
LIST_TYPES = ("失信被执行人", "行贿犯罪记录", "严重违法失信", "评标专家违法", "其他")
SUBJECT_TYPES = ("企业", "个人", "专家")

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("projects", "项目（标段）", (
        C("project_id", "项目编号", "标段编号", required=True),
        C("project_name", "项目名称"),
        C("trade_type", "交易类型", values=TRADE_TYPES),
        C("department", "行业监督部门"),
        C("region", "区县"),
        C("tenderer_name", "招标人"),
        C("tenderer_uscc", "招标人统一社会信用代码", kind="uscc"),
        C("agency_name", "招标代理机构"),
        C("budget", "预算金额（元）", "预算金额", kind="number"),
        C("must_tender", "依法必须招标", "是否依法必须招标", kind="bool"),
        C("category", "标的类别", "项目类别"),
        C("deposit_amount", "投标保证金（元）", "投标保证金", kind="number"),
        C("docs_issued_at", "招标文件发出时间", kind="datetime"),
        C("bid_deadline", "投标截止时间", kind="datetime"),
        C("evaluation_report_at", "评标报告提交时间", kind="datetime"),
        C("candidates_published_at", "中标候选人公示开始", kind="datetime"),
        C("candidates_publicity_end", "中标候选人公示结束", kind="datetime"),
        C("award_notice_at", "中标通知书发出时间", kind="datetime"),
        C("contract_signed_at", "合同签订时间", kind="datetime"),
        C("contract_published_at", "合同公告时间", kind="datetime"),
    )),
    Table("notices", "公告与招标文件", (
        C("notice_id", "公告编号", required=True),
        C("project_id", "项目编号", required=True),
        C("notice_type", "公告类型", required=True, values=NOTICE_TYPES),
        C("published_at", "发布时间", kind="datetime"),
        C("title", "标题"),
        C("content", "正文"),
        C("content_file", "正文文件"),
    )),
    Table("bids", "投标记录", (
        C("bid_id", "投标编号", required=True),
        C("project_id", "项目编号", required=True),
        C("bidder_name", "投标人", required=True),
        C("bidder_uscc", "统一社会信用代码", "投标人统一社会信用代码", kind="uscc"),
        C("legal_rep_name", "法定代表人", personal=True),
        C("legal_rep_id", "法定代表人身份证号", kind="resident_id", personal=True),
        C("agent_name", "授权委托人", personal=True),
        C("agent_id", "授权委托人身份证号", kind="resident_id", personal=True),
        C("project_manager_name", "项目经理", personal=True),
        C("project_manager_id", "项目经理身份证号", kind="resident_id", personal=True),
        C("submitted_at", "投标时间", kind="datetime"),
        C("price", "投标报价（元）", "投标报价", kind="number"),
        C("status", "投标状态", values=BID_STATUSES),
        C("is_winner", "是否中标", kind="bool"),
        C("credit_report_attached", "是否附信用报告", kind="bool"),
        C("file_machine_code", "文件制作机器码"),
        C("ip_address", "投标IP"),
        C("mac_address", "MAC", "投标MAC"),
        C("deposit_account", "保证金转出账户", personal=True),
    )),
    Table("credit_list", "失信与惩戒名单", (
        C("entry_id", "记录编号", required=True),
        C("list_type", "名单类型", required=True, values=LIST_TYPES),
        C("subject_name", "主体名称", "姓名", "主体名称/姓名", required=True, personal=True),
        C("subject_id", "统一社会信用代码/身份证号/专家编号", "证件号码", "主体编号",
          kind="id_any", personal=True),
        C("subject_type", "主体类型", values=SUBJECT_TYPES),
        C("listed_at", "列入日期", required=True, kind="datetime"),
        C("removed_at", "移出日期", kind="datetime"),
        C("publisher", "发布单位"),
        C("published_at", "公开日期", kind="datetime"),
        C("reported_at", "报送时间", "报送市信用办时间", kind="datetime"),
    ), notes="A subject is listed on every date d with listed_at ≤ d and "
             "(removed_at empty or d < removed_at)."),
    Table("inspections", "双随机抽查", (
        C("inspection_id", "抽查编号", required=True),
        C("department", "实施部门", required=True),
        C("project_id", "被抽查项目编号", "项目编号"),
        C("inspectors", "执法人员"),
        C("plan_published_at", "抽查计划公开时间", kind="datetime"),
        C("started_at", "检查开始时间", kind="datetime"),
        C("ended_at", "检查结束时间", kind="datetime"),
        C("published_at", "抽查结果公开时间", kind="datetime"),
        C("publish_channel", "公开渠道"),
    )),
    Table("complaints", "投诉", (
        C("complaint_id", "投诉编号", required=True),
        C("project_id", "项目编号"),
        C("received_by", "接收部门", required=True),
        C("received_at", "收到投诉时间", required=True, kind="datetime"),
        C("competent_department", "有权处理部门"),
        C("transferred_at", "转办时间", kind="datetime"),
        C("accepted_at", "受理决定时间", kind="datetime"),
        C("decided_at", "处理决定时间", kind="datetime"),
        C("feedback_at", "书面反馈时间", kind="datetime"),
        C("complainant_name", "投诉人", confidential=True),
        C("complainant_phone", "电话", "投诉人电话", confidential=True),
        C("complainant_id", "证件号", "投诉人证件号", confidential=True),
    )),
)}

#: the tables of EXPORT-V1 itself; the tables added below extend it (docs/export-extension.md).
#: An export without the added tables still reads: they are listed as missing, and the rules
#: that need them say "not evaluated: table missing".
EXPORT_V1 = tuple(TABLES)

MEETING_KINDS = ("例会", "专题会", "临时会议")
CONTACT_ROLES = ("责任领导", "联络员")
REFERRAL_KINDS = ("线索移交", "案件移送")

TABLES.update({t.name: t for t in (
    Table("meetings", "联席会议", (
        C("meeting_id", "会议编号", required=True),
        C("held_at", "召开日期", "会议日期", kind="datetime"),
        C("kind", "会议类型", values=MEETING_KINDS),
        C("convenor", "召集单位", "牵头单位"),
        C("title", "会议名称", "议题"),
    )),
    Table("member_contacts", "成员单位责任领导与联络员", (
        C("contact_id", "记录编号", required=True),
        C("member_unit", "成员单位", required=True),
        C("role", "角色", "职责", required=True, values=CONTACT_ROLES),
        C("person_name", "姓名", personal=True),
        C("phone", "联系电话", "电话", personal=True),
        C("effective_from", "调整确定日期", "任职起始日期", kind="datetime"),
        C("effective_until", "任职截止日期", "卸任日期", kind="datetime"),
        C("reported_at", "报公管办日期", "报送日期", kind="datetime"),
    ), notes="A contact is current on day d when effective_from ≤ d and "
             "(effective_until empty or d ≤ effective_until)."),
    Table("inspectors", "执法人员库", (
        C("inspector_id", "执法人员编号", required=True),
        C("department", "所属部门", required=True),
        C("inspector_name", "姓名", personal=True),
        C("certificate_no", "执法证号", "执法证件号"),
        C("qualification", "执法资质"),
        C("specialities", "业务专长"),
        C("qualified_from", "执法资格起始日期", "资格起始日期", kind="datetime"),
        C("qualified_until", "执法资格截止日期", "资格有效期至", kind="datetime"),
        C("unit", "工作单位", "所在单位"),
        C("id_number", "身份证号", "公民身份号码", kind="resident_id", personal=True),
    ), notes="Qualified on day d when qualified_from ≤ d and (qualified_until empty or d ≤ qualified_until)."),
    Table("inspection_targets", "检查对象名录库", (
        C("target_id", "名录编号", required=True),
        C("project_id", "项目编号", required=True),
        C("department", "行业监督部门", "建库部门"),
        C("risk_level", "风险等级"),
        C("credit_level", "信用等级", "信用水平"),
        C("added_at", "纳入日期", kind="datetime"),
        C("speciality", "专业类别", "所属专业"),
    )),
    Table("powers", "权责清单", (
        C("power_code", "权力编码", "事项编码", required=True),
        C("department", "实施部门", required=True),
        C("power_name", "权力名称", "事项名称"),
        C("published_at", "公布日期", kind="datetime"),
    )),
    Table("enforcement_actions", "行政执法行为", (
        C("action_id", "执法行为编号", "记录编号", required=True),
        C("department", "实施部门", required=True),
        C("power_code", "权力编码", "事项编码"),
        C("power_name", "权力名称", "事项名称"),
        C("acted_at", "实施日期", "执法日期", kind="datetime"),
        C("target", "执法对象"),
        C("project_id", "项目编号"),
        C("legal_basis", "法定依据", "法律依据"),
    )),
    Table("panels", "评标委员会", (
        C("seat_id", "记录编号", "评委记录编号", required=True),
        C("project_id", "项目编号", "标段编号", required=True),
        C("expert_id", "专家编号", kind="id_any"),
        C("expert_name", "专家姓名", personal=True),
        C("verified_at", "现场核验时间", kind="datetime"),
        C("evaluated_at", "评标时间", kind="datetime"),
        C("venue", "评标场所", "交易中心"),
    )),
    Table("complaint_channels", "投诉举报渠道", (
        C("channel_id", "记录编号", required=True),
        C("department", "行业监督部门", required=True),
        C("published_at", "发布日期", kind="datetime"),
        C("published_where", "发布位置"),
        C("channel", "投诉渠道", "受理电话/邮箱/地址"),
        C("states_time_limit", "明确投诉时限", "时限", kind="bool"),
        C("states_documents", "明确投诉要件", "要件", kind="bool"),
        C("states_procedure", "明确投诉程序", "程序", kind="bool"),
        C("states_office_hours", "明确法定工作时间", "法定工作时间", kind="bool"),
        C("states_channel", "明确投诉渠道", "渠道", kind="bool"),
    )),
    Table("referrals", "案件线索移送", (
        C("referral_id", "移送编号", required=True),
        C("case_id", "案件编号"),
        C("kind", "移送类型", values=REFERRAL_KINDS),
        C("from_body", "移送单位", required=True),
        C("to_body", "接收单位", required=True),
        C("referred_at", "移送日期", kind="datetime"),
        C("closed_at", "结案日期", kind="datetime"),
        C("reported_back_at", "结案通报日期", "反馈日期", kind="datetime"),
        C("project_id", "项目编号"),
    )),
)})


def column(table_name: str, name: str) -> Column:
    """A column of a table, or of its project when written ``project.<column>``."""
    if name.startswith("project."):
        return TABLES["projects"].column(name[len("project."):])
    return TABLES[table_name].column(name)


def table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"未知的数据表 unknown table: {name!r}; 可用 known: {', '.join(TABLES)}") from None
