"""Every page has an icon of our own (a small SVG): linked from the base template, and answered at
/favicon.ico for those that ask there (the admin, downloads, old browsers) — not a 404 in the log."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_is_served_and_linked(clients, caplog):
    r = Client().get("/favicon.ico")  # anonymous: the login page asks too
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert body.lstrip().startswith(b"<svg") and b"</svg>" in body
    assert "max-age" in r["Cache-Control"]
    page = clients["market"].get("/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in page
    assert Client().get("/static/web/favicon.svg").status_code == 200
    assert '<link rel="icon"' in Client().get("/login/").content.decode()
    assert "Not Found" not in caplog.text
