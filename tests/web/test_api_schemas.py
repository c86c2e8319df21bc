"""Every API response matches the schema the API declares for it (issue 10, item 2).

The OpenAPI document is read from /api/openapi.json; each GET endpoint is called with real objects
of the demo (path parameters filled from it) and its 200 body validated against the declared
response schema, closed (no key the schema does not declare); each endpoint with an id in its path
is also called with an id that does not exist, and its 404 body validated against the declared 404
schema (an undeclared status fails). The writes of the cycle and the approval (200 and 409) too.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest

from jixiao.web.models import Disclosure, MonitoringSnapshot, SelfEvaluation

MISSING_ID = 987654321


def _closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to others: an answer built by
    hand (the hot list and detail endpoints) must not carry a key its schema does not declare."""
    if isinstance(schema, list):
        return [_closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _closed(v) for k, v in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _validator(doc: dict[str, Any], op: dict[str, Any], status: str) -> Any:
    responses = op["responses"]
    assert status in responses, f"{op.get('operationId')}: status {status} is not declared"
    schema = responses[status]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for(_closed({**schema, "components": doc.get("components", {})}))


@pytest.fixture
def api_doc(clients) -> dict[str, Any]:
    from jixiao.web.demo.cycle import load_demo_cycle
    from jixiao.web.models import Project
    from tests.web.conftest import approve_for_cycle

    for p in Project.objects.filter(year=2024):
        approve_for_cycle(p)  # monitoring is entered on approved targets only
    load_demo_cycle()  # snapshots and self-evaluations for the cycle endpoints
    return clients["admin"].get("/api/openapi.json").json()


def _ids(market_project, path: str) -> dict[str, int]:
    """Real ids for a path: a project with a stored self-evaluation for the 自评 endpoints, one with
    a monitoring snapshot for the monitoring ones, else the demo's market project."""
    project = market_project
    if "selfeval" in path:
        se = SelfEvaluation.objects.select_related("project").first()
        project = se.project
        if "/public/" in path and se.published_at is None:  # readers see published ones only
            from jixiao.web import actions

            actions.publish_selfeval(None, project.pk)
    elif "monitoring" in path:
        project = MonitoringSnapshot.objects.select_related("project").first().project
    return {
        "project_id": project.pk,
        "disclosure_id": Disclosure.objects.filter(unit=project.unit).first().pk,
        "indicator_id": project.indicators.order_by("seq").first().pk,
        "snapshot_id": MonitoringSnapshot.objects.first().pk,
    }


def test_every_get_endpoint_answers_in_its_declared_shape(api_doc, clients, market_project) -> None:
    checked = []
    for path, ops in api_doc["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        ids = _ids(market_project, path)
        url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids[m.group(1)]), path)
        r = clients["admin"].get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
        errors = [e.message for e in _validator(api_doc, op, "200").iter_errors(r.json())]
        assert not errors, (url, errors[:5])
        checked.append(path)
    assert len(checked) >= 12, checked


def test_unknown_ids_answer_404_in_the_declared_shape(api_doc, clients, market_project) -> None:
    checked = []
    for path, ops in api_doc["paths"].items():
        if "{" not in path:
            continue
        for method, op in ops.items():
            if method not in ("get", "post", "patch"):
                continue
            url = re.sub(r"\{(\w+)\}", str(MISSING_ID), path)
            c = clients["admin"]
            r = (
                c.get(url)
                if method == "get"
                else getattr(c, method)(url, data="{}", content_type="application/json")
            )
            if r.status_code in (400, 422):  # the body was checked before the id (a required field)
                continue
            assert r.status_code == 404, (method, url, r.status_code, r.content[:200])
            errors = [e.message for e in _validator(api_doc, op, "404").iter_errors(r.json())]
            assert not errors, (method, url, errors[:5])
            checked.append((method, path))
    assert len(checked) >= 8, checked


def test_workflow_and_edit_answers_match_their_schema(api_doc, clients, market_project) -> None:
    from jixiao.web.models import Project

    ops = api_doc["paths"]["/api/projects/{project_id}"]
    Project.objects.filter(pk=market_project.pk).update(state="draft")  # the fixture approved it
    body = clients["market"].get(f"/api/projects/{market_project.pk}").json()
    r = clients["market"].patch(
        f"/api/projects/{market_project.pk}",
        data={"version": body["version"], "name": body["name"]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert not list(_validator(api_doc, ops["patch"], "200").iter_errors(r.json()))
    stale = clients["market"].patch(
        f"/api/projects/{market_project.pk}",
        data={"version": body["version"] - 1, "name": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert not list(_validator(api_doc, ops["patch"], "409").iter_errors(stale.json()))


def test_delete_answers_match_their_schema(api_doc, clients, users, demo) -> None:
    from jixiao.web import actions

    op = api_doc["paths"]["/api/projects/{project_id}"]["delete"]
    p = actions.create_project(users["market"], demo["999001"].pk, 2025, "误建的项目")
    stale = clients["market"].delete(f"/api/projects/{p.pk}?version={p.version + 1}")
    assert stale.status_code == 409
    assert not list(_validator(api_doc, op, "409").iter_errors(stale.json()))
    approved = clients["market"].delete(f"/api/projects/{_ids_approved(demo)}")
    assert approved.status_code == 403
    assert not list(_validator(api_doc, op, "403").iter_errors(approved.json()))
    r = clients["market"].delete(f"/api/projects/{p.pk}?version={p.version}")
    assert r.status_code == 200, r.content
    assert not list(_validator(api_doc, op, "200").iter_errors(r.json()))


def _ids_approved(demo) -> int:
    from jixiao.web.models import Project

    return Project.objects.filter(unit=demo["999001"], state="approved").first().pk


def _post(client, url: str, body: Any) -> Any:
    return client.post(url, data=body, content_type="application/json")


def test_cycle_post_answers_match_their_schema(api_doc, clients, market_project) -> None:
    """The monitoring, outcome and self-evaluation writes answer in their declared shapes."""
    from tests.web.test_monitoring_api import SELFEVAL_ROWS, SNAP

    paths = api_doc["paths"]
    p = market_project
    r = _post(clients["market"], f"/api/projects/{p.pk}/monitoring", SNAP)
    assert r.status_code == 200, r.content
    snap = r.json()
    assert snap["light"] and snap["revision"] and snap["project_id"] == p.pk
    assert not list(
        _validator(api_doc, paths["/api/projects/{project_id}/monitoring"]["post"], "200").iter_errors(snap)
    )
    stale = _post(clients["market"], f"/api/projects/{p.pk}/monitoring", {**SNAP, "revision": "x"})
    assert stale.status_code == 409
    op = paths["/api/projects/{project_id}/monitoring"]["post"]
    assert not list(_validator(api_doc, op, "409").iter_errors(stale.json()))
    r = _post(
        clients["reviewer"], f"/api/monitoring/{snap['id']}/outcome", {"outcome": "reduce", "note": "调减"}
    )
    assert r.status_code == 200 and r.json()["outcome"] == "reduce"
    assert not list(
        _validator(api_doc, paths["/api/monitoring/{snapshot_id}/outcome"]["post"], "200").iter_errors(
            r.json()
        )
    )
    body = {"adjusted": "48.5", "executed": "48.5", "rows": SELFEVAL_ROWS}
    r = _post(clients["market"], f"/api/projects/{p.pk}/selfeval", body)
    assert r.status_code == 200, r.content
    assert r.json()["grade"] and r.json()["result"]["indicators"]
    assert not list(
        _validator(api_doc, paths["/api/projects/{project_id}/selfeval"]["post"], "200").iter_errors(r.json())
    )


def test_approve_asking_for_a_reason_answers_in_its_schema(api_doc, clients, market_project) -> None:
    """409 with the findings to confirm (ConfirmOut), then 200 with the project once a reason is given."""
    from jixiao.web import actions
    from jixiao.web.models import Project

    p = Project.objects.get(pk=market_project.pk)
    Project.objects.filter(pk=p.pk).update(state="draft")
    total = (p.budget_fiscal or 0) + (p.budget_other or 0) + 1  # 预算数 ≠ 财政资金 + 其他资金: an error
    p = actions.edit_project(
        None,
        p.pk,
        actions.ProjectEdit(
            version=p.version, budget_total=str(total), budget_other=str(p.budget_other or 0)
        ),
    )
    p = actions.submit_project(None, p.pk, version=p.version)
    op = api_doc["paths"]["/api/projects/{project_id}/approve"]["post"]
    r = _post(clients["reviewer"], f"/api/projects/{p.pk}/approve", {"version": p.version})
    assert r.status_code == 409, r.content
    assert r.json()["findings"] and r.json()["errors"] == {"confirm_reason": "请填写审核通过的理由"}
    assert not list(_validator(api_doc, op, "409").iter_errors(r.json()))
    r = _post(
        clients["reviewer"],
        f"/api/projects/{p.pk}/approve",
        {"version": p.version, "confirm_reason": "已核实"},
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert not list(_validator(api_doc, op, "200").iter_errors(r.json()))
