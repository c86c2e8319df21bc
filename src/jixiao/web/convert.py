"""Conversion at the boundary between the domain model (jixiao.model) and the ORM (web.models).

Pure functions: domain → field dicts the actions write, ORM rows → domain objects the review,
monitor, evaluate and export modules take.
"""

from __future__ import annotations

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


def target_fields(value: str | None, year: int | None) -> dict[str, Any]:
    """The parsed 指标值 as ORM fields (the whole object plus the queried fields)."""
    tv = _parse(value or "", year)
    number = tv.value if isinstance(tv.value, Decimal) else None
    if number is not None and (abs(number) >= Decimal(10) ** 15 or number != number):
        number = None
    return {
        "target": tv.to_dict(),
        "target_kind": tv.kind or "text",
        "target_op": tv.op,
        "target_number": number,
        "target_unit": (tv.unit or None) and tv.unit[:50],
    }


def _cut(v: str | None, n: int) -> str | None:
    return v[:n] if isinstance(v, str) else v


def indicator_fields(ind: m.Indicator, year: int | None) -> dict[str, Any]:
    l1c, l2c = canonical_levels(ind.level1, ind.level2)
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


def indicator_from_orm(i: orm.Indicator) -> m.Indicator:
    return m.Indicator(
        level1=i.level1,
        level2=i.level2,
        name=i.name,
        description=i.description,
        value=i.value,
        basis=i.basis,
        nature=i.nature,
        measure_unit=i.measure_unit,
        weight=i.weight,
    )


def project_from_orm(p: orm.Project, indicators: list[orm.Indicator] | None = None) -> m.Project:
    """The domain Project of an ORM row (indicators from `indicators` or the prefetched relation)."""
    rows = indicators if indicators is not None else list(p.indicators.all())
    return m.Project(
        seq=p.seq,
        title=p.title,
        name=p.name,
        code=p.code,
        unit_code=p.unit.code if p.unit_id else None,
        unit_name=p.unit.name if p.unit_id else None,
        budget_total=dec_or_none(p.budget_total),
        budget_fiscal=dec_or_none(p.budget_fiscal),
        budget_other=dec_or_none(p.budget_other),
        purpose=p.purpose,
        spending_plan=dict(p.spending_plan) if p.spending_plan else None,
        goal=p.goal,
        indicators=[indicator_from_orm(i) for i in rows],
    )


def disclosure_from_orm(d: orm.Disclosure) -> m.Disclosure:
    """The domain Disclosure of a stored unit-year (budget overview kept as stored JSON is dropped)."""
    projects = d.projects.select_related("unit").prefetch_related("indicators").order_by("seq", "id")
    return m.Disclosure(
        source=d.source,
        unit_code=d.unit.code or None,
        unit_name=d.unit.name,
        year=d.year,
        overall_goal=d.overall_goal,
        sub_goals=[m.SubGoal(title=s.title, goal=s.goal, indicators=s.indicators) for s in d.sub_goals.all()],
        projects=[project_from_orm(p) for p in projects],
    )
