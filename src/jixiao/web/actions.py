"""Every write of the web application: import, edit, workflow, users, tokens.

Each action checks permission, validates, writes in one transaction and records history.
Pages, the API, the admin and the CLI call these; nothing else saves models. `actor` None
means the command line acting as administrator.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from jixiao import model as m
from jixiao.ingest.bounded import ParseLimits
from jixiao.web import convert
from jixiao.web.models import (
    ApiToken,
    Disclosure,
    History,
    Indicator,
    Project,
    Role,
    State,
    SubGoal,
    Unit,
    User,
)
from jixiao.web.permissions import (
    Denied,
    can_edit_project,
    can_import_into,
    can_manage_users,
    can_review,
    can_view_project,
    role_of,
)

__all__ = [
    "ActionError",
    "Conflict",
    "Denied",
    "ImportResult",
    "Invalid",
    "NotFound",
    "approve_project",
    "create_user",
    "edit_project",
    "import_disclosure",
    "issue_token",
    "return_project",
    "revoke_tokens",
    "submit_project",
    "update_user",
    "user_for_token",
]


class ActionError(Exception):
    """A write was refused; `message` is Chinese and says why and what to do."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Invalid(ActionError):
    """Input did not validate (HTTP 400/422); `errors` maps field → message."""


class Conflict(ActionError):
    """Someone else saved first (HTTP 409): nothing was written."""


class NotFound(ActionError):
    """No such object, or not visible to the actor (HTTP 404)."""


def _rereview(disclosure_ids: Any) -> None:
    """Review these unit-years again after a write and store the results (derived data the pages
    read), inside the caller's transaction. A failing rule must not stop the write: the pages then
    review the unit-year when they find its stored review stale."""
    from jixiao.web.reviews import store_reviews

    try:
        with transaction.atomic():
            store_reviews(disclosure_ids)
    except Exception:
        logging.getLogger(__name__).exception("review of unit-years %s not stored", disclosure_ids)


def _username(actor: User | None) -> str:
    return actor.username if actor is not None else "命令行"


def _record(
    actor: User | None,
    action: str,
    summary: str,
    *,
    project: Project | None = None,
    disclosure: Disclosure | None = None,
    changes: Any = None,
) -> History:
    return History.objects.create(
        user=actor if actor is not None and actor.pk else None,
        username=_username(actor),
        action=action,
        summary=summary,
        project=project,
        disclosure=disclosure,
        changes=changes,
    )


# ---------------------------------------------------------------------------------------- import


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
    key = {"region": (region or "")[:100], "code": (code or "")[:50], "name": (name or "")[:200]}
    found = Unit.objects.filter(**key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Unit.objects.create(**key)
    except IntegrityError:
        return Unit.objects.get(**key)


def _named_unit(actor: User | None, region: str, code: str, name: str, where: str) -> Unit:
    """The unit a document or one of its tables names, among the units the actor may write; for an
    administrator a unit nobody has yet is created. A unit user is told the same thing whether or not
    another unit of that name exists."""
    from jixiao.web.units import describe_named, listing, unit_fits

    admin = role_of(actor) == Role.ADMIN
    pool = _writable_units(actor)
    if admin:
        exact = pool.filter(region=region[:100], code=code[:50], name=name[:200]).first()
        if exact is not None:
            return exact
        candidates = pool.filter(code=code[:50]) if code else pool.filter(name=name[:200])
    else:
        candidates = pool
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
        return get_or_create_unit(region, code, name)
    raise Denied(
        f"{where}写明的单位{describe_named(region, code, name)}不在您可导入的单位中；未导入任何数据"
        "（只有管理员可以新建单位）。"
    )


def _resolve_unit(
    actor: User | None,
    doc: m.Disclosure,
    unit: Unit | None,
    unit_code: str | None,
    region: str,
    confirm_unit: bool,
) -> Unit:
    """The unit the document is filed under: the chosen one (`unit`, or the one `unit_code` names as `jixiao
    import --unit` gives it), which the document must name unless an administrator confirms; else
    the unit the document names."""
    from jixiao.web.units import UnitSpecError, describe_named, find_units, resolve_unit, unit_fits

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
                    "如确属所选单位，请勾选“按所选单位导入”（API：confirm_unit=true；命令行：--confirm-unit）。"
                    if may_confirm
                    else "请上传本单位的文件。"
                ),
                {"unit": "文件所写单位与所选单位不同"},
            )
        return unit
    if not name:
        raise Invalid(
            f"{doc.source}: 文件中没有写明预算单位名称，请指定单位（--unit 编码 或 上传页的“单位”）。",
            {"unit": "未指定单位"},
        )
    return _named_unit(actor, region, code, name, f"{doc.source}: 文件")


def _table_unit(actor: User | None, doc_unit: Unit, p: m.Project, doc: m.Disclosure, region: str) -> Unit:
    """The unit a project table is filed under: the one its own table names (a subordinate's table
    inside a bureau's disclosure), which the actor must be able to write, else the document's."""
    from jixiao.web.units import same_name, unit_fits

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
        f"（{p.location}）" if p.location else ""
    )
    if not name:
        raise Invalid(
            f"{where}只写明了单位编码 {code}，没有单位名称，无法确定单位；未导入任何数据。",
            {"unit": code},
        )
    return _named_unit(actor, (p.region or region or "")[:100], code, name, where)


def _match_project(candidates: list[Project], p: m.Project, taken: set[int]) -> Project | None:
    """The stored project of the unit-year that a document's table is: same key, else same code,
    else the one project of the same name (not one with another code)."""
    from jixiao.web.units import same_name

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


def _indicator_key(level1: str | None, level2: str | None, name: str | None) -> tuple[str, str, str]:
    from jixiao.web.units import squash

    return (squash(level1), squash(level2), squash(name))


INDICATOR_CONTENT = (
    "level1",
    "level2",
    "name",
    "description",
    "value",
    "basis",
    "nature",
    "measure_unit",
    "weight",
)


def _same(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return old is not None and new is not None and Decimal(old) == Decimal(new)
        except (InvalidOperation, TypeError):
            return False
    return old == new


@dataclass
class _IndicatorPlan:
    update: list[tuple[Indicator, dict[str, Any], bool]]  # row, new fields, content changed
    create: list[Indicator]
    delete: list[Indicator]

    @property
    def changed(self) -> bool:
        return bool(self.create or self.delete or any(c for _, _, c in self.update))


def _plan_indicators(proj: Project, new: list[m.Indicator], year: int | None) -> _IndicatorPlan:
    """Match the document's indicators with the stored ones by (一级, 二级, 三级指标), in order for
    repeated names: matched rows are updated in place (their ids, which monitoring and
    self-evaluation entries point at, stay), new ones created, the rest deleted."""
    pool: dict[tuple[str, str, str], list[Indicator]] = {}
    for ind in proj.indicators.order_by("seq", "id"):
        pool.setdefault(_indicator_key(ind.level1, ind.level2, ind.name), []).append(ind)
    plan = _IndicatorPlan([], [], [])
    for seq, ind in enumerate(new, 1):
        data = {"seq": seq, **convert.indicator_fields(ind, year)}
        rows = pool.get(_indicator_key(data["level1"], data["level2"], data["name"]))
        if rows:
            row = rows.pop(0)
            changed = row.seq != seq or any(not _same(getattr(row, k), data[k]) for k in INDICATOR_CONTENT)
            plan.update.append((row, data, changed))
        else:
            plan.create.append(Indicator(project=proj, **data))
    plan.delete = [i for rows in pool.values() for i in rows]
    return plan


def _has_cycle_data(proj: Project) -> bool:
    from jixiao.web.models import MonitoringSnapshot, SelfEvaluation

    return (
        MonitoringSnapshot.objects.filter(project=proj).exists()
        or SelfEvaluation.objects.filter(project=proj).exists()
    )


def import_disclosure(
    actor: User | None,
    doc: m.Disclosure,
    *,
    unit: Unit | None = None,
    unit_code: str | None = None,
    year: int | None = None,
    region: str = "",
    confirm_unit: bool = False,
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
    """
    year = year or doc.year
    # the division the project codes name (GB/T 2260) tells apart units that share code and name
    region = (region or getattr(doc, "region", None) or "").strip()[:100]
    if role_of(actor) not in (Role.ADMIN, Role.UNIT):
        raise Denied("您的角色不能导入数据。")
    check_importable(doc, year)
    try:
        with transaction.atomic():
            return _import(actor, doc, unit, unit_code, year, region, confirm_unit)
    except IntegrityError:
        logging.getLogger(__name__).warning("import of %s lost a race", doc.source, exc_info=True)
        raise Conflict(
            f"{doc.source}: 另一个导入同时写入了同一单位年度，本次导入未生效；请重新导入。"
        ) from None


def _import(
    actor: User | None,
    doc: m.Disclosure,
    unit: Unit | None,
    unit_code: str | None,
    year: int | None,
    region: str,
    confirm_unit: bool,
) -> ImportResult:
    target_unit = _resolve_unit(actor, doc, unit, unit_code, region, confirm_unit)
    if not can_import_into(actor, target_unit):
        raise Denied(f"您不能向单位“{target_unit.name}”导入数据。")
    punits = [_table_unit(actor, target_unit, p, doc, region) for p in doc.projects]
    unit_ids = sorted({target_unit.pk, *(u.pk for u in punits)})
    # imports into the same units wait for each other here (PostgreSQL; SQLite writes one at a time)
    list(Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk").values_list("pk"))
    disclosure, made = Disclosure.objects.get_or_create(unit=target_unit, year=year)
    stored: dict[int, list[Project]] = {uid: [] for uid in unit_ids}
    for proj in Project.objects.filter(unit_id__in=unit_ids, year=year).order_by("seq", "id"):
        stored[proj.unit_id].append(proj)
    # the projects the unit-year's document held before (a subordinate's too, even one not named now)
    here_before = list(Project.objects.filter(disclosure=disclosure).order_by("seq", "id"))
    result = ImportResult(disclosure.pk, str(target_unit), year, warnings=[str(w) for w in doc.warnings])
    taken: set[int] = set()
    touched = {disclosure.pk}
    for p, punit in zip(doc.projects, punits, strict=True):
        fields = convert.project_fields(p)
        proj = _match_project(stored[punit.pk], p, taken)
        if proj is None:
            keys = {c.key for c in stored[punit.pk]}
            key = base = convert.project_key(p.code, p.name, p.title, p.seq)
            n = 2
            while key in keys:
                key = f"{base}#{n}"
                n += 1
            proj = Project.objects.create(disclosure=disclosure, unit=punit, year=year, key=key, **fields)
            stored[punit.pk].append(proj)
            taken.add(proj.pk)
            Indicator.objects.bulk_create(
                [
                    Indicator(project=proj, seq=i, **convert.indicator_fields(ind, year))
                    for i, ind in enumerate(p.indicators, 1)
                ]
            )
            result.created += 1
            result.indicators += len(p.indicators)
            _record(actor, "import", f"导入自 {doc.source}（{len(p.indicators)} 个指标）", project=proj)
            continue
        taken.add(proj.pk)
        touched.add(proj.disclosure_id)
        result.updated += 1
        result.indicators += len(p.indicators)
        if not _reimport_project(actor, proj, p, fields, disclosure, year, doc, result, stored[punit.pk]):
            result.unchanged += 1
    for proj in here_before:
        if proj.pk not in taken:
            result.dropped.append(
                f"文件中没有项目「{proj.name or proj.title or proj.key}」（{proj.code or '无编码'}）："
                "已保留，未删除"
            )
    _store_unit_year(disclosure, doc, made, result)
    _record(
        actor,
        "import",
        f"导入 {doc.source}：{result.created} 个新项目，{result.updated} 个更新"
        + (f"（{result.unchanged} 个无变化）" if result.unchanged else "")
        + f"，{len(doc.warnings)} 条警告"
        + (f"；{len(result.dropped)} 处文件中没有的内容" if result.dropped else ""),
        disclosure=disclosure,
        changes={"dropped": result.dropped} if result.dropped else None,
    )
    _rereview(touched)
    return result


def _reimport_project(
    actor: User | None,
    proj: Project,
    p: m.Project,
    fields: dict[str, Any],
    disclosure: Disclosure,
    year: int | None,
    doc: m.Disclosure,
    result: ImportResult,
    siblings: list[Project],
) -> bool:
    """Update a stored project in place from the document's table; False when nothing changed."""
    changes = [
        {"field": k, "old": _jsonable(getattr(proj, k)), "new": _jsonable(v)}
        for k, v in fields.items()
        if not _same(getattr(proj, k), v)
    ]
    plan = _plan_indicators(proj, p.indicators, year)
    moved = proj.disclosure_id != disclosure.pk
    if not changes and not plan.changed and not moved:
        for row, data, _ in plan.update:  # where the rows were read may differ: kept up to date quietly
            if row.location != data["location"]:
                Indicator.objects.filter(pk=row.pk).update(location=data["location"])
        return False
    if proj.state in (State.SUBMITTED, State.APPROVED) and role_of(actor) == Role.UNIT:
        raise Denied(f"项目“{proj.name}”{proj.get_state_display()}，不能用导入覆盖。")
    key = convert.project_key(p.code, p.name, p.title, p.seq)
    if proj.key != key and not any(c.key == key for c in siblings if c.pk != proj.pk):
        proj.key = key  # matched by name, now with a code (or the other way round)
    for k, v in fields.items():
        setattr(proj, k, v)
    proj.disclosure = disclosure
    proj.version += 1
    proj.save()
    for row, data, changed in plan.update:
        if changed or row.location != data["location"]:
            for k, v in data.items():
                setattr(row, k, v)
            row.save()
    Indicator.objects.bulk_create(plan.create)
    cycle = _has_cycle_data(proj) if plan.delete else False
    for ind in plan.delete:
        result.dropped.append(
            f"项目「{proj.name or proj.key}」：文件中没有指标「{ind.name or ''}」"
            f"（{ind.value or '无指标值'}），已删除"
            + ("；已填报的运行监控和自评中该指标的数据不再显示" if cycle else "")
        )
    Indicator.objects.filter(pk__in=[i.pk for i in plan.delete]).delete()
    n_changed = sum(1 for _, _, c in plan.update if c)
    parts = [_describe(changes)] if changes else []
    if plan.create or plan.delete or n_changed:
        parts.append(f"指标：新增 {len(plan.create)}，修改 {n_changed}，删除 {len(plan.delete)}")
    _record(
        actor,
        "import",
        f"重新导入自 {doc.source}" + ("：" + "；".join(parts) if parts else ""),
        project=proj,
        changes=changes or None,
    )
    return True


def _store_unit_year(disclosure: Disclosure, doc: m.Disclosure, made: bool, result: ImportResult) -> None:
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
    disclosure.save()
    if doc.sub_goals:
        disclosure.sub_goals.all().delete()
        SubGoal.objects.bulk_create(
            [
                SubGoal(
                    disclosure=disclosure,
                    seq=i,
                    title=(s.title or "")[:300],
                    goal=s.goal,
                    indicators=s.indicators,
                )
                for i, s in enumerate(doc.sub_goals, 1)
            ]
        )
    elif not made and disclosure.sub_goals.exists():
        result.dropped.append(f"文件中没有分项绩效目标：保留原有 {disclosure.sub_goals.count()} 条")


def _table_identity(d: m.Disclosure, p: m.Project, region: str) -> tuple[str, str, str]:
    """(region, code, name) of the unit a table is filed under by `bulk_load`."""
    from jixiao.web.units import same_name

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
        return _bulk_load(actor, docs, region, batch)
    except IntegrityError:
        raise Invalid("部分单位年度或项目已存在；请用 import_disclosure（jixiao import）更新。") from None


def _bulk_load(actor: User | None, docs: list[m.Disclosure], region: str, batch: int) -> int:
    with transaction.atomic():
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
        keys = set(doc_keys) | {k for ks in table_keys for k in ks}
        if any(not name for _r, _c, name in keys):
            raise Invalid("批量导入的每个文件都要写明预算单位名称。")
        Unit.objects.bulk_create(
            [Unit(region=r, code=c, name=n) for r, c, n in keys], batch_size=batch, ignore_conflicts=True
        )
        names = sorted({n for _r, _c, n in keys})
        units: dict[tuple[str, str, str], Unit] = {}
        for i in range(0, len(names), 500):
            for u in Unit.objects.filter(name__in=names[i : i + 500]):
                units[(u.region, u.code, u.name)] = u
        ds = [
            Disclosure(
                unit=units[k],
                year=d.year,
                source=(d.source or "")[:300],
                overall_goal=d.overall_goal,
                budget_overview=convert.overview_to_json(d.budget_overview),
                warnings=[w.to_dict() for w in d.warnings],
            )
            for d, k in zip(docs, doc_keys, strict=True)
        ]
        if (
            len({(x.unit.pk, x.year) for x in ds}) < len(ds)
            or Disclosure.objects.filter(
                unit__in=[x.unit for x in ds], year__in={x.year for x in ds}
            ).exists()
        ):
            raise Invalid("部分单位年度已存在（或重复）；请用 import_disclosure（jixiao import）更新。")
        Disclosure.objects.bulk_create(ds, batch_size=batch)
        ds = list(
            Disclosure.objects.filter(
                unit__in=[x.unit for x in ds], year__in={x.year for x in ds}
            ).select_related("unit")
        )
        by_key = {(x.unit_id, x.year): x for x in ds}
        projects: list[Project] = []
        sub_goals: list[SubGoal] = []
        pending: list[tuple[Project, m.Project]] = []
        seen: set[tuple[int, int | None, str]] = set()
        for d, k, tkeys in zip(docs, doc_keys, table_keys, strict=True):
            disc = by_key[(units[k].pk, d.year)]
            sub_goals += [
                SubGoal(
                    disclosure=disc, seq=i, title=(s.title or "")[:300], goal=s.goal, indicators=s.indicators
                )
                for i, s in enumerate(d.sub_goals, 1)
            ]
            for p, tk in zip(d.projects, tkeys, strict=True):
                unit = units[tk]
                key = base = convert.project_key(p.code, p.name, p.title, p.seq)
                n = 2
                while (unit.pk, d.year, key) in seen:
                    key = f"{base}#{n}"
                    n += 1
                seen.add((unit.pk, d.year, key))
                proj = Project(disclosure=disc, unit=unit, year=d.year, key=key, **convert.project_fields(p))
                projects.append(proj)
                pending.append((proj, p))
        SubGoal.objects.bulk_create(sub_goals, batch_size=batch)
        Project.objects.bulk_create(projects, batch_size=batch)
        if any(p.pk is None for p in projects):  # backends that do not return ids (not PostgreSQL, SQLite)
            ids = {(p.unit_id, p.year, p.key): p.pk for p in Project.objects.filter(disclosure__in=ds)}
            for p in projects:
                p.pk = ids[(p.unit_id, p.year, p.key)]
        rows: list[Indicator] = []
        n = 0
        for proj, p in pending:
            for i, ind in enumerate(p.indicators, 1):
                rows.append(Indicator(project_id=proj.pk, seq=i, **convert.indicator_fields(ind, proj.year)))
            if len(rows) >= batch:
                Indicator.objects.bulk_create(rows, batch_size=batch)
                n += len(rows)
                rows = []
        Indicator.objects.bulk_create(rows, batch_size=batch)
        n += len(rows)
        History.objects.bulk_create(
            [
                History(
                    user=actor if actor is not None and actor.pk else None,
                    username=_username(actor),
                    action="import",
                    summary=f"批量导入 {x.source}",
                    disclosure=x,
                )
                for x in ds
            ],
            batch_size=batch,
        )
        _rereview([x.pk for x in ds])
    return n


# ------------------------------------------------------------------------------------ project edit

PROJECT_TEXT_FIELDS = {"name": "项目名称", "code": "项目编码", "purpose": "资金用途", "goal": "绩效目标"}
PROJECT_MONEY_FIELDS = {"budget_total": "预算数", "budget_fiscal": "财政资金", "budget_other": "其他资金"}
INDICATOR_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "description": "指标描述",
    "value": "指标值",
    "basis": "指标值确定依据",
}
INDICATOR_LIMITS = {"level1": 100, "level2": 100, "name": 300, "value": 300}


def _money(text: Any, label: str, errors: dict[str, str], key: str) -> Decimal | None:
    if text is None:
        return None
    s = str(text).strip().replace(",", "").replace("，", "")
    if not s:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        errors[key] = f"{label}应为数字（万元），例如 12.5"
        return None
    if not d.is_finite() or d < 0 or d >= Decimal(10) ** 12:
        errors[key] = f"{label}应为不小于 0 的数字（万元）"
        return None
    return d


def _clean(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _locked_project(actor: User | None, project_id: int) -> Project:
    proj = Project.objects.select_for_update().select_related("unit").filter(pk=project_id).first()
    if proj is None or not can_view_project(actor, proj):
        raise NotFound("项目不存在或您无权查看。")
    return proj


def _check_version(proj: Project, version: int | None) -> None:
    if version is None:
        return
    if int(version) != proj.version:
        last = proj.history.order_by("-at", "-id").first()
        who = f"{last.username} 于 {timezone.localtime(last.at):%Y-%m-%d %H:%M:%S} " if last else ""
        raise Conflict(
            f"保存冲突：该项目已被{who}修改（当前版本 {proj.version}，您编辑的是版本 {version}）。"
            "为避免覆盖他人的修改，本次保存未生效。请刷新页面查看最新内容后再修改。"
        )


def _bump(proj: Project, version: int) -> None:
    """Advance the version only if nobody else did in between (safe on every database)."""
    n = Project.objects.filter(pk=proj.pk, version=version).update(version=version + 1)
    if n != 1:
        raise Conflict("保存冲突：该项目刚被他人修改，本次保存未生效。请刷新页面后重新修改。")
    proj.version = version + 1


def edit_project(
    actor: User | None,
    project_id: int,
    *,
    version: int,
    fields: dict[str, Any] | None = None,
    indicators: list[dict[str, Any]] | None = None,
) -> Project:
    """Change a project's fields and/or its indicator rows.

    `fields`: any of name, code, purpose, goal, budget_total, budget_fiscal, budget_other,
    spending_plan (dict 节点 → "NN%"). `indicators`: the complete new list of rows, each a dict with
    the INDICATOR_FIELDS and optionally the `id` of the row it replaces. `version` is the version the
    editor saw: a stale one raises Conflict and writes nothing.
    """
    fields = fields or {}
    with transaction.atomic():
        proj = _locked_project(actor, project_id)
        if not can_edit_project(actor, proj):
            if role_of(actor) == Role.UNIT:
                raise Denied(f"项目{proj.get_state_display()}，单位用户不能修改。")
            raise Denied("您没有修改项目的权限。")
        _check_version(proj, version)
        errors: dict[str, str] = {}
        changes: list[dict[str, Any]] = []
        new: dict[str, Any] = {}
        for k in PROJECT_TEXT_FIELDS:
            if k in fields:
                new[k] = _clean(fields[k])
                if k == "name" and not new[k]:
                    errors[k] = "项目名称不能为空"
                if k in ("name",) and new[k] and len(new[k]) > 300:
                    errors[k] = "项目名称不能超过 300 字"
                if k == "code" and new[k] and len(new[k]) > 60:
                    errors[k] = "项目编码不能超过 60 字"
        for k, label in PROJECT_MONEY_FIELDS.items():
            if k in fields:
                new[k] = _money(fields[k], label, errors, k)
        total = new.get("budget_total", proj.budget_total)
        fiscal = new.get("budget_fiscal", proj.budget_fiscal)
        other = new.get("budget_other", proj.budget_other)
        if not errors.keys() & PROJECT_MONEY_FIELDS.keys() and total is not None and fiscal is not None:
            if fiscal + (other or 0) > total:
                errors["budget_fiscal"] = "财政资金与其他资金之和不能大于预算数"
        if "spending_plan" in fields:
            plan = fields["spending_plan"] or {}
            clean_plan: dict[str, str] = {}
            last = Decimal(-1)
            for node, share in plan.items():
                s = _clean(share)
                if s is None:
                    continue
                num = s.rstrip("%％").strip()
                try:
                    d = Decimal(num)
                    if not d.is_finite():  # NaN, Infinity
                        raise InvalidOperation
                except InvalidOperation:
                    errors[f"spending_plan.{node}"] = f"资金支出计划“{node}”应为百分比，例如 50%"
                    continue
                if d < 0 or d > 100:
                    errors[f"spending_plan.{node}"] = f"资金支出计划“{node}”应在 0% 到 100% 之间"
                elif d < last:
                    errors[f"spending_plan.{node}"] = f"资金支出计划“{node}”不能小于前一节点"
                last = max(last, d)
                clean_plan[str(node)] = s if s.endswith(("%", "％")) else s + "%"
            new["spending_plan"] = clean_plan or None
        rows: list[dict[str, Any]] | None = None
        if indicators is not None:
            rows = []
            for n, row in enumerate(indicators, 1):
                r = {k: _clean(row.get(k)) for k in INDICATOR_FIELDS}
                if not any(r.values()):
                    continue  # a blank row in the form
                for k in ("level1", "name", "value"):
                    if not r[k]:
                        errors[f"indicators.{n}.{k}"] = f"第 {n} 行：{INDICATOR_FIELDS[k]}不能为空"
                for k, lim in INDICATOR_LIMITS.items():
                    if r[k] and len(r[k]) > lim:
                        errors[f"indicators.{n}.{k}"] = f"第 {n} 行：{INDICATOR_FIELDS[k]}不能超过 {lim} 字"
                r["id"] = row.get("id")
                rows.append(r)
        if errors:
            raise Invalid("输入有误，未保存：" + "；".join(errors.values()), errors)

        for k, v in new.items():
            old = getattr(proj, k)
            if old != v and not (old in (None, "") and v in (None, "")):
                changes.append({"field": k, "old": _jsonable(old), "new": _jsonable(v)})
                setattr(proj, k, v)
        if rows is not None:
            changes.extend(_replace_indicators(proj, rows))
        if not changes:
            return proj
        _bump(proj, proj.version)
        proj.save(update_fields=[*new.keys(), "updated_at"])
        _record(actor, "edit", _describe(changes), project=proj, changes=changes)
        _rereview([proj.disclosure_id])
    return proj


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v.normalize()) if v != v.to_integral_value() else str(v.quantize(Decimal(1)))
    return v


def _replace_indicators(proj: Project, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    existing = {i.pk: i for i in proj.indicators.all()}
    changes: list[dict[str, Any]] = []
    kept: set[int] = set()
    for seq, r in enumerate(rows, 1):
        rid = r.get("id")
        try:
            rid = int(rid) if rid not in (None, "") else None
        except (TypeError, ValueError):
            rid = None
        ind = existing.get(rid) if rid is not None else None
        domain = m.Indicator(
            level1=r["level1"],
            level2=r["level2"],
            name=r["name"],
            description=r["description"],
            value=r["value"],
            basis=r["basis"],
        )
        if ind is None:
            data = convert.indicator_fields(domain, proj.year)
            data.pop("location")
            Indicator.objects.create(project=proj, seq=seq, **data)
            changes.append({"field": "indicator", "old": None, "new": r["name"] + "：" + (r["value"] or "")})
            continue
        kept.add(ind.pk)
        diff = {k: (getattr(ind, k), r[k]) for k in INDICATOR_FIELDS if (getattr(ind, k) or None) != r[k]}
        if diff or ind.seq != seq:
            data = convert.indicator_fields(domain, proj.year)
            data.pop("location")
            data.pop("nature"), data.pop("measure_unit"), data.pop("weight")
            for k, v in data.items():
                setattr(ind, k, v)
            ind.seq = seq
            ind.save()
            for k, (old, newv) in diff.items():
                changes.append({"field": f"indicator.{k}", "indicator": ind.name, "old": old, "new": newv})
    for pk, ind in existing.items():
        if pk not in kept:
            changes.append({"field": "indicator", "old": f"{ind.name}：{ind.value or ''}", "new": None})
            ind.delete()
    return changes


FIELD_LABELS = {
    **PROJECT_TEXT_FIELDS,
    **PROJECT_MONEY_FIELDS,
    "spending_plan": "资金支出计划",
    **{f"indicator.{k}": v for k, v in INDICATOR_FIELDS.items()},
    "indicator": "指标",
}


def _describe(changes: list[dict[str, Any]]) -> str:
    parts = []
    for c in changes[:8]:
        label = FIELD_LABELS.get(c["field"], c["field"])
        if c["field"] == "indicator":
            parts.append(f"新增指标 {c['new']}" if c["old"] is None else f"删除指标 {c['old']}")
        elif c["field"].startswith("indicator."):
            parts.append(
                f"指标“{c.get('indicator') or ''}”的{label}：{c['old'] or '（空）'} → {c['new'] or '（空）'}"
            )
        else:
            parts.append(f"{label}：{_short(c['old'])} → {_short(c['new'])}")
    if len(changes) > 8:
        parts.append(f"等 {len(changes)} 处")
    return "；".join(parts)


def _short(v: Any) -> str:
    s = "（空）" if v in (None, "") else str(v)
    return s if len(s) <= 40 else s[:39] + "…"


# ---------------------------------------------------------------------------------------- workflow


def submit_project(actor: User | None, project_id: int, *, version: int | None = None) -> Project:
    """单位用户 (or 管理员) submits a draft or returned project for review."""
    with transaction.atomic():
        proj = _locked_project(actor, project_id)
        _check_version(proj, version)
        if proj.state not in (State.DRAFT, State.RETURNED):
            raise Denied(f"项目{proj.get_state_display()}，不能再次提交。")
        if role_of(actor) not in (Role.ADMIN, Role.UNIT):
            raise Denied("只有单位用户或管理员可以提交项目。")
        if not proj.indicators.exists():
            raise Invalid("项目没有绩效指标，不能提交。", {"indicators": "至少填写一个绩效指标"})
        return _move(actor, proj, State.SUBMITTED, "submit", "提交审核")


def return_project(
    actor: User | None,
    project_id: int,
    *,
    comment: str,
    version: int | None = None,
    findings: list[str] | None = None,
) -> Project:
    """审核人 returns a submitted project with a comment saying what to fix, optionally attaching
    review findings by `Finding.key`; a snapshot of each is kept in the History record."""
    comment = (comment or "").strip()
    with transaction.atomic():
        proj = _locked_project(actor, project_id)
        _check_version(proj, version)
        if not can_review(actor, proj):
            raise Denied(
                "只有审核人或管理员可以退回已提交的项目。"
                if proj.state == State.SUBMITTED
                else f"项目{proj.get_state_display()}，只有已提交的项目可以退回。"
            )
        if not comment:
            raise Invalid("退回时请填写退回意见。", {"comment": "请填写退回意见"})
        attached: list[dict[str, Any]] = []
        if findings:
            from jixiao.web.reviews import findings_for_keys

            attached, missing = findings_for_keys(proj, findings)
            if missing:
                raise Invalid(
                    f"所选审核发现已不存在（{'、'.join(missing)}），请刷新页面后重新选择。",
                    {"findings": "、".join(missing)},
                )
        summary = f"退回：{comment}" + (f"（附审核发现 {len(attached)} 条）" if attached else "")
        extra = [{"field": "comment", "old": None, "new": comment}]
        if attached:
            extra.append({"field": "findings", "old": None, "new": attached})
        return _move(actor, proj, State.RETURNED, "return", summary, extra=extra)


def approve_project(actor: User | None, project_id: int, *, version: int | None = None) -> Project:
    """审核人 approves a submitted project."""
    with transaction.atomic():
        proj = _locked_project(actor, project_id)
        _check_version(proj, version)
        if not can_review(actor, proj):
            raise Denied(
                "只有审核人或管理员可以批复已提交的项目。"
                if proj.state == State.SUBMITTED
                else f"项目{proj.get_state_display()}，只有已提交的项目可以批复。"
            )
        return _move(actor, proj, State.APPROVED, "approve", "审核通过（批复）")


def _move(
    actor: User | None, proj: Project, to: str, action: str, summary: str, *, extra: list[Any] | None = None
) -> Project:
    old = proj.state
    _bump(proj, proj.version)
    proj.state = to
    proj.save(update_fields=["state", "updated_at"])
    changes = [{"field": "state", "old": old, "new": to}, *(extra or [])]
    _record(actor, action, summary, project=proj, changes=changes)
    _rereview([proj.disclosure_id])
    return proj


# ----------------------------------------------------------------------------------- users, tokens


def _units_by_id(ids: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in units}
    if missing:
        raise Invalid(f"没有编号为 {'、'.join(map(str, sorted(missing)))} 的单位。", {"unit": str(missing)})
    return units


def _resolve_units(codes: list[str]) -> list[Unit]:
    """Units as a user names them (`jixiao user create --unit`): a code, region:code or id:N (see
    `units.find_units`), else a bare number as the unit's id. A code several units share is an
    error listing them."""
    from jixiao.web.units import UnitSpecError, find_units, resolve_unit

    units: list[Unit] = []
    for c in codes:
        if not find_units(c) and c.strip().isdigit():
            c = f"id:{c.strip()}"
        try:
            units.append(resolve_unit(c))
        except UnitSpecError as e:
            raise Invalid(e.message, {"unit": c}) from None
    return units


def password_errors(password: str, user: User | None = None) -> str | None:
    """What Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) find wrong with a
    password for `user`, in Chinese; None when it passes."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"):
        try:
            password_validation.validate_password(password, user)
        except ValidationError as e:
            lines = []
            for err in e.error_list:
                if err.code == "password_too_short":  # Django's Chinese catalogue lacks this one
                    n = (err.params or {}).get("min_length", 8)
                    lines.append(f"密码太短，至少要 {n} 个字符。")
                else:
                    m = " ".join(err.messages)
                    lines.append(m if m.endswith("。") else m + "。")
            return "密码不符合要求：" + "".join(lines)
    return None


def create_user(
    actor: User | None,
    username: str,
    role: str,
    *,
    unit_codes: list[str] | None = None,
    unit_ids: list[int] | None = None,
    password: str | None = None,
    validate_password: bool = True,
) -> tuple[User, str]:
    """Create an account; returns the user and the password (generated when not given). Units by
    code (`jixiao user create --unit`) or by id (the admin's choice). A given password must pass
    Django's password validators; only the demo's well-known accounts skip them
    (`validate_password=False`)."""
    if not can_manage_users(actor):
        raise Denied("只有管理员可以创建用户。")
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if not username or len(username) > 150:
        errors["username"] = "用户名不能为空，且不超过 150 字"
    if password is not None and validate_password:
        problem = password_errors(password, User(username=username, role=role))
        if problem:
            errors["password"] = problem
    if role not in Role.values:
        errors["role"] = f"角色应为 {', '.join(Role.values)} 之一"
    if role == Role.UNIT and not unit_codes and not unit_ids:
        errors["unit"] = "单位用户至少要属于一个单位（--unit 编码）"
    if username and User.objects.filter(username=username).exists():
        errors["username"] = f"用户名 {username} 已存在"
    if errors:
        raise Invalid("；".join(errors.values()), errors)
    with transaction.atomic():
        units = _resolve_units(unit_codes or []) + _units_by_id(unit_ids or [])
        pw = password or secrets.token_urlsafe(9)
        user = User(
            username=username, role=role, is_staff=(role == Role.ADMIN), is_superuser=(role == Role.ADMIN)
        )
        user.set_password(pw)
        user.save()
        if units:
            user.units.set(units)
        _record(
            actor,
            "user",
            f"创建用户 {username}（{Role(role).label}）"
            + (f"，单位：{'、'.join(u.name for u in units)}" if units else ""),
        )
    return user, pw


def user_change_errors(
    actor: User | None,
    user: User,
    *,
    role: str,
    units: list[Unit],
    active: bool | None,
    password: str | None,
) -> dict[str, str]:
    """What is wrong with changing `user` so (field → message; empty when nothing): the checks of
    `update_user`, also run by the admin's form before it saves."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = f"角色应为 {', '.join(Role.values)} 之一"
    if role == Role.UNIT and not units:
        errors["units"] = "单位用户至少要属于一个单位"
    if actor is not None and actor.pk == user.pk:
        if active is False:
            errors["is_active"] = "不能停用自己的账号"
        if role != Role.ADMIN:
            errors["role"] = "不能取消自己的管理员角色"
    if password is not None:
        problem = password_errors(password, user)
        if problem:
            errors["password"] = problem
    return errors


def update_user(
    actor: User | None,
    username: str,
    *,
    role: str | None = None,
    unit_codes: list[str] | None = None,
    unit_ids: list[int] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change an account (管理员 only): its role, its units (by code or id; they replace the old
    ones), whether it may log in (a deactivated user's sessions and API tokens stop working at once),
    its password. An administrator cannot deactivate or demote themselves (someone must undo it)."""
    if not can_manage_users(actor):
        raise Denied("只有管理员可以修改用户。")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=(username or "").strip()).first()
        if user is None:
            raise NotFound(f"用户 {username} 不存在。")
        new_role = role if role is not None else user.role
        given = unit_codes is not None or unit_ids is not None
        if given:
            units = _resolve_units(unit_codes or []) + _units_by_id(unit_ids or [])
        else:
            units = list(user.units.all())
        errors = user_change_errors(actor, user, role=new_role, units=units, active=active, password=password)
        if errors:
            raise Invalid("；".join(errors.values()), errors)
        changes: list[dict[str, Any]] = []
        if new_role != user.role:
            changes.append({"field": "role", "old": user.role, "new": new_role})
            user.role = new_role
            user.is_staff = user.is_superuser = new_role == Role.ADMIN
        old_units = sorted(u.name for u in user.units.all())
        if given and sorted(u.name for u in units) != old_units:
            changes.append({"field": "units", "old": old_units, "new": sorted(u.name for u in units)})
            user.units.set(units)
        if active is not None and active != user.is_active:
            changes.append({"field": "is_active", "old": user.is_active, "new": active})
            user.is_active = active
        if password is not None:
            changes.append({"field": "password", "old": None, "new": None})
            user.set_password(password)
        if not changes:
            return user
        user.save()
        labels = {"role": "角色", "units": "单位", "is_active": "启用", "password": "密码"}
        _record(
            actor,
            "user",
            f"修改用户 {user.username}："
            + "、".join(labels[c["field"]] for c in changes)
            + ("（已停用）" if user.is_active is False else ""),
            changes=[c for c in changes if c["field"] != "password"] or None,
        )
    return user


def revoke_tokens(
    actor: User | None, username: str, prefix: str | None = None, *, ids: list[int] | None = None
) -> int:
    """Revoke a user's API tokens (all of them, those whose first characters are `prefix`, or those
    with these `ids`): administrators for anyone, users for themselves. Returns how many."""
    target = User.objects.filter(username=(username or "").strip()).first()
    if target is None:
        raise NotFound(f"用户 {username} 不存在。")
    if not can_manage_users(actor) and (actor is None or actor.pk != target.pk):
        raise Denied("只能撤销自己的令牌。")
    with transaction.atomic():
        tokens = ApiToken.objects.filter(user=target)
        if prefix:
            tokens = tokens.filter(prefix__startswith=prefix[:8])
        if ids is not None:
            tokens = tokens.filter(pk__in=ids)
        gone = sorted(tokens.values_list("prefix", flat=True))
        if not gone:
            raise NotFound(f"用户 {target.username} 没有{'以 ' + prefix + ' 开头的' if prefix else ''}令牌。")
        tokens.delete()
        _record(actor, "token", f"撤销 {target.username} 的 API 令牌 " + "、".join(f"{p}…" for p in gone))
    return len(gone)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(actor: User | None, username: str) -> str:
    """A new API token for `username` (admins for anyone, users for themselves); shown once."""
    target = User.objects.filter(username=username).first()
    if target is None:
        raise NotFound(f"用户 {username} 不存在。")
    if not can_manage_users(actor) and (actor is None or actor.pk != target.pk):
        raise Denied("只能为自己申请令牌。")
    token = "jx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=target, digest=_digest(token), prefix=token[:8])
        _record(actor, "token", f"为 {username} 签发 API 令牌 {token[:8]}…")
    return token


def user_for_token(token: str) -> User | None:
    """The active user an API token belongs to; notes when the token was last used (at most once a
    minute, no history: this is bookkeeping, not a change of data)."""
    if not token:
        return None
    t = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if t is None or not t.user.is_active:
        return None
    now = timezone.now()
    if t.last_used is None or (now - t.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=t.pk).update(last_used=now)
    return t.user


# ------------------------------------------------------------ monitoring and self-evaluation
# 运行监控 and 绩效自评: the lights and scores come from jixiao.monitor and jixiao.evaluate; these
# actions only check permission, turn the entered rows into their input, store and record history.

MONITOR_ROW_FIELDS = ("actual", "status", "reason_category", "reason_text", "likelihood", "measures")
SELFEVAL_ROW_FIELDS = ("actual", "band", "score", "reason")


def _report_project(actor: User | None, project_id: int) -> tuple[Project, list[Indicator]]:
    from jixiao.web.permissions import can_report

    proj = _locked_project(actor, project_id)
    if not can_report(actor, proj):
        raise Denied("只有本单位用户或管理员可以填报运行监控和绩效自评。")
    return proj, list(proj.indicators.all())


def _date(v: Any, label: str, errors: dict[str, str], key: str) -> Any:
    from datetime import date

    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v or "").strip())
    except ValueError:
        errors[key] = f"{label}应为日期，例如 2024-07-31"
        return None


def _choice(v: Any, options: tuple[str, ...], label: str, errors: dict[str, str], key: str) -> str | None:
    s = _clean(v)
    if s is not None and s not in options:
        errors[key] = f"{label}「{s}」应为 {'、'.join(options)} 之一"
        return None
    return s


def _dec_str(d: Decimal | None) -> str | None:
    return None if d is None else format(d.normalize(), "f")


def save_monitoring(
    actor: User | None,
    project_id: int,
    *,
    as_of: Any,
    executed: Any,
    deviation: dict[str, Any] | None = None,
    rows: list[dict[str, Any]] | None = None,
    require_complete: bool = False,
    revision: str | None = None,
) -> Any:
    """Store a monitoring snapshot of a project as of a date (replacing one of the same date).

    `revision`: the `snapshot_revision` of the snapshot the user edited ("" for none). When given,
    a snapshot of that date that the user has not seen as it now is (changed since, or someone
    else's of a date they typed) is not overwritten: Conflict, nothing stored.

    `rows` are the indicators' entries in the project's order (MONITOR_ROW_FIELDS); `deviation` the
    spending line's 偏差原因 etc. The lights come from `jixiao.monitor.assess`; a red or yellow line
    without 偏差原因, 完成目标可能性 and 整改措施 is stored as incomplete (its gaps in `problems`), or
    refused with `require_complete` (the workbook import). Input that cannot be read or compared
    (a date, a number, an actual in the wrong unit) is refused, nothing stored.
    """
    from jixiao import monitor
    from jixiao.web.models import MonitoringSnapshot

    rows = list(rows or [])
    deviation = deviation or {}
    with transaction.atomic():
        proj, indicators = _report_project(actor, project_id)
        errors: dict[str, str] = {}
        day = _date(as_of, "监控截至日期", errors, "as_of")
        spent = _money(executed, "截至监控日执行数", errors, "executed")
        if day is not None and proj.year and day.year != proj.year:
            errors["as_of"] = f"监控截至日期应在项目年度 {proj.year} 年内"
        if len(rows) > len(indicators):
            errors["rows"] = f"填报了 {len(rows)} 行，项目只有 {len(indicators)} 个指标"
        dev = monitor.Deviation(
            category=_choice(
                deviation.get("reason_category"),
                monitor.REASON_CATEGORIES,
                "偏差原因",
                errors,
                "reason_category",
            ),
            text=_clean(deviation.get("reason_text")),
            likelihood=_choice(
                deviation.get("likelihood"), monitor.LIKELIHOODS, "完成目标可能性", errors, "likelihood"
            ),
            measures=_clean(deviation.get("measures")),
        )
        if errors:
            raise Invalid("监控数据有误，未保存：" + "；".join(errors.values()), errors)
        snap = monitor.snapshot_for(convert.project_from_orm(proj, indicators), day, year=proj.year)
        snap.executed = spent
        snap.deviation = dev
        for i, ind in enumerate(snap.indicators):
            r = rows[i] if i < len(rows) else {}
            ind.actual = _clean(r.get("actual"))
            ind.status = _choice(
                r.get("status"), monitor.STATUS_OPTIONS, "完成情况", errors, f"row-{i}-status"
            )
            ind.deviation = monitor.Deviation(
                category=_choice(
                    r.get("reason_category"),
                    monitor.REASON_CATEGORIES,
                    "偏差原因",
                    errors,
                    f"row-{i}-reason_category",
                ),
                text=_clean(r.get("reason_text")),
                likelihood=_choice(
                    r.get("likelihood"), monitor.LIKELIHOODS, "完成目标可能性", errors, f"row-{i}-likelihood"
                ),
                measures=_clean(r.get("measures")),
            )
            ind.cells = {k: str(v) for k, v in (r.get("cells") or {}).items()}
        if not errors:  # locate every actual that cannot be compared with its target
            expected, _ = monitor.expected_progress(snap.spending_plan, day, snap.year, snap.budget)
            for i, ind in enumerate(snap.indicators):
                try:
                    monitor.indicator_light(ind, expected, day, index=i, year=snap.year, where="")
                except monitor.MonitorError as e:
                    msg = str(e).removeprefix(": ")
                    errors[f"row-{i}-actual"] = (
                        f"{ind.cells.get('actual', '')} 指标「{ind.name or ''}」：{msg}".strip()
                    )
        if errors:
            raise Invalid("监控数据有误，未保存：" + "；".join(errors.values()), errors)
        try:
            result = monitor.assess(snap)
        except monitor.MonitorError as e:
            raise Invalid(f"监控数据有误，未保存：{e}", {"executed": str(e)}) from None
        problems = monitor.validate_snapshot(snap, result)
        if require_complete and problems:
            raise Invalid(
                "监控表不完整，未保存：" + "；".join(str(p) for p in problems),
                {f"problem-{k}": str(p) for k, p in enumerate(problems)},
            )
        stored_rows = [
            {
                "indicator_id": orm_ind.pk,
                "name": ind.name,
                "target": ind.target,
                "actual": ind.actual,
                "status": ind.status,
                "reason_category": ind.deviation.category,
                "reason_text": ind.deviation.text,
                "likelihood": ind.deviation.likelihood,
                "measures": ind.deviation.measures,
                "light": lt.light,
                "ratio": _dec_str(lt.ratio),
                "note": lt.note,
            }
            for orm_ind, ind, lt in zip(indicators, snap.indicators, result.indicators, strict=True)
        ]
        values = {
            "executed": spent,
            "reason_category": dev.category or "",
            "reason_text": dev.text or "",
            "likelihood": dev.likelihood or "",
            "measures": dev.measures or "",
            "rows": stored_rows,
            "light": result.light or "",
            "spending_light": result.spending_light or "",
            "execution_rate": result.execution_rate,
            "expected": result.expected,
            "problems": [str(p) for p in problems],
            "complete": not problems,
            "entered_by": _username(actor),
        }
        if revision is not None:
            there = MonitoringSnapshot.objects.filter(project=proj, as_of=day).first()
            if there is not None and snapshot_revision(there) != revision:
                raise Conflict(
                    f"截至 {day.isoformat()} 的监控记录已由 {there.entered_by or '其他用户'} 于 "
                    f"{timezone.localtime(there.updated_at):%Y-%m-%d %H:%M} 保存，您看到的不是最新内容；"
                    "未保存。请重新打开该日期的记录后再修改。"
                )
        obj, created = MonitoringSnapshot.objects.update_or_create(project=proj, as_of=day, defaults=values)
        keep_cycle_summary(proj.pk)
        label = monitor.LIGHT_LABELS.get(result.light or "", "未完成评价")
        _record(
            actor,
            "monitor",
            f"{'填报' if created else '修改'}运行监控（截至 {day.isoformat()}）：{label}"
            + ("" if not problems else f"，待补充 {len(problems)} 项"),
            project=proj,
            changes={
                "as_of": day.isoformat(),
                "executed": _dec_str(spent),
                "light": result.light,
                "complete": not problems,
            },
        )
        return obj


def snapshot_revision(snapshot: Any) -> str:
    """What identifies a stored monitoring snapshot as a user saw it: its date and update time."""
    return f"{snapshot.as_of.isoformat()}|{snapshot.updated_at.isoformat()}"


def keep_cycle_summary(project_id: int) -> None:
    """Repeat the project's latest 运行监控 result and its 自评 score on the project row, which the
    unit-year page and other lists read (called in the transaction of every snapshot or
    self-evaluation write; neither the project's version nor its update time changes)."""
    from jixiao.web.models import MonitoringSnapshot, SelfEvaluation

    snap = (
        MonitoringSnapshot.objects.filter(project_id=project_id)
        .order_by("-as_of")
        .values_list("light", "as_of", "execution_rate")
        .first()
    )
    ev = SelfEvaluation.objects.filter(project_id=project_id).values_list("total", "grade").first()
    light, as_of, rate = snap or ("", None, None)
    total, grade = ev or (None, "")
    Project.objects.filter(pk=project_id).update(
        monitor_light=light, monitor_as_of=as_of, monitor_rate=rate, eval_total=total, eval_grade=grade
    )


def record_outcome(actor: User | None, snapshot_id: int, *, outcome: str, note: str = "") -> Any:
    """审核人 records the corrective outcome of a monitoring result: continue, adjust target (with
    approval), reduce budget or suspend."""
    from jixiao.web.models import MonitoringSnapshot, Outcome
    from jixiao.web.permissions import can_record_outcome

    with transaction.atomic():
        snap = (
            MonitoringSnapshot.objects.select_for_update()
            .select_related("project")
            .filter(pk=snapshot_id)
            .first()
        )
        if snap is None or not can_view_project(actor, snap.project):
            raise NotFound("监控记录不存在或您无权查看。")
        if not can_record_outcome(actor):
            raise Denied("只有审核人或管理员可以记录监控处理意见。")
        if outcome not in Outcome.values:
            raise Invalid(f"处理意见应为 {'、'.join(Outcome.labels)} 之一。", {"outcome": "请选择处理意见"})
        note = (note or "").strip()
        if outcome != Outcome.CONTINUE and not note:
            raise Invalid("调整目标、调减预算或暂停实施时请填写说明。", {"outcome_note": "请填写说明"})
        old = snap.outcome
        snap.outcome, snap.outcome_note = outcome, note
        snap.outcome_by, snap.outcome_at = _username(actor), timezone.now()
        snap.save(update_fields=["outcome", "outcome_note", "outcome_by", "outcome_at", "updated_at"])
        _record(
            actor,
            "outcome",
            f"监控处理意见（截至 {snap.as_of.isoformat()}）：{Outcome(outcome).label}"
            + (f"：{note}" if note else ""),
            project=snap.project,
            changes=[{"field": "outcome", "old": old, "new": outcome}],
        )
        return snap


def save_selfeval(
    actor: User | None,
    project_id: int,
    *,
    adjusted: Any,
    executed: Any,
    rows: list[dict[str, Any]] | None = None,
    execution_reason: str = "",
    goal_actual: str = "",
    weights: dict[str, Any] | None = None,
    require_execution_reason: bool = True,
) -> Any:
    """Store a project's year-end self-evaluation and its score (`jixiao.evaluate`).

    `weights` replace the default 10/50/30/10 (they must sum to 100); a row's "weight" is the
    indicator's 分值. `require_execution_reason=False`: the workbook import, which checks the 自评表's
    执行率偏差原因 cell itself (and locates the error) — workbooks written before that cell existed
    store an execution rate below 90% without its explanation.

    `rows` are the indicators' entries in the project's order (SELFEVAL_ROW_FIELDS). Refused,
    nothing stored, when the scorer rejects the input (a score outside its band, an actual that
    cannot be compared) or an explanation it asks for is missing (执行率 below 90%, an indicator
    at 130% of its target or more).
    """
    from jixiao import evaluate
    from jixiao.web.models import SelfEvaluation

    rows = list(rows or [])
    with transaction.atomic():
        proj, indicators = _report_project(actor, project_id)
        errors: dict[str, str] = {}
        adj = _money(adjusted, "全年预算数", errors, "adjusted")
        spent = _money(executed, "全年执行数", errors, "executed")
        if adj is None and "adjusted" not in errors:
            errors["adjusted"] = "请填写全年预算数（万元）"
        if spent is None and "executed" not in errors:
            errors["executed"] = "请填写全年执行数（万元）"
        if len(rows) > len(indicators):
            errors["rows"] = f"填报了 {len(rows)} 行，项目只有 {len(indicators)} 个指标"
        ev = evaluate.evaluation_for(convert.project_from_orm(proj, indicators), year=proj.year)
        for i, ind in enumerate(ev.indicators):
            r = rows[i] if i < len(rows) else {}
            ind.actual = _clean(r.get("actual"))
            ind.reason = _clean(r.get("reason"))
            if _clean(r.get("weight")) is not None:
                try:
                    ind.weight = evaluate.to_decimal(r.get("weight"))
                except (ValueError, InvalidOperation, TypeError):
                    errors[f"row-{i}-weight"] = f"指标「{ind.name or ''}」：分值「{r.get('weight')}」应为数字"
            band = _clean(r.get("band"))
            if band is not None and evaluate.band_name(band) is None:
                errors[f"row-{i}-band"] = f"自评档次「{band}」应为 {'、'.join(evaluate.BANDS)} 之一"
            ind.band = evaluate.band_name(band) if band else None
            score = _clean(r.get("score"))
            if score is not None:
                try:
                    ind.score = evaluate.to_decimal(score)
                except (ValueError, InvalidOperation, TypeError):
                    errors[f"row-{i}-score"] = f"指标「{ind.name or ''}」：得分「{score}」应为数字"
        if errors:
            raise Invalid("自评数据有误，未保存：" + "；".join(errors.values()), errors)
        ev.budget = evaluate.Budget(adjusted=adj, executed=spent, initial=proj.budget_total)
        ev.goal_actual = _clean(goal_actual)
        if weights:
            try:
                ev.weights = evaluate.normalize_weights(weights)
            except (evaluate.EvaluationError, ValueError) as e:
                raise Invalid(f"自评数据有误，未保存：{e}", {"weights": str(e)}) from None
        try:
            result = evaluate.score_evaluation(ev)
        except evaluate.EvaluationError as e:
            key = (
                f"row-{e.indicator}-{e.field or 'actual'}"
                if e.indicator is not None
                else (e.field or "adjusted")
            )
            raise Invalid(f"自评数据有误，未保存：{e}", {key: str(e)}) from None
        reason = (execution_reason or "").strip()
        if result.execution_explanation and not reason and require_execution_reason:
            errors["execution_reason"] = f"{result.execution_explanation}：请填写偏差原因分析及改进措施"
        for i, s in enumerate(result.indicators):
            if s.needs_explanation and not s.reason:
                errors[f"row-{i}-reason"] = (
                    f"指标「{s.name or ''}」：{'；'.join(s.explanations)}，请填写偏差原因分析及改进措施"
                )
        if errors:
            raise Invalid("自评数据需要说明，未保存：" + "；".join(errors.values()), errors)
        stored_rows = [
            {
                "indicator_id": orm_ind.pk,
                "name": ind.name,
                "target": ind.target,
                "actual": ind.actual,
                "band": ind.band,
                "score": _dec_str(ind.score),
                "reason": ind.reason,
                "weight": _dec_str(ind.weight),
            }
            for orm_ind, ind in zip(indicators, ev.indicators, strict=True)
        ]
        values = {
            "budget_adjusted": adj,
            "budget_executed": spent,
            "execution_reason": reason,
            "goal_actual": ev.goal_actual or "",
            "rows": stored_rows,
            "result": evaluate.result_to_dict(ev, result),
            "total": result.total.quantize(Decimal("0.01")),
            "grade": result.grade,
            "entered_by": _username(actor),
        }
        obj, created = SelfEvaluation.objects.update_or_create(project=proj, defaults=values)
        keep_cycle_summary(proj.pk)
        _record(
            actor,
            "selfeval",
            f"{'填报' if created else '修改'}绩效自评：{values['total']} 分，{result.grade}",
            project=proj,
            changes={
                "adjusted": _dec_str(adj),
                "executed": _dec_str(spent),
                "total": str(values["total"]),
                "grade": result.grade,
            },
        )
        return obj


def parse_limits() -> ParseLimits:
    """The time and memory one upload may take to parse (settings JIXIAO_PARSE_TIMEOUT/_MEMORY_MB)."""
    from django.conf import settings

    return ParseLimits(timeout=settings.JIXIAO_PARSE_TIMEOUT, memory_mb=settings.JIXIAO_PARSE_MEMORY_MB)


def _workbook_kind(data: bytes) -> str | None:
    """监控表 or 自评表 from the workbook's sheet names. Only `xl/workbook.xml` is read (after the zip
    checks, its size capped), never the sheets or shared strings: this runs in the web process, before
    the bounded parse worker reads the workbook itself."""
    from lxml import etree

    from jixiao.ingest.zipsafe import open_package

    try:
        with open_package(data, "workbook.xlsx", ".xlsx", "xl/workbook.xml") as zf:
            if zf.getinfo("xl/workbook.xml").file_size > 2 * 1024 * 1024:
                return None  # no real workbook's sheet list is that big: the reader says what is wrong
            root = etree.fromstring(zf.read("xl/workbook.xml"), etree.XMLParser(resolve_entities=False))
    except Exception:  # not a workbook: the reader says so with its own message
        return None
    names = [el.get("name") or "" for el in root.iter("{*}sheet")]
    if any(n.startswith("监控表") for n in names):
        return "monitor"
    if any(n.startswith("自评表") for n in names):
        return "selfeval"
    return None


def _project_for_sheet(
    actor: User | None,
    year: int | None,
    code: str | None,
    name: str | None,
    seq: int | None,
    unit: Unit | None,
    unit_name: str | None = None,
) -> Project | None:
    """The project a workbook sheet reports on, among those the actor sees (a unit user: their own
    units' only): by code, else by name; when several units have a project of that name, the one of
    the unit the sheet names (its 单位 cell) or of the unit given; never a guess across units."""
    from jixiao.web.permissions import visible_projects
    from jixiao.web.units import same_name

    qs = visible_projects(actor).filter(year=year).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    for cond in ({"code": code} if code else None, {"name": name} if name else None):
        if cond:
            found = list(qs.filter(**cond)[:50])
            if len(found) > 1 and unit_name:
                found = [p for p in found if same_name(p.unit.name, unit_name)] or found
            if len(found) > 1 and seq is not None:
                found = [p for p in found if p.seq == seq] or found
            if len(found) == 1:
                return found[0]
            if len({p.unit_id for p in found}) > 1:
                where = "、".join(sorted({str(p.unit) for p in found}))
                raise Invalid(
                    f"项目「{name or code}」在多个单位都有（{where}），请指定单位（jixiao report --unit）。",
                    {"unit": "项目所属单位不唯一"},
                )
    return None


@dataclass
class WorkbookImport:
    kind: str  # "monitor" or "selfeval"
    projects: list[tuple[int, str]] = field(default_factory=list)  # (project id, summary line)


def import_cycle_workbook(
    actor: User | None,
    data: bytes,
    *,
    name: str = "workbook.xlsx",
    kind: str | None = None,
    unit: Unit | None = None,
) -> WorkbookImport:
    """Import a filled 绩效运行监控表 or 项目支出绩效自评表 workbook (`jixiao template`), all or nothing.

    Every wrong cell is reported as `监控表!E12: …` (Invalid.errors maps each to its message) and
    nothing is stored when any is wrong; each sheet is saved through `save_monitoring` /
    `save_selfeval` inside one transaction.
    """
    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import run_bounded
    from jixiao.templates import WorkbookError, read_monitor_workbook, read_selfeval_workbook

    kind = kind or _workbook_kind(data)
    if kind not in ("monitor", "selfeval"):
        raise Invalid(
            f"{name}: 不是 jixiao template 生成的绩效运行监控表或自评表工作簿",
            {"file": "没有“监控表”或“自评表”工作表"},
        )
    try:
        read = read_monitor_workbook if kind == "monitor" else read_selfeval_workbook
        items: list[Any] = run_bounded(read, data, name=name, limits=parse_limits())  # a worker process
    except ReadError as e:  # over the time or memory limit
        raise Invalid(f"{name}: {e.message}，未导入任何数据", {"file": e.message}) from None
    except WorkbookError as e:
        raise Invalid(
            f"{name}: 工作簿有 {len(e.problems)} 处错误，未导入任何数据",
            {f"cell-{i}": p for i, p in enumerate(e.problems)},
        ) from None
    out = WorkbookImport(kind)
    errors: dict[str, str] = {}
    with transaction.atomic():
        for k, item in enumerate(items):
            sheet = _sheet_label(item, kind, k, len(items))
            try:
                proj = _project_for_sheet(
                    actor,
                    item.year,
                    item.project_code,
                    item.project_name,
                    item.project_seq,
                    unit,
                    getattr(item, "unit_name", None),
                )
            except Invalid as e:
                errors[f"sheet-{k}"] = f"{sheet}: {e.message}"
                continue
            if proj is None:
                errors[f"sheet-{k}"] = (
                    f"{sheet}: 找不到项目「{item.project_name or ''}」"
                    f"（{item.project_code or '无编码'}，{item.year or '?'} 年）或您无权填报"
                )
                continue
            n = proj.indicators.count()
            if n != len(item.indicators):
                errors[f"sheet-{k}"] = (
                    f"{sheet}: 工作表有 {len(item.indicators)} 个指标，项目「{proj.name}」有 {n} 个"
                )
                continue
            try:
                if kind == "monitor":
                    obj = save_monitoring(
                        actor,
                        proj.pk,
                        as_of=item.as_of,
                        executed=item.executed,
                        deviation=_dev_dict(item.deviation),
                        rows=[
                            {
                                "actual": i.actual,
                                "status": i.status,
                                "cells": i.cells,
                                **_dev_dict(i.deviation),
                            }
                            for i in item.indicators
                        ],
                        require_complete=True,
                    )
                    out.projects.append(
                        (proj.pk, f"{proj.name}：截至 {obj.as_of}，{obj.get_light_display()}")
                    )
                else:
                    obj = save_selfeval(
                        actor,
                        proj.pk,
                        adjusted=item.budget.adjusted,
                        executed=item.budget.executed,
                        goal_actual=item.goal_actual or "",
                        execution_reason=item.execution_reason or "",
                        weights=item.weights,
                        require_execution_reason=False,  # the workbook's own check located it
                        rows=[
                            {
                                "actual": i.actual,
                                "band": i.band,
                                "score": i.score,
                                "reason": i.reason,
                                "weight": i.weight,
                            }
                            for i in item.indicators
                        ],
                    )
                    out.projects.append((proj.pk, f"{proj.name}：{obj.total} 分，{obj.grade}"))
            except (Invalid, Denied, NotFound) as e:
                errors[f"sheet-{k}"] = f"{sheet}: {getattr(e, 'message', str(e))}"
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise Invalid(f"{name}: 工作簿有 {len(errors)} 处错误，未导入任何数据", errors)
    return out


def _dev_dict(d: Any) -> dict[str, Any]:
    return {
        "reason_category": d.category,
        "reason_text": d.text,
        "likelihood": d.likelihood,
        "measures": d.measures,
    }


def _sheet_label(item: Any, kind: str, k: int, n: int) -> str:
    prefix = "监控表" if kind == "monitor" else "自评表"
    return prefix if n == 1 else f"{prefix}{k + 1}"
