"""运行监控 pages: the form, the lights, the reviewers' list, outcomes; other units' projects are 404."""

from __future__ import annotations

import pytest

from jixiao.web import actions
from jixiao.web.models import MonitoringSnapshot
from tests.web.conftest import approve_for_cycle


@pytest.fixture
def market_project(market_project):
    """Monitoring and self-evaluation need approved targets (issue 12): the demo project, approved."""
    return approve_for_cycle(market_project)


@pytest.fixture
def edu_project(edu_project):
    return approve_for_cycle(edu_project)


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
        actions.MonitoringEntry(
            as_of="2024-07-31",
            executed="0.5",
            deviation=actions.DeviationEntry(
                reason_category="制度保障", reason_text="招标延期", likelihood="有可能", measures="加快招标"
            ),
        ),
    )
    page = clients["reviewer"].get("/monitoring/?year=2024").content.decode()
    assert market_project.name in page and "红灯" in page and "加快招标" in page
    assert "<svg" in page
    # a unit user sees only their own units' projects in the list
    actions.save_monitoring(
        users["edu"], edu_project.pk, actions.MonitoringEntry(as_of=f"{edu_project.year}-07-31", executed="0")
    )
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
    actions.save_monitoring(
        users["market"], market_project.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="0.5")
    )
    page = clients["market"].get(f"/units/{market_project.unit_id}/2024/").content.decode()
    assert "运行监控与绩效自评" in page and "红灯" in page and "全单位累计支出进度" in page
    assert clients["edu"].get(f"/units/{market_project.unit_id}/2024/").status_code == 404


@pytest.mark.django_db
def test_stored_actuals_follow_their_indicators_when_the_target_table_changes(users, clients, market_project):
    """An indicator inserted before the others after a snapshot does not shift the stored actuals."""
    from jixiao.web.lib.cycle import aligned_rows
    from jixiao.web.models import Indicator

    p = market_project
    s = actions.save_monitoring(
        users["market"],
        p.pk,
        actions.MonitoringEntry(
            as_of="2024-07-31", executed="30", rows=(actions.MonitoringRow(actual="200批次"),)
        ),
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


@pytest.mark.django_db
def test_project_row_repeats_the_latest_snapshot_and_the_score(clients, users, market_project):
    """The unit-year page reads the latest light and the score from the project row: the latest by
    date (not the last written), and neither the project's version nor its update time moves."""
    from decimal import Decimal

    from tests.web.test_selfeval import FULL

    p = market_project
    before = (p.version, p.updated_at)
    actions.save_monitoring(
        users["market"], p.pk, actions.MonitoringEntry(as_of="2024-09-30", executed="48.5")
    )
    actions.save_monitoring(
        users["market"], p.pk, actions.MonitoringEntry(as_of="2024-06-30", executed="0.5")
    )  # an earlier date
    p.refresh_from_db()
    latest = MonitoringSnapshot.objects.filter(project=p).order_by("-as_of").first()
    assert str(latest.as_of) == "2024-09-30" and latest.light
    summary = (p.monitor_light, p.monitor_as_of, p.monitor_rate)
    assert summary == (latest.light, latest.as_of, latest.execution_rate)
    assert (p.version, p.updated_at) == before
    assert p.eval_total is None and p.eval_grade == ""
    se = actions.save_selfeval(
        users["market"],
        p.pk,
        actions.SelfEvalEntry(
            adjusted="48.5", executed="48.5", rows=tuple(actions.SelfEvalRow(**r) for r in FULL)
        ),
    )
    p.refresh_from_db()
    assert (p.eval_total, p.eval_grade) == (se.total, se.grade) == (Decimal("97.00"), "优")
    page = clients["market"].get(f"/units/{p.unit_id}/2024/").content.decode()
    row = page[page.index('id="cycle"') :]
    row = row[row.index(p.name) : row.index("</tr>", row.index(p.name))]
    assert "2024-09-30" in row and "97.00" in row and "g-优" in row


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_summary_columns_from_existing_rows():
    """Migration 0005 repeats the latest snapshot and the self-evaluation already stored."""
    import datetime
    from decimal import Decimal

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("web", "0004_review_results")], [("web", "0005_project_cycle_summary")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        unit = old.get_model("web", "Unit").objects.create(name="迁移测试单位", code="990001")
        d = old.get_model("web", "Disclosure").objects.create(unit=unit, year=2024)
        project = old.get_model("web", "Project")
        p, q = (project.objects.create(disclosure=d, unit=unit, year=2024, key=k) for k in ("a", "b"))
        snap = old.get_model("web", "MonitoringSnapshot").objects
        snap.create(project=p, as_of=datetime.date(2024, 9, 30), light="green", execution_rate=Decimal("0.8"))
        snap.create(project=p, as_of=datetime.date(2024, 6, 30), light="red", execution_rate=Decimal("0.1"))
        old.get_model("web", "SelfEvaluation").objects.create(
            project=p, budget_adjusted=1, budget_executed=1, total=Decimal("91.50"), grade="优"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("web", "Project")
        got = new.objects.get(pk=p.pk)
        assert (got.monitor_light, got.monitor_as_of, got.monitor_rate) == (
            "green",
            datetime.date(2024, 9, 30),
            Decimal("0.8"),
        )
        assert (got.eval_total, got.eval_grade) == (Decimal("91.50"), "优")
        untouched = new.objects.get(pk=q.pk)
        assert (untouched.monitor_light, untouched.monitor_as_of, untouched.eval_total) == ("", None, None)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_two_users_saving_the_same_snapshot_the_second_is_refused(clients, users, market_project):
    import re

    p = market_project
    actions.save_monitoring(users["market"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="10"))
    url = f"/projects/{p.pk}/monitor/?as_of=2024-07-31"
    forms = []
    for who in ("market", "admin"):
        html = clients[who].get(url).content.decode()
        forms.append(re.search(r'name="revision" value="([^"]*)"', html).group(1))
    assert forms[0] == forms[1] != ""
    ok = clients["market"].post(url, _post(p, "20", revision=forms[0]))
    assert ok.status_code == 302
    late = clients["admin"].post(url, _post(p, "30", revision=forms[1]))
    page = late.content.decode()
    assert late.status_code == 409 and "不是最新内容" in page and 'value="30"' in page  # input kept
    assert MonitoringSnapshot.objects.get(project=p).executed == 20
    # a new date is a new snapshot, whatever the form showed
    assert clients["admin"].post(url, _post(p, "5", as_of="2024-08-31", revision=forms[1])).status_code == 302
    assert MonitoringSnapshot.objects.filter(project=p).count() == 2


@pytest.mark.django_db
def test_a_refused_outcome_is_a_warning_line_without_a_traceback(clients, users, market_project, caplog):
    """A unit user's outcome is refused (403, in Chinese) and logged as other refusals are: one
    warning line from django.request, no traceback."""
    import logging

    s = actions.save_monitoring(
        users["market"], market_project.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="0.5")
    )
    with caplog.at_level(logging.WARNING, logger="django.request"):
        r = clients["market"].post(f"/monitoring/{s.pk}/outcome/", {"outcome": "continue"})
    assert r.status_code == 403 and "无权访问" in r.content.decode()
    refusals = [rec for rec in caplog.records if rec.name == "django.request"]
    assert [rec.levelname for rec in refusals] == ["WARNING"], caplog.text
    assert refusals[0].exc_info is None and "Traceback" not in caplog.text
    assert f"/monitoring/{s.pk}/outcome/" in refusals[0].getMessage()
