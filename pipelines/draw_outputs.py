"""What a draw publishes (鹤发改公管〔2022〕216号 三(三)): the 抽查计划 text — 抽查事项, 抽查
对象, 执法人员, 检查时间, the seed and how to verify — the drawn list as xlsx and csv, and the
draw record (json). Inspectors' names are masked; resident IDs never appear.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from .contract import mask_value
from .draw import Draw, record_of

PLAN, TABLE_CSV, TABLE_XLSX, RECORD = "抽查计划.txt", "抽查名单.csv", "抽查名单.xlsx", "draw-record.json"


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _inspectors_by_target(draw: Draw) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in draw.assignments.itertuples():
        who = f"{a.inspector_id}（{mask_value(_text(a.inspector_name), 'text') or '姓名未填'}，执法证号 {_text(a.certificate_no) or '未填'}）"
        out.setdefault(str(a.target_id), []).append(who)
    return out


def draw_table(draw: Draw) -> pd.DataFrame:
    """The drawn targets with their inspectors, one row per target, Chinese headers."""
    people = _inspectors_by_target(draw)
    t = draw.targets
    return pd.DataFrame({
        "抽中顺序": t["position"] + 1, "名录编号": t["target_id"], "项目编号": t["project_id"],
        "项目名称": t["project_name"].map(_text), "行业监督部门": t["department"].map(_text),
        "风险等级": t["risk_level"].map(_text), "信用等级": t["credit_level"].map(_text),
        "专业类别": t["speciality"].map(_text), "权重": t["weight"].round(6), "抽取方式": t["stage"],
        "执法人员": ["；".join(people.get(str(x), [])) or "未能选派（见计划说明）" for x in t["target_id"]],
        "已回避执法人员数": t["conflicts_avoided"],
    })


def plan_text(draw: Draw, record: dict) -> str:
    """The 抽查计划 as plain Chinese text, ready to publish."""
    p = draw.policy
    start = draw.date + dt.timedelta(days=1)
    end = draw.date + dt.timedelta(days=p.inspection_days)
    scope = draw.department or "各行业监督部门"
    lines = [f"{scope}公共资源交易“双随机、一公开”抽查计划", "",
             f"一、抽查事项：{p.matter}。",
             f"二、抽查依据：鹤发改公管〔2022〕216号 三；抽查策略《{p.name}》（版本 {p.version}，摘要 {record['policy']['digest'][:16]}）。",
             f"三、抽查对象：从检查对象名录库 {draw.population['targets']} 个对象中抽取 {len(draw.targets)} 个，"
             "按风险等级、信用等级确定被抽查概率（权重见名单）。" if draw.source == "inspection_targets" else
             f"三、抽查对象：从风险排序（{draw.source[5:]}）的 {draw.population['targets']} 个项目中按风险得分加权抽取 {len(draw.targets)} 个。"]
    for dim, levels in draw.population.get("minimums", {}).items():
        label = "风险等级" if dim == "risk_level" else "信用等级"
        parts = [f"“{lv}” {c['在库']} 个、至少抽取 {c['保底']} 个" for lv, c in levels.items()]
        lines.append(f"    按{label}保底：{'；'.join(parts)}。")
    people = _inspectors_by_target(draw)
    for r in draw.targets.itertuples():
        who = "、".join(people.get(str(r.target_id), [])) or "未能选派符合条件的执法人员"
        levels = (f"风险得分 {r.score:g}" if draw.source != "inspection_targets" else
                  f"风险 {_text(r.risk_level) or '未定'}，信用 {_text(r.credit_level) or '未定'}")
        lines.append(f"    {r.position + 1}. {r.target_id} 项目 {r.project_id} {_text(r.project_name)}"
                     f"（{_text(r.department)}；{levels}）——执法人员：{who}")
    ip = p.inspectors
    lines += ["",
              f"四、执法人员：从执法人员库中抽取，每个对象 {ip.per_target} 名，每人至多承担 {ip.max_targets_each} 个对象；"
              f"只抽取 {draw.date.isoformat()} 执法资格有效的人员"
              + ("、同一行业监督部门" if ip.same_department else "") + ("、业务专长对口" if ip.match_speciality else "")
              + "；与招标人同单位或与投标人存在身份关联的人员已回避。",
              f"五、检查时间：{start.isoformat()} 至 {end.isoformat()}。抽查结果在检查结束后 10 个工作日内"
              "在黑龙江省公共资源交易平台或鹤岗市政府网站公布。",
              f"六、随机种子：{draw.seed}（SHA-256 {record['seed']['sha256']}），抽取日期 {draw.date.isoformat()}。",
              f"    抽取算法：{record['algorithm']['name']} 第 {record['algorithm']['version']} 版"
              "（Efraimidis–Spirakis 加权不放回抽样，随机数由 PCG64 生成器按种子的 SHA-256 产生）。",
              f"    任何人可用同一导出数据与抽取记录复核：ggzy draw --verify {RECORD} 导出文件夹；"
              f"结果摘要 {record['result_sha256']}。"]
    if draw.unstaffed:
        lines.append(f"七、说明：{len(draw.unstaffed)} 个对象未能选派足额执法人员（符合条件的人员不足），需补充执法人员库后另行抽取："
                     + "、".join(u["target_id"] for u in draw.unstaffed) + "。")
    for note in draw.notes:
        lines.append(f"    注：{note}。")
    return "\n".join(lines) + "\n"


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    """The list as one sheet, column by column (pandas' to_excel styles every cell: 10× slower)."""
    import xlsxwriter

    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("抽查名单")
        ws.write_row(0, 0, list(table.columns), wb.add_format({"bold": True}))
        for j, name in enumerate(table.columns):
            values = table[name].tolist()
            ws.write_column(1, j, values)
            width = max([len(str(name))] + [len(str(v)) for v in values[:200]])
            ws.set_column(j, j, min(60, 2 + 2 * width))
        ws.freeze_panes(1, 0)


def write_draw(draw: Draw, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = record_of(draw)
    table = draw_table(draw)
    paths = [out_dir / PLAN, out_dir / TABLE_CSV, out_dir / TABLE_XLSX, out_dir / RECORD]
    paths[0].write_text(plan_text(draw, record), encoding="utf-8")
    table.to_csv(paths[1], index=False, encoding="utf-8-sig")
    _write_xlsx(table, paths[2])
    paths[3].write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths
