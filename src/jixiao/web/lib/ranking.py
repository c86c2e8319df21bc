"""The review ranking (projects by review outcome) and the settings summary, shared by pages and API."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jixiao.review import RULES, SEVERITIES
from jixiao.review.registry import default_thresholds
from jixiao.web.lib.reviews import RankedProject, ranking, review_settings
from jixiao.web.models import Unit
from jixiao.web.permissions import sees_all, visible_projects, visible_units

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


def settings_summary(user: Any = None) -> dict[str, Any]:
    """The review settings in force, for the catalogue page (read-only). A unit user sees the
    per-unit overrides of their own units only, and neither the settings file's place on the
    server nor what its reader said (which quotes the file): that it is not used, and whom to ask."""
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
    staff = sees_all(user)
    return {
        "path": state.path if staff else None,
        "error": (state.error if staff else "请联系管理员。") if state.error else None,
        "disable": sorted(s.disable),
        "severity": dict(sorted(s.severity.items())),
        "thresholds": changed,
        "outcome": dict(sorted(s.outcome.items())),
        "units": units,
    }
