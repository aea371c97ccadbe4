#!/usr/bin/env python3
"""Time reading a year of tender documents for the 八(二) credit clause (issue #14).

    python benchmarks/documents.py [--documents 1000] [--pages 100] [--cold 3] [--warm 3] [--compare-libraries]

1. Generate ``--documents`` tender documents of about ``--pages`` pages, half ``.docx`` (python-docx:
   ~14 paragraphs a page plus a qualification table), half ``.pdf`` (fpdf2, Noto Sans CJK embedded,
   42 lines a page), into ``benchmarks/data/documents-N-P/`` (kept between runs). Twelve distinct
   documents of each format are typeset — clause complete in running text, in a table (docx) or
   wrapped over a line break (pdf), bribery part missing, no clause — and each further document is
   a byte-distinct copy of one of them (a PDF comment after ``%%EOF``, a zip comment): every file
   has its own sha256 and is read on its own, exactly as a distinct file would be.
2. Audit an export whose notices point at them (``credit-clause`` and ``credit-clause-persons``
   only), each run in a fresh process: **cold** (empty cache) ``--cold`` times, then **warm**
   (the cache of the last cold run) ``--warm`` times. Peak memory is the largest sum of resident
   memory over the audit process and all its descendants (the reading workers), sampled every
   50 ms from /proc.
3. Check the outcomes against what was planted, and write ``benchmarks/results/documents.json``.

``--compare-libraries`` also times pypdfium2, pypdf and pdfminer.six (when installed) on one
generated PDF: the measurement behind the choice stated in ``pipelines/documents.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results" / "documents.json"
VARIANTS = 12  # distinct documents of each format
DEBTOR = "投标人不得被最高人民法院在信用中国(黑龙江鹤岗)网站或鹤岗市信用信息共享平台中列入失信被执行人名单。"
BRIBERY = "投标单位、企业法定代表人及授权委托人不得存在行贿犯罪记录行为，严禁参与项目投标。"
FILLER = [
    "投标人应按招标文件的要求编制投标文件，并对所提供资料的真实性负责。",
    "招标人对已发出的招标文件进行必要的澄清或者修改的，应当以书面形式通知所有获取招标文件的潜在投标人。",
    "投标文件应当对招标文件提出的实质性要求和条件作出响应，否则按否决投标处理。",
    "评标委员会按照招标文件规定的评标标准和方法，对投标文件进行评审和比较。",
    "本工程质量标准为合格，工期为日历天一百二十天，计划开工日期以开工令为准。",
    "投标保证金应当从投标人的基本账户转出，并在投标截止时间前到达指定账户。",
    "施工现场应设置安全防护设施，严格执行安全生产管理制度，做好文明施工。",
    "工程量清单中的每一子目须填报单价和合价，未填报的视为已包含在其他子目中。",
    "中标人应在收到中标通知书后三十日内，按照招标文件和中标人的投标文件与招标人订立书面合同。",
    "投标人对招标文件有异议的，应当在投标截止时间十日前以书面形式向招标人提出。",
    "项目经理须为本单位注册的建造师，在本项目实施期间不得在其他项目任职。",
    "履约保证金的金额为中标合同金额的百分之十，以银行保函或转账方式提交。",
]
HEADINGS = ["第一章 招标公告", "第二章 投标人须知", "第三章 评标办法", "第四章 合同条款及格式", "第五章 工程量清单",
            "第六章 图纸", "第七章 技术标准和要求", "第八章 投标文件格式"]
#: variant -> (clause placement, expected credit-clause outcome)
PLAN = {0: ("text", "compliant"), 1: ("special", "compliant"), 2: ("debtor_only", "violated"), 3: ("none", "violated")}


# --- generating ----------------------------------------------------------------------------------

def _filler(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(FILLER) for _ in range(rng.randint(2, 4))) for _ in range(n)]


def _clause(kind: str) -> str | None:
    return {"text": DEBTOR + BRIBERY, "special": DEBTOR + BRIBERY, "debtor_only": DEBTOR, "none": None}[kind]


def _docx(path: Path, pages: int, kind: str, rng: random.Random) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "鹤岗市公共资源交易中心 招标文件"
    clause_page = rng.randint(2, max(2, pages - 1))
    for page in range(1, pages + 1):
        if page % max(1, pages // len(HEADINGS)) == 1:
            document.add_paragraph(HEADINGS[(page * len(HEADINGS)) // (pages + 1)])
        for text in _filler(rng, 14):
            document.add_paragraph(text)
        if page == clause_page and _clause(kind):
            if kind == "special":  # the qualification requirements as a table
                table = document.add_table(rows=3, cols=2)
                for r, (a, b) in enumerate([("资质要求", "具备市政公用工程施工总承包三级及以上资质。"),
                                            ("信用要求", _clause(kind)), ("项目经理", "具备注册建造师执业资格。")]):
                    table.cell(r, 0).text, table.cell(r, 1).text = a, b
            else:
                document.add_paragraph("二、投标人资格要求：" + _clause(kind))
    document.save(str(path))


def _pdf(path: Path, pages: int, kind: str, rng: random.Random) -> None:
    from tests.document_files import pdf_file

    width, clause_page = 38, rng.randint(2, max(2, pages - 1))
    content = []
    for page in range(1, pages + 1):
        text = "".join(_filler(rng, 11))
        if page == clause_page and _clause(kind):
            prefix = "二、投标人资格要求：具备相应资质" if kind == "special" else "二、投标人资格要求："
            text = text[:width * 10] + "\n" + prefix + _clause(kind) + "\n" + text[width * 10:]
        lines = []
        for paragraph in text.split("\n"):
            lines += [paragraph[i:i + width] for i in range(0, len(paragraph), width)]
        content.append(lines[:42])
    pdf_file(path, content, size=10.5)


def _distinct_copy(source: Path, target: Path, number: int) -> None:
    shutil.copyfile(source, target)
    if target.suffix == ".pdf":
        with target.open("ab") as fh:
            fh.write(f"\n%ggzy-bench copy {number}\n".encode())
    else:
        with zipfile.ZipFile(target, "a") as archive:
            archive.comment = f"ggzy-bench copy {number}".encode()


def generate(folder: Path, documents: int, pages: int) -> dict[str, str]:
    """Write the export (notices.csv + files); returns notice_id -> expected credit-clause outcome."""
    marker = folder / "_expected.json"
    if marker.is_file():
        return json.loads(marker.read_text(encoding="utf-8"))
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "docs").mkdir(parents=True)
    rng = random.Random(14)
    bases = {}
    started = time.perf_counter()
    for suffix, make in ((".docx", _docx), (".pdf", _pdf)):
        for v in range(VARIANTS):
            path = folder / "bases" / f"v{v}{suffix}"
            path.parent.mkdir(exist_ok=True)
            make(path, pages, PLAN[v % 4][0], rng)
            bases[(suffix, v)] = path
    print(f"typeset {len(bases)} distinct documents in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    expected, rows = {}, ["notice_id,project_id,notice_type,content,content_file"]
    for i in range(documents):
        suffix, v = (".docx", ".pdf")[i % 2], (i // 2) % VARIANTS
        name = f"docs/T{i:05d}{suffix}"
        _distinct_copy(bases[(suffix, v)], folder / name, i)
        rows.append(f"T{i:05d},P1,招标文件,,{name}")
        expected[f"T{i:05d}"] = PLAN[v % 4][1]
    (folder / "notices.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "projects.csv").write_text("project_id,department\nP1,市住建局\n", encoding="utf-8")
    marker.write_text(json.dumps(expected), encoding="utf-8")
    return expected


# --- timing --------------------------------------------------------------------------------------

AUDIT = """
import datetime as dt, json, sys, time
from pathlib import Path
from pipelines.audit import run_audit
if __name__ == "__main__":
    start = time.perf_counter()
    con, audit = run_audit(Path(sys.argv[1]), only=["credit-clause", "credit-clause-persons"],
                           as_of=dt.date(2026, 12, 31), document_cache=Path(sys.argv[2]))
    seconds = time.perf_counter() - start
    outcomes = dict(con.execute("SELECT record_id, outcome FROM outcomes WHERE rule_id = 'credit-clause'").fetchall())
    cached = con.execute("SELECT count(*) FILTER (WHERE from_cache), count(*) FROM document_text").fetchone()
    print(json.dumps({"seconds": seconds, "outcomes": outcomes, "from_cache": cached[0], "documents": cached[1]}))
"""


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def _run(export: Path, cache: Path) -> dict:
    process = subprocess.Popen([sys.executable, "-c", AUDIT, str(export), str(cache)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak, done = 0, threading.Event()

    def watch():
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss(process.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    wall = time.perf_counter()
    out, _ = process.communicate()
    wall = time.perf_counter() - wall
    done.set()
    watcher.join()
    if process.returncode:
        raise SystemExit(f"audit failed with exit code {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "wall_seconds": wall, "peak_rss_mb": peak / 2**20}


def compare_libraries(pdf: Path) -> dict:
    """Seconds to take the text of every page of ``pdf``, warm, per installed library."""
    def pdfium(p):
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(str(p))
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]

    def pypdf(p):
        from pypdf import PdfReader
        return [page.extract_text() for page in PdfReader(str(p)).pages]

    def pdfminer(p):
        from pdfminer.high_level import extract_text
        return [extract_text(str(p))]

    figures = {}
    for name, read in (("pypdfium2", pdfium), ("pypdf", pypdf), ("pdfminer.six", pdfminer)):
        try:
            read(pdf)
        except ImportError:
            continue
        start = time.perf_counter()
        text = "".join(read(pdf)).replace("\n", "").replace("\r", "")
        figures[name] = {"seconds": round(time.perf_counter() - start, 3), "reads_the_clause": "失信被执行人" in text}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--cold", type=int, default=3, help="cold runs (an empty cache each)")
    parser.add_argument("--warm", type=int, default=3, help="warm runs (the cache of the last cold run)")
    parser.add_argument("--compare-libraries", action="store_true")
    args = parser.parse_args()
    export = DATA / f"documents-{args.documents}-{args.pages}"
    expected = generate(export, args.documents, args.pages)
    size = sum(p.stat().st_size for p in (export / "docs").iterdir())
    cold, warm = [], []
    with tempfile.TemporaryDirectory(prefix="ggzy-bench-cache-") as scratch:
        for n in range(args.cold):
            cache = Path(scratch) / f"cold{n}"
            cold.append(_run(export, cache))
            print(f"cold {n + 1}: {cold[-1]['seconds']:.1f} s, peak {cold[-1]['peak_rss_mb']:.0f} MB", file=sys.stderr)
        for n in range(args.warm):
            warm.append(_run(export, cache))
            print(f"warm {n + 1}: {warm[-1]['seconds']:.1f} s, peak {warm[-1]['peak_rss_mb']:.0f} MB", file=sys.stderr)
    wrong = {k: (v, cold[0]["outcomes"].get(k)) for k, v in expected.items() if cold[0]["outcomes"].get(k) != v}
    assert not wrong, f"outcomes differ from the planted ones: {dict(list(wrong.items())[:5])}"
    assert all(run["outcomes"] == cold[0]["outcomes"] for run in cold + warm)
    assert all(run["from_cache"] == 0 for run in cold) and all(run["from_cache"] == args.documents for run in warm)
    result = {
        "documents": args.documents, "pages": args.pages, "bytes": size, "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "cold_seconds": [round(r["seconds"], 2) for r in cold], "warm_seconds": [round(r["seconds"], 2) for r in warm],
        "cold_median": round(statistics.median(r["seconds"] for r in cold), 2),
        "warm_median": round(statistics.median(r["seconds"] for r in warm), 2),
        "cold_peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in cold)),
        "warm_peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in warm)),
        "outcomes": {o: list(expected.values()).count(o) for o in sorted(set(expected.values()))},
    }
    if args.compare_libraries:
        result["libraries"] = compare_libraries(export / "bases" / "v0.pdf")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
