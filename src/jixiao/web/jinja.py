"""The Jinja2 environment of the pages (Django's own engine serves the admin).

Jinja2 renders the unit, project and search pages several times faster than Django's template
language, which matters for many users on a small server; the helpers below are the few the
templates need (url, static, and the filters below).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.templatetags.static import static as django_static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from jinja2 import Environment
from markupsafe import Markup

from jixiao.numbers import money, percent


def url(name: str, *args: Any) -> str:
    """reverse() of a named route. A page links to many projects, so each route is reversed once per
    shape of its arguments (ints and plain words) and then filled in; other arguments are reversed and
    memoised (the URLconf does not change while the process runs; the script prefix is part of the key)."""
    prefix = get_script_prefix()
    shape = tuple(_arg_kind(a) for a in args)
    if "" not in shape:
        parts = _route(prefix, name, shape)
        if parts is not None:
            out = [parts[0]]
            for a, part in zip(args, parts[1:], strict=True):
                out.append(str(a))
                out.append(part)
            return "".join(out)
    return _reverse(prefix, name, args)


def url_maker(name: str) -> Callable[[Any], str]:
    """`url` of a route of one argument as a function, for a page that links to many rows: the
    route's text around its argument is looked up once, then an id is put between."""
    parts = url_parts(name)
    if parts is None:
        return lambda a: url(name, a)
    head, tail = parts

    def make(a: Any) -> str:
        return f"{head}{a}{tail}" if type(a) is int and a >= 0 else url(name, a)

    return make


def url_parts(name: str) -> tuple[str, str] | None:
    """The text of a route of one argument before and after a non-negative integer argument, or
    None when it cannot be cut so (then `url` it)."""
    parts = _route(get_script_prefix(), name, ("i",))
    return None if parts is None else (parts[0], parts[1])


_PLAIN = re.compile(r"[A-Za-z0-9_-]+")  # what reverse() puts in a path unchanged


def _arg_kind(a: Any) -> str:
    if type(a) is int and a >= 0:
        return "i"
    if type(a) is str and _PLAIN.fullmatch(a):
        return "s"
    return ""


@lru_cache(maxsize=1024)
def _route(prefix: str, name: str, shape: tuple[str, ...]) -> tuple[str, ...] | None:
    """The route reversed with marker arguments and cut at the markers: (text, text, ...) with one
    more piece than arguments; None when the markers do not come back once each, in order."""
    marks = [(987654321 + i if k == "i" else f"jxarg{i}mark") for i, k in enumerate(shape)]
    try:
        text = reverse(name, args=marks)
    except NoReverseMatch:
        return None
    parts: list[str] = []
    for mark in marks:
        head, sep, text = text.partition(str(mark))
        if not sep or str(mark) in text:
            return None
        parts.append(head)
    parts.append(text)
    return tuple(parts)


@lru_cache(maxsize=65536)
def _reverse(prefix: str, name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, args=args)


def static(path: str) -> str:
    """Django's static() of a file, once per path and script prefix (every page links its style
    sheets; the storage's URLs do not change while the process runs)."""
    return _static(get_script_prefix(), path)


@lru_cache(maxsize=256)
def _static(prefix: str, path: str) -> str:
    return django_static(path)


_MENUS: dict[tuple[str, str, bool], Markup] = {}


def menu(role: str, is_staff: bool) -> Markup:
    """The main menu of a role (`web/_menu.html`), rendered once per role, staff flag and script
    prefix: it holds only links."""
    key = (get_script_prefix(), role, bool(is_staff))
    out = _MENUS.get(key)
    if out is None:
        if len(_MENUS) >= 64:  # a few roles; bounded whatever they are
            _MENUS.clear()
        template = _ENV[0].get_template("web/_menu.html")
        out = _MENUS[key] = Markup(template.render(role=role, is_staff=bool(is_staff)))
    return out


_ENV: list[Environment] = []  # the pages' environment (`environment`), for `menu`


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)


KIND_LABELS = {"number": "数值", "percent": "百分比", "date": "日期", "boolean": "是否", "text": "定性"}
OP_LABELS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "range": "区间"}


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "text", kind or "")


def target_text(t: dict | None) -> str:
    """The parsed value in short words: ≥ 95 %, 2024-12-31 前, 定性."""
    if not t:
        return ""
    kind = t.get("kind") or "text"
    if kind == "text":
        return "定性"
    if kind == "boolean":
        v = t.get("value")
        return "未填写" if v is None else ("是" if v else "否")
    op = t.get("op")
    if kind == "date":
        if t.get("value") is None:  # no year to place it in (「10月底」「每季度末前」): as written
            return f"日期：{t.get('raw') or '未写明'}"
        return (
            f"不晚于 {t.get('value')}"
            if op in ("<=", "<", None)
            else f"{OP_LABELS.get(op, op)} {t.get('value')}"
        )
    value = t.get("value")
    unit = t.get("unit") or ""
    if op == "range":
        s = f"{value}–{t.get('high')} {unit}"
    else:
        s = f"{OP_LABELS.get(op, '') + ' ' if op else ''}{value} {unit}"
    if t.get("approx"):
        s = "约 " + s
    return s.strip()


def get(d: dict | None, key: str) -> Any:
    return (d or {}).get(key)


SEVERITY_LABELS = {"error": "错误", "warning": "警告", "hint": "提示"}


def severity_label(sev: str | None) -> str:
    return SEVERITY_LABELS.get(sev or "", sev or "")


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.globals.update(url=url, static=static, menu=menu)
    _ENV[:] = [env]
    env.filters.update(
        money=money,
        percent=percent,
        kind_label=kind_label,
        target_text=target_text,
        severity_label=severity_label,
        get=get,
        localtime=localtime,
    )
    return env
