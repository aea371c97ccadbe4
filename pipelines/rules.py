"""The rule pack: every ``rules/*.yaml`` file loaded with ``yaml.safe_load`` and validated.

A rule file names its check kind (``check: deadline``); the kind's ``Spec`` validates the rest.
Every problem is reported with the file, the line and the field, all at once, so a person
fixing a pack sees every mistake in one run.

>>> pack = load_pack(DEFAULT_RULES_DIR)
>>> "inspection-disclosure" in pack.ids()
True
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

import checks
from checks.base import RuleSpec

from . import schema
from .clauses import DEFAULT_RULES_DIR, unknown_clause_refs
from .examples import Example, parse_examples
from .overrides import LocalOverrides, load_local
from .yamlfile import YamlDoc, YamlError, validate_with

NOT_RULES = {"pack.yaml", "local.yaml", "mapping.yaml", "clauses.yaml", "coverage.yaml"}
#: fields every message template may use besides the table's columns and the kind's FIELDS
RECORD_FIELDS = ("record_id", "project_id", "department")


class PackFile(pydantic.BaseModel):
    """pack.yaml's shape: the pack's name, version and the rules' order in reports."""
    model_config = pydantic.ConfigDict(extra="allow")
    name: str | None = None
    version: str | int | float | None = None
    order: list[str] = []


class RuleError(YamlError):
    """The rule pack has mistakes; the message lists each with file, line and field."""


@dataclass
class Rule:
    spec: RuleSpec
    kind: object  # the check-kind module
    path: Path
    template: list[tuple[str, str | None]]  # (literal text, field or None) pairs of the message
    examples: list[Example] = field(default_factory=list)  # the rule file's examples (pipelines.examples)

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass
class RulePack:
    folder: Path
    name: str
    version: str
    digest: str
    rules: list[Rule]
    local_overrides: dict | None = None  # what local.yaml changed (pipelines.overrides), None without one

    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def select(self, only: list[str] | None) -> list[Rule]:
        if not only:
            return [r for r in self.rules if r.spec.enabled]
        unknown = [i for i in only if i not in self.ids()]
        if unknown:
            raise RuleError(f"未知规则 unknown rule id: {', '.join(unknown)}; 可用 known: {', '.join(self.ids())}")
        return [r for r in self.rules if r.id in only]


def _template(doc: YamlDoc, spec: RuleSpec, kind) -> list[tuple[str, str | None]]:
    try:
        parts = [(text, name) for text, name, _, _ in string.Formatter().parse(spec.message)]
    except ValueError as exc:
        raise doc.error(("message",), f"消息模板格式错误 bad template: {exc}") from None
    for _, name in parts:
        if name is None or name in RECORD_FIELDS or name in kind.FIELDS:
            continue
        if getattr(kind, "GROUPED", False):
            raise doc.error(("message",), f"模板字段 {{{name}}} 未知 / unknown template field; 可用 known: "
                                          f"{', '.join(list(RECORD_FIELDS) + list(kind.FIELDS))}")
        try:
            column = schema.column(spec.table, spec.require_column(name))
        except (ValueError, KeyError):
            raise doc.error(("message",), f"模板字段 {{{name}}} 未知 / unknown template field; "
                                          f"可用 known: {', '.join(list(RECORD_FIELDS) + list(kind.FIELDS))} "
                                          f"或数据表 {spec.table} 的列 or a column") from None
        if column.personal:
            raise doc.error(("message",), f"模板字段 {{{name}}} 是个人信息，不得写入消息 / personal data not allowed in messages")
    return [(text, name or None) for text, name in parts]


def load_rule(path: Path, local: LocalOverrides | None = None) -> Rule:
    doc = YamlDoc.load(path)
    if local is not None:  # local.yaml's params for this rule laid over the file, errors located in either
        doc = local.overlay(doc)
    if not isinstance(doc.data, dict):
        raise doc.error((), "规则文件应为映射 a rule file must be a mapping")
    name = doc.data.get("check")
    if name not in checks.KINDS:
        raise doc.error(("check",), f"未知检查类型 unknown check kind {name!r}; 可用 known: {', '.join(checks.KINDS)}")
    kind = checks.kind(name)
    spec = validate_with(doc, kind.Spec)
    problems = spec.problems()
    if problems:
        raise YamlError("\n".join(str(doc.error(loc, p)) for loc, p in problems))
    return Rule(spec, kind, path, _template(doc, spec, kind), parse_examples(doc, spec, kind))


def load_pack(folder: Path | None = None) -> RulePack:
    """Load and validate every rule in ``folder``; raise RuleError listing all problems."""
    folder = Path(folder or DEFAULT_RULES_DIR)
    if not folder.is_dir():
        raise RuleError(f"{folder}: 规则目录不存在 / rules folder not found")
    files = sorted(p for p in folder.glob("*.yaml") if p.name not in NOT_RULES)
    rules, errors, seen = [], [], {}
    errors += [f"{p}: 是文件夹，不是规则文件 / is a folder, not a rule file" for p in files if p.is_dir()]
    files = [p for p in files if not p.is_dir()]
    digest = hashlib.sha256()
    try:
        local = load_local(folder)
    except YamlError as exc:
        local = None
        errors.append(str(exc))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        try:
            rule = load_rule(path, local)
        except YamlError as exc:
            errors.append(str(exc))
            continue
        if rule.id in seen:
            errors.append(f"{path} 字段 field id: 规则编号重复 duplicate rule id {rule.id!r} (also in {seen[rule.id].name})")
            continue
        seen[rule.id] = path
        rules.append(rule)
    for path in sorted(p for p in folder.glob("*/*.yaml") if p.is_file()):  # calendar years, network parameters
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    if local is not None:
        errors += local.finish(rules)
        digest.update(b"local.yaml\0" + local.sha256.encode())
    errors += unknown_clause_refs(folder, rules)
    if errors:
        raise RuleError("\n".join(errors))
    meta = {}
    if (folder / "pack.yaml").exists():
        doc = YamlDoc.load(folder / "pack.yaml")
        meta = validate_with(doc, PackFile, data=doc.data or {}).model_dump(exclude_none=True)
    order = {rule_id: i for i, rule_id in enumerate(meta.get("order") or [])}
    rules.sort(key=lambda r: (order.get(r.id, len(order)), r.path.name))
    return RulePack(folder, str(meta.get("name", folder.name)),
                    str(meta.get("version", "0")) + (local.version_suffix if local else ""),
                    digest.hexdigest()[:12], rules, local.describe() if local else None)
