"""The model as JSON-ready dicts (the shape of ../shared/truth/SCHEMA.md plus what users need beside it)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from jixiao.model import BudgetOverview, Disclosure, Indicator, Project
from jixiao.numbers import json_number


def _num(v: Decimal | None) -> Any:
    return json_number(v)


def indicator_to_dict(ind: Indicator) -> dict[str, Any]:
    d: dict[str, Any] = {
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name,
        "description": ind.description,
        "value": ind.value,
        "basis": ind.basis,
        "level1_canonical": ind.level1_canonical,
        "level2_canonical": ind.level2_canonical,
        "target": ind.target.to_dict(),
    }
    for extra in ("nature", "measure_unit", "weight", "target_text", "direction"):
        if getattr(ind, extra) is not None:
            d[extra] = getattr(ind, extra)
    if ind.location is not None:
        d["location"] = str(ind.location)
    return d


def project_to_dict(p: Project, doc: Disclosure | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "seq": p.seq,
        "title": p.title,
        "name": p.name,
        "code": p.code,
        "budget_total": _num(p.budget_total),
        "budget_fiscal": _num(p.budget_fiscal),
        "budget_other": _num(p.budget_other),
        "purpose": p.purpose,
        # a blank milestone (kept as "" for the review) is omitted, as a blank cell is
        "spending_plan": {k: v for k, v in p.spending_plan.items() if v} or None if p.spending_plan else None,
        "goal": p.goal,
        "region": p.region,
        "kind": p.kind,
        "indicators": [indicator_to_dict(i) for i in p.indicators],
    }
    # the unit a table names, where it differs from the document's
    if (
        doc is not None
        and (p.unit_code, p.unit_name) != (None, None)
        and ((p.unit_code and p.unit_code != doc.unit_code) or (p.unit_name and p.unit_name != doc.unit_name))
    ):
        d["unit_code"] = p.unit_code
        d["unit_name"] = p.unit_name
    return d


def overview_to_dict(b: BudgetOverview | None) -> dict[str, Any] | None:
    if b is None:
        return None
    raw = asdict(b)

    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return _num(v) if isinstance(v, Decimal) else v

    return conv(raw)


def disclosure_to_dict(doc: Disclosure) -> dict[str, Any]:
    return {
        "source": doc.source,
        "unit_code": doc.unit_code,
        "unit_name": doc.unit_name,
        "year": doc.year,
        "region": doc.region,
        "overall_goal": doc.overall_goal,
        "sub_goals": [{"title": s.title, "goal": s.goal, "indicators": s.indicators} for s in doc.sub_goals],
        "projects": [project_to_dict(p, doc) for p in doc.projects],
        "budget_overview": overview_to_dict(doc.budget_overview),
        "warnings": [w.to_dict() for w in doc.warnings],
    }
