"""Queries compiled to SQL once per process: for pages whose few queries cost more to build in the
ORM than the database takes to answer them.

On PostgreSQL they are also prepared statements (`PREPARE`): PostgreSQL plans each of them once a
connection rather than at every request (the unit-year page's three: 1.9 ms in the database and
back, 1.1 ms prepared). Django leaves psycopg's prepared statements off for connection poolers in
transaction mode (pgbouncer before 1.21 cannot carry them): set JIXIAO_PG_PREPARE=0 behind one. While
queries are logged (DEBUG, a test capturing them) they run unprepared, so that the log holds their
text (Django reads it from the client-binding cursor)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model, QuerySet

PREPARE = True  # compiled queries as prepared statements on PostgreSQL (see above)

_ATTNAMES: dict[type[Model], list[str]] = {}


def attnames(model: type[Model]) -> list[str]:
    """The model's concrete columns by attribute name, in the model's order (what `from_db` takes)."""
    names = _ATTNAMES.get(model)
    if names is None:
        names = _ATTNAMES[model] = [f.attname for f in model._meta.concrete_fields]
    return names


class Constant:
    """A parameter of a compiled query that is not one of its arguments."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class CompiledQuery:
    """A `values_list` query compiled to SQL once per database and shape, then run with new
    arguments (`rows`, or `instances` of `model` when the query gives its columns).

    `build(*args)` makes the query from integer arguments, or texts at the positions `texts` (None
    where an argument is left out, which changes the shape). It is compiled with markers in their
    place; the SQL's other parameters are the query's own constants. The rows get the ORM's
    converters."""

    MARK = 1_987_654_320

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        model: type[Model] | None = None,
        *,
        small: tuple[int, ...] = (),
        texts: tuple[int, ...] = (),
        raw: tuple[int, ...] = (),
    ):
        """`small`: the positions of arguments that are 32-bit columns (IntegerField); the others
        are 64-bit (ids). An argument out of its column's range matches nothing, as in the ORM.
        `texts`: the positions of arguments that are texts (a CharField's value).
        `raw`: the positions of columns given as the database gives them, without the ORM's
        conversion (a JSON column's text, for a caller that decodes many at once or only some)."""
        self.build, self.model, self.small, self.texts, self.raw = build, model, small, texts, raw
        self._compiled: dict[tuple[Any, ...], tuple[str, list[Any], list[tuple[int, Any]]]] = {}

    def _compile(self, using: str, args: tuple[int | str | None, ...]) -> tuple[str, list[Any], list[Any]]:
        marks: list[int | str | None] = [
            None if a is None else f"\x00{self.MARK + i}" if i in self.texts else self.MARK + i
            for i, a in enumerate(args)
        ]
        compiler = self.build(*marks).query.get_compiler(using)
        sql, params = compiler.as_sql()
        # each parameter an argument (its index) or a constant of the query itself (kept as it is)
        order = [marks.index(p) if p in marks else Constant(p) for p in params]
        fields = [col[0] for col in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields).items()
        return sql, order, [(pos, c) for pos, c in converters if pos not in self.raw]

    def instances(self, *args: int | str | None, using: str = "default") -> list[Any]:
        """The rows as model instances, for a `build` that gives a query of one model's own
        columns (`attnames(model)`, in that order) with `values_list`."""
        model = self.model
        if model is None:
            raise TypeError("CompiledQuery(build) was made without a model")
        names = attnames(model)
        return [model.from_db(using, names, row) for row in self.rows(*args, using=using)]

    def rows(self, *args: int | str | None, using: str = "default") -> list[list[Any]]:
        for i, a in enumerate(args):
            bound = 2**31 if i in self.small else 2**63
            if a is not None and i not in self.texts and not -bound <= a < bound:  # type: ignore[operator]
                return []
        key = (using, *(a is None for a in args))
        entry = self._compiled.get(key)
        if entry is None:
            entry = self._compiled[key] = self._compile(using, args)
        sql, order, converters = entry
        connection = connections[using]
        params = [i.value if type(i) is Constant else args[i] for i in order]
        if prepares(connection):
            rows = prepared_rows(connection, sql, params)
        else:
            with connection.cursor() as cur:
                cur.execute(sql, params)
                rows = [list(r) for r in cur.fetchall()]
        for row in rows:
            for pos, (convs, expression) in converters:
                value = row[pos]
                for conv in convs:
                    value = conv(value, expression, connection)
                row[pos] = value
        return rows


def prepares(connection: Any) -> bool:
    """Whether statements on this Django connection are prepared (PostgreSQL, unless switched off
    or while queries are logged: DEBUG or a test's capture, which log a prepared one's text as
    None)."""
    return bool(
        PREPARE
        and connection.vendor == "postgresql"
        and not connection.queries_logged
        and settings.JIXIAO_PG_PREPARE
    )


def preparing_cursor(connection: Any) -> Any:
    """A server-binding cursor on this psycopg connection whose statements psycopg prepares
    (`prepare=True`); nothing else on the connection is prepared (see `prepared_rows`)."""
    _allow_prepare(connection)
    return _raw_preparing_cursor_class()(connection)


def _allow_prepare(pg: Any) -> None:
    """Let statements on this psycopg connection be prepared when asked (`prepare=True`): Django
    sets no threshold (nothing prepared, even when asked). Only what asks is prepared: Django's
    cursors bind on the client, which never prepares, and no server-binding cursor of ours runs
    often enough to reach the threshold."""
    if pg.prepare_threshold is None:
        pg.prepare_threshold = 2**31 - 1


class _PreparedByDefault:
    """A psycopg cursor's `execute` preparing its statement unless told otherwise (`prepare`)."""

    prepare = True

    def execute(self, query: Any, params: Any = None, **kw: Any) -> Any:
        kw.setdefault("prepare", self.prepare)
        return super().execute(query, params, **kw)  # type: ignore[misc]


@cache
def _raw_preparing_cursor_class() -> type:
    import psycopg

    class RawPreparingCursor(_PreparedByDefault, psycopg.Cursor):  # type: ignore[type-arg]
        pass

    return RawPreparingCursor


def json_values(texts: list[Any]) -> list[Any]:
    """Raw JSON columns (`raw`) decoded as the ORM's JSONField decodes each (None stays None, a
    text that is no JSON stays as it is), in one call for all of them rather than one a row.
    For columns of a JSONField without a decoder of its own, whose texts are each valid JSON (as
    jsonb and SQLite's JSON_VALID check keep them): texts that are not could join into a valid
    list of the same length and decode otherwise than one by one."""
    if all(type(t) is str or t is None for t in texts):
        try:
            out = json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")
        except ValueError:
            out = None
        if type(out) is list and len(out) == len(texts):
            return out
    return [_json_value(t) for t in texts]


def _json_value(text: Any) -> Any:
    if type(text) is not str:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


KEPT_ROWS = 1000  # a cursor that read more is closed, not kept with its result (see `prepared_rows`)
_KEPT = "jixiao_prepared_cursor"  # the Django connection's attribute that keeps the cursor


def prepared_rows(connection: Any, sql: str, params: list[Any], *, prepare: bool = True) -> list[list[Any]]:
    """The rows of `sql` run as a prepared statement (unless not `prepare`: then bound on the server
    but planned for its values, each time), through Django's cursor wrapper (so that
    queries are counted, wrapped and their errors Django's as any other) around a server-binding
    cursor of the psycopg connection (Django's bind on the client and cannot prepare), whose
    statements psycopg prepares (`prepare=True`).

    The cursor is kept on the Django connection (one a thread) for the next compiled query, made
    again when the psycopg connection or its time zone is another: a page runs several, and making
    a cursor and putting it in place of Django's cost a third of a short query. One that read more
    than KEPT_ROWS rows is closed rather than kept holding them (the bound is on rows, not their
    size: a kept cursor holds its last result, up to KEPT_ROWS rows, until the next query).

    The time zone: the Django connection's (what its timestamptz loader puts on every value). When
    it is the tzinfo psycopg's own loader gives in the session's time zone (UTC, as Django sets it),
    psycopg's own loader reads timestamptz columns (its C one with psycopg-binary): the same
    values, without Django's loader, a Python subclass of psycopg's Python one (a big bureau's
    unit-year page reads 200, 1.2 ms of its 15)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        pg = connection.connection
        timezone = connection.timezone
        own = timezone is not None and pg.info.timezone is timezone
        # taken off the connection while in use: a query run meanwhile (by an execute wrapper, or a
        # thread the connection is shared with) makes a cursor of its own instead of replacing this
        # one's result
        kept = vars(connection).pop(_KEPT, None)
        if kept is None or kept[0] is not pg or kept[1] is not own or kept[2].closed:
            _allow_prepare(pg)
            cursor = _preparing_cursor_class()(pg)
            if own:
                cursor.adapters.register_loader("timestamptz", _timestamptz_loader())
            kept = (pg, own, cursor)
    wrapped = connection.make_cursor(kept[2])
    kept[2].prepare = prepare
    wrapped.execute(sql, params)  # on an error the cursor is not kept
    kept[2].prepare = True
    rows = [list(r) for r in wrapped.fetchall()]
    if len(rows) > KEPT_ROWS:
        wrapped.close()
    else:
        setattr(connection, _KEPT, kept)
    return rows


@cache
def _timestamptz_loader() -> type:
    from psycopg.types.datetime import TimestamptzLoader

    return TimestamptzLoader  # registered, psycopg puts its C loader in its place when it has one


@cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(_PreparedByDefault, ServerBindingCursor):  # type: ignore[misc,valid-type]
        pass

    return PreparingCursor
