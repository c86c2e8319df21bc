"""A unit user who asks for another unit's data gets 403/404 from every page and API endpoint."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web.models import Disclosure, Project, State

pytestmark = pytest.mark.django_db


def _foreign(demo):
    """Objects of 示例市示例区教育局 (999002), which the market user (999001) may not see."""
    unit = demo["999002"]
    d = Disclosure.objects.get(unit=unit, year=2024)
    p = Project.objects.filter(unit=unit).first()
    return unit, d, p


PAGE_GETS = [
    "/units/{unit}/",
    "/units/{unit}/2024/",
    "/projects/{project}/",
]
PAGE_POSTS = [
    ("/projects/{project}/edit/", {"version": "1", "name": "x", "rows": "0"}),
    ("/projects/{project}/submit/", {"version": "1"}),
    ("/projects/{project}/return/", {"version": "1", "comment": "x"}),
    ("/projects/{project}/approve/", {"version": "1"}),
]
API_GETS = [
    "/api/projects/{project}",
    "/api/projects/{project}/history",
    "/api/disclosures/{disclosure}",
]
API_WRITES = [
    ("patch", "/api/projects/{project}", {"version": 1, "goal": "x"}),
    ("post", "/api/projects/{project}/submit", {}),
    ("post", "/api/projects/{project}/return", {"comment": "x"}),
    ("post", "/api/projects/{project}/approve", {}),
]


def _fmt(url, unit, d, p):
    return url.format(unit=unit.pk, disclosure=d.pk, project=p.pk)


@pytest.mark.parametrize("url", PAGE_GETS)
def test_pages_of_another_unit_are_not_found(clients, demo, url):
    unit, d, p = _foreign(demo)
    assert clients["market"].get(_fmt(url, unit, d, p)).status_code == 404
    assert clients["edu"].get(_fmt(url, unit, d, p), follow=True).status_code == 200


@pytest.mark.parametrize(("url", "data"), PAGE_POSTS)
def test_page_writes_on_another_unit_are_not_found_and_change_nothing(clients, demo, url, data):
    unit, d, p = _foreign(demo)
    r = clients["market"].post(_fmt(url, unit, d, p), data)
    assert r.status_code == 404
    p2 = Project.objects.get(pk=p.pk)
    assert (p2.version, p2.state, p2.name) == (p.version, p.state, p.name)


@pytest.mark.parametrize("url", API_GETS)
def test_api_reads_of_another_unit_are_not_found(clients, demo, url):
    unit, d, p = _foreign(demo)
    assert clients["market"].get(_fmt(url, unit, d, p)).status_code == 404
    assert clients["edu"].get(_fmt(url, unit, d, p)).status_code == 200


@pytest.mark.parametrize(("method", "url", "body"), API_WRITES)
def test_api_writes_on_another_unit_are_not_found(clients, demo, method, url, body):
    unit, d, p = _foreign(demo)
    r = getattr(clients["market"], method)(
        _fmt(url, unit, d, p), json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 404
    p2 = Project.objects.get(pk=p.pk)
    assert (p2.version, p2.state) == (p.version, p.state)


def test_api_lists_hold_only_own_units(clients, demo):
    c = clients["market"]
    assert {u["code"] for u in c.get("/api/units").json()} == {"999001"}
    items = c.get("/api/projects?limit=500").json()
    assert items["count"] == 10 and {i["unit"]["code"] for i in items["items"]} == {"999001"}
    assert c.get("/api/projects?unit=999002").json() == {"items": [], "count": 0}
    assert {d["unit"]["code"] for d in c.get("/api/disclosures").json()} == {"999001"}
    assert {u["code"] for u in clients["reviewer"].get("/api/units").json()} == {"999001", "999002", "999003"}


def test_pages_list_and_search_only_own_units(clients, demo):
    c = clients["market"]
    html = c.get("/").content.decode()
    assert "示例市市场监督管理局" in html and "示例市示例区教育局" not in html
    # 满意度 indicators exist in every demo unit; the market user sees only theirs
    html = c.get("/search/", {"q": "满意度"}).content.decode()
    assert "示例市市场监督管理局" in html and "示例区教育局" not in html and "卫生健康" not in html
    html = clients["reviewer"].get("/search/", {"q": "满意度"}).content.decode()
    assert "示例区教育局" in html


def test_upload_into_another_unit_is_refused(clients, demo):
    unit, _d, _p = _foreign(demo)
    f = SimpleUploadedFile("a.txt", "项目名称\t测试\n".encode())
    assert clients["market"].post("/upload/", {"files": [f], "unit": unit.pk}).status_code == 404
    f = SimpleUploadedFile("a.txt", "项目名称\t测试\n".encode())
    assert clients["market"].post("/api/import", {"files": [f], "unit_id": unit.pk}).status_code == 404


def test_anonymous_gets_login_or_401(demo):
    from django.test import Client

    c = Client()
    unit, d, p = _foreign(demo)
    for url in ["/", "/search/?q=x", "/upload/", *(_fmt(u, unit, d, p) for u in PAGE_GETS)]:
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")
    for url in ["/api/units", "/api/projects", *(_fmt(u, unit, d, p) for u in API_GETS)]:
        assert c.get(url).status_code == 401


def test_reviewer_cannot_edit_or_submit_but_can_review(clients, demo, market_project, users):
    p = market_project
    r = clients["reviewer"].post(f"/projects/{p.pk}/edit/", {"version": p.version, "name": "x", "rows": "0"})
    assert r.status_code == 403
    assert clients["reviewer"].post(f"/projects/{p.pk}/submit/", {"version": p.version}).status_code == 403
    assert clients["market"].post(f"/projects/{p.pk}/submit/", {"version": p.version}).status_code == 302
    p.refresh_from_db()
    assert p.state == State.SUBMITTED
    # submitted: read-only to the unit user, who sees no edit form
    html = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    assert 'id="edit"' not in html and "等待审核" in html
    r = clients["market"].post(f"/projects/{p.pk}/edit/", {"version": p.version, "name": "x", "rows": "0"})
    assert r.status_code == 403
    assert clients["reviewer"].post(f"/projects/{p.pk}/approve/", {"version": p.version}).status_code == 302
    p.refresh_from_db()
    assert p.state == State.APPROVED
