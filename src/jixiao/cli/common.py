"""What every command group shares: output, exit codes and the one database loader.

Commands import Django only through `prepare_database` (and the loaders below), so that
`jixiao parse` and `jixiao value` start without the web app.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from contextlib import ExitStack, contextmanager

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, NoReturn, TextIO

    from jixiao.model import Disclosure
    from jixiao.review.history import History

EXIT_OK = 0
EXIT_BAD_INPUT = 2
"""Bad input: the command printed located lines (`FILE: line N: …`) to stderr."""
EXIT_INTERRUPTED = 130


def budget_year(text: str) -> int:
    """The type of every `--year` option that names a budget year: `jixiao.model.BUDGET_YEARS`."""
    from jixiao.model import BUDGET_YEAR_RULE, is_budget_year

    t = text.strip().removesuffix("年").strip()
    year = int(t) if t.isdecimal() and len(t) < 9 else 0
    if not is_budget_year(year):
        raise argparse.ArgumentTypeError(f"“{text}”：{BUDGET_YEAR_RULE}")
    return year


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not (0 <= v <= 86_400):  # also NaN
        raise argparse.ArgumentTypeError(f"“{text}”：应为 0 到 86400 之间的秒数（0：不限时）")
    return v


def _megabytes(text: str) -> int:
    v = int(text) if text.strip().isdecimal() and len(text.strip()) < 9 else 0
    if v < 16:
        raise argparse.ArgumentTypeError(f"“{text}”：应为不小于 16 的整数（MB）")
    return v


def add_parse_limits(p: argparse.ArgumentParser) -> None:
    """`--timeout` and `--memory-mb`: each file is read in a worker process held to them
    (`jixiao.ingest.bounded`), as an upload is; `parse_limits` reads them."""
    p.add_argument(
        "--timeout",
        type=_seconds,
        metavar="秒",
        help="读取每个文件的时限，超时即停止并报错（默认 JIXIAO_PARSE_TIMEOUT，未设时 30 秒；"
        "0：不限时也不限内存，在本进程中读取）",
    )
    p.add_argument(
        "--memory-mb",
        type=_megabytes,
        metavar="MB",
        help="读取每个文件可用的内存（默认 JIXIAO_PARSE_MEMORY_MB，未设时 512 MB）",
    )


def parse_limits(args: argparse.Namespace, default: Any = None) -> Any:
    """The `ParseLimits` of `add_parse_limits`' options over `default` (else the environment's:
    `ParseLimits.from_env`); None for `--timeout 0` (no worker process, no limit)."""
    from jixiao.ingest.bounded import ParseLimits

    base = default or ParseLimits.from_env()
    timeout = args.timeout if args.timeout is not None else base.timeout
    if timeout == 0:
        return None
    return ParseLimits(timeout=timeout, memory_mb=args.memory_mb or base.memory_mb)


def parse_path(name: str, *, year: int | None, limits: Any) -> Disclosure:
    """`jixiao.ingest.parse_file(name, year=year)`, in a worker process held to `limits` unless None."""
    if limits is None:
        from jixiao.ingest import parse_file

        return parse_file(name, year=year)
    return _bounded().parse_file_bounded(name, year=year, limits=limits, fork=True)


def read_bounded(read: Callable[[bytes, str], Any], name: str, data: bytes, limits: Any) -> Any:
    """`read(data, name)` (a page reader: the 自评表's or the 监控表's), in a worker process held to
    `limits` unless None."""
    if limits is None:
        return read(data, name)
    return _bounded().run_bounded(read, data, name, name=name, limits=limits, fork=True)


_WORKER = ExitStack()  # the command's reused worker, entered at its first bounded read
_WORKER_ON: list[bool] = []


def _bounded() -> Any:
    """`jixiao.ingest.bounded`, with a command's files read by one reused worker process
    (`bounded.reused_worker`: the readers' caches stay warm from file to file); `main` ends it
    (`end_command`) when the command returns."""
    from jixiao.ingest import bounded

    if not _WORKER_ON:
        _WORKER.enter_context(bounded.reused_worker())
        _WORKER_ON.append(True)
    return bounded


def end_command() -> None:
    """Stop the command's reused worker process, if it started one."""
    _WORKER_ON.clear()
    _WORKER.close()


def read_selfeval_path(name: str, data: bytes, limits: Any) -> Any:
    """`read_selfeval_bytes(data, name)`: every 自评表 of the page, held to `limits` unless None."""
    from jixiao.ingest.selfeval import read_selfeval_bytes

    return read_bounded(read_selfeval_bytes, name, data, limits)


def overrun_hint(e: Any) -> str:
    """What to add to a reader's error that is a time or memory overrun: the option that relaxes it."""
    from jixiao.ingest.bounded import ParseOverrun

    if not isinstance(e, ParseOverrun):
        return ""
    return "；可用 --timeout 秒数 放宽时限" if e.limit == "time" else "；可用 --memory-mb 放宽内存上限"


def write_out(data: str | bytes, out: str | None) -> None:
    """Write text (UTF-8) or bytes to the file `out`, or to stdout when `out` is None or "-"."""
    if out in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    if isinstance(data, bytes):
        with open(out, "wb") as fb:
            fb.write(data)
    else:
        with open(out, "w", encoding="utf-8") as ft:
            ft.write(data)


def unopened(e: Any) -> str | None:
    """For a reader's error (`jixiao.ingest.ReadError`) on a file that could not be opened, why in
    Chinese (the system's own text is English); else None."""
    cause = e.__cause__
    if isinstance(cause, OSError):
        from jixiao.oserror import os_reason

        return f"无法读取文件：{os_reason(cause)}"
    return None


def read_error_text(e: Any, *, whole: bool = False) -> str:
    """A reader's error as the commands print it: `FILE: 第 N 行: why` (`FILE: why` with `whole`);
    an overrun of `--timeout` / `--memory-mb` names the option."""
    if why := unopened(e):
        return f"{e.source}: {why}"
    if hint := overrun_hint(e):  # the whole file's, never 第 1 行
        return f"{e.source}: {e.message}{hint}"
    return f"{e.source}: {e.message}" if whole else e.describe()


@contextmanager
def open_out(out: str | None) -> Iterator[TextIO]:
    """A text stream to write to: the file `out` (UTF-8), or stdout when `out` is None or "-"."""
    if out in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    with open(out, "w", encoding="utf-8", newline="") as f:
        yield f


def prepare_database(*, quiet: bool = True) -> None:
    """Set Django up from the environment (JIXIAO_DATABASE_URL) and apply migrations."""
    from django.core.management import call_command

    from jixiao.web import setup

    setup()
    call_command("migrate", verbosity=0 if quiet else 1, interactive=False)


def database_label() -> str:
    """The database in use, for messages: `SQLite FILE` or `PostgreSQL HOST:PORT/NAME`."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def unit_projects(spec: str, year: int) -> tuple[list[Any], str | None, list[str]]:
    """The domain projects of the one unit `spec` names (a code, region:code or id:N) in `year` that
    can be reported on (approved or published targets: a sheet for another would have the whole
    filled workbook refused), the unit's name, and the names of the projects left out: what `jixiao
    template KIND --unit SPEC --year Y` pre-fills. A code several units share raises
    `UnitSpecError` listing them (one workbook never mixes units)."""
    prepare_database()
    from jixiao.web.convert import project_from_orm
    from jixiao.web.lib.units import resolve_unit
    from jixiao.web.models import CYCLE_STATES, Project

    unit = resolve_unit(spec)
    rows = list(
        Project.objects.filter(unit=unit, year=year)
        .select_related("unit")
        .prefetch_related("indicators")
        .order_by("seq", "id")
    )
    left_out = [f"{p.name or p.key}（{p.get_state_display()}）" for p in rows if p.state not in CYCLE_STATES]
    return [project_from_orm(p) for p in rows if p.state in CYCLE_STATES], unit.name, left_out


def unit_disclosures(unit_code: str, year: int | None) -> list[tuple[Disclosure, History | None]]:
    """The unit-years stored by the web app, as domain objects, each with the history of earlier
    years its stored review reads (the unit's self-evaluations of the year before, for the ambition
    rule JX603; None where there are none), for `jixiao review --unit CODE` (review itself stays a
    pure function of the model).

    The unit is named as everywhere in the CLI (code, region:code, id:N); a code that several units
    share is an error listing the matches. Raises LookupError with a message for the user when the
    database or the unit is not there.
    """
    try:
        prepare_database()
        from jixiao.web import models as orm
        from jixiao.web.convert import disclosure_from_orm, stored_unit_years
        from jixiao.web.lib.reviews import histories
        from jixiao.web.lib.units import UnitSpecError, resolve_unit

        try:
            unit = resolve_unit(unit_code)
        except UnitSpecError as e:  # an ambiguous code lists its matches
            raise LookupError(str(e)) from e
        rows = orm.Disclosure.objects.select_related("unit").filter(unit=unit)
        if year is not None:
            rows = rows.filter(year=year)
        ds = list(rows.order_by("unit__region", "unit__name", "year"))
        loaded = stored_unit_years(d.pk for d in ds)  # three queries for all
        earlier = histories(d.pk for d in ds)  # one query for all
        docs = [
            (loaded[d.pk].doc if d.pk in loaded else disclosure_from_orm(d), earlier.get(d.pk, ((), None))[1])
            for d in ds
        ]
    except LookupError:
        raise
    except Exception as e:  # database missing, schema not migrated, bad URL …
        raise LookupError(f"无法读取数据库：{e}") from e
    if not docs:
        raise LookupError(f"数据库中没有单位 {unit_code}" + (f" {year} 年" if year else "") + " 的绩效目标")
    return docs


# ------------------------------------------------------------------------ argparse, in Chinese
# argparse prints its own headings and errors in English (its gettext catalog has no Chinese);
# `ChineseParser` (with `ChineseHelpFormatter`) says them in Chinese. Every subcommand's parser is
# one too: add_subparsers() makes its parsers of the parent's class.

_ARGPARSE_ERRORS = [
    (re.compile(r"^the following arguments are required: (.*)$", re.S), "缺少必需的参数：{0}"),
    (re.compile(r"^unrecognized arguments: (.*)$", re.S), "无法识别的参数：{0}"),
    (re.compile(r"^one of the arguments (.*) is required$", re.S), "参数 {0} 必须给出其中一个"),
    (re.compile(r"^argument (.*?): (.*)$", re.S), "参数 {0}：{1}"),
    (re.compile(r"^invalid choice: (.*) \(choose from (.*)\)$", re.S), "无效的选项：{0}（可选：{1}）"),
    (re.compile(r"^invalid (int|float) value: (.*)$", re.S), "{0}值无效：{1}"),
    (re.compile(r"^invalid (.*) value: (.*)$", re.S), "值无效：{1}"),
    (re.compile(r"^expected one argument$"), "需要一个值"),
    (re.compile(r"^expected at most one argument$"), "最多只能给一个值"),
    (re.compile(r"^expected at least one argument$"), "至少需要一个值"),
    (re.compile(r"^expected (\d+) arguments?$"), "需要 {0} 个值"),
    (re.compile(r"^not allowed with argument (.*)$", re.S), "不能与参数 {0} 同时使用"),
    (re.compile(r"^ambiguous option: (.*) could match (.*)$", re.S), "选项 {0} 有歧义，可能是 {1}"),
    (re.compile(r"^ignored explicit argument (.*)$", re.S), "多余的参数值 {0}"),
]
_TYPE_NAMES = {"int": "整数", "float": "数字"}


def argparse_error_zh(message: str) -> str:
    """argparse's English error message in Chinese (nested: `argument X: invalid choice …`)."""
    for pattern, template in _ARGPARSE_ERRORS:
        m = pattern.match(message)
        if m:
            parts = [_TYPE_NAMES.get(g, g) for g in m.groups()]
            if template.startswith("参数 {0}："):
                parts[1] = argparse_error_zh(parts[1])
            return template.format(*parts)
    return message


def _columns() -> int:
    """`shutil.get_terminal_size().columns` without importing shutil (which loads the bz2, lzma and
    zlib modules: start-up time of every command)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class ChineseHelpFormatter(argparse.HelpFormatter):
    """「用法：」 instead of "usage: "."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        # the width argparse gives a formatter by default (the terminal's, less 2)
        width = _columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, -h/--help text and errors are Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示帮助并退出"

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", "显示版本号并退出")
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{argparse_error_zh(message)}\n")
