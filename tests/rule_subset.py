"""A rule folder holding only some rules — shipped rule files copied as they are, or rule texts a
test writes — beside the shipped calendar, so that a test audits with one or two rules instead of
loading the whole pack (loading ~50 YAML files takes about a second)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parent.parent / "rules"


def rule_folder(folder: Path, *shipped: str, **written: str) -> Path:
    """``folder`` with the shipped rules ``shipped`` (ids) and ``written`` (file stem → YAML text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for rule_id in shipped:
        shutil.copy(RULES / f"{rule_id}.yaml", folder / f"{rule_id}.yaml")
    for stem, text in written.items():
        (folder / f"{stem}.yaml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if not (folder / "calendar").exists():
        (folder / "calendar").symlink_to(RULES / "calendar", target_is_directory=True)
    return folder


def audit_with(*rule_ids: str):
    """A fixture: ``audit(files, as_of=…)`` audits with only the shipped rules ``rule_ids``
    (through conftest's ``audit_export``). Use as ``audit = audit_with("rule-id")`` in a test module."""

    @pytest.fixture
    def audit(audit_export, tmp_path):
        folder = rule_folder(tmp_path / "rules", *rule_ids)
        return lambda files, as_of="2026-11-27": audit_export(files, as_of=as_of, rules_dir=folder)

    return audit
