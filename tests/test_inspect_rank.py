"""``ggzy inspect`` (one project on one page) and ``ggzy rank`` (audit-risk score with its parts,
drawable with ``ggzy draw --from-rank`` and verifiable like any draw), on the sample export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.draw_verify import verify

from helpers import output_text

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-export"
AS_OF = "2026-11-27"


@pytest.fixture(scope="module")
def page_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("inspect") / "HG2026-009.html"
    assert main(["inspect", str(SAMPLE), "HG2026-009", "--as-of", AS_OF, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_inspect_shows_the_timeline_with_the_limit_each_step_was_held_to(page_html):
    assert "兴山区道路照明改造工程" in page_html
    # 350万 施工, 依法必须招标 not filled: below the 400万 threshold, so 条例 §54's publicity does not bind it
    # (issue #8): the step is on the timeline, with no limit it was held to
    assert "中标候选人公示开始" in page_html and "中标候选人公示期少于3日" not in page_html
    assert "未在中标通知书发出后30日内订立书面合同" in page_html  # held to, and met


def test_inspect_shows_notices_bids_groups_complaints_and_every_rules_outcome(page_html):
    assert "N011" in page_html and "招标公告或招标文件未载明信用条件" in page_html
    assert "鹤岗市宏泰市政工程有限公司" in page_html and "G001" in page_html and "疑似围标串标" in page_html
    assert "TS2026-09" in page_html  # the complaint about this project
    assert "无法判断" in page_html or "未评估" in page_html or "待到期" in page_html or "合规" in page_html
    assert page_html.count("<tr>") > 40


def test_inspect_masks_personal_data(page_html):
    assert "230402197412050485" not in page_html and "230402198707171334" not in page_html  # legal rep, agent IDs
    assert "王淑芬" not in page_html and "王**" in page_html


def test_inspect_escapes_what_the_export_says(tmp_path):
    export = Path(shutil.copytree(SAMPLE, tmp_path / "export"))
    projects = export / "projects.csv"
    projects.write_text(projects.read_text(encoding="utf-8").replace("兴山区道路照明改造工程", "<script>alert(1)</script>"),
                        encoding="utf-8")
    out = tmp_path / "p.html"
    assert main(["inspect", str(export), "HG2026-009", "--as-of", AS_OF, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_inspect_writes_word_and_refuses_an_unknown_project(tmp_path, capsys):
    out = tmp_path / "p.docx"
    assert main(["inspect", str(SAMPLE), "HG2026-007", "--as-of", AS_OF, "--out", str(out)]) == 0
    assert "工农区排水管网改造工程" in output_text(out)
    assert main(["inspect", str(SAMPLE), "HG2099-999", "--as-of", AS_OF]) == 2
    assert "HG2099-999" in capsys.readouterr().err


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    out = tmp_path_factory.mktemp("rank")
    assert main(["rank", str(SAMPLE), "--out", str(out), "--as-of", AS_OF]) == 0
    return out


def test_rank_scores_every_project_with_parts_that_add_up(ranked):
    data = json.loads((ranked / "rank.json").read_text(encoding="utf-8"))
    assert len(data["projects"]) == 13
    for p in data["projects"]:
        assert p["score"] == sum(p["parts"].values())
    scores = [p["score"] for p in data["projects"]]
    assert scores == sorted(scores, reverse=True)
    top = data["projects"][0]
    # the rotating group G001 (strength 18, suspected) bids in 007, 009 and 010
    assert {p["project_id"] for p in data["projects"][:3]} == {"HG2026-007", "HG2026-009", "HG2026-010"}
    assert top["parts"]["groups"] == 18 + 5 and top["parts"]["collusion_leads"] > 0
    assert "风险得分" in (ranked / "rank.csv").read_text(encoding="utf-8-sig")


def test_a_risk_weighted_draw_from_the_rank_verifies_and_fails_on_a_changed_rank(ranked, tmp_path):
    out = tmp_path / "draw"
    assert main(["draw", str(SAMPLE), "--from-rank", str(ranked / "rank.json"), "--seed", "审计抽样 1",
                 "--out", str(out), "--date", "2026-12-01"]) == 0
    record = json.loads((out / "draw-record.json").read_text(encoding="utf-8"))
    assert "rank.json" in record["inputs"] and record["source"] == "rank:rank.json"
    assert verify(out / "draw-record.json", SAMPLE, rank_file=ranked / "rank.json").ok
    changed = tmp_path / "rank.json"
    data = json.loads((ranked / "rank.json").read_text(encoding="utf-8"))
    data["projects"][-1]["score"] += 100
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    v = verify(out / "draw-record.json", SAMPLE, rank_file=changed)
    assert not v.ok and any("rank.json" in d for d in v.differences)
