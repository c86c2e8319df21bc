"""The JSON API: lists with pagination, detail with parsed targets, token auth, CSRF, workflow, edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.web import actions
from jixiao.web.models import Project, State

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_projects_list_is_paginated_and_filtered(clients, demo):
    c = clients["reviewer"]
    all_ = c.get("/api/projects").json()
    assert all_["count"] == 14 and len(all_["items"]) == 14
    page = c.get("/api/projects?limit=5&offset=5").json()
    assert page["count"] == 14 and [i["id"] for i in page["items"]] == [i["id"] for i in all_["items"][5:10]]
    r = c.get("/api/projects?unit=999001&year=2024").json()
    assert r["count"] == 6 and all(i["year"] == 2024 for i in r["items"])
    r = c.get("/api/projects", {"q": "教师"}).json()
    assert [i["name"] for i in r["items"]] == ["教师培训经费"]
    assert set(r["items"][0]) >= {"id", "unit", "year", "name", "code", "budget_total", "state", "version"}


def test_project_detail_has_indicators_with_parsed_targets(clients, market_project):
    r = clients["market"].get(f"/api/projects/{market_project.pk}").json()
    assert r["name"] == "产品质量监督抽查经费" and r["budget_total"] == 48.5
    ind = {i["name"]: i for i in r["indicators"]}
    t = ind["监督抽查完成率"]["target"]
    assert t["raw"] == "≥95%" and t["kind"] == "percent" and t["op"] == ">=" and t["value"] == 95
    assert ind["抽查结果公开时间"]["target"]["kind"] == "date"


def test_units_and_disclosures(clients, demo):
    c = clients["admin"]
    units = c.get("/api/units").json()
    assert {u["name"] for u in units} == {
        "示例市市场监督管理局",
        "示例市示例区教育局",
        "示例市卫生健康委员会",
    }
    ds = c.get("/api/disclosures?unit=999001").json()
    assert sorted(d["year"] for d in ds) == [2023, 2024]
    d = c.get(f"/api/disclosures/{ds[0]['id']}").json()
    assert d["overall_goal"] and len(d["sub_goals"]) == 4 and d["projects"]


def test_bearer_token_auth(users, demo):
    token = actions.issue_token(None, "market")
    c = Client()
    assert c.get("/api/projects").status_code == 401
    assert c.get("/api/projects", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    r = c.get("/api/projects", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["count"] == 10
    # a script with a token needs no CSRF token for writes
    p = Project.objects.filter(unit=demo["999001"], year=2024).first()
    c = Client(enforce_csrf_checks=True)
    r = c.post(
        f"/api/projects/{p.pk}/submit",
        json.dumps({"version": p.version}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 200 and r.json()["state"] == "submitted"


def test_session_writes_need_csrf(users, market_project):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["market"])
    url = f"/api/projects/{market_project.pk}/submit"
    assert c.post(url, "{}", content_type="application/json").status_code == 403
    c.get("/")  # sets the csrftoken cookie
    token = c.cookies["csrftoken"].value
    r = c.post(url, "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200


def test_edit_with_version_and_conflict(clients, market_project):
    p = market_project
    url = f"/api/projects/{p.pk}"
    body = {"version": p.version, "goal": "新的绩效目标", "budget_total": "50"}
    r = clients["market"].patch(url, json.dumps(body), content_type="application/json")
    assert (
        r.status_code == 200 and r.json()["version"] == p.version + 1 and r.json()["goal"] == "新的绩效目标"
    )
    r = clients["admin"].patch(
        url, json.dumps({**body, "goal": "另一人的修改"}), content_type="application/json"
    )
    assert r.status_code == 409 and "保存冲突" in r.json()["detail"]
    assert Project.objects.get(pk=p.pk).goal == "新的绩效目标"
    r = clients["market"].patch(
        url, json.dumps({"version": p.version + 1, "budget_total": "abc"}), content_type="application/json"
    )
    assert r.status_code == 400 and "budget_total" in r.json()["errors"]


def test_edit_indicators_through_the_api(clients, market_project):
    p = market_project
    rows = clients["market"].get(f"/api/projects/{p.pk}").json()["indicators"]
    rows[0]["value"] = "≥400批次"
    body = {
        "version": p.version,
        "indicators": [
            {k: r[k] for k in ("id", "level1", "level2", "name", "description", "value", "basis")}
            for r in rows[:-1]
        ],
    }
    r = clients["market"].patch(f"/api/projects/{p.pk}", json.dumps(body), content_type="application/json")
    assert r.status_code == 200
    out = r.json()["indicators"]
    assert len(out) == len(rows) - 1 and out[0]["value"] == "≥400批次" and out[0]["target"]["value"] == 400
    hist = clients["market"].get(f"/api/projects/{p.pk}/history").json()
    assert hist[0]["action"] == "edit" and hist[0]["user"] == "market"


def test_workflow_through_the_api(clients, market_project):
    p = market_project
    post = lambda who, what, body: clients[who].post(  # noqa: E731
        f"/api/projects/{p.pk}/{what}", json.dumps(body), content_type="application/json"
    )
    assert post("reviewer", "submit", {}).status_code == 403
    assert post("market", "submit", {"version": p.version}).status_code == 200
    assert post("market", "approve", {}).status_code == 403
    assert post("reviewer", "return", {"comment": ""}).status_code == 400
    r = post("reviewer", "return", {"comment": "请补充成本指标依据"})
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert post("market", "submit", {"version": p.version}).status_code == 409  # stale version
    assert post("market", "submit", {}).status_code == 200
    assert post("admin", "approve", {}).status_code == 200
    assert Project.objects.get(pk=p.pk).state == State.APPROVED


def test_openapi_and_docs_are_served_locally(clients):
    schema = Client().get("/api/openapi.json").json()
    assert "/api/projects" in schema["paths"] and "/api/import" in schema["paths"]
    html = Client().get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    # nothing is loaded from elsewhere (intranets have no internet); the page's CSRF token is random
    # text and once held "cdn", so the addresses themselves are checked, not a word in the page
    import re

    addresses = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)', html)
    local = [a for a in addresses if a.startswith(("/", "#")) and not a.startswith("//")]
    assert addresses and local == addresses, addresses
    assert "cdn." not in html.lower() and "https://" not in html and "http://" not in html


@pytest.mark.skipif(not (SEEDS / "001_69cafeba3764958f.txt").exists(), reason="needs ../shared/seeds")
def test_import_upload_through_the_api(clients, users):
    data = (SEEDS / "001_69cafeba3764958f.txt").read_bytes()
    r = clients["admin"].post("/api/import", {"files": [SimpleUploadedFile("001.txt", data)]})
    assert r.status_code == 200
    res = r.json()[0]
    assert res["ok"] and res["created"] == 9 and res["year"] == 2022
    r = clients["admin"].post("/api/import", {"files": [SimpleUploadedFile("001.txt", data)]})
    assert r.json()[0]["created"] == 0 and r.json()[0]["updated"] == 9
    assert (
        clients["reviewer"].post("/api/import", {"files": [SimpleUploadedFile("001.txt", data)]}).status_code
        == 403
    )
    r = clients["admin"].post(
        "/api/import", {"files": [SimpleUploadedFile("bad.txt", b"\x00\x01\x02garbage")]}
    )
    assert r.status_code == 200 and not r.json()[0]["ok"] and r.json()[0]["errors"][0].startswith("bad.txt")


def test_writes_with_a_bad_token_or_none_are_unauthorized_not_csrf(users, market_project):
    """A script whose token is wrong, revoked or belongs to a deactivated account is told so (401),
    not sent after a CSRF token it does not need; nor is a request with no credentials at all."""
    token = actions.issue_token(None, "market")
    users["market"].is_active = False
    users["market"].save()
    c = Client(enforce_csrf_checks=True)
    url = f"/api/projects/{market_project.pk}/submit"
    for headers in ({"HTTP_AUTHORIZATION": f"Bearer {token}"}, {"HTTP_AUTHORIZATION": "Bearer nonsense"}, {}):
        r = c.post(url, "{}", content_type="application/json", **headers)
        assert r.status_code == 401, (headers, r.content)
        assert "CSRF" not in r.json()["detail"] and "令牌" in r.json()["detail"]


def test_api_answers_chinese_as_characters_not_escapes(clients, demo):
    """Someone reading the API with curl or in a browser tab reads 「示例市…」 and 「项目不存在…」,
    not 「\\u793a\\u4f8b…」 (valid JSON either way; only the ninja-rendered routes escaped)."""
    import json

    for url in ("/api/units", "/api/projects/999999", "/api/projects?limit=abc"):
        r = clients["market"].get(url)
        body = r.content.decode("utf-8")
        assert "\\u" not in body, (url, body[:200])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body), (url, body[:200])
        assert "charset=utf-8" in r["Content-Type"].lower(), (url, r["Content-Type"])
        json.loads(body)
