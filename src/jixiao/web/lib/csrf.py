"""The CSRF field of a page, masked once (a context processor of the Jinja2 pages, see settings).

Django's Jinja2 backend gives the templates `csrf_input` and `csrf_token` as lazy values that mask
the token anew each time they are written out: 32 random characters, some 50-100 µs each, and a
unit-year or project page writes three or more (the logout button, the download buttons, the
forms). Here each is made at its first use and written the same in every later one, as Django's
own templates (`{% csrf_token %}` reads the `csrf` context processor's once-evaluated value) do:
any masking of the token is accepted, and a page's forms need not differ from one another."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html


def csrf_once(request: HttpRequest) -> dict[str, Any]:
    """`csrf_input` (the hidden field, markup) and `csrf_token` (its value), one masking a page,
    made only when a template writes one of them out."""
    token = SimpleLazyObject(lambda: get_token(request))
    field = SimpleLazyObject(
        lambda: format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', str(token))
    )
    return {"csrf_input": field, "csrf_token": token}
