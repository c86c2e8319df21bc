"""The login page's lock-out answer (django-axes calls `login_locked` once an account or a client
address has too many failed logins; the same page serves /login/ and /admin/login/)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_STATUS = 429


def locked_message() -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return (
        f"登录失败次数过多，此账号或此地址的登录已暂时锁定。请 {minutes} 分钟后再试"
        "（锁定期间再次尝试会重新计时），或请管理员解除锁定。"
    )


def login_locked(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page with the lock-out message (status 429), or JSON under /api/."""
    message = locked_message()
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": message}, status=LOCKED_STATUS, json_dumps_params={"ensure_ascii": False}
        )
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")[:150]
    form = AuthenticationForm(request, initial={"username": username})
    ctx: dict[str, Any] = {"form": form, "locked": message, "next": request.POST.get("next", "")}
    return render(request, "web/login.html", ctx, status=LOCKED_STATUS)
