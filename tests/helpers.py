"""Small helpers the tests share: writing an export folder and fingerprinting one."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path


def write_files(folder: Path, files: dict[str, str | bytes], dedent: bool = False) -> Path:
    """Write {file name: text (UTF-8) or raw bytes} into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n") if dedent else content, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under ``folder``: (sha256, size, mtime_ns) — to show inputs are never modified."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size,
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def output_text(path: Path) -> str:
    """An output file's text: a text file as it is, an Office file (.xlsx/.docx, a zip of XML parts)
    as the text of its XML parts, so that privacy checks cover every output."""
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))
    return Path(path).read_text(encoding="utf-8")


def report_data(con, audit, summary: dict, run=None):
    """The ReportData the CLI hands the writers: fields gathered by pipelines.report_data."""
    from pipelines.report_data import report_fields
    from reports.data import ReportData

    return ReportData(**report_fields(con, audit, summary, run))


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run ``ggzy ARGS`` in-process: (exit code, stdout, stderr)."""
    from pipelines.cli import main

    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err
