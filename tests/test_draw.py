"""``ggzy draw`` (鹤发改公管〔2022〕216号 三): the draw on the sample export, its verification
(any changed input byte, policy value or seed is named), the policy's validation, and the
inspector rules (qualified on the draw date, no conflict, per-inspector cap)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.draw import run_draw
from pipelines.draw_policy import load_policy, parse_policy
from pipelines.draw_verify import verify
from pipelines.yamlfile import YamlError

from helpers import output_text, snapshot, write_files

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-export"
SEED = "2026-12-01 鹤岗市公共资源交易监督抽查 公开种子 2026138"


@pytest.fixture(scope="module")
def sample_draw(tmp_path_factory):
    out = tmp_path_factory.mktemp("draw")
    before = snapshot(SAMPLE)
    assert main(["draw", str(SAMPLE), "--seed", SEED, "--out", str(out), "--date", "2026-12-01"]) == 0
    assert snapshot(SAMPLE) == before  # inputs are never modified
    return out


def test_draw_on_the_sample_writes_the_plan_the_list_and_the_record(sample_draw):
    plan = (sample_draw / "抽查计划.txt").read_text(encoding="utf-8")
    for part in ("抽查事项", "抽查对象", "执法人员", "检查时间", "随机种子", SEED, "ggzy draw --verify"):
        assert part in plan
    record = json.loads((sample_draw / "draw-record.json").read_text(encoding="utf-8"))
    assert record["algorithm"]["name"].startswith("efraimidis-spirakis")
    assert set(record["inputs"]) == {"inspection_targets.csv", "projects.csv", "inspectors.csv", "bids.csv"}
    drawn = [t["target_id"] for t in record["result"]["targets"]]
    assert len(drawn) == 3 == len(set(drawn))  # ⌈10 × 0.3⌉, each once
    risk = {"ML2026-003": "高", "ML2026-006": "高", "ML2026-009": "高", "ML2026-002": "低", "ML2026-007": "低"}
    assert {risk.get(t, "中/未定") for t in drawn} >= {"高", "低"}  # 5% minimum of each level: one of each
    table = output_text(sample_draw / "抽查名单.xlsx") + (sample_draw / "抽查名单.csv").read_text(encoding="utf-8-sig")
    assert drawn[0] in table


def test_published_outputs_mask_inspector_names_and_never_show_resident_ids(sample_draw):
    texts = "".join(output_text(p) for p in sample_draw.iterdir())
    for name in ("崔建新", "许文博", "孟庆丰", "刘春生"):
        assert name not in texts
    for resident_id in ("230402197412050485", "230404198005210370"):
        assert resident_id not in texts


def test_verify_confirms_an_unchanged_draw(sample_draw, capsys):
    assert main(["draw", "--verify", str(sample_draw / "draw-record.json"), str(SAMPLE)]) == 0
    assert "复核通过" in capsys.readouterr().out


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "export"))


def test_verify_names_the_input_file_whose_bytes_changed(sample_draw, tmp_path):
    export = _copy(tmp_path)
    path = export / "bids.csv"
    path.write_bytes(path.read_bytes() + b"\n")  # one byte, no data change
    v = verify(sample_draw / "draw-record.json", export)
    assert not v.ok and any("bids.csv" in d for d in v.differences)


def test_verify_names_a_changed_policy_value_in_the_record_or_the_policy_file(sample_draw, tmp_path):
    record = json.loads((sample_draw / "draw-record.json").read_text(encoding="utf-8"))
    record["policy"]["values"]["targets"]["weights"]["risk_level"]["高"] = 30
    changed = tmp_path / "record.json"
    changed.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    v = verify(changed, SAMPLE)
    assert not v.ok and any("策略" in d and "摘要" in d for d in v.differences)

    policy = tmp_path / "policy.yaml"
    text = Path(record["policy"]["file"]).read_text(encoding="utf-8")
    policy.write_text(text.replace("max_targets_each: 3", "max_targets_each: 4"), encoding="utf-8")
    v = verify(sample_draw / "draw-record.json", SAMPLE, policy_file=policy)
    assert not v.ok and any("inspectors.max_targets_each: 3 → 4" in d for d in v.differences)


def test_verify_fails_when_the_seed_is_changed(sample_draw, tmp_path):
    record = json.loads((sample_draw / "draw-record.json").read_text(encoding="utf-8"))
    record["seed"]["text"] += "x"
    changed = tmp_path / "record.json"
    changed.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    v = verify(changed, SAMPLE)
    assert not v.ok and any("种子" in d for d in v.differences)


def test_verify_names_targets_that_differ_when_the_result_was_edited(sample_draw, tmp_path, capsys):
    record = json.loads((sample_draw / "draw-record.json").read_text(encoding="utf-8"))
    record["result"]["targets"][0]["target_id"] = "ML2026-999"
    changed = tmp_path / "record.json"
    changed.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert main(["draw", "--verify", str(changed), str(SAMPLE)]) == 1
    shown = capsys.readouterr().out
    assert "ML2026-999" in shown and "复核未通过" in shown


def test_same_inputs_and_seed_give_the_same_draw_and_another_seed_another(tmp_path):
    policy = load_policy()
    day = dt.date(2026, 12, 1)
    a = run_draw(SAMPLE, policy, SEED, date=day)
    b = run_draw(SAMPLE, policy, SEED, date=day)
    assert a.targets["target_id"].tolist() == b.targets["target_id"].tolist()
    assert a.assignments["inspector_id"].tolist() == b.assignments["inspector_id"].tolist()
    others = {tuple(run_draw(SAMPLE, policy, f"seed {k}", date=day).targets["target_id"]) for k in range(8)}
    assert len(others) > 1


def test_a_policy_mistake_names_the_file_line_and_field():
    with pytest.raises(YamlError) as info:
        parse_policy("targets:\n  ratio: 0.2\n  weights:\n    risk_level: {高: -3}\n", "policy.yaml")
    assert "policy.yaml" in str(info.value) and "第3行" in str(info.value) and "targets.weights" in str(info.value)
    with pytest.raises(YamlError) as info:
        parse_policy("targets:\n  ratio: 0.2\ninspectors:\n  per_targte: 2\n", "policy.yaml")
    assert "第4行" in str(info.value) and "inspectors.per_targte" in str(info.value)
    with pytest.raises(YamlError, match="ratio 与 count"):
        parse_policy("targets: {}\n", "policy.yaml")


def test_the_draw_policy_is_not_loaded_as_a_rule():
    from pipelines.rules import load_pack

    assert all("draw" not in str(r.path.parent.name) for r in load_pack().rules)


# --- inspectors: qualified, no conflict, capped --------------------------------------------

PROJECTS = "项目编号,项目名称,行业监督部门,招标人\n" + "".join(
    f"P{k},工程{k},市住建局,{'鹤岗市排水有限公司' if k == 1 else f'招标人{k}'}\n" for k in range(1, 7))
TARGETS = "名录编号,项目编号,风险等级,信用等级,专业类别\n" + "".join(
    f"T{k},P{k},{'高中低'[k % 3]},B,市政公用工程\n" for k in range(1, 7))
BIDS = "投标编号,项目编号,投标人,法定代表人身份证号\nB1,P2,某公司,230402197412050485\nB2,P3,某公司,110101199003074514\n"
INSPECTORS = ("执法人员编号,所属部门,姓名,执法资质,业务专长,执法资格起始日期,执法资格截止日期,工作单位,身份证号\n"
              "OK1,市住建局,甲一,行政执法证,市政公用工程,2020-01-01,,市住建局,230404198005210370\n"
              "OK2,市住建局,甲二,行政执法证,市政公用工程；房屋建筑工程,2020-01-01,2030-01-01,市住建局,230404197811040746\n"
              "OK3,市住建局,甲三,行政执法证,市政公用工程,2020-01-01,2026-12-01,市住建局,230404198302191110\n"
              "UNIT,市住建局,乙一,行政执法证,市政公用工程,2020-01-01,,鹤岗市排水有限公司,23040419790830148X\n"
              "IDLINK,市住建局,乙二,行政执法证,市政公用工程,2020-01-01,,市住建局,230402197412050485\n"
              "EXPIRED,市住建局,丙一,行政执法证,市政公用工程,2020-01-01,2026-11-30,市住建局,230404197206151851\n"
              "LATER,市住建局,丙二,行政执法证,市政公用工程,2026-12-02,,市住建局,230404198509072223\n"
              "NOQUAL,市住建局,丙三,,市政公用工程,2020-01-01,,市住建局,230404198101282593\n"
              "NODATE,市住建局,丙四,行政执法证,市政公用工程,,,市住建局,230404198704132965\n"
              "OTHERDEPT,市水务局,丁一,行政执法证,市政公用工程,2020-01-01,,市水务局,230404197607223334\n"
              "OTHERSPEC,市住建局,丁二,行政执法证,公路工程,2020-01-01,,市住建局,230404198403053702\n")
POLICY = """targets: {count: 6}
inspectors: {per_target: 2, max_targets_each: 4}
"""


def test_only_qualified_unconflicted_matching_inspectors_are_drawn_and_none_beyond_its_cap(tmp_path):
    export = write_files(tmp_path / "e", {"projects.csv": PROJECTS, "inspection_targets.csv": TARGETS,
                                          "bids.csv": BIDS, "inspectors.csv": INSPECTORS})
    policy = parse_policy(POLICY, "policy.yaml")
    ineligible = {"EXPIRED", "LATER", "NOQUAL", "NODATE", "OTHERDEPT", "OTHERSPEC"}
    ever = set()
    for k in range(25):
        d = run_draw(export, policy, f"种子 {k}", date=dt.date(2026, 12, 1))
        pairs = list(zip(d.assignments["target_id"], d.assignments["inspector_id"]))
        drawn = {i for _, i in pairs}
        assert not drawn & ineligible
        ever |= drawn
        assert ("T1", "UNIT") not in pairs and ("T2", "IDLINK") not in pairs  # tenderer's unit; bidder's ID
        assert d.assignments["inspector_id"].value_counts().max() <= 4
        assert len(pairs) == len(set(pairs))
        # 6 targets × 2 places; each target has ≥ 4 eligible inspectors of capacity 4, so a short
        # target would need 16 places taken by the other 10: every target is staffed
        assert len(pairs) == 12 and not d.unstaffed
    assert {"UNIT", "IDLINK", "OK3"} <= ever  # eligible ones are drawn (OK3: last valid day is the draw day)


def test_a_target_without_enough_eligible_inspectors_is_reported_short_not_filled(tmp_path):
    export = write_files(tmp_path / "e", {"projects.csv": PROJECTS, "inspection_targets.csv": TARGETS,
                                          "inspectors.csv": INSPECTORS})
    policy = parse_policy("targets: {count: 6}\ninspectors: {per_target: 3, max_targets_each: 1}\n", "p.yaml")
    d = run_draw(export, policy, "种子", date=dt.date(2026, 12, 1))
    assert len(d.assignments) == 5  # OK1-3, UNIT (not for T1), IDLINK (no bids: link unknowable) once each
    assert sum(u["needed"] - u["assigned"] for u in d.unstaffed) == 18 - 5
    assert any("投标记录" in n for n in d.notes)


def test_a_department_draws_only_its_own_targets_and_inspectors():
    d = run_draw(SAMPLE, load_policy(), SEED, date=dt.date(2026, 12, 1), department="市住建局")
    assert d.population["targets"] == 3  # ML2026-001, -006, -008
    assert set(d.targets["department"]) == {"市住建局"}
    assert set(d.assignments["inspector_id"]) <= {"ZF001", "ZF002", "ZF003"}
    # ZF003's qualification ended 2026-10-15; ZF002 works at the tenderer of HG2026-007 (ML2026-006);
    # ZF001's resident ID is a bidder's legal representative in HG2026-007 and HG2026-009 (ML2026-008)
    pairs = set(zip(d.assignments["target_id"], d.assignments["inspector_id"]))
    assert "ZF003" not in set(d.assignments["inspector_id"])
    assert not pairs & {("ML2026-006", "ZF002"), ("ML2026-006", "ZF001"), ("ML2026-008", "ZF001")}
