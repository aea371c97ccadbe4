"""Publishing one audit so that its outputs and the ledger always agree (issue #9 item 6).

Every output is written into a hidden staging folder next to ``--out`` (same file system), the
files are flushed to disk, the ledger transaction commits, and only then is each file moved into
``--out`` with ``os.replace`` — atomic per file, and a link planted in ``--out`` under an output's
name is replaced, never written through. So:

* killed or failing before the COMMIT (even by SIGKILL): ``--out`` holds what it held before and
  the ledger has no record of the run — they still agree; the staging folder
  ``.OUT.ggzy-*.tmp`` may be left behind (SIGKILL runs no clean-up) and can be deleted;
* after the COMMIT the files are renamed into place, a few milliseconds. A kill inside that
  window leaves the new files in the staging folder and the run recorded; re-running the same
  export with the same as-of replaces that run and writes the outputs again.

Without a ledger the same staging makes a run's files appear together, never half-written.
``GGZY_PUBLISH_TEST_PAUSE=PATH`` makes a run create PATH and sleep for a minute after every file
is in place, for the test that kills it there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .ledger import LedgerRun, recording

PAUSE_ENV = "GGZY_PUBLISH_TEST_PAUSE"


@dataclass
class Publication:
    """The run being published: write outputs into ``folder``; ``run`` is the ledger's view
    (None without a ledger); names in ``obsolete`` are removed from --out when the files move in."""

    folder: Path
    run: LedgerRun | None
    obsolete: set[str] = field(default_factory=set)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system that cannot sync: the rename order still holds
    finally:
        os.close(fd)


def _move_into_place(staging: Path, out_dir: Path, obsolete: set[str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(staging.iterdir()):
        os.replace(path, out_dir / path.name)  # replaces a symlink itself, never its target
    for name in obsolete:
        target = out_dir / name
        if target.is_symlink() or target.is_file():
            target.unlink()
    _fsync(out_dir)


@contextmanager
def publishing(con: duckdb.DuckDBPyConnection, audit, out_dir: Path, *, ledger: Path | None = None,
               options: dict | None = None):
    """Yield a :class:`Publication`; when the body completes, commit the ledger, then move the
    files it wrote into ``out_dir``. An exception in the body leaves both as they were."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.ggzy-", suffix=".tmp", dir=out_dir.parent))
    try:
        with recording(con, audit, ledger, options) as run:
            publication = Publication(staging, run)
            yield publication
            for path in staging.iterdir():
                _fsync(path)
        _move_into_place(staging, out_dir, publication.obsolete)
        marker = os.environ.get(PAUSE_ENV)
        if marker:  # test hook, see the module docstring
            Path(marker).write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(60)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
