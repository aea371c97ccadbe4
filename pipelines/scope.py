"""Where a statute applies: a rule's ``applies_to`` and ``unless``, applied once by the engine.

The law decides which records a finding may be about (DOMAIN.md, "Corrections and sources"):

* 招标投标法 and its 条例 bind 招标投标. 政府采购 goods and services fall under 政府采购法 and its
  条例; 土地/矿业权 招拍挂 is outside 招标投标法 altogether. A rule's ``applies_to.trade_types``
  lists the trade types its statute binds: records of projects of any other trade type are left
  out of the rule (as a ``where`` would); records whose project's trade type is unknown are not
  evaluable ("交易类型未填写，无法判断适用的法律").
* 招标投标法 §24 (20 days) and 条例 §54 (publicity) bind 依法必须招标 projects only. With
  ``applies_to.must_tender: true`` a project counts when ``projects.must_tender`` says 是; when
  it is empty, 《必须招标的工程项目规定》(发改委令16号) §5 decides from ``category`` and ``budget``
  with the thresholds of ``<rules>/scope/must-tender.yaml`` (施工 ≥ 400万, 货物 ≥ 200万, 服务 ≥
  100万): a budget at or above every threshold is must-tender whatever the category, one below
  every threshold is not; between them the category's own threshold decides. A project that cannot
  be classified either way is not evaluable ("无法判断是否依法必须招标"), never a violation; one that
  need not be tendered is left out.
* ``unless: <column>``: a filled column exempts a violated record (二: powers "未列入权责清单**且**
  无法定依据" are forbidden, so an unlisted power with a ``legal_basis`` is allowed). When the
  export lacks the column the findings stay, one severity lower, for the basis to be verified.

The classification is computed once per audit, in SQL, as the table ``project_scope``
(project_id, trade_type, must_tender, must_tender_by, must_tender_why). The engine calls
:func:`source_filter` when it builds a rule's source view and :func:`wrap` around the kind's
outcome query, so the one query that runs is the one ``ggzy rules --sql`` prints; nothing here
loops over records.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .sql import ident, in_list, literal
from .yamlfile import YamlDoc, validate_with

PARAMS_FILE = Path("scope") / "must-tender.yaml"
VIEW = "project_scope"
LOWER = {"error": "warning", "warning": "info", "info": "info"}


class MustTenderParams(BaseModel):
    """``scope/must-tender.yaml``: the single-contract estimates from which a project must be tendered."""

    model_config = ConfigDict(extra="forbid")
    basis: str = "《必须招标的工程项目规定》（国家发展改革委令第16号）第五条（二手资料，未经原文核实）"
    # 标的类别 -> threshold in yuan (a contract estimate at or above it must be tendered)
    thresholds: dict[str, Decimal] = Field(default_factory=lambda: {
        "施工": Decimal(4_000_000), "货物": Decimal(2_000_000), "服务": Decimal(1_000_000),
        "勘察": Decimal(1_000_000), "设计": Decimal(1_000_000), "监理": Decimal(1_000_000),
        "勘察设计监理": Decimal(1_000_000)}, min_length=1)


def load_params(rules_folder: Path | None) -> MustTenderParams:
    path = Path(rules_folder) / PARAMS_FILE if rules_folder else None
    if path is None or not path.exists():
        return MustTenderParams()
    doc = YamlDoc.load(path)
    return validate_with(doc, MustTenderParams, doc.data or {})


def _yuan(amount: Decimal) -> str:
    wan = amount / 10000
    return f"{wan.normalize():f}万元" if amount % 10000 == 0 else f"{amount:f}元"


def describe(params: MustTenderParams) -> str:
    """The thresholds in words, for the rule catalogue and the reasons."""
    parts = "、".join(f"{c}≥{_yuan(v)}" for c, v in params.thresholds.items())
    return f"{parts}（{params.basis}）"


def prepare(con, params: MustTenderParams) -> None:
    """Create the table ``project_scope`` (once per audit; every rule with ``applies_to`` reads it): each project's trade type and whether it must be tendered
    by law (TRUE / FALSE / NULL unknown), how that was decided, and why not when unknown."""
    amounts = list(params.thresholds.values())
    top, bottom = max(amounts), min(amounts)
    cats = "[" + ", ".join(literal(c) for c in params.thresholds) + "]"
    vals = "[" + ", ".join(f"CAST({literal(str(v))} AS DECIMAL(20, 2))" for v in amounts) + "]"
    top_sql, bottom_sql = f"CAST({literal(str(top))} AS DECIMAL(20, 2))", f"CAST({literal(str(bottom))} AS DECIMAL(20, 2))"
    unknown = literal(f"无法判断是否依法必须招标：“依法必须招标”未填写，标的类别未填写或不在门槛表中，"
                      f"预算金额介于{_yuan(bottom)}与{_yuan(top)}之间（{describe(params)}）")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {VIEW} AS
        WITH p AS (SELECT DISTINCT ON (project_id) project_id, trade_type, must_tender, category, budget FROM projects),
        t AS (SELECT unnest({cats}) AS category, unnest({vals}) AS threshold)
        SELECT p.project_id, p.trade_type,
               CASE WHEN p.must_tender IS NOT NULL THEN p.must_tender
                    WHEN p.budget IS NULL THEN NULL
                    WHEN p.budget >= {top_sql} THEN TRUE
                    WHEN p.budget < {bottom_sql} THEN FALSE
                    WHEN t.threshold IS NOT NULL THEN p.budget >= t.threshold END AS must_tender,
               CASE WHEN p.must_tender IS NOT NULL THEN '项目表“依法必须招标”为' || IF(p.must_tender, '是', '否')
                    WHEN p.budget IS NULL THEN NULL
                    WHEN p.budget >= {top_sql} THEN '预算金额不低于各类门槛（' || {literal(_yuan(top))} || '）'
                    WHEN p.budget < {bottom_sql} THEN '预算金额低于各类门槛（' || {literal(_yuan(bottom))} || '）'
                    WHEN t.threshold IS NOT NULL THEN '标的类别' || t.category || '，门槛' || CAST(t.threshold AS VARCHAR) || '元'
                    END AS must_tender_by,
               CASE WHEN p.budget IS NULL THEN
                        '无法判断是否依法必须招标：“依法必须招标”与预算金额均未填写'
                    ELSE {unknown} END AS must_tender_why
        FROM p LEFT JOIN t ON t.category = ggzy_text(p.category)""")


def source_filter(spec) -> list[str]:
    """SQL predicates over the rule's table (alias ``t``): leave out the records of projects the
    statute does not bind (another trade type; not 依法必须招标). Unknowns stay, for :func:`wrap`."""
    scope = spec.applies_to
    if scope is None:
        return []
    out = []
    if scope.trade_types:
        out.append(f"t.project_id NOT IN (SELECT project_id FROM {VIEW} WHERE trade_type IS NOT NULL "
                   f"AND NOT {in_list('trade_type', scope.trade_types)})")
    if scope.must_tender:
        out.append(f"t.project_id NOT IN (SELECT project_id FROM {VIEW} WHERE must_tender IS FALSE)")
    return [f"coalesce({p}, TRUE)" for p in out]


def _unknown_sql(spec) -> str | None:
    """SQL: (project_id, why) of the rule's projects whose scope cannot be told, or None."""
    scope = spec.applies_to
    if scope is None:
        return None
    whys = []
    if scope.trade_types:
        whys.append("WHEN trade_type IS NULL THEN '交易类型未填写，无法判断适用的法律'")
    if scope.must_tender:
        whys.append("WHEN must_tender IS NULL THEN must_tender_why")
    if not whys:
        return None
    return f"SELECT project_id, CASE {' '.join(whys)} END AS why FROM {VIEW}"


def wrap(spec, outcome_sql: str, source: str, grouped: bool, unless_missing: bool = False) -> str:
    """The rule's outcome query with the statute's scope applied, as one query (what runs is what
    ``ggzy rules --sql`` prints): records of projects whose scope is unknown become not evaluable
    with why (so do records naming a project the projects table lacks); with ``must_tender`` a
    violation's evidence says how its project was classified; ``unless`` makes a violated record
    whose column is filled compliant, or — ``unless_missing``: the export lacks the column — keeps
    the violation one severity lower. A grouped kind's rows (one per lot, say) are matched to
    projects by ``_project_id`` and to records by ``_record_id``; a record kind's by ``_row``.
    Without ``applies_to`` and ``unless`` the kind's query is returned unchanged."""
    unknown = _unknown_sql(spec)
    must = bool(spec.applies_to and spec.applies_to.must_tender)
    if not (unknown or must or spec.unless):
        return outcome_sql
    key = "_record_id" if grouped else "_row"
    project = "o._project_id" if grouped else "s._project_id"
    joins = []
    if spec.unless:  # one row per record: whether its exempting column is filled
        extra = "" if grouped else ", any_value(_project_id) AS _project_id"
        joins.append(f"LEFT JOIN (SELECT {key}{extra}, bool_or(ggzy_text({ident(spec.unless)}) IS NOT NULL) AS _exempt "
                     f"FROM {source} GROUP BY {key}) s ON s.{key} = o.{key}")
    elif not grouped:
        joins.append(f"LEFT JOIN (SELECT _row, _project_id FROM {source}) s ON s._row = o._row")
    unknown_when, why = "FALSE", "o.reason"
    if unknown:
        joins.append(f"LEFT JOIN ({unknown}) u ON u.project_id = {project}")
        unknown_when = (f"(o.outcome <> 'not_applicable' AND {project} IS NOT NULL "
                        "AND (u.why IS NOT NULL OR u.project_id IS NULL))")
        why = (f"IF({unknown_when}, json_object('code', 'scope_unknown', 'text', "
               f"coalesce(u.why, '项目不在项目表中，无法判断适用的法律')), o.reason)")
    evidence = "o.evidence"
    if must:
        joins.append(f"LEFT JOIN {VIEW} ps ON ps.project_id = {project}")
        evidence = ("IF(o.outcome = 'violated' AND o.evidence IS NOT NULL, "
                    "json_merge_patch(o.evidence, to_json({'must_tender_by': ps.must_tender_by})), o.evidence)")
    exempt, severity = "FALSE", "o.severity"
    if spec.unless and unless_missing:
        severity = f"IF(o.outcome = 'violated', coalesce(o.severity, {literal(LOWER[spec.severity])}), o.severity)"
    elif spec.unless:
        exempt = "(o.outcome = 'violated' AND coalesce(s._exempt, FALSE))"
    return f"""
    SELECT o.* REPLACE (
        CASE WHEN {unknown_when} THEN 'not_evaluable' WHEN {exempt} THEN 'compliant' ELSE o.outcome END AS outcome,
        {why} AS reason,
        CASE WHEN {unknown_when} OR {exempt} THEN NULL ELSE {severity} END AS severity,
        CASE WHEN {unknown_when} THEN NULL ELSE {evidence} END AS evidence)
    FROM ({outcome_sql}) o
    {' '.join(joins)}"""
