"""A unit-year's projects and indicator categories, read for the unit-year page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q

from jixiao.taxonomy import LEVEL2
from jixiao.web.models import Indicator, Project, Unit

LEVEL1_ORDER = ["产出指标", "成本指标", "效益指标", "满意度指标"]


LEVEL2_ORDER = list(LEVEL2)


UNIT_YEAR_PROJECT_FIELDS = (
    "id",
    "seq",
    "key",
    "name",
    "title",
    "code",
    "budget_total",
    "budget_fiscal",
    "budget_other",
    "state",
    "disclosure_id",
    "spending_plan",
    "version",
    "updated_at",
    "monitor_light",
    "monitor_as_of",
    "monitor_rate",
    "eval_total",
    "eval_grade",
    "unit_id",
)


def unit_year_projects(where: Q, unit: Unit) -> list[Project]:
    """The unit-year page's projects, in table order, each with its stored review (one query:
    `reviews.unit_year_summary` sums the review rows and reads the version from the rest) and its
    unit (the page's own; one query more only for a bureau's disclosure with other units' tables)."""
    from jixiao.web.lib.reviews import PAGE_REVIEW_FIELDS

    projects = list(
        Project.objects.filter(where)
        .select_related("review_result")
        .only(*UNIT_YEAR_PROJECT_FIELDS, *PAGE_REVIEW_FIELDS)
        .order_by("seq", "id")
    )
    others = Unit.objects.in_bulk({p.unit_id for p in projects} - {unit.pk})
    for p in projects:
        p.unit = unit if p.unit_id == unit.pk else others[p.unit_id]
    return projects


def indicator_categories(projects: list[Project]) -> tuple[Counter[Any], Counter[int]]:
    """Indicators by (level1, level2) category and per project, counted in the database."""
    cats: Counter[tuple[str | None, str | None]] = Counter()
    per_project: Counter[int] = Counter()
    rows = (
        Indicator.objects.filter(project__in=[p.pk for p in projects])
        .order_by()
        .values_list("project_id", "level1_canonical", "level2_canonical")
        .annotate(n=Count("id"))
    )
    for pid, l1, l2, n in rows:
        cats[(l1, l2)] += n
        per_project[pid] += n
    return cats, per_project
