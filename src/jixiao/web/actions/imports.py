"""Importing disclosures (导入): checked against what the user may write, all or nothing, keeping the
identity of projects and indicators on re-import; bulk loading for the corpus."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from jixiao import model as m
from jixiao.web import bulk, convert
from jixiao.web.actions.common import (
    Conflict,
    Invalid,
    actor_name,
    jsonable,
)
from jixiao.web.actions.projects import describe_changes
from jixiao.web.lib import reviews
from jixiao.web.lib.compiled import CompiledQuery, attnames
from jixiao.web.models import (
    Disclosure,
    History,
    Indicator,
    Project,
    ReviewResult,
    Role,
    State,
    SubGoal,
    Unit,
    User,
)
from jixiao.web.permissions import (
    Denied,
    can_import_into,
    role_of,
)


@dataclass
class ImportResult:
    disclosure_id: int
    unit: str
    year: int | None
    created: int = 0
    updated: int = 0
    indicators: int = 0
    warnings: list[str] = field(default_factory=list)
    # what the stored unit-year held and the document does not (dropped projects are kept, dropped
    # indicators of a kept project are removed): one Chinese line each
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0  # of `updated`: projects the document left exactly as stored

    @property
    def projects(self) -> int:
        return self.created + self.updated


NO_TARGET_TABLE = "未找到绩效目标表"


def check_importable(doc: m.Disclosure, year: int | None) -> None:
    """Refuse, before anything is written, a document that holds nothing to store (a letter, a list
    of contacts, an unrelated page: no project table and no 部门整体绩效目标) or whose budget year
    nobody gave."""
    has_goal = bool((doc.overall_goal or "").strip()) or any(
        (s.goal or s.indicators or "").strip() for s in doc.sub_goals
    )
    if not doc.projects and not has_goal:
        raise Invalid(
            f"{doc.source}: {NO_TARGET_TABLE}（文件中没有项目绩效目标表，也没有部门整体绩效目标），未导入。",
            {"file": NO_TARGET_TABLE},
        )
    if year is None:
        raise Invalid(
            f"{doc.source}: 文件未写明预算年度，未导入；"
            "请指定年度（上传页的“年度”、API 的 year 或 --year）。",
            {"year": "未指定年度"},
        )
    if not m.is_budget_year(year):
        raise Invalid(
            f"{doc.source}: 预算年度 {year} 超出范围（{m.BUDGET_YEAR_RULE}），未导入。",
            {"year": m.BUDGET_YEAR_RULE},
        )


def _writable_units(actor: User | None) -> Any:
    r = role_of(actor)
    if r == Role.ADMIN:
        return Unit.objects.all()
    if r == Role.UNIT:
        return Unit.objects.filter(members=actor)
    return Unit.objects.none()


def get_or_create_unit(region: str, code: str, name: str) -> Unit:
    """The unit with this identity, created when there is none (administrators' imports only). Safe
    when several imports create the same new unit at once: the unique key decides, the losers read
    the winner's row (their insert waited for its transaction to commit)."""
    key = _unit_key(region, code, name)
    found = Unit.objects.filter(**key).first()
    return found if found is not None else _create_unit(key)


def _unit_key(region: str, code: str, name: str) -> dict[str, str]:
    return {"region": (region or "")[:100], "code": (code or "")[:50], "name": (name or "")[:200]}


def _create_unit(key: dict[str, str], created: set[int] | None = None) -> Unit:
    """`get_or_create_unit` for a unit just looked for and not found: one statement that skips
    the row when another import has created the unit since (its insert waited for that import's
    transaction to commit), and then the winner's row is read. `created` gets the id of a unit this
    statement wrote."""
    unit = Unit(**key)
    bulk.insert_returning(Unit, [unit], key=("region", "code", "name"), skip_conflicts=True)
    if unit.pk is None:
        return Unit.objects.get(**key)
    if created is not None:
        created.add(unit.pk)
    return unit


def _units_where(column: str, value: str) -> list[Unit]:
    """`list(Unit.objects.filter(**{column: value}))` (column: code or name), in the model's order,
    compiled once: the ORM builds and compiles that query anew each time, which costs more than the
    database takes to answer it (an import of a new unit's document asks once or twice)."""
    return _UNITS_BY[column].instances(value)


_UNITS_BY = {
    column: CompiledQuery(
        lambda value, column=column: Unit.objects.filter(**{column: value}).values_list(*attnames(Unit)),
        Unit,
        texts=(0,),
    )
    for column in ("code", "name")
}


def _units_or_new(column: str, key: dict[str, str]) -> tuple[list[Unit], Unit | None]:
    """On PostgreSQL, `_units_where(column, key[column])` and, when it finds none, the unit `key`
    inserted by the same statement (`_create_unit`'s insert: skipped when another import has
    created that unit since, whose transaction it waited for): (the units found, the unit created
    or None). One statement instead of two for a unit new to the database."""
    sql = _UNITS_OR_NEW.get(column)
    if sql is None:
        qn = connection.ops.quote_name
        table = qn(Unit._meta.db_table)
        names = attnames(Unit)
        columns = ", ".join(qn(Unit._meta.get_field(n).column) for n in names)
        given = ", ".join(qn(Unit._meta.get_field(n).column) for n in ("region", "code", "name"))
        order = ", ".join(qn(Unit._meta.get_field(n).column) for n in Unit._meta.ordering)  # type: ignore[arg-type]
        # identifiers only; values are parameters. Found ones in the model's order, as `_units_where`
        sql = _UNITS_OR_NEW[column] = (
            f"WITH found AS (SELECT {columns} FROM {table} WHERE {qn(column)} = %s), "
            f"made AS (INSERT INTO {table} ({given}) SELECT %s, %s, %s WHERE NOT EXISTS (SELECT FROM found) "
            f"ON CONFLICT DO NOTHING RETURNING {columns}) "
            f"SELECT 0 AS new, {columns} FROM found UNION ALL SELECT 1, {columns} FROM made "
            f"ORDER BY 1, {order}"
        )
    with bulk.cursor() as cur:  # prepared: PostgreSQL plans it once a connection
        cur.execute(sql, [key[column], key["region"], key["code"], key["name"]])
        got = cur.fetchall()
    names, alias = attnames(Unit), connection.alias
    found = [Unit.from_db(alias, names, row[1:]) for row in got if not row[0]]
    made = [Unit.from_db(alias, names, row[1:]) for row in got if row[0]]
    return found, made[0] if made else None


_UNITS_OR_NEW: dict[str, str] = {}


def _admin_units(
    column: str, key: dict[str, str], created: set[int] | None
) -> tuple[list[Unit], Unit | None]:
    """For an administrator's import: the units of `key[column]` (`_units_where`) and the unit `key`
    among them, or on PostgreSQL the unit `key` created by the same statement when there are none
    (`_units_or_new`: its id added to `created`); None when neither."""
    if bulk.vendor() == "postgresql":
        candidates, made = _units_or_new(column, key)
        if made is not None:
            if created is not None:
                created.add(made.pk)
            return [], made
    else:
        candidates = _units_where(column, key[column])
    ident = (key["region"], key["code"], key["name"])
    return candidates, next((u for u in candidates if (u.region, u.code, u.name) == ident), None)


def _named_unit(
    actor: User | None, region: str, code: str, name: str, where: str, created: set[int] | None = None
) -> Unit:
    """The unit a document or one of its tables names, among the units the actor may write; for an
    administrator a unit nobody has yet is created (its id added to `created`). A unit user is told
    the same thing whether or not another unit of that name exists."""
    from jixiao.web.lib.units import describe_named, listing, unit_fits

    admin = role_of(actor) == Role.ADMIN
    key = _unit_key(region, code, name)
    if admin:
        # one query: the units of that code (else of that name), the exact one among them
        candidates, exact = _admin_units("code" if code else "name", key, created)
        if exact is not None:
            return exact
    else:
        candidates = list(_writable_units(actor))
    fits = [u for u in candidates if unit_fits(u, region=region, code=code, name=name)]
    if len(fits) == 1:
        return fits[0]
    if fits:
        raise Invalid(
            f"{where}写明的单位{describe_named(region, code, name)}符合多个单位：{listing(fits)}；"
            "未导入。请在导入时选择单位（单位编号）。",
            {"unit": "单位不唯一"},
        )
    if admin:
        return _create_unit(key, created)
    raise Denied(
        f"{where}写明的单位{describe_named(region, code, name)}不在您可导入的单位中；未导入任何数据"
        "（只有管理员可以新建单位）。"
    )


def _for_caller(actor: User | None, *, cli: str, web: str) -> str:
    """What to do, in the words of where the import came from: the command line (it imports with
    no user, `role_of(None)`) has options, the upload page and the API have the page's fields."""
    return cli if actor is None else web


def _resolve_unit(
    actor: User | None,
    doc: m.Disclosure,
    unit: Unit | None,
    unit_code: str | None,
    region: str,
    confirm_unit: bool,
    created: set[int] | None = None,
) -> Unit:
    """The unit the document is filed under: the chosen one (`unit`, or the one `unit_code` names as `jixiao
    import --unit` gives it), which the document must name unless an administrator confirms; else
    the unit the document names (created when new: its id added to `created`)."""
    from jixiao.web.lib.units import UnitSpecError, describe_named, find_units, resolve_unit, unit_fits

    name = (doc.unit_name or "").strip()
    code = (doc.unit_code or "").strip()
    if unit is None and unit_code:
        found = find_units(unit_code)
        if len(found) > 1:  # the document's own name may pick one of the units sharing the code
            found = [u for u in found if unit_fits(u, region=region, name=name)] or found
        if len(found) > 1:
            try:
                resolve_unit(unit_code)
            except UnitSpecError as e:
                raise Invalid(e.message, {"unit": unit_code}) from None
        if len(found) == 1:
            unit = found[0]
        elif any(c in unit_code for c in ":："):
            raise Invalid(f"没有单位 {unit_code}。", {"unit": unit_code})
        else:
            code = unit_code.strip()  # the code of a unit the document names, new to the database
    if unit is not None:
        if not can_import_into(actor, unit):
            raise Denied(f"您不能向单位“{unit.name}”导入数据。")
        other = (name and not unit_fits(unit, region=region, code=code, name=name)) or (
            not name and code and unit.code and code != unit.code
        )
        if other and not (confirm_unit and role_of(actor) in (Role.ADMIN, Role.REVIEWER)):
            where = "，".join(x for x in (unit.code, unit.region) if x)
            may_confirm = role_of(actor) in (Role.ADMIN, Role.REVIEWER)
            raise Invalid(
                f"{doc.source}: 文件写明的单位是{describe_named(region, code, name)}，"
                f"不是所选单位“{unit.name}”"
                + (f"（{where}）" if where else "")
                + "；未导入。"
                + (
                    "如确属所选单位，"
                    + _for_caller(
                        actor,
                        cli="请加 --confirm-unit 选项重新导入。",
                        web="请勾选“确认按所选单位导入”后重新上传（API：confirm_unit=true）。",
                    )
                    if may_confirm
                    else "请上传本单位的文件。"
                ),
                {"unit": "文件所写单位与所选单位不同"},
            )
        return unit
    if not name:
        raise Invalid(
            f"{doc.source}: 文件中没有写明预算单位名称，"
            + _for_caller(actor, cli="请用 --unit 编码 指定单位。", web="请在上传页的“单位”中指定单位。"),
            {"unit": "未指定单位"},
        )
    return _named_unit(actor, region, code, name, f"{doc.source}: 文件", created)


def _table_unit(
    actor: User | None,
    doc_unit: Unit,
    p: m.Project,
    doc: m.Disclosure,
    region: str,
    named: dict[tuple[str, str, str], Unit] | None = None,
    created: set[int] | None = None,
) -> Unit:
    """The unit a project table is filed under: the one its own table names (a subordinate's table
    inside a bureau's disclosure), which the actor must be able to write, else the document's.
    `named`: the units earlier tables of the document named, looked up once; `created` gets the ids
    of units created."""
    from jixiao.web.lib.units import same_name, unit_fits

    code = (p.unit_code or "").strip()
    name = (p.unit_name or "").strip()
    if not name and not code:
        return doc_unit
    if name and unit_fits(doc_unit, code=code, name=name):
        return doc_unit
    doc_code = (doc.unit_code or "").strip()
    if same_name(name or doc.unit_name, doc.unit_name) and (not code or code == doc_code):
        return doc_unit  # the document's own unit line, filed under the unit chosen for it
    where = f"{doc.source}: 第 {p.seq} 个项目表「{p.name or p.title or ''}」" + (
        f"（{p.location.zh()}）" if p.location else ""
    )
    if not name:
        raise Invalid(
            f"{where}只写明了单位编码 {code}，没有单位名称，无法确定单位；未导入任何数据。",
            {"unit": code},
        )
    ident = ((p.region or region or "")[:100], code, name)
    if named is not None and ident in named:
        return named[ident]
    found = _named_unit(actor, *ident, where, created)
    if named is not None:
        named[ident] = found
    return found


def _match_project(candidates: list[Project], p: m.Project, taken: set[int]) -> Project | None:
    """The stored project of the unit-year that a document's table is: same key, else same code,
    else the one project of the same name (not one with another code)."""
    from jixiao.web.lib.units import same_name

    free = [c for c in candidates if c.pk not in taken]
    key = convert.project_key(p.code, p.name, p.title, p.seq)
    for c in free:
        if c.key == key:
            return c
    code = (p.code or "").strip()[:60]
    if code:
        hits = [c for c in free if (c.code or "").strip() == code]
        if len(hits) == 1:
            return hits[0]
    label = (p.name or p.title or "").strip()
    if label:
        hits = [
            c
            for c in free
            if same_name(c.name or c.title, label) and not (code and c.code and c.code.strip() != code)
        ]
        if len(hits) > 1:
            hits = [c for c in hits if c.seq == p.seq] or hits[:1]
        if hits:
            return hits[0]
    return None


@lru_cache(maxsize=65536)
def _indicator_key(level1: str | None, level2: str | None, name: str | None) -> tuple[str, str, str]:
    """(一级, 二级, 三级指标) as a re-import matches them (`units.squash`), memoised: a re-import
    compares every stored and new indicator, and the labels recur."""
    from jixiao.web.lib.units import squash

    return (squash(level1), squash(level2), squash(name))


INDICATOR_CONTENT = convert.INDICATOR_COLUMNS[1:]
"""What an import compares and writes of an indicator row: what the domain Indicator holds."""


def _same(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return old is not None and new is not None and Decimal(old) == Decimal(new)
        except (InvalidOperation, TypeError):
            return False
    return old == new


class _Stored(NamedTuple):
    """A stored indicator row as an import reads it (no model instance: `STORED_INDICATOR`)."""

    id: int
    project_id: int
    seq: int
    location: str | None
    level1: str | None
    level2: str | None
    name: str | None
    description: str | None
    value: str | None
    basis: str | None
    nature: str | None
    measure_unit: str | None
    weight: str | None

    def domain(self) -> m.Indicator:
        """The domain indicator the review reads for the row (`convert.domain_indicators`)."""
        return m.Indicator(*self[4:])


STORED_INDICATOR = ("id", "project_id", "seq", "location", *INDICATOR_CONTENT)


@dataclass
class _Update:
    """A stored indicator row matched by one of the document's, `ind`, the `seq`-th of its table:
    `values` its new values (`convert.indicator_values`, `target_text`), `changed` when its content
    or place differs."""

    row: _Stored
    seq: int
    ind: m.Indicator
    values: tuple[Any, ...]
    changed: bool

    @property
    def written(self) -> bool:
        """Whether a changed project's import writes the row (a new location alone too)."""
        return self.changed or self.row.location != self.values[_LOCATION]

    def data(self, year: int | None) -> dict[str, Any]:
        """Its new values as `{attname: value}`, with `seq` (what `bulk_update` writes of a row
        written: built for those alone, a re-import leaves most rows as they are)."""
        return {"seq": self.seq, **convert.indicator_fields(self.ind, year)}


@dataclass
class _IndicatorPlan:
    update: list[_Update]
    create: list[tuple[Any, ...]]  # the new rows (`INDICATOR_ROW`: `_insert_indicators`)
    delete: list[_Stored]

    @property
    def changed(self) -> bool:
        return bool(self.create or self.delete or any(u.changed for u in self.update))

    def rows_after(self) -> list[m.Indicator]:
        """The project's indicators once the plan is written (rows written with their new values,
        the others as stored), in order, as the review reads them."""
        after = [(u.seq, _read_row(u.values) if u.written else u.row.domain()) for u in self.update]
        after += [(v[1], _read_row(v, 2)) for v in self.create]
        after.sort(key=lambda t: t[0])
        return [ind for _, ind in after]


def _plan_indicators(
    proj: Project, stored: list[_Stored], new: list[m.Indicator], year: int | None
) -> _IndicatorPlan:
    """Match the document's indicators with the stored ones (`stored`: the project's rows in (seq,
    id) order) by (一级, 二级, 三级指标), in order for repeated names: matched rows are updated in
    place (their ids, which monitoring and self-evaluation entries point at, stay), new ones
    created, the rest deleted."""
    pool: dict[tuple[str, str, str], list[_Stored]] = {}
    for ind in stored:
        pool.setdefault(_indicator_key(ind.level1, ind.level2, ind.name), []).append(ind)
    plan = _IndicatorPlan([], [], [])
    for seq, new_ind in enumerate(new, 1):
        values = convert.indicator_values(new_ind, year, target_text=True)
        rows = pool.get(_indicator_key(values[0], values[1], values[2]))
        if rows:
            row = rows.pop(0)
            old, now = row[4:], values[:_READ]
            changed = row.seq != seq or (
                old != now and any(not _same(a, b) for a, b in zip(old, now, strict=True))
            )
            plan.update.append(_Update(row, seq, new_ind, values, changed))
        else:
            plan.create.append((proj.pk, seq, *values))
    plan.delete = [i for rows in pool.values() for i in rows]
    return plan


INDICATOR_ROW = ("project_id", "seq", *convert.INDICATOR_FIELDS)
"""An indicator row as `bulk.insert_rows` takes it: its project and seq, then
`convert.indicator_values` (what the domain Indicator holds comes first there: `_read_row`)."""
_READ = len(INDICATOR_CONTENT)
assert convert.INDICATOR_FIELDS[:_READ] == INDICATOR_CONTENT


def _read_row(values: tuple[Any, ...], start: int = 0) -> m.Indicator:
    """The domain indicator the review reads for a row written from `convert.indicator_values`
    (from `start` on in `values`; see `reviews.read_back`)."""
    return m.Indicator(*values[start : start + _READ])


_LOCATION = convert.INDICATOR_FIELDS.index("location")


def _insert_indicators(rows: list[tuple[Any, ...]]) -> None:
    """INSERT indicator rows (`INDICATOR_ROW`, from `convert.indicator_values` with `target_text`)."""
    bulk.insert_rows(Indicator, INDICATOR_ROW, rows, json_texts=("target",))


def _with_cycle_data(project_ids: list[int]) -> set[int]:
    """Those of these projects with monitoring or self-evaluation entries (two queries)."""
    from jixiao.web.models import MonitoringSnapshot, SelfEvaluation

    if not project_ids:
        return set()
    return set(
        MonitoringSnapshot.objects.filter(project_id__in=project_ids).values_list("project_id", flat=True)
    ) | set(SelfEvaluation.objects.filter(project_id__in=project_ids).values_list("project_id", flat=True))


def import_disclosure(
    actor: User | None,
    doc: m.Disclosure,
    *,
    unit: Unit | None = None,
    unit_code: str | None = None,
    year: int | None = None,
    region: str = "",
    confirm_unit: bool = False,
    published: bool | None = None,
) -> ImportResult:
    """Store a parsed Disclosure: create its unit-year and projects, or update them in place when it
    was imported before. All or nothing.

    The document is filed under `unit` (or the unit `unit_code` names, `jixiao import --unit`),
    which the document must name unless an administrator passes `confirm_unit`; without one, under
    the unit it names. Each project table naming another unit goes to that unit. Every unit must be
    one the actor may write (administrators may also create units); otherwise nothing is written and
    the refusal says which table. Projects are matched by code, else name, within the unit-year;
    indicators by (level1, level2, name), updated in place so that monitoring and self-evaluation
    entries stay attached. Stored projects the document does not have are kept, and listed in
    `dropped` with the indicators it removed.

    State: a published disclosure imported by an administrator or reviewer (the command line
    included) records its projects as published (已公开), new ones and matched ones alike; a unit
    user's import is a draft (草稿) and never changes a stored project's state. `published=False`
    lets an administrator import a unit's draft tables as drafts.
    """
    year = year or doc.year
    # the division the project codes name (GB/T 2260) tells apart units that share code and name
    region = (region or getattr(doc, "region", None) or "").strip()[:100]
    if role_of(actor) not in (Role.ADMIN, Role.UNIT):
        raise Denied("您的角色不能导入数据。")
    check_importable(doc, year)
    args = (actor, doc, unit, unit_code, year, region, confirm_unit, publishes(actor, published))
    try:
        try:
            with transaction.atomic():
                return _import(*args)
        except _Sequential:  # the review failed to store: done again, the review in a savepoint
            with transaction.atomic():
                return _import(*args, guarded=True)
    except IntegrityError:
        logging.getLogger(__name__).warning("import of %s lost a race", doc.source, exc_info=True)
        raise Conflict(
            f"{doc.source}: 另一个导入同时写入了同一单位年度，本次导入未生效；请重新导入。"
        ) from None


def publishes(actor: User | None, published: bool | None = None) -> bool:
    """Whether an import by `actor` records its projects as published: administrators' and reviewers'
    imports of published disclosures do (unless `published` is False); unit users' never do."""
    if role_of(actor) not in (Role.ADMIN, Role.REVIEWER):
        return False
    return published is not False


class _Sequential(Exception):
    """Storing the review without a savepoint met an error (`_Review.store`; `_bulk_load` with the
    reviews stored as they are computed: a rule failing, the database refusing a row): the import
    is rolled back and done again with the review stored in a savepoint, where a failure leaves
    the import stored without it."""


@dataclass
class _Table:
    """What an import does with one table of the document: a new project (`proj` not yet written,
    `values` its indicators' values, in order), or a stored one matched (`changes` None when the table leaves
    it as it is, `plan` its indicators' plan)."""

    p: m.Project
    proj: Project
    new: bool
    values: list[tuple[Any, ...]] = field(default_factory=list)  # `convert.indicator_values`, `target_text`
    changes: list[dict[str, Any]] | None = None
    plan: _IndicatorPlan | None = None


@dataclass
class _Writes:
    """What an import writes, gathered first and written in a fixed number of bulk statements."""

    tables: list[_Table] = field(default_factory=list)  # in the document's order
    new_indicators: list[tuple[Any, ...]] = field(default_factory=list)  # of stored projects
    projects: list[Project] = field(default_factory=list)  # updated
    indicators: list[Indicator] = field(default_factory=list)  # updated (all fields)
    locations: list[Indicator] = field(default_factory=list)  # only `location` updated
    deleted: list[_Stored] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # `_history`
    # id(project) → its indicators once written, as the review reads them
    rows: dict[int, list[m.Indicator]] = field(default_factory=dict)
    project_fields: list[str] = field(default_factory=list)  # those `bulk_update` writes
    indicator_fields: list[str] = field(default_factory=list)

    @property
    def new_projects(self) -> list[Project]:
        return [t.proj for t in self.tables if t.new]


@dataclass
class _Job:
    """One document's import: who imports what where, what the unit-year held, what it reports."""

    actor: User | None
    doc: m.Disclosure
    year: int | None
    publish: bool
    unit: Unit  # the unit the document is filed under
    disclosure: Disclosure
    made: bool  # the unit-year is new
    result: ImportResult
    # unit id → its stored projects of the year (the tables' units), new ones added as planned
    stored: dict[int, list[Project]] = field(default_factory=dict)
    here_before: list[Project] = field(default_factory=list)  # what the unit-year's document held
    writes: _Writes = field(default_factory=_Writes)
    touched: set[int] = field(default_factory=set)  # unit-years whose projects change
    now: Any = field(default_factory=timezone.now)  # the update time of the projects it changes
    new_unit: bool = False  # the unit the document is filed under was created by this import
    before: tuple[Any, str] | None = None  # a stored unit-year's import time and source before


def _history(
    actor: User | None,
    summary: str,
    *,
    project: Project | None = None,
    disclosure: Disclosure | None = None,
    changes: Any = None,
) -> dict[str, Any]:
    """`record_history` of an import as the values of its row (no instance: `bulk.insert_values`),
    written with the others in one statement; the project or unit-year already has its id."""
    return {
        "user_id": actor.pk if actor is not None and actor.pk else None,
        "username": actor_name(actor),
        "action": "import",
        "summary": summary,
        "changes": changes,
        "project_id": project.pk if project is not None else None,
        "disclosure_id": disclosure.pk if disclosure is not None else None,
    }


def _import(
    actor: User | None,
    doc: m.Disclosure,
    unit: Unit | None,
    unit_code: str | None,
    year: int | None,
    region: str,
    confirm_unit: bool,
    publish: bool = False,
    *,
    guarded: bool = False,
) -> ImportResult:
    """Read what is stored in a fixed number of queries, decide every write in memory, write them in
    bulk and review the unit-year from memory: a dozen queries or so whatever the document's size.
    `guarded`: the review stored in a savepoint of its own (see `_Review.store`)."""
    job, table_units = _open(actor, doc, unit, unit_code, year, region, confirm_unit, publish)
    matched = _match_tables(job, table_units)
    taken = {x.pk for x in matched if x is not None}
    kept = [proj for proj in job.here_before if proj.pk not in taken]
    rows_of = _stored_rows([*(x for x in matched if x is not None), *kept])
    for p, punit, proj in zip(doc.projects, table_units, matched, strict=True):
        if proj is None:
            _plan_new(job, p, punit)
        else:
            _plan_matched(job, p, punit, proj, rows_of[proj.pk])
    _insert_new_projects(job.writes.tables)
    _report_tables(job)
    _report_kept(job, kept, rows_of)
    _guard_unit_year(job, doc)
    _write(job.writes)
    subs, new_subs = _store_unit_year(job.disclosure, doc, job.made, job.result)
    _report_unit_year(job)
    projects = [*kept, *(x for x in matched if x is not None), *job.writes.new_projects]
    review = _Review(job, subs, projects, guarded)
    # the new rows go to the server without waiting for it (PostgreSQL): it writes them, and their
    # search indexes, while the review is computed here; the block ends when they are written
    try:
        with bulk.pipelined():
            _insert_indicators(_new_rows(job.writes))
            bulk.insert_values(SubGoal, new_subs)
            bulk.insert_values(History, job.writes.history)
            _check_constraints_now()
            bulk.sent()
            review.compute()
            review.send()
    except DatabaseError as e:
        if review.sent:  # the document's rows or the review's: the import done again says which
            raise _Sequential from e
        raise
    review.store()
    return job.result


def _check_constraints_now() -> None:
    """On PostgreSQL, inside `bulk.pipelined`: the foreign keys of the rows written so far checked
    when the server comes to this (SET CONSTRAINTS ALL IMMEDIATE, then DEFERRED again: Django's
    `check_constraints`, as its loaddata does) rather than at the commit, where this process waits
    for them: the server checks them while the review is computed. The same checks; a violation
    fails the import as it would at the commit."""
    if bulk.vendor() == "postgresql":
        connection.check_constraints()


def _open(
    actor: User | None,
    doc: m.Disclosure,
    unit: Unit | None,
    unit_code: str | None,
    year: int | None,
    region: str,
    confirm_unit: bool,
    publish: bool,
) -> tuple[_Job, list[Unit]]:
    """The units the document and its tables go to (locked against concurrent imports), its
    unit-year (created when new) and what those hold for the year; the tables' units. Units this
    import creates hold nothing yet and nobody else sees them before it commits (another import
    creating the same unit waits on its unique key): they are neither locked nor read."""
    created: set[int] = set()
    target_unit = _resolve_unit(actor, doc, unit, unit_code, region, confirm_unit, created)
    if not can_import_into(actor, target_unit):
        raise Denied(f"您不能向单位“{target_unit.name}”导入数据。")
    named: dict[tuple[str, str, str], Unit] = {}
    punits = [_table_unit(actor, target_unit, p, doc, region, named, created) for p in doc.projects]
    unit_ids = sorted({target_unit.pk, *(u.pk for u in punits)})
    old = [pk for pk in unit_ids if pk not in created]
    if old:
        # imports into the same units wait for each other here (PostgreSQL; SQLite writes one at a time)
        _UNITS_LOCKED.rows(*_padded(old))
    disclosure = None
    if target_unit.pk not in created:
        # locked too: an import whose tables move projects out of this unit-year reviews it again,
        # and waits here for this one (see `_Review.store`)
        found = _UNIT_YEAR_LOCKED.instances(target_unit.pk, year)
        disclosure = found[0] if found else None
    made = disclosure is None
    result = ImportResult(0, str(target_unit), year, warnings=[str(w) for w in doc.warnings])
    if disclosure is None:
        disclosure = Disclosure(unit=target_unit, year=year)
        _unit_year_fields(disclosure, doc, True, result)
        bulk.insert_returning(Disclosure, [disclosure], key=("unit_id", "year"))
    result.disclosure_id = disclosure.pk
    job = _Job(actor, doc, year, publish, target_unit, disclosure, made, result, touched={disclosure.pk})
    job.new_unit = target_unit.pk in created
    if not made:
        job.before = (disclosure.imported_at, disclosure.source)
    _read_stored_projects(job, unit_ids, old)
    return job, punits


# What an import reads, compiled to SQL once per shape (`CompiledQuery`: the ORM would build and
# compile each query anew, which costs more than the database takes to answer it).
_UNITS_LOCKED = CompiledQuery(  # the units an import writes to, locked in id order
    lambda *ids: Unit.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk")
)
_UNIT_YEAR_LOCKED = CompiledQuery(  # `.select_for_update().filter(unit=, year=).first()`
    lambda unit_id, year: (
        Disclosure.objects.select_for_update()
        .filter(unit_id=unit_id, year=year)
        .values_list(*attnames(Disclosure))[:1]
    ),
    Disclosure,
    small=(1,),
)
_STORED_ROWS = CompiledQuery(
    lambda *pids: (
        Indicator.objects.filter(project_id__in=pids)
        .order_by("project_id", "seq", "id")
        .values_list(*STORED_INDICATOR)
    )
)
_SUB_GOALS = CompiledQuery(
    lambda did: (
        SubGoal.objects.filter(disclosure_id=did)
        .order_by("seq", "id")
        .values_list("seq", "title", "goal", "indicators")
    )
)

_HISTORY = CompiledQuery(reviews.history_query)  # `reviews.histories`' query for one unit-year


def _histories(did: int) -> dict[int, Any]:
    """`reviews.histories([did])` (the unit's self-evaluations of the year before, which the
    review's JX603 reads) in a query compiled once: the ORM builds and compiles that query of four
    joins anew at each call, which costs more than the rest of a re-import's reading."""
    rows = _HISTORY.rows(did)
    return {did: reviews.history_entry([r[1:] for r in rows])} if rows else {}


def _projects_query(year: int | None, did: int | None, *units: int) -> Any:
    """The projects of these units and year, and those of unit-year `did` (None: none), with their
    units' columns after theirs, in (seq, id) order."""
    wanted = Q(unit_id__in=units, year=year)
    if did is not None:
        wanted |= Q(disclosure_id=did)
    unit_columns = [f"unit__{name}" for name in attnames(Unit)]
    return Project.objects.filter(wanted).order_by("seq", "id").values_list(*attnames(Project), *unit_columns)


_STORED_PROJECTS = CompiledQuery(_projects_query, small=(0,))


def _padded(ids: list[int]) -> list[int]:
    """`ids` with the last repeated up to a power of two (a repeat in `IN (…)` changes nothing): the
    queries above are compiled, and on PostgreSQL prepared, once per shape, so once per power of two
    rather than once per number of ids."""
    n = 1
    while n < len(ids):
        n *= 2
    return ids + ids[-1:] * (n - len(ids)) if ids else ids


def _stored_projects(year: int | None, did: int | None, units: list[int]) -> list[Project]:
    """`Project.objects.filter(Q(unit_id__in=units, year=year) | Q(disclosure_id=did))
    .select_related("unit").order_by("seq", "id")` (without the unit-year when `did` is None), in
    one compiled query; no query when there is nothing to read."""
    if not units and did is None:
        return []
    names, unit_names = attnames(Project), attnames(Unit)
    k = len(names)
    alias = connection.alias
    cache = Project.unit.field.set_cached_value
    units_read: dict[int, Unit] = {}  # one instance a unit (a unit-year's projects share theirs)
    out = []
    for row in _STORED_PROJECTS.rows(year, did, *_padded(units)):
        proj = Project.from_db(alias, names, row[:k])
        unit = units_read.get(proj.unit_id)
        if unit is None:
            unit = units_read[proj.unit_id] = Unit.from_db(alias, unit_names, row[k:])
        cache(proj, unit)
        out.append(proj)
    return out


def _read_stored_projects(job: _Job, unit_ids: list[int], old: list[int]) -> None:
    """The stored projects of these units and year, and those the unit-year's document held before
    (a subordinate's too, even one not named now), in one query; none when the unit-year is new
    and all the units too (`old`: the units this import did not create)."""
    job.stored = {uid: [] for uid in unit_ids}
    if job.made and not old:
        return
    for proj in _stored_projects(job.year, None if job.made else job.disclosure.pk, old):
        if proj.unit_id in job.stored and proj.year == job.year:
            job.stored[proj.unit_id].append(proj)
        if proj.disclosure_id == job.disclosure.pk:
            job.here_before.append(proj)


def _match_tables(job: _Job, table_units: list[Unit]) -> list[Project | None]:
    """Which stored project each table is, None for a new one (new projects are never matched:
    matching first is the same)."""
    taken: set[int] = set()
    matched: list[Project | None] = []
    for p, punit in zip(job.doc.projects, table_units, strict=True):
        proj = _match_project(job.stored[punit.pk], p, taken)
        if proj is not None:
            taken.add(proj.pk)
        matched.append(proj)
    return matched


def _stored_rows(projects: list[Project]) -> dict[int, list[_Stored]]:
    """The indicator rows of these stored projects in (seq, id) order, in one query (as tuples)."""
    rows_of: dict[int, list[_Stored]] = {proj.pk: [] for proj in projects}
    if rows_of:
        for t in _STORED_ROWS.rows(*_padded(list(rows_of))):
            row = _Stored._make(t)
            rows_of[row.project_id].append(row)
    return rows_of


def _new_project(
    disclosure: Disclosure, unit: Unit, year: int | None, key: str, state: str, fields: dict[str, Any]
) -> Project:
    """`Project(disclosure=disclosure, unit=unit, year=year, key=key, state=state, **fields)` (fields
    by attname: `convert.project_fields`), built from its values in column order, the unit-year and
    unit cached on it as those keywords cache them: Django's way for positional values costs a
    quarter of its way for keywords and related instances (a document's dozen projects)."""
    given = {"disclosure_id": disclosure.pk, "unit_id": unit.pk, "year": year, "key": key, "state": state}
    given.update(fields)
    proj = Project(
        *[given[f.attname] if f.attname in given else f.get_default() for f in Project._meta.concrete_fields]
    )
    Project.disclosure.field.set_cached_value(proj, disclosure)
    Project.unit.field.set_cached_value(proj, unit)
    return proj


def _plan_new(job: _Job, p: m.Project, punit: Unit) -> None:
    """A table no stored project is: a new project under a key its unit-year does not use yet."""
    keys = {c.key for c in job.stored[punit.pk]}
    key = base = convert.project_key(p.code, p.name, p.title, p.seq)
    n = 2
    while key in keys:
        key = f"{base}#{n}"
        n += 1
    state = State.PUBLISHED if job.publish else State.DRAFT
    proj = _new_project(job.disclosure, punit, job.year, key, state, convert.project_fields(p))
    job.stored[punit.pk].append(proj)
    values = [convert.indicator_values(ind, job.year, target_text=True) for ind in p.indicators]
    job.writes.tables.append(_Table(p, proj, True, values=values))
    job.writes.rows[id(proj)] = [_read_row(v) for v in values]
    job.result.created += 1
    job.result.indicators += len(p.indicators)


def _plan_matched(job: _Job, p: m.Project, punit: Unit, proj: Project, stored_rows: list[_Stored]) -> None:
    """A table that is a stored project: updated in place, or left as it is when nothing changed."""
    w, result = job.writes, job.result
    job.touched.add(proj.disclosure_id)
    result.updated += 1
    result.indicators += len(p.indicators)
    fields = convert.project_fields(p)
    changes, plan = _reimport_project(
        job.actor, proj, p, fields, job.disclosure, job.year, stored_rows, job.stored[punit.pk], job.publish
    )
    w.tables.append(_Table(p, proj, False, changes=changes, plan=plan))
    if changes is None:
        result.unchanged += 1
        w.rows[id(proj)] = [row.domain() for row in stored_rows]
        for u in plan.update:  # where the rows were read may differ: kept up to date quietly
            if u.written:
                w.locations.append(Indicator(id=u.row.id, location=u.values[_LOCATION]))
        return
    proj.updated_at = job.now
    w.projects.append(proj)
    w.project_fields = [*fields, "key", "disclosure", "version", "updated_at", "state"]
    for u in plan.update:
        if u.written:
            data = u.data(job.year)
            w.indicators.append(Indicator(id=u.row.id, project_id=u.row.project_id, **data))
            w.indicator_fields = list(data)
    w.new_indicators += plan.create
    w.deleted += plan.delete
    w.rows[id(proj)] = plan.rows_after()


def _insert_new_projects(tables: list[_Table]) -> None:
    """The new projects' rows (their ids read back: `_new_rows` points their indicators at them)."""
    bulk.insert_returning(Project, [t.proj for t in tables if t.new], key=("unit_id", "year", "key"))


def _new_rows(w: _Writes) -> list[tuple[Any, ...]]:
    """The indicator rows an import inserts (`INDICATOR_ROW`): the new projects' in the document's
    order, then the stored projects' new ones."""
    rows = [(t.proj.pk, i, *v) for t in w.tables for i, v in enumerate(t.values, 1)]
    return rows + w.new_indicators


def _report_tables(job: _Job) -> None:
    """The history of each table's project and what the document dropped, in the document's order."""
    actor, doc, publish = job.actor, job.doc, job.publish
    changed = [t for t in job.writes.tables if not t.new and t.changes is not None]
    cycle = _with_cycle_data(sorted({ind.project_id for t in changed for ind in t.plan.delete}))  # type: ignore[union-attr]
    for t in job.writes.tables:
        if t.new:
            job.writes.history.append(
                _history(
                    actor,
                    f"导入自 {doc.source}（{len(t.p.indicators)} 个指标）" + ("，已公开" if publish else ""),
                    project=t.proj,
                )
            )
        elif t.changes is not None and t.plan is not None:
            job.writes.history.append(_reimport_history(job, t.proj, t.changes, t.plan, t.proj.pk in cycle))


def _reimport_history(
    job: _Job, proj: Project, changes: list[dict[str, Any]], plan: _IndicatorPlan, has_cycle: bool
) -> dict[str, Any]:
    """A re-imported project's history record; the indicators the document dropped go to `dropped`."""
    for ind in plan.delete:
        job.result.dropped.append(
            f"项目「{proj.name or proj.key}」：文件中没有指标「{ind.name or ''}」"
            f"（{ind.value or '无指标值'}），已删除"
            + ("；已填报的运行监控和自评中该指标的数据不再显示" if has_cycle else "")
        )
    n_changed = sum(1 for u in plan.update if u.changed)
    parts = [describe_changes(changes)] if changes else []
    if plan.create or plan.delete or n_changed:
        parts.append(f"指标：新增 {len(plan.create)}，修改 {n_changed}，删除 {len(plan.delete)}")
    return _history(
        job.actor,
        f"重新导入自 {job.doc.source}" + ("：" + "；".join(parts) if parts else ""),
        project=proj,
        changes=changes or None,
    )


def _report_kept(job: _Job, kept: list[Project], rows_of: dict[int, list[_Stored]]) -> None:
    """Projects the unit-year held that the document does not have: kept, and said so."""
    for proj in kept:
        job.writes.rows[id(proj)] = [row.domain() for row in rows_of[proj.pk]]
        job.result.dropped.append(
            f"文件中没有项目「{proj.name or proj.title or proj.key}」（{proj.code or '无编码'}）："
            "已保留，未删除"
        )


def _write(w: _Writes) -> None:
    """The updates and deletions, one statement each (the new rows are inserted after them)."""
    if w.projects:
        Project.objects.bulk_update(w.projects, w.project_fields)
    if w.indicators:
        Indicator.objects.bulk_update(w.indicators, w.indicator_fields)
    if w.locations:
        Indicator.objects.bulk_update(w.locations, ["location"])
    if w.deleted:
        Indicator.objects.filter(pk__in=[i.id for i in w.deleted]).delete()


def _report_unit_year(job: _Job) -> None:
    result = job.result
    job.writes.history.append(
        _history(
            job.actor,
            f"导入 {job.doc.source}：{result.created} 个新项目，{result.updated} 个更新"
            + (f"（{result.unchanged} 个无变化）" if result.unchanged else "")
            + f"，{len(job.doc.warnings)} 条警告"
            + (f"；{len(result.dropped)} 处文件中没有的内容" if result.dropped else ""),
            disclosure=job.disclosure,
            changes={"dropped": result.dropped} if result.dropped else None,
        )
    )


class _Review:
    """The review of the unit-year an import writes, from what is in memory (`rereview` for it
    without reading it back): the history it reads is read first (`__init__`), the review computed
    while the server writes the rows (`compute`: no query), then stored in a savepoint of its own
    (`store`); other unit-years a project moved out of are read and reviewed. A failing rule must
    not stop the write: the pages review the unit-year when they find its stored review stale.
    Stored without a savepoint unless `guarded` (two queries fewer): a failure there raises
    `_Sequential`, and the import is rolled back and done again `guarded`, where it is logged and
    the rest kept. A new unit-year's rows are sent right after the document's (`send`)."""

    def __init__(
        self, job: _Job, subs: list[m.SubGoal], projects: list[Project], guarded: bool = False
    ) -> None:
        self.job, self.subs, self.guarded = job, subs, guarded
        self.projects = sorted(projects, key=lambda x: (x.seq, x.pk))
        self.restamp = _may_keep_review(job)
        self.computed: reviews.ComputedReviews | None = None
        self.failed = False
        self.sent = False  # the review rows went with the document's (`send`)
        self.past: dict[int, Any] = {}
        try:  # read before the rows are sent: one query, none for a new unit's unit-year
            if self.restamp or (self.projects and not job.new_unit):
                self.past = _histories(job.disclosure.pk)
        except Exception:
            self.failed = True
            logging.getLogger(__name__).exception("review of unit-year %s not stored", job.disclosure.pk)

    def compute(self) -> None:
        """The review (unless the stored one may be kept), from memory."""
        if self.failed or self.restamp:
            return
        try:
            self.computed = self._computed()
        except Exception:
            self.failed = True
            logging.getLogger(__name__).exception("review of unit-year %s not stored", self.job.disclosure.pk)

    def _computed(self) -> reviews.ComputedReviews:
        job, disclosure, unit = self.job, self.job.disclosure, self.job.unit
        rows = job.writes.rows
        doc = _unit_year_model(disclosure, unit, self.subs)
        for x in self.projects:
            doc.projects.append(reviews.read_back(x, x.unit.code, x.unit.name, rows.get(id(x)) or []))
        fp = reviews.fingerprint_of(
            ((x.pk, x.version, x.updated_at) for x in self.projects), disclosure.imported_at
        )
        written = reviews.WrittenUnitYear(
            disclosure.pk, doc, [x.pk for x in self.projects], fp, fresh=job.made, new_unit=job.new_unit
        )
        return reviews.compute_written_reviews([written], self.past)

    def send(self) -> None:
        """Inside `bulk.pipelined`, once computed: a fresh unit-year's review rows sent after the
        document's (PostgreSQL: without waiting), so that the server stores them right after those
        rather than after this process has waited for them (the common case of a new document: no
        stored review to replace, no other unit-year to review first, not `guarded`). An error
        there, or in the document's rows (`_import`), raises `_Sequential`."""
        c = self.computed
        if self.guarded or self.failed or c is None or c.stale:
            return
        if self.job.touched != {self.job.disclosure.pk}:
            return
        self.sent = True
        try:
            bulk.insert_values(ReviewResult, c.rows)
        except Exception as e:
            raise _Sequential from e
        bulk.sent()

    def store(self) -> None:
        if self.failed:
            return
        if self.sent:  # stored with the document's rows (`send`)
            assert self.computed is not None
            reviews.remember_computed_reviews(self.computed)
            return
        # on a failure the reviews stored so far (other unit-years', `_store`) are rolled back:
        # what this process remembered of them is forgotten too
        if not self.guarded:
            try:
                self._store()
            except Exception as e:
                reviews.forget_reviews(self.job.touched)
                raise _Sequential from e
            return
        try:
            if self.job.touched != {self.job.disclosure.pk}:
                # the other unit-years' in a savepoint of their own: kept when this one's fails
                # (else the moved projects' rows stay under them, and this one's, when a reader
                # stores it, collides with them)
                with transaction.atomic():
                    self._store_others()
            with transaction.atomic():
                self._store(others=False)
        except Exception:
            reviews.forget_reviews(self.job.touched)
            logging.getLogger(__name__).exception("review of unit-year %s not stored", self.job.disclosure.pk)

    def _store(self, *, others: bool = True) -> None:
        job = self.job
        if self.restamp and _review_unchanged(job, self.projects, self.past):
            return
        if self.computed is None:
            self.computed = self._computed()
        if others:
            self._store_others()
        reviews.store_computed_reviews(self.computed)

    def _store_others(self) -> None:
        others = self.job.touched - {self.job.disclosure.pk}
        if others:
            # unit-years a project moved out of (their units are not locked by this import): their
            # rows locked first, so an import of one of them is not reviewing it too. Reviewed
            # first: that replaces their stored rows, among them the rows of the projects that
            # moved, which this unit-year's review rows would collide with (one review row a project)
            locked = Disclosure.objects.select_for_update().filter(pk__in=others).order_by("pk")
            list(locked.values_list("pk"))
            reviews.store_reviews(others)


def _unit_year_model(disclosure: Disclosure, unit: Unit, subs: list[m.SubGoal]) -> m.Disclosure:
    """A stored unit-year as the review reads it (its projects added by the caller)."""
    return m.Disclosure(
        source=disclosure.source,
        unit_code=unit.code or None,
        unit_name=unit.name,
        year=disclosure.year,
        overall_goal=disclosure.overall_goal,
        sub_goals=subs,
    )


def _may_keep_review(job: _Job) -> bool:
    """Whether the re-import changed nothing the review reads (every table matched and left as
    stored, no project moved, the same source file: only the unit-year's import time is new)."""
    if job.before is None or job.before[1] != job.disclosure.source or job.touched != {job.disclosure.pk}:
        return False
    return not any(t.new or t.changes is not None for t in job.writes.tables)


def _review_unchanged(job: _Job, projects: list[Project], past: dict[int, Any]) -> bool:
    """For a re-import that `_may_keep_review`: keep the stored review when it is the one of the
    unit-year before, relabelled with the new version (`reviews.restamp_written_review`); False
    when the unit-year must be reviewed."""
    assert job.before is not None
    stamps = [(x.pk, x.version, x.updated_at) for x in projects]
    return reviews.restamp_written_review(
        job.disclosure.pk,
        reviews.fingerprint_of(stamps, job.before[0]),
        reviews.fingerprint_of(stamps, job.disclosure.imported_at),
        len(projects),
        past,
    )


def _reimport_project(
    actor: User | None,
    proj: Project,
    p: m.Project,
    fields: dict[str, Any],
    disclosure: Disclosure,
    year: int | None,
    stored_rows: list[_Stored],
    siblings: list[Project],
    publish: bool = False,
) -> tuple[list[dict[str, Any]] | None, _IndicatorPlan]:
    """Plan the update of a stored project in place from the document's table (and, for a published
    disclosure, record it as published): (the changed fields, the indicators' plan), its fields set
    on `proj`; (None, the plan) when nothing changed."""
    changes = [
        {"field": k, "old": jsonable(getattr(proj, k)), "new": jsonable(v)}
        for k, v in fields.items()
        if not _same(getattr(proj, k), v)
    ]
    if publish and proj.state != State.PUBLISHED:
        changes.append({"field": "state", "old": proj.state, "new": State.PUBLISHED})
    plan = _plan_indicators(proj, stored_rows, p.indicators, year)
    moved = proj.disclosure_id != disclosure.pk
    if not changes and not plan.changed and not moved:
        return None, plan
    if proj.state in (State.SUBMITTED, State.APPROVED, State.PUBLISHED) and role_of(actor) == Role.UNIT:
        raise Denied(f"项目“{proj.name}”{proj.get_state_display()}，不能用导入覆盖。")
    key = convert.project_key(p.code, p.name, p.title, p.seq)
    if proj.key != key and not any(c.key == key for c in siblings if c is not proj):
        proj.key = key  # matched by name, now with a code (or the other way round)
    for k, v in fields.items():
        setattr(proj, k, v)
    proj.disclosure = disclosure
    proj.version += 1
    if publish:
        proj.state = State.PUBLISHED
    return changes, plan


_LOCKED_STATES = (State.SUBMITTED, State.APPROVED, State.PUBLISHED)


def _guard_unit_year(job: _Job, doc: m.Disclosure) -> None:
    """A unit user's import never changes the unit-year's own fields (部门整体目标, 分项绩效目标, the
    budget overview) once one of its projects is submitted, approved or published: as for those
    projects (`_plan_matched`), the import is refused, naming the state and the fields. The same
    values, or a document without them (kept as stored), pass."""
    if job.made or role_of(job.actor) != Role.UNIT:
        return
    locked = next((p for p in job.here_before if p.state in _LOCKED_STATES), None)
    if locked is None:
        return
    d = job.disclosure
    what = []
    goal = (doc.overall_goal or "").strip()
    if goal and goal != (d.overall_goal or "").strip():
        what.append("部门整体绩效目标")
    if doc.sub_goals:
        rows = [[i, (s.title or "")[:300], s.goal, s.indicators] for i, s in enumerate(doc.sub_goals, 1)]
        if _SUB_GOALS.rows(d.pk) != rows:
            what.append("分项绩效目标")
    overview = convert.overview_to_json(doc.budget_overview)
    if overview and overview != d.budget_overview:
        what.append("预算总表")
    if what:
        raise Denied(
            f"{job.unit.name} {job.year} 年的项目“{locked.name}”{locked.get_state_display()}，"
            f"不能用导入改动该单位年度的{'、'.join(what)}；如需修改，请联系管理员。"
        )


def _unit_year_fields(disclosure: Disclosure, doc: m.Disclosure, made: bool, result: ImportResult) -> None:
    """The unit-year's own fields from the document; what the document lacks is kept as stored."""
    disclosure.source = (doc.source or "")[:300]
    disclosure.warnings = [w.to_dict() for w in doc.warnings]
    if (doc.overall_goal or "").strip():
        disclosure.overall_goal = doc.overall_goal
    elif disclosure.overall_goal and not made:
        result.dropped.append("文件中没有部门整体绩效目标：保留原有内容")
    overview = convert.overview_to_json(doc.budget_overview)
    if overview:
        disclosure.budget_overview = overview


_UPDATE_UNIT_YEAR: dict[str, str] = {}


def _save_unit_year(disclosure: Disclosure) -> None:
    """`disclosure.save()` of a stored unit-year (locked by this import: the row is there): the
    same UPDATE of every column (`imported_at` set to now), in a statement written once rather than
    compiled by the ORM at each import. Like `save()` it leaves out generated columns; unlike it,
    it sends no pre_save/post_save signals (Disclosure has no receivers)."""
    fields = [
        f
        for f in Disclosure._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]
    sql = _UPDATE_UNIT_YEAR.get(connection.vendor)
    if sql is None:
        qn = connection.ops.quote_name
        sql = _UPDATE_UNIT_YEAR[connection.vendor] = "UPDATE {} SET {} WHERE {} = %s".format(
            qn(Disclosure._meta.db_table),  # identifiers only; values are parameters
            ", ".join(f"{qn(f.column)} = %s" for f in fields),
            qn(Disclosure._meta.pk.column),  # type: ignore[union-attr]
        )
    values = [f.get_db_prep_save(f.pre_save(disclosure, False), connection) for f in fields]
    with connection.cursor() as cur:
        cur.execute(sql, [*values, disclosure.pk])
        if cur.rowcount != 1:
            raise RuntimeError(f"unit-year {disclosure.pk} not updated")


def _store_unit_year(
    disclosure: Disclosure, doc: m.Disclosure, made: bool, result: ImportResult
) -> tuple[list[m.SubGoal], list[dict[str, Any]]]:
    """The unit-year's fields (a new one was inserted with them) and its 分项绩效目标: (them as the
    review reads them back, the rows to insert, which the caller does: `bulk.insert_values`). A
    stored unit-year's 分项绩效目标 are replaced only when the document's differ (read first: one
    query instead of a delete and an insert when a re-import leaves them as they are)."""
    if not made:
        _unit_year_fields(disclosure, doc, made, result)
        _save_unit_year(disclosure)
    if doc.sub_goals:
        rows = [[i, (s.title or "")[:300], s.goal, s.indicators] for i, s in enumerate(doc.sub_goals, 1)]
        subs = [m.SubGoal(title=t, goal=g, indicators=ind) for _, t, g, ind in rows]
        if not made:
            if _SUB_GOALS.rows(disclosure.pk) == rows:
                return subs, []
            disclosure.sub_goals.all().delete()
        new = [
            {"disclosure_id": disclosure.pk, "seq": i, "title": t, "goal": g, "indicators": ind}
            for i, t, g, ind in rows
        ]
        return subs, new
    if made:
        return [], []
    stored = _SUB_GOALS.rows(disclosure.pk)
    if stored:
        result.dropped.append(f"文件中没有分项绩效目标：保留原有 {len(stored)} 条")
    return [m.SubGoal(title=t, goal=g, indicators=ind) for _, t, g, ind in stored], []


def _table_identity(d: m.Disclosure, p: m.Project, region: str) -> tuple[str, str, str]:
    """(region, code, name) of the unit a table is filed under by `bulk_load`."""
    from jixiao.web.lib.units import same_name

    own = (region, (d.unit_code or "").strip()[:50], (d.unit_name or "").strip()[:200])
    code, name = (p.unit_code or "").strip()[:50], (p.unit_name or "").strip()[:200]
    if not name or (same_name(name, d.unit_name) and (not code or code == own[1])):
        return own
    return ((p.region or region or "")[:100], code, name)


def bulk_load(actor: User | None, docs: list[m.Disclosure], *, region: str = "", batch: int = 5000) -> int:
    """Store many new unit-years at once with bulk inserts (administrators; benchmarks, first loads).

    Unlike `import_disclosure` it does not update: it refuses when any unit-year already exists.
    Documents without a target table or a year are refused, and a table naming another unit is
    filed under that unit, as `import_disclosure` does. Units are created with the unique key
    deciding (safe beside concurrent imports). One transaction for everything; one history record
    per unit-year. Returns the number of indicators.
    """
    if role_of(actor) != Role.ADMIN:
        raise Denied("只有管理员可以批量导入。")
    for d in docs:
        check_importable(d, d.year)
    try:
        try:
            return _bulk_load(actor, docs, region, batch, overlap=True)
        except _Sequential:
            return _bulk_load(actor, docs, region, batch, overlap=False)
    except IntegrityError:
        raise Invalid("部分单位年度或项目已存在；请用 import_disclosure（jixiao import）更新。") from None


UnitKey = tuple[str, str, str]  # (region, code, name)


@dataclass
class _Load:
    """What `bulk_load` stores: the documents, the unit each document and each table is filed under,
    and the rows written so far (in the documents' order)."""

    docs: list[m.Disclosure]
    doc_keys: list[UnitKey]
    table_keys: list[list[UnitKey]]
    units: dict[UnitKey, Unit] = field(default_factory=dict)
    disclosures: list[Disclosure] = field(default_factory=list)
    sub_goals: list[SubGoal] = field(default_factory=list)
    # each new project with its table, in the documents' order
    projects: list[tuple[Project, m.Project]] = field(default_factory=list)


def _bulk_load(
    actor: User | None, docs: list[m.Disclosure], region: str, batch: int, *, overlap: bool
) -> int:
    """`overlap`: the reviews computed a few unit-years at a time, each few's rows sent to the server
    (PostgreSQL: without waiting) as soon as computed, so that it stores them while the next are
    computed; any error there raises `_Sequential` (the transaction rolled back). Else computed
    all, then stored in a savepoint of their own (a failure is logged, the load kept)."""
    log = logging.getLogger(__name__)
    with transaction.atomic():
        load = _load_units(docs, region, batch)
        _load_unit_years(load)
        _load_projects(load)
        try:  # the history the reviews read, before the rows are sent (one query)
            past: dict[int, Any] | None = reviews.histories(
                sorted({proj.disclosure_id for proj, _ in load.projects})
            )
        except Exception:
            past = None
            log.exception("review of %d loaded unit-years not stored", len(load.disclosures))
        # the rows go to the server without waiting for it (PostgreSQL): it writes them, and their
        # search indexes, while the next batch and the reviews are prepared here
        computed = None
        try:
            with bulk.pipelined():
                n, written = _load_indicators(load, batch)
                bulk.insert_values(
                    History, [_history(actor, f"批量导入 {x.source}", disclosure=x) for x in load.disclosures]
                )
                _check_constraints_now()
                bulk.sent()
                out = _loaded_reviews(load, written)
                if past is not None and overlap:
                    computed = _store_reviews_as_computed(out, past)
                elif past is not None:
                    try:
                        computed = reviews.compute_written_reviews(out, past)
                    except Exception:
                        log.exception("review of %d loaded unit-years not stored", len(out))
        except DatabaseError as e:
            if overlap:  # the sequential load says whether it was the reviews (and keeps the rows)
                raise _Sequential from e
            raise
        if overlap:
            if computed is not None:
                reviews.remember_computed_reviews(computed)
        elif computed is not None:
            try:
                with transaction.atomic():
                    reviews.store_computed_reviews(computed)
            except Exception:
                log.exception("review of %d loaded unit-years not stored", len(out))
    return n


REVIEWS_SENT_AT_ONCE = 20  # unit-years whose review rows go in one statement (`_store_reviews_as_computed`)


def _store_reviews_as_computed(
    out: list[reviews.WrittenUnitYear], past: dict[int, Any]
) -> reviews.ComputedReviews:
    """Inside `bulk.pipelined`: the reviews of these fresh unit-years computed `REVIEWS_SENT_AT_ONCE`
    at a time (under one set of review settings), each few's rows inserted as soon as computed, in
    the same order as at once; a rule failing raises `_Sequential`."""
    state = reviews.review_settings()
    done = reviews.ComputedReviews([], {}, [])
    try:
        for i in range(0, len(out), REVIEWS_SENT_AT_ONCE):
            c = reviews.compute_written_reviews(out[i : i + REVIEWS_SENT_AT_ONCE], past, state)
            if c.stale:  # stored rows to replace first: not a fresh unit-year's (`_loaded_reviews`)
                raise _Sequential("the sequential load replaces stored review rows")
            bulk.insert_values(ReviewResult, c.rows)
            bulk.sent()
            done.computed.update(c.computed)
    except Exception as e:
        raise _Sequential from e
    return done


def _load_units(docs: list[m.Disclosure], region: str, batch: int) -> _Load:
    """The unit of each document and table, created where new (the unique key deciding)."""
    doc_keys = [
        (
            (region or getattr(d, "region", None) or "").strip()[:100],
            (d.unit_code or "").strip()[:50],
            (d.unit_name or "").strip()[:200],
        )
        for d in docs
    ]
    table_keys = [
        [_table_identity(d, p, k[0]) for p in d.projects] for d, k in zip(docs, doc_keys, strict=True)
    ]
    load = _Load(docs, doc_keys, table_keys)
    keys = set(doc_keys) | {k for ks in table_keys for k in ks}
    if any(not name for _r, _c, name in keys):
        raise Invalid("批量导入的每个文件都要写明预算单位名称。")
    Unit.objects.bulk_create(
        [Unit(region=r, code=c, name=n) for r, c, n in keys], batch_size=batch, ignore_conflicts=True
    )
    names = sorted({n for _r, _c, n in keys})
    for i in range(0, len(names), 500):
        for u in Unit.objects.filter(name__in=names[i : i + 500]):
            load.units[(u.region, u.code, u.name)] = u
    return load


def _load_unit_years(load: _Load) -> None:
    """One new unit-year a document; refused when any exists already (or twice in the load)."""
    ds = [
        Disclosure(
            unit=load.units[k],
            year=d.year,
            source=(d.source or "")[:300],
            overall_goal=d.overall_goal,
            budget_overview=convert.overview_to_json(d.budget_overview),
            warnings=[w.to_dict() for w in d.warnings],
        )
        for d, k in zip(load.docs, load.doc_keys, strict=True)
    ]
    if (
        len({(x.unit.pk, x.year) for x in ds}) < len(ds)
        or Disclosure.objects.filter(unit__in=[x.unit for x in ds], year__in={x.year for x in ds}).exists()
    ):
        raise Invalid("部分单位年度已存在（或重复）；请用 import_disclosure（jixiao import）更新。")
    bulk.insert_returning(Disclosure, ds, key=("unit_id", "year"))
    load.disclosures = ds


def _load_projects(load: _Load) -> None:
    """The documents' 分项目标 and projects (a key repeated within a unit-year gets #2, #3 …)."""
    seen: set[tuple[int, int | None, str]] = set()
    for d, tkeys, disc in zip(load.docs, load.table_keys, load.disclosures, strict=True):
        load.sub_goals += [
            SubGoal(disclosure=disc, seq=i, title=(s.title or "")[:300], goal=s.goal, indicators=s.indicators)
            for i, s in enumerate(d.sub_goals, 1)
        ]
        for p, tk in zip(d.projects, tkeys, strict=True):
            unit = load.units[tk]
            key = base = convert.project_key(p.code, p.name, p.title, p.seq)
            n = 2
            while (unit.pk, d.year, key) in seen:
                key = f"{base}#{n}"
                n += 1
            seen.add((unit.pk, d.year, key))
            # administrators' loads of published disclosures
            proj = _new_project(disc, unit, d.year, key, State.PUBLISHED, convert.project_fields(p))
            load.projects.append((proj, p))
    bulk.insert(SubGoal, load.sub_goals)
    bulk.insert_returning(Project, [proj for proj, _ in load.projects], key=("unit_id", "year", "key"))


def _load_indicators(
    load: _Load, batch: int
) -> tuple[int, dict[int, list[tuple[Project, list[m.Indicator]]]]]:
    """The projects' indicator rows, written `batch` at a time; (their number, per unit-year its
    projects with their indicators as the review reads them back)."""
    rows: list[tuple[Any, ...]] = []
    n = 0
    written: dict[int, list[tuple[Project, list[m.Indicator]]]] = {x.pk: [] for x in load.disclosures}
    for proj, p in load.projects:
        mine = [
            (proj.pk, i, *convert.indicator_values(ind, proj.year, target_text=True))
            for i, ind in enumerate(p.indicators, 1)
        ]
        rows += mine
        written[proj.disclosure_id].append((proj, [_read_row(v, 2) for v in mine]))
        if len(rows) >= batch:
            _insert_indicators(rows)
            bulk.sent()
            n += len(rows)
            rows = []
    _insert_indicators(rows)
    return n + len(rows), written


def _loaded_reviews(
    load: _Load, written: dict[int, list[tuple[Project, list[m.Indicator]]]]
) -> list[reviews.WrittenUnitYear]:
    """Each loaded unit-year as the review reads it back, from memory."""
    subs: dict[int, list[m.SubGoal]] = {}
    for sg in load.sub_goals:
        subs.setdefault(sg.disclosure_id, []).append(
            m.SubGoal(title=sg.title, goal=sg.goal, indicators=sg.indicators)
        )
    units_by_pk = {u.pk: u for u in load.units.values()}
    out: list[reviews.WrittenUnitYear] = []
    for x in load.disclosures:
        done = sorted(written[x.pk], key=lambda t: (t[0].seq, t[0].pk))
        doc = _unit_year_model(x, units_by_pk[x.unit_id], subs.get(x.pk, []))
        doc.projects = [reviews.read_back(proj, proj.unit.code, proj.unit.name, inds) for proj, inds in done]
        stamps = ((proj.pk, proj.version, proj.updated_at) for proj, _ in done)
        out.append(
            reviews.WrittenUnitYear(
                x.pk,
                doc,
                [proj.pk for proj, _ in done],
                reviews.fingerprint_of(stamps, x.imported_at),
                fresh=True,
            )
        )
    return out
