"""Where the shipped rule pack is: the installed package ``ggzy_rules`` (the repository's
``rules/``, mapped in pyproject.toml, so a wheel carries it), or ``rules/`` beside the source
when ggzy runs from a checkout without being installed. Everything that defaults to the
shipped pack (rules, clauses, calendar years, network and scope parameters, gate thresholds)
takes the folder from here."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_pack() -> Path:
    try:
        folder = Path(str(files("ggzy_rules")))
    except ModuleNotFoundError:
        folder = None
    return folder if folder is not None and folder.is_dir() else Path(__file__).resolve().parent.parent / "rules"


DEFAULT_RULES_DIR = shipped_pack()
