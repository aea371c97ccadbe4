"""The nine extension tables of the export (schema.py: meetings, member_contacts, inspectors,
inspection_targets, powers, enforcement_actions, panels, complaint_channels, referrals), derived
in SQL from the six core tables that ``generate.py`` has just written, so every rule of the pack
has data to run on at scale (issue #13: "every rule is measured").

Each table carries a small planted share of departures from the notice (seat verified late,
inspector out of date, project missing from the target directory, a power not on the list, a year
without a joint meeting, a contact change reported late, a channel missing an element, a police
referral closed without a report back). They make the rules do real work; their counts are not
ground truth (``_expected.json`` covers the headline rules only).

Deterministic: pseudo-random draws are ``hash(key, salt)`` in DuckDB, rows in key order.
Sizes follow the core tables: 5 seats per evaluated lot, one enforcement action per inspection,
one referral per 50 complaints, and a fixed handful of meetings, contacts, powers and channels.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.schema import TABLES

UNITS = ["市发改委", "市住建局", "市农业农村局", "市交通运输局", "市水务局", "市自然资源局", "市纪委监委",
         "市审计局", "市公安局", "市营商局", "市公共资源交易中心"]
DEPARTMENTS = ["市住建局", "市交通运输局", "市水务局", "市农业农村局", "市财政局", "市自然资源局"]


def _pct(key: str, salt: str) -> str:
    """SQL: a deterministic draw in 0..999 from a key column."""
    return f"(hash({key}, '{salt}') % 1000)::BIGINT"


def _list(values) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


SQL = {
    "meetings": f"""
        SELECT 'HY' || y AS meeting_id, make_date(y, 3, 15)::VARCHAR AS held_at, '例会' AS kind,
               '市发改委' AS convenor, y || '年公共资源交易监管工作联席会议' AS title
          FROM range(2022, 2027) t(y) WHERE y <> 2025""",  # 2025: no meeting held
    "member_contacts": f"""
        WITH u AS (SELECT unnest({_list(UNITS)}) AS member_unit),
             r AS (SELECT unnest(['责任领导', '联络员']) AS role),
             s AS (SELECT unnest([0, 1]) AS stint)
        SELECT printf('LX%04d', row_number() OVER (ORDER BY member_unit, role, stint)) AS contact_id,
               member_unit, role,
               CASE role WHEN '责任领导' THEN '张' ELSE '李' END || '某' || stint AS person_name,
               '0468-' || (3000000 + abs(hash(member_unit, role, stint)) % 999999) AS phone,
               (DATE '2023-01-03' + INTERVAL (stint * 400 + abs(hash(member_unit, role)) % 60) DAY)::DATE::VARCHAR
                   AS effective_from,
               CASE WHEN stint = 0 THEN (DATE '2023-01-03' + INTERVAL (399 + abs(hash(member_unit, role)) % 60) DAY)::DATE::VARCHAR END
                   AS effective_until,
               (DATE '2023-01-03' + INTERVAL (stint * 400 + abs(hash(member_unit, role)) % 60
                   + CASE WHEN {_pct('member_unit || role', 'late')} < 200 THEN 9 ELSE 1 END) DAY)::DATE::VARCHAR
                   AS reported_at
          FROM u, r, s
         WHERE NOT (member_unit = '市营商局' AND role = '联络员')""",  # one unit never named a liaison
    "inspectors": f"""
        WITH ids AS (SELECT trim(unnest(regexp_split_to_array(inspectors, '[、;；,，]'))) AS inspector_id, department
                       FROM i WHERE inspectors IS NOT NULL),
             dep AS (SELECT inspector_id, min(department) AS department FROM ids
                      WHERE inspector_id <> '' GROUP BY inspector_id)
        SELECT inspector_id, department, '执法员' || right(inspector_id, 4) AS inspector_name,
               '23040' || right(inspector_id, 6) AS certificate_no,
               CASE WHEN {_pct('inspector_id', 'q')} < 30 THEN NULL ELSE '行政执法资格' END AS qualification,
               CASE WHEN {_pct('inspector_id', 's')} < 30 THEN NULL ELSE '工程建设、政府采购' END AS specialities,
               '2020-01-01' AS qualified_from,
               CASE WHEN {_pct('inspector_id', 'u')} < 20 THEN '2025-06-30' ELSE '2028-12-31' END AS qualified_until,
               department AS unit
          FROM dep
         WHERE {_pct('inspector_id', 'in')} >= 10
         ORDER BY inspector_id""",  # 1 % never entered, 2 % out of date from mid-2025
    "inspection_targets": f"""
        SELECT 'ML' || substr(project_id, 3) AS target_id, project_id, department,
               CASE WHEN {_pct('project_id', 'r')} < 30 THEN NULL ELSE ['低', '中', '高'][1 + {_pct('project_id', 'rl')} % 3] END
                   AS risk_level,
               CASE WHEN {_pct('project_id', 'c')} < 30 THEN NULL ELSE ['A', 'B', 'C'][1 + {_pct('project_id', 'cl')} % 3] END
                   AS credit_level,
               substr(bid_deadline, 1, 10) AS added_at,
               ['房屋建筑', '市政', '水利', '交通', '政府采购'][1 + {_pct('project_id', 'sp')} % 5] AS speciality
          FROM p
         WHERE bid_deadline IS NOT NULL AND {_pct('project_id', 'dir')} >= 50
         ORDER BY project_id""",  # 5 % of lots never entered in the directory
    "powers": f"""
        WITH d AS (SELECT unnest({_list(DEPARTMENTS)}) AS department), n AS (SELECT range AS k FROM range(1, 21))
        SELECT printf('QZ%s%02d', right(md5(department), 4), k) AS power_code, department,
               department || '行政检查事项' || k AS power_name,
               CASE WHEN k = 20 THEN NULL ELSE '2022-06-30' END AS published_at
          FROM d, n ORDER BY power_code""",  # the 20th power of each department never published
    "enforcement_actions": f"""
        SELECT 'ZX' || substr(inspection_id, 3) AS action_id, department,
               printf('QZ%s%02d', right(md5(department), 4),
                      CASE WHEN {_pct('inspection_id', 'pc')} < 20 THEN 99 ELSE 1 + {_pct('inspection_id', 'k')} % 20 END)
                   AS power_code,
               NULL::VARCHAR AS power_name, ended_at AS acted_at, NULL::VARCHAR AS target, project_id,
               CASE WHEN {_pct('inspection_id', 'lb')} < 500 THEN '《招标投标法实施条例》第四条' END AS legal_basis
          FROM i ORDER BY inspection_id""",
    "panels": f"""
        WITH lots AS (SELECT project_id, substr(bid_deadline, 1, 10) AS day FROM p
                       WHERE evaluation_report_at IS NOT NULL AND bid_deadline IS NOT NULL),
             seats AS (SELECT project_id, day, s FROM lots, range(1, 6) t(s))
        SELECT printf('PW%s-%d', substr(project_id, 3), s) AS seat_id, project_id,
               printf('ZJ2304%05d', 1000 + abs(hash(project_id, s)) % 6000) AS expert_id,
               NULL::VARCHAR AS expert_name,
               CASE WHEN {_pct('project_id || s', 'v')} < 10 THEN NULL
                    WHEN {_pct('project_id || s', 'v')} < 30 THEN (day::DATE + 1)::VARCHAR
                    ELSE day END AS verified_at,
               day AS evaluated_at, '鹤岗市公共资源交易中心' AS venue
          FROM seats ORDER BY seat_id""",
    "complaint_channels": f"""
        SELECT printf('QD%02d', row_number() OVER (ORDER BY department)) AS channel_id, department,
               '2022-07-01' AS published_at, '政府网站' AS published_where, '0468-3000000' AS channel,
               '是' AS states_time_limit, '是' AS states_documents,
               CASE WHEN department = '市水务局' THEN '否' ELSE '是' END AS states_procedure,
               '是' AS states_office_hours, '是' AS states_channel
          FROM (SELECT unnest({_list(DEPARTMENTS)}) AS department)
         WHERE department <> '市农业农村局'""",  # one department never published its channel
    "referrals": f"""
        SELECT 'YS' || substr(complaint_id, 3) AS referral_id, 'AJ' || substr(complaint_id, 3) AS case_id,
               '案件移送' AS kind, received_by AS from_body,
               CASE WHEN {_pct('complaint_id', 'to')} < 500 THEN '市公安局' ELSE '市纪委监委' END AS to_body,
               substr(received_at, 1, 10) AS referred_at,
               CASE WHEN {_pct('complaint_id', 'cl')} < 600 THEN (substr(received_at, 1, 10)::DATE + 40)::VARCHAR END
                   AS closed_at,
               CASE WHEN {_pct('complaint_id', 'cl')} < 480 THEN (substr(received_at, 1, 10)::DATE + 50)::VARCHAR END
                   AS reported_back_at,
               project_id
          FROM c WHERE {_pct('complaint_id', 'ref')} < 20 AND received_at IS NOT NULL
         ORDER BY referral_id""",
}


def write_extensions(out_dir: Path, fmt: str = "csv") -> dict[str, int]:
    """Write the nine extension tables next to the core ones; returns rows per table."""
    out_dir = Path(out_dir)
    read = "read_parquet" if fmt == "parquet" else "read_csv"
    opts = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
    con = duckdb.connect()
    con.execute("SET threads = 1")  # row order as written, byte-identical output
    for alias, name in (("p", "projects"), ("i", "inspections"), ("c", "complaints")):
        path = str(out_dir / f"{name}.{fmt}").replace("'", "''")
        args = ", all_varchar = true" if fmt == "csv" else ""
        con.execute(f"CREATE TEMP TABLE {alias} AS SELECT * FROM {read}('{path}'{args})")
    rows = {}
    for name, query in SQL.items():
        for other in ("csv", "parquet"):
            (out_dir / f"{name}.{other}").unlink(missing_ok=True)
        target = str(out_dir / f"{name}.{fmt}").replace("'", "''")
        made = {d[0] for d in con.execute(f"SELECT * FROM ({query}) LIMIT 0").description}
        # canonical columns in schema order; one the schema gained since this file was written is left empty
        cols = ", ".join(f'"{c.name}"' if c.name in made else f'NULL::VARCHAR AS "{c.name}"'
                         for c in TABLES[name].columns)
        con.execute(f"COPY (SELECT {cols} FROM ({query})) TO '{target}' ({opts})")
        rows[name] = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    con.close()
    return rows
