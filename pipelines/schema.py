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
        C("docs_issued_at", "招标文件发出时间", kind="datetime"),
        C("bid_deadline", "投标截止时间", kind="datetime"),
        C("evaluation_report_at", "评标报告提交时间", kind="datetime"),
        C("candidates_published_at", "中标候选人公示开始", kind="datetime"),
        C("candidates_publicity_end", "中标候选人公示结束", kind="datetime"),
        C("award_notice_at", "中标通知书发出时间", kind="datetime"),
        C("contract_signed_at", "合同签订时间", kind="datetime"),
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
