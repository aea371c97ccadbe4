"""``local.yaml``: a city's changes to a copied rule pack, applied when the pack is loaded.

A city copies ``rules/``, keeps the rule files as they are and writes what it changes into
``local.yaml`` beside them::

    disable: [credit-clause-persons]          # rules not run by default (--only still runs them)
    params:
      inspection-disclosure:
        within: {working_days: 5}             # each field given replaces the rule file's field
        severity: warning

Each field under ``params.<rule-id>`` replaces the rule file's field of that name as a whole (no
deep merge: ``within: {days: 7}`` replaces ``within: {working_days: 10}``), then the result is
validated by the rule's check kind exactly like a rule file. A problem in an overridden field is
reported against local.yaml (``rules/local.yaml 第4行 字段 field params.inspection-disclosure.within.working_days``);
a problem elsewhere against the rule file, noting the overrides. ``id`` and ``check`` cannot be
overridden; rule ids in ``disable`` and ``params`` must exist in the pack. The file's bytes go
into the pack digest, and :meth:`LocalOverrides.describe` is what summary.json shows auditors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from .yamlfile import YamlDoc, YamlError, validate_with

FILE = "local.yaml"
#: fields that identify a rule; changing them would make another rule, not a local variant
PROTECTED = ("id", "check")


class LocalFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disable: list[str] = []
    params: dict[str, dict[str, Any]] = {}


@dataclass
class OverlayDoc:
    """A rule file with local.yaml's fields laid over it: ``data`` is the merged rule, ``error``
    names local.yaml for an overridden field and the rule file for the rest. It stands in for the
    rule's :class:`YamlDoc` while the rule is validated."""

    rule_doc: YamlDoc
    local_doc: YamlDoc
    rule_id: str
    fields: list[str]
    data: dict

    @property
    def path(self) -> str:
        return self.rule_doc.path

    def error(self, loc: tuple, problem: str) -> YamlError:
        if loc and str(loc[0]) in self.fields:
            return self.local_doc.error(("params", self.rule_id, *loc), problem)
        note = (f"（已按 {self.local_doc.path} 覆盖 {', '.join(self.fields)} / "
                f"after the overrides in {Path(self.local_doc.path).name}）")
        return self.rule_doc.error(loc, problem + note)


def _jsonable(value):
    """YAML values as JSON can hold them (safe_load may give dates)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


@dataclass
class LocalOverrides:
    doc: YamlDoc
    sha256: str
    disable: list[str]
    params: dict[str, dict[str, Any]]
    seen_ids: set[str] = field(default_factory=set)  # every rule id the pack's files declare
    was: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> field -> the rule file's value

    @property
    def version_suffix(self) -> str:
        return f"+local.{self.sha256[:8]}"

    def overlay(self, doc: YamlDoc) -> YamlDoc | OverlayDoc:
        """The rule document with this file's params for its rule laid over it."""
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get("id"), str):
            return doc
        rule_id = doc.data["id"]
        self.seen_ids.add(rule_id)
        changes = self.params.get(rule_id)
        if not changes:
            return doc
        protected = [name for name in changes if name in PROTECTED]
        if protected:
            raise YamlError("\n".join(str(self.doc.error(("params", rule_id, name),
                                                         "不能在本地修改规则的编号或检查类型 / id and check cannot be "
                                                         "overridden; 请另写规则文件 write a new rule file instead"))
                                      for name in protected))
        self.was[rule_id] = {name: _jsonable(doc.data.get(name)) for name in changes}
        return OverlayDoc(doc, self.doc, rule_id, list(changes), {**doc.data, **changes})

    def finish(self, rules: list) -> list[str]:
        """After every rule file was read: errors for unknown rule ids; disabled rules marked."""
        errors = []
        for i, rule_id in enumerate(self.disable):
            if rule_id not in self.seen_ids:
                errors.append(str(self.doc.error(("disable", i), f"未知规则 unknown rule id {rule_id!r}")))
        for rule_id in self.params:
            if rule_id not in self.seen_ids:
                errors.append(str(self.doc.error(("params", rule_id), f"未知规则 unknown rule id {rule_id!r}")))
        for rule in rules:
            if rule.id in self.disable:
                rule.spec = rule.spec.model_copy(update={"enabled": False})
        return errors

    def describe(self) -> dict:
        """What summary.json's ``rule_pack.local_overrides`` shows: the file, its fingerprint, the
        disabled rules and every changed field with its value before and after."""
        return {
            "file": self.doc.path, "sha256": self.sha256, "disabled": list(self.disable),
            "params": [{"rule_id": rule_id, "field": name, "was": self.was.get(rule_id, {}).get(name),
                        "now": _jsonable(value)}
                       for rule_id, changes in self.params.items() for name, value in changes.items()],
        }


def load_local(folder: Path) -> LocalOverrides | None:
    """``folder/local.yaml`` validated, or None when the pack has none. An empty file (comments
    only) changes nothing but is still fingerprinted."""
    path = Path(folder) / FILE
    if not path.exists():
        return None
    doc = YamlDoc.load(path)
    raw = path.read_bytes()
    if doc.data is not None and not isinstance(doc.data, dict):
        raise doc.error((), "local.yaml 应为映射（disable:, params:）/ must be a mapping")
    spec = validate_with(doc, LocalFile, data=doc.data or {})
    return LocalOverrides(doc, hashlib.sha256(raw).hexdigest(), list(dict.fromkeys(spec.disable)), spec.params)
