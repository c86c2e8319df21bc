"""Pages: indicator search (指标检索) and its .xlsx export."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from jinja2.filters import do_urlencode
from markupsafe import Markup

from jixiao.taxonomy import LEVEL2, canonical_levels
from jixiao.web.lib.search import (
    COUNT_CAP,
    EXPORT_MAX,
    KINDS,
    SEARCH_PAGE,
    Search,
    export_xlsx,
    filtered,
    hits_html,
    page_and_count,
    parse_filters,
    resolve_unit_filter,
    unit_choices,
)
from jixiao.web.lib.unit_year import LEVEL1_ORDER


@cache
def level2_by_parent() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The canonical level-2 categories under their level-1 parent (`canonical_levels` gives the
    parent of a level-2 category alone), level 1 in the unit-year page's order (the taxonomy's:
    worked out once a process)."""
    parent = {l2: canonical_levels(None, l2)[0] for l2 in LEVEL2}
    return tuple((l1, tuple(l2 for l2 in LEVEL2 if parent[l2] == l1)) for l1 in LEVEL1_ORDER)


@lru_cache(maxsize=512)
def category_selects(level1: str, level2: str, kind: str) -> Markup:
    """The search form's lists of level-1 and level-2 categories and value kinds, the given ones
    selected (`web/_search_selects.html`), rendered once per choice: they hold only the taxonomy's
    names and the kinds' labels, the same for every user (`parse_filters` lets only those through:
    5 × 13 × 6 choices at most)."""
    html = get_template("web/_search_selects.html").render(
        {
            "level1": level1,
            "level2": level2,
            "kind": kind,
            "kinds": KINDS,
            "level1s": LEVEL1_ORDER,
            "level2s": level2_by_parent(),
        }
    )
    return Markup(html)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    f = parse_filters(request.GET)
    ctx: dict[str, Any] = {
        "f": f,
        "q": f.q,
        "year": f.year,
        "selects": category_selects(f.level1, f.level2, f.kind),
        "export_max": EXPORT_MAX,
    }
    search: Search | None = None
    if f.active:
        unit = resolve_unit_filter(request.user, f.unit)
        ctx["unit_error"] = unit.error
        search = Search(request.user, f, unit)
        try:
            offset = min(max(0, int(request.GET.get("offset") or 0)), 2**31 - 1)  # a database bound
        except ValueError:
            offset = 0
        # the page and the newest COUNT_CAP + 1 hits counted in the page's order, read together
        # (`page_and_count`: PostgreSQL walks the key backwards as for the page itself, about twice
        # as fast as an unordered scan): the total up to COUNT_CAP unless asked (`exact=1`): counting
        # 40,000 hits of a common word costs several times the page
        results, counted = page_and_count(search, offset, SEARCH_PAGE + 1, COUNT_CAP + 1)
        exact = request.GET.get("exact") == "1"
        # (`counted` differs from the rows when hits were deleted between the two statements that
        # read them on PostgreSQL: `page_and_count`; then the count and the pager go by the ids)
        if offset == 0 and len(results) <= SEARCH_PAGE and counted in (None, len(results)):
            total, more = len(results), False
        elif exact:
            total, more = search.qs.order_by().count(), False
        else:
            if counted is None:  # a page beyond the counted hits or past the last one
                counted = search.qs[: COUNT_CAP + 1].count()
            total, more = min(counted, COUNT_CAP), counted > COUNT_CAP
        ctx.update(
            {
                "results": hits_html(results[:SEARCH_PAGE]),
                "total": total,
                "total_more": more,
                "exact": exact,
                # the filters as a query string, once for the page's four links to them
                "query_s": do_urlencode(f.query()),
                "shown_to": offset + min(len(results), SEARCH_PAGE),
                "offset": offset,
                "next": offset + SEARCH_PAGE
                if len(results) > SEARCH_PAGE or (counted or 0) > offset + SEARCH_PAGE
                else None,
                "prev": max(0, offset - SEARCH_PAGE) if offset else None,
            }
        )
    # after the search: its page's query may have told whether the unit list is too long for a list
    ctx["units"] = unit_choices(request.user, None if search is None else search.units_past_list)
    return render(request, "web/search.html", ctx)


@login_required
def search_export(request: HttpRequest) -> HttpResponse:
    """The hits of a search as .xlsx (at most EXPORT_MAX rows, newest first): only indicators of
    projects the user may see, text cells never formulas."""
    f = parse_filters(request.GET)
    if not f.active:
        return HttpResponse(
            "请先输入检索条件（关键词、单位、年度、类别或指标值类型）再导出。",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    unit = resolve_unit_filter(request.user, f.unit)
    qs = filtered(request.user, f, unit)
    total = qs.order_by().count()
    now = timezone.localtime()
    data = export_xlsx(
        qs,
        f,
        total=total,
        unit_label=unit.label,
        now=now,
        project_url=lambda pk: request.build_absolute_uri(reverse("project", args=[pk])),
    )
    name = f"指标检索_{now:%Y%m%d_%H%M}.xlsx"
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
