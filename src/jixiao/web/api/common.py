"""What the API's routers share: the one project lookup and the JSON response."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from jixiao.web import actions
from jixiao.web.models import Project
from jixiao.web.permissions import visible_projects


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """A JSON response built from data already in the declared shape (the schema documents it;
    skipping its per-field validation keeps the hot list and detail endpoints cheap)."""
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )


def project_for(request: HttpRequest, project_id: int) -> Project:
    p = visible_projects(request.user).select_related("unit").filter(pk=project_id).first()
    if p is None:
        raise actions.NotFound("项目不存在或您无权查看。")
    return p


# ------------------------------------------------------------------------------------------ routes
