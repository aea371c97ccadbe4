"""One audit: read the export, check its contract, build the calendar, run the rules.

The CLI, the tests and the benchmarks all call :func:`run_audit`; ``pipelines.cli.write_outputs``
then publishes it (pipelines.publish: staging folder, ledger transaction) and hands the writers in
``reports/`` plain data gathered from its :class:`Audit` (pipelines.report_data) and the DuckDB
connection that holds the ``violations`` table. Every connection has extension autoload and
autoinstall off (pipelines.sql.connect).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from . import calendar, engine, networks, reading, rules, unjudged
from .memory import apply as bound_memory
from .sql import connect, no_extension_autoload
from .validate import Finding, check_contract


#: the table each preparation a kind may name reads (engine.PREPARATIONS)
PREPARATION_TABLES = {"notice_text": "notices", "bidders": "bids"}


def tables_read_by(selected: list[rules.Rule]) -> set[str]:
    """The tables the rules chosen with ``--only`` read: each rule's own, those its kind names,
    what its preparations read, and ``projects`` (the department and scope of every record with
    a project). The other tables of the export are not read, and the audit says so; any rule that
    read one anyway would fail loudly, since it is not even an empty table
    (tests/test_only_reads_what_it_needs.py runs each shipped rule alone against the whole pack)."""
    needed = {"projects"}
    for rule in selected:
        needed.update(engine.tables_needed(rule.spec))
        needed.update(PREPARATION_TABLES[name] for name in rule.kind.PREPARES)
    return needed


def columns_read_by(selected: list[rules.Rule]) -> dict[str, set[str] | None]:
    """For each table of :func:`tables_read_by`, the columns the chosen rules read — or None
    (every column) for ``projects`` (joined whole to every record), a table a kind reads beside
    its own (credit_list) and ``bids`` under the bidder-key preparation. A rule's columns: those
    its parameters name (``column_refs``, ``columns_read``), its ``unless`` and message fields, and the table's
    key, project and department, which the engine reads for every record. A column left out is
    not in the table at all, so a rule reading it anyway fails loudly."""
    columns: dict[str, set[str] | None] = {name: set() for name in tables_read_by(selected)}
    whole = {"projects"}
    for rule in selected:
        spec = rule.spec
        whole.update(t for t in spec.tables_used() if t != spec.table)
        if "bidders" in rule.kind.PREPARES:
            whole.add("bids")
        table = spec.schema_table
        named = [*spec.column_refs().values(), *spec.columns_read(), spec.unless, *(name for _, name in rule.template),
                 table.key, "project_id", "department"]
        columns[spec.table].update(c for c in named if c and not c.startswith("project.") and table.has(c))
    return {name: None if name in whole or not wanted else wanted for name, wanted in columns.items()}


def today_in_beijing() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@dataclass
class Audit:
    export: reading.Export
    pack: rules.RulePack
    as_of: dt.date
    calendar: calendar.CalendarInfo
    results: list[engine.RuleResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)  # bidder groups (围标串标), pipelines.networks
    #: check kind -> how its evidence is shown (checks' SHOWN as data), for the reports
    kinds: dict[str, list[dict]] = field(default_factory=dict)
    unjudged: dict = field(default_factory=dict)  # rules/tables that checked nothing, unread files (pipelines.unjudged)

    @property
    def checked_nothing(self) -> bool:
        """No rule judged a single record: the run is not a clean bill (CLI exit 3)."""
        return bool(self.unjudged.get("checked_nothing"))


def run_audit(export_dir: Path, *, rules_dir: Path | None = None, mapping: Path | None = None,
              as_of: dt.date | None = None, only: list[str] | None = None, progress=None,
              con: duckdb.DuckDBPyConnection | None = None,
              document_cache: Path | None = None,
              memory: str | None = None) -> tuple[duckdb.DuckDBPyConnection, Audit]:
    """Run the rule pack over an export folder. Raises ``reading.ExportError`` for unreadable
    input, ``rules.RuleError`` for a broken rule pack and ``calendar.CalendarError`` for a
    broken calendar year file. ``document_cache``: the folder where the text of tender
    documents is kept between runs (none: read every document again). ``memory`` (``50%``,
    ``4GB``…; see pipelines.memory) bounds DuckDB's memory on a connection opened here,
    spilling to a temp folder beyond it."""
    step = progress or (lambda _msg: None)
    pack = rules.load_pack(rules_dir)
    selected = pack.select(only)
    network_params = networks.load_params(pack.folder)  # a broken file fails before the export is read
    if con is None:
        con = connect()
        bound_memory(con, memory)
    else:
        no_extension_autoload(con)
    step("读取数据 reading export")
    export = reading.load_export(con, Path(export_dir), mapping, progress=step,
                                 tables=columns_read_by(selected) if only else None)
    export.document_cache = document_cache
    step("校验数据契约 checking the export contract")
    findings = check_contract(con, export)
    cal = calendar.install_calendar(con, pack.folder / "calendar")
    audit = Audit(export, pack, as_of or today_in_beijing(), cal, findings=findings, kinds=engine.displays())
    audit.results = engine.run_rules(con, selected, export, audit.as_of, cal.last_year, progress=step)
    step("围标串标关联分析 bidder networks")
    audit.groups = networks.find_groups(con, selected, export, pack.folder, network_params)
    audit.unjudged = unjudged.assess(con, audit)
    return con, audit
