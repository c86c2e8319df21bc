"""A unit writes a new project's 绩效目标表 in the browser: 新建项目 on the unit's page (also for a
year that has no data yet, e.g. next year's targets), then the project's edit form. Before it, a
project could only come from an imported document, so a unit with nothing to import — a new
project, a new unit — met a dead end."""

from __future__ import annotations

import pytest

from jixiao.web import actions
from jixiao.web.models import History, Project, State

pytestmark = pytest.mark.django_db


def test_a_unit_user_creates_a_project_for_next_year_and_lands_on_its_edit_form(clients, demo):
    unit = demo["999002"]
    page = clients["edu"].get(f"/units/{unit.pk}/2024/").content.decode()
    assert f'action="/units/{unit.pk}/projects/new/"' in page  # the form on the unit-year page
    r = clients["edu"].post(
        f"/units/{unit.pk}/projects/new/", {"year": "2025", "name": "课后服务补助经费", "code": ""}
    )
    p = Project.objects.get(unit=unit, year=2025, name="课后服务补助经费")
    assert r.status_code == 302 and r["Location"] == f"/projects/{p.pk}/#edit"
    assert p.state == State.DRAFT and p.disclosure.year == 2025 and p.indicators.count() == 0
    html = clients["edu"].get(f"/projects/{p.pk}/").content.decode()
    assert 'id="edit"' in html and "编辑绩效目标表" in html
    assert 'name="ind-7-level1"' in html  # room for a whole table (8 rows), not 2 at a time
    assert History.objects.filter(project=p, summary__contains="新建项目").exists()
    assert "2025" in clients["edu"].get(f"/units/{unit.pk}/2025/").content.decode()


def test_a_name_is_needed_and_must_be_new_in_the_unit_year(clients, demo):
    unit = demo["999002"]
    url = f"/units/{unit.pk}/projects/new/"
    r = clients["edu"].post(url, {"year": "2024", "name": " "}, follow=True)
    assert "请填写项目名称" in r.content.decode()
    existing = Project.objects.filter(unit=unit, year=2024).first()
    r = clients["edu"].post(url, {"year": "2024", "name": existing.name}, follow=True)
    assert "已有项目" in r.content.decode() and existing.name in r.content.decode()
    r = clients["edu"].post(url, {"year": "20x5", "name": "新项目"}, follow=True)
    assert "年度应为" in r.content.decode()
    assert not Project.objects.filter(name="新项目").exists()


def test_only_the_units_own_users_and_administrators_create_projects(clients, demo, users):
    market = demo["999001"]
    url = f"/units/{market.pk}/projects/new/"
    assert clients["edu"].post(url, {"year": "2025", "name": "越权项目"}).status_code == 404
    assert clients["reviewer"].post(url, {"year": "2025", "name": "越权项目"}).status_code == 403
    assert not Project.objects.filter(name="越权项目").exists()
    assert f'action="{url}"' not in clients["reviewer"].get(f"/units/{market.pk}/2024/").content.decode()
    p = actions.create_project(users["admin"], market.pk, 2025, "管理员新建")
    assert p.unit == market and p.state == State.DRAFT


def test_a_name_or_code_too_long_is_refused_not_cut(clients, demo):
    """The edit form refuses a name over 300 characters (a code over 60); creating one must too,
    rather than store the first 300 and tell the user it was made under the name typed."""
    unit = demo["999002"]
    url = f"/units/{unit.pk}/projects/new/"
    r = clients["edu"].post(url, {"year": "2025", "name": "长" * 301}, follow=True)
    assert "项目名称不能超过 300 字" in r.content.decode()
    r = clients["edu"].post(url, {"year": "2025", "name": "新项目", "code": "9" * 61}, follow=True)
    assert "项目编码不能超过 60 字" in r.content.decode()
    assert not Project.objects.filter(unit=unit, year=2025).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_in_one_unit_year_neither_fail_nor_share_a_number(db):
    """Two users press 新建项目 at once: the same name gives one project and a Chinese refusal (not
    a unique-key error, a 500), different names give projects numbered one after the other."""
    import threading

    from django.db import connection, connections

    from jixiao.web.models import Unit

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite writes one at a time)")
    unit = Unit.objects.create(code="990001", name="并发测试单位")
    for names in (["同名项目"] * 6, [f"项目{i}" for i in range(6)]):
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(names))

        def run(name: str, barrier: threading.Barrier, errors: list[BaseException]) -> None:
            try:
                barrier.wait()
                actions.create_project(None, unit.pk, 2026, name)
            except actions.Invalid as e:
                assert "已有项目" in e.message
            except BaseException as e:  # reported below
                errors.append(e)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(n, barrier, errors)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    stored = list(Project.objects.filter(unit=unit, year=2026).order_by("seq").values_list("name", "seq"))
    assert [n for n, _ in stored].count("同名项目") == 1
    assert [s for _, s in stored] == list(range(1, 8))
