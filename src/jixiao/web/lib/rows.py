"""Table rows made as HTML in Python rather than in a template, for pages that list many (search,
unit-year): every text escaped as the autoescaping templates escaped it, fewer calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import escape

from jixiao.web.jinja import url, url_parts

_SEP = "\x1f"  # no markup, nothing escape() changes


def escape_texts(texts: list[Any]) -> list[str]:
    """`markupsafe.escape` of each value (str, int or None, as from the database), in one call over
    the texts joined by a control character: escaping works a character at a time, so the pieces
    are each text's escape; when a text holds that character itself, each is escaped alone."""
    parts = str(escape(_SEP.join(map(str, texts)))).split(_SEP)
    if len(parts) != len(texts):
        return [str(escape(t)) for t in texts]
    return parts


def id_link(name: str) -> Callable[[Any], str]:
    """The escaped link of a route of one id (`jinja.url_parts`: its text around the id escaped
    once); `url` escaped for an id that is not a non-negative integer or a route that cannot be cut
    so."""
    parts = url_parts(name)
    if parts is None:
        return lambda pid: escape(url(name, pid))
    head, tail = escape(parts[0]), escape(parts[1])
    return lambda pid: f"{head}{pid}{tail}" if type(pid) is int and pid >= 0 else escape(url(name, pid))
