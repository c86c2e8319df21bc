"""The one unit or project a request may see, or 404 (objects a user may not see do not exist for them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from jixiao.web.lib.compiled import CompiledQuery, attnames
from jixiao.web.models import Project, Unit
from jixiao.web.permissions import (
    can_view_unit,
    visible_unit_ids,
)


def visible_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id)
    if not can_view_unit(request.user, unit):
        raise Http404("单位不存在或您无权查看")
    return unit


def _project_with_unit(project_id: int) -> QuerySet[Any]:
    return Project.objects.filter(pk=project_id).values_list(
        *attnames(Project), *(f"unit__{name}" for name in attnames(Unit))
    )


PROJECT_QUERY = CompiledQuery(_project_with_unit)  # one query, compiled once: every project page reads it


def visible_project(request: HttpRequest, project_id: int) -> Project:
    """The project with its unit, or Http404 when there is none or the user may not see it."""
    rows = PROJECT_QUERY.rows(project_id)
    n = len(attnames(Project))
    ids = visible_unit_ids(request.user)
    if not rows or not (ids is None or rows[0][n] in ids):
        raise Http404("项目不存在或您无权查看")
    proj = Project.from_db("default", attnames(Project), rows[0][:n])
    proj.unit = Unit.from_db("default", attnames(Unit), rows[0][n:])
    return proj
