"""Refuse request bodies far larger than any allowed upload before Django reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MAX_FILES_PER_REQUEST = 20


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
