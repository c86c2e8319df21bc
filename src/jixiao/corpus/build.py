"""`jixiao corpus import`: many documents parsed in parallel on Dask into the Parquet data set.

The documents are split into batches; each batch is one Dask task (`import_batch`) that reads its
files, runs the pure `rows.document_rows` on each and writes one partition of the data set. The same
code runs on a `distributed.LocalCluster` (the default: one single-threaded worker process per core)
and on a running Dask scheduler given by address (`--scheduler tcp://host:8786` or
JIXIAO_DASK_SCHEDULER), whose workers then must see the input files and the output directory at the
same paths (a shared file system), as for any Dask Parquet output.

Resumable: a document is keyed by content hash + path. A file whose path, size and modification
time match a finished document is not sent again; a file that was touched is read, hashed, and
skipped when its content is unchanged. A file that fails is recorded with its message (status
`failed`) and the run goes on; `retry_failed` reads such files again.
"""

from __future__ import annotations

import glob
import logging
import math
import os
import resource
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.corpus import dataset
from jixiao.corpus.rows import STATUS_FAILED, content_hash, document_rows, failed_result
from jixiao.oserror import os_reason

__all__ = [
    "SUFFIXES",
    "BatchSummary",
    "ImportSummary",
    "Item",
    "Progress",
    "find_documents",
    "import_batch",
    "import_corpus",
]

SUFFIXES = (".txt", ".docx", ".xlsx", ".xlsm", ".html", ".htm", ".pdf")
MAX_FAILURES_KEPT = 1000


@dataclass(frozen=True)
class Item:
    """A document to import: its path, what `stat` said, and the hash of its finished version."""

    path: str
    size: int
    mtime_ns: int
    known_sha256: str | None = None


@dataclass
class BatchSummary:
    documents: int = 0
    skipped: int = 0
    bytes: int = 0
    indicators: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the task's process CPU time


@dataclass
class Progress:
    done: int
    total: int
    failed: int
    bytes: int
    elapsed: float


@dataclass
class ImportSummary:
    """What a run did. `skipped` documents were finished by an earlier run."""

    found: int = 0
    skipped: int = 0
    documents: int = 0
    bytes: int = 0
    indicators: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # summed over the tasks, on whichever worker ran them
    workers: int = 0
    batches: int = 0
    worker_peak_rss: dict[str, int] = field(default_factory=dict)  # worker address → bytes
    removed_orphans: int = 0
    startup_seconds: float = 0.0  # starting the local cluster, or connecting to the scheduler

    @property
    def work_seconds(self) -> float:
        """The run less the cluster's start: what grows with the number of documents."""
        return self.seconds - self.startup_seconds

    @property
    def failed(self) -> int:
        return self.by_status.get(STATUS_FAILED, 0)


def find_documents(inputs: Sequence[str]) -> list[str]:
    """Directories (searched recursively for .txt .docx .xlsx .html .pdf), glob patterns and files →
    absolute paths, sorted, each once. A named file is taken whatever its suffix."""
    found: set[str] = set()
    for spec in inputs:
        p = Path(spec)
        if p.is_dir():
            for root, _dirs, files in os.walk(p):
                for f in files:
                    if f.lower().endswith(SUFFIXES) and not f.startswith("."):
                        found.add(os.path.abspath(os.path.join(root, f)))
        elif p.is_file():
            found.add(os.path.abspath(p))
        else:
            for g in glob.glob(spec, recursive=True):
                if os.path.isfile(g):
                    found.add(os.path.abspath(g))
    return sorted(found)


def _peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if os.uname().sysname == "Darwin" else peak * 1024


def import_batch(
    items: Sequence[Item], out: str, part: str, run: str, year: int | None = None
) -> BatchSummary:
    """One Dask task: read, hash and parse each document and write one partition of the data set.
    Nothing escapes: an unreadable file is a failed document row."""
    start = time.perf_counter()
    cpu = time.process_time()
    summary = BatchSummary()
    rows: dict[str, list[dict[str, Any]]] = {"documents": [], "projects": [], "indicators": []}
    for item in items:
        try:
            data = Path(item.path).read_bytes()
        except OSError as e:
            result = failed_result("", item.path, item.size, f"{item.path}: 无法读取文件：{os_reason(e)}")
        else:
            sha = content_hash(data)
            if sha == item.known_sha256:
                summary.skipped += 1
                continue
            result = document_rows(data, item.path, year=year, sha256=sha)
        result.document["mtime_ns"] = item.mtime_ns
        result.document["run"] = run
        rows["documents"].append(result.document)
        rows["projects"] += result.projects
        rows["indicators"] += result.indicators
        summary.documents += 1
        summary.bytes += int(result.document["size"] or 0)
        summary.indicators += len(result.indicators)
        summary.by_status[result.status] = summary.by_status.get(result.status, 0) + 1
        if result.status == STATUS_FAILED:
            summary.failures.append((item.path, str(result.document["message"])))
    if rows["documents"]:
        dataset.write_partition(out, part, rows)
    summary.seconds = time.perf_counter() - start
    summary.cpu_seconds = time.process_time() - cpu
    return summary


def lost_batch(items: Sequence[Item], error: BaseException) -> BatchSummary:
    """A batch whose task did not finish: its documents count as failed in this run's summary, and
    since no partition holds them, the next run reads them again."""
    msg = f"任务未完成（{type(error).__name__}: {error}），本批文件未写入数据集，下次运行时重新读取"
    return BatchSummary(
        documents=len(items),
        by_status={STATUS_FAILED: len(items)},
        failures=[(i.path, f"{i.path}: {msg}") for i in items],
    )


def _plan(paths: list[str], out: str, retry_failed: bool) -> tuple[list[Item], int]:
    """The items still to do, and how many documents an earlier run finished."""
    done: dict[str, tuple[int, int, str, str]] = {}
    t = dataset.current_documents(out, ["path", "size", "mtime_ns", "sha256", "status"])
    if t.num_rows:
        cols = t.to_pydict()
        for p, size, mt, sha, st in zip(
            cols["path"], cols["size"], cols["mtime_ns"], cols["sha256"], cols["status"], strict=True
        ):
            done[p] = (size, mt, sha, st)
    todo: list[Item] = []
    skipped = 0
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            todo.append(Item(p, 0, 0))
            continue
        prev = done.get(p)
        if prev is not None and retry_failed and prev[3] == STATUS_FAILED:
            prev = None
        if prev is not None and prev[0] == st.st_size and prev[1] == st.st_mtime_ns:
            skipped += 1
            continue
        todo.append(Item(p, st.st_size, st.st_mtime_ns, prev[2] if prev else None))
    return todo, skipped


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A client of the running scheduler at `scheduler`, or of a local cluster with `workers`
    single-threaded worker processes (default: one per core). Parsing is pure Python: processes,
    not threads, use the cores."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _merge(total: ImportSummary, b: BatchSummary) -> None:
    total.documents += b.documents
    total.skipped += b.skipped
    total.bytes += b.bytes
    total.indicators += b.indicators
    total.cpu_seconds += b.cpu_seconds
    for k, v in b.by_status.items():
        total.by_status[k] = total.by_status.get(k, 0) + v
    room = MAX_FAILURES_KEPT - len(total.failures)
    if room > 0:
        total.failures += b.failures[:room]


def import_corpus(
    inputs: Sequence[str],
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    year: int | None = None,
    retry_failed: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> ImportSummary:
    """Import every document under `inputs` into the data set `out` (created when missing).

    `workers` 0 runs in this process without Dask (small jobs, debugging); otherwise a local cluster
    of `workers` processes, or the scheduler at `scheduler`."""
    start = time.perf_counter()
    out = str(Path(out).absolute())
    Path(out).mkdir(parents=True, exist_ok=True)
    summary = ImportSummary(removed_orphans=dataset.remove_orphans(out))
    paths = find_documents(inputs)
    summary.found = len(paths)
    todo, summary.skipped = _plan(paths, out, retry_failed)
    # the run's id orders runs (the newest row of a path is the current one): UTC time to the nanosecond
    now = time.time_ns()
    run = (
        time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9))
        + f"{now % 10**9:09d}-{uuid.uuid4().hex[:4]}"
    )
    total_docs = len(todo)

    def report(done: int) -> None:
        if progress is not None:
            progress(Progress(done, total_docs, summary.failed, summary.bytes, time.perf_counter() - start))

    if not todo:
        summary.seconds = time.perf_counter() - start
        report(0)
        return summary

    def batches(n_workers: int) -> list[list[Item]]:
        size = batch_size or max(1, min(256, math.ceil(len(todo) / (max(1, n_workers) * 8))))
        return [todo[i : i + size] for i in range(0, len(todo), size)]

    done = 0
    if workers == 0 and not scheduler:
        summary.workers = 0
        parts = batches(1)
        summary.batches = len(parts)
        for i, items in enumerate(parts, 1):
            b = import_batch(items, out, f"part-{run}-{i:06d}", run, year)
            _merge(summary, b)
            done += len(items)
            report(done)
        summary.worker_peak_rss = {"local": _peak_rss()}
    else:
        from distributed import as_completed

        t0 = time.perf_counter()
        with dask_client(scheduler, workers) as client:
            summary.startup_seconds = time.perf_counter() - t0
            summary.workers = len(client.scheduler_info().get("workers", {})) or (workers or 0)
            parts = batches(summary.workers)
            summary.batches = len(parts)
            # a bounded number of tasks in flight: a million documents never sit in the scheduler at once
            pending = iter(enumerate(parts, 1))
            sizes: dict[Any, list[Item]] = {}
            running = as_completed()

            def submit_next() -> None:
                nxt = next(pending, None)
                if nxt is not None:
                    i, items = nxt
                    f = client.submit(import_batch, items, out, f"part-{run}-{i:06d}", run, year, pure=False)
                    sizes[f] = items
                    running.add(f)

            for _ in range(max(8, 4 * summary.workers)):
                submit_next()
            for f in running:
                items = sizes.pop(f)
                try:
                    _merge(summary, f.result())
                except Exception as e:  # the task's worker died (a crash, out of memory) or the task failed
                    _merge(summary, lost_batch(items, e))
                done += len(items)
                f.release()
                submit_next()
                report(done)
            summary.worker_peak_rss = dict(client.run(_peak_rss))
            summary.seconds = time.perf_counter() - start
    summary.seconds = summary.seconds or time.perf_counter() - start
    return summary
