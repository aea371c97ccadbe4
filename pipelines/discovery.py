"""Which file of an export folder holds which table, and every file that was not read.

EXPORT-V1 names each table's file after the table (``bids.csv``); clerks also save it under
the table's Chinese name (``投标记录.csv``), which is accepted when that name belongs to one
table only. Anything else in the folder — ``bids.tsv``, ``complaints .csv``, ``notes.docx`` —
is not read, and the audit must say so (an unread table is a table nobody checked), with the
names the file might have meant. A folder with no table file at all whose subfolder has them
is the export one folder down, and is said so too.

A table file that is a symbolic link pointing out of the export folder is not followed (an
export is one folder; a link out of it could make ggzy read and echo any file on the machine).
A table file that exists but cannot be opened is the user's mistake, found before work starts.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("投标记录.csv", "complaints .csv", "projects.tsv"): _ = (folder / name).write_text("x\\n")
>>> found, unread = find_tables(folder, (".csv", ".xlsx"))
>>> sorted(found), [(u["file"], u["did_you_mean"]) for u in unread]
(['bids'], [('complaints .csv', ['complaints.csv']), ('projects.tsv', ['projects.csv'])])
"""

from __future__ import annotations

import collections
import difflib
import os
import unicodedata
from pathlib import Path

from . import schema
from .textfile import ExportError

#: files in an export folder that are read, but not as tables
NOT_TABLES = {"mapping.yaml"}
#: notice side files (``notices.content_file``) may sit beside the tables
SIDE_FILES = {".txt", ".html", ".htm", ".docx", ".pdf"}


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def table_names() -> dict[str, str]:
    """Every accepted file stem -> its table: the table's name, and its Chinese name when no
    other table has the same one."""
    chinese = collections.Counter(_key(t.chinese) for t in schema.TABLES.values())
    names = {_key(t.chinese): t.name for t in schema.TABLES.values() if chinese[_key(t.chinese)] == 1}
    names.update({t: t for t in schema.TABLES})
    return names


def _reason(code: str, text: str) -> dict:
    return {"code": code, "text": text}


def _guesses(stem: str, suffix: str, suffixes: tuple[str, ...], names: dict[str, str]) -> list[str]:
    """File names a misnamed file might have meant (difflib over table names and Chinese names)."""
    key = "".join(_key(stem).split())
    ext = suffix if suffix in suffixes else suffixes[0]
    if key in names:  # the name but for spaces: that one only
        return [f"{names[key]}{ext}"]
    tables = dict.fromkeys(names[m] for m in difflib.get_close_matches(key, list(names), n=3, cutoff=0.6))
    return [f"{t}{ext}" for t in tables]


def _error(text: str):
    return ExportError(text)


def _listing(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as exc:
        raise _error(f"{folder}: 无法列出导出文件夹内容 / cannot list the export folder: {exc.strerror or exc}") from None


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop
        return False


def _check_readable(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise _error(f"{path.name}: 数据表文件无法读取 / table file cannot be read: {exc.strerror or exc}") from None


def find_tables(folder: Path, suffixes: tuple[str, ...]) -> tuple[dict[str, Path], list[dict]]:
    """(table -> file, files not read). Each unread file: ``{"file", "reason": {code, text},
    "did_you_mean": [file names]}``. Raises ExportError for an unlistable folder, two files
    for one table, or a table file that cannot be opened."""
    folder = Path(folder)
    root = folder.resolve()
    names = table_names()
    found: dict[str, Path] = {}
    unread: list[dict] = []
    subfolders: list[Path] = []
    for entry in _listing(folder):
        if entry.name.startswith(".") or entry.name in NOT_TABLES:
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            subfolders.append(path)
            continue
        stem, suffix = path.stem, path.suffix.lower()
        table = names.get(_key(stem))
        if table and suffix in suffixes:
            if path.is_symlink() and not _inside(path, root):
                unread.append({"file": entry.name, "did_you_mean": [],
                               "reason": _reason("symlink_outside", "符号链接指向导出文件夹之外，未读取 / "
                                                                    "links out of the export folder; not followed")})
                continue
            if not path.is_file():
                unread.append({"file": entry.name, "did_you_mean": [],
                               "reason": _reason("not_a_file", "不是普通文件，未读取 / not a regular file")})
                continue
            if table in found:
                raise _error(f"数据表 {table} 有多个文件 ({found[table].name}, {entry.name})，请只保留一个 / "
                             f"table {table} has more than one file")
            _check_readable(path)
            found[table] = path
            continue
        guesses = _guesses(stem, suffix, suffixes, names)
        if table:
            reason = _reason("format_unsupported", f"不支持的格式 {suffix or '（无扩展名）'}（可用 "
                                                   f"{'、'.join(suffixes)}）/ unsupported format")
        elif suffix in SIDE_FILES and not guesses:
            reason = _reason("not_a_table", "不是数据表文件（如是公告正文文件可忽略）/ not a table file")
        else:
            reason = _reason("name_unknown", "文件名不是已知数据表，未读取 / not a known table name; not read")
        unread.append({"file": entry.name, "reason": reason, "did_you_mean": guesses})
    if not found:
        unread += _tables_below(subfolders, suffixes, names)
    return found, unread


def _tables_below(subfolders: list[Path], suffixes: tuple[str, ...], names: dict[str, str]) -> list[dict]:
    """The export one folder down: subfolders holding table files, when the folder holds none."""
    hints = []
    for sub in subfolders:
        try:
            with os.scandir(sub) as entries:
                tables = sorted({entry.name for entry in entries
                                 if Path(entry.name).suffix.lower() in suffixes and _key(Path(entry.name).stem) in names})
        except OSError:
            continue
        if tables:
            hints.append({"file": f"{sub.name}/", "did_you_mean": [f"{sub.name}/{t}" for t in tables[:5]],
                          "reason": _reason("tables_in_subfolder",
                                            f"数据表文件在子文件夹 {sub.name} 中，请以它为导出文件夹 / "
                                            "the table files are one folder down; audit that folder")})
    return hints
