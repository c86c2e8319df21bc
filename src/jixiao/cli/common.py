"""What every command group shares: output, exit codes and the one database loader.

Commands import Django only through `prepare_database` (and the loaders below), so that
`jixiao parse` and `jixiao value` start without the web app.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, TextIO

    from jixiao.model import Disclosure

EXIT_OK = 0
EXIT_BAD_INPUT = 2
"""Bad input: the command printed located lines (`FILE: line N: …`) to stderr."""
EXIT_INTERRUPTED = 130


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


def unit_projects(spec: str, year: int) -> tuple[list[Any], str | None]:
    """The domain projects of the one unit `spec` names (a code, region:code or id:N) in `year`, and
    the unit's name: what `jixiao template KIND --unit SPEC --year Y` pre-fills. A code several
    units share raises `UnitSpecError` listing them (one workbook never mixes units)."""
    prepare_database()
    from jixiao.web.convert import project_from_orm
    from jixiao.web.lib.units import resolve_unit
    from jixiao.web.models import Project

    unit = resolve_unit(spec)
    rows = list(
        Project.objects.filter(unit=unit, year=year)
        .select_related("unit")
        .prefetch_related("indicators")
        .order_by("seq", "id")
    )
    return [project_from_orm(p) for p in rows], unit.name


def unit_disclosures(unit_code: str, year: int | None) -> list[Disclosure]:
    """The unit-years stored by the web app, as domain objects, for `jixiao review --unit CODE`
    (review itself stays a pure function of the model).

    The unit is named as everywhere in the CLI (code, region:code, id:N); a code that several units
    share is an error listing the matches. Raises LookupError with a message for the user when the
    database or the unit is not there.
    """
    try:
        prepare_database()
        from jixiao.web import models as orm
        from jixiao.web.convert import disclosure_from_orm
        from jixiao.web.lib.units import UnitSpecError, resolve_unit

        try:
            unit = resolve_unit(unit_code)
        except UnitSpecError as e:  # an ambiguous code lists its matches
            raise LookupError(str(e)) from e
        rows = orm.Disclosure.objects.select_related("unit").filter(unit=unit)
        if year is not None:
            rows = rows.filter(year=year)
        docs = [disclosure_from_orm(d) for d in rows.order_by("unit__region", "unit__name", "year")]
    except LookupError:
        raise
    except Exception as e:  # database missing, schema not migrated, bad URL …
        raise LookupError(f"无法读取数据库：{e}") from e
    if not docs:
        raise LookupError(f"数据库中没有单位 {unit_code}" + (f" {year} 年" if year else "") + " 的绩效目标")
    return docs
