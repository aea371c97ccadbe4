"""Custom Great Expectations for the check characters of Chinese identifiers (DOMAIN.md "Identifiers").

GX has no built-in expectation for the GB 32100-2015 (USCC) or GB 11643-1999 (resident ID)
check character, so each is a ``ColumnMapExpectation`` whose pandas implementation is the
contract's own vectorised check (``pipelines.contract``): GX and the contract cannot disagree
on what a valid code is. Importing this module registers the three expectations with GX;
it imports great_expectations, so only ``ggzy validate --gx`` and ``ggzy gx-suite`` load it.
"""

from __future__ import annotations

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial

from .contract import id_any_problems, resident_id_problems, uscc_problems


def _valid(problems):
    def check(column):
        return problems(column.astype("string").str.strip()).isna()
    return check


class ColumnValuesValidUscc(ColumnMapMetricProvider):
    condition_metric_name = "column_values.ggzy_valid_uscc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _valid(uscc_problems)(column)


class ColumnValuesValidResidentId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.ggzy_valid_resident_id"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _valid(resident_id_problems)(column)


class ColumnValuesValidIdAny(ColumnMapMetricProvider):
    condition_metric_name = "column_values.ggzy_valid_id_any"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _valid(id_any_problems)(column)


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
