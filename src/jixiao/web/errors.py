"""Error answers in Chinese for the pages and for what reaches /api/ outside django-ninja's routes.

Django's own answers are English ("Not Found", "CSRF verification failed. Request aborted.", an
empty 405). Here:
- `not_found`, `forbidden`, `bad_request`, `server_error`: the URLconf's handler404/403/400/500;
- `csrf_failure`: settings.CSRF_FAILURE_VIEW (a page form posted without a valid CSRF token);
- `ChineseErrors`: a middleware that gives a 405 (a page or an API path called with the wrong
  method) a Chinese body and keeps its Allow header.
Under /api/ each answers JSON `{"detail": …}` as the API does; elsewhere a small HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static


def is_chinese(text: str) -> bool:
    """Whether `text` holds at least one Chinese character (an exception's own message, then, is
    meant for the user)."""
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, status: int, title: str, detail: str = "") -> HttpResponse:
    """A Chinese error: JSON {"detail": …} under /api/, a small page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            {"detail": detail or title}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    body = (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · jixiao 预算绩效管理</title>"
        f'<link rel="stylesheet" href="{static("web/style.css")}"></head><body><main>'
        f"<h1>{escape(title)}</h1>"
        + (f"<p>{escape(detail)}</p>" if detail else "")
        + '<p><a href="/">返回首页</a></p></main></body></html>'
    )
    return HttpResponse(body.encode(), status=status, content_type="text/html; charset=utf-8")


def _message(exception: Any) -> str:
    text = str(exception.args[0]) if exception is not None and getattr(exception, "args", None) else ""
    return text if is_chinese(text) else ""


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    detail = _message(exception) or "您要找的页面或数据不存在，或您无权查看。"
    return error_response(request, 404, "未找到", detail)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    detail = _message(exception) or "您的账号没有执行此操作的权限。"
    return error_response(request, 403, "无权访问", detail)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_response(request, 400, "请求有误", "服务器无法处理这个请求，请检查网址或表单后重试。")


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500, "服务器出错", "处理请求时出了错，错误已记入服务器日志，请稍后重试。")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(
        request,
        403,
        "表单安全校验失败",
        "表单的安全令牌（CSRF）缺失或已过期（页面打开太久，或浏览器禁用了 Cookie）：请刷新页面后重新提交。",
    )


def not_allowed_detail(method: str, allowed: str) -> str:
    methods = "、".join(m.strip() for m in allowed.split(",") if m.strip())
    return f"不支持 {method} 请求方法" + (f"：此地址只接受 {methods}" if methods else "") + "。"


class ChineseErrors:
    """A 405 gets a Chinese body (JSON under /api/, a page elsewhere); its Allow header stays."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405:
            return response
        allowed = response.get("Allow", "")
        out = error_response(request, 405, "请求方法不对", not_allowed_detail(request.method or "", allowed))
        if allowed:
            out["Allow"] = allowed
        return out
