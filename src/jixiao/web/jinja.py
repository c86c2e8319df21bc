"""The Jinja2 environment of the pages (Django's own engine serves the admin).

Jinja2 renders the unit, project and search pages several times faster than Django's template
language, which matters for many users on a small server; the helpers below are the few the
templates need (url, static, and the filters of `templatetags.jixiao`).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from jinja2 import Environment

from jixiao.web.templatetags.jixiao import get, kind_label, money, severity_label, target_text


def url(name: str, *args: Any) -> str:
    """reverse() of a named route; a page links to many projects, so results are memoised (the
    URLconf does not change while the process runs; the script prefix is part of the key)."""
    return _reverse(get_script_prefix(), name, args)


@lru_cache(maxsize=65536)
def _reverse(prefix: str, name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, args=args)


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.globals.update(url=url, static=static)
    env.filters.update(
        money=money,
        kind_label=kind_label,
        target_text=target_text,
        severity_label=severity_label,
        get=get,
        localtime=localtime,
    )
    return env
