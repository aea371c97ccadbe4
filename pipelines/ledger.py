"""The weekly ledger (``--ledger FILE.duckdb``): every audit run and every violation it found,
kept in one DuckDB file, so that each violation of a run is 新增 (``new``), 持续 (``open``) or
逾期已办 (``late_done``, 本周补办 when done since the previous run) and the previous run's
violations that are gone are 已整改 (resolved) — EXPORT-V1 "With a ledger".

The file holds facts only::

    ledger_info(key, value)                      -- format = 2 (1: before late_done)
    runs(run_id, as_of, recorded_at, export_folder, export_fingerprint, export_files JSON,
         rule_pack_name, rule_pack_version, rule_pack_digest, options JSON)
    run_rules(run_id, rule_id, title, severity, checked, violated, pending, not_evaluable)
    run_violations(run_id, rule_id, "key", record_id, "table", project_id, department,
                   severity, basis, message, evidence JSON, late_done BOOLEAN)

``run_rules`` lists the rules a run *evaluated*. Statuses are derived in SQL from the whole
history (:mod:`pipelines.ledger_status`), never stored, so a replaced or back-filled run cannot
leave stale statuses behind. A format-1 ledger is upgraded in the first run's transaction
(late_done of old rows taken from their deadline evidence); read-only it is read as if upgraded.

A run is identified by (as_of, export fingerprint): auditing the same export files with the same
as_of again replaces that run (same run_id), so nothing is counted twice. A different export
with an as_of already in the ledger is recorded as a further run after it.

Atomicity. All writes of a run happen in ONE DuckDB transaction on the ledger file, ATTACHed to
the audit's connection and written through a separate cursor (its own transaction), and the
COMMIT comes after every output file is written (into a staging folder, pipelines.publish).
DuckDB appends a transaction to its write-ahead log only at COMMIT (fsynced) and replays the
log when the file is next opened, so a process killed at any point before COMMIT — even
SIGKILL, which runs no clean-up — leaves the ledger exactly as it was; killed after it, the run
is recorded whole. ATTACH also takes DuckDB's file lock: a second audit on the same ledger at
the same time fails with a clear error instead of interleaving. A ledger that does not exist
yet is built as a hidden temporary file next to it and linked into place only after COMMIT, so
an interrupted first run leaves no ledger file at all (just, possibly, the ``.FILE.PID.tmp`` file).

This module is longer than most (~400 lines) because it is one job — the ledger file: its
format, the checks before a run, the transaction that records one, and the read-only view for
``ggzy history`` — sharing the attach/format/error helpers; what the history *means* (statuses,
trend) is apart, in :mod:`pipelines.ledger_status`.

For the test that proves this, ``GGZY_LEDGER_TEST_PAUSE=PATH`` makes the audit create PATH and
sleep for a minute right before COMMIT, with every write of the run done, so a test can SIGKILL
it there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import ledger_status
from .sql import connect, ident, literal, records

DB = "ggzy_ledger"  # the catalog name the ledger is attached as
FORMAT = "2"
READABLE_FORMATS = ("1", FORMAT)  # format 1 lacks run_violations.late_done; upgraded on write
PAUSE_ENV = "GGZY_LEDGER_TEST_PAUSE"
STATUS_COLUMNS = ("status", "first_seen", "runs_open", "this_week")
RESOLVED_TABLE = "resolved_violations"

SCHEMA = """
CREATE TABLE {db}.ledger_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE {db}.runs (
    run_id INTEGER PRIMARY KEY, as_of DATE NOT NULL, recorded_at TIMESTAMPTZ NOT NULL,
    export_folder VARCHAR, export_fingerprint VARCHAR NOT NULL, export_files JSON,
    rule_pack_name VARCHAR, rule_pack_version VARCHAR, rule_pack_digest VARCHAR, options JSON);
CREATE TABLE {db}.run_rules (
    run_id INTEGER NOT NULL, rule_id VARCHAR NOT NULL, title VARCHAR, severity VARCHAR,
    checked INTEGER, violated INTEGER, pending INTEGER, not_evaluable INTEGER);
CREATE TABLE {db}.run_violations (
    run_id INTEGER NOT NULL, rule_id VARCHAR NOT NULL, "key" VARCHAR NOT NULL, record_id VARCHAR,
    "table" VARCHAR, project_id VARCHAR, department VARCHAR, severity VARCHAR, basis VARCHAR,
    message VARCHAR, evidence JSON, late_done BOOLEAN);
"""
TABLES = ("ledger_info", "runs", "run_rules", "run_violations")


class LedgerError(Exception):
    """A ledger file that cannot be used. The message is Chinese + English and names the file."""


# --------------------------------------------------------------------------- recording a run

def export_fingerprint(files: dict[str, str]) -> str:
    """One sha256 over the export's {file name: sha256}: equal for the same files, whatever the order."""
    text = "\n".join(f"{name}\t{sha}" for name, sha in sorted(files.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class LedgerRun:
    """What the ledger says about the run being recorded (the transaction still open)."""

    path: Path
    run_id: int
    as_of: dt.date
    export_fingerprint: str
    replaced: bool  # the same export and as_of were in the ledger already: that run was replaced
    previous_as_of: dt.date | None  # the latest earlier run's as_of
    same_as_of_other_exports: int  # runs with this as_of but other export files
    counts: dict[str, int] = field(default_factory=dict)  # ledger_status.COUNTS of this run
    trend: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        """The ledger part of summary.json: new, open (still not done), late_done (逾期已办),
        late_done_this_week (本周补办) and resolved counts of this run."""
        return {"file": str(self.path), "run_id": self.run_id, "runs": len(self.trend),
                "replaced_earlier_record": self.replaced, "same_as_of_other_exports": self.same_as_of_other_exports,
                "previous_as_of": self.previous_as_of.isoformat() if self.previous_as_of else None,
                "export_fingerprint": self.export_fingerprint,
                **{c: self.counts.get(c, 0) for c in ledger_status.COUNTS}}


def _describe(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class _Book:
    """The ledger attached to ``con`` with one open transaction on its own cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path):
        self.con, self.path = con, Path(path)
        self.committed = False
        if self.path.is_dir():
            raise LedgerError(f"{self.path}: 账本应为文件而不是文件夹 / the ledger must be a file, not a folder")
        self.new = not self.path.exists()
        if self.new:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(f"{self.path}: 无法创建账本所在文件夹 / cannot create the ledger's folder: "
                                  f"{_describe(exc)}") from None
            self.target = self.path.parent / f".{self.path.name}.{os.getpid()}.tmp"
            _remove(self.target)
        else:
            self.target = self.path
        self.memory = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"DETACH DATABASE IF EXISTS {ident(DB)}")
        try:
            con.execute(f"ATTACH {literal(str(self.target))} AS {ident(DB)} (TYPE duckdb)")
        except duckdb.Error as exc:
            raise _open_error(self.path, exc) from None
        self.cur = con.cursor()
        self.cur.execute("BEGIN TRANSACTION")
        try:
            self._check_or_create()
        except BaseException:
            self.rollback()
            self.close()
            raise

    def _check_or_create(self) -> None:
        names = {r[0] for r in self.cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [DB]).fetchall()}
        if not names:
            self.cur.execute(SCHEMA.format(db=ident(DB)))
            self.cur.execute(f"INSERT INTO {ident(DB)}.ledger_info VALUES ('format', ?), ('created_by', 'ggzy')",
                             [FORMAT])
            return
        if not set(TABLES) <= names:
            raise LedgerError(f"{self.path}: 不是 ggzy 账本（缺少表 {', '.join(sorted(set(TABLES) - names))}）/ "
                              "not a ggzy ledger")
        fmt = dict(self.cur.execute(f"SELECT key, value FROM {ident(DB)}.ledger_info").fetchall()).get("format")
        if fmt not in READABLE_FORMATS:
            raise LedgerError(f"{self.path}: 账本格式版本 {fmt} 不受支持（本程序为 {FORMAT}）/ "
                              f"unsupported ledger format {fmt}")
        if fmt == "1":  # upgrade, in this run's transaction: late_done of old rows from their evidence
            L = ident(DB)
            self.cur.execute(f"ALTER TABLE {L}.run_violations ADD COLUMN late_done BOOLEAN")
            self.cur.execute(f"UPDATE {L}.run_violations SET late_done = coalesce({ledger_status.LATE_DONE_FROM_EVIDENCE}, FALSE)")
            self.cur.execute(f"UPDATE {L}.ledger_info SET value = ? WHERE key = 'format'", [FORMAT])

    def record(self, audit, options: dict | None) -> LedgerRun:
        cur, L, memory = self.cur, ident(DB), ident(self.memory)
        files = audit.export.fingerprints()
        fingerprint = export_fingerprint(files)
        as_of = audit.as_of
        same = cur.execute(f"SELECT run_id FROM {L}.runs WHERE as_of = ? AND export_fingerprint = ?",
                           [as_of, fingerprint]).fetchall()
        others = cur.execute(f"SELECT count(*) FROM {L}.runs WHERE as_of = ? AND export_fingerprint <> ?",
                             [as_of, fingerprint]).fetchall()[0][0]
        pack = audit.pack
        values = [as_of, dt.datetime.now(dt.timezone(dt.timedelta(hours=8))), str(audit.export.folder),
                  fingerprint, json.dumps(files, ensure_ascii=False), pack.name, pack.version, pack.digest,
                  json.dumps(options or {}, ensure_ascii=False, default=str)]
        columns = ("as_of, recorded_at, export_folder, export_fingerprint, export_files, rule_pack_name, "
                   "rule_pack_version, rule_pack_digest, options")
        if same:
            run_id = same[0][0]
            assignments = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
            cur.execute(f"UPDATE {L}.runs SET {assignments} WHERE run_id = ?", [*values, run_id])
            cur.execute(f"DELETE FROM {L}.run_rules WHERE run_id = ?", [run_id])
            cur.execute(f"DELETE FROM {L}.run_violations WHERE run_id = ?", [run_id])
        else:
            run_id = cur.execute(f"SELECT coalesce(max(run_id), 0) + 1 FROM {L}.runs").fetchall()[0][0]
            cur.execute(f"INSERT INTO {L}.runs (run_id, {columns}) VALUES (?, {', '.join('?' * 9)})",
                        [run_id, *values])
        evaluated = [r for r in audit.results if r.evaluated]
        if evaluated:  # a handful of rules, not records
            cur.executemany(f"INSERT INTO {L}.run_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                [run_id, r.rule_id, r.title, r.severity, r.checked, r.counts.get("violated", 0),
                 r.counts.get("pending", 0), r.counts.get("not_evaluable", 0)] for r in evaluated])
        cur.execute(f"""
            INSERT INTO {L}.run_violations
            SELECT ?, rule_id, coalesce("key", record_id, ''), record_id, "table", project_id, department,
                   severity, basis, message, evidence, coalesce(late_done, FALSE)
            FROM {memory}.main.violations""", [run_id])
        previous = cur.execute(f"""SELECT max(as_of) FROM {L}.runs WHERE run_id <> ? AND
                                   (as_of < ? OR (as_of = ? AND run_id < ?))""",
                               [run_id, as_of, as_of, run_id]).fetchall()[0][0]
        run = LedgerRun(self.path, run_id, as_of, fingerprint, bool(same), previous, others)
        self._mark_violations(run)
        self._resolved(run, [r.rule_id for r in audit.results])
        run.trend = ledger_status.trend(cur, DB)
        return run

    def _mark_violations(self, run: LedgerRun) -> None:
        """status / first_seen / runs_open onto the audit's ``violations`` table."""
        statuses = self.cur.sql(f"""
            WITH {ledger_status.history_ctes(DB)}
            SELECT rule_id, "key", status, first_seen, runs_open, this_week FROM status
            WHERE run_id = {int(run.run_id)}
        """).to_arrow_table()
        con = self.con
        con.register("_ledger_status", statuses)
        try:
            con.execute("ALTER TABLE violations ADD COLUMN IF NOT EXISTS status VARCHAR")
            con.execute("ALTER TABLE violations ADD COLUMN IF NOT EXISTS first_seen DATE")
            con.execute("ALTER TABLE violations ADD COLUMN IF NOT EXISTS runs_open INTEGER")
            con.execute("ALTER TABLE violations ADD COLUMN IF NOT EXISTS this_week BOOLEAN")
            con.execute("""
                UPDATE violations v SET status = s.status, first_seen = s.first_seen, runs_open = s.runs_open,
                                        this_week = s.this_week
                FROM _ledger_status s
                WHERE s.rule_id = v.rule_id AND s."key" = coalesce(v."key", v.record_id, '')""")
            counts = dict(con.execute("SELECT status, count(*) FROM _ledger_status GROUP BY 1").fetchall())
            counts["late_done_this_week"] = con.execute(
                "SELECT count(*) FROM _ledger_status WHERE this_week").fetchall()[0][0]
        finally:
            con.unregister("_ledger_status")
        run.counts.update({c: counts.get(c, 0) for c in ("new", "open", "late_done", "late_done_this_week")})

    def _resolved(self, run: LedgerRun, rule_order: list[str]) -> None:
        """The previous run's violations this run no longer finds, as table ``resolved_violations``."""
        L = ident(DB)
        gone = self.cur.sql(f"""
            WITH {ledger_status.history_ctes(DB)}
            SELECT g.rule_id, v.record_id, g."key", v."table", v.project_id, v.department, v.severity,
                   v.basis, v.message, g.first_seen, g.last_seen, g.last_status, g.resolved_as_of,
                   coalesce(list_position(?::VARCHAR[], g.rule_id), 1000000) AS rule_order
            FROM gone g
            JOIN (SELECT DISTINCT ON (run_id, rule_id, "key") * FROM {L}.run_violations) v
              ON v.run_id = g.last_run_id AND v.rule_id = g.rule_id AND v."key" = g."key"
            WHERE g.run_id = ?""", params=[rule_order, run.run_id]).to_arrow_table()
        self.con.register("_ledger_gone", gone)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {RESOLVED_TABLE} AS SELECT * FROM _ledger_gone")
        finally:
            self.con.unregister("_ledger_gone")
        run.counts["resolved"] = gone.num_rows

    def commit(self) -> None:
        marker = os.environ.get(PAUSE_ENV)
        if marker:  # test hook, see the module docstring: every write done, COMMIT not yet
            Path(marker).write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(60)
        self.cur.execute("COMMIT")
        self.committed = True

    def rollback(self) -> None:
        try:
            self.cur.execute("ROLLBACK")
        except duckdb.Error:
            pass  # nothing to roll back (the transaction had failed already)

    def close(self) -> None:
        self.cur.close()
        self.con.execute(f"DETACH DATABASE IF EXISTS {ident(DB)}")  # checkpoints the committed run into the file
        if not self.new:
            return
        if not self.committed:
            _remove(self.target)
            return
        try:
            os.link(self.target, self.path)  # never replaces a ledger someone created meanwhile
        except FileExistsError:
            raise LedgerError(f"{self.path}: 运行期间另有进程创建了该账本，本次记录保留在 {self.target} / "
                              "the ledger appeared while this run was writing; this run is kept in the temporary file") from None
        except OSError:  # a file system without hard links
            os.replace(self.target, self.path)
        else:
            os.unlink(self.target)
        _fsync_dir(self.path.parent)


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _open_error(path: Path, exc: Exception) -> LedgerError:
    text = _describe(exc)
    if "lock" in text.lower():
        return LedgerError(f"{path}: 账本正被另一个进程使用，请稍后再试 / the ledger is in use by another process ({text})")
    return LedgerError(f"{path}: 无法打开账本（不是 DuckDB 数据库文件或已损坏）/ cannot open the ledger: {text}")


@contextmanager
def recording(con: duckdb.DuckDBPyConnection, audit, path: Path | None, options: dict | None = None):
    """Record ``audit`` (whose violations are in ``con``) in the ledger at ``path``.

    Yields the :class:`LedgerRun` (or None without a ledger) after putting status, first_seen and
    runs_open on ``violations`` and creating table ``resolved_violations``; the body writes the
    outputs. The ledger transaction commits only when the body completes; any exception (or a
    killed process) leaves the ledger as it was."""
    if path is None:
        yield None
        return
    book = _Book(con, Path(path))
    try:
        try:
            run = book.record(audit, options)
        except duckdb.Error as exc:
            raise LedgerError(f"{path}: 写入账本失败 / cannot write the ledger: {_describe(exc)}") from None
        yield run
        book.commit()
    except BaseException:
        book.rollback()
        raise
    finally:
        book.close()


# --------------------------------------------------------------------------- reading

@dataclass
class History:
    path: Path
    runs: list[dict]  # trend(): one dict per run
    rules: dict[str, str]  # rule_id -> title (latest)


def _attach_read_only(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """Attach the ledger at ``path`` read-only as DB; return its format."""
    if path.is_dir():
        raise LedgerError(f"{path}: 账本应为文件而不是文件夹 / the ledger must be a file, not a folder")
    if not path.is_file():
        raise LedgerError(f"{path}: 账本文件不存在 / ledger file not found")
    try:
        con.execute(f"ATTACH {literal(str(path))} AS {ident(DB)} (READ_ONLY, TYPE duckdb)")
    except duckdb.Error as exc:
        raise _open_error(path, exc) from None
    names = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [DB]).fetchall()}
    if not set(TABLES) <= names:
        raise LedgerError(f"{path}: 不是 ggzy 账本 / not a ggzy ledger")
    fmt = dict(con.execute(f"SELECT key, value FROM {ident(DB)}.ledger_info").fetchall()).get("format")
    if fmt not in READABLE_FORMATS:
        raise LedgerError(f"{path}: 账本格式版本 {fmt} 不受支持（本程序为 {FORMAT}）/ unsupported ledger format {fmt}")
    return fmt


def check_usable(path: Path) -> None:
    """Fail early (before a long audit) if ``path`` exists but is not a usable ledger (a SQLite or
    CSV file, say: never an extension download), or cannot be created (it lies under a file); a
    path that does not exist yet is fine — the first run creates it."""
    path = Path(path)
    if not path.exists():
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise LedgerError(f"{path}: 无法创建账本，{folder} 是文件而不是文件夹 / "
                              f"cannot create the ledger: {folder} is a file, not a folder")
        return
    con = connect()
    try:
        _attach_read_only(con, path)
    finally:
        con.close()


def read_history(path: Path) -> History:
    """The runs and trends of the ledger at ``path``, read-only."""
    path = Path(path)
    con = connect()
    try:
        fmt = _attach_read_only(con, path)
        runs = ledger_status.trend(con, DB, stored_late_done=fmt != "1")
        titles = dict(con.execute(f"""
            SELECT rule_id, arg_max(title, run_id) FROM {ident(DB)}.run_rules GROUP BY rule_id""").fetchall())
        return History(path, runs, titles)
    finally:
        con.close()


def resolved_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The audit's ``resolved_violations`` table as dicts, for ReportData.resolved."""
    return records(con, f"""SELECT rule_id, record_id, "key", "table", project_id, department, severity, message,
                                 first_seen, last_seen, resolved_as_of
                          FROM {RESOLVED_TABLE} ORDER BY rule_order, department NULLS LAST, record_id""")
