"""Tender documents read once: in parallel worker processes, kept by file sha256.

八(二) is checked on every 招标文件 of the period; a weekly run over a year of documents must not
read them all again. Each ``.docx``/``.pdf`` is hashed (sha256 of its bytes); a document whose
hash is in the cache is not opened. The others are read (:mod:`pipelines.documents`) and
normalised (:func:`pipelines.notice_text.normalise`, the same as inline notices) in a bounded
pool of worker processes (forkserver: no copy of the audit's DuckDB threads, and a crash in the
PDF library costs that file, which is then retried alone and, if it crashes again, reported not
evaluable). Each worker writes its result as one small Parquet file
``CACHE/documents/v<VERSION>-<budget>/<sha[:2]>/<sha>.parquet`` (written to a temporary name and
renamed, so an interrupted run leaves no half file); DuckDB then reads all of them at once into
``document_text(file, sha256, text, places, pages, reason, from_cache)``.

``places`` lists where each part of ``text`` starts (1-based, as DuckDB's ``strpos`` counts)
and where a person finds it (``第12页``, ``表2第3行第2列``); ``reason`` is the not-evaluable
reason as JSON (``{"code": "file_unreadable", "cause": "scanned", "text": "扫描件，无文字层", …}``)
or NULL. Without a cache folder the same files are written to a temporary folder, removed after
loading. Bump :data:`VERSION` whenever extraction or normalisation changes what a document
yields; the budget is part of the folder name, so a changed budget reads everything again.

Measured (``benchmarks/documents.py``, 2026-12-03, 2 cores shared with a load average of 9–12):
1,000 documents of 100 pages (500 .docx, 500 .pdf, 112 MB) took 1,032 s cold (one run, two
workers) and 49.0 s warm (median of three: 27.9–50.1 s, the whole audit of both rules), peak
memory of the process tree 2.5 GB cold, 2.7 GB warm; every outcome as planted.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .documents import Budget, Unreadable, read_document, precheck

VERSION = "1"
TABLE = "document_text"
MAX_WORKERS = 8
SCHEMA = pa.schema([
    ("key", pa.string()), ("text", pa.string()),
    ("places", pa.list_(pa.struct([("start", pa.int64()), ("place", pa.string())]))),
    ("pages", pa.int32()), ("reason", pa.string()),
])
CRASHED = Unreadable("file_unreadable", "读取该文件时解析进程异常退出，未读取", cause="crashed")


@dataclass(frozen=True)
class Job:
    path: str
    key: str  # sha256 of the bytes + the suffix (the suffix decides how they are read)
    target: str  # the cache file to write
    budget: Budget


def cache_folder(root: Path, budget: Budget) -> Path:
    digest = hashlib.sha256(budget.key().encode()).hexdigest()[:8]
    return root / "documents" / f"v{VERSION}-{digest}"


def _write(job: Job, text: str | None, places: list[dict], pages: int, reason: dict | None) -> None:
    target = Path(job.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({"key": [job.key], "text": [text], "places": [places], "pages": [pages],
                      "reason": [json.dumps(reason, ensure_ascii=False) if reason else None]}, schema=SCHEMA)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, target)


def read_one(job: Job) -> str:
    """Worker: read and normalise one document, write its cache file; returns its key."""
    from .sqlfuncs import normalise

    try:
        parts, pages = read_document(Path(job.path), job.budget)
        reason = None
    except Unreadable as exc:
        parts, pages, reason = [], 0, exc.reason()
    except Exception as exc:  # noqa: BLE001 - a library's own error on a hostile file is that file's problem
        parts, pages, reason = [], 0, _failed(exc)
    texts = normalise([text for _, text in parts], [False] * len(parts))
    kept, places, start = [], [], 1
    for (place, _), text in zip(parts, texts):
        if text:
            places.append({"start": start, "place": place})
            kept.append(text)
            start += len(text) + 1  # the joining line break
    _write(job, "\n".join(kept) or None, places, pages, reason)
    return job.key


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _pool(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload([__name__])
    # no max_tasks_per_child: on Python 3.11–3.13 the pool stops once a worker retires (CPython gh-115634)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _read_all(jobs: list[Job], workers: int) -> None:
    """Read ``jobs`` in a pool; a job caught in a crashed pool is tried alone, then reported."""
    caught: list[Job] = []
    with _pool(min(workers, len(jobs))) as pool:
        futures = {pool.submit(read_one, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                future.result()
            except BrokenProcessPool:
                caught.append(futures[future])
            except Exception as exc:  # noqa: BLE001 - the pool itself failed for this file: say so, go on
                _write(futures[future], None, [], 0, _failed(exc))
    for job in caught:
        try:
            with _pool(1) as pool:
                pool.submit(read_one, job).result()
        except BrokenProcessPool:
            _write(job, None, [], 0, CRASHED.reason())
        except Exception as exc:  # noqa: BLE001
            _write(job, None, [], 0, _failed(exc))


def _failed(exc: BaseException) -> dict:
    return Unreadable("file_unreadable", "文件无法解析，未读取", cause="failed", error=type(exc).__name__).reason()


def load_documents(con: duckdb.DuckDBPyConnection, files: dict[str, Path], cache_root: Path | None = None,
                   budget: Budget = Budget(), workers: int | None = None) -> dict:
    """Create ``document_text`` for ``files`` (content_file name -> resolved path); returns
    ``{"documents", "read", "from_cache"}``."""
    names = sorted(files)
    refused: dict[str, Unreadable] = {}

    def fingerprint(name: str) -> str:
        """The file's sha256, or "" when it is refused unread (format, size) or cannot be read."""
        try:
            refused_now = precheck(files[name], budget)
            if refused_now:
                refused[name] = refused_now
                return ""
            return _sha256(files[name])
        except OSError as exc:
            refused[name] = Unreadable("file_unreadable", "正文文件无法读取", cause="io_error", error=type(exc).__name__)
            return ""

    with ThreadPoolExecutor(max_workers=4) as hashing:
        shas = dict(zip(names, hashing.map(fingerprint, names)))
    keys = {n: shas[n] + files[n].suffix.lower() for n in names if shas[n]}  # how a file is read depends on both
    with tempfile.TemporaryDirectory(prefix="ggzy-documents-") as scratch:
        folder = cache_folder(Path(cache_root) if cache_root else Path(scratch), budget)
        target = {key: folder / key[:2] / f"{key}.parquet" for key in set(keys.values())}
        cached = {key for key, path in target.items() if path.is_file()}
        jobs = {keys[n]: Job(str(files[n]), keys[n], str(target[keys[n]]), budget)
                for n in names if n in keys and keys[n] not in cached}  # one read per distinct content
        jobs = list(jobs.values())
        if jobs:
            _read_all(jobs, workers or min(MAX_WORKERS, os.cpu_count() or 1))
        _materialise(con, names, shas, keys, target, cached, refused)
    return {"documents": len(names), "read": len(jobs), "from_cache": len(cached)}


def _materialise(con, names, shas, keys, target, cached, refused: dict) -> None:
    index = pa.table({"file": names, "sha256": [shas[n] or None for n in names], "key": [keys.get(n) for n in names],
                      "refused": [json.dumps(refused[n].reason(), ensure_ascii=False) if n in refused else None
                                  for n in names]})
    paths = sorted(str(p) for p in target.values() if p.is_file())
    source = "read_parquet($paths)" if paths else f"(SELECT * FROM {_EMPTY} LIMIT 0)"
    con.register("_document_index", index)
    try:
        con.execute(f"""
            CREATE OR REPLACE TABLE {TABLE} AS
            WITH joined AS (
                SELECT i.file, i.sha256, d.text, d.places, d.pages,
                       coalesce(i.refused, d.reason, IF(d.key IS NULL AND i.key IS NOT NULL, $missing, NULL)) AS reason,
                       coalesce(list_contains($cached::VARCHAR[], i.key), false) AS from_cache
                FROM _document_index i LEFT JOIN {source} d USING (key))
            SELECT * REPLACE (CAST(IF(reason IS NULL, NULL, json_merge_patch(reason, json_object('file', file))) AS JSON) AS reason)
            FROM joined""",
                    {**({"paths": paths} if paths else {}), "cached": sorted(cached),
                     "missing": json.dumps(_failed(FileNotFoundError()), ensure_ascii=False)})
    finally:
        con.unregister("_document_index")


_EMPTY = ("(SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS text, "
          "NULL::STRUCT(start BIGINT, place VARCHAR)[] AS places, NULL::INTEGER AS pages, NULL::VARCHAR AS reason)")
