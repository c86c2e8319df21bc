"""What the API's routers share: the one project lookup and the JSON response."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.errors import HttpError

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


def check_choices(param: str, given: str, allowed: dict[str, str], *, sep: str | None = None) -> None:
    """A list filter's value (or each of its `sep`-separated values) must be one of `allowed`
    (value → its Chinese name): an unknown one is a 422 naming the parameter and what it takes,
    never a filter that silently matches everything or nothing."""
    values = [v.strip() for v in given.split(sep)] if sep else [given.strip()]
    bad = [v for v in values if v and v not in allowed]
    if bad:
        names = "、".join(f"{k}（{v}）" for k, v in allowed.items())
        more = f"，多个用“{sep}”分隔" if sep else ""
        raise HttpError(422, f"请求有误：查询参数 {param} 的值“{bad[0]}”无效，应为 {names}{more}。")


# ------------------------------------------------------------------------------------------ routes
