"""JSON API under /api/ (django-ninja): the same permissions and actions as the pages.

Routers by topic: `data` (units, disclosures, projects, review), `cycle` (monitoring and
self-evaluation), `selfeval` (checking a published 自评表),
`monitoring_check` (a published 监控表's lights), `public` (the readers' view, no login);
`common` has what they share.

Auth: the browser session (with CSRF on writes) or `Authorization: Bearer TOKEN` (`jixiao token`).
OpenAPI at /api/openapi.json, browsable docs at /api/docs (assets served by the app).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from jixiao.web import actions
from jixiao.web.api.errors import install as install_error_handlers
from jixiao.web.lib.units import UnitSpecError
from jixiao.web.refusals import ActionError, Invalid


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = actions.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class ChineseJSON(JSONRenderer):
    """JSON with Chinese as characters (UTF-8), as json_response writes it: 「示例市…」, not
    「\\u793a\\u4f8b…」 for whoever reads the API with curl or in a browser tab."""

    json_dumps_params: Mapping[str, Any] = MappingProxyType({"ensure_ascii": False})


class ChineseSwagger(Swagger):
    """/api/docs: django-ninja's Swagger UI with the Authorize button labelled 授权 (templates/api/
    swagger.html, static/web/swagger-zh.js) and without the Schemas section (the Pydantic models'
    class names, in English; each operation shows its own body and responses)."""

    template = "api/swagger.html"


api = NinjaAPI(
    title="jixiao 预算绩效管理 API",
    version="1",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    renderer=ChineseJSON(),
    docs=ChineseSwagger(settings={"defaultModelsExpandDepth": -1}),
)
install_error_handlers(api)


@api.exception_handler(ActionError)
def _refused(request: HttpRequest, exc: ActionError) -> Any:
    """Every refusal of an action (Invalid 400, Denied 403, NotFound 404, Conflict 409), one shape:
    `detail` in Chinese, `errors` by field where the input was at fault."""
    body: dict[str, Any] = {"detail": exc.message}
    if exc.errors or isinstance(exc, Invalid):
        body["errors"] = exc.errors
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(UnitSpecError)
def _unit_spec(request: HttpRequest, exc: UnitSpecError) -> Any:
    return api.create_response(request, {"detail": exc.message}, status=400)


from jixiao.web.api.corpus import router as corpus_router  # noqa: E402  (comparison, library)
from jixiao.web.api.cycle import router as cycle_router  # noqa: E402  (monitoring, self-evaluation)
from jixiao.web.api.data import router as data_router  # noqa: E402  (units, disclosures, projects)
from jixiao.web.api.monitoring_check import router as monitoring_check_router  # noqa: E402  (published 监控表)
from jixiao.web.api.public import router as public_router  # noqa: E402  (readers: no login)
from jixiao.web.api.selfeval import router as selfeval_router  # noqa: E402  (published 自评表 check)

api.add_router("/", data_router)
api.add_router("/", cycle_router)
api.add_router("/", selfeval_router)
api.add_router("/", monitoring_check_router)
api.add_router("/", corpus_router)
api.add_router("/", public_router)
