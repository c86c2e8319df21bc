"""Shared pieces of the browser tests: Debian's chromium driven by Playwright (never a downloaded
browser), logging in and out, and running a flow while the live server shares the test database."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BROWSER_TEST = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]


def login(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def logout(page) -> None:
    page.click("header button:has-text('退出')")
    page.wait_for_url(re.compile(r".*/login/.*"))


def run_flow(flow: Callable[[], None], monkeypatch) -> None:
    """Run a browser flow that also reads the database from the test thread."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        flow()
    finally:
        # Playwright runs in its own context, where Django opened a connection of its own
        from django.db import connections

        connections.close_all()
