"""The export format as a document for platform teams, generated from ``pipelines.schema``.

``docs/export-format.md`` is written by ``ggzy export-format --out docs/export-format.md`` and a
test checks that the committed file is current, so the format a platform team reads and the
format ggzy reads are one declaration. Everything here is taken from the schema (tables,
columns, Chinese headers, kinds, value sets, personal columns) and from the readers' own
constants (file forms, date forms, boolean words).

>>> "| bid_id ★ | 投标编号 |" in render_markdown()
True
"""

from __future__ import annotations

import datetime as dt

from . import schema, sqlfuncs

#: file forms the reader accepts (pipelines.reading.FORMATS), in the order people meet them
FILE_FORMS = ("csv", "xlsx", "parquet", "json", "jsonl")

#: what each value kind accepts, for people (the parsers are pipelines.sqlfuncs)
KIND_TEXT = {
    "text": "文本",
    "datetime": "日期或日期时间",
    "bool": "是/否",
    "number": "数字（元）",
    "uscc": "统一社会信用代码（18 位，校验位按 GB 32100-2015）",
    "resident_id": "公民身份号码（18 位，校验位按 GB 11643-1999）",
    "id_any": "统一社会信用代码、身份证号或专家编号",
}

MAPPING_EXAMPLE = """\
# mapping.yaml —— 放在导出文件夹中（或用 --mapping 指定），把平台自己的表头和取值对应到规范名
bids:                      # 数据表名
  columns:                 # 文件中的表头: 规范列名
    投标单位名称: bidder_name
    信用代码: bidder_uscc
    投标保证金账号: deposit_account
  values:                  # 列: {文件中的取值: 规范取值}
    status:
      合格: 有效
      不合格: 无效
projects:
  values:
    trade_type:
      房建市政: 工程建设
"""


def date_examples() -> list[str]:
    """Each date form the loader reads (sqlfuncs.DATETIME_FORMATS), written out for 2026-03-05 14:30."""
    moment = dt.datetime(2026, 3, 5, 14, 30, 0, 500000)
    return list(dict.fromkeys(moment.strftime(f) for f in sqlfuncs.DATETIME_FORMATS))


def _header_cell(column: schema.Column) -> str:
    return " / ".join(column.chinese) if column.chinese else ""


def _note(column: schema.Column) -> str:
    notes = []
    if column.kind != "text":
        notes.append(KIND_TEXT[column.kind])
    if column.values:
        notes.append("取值：" + "、".join(column.values))
    if column.confidential:
        notes.append("保密：不读入、不输出")
    elif column.personal:
        notes.append("个人信息：输出中脱敏")
    return "；".join(notes)


def table_markdown(table: schema.Table) -> list[str]:
    """One table's section: its columns, Chinese headers, kinds, value sets and personal columns."""
    origin = "EXPORT-V1" if table.name in schema.EXPORT_V1 else "扩展表"
    lines = [f"### {table.name} — {table.chinese}（{origin}）", "",
             "| 列 | 中文表头（任一即可） | 值与说明 |", "|---|---|---|"]
    for column in table.columns:
        star = " ★" if column.required else ""
        lines.append(f"| {column.name}{star} | {_header_cell(column)} | {_note(column)} |")
    if table.notes:
        lines += ["", f"说明 Note: {table.notes}"]
    return lines + [""]


def render_markdown() -> str:
    """The whole of docs/export-format.md."""
    true_words = "、".join(sqlfuncs.TRUE_WORDS)
    false_words = "、".join(sqlfuncs.FALSE_WORDS)
    lines = [
        "# 交易平台导出格式（由 `pipelines/schema.py` 生成，请勿手改）",
        "",
        "本文件由 `ggzy export-format --out docs/export-format.md` 生成；测试检查它与代码一致。",
        "平台团队可用 `ggzy template 文件夹 [--format csv|xlsx]` 得到带中文表头的空表、带注释的 `mapping.yaml` 和说明。",
        "",
        "## 一、读取规则",
        "",
        "- 一个导出是一个文件夹，每张表一个文件，文件名为表名：" + "、".join(f"`NAME.{f}`" for f in FILE_FORMS) + "。",
        "- CSV：UTF-8（可带 BOM）或 GB18030/GBK，自动识别；无法解码时报告文件和字节位置。",
        "- XLSX：读第一个工作表，或名为表名（英文或中文）的工作表；Excel 日期单元格和文本日期都可。",
        "- 表头：下表的规范名，或中文表头（忽略空格、全角半角差异），或 `mapping.yaml` 中映射的名称。",
        "- ★ 为必填列；每张表第一个 ★ 列是主键，须唯一。",
        "- 日期：" + "、".join(f"`{example}`" for example in date_examples()) + "（月、日可不补零），"
        "以及 Excel 日期序列号；空表示未知。北京时间。",
        f"- 是/否：真 {true_words}；假 {false_words}（不区分大小写）。",
        "- 数字：可带千分位逗号、¥/￥、“元”和全角数字，如 `¥1,000元`、`１２３，４５６`。",
        "- 无法识别的值记入 `data_quality.jsonl`（文件、行、列），该记录保留；需要该值的规则把该记录判为“无法判断”。",
        "- 文件中多出的列保留但不使用；输入文件从不被修改。",
        "- 缺少的表只让需要它的规则“未评估”；加 `--strict` 时退出码为 2。",
        "",
        "## 二、数据表",
        "",
    ]
    for table in schema.TABLES.values():
        lines += table_markdown(table)
    lines += [
        "## 三、mapping.yaml",
        "",
        "表头或取值与上表不同时，在导出文件夹中放一个 `mapping.yaml`（或用 `--mapping FILE` 指定）："
        "`{表名: {columns: {文件表头: 规范列名}, values: {列: {文件取值: 规范取值}}}}`。表头比较时忽略空格与全角半角。",
        "",
        "```yaml",
        MAPPING_EXAMPLE.rstrip(),
        "```",
        "",
    ]
    return "\n".join(lines)
