"""Lean bulk inserts for the import path: `insert` writes model instances whose ids nobody needs
back (indicators, review rows, history) with one `executemany`, preparing only the values Django
must convert (JSON, decimals, dates; the rest go as they are). `QuerySet.bulk_create` spends ~20 µs
a value in its compiler; a document's hundred indicators made it most of an import's time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


_PLANS: dict[tuple[str, str], tuple[str, tuple[tuple[str, Any, bool, bool], ...]]] = {}


def _plan(model: type[models.Model]) -> tuple[str, tuple[tuple[str, Any, bool, bool], ...]]:
    """The INSERT statement (identifiers quoted by the backend, values as placeholders) and, per
    column: attribute name, field, whether its value needs Django's preparation, whether it is set
    on insert (auto_now / auto_now_add)."""
    key = (connection.vendor, model._meta.label)
    got = _PLANS.get(key)
    if got is not None:
        return got
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # identifiers only; values are parameters
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    cols = tuple(
        (
            f.attname,
            f,
            f.is_relation is False and not isinstance(f, _PLAIN),
            bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
        )
        for f in fields
    )
    _PLANS[key] = (sql, cols)
    return sql, cols


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT these new instances of `model` (their ids are not read back: `pk` stays None).
    Defaults, auto_now fields and foreign keys to saved instances are filled in as `save` does."""
    if not objs:
        return
    sql, cols = _plan(model)
    rows = []
    for obj in objs:
        row = []
        for attname, f, prepare, auto in cols:
            if auto:
                value = f.pre_save(obj, True)
            else:
                value = getattr(obj, attname)
                if value is None and f.is_relation:
                    related = getattr(obj, f.name, None)  # an instance saved after it was assigned
                    value = related.pk if related is not None else None
            if prepare and value is not None:
                value = f.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    with connection.cursor() as cur:
        cur.executemany(sql, rows)
