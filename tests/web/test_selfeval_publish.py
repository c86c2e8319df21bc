"""公开 of a self-evaluation (决算公开 of the 项目支出绩效自评表): reviewers and administrators publish
and withdraw it, on published (or approved) targets with a scored self-evaluation, each step in the
history; the readers' pages and the public API show it only while published, and an unpublished one
answers as one that does not exist. A published self-evaluation cannot be changed (withdraw first).

The demo's market bureau 2023 projects are published (已公开) and get a year-end self-evaluation
(`load_demo_cycle`); its 2024 projects are drafts.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client, override_settings

from jixiao.web import actions
from jixiao.web.models import History, Project, SelfEvaluation, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(users):
    """The market bureau's first 2023 project (published) with its demo self-evaluation, unpublished."""
    from jixiao.web.demo.cycle import load_demo_cycle

    load_demo_cycle()
    p = Project.objects.get(unit__code="999001", year=2023, seq=1)
    assert p.state == State.PUBLISHED
    se = SelfEvaluation.objects.get(project=p)
    assert se.total is not None and se.published_at is None
    return p


def _public(p: Project) -> tuple[str, str, Client]:
    c = Client()
    page = c.get(f"/public/projects/{p.pk}/").content.decode()
    year = c.get(f"/public/units/{p.unit_id}/{p.year}/").content.decode()
    return page, year, c


def test_a_reviewer_publishes_and_withdraws_and_readers_see_it_only_between(clients, evaluated):
    p = evaluated
    se = SelfEvaluation.objects.get(project=p)
    page, year_page, c = _public(p)
    assert "项目支出绩效自评表" not in page and "自评等级" not in page
    assert f"{se.total} 分" not in year_page
    missing = c.get("/api/public/projects/987654321/selfeval")
    hidden = c.get(f"/api/public/projects/{p.pk}/selfeval")
    assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content

    r = clients["reviewer"].post(f"/projects/{p.pk}/selfeval/publish/")
    assert r.status_code == 302 and r["Location"] == f"/projects/{p.pk}/selfeval/"
    se.refresh_from_db()
    assert se.published_at is not None and se.published_by == "reviewer"
    h = History.objects.filter(project=p).order_by("-at", "-id").first()
    assert (h.action, h.username) == ("publish", "reviewer")
    assert "公开绩效自评" in h.summary and str(se.total) in h.summary

    page, year_page, c = _public(p)
    # the national 自评表 as printed: budget rows, indicator columns, 总分 and 等级
    for text in ("项目支出绩效自评表", "年初预算数", "全年预算数", "全年执行数", "执行率", "年度指标值"):
        assert text in page, text
    for text in ("实际完成值", "分值", "得分", "偏差原因分析及改进措施", "总分", f"自评等级：{se.grade}"):
        assert text in page, text
    assert f"{se.total} 分" in year_page and se.grade in year_page
    body = c.get(f"/api/public/projects/{p.pk}/selfeval").json()
    assert body["project_id"] == p.pk and body["unit"] == p.unit.name and body["year"] == 2023
    assert Decimal(str(body["total"])) == se.total and body["grade"] == se.grade
    assert body["budget"]["adjusted"] is not None and body["execution_rate"] is not None
    assert len(body["indicators"]) == p.indicators.count()
    first = body["indicators"][0]
    assert {"level1", "name", "target", "actual", "points", "score", "reason"} <= first.keys()
    assert body["published_at"] and "entered_by" not in body and "published_by" not in body

    r = clients["admin"].post(f"/projects/{p.pk}/selfeval/withdraw/")
    assert r.status_code == 302
    se.refresh_from_db()
    assert se.published_at is None and se.published_by == ""
    h = History.objects.filter(project=p).order_by("-at", "-id").first()
    assert (h.action, h.username) == ("withdraw", "admin") and "撤回" in h.summary
    page, year_page, c = _public(p)
    assert "项目支出绩效自评表" not in page and f"{se.total} 分" not in year_page
    again = c.get(f"/api/public/projects/{p.pk}/selfeval")
    assert again.status_code == 404 and again.content == missing.content


def test_the_internal_page_shows_the_state_and_the_buttons_to_reviewers_only(clients, evaluated):
    p = evaluated
    html = clients["reviewer"].get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert "未公开" in html and f'action="/projects/{p.pk}/selfeval/publish/"' in html
    assert "csrfmiddlewaretoken" in html
    html = clients["market"].get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert "未公开" in html and "/selfeval/publish/" not in html
    actions.publish_selfeval(None, p.pk)
    html = clients["market"].get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert "已公开" in html and "撤回公开" in html and 'name="adjusted"' not in html  # no entry form
    html = clients["reviewer"].get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert f'action="/projects/{p.pk}/selfeval/withdraw/"' in html


def test_the_projects_unit_user_may_neither_publish_nor_withdraw(clients, users, evaluated):
    p = evaluated
    for url in (f"/projects/{p.pk}/selfeval/publish/", f"/api/projects/{p.pk}/selfeval/publish"):
        r = clients["market"].post(url, "{}", content_type="application/json")
        assert r.status_code == 403, (url, r.status_code)
    assert SelfEvaluation.objects.get(project=p).published_at is None
    actions.publish_selfeval(users["reviewer"], p.pk)
    n = History.objects.count()
    for url in (f"/projects/{p.pk}/selfeval/withdraw/", f"/api/projects/{p.pk}/selfeval/withdraw"):
        r = clients["market"].post(url, "{}", content_type="application/json")
        assert r.status_code == 403, (url, r.status_code)
    assert SelfEvaluation.objects.get(project=p).published_at is not None
    assert History.objects.count() == n


def test_publishing_needs_public_targets_and_a_scored_self_evaluation(users, evaluated, market_project):
    p = evaluated
    with pytest.raises(actions.Invalid) as e:  # a project without a self-evaluation
        actions.publish_selfeval(users["reviewer"], market_project.pk)
    assert "尚未填报绩效自评" in e.value.message
    Project.objects.filter(pk=p.pk).update(state=State.SUBMITTED)
    with pytest.raises(actions.Invalid) as e:
        actions.publish_selfeval(users["reviewer"], p.pk)
    assert "已提交" in e.value.message and "公开" in e.value.message
    Project.objects.filter(pk=p.pk).update(state=State.PUBLISHED)
    SelfEvaluation.objects.filter(project=p).update(total=None)
    with pytest.raises(actions.Invalid) as e:
        actions.publish_selfeval(users["reviewer"], p.pk)
    assert "评分" in e.value.message
    SelfEvaluation.objects.filter(project=p).update(total=Decimal("90"))
    actions.publish_selfeval(users["reviewer"], p.pk)
    with pytest.raises(actions.Invalid) as e:  # twice: nothing recorded twice
        actions.publish_selfeval(users["reviewer"], p.pk)
    assert "已公开" in e.value.message
    assert History.objects.filter(project=p, action="publish").count() == 1
    actions.withdraw_selfeval(users["reviewer"], p.pk)
    with pytest.raises(actions.Invalid):
        actions.withdraw_selfeval(users["reviewer"], p.pk)
    assert History.objects.filter(project=p, action="withdraw").count() == 1


def test_a_published_self_evaluation_cannot_be_changed_until_withdrawn(clients, users, evaluated):
    """As a unit user's edit of published targets is refused, so is a change of a published 自评表:
    what readers see stays what was published until a reviewer withdraws it."""
    p = evaluated
    se = SelfEvaluation.objects.get(project=p)
    actions.publish_selfeval(users["reviewer"], p.pk)
    entry = actions.SelfEvalEntry(
        adjusted=str(se.budget_adjusted),
        executed=str(se.budget_adjusted / 2),
        execution_reason="改过",
        rows=tuple(
            actions.SelfEvalRow(**{k: r.get(k) for k in ("actual", "band", "reason")}) for r in se.rows
        ),
    )
    before = (SelfEvaluation.objects.filter(pk=se.pk).values().get(), History.objects.count())
    for actor in (users["market"], users["admin"], None):
        with pytest.raises(actions.Denied) as e:
            actions.save_selfeval(actor, p.pk, entry)
        assert "已公开" in e.value.message and "撤回" in e.value.message
    r = clients["market"].post(
        f"/api/projects/{p.pk}/selfeval",
        json.dumps({"adjusted": "1", "executed": "1", "rows": []}),
        content_type="application/json",
    )
    assert r.status_code == 403 and "已公开" in r.json()["detail"]
    assert (SelfEvaluation.objects.filter(pk=se.pk).values().get(), History.objects.count()) == before
    actions.withdraw_selfeval(users["reviewer"], p.pk)
    saved = actions.save_selfeval(users["market"], p.pk, entry)
    assert saved.budget_executed == se.budget_adjusted / 2 and saved.published_at is None


def test_the_api_publishes_and_withdraws_for_reviewers(clients, evaluated):
    p = evaluated
    r = clients["reviewer"].post(
        f"/api/projects/{p.pk}/selfeval/publish", "{}", content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["published_at"] and r.json()["published_by"] == "reviewer"
    assert clients["market"].get(f"/api/projects/{p.pk}/selfeval").json()["published_by"] == "reviewer"
    r = clients["reviewer"].post(
        f"/api/projects/{p.pk}/selfeval/withdraw", "{}", content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["published_at"] is None


def test_the_public_api_follows_the_readers_view_setting(users, evaluated):
    actions.publish_selfeval(users["reviewer"], evaluated.pk)
    assert Client().get(f"/api/public/projects/{evaluated.pk}/selfeval").status_code == 200
    with override_settings(JIXIAO_PUBLIC=False):
        assert Client().get(f"/api/public/projects/{evaluated.pk}/selfeval").status_code == 404


def test_the_unit_year_page_lists_only_published_scores(users, evaluated):
    """Of the four evaluated 2023 projects only the published one shows its score to readers."""
    actions.publish_selfeval(users["reviewer"], evaluated.pk)
    html = Client().get(f"/public/units/{evaluated.unit_id}/2023/").content.decode()
    se = SelfEvaluation.objects.get(project=evaluated)
    assert SelfEvaluation.objects.filter(project__year=2023).count() == 4
    assert html.count('class="selfeval-score"') == 1
    assert f'<p class="selfeval-score">绩效自评 {se.total} 分 · {se.grade}</p>' in html


def test_a_reviewer_publishes_only_the_self_evaluation_they_saw(clients, users, evaluated):
    """The unit changes its 自评表 after the reviewer opened the page: the reviewer's 公开 is refused
    (nothing published, nothing recorded) rather than publishing what they never saw."""
    import re

    p = evaluated
    html = clients["reviewer"].get(f"/projects/{p.pk}/selfeval/").content.decode()
    form = re.search(r'<form method="post" action="/projects/\d+/selfeval/publish/">(.*?)</form>', html, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    se = SelfEvaluation.objects.get(project=p)
    entry = actions.SelfEvalEntry(
        adjusted=str(se.budget_adjusted),
        executed=str(se.budget_adjusted / 2),
        execution_reason="改过",
        rows=tuple(
            actions.SelfEvalRow(**{k: r.get(k) for k in ("actual", "band", "reason")}) for r in se.rows
        ),
    )
    actions.save_selfeval(users["market"], p.pk, entry)
    n = History.objects.count()
    fields.pop("csrfmiddlewaretoken", None)
    r = clients["reviewer"].post(f"/projects/{p.pk}/selfeval/publish/", fields, follow=True)
    assert SelfEvaluation.objects.get(project=p).published_at is None
    assert History.objects.count() == n
    assert "已被修改" in r.content.decode()
    html = r.content.decode()  # the page again, with what is there now: that may be published
    form = re.search(r'<form method="post" action="/projects/\d+/selfeval/publish/">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    fields.pop("csrfmiddlewaretoken", None)
    clients["reviewer"].post(f"/projects/{p.pk}/selfeval/publish/", fields)
    assert SelfEvaluation.objects.get(project=p).published_at is not None


def test_readers_never_see_a_score_other_than_the_one_published(users, evaluated):
    """An administrator's later edit of the project's targets (here its first indicator's value)
    re-scores the 自评表: readers are not shown a total other than the published one, on any page
    or in the API."""
    from jixiao.web.models import Indicator

    p = evaluated
    se = actions.publish_selfeval(users["reviewer"], p.pk)
    ind = Indicator.objects.filter(project=p, target_kind__in=("number", "percent")).order_by("seq").first()
    rows = [
        actions.IndicatorRow(
            id=i.pk,
            **{k: getattr(i, k) for k in ("level1", "level2", "name", "description", "basis")},
            value="≥999999" if i.pk == ind.pk else i.value,
        )
        for i in p.indicators.order_by("seq", "id")
    ]
    actions.edit_project(users["admin"], p.pk, actions.ProjectEdit(version=p.version, indicators=tuple(rows)))
    c = Client()
    r = c.get(f"/api/public/projects/{p.pk}/selfeval")
    shown = {Decimal(str(r.json()["total"]))} if r.status_code == 200 else set()
    page = c.get(f"/public/projects/{p.pk}/").content.decode()
    year = c.get(f"/public/units/{p.unit_id}/{p.year}/").content.decode()
    assert shown <= {se.total}
    if not shown:  # withheld from the API: withheld everywhere
        assert "项目支出绩效自评表" not in page and f"{se.total} 分" not in year
