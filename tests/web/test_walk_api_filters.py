"""A script writer's mistakes in the API's list filters are answered, not ignored: a light, a
severity or a rule code the API does not know is a 422 that names the parameter and the values it
takes (in Chinese), where it used to return every project (or none) as if the filter had worked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "param", "named"),
    [
        ("/api/monitoring?light=purple", "light", "red"),
        ("/api/monitoring?light=red,%E7%BA%A2%E7%81%AF", "light", "yellow"),
        ("/api/review/ranking?severity=bad", "severity", "warning"),
        ("/api/review/ranking?rule=JX999", "rule", "JX101"),
        ("/api/projects?state=%E8%8D%89%E7%A8%BF", "state", "draft"),  # 草稿: the label, not the value
    ],
)
def test_an_unknown_filter_value_is_a_422_naming_the_parameter(clients, url, param, named):
    r = clients["reviewer"].get(url)
    assert r.status_code == 422, r.content
    detail = r.json()["detail"]
    assert param in detail and named in detail, detail


def test_known_filter_values_still_filter(clients):
    r = clients["reviewer"].get("/api/projects?state=published")
    assert r.status_code == 200 and r.json()["count"] >= 1, r.content
    assert clients["reviewer"].get("/api/projects?state=%20published").json() == r.json()
    assert clients["reviewer"].get("/api/monitoring?light=red,yellow").status_code == 200
    assert clients["reviewer"].get("/api/monitoring?light=").status_code == 200
    r = clients["reviewer"].get("/api/review/ranking?severity=warning&rule=jx116")
    assert r.status_code == 200 and r.json()["count"] >= 1, r.content


def test_a_value_with_spaces_around_filters_as_the_value(clients, market_project):
    """`light=red, yellow` and `severity= warning` pass the check (it strips each value): they must
    filter by what was checked, not by the unstripped text, which matched no light (yellow dropped
    silently) or no severity (the filter dropped: every project returned)."""
    import json

    from tests.web.conftest import approve_for_cycle

    p = approve_for_cycle(market_project)
    snap = {"as_of": "2024-07-31", "executed": "0.5", "deviation": {"reason_category": "经费保障"}}
    r = clients["market"].post(
        f"/api/projects/{p.pk}/monitoring", json.dumps(snap), content_type="application/json"
    )
    light = r.json()["light"]
    other = "green" if light != "green" else "red"
    plain = clients["reviewer"].get(f"/api/monitoring?year=2024&light={other},{light}").json()
    spaced = clients["reviewer"].get(f"/api/monitoring?year=2024&light={other},%20{light}").json()
    assert [x["project_id"] for x in plain] == [p.pk] and spaced == plain

    plain = clients["reviewer"].get("/api/review/ranking?severity=error").json()
    spaced = clients["reviewer"].get("/api/review/ranking?severity=%20error%20").json()
    every = clients["reviewer"].get("/api/review/ranking").json()
    assert plain["count"] < every["count"]
    assert spaced == plain
