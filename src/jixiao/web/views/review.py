"""Pages: the review ranking and the rule catalogue (审核规则)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.review import GRADES, HEADINGS, RULES, SEVERITIES
from jixiao.review.findings import SEVERITY_ZH
from jixiao.web.lib.ranking import RANKING_PAGE, ranked, settings_summary
from jixiao.web.lib.reviews import review_settings
from jixiao.web.permissions import visible_projects, visible_units


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
