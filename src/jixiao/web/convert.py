"""Conversion at the boundary between the domain model (jixiao.model) and the ORM (web.models).

Domain → field dicts the actions write; ORM rows → the domain objects the review, monitor, evaluate
and export modules take (one mapping: `domain_project`, `domain_indicators`), and the reader of whole
stored unit-years as plain rows (`stored_unit_years`, what the web's review and `jixiao review
--unit` read).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jixiao import model as m
from jixiao.model import TargetValue
from jixiao.taxonomy import canonical_levels
from jixiao.values import parse_value
from jixiao.web import models as orm

MAX_KEY = 320


def project_key(code: str | None, name: str | None, title: str | None = None, seq: int | None = None) -> str:
    """The re-import key of a project inside one unit-year: its code, else its name."""
    code = (code or "").strip()
    if code:
        return code[:MAX_KEY]
    label = (name or title or "").strip()
    if label:
        return ("name:" + label)[:MAX_KEY]
    return f"seq:{seq or 0}"


@lru_cache(maxsize=8192)
def _parse(value: str, year: int | None) -> TargetValue:
    return parse_value(value, year=year)


@lru_cache(maxsize=8192)
def _target_columns(value: str, year: int | None) -> tuple[dict[str, Any], str, Any, Any, Any]:
    """`target_fields` of a 指标值, memoised (the same values recur): its `target` is copied by the
    caller, the rest is immutable."""
    tv = _parse(value, year)
    number = tv.value if isinstance(tv.value, Decimal) else None
    if number is not None and (abs(number) >= Decimal(10) ** 15 or number != number):
        number = None
    return (tv.to_dict(), tv.kind or "text", tv.op, number, (tv.unit or None) and tv.unit[:50])


def target_fields(value: str | None, year: int | None) -> dict[str, Any]:
    """The parsed 指标值 as ORM fields (the whole object plus the queried fields)."""
    target, kind, op, number, unit = _target_columns(value or "", year)
    return {
        "target": dict(target),
        "target_kind": kind,
        "target_op": op,
        "target_number": number,
        "target_unit": unit,
    }


@lru_cache(maxsize=8192)
def indicator_levels(level1: str | None, level2: str | None) -> tuple[str | None, str | None]:
    """`taxonomy.canonical_levels`, memoised (the same few labels recur)."""
    return canonical_levels(level1, level2)


def _cut(v: str | None, n: int) -> str | None:
    return v[:n] if isinstance(v, str) else v


DOMAIN_FIELDS = (
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
"""What the domain Indicator holds of a stored one, in its field order."""

INDICATOR_FIELDS = (
    *DOMAIN_FIELDS,
    "location",
    "level1_canonical",
    "level2_canonical",
    "target",
    "target_kind",
    "target_op",
    "target_number",
    "target_unit",
)
"""What `indicator_fields` gives of an indicator, in its order (the ORM Indicator's columns after its
project and seq)."""


@lru_cache(maxsize=8192)
def _target_text(value: str, year: int | None) -> str:
    """The JSON text of a 指标值's `target` as `bulk` stores it (`bulk.dumps`), memoised."""
    from jixiao.web.bulk import dumps

    return dumps(_target_columns(value, year)[0])


def indicator_values(ind: m.Indicator, year: int | None, *, target_text: bool = False) -> tuple[Any, ...]:
    """`indicator_fields` as a tuple in `INDICATOR_FIELDS` order, without the dict: an import's new
    rows (a hundred a document) go to `bulk.insert_rows` so. `target_text`: the `target` as its JSON
    text (`bulk.insert_rows`' `json_texts`), encoded once for each 指标值. Each `_cut` written out
    (a document's hundred indicators: nine hundred calls fewer)."""
    l1, l2, name, value, nature, mu, weight, loc = (
        ind.level1,
        ind.level2,
        ind.name,
        ind.value,
        ind.nature,
        ind.measure_unit,
        ind.weight,
        ind.location,
    )
    l1c, l2c = indicator_levels(l1, l2)
    text = value or ""
    target, kind, op, number, unit = _target_columns(text, year)
    return (
        l1[:100] if isinstance(l1, str) else l1,
        l2[:100] if isinstance(l2, str) else l2,
        name[:300] if isinstance(name, str) else name,
        ind.description,
        value[:300] if isinstance(value, str) else value,
        ind.basis,
        nature[:50] if isinstance(nature, str) else nature,
        mu[:50] if isinstance(mu, str) else mu,
        weight[:50] if isinstance(weight, str) else weight,
        str(loc)[:200] if loc is not None else None,
        l1c,
        l2c,
        _target_text(text, year) if target_text else dict(target),
        kind,
        op,
        number,
        unit,
    )


def indicator_fields(ind: m.Indicator, year: int | None) -> dict[str, Any]:
    """`indicator_values` as `{attname: value}` (written out: a re-import builds one for each of a
    document's indicators, and a dict from a zip costs a third more)."""
    l1c, l2c = indicator_levels(ind.level1, ind.level2)
    return {
        "level1": _cut(ind.level1, 100),
        "level2": _cut(ind.level2, 100),
        "name": _cut(ind.name, 300),
        "description": ind.description,
        "value": _cut(ind.value, 300),
        "basis": ind.basis,
        "nature": _cut(ind.nature, 50),
        "measure_unit": _cut(ind.measure_unit, 50),
        "weight": _cut(ind.weight, 50),
        "location": _cut(str(ind.location), 200) if ind.location is not None else None,
        "level1_canonical": l1c,
        "level2_canonical": l2c,
        **target_fields(ind.value, year),
    }


def project_fields(p: m.Project) -> dict[str, Any]:
    """Scalar fields of a project (without unit, disclosure, year, key, state, version)."""
    return {
        "seq": p.seq,
        "title": _cut(p.title, 300),
        "name": _cut(p.name, 300),
        "code": _cut(p.code, 60),
        "budget_total": p.budget_total,
        "budget_fiscal": p.budget_fiscal,
        "budget_other": p.budget_other,
        "purpose": p.purpose,
        "spending_plan": dict(p.spending_plan) if p.spending_plan else None,
        "goal": p.goal,
    }


def as_float(v: Any) -> float | None:
    """A stored Decimal as the API's JSON number (None stays None)."""
    return None if v is None else float(v)


def dec_or_none(v: Any) -> Any:
    if isinstance(v, Decimal):
        return v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize()
    return v


def overview_to_json(b: m.BudgetOverview | None) -> dict[str, Any] | None:
    from jixiao.export.json import overview_to_dict

    return overview_to_dict(b)


INDICATOR_COLUMNS = ("project_id", *DOMAIN_FIELDS)
"""What the domain Indicator holds of a stored one (after its project id), in its field order."""

PROJECT_COLUMNS = (
    "id",
    "disclosure_id",
    "seq",
    "title",
    "name",
    "code",
    "unit__code",
    "unit__name",
    "budget_total",
    "budget_fiscal",
    "budget_other",
    "purpose",
    "spending_plan",
    "goal",
    "version",
    "updated_at",
    "disclosure__source",
    "disclosure__unit__code",
    "disclosure__unit__name",
    "disclosure__year",
    "disclosure__overall_goal",
    "disclosure__imported_at",
)


def domain_indicators(rows: Iterable[orm.Indicator]) -> list[m.Indicator]:
    """The domain indicators of these Indicator rows (saved or about to be)."""
    return [m.Indicator(*(getattr(i, c) for c in INDICATOR_COLUMNS[1:])) for i in rows]


def indicator_from_orm(i: orm.Indicator) -> m.Indicator:
    return domain_indicators([i])[0]


def domain_project(cols: tuple[Any, ...], indicators: list[m.Indicator]) -> m.Project:
    """The domain Project of a stored project: `cols` are its seq, title, name, code, unit code,
    unit name, three budgets, purpose, spending plan and goal as read back."""
    seq, title, name, code, ucode, uname, total, fiscal, other, purpose, plan, goal = cols
    return m.Project(
        seq=seq,
        title=title,
        name=name,
        code=code,
        unit_code=ucode,
        unit_name=uname,
        budget_total=dec_or_none(total),
        budget_fiscal=dec_or_none(fiscal),
        budget_other=dec_or_none(other),
        purpose=purpose,
        spending_plan=dict(plan) if plan else None,
        goal=goal,
        indicators=indicators,
    )


def project_from_orm(p: orm.Project, indicators: list[orm.Indicator] | None = None) -> m.Project:
    """The domain Project of an ORM row (indicators from `indicators` or the prefetched relation)."""
    rows = indicators if indicators is not None else list(p.indicators.all())
    unit = p.unit if p.unit_id else None
    return domain_project(
        (
            p.seq,
            p.title,
            p.name,
            p.code,
            unit.code if unit else None,
            unit.name if unit else None,
            p.budget_total,
            p.budget_fiscal,
            p.budget_other,
            p.purpose,
            p.spending_plan,
            p.goal,
        ),
        domain_indicators(rows),
    )


@dataclass
class StoredUnitYear:
    """A stored unit-year as the domain model has it (`doc`, projects in table order), with its
    projects' ids, their (id, version, update time) and the disclosure's import time."""

    doc: m.Disclosure
    project_ids: list[int] = field(default_factory=list)
    stamps: list[tuple[int, int, Any]] = field(default_factory=list)
    imported_at: Any = None


def stored_unit_years(disclosure_ids: Iterable[int]) -> dict[int, StoredUnitYear]:
    """The domain Disclosures of stored unit-years with projects (those without are left out), read
    as plain rows: three queries for any number of unit-years, no model instances."""
    ids = list(disclosure_ids)
    indicators: dict[int, list[m.Indicator]] = {}
    for pid, *cols in (
        orm.Indicator.objects.filter(project__disclosure_id__in=ids)
        .order_by("project_id", "seq", "id")
        .values_list(*INDICATOR_COLUMNS)
    ):
        indicators.setdefault(pid, []).append(m.Indicator(*cols))
    sub_goals: dict[int, list[m.SubGoal]] = {}
    for did, title, goal, inds in (
        orm.SubGoal.objects.filter(disclosure_id__in=ids)
        .order_by("disclosure_id", "seq", "id")
        .values_list("disclosure_id", "title", "goal", "indicators")
    ):
        sub_goals.setdefault(did, []).append(m.SubGoal(title=title, goal=goal, indicators=inds))
    out: dict[int, StoredUnitYear] = {}
    for row in (
        orm.Project.objects.filter(disclosure_id__in=ids)
        .order_by("disclosure_id", "seq", "id")
        .values_list(*PROJECT_COLUMNS)
    ):
        pid, did = row[0], row[1]
        version, updated, source, dcode, dname, year, overall, imported = row[14:]
        got = out.get(did)
        if got is None:
            doc = m.Disclosure(
                source=source,
                unit_code=dcode or None,
                unit_name=dname,
                year=year,
                overall_goal=overall,
                sub_goals=sub_goals.get(did, []),
            )
            got = out[did] = StoredUnitYear(doc, imported_at=imported)
        got.doc.projects.append(domain_project(row[2:14], indicators.get(pid, [])))
        got.project_ids.append(pid)
        got.stamps.append((pid, version, updated))
    return out


def disclosure_from_orm(d: orm.Disclosure) -> m.Disclosure:
    """The domain Disclosure of a stored unit-year (budget overview kept as stored JSON is dropped):
    `stored_unit_years` of it."""
    got = stored_unit_years([d.pk]).get(d.pk)
    if got is not None:
        return got.doc
    return m.Disclosure(  # no projects
        source=d.source,
        unit_code=d.unit.code or None,
        unit_name=d.unit.name,
        year=d.year,
        overall_goal=d.overall_goal,
        sub_goals=[
            m.SubGoal(title=s.title, goal=s.goal, indicators=s.indicators)
            for s in d.sub_goals.order_by("seq", "id")
        ],
    )
