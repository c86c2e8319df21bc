"""Parse an uploaded document in a child process with a time and a memory limit.

The readers cap what they know to be costly (sheet dimensions, spans, pages, inflated sizes); this
is the layer for inputs nobody thought of. Each document is parsed in a fresh child process, forked
from a multiprocessing fork server that has already imported the readers (a fork costs a few
milliseconds, not the half second of starting Python and importing lxml, openpyxl and pdfminer).
The child limits its own address space (RLIMIT_AS: what it had after the fork plus
`memory_mb`) and CPU time (RLIMIT_CPU); the parent waits at most `timeout` seconds of wall-clock
time and kills it after that. Either overrun is a `ReadError` in Chinese naming the file. When the
child exits, all the memory it used goes back to the operating system: a web worker that handled a
hostile upload is no larger afterwards.

`parse_bounded` is used on every path that imports an uploaded file (the upload page, `POST
/api/import`, `jixiao import`) and by `jixiao parse`; `run_bounded` runs any picklable function the
same way (the 监控表/自评表 workbook uploads, the 自评表 pages of 自评表复核 and `jixiao check`, the
监控表 pages of 监控表复核). The commands take `--timeout` and `--memory-mb`
(`cli.common.add_parse_limits`).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from jixiao.ingest.cells import ReadError
from jixiao.model import Disclosure, Location
from jixiao.oserror import os_reason

__all__ = [
    "ParseLimits",
    "ParseOverrun",
    "parse_bounded",
    "parse_file_bounded",
    "reused_worker",
    "run_bounded",
]

T = TypeVar("T")
DOCUMENT = Location(line=1)

# imported once by the fork server, so that each child starts with them loaded
PRELOAD = [
    "jixiao.ingest",
    "jixiao.ingest.interpret",
    "jixiao.ingest.text",
    "jixiao.ingest.docx",
    "jixiao.ingest.xlsx",
    "jixiao.ingest.html",
    "jixiao.ingest.pdf",
    "jixiao.cycle.workbooks",
    "jixiao.ingest.selfeval",
    "jixiao.ingest.monitoring",
    "openpyxl",
    "pdfplumber",
    "pypdfium2",
    "pdfminer.pdfinterp",
    "jixiao.ingest.warmup",  # parses a small sample: lazy imports and caches ready before each fork
]


class ParseOverrun(ReadError):
    """The parse ran over its time (`limit` "time") or its memory (`limit` "memory") and was stopped."""

    def __init__(self, source: str, message: str, limit: str) -> None:
        super().__init__(source, message, DOCUMENT)
        self.limit = limit


@dataclass(frozen=True)
class ParseLimits:
    """How long and how much memory parsing one document may take."""

    timeout: float = 30.0  # seconds, wall clock
    memory_mb: int = 512  # memory the parse may use on top of the worker's own

    @classmethod
    def from_env(cls) -> ParseLimits:
        """JIXIAO_PARSE_TIMEOUT (seconds) and JIXIAO_PARSE_MEMORY_MB, else the defaults."""
        return cls(
            timeout=float(os.environ.get("JIXIAO_PARSE_TIMEOUT") or cls.timeout),
            memory_mb=int(os.environ.get("JIXIAO_PARSE_MEMORY_MB") or cls.memory_mb),
        )


def parse_bounded(
    data: bytes, name: str, *, year: int | None = None, limits: ParseLimits | None = None, fork: bool = False
) -> Disclosure:
    """`parse_bytes(data, name, year=year)` in a child process held to `limits` (`fork`: see
    `run_bounded`)."""
    return run_bounded(_parse, data, name, year, name=name, limits=limits, fork=fork)


def parse_file_bounded(
    path: str | Path, *, year: int | None = None, limits: ParseLimits | None = None, fork: bool = False
) -> Disclosure:
    """`parse_file(path, year=year)` in a child process held to `limits`."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ReadError(str(path), f"无法读取文件：{os_reason(e)}") from e
    return parse_bounded(data, str(path), year=year, limits=limits, fork=fork)


def _parse(data: bytes, name: str, year: int | None) -> Disclosure:
    from jixiao.ingest import parse_bytes

    return parse_bytes(data, name, year=year)


def run_bounded(
    func: Callable[..., T], *args: Any, name: str, limits: ParseLimits | None = None, fork: bool = False
) -> T:
    """`func(*args)` in a child process held to `limits`; its exceptions are raised here.

    `func` must be a module-level function; its arguments and result must pickle. `name` (the
    file) is used in the messages of a ReadError for an overrun. `fork`: a command that reads a
    file or a few (`jixiao parse`, `jixiao check`) forks itself rather than start the fork server,
    whose preloading and warm-up cost it ~1 s of CPU; only while it runs no other thread (a
    thread's locks would be held for ever in the child), else as without. Inside `reused_worker()`
    such a command's files are read one after another by the same forked child (see there).
    """
    limits = limits or ParseLimits()
    single = threading.active_count() == 1
    if fork and single and _can_fork() and _REUSE:
        return _reused(limits).run(func, args, name)
    ctx = multiprocessing.get_context("fork") if fork and single and _can_fork() else _context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, limits, func, args), daemon=True)
    with _SLOTS:
        started = time.monotonic()
        proc.start()
        send.close()
        try:
            msg = _wait(recv, proc, started + limits.timeout)
        finally:
            recv.close()
            if proc.is_alive():
                proc.kill()
            proc.join()
    return _answer(msg, proc.exitcode, started, name, limits)


def _answer(msg: tuple | None, exitcode: int | None, started: float, name: str, limits: ParseLimits) -> Any:
    """What the child's message means here: its result, or its exception raised; None (no answer):
    an overrun of the time (killed by the deadline or RLIMIT_CPU) or of the memory."""
    if msg is None:
        if exitcode == -signal.SIGXCPU or time.monotonic() - started >= limits.timeout:
            raise ParseOverrun(name, f"解析超时（{limits.timeout:g} 秒），已停止：文件过大或结构异常", "time")
        raise ParseOverrun(
            name,
            f"解析所需内存超过 {limits.memory_mb} MB，已停止（解析进程退出码 {exitcode}）",
            "memory",
        )
    kind = msg[0]
    if kind == "ok":
        return msg[1]
    if kind == "read":
        raise _read_error(*msg[1:])
    if kind == "memory":
        why = f"解析所需内存超过 {limits.memory_mb} MB，已停止：文件过大或结构异常"
        raise ParseOverrun(name, why, "memory")
    raise msg[1]


# ------------------------------------------------------------------ one child for a command's files
_REUSE: list[_Worker | None] = []  # inside `reused_worker()`: [the command's worker, once started]


@contextmanager
def reused_worker() -> Iterator[None]:
    """While inside, `run_bounded(..., fork=True)` hands every file to one forked child that reads
    them one after another, so that the readers' caches (labels, header cells, values) stay warm
    from file to file as they do in process — a fresh fork per file parsed each file cold, three
    times slower for `jixiao parse` of many files. Each file is still held to the limits: the
    parent waits at most `timeout` for each answer, the child's CPU limit is moved on before each
    file and its address space is capped at its size when forked plus `memory_mb`; a child that
    overran (or came near its memory cap) is stopped and the next file gets a fresh one. The child
    is stopped on leaving; the commands' `main` enters this around the command."""
    _REUSE.append(None)
    try:
        yield
    finally:
        worker = _REUSE.pop()
        if worker is not None:
            worker.stop()


def _reused(limits: ParseLimits) -> _Worker:
    worker = _REUSE[-1]
    if worker is None or worker.limits != limits:
        if worker is not None:
            worker.stop()
        worker = _REUSE[-1] = _Worker(limits)
    return worker


class _Worker:
    """A forked child that runs `func(*args)` task after task (`_serve`), replaced when it overran."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.proc: Any = None
        self.conn: Connection | None = None

    def run(self, func: Callable[..., Any], args: tuple, name: str) -> Any:
        for _ in range(2):
            if self.proc is None or not self.proc.is_alive():
                self._start()
            assert self.conn is not None
            started = time.monotonic()
            try:
                self.conn.send((func, args))
                msg = _wait(self.conn, self.proc, started + self.limits.timeout)
            except (BrokenPipeError, ConnectionResetError, EOFError):
                msg = None
            if msg is None and time.monotonic() - started < self.limits.timeout:
                # a child that quit of itself after its last task (near its memory cap) exits 0,
                # without taking this one: this file goes to a fresh child
                self.proc.join(1)
                if self.proc.exitcode == 0:
                    self.stop()
                    continue
            break
        if msg is None or msg[0] == "memory" or not self.proc.is_alive():
            self.stop()  # overran, or exits after coming near its cap: the next file gets a new one
        return _answer(msg, self.proc.exitcode if self.proc is not None else None, started, name, self.limits)

    def _start(self) -> None:
        ctx = multiprocessing.get_context("fork")
        here, there = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(there, self.limits), daemon=True)
        self.proc.start()
        there.close()
        self.conn = here

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()


def _serve(conn: Connection, limits: ParseLimits) -> None:
    """The reused child: task after task until the parent closes the pipe; each task's CPU limit
    is its own (RLIMIT_CPU's soft limit moved to the CPU used so far plus the timeout and a
    second), the address space capped once. Exits after a task that came near the cap."""
    cap = _limit(limits, cpu=False)
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):
            break
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(used.ru_utime + used.ru_stime + limits.timeout) + 1
        _setrlimit(resource.RLIMIT_CPU, cpu, resource.getrlimit(resource.RLIMIT_CPU)[1])
        msg = _outcome(func, args, cap, limits)
        _send(conn, msg)
        if msg[0] == "memory" or _near(cap, limits):
            break
    conn.close()


def _read_error(
    source: str, message: str, location: Location, cls: type[ReadError] = ReadError, extra: Any = None
) -> ReadError:
    """The child's ReadError again, of its class (`NoTargetTable`) and with its attributes
    (`other_kind`): what the same parse in this process would have raised."""
    err = cls(source, message, location)
    err.__dict__.update(extra or {})
    return err


# at most this many documents parse at once in one server process (each child may take memory_mb)
_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def _wait(recv: Connection, proc: Any, deadline: float) -> tuple | None:
    """The child's message, or None when it died or overran the deadline."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        if recv.poll(min(left, 1.0)):
            try:
                return recv.recv()
            except (EOFError, OSError):
                return None  # the child died without answering (killed by a limit, or crashed)
        if not proc.is_alive() and not recv.poll(0):
            return None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


_CTX: Any = None
_CTX_LOCK = threading.Lock()


def _context() -> Any:
    """The fork-server context (spawn where fork servers do not exist), preloading the readers."""
    global _CTX
    with _CTX_LOCK:
        if _CTX is None:
            methods = multiprocessing.get_all_start_methods()
            ctx: BaseContext
            if "forkserver" in methods:
                server = multiprocessing.get_context("forkserver")
                main = sys.modules.get("__main__")
                preload = list(PRELOAD)
                if getattr(main, "__file__", None) and getattr(main, "__spec__", None) is None:
                    # a script: import it once in the server rather than in every child
                    preload.insert(0, "__main__")
                server.set_forkserver_preload(preload)
                ctx = server
            else:  # pragma: no cover - Windows
                ctx = multiprocessing.get_context("spawn")
            _CTX = ctx
        return _CTX


def _child(conn: Connection, limits: ParseLimits, func: Callable[..., Any], args: tuple) -> None:
    cap = _limit(limits)
    _send(conn, _outcome(func, args, cap, limits))
    conn.close()


def _outcome(func: Callable[..., Any], args: tuple, cap: int, limits: ParseLimits) -> tuple:
    """`func(*args)` as the message for the parent: ("ok", result), ("read", …) for a ReadError,
    ("memory",) for an allocation that failed at the cap, ("error", exception) for the rest."""
    try:
        return ("ok", func(*args))
    except ReadError as e:
        if isinstance(e.__cause__, MemoryError) or _near(cap, limits):
            return ("memory",)  # out of the address space allowed (libxml2 says "unknown error")
        return ("read", e.source, e.message, e.location, *_kind_of(e))
    except MemoryError:
        return ("memory",)
    except BaseException as e:
        return ("memory",) if _near(cap, limits) else ("error", _portable(e))


def _send(conn: Connection, msg: tuple) -> None:
    try:
        conn.send(msg)
    except MemoryError:
        conn.send(("memory",))
    except (pickle.PicklingError, TypeError, AttributeError) as e:
        conn.send(("error", RuntimeError(f"解析结果无法传回：{type(e).__name__}：{e}")))


def _kind_of(e: ReadError) -> tuple[type[ReadError], dict[str, Any]]:
    """The class and the further attributes of a ReadError (`_read_error` makes it again), when
    they travel: else a plain ReadError's."""
    cls = type(e) if type(e).__init__ is ReadError.__init__ else ReadError
    extra = {k: v for k, v in vars(e).items() if k not in ("source", "message", "location")}
    try:
        pickle.dumps((cls, extra))
    except Exception:
        return ReadError, {}
    return cls, extra


def _limit(limits: ParseLimits, *, cpu: bool = True) -> int:
    """Address space: what the child has now plus memory_mb; CPU (unless not `cpu`): the timeout
    plus a second. Returns the address-space cap in bytes."""
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        with open("/proc/self/statm") as f:
            now = int(f.read().split()[0]) * page
    except OSError:
        now = 0
    cap = now + limits.memory_mb * 1024 * 1024
    _setrlimit(resource.RLIMIT_AS, cap)
    if cpu:
        seconds = math.ceil(limits.timeout) + 1
        _setrlimit(resource.RLIMIT_CPU, seconds, seconds + 2)
    return cap


def _near(cap: int, limits: ParseLimits) -> bool:
    """Did the child's address space reach the cap (so an error was an allocation that failed)?"""
    try:
        with open("/proc/self/status") as f:
            peak = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    margin = min(16, limits.memory_mb / 8) * 1024 * 1024  # small allocations fail close to the cap
    return peak >= cap - margin


def _setrlimit(which: int, soft: int, hard: int | None = None) -> None:
    _, old_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if old_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, old_hard), min(hard, old_hard)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _portable(e: BaseException) -> BaseException:
    """The exception if it survives pickling, else a RuntimeError saying what it was."""
    try:
        copy = pickle.loads(pickle.dumps(e))
        if type(copy) is type(e):
            return e
    except Exception:
        pass
    return RuntimeError(f"{type(e).__name__}: {e}")
