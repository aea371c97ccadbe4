"""``ggzy draw --verify RECORD EXPORT_DIR``: re-run a published draw and confirm it, or say
exactly what differs — which input file's hash, which policy value, the seed, which targets
and which inspector assignments (鹤发改公管〔2022〕216号 三(三): the draw is public, so
anyone must be able to check it).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import draw_sampling as ds
from .draw import DrawError, record_of, run_draw
from .draw_policy import Policy, load_policy, policy_digest, policy_values, value_differences
from .yamlfile import YamlError


@dataclass
class Verification:
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def read_record(path: Path) -> dict:
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        record["seed"]["text"], record["policy"]["values"], record["result"]  # noqa: B018 - shape check
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DrawError(f"{path}: 不是 ggzy 抽取记录 / not a ggzy draw record: {exc}") from None
    return record


def _listed(label: str, items) -> str:
    items = sorted(items)
    return f"{label} {len(items)} 项：{'、'.join(items[:20])}{' 等' if len(items) > 20 else ''}"


def verify(record_path: Path, export_dir: Path, *, policy_file: Path | None = None,
           rank_file: Path | None = None) -> Verification:
    """Re-run the draw the record describes over ``export_dir`` and compare everything."""
    record = read_record(record_path)
    v = Verification()
    algo = record.get("algorithm", {})
    if (algo.get("name"), algo.get("version")) != (ds.ALGORITHM, ds.VERSION):
        v.differences.append(f"算法不同 algorithm differs: 记录 {algo.get('name')} v{algo.get('version')}，"
                             f"本程序 {ds.ALGORITHM} v{ds.VERSION}")
    seed = record["seed"]
    if ds.seed_digest(seed["text"]) != seed.get("sha256"):
        v.differences.append(f"随机种子与其摘要不符 seed text does not match its SHA-256: {seed['text']!r}")
    recorded_values = record["policy"]["values"]
    if policy_digest(recorded_values) != record["policy"].get("digest"):
        v.differences.append("记录中的策略取值与策略摘要不符（策略被改动）/ policy values do not match the policy digest")
    try:
        policy = Policy.model_validate(recorded_values)
    except ValueError as exc:
        v.differences.append(f"记录中的策略无效 / recorded policy invalid: {exc}")
        return v
    on_disk = policy_file or (Path(record["policy"]["file"]) if record["policy"].get("file") else None)
    if on_disk is not None and Path(on_disk).is_file():
        try:
            current = policy_values(load_policy(Path(on_disk)))
        except YamlError as exc:
            v.differences.append(f"策略文件无法读取 / policy file unreadable: {exc}")
        else:
            v.differences += [f"策略取值不同 policy value differs（记录 → {on_disk}）: {d}"
                              for d in value_differences(recorded_values, current)]
    source = record.get("source", "inspection_targets")
    if source.startswith("rank:") and rank_file is None:
        rank_file = Path(record_path).parent / source[len("rank:"):]
    draw = run_draw(Path(export_dir), policy, seed["text"], date=dt.date.fromisoformat(record["draw_date"]),
                    department=record.get("department"), policy_file=record["policy"].get("file"),
                    rank_file=rank_file)
    again = record_of(draw)
    for name in sorted(set(record["inputs"]) | set(again["inputs"])):
        was, now = record["inputs"].get(name), again["inputs"].get(name)
        if was != now:
            v.differences.append(f"输入文件 {name} 不同 input file differs: 记录 sha256 {str(was)[:16]}…，"
                                 f"现为 {str(now)[:16] + '…' if now else '（缺失 missing）'}")
    was, now = record["result"], again["result"]
    old_t = {t["target_id"] for t in was["targets"]}
    new_t = {t["target_id"] for t in now["targets"]}
    if old_t - new_t:
        v.differences.append(_listed("记录中抽中、重新抽取未抽中的检查对象 drawn in the record only:", old_t - new_t))
    if new_t - old_t:
        v.differences.append(_listed("重新抽取抽中、记录中没有的检查对象 drawn on re-run only:", new_t - old_t))
    if old_t == new_t and [t["target_id"] for t in was["targets"]] != [t["target_id"] for t in now["targets"]]:
        v.differences.append("检查对象相同但抽中顺序不同 / same targets, different draw order")
    old_a = {f"{t}→{i}" for t, i in was["assignments"]}
    new_a = {f"{t}→{i}" for t, i in now["assignments"]}
    if old_a - new_a:
        v.differences.append(_listed("记录中有、重新抽取没有的执法人员选派 assignments in the record only:", old_a - new_a))
    if new_a - old_a:
        v.differences.append(_listed("重新抽取有、记录中没有的执法人员选派 assignments on re-run only:", new_a - old_a))
    if not v.differences and record.get("result_sha256") != again["result_sha256"]:
        v.differences.append("抽取结果摘要不同 / result digest differs")
    return v
