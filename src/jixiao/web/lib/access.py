"""The one unit or project a request may see, or 404 (objects a user may not see do not exist for them)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from jixiao.web.models import Project, Unit
from jixiao.web.permissions import (
    can_view_unit,
    visible_projects,
)


def visible_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id)
    if not can_view_unit(request.user, unit):
        raise Http404("单位不存在或您无权查看")
    return unit


def visible_project(request: HttpRequest, project_id: int) -> Project:
    try:
        proj = visible_projects(request.user).select_related("unit").get(pk=project_id)
    except Project.DoesNotExist:
        raise Http404("项目不存在或您无权查看") from None
    return proj
