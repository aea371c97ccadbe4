"""One project on one page (``ggzy inspect``): the page data built by ``pipelines.inspect``
laid out as HTML (jinja2, autoescaped: every value is escaped) or Word. Personal data arrives
already masked; this module only lays it out.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(page: dict) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("inspect.html.j2").render(p=page)


def _table(doc, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = str(text)


def write_docx(page: dict, path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading(f"项目 {page['project_id']} {page['project'].get('项目名称', '')}", level=1)
    doc.add_paragraph(f"审计截止 {page['as_of']}：" + "，".join(f"{k} {n}" for k, n in page["counts"].items()))
    doc.add_heading("时间线", level=2)
    _table(doc, ["日期", "环节", "时限规则与结果"],
           [[e["at"] or "未填写", e["event"], "；".join(f"{x['title']}：{x['outcome']}" for x in e["limits"])]
            for e in page["timeline"]])
    doc.add_heading("投标与投标人", level=2)
    _table(doc, ["投标编号", "投标人", "报价（元）", "状态", "发现的问题"],
           [[b["投标编号"], b["投标人"], b.get("投标报价（元）", ""), b.get("投标状态", ""),
             "；".join(f"{x['title']}：{x['outcome']}" for x in b["findings"])] for b in page["bids"]])
    if page["groups"]:
        doc.add_heading("关联群组", level=2)
        _table(doc, ["群组", "成员", "强度", "评估"], [[g["group_id"], g["members"], g["strength"], g["assessment"]]
                                                 for g in page["groups"]])
    doc.add_heading("全部规则的结果", level=2)
    _table(doc, ["规则", "记录", "结果", "说明或原因"],
           [[x["title"] or x["rule_id"], x["record_id"], x["outcome"], x["detail"]] for x in page["results"]])
    doc.add_paragraph("个人信息已脱敏；投诉人身份信息不读取、不显示。")
    doc.save(str(path))


def write_page(page: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".docx":
        write_docx(page, path)
    else:
        path.write_text(render_html(page), encoding="utf-8")
    return path
