"""运行监控 in the web app: the save action, lights, completeness, outcomes, workbook import."""

from __future__ import annotations

from datetime import date

import pytest

from jixiao.web import actions
from jixiao.web.models import History, MonitoringSnapshot
from tests.web.conftest import approve_for_cycle


@pytest.fixture
def market_project(market_project):
    """Monitoring and self-evaluation need approved targets (issue 12): the demo project, approved."""
    return approve_for_cycle(market_project)


def _rows(project, actual_by_index=None, **dev):
    n = project.indicators.count()
    out = [{"actual": "", "status": ""} for _ in range(n)]
    for i, v in (actual_by_index or {}).items():
        out[i].update(v)
    return out


def _good_rows(project):
    """Every indicator on track (its target text as the actual, 达成 for qualitative ones)."""
    from jixiao.cycle.evaluate import QUALITATIVE, direction_of
    from jixiao.values import parse_value

    rows = []
    for ind in project.indicators.all():
        d = direction_of(parse_value(ind.value or "", year=project.year), ind.level1, ind.level2)
        if d == QUALITATIVE:
            rows.append({"status": "达成"})
        elif d == "date":
            rows.append({"actual": ""})
        else:
            rows.append({"actual": (ind.value or "").lstrip("≥≤<>＞＜=＝")})
    return rows


@pytest.mark.django_db
def test_on_track_snapshot_is_green_and_complete(users, market_project):
    p = market_project
    s = actions.save_monitoring(
        users["market"],
        p.pk,
        actions.MonitoringEntry(
            as_of="2024-07-31",
            executed=str(p.budget_total * 7 / 12),
            rows=tuple(actions.MonitoringRow(**r) for r in _good_rows(p)),
        ),
    )
    assert s.spending_light == "green"
    assert s.light in ("green", "blue")
    assert s.complete, s.problems
    assert History.objects.filter(project=p, action="monitor").count() == 1


@pytest.mark.django_db
def test_low_spending_turns_red_and_needs_reason_then_counts_as_complete(users, market_project):
    p = market_project
    rows = _good_rows(p)
    s = actions.save_monitoring(
        users["market"],
        p.pk,
        actions.MonitoringEntry(
            as_of=date(2024, 7, 31), executed="0.5", rows=tuple(actions.MonitoringRow(**r) for r in rows)
        ),
    )
    assert s.spending_light == "red" and s.light == "red"
    assert not s.complete
    assert any("偏差原因" in x for x in s.problems) and any("整改措施" in x for x in s.problems)
    s = actions.save_monitoring(
        users["market"],
        p.pk,
        actions.MonitoringEntry(
            as_of=date(2024, 7, 31),
            executed="0.5",
            rows=tuple(actions.MonitoringRow(**r) for r in rows),
            deviation=actions.DeviationEntry(
                reason_category="制度保障",
                reason_text="招标延期",
                likelihood="有可能",
                measures="加快招标进度",
            ),
        ),
    )
    assert s.light == "red" and s.complete, s.problems
    assert MonitoringSnapshot.objects.filter(project=p).count() == 1  # same date: replaced


@pytest.mark.django_db
def test_bad_actual_is_refused_with_the_indicator_named_and_nothing_stored(users, market_project):
    p = market_project
    with pytest.raises(actions.Invalid) as e:
        actions.save_monitoring(
            users["market"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="abc")
        )
    assert "executed" in e.value.errors
    with pytest.raises(actions.Invalid) as e:
        actions.save_monitoring(
            users["market"], p.pk, actions.MonitoringEntry(as_of="2023-07-31", executed="1")
        )
    assert "as_of" in e.value.errors
    with pytest.raises(actions.Invalid) as e:
        actions.save_monitoring(
            users["market"],
            p.pk,
            actions.MonitoringEntry(
                as_of="2024-07-31", executed="1", deviation=actions.DeviationEntry(reason_category="天气")
            ),
        )
    assert "reason_category" in e.value.errors
    assert not MonitoringSnapshot.objects.exists()
    assert not History.objects.filter(action="monitor").exists()


@pytest.mark.django_db
def test_only_own_unit_users_and_admins_enter_snapshots(users, market_project):
    p = market_project
    with pytest.raises(actions.NotFound):
        actions.save_monitoring(users["edu"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="1"))
    with pytest.raises(actions.Denied):
        actions.save_monitoring(
            users["reviewer"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="1")
        )
    assert actions.save_monitoring(
        users["admin"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="1")
    ).pk


@pytest.mark.django_db
def test_reviewer_records_corrective_outcome_unit_user_cannot(users, market_project):
    p = market_project
    s = actions.save_monitoring(
        users["market"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="0.1")
    )
    with pytest.raises(actions.Denied):
        actions.record_outcome(users["market"], s.pk, outcome="continue")
    with pytest.raises(actions.NotFound):
        actions.record_outcome(users["edu"], s.pk, outcome="continue")
    with pytest.raises(actions.Invalid):
        actions.record_outcome(users["reviewer"], s.pk, outcome="suspend")  # needs a note
    with pytest.raises(actions.Invalid):
        actions.record_outcome(users["reviewer"], s.pk, outcome="cancel")
    s = actions.record_outcome(users["reviewer"], s.pk, outcome="reduce", note="调减 20 万元")
    assert s.outcome == "reduce" and s.outcome_by == "reviewer"
    assert History.objects.filter(project=p, action="outcome").count() == 1
