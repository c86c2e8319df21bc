"""运行监控 pages: the form, the lights, the reviewers' list, outcomes; other units' projects are 404."""

from __future__ import annotations

import pytest

from jixiao.web import actions
from jixiao.web.models import MonitoringSnapshot


def _post(project, executed, **extra):
    data = {"as_of": "2024-07-31", "executed": executed}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_unit_user_enters_a_red_snapshot_and_sees_the_light(clients, market_project):
    p = market_project
    c = clients["market"]
    r = c.get(f"/projects/{p.pk}/monitor/")
    assert r.status_code == 200 and "填报运行监控" in r.content.decode()
    r = c.post(f"/projects/{p.pk}/monitor/", _post(p, "0.5"))
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "红灯" in page and "填报不完整" in page and "需填写整改措施" in page
    s = MonitoringSnapshot.objects.get(project=p)
    assert s.light == "red" and not s.complete


@pytest.mark.django_db
def test_bad_input_shows_the_error_and_stores_nothing(clients, market_project):
    r = clients["market"].post(f"/projects/{market_project.pk}/monitor/", _post(market_project, "很多"))
    assert r.status_code == 400 and "执行数应为数字" in r.content.decode()
    assert not MonitoringSnapshot.objects.exists()


@pytest.mark.django_db
def test_other_units_and_reviewers(clients, market_project):
    p = market_project
    assert clients["edu"].get(f"/projects/{p.pk}/monitor/").status_code == 404
    assert clients["edu"].post(f"/projects/{p.pk}/monitor/", _post(p, "1")).status_code == 404
    assert clients["edu"].get(f"/projects/{p.pk}/selfeval/").status_code == 404
    r = clients["reviewer"].get(f"/projects/{p.pk}/monitor/")
    assert r.status_code == 200 and "保存监控数据" not in r.content.decode()
    assert clients["reviewer"].post(f"/projects/{p.pk}/monitor/", _post(p, "1")).status_code == 403
    assert not MonitoringSnapshot.objects.exists()


@pytest.mark.django_db
def test_reviewer_list_shows_red_and_yellow_across_units_and_records_outcome(
    clients, users, market_project, edu_project
):
    s = actions.save_monitoring(
        users["market"],
        market_project.pk,
        as_of="2024-07-31",
        executed="0.5",
        deviation={
            "reason_category": "制度保障",
            "reason_text": "招标延期",
            "likelihood": "有可能",
            "measures": "加快招标",
        },
    )
    page = clients["reviewer"].get("/monitoring/?year=2024").content.decode()
    assert market_project.name in page and "红灯" in page and "加快招标" in page
    assert "<svg" in page
    # a unit user sees only their own units' projects in the list
    actions.save_monitoring(users["edu"], edu_project.pk, as_of=f"{edu_project.year}-07-31", executed="0")
    page = clients["edu"].get(f"/monitoring/?year={edu_project.year}").content.decode()
    assert market_project.name not in page
    assert clients["edu"].get(f"/monitoring/?unit={market_project.unit_id}").status_code == 404
    # filter by unit
    page = clients["reviewer"].get(f"/monitoring/?year=2024&unit={market_project.unit_id}").content.decode()
    assert market_project.name in page
    # outcome: reviewer yes, unit user no, other unit 404
    url = f"/monitoring/{s.pk}/outcome/"
    assert clients["market"].post(url, {"outcome": "continue"}).status_code == 403
    assert clients["edu"].post(url, {"outcome": "continue"}).status_code == 404
    r = clients["reviewer"].post(
        url, {"outcome": "adjust", "outcome_note": "调整数量指标", "next": "/monitoring/"}
    )
    assert r.status_code == 302 and r["Location"] == "/monitoring/"
    s.refresh_from_db()
    assert s.outcome == "adjust"


@pytest.mark.django_db
def test_unit_year_page_shows_lights_and_spending_chart(clients, users, market_project):
    actions.save_monitoring(users["market"], market_project.pk, as_of="2024-07-31", executed="0.5")
    page = clients["market"].get(f"/units/{market_project.unit_id}/2024/").content.decode()
    assert "运行监控与绩效自评" in page and "红灯" in page and "全单位累计支出进度" in page
    assert clients["edu"].get(f"/units/{market_project.unit_id}/2024/").status_code == 404


@pytest.mark.django_db
def test_stored_actuals_follow_their_indicators_when_the_target_table_changes(users, clients, market_project):
    """An indicator inserted before the others after a snapshot does not shift the stored actuals."""
    from jixiao.web.models import Indicator
    from jixiao.web.views_cycle import aligned_rows

    p = market_project
    s = actions.save_monitoring(
        users["market"], p.pk, as_of="2024-07-31", executed="30", rows=[{"actual": "200批次"}]
    )
    first = p.indicators.order_by("seq", "id").first()
    new = Indicator.objects.create(
        project=p, seq=-1, level1="产出指标", level2="数量指标", name="新增指标", value="≥1次"
    )
    inds = list(p.indicators.order_by("seq", "id"))
    assert inds[0] == new
    rows = aligned_rows(s.rows, inds)
    assert rows[0] == {} and rows[1]["indicator_id"] == first.pk and rows[1]["actual"] == "200批次"
    assert clients["market"].get(f"/projects/{p.pk}/monitor/").status_code == 200
