"""The API's answers to bad requests, in Chinese, and the bounded integer types of its parameters.

django-ninja validates every parameter and body against the OpenAPI schema; its own answers are
English (`Not Found`, `Unauthorized`, `CSRF check Failed`, `Cannot parse request body`, pydantic's
`Field required` …). `install(api)` replaces them: 422 with `detail` saying in Chinese which
parameter is wrong and why, and `errors` keeping each error's machine-readable `loc` and `type` with a
Chinese `msg`; 404 「未找到」, 401 「未登录或 API 令牌无效」, 403 on a failed CSRF check, 400 on a body that
is not JSON, and every other HTTP error with a Chinese `detail`. A 405 (wrong method) is answered by
`jixiao.web.errors.ChineseErrors`, since django-ninja returns it before any handler runs.

`Offset`, `Limit`, `Year` and `Id` bound the integers that reach the database (an offset past 2^63
cannot be sent to SQLite or PostgreSQL), `QueryText` the texts searched (a LIKE pattern of 200 kB
is no search); the bounds are in the OpenAPI schema too.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from jixiao.model import BUDGET_YEAR_MAX, BUDGET_YEAR_MIN

MAX_INT = 2**31 - 1  # the smallest integer column (PostgreSQL integer) holds up to here
MAX_ID = 2**63 - 1  # primary keys are 64-bit

Offset = Annotated[int, Field(ge=0, le=MAX_INT, description="跳过的条数")]
Limit = Annotated[int, Field(ge=1, le=MAX_INT, description="最多返回的条数（超出上限按上限）")]
Year = Annotated[int, Field(ge=BUDGET_YEAR_MIN, le=BUDGET_YEAR_MAX, description="年度")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=0, le=MAX_INT, description="所见的项目版本（过期返回 409）")]
# a query-string text (search words, a unit spec, a state): the pages keep 100 characters of theirs
QueryText = Annotated[str, Field(max_length=200, description="至多 200 字")]

_WHERE = {
    "query": "查询参数",
    "path": "路径参数",
    "body": "请求体",
    "form": "表单字段",
    "file": "文件",
    "header": "请求头",
    "cookie": "Cookie",
}


def _place(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = list(loc)
    where = _WHERE.get(str(parts[0]), str(parts[0])) if parts else "参数"
    rest = [str(p) for p in parts[1:]]
    if where == "请求体" and rest and rest[0] in ("body", "payload"):
        rest = rest[1:]
    return f"{where} {'.'.join(rest)}".strip()


def _reason(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "不能缺少"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "应为整数"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"):
        return "应为有限的数字"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "应为日期，例如 2024-07-31"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    if kind in ("string_type", "string_unicode"):
        return "应为文本"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 字"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "应为列表"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为对象"
    if kind in ("json_invalid", "json_type"):
        return "不是有效的 JSON"
    if kind.startswith("literal") or kind == "enum":
        return "取值不在允许的范围内"
    return "格式不对"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One Chinese sentence naming every wrong parameter and why."""
    lines = []
    for err in errors[:10]:
        place = _place(err.get("loc") or ())
        lines.append(f"{place}：{_reason(err)}")
    more = f"（另有 {len(errors) - 10} 处）" if len(errors) > 10 else ""
    return "请求有误：" + "；".join(lines) + more + "。"


def _plain(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors without the values the client sent (they may not be JSON: bytes, NaN …): `loc` and
    `type` as pydantic gives them (for programs), `msg` in Chinese (for people)."""
    return [
        {
            "loc": list(e.get("loc") or ()),
            "type": e.get("type"),
            "msg": f"{_place(e.get('loc') or ())}：{_reason(e)}",
        }
        for e in errors
    ]


# django-ninja's own HttpError messages, and what each status means when the message is English
_KNOWN = {
    "CSRF check Failed": "CSRF 校验失败：请求缺少有效的 CSRF 令牌（浏览器中请刷新页面后重试；脚本请使用 "
    "Authorization: Bearer 令牌）",
    "Cannot parse request body": "无法解析请求体：不是有效的 JSON（请检查格式与 Content-Type）",
    "Unauthorized": "未登录或 API 令牌无效",
    "Forbidden": "您无权执行此操作",
    "Too many requests.": "请求过于频繁，请稍后再试",
}
_BY_STATUS = {
    400: "请求有误",
    401: "未登录或 API 令牌无效",
    403: "您无权执行此操作",
    404: "未找到（不存在或您无权查看）",
    405: "不支持这种请求方法",
    409: "数据已被他人修改，请刷新后重试",
    413: "请求过大",
    429: "请求过于频繁，请稍后再试",
}


def http_error_detail(status: int, message: str) -> str:
    """The Chinese `detail` for an HttpError: its own message when Chinese, else ninja's known texts
    translated, else what the status means."""
    if any("\u4e00" <= c <= "\u9fff" for c in message):
        return message
    for english, chinese in _KNOWN.items():
        if message.startswith(english):
            return chinese
    return _BY_STATUS.get(status, "请求失败" if status < 500 else "服务器出错，请稍后重试")


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def install(api: NinjaAPI) -> None:
    """Chinese answers for validation errors, 404, 401 and every HTTP error on every route of `api`."""

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": validation_message(exc.errors), "errors": _plain(exc.errors)}, status=422
        )

    @api.exception_handler(Http404)
    def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "未找到（不存在或您无权查看）"}, status=404)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": "未登录或 API 令牌无效"}, status=exc.status_code)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.message.startswith("CSRF check Failed") and not _signed_in(request):
            # the session check runs after the token failed: a bad, revoked or deactivated token (or
            # none) is a 401 as on a read, not a request for a CSRF token a script does not need
            return api.create_response(request, {"detail": "未登录或 API 令牌无效"}, status=401)
        detail = http_error_detail(exc.status_code, exc.message)
        return api.create_response(request, {"detail": detail}, status=exc.status_code)
