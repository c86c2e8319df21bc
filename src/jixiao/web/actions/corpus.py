"""`jixiao corpus load`: a corpus data set (Parquet, `jixiao.corpus.dataset`) into the database in bulk.

The documents become published disclosures: units (region + code + name), unit-years, projects in
state 已公开 and their indicators, with the parsed target fields the data set already holds (nothing
is parsed again). PostgreSQL gets the projects and indicators through `COPY … FROM STDIN` (project
ids reserved from the table's sequence first); other databases through batched inserts.

Idempotent and never overwriting: a unit that exists is reused; a unit-year that exists keeps its
fields and only gains projects it does not have; a project whose unit + year + key (code, else name)
exists is left as it is, whether an earlier load or a unit's own import stored it. So a second load
of the same data set writes nothing. Each partition of the data set is one transaction; one history
record per new unit-year. Stored reviews are not computed here: the pages review a unit-year whose
stored review is missing when they first show it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.db import connection, models, transaction
from django.utils import timezone

from jixiao.corpus import dataset
from jixiao.web import convert
from jixiao.web.actions.common import Invalid
from jixiao.web.models import Disclosure, History, Indicator, Project, Role, State, SubGoal, Unit, User
from jixiao.web.permissions import Denied, role_of

__all__ = ["LoadProgress", "LoadSummary", "load_dataset"]

LOADABLE = ("ok", "warnings")


@dataclass
class LoadProgress:
    partitions_done: int
    partitions: int
    indicators: int
    elapsed: float


@dataclass
class LoadSummary:
    documents: int = 0  # documents with project tables in the data set
    units: int = 0  # units created
    unit_years: int = 0  # disclosures created
    projects: int = 0  # projects created
    indicators: int = 0  # indicators created
    projects_existing: int = 0  # projects already stored (left as they were)
    not_loaded: list[str] = field(default_factory=list)  # Chinese messages: documents not loaded, why
    seconds: float = 0.0
    backend: str = ""

    @property
    def rows(self) -> int:
        return self.units + self.unit_years + self.projects + self.indicators


def _s(v: Any, n: int | None = None) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v)
    return s[:n] if n else s


def _dec(text: Any) -> Decimal | None:
    if text is None:
        return None
    try:
        d = Decimal(str(text))
    except InvalidOperation:
        return None
    return d if d.is_finite() and abs(d) < Decimal(10) ** 12 else None


def _json_num(v: float | None) -> Any:
    if v is None or v != v:
        return None
    return int(v) if v.is_integer() and abs(v) < 1e15 else v


def _target(r: dict[str, Any]) -> dict[str, Any]:
    """The stored target JSON (TargetValue.to_dict's shape) and its queried fields, from the data set's
    columns. Where the 指标值 had no unit, base_value/base_unit carry the 度量单位 column's."""
    kind = r["target_kind"] or "text"
    if kind == "date":
        value: Any = r["target_date"]
    elif kind == "boolean":
        value = r["target_bool"]
    else:
        value = _json_num(r["target_value"])
    number = None
    if kind in ("number", "percent") and r["target_value"] is not None and abs(r["target_value"]) < 1e15:
        number = Decimal(repr(r["target_value"]))
    return {
        "target": {
            "raw": r["value"] or "",
            "kind": kind,
            "op": r["target_op"],
            "value": value,
            "high": _json_num(r["target_high"]),
            "unit": r["target_unit"],
            "base_value": _json_num(r["target_base_value"]),
            "base_unit": r["target_base_unit"],
            "approx": bool(r["target_approx"]),
        },
        "target_kind": kind,
        "target_op": r["target_op"],
        "target_number": number,
        "target_unit": _s(r["target_unit"], 50),
    }


def _indicator_fields(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": r["seq"],
        "level1": _s(r["level1"], 100),
        "level2": _s(r["level2"], 100),
        "name": _s(r["name"], 300),
        "description": r["description"],
        "value": _s(r["value"], 300),
        "basis": r["basis"],
        "nature": _s(r["nature"], 50),
        "measure_unit": _s(r["measure_unit"], 50),
        "weight": _s(r["weight"], 50),
        "location": _s(r["location"], 200),
        "level1_canonical": r["level1_canonical"],
        "level2_canonical": r["level2_canonical"],
        **_target(r),
    }


# ------------------------------------------------------------------------------- bulk writers


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _json_text(v: Any) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False)


def _column_plan(fields: list[models.Field], now: Any) -> list[tuple[str, Any, Any]]:
    """For each column: the row key, the value when the row has none (the field's default, or now
    for auto_now), and how to write the value in COPY's text format (JSON as its text; numbers,
    strings, dates and booleans as they are: PostgreSQL parses and rounds them as an INSERT would)."""
    plan = []
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            default: Any = now
        elif f.has_default():
            default = f.get_default()
        else:
            default = None
        if isinstance(f, models.JSONField):
            plan.append((f.attname, _json_text(default), _json_text))
        else:
            plan.append((f.attname, default, None))
    return plan


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    from psycopg import sql

    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT nextval(pg_get_serial_sequence({}, 'id')) FROM generate_series(1, %s)").format(
                sql.Literal(table)
            ),
            [n],
        )
        return [r[0] for r in cur.fetchall()]


def _copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """PostgreSQL COPY of dict rows (keys: field attnames; missing fields take their defaults)."""
    from psycopg import sql

    with_id = bool(rows) and "id" in rows[0]
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
    )
    plan = _column_plan(fields, timezone.now())
    with connection.cursor() as cur, cur.cursor.copy(stmt) as cp:
        for r in rows:
            cp.write_row([(conv(r[k]) if conv else r[k]) if k in r else default for k, default, conv in plan])


def _insert(
    model: type[models.Model], rows: list[dict[str, Any]], batch: int, *, ids: bool = False
) -> list[int]:
    """Insert rows; returns their ids when `ids`."""
    if not rows:
        return []
    if _is_postgres():
        out: list[int] = []
        if ids:
            out = _reserve_ids(model, len(rows))
            rows = [{"id": i, **r} for i, r in zip(out, rows, strict=True)]
        for k in range(0, len(rows), batch * 4):
            _copy(model, rows[k : k + batch * 4])
        return out
    objs = [model(**r) for r in rows]
    model.objects.bulk_create(objs, batch_size=batch)
    return [o.pk for o in objs] if ids else []


# ------------------------------------------------------------------------------------ the load


def _unit_key(region: Any, code: Any, name: Any) -> tuple[str, str, str]:
    return ((_s(region) or "")[:100], (_s(code) or "").strip()[:50], (_s(name) or "").strip()[:200])


def _units(
    keys: set[tuple[str, str, str]], summary: LoadSummary, batch: int
) -> dict[tuple[str, str, str], int]:
    names = {n for _r, _c, n in keys}
    have = {(u.region, u.code, u.name): u.pk for u in Unit.objects.filter(name__in=names)}
    missing = [Unit(region=r, code=c, name=n) for r, c, n in sorted(keys - set(have))]
    if missing:
        Unit.objects.bulk_create(missing, batch_size=batch, ignore_conflicts=True)
        summary.units += len(missing)
        have = {(u.region, u.code, u.name): u.pk for u in Unit.objects.filter(name__in=names)}
    return have


def _read_partition(part: str, out: Path, current: set[tuple[str, str]]) -> tuple[list[dict], list[dict]]:
    """The partition's loadable documents (current, parsed with or without warnings) and their projects."""
    docs = [
        d
        for d in pq.read_table(out / "documents" / part, schema=dataset.schema("documents")).to_pylist()
        if (d["sha256"], d["path"]) in current and d["status"] in LOADABLE
    ]
    keep = {(d["sha256"], d["path"]) for d in docs}
    projects = [
        p
        for p in pq.read_table(out / "projects" / part, schema=dataset.schema("projects")).to_pylist()
        if (p["sha256"], p["path"]) in keep
    ]
    return docs, projects


def _disclosure_ids(wanted: set[tuple[int, int | None]]) -> dict[tuple[int, int | None], int]:
    return {
        (x.unit_id, x.year): x.pk
        for x in Disclosure.objects.filter(unit_id__in={u for u, _y in wanted}).only("id", "unit_id", "year")
    }


def _unit_years(
    actor: User | None,
    docs: list[dict],
    by_doc: dict[tuple[str, str], tuple[int, int | None]],
    summary: LoadSummary,
    batch: int,
) -> dict[tuple[int, int | None], int]:
    """One unit-year (Disclosure) per document unit and year, with its 分项目标 and a history record;
    an existing one is reused as it is. The ids by (unit id, year)."""
    wanted = set(by_doc.values())
    disc = _disclosure_ids(wanted)
    new_docs: list[dict[str, Any]] = []
    for d in docs:
        uy = by_doc[(d["sha256"], d["path"])]
        if uy not in disc and uy not in {(n["unit_id"], n["year"]) for n in new_docs}:
            new_docs.append(
                {
                    "unit_id": uy[0],
                    "year": uy[1],
                    "source": (d["path"] or "")[:300],
                    "overall_goal": d["overall_goal"],
                    "budget_overview": _overview(d["budget_overview"]),
                    "warnings": json.loads(d["warnings"] or "[]"),
                    "_sub_goals": json.loads(d["sub_goals"] or "[]"),
                }
            )
    if not new_docs:
        return disc
    made = [Disclosure(**{k: v for k, v in n.items() if not k.startswith("_")}) for n in new_docs]
    Disclosure.objects.bulk_create(made, batch_size=batch)
    disc = _disclosure_ids(wanted)
    summary.unit_years += len(made)
    SubGoal.objects.bulk_create(
        [
            SubGoal(
                disclosure_id=disc[(n["unit_id"], n["year"])],
                seq=i,
                title=(s.get("title") or "")[:300],
                goal=s.get("goal"),
                indicators=s.get("indicators"),
            )
            for n in new_docs
            for i, s in enumerate(n["_sub_goals"], 1)
        ],
        batch_size=batch,
    )
    History.objects.bulk_create(
        [
            History(
                user=actor if actor is not None and actor.pk else None,
                username=actor.username if actor is not None else "命令行",
                action="import",
                summary=f"语料库批量载入 {n['source']}（已公开）",
                disclosure_id=disc[(n["unit_id"], n["year"])],
            )
            for n in new_docs
        ],
        batch_size=batch,
    )
    return disc


def _new_projects(
    projects: list[dict],
    punits: dict[tuple[str, str, int], int],
    by_doc: dict[tuple[str, str], tuple[int, int | None]],
    disc: dict[tuple[int, int | None], int],
    summary: LoadSummary,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
    """The project rows not stored yet (a unit + year + key already stored is left alone), and
    their (sha256, path, seq) keys in the same order."""
    existing = set(
        Project.objects.filter(unit_id__in=set(punits.values())).values_list("unit_id", "year", "key")
    )
    new_projects: list[dict[str, Any]] = []
    new_keys: list[tuple[str, str, int]] = []
    seen_in_doc: dict[tuple[str, str], set[str]] = {}
    for p in projects:
        pk = (p["sha256"], p["path"], p["seq"])
        if pk not in punits:
            continue
        dkey = (p["sha256"], p["path"])
        unit_id = punits[pk]
        year = p["year"]
        key = convert.project_key(p["code"], p["name"], p["title"], p["seq"])
        seen = seen_in_doc.setdefault(dkey, set())
        base, n = key, 2
        while key in seen:
            key = f"{base}#{n}"
            n += 1
        seen.add(key)
        if (unit_id, year, key) in existing:
            summary.projects_existing += 1
            continue
        existing.add((unit_id, year, key))
        new_projects.append(
            {
                "disclosure_id": disc[by_doc[dkey]],
                "unit_id": unit_id,
                "year": year,
                "key": key,
                "seq": p["seq"],
                "title": _s(p["title"], 300),
                "name": _s(p["name"], 300),
                "code": _s(p["code"], 60),
                "budget_total": _dec(p["budget_total"]),
                "budget_fiscal": _dec(p["budget_fiscal"]),
                "budget_other": _dec(p["budget_other"]),
                "purpose": p["purpose"],
                "spending_plan": json.loads(p["spending_plan"]) if p["spending_plan"] else None,
                "goal": p["goal"],
                "state": State.PUBLISHED,
            }
        )
        new_keys.append(pk)
    return new_projects, new_keys


def _load_partition(
    actor: User | None, part: str, out: Path, current: set[tuple[str, str]], summary: LoadSummary, batch: int
) -> None:
    """Load one partition of the data set in one transaction: units, unit-years, projects, indicators."""
    docs, projects = _read_partition(part, out, current)
    if not docs:
        return
    docs_ok = []
    for d in docs:
        if not (d["unit_name"] or "").strip():
            summary.not_loaded.append(f"{d['path']}: 文件中没有写明预算单位名称，未载入。")
        else:
            docs_ok.append(d)
    summary.documents += len(docs)
    keys = {_unit_key(d["region"], d["unit_code"], d["unit_name"]) for d in docs_ok}
    for p in projects:
        if (p["unit_name"] or "").strip():
            keys.add(_unit_key(p["unit_region"], p["unit_code"], p["unit_name"]))
    with transaction.atomic():
        units = _units(keys, summary, batch)
        by_doc = {
            (d["sha256"], d["path"]): (
                units[_unit_key(d["region"], d["unit_code"], d["unit_name"])],
                d["year"],
            )
            for d in docs_ok
        }
        disc = _unit_years(actor, docs_ok, by_doc, summary, batch)
        # a project table naming its own unit belongs to that unit, else to the document's
        punits: dict[tuple[str, str, int], int] = {}
        for p in projects:
            dkey = (p["sha256"], p["path"])
            if dkey not in by_doc:
                continue
            named = (p["unit_name"] or "").strip()
            punits[(p["sha256"], p["path"], p["seq"])] = (
                units[_unit_key(p["unit_region"], p["unit_code"], p["unit_name"])]
                if named
                else by_doc[dkey][0]
            )
        new_projects, new_keys = _new_projects(projects, punits, by_doc, disc, summary)
        if not new_projects:
            return
        ids = _insert(Project, new_projects, batch, ids=True)
        if not all(ids):  # a backend that does not return ids from bulk inserts
            got = {
                (x.unit_id, x.year, x.key): x.pk
                for x in Project.objects.filter(unit_id__in={p["unit_id"] for p in new_projects})
            }
            ids = [got[(p["unit_id"], p["year"], p["key"])] for p in new_projects]
        project_id = dict(zip(new_keys, ids, strict=True))
        summary.projects += len(new_projects)
        rows: list[dict[str, Any]] = []
        for r in pq.read_table(out / "indicators" / part, schema=dataset.schema("indicators")).to_pylist():
            pid = project_id.get((r["sha256"], r["path"], r["project_seq"]))
            if pid is not None:
                rows.append({"project_id": pid, **_indicator_fields(r)})
        _insert(Indicator, rows, batch)
        summary.indicators += len(rows)


def _overview(text: str | None) -> Any:
    return json.loads(text) if text else None


def load_dataset(
    actor: User | None,
    out: str | Path,
    *,
    batch: int = 5000,
    progress: Callable[[LoadProgress], None] | None = None,
) -> LoadSummary:
    """Load the corpus data set `out` into the database (administrators and the command line)."""
    if role_of(actor) != Role.ADMIN:
        raise Denied("只有管理员可以载入语料库。")
    out = Path(out)
    if not (out / "documents").is_dir():
        raise Invalid(f"{out}: 不是语料库数据集（没有 documents 目录）；请先运行 jixiao corpus import。")
    start = time.perf_counter()
    summary = LoadSummary(backend=connection.vendor)
    cur = dataset.current_documents(out, ["sha256", "path"]).to_pydict()
    current = set(zip(cur["sha256"], cur["path"], strict=True))
    parts = [p.name for p in dataset.partitions(out)]
    for i, part in enumerate(parts, 1):
        _load_partition(actor, part, out, current, summary, batch)
        if progress is not None:
            progress(LoadProgress(i, len(parts), summary.indicators, time.perf_counter() - start))
    summary.seconds = time.perf_counter() - start
    return summary
