"""Page: indicator search."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.web.lib.search import SEARCH_PAGE, search_indicators


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    ctx: dict[str, Any] = {"q": q, "year": year}
    if q:
        qs = (
            search_indicators(request.user, q, year=year)
            .select_related("project", "project__unit")
            .only(
                "id",
                "level1",
                "level2",
                "name",
                "value",
                "target",
                "project__id",
                "project__year",
                "project__name",
                "project__title",
                "project__unit__name",
            )
        )
        try:
            offset = min(max(0, int(request.GET.get("offset") or 0)), 2**31 - 1)  # a database bound
        except ValueError:
            offset = 0
        results = list(qs[offset : offset + SEARCH_PAGE + 1])
        ctx.update(
            {
                "results": results[:SEARCH_PAGE],
                "shown_to": offset + min(len(results), SEARCH_PAGE),
                "offset": offset,
                "next": offset + SEARCH_PAGE if len(results) > SEARCH_PAGE else None,
                "prev": max(0, offset - SEARCH_PAGE) if offset else None,
            }
        )
    return render(request, "web/search.html", ctx)
