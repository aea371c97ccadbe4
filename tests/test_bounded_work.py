"""Issue #9.2: no hangs, no blow-ups. Notice text is normalised in time linear in its size, even
for text made to defeat the patterns (a long Latin name in brackets after a CJK character, a
thousand unclosed ``<a``, ``<script`` or ``<!--``), and no YAML file a user or an export supplies
may use anchors or aliases (an alias bomb of 500 bytes expands to gigabytes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli
from pipelines.cli import main
from pipelines.notice_text import normalise
from pipelines.rules import DEFAULT_RULES_DIR

ADVERSARIAL = {
    "pinyin-like company name": ("鹤岗市城市建设投资集团有限公司(HEGANG CITY CONSTRUCTION INVESTMENT GROUP CO., LTD.)", False),
    "unclosed <a": ("<a 失信被执行人", True),
    "unclosed <script": ("<script>x()", True),
    "unclosed comment": ("<!--行贿", True),
    "unclosed block tag": ("<p class='x' 行贿", True),
    "tag soup": ("<<a<b<!--<script<style", True),
}

TIMER = """
import json, sys, time
from pipelines.notice_text import normalise
unit, is_html = json.loads(sys.argv[1])
def best(size, runs):
    text = (unit * (size // len(unit) + 1))[:size]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        normalise([text], [is_html])
        times.append(time.perf_counter() - start)
    return min(times)
normalise(["预热 warm-up"], [False])
print(json.dumps([best(1_000, 20), best(1_000_000, 1)]))
"""


@pytest.mark.parametrize("family", list(ADVERSARIAL))
def test_normalising_adversarial_text_grows_linearly(family):
    """1 MB takes about a thousand times what 1 KB takes; quadratic work would take a million
    times (and exponential never finishes: the child process is stopped after two minutes)."""
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run([sys.executable, "-c", TIMER, json.dumps(ADVERSARIAL[family])], cwd=root,
                              capture_output=True, text=True, timeout=120, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{family}: normalising 1 MB did not finish in two minutes")
    small, big = json.loads(done.stdout)
    assert big / max(small, 1e-5) < 50_000, (family, small, big)  # linear: ~1000; quadratic: ~1,000,000


def test_the_faster_patterns_keep_their_results():
    html = ["<p>失信被<b>執(zhí)</b>行人</p><script>x()</script><!-- c -->行贿(xing2hui4)犯罪<a href='x'>链接</a>"]
    assert normalise(html, [True]) == ["失信被执行人\n行贿犯罪链接"]
    assert normalise(["有限公司(HEGANG CITY CO., LTD.)执(zhi2)行"], [False]) == ["有限公司(HEGANGCITYCO.,LTD.)执行"]
    assert normalise(["<a 未闭合 <b>粗</b>"], [True]) == ["<a未闭合粗"]


# --- YAML: no anchors, no aliases, in any supplied file -----------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
INSPECTIONS = "抽查编号,实施部门,检查结束时间,抽查结果公开时间\nC1,市住建局,2026-03-02,2026-03-05\n"


def run(capsys, *args) -> tuple[int, str]:
    """(exit code, stdout and stderr together)."""
    code, out, err = run_cli(capsys, *args)
    return code, out + err


@pytest.mark.parametrize("where", ["mapping.yaml", "pack.yaml", "rule", "local.yaml", "clauses.yaml",
                                   "collusion/network.yaml", "calendar/2027.yaml"])
def test_a_yaml_alias_is_refused_with_file_and_line(capsys, tmp_path, where):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    export = tmp_path / "export"
    export.mkdir()
    (export / "inspections.csv").write_text(INSPECTIONS, encoding="utf-8")
    target = {"mapping.yaml": export / "mapping.yaml", "rule": rules / "inspection-disclosure.yaml"}.get(where,
                                                                                                         rules / where)
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(before + "\nbomb_" + BOMB.replace("\nb:", "\nbomb_b:").replace("\nc:", "\nbomb_c:"),
                      encoding="utf-8")
    code, output = run(capsys, "audit", export, "--out", tmp_path / "out", "--rules", rules, "--as-of", "2026-11-27")
    assert code == 2, output
    assert "锚点与别名" in output and "anchors and aliases" in output and target.name in output
    assert "行" in output and "Traceback" not in output
    assert not (tmp_path / "out" / "summary.json").exists()
