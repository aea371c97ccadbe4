"""Who a bid's bidder is, for the collusion checks (条例 §34, §40; EXPORT-V1 "Collusion findings").

§40 treats bids as collusive when *different* bidders share a machine, an agent, a project
manager or a deposit account, and the bidder networks join bidders across lots, so both need
one identity per bidder. DOMAIN.md: match on IDs first, normalised names second, and say which.

* a bid with a USCC is that USCC (``key_by = 'uscc'``);
* a bid without one is its normalised name (``ggzy_norm_name``: half-width brackets, no spaces,
  upper case) — resolved to the USCC that the same normalised name carries on the export's other
  bids when exactly one USCC does (``'name_to_uscc'``), else the name itself (``'name'``);
* a bid with neither has no key and is never evidence.

The table ``bidder_keys(_row, bid_id, project_id, bidder_key, key_by, bidder_name, bidder_no)`` —
``bidder_no`` a small integer per bidder, cheap to group by — is made once
per export (its comment holds the bids file's fingerprint), in DuckDB: the name is normalised
once per distinct name, then one join resolves names to USCCs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from checks.base import norm_name

from .sql import literal

TABLE = "bidder_keys"


def _fingerprint(export) -> str:
    tf = export.files.get("bids") if export is not None else None
    return hashlib.sha256(f"{Path(export.folder).resolve() if export else '-'}|{tf.sha256 if tf else '-'}"
                          .encode()).hexdigest()


def prepare_bidder_keys(con: duckdb.DuckDBPyConnection, export) -> None:
    """Create ``bidder_keys`` for the loaded ``bids`` table, unless it exists for this export."""
    key = _fingerprint(export)
    made = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
                       [TABLE]).fetchall()
    if made and made[0][0] == key:
        return
    con.execute(f"""
        CREATE OR REPLACE TABLE {TABLE} AS
        WITH names AS (
            SELECT bidder_name, {norm_name('bidder_name')} AS nname
            FROM (SELECT DISTINCT bidder_name FROM bids WHERE bidder_name IS NOT NULL)),
        b AS (
            SELECT b._row, b.bid_id, b.project_id, b.bidder_name, b.bidder_uscc, n.nname
            FROM bids b LEFT JOIN names n USING (bidder_name)),
        resolved AS (  -- a normalised name that only ever carries one USCC stands for it
            SELECT nname, min(bidder_uscc) AS uscc
            FROM b WHERE bidder_uscc IS NOT NULL AND nname IS NOT NULL
            GROUP BY nname HAVING count(DISTINCT bidder_uscc) = 1),
        keyed AS (
            SELECT b._row, b.bid_id, b.project_id, b.bidder_name,
                   coalesce(b.bidder_uscc, r.uscc, b.nname) AS bidder_key,
                   CASE WHEN b.bidder_uscc IS NOT NULL THEN 'uscc'
                        WHEN r.uscc IS NOT NULL THEN 'name_to_uscc'
                        WHEN b.nname IS NOT NULL THEN 'name' END AS key_by
            FROM b LEFT JOIN resolved r USING (nname))
        SELECT k.*, n.bidder_no  -- a small integer per bidder: cheap to group and count by
        FROM keyed k LEFT JOIN (
            SELECT bidder_key, CAST(row_number() OVER (ORDER BY bidder_key) AS INTEGER) AS bidder_no
            FROM (SELECT DISTINCT bidder_key FROM keyed WHERE bidder_key IS NOT NULL)) n USING (bidder_key)""")
    con.execute(f"COMMENT ON TABLE {TABLE} IS {literal(key)}")
