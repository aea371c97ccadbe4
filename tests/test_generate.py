"""benchmarks/generate.py: a small export, checked against the schema and against facts
recomputed here independently (check characters, working days, list matching)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.schema import EXPORT_V1, TABLES as ALL_TABLES  # noqa: E402

TABLES = {name: ALL_TABLES[name] for name in EXPORT_V1}  # the generator writes the EXPORT-V1 tables

_spec = importlib.util.spec_from_file_location("ggzy_bench_generate", ROOT / "benchmarks" / "generate.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

SIZES = dict(projects=200, bids=2000, credit=500, inspections=120, complaints=150)
SEED = 7
GROUPS = 3


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    gen.generate(out, seed=SEED, collusion_groups=GROUPS, **SIZES)
    return out


@pytest.fixture(scope="module")
def db(export):
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{export / name}.csv', all_varchar = true, "
                    f"header = true)")
    return con


def rows(con, sql):
    return con.execute(sql).fetchall()


def values(con, sql):
    return [r[0] for r in con.execute(sql).fetchall()]


# ---------------------------------------------------------------- independent check characters
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def uscc_ok(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    s = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, USCC_W))
    return code[17] == USCC_ALPHABET[(31 - s % 31) % 31]


def resident_id_ok(code: str) -> bool:
    if len(code) != 18 or not code[:17].isdigit():
        return False
    try:
        dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    return code[17] == "10X98765432"[sum(int(c) * w for c, w in zip(code, ID_W)) % 11]


def test_check_characters_themselves():
    assert uscc_ok("91110108551385082Q")
    assert not uscc_ok("91110108551385082A")
    assert resident_id_ok("11010519491231002X")
    assert not resident_id_ok("110105194912310021")


# ---------------------------------------------------------------- files, headers, counts, keys
def test_files_headers_and_counts(export, db):
    for name, table in TABLES.items():
        path = export / f"{name}.csv"
        assert path.exists(), name
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header == ",".join(c.name for c in table.columns), name
    for name in ("projects", "bids", "credit_list", "inspections", "complaints"):
        key = "credit" if name == "credit_list" else name
        assert values(db, f"SELECT count(*) FROM {name}")[0] == SIZES[key], name
    n_notices = values(db, "SELECT count(*) FROM notices")[0]
    assert 1.3 * SIZES["projects"] <= n_notices <= 1.7 * SIZES["projects"]
    expected = json.loads((export / "_expected.json").read_text(encoding="utf-8"))
    assert expected["rows"]["notices"] == n_notices
    assert (export / "_planted_groups.json").exists()


def test_keys_unique_and_required_filled(db):
    for name, table in TABLES.items():
        n, distinct = rows(db, f"SELECT count(*), count(DISTINCT {table.key}) FROM {name}")[0]
        assert n == distinct, name
        for c in table.columns:
            if c.required:
                assert values(db, f"SELECT count(*) FROM {name} WHERE {c.name} IS NULL")[0] == 0, (name, c.name)


def test_values_in_vocabularies_and_booleans(db):
    for name, table in TABLES.items():
        for c in table.columns:
            if c.values:
                got = set(values(db, f"SELECT DISTINCT {c.name} FROM {name} WHERE {c.name} IS NOT NULL"))
                assert got <= set(c.values), (name, c.name, got - set(c.values))
            if c.kind == "bool":
                got = set(values(db, f"SELECT DISTINCT {c.name} FROM {name}"))
                # 依法必须招标 is often left empty: budget and category decide then (pipelines.scope)
                assert got <= {"是", "否"} | ({None} if c.name == "must_tender" else set()), (name, c.name, got)
    assert set(values(db, "SELECT DISTINCT department FROM projects")) <= set(gen.DEPARTMENTS)
    bad_ids = "SELECT count(*) FROM projects WHERE NOT regexp_full_match(project_id, 'HG202[56]-\\d{6}')"
    assert values(db, bad_ids)[0] == 0


def test_identifiers_have_valid_check_characters(db):
    usccs = values(db, "SELECT bidder_uscc FROM bids WHERE bidder_uscc IS NOT NULL UNION ALL "
                       "SELECT tenderer_uscc FROM projects UNION ALL "
                       "SELECT subject_id FROM credit_list WHERE subject_type = '企业' AND subject_id IS NOT NULL")
    assert usccs and all(uscc_ok(u) for u in usccs)
    ids = values(db, "SELECT legal_rep_id FROM bids UNION ALL SELECT agent_id FROM bids UNION ALL "
                     "SELECT project_manager_id FROM bids UNION ALL "
                     "SELECT subject_id FROM credit_list WHERE subject_type = '个人' UNION ALL "
                     "SELECT complainant_id FROM complaints")
    ids = [i for i in ids if i is not None]
    assert ids and all(resident_id_ok(i) for i in ids)
    # one USCC per company name in the pool, one person per ID
    assert values(db, "SELECT count(*) FROM (SELECT bidder_uscc FROM bids WHERE bidder_uscc IS NOT NULL "
                      "GROUP BY 1 HAVING count(DISTINCT legal_rep_id) > 1)")[0] == 0


def test_one_winner_per_project_and_bids_before_deadline(db):
    assert values(db, "SELECT count(*) FROM projects WHERE project_id NOT IN (SELECT project_id FROM bids)")[0] == 0
    assert values(db, "SELECT count(*) FROM (SELECT project_id FROM bids GROUP BY 1 "
                      "HAVING count(*) FILTER (WHERE is_winner = '是') <> 1)")[0] == 0
    assert values(db, "SELECT count(*) FROM bids WHERE is_winner = '是' AND status <> '有效'")[0] == 0
    assert values(db, "SELECT count(*) FROM (SELECT project_id, bidder_uscc FROM bids WHERE bidder_uscc IS NOT NULL "
                      "GROUP BY 1, 2 HAVING count(*) > 1)")[0] == 0
    late = values(db, "SELECT count(*) FROM bids b JOIN projects p USING (project_id) "
                      "WHERE b.submitted_at >= p.bid_deadline OR b.submitted_at < p.docs_issued_at")[0]
    assert late == 0


def test_dates_are_text_in_range(db):
    for name, table in TABLES.items():
        for c in table.columns:
            if c.kind != "datetime":
                continue
            got = values(db, f"SELECT {c.name} FROM {name} WHERE {c.name} IS NOT NULL")
            for v in got:
                assert len(v) in (10, 19), (name, c.name, v)
                d = dt.datetime.fromisoformat(v)
                assert d.date() <= dt.date(2026, 12, 31), (name, c.name, v)
    lo, hi = rows(db, "SELECT min(bid_deadline), max(bid_deadline) FROM projects")[0]
    assert lo >= "2025-01-01" and hi < "2026-11-21"


# ---------------------------------------------------------------- planted facts, recounted here
def test_credit_clause_counts(export, db):
    expected = json.loads((export / "_expected.json").read_text(encoding="utf-8"))["credit_clause"]
    texts = values(db, "SELECT content FROM notices WHERE notice_type IN ('招标公告', '招标文件')")
    assert len(texts) == expected["notices_checked"]
    no_dishonest = sum("失信被执行人" not in t and "失信被執行人" not in t for t in texts)
    no_bribery = sum("行贿" not in t and "行賄" not in t for t in texts)
    weak = sum("行贿" in t and "授权委托人" not in t for t in texts)
    traditional = sum("失信被執行人" in t for t in texts)
    assert no_dishonest == expected["missing_dishonest_debtor"]
    assert no_bribery == expected["missing_bribery_record"]
    assert weak == expected["bribery_without_legal_rep_and_agent"]
    assert traditional == expected["variants"]["traditional"]
    sizes = [len(t.encode()) for t in texts]
    assert 1000 <= sum(sizes) / len(sizes) <= 2000 and min(sizes) >= 500 and max(sizes) <= 3000


def nth_working_day_after(d: dt.date, n: int) -> dt.date:
    import chinese_calendar

    while n:
        d += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(d)
    return d


def test_complaint_transfer_recount(export, db):
    expected = json.loads((export / "_expected.json").read_text(encoding="utf-8"))["complaint_transfer"]
    got = rows(db, "SELECT received_at, transferred_at FROM complaints "
                   "WHERE competent_department IS NOT NULL AND competent_department <> received_by")
    assert len(got) == expected["must_transfer"]
    late = missing = 0
    for received, transferred in got:
        if transferred is None:
            missing += 1
        elif dt.date.fromisoformat(transferred[:10]) > nth_working_day_after(dt.date.fromisoformat(received[:10]), 3):
            late += 1
    assert (late, missing) == (expected["late"], expected["not_transferred"])


def test_inspection_disclosure_recount(export, db):
    expected = json.loads((export / "_expected.json").read_text(encoding="utf-8"))["inspection_disclosure"]
    late = unpublished = 0
    for ended, published in rows(db, "SELECT ended_at, published_at FROM inspections"):
        if published is None:
            unpublished += 1
        elif dt.date.fromisoformat(published) > nth_working_day_after(dt.date.fromisoformat(ended), 10):
            late += 1
    assert (late, unpublished) == (expected["late"], expected["unpublished"])


def norm(name):
    return None if name is None else "".join(unicodedata.normalize("NFKC", name).split())


def test_list_hits_recount(export, db):
    """Bidders matched as EXPORT-V1 says: USCC when both sides have one, else the normalised name;
    persons by resident ID only; listed on d when listed_at ≤ d < removed_at."""
    expected = json.loads((export / "_expected.json").read_text(encoding="utf-8"))
    db.create_function("norm", norm, ["VARCHAR"], "VARCHAR", null_handling="special")
    db.execute("""CREATE TEMP TABLE bd AS SELECT b.*, CAST(coalesce(b.submitted_at, p.bid_deadline) AS DATE) AS d
                  FROM bids b JOIN projects p USING (project_id)""")
    listed = "c.listed_at::DATE <= bd.d AND (c.removed_at IS NULL OR bd.d < c.removed_at::DATE)"
    org = """c.subject_type = '企业' AND CASE WHEN bd.bidder_uscc IS NOT NULL AND c.subject_id IS NOT NULL
             THEN bd.bidder_uscc = c.subject_id ELSE norm(bd.bidder_name) = norm(c.subject_name) END"""
    dishonest = values(db, f"""SELECT count(DISTINCT bid_id) FROM bd JOIN credit_list c ON {org} AND {listed}
                               WHERE c.list_type = '失信被执行人'""")[0]
    bribery = values(db, f"""SELECT count(DISTINCT bid_id) FROM bd JOIN credit_list c
                             ON (({org}) OR (c.subject_type = '个人' AND c.subject_id IN (bd.legal_rep_id, bd.agent_id)))
                             AND {listed} WHERE c.list_type = '行贿犯罪记录'""")[0]
    assert dishonest == expected["dishonest_bidder"]["bids"] > 0
    assert bribery == expected["bribery_record"]["bids"] > 0
    # the company matched by name only is the same company the ID would have found
    assert values(db, "SELECT count(*) FROM credit_list WHERE subject_type = '企业' AND subject_id IS NULL")[0] > 0


def test_planted_collusion_groups(export, db):
    planted = json.loads((export / "_planted_groups.json").read_text(encoding="utf-8"))["groups"]
    assert len(planted) == GROUPS
    planted_pairs = set()
    for g in planted:
        members = g["members"]
        assert gen.GROUP_SIZE[0] <= len(members) <= gen.GROUP_SIZE[1] and len(set(members)) == len(members)
        assert all(uscc_ok(m) for m in members)
        winners = []
        for lot in g["lots"]:
            bids = rows(db, f"SELECT bid_id, bidder_uscc, is_winner, {', '.join(g['shared'])} FROM bids "
                            f"WHERE project_id = '{lot}' AND bidder_uscc IN ({', '.join(repr(m) for m in members)})")
            assert sorted(b[1] for b in bids) == sorted(members), lot
            assert sorted(b[0] for b in bids) == sorted(g["lot_bids"][lot])
            for i, attr in enumerate(g["shared"]):
                assert {b[3 + i] for b in bids} == {g["values"][attr]}, (lot, attr)
                planted_pairs.add((lot, attr))
            lot_winner = values(db, f"SELECT bidder_uscc FROM bids WHERE project_id = '{lot}' AND is_winner = '是'")
            assert len(lot_winner) == 1 and lot_winner[0] in members
            winners.append(lot_winner[0])
        assert winners == g["winners_in_order"]
        assert len(set(winners)) >= 2 and g["rotation"] is True
        assert {m: sorted(ls) for m, ls in g["wins"].items()} == {
            m: sorted(lot for lot, w in zip(g["lots"], winners) if w == m) for m in set(winners)}
        assert set(g["lots"]) <= set(g["co_bid_lots"])
    # apart from the planted lots (and uploads from the trading centre's public terminals), no two
    # bidders in a lot share a collusion attribute
    for attr in ("file_machine_code", "mac_address", "ip_address", "agent_id", "deposit_account",
                 "legal_rep_id", "project_manager_id"):
        shared = rows(db, f"SELECT project_id, {attr} FROM bids WHERE {attr} IS NOT NULL GROUP BY 1, 2 "
                          f"HAVING count(DISTINCT bidder_name) > 1")
        stray = [(lot, v) for lot, v in shared if (lot, attr) not in planted_pairs and v not in gen.TERMINAL_IPS]
        assert not stray, (attr, stray[:3])


def test_deterministic_and_seed_sensitive(export, tmp_path):
    again = tmp_path / "again"
    gen.generate(again, seed=SEED, collusion_groups=GROUPS, **SIZES)
    for path in sorted(export.iterdir()):
        digest = hashlib.sha256(path.read_bytes()).digest()
        assert digest == hashlib.sha256((again / path.name).read_bytes()).digest(), path.name
    other = tmp_path / "other"
    gen.generate(other, seed=SEED + 1, **SIZES)
    assert (other / "bids.csv").read_bytes() != (export / "bids.csv").read_bytes()
    assert json.loads((other / "_planted_groups.json").read_text(encoding="utf-8"))["groups"] == []


def test_cli_parquet(tmp_path, capsys):
    out = tmp_path / "pq"
    assert gen.main([str(out), "--projects", "50", "--bids", "400", "--credit", "60", "--inspections", "10",
                     "--complaints", "10", "--format", "parquet", "--seed", "3"]) == 0
    assert "bids.parquet" in capsys.readouterr().out
    con = duckdb.connect()
    for name, table in TABLES.items():
        rel = con.sql(f"SELECT * FROM '{out / name}.parquet'")
        assert rel.columns == [c.name for c in table.columns], name
    assert con.execute(f"SELECT count(*) FROM '{out}/bids.parquet'").fetchall() == [(400,)]
    assert not list(out.glob("*.csv"))


def test_rejects_impossible_sizes(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(tmp_path, projects=100, bids=50, credit=0, inspections=0, complaints=0)


def test_extensions_write_every_schema_table_so_every_rule_has_data(tmp_path):
    """With ``extensions=True`` (the command line's default) all fifteen tables are written, with
    canonical headers in schema order, derived from the core tables (issue #13)."""
    result = gen.generate(tmp_path, projects=200, bids=2000, credit=200, inspections=100, complaints=300,
                          extensions=True)
    for name, table in ALL_TABLES.items():
        path = tmp_path / f"{name}.csv"
        assert path.exists(), name
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == [c.name for c in table.columns], name
    assert result["rows"]["panels"] > 0 and result["rows"]["inspection_targets"] > 0
    again = tmp_path / "again"
    gen.generate(again, projects=200, bids=2000, credit=200, inspections=100, complaints=300, extensions=True)
    assert (again / "panels.csv").read_bytes() == (tmp_path / "panels.csv").read_bytes()
