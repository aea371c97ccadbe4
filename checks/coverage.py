"""Check kind ``coverage``: every item has a matching record in another table (or, with
``expect: no_match``, has none).

Serves the obligations that say "each X is backed by a Y": 二 a power exercised is on the
published 权责清单 (and was published by then); 三(一) every inspector of an inspection crew is in
the 执法人员库 and qualified on the inspection date; 三(二) a project that finished tendering this
or last year is in the 检查对象名录库; 四(一) every supervising department has published a complaint
channel stating the five elements; 一(二) every member unit has a current 责任领导 and 联络员;
条例 §44 a lot that went on to evaluation had at least 3 bidders (``at_least: 3``); and, with
``expect: no_match``, 八(一) no expert sits on a panel while listed as 评标专家违法.

What must be covered (``items``), one of:

* each record of the rule's table (after ``where``) — the default;
* ``explode: column`` — each id in a list column (ids separated by ; ； , ， 、), e.g. an
  inspection's crew; the finding is still the record (one per inspection, the unmatched ids in
  ``evidence.items``): the department acts per inspection, and a crew of five with two bad ids
  is one case to fix, not two;
* ``distinct: [columns]`` — each distinct value (combination) of these columns, e.g. each
  department that supervises projects;
* ``values: {column: [values]}`` — each combination of these values, e.g. 11 member units × the
  two roles.

A record of ``match.table`` matches an item when every ``match.by`` pair is equal (values as
the loader typed them: trimmed text; the key is ``by``, since YAML 1.1 reads a bare ``on`` as
true); it counts when it also lies in its validity window on the item's date
(``match.valid_on``: ``from`` ≤ date ≤ ``until``, ``until`` empty = open-ended,
``until_inclusive: false`` for a removal date) and meets every ``match.where`` condition.
Validity and conditions are three-valued: an unreadable value, an empty ``from``, or an empty
value tested by anything but ``present`` is "unknown" — never a silent pass or fail.

Outcome per item: key or date unknown → not evaluable; outside ``scope`` → not applicable;
enough counting matches (``at_least``, default 1; ``count_distinct`` counts distinct values
instead of records) → compliant; enough only if the unknown ones count → not evaluable, with
why; else violated, ``gap`` saying how: ``none`` (no record with that key), ``out_of_date``,
``unmet`` (conditions failed), ``too_few``. With ``expect: no_match`` a counting match is the
violation (``gap: matched``). A finding joins its items: violated if any item is, else not
evaluable if any is, else compliant.

Grouped kind: ``record_id`` is the record's key (records, explode) or the item's values joined
by ``/`` (distinct, values); the department is the record's, or the item's department column.

Example rule (三(一))::

    table: inspections
    check: coverage
    items: {explode: inspectors}
    match:
      table: inspectors
      by: {inspectors: inspector_id}
      valid_on: {date: [ended_at, started_at], from: qualified_from, until: qualified_until}
"""

from __future__ import annotations

from types import SimpleNamespace

from pipelines import schema
from pipelines.sql import ident, literal

from .base import Context, Shown, condition_sql, json_object, norm_name, reason
from .coverage_spec import AS_OF, Spec
from .listed_party import bid_date_sql, mask_id, mask_name

GROUPED = True
PREPARES = ()
SHOWN = (
    Shown("items.item", "未覆盖的项目", "list"),
    Shown("items.gap", "缺口", "list", values=(("none", "无对应记录"), ("out_of_date", "不在有效期内"),
                                             ("unmet", "未满足条件"), ("too_few", "数量不足"), ("matched", "有对应记录"))),
    Shown("items.matched", "符合条件的记录数", "list"),
    Shown("match_table", "对照数据表", values=tuple((n, f"{t.chinese}（{n}）") for n, t in schema.TABLES.items())),
    Shown("date", "判断日期", "date"),
    Shown("date_column", "判断日期取自", "column", values=(("as_of", "审计截止日期"),)),
    Shown("as_of", "审计截止日期", "date", excel=False),
    Shown("at_least", "至少", "number"),
    Shown("expect", "要求", values=(("match", "须有对应记录"), ("no_match", "不得有对应记录")), excel=False),
)

#: message-template name -> (result column, kind)
FIELDS = {"item": ("item_text", "text"), "gap": ("gap_text", "text"), "date": ("item_date", "datetime"),
          "matched": ("matched", "number")}

#: separators of ids in a list column (EXPORT-V1 inspections.inspectors)
LIST_SEPARATORS = "[;；,，、]"
GAPS = ("none", "out_of_date", "unmet", "too_few", "matched")
MAX_SHOWN = 20  # items per finding, candidates per item, in evidence


# --- SQL pieces -----------------------------------------------------------------------------

def _first_date(spec: Spec, columns: list[str]) -> tuple[str, str, str]:
    """SQL (date, its column, why unknown) of the first filled of ``columns`` of the source record ``s``."""
    date, source, why = bid_date_sql(SimpleNamespace(table=spec.table, on_date=columns))
    return f"CAST({date} AS DATE)", source, why


def _shown(spec: Spec, column: str, value: str) -> str:
    """SQL: an item value as findings show it (personal values masked)."""
    col = schema.column(spec.table, column)
    if not col.personal:
        return f"CAST({value} AS VARCHAR)"
    return mask_id(value) if col.kind in ("resident_id", "id_any") else mask_name(value)


def _items(spec: Spec, ctx: Context, as_of: str) -> str:
    """SQL: one row per item: _item, _rid, _pid, _dept, k0.. (the match.by item values), shown
    (their display text), item_date, bad (why the item cannot be judged), in_scope."""
    by = list(spec.match.by)
    shown = lambda exprs: " || '/' || ".join(f"coalesce({_shown(spec, c, e)}, '（空）')" for c, e in exprs)  # noqa: E731
    if spec.mode in ("distinct", "values"):
        cols = spec.item_columns()
        if spec.mode == "distinct":
            base = (f"SELECT DISTINCT {', '.join(f's.{ident(c)}' for c in cols)} FROM {ctx.source} s "
                    f"WHERE {' AND '.join(f's.{ident(c)} IS NOT NULL' for c in cols)}")
        else:
            base = "SELECT * FROM " + ", ".join(
                f"(SELECT unnest([{', '.join(literal(v) for v in vals)}]::VARCHAR[]) AS {ident(c)})"
                for c, vals in spec.items.values.items())
        dept = spec.department_column()
        record = shown([(c, f"s.{ident(c)}") for c in cols])
        return f"""
        SELECT row_number() OVER (ORDER BY {', '.join(f's.{ident(c)}' for c in cols)}) AS _item, {record} AS _rid,
               {'s.project_id' if 'project_id' in cols else 'CAST(NULL AS VARCHAR)'} AS _pid,
               {f's.{ident(dept)}' if dept else 'CAST(NULL AS VARCHAR)'} AS _dept,
               {', '.join(f's.{ident(c)} AS k{i}' for i, c in enumerate(by))},
               {shown([(c, f's.{ident(c)}') for c in by])} AS shown,
               {as_of} AS item_date, {literal(AS_OF)} AS date_source, CAST(NULL AS JSON) AS bad, TRUE AS in_scope
        FROM ({base}) s"""
    keys = {c: f"s.{ident(c)}" for c in by}
    source, order = f"{ctx.source} s", "s._row"
    if spec.mode == "explode":
        col = spec.items.explode
        ids = (f"list_filter(list_transform(regexp_split_to_array(s.{ident(col)}, {literal(LIST_SEPARATORS)}), "
               "lambda x: trim(x)), lambda x: x <> '')")
        first_seen = f"list_filter({ids}, lambda x, i: list_position({ids}, x) = i)"  # in list order, once each
        source += f", unnest(coalesce(nullif({first_seen}, []), [NULL::VARCHAR])) WITH ORDINALITY AS _e(_element, _pos)"
        keys[col], order = "_e._element", "s._row, _e._pos"
    unknown = [f"WHEN {expr} IS NULL THEN "
               f"{reason('value_missing', literal(schema.column(spec.table, c).label + '未填写'), column=literal(c))}"
               for c, expr in keys.items()]
    date, date_source, date_why = _first_date(spec, spec.dates()) if spec.dates() else (as_of, literal(AS_OF), "NULL")
    if spec.dates():
        unknown.append(f"WHEN {date} IS NULL THEN {date_why}")
    in_scope = "TRUE"
    if spec.scope:
        scope_date, _, scope_why = _first_date(spec, spec.scope.date)
        filled = " OR ".join(f"ggzy_text(s.{ident(c + '__raw')}) IS NOT NULL" for c in spec.scope.date)
        unknown.insert(0, f"WHEN ({filled}) AND {scope_date} IS NULL THEN json_merge_patch({scope_why}, "
                          "'{\"code\": \"scope_unknown\"}')")
        first_year = f"year({as_of}) - {spec.scope.calendar_years - 1}" if spec.scope.calendar_years else "0"
        in_scope = (f"CASE WHEN ({filled}) AND {scope_date} IS NULL THEN NULL "
                    f"ELSE coalesce({scope_date} <= {as_of} AND year({scope_date}) >= {first_year}, FALSE) END")
    return f"""
    SELECT row_number() OVER (ORDER BY {order}) AS _item, s._record_id AS _rid, s._project_id AS _pid, s._department AS _dept,
           {', '.join(f'{keys[c]} AS k{i}' for i, c in enumerate(by))},
           {shown([(c, keys[c]) for c in by])} AS shown,
           {date} AS item_date, {date_source} AS date_source, CASE {' '.join(unknown)} END AS bad,
           {in_scope} AS in_scope
    FROM {source}"""


def _why(column: schema.Column) -> str:
    """SQL: why a column of the match record ``t`` gives no value: '的<列>未填写' or '的<列>无法识别'."""
    raw = f"t.{ident(column.name + '__raw')}" if column.kind in ("datetime", "bool", "number") else "NULL"
    return f"{literal('的' + column.label)} || IF(ggzy_text({raw}) IS NULL, '未填写', '无法识别')"


def _candidates(spec: Spec, ctx: Context) -> tuple[str, str]:
    """SQL: the match table with its key, keys c0.., the count key, validity dates and each
    condition (three-valued); and the problem that makes every item not evaluable (a key or
    validity column with no value at all: the file lacks it)."""
    m = spec.match
    table = schema.TABLES[spec.match_table]
    source = ctx.source if spec.match_table == spec.table else ident(table.name)
    label = m.label or table.chinese
    cols = [f"CAST(t.{ident(table.key)} AS VARCHAR) AS _mkey"]
    cols += [f"t.{ident(c)} AS c{i}" for i, c in enumerate(m.by.values())]
    # the count key: the first filled of count_distinct, text normalised as names are (once per
    # distinct value: normalising a million bids' names one by one costs seconds)
    counted, joins = [], []
    for j, c in enumerate(m.count_distinct or [table.key]):
        if table.column(c).kind == "text" and m.count_distinct:
            joins.append(f"LEFT JOIN (SELECT v, {norm_name('v')} AS nv FROM (SELECT DISTINCT {ident(c)} AS v FROM {source})) "
                         f"n{j} ON n{j}.v = t.{ident(c)}")
            counted.append(f"n{j}.nv")
        else:
            counted.append(f"CAST(t.{ident(c)} AS VARCHAR)")
    cols.append(f"coalesce({', '.join(counted)}) AS _ck")
    cols.append(f"{literal(label)} || '记录' || t.{ident(table.key)} AS _mlabel")
    if m.valid_on:
        f, u = table.column(m.valid_on.from_), table.column(m.valid_on.until) if m.valid_on.until else None
        cols += [f"CAST(t.{ident(f.name)} AS DATE) AS _from", f"{literal(f.label)} AS _from_label",
                 f"IF(t.{ident(f.name)} IS NULL, {_why(f)}, NULL) AS _from_why"]
        cols += ([f"CAST(t.{ident(u.name)} AS DATE) AS _until", f"{literal(u.label)} AS _until_label",
                  f"IF(ggzy_unreadable(t.{ident(u.name + '__raw')}, t.{ident(u.name)}), {_why(u)}, NULL) AS _until_why"]
                 if u else ["CAST(NULL AS DATE) AS _until", "NULL AS _until_label", "CAST(NULL AS VARCHAR) AS _until_why"])
    conds = []
    for i, (column, req) in enumerate(m.where.items()):
        cond = f"({' AND '.join(condition_sql(column, req))})"
        if table.column(column).kind in ("datetime", "bool", "number"):  # unreadable: unknown, whatever the test
            cond = f"IF(ggzy_unreadable(t.{ident(column + '__raw')}, t.{ident(column)}), NULL, {cond})"
        cols.append(f"{cond} AS q{i}")
        conds.append((f"q{i}", literal(req.label or table.column(column).label),
                      _why(table.column(column))))
    cols.append("[" + ", ".join(f"IF({q} IS FALSE, {lab}, NULL)" for q, lab, _ in conds) + "]::VARCHAR[] AS _failed")
    cols.append("[" + ", ".join(f"IF({q} IS NULL, {why}, NULL)" for q, _, why in conds) + "]::VARCHAR[] AS _cond_why")
    cols.append((" AND ".join(q for q, _, _ in conds) or "TRUE") + " AS _conds_ok")
    watched = [table.column(c) for c in [*m.by.values(), *([m.valid_on.from_] if m.valid_on else [])]]
    empty = [f"IF(count(*) > 0 AND count(t.{ident(c.name)}) = 0, {literal(f'{table.chinese}的{c.label}全部为空（或缺少该列）')}, NULL)"
             for c in dict.fromkeys(watched)]
    problem = f"(SELECT concat_ws('；', {', '.join(empty)}) FROM {source} t)"
    return f"SELECT {', '.join(cols)} FROM {source} t {' '.join(joins)}", problem


def _texts(spec: Spec) -> dict[str, str]:
    m = spec.match
    label = m.label or schema.TABLES[spec.match_table].chinese
    defaults = {"none": f"{label}中无对应记录", "out_of_date": f"{label}中的对应记录在{{date}}不在有效期内（{{bounds}}）",
                "unmet": f"{label}中的对应记录未满足：{{failed}}", "too_few": f"{label}中对应记录仅{{n}}条，少于{{at_least}}条",
                "matched": f"{label}中有对应记录{{keys}}"}
    return {**defaults, **spec.gap_texts.model_dump(exclude_none=True)}


def _fill(text: str, values: dict[str, str]) -> str:
    """SQL: a gap text with its placeholders replaced by SQL values (the text stays a literal)."""
    sql = literal(text)
    for name, expr in values.items():
        if "{" + name + "}" in text:
            sql = f"replace({sql}, {literal('{' + name + '}')}, coalesce(CAST({expr} AS VARCHAR), '（空）'))"
    return sql


def _finding_reason() -> str:
    """SQL: why a finding is not evaluable — its items' reason when they share one, else
    ``several`` with every distinct text joined."""
    mine = "FILTER (WHERE j.outcome = 'not_evaluable')"
    joined = f"string_agg(DISTINCT j.why->>'text', '；' ORDER BY j.why->>'text') {mine}"
    return (f"IF(count(DISTINCT CAST(j.why AS VARCHAR)) {mine} = 1, any_value(j.why) {mine}, "
            f"{reason('several', joined)})")


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    m, as_of = spec.match, f"DATE {literal(ctx.as_of.isoformat())}"
    candidates, problem = _candidates(spec, ctx)
    join = " AND ".join(f"m.c{i} = i.k{i}" for i in range(len(m.by)))
    if m.valid_on:
        after_until = "i.item_date > m._until" if m.valid_on.until_inclusive else "i.item_date >= m._until"
        date_ok = (f"CASE WHEN m._from > i.item_date OR {after_until} THEN FALSE "
                   "WHEN m._from IS NULL OR m._until_why IS NOT NULL THEN NULL ELSE TRUE END")
        date_why = "coalesce(_from_why, _until_why)"
        bounds = ("m._from_label || ' ' || coalesce(strftime(m._from, '%Y-%m-%d'), '未填写') || '，' || "
                  "coalesce(m._until_label || ' ' || coalesce(strftime(m._until, '%Y-%m-%d'), '未填写'), '未设截止日期')")
    else:
        date_ok, date_why, bounds = "TRUE", "NULL", "''"
    n, at_least, expect_match = "coalesce(a.n_ok, 0)", m.at_least, spec.expect == "match"
    texts = _texts(spec)
    fill = {"n": n, "at_least": str(at_least), "date": "strftime(i.item_date, '%Y-%m-%d')",
            "failed": "array_to_string(a.best_failed, '、')", "keys": "array_to_string(a.ok_keys, '、')",
            "bounds": "array_to_string(a.bounds, '；')"}
    if expect_match:
        outcome = f"""CASE WHEN i.in_scope IS FALSE THEN 'not_applicable' WHEN i.bad IS NOT NULL THEN 'not_evaluable'
            WHEN p.problem <> '' THEN 'not_evaluable'
            WHEN {n} >= {at_least} THEN 'compliant'
            WHEN {n} + coalesce(a.n_unknown, 0) >= {at_least} THEN 'not_evaluable' ELSE 'violated' END"""
        gap = f"""CASE WHEN coalesce(a.n_cand, 0) = 0 THEN 'none' WHEN {n} > 0 THEN 'too_few'
            WHEN NOT a.any_in_date THEN 'out_of_date' ELSE 'unmet' END"""
    else:
        outcome = """CASE WHEN i.in_scope IS FALSE THEN 'not_applicable' WHEN i.bad IS NOT NULL THEN 'not_evaluable'
            WHEN p.problem <> '' THEN 'not_evaluable'
            WHEN coalesce(a.n_ok, 0) > 0 THEN 'violated'
            WHEN coalesce(a.n_unknown, 0) > 0 THEN 'not_evaluable' ELSE 'compliant' END"""
        gap = "'matched'"
    detailed = f"n_ok < {at_least}" if expect_match else "n_ok > 0 OR n_unknown > 0"
    gap_text = " ".join(f"WHEN {literal(g)} THEN {_fill(texts[g], fill)}" for g in GAPS)
    candidate = ("{'key': _mkey, 'counts': coalesce(ok, FALSE), 'failed': list_filter(_failed, lambda x: x IS NOT NULL)"
                 + (", 'from': _from, 'until': _until" if m.valid_on else "") + "}")
    explode = spec.mode == "explode"
    item_gap = "j.shown || '：' || j.gap_text" if explode else "j.gap_text"
    item_ev = "{'item': j.shown, 'outcome': j.outcome, 'gap': IF(j.outcome = 'violated', j.gap, NULL), " \
              "'matched': j.matched, 'candidates': j.candidates[1:" + str(MAX_SHOWN) + "]}"
    evidence = json_object(
        expect=literal(spec.expect), match_table=literal(spec.match_table),
        **({"at_least": str(at_least)} if at_least > 1 else {}),
        **({"date": "any_value(j.item_date)", "date_column": "any_value(j.date_source)"} if m.valid_on else {}),
        items=f"(list({item_ev} ORDER BY j._item) FILTER (WHERE j.outcome IN ('violated', 'not_evaluable')))[1:{MAX_SHOWN}]",
        as_of=as_of)
    single_evidence = json_object(
        expect=literal(spec.expect), match_table=literal(spec.match_table),
        **({"at_least": str(at_least)} if at_least > 1 else {}),
        **({"date": "j.item_date", "date_column": "j.date_source"} if m.valid_on else {}),
        items=f"[{item_ev}]", as_of=as_of)
    single_finding = ("CASE WHEN j.outcome IN ('violated', 'not_evaluable', 'compliant') THEN j.outcome "
                      "ELSE 'not_applicable' END")
    finding = """CASE WHEN bool_or(j.outcome = 'violated') THEN 'violated'
        WHEN bool_or(j.outcome = 'not_evaluable') THEN 'not_evaluable'
        WHEN bool_or(j.outcome = 'compliant') THEN 'compliant' ELSE 'not_applicable' END"""
    return f"""
    WITH i AS ({_items(spec, ctx, as_of)}),
    m AS ({candidates}),
    p AS (SELECT {problem} AS problem),
    c AS (
        SELECT *,
               CASE WHEN date_ok IS FALSE OR _conds_ok IS FALSE THEN FALSE
                    WHEN date_ok IS NULL OR _conds_ok IS NULL THEN NULL ELSE TRUE END AS ok,
               NULLIF(array_to_string(list_transform(list_sort(list_distinct(list_filter(
                   list_concat([IF(date_ok IS NULL, {date_why}, NULL)], _cond_why), lambda x: x IS NOT NULL))),
                   lambda x: _mlabel || x), '；'), '') AS unknown_why
        FROM (SELECT i._item, m.*, {date_ok} AS date_ok, {bounds} AS bounds
              FROM i JOIN m ON {join} WHERE i.bad IS NULL AND i.in_scope)),
    counts AS (
        SELECT _item, count(*) AS n_cand,
               count(DISTINCT _ck) FILTER (WHERE ok) AS n_ok,
               count(*) FILTER (WHERE ok IS NULL) AS n_unknown,
               bool_or(date_ok IS NOT FALSE) AS any_in_date
        FROM c GROUP BY _item),
    a AS (  -- the details, for the items that are not plainly compliant only
        SELECT _item, any_value(n_cand) AS n_cand, any_value(n_ok) AS n_ok, any_value(n_unknown) AS n_unknown,
               any_value(any_in_date) AS any_in_date,
               list(_mkey ORDER BY _mkey) FILTER (WHERE ok) AS ok_keys,
               list(DISTINCT bounds) AS bounds,
               (list(list_filter(_failed, lambda x: x IS NOT NULL)
                     ORDER BY len(list_filter(_failed, lambda x: x IS NOT NULL)), _mkey) FILTER (WHERE date_ok IS NOT FALSE))[1] AS best_failed,
               string_agg(DISTINCT unknown_why, '；' ORDER BY unknown_why) FILTER (WHERE ok IS NULL) AS unknown_why,
               list({candidate} ORDER BY _mkey) AS candidates
        FROM c JOIN counts USING (_item) WHERE {detailed} GROUP BY _item
        UNION ALL BY NAME
        SELECT _item, n_cand, n_ok, n_unknown, any_in_date FROM counts WHERE NOT ({detailed})),
    j AS (
        SELECT i.*, coalesce(a.candidates, []) AS candidates, {outcome} AS outcome, {n} AS matched,
               CASE WHEN i.bad IS NOT NULL THEN i.bad
                    WHEN p.problem <> '' THEN {reason('match_column_empty', 'p.problem')}
                    WHEN a.unknown_why IS NOT NULL THEN {reason('match_unknown', 'a.unknown_why')} END AS why,
               {gap} AS gap,  -- the text only where a message reads it
               CASE WHEN ({outcome}) = 'violated' THEN CASE {gap} {gap_text} END END AS gap_text
        FROM i CROSS JOIN p LEFT JOIN a USING (_item)),
    multi AS (SELECT _rid FROM j GROUP BY _rid HAVING count(*) > 1)
    SELECT j._rid AS _record_id, any_value(j._pid) AS _project_id, any_value(j._dept) AS _department,
           j._rid AS _key,
           {finding} AS outcome,
           {_finding_reason()} AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           {evidence} AS evidence,
           string_agg(j.shown, '、' ORDER BY j._item) FILTER (WHERE j.outcome = 'violated') AS item_text,
           string_agg({item_gap}, '；' ORDER BY j._item) FILTER (WHERE j.outcome = 'violated') AS gap_text,
           any_value(j.item_date) AS item_date,
           {'min' if expect_match else 'max'}(j.matched) FILTER (WHERE j.outcome = 'violated') AS matched
    FROM j SEMI JOIN multi ON j._rid IS NOT DISTINCT FROM multi._rid GROUP BY j._rid
    UNION ALL BY NAME  -- a record of one item (most): the same values without grouping and ordered aggregates
    SELECT j._rid AS _record_id, j._pid AS _project_id, j._dept AS _department, j._rid AS _key,
           {single_finding} AS outcome,
           IF(j.outcome = 'not_evaluable', coalesce(j.why, {reason('several', 'CAST(NULL AS VARCHAR)')}), NULL) AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           IF(j.outcome IN ('violated', 'not_evaluable'), {single_evidence}, NULL) AS evidence,
           IF(j.outcome = 'violated', j.shown, NULL) AS item_text,
           IF(j.outcome = 'violated', {item_gap}, NULL) AS gap_text,
           j.item_date,
           IF(j.outcome = 'violated', j.matched, NULL) AS matched
    FROM j ANTI JOIN multi ON j._rid IS NOT DISTINCT FROM multi._rid
    """
