"""The notice's clauses, quoted: ``rules/clauses.yaml`` maps a clause id (三(三)) to its title and
text, so reports can quote the obligation a rule serves and the rule catalogue can show which
clause every rule covers.

>>> clause_for_basis("鹤发改公管〔2022〕216号 三(三)", load_clauses()).title
'开展“双随机、一公开”监督检查'

A basis may cite several clauses of the notice and statutes besides, segments split by ；or ;
(a rule may also list clauses in its optional ``clauses`` field):

>>> refs = parse_basis("鹤发改公管〔2022〕216号 一(三)、四（二）；招标投标法实施条例 第五十四条")
>>> refs.clauses, refs.statutes
(['一(三)', '四(二)'], ['招标投标法实施条例 第五十四条'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .shipped import DEFAULT_RULES_DIR
from .yamlfile import YamlDoc, validate_with

DOCUMENT = "鹤发改公管〔2022〕216号"


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    text: str


class ClauseEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    text: str


class ClausesFile(BaseModel):
    """clauses.yaml's shape: the clauses by id, and notes about the document."""
    model_config = ConfigDict(extra="allow")
    clauses: dict[str, ClauseEntry] = {}


def load_clauses(rules_dir: Path | None = None) -> dict[str, Clause]:
    """Clause id -> Clause; empty when the pack has no clauses.yaml."""
    path = Path(rules_dir or DEFAULT_RULES_DIR) / "clauses.yaml"
    if not path.exists():
        return {}
    doc = YamlDoc.load(path)
    data = validate_with(doc, ClausesFile, data=doc.data or {})
    return {k: Clause(k, v.title, v.text) for k, v in data.clauses.items()}


def clause_for_basis(basis: str, clauses: dict[str, Clause]) -> Clause | None:
    """The (first) clause a rule's ``basis`` names, when the basis cites this notice."""
    return next((clauses[c] for c in parse_basis(basis).clauses if c in clauses), None)


#: a clause id as written after the notice's number: 三, 三(三), or the preamble
_CLAUSE_ID = re.compile(r"^(?:preamble|[一二三四五六七八九十]+(?:\([一二三四五六七八九十]+\))?)$")
_PREAMBLE = {"preamble", "印发通知", "通知", "前言"}
#: a piece after the notice's clauses that cites a statute instead (财政部令第94号, 条例 §54)
_STATUTE = re.compile(r"法|条例|令|规定|办法|§|第.+条")


@dataclass
class BasisRefs:
    """What a rule's ``basis`` cites: clause ids of the notice, statute citations (each segment
    that is not the notice, as written), and pieces after the notice's number that are no clause id."""

    clauses: list[str] = field(default_factory=list)
    statutes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def parse_basis(basis: str) -> BasisRefs:
    """Split a basis into notice clauses and statutes. Segments are separated by ；; or line breaks;
    in a segment naming the notice, the pieces after its number (separated by 、，, 和 及 or spaces)
    are clause ids; full-width brackets count as half-width."""
    refs = BasisRefs()
    for segment in re.split(r"[；;\n]", basis or ""):
        segment = segment.strip()
        if not segment:
            continue
        if DOCUMENT not in segment:
            refs.statutes.append(segment)
            continue
        before, after = segment.split(DOCUMENT, 1)
        if before.strip(" 《》、，,"):
            refs.statutes.append(before.strip(" 、，,"))
        after = after.replace("（", "(").replace("）", ")")
        for piece in re.split(r"[、，,\s]+|和|及", after):
            piece = piece.strip()
            if not piece:
                continue
            if piece in _PREAMBLE:
                piece = "preamble"
            target = (refs.clauses if _CLAUSE_ID.match(piece) else
                      refs.statutes if _STATUTE.search(piece) else refs.unresolved)
            if piece not in target:
                target.append(piece)
    return refs


def rule_clause_ids(spec) -> list[str]:
    """The notice clauses a rule serves: those its basis names, then its ``clauses`` field."""
    return list(dict.fromkeys(parse_basis(spec.basis).clauses + list(getattr(spec, "clauses", []) or [])))


def unknown_clause_refs(folder: Path, rules: list) -> list[str]:
    """Errors for entries of rules' ``clauses`` fields that the pack's clauses.yaml lacks (none when
    the pack has no clauses.yaml), each naming the rule file, line and field."""
    if not any(rule.spec.clauses for rule in rules):
        return []
    known = load_clauses(folder)
    if not known:
        return []
    errors = []
    for rule in rules:
        for i, clause_id in enumerate(rule.spec.clauses):
            if clause_id not in known:
                doc = YamlDoc.load(rule.path)
                errors.append(str(doc.error(("clauses", i), f"条款 {clause_id!r} 不在 clauses.yaml 中 / unknown clause; "
                                                            f"可用 known: {', '.join(known)}")))
    return errors
