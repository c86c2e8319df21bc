"""Lean bulk inserts for the import path, in one statement per table and batch.

- `insert` writes model instances whose ids nobody needs back (review rows, history);
- `insert_values` writes rows given as `{attname: value}` without model instances (an instance
  costs ~15 µs to build, more than its row costs to write), `insert_rows` rows given whole, as
  tuples in the columns' order (a document's hundred indicators);
- `insert_returning` writes new instances and sets their ids (projects, whose indicators point at
  them).

Only the values Django must convert (JSON, decimals, dates) are prepared through their fields; the
rest go as they are. `QuerySet.bulk_create` spends ~20 µs a value in its compiler. JSON values are
encoded by one reused C encoder, compact and in UTF-8 (`dumps`: the same values read back; a
document's review rows hold ~20,000 characters of Chinese, six bytes each as `\\uXXXX`), and go to
PostgreSQL as text cast to jsonb on the server. On PostgreSQL
the rows go as one array a column (`UNNEST`, as `bulk_create` does there), bound on the server in
psycopg's binary format: psycopg's `executemany` sends one statement per row and waits on the server
for each, a multi-row `VALUES` list is a new statement text for each number of rows, which psycopg
parses in Python every time, and text arrays are escaped in Python and parsed again by the server.
SQLite's `executemany` runs the prepared statement in C. All three send their rows as one JSON text
(`_json_plan`) where it carries them exactly.
"""

from __future__ import annotations

import datetime
import json
import math
import selectors
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)

_VENDOR: list[str] = []


def vendor() -> str:
    """`connection.vendor`, read once: the default database's, which a process does not change
    (each read through Django's connection proxy costs a few µs, and storing a document asked
    some thirty times)."""
    if not _VENDOR:
        _VENDOR.append(connections[DEFAULT_DB_ALIAS].vendor)
    return _VENDOR[0]


SQLITE_MAX_PARAMS = 999  # the smallest limit SQLite has been built with (32,766 since 3.32)


def _not_json(o: Any) -> Any:
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _json_dumps() -> Callable[[Any], str]:
    """`json.dumps(value, ensure_ascii=False, separators=(",", ":"))` through one C encoder made
    once (`json.dumps` makes one a call), without the check for circular references."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    enc = make(None, _not_json, json.encoder.encode_basestring, None, ":", ",", False, False, True)

    def dumps(value: Any) -> str:
        if isinstance(value, str):
            return json.encoder.encode_basestring(value)
        return "".join(enc(value, 0))

    return dumps


dumps = _json_dumps()


class JSONText(str):
    """A JSON column's value given as its JSON text, exactly as `dumps` writes the value (a review
    row's findings, assembled from pieces encoded once: `reviews.findings_json`): written as it is
    (on PostgreSQL inside the rows' JSON as the value itself, not as a string)."""

    __slots__ = ()


# stands in for a `JSONText` while the rows around it are encoded (`_rows_json_texts`)
_TEXT_MARK = "\x00jixiao:json-text\x00"


def _plain_json(o: Any) -> Any:
    """The rows `_rows_json` writes: a value that is not JSON as the text PostgreSQL reads it."""
    if isinstance(o, Decimal):  # as psycopg writes one: NaN, Infinity and -Infinity too
        return "NaN" if o.is_nan() else str(o)
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    return _not_json(o)


def _rows_encoder() -> Callable[[Any], str] | None:
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    # no NaN or infinity: jsonb has none (`_json_floats_ok` sends rows holding one as arrays)
    enc = make(None, _plain_json, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    return lambda rows: "".join(enc(rows, 0))


_rows_json = _rows_encoder()


def _rows_json_texts(rows: list[tuple[Any, ...]]) -> str:
    """`_rows_json(rows)` where a `JSONText` stands for the value it is the text of (what
    `_rows_json` writes for that value): the rows encoded with a mark in its place, the mark then
    replaced by the text. Should a string of the rows hold the mark itself, the texts are decoded
    and the rows encoded whole."""
    assert _rows_json is not None
    texts: list[str] = []
    marked = []
    for row in rows:
        if any(type(v) is JSONText for v in row):
            texts += [v for v in row if type(v) is JSONText]
            row = tuple(_TEXT_MARK if type(v) is JSONText else v for v in row)
        marked.append(row)
    if not texts:
        return _rows_json(rows)
    parts = _rows_json(marked).split(_TEXT_MARK_JSON)
    if len(parts) != len(texts) + 1:
        plain = [tuple(json.loads(v) if type(v) is JSONText else v for v in row) for row in rows]
        return _rows_json(plain)
    out = [parts[0]]
    for text, part in zip(texts, parts[1:], strict=True):
        out += (text, part)
    return "".join(out)


_TEXT_MARK_JSON = json.encoder.encode_basestring(_TEXT_MARK)


class _Column:
    """One column of an INSERT: the attribute it comes from and how its value is prepared."""

    __slots__ = ("attname", "decimal", "default", "field", "json", "name", "prepare", "relation", "stamp")

    def __init__(self, f: models.Field) -> None:  # type: ignore[type-arg]
        self.field = f
        self.attname = f.attname
        self.name = f.name
        self.relation = bool(f.is_relation)
        self.prepare = f.is_relation is False and not isinstance(f, _PLAIN)
        # set on insert (auto_now / auto_now_add)
        self.stamp = bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        self.default = f.has_default() or f.null
        # JSON written as text by `dumps` (a field with an encoder of its own goes through it)
        self.json = isinstance(f, models.JSONField) and f.encoder is None
        self.decimal = isinstance(f, models.DecimalField)

    def db(self, value: Any, conn: BaseDatabaseWrapper) -> Any:
        """The value as the backend takes it (`get_db_prep_save`; a JSON value, which is never an
        expression here, as JSON text; a finite Decimal as it is, which is what the field's
        preparation gives for one)."""
        if value is None or not self.prepare:
            return value
        if self.json:
            return str(value) if type(value) is JSONText else dumps(value)
        if self.decimal and type(value) is Decimal and value.is_finite():
            return value
        return self.field.get_db_prep_save(value, conn)

    def prepared(self, values: list[Any], conn: BaseDatabaseWrapper) -> list[Any]:
        """`db` of each of a column's values."""
        if not self.prepare:
            return values
        if self.json:
            return [None if v is None else str(v) if type(v) is JSONText else dumps(v) for v in values]
        return [self.db(v, conn) for v in values]


_PLANS: dict[tuple[str, str], tuple[str, str, tuple[_Column, ...]]] = {}


def _plan(model: type[models.Model]) -> tuple[str, str, tuple[_Column, ...]]:
    """(the INSERT statement up to its values — identifiers quoted by the backend —, what follows:
    one row of placeholders, or on PostgreSQL one array a column, `SELECT * FROM UNNEST(%s::t[], …)`,
    whose text stays the same whatever the number of rows; the columns), for every concrete field
    but the primary key."""
    key = (vendor(), model._meta.label)
    got = _PLANS.get(key)
    if got is not None:
        return got
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    head = "INSERT INTO {} ({}) ".format(  # identifiers only; values are parameters
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    )
    if connection.vendor == "postgresql":
        # the types without their parameters, as Django's own UNNEST inserts: varchar[], numeric[];
        # JSON comes as text (`dumps`)
        types = [f.db_type(connection).split("(")[0] for f in fields]  # type: ignore[union-attr]
        values = "SELECT * FROM UNNEST({})".format(
            ", ".join(
                f"(%b)::text[]::{t}[]" if _Column(f).json else f"(%b)::{t}[]"
                for f, t in zip(fields, types, strict=True)
            )
        )
    else:
        values = "VALUES ({})".format(", ".join(["%s"] * len(fields)))
    got = (head, values, tuple(_Column(f) for f in fields))
    _PLANS[key] = got
    return got


_JSON_PLANS: dict[tuple[str, tuple[int, ...]], str | None] = {}


def _json_plan(model: type[models.Model], texts: tuple[int, ...] = ()) -> str | None:
    """On PostgreSQL, `INSERT … SELECT` of rows given as one JSON array of arrays (one text
    parameter, encoded in C by `_rows_json`; each column cast from its element's text, a JSON
    column taken as it is, JSON null as NULL), in the order given; None without the C encoder. A
    float column's values go as JSON numbers, which read back as the same floats, but for NaN, the
    infinities and -0.0, which JSON (or jsonb's numeric) has not: a batch holding one goes as
    arrays, all of its rows (`_json_floats_ok`). A hundred rows of twenty columns cost ~2 ms of
    Python as psycopg's binary arrays (an element at a time), ~0.1 ms as JSON; the server's work is
    a little less too (a unit-year's review rows: 2.8 ms instead of 3.1). `texts`: the JSON columns
    (by their place) whose values come as their JSON text, a string element (`insert_rows`)."""
    key = (model._meta.label, texts)
    if key in _JSON_PLANS:
        return _JSON_PLANS[key]
    head, _values, cols = _plan(model)
    sql = None
    if _rows_json is not None:
        exprs = []
        for i, c in enumerate(cols):
            if c.json and i in texts:
                exprs.append(f"(r ->> {i})::jsonb")
            elif c.json:
                exprs.append(f"NULLIF(r -> {i}, 'null'::jsonb)")
            else:
                t = c.field.db_type(connection).split("(")[0]  # type: ignore[union-attr]
                exprs.append(f"(r ->> {i})::{t}")
        sql = head + "SELECT {} FROM jsonb_array_elements((%b)::jsonb) AS r".format(", ".join(exprs))
    _JSON_PLANS[key] = sql
    return sql


def _json_floats_ok(cols: tuple[_Column, ...], columns: list[list[Any]]) -> bool:
    """Whether every float value of these columns is one a JSON number carries exactly (finite, and
    not -0.0: jsonb keeps numbers as numeric, which has no negative zero)."""
    for c, values in zip(cols, columns, strict=True):
        if isinstance(c.field, models.FloatField):
            for v in values:
                if v is not None and not (math.isfinite(v) and (v or math.copysign(1.0, v) > 0)):
                    return False
    return True


def _instance_row(
    obj: models.Model, cols: tuple[_Column, ...], conn: BaseDatabaseWrapper, *, json_as_is: bool = False
) -> list[Any]:
    """An instance's values as `save` writes them: defaults, auto_now fields and foreign keys to
    instances saved after they were assigned filled in. `json_as_is`: JSON values left as they are
    (for `_rows_json`), not encoded."""
    row = []
    for c in cols:
        if c.stamp:
            value = c.field.pre_save(obj, True)
        else:
            value = getattr(obj, c.attname)
            if value is None and c.relation:
                related = getattr(obj, c.name, None)
                value = related.pk if related is not None else None
        row.append(value if json_as_is and c.json else c.db(value, conn))
    return row


def _instance_rows(
    model: type[models.Model], objs: Sequence[models.Model]
) -> tuple[str | None, list[list[Any]]]:
    """The rows of these instances (`_instance_row`) and, on PostgreSQL, the SQL inserting them as
    one JSON text (`_json_plan`) where it carries them exactly, their JSON values then left as they
    are: psycopg's binary arrays cost ~0.3 ms of Python a statement, whatever its number of rows.
    Else None and the rows as `save` writes them."""
    cols = _plan(model)[2]
    conn = connections[DEFAULT_DB_ALIAS]
    sql = _json_plan(model) if vendor() == "postgresql" else None
    rows = [_instance_row(obj, cols, conn, json_as_is=sql is not None) for obj in objs]
    if sql is None or _json_floats_ok(cols, _columns(rows)):
        return sql, rows
    # a float JSON would not carry exactly: the JSON values encoded as without `json_as_is`
    return None, [[c.db(v, conn) if c.json else v for c, v in zip(cols, row, strict=True)] for row in rows]


def _batches(rows: list[list[Any]], width: int) -> Iterable[list[list[Any]]]:
    size = max(1, SQLITE_MAX_PARAMS // max(1, width))
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _columns(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows as one list a column (the arrays `UNNEST` takes)."""
    return [list(col) for col in zip(*rows, strict=True)]


def _cursor() -> Any:
    """A cursor of the default connection through Django's wrappers (queries counted and logged as
    any other). On PostgreSQL one that binds its parameters on the server: the column arrays go in
    psycopg's binary format, written in C, instead of text that psycopg escapes in Python and the
    server parses again (Django's own cursors bind on the client). Its statements are prepared, as
    the compiled queries are and under the same conditions (`lib.compiled`): an INSERT's text is
    the same for every batch, and PostgreSQL then parses, analyses and plans it once a connection
    for each set of its parameters' types (psycopg sends integer arrays as the narrowest of
    int2/int4/int8 that holds them: a few variants a table as ids grow) instead of at every batch
    (a new document's five inserts: ~1 ms of the server's ~8)."""
    conn = connections[DEFAULT_DB_ALIAS]
    if vendor() != "postgresql":
        return conn.cursor()
    import psycopg

    from jixiao.web.lib import compiled

    conn.ensure_connection()
    if compiled.prepares(conn):
        raw = compiled.preparing_cursor(conn.connection)
    else:
        raw = psycopg.Cursor(conn.connection)
    return conn.make_debug_cursor(raw) if conn.queries_logged else conn.make_cursor(raw)


def cursor() -> Any:
    """`_cursor`, for a statement of the import path's own that is not one of these inserts (on
    PostgreSQL prepared, as they are: planned once a connection)."""
    return _cursor()


@contextmanager
def pipelined() -> Iterator[None]:
    """On PostgreSQL, the statements executed inside go to the server without waiting for each to
    complete (psycopg's pipeline mode): the server runs them while this process goes on with work
    of its own (`sent` makes sure they have left). Leaving the block waits for them all and raises
    the first error, as Django's error (an error surfaces at the latest there: the transaction,
    which the block must be inside, is then rolled back). Only for statements whose results
    nobody reads, row counts included (`insert`, `insert_values`). A plain block on SQLite."""
    if vendor() != "postgresql":
        yield
        return
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("bulk.pipelined() outside a transaction")
    conn.ensure_connection()
    with conn.wrap_database_errors, conn.connection.pipeline():
        yield


def sent() -> None:
    """Inside `pipelined`: wait until every statement queued so far has been handed to the server
    (psycopg leaves what the socket does not take at once for the next statement or the block's
    end, and the server cannot start on a statement before it has all of it)."""
    if vendor() != "postgresql":
        return
    conn = connections[DEFAULT_DB_ALIAS].connection
    if conn is None:
        return
    pgconn = conn.pgconn
    if not pgconn.pipeline_status:  # not in a pipeline: statements are sent and waited for
        return
    with selectors.DefaultSelector() as sel:  # (select.select fails on descriptors above 1023)
        sel.register(pgconn.socket, selectors.EVENT_READ | selectors.EVENT_WRITE)
        while pgconn.flush():  # 1: data left in libpq's buffer (a non-blocking socket in pipeline mode)
            ready = sel.select(1.0)
            if any(events & selectors.EVENT_READ for _key, events in ready):
                pgconn.consume_input()  # as libpq asks: take in what the server sends, so it reads on


def _write(model: type[models.Model], rows: list[list[Any]]) -> None:
    if not rows:
        return
    head, values, _cols = _plan(model)
    with _cursor() as cur:
        if vendor() == "postgresql":
            cur.execute(head + values, _columns(rows))
        else:
            cur.executemany(head + values, rows)


def _write_columns(model: type[models.Model], columns: list[list[Any]]) -> None:
    """`_write` of rows given as one list a column."""
    if not columns or not columns[0]:
        return
    head, values, _cols = _plan(model)
    with _cursor() as cur:
        if vendor() == "postgresql":
            cur.execute(head + values, columns)
        else:
            cur.executemany(head + values, zip(*columns, strict=True))


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT these new instances of `model` (their ids are not read back: `pk` stays None).
    Defaults, auto_now fields and foreign keys to saved instances are filled in as `save` does."""
    if not objs:
        return
    sql, rows = _instance_rows(model, objs)
    if sql is not None:
        _send_json(sql, rows)
        return
    _write(model, rows)


def insert_values(model: type[models.Model], values: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows of `model` given as `{attname: value}` (foreign keys by their `_id`). A column a
    row leaves out gets its field's default (None for a nullable field without one), an auto_now
    column the time now. No model instance is built."""
    if not values:
        return
    cols = _plan(model)[2]
    conn = connections[DEFAULT_DB_ALIAS]
    now = timezone.now() if any(c.stamp for c in cols) else None
    columns = []
    for c in cols:
        name = c.attname
        if c.stamp:  # one time for every row: prepared once
            columns.append([c.db(now, conn)] * len(values))
            continue
        if c.default:
            fallback = c.field.get_default()
            column = [v.get(name, fallback) for v in values]
        else:
            try:
                column = [v[name] for v in values]
            except KeyError:
                raise ValueError(f"{model._meta.label}.{name}: no value and no default") from None
        columns.append(column if c.json else c.prepared(column, conn))
    sql = _json_plan(model) if vendor() == "postgresql" else None
    if sql is not None and _json_floats_ok(cols, columns):
        assert _rows_json is not None
        with _cursor() as cur:
            cur.execute(sql, [_rows_json_texts(list(zip(*columns, strict=True)))])
        return
    _write_columns(model, [c.prepared(x, conn) if c.json else x for c, x in zip(cols, columns, strict=True)])


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_texts: Collection[str] = (),
) -> None:
    """INSERT rows of `model` given whole, one sequence a row: `names` says its columns (attnames),
    which must be every column `_plan` writes, in that order (auto_now ones too), and the values are
    as the instance's attributes hold them (foreign keys by their `_id`). What `insert_values` writes
    for the same values, without taking a hundred rows apart into dicts and columns (a document's
    indicators: `convert.indicator_values`). `json_texts`: JSON columns whose values come encoded,
    each as the text `dumps` gives for it (None for NULL): a value that recurs is encoded once."""
    if not rows:
        return
    cols = _plan(model)[2]
    texts = _given_texts(model, names, json_texts)
    sql = _json_plan(model, texts) if vendor() == "postgresql" else None
    as_json = sql is not None and _rows_floats_ok(cols, rows)
    # the values `_Column.db` prepares: the JSON ones too unless the rows go as one JSON text, or
    # given as their text
    rows = _prepared(
        cols, rows, [i for i, c in enumerate(cols) if c.prepare and not ((as_json or i in texts) and c.json)]
    )
    if not as_json:
        _write(model, rows)  # type: ignore[arg-type]
        return
    assert sql is not None
    _send_json(sql, rows)


def _send_json(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run a `_json_plan` insert of these rows (one JSON text)."""
    assert _rows_json is not None
    with _cursor() as cur:
        cur.execute(sql, [_rows_json(rows)])


def _given_texts(
    model: type[models.Model], names: Sequence[str], json_texts: Collection[str]
) -> tuple[int, ...]:
    """For `insert_rows`: the places of the `json_texts` columns, once the rows' `names` are checked."""
    if tuple(names) != _attnames(model):
        raise ValueError(f"{model._meta.label}: rows of {tuple(names)}, not of {_attnames(model)}")
    cols = _plan(model)[2]
    texts = tuple(i for i, c in enumerate(cols) if c.attname in json_texts)
    if len(texts) != len(json_texts) or any(not cols[i].json for i in texts):
        raise ValueError(f"{model._meta.label}: {tuple(json_texts)} are not all JSON columns")
    return texts


def _prepared(
    cols: tuple[_Column, ...], rows: Sequence[Sequence[Any]], places: list[int]
) -> Sequence[Sequence[Any]]:
    """`rows` with their values at `places` as `_Column.db` prepares them: copies of the rows where a
    value changes (`rows` stays), the rows themselves where none does (a finite Decimal, None: a
    document's hundred indicator rows, whose only such column is `target_number`)."""
    if not places:
        return rows
    conn = connections[DEFAULT_DB_ALIAS]
    out: list[Sequence[Any]] = list(rows)
    for r, row in enumerate(rows):
        copy = None
        for i in places:
            value = row[i]
            if value is None or (type(value) is Decimal and cols[i].decimal and value.is_finite()):
                continue  # what `_Column.db` gives back as it is
            prepared = cols[i].db(value, conn)
            if prepared is not value:
                if copy is None:
                    copy = out[r] = list(row)
                copy[i] = prepared
    return out


def _rows_floats_ok(cols: tuple[_Column, ...], rows: Sequence[Sequence[Any]]) -> bool:
    """`_json_floats_ok` of rows given whole."""
    floats = tuple(i for i, c in enumerate(cols) if isinstance(c.field, models.FloatField))
    return not floats or _json_floats_ok(
        tuple(cols[i] for i in floats), [[row[i] for row in rows] for i in floats]
    )


_ATTNAMES: dict[str, tuple[str, ...]] = {}


def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The attnames of the columns `_plan` writes, in its order."""
    label = model._meta.label
    got = _ATTNAMES.get(label)
    if got is None:
        got = _ATTNAMES[label] = tuple(c.attname for c in _plan(model)[2])
    return got


_RETURNINGS: dict[tuple[str, tuple[str, ...]], str] = {}


def _returning(model: type[models.Model], key: tuple[str, ...]) -> str:
    """` RETURNING` the primary key and the `key` columns (identifiers quoted by the backend), made
    once per model and key."""
    got = _RETURNINGS.get((model._meta.label, key))
    if got is None:
        pk = model._meta.pk
        assert pk is not None
        qn = connection.ops.quote_name
        names = [model._meta.get_field(k).column for k in key]  # type: ignore[union-attr]
        got = _RETURNINGS[(model._meta.label, key)] = " RETURNING " + ", ".join(
            qn(c) for c in [pk.column, *names]
        )
    return got


def insert_returning(
    model: type[models.Model],
    objs: Sequence[models.Model],
    key: Sequence[str],
    *,
    skip_conflicts: bool = False,
) -> None:
    """INSERT these new instances and set their primary keys from `RETURNING` (PostgreSQL, SQLite
    ≥ 3.35), matched back by `key`: attnames unique among the rows (SQLite does not promise the
    order of returned rows). One statement per batch. `skip_conflicts`: a row a unique constraint
    refuses is not written (`ON CONFLICT DO NOTHING`) and its instance keeps `pk` None."""
    if not objs:
        return
    head, values, cols = _plan(model)
    sql, rows = _instance_rows(model, objs)
    conn = connections[DEFAULT_DB_ALIAS]
    conflicts = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    returning = conflicts + _returning(model, tuple(key))
    with _cursor() as cur:
        if sql is not None:
            assert _rows_json is not None
            cur.execute(sql + returning, [_rows_json(rows)])
            got = cur.fetchall()
        elif vendor() == "postgresql":
            cur.execute(head + values + returning, _columns(rows))
            got = cur.fetchall()
        elif conn.features.can_return_rows_from_bulk_insert:  # SQLite ≥ 3.35
            got = []
            for chunk in _batches(rows, len(cols)):
                many = "VALUES " + ", ".join([values.removeprefix("VALUES ")] * len(chunk))
                cur.execute(head + many + returning, [v for row in chunk for v in row])
                got += cur.fetchall()
        else:
            got = []
            for obj, row in zip(objs, rows, strict=True):
                cur.execute(head + values + conflicts, row)
                if cur.rowcount:
                    got.append((cur.lastrowid, *(getattr(obj, k) for k in key)))
    ids = {tuple(k): pk_value for pk_value, *k in got}
    alias = conn.alias
    for obj in objs:
        obj.pk = ids.get(tuple(getattr(obj, k) for k in key))
        if obj.pk is None and not skip_conflicts:
            raise RuntimeError(f"{model._meta.label}: no id returned for a row written")
        obj._state.adding = obj.pk is None
        obj._state.db = alias
