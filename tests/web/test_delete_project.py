"""删除项目: a draft created or imported by mistake is deleted through one action
(`actions.delete_project`), from the project page (a confirmed POST) and the API (DELETE). Unit users
delete drafts of their own unit without monitoring or self-evaluation, administrators any draft;
submitted, returned, approved and published projects are refused naming their state. The deletion
is recorded on the unit-year (the project's own history goes with it) and the unit-year's stored
review is refreshed."""

from __future__ import annotations

import json

import pytest

from jixiao.web import actions
from jixiao.web.models import (
    Disclosure,
    History,
    Indicator,
    MonitoringSnapshot,
    Project,
    ReviewResult,
    SelfEvaluation,
    State,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mistake(users, demo):
    """An empty draft the market user made by mistake at 新建项目 (2024, beside the demo's drafts)."""
    return actions.create_project(users["market"], demo["999001"].pk, 2024, "误建的项目")


def test_the_page_offers_deletion_and_asks_to_confirm_first(clients, mistake):
    c = clients["market"]
    html = c.get(f"/projects/{mistake.pk}/").content.decode()
    assert "删除项目…" in html and f'action="/projects/{mistake.pk}/delete/"' in html
    r = c.post(f"/projects/{mistake.pk}/delete/", {"version": mistake.version})  # not confirmed
    assert r.status_code == 409 and "删除项目前请确认" in r.content.decode()
    assert Project.objects.filter(pk=mistake.pk).exists()
    assert c.get(f"/projects/{mistake.pk}/delete/").status_code == 405


def test_a_unit_user_deletes_an_own_draft_back_to_the_unit_year(clients, mistake):
    did, unit_id = mistake.disclosure_id, mistake.unit_id
    r = clients["market"].post(
        f"/projects/{mistake.pk}/delete/", {"version": mistake.version, "confirm": "1"}, follow=True
    )
    assert r.redirect_chain == [(f"/units/{unit_id}/2024/", 302)]
    assert "已删除项目「误建的项目」" in r.content.decode()
    assert not Project.objects.filter(pk=mistake.pk).exists()
    # the record of the deletion outlives the project: on its unit-year, with the project's history
    h = History.objects.get(action="delete")
    assert h.project_id is None and h.disclosure_id == did and h.username == "market"
    assert "删除项目「误建的项目」" in h.summary and "2024" in h.summary
    changes = {c["field"]: c["old"] for c in h.changes}
    assert changes["project"]["id"] == mistake.pk and changes["project"]["state"] == State.DRAFT
    assert any("新建项目" in e["summary"] for e in changes["history"])
    assert not History.objects.filter(project_id=mistake.pk).exists()
    assert Disclosure.objects.filter(pk=did).exists()  # the unit-year stays


def test_the_stored_review_of_the_unit_year_is_refreshed(users, market_project):
    from jixiao.web.lib import reviews

    did = market_project.disclosure_id
    before = set(ReviewResult.objects.filter(disclosure_id=did).values_list("project_id", flat=True))
    assert market_project.pk in before
    actions.delete_project(users["market"], market_project.pk)
    rows = ReviewResult.objects.filter(disclosure_id=did)
    assert set(rows.values_list("project_id", flat=True)) == before - {market_project.pk}
    fresh = reviews._version(reviews._fingerprints([did])[did], reviews.review_settings())
    assert set(rows.values_list("version", flat=True)) == {fresh}
    assert not Indicator.objects.filter(project_id=market_project.pk).exists()


def test_deleting_the_last_project_leaves_an_empty_unit_year_reviewed(clients, users, mistake):
    did = mistake.disclosure_id
    for p in Project.objects.filter(disclosure_id=did):
        actions.delete_project(users["admin"], p.pk)
    assert not Project.objects.filter(disclosure_id=did).exists()
    assert History.objects.filter(disclosure_id=did, action="delete").count() >= 1
    assert clients["market"].get(f"/units/{mistake.unit_id}/2024/").status_code == 200


@pytest.mark.parametrize(
    ("state", "word"),
    [
        (State.SUBMITTED, "已提交"),
        (State.RETURNED, "已退回"),
        (State.APPROVED, "已批复"),
        (State.PUBLISHED, "已公开"),
    ],
)
def test_only_drafts_are_deleted_and_the_refusal_names_the_state(clients, users, mistake, state, word):
    Project.objects.filter(pk=mistake.pk).update(state=state)
    n = History.objects.count()
    for who in ("market", "admin"):
        with pytest.raises(actions.Denied) as e:
            actions.delete_project(users[who], mistake.pk)
        assert f"项目{word}，不能删除" in str(e.value)
    r = clients["market"].post(f"/projects/{mistake.pk}/delete/", {"confirm": "1"})
    assert r.status_code == 403 and f"项目{word}，不能删除" in r.content.decode()
    assert "删除项目…" not in r.content.decode()
    r = clients["admin"].delete(f"/api/projects/{mistake.pk}")
    assert r.status_code == 403 and word in r.json()["detail"]
    assert Project.objects.filter(pk=mistake.pk).exists() and History.objects.count() == n


def test_reviewers_delete_nothing(clients, users, mistake):
    with pytest.raises(actions.Denied, match="只有本单位的用户或管理员可以删除项目"):
        actions.delete_project(users["reviewer"], mistake.pk)
    assert clients["reviewer"].post(f"/projects/{mistake.pk}/delete/", {"confirm": "1"}).status_code == 403
    assert "删除项目…" not in clients["reviewer"].get(f"/projects/{mistake.pk}/").content.decode()
    assert Project.objects.filter(pk=mistake.pk).exists()


def test_monitoring_or_a_self_evaluation_keeps_a_unit_user_from_deleting(users, demo):
    """A project with monitoring and a self-evaluation, made a draft again (as an administrator
    putting it back would): what a unit user may not delete."""
    from tests.web.test_import_safety import _enter_cycle

    projects = Project.objects.filter(unit=demo["999001"], year=2024).order_by("seq")
    p = next(p for p in projects if _enter_cycle(p))
    Project.objects.filter(pk=p.pk).update(state=State.DRAFT)
    assert MonitoringSnapshot.objects.filter(project=p).exists()
    with pytest.raises(actions.Denied, match="运行监控"):
        actions.delete_project(users["market"], p.pk)
    MonitoringSnapshot.objects.filter(project=p).delete()
    with pytest.raises(actions.Denied, match="绩效自评"):
        actions.delete_project(users["market"], p.pk)
    gone = actions.delete_project(users["admin"], p.pk)  # an administrator may
    assert not SelfEvaluation.objects.filter(project_id=p.pk).exists()
    h = History.objects.get(pk=gone.history)
    assert {c["field"]: c["old"] for c in h.changes}["selfeval"] == 1


def test_an_administrator_deletes_any_draft(users, demo):
    p = Project.objects.filter(unit=demo["999002"], year=2024, state=State.DRAFT).first()
    gone = actions.delete_project(users["admin"], p.pk)
    assert gone.id == p.pk and not Project.objects.filter(pk=p.pk).exists()
    assert History.objects.get(pk=gone.history).username == "admin"


def test_the_api_deletes_with_the_version_seen(clients, mistake):
    c = clients["market"]
    r = c.delete(f"/api/projects/{mistake.pk}?version={mistake.version + 1}")
    assert r.status_code == 409 and "保存冲突" in r.json()["detail"]
    r = c.delete(f"/api/projects/{mistake.pk}?version={mistake.version}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == mistake.pk and body["name"] == "误建的项目" and body["year"] == 2024
    assert History.objects.get(pk=body["history_id"]).action == "delete"
    assert c.delete(f"/api/projects/{mistake.pk}").status_code == 404
    assert (
        json.loads(c.get(f"/api/disclosures/{body['disclosure_id']}").content)["id"] == body["disclosure_id"]
    )


def test_the_record_of_a_deletion_holds_the_project_as_it_was(users, demo):
    """The deletion record is all that is left of the project: its goal, purpose, spending plan and
    every indicator's description and basis, and the monitoring and self-evaluation an
    administrator deleted with it, not only their number."""
    from tests.web.test_import_safety import _enter_cycle

    projects = Project.objects.filter(unit=demo["999001"], year=2024).order_by("seq")
    p = next(p for p in projects if _enter_cycle(p))
    Project.objects.filter(pk=p.pk).update(
        state=State.DRAFT, goal="年度目标", purpose="资金用途", spending_plan=[["6月底", "50%"]]
    )
    Indicator.objects.filter(project=p).update(description="指标描述", basis="确定依据")
    se = SelfEvaluation.objects.get(project=p)
    gone = actions.delete_project(users["admin"], p.pk)
    old = {c["field"]: c["old"] for c in History.objects.get(pk=gone.history).changes}
    assert old["project"]["goal"] == "年度目标" and old["project"]["purpose"] == "资金用途"
    assert old["project"]["spending_plan"] == [["6月底", "50%"]]
    assert old["indicators"] and all(
        i["description"] == "指标描述" and i["basis"] == "确定依据" for i in old["indicators"]
    )
    assert old["selfeval"] == 1 and old["snapshots"] == 1
    assert old["selfeval_record"]["grade"] == se.grade and old["selfeval_record"]["rows"] == se.rows
    assert len(old["snapshot_records"]) == 1 and old["snapshot_records"][0]["rows"]
