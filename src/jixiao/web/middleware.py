"""Request guards at the boundary: body size, NUL characters, the client's address, security headers.

- `RequestSizeLimit` refuses request bodies far larger than any allowed upload before Django reads
  them (413).
- `RejectNul` refuses (400, in Chinese) a request whose path, query, form fields or JSON strings hold
  a NUL character: no database stores one (PostgreSQL refuses it outright) and no document needs
  one, so every page and API handler is spared the check.
- `ContentSecurityPolicy` sets the Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY).
- `client_address` and `login_username` say whom a login attempt is counted against (django-axes):
  the client address is REMOTE_ADDR, or the address the nearest of settings.PROXY_COUNT trusted
  proxies saw (X-Forwarded-For read from the right); the username is cut to 150 characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

MAX_FILES_PER_REQUEST = 20
NUL = "\x00"


class RequestSizeLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = (settings.MAX_UPLOAD_MB * MAX_FILES_PER_REQUEST + 1) * 1024 * 1024
        if length > limit:
            return HttpResponse(
                f"请求过大：每个文件不超过 {settings.MAX_UPLOAD_MB} MB，一次最多 "
                f"{MAX_FILES_PER_REQUEST} 个文件。".encode(),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def bad_request(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """A Chinese error: JSON {"detail": …} under /api/, plain text elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message.encode(), status=status, content_type="text/plain; charset=utf-8")


def _json_has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def nul_field(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character ("查询参数 q", "表单字段 note", …), or None."""
    if NUL in request.path:
        return "网址路径"
    for label, data in (("查询参数", request.GET), ("表单字段", request.POST)):
        for key, values in data.lists():
            if NUL in key or any(NUL in v for v in values):
                return f"{label} {key.replace(NUL, '?')}"
    if request.content_type == "application/json":
        body = request.body
        if b"\x00" in body or b"\\u0000" in body.lower():
            try:
                if _json_has_nul(json.loads(body)):
                    return "JSON 请求体"
            except ValueError:
                return "JSON 请求体"
    return None


class RejectNul:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            where = nul_field(request)
        except MultiPartParserError:
            return bad_request(request, "请求无效：表单数据（multipart/form-data）格式有误。")
        if where:
            return bad_request(request, f"请求无效：{where}含有空字符（NUL），请删去后重试。")
        return self.get_response(request)


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the nearest trusted proxy saw it (settings.PROXY_COUNT proxies), else
    REMOTE_ADDR. Hops further left in X-Forwarded-For are the client's own claims and not used."""
    hops = getattr(settings, "PROXY_COUNT", 0)
    if hops > 0:
        chain = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR")


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login attempt is counted under (django-axes): the one typed, cut to the 150
    characters a username can have (the attempt is stored; a longer one must not fail the login)."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username")
    return None if name is None else str(name)[:150]
