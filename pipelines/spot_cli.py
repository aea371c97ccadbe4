"""The spot-check subcommands of ``ggzy`` (issue 12): ``draw`` (双随机 draw and ``--verify``),
``inspect`` (one project on one page) and ``rank`` (projects scored for audit risk). Kept out
of ``pipelines.cli`` so that module only registers them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def add_parsers(command, date_type) -> None:
    """Add draw, inspect and rank with ``command(name, text)``, the CLI's subparser factory."""
    draw = command("draw", "双随机抽取检查对象与执法人员 / verifiable random inspection draw")
    draw.add_argument("export_dir", type=Path, nargs="?", help="导出文件夹 / export folder")
    draw.add_argument("--policy", type=Path, help="抽查策略 / draw policy (default rules/draw/policy.yaml)")
    draw.add_argument("--seed", help="事先公布的随机种子文本 / the seed announced before the draw")
    draw.add_argument("--out", type=Path, help="输出文件夹 / output folder")
    draw.add_argument("--department", help="只抽取该行业监督部门的对象 / only this department's targets")
    draw.add_argument("--date", type=date_type, help="抽取日期，默认北京时间今天 / draw date, default today in Beijing")
    draw.add_argument("--from-rank", type=Path, metavar="RANK.json",
                      help="按 ggzy rank 的风险得分加权抽取项目 / draw projects weighted by a ggzy rank file")
    draw.add_argument("--verify", type=Path, metavar="RECORD",
                      help="复核抽取记录：ggzy draw --verify RECORD EXPORT_DIR / re-run and compare a draw record")

    inspect = command("inspect", "一个项目的全部情况 / everything about one project on one page")
    inspect.add_argument("export_dir", type=Path, help="导出文件夹 / export folder")
    inspect.add_argument("project_id", help="项目（标段）编号 / the project's id")
    inspect.add_argument("--out", type=Path, metavar="FILE.html|.docx", help="写出网页或 Word / write HTML or Word")
    inspect.add_argument("--as-of", type=date_type, help="审计截止日期，默认北京时间今天 / default: today in Beijing")

    rank = command("rank", "按审计风险为全部项目打分排序 / score every project for audit risk")
    rank.add_argument("export_dir", type=Path, help="导出文件夹 / export folder")
    rank.add_argument("--out", type=Path, required=True, help="输出文件夹 / output folder")
    rank.add_argument("--as-of", type=date_type, help="审计截止日期，默认北京时间今天 / default: today in Beijing")


def cmd_draw(args) -> int:
    from .audit import today_in_beijing
    from .draw import run_draw
    from .draw_outputs import write_draw
    from .draw_policy import DEFAULT_POLICY, load_policy

    if args.export_dir is None:
        err.print("错误 error: 缺少导出文件夹 / EXPORT_DIR is required")
        return EXIT_INPUT
    if args.verify:
        from .draw_verify import verify

        result = verify(args.verify, args.export_dir, policy_file=args.policy, rank_file=args.from_rank)
        if result.ok:
            out.print(f"复核通过：重新抽取的结果与记录 {escape(str(args.verify))} 完全一致 / verified: identical result",
                      soft_wrap=True)
            return EXIT_OK
        out.print(f"[red]复核未通过 verification failed[/red]：{len(result.differences)} 处不同 / differences:")
        for line in result.differences:
            out.print(f"  - {escape(line)}", soft_wrap=True)
        return EXIT_FINDINGS
    if not args.seed or not args.out:
        err.print("错误 error: 抽取需要 --seed 与 --out / a draw needs --seed and --out")
        return EXIT_INPUT
    policy_path = args.policy or DEFAULT_POLICY
    policy = load_policy(policy_path)
    draw = run_draw(args.export_dir, policy, args.seed, date=args.date or today_in_beijing(),
                    department=args.department, policy_file=str(policy_path), rank_file=args.from_rank)
    paths = write_draw(draw, args.out)
    out.print(f"从 {draw.population['targets']} 个对象中抽取 {len(draw.targets)} 个，选派执法人员 "
              f"{len(draw.assignments)} 人次；未足额选派 {len(draw.unstaffed)} 个对象", soft_wrap=True)
    for path in paths:
        out.print(escape(str(path)), soft_wrap=True)
    return EXIT_OK


def _print_page(page: dict) -> None:
    from rich.table import Table

    out.print(f"[bold]项目 {escape(page['project_id'])} {escape(page['project'].get('项目名称', ''))}[/bold]"
              f"（审计截止 {page['as_of']}）：" + "，".join(f"{k} {n}" for k, n in page["counts"].items()), soft_wrap=True)
    timeline = Table(title="时间线")
    for name in ("日期", "环节", "时限规则与结果"):
        timeline.add_column(name)
    for e in page["timeline"]:
        timeline.add_row(escape(e["at"] or "未填写"), escape(e["event"]),
                         escape("；".join(f"{x['title']}：{x['outcome']}" for x in e["limits"])))
    out.print(timeline)
    bids = Table(title="投标")
    for name in ("投标编号", "投标人", "报价（元）", "中标", "发现的问题"):
        bids.add_column(name)
    for b in page["bids"]:
        bids.add_row(*(escape(str(x)) for x in (b["投标编号"], b["投标人"], b.get("投标报价（元）", ""), b.get("是否中标", ""),
                                                "；".join(f"{x['title']}：{x['outcome']}" for x in b["findings"]))))
    out.print(bids)
    for g in page["groups"]:
        out.print(escape(f"关联群组 {g['group_id']}（{g['assessment']}，强度 {g['strength']}）：{g['members']}"), soft_wrap=True)
    results = Table(title="规则结果（合规的不列出）")
    for name in ("规则", "记录", "结果", "说明或原因"):
        results.add_column(name)
    for x in page["results"]:
        if x["outcome"] != "合规":
            results.add_row(*(escape(str(v)) for v in (x["rule_id"], x["record_id"], x["outcome"], x["detail"])))
    out.print(results)


def cmd_inspect(args) -> int:
    from .inspect import build_page

    page = build_page(args.export_dir, args.project_id, as_of=args.as_of)
    _print_page(page)
    if args.out:
        from reports.inspect_page import write_page

        out.print(f"已写出 written: {escape(str(write_page(page, args.out)))}", soft_wrap=True)
    return EXIT_OK


def cmd_rank(args) -> int:
    from .rank import rank_projects, write_rank

    ranking = rank_projects(args.export_dir, as_of=args.as_of)
    paths = write_rank(ranking, args.out)
    top = ranking["projects"][:10]
    out.print(f"{len(ranking['projects'])} 个项目已按审计风险打分；前 {len(top)} 名：", soft_wrap=True)
    for r in top:
        out.print(escape(f"  {r['rank']}. {r['project_id']} {r['project_name']} 得分 {r['score']}"), soft_wrap=True)
    for path in paths:
        out.print(escape(str(path)), soft_wrap=True)
    return EXIT_OK


HANDLERS = {"draw": cmd_draw, "inspect": cmd_inspect, "rank": cmd_rank}
