"""Check kind ``listed_party``: a bid's parties must not be on a credit list on the bid date.

Serves 鹤发改公管〔2022〕216号 八(一) (listed dishonest entities and their related persons are
punished jointly) and 八(二): a bidder listed as 失信被执行人 is kept out of bids, and the bidding
entity, its legal representative and its authorised agent must have no 行贿犯罪记录.

Matching follows EXPORT-V1 "Matching a bidder or a person against a list", over whole tables:

* organisations by USCC (both sides are ``ggzy_id``-typed by the loader); where either side
  lacks one, by ``ggzy_norm_name`` (computed once per distinct bidder name); two different USCCs
  never match. ``matched_by``: ``uscc`` | ``name``;
* persons by resident ID (confirmed). Equal names (trimmed, spaces dropped) where either side
  lacks the ID are a *possible* match: reported one severity lower, ``confidence: possible``,
  never confirmed. Persons match entries whose subject_type is 个人 or empty; organisations
  any entry but 个人;
* an entry is listed on day d when ``listed_at <= d AND (removed_at IS NULL OR d < removed_at)``
  (dates, not times). The bid date is the first non-empty ``on_date`` column.

Each identity match is one equi-join (USCC, name, resident ID, person name), unioned, then
filtered by date, so a million bids against a hundred thousand entries is a few hash joins.
Outcome per bid: not evaluable without a bid date; violated when a confirmed match is listed;
else not evaluable when a confirmed match's entry dates are unreadable; else violated (one
severity lower) for a possible match; else not evaluable for a possible match with unreadable
dates; else compliant. Personal data is masked in SQL before it reaches
the evidence (resident ID ``2304**********123X``, names ``张*``).

Example rule::

    check: listed_party
    list_types: [行贿犯罪记录]
    on_date: [submitted_at, project.bid_deadline]
    parties:
      bidder:    {label: 投标人,     name: bidder_name,    id: bidder_uscc,  kind: organisation}
      legal_rep: {label: 法定代表人, name: legal_rep_name, id: legal_rep_id, kind: person}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelines import schema
from pipelines.sql import ident, in_list, literal

from .base import Context, RuleSpec, Shown, json_object, norm_name, reason

#: message-template name -> (result column, kind)
FIELDS = {"parties": ("parties", "text"), "list_entry": ("list_entry", "text"),
          "bid_date": ("bid_date", "datetime"), "matched_by": ("matched_by_text", "text"),
          "confidence": ("confidence_text", "text")}

LOWER = {"error": "warning", "warning": "info", "info": "info"}
ID_KIND = {"organisation": "uscc", "person": "resident_id"}
MATCHED_BY_TEXT = {"uscc": "统一社会信用代码", "name": "名称", "resident_id": "身份证号", "person_name": "姓名"}

GROUPED = False
PREPARES = ()
SHOWN = (
    Shown("bid_date", "投标日", "date"),
    Shown("bid_date_source", "投标日来源", "column"),
    Shown("matches.party_label", "匹配对象", "list"),
    Shown("matches.list_type", "名单类型", "list"),
    Shown("matches.entry_id", "名单记录编号", "list"),
    Shown("matches.matched_by", "匹配方式", "list",
          values=(("uscc", "统一社会信用代码"), ("resident_id", "身份证号"), ("name", "名称或姓名相同"))),
    Shown("confidence", "可信度", values=(("confirmed", "确认"), ("possible", "疑似，待核实"))),
    Shown("matches.subject_name", "名单主体", "list"),
    Shown("matches.subject_id", "名单证件号", "list"),
    Shown("matches.listed_at", "列入日期", "date"),
    Shown("matches.removed_at", "移出日期", "date", excel=False),
    Shown("matches.publisher", "发布单位", "list"),
)


class Party(BaseModel):
    """One party of the record checked against the list: its label and the columns naming it."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(description="当事人在消息中的称呼")
    name: str = Field(description="名称列")
    id: str | None = Field(None, description="证件号列")
    kind: Literal["organisation", "person"] = Field(description="单位或个人")


class Spec(RuleSpec):
    list_types: list[str] = Field(min_length=1, description="名单类型")
    on_date: list[str] = Field(min_length=1, description="判断日期（依次取第一个有值的）")
    parties: dict[str, Party] = Field(min_length=1, description="核对的当事人")

    @field_validator("list_types")
    @classmethod
    def _known_list_types(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in schema.LIST_TYPES]
        if unknown:
            raise ValueError(f"未知名单类型 unknown list type {unknown}; 可用 known: {', '.join(schema.LIST_TYPES)}")
        return value

    def column_refs(self) -> dict[tuple, str]:
        refs = {**super().column_refs(), **{("on_date", i): c for i, c in enumerate(self.on_date)}}
        for key, party in self.parties.items():
            refs[("parties", key, "name")] = party.name
            if party.id:
                refs[("parties", key, "id")] = party.id
        return refs

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        if found:
            return found
        kind = lambda c: schema.column(self.table, c).kind  # noqa: E731
        found += [(("on_date", i), f"{c} 不是日期列 / is not a date column")
                  for i, c in enumerate(self.on_date) if kind(c) != "datetime"]
        for key, party in self.parties.items():
            if kind(party.name) != "text":
                found.append((("parties", key, "name"), f"{party.name} 不是名称列 / is not a name column"))
            if party.id and kind(party.id) != ID_KIND[party.kind]:
                found.append((("parties", key, "id"), f"{party.id} 不是{party.kind}应有的 {ID_KIND[party.kind]} "
                                                      f"证件号列 / is not a {ID_KIND[party.kind]} column"))
        return found

    def tables_used(self) -> list[str]:
        return ["credit_list"]

    def columns_used(self) -> list[str]:
        """The columns without which the rule cannot run at all. A party's name and ID columns are
        not among them (bar the table's own ★ columns): a part runs on whichever of them the export
        has (issue #8: bids with 身份证号 but no names are still checked, by ID) — see :func:`parts`."""
        optional = {c for p in self.parties.values() for c in (p.name, p.id) if c}
        return [c for c in super().columns_used() if c not in optional]


def parts(spec: Spec, missing_columns: list[str]) -> list[dict]:
    """Per party: which of its match keys the export's columns allow, and what cannot be checked.
    A missing column is loaded as all-empty, so the SQL needs no change: its joins find nothing."""
    out = []
    for key, p in spec.parties.items():
        has_name, has_id = p.name not in missing_columns, bool(p.id) and p.id not in missing_columns
        name_label = schema.column(spec.table, p.name).label
        id_label = schema.column(spec.table, p.id).label if p.id else None
        checked_by = ([ID_KIND[p.kind]] if has_id else []) + (["name"] if has_name else [])
        if not checked_by:
            gap = f"导出数据缺少{name_label}和{id_label or '证件号'}列，未核对{p.label}"
        elif not has_id and p.id:
            gap = (f"导出数据缺少{id_label}列，{p.label}只能按姓名疑似匹配" if p.kind == "person"
                   else f"导出数据缺少{id_label}列，{p.label}只按名称匹配")
        elif not has_name:
            gap = (f"导出数据缺少{name_label}列，{p.label}只按身份证号核对，发现不了仅姓名相同的疑似匹配"
                   if p.kind == "person" else f"导出数据缺少{name_label}列，{p.label}只按统一社会信用代码匹配")
        else:
            gap = None
        out.append({"part": key, "label": p.label, "checked_by": checked_by, "not_checked": gap})
    return out


# --- SQL pieces -----------------------------------------------------------------------------

def mask_id(x: str) -> str:
    """SQL: an ID keeping its first and last 4 characters (as ``contract.mask_value``)."""
    return f"IF(length({x}) > 8, left({x}, 4) || repeat('*', length({x}) - 8) || right({x}, 4), repeat('*', length({x})))"


def mask_name(x: str) -> str:
    """SQL: a person's name keeping its first character."""
    return f"left({x}, 1) || repeat('*', greatest(length({x}) - 1, 1))"


def bid_date_sql(spec: Spec) -> tuple[str, str, str]:
    """SQL (date, source column, why-unknown) of the first non-empty on_date column."""
    raws = [f"ggzy_text(s.{ident(c + '__raw')}) IS NOT NULL" for c in spec.on_date]
    labels = [schema.column(spec.table, c).label for c in spec.on_date]
    date = " ".join(f"WHEN {r} THEN CAST(s.{ident(c)} AS DATE)" for r, c in zip(raws, spec.on_date))
    source = " ".join(f"WHEN {r} THEN {literal(c)}" for r, c in zip(raws, spec.on_date))
    why = " ".join(f"WHEN {r} THEN {reason('value_unreadable', literal(lb + '无法识别'), column=literal(c))}"
                   for r, lb, c in zip(raws, labels, spec.on_date))
    empty = labels[0] + "未填写" if len(labels) == 1 else "及".join(labels) + "均未填写"
    columns = "[" + ", ".join(literal(c) for c in spec.on_date) + "]"
    empty_why = reason("value_missing", literal(empty), column=literal(spec.on_date[0]), columns=columns)
    return f"CASE {date} END", f"CASE {source} END", f"CASE {why} ELSE {empty_why} END"


def person_key(x: str) -> str:
    """SQL: a person's name compared after trimming and dropping spaces (half- and full-width)."""
    return f"replace(replace(ggzy_text({x}), ' ', ''), '\u3000', '')"


def _parties(spec: Spec, kind: str) -> str:
    """SQL: one row per bid (with a known bid date) and party of ``kind``. IDs are the typed
    columns, which the loader already ran through ``ggzy_id`` (pipelines.reading)."""
    rows = [f"SELECT _row, bid_date, {i} AS ord, {literal(key)} AS party, {literal(p.label)} AS label, "
            f"{ident(p.id) if p.id else 'CAST(NULL AS VARCHAR)'} AS pid, "
            f"{person_key(ident(p.name)) if kind == 'person' else ident(p.name)} AS pname "
            f"FROM b WHERE bid_date IS NOT NULL"
            for i, (key, p) in enumerate(spec.parties.items()) if p.kind == kind]
    return " UNION ALL ".join(rows) or ("SELECT _row, bid_date, 0 AS ord, '' AS party, '' AS label, "
                                        "CAST(NULL AS VARCHAR) AS pid, CAST(NULL AS VARCHAR) AS pname FROM b WHERE FALSE")


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    bid_date, bid_source, date_why = bid_date_sql(spec)
    party_cols = {c for p in spec.parties.values() for c in (p.name, p.id) if c}
    # TRUE listed on the bid date, FALSE not, NULL unknown (an entry date unreadable)
    listed = "l.listed_on <= p.bid_date AND coalesce(p.bid_date < l.removed_on, IF(l.removed_bad, NULL, TRUE))"
    match_cols = f"p.*, l.entry_id, l.list_type, l.listed_on, l.removed_on, l.publisher, l.entry_why, {listed} AS state"
    person, org = "coalesce(l.subject_type, '个人') = '个人'", "l.subject_type IS DISTINCT FROM '个人'"
    matches = f"""
        SELECT {match_cols}, 'uscc' AS matched_by, FALSE AS possible, l.subject_name AS shown_name, l.sid AS shown_id
          FROM p_org p JOIN l ON l.sid = p.pid WHERE {org}
        UNION ALL
        SELECT {match_cols}, 'name', FALSE, l.subject_name, IF(l.subject_type = '企业', l.sid, {mask_id('l.sid')})
          FROM p_org p JOIN org_names n ON n.pname = p.pname JOIN l ON l.nname = n.nname
          WHERE (p.pid IS NULL OR l.sid IS NULL) AND {org}
        UNION ALL
        SELECT {match_cols}, 'resident_id', FALSE, {mask_name('l.subject_name')}, {mask_id('l.sid')}
          FROM p_person p JOIN l ON l.sid = p.pid WHERE {person}
        UNION ALL
        SELECT {match_cols}, 'person_name', TRUE, {mask_name('l.subject_name')}, {mask_id('l.sid')}
          FROM p_person p JOIN l ON l.pname = p.pname WHERE (p.pid IS NULL OR l.sid IS NULL) AND {person}"""
    party_text = ", ".join(
        f"CASE WHEN bool_or(state AND party = {literal(k)} AND NOT possible) THEN {literal(p.label)} "
        f"WHEN bool_or(state AND party = {literal(k)}) THEN {literal(p.label + '（疑似）')} END"
        for k, p in spec.parties.items())
    by_text = ", ".join(f"IF(bool_or(state AND matched_by = {literal(k)}), {literal(v)}, NULL)"
                        for k, v in MATCHED_BY_TEXT.items())
    item = ("{'party': party, 'party_label': label, 'matched_by': IF(matched_by = 'person_name', 'name', matched_by), "
            "'confidence': IF(possible, 'possible', 'confirmed'), 'entry_id': entry_id, 'list_type': list_type, "
            "'listed_at': listed_on, 'removed_at': removed_on, 'publisher': publisher, "
            "'subject_name': shown_name, 'subject_id': shown_id}")
    confirmed_hit, possible_hit = "coalesce(a.confirmed_hit, FALSE)", "coalesce(a.possible_hit, FALSE)"
    outcome = f"""CASE WHEN b.bid_date IS NULL THEN 'not_evaluable'
        WHEN {confirmed_hit} THEN 'violated' WHEN a.confirmed_unknown IS NOT NULL THEN 'not_evaluable'
        WHEN {possible_hit} THEN 'violated' WHEN a.possible_unknown IS NOT NULL THEN 'not_evaluable'
        ELSE 'compliant' END"""
    unknown = lambda text, possible: reason("list_entry_unknown", text, possible=possible)  # noqa: E731
    why = f"""CASE WHEN b.bid_date IS NULL THEN b.date_why
        WHEN {confirmed_hit} THEN NULL WHEN a.confirmed_unknown IS NOT NULL THEN {unknown('a.confirmed_unknown', 'FALSE')}
        WHEN {possible_hit} OR a.possible_unknown IS NULL THEN NULL
        ELSE {unknown("a.possible_unknown || '（疑似匹配）'", 'TRUE')} END"""
    evidence = json_object(bid_date="b.bid_date", bid_date_source="b.bid_date_source",
                           confidence=f"IF({confirmed_hit}, 'confirmed', 'possible')", matches="a.matches")
    return f"""
    WITH b AS (
        SELECT s._row, {bid_date} AS bid_date, {bid_source} AS bid_date_source,
               CASE WHEN ({bid_date}) IS NULL THEN {date_why} END AS date_why,
               {', '.join(f's.{ident(c)}' for c in sorted(party_cols))}
        FROM {ctx.source} s),
    l AS (
        SELECT entry_id, list_type, subject_name, subject_type, publisher,
               subject_id AS sid, {norm_name('subject_name')} AS nname, {person_key('subject_name')} AS pname,
               CAST(listed_at AS DATE) AS listed_on, CAST(removed_at AS DATE) AS removed_on,
               ggzy_unreadable(removed_at__raw, removed_at) AS removed_bad,
               '名单记录' || entry_id || CASE WHEN listed_at IS NULL AND ggzy_text(listed_at__raw) IS NULL
                   THEN '列入日期未填写' WHEN listed_at IS NULL THEN '列入日期无法识别' ELSE '移出日期无法识别' END AS entry_why
        FROM credit_list WHERE {in_list('list_type', spec.list_types)}),
    p_org AS ({_parties(spec, 'organisation')}),
    p_person AS ({_parties(spec, 'person')}),
    org_names AS (SELECT pname, {norm_name('pname')} AS nname FROM (SELECT DISTINCT pname FROM p_org)),
    m AS (SELECT * FROM ({matches}) WHERE state IS NOT FALSE),
    a AS (
        SELECT _row,
               bool_or(state AND NOT possible) AS confirmed_hit,
               bool_or(state AND possible) AS possible_hit,
               string_agg(DISTINCT entry_why, '；' ORDER BY entry_why) FILTER (WHERE state IS NULL AND NOT possible) AS confirmed_unknown,
               string_agg(DISTINCT entry_why, '；' ORDER BY entry_why) FILTER (WHERE state IS NULL AND possible) AS possible_unknown,
               list({item} ORDER BY ord, entry_id, matched_by) FILTER (WHERE state) AS matches,
               concat_ws('、', {party_text}) AS parties,
               array_to_string(list_sort(list_distinct(list(entry_id) FILTER (WHERE state))), '、') AS list_entry,
               concat_ws('、', {by_text}) AS matched_by_text
        FROM m GROUP BY _row)
    SELECT b._row,
           {outcome} AS outcome,
           {why} AS reason,
           IF(NOT {confirmed_hit} AND {possible_hit}, {literal(LOWER[spec.severity])}, NULL) AS severity,
           IF({confirmed_hit} OR {possible_hit}, {evidence}, NULL) AS evidence,
           a.parties, a.list_entry, b.bid_date, a.matched_by_text,
           IF({confirmed_hit}, '确认匹配', '疑似匹配（仅姓名相同，待核实）') AS confidence_text
    FROM b LEFT JOIN a USING (_row)
    """
