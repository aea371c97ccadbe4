"""How much memory DuckDB may use, and where it spills (issue #13 "bounded memory").

``ggzy audit --memory`` takes a share of the machine's RAM (``50%``, the default) or a size
(``800MB``, ``4GB``, ``2GiB``). The limit becomes DuckDB's ``memory_limit``; past it DuckDB spills
to ``temp_directory`` (a fresh folder under the system temp folder, removed when ggzy exits)
instead of growing, so a provincial-scale export runs on a shared machine without taking it over.
The RAM is the smaller of the physical memory and a cgroup (container) limit, when there is one.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

from .sql import literal

DEFAULT = "50%"
_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
          "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|[KMGT]I?B|B)?\s*$", re.IGNORECASE)
MINIMUM = 256 * 1024**2  # below this DuckDB cannot hold even one table's working set


def total_ram() -> int:
    """Bytes of RAM this process may use: physical memory, or the cgroup limit when smaller."""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            ram = min(ram, int(text))
    return ram


def parse(text: str) -> int:
    """``50%`` or ``4GB`` → bytes; ValueError (bilingual) for anything else or below 256 MB."""
    match = _SIZE.match(text or "")
    if not match:
        raise ValueError(f"内存上限应为百分比或大小，如 50%、800MB、4GB / expected a share or a size such as "
                         f"50%, 800MB, 4GB: {text!r}")
    number, unit = float(match.group(1)), (match.group(2) or "").upper()
    if unit == "%":
        if not 0 < number <= 100:
            raise ValueError(f"百分比应在 1–100 之间 / a share must be within 1–100%: {text!r}")
        size = int(total_ram() * number / 100)
    else:
        size = int(number * _UNITS[unit])
    if size < MINIMUM:
        raise ValueError(f"内存上限过小（至少 256MB）/ memory limit too small (at least 256MB): {text!r}")
    return size


def apply(con, text: str | None = None) -> dict:
    """Set ``memory_limit`` and a spill ``temp_directory`` on ``con``; returns what was set."""
    size = parse(text or DEFAULT)
    spill = tempfile.mkdtemp(prefix="ggzy-spill-")
    atexit.register(shutil.rmtree, spill, ignore_errors=True)
    mib = max(size // 1024**2, 1)
    con.execute(f"SET memory_limit = {literal(f'{mib}MiB')}")
    con.execute(f"SET temp_directory = {literal(spill)}")
    return {"memory": text or DEFAULT, "memory_limit_mib": mib, "temp_directory": spill}
