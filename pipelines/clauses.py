"""The notice's clauses, quoted: ``rules/clauses.yaml`` maps a clause id (三(三)) to its title and
text, so reports can quote the obligation a rule serves and the rule catalogue can show which
clause every rule covers.

>>> clause_for_basis("鹤发改公管〔2022〕216号 三(三)", load_clauses()).title
'开展“双随机、一公开”监督检查'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .rules import DEFAULT_RULES_DIR
from .yamlfile import YamlDoc

DOCUMENT = "鹤发改公管〔2022〕216号"


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    text: str


def load_clauses(rules_dir: Path | None = None) -> dict[str, Clause]:
    """Clause id -> Clause; empty when the pack has no clauses.yaml."""
    path = Path(rules_dir or DEFAULT_RULES_DIR) / "clauses.yaml"
    if not path.exists():
        return {}
    data = YamlDoc.load(path).data or {}
    return {str(k): Clause(str(k), v["title"], v["text"]) for k, v in (data.get("clauses") or {}).items()}


def clause_for_basis(basis: str, clauses: dict[str, Clause]) -> Clause | None:
    """The clause a rule's ``basis`` names, when the basis is this notice (not a statute)."""
    if not basis.startswith(DOCUMENT):
        return None
    return clauses.get(basis[len(DOCUMENT):].strip())
