"""The export contract as Great Expectations data: one expectation list per table, from the schema.

Nothing here imports great_expectations, so ``ggzy audit`` never pays its start-up (≈ 4 s);
``pipelines.gx_run`` turns these specs into GX objects. The suite is generated, never written
by hand: each contract check of ``pipelines.contract`` has one expectation here.

=================  ========================================================================
contract check     expectation
=================  ========================================================================
required_column    expect_column_to_exist
unique_key         expect_column_values_to_be_unique (the key)
not_empty          expect_column_values_to_not_be_null (required columns; raw text for typed kinds)
datetime/bool/     expect_column_values_to_not_be_null on the typed column where its raw text is
number             present (row_condition) — the loader's one parser decides, GX reads its result
value_set          expect_column_values_to_be_in_set (the schema's fixed value sets)
uscc, resident_id, expect_column_values_to_be_valid_uscc / _resident_id / _id_any: custom
id_any             expectations (``pipelines.gx_expectations``) with the contract's check characters
=================  ========================================================================

>>> [s.type for s in table_specs("powers", present={"power_code", "department"})][:3]
['expect_column_to_exist', 'expect_column_to_exist', 'expect_column_values_to_be_unique']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import schema, sqlfuncs

#: custom expectation per identifier kind (pipelines.gx_expectations)
ID_EXPECTATIONS = {"uscc": "expect_column_values_to_be_valid_uscc",
                   "resident_id": "expect_column_values_to_be_valid_resident_id",
                   "id_any": "expect_column_values_to_be_valid_id_any"}
GX_SEVERITY = {"error": "critical", "warning": "warning"}  # GX 1.x expectation severities
ROW = "_row"  # the 1-based data row of every table, GX's unexpected-index column
SUITE_PREFIX = "ggzy-export-"


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict
    check: str  # the contract check it stands for
    severity: str  # error | warning, as the contract
    column: str | None = None
    notes: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    def as_json(self) -> dict:
        return {"type": self.type, "kwargs": self.kwargs, "severity": GX_SEVERITY[self.severity],
                "meta": {"ggzy_check": self.check, "severity": self.severity, "column": self.column,
                         "notes": self.notes}}


def _raw(column: schema.Column) -> str:
    return column.name + "__raw" if column.kind in sqlfuncs.KEEPS_RAW else column.name


def table_specs(table_name: str, present: set[str] | None = None) -> list[ExpectationSpec]:
    """The expectations of one table. ``present``: the columns the export's file has (None: all);
    an absent optional column gets no expectation, an absent required one fails its existence."""
    table = schema.TABLES[table_name]
    has = (lambda c: True) if present is None else (lambda c: c in present)
    specs = [ExpectationSpec("expect_column_to_exist", {"column": c.name}, "required_column", "error", c.name,
                             f"必需列 {c.label}") for c in table.columns if c.required]
    key = table.column(table.key)
    if has(key.name):
        specs.append(ExpectationSpec("expect_column_values_to_be_unique", {"column": key.name}, "unique_key",
                                     "error", key.name, f"主键 {key.label} 唯一"))
    for c in table.loaded_columns:
        if not has(c.name):
            continue
        if c.required:
            specs.append(ExpectationSpec("expect_column_values_to_not_be_null", {"column": _raw(c)}, "not_empty",
                                         "error", c.name, f"必填项 {c.label} 不为空"))
        if c.kind in sqlfuncs.KEEPS_RAW:
            specs.append(ExpectationSpec(
                "expect_column_values_to_not_be_null",
                {"column": c.name, "row_condition": {"type": "nullity", "column": {"name": _raw(c)}, "is_null": False}},
                c.kind, "error", c.name, f"{c.label} 可识别（与 ggzy 读取时同一解析）"))
        if c.values:
            specs.append(ExpectationSpec("expect_column_values_to_be_in_set",
                                         {"column": c.name, "value_set": list(c.values)}, "value_set",
                                         "warning", c.name, f"{c.label} 取值在规定范围内"))
        if c.kind in ID_EXPECTATIONS:
            specs.append(ExpectationSpec(ID_EXPECTATIONS[c.kind], {"column": c.name}, c.kind, "warning", c.name,
                                         f"{c.label} 校验位正确"))
    return specs


def suite_json(table_name: str, present: set[str] | None = None) -> dict:
    """A GX 1.x ExpectationSuite as JSON (what ``ggzy gx-suite`` writes, one file per table)."""
    return {
        "name": SUITE_PREFIX + table_name,
        "expectations": [s.as_json() for s in table_specs(table_name, present)],
        "meta": {"generated_by": "ggzy (pipelines/schema.py)",
                 "notes": "由 ggzy 从导出格式生成，请勿手改。校验位检查是自定义期望，需 "
                          "`pip install 'ggzy[gx]'` 并 `import pipelines.gx_expectations` 注册。"
                          "日期、数字、是/否的可识别性检查读取 ggzy 加载后的表（<列>__raw 为原文）。"},
    }
