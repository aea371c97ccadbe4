"""The 双随机 draw policy (鹤发改公管〔2022〕216号 三(二)): how many targets, with what
probability by risk and credit level, the minimum share of each level, and how inspectors are
chosen (三(一)). A YAML file people write, validated like a rule file: every mistake names the
file, the line and the field.

The policy's *digest* is the SHA-256 of its validated values as canonical JSON; a draw record
holds the values and the digest, so a changed value is found on verification.

>>> p = parse_policy("targets: {ratio: 0.1}\\n", "p.yaml")
>>> p.targets.ratio, p.inspectors.per_target, len(policy_digest(p))
(0.1, 2, 64)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .yamlfile import YamlDoc, YamlError, validate_with
from .shipped import DEFAULT_RULES_DIR

DEFAULT_POLICY = DEFAULT_RULES_DIR / "draw" / "policy.yaml"
LEVEL_DIMENSIONS = ("risk_level", "credit_level")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    risk_level: dict[str, float] = Field(default_factory=dict)
    credit_level: dict[str, float] = Field(default_factory=dict)
    unknown: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _non_negative(self):
        for dim in LEVEL_DIMENSIONS:
            bad = [k for k, v in getattr(self, dim).items() if not v >= 0]
            if bad:
                raise ValueError(f"{dim} 权重不能为负 weights must be ≥ 0: {', '.join(bad)}")
        return self


class Targets(_Strict):
    ratio: float | None = Field(default=None, gt=0, le=1)
    count: int | None = Field(default=None, ge=0)
    weights: Weights = Field(default_factory=Weights)
    minimum_ratio: dict[str, dict[str, float]] = Field(default_factory=dict)
    rank_base: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _size_and_minimums(self):
        if (self.ratio is None) == (self.count is None):
            raise ValueError("ratio 与 count 须且只须填写一项 / give exactly one of ratio and count")
        for dim, levels in self.minimum_ratio.items():
            if dim not in LEVEL_DIMENSIONS:
                raise ValueError(f"minimum_ratio 只能按 {'/'.join(LEVEL_DIMENSIONS)} 设定 / unknown dimension {dim!r}")
            for level, share in levels.items():
                if not 0 <= share <= 1:
                    raise ValueError(f"minimum_ratio.{dim}.{level} 应在 0–1 之间 / must be within 0..1")
                if share > 0 and getattr(self.weights, dim).get(level, self.weights.unknown) == 0:
                    raise ValueError(f"{dim} {level} 权重为 0 却要求保底比例 / a level with weight 0 cannot have a minimum")
        return self


class Inspectors(_Strict):
    per_target: int = Field(default=2, ge=1)
    max_targets_each: int = Field(default=3, ge=1)
    same_department: bool = True
    match_speciality: bool = True
    require_qualification: bool = True


class Policy(_Strict):
    name: str = "双随机抽查策略"
    version: str = "1"
    matter: str = "公共资源交易招标投标活动监督检查"
    targets: Targets
    inspectors: Inspectors = Field(default_factory=Inspectors)
    inspection_days: int = Field(default=30, ge=1)


def parse_policy(text: str, path: str) -> Policy:
    doc = YamlDoc.from_text(text, path)
    if not isinstance(doc.data, dict):
        raise YamlError(f"{path}: 抽查策略应为键值映射 / the policy must be a mapping")
    return validate_with(doc, Policy)


def load_policy(path: Path | None = None) -> Policy:
    """The policy file (default ``rules/draw/policy.yaml``); YamlError names file, line, field."""
    doc = YamlDoc.load(Path(path or DEFAULT_POLICY))
    if not isinstance(doc.data, dict):
        raise YamlError(f"{doc.path}: 抽查策略应为键值映射 / the policy must be a mapping")
    return validate_with(doc, Policy)


def policy_values(policy: Policy) -> dict:
    return policy.model_dump(mode="json")


def policy_digest(policy: Policy | dict) -> str:
    values = policy_values(policy) if isinstance(policy, Policy) else policy
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def value_differences(recorded: dict, current: dict, prefix: str = "") -> list[str]:
    """Each policy value that differs, as ``field: recorded → current``.

    >>> value_differences({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}})
    ['a.c: 2 → 3']
    """
    out = []
    for key in sorted(set(recorded) | set(current)):
        r, c, name = recorded.get(key), current.get(key), f"{prefix}{key}"
        if isinstance(r, dict) and isinstance(c, dict):
            out += value_differences(r, c, name + ".")
        elif r != c:
            out.append(f"{name}: {json.dumps(r, ensure_ascii=False)} → {json.dumps(c, ensure_ascii=False)}")
    return out
