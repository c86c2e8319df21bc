"""A unit-year's projects and indicator categories, read for the unit-year page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q

from jixiao.taxonomy import LEVEL2
from jixiao.web.models import Indicator, Project, State, Unit

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


class PageReview:
    """The stored review columns the unit-year page reads for a project."""

    __slots__ = ("categories", "counts", "grade", "rules", "version")

    def __init__(self, version: str, grade: str, counts: Any, rules: Any, categories: Any):
        self.version, self.grade, self.counts, self.rules, self.categories = (
            version,
            grade,
            counts,
            rules,
            categories,
        )


STATE_LABELS = dict(State.choices)


class PageProject:
    """A project as the unit-year page shows it: the columns `UNIT_YEAR_PROJECT_FIELDS` as
    attributes, its unit and its stored review (`review_result`, None when there is none). Plain
    objects rather than model instances: a big bureau's page lists 200 of them."""

    unit: Unit
    review_result: PageReview | None

    def __init__(self, values: tuple[Any, ...]):
        for name, v in zip(UNIT_YEAR_PROJECT_FIELDS, values, strict=False):
            setattr(self, name, v)

    @property
    def pk(self) -> int:
        return self.id  # type: ignore[attr-defined,no-any-return]

    def get_state_display(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))  # type: ignore[attr-defined]


def unit_year_projects(where: Q, unit: Unit) -> list[Any]:
    """The unit-year page's projects (`PageProject`), in table order, each with its stored review
    (one query: `reviews.unit_year_summary` sums the review rows and reads the version from the
    rest) and its unit (the page's own; one query more only for a bureau's disclosure with other
    units' tables)."""
    from jixiao.web.lib.reviews import PAGE_REVIEW_FIELDS

    n = len(UNIT_YEAR_PROJECT_FIELDS)
    projects = []
    for row in (
        Project.objects.filter(where)
        .order_by("seq", "id")
        .values_list(*UNIT_YEAR_PROJECT_FIELDS, "review_result__id", *PAGE_REVIEW_FIELDS)
    ):
        p = PageProject(row[:n])
        p.review_result = PageReview(*row[n + 1 :]) if row[n] is not None else None
        projects.append(p)
    others = Unit.objects.in_bulk({p.unit_id for p in projects} - {unit.pk})  # type: ignore[attr-defined]
    for p in projects:
        p.unit = unit if p.unit_id == unit.pk else others[p.unit_id]  # type: ignore[attr-defined]
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
