"""Review pages: the reviewers' ranking of all visible projects by findings, and the rule catalogue
with the deployment's review settings (read-only). Both only read; see `jixiao.web.reviews`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.review import GRADES, HEADINGS, RULES, SEVERITIES
from jixiao.review.findings import SEVERITY_ZH
from jixiao.review.registry import default_thresholds
from jixiao.web.models import Unit
from jixiao.web.permissions import sees_all, visible_projects, visible_units
from jixiao.web.reviews import RankedProject, ranking, review_settings

RANKING_PAGE = 100


def ranking_filters(user: Any, params: Any) -> tuple[Any, dict[str, Any]]:
    """The user's visible projects narrowed by unit / year / severity / rule from `params`
    (a unit the user may not see is a 404, like its pages)."""
    qs = visible_projects(user)
    f: dict[str, Any] = {"unit": None, "year": None, "severity": None, "rule": None}
    unit = (params.get("unit") or "").strip()
    if unit:
        try:
            u = visible_units(user).get(pk=int(unit))
        except (ValueError, Unit.DoesNotExist):
            raise Http404("单位不存在或您无权查看") from None
        f["unit"] = u
        qs = qs.filter(unit=u)
    try:
        year = int(params.get("year") or 0) or None
    except ValueError:
        year = None
    if year:
        f["year"] = year
        qs = qs.filter(year=year)
    sev = params.get("severity") or ""
    f["severity"] = sev if sev in SEVERITIES else None
    rule = (params.get("rule") or "").strip().upper()
    f["rule"] = rule if rule in RULES else None
    return qs, f


def ranked(user: Any, params: Any) -> tuple[list[RankedProject], dict[str, Any]]:
    qs, f = ranking_filters(user, params)
    return ranking(qs, severity=f["severity"], rule=f["rule"]), f


@login_required
def review_ranking(request: HttpRequest) -> HttpResponse:
    items, f = ranked(request.user, request.GET)
    page = Paginator(items, RANKING_PAGE).get_page(request.GET.get("page"))
    years = sorted(
        {y for y in visible_projects(request.user).values_list("year", flat=True).distinct() if y},
        reverse=True,
    )
    grades = {g: sum(1 for r in items if r.outcome.grade == g) for g in GRADES}
    query = {k: (v.pk if k == "unit" else v) for k, v in f.items() if v}
    return render(
        request,
        "web/review/ranking.html",
        {
            "page": page,
            "total": len(items),
            "f": f,
            "query": query,
            "years": years,
            "units": list(
                visible_units(request.user).only("id", "name", "code").order_by("code", "name")[:2000]
            ),
            "rules": [RULES[c] for c in sorted(RULES)],
            "severities": [(s, SEVERITY_ZH[s]) for s in SEVERITIES],
            "grades": grades,
            "headings": HEADINGS,
        },
    )


def settings_summary(user: Any = None) -> dict[str, Any]:
    """The review settings in force, for the catalogue page (read-only). A unit user sees the
    per-unit overrides of their own units only."""
    state = review_settings()
    s = state.settings
    overrides = sorted(s.units.items())
    if not sees_all(user):
        mine = {k for u in visible_units(user) for k in (u.code, u.name) if k}
        overrides = [(k, ov) for k, ov in overrides if k in mine]
    defaults = default_thresholds()
    changed = {k: (defaults.get(k), v) for k, v in s.thresholds.items()}
    units = [
        {
            "unit": name,
            "disable": sorted(ov.disable),
            "enable": sorted(ov.enable),
            "severity": dict(sorted(ov.severity.items())),
            "thresholds": dict(sorted(ov.thresholds.items())),
            "outcome": dict(sorted(ov.outcome.items())),
        }
        for name, ov in overrides
    ]
    return {
        "path": state.path,
        "error": state.error,
        "disable": sorted(s.disable),
        "severity": dict(sorted(s.severity.items())),
        "thresholds": changed,
        "outcome": dict(sorted(s.outcome.items())),
        "units": units,
    }


@login_required
def review_rules(request: HttpRequest) -> HttpResponse:
    st = settings_summary(request.user)
    resolved = review_settings().settings.for_unit()
    rules = []
    for code in sorted(RULES):
        r = RULES[code]
        rules.append(
            {
                "r": r,
                "on": resolved.enabled(code),
                "severity": resolved.severity.get(code, r.severity),
                "thresholds": {
                    k: resolved.thresholds.get(k, v) for k, v in r.to_dict()["thresholds"].items()
                },
            }
        )
    return render(
        request,
        "web/review/rules.html",
        {"rules": rules, "st": st, "headings": HEADINGS, "severity_zh": SEVERITY_ZH},
    )


__all__ = ["ranked", "ranking_filters", "review_ranking", "review_rules"]
