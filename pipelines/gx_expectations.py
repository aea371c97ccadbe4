"""Custom Great Expectations for the check characters of Chinese identifiers (DOMAIN.md "Identifiers").

GX has no built-in expectation for the GB 32100-2015 (USCC) or GB 11643-1999 (resident ID)
check character, so each is a ``ColumnMapExpectation`` whose pandas implementation runs the
contract's own SQL predicates (``pipelines.contract.identifier_rules``) in DuckDB over the
column: GX and the contract cannot disagree on what a valid code is. Importing this module registers the three expectations with GX;
it imports great_expectations, so only ``ggzy validate --gx`` and ``ggzy gx-suite`` load it.
"""

from __future__ import annotations

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial

import duckdb
import pandas as pd

from . import schema
from .contract import identifier_rules


def _valid(kind: str):
    """column -> True where the value passes every identifier rule of ``kind`` (as the contract)."""
    fails = " OR ".join(f"coalesce({r.fails.replace('{v}', 'v')}, FALSE)"
                        for r in identifier_rules(schema.Column("v", kind=kind)))

    def check(column: pd.Series) -> pd.Series:
        frame = pd.DataFrame({"v": column.astype("string").to_numpy()})
        con = duckdb.connect()
        try:
            con.register("frame", frame)
            failed = con.execute(f"SELECT {fails} AS f FROM frame").fetchnumpy()["f"].astype(bool)
        finally:
            con.close()
        return pd.Series(~failed, index=column.index)
    return check


class ColumnValuesValidUscc(ColumnMapMetricProvider):
    condition_metric_name = "column_values.ggzy_valid_uscc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _valid("uscc")(column)


class ColumnValuesValidResidentId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.ggzy_valid_resident_id"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _valid("resident_id")(column)


class ColumnValuesValidIdAny(ColumnMapMetricProvider):
    condition_metric_name = "column_values.ggzy_valid_id_any"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _valid("id_any")(column)


class ExpectColumnValuesToBeValidUscc(ColumnMapExpectation):
    """统一社会信用代码格式与校验位正确（GB 32100-2015）。"""

    map_metric = "column_values.ggzy_valid_uscc"
    success_keys = ("mostly",)


class ExpectColumnValuesToBeValidResidentId(ColumnMapExpectation):
    """公民身份号码格式、出生日期与校验位正确（GB 11643-1999）。"""

    map_metric = "column_values.ggzy_valid_resident_id"
    success_keys = ("mostly",)


class ExpectColumnValuesToBeValidIdAny(ColumnMapExpectation):
    """看似统一社会信用代码或身份证号的 18 位编号，至少符合其中一种的校验位。"""

    map_metric = "column_values.ggzy_valid_id_any"
    success_keys = ("mostly",)
