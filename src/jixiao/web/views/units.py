"""Pages: home (the work lists), the unit list, a unit, a unit-year (projects, budget, categories,
review, cycle)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.export import charts
from jixiao.web import actions
from jixiao.web.errors import forbidden
from jixiao.web.lib.access import visible_unit
from jixiao.web.lib.unit_year import (
    LEVEL1_ORDER,
    indicator_categories,
    prepare_rows,
    read_unit_year,
    review_cells,
    sorted_categories,
)
from jixiao.web.lib.worklist import PAGE, lists_for, work_lists
from jixiao.web.models import Disclosure, Project, Role, State, SubGoal
from jixiao.web.permissions import (
    Denied,
    can_import_into,
    role_of,
    visible_units,
)

MY_UNITS = 20  # a unit user's own units listed on the home page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the work lists of the user's role (`lib.worklist`); `?list=KEY` shows one list whole,
    a page at a time."""
    today = timezone.localdate()
    only = request.GET.get("list") or None
    if only is not None and only not in lists_for(request.user):
        raise Http404("没有这个工作清单")
    offset = 0
    if only is not None:
        try:
            offset = min(max(0, int(request.GET.get("offset") or 0)), 2**31 - 1)
        except ValueError:
            offset = 0
        lists = work_lists(request.user, today, only=only, limit=PAGE, offset=offset)
    else:
        lists = work_lists(request.user, today)
    is_unit = role_of(request.user) == Role.UNIT
    my_units = list(visible_units(request.user).only("id", "name", "code")[: MY_UNITS + 1]) if is_unit else []
    return render(
        request,
        "web/home.html",
        {
            "lists": lists,
            "only": only,
            "page_size": PAGE,
            "today": today,
            "my_units": my_units[:MY_UNITS],
            "more_units": len(my_units) > MY_UNITS,
            "review_half": any(wl.audience == "review" for wl in lists),
            "unit_half": any(wl.audience == "unit" for wl in lists),
        },
    )


@login_required
def units(request: HttpRequest) -> HttpResponse:
    """The units the user may see, filtered by name, code or region."""
    q = (request.GET.get("q") or "").strip()
    qs = visible_units(request.user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(region__icontains=q))
    qs = qs.annotate(projects_n=Count("projects", distinct=True), last_year=Max("disclosures__year"))
    page = Paginator(qs.order_by("region", "code", "name"), 100).get_page(request.GET.get("page"))
    return render(request, "web/units.html", {"page": page, "q": q})


@login_required
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    u = visible_unit(request, unit_id)
    years = list(Disclosure.objects.filter(unit=u).order_by("-year").values_list("year", flat=True))
    years += [
        y for y in Project.objects.filter(unit=u).values_list("year", flat=True).distinct() if y not in years
    ]
    years = [y for y in years if y is not None]
    if years:
        return redirect("unit_year", unit_id=u.pk, year=max(years))
    return render(
        request,
        "web/unit_empty.html",
        {"unit": u, "can_create": can_import_into(request.user, u), "now_year": timezone.localdate().year},
    )


@login_required
def unit_year(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    data = read_unit_year(request.user, unit_id, year)
    u, projects, review, disclosure = data.unit, data.projects, data.review, data.disclosure
    if review is not None:
        cats, per_project = review.categories, review.indicators
    else:  # no stored review to read them from
        cats, per_project = indicator_categories(projects)
    for p in projects:
        p.indicators_n = per_project.get(p.pk, 0)
    items = sorted_categories(cats)
    states = Counter(p.state for p in projects)
    from jixiao.web.lib.cycle import unit_year_cycle  # monitoring lights, scores, spending chart

    cycle = unit_year_cycle(projects, year)
    rows = prepare_rows(projects, u, review.outcomes if review is not None else None)
    return render(
        request,
        "web/unit_year.html",
        {
            "unit": u,
            "year": year,
            "disclosure": disclosure,
            "projects": projects,
            "rows": rows,
            "sub_goals": _sub_goals(disclosure),
            **_budget(projects),
            "cat_chart": _category_chart(items),
            "years": sorted({d.year for d in data.disclosures if d.year}, reverse=True),
            "indicators_n": sum(cats.values()),
            "states": [(State(s).label, n) for s, n in states.items()],
            "legend": [(c, i) for i, c in enumerate(LEVEL1_ORDER) if any(l1 == c for (l1, _), _ in items)],
            "cycle": cycle,
            "review": review,
            "review_cells": review_cells(review) if review is not None else None,
            "can_create": can_import_into(request.user, u),
        },
    )


def _sub_goals(disclosure: Disclosure | None) -> list[SubGoal]:
    """分项绩效目标, read only when the disclosure has some (`read_unit_year` asks)."""
    if disclosure is None or not getattr(disclosure, "has_sub_goals", True):
        return []
    return list(SubGoal.objects.filter(disclosure=disclosure))


def _budget(projects: list[Any]) -> dict[str, Any]:
    """The budget sums of the unit-year and its chart of the largest 30 projects."""
    total = fiscal = other = Decimal(0)
    budgeted = []
    for p in projects:  # one pass (a big bureau's 200); an empty amount adds nothing, as 0 would
        t, f, o = p.budget_total, p.budget_fiscal, p.budget_other
        if t:
            total += t
            budgeted.append(p)
        if f:
            fiscal += f
        if o:
            other += o
    by_budget = sorted(budgeted, key=attrgetter("budget_total"), reverse=True)
    chart = charts.budget_by_project_svg(
        [(p.name or p.title or p.key, p.budget_total) for p in by_budget[:30]],
        title="项目预算数",
        width=560,
        label_px=220,
    )
    return {"total": total, "fiscal": fiscal, "other": other, "budget_chart": chart}


def _category_chart(items: list[tuple[tuple[str | None, str | None], int]]) -> str:
    return charts.hbars(
        [(f"{l2 or l1 or '未分类'}", n, charts.category_color(l1)) for (l1, l2), n in items],
        title="指标按二级指标",
        subtitle=f"共 {sum(n for _, n in items)} 个指标，颜色为一级指标",
        unit="个",
        width=560,
        label_px=150,
        axis_caption="指标数（个）",
    )


@login_required
def project_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    """新建项目 (POST from the unit's page): an empty draft of the year given, then its edit form;
    refused input goes back to the page it came from with the reason."""
    if request.method != "POST":
        return redirect("unit", unit_id=unit_id)
    unit = visible_unit(request, unit_id)
    year, name = request.POST.get("year", ""), request.POST.get("name", "")
    try:
        proj = actions.create_project(request.user, unit.pk, year, name, request.POST.get("code", ""))
    except Denied as e:
        return forbidden(request, e)
    except actions.Invalid as e:
        messages.error(request, e.message)
        back = request.POST.get("back_year") or ""
        if back.isdigit():
            return redirect("unit_year", unit_id=unit.pk, year=int(back))
        return redirect("unit", unit_id=unit.pk)
    messages.success(
        request,
        f"已新建项目「{proj.name}」（{proj.year} 年，草稿）：在下面填写绩效目标表后保存，再提交审核。",
    )
    return redirect(reverse("project", args=[proj.pk]) + "#edit")
