"""``ggzy template DIR``: an empty export a platform team fills in, generated from the schema.

Writes one file per table with the Chinese headers ggzy reads without any mapping (the first
Chinese name of each column, ★ kept off so the header is exactly what the reader matches), a
``mapping.yaml`` whose every line is a comment (so it changes nothing until edited), and a
README.md with the whole export format (``pipelines.export_format``). Confidential columns
(complainants' identity, notice 四(二)) are left out: ggzy never reads them, so an export
should not carry them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import schema
from .export_format import MAPPING_EXAMPLE, render_markdown

FORMATS = ("csv", "xlsx")


def header_of(column: schema.Column) -> str:
    """The header a template uses for a column: its first Chinese name, else its canonical name."""
    return column.chinese[0] if column.chinese else column.name


def template_columns(table: schema.Table) -> list[schema.Column]:
    return [c for c in table.columns if not c.confidential]


def _write_csv(path: Path, headers: list[str]) -> None:
    # UTF-8 with BOM: Excel opens it as UTF-8, and ggzy's reader accepts the BOM
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerow(headers)


def _write_xlsx(path: Path, sheet: str, headers: list[str]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    try:
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for i, header in enumerate(headers):
            ws.write_string(0, i, header, bold)
            ws.set_column(i, i, max(12, 2 * len(header) + 2))
        ws.freeze_panes(1, 0)
    finally:
        book.close()


def write_template(out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Write the template into ``out_dir`` (created if needed); return the files written.
    Existing files of the same names are replaced; nothing else in the folder is touched."""
    if fmt not in FORMATS:
        raise ValueError(f"未知模板格式 unknown template format {fmt!r}; 可用 known: {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in schema.TABLES.values():
        headers = [header_of(c) for c in template_columns(table)]
        path = out_dir / f"{table.name}.{fmt}"
        if fmt == "csv":
            _write_csv(path, headers)
        else:
            _write_xlsx(path, table.chinese, headers)
        written.append(path)
    mapping = out_dir / "mapping.yaml"
    mapping.write_text("# 表头或取值与模板不同时，去掉下面的注释符并按实际修改；全部是注释时本文件不起作用。\n"
                       + "".join(f"# {line}\n" if line else "#\n" for line in MAPPING_EXAMPLE.splitlines()),
                       encoding="utf-8")
    readme = out_dir / "README.md"
    readme.write_text(
        "# ggzy 导出模板（平台团队使用）\n\n"
        f"本文件夹由 `ggzy template` 生成：每张表一个 {fmt.upper()} 文件，第一行是 ggzy 直接认得的中文表头；"
        "按行填入数据即可，不需要 mapping.yaml。平台字段名不同时，编辑 `mapping.yaml`。\n\n"
        "投诉人姓名、电话、证件号属保密信息（通知四(二)），模板中没有这些列，导出中也不应包含。\n\n"
        "填好后先运行 `ggzy validate 文件夹` 检查数据，再运行 `ggzy audit 文件夹 --out 输出文件夹`。\n\n"
        + render_markdown(), encoding="utf-8")
    return [*written, mapping, readme]
