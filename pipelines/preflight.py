"""The user's mistakes in a command line, found before any work starts (exit 2).

An audit of a million bids takes minutes; an output folder that turns out to be a file, or a
ledger that turns out to be a spreadsheet, must fail before that, with a message that names
the path and says what is wrong with it (Chinese + English). Each check raises
:class:`UsageError`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: bytes 8-11 of every DuckDB database file
DUCKDB_MAGIC = b"DUCK"


class UsageError(Exception):
    """A path or option on the command line that cannot be used; the message names it."""


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")


def _parent_not_a_file(path: Path, what: str) -> None:
    existing = _nearest_existing(path.parent)
    if existing.exists() and not existing.is_dir():
        raise UsageError(f"{what} {path}: 上级路径 {existing} 是文件，不是文件夹 / {existing} is a file, not a folder")


def check_export(folder: Path) -> None:
    """The export folder exists, is a folder and can be listed."""
    folder = Path(folder)
    if not folder.exists():
        raise UsageError(f"导出文件夹 export folder {folder}: 不存在 / does not exist")
    if not folder.is_dir():
        raise UsageError(f"导出文件夹 export folder {folder}: 不是文件夹 / not a folder")
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError as exc:
        raise UsageError(f"导出文件夹 export folder {folder}: 无法列出内容 / cannot be listed: "
                         f"{exc.strerror or exc}") from None


def check_out(out: Path, export: Path | None = None) -> None:
    """``--out`` is (or can become) a writable folder, and is not the export folder itself
    (outputs written there would change the input and be read as tables next time)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: 是文件，不是文件夹 / is a file, not a folder")
    _parent_not_a_file(out, "--out")
    if export is not None and out.resolve() == Path(export).resolve():
        raise UsageError(f"--out {out}: 不能是导出文件夹本身（输入不得被修改）/ must not be the export folder itself")
    existing = _nearest_existing(out)  # probed, not created: a failed run leaves no folder behind
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".ggzy-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: 无法写入 {existing} / cannot write there: {exc.strerror or exc}") from None


def check_ledger(path: Path) -> None:
    """``--ledger`` is a DuckDB file, or a path where one can be created."""
    path = Path(path)
    _parent_not_a_file(path, "--ledger")
    if not os.path.lexists(path):
        return
    if path.is_dir():
        raise UsageError(f"--ledger {path}: 是文件夹，不是台账文件 / is a folder, not a ledger file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        raise UsageError(f"--ledger {path}: 无法读取 / cannot be read: {exc.strerror or exc}") from None
    if head[8:12] != DUCKDB_MAGIC:
        kind = "SQLite 数据库" if head.startswith(b"SQLite format") else "其他格式的文件 another kind of file"
        raise UsageError(f"--ledger {path}: 不是 DuckDB 台账文件，而是{kind} / not a DuckDB ledger file")


def check_mapping(path: Path | None) -> None:
    if path is not None and not Path(path).is_file():
        raise UsageError(f"--mapping {path}: 文件不存在或不是文件 / not an existing file")


def check_rules(folder: Path | None) -> None:
    if folder is not None and not Path(folder).is_dir():
        raise UsageError(f"--rules {folder}: 规则目录不存在或不是文件夹 / rules folder not found")
