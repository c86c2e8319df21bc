"""The one unit or project a request may see, or 404 (objects a user may not see do not exist for them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from jixiao.web.lib.compiled import CompiledQuery, attnames
from jixiao.web.models import Project, Unit
from jixiao.web.permissions import (
    can_view_unit,
    visible_unit_ids,
)


def visible_unit(request: HttpRequest, unit_id: int) -> Unit:
    """The unit, or one 404 whether it does not exist or the user may not see it (the same answer:
    a unit user learns no other unit's id)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not can_view_unit(request.user, unit):
        raise Http404("单位不存在或您无权查看")
    return unit


def project_with_unit(
    project_id: int, annotations: dict[str, Any] | None = None, extra: tuple[str, ...] = ()
) -> QuerySet[Any]:
    """The project's columns, its unit's (`visible_project_with` takes them), then `extra` (fields
    through its relations, or names of `annotations`)."""
    return (
        Project.objects.filter(pk=project_id)
        .annotate(**(annotations or {}))
        .values_list(*attnames(Project), *(f"unit__{name}" for name in attnames(Unit)), *extra)
    )


# one query, compiled once: the project's routes read it (edit, submit, cycle, exports, corpus);
# the project page itself reads its own with the review's columns (`views.projects.PAGE_QUERY`)
PROJECT_QUERY = CompiledQuery(project_with_unit)


def visible_project(request: HttpRequest, project_id: int) -> Project:
    """The project with its unit, or Http404 when there is none or the user may not see it."""
    return visible_project_with(request, PROJECT_QUERY, project_id)[0]


def visible_project_with(
    request: HttpRequest, query: CompiledQuery, project_id: int
) -> tuple[Project, list[Any]]:
    """`visible_project` read by `query` (`project_with_unit` with more columns): the project with its
    unit and the columns after them."""
    rows = query.rows(project_id)
    n = len(attnames(Project))
    ids = visible_unit_ids(request.user)
    if not rows or not (ids is None or rows[0][n] in ids):
        raise Http404("项目不存在或您无权查看")
    m = n + len(attnames(Unit))
    proj = Project.from_db("default", attnames(Project), rows[0][:n])
    proj.unit = Unit.from_db("default", attnames(Unit), rows[0][n:m])
    return proj, rows[0][m:]
