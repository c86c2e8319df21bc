"""Pages across units: 横向比较 (one indicator among other units' like indicators), 指标库 (the
indicators units use, learned from the stored corpus), 历年对比 (a project's targets beside earlier
years' targets and actuals), and the readers' view (公开查询: published data, no login).

The readers' view is on unless the setting JIXIAO_PUBLIC is off; it shows only approved and
published projects (`lib.corpus.PUBLIC_STATES`), never drafts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from jixiao.corpus.compare import Comparison
from jixiao.corpus.library import department_type
from jixiao.export import charts
from jixiao.web.lib.access import visible_project
from jixiao.web.lib.corpus import (
    PUBLIC_STATES,
    compare_indicator,
    earlier_years,
    library_for,
    public_projects,
)
from jixiao.web.lib.search import SEARCH_PAGE, text_filter
from jixiao.web.lib.selfevals import public_selfeval
from jixiao.web.models import Indicator, Project, SubGoal, Unit

PEERS_SHOWN = 50
TEXT_MAX = 100  # characters of a query text kept (the search page's `lib.search.parse_filters` too)
OFFSET_MAX = 2**31 - 1  # a database bound (the search page's too): past it PostgreSQL refuses


def _text(request: HttpRequest, name: str) -> str:
    """A query-string text as searched and shown: stripped, at most TEXT_MAX characters."""
    return (request.GET.get(name) or "").strip()[:TEXT_MAX]


def _comparison_context(c: Comparison) -> dict[str, Any]:
    chart = ""
    if c.distribution is not None:
        d = c.distribution
        chart = charts.distribution_svg(
            [e.number for e in c.peers],
            c.subject.number,
            q1=d.q1,
            median=d.median,
            q3=d.q3,
            unit=c.unit or "",
            title=f"{c.subject.name or ''}：与其他单位同类指标比较",
        )
    peers = sorted(c.peers, key=lambda e: abs(e.number - c.subject.number))[:PEERS_SHOWN]
    return {"c": c, "chart": chart, "peers": sorted(peers, key=lambda e: -e.number), "n_peers": len(c.peers)}


def _compare_page(request: HttpRequest, indicator_id: int, *, public: bool) -> HttpResponse:
    same_name = request.GET.get("same_name") == "1"
    c = compare_indicator(None if public else request.user, indicator_id, same_name=same_name)
    if c is None:
        raise Http404("指标不存在或您无权查看")
    ind = Indicator.objects.select_related("project__unit").get(pk=indicator_id)
    ctx = {"ind": ind, "same_name": same_name, "public": public, **_comparison_context(c)}
    return render(request, "web/corpus/compare.html", ctx)


@login_required
def compare(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """横向比较 of one indicator the user may see."""
    return _compare_page(request, indicator_id, public=False)


def _library_page(request: HttpRequest, *, public: bool) -> HttpResponse:
    department = _text(request, "department")
    words = _text(request, "words")
    lib = library_for(None if public else request.user, department=department, words=words)
    return render(
        request,
        "web/corpus/library.html",
        {"lib": lib, "department": department, "words": words, "public": public},
    )


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """指标库: what units use under each category, for a department type and project name words."""
    return _library_page(request, public=False)


@login_required
def project_years(request: HttpRequest, project_id: int) -> HttpResponse:
    """历年对比 of a project the user may see."""
    proj = visible_project(request, project_id)
    rows = earlier_years(request.user, proj)
    years = sorted({t.year for r in rows for t in r.earlier if t.year}, reverse=True)
    return render(
        request,
        "web/corpus/years.html",
        {
            "project": proj,
            "rows": rows,
            "years": years,
            "department": department_type(proj.unit.name, proj.name),
        },
    )


# ----------------------------------------------------------------------------- readers' view


def _public_on() -> None:
    if not getattr(settings, "JIXIAO_PUBLIC", True):
        raise Http404("公开查询未开放")


def public_home(request: HttpRequest) -> HttpResponse:
    """公开查询: units with published targets, newest year first."""
    _public_on()
    q = _text(request, "q")
    units = Unit.objects.filter(projects__state__in=PUBLIC_STATES)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(region__icontains=q))
    units = units.annotate(projects_n=Count("projects", distinct=True), last_year=Max("projects__year"))
    page = Paginator(units.order_by("region", "name").distinct(), 100).get_page(request.GET.get("page"))
    return render(request, "web/public/home.html", {"page": page, "q": q, "public": True})


def public_unit_year(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    _public_on()
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:  # the same answer as a unit without published targets that year
        raise Http404("该单位这一年度没有公开的绩效目标")
    projects = list(
        public_projects()
        .filter(unit=unit, year=year)
        .order_by("seq", "id")
        .prefetch_related("indicators")
        # the score and grade of a published self-evaluation (None: none published)
        .annotate(
            public_total=F("selfeval__total"),
            public_grade=F("selfeval__grade"),
            public_at=F("selfeval__published_at"),
        )
    )
    if not projects:
        raise Http404("该单位这一年度没有公开的绩效目标")
    for p in projects:  # a score shown only where the project's page shows its 自评表
        if p.public_at is not None and public_selfeval(p.pk) is None:
            p.public_at = None
    years = sorted(
        set(public_projects().filter(unit=unit).values_list("year", flat=True)) - {None}, reverse=True
    )
    disclosure_ids = {p.disclosure_id for p in projects if p.disclosure_id}
    goals = list(SubGoal.objects.filter(disclosure_id__in=disclosure_ids))
    return render(
        request,
        "web/public/unit_year.html",
        {
            "unit": unit,
            "year": year,
            "years": years,
            "projects": projects,
            "sub_goals": goals,
            "public": True,
        },
    )


def public_search(request: HttpRequest) -> HttpResponse:
    _public_on()
    q = _text(request, "q")
    try:
        offset = min(max(0, int(request.GET.get("offset") or 0)), OFFSET_MAX)
    except ValueError:
        offset = 0
    results: list[Indicator] = []
    total = 0
    if q:
        qs = Indicator.objects.filter(project__state__in=PUBLIC_STATES).filter(
            text_filter(["name", "description", "value", "level2"], q)
        )
        total = qs.count()
        results = list(
            qs.select_related("project__unit").order_by("-project__year", "project_id", "seq")[
                offset : offset + SEARCH_PAGE
            ]
        )
    return render(
        request,
        "web/public/search.html",
        {
            "q": q,
            "results": results,
            "total": total,
            "offset": offset,
            "next": offset + SEARCH_PAGE if offset + SEARCH_PAGE < total else None,
            "prev": max(0, offset - SEARCH_PAGE) if offset else None,
            "public": True,
        },
    )


def public_compare(request: HttpRequest, indicator_id: int) -> HttpResponse:
    _public_on()
    return _compare_page(request, indicator_id, public=True)


def public_library(request: HttpRequest) -> HttpResponse:
    _public_on()
    return _library_page(request, public=True)


def public_project(request: HttpRequest, project_id: int) -> HttpResponse:
    _public_on()
    proj = get_object_or_404(Project.objects.select_related("unit"), pk=project_id, state__in=PUBLIC_STATES)
    published = public_selfeval(proj.pk)  # None unless published: nothing else of it is shown
    return render(
        request,
        "web/public/project.html",
        {
            "project": proj,
            "indicators": list(proj.indicators.order_by("seq", "id")),
            "selfeval": published,
            "selfeval_table": published.table_html() if published else None,
            "public": True,
        },
    )
