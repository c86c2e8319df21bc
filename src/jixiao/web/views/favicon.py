"""/favicon.ico: the site's own small icon (static/web/favicon.svg, also linked from every page), for
whatever asks at the conventional address (the admin's pages, a download's tab, crawlers)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent.parent / "static" / "web" / "favicon.svg"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(_icon(), content_type="image/svg+xml")
    resp["Cache-Control"] = "public, max-age=86400"
    return resp
