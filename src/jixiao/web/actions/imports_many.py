"""Importing many documents from one process (`jixiao import` of a folder): each document its own
`import_disclosure` (its own transaction, all or nothing, the same checks), two at a time on
PostgreSQL, so that one document's statements run on the server while this process prepares the
other's (the time a document waits for the server is about the time it takes here).

Documents that could touch the same unit are never stored at once: a document waits for every
earlier one naming a unit of the same name (as units are matched: `units.squash`), the document's
own or a table's, or for all earlier ones when the unit is chosen for all (`unit`, `unit_code`).
So the outcome is that of importing them one after another in the order given: a later file of a
unit-year wins, a unit a document creates is the one later documents find. Results come back in
the order given. SQLite (one writer at a time) stores them one after another.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from django.db import connection, connections

from jixiao import model as m
from jixiao.web.actions.imports import ImportResult, import_disclosure
from jixiao.web.models import Unit, User

T = TypeVar("T")

ALL = "\0all"  # the key of a document filed under a unit chosen for all


def unit_keys(doc: m.Disclosure, *, chosen: bool = False) -> frozenset[str]:
    """The names of the units a document may write to, as units are matched (`units.squash`);
    `ALL` when a unit is chosen for every document."""
    from jixiao.web.lib.units import squash

    if chosen:
        return frozenset([ALL])
    names = {squash(doc.unit_name)} | {squash(p.unit_name) for p in doc.projects if p.unit_name}
    return frozenset(names)


_Job = tuple[m.Disclosure, "Future[ImportResult]"]


def _work(store: Callable[[m.Disclosure], ImportResult], jobs: queue.SimpleQueue[_Job | None]) -> None:
    """A worker thread: store the documents handed to it, on a database connection of its own
    (closed when it ends), until it is handed None."""
    try:
        while (job := jobs.get()) is not None:
            doc, fut = job
            if fut.set_running_or_notify_cancel():
                try:
                    fut.set_result(store(doc))
                except BaseException as e:  # handed to the caller, in order
                    fut.set_exception(e)
    finally:
        connections.close_all()


def import_many(
    actor: User | None,
    items: Iterable[T],
    prepare: Callable[[T], m.Disclosure],
    *,
    unit: Unit | None = None,
    unit_code: str | None = None,
    year: int | None = None,
    region: str = "",
    confirm_unit: bool = False,
    published: bool | None = None,
    at_once: int = 2,
    ahead: int = 0,
) -> Iterator[tuple[T, ImportResult | Exception]]:
    """`import_disclosure` of each item's document (`prepare(item)`: parsed here, in the caller's
    thread, while earlier documents are stored), yielding (item, its result or the exception that
    refused it: `prepare`'s or the import's) in the order given. `year`: the year of a document
    that names none. Up to `at_once` documents are stored at once (PostgreSQL; one on SQLite), on
    connections of their own; documents that could touch the same unit one after another (see the
    module). `ahead`: items prepared at once in threads of their own, ahead of the one stored (for
    a `prepare` that waits, such as parsing in a child process: `ingest.bounded`). An exception
    that is not an `Exception` (KeyboardInterrupt) stops the import after the documents being
    stored."""

    def store(doc: m.Disclosure) -> ImportResult:
        return import_disclosure(
            actor,
            doc,
            unit=unit,
            unit_code=unit_code,
            year=doc.year or year,
            region=region,
            confirm_unit=confirm_unit,
            published=published,
        )

    if connection.vendor != "postgresql" or at_once < 2 or connection.in_atomic_block:
        for item, doc in _prepared(items, prepare, ahead):  # in a transaction: in it, in turn
            try:
                got: ImportResult | Exception = doc if isinstance(doc, Exception) else store(doc)
            except Exception as e:
                got = e
            yield item, got
        return
    chosen = unit is not None or bool(unit_code)
    jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
    workers = [
        threading.Thread(target=_work, args=(store, jobs), name="jixiao-import", daemon=True)
        for _ in range(at_once)
    ]
    for w in workers:
        w.start()
    # the documents not yet yielded, in order: (item, the units it may touch, its future or error)
    pending: list[tuple[T, frozenset[str], Future[ImportResult] | Exception]] = []
    try:
        for item, doc in _prepared(items, prepare, ahead):
            if isinstance(doc, Exception):
                pending.append((item, frozenset(), doc))
                yield from _done(pending)
                continue
            keys = unit_keys(doc, chosen=chosen)
            # every earlier document that could touch the same units first, and a free worker
            for _item, k, f in pending:
                if isinstance(f, Future) and k & keys:
                    f.exception()
            busy = [f for _i, _k, f in pending if isinstance(f, Future) and not f.done()]
            if len(busy) >= at_once:
                wait(busy, return_when=FIRST_COMPLETED)
            fut: Future[ImportResult] = Future()
            jobs.put((doc, fut))
            pending.append((item, keys, fut))
            yield from _done(pending)
        while pending:
            item, _k, f = pending.pop(0)
            yield item, _outcome(f)
    finally:
        for _w in workers:
            jobs.put(None)
        for w in workers:
            w.join()


def _prepared(
    items: Iterable[T], prepare: Callable[[T], m.Disclosure], ahead: int
) -> Iterator[tuple[T, m.Disclosure | Exception]]:
    """(item, its document or the exception `prepare` raised), in order; with `ahead`, that many
    items prepared at once in threads of their own."""
    if ahead < 1:
        for item in items:
            try:
                doc: m.Disclosure | Exception = prepare(item)
            except Exception as e:
                doc = e
            yield item, doc
        return
    with ThreadPoolExecutor(ahead, thread_name_prefix="jixiao-prepare") as pool:
        window: deque[tuple[T, Future[m.Disclosure]]] = deque()
        for item in items:
            window.append((item, pool.submit(prepare, item)))
            if len(window) > ahead:
                yield _ready(*window.popleft())
        while window:
            yield _ready(*window.popleft())


def _ready(item: T, f: Future[m.Disclosure]) -> tuple[T, m.Disclosure | Exception]:
    e = f.exception()
    if e is None:
        return item, f.result()
    if not isinstance(e, Exception):
        raise e
    return item, e


def _outcome(f: Future[ImportResult] | Exception) -> ImportResult | Exception:
    if isinstance(f, Exception):
        return f
    e = f.exception()
    if e is None:
        return f.result()
    if not isinstance(e, Exception):
        raise e
    return e


def _done(pending: list[tuple[Any, frozenset[str], Any]]) -> Iterator[tuple[Any, Any]]:
    """Yield the finished documents at the head of `pending` (in order)."""
    while pending and (isinstance(pending[0][2], Exception) or pending[0][2].done()):
        item, _k, f = pending.pop(0)
        yield item, _outcome(f)
