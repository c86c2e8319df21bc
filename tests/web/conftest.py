"""Fixtures for the web tests: the demo data set stored through actions, one account per role.

The same tests run on SQLite (default) and on PostgreSQL (JIXIAO_DATABASE_URL=postgresql://…).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.web import actions

PASSWORD = "pw-123456"


def pytest_configure(config):
    # no persistent connections in tests: the live server's threads must not hold the test database
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite: a test database in a file (WAL, waits on locks) rather than shared-cache memory, where
    # a second thread (the live server, a task worker) meets "database table is locked" at once
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"] and not db.get("TEST", {}).get("NAME"):
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="jixiao-test-"))
        db.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture
def demo(db):
    """The demo units, disclosures and projects (2023 published, 2024 drafts); returns {unit code: Unit}."""
    from jixiao.web.demo.load import import_demo
    from jixiao.web.models import Unit

    import_demo()
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def users(demo):
    """admin, reviewer, market (unit 999001), edu (unit 999002)."""
    out = {}
    for name, role, units in [
        ("admin", "admin", []),
        ("reviewer", "reviewer", []),
        ("market", "unit", ["999001"]),
        ("edu", "unit", ["999002"]),
    ]:
        out[name], _ = actions.create_user(None, name, role, unit_codes=units, password=PASSWORD)
    return out


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def clients(users):
    return {name: _client(u) for name, u in users.items()}


@pytest.fixture
def market_project(demo):
    from jixiao.web.models import Project

    return Project.objects.filter(unit=demo["999001"], year=2024).order_by("seq").first()


@pytest.fixture
def edu_project(demo):
    from jixiao.web.models import Project

    return Project.objects.filter(unit=demo["999002"]).order_by("seq").first()


def approve_for_cycle(project):
    """Monitoring and self-evaluation are entered on approved targets only (issue 12): `project`
    submitted and approved as the command line would (with a reason when its review asks for one)."""
    from jixiao.web.models import State

    if project.state in (State.APPROVED, State.PUBLISHED):
        return project
    p = project if project.state == State.SUBMITTED else actions.submit_project(None, project.pk)
    reason = "测试：确认审核通过" if actions.review_gate(p).needs_reason else None
    return actions.approve_project(None, p.pk, confirm_reason=reason)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser():
    """Headless Debian chromium through Playwright."""
    from tests.web.browsing import ARGS, CHROMIUM

    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
