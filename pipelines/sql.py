"""Building SQL safely: identifiers and literals rendered by sqlglot for DuckDB.

User text (rule values, headers found in a file, mapped values) never becomes SQL by string
concatenation: identifiers are quoted by sqlglot after being checked against the schema or
read from the file itself, and literals are rendered by sqlglot with correct escaping.

>>> ident('we"ird'), literal("O'Brien"), literal(3), literal(None)
('"we""ird"', "'O''Brien'", '3', 'NULL')
>>> in_list("t.kind", ["招标公告", "采购公告"])
"t.kind IN ('招标公告', '采购公告')"
"""

from __future__ import annotations

from sqlglot import exp

DIALECT = "duckdb"


def ident(name: str) -> str:
    """A quoted identifier."""
    return exp.to_identifier(name, quoted=True).sql(dialect=DIALECT)


def literal(value) -> str:
    """A SQL literal for a Python str, int, float, bool or None."""
    return exp.convert(value).sql(dialect=DIALECT)


def records(con, sql: str, params=()) -> list[dict]:
    """Run a query (on a connection or cursor) and return its rows as dicts by column name."""
    result = con.execute(sql, list(params))
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def in_list(column_sql: str, values) -> str:
    """``column IN (v1, v2, …)`` with every value a literal; FALSE for an empty list."""
    values = list(values)
    if not values:
        return "FALSE"
    return f"{column_sql} IN ({', '.join(literal(v) for v in values)})"


def contains_any(text_sql: str, phrases) -> str:
    """``(contains(text, p1) OR …)`` — TRUE when the text holds any of the phrases."""
    parts = [f"contains({text_sql}, {literal(p)})" for p in phrases]
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def case_map(value_sql: str, mapping: dict) -> str:
    """``CASE v WHEN 'a' THEN 'b' … ELSE v END`` for a value mapping from mapping.yaml."""
    if not mapping:
        return value_sql
    whens = " ".join(f"WHEN {literal(str(k))} THEN {literal(str(v))}" for k, v in mapping.items())
    return f"(CASE {value_sql} {whens} ELSE {value_sql} END)"


#: DuckDB never fetches or loads an extension on its own for ggzy: a ``--ledger`` that is a
#: SQLite file would otherwise make it try to download ``sqlite_scanner`` (issue #9 item 7)
NO_EXTENSION_AUTOLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(database: str = ":memory:", *, read_only: bool = False):
    """A DuckDB connection as every ggzy connection is opened: no extension autoload or autoinstall."""
    import duckdb

    return duckdb.connect(database, read_only=read_only, config=dict(NO_EXTENSION_AUTOLOAD))


def no_extension_autoload(con) -> None:
    """The same settings on a connection someone else opened (a test's, a benchmark's)."""
    for name, value in NO_EXTENSION_AUTOLOAD.items():
        con.execute(f"SET {name} = {literal(value)}")
