"""The rule catalogue (``ggzy rules --doc DIR``): every rule of a pack as a person reads it, and a
coverage table accounting for every clause of the notice.

:func:`build_catalogue` gathers, for each rule: id, title, severity, basis, the clauses it serves
(quoted from ``clauses.yaml``) and the statutes it cites, its description, its kind-specific
parameters rendered readably (``within``: ``10 个工作日``; those the description says are
unconfirmed — 未经原文核实 — marked), the tables and columns it reads, whether it is enabled after
``local.yaml`` and what local.yaml changed. Then, for every clause of ``clauses.yaml``, the rules
that serve it, or — when none does — the reason from ``coverage.yaml``; and every statute rules cite.

Which clauses a rule serves: those its ``basis`` names after the notice's number (several may be
listed, ``鹤发改公管〔2022〕216号 一(三)、四(二)``) plus its optional ``clauses`` field. The
writers are in ``reports/catalogue.py``.

>>> cat = build_catalogue()
>>> any(r.id == "inspection-disclosure" and r.clauses[0].id == "三(三)" for r in cat.rules)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from checks.base import RuleSpec

from . import schema, scope
from .examples import ExampleView, example_views
from .clauses import Clause, load_clauses, parse_basis, rule_clause_ids
from .sqlfuncs import one_paragraph
from .rules import DEFAULT_RULES_DIR, RulePack, load_pack
from .yamlfile import YamlDoc, validate_with

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
#: how a description says a number was not read in the primary text (DOMAIN.md: *unconfirmed*)
UNCONFIRMED = ("未经原文核实", "未经核实", "未核实原文", "unconfirmed")
#: readable names of keys and values inside parameters (elements, parties)
SUBKEY_LABELS = {"any_of": "任一表述", "name": "名称", "id": "证件号", "kind": "类型",
                 "holiday_extends": "末日为节假日时顺延"}
VALUE_LABELS = {"organisation": "单位", "person": "个人"}
#: units of a period or amount parameter: {working_days: 10} -> 10 个工作日
UNITS = {"working_days": "个工作日", "days": "日（自然日）", "hours": "小时", "months": "个月", "years": "年",
         "percent": "%", "ratio": "（比例）", "count": "个", "yuan": "元"}
CONDITION_ZH = {"in": "属于", "not_in": "不属于", "equals": "等于", "present": "已填写", "differs_from": "不同于",
                "after_first_per": "晚于同一组最早的记录（变动，而非首次指定），分组按"}

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


class CoverageEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uncheckable: str | None = None
    partial: str | None = None


class CoverageFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clauses: dict[str, CoverageEntry] = {}


@dataclass
class Param:
    name: str  # as written in the rule file (the alias: ``from``)
    label: str
    value: str
    unconfirmed: bool = False


@dataclass
class TableUse:
    name: str
    label: str
    columns: list[tuple[str, str]]  # (column, Chinese label)


@dataclass
class RuleEntry:
    id: str
    title: str
    severity: str
    severity_zh: str
    check: str
    basis: str
    description: str
    enabled: bool
    file: str
    clauses: list[Clause]
    statutes: list[str]
    unresolved: list[str]  # clause references that clauses.yaml does not know
    params: list[Param]
    unconfirmed_notes: list[str]  # the description's sentences that flag unconfirmed numbers
    tables: list[TableUse]
    applies_to: str  # the ``where`` filter, in words; "" for every record
    department: str | None
    refer_to: list[str]
    local_changes: list[dict] = field(default_factory=list)  # local.yaml: [{field, was, now}]
    disabled_locally: bool = False
    examples: list[ExampleView] = field(default_factory=list)  # the rule file's examples as small tables


@dataclass
class CoverageRow:
    clause: Clause
    rules: list[RuleEntry]  # rules citing the clause, enabled or not
    status: str  # covered | partial | uncheckable | unexplained
    note: str | None  # coverage.yaml's partial (with rules) or uncheckable (without enabled rules)

    @property
    def status_zh(self) -> str:
        return {"covered": "已覆盖", "partial": "部分覆盖", "uncheckable": "无法检查",
                "unexplained": "缺少说明"}[self.status]


@dataclass
class Catalogue:
    pack: RulePack
    document: str
    missing_sections: list[str]
    rules: list[RuleEntry]
    coverage: list[CoverageRow]
    statutes: list[tuple[str, list[RuleEntry]]]  # citation -> rules citing it
    problems: list[str]  # clause references clauses.yaml lacks, clauses without rule or reason

    @property
    def enabled_count(self) -> int:
        return sum(r.enabled for r in self.rules)


def _cn_number(run: str) -> int:
    """一百二十 -> 120, 四十 -> 40, 十五 -> 15 (article numbers of statutes)."""
    if run.isdigit():
        return int(run)
    total, digit = 0, 0
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
    return total + digit


def citation_key(text: str) -> list:
    """Sort key for statute citations: numbers (Arabic or Chinese) compared as numbers."""
    parts = re.split(r"(\d+|[零一二三四五六七八九十百千]+)", text)
    return [(0, _cn_number(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts)]


# ------------------------------------------------------------------------------------------ coverage.yaml

def load_coverage(folder: Path, clauses: dict[str, Clause]) -> dict[str, CoverageEntry]:
    """coverage.yaml's reasons, clause id -> entry; {} when the pack has none. Unknown clause ids
    and fields are errors naming file, line and field."""
    path = Path(folder) / "coverage.yaml"
    if not path.exists():
        return {}
    doc = YamlDoc.load(path)
    data = validate_with(doc, CoverageFile, data=doc.data or {})
    unknown = [c for c in data.clauses if clauses and c not in clauses]
    if unknown:
        from .yamlfile import YamlError
        raise YamlError("\n".join(str(doc.error(("clauses", c), f"条款 {c!r} 不在 clauses.yaml 中 / unknown clause; "
                                                               f"可用 known: {', '.join(clauses)}")) for c in unknown))
    return data.clauses


# ------------------------------------------------------------------------------------------ parameters

def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _render(value, spec: RuleSpec) -> str:
    """A parameter's value in words: periods with units, columns with their Chinese label,
    labelled sub-items (elements, parties) as ``label（key）：…``."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, dict):
        parts = [f"{_number(v)} {UNITS[k]}" for k, v in value.items() if k in UNITS and not isinstance(v, (dict, list))]
        for key, item in value.items():
            if key in UNITS and not isinstance(item, (dict, list)) or item in (None, {}, []):
                continue
            if isinstance(item, BaseModel):
                item = item.model_dump(by_alias=True, exclude_none=True)
            if isinstance(item, dict) and "label" in item:
                rest = {k: v for k, v in item.items() if k != "label"}
                parts.append(f"{item['label']}（{key}）" + (f"：{_render(rest, spec)}" if rest else ""))
            else:
                parts.append(f"{SUBKEY_LABELS.get(key, key)}：{_render(item, spec)}")
        return "；".join(parts)
    if isinstance(value, (list, tuple, set)):
        return "、".join(_render(v, spec) for v in value) or "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "（未设定）"
    if isinstance(value, str):
        return VALUE_LABELS.get(value) or _column_label(spec, value)
    return _number(value)


def _column_label(spec: RuleSpec, text: str) -> str:
    """``ended_at（检查结束时间）`` when ``text`` is a column the rule can read, else the text."""
    try:
        column = schema.column(spec.table, text)
    except (KeyError, ValueError, AttributeError):
        return text
    label = getattr(column, "label", None)
    return f"{text}（{label}）" if label and label != text else text


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。；;！？!?])", one_paragraph(text)) if s.strip()]


def _params(spec: RuleSpec) -> tuple[list[Param], list[str]]:
    """The kind's own fields (not RuleSpec's) in file order, and the sentences flagging unconfirmed numbers."""
    flagged = [s for s in _sentences(spec.description) if any(f in s for f in UNCONFIRMED)]
    params = []
    for name, info in type(spec).model_fields.items():
        if name in RuleSpec.model_fields:
            continue
        alias = info.alias or name
        label = info.description or ""  # the kind declares it: Field(description=…)
        params.append(Param(alias, label, _render(getattr(spec, name), spec)))
    if flagged:
        hit = False
        for p in params:
            numbers = re.findall(r"\d+(?:\.\d+)?", p.value)
            if any(p.name in s or (p.label and p.label in s) or any(n in s for n in numbers) for s in flagged):
                p.unconfirmed = hit = True
        if not hit:  # the description does not say which: every numeric parameter is in doubt
            for p in params:
                p.unconfirmed = bool(re.search(r"\d", p.value))
    return params, flagged


def _where(spec: RuleSpec, folder: Path | None = None) -> str:
    parts = []
    for column, cond in spec.where.items():
        name = _column_label(spec, column)
        for key, value in cond.model_dump(by_alias=True, exclude_none=True).items():
            if key == "present":
                parts.append(f"{name}{'已填写' if value else '未填写'}")
            elif key == "differs_from":
                parts.append(f"{name} 不同于 {_column_label(spec, value)}")
            else:
                parts.append(f"{name} {CONDITION_ZH.get(key, key)} {_render(value, spec)}")
    if spec.applies_to:  # the statute's own scope (pipelines.scope), thresholds included
        if spec.applies_to.trade_types:
            parts.append(f"交易类型属于 {'、'.join(spec.applies_to.trade_types)}（交易类型未填写的记为无法判断）")
        if spec.applies_to.must_tender:
            parts.append("依法必须招标的项目：项目表“依法必须招标”为是；未填写时按预算金额判断，不低于各类门槛的为是、"
                         "低于各类门槛的为否，介于其间按标的类别的门槛：" + scope.describe(scope.load_params(folder))
                         + "；无法判断的记为无法判断，不作违规")
    if spec.unless:
        parts.append(f"{_column_label(spec, spec.unless)}已填写的记录不作违规（导出数据没有该列时违规降一级，待核实）")
    return "；".join(parts)


def _tables(spec: RuleSpec) -> list[TableUse]:
    own = []
    for column in dict.fromkeys(spec.columns_read()):
        try:
            own.append((column, schema.column(spec.table, column).label))
        except (KeyError, ValueError):
            own.append((column, ""))
    tables = [spec.table, *[t for t in spec.tables_used() if t != spec.table]]
    return [TableUse(name, getattr(schema.TABLES.get(name), "chinese", ""), own if name == spec.table else [])
            for name in tables]


# ------------------------------------------------------------------------------------------ the catalogue

def build_catalogue(folder: Path | None = None, pack: RulePack | None = None) -> Catalogue:
    """The catalogue of the pack in ``folder`` (default: the shipped pack), local.yaml applied."""
    folder = Path(folder or DEFAULT_RULES_DIR)
    pack = pack or load_pack(folder)
    clauses = load_clauses(pack.folder)
    reasons = load_coverage(pack.folder, clauses)
    meta = (YamlDoc.load(pack.folder / "clauses.yaml").data or {}) if (pack.folder / "clauses.yaml").exists() else {}
    local = pack.local_overrides or {}
    changes: dict[str, list[dict]] = {}
    for change in local.get("params", []):
        changes.setdefault(change["rule_id"], []).append(change)

    problems: list[str] = []
    entries = []
    for rule in pack.rules:
        spec = rule.spec
        refs = parse_basis(spec.basis)
        ids = rule_clause_ids(spec)
        unresolved = [c for c in ids if c not in clauses] + refs.unresolved if clauses else refs.unresolved
        for ref in unresolved:
            problems.append(f"规则 {spec.id} 的依据引用了 clauses.yaml 中没有的条款 cites an unknown clause: {ref}")
        params, flagged = _params(spec)
        entries.append(RuleEntry(
            id=spec.id, title=spec.title, severity=spec.severity, severity_zh=SEVERITY_ZH.get(spec.severity, spec.severity),
            check=spec.check, basis=spec.basis, description=spec.description.strip(), enabled=spec.enabled,
            file=rule.path.name, clauses=[clauses[c] for c in ids if c in clauses], statutes=refs.statutes,
            unresolved=unresolved, params=params, unconfirmed_notes=flagged, tables=_tables(spec),
            applies_to=_where(spec, pack.folder), department=spec.department, refer_to=list(spec.refer_to),
            local_changes=changes.get(spec.id, []), disabled_locally=spec.id in local.get("disabled", []),
            examples=example_views(spec, rule.kind, rule.examples)))

    coverage = []
    for clause in clauses.values():
        citing = [e for e in entries if any(c.id == clause.id for c in e.clauses)]
        reason = reasons.get(clause.id, CoverageEntry())
        if any(e.enabled for e in citing):
            status, note = ("partial", reason.partial) if reason.partial else ("covered", None)
        elif reason.uncheckable:
            status, note = "uncheckable", reason.uncheckable
        else:
            status, note = "unexplained", None
            problems.append(f"条款 {clause.id} 既无启用的规则也无 coverage.yaml 的说明 / clause has neither an "
                            f"enabled rule nor a reason in coverage.yaml")
        coverage.append(CoverageRow(clause, citing, status, one_paragraph(note) if note else None))

    statutes: dict[str, tuple[str, list[RuleEntry]]] = {}  # key (《》 and spaces dropped) -> (as first written, rules)
    for entry in entries:
        for citation in entry.statutes:
            statutes.setdefault(re.sub(r"[《》\s]", "", citation), (citation, []))[1].append(entry)
    return Catalogue(pack, str(meta.get("document", "")), [str(s) for s in meta.get("missing_sections") or []],
                     entries, coverage, [statutes[k] for k in sorted(statutes, key=citation_key)], problems)
