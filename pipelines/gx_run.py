"""``ggzy validate EXPORT --gx DIR``: the contract run as a Great Expectations Checkpoint.

The typed tables the loader produced are written from DuckDB to Parquet under ``DIR/data``
(only the columns the export's file has, plus ``_row`` and the raw text of typed columns), a
file-backed GX project is created in ``DIR`` with one pandas-filesystem data source, one suite
per table (``pipelines.gx_suite``, generated), one validation definition per table and one
Checkpoint (``ggzy-export``); its Validation Results are stored in the project and the Data Docs
site is built once after the run (``DIR/gx/uncommitted/data_docs/local_site/index.html``). A team can re-run the same
checkpoint with GX alone.

GX's SQL path does not work on DuckDB, so GX reads pandas frames; it re-hashes and re-scans a
frame per expectation, so a table larger than ``SAMPLE_ROWS`` is validated on a reservoir
sample of that many rows (fixed seed), said in the result and in the suite's run name — the
DuckDB/pandera contract (``ggzy validate`` without ``--gx``) always covers every row.
great_expectations is imported here only, when ``--gx`` is asked for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import schema, sqlfuncs
from .gx_suite import ROW, SUITE_PREFIX, table_specs
from .reading import Export
from .sql import ident, literal

SAMPLE_ROWS = 200_000  # beyond this GX validates a sample (see benchmarks/README.md for the measurement)
CHECKPOINT = "ggzy-export"
DATASOURCE = "ggzy-export"


@dataclass
class GxRun:
    success: bool
    flagged: set[tuple[str, int | None, str | None, str]]  # (table, row, column, contract check)
    expectations: list[dict]  # per expectation: table, type, check, column, success, unexpected_count
    docs_index: Path | None
    sampled: dict[str, int] = field(default_factory=dict)  # table -> rows validated, where sampled
    seconds: float = 0.0


def _columns(table: schema.Table, present: set[str]) -> list[str]:
    cols = [ROW]
    for c in table.loaded_columns:
        if c.name in present:
            cols.append(c.name)
            if c.kind in sqlfuncs.KEEPS_RAW:
                cols.append(c.name + "__raw")
    return cols


def write_snapshots(con: duckdb.DuckDBPyConnection, export: Export, data_dir: Path,
                    sample_rows: int = SAMPLE_ROWS) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Parquet files of the typed tables for GX; returns each table's present columns and the
    tables that were sampled (table -> rows kept)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    present, sampled = {}, {}
    for name, tf in export.files.items():
        table = schema.TABLES[name]
        present[name] = {c for c in tf.sources if not table.column(c).confidential}
        select = ", ".join(ident(c) for c in _columns(table, present[name]))
        sample = ""
        if tf.rows > sample_rows:
            sample = f" USING SAMPLE reservoir({int(sample_rows)} ROWS) REPEATABLE (20221014)"
            sampled[name] = sample_rows
        target = literal(str(data_dir / f"{name}.parquet"))
        con.execute(f"COPY (SELECT {select} FROM {ident(name)}{sample} ORDER BY {ROW}) TO {target} (FORMAT parquet)")
    return present, sampled


def run_checkpoint(con: duckdb.DuckDBPyConnection, export: Export, project_dir: Path,
                   sample_rows: int = SAMPLE_ROWS) -> GxRun:
    """Build the GX project in ``project_dir``, run the checkpoint, build Data Docs."""
    started = time.perf_counter()
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from . import gx_expectations  # noqa: F401 - registers the identifier expectations

    project_dir = Path(project_dir).resolve()
    data_dir = project_dir / "data"
    present, sampled = write_snapshots(con, export, data_dir, sample_rows)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    source = context.data_sources.add_or_update_pandas_filesystem(DATASOURCE, base_directory=data_dir)
    definitions, specs_of = [], {}
    for name in export.files:
        for asset_name in [a.name for a in source.assets if a.name == name]:
            source.delete_asset(asset_name)
        asset = source.add_parquet_asset(name)
        batch = asset.add_batch_definition_path(name, path=f"{name}.parquet")
        specs = table_specs(name, present[name])
        specs_of[SUITE_PREFIX + name] = (name, specs)
        suite = gx.ExpectationSuite(
            name=SUITE_PREFIX + name,
            expectations=[ExpectationConfiguration(**s.as_json()).to_domain_obj() for s in specs],
            meta={"sampled_rows": sampled.get(name)})
        suite = context.suites.add_or_update(suite)
        definitions.append(context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=SUITE_PREFIX + name, data=batch, suite=suite)))
    checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
        name=CHECKPOINT, validation_definitions=definitions,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW]}))
    result = checkpoint.run()
    # one Data Docs build for the whole run: GX's UpdateDataDocsAction would rebuild the whole
    # site once per validation definition (15 tables: 15 builds, most of a run's time)
    context.build_data_docs()
    flagged, expectations = set(), []
    for validation in result.run_results.values():
        table, specs = specs_of[validation.suite_name]
        for spec, outcome in zip(specs, validation.results):
            config = outcome.expectation_config
            meta = config.meta or {}
            check, column = meta.get("ggzy_check", spec.check), meta.get("column", spec.column)
            rows = [int(i[ROW]) for i in (outcome.result or {}).get("unexpected_index_list") or []]
            if not outcome.success and check == "required_column":
                flagged.add((table, None, column, check))
            flagged.update((table, row, column, check) for row in rows)
            expectations.append({"table": table, "type": config.type, "check": check, "column": column,
                                 "severity": meta.get("severity"), "success": bool(outcome.success),
                                 "unexpected_count": (outcome.result or {}).get("unexpected_count", 0)})
    docs = project_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return GxRun(bool(result.success), flagged, expectations, docs if docs.exists() else None, sampled,
                 time.perf_counter() - started)
