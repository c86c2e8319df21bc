"""绩效自评 in the web app: the save action, scores, bands, explanations, pages and permissions.

The market bureau's first 2024 project (产品质量监督抽查经费, 48.5 万元) has seven indicators:
≥320批次, ≥95%, 100%, a deadline, ≤1500元/批次 (cost), 保持稳定或下降 (qualitative), ≥90%.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.web import actions
from jixiao.web.models import History, SelfEvaluation
from tests.web.conftest import approve_for_cycle

FULL = [
    {"actual": "330批次"},
    {"actual": "97%"},
    {"actual": "100%"},
    {"actual": "2024年12月20日"},
    {"actual": "1400元/批次"},
    {"band": "达成年度指标", "score": ""},
    {"actual": "93%"},
]


@pytest.fixture
def market_project(market_project):
    """Monitoring and self-evaluation need approved targets (issue 12): the demo project, approved."""
    return approve_for_cycle(market_project)


@pytest.mark.django_db
def test_all_targets_met_score_97_with_the_qualitative_band_midpoint_proposed(users, market_project):
    p = market_project
    se = actions.save_selfeval(
        users["market"],
        p.pk,
        actions.SelfEvalEntry(
            adjusted="48.5", executed="48.5", rows=tuple(actions.SelfEvalRow(**r) for r in FULL)
        ),
    )
    assert se.total == Decimal("97.00") and se.grade == "优"  # 达成 of 30 points proposed at 90%: 27
    inds = se.result["indicators"]
    assert [i.get("proposed", False) for i in inds].count(True) == 1
    assert History.objects.filter(project=p, action="selfeval").count() == 1


@pytest.mark.django_db
def test_cost_over_target_scores_in_proportion_and_execution_below_90_needs_a_reason(users, market_project):
    p = market_project
    rows = [dict(r) for r in FULL]
    rows[4] = {"actual": "1650元/批次", "reason": "检测费上涨"}  # 10% over a lower-is-better target: 90%
    with pytest.raises(actions.Invalid) as e:
        actions.save_selfeval(
            users["market"],
            p.pk,
            actions.SelfEvalEntry(
                adjusted="48.5", executed="38.8", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
            ),
        )
    assert "execution_reason" in e.value.errors
    assert not SelfEvaluation.objects.exists()
    se = actions.save_selfeval(
        users["market"],
        p.pk,
        actions.SelfEvalEntry(
            adjusted="48.5",
            executed="38.8",
            rows=tuple(actions.SelfEvalRow(**r) for r in rows),
            execution_reason="合同年底结算",
        ),
    )
    # execution 80% → 8 of 10; 产出 50 shared by 5 → the cost indicator 10 × 0.9 = 9; 达成 proposed
    # at its band's midpoint, 27 of 30; the rest full
    assert se.total == Decimal("94.00") and se.grade == "优"
    assert Decimal(str(se.result["indicators"][4]["score"])) == Decimal(9)


@pytest.mark.django_db
def test_score_outside_its_band_is_refused_naming_the_indicator(users, market_project):
    rows = [dict(r) for r in FULL]
    rows[5] = {"band": "部分达成并具有一定效果", "score": "9.9"}
    with pytest.raises(actions.Invalid) as e:
        actions.save_selfeval(
            users["market"],
            market_project.pk,
            actions.SelfEvalEntry(
                adjusted="48.5", executed="48.5", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
            ),
        )
    assert "row-5-score" in e.value.errors and "产品质量安全事故" in e.value.message
    assert not SelfEvaluation.objects.exists()


@pytest.mark.django_db
def test_percent_against_a_count_is_refused(users, market_project):
    rows = [dict(r) for r in FULL]
    rows[0] = {"actual": "95%"}
    with pytest.raises(actions.Invalid) as e:
        actions.save_selfeval(
            users["market"],
            market_project.pk,
            actions.SelfEvalEntry(
                adjusted="48.5", executed="48.5", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
            ),
        )
    assert "row-0-actual" in e.value.errors


@pytest.mark.django_db
def test_permissions(users, market_project):
    with pytest.raises(actions.NotFound):
        actions.save_selfeval(
            users["edu"],
            market_project.pk,
            actions.SelfEvalEntry(
                adjusted="1", executed="1", rows=tuple(actions.SelfEvalRow(**r) for r in FULL)
            ),
        )
    with pytest.raises(actions.Denied):
        actions.save_selfeval(
            users["reviewer"],
            market_project.pk,
            actions.SelfEvalEntry(
                adjusted="1", executed="1", rows=tuple(actions.SelfEvalRow(**r) for r in FULL)
            ),
        )


def _form(rows, **extra):
    data = {"adjusted": "48.5", "executed": "48.5", "execution_reason": "", "goal_actual": ""}
    for i, r in enumerate(rows):
        for k, v in r.items():
            data[f"row-{i}-{k}"] = v
    data.update(extra)
    return data


@pytest.mark.django_db
def test_selfeval_page_saves_and_shows_the_scored_table(clients, market_project):
    p = market_project
    c = clients["market"]
    assert "填报绩效自评" in c.get(f"/projects/{p.pk}/selfeval/").content.decode()
    r = c.post(f"/projects/{p.pk}/selfeval/", _form(FULL))
    assert r.status_code == 302
    page = c.get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert "97 分 · 优" in page or "97.00 分 · 优" in page
    assert "项目支出绩效自评表" in page and "系统按所选自评档次中点建议" in page
    bad = [dict(x) for x in FULL]
    bad[5] = {"band": "未达成且效果较差", "score": "9"}
    r = c.post(f"/projects/{p.pk}/selfeval/", _form(bad))
    assert r.status_code == 400 and "档" in r.content.decode()


@pytest.mark.django_db
def test_selfeval_page_permissions(clients, market_project):
    p = market_project
    assert clients["edu"].get(f"/projects/{p.pk}/selfeval/").status_code == 404
    assert clients["edu"].post(f"/projects/{p.pk}/selfeval/", _form(FULL)).status_code == 404
    r = clients["reviewer"].get(f"/projects/{p.pk}/selfeval/")
    assert r.status_code == 200 and "保存并评分" not in r.content.decode()
    assert clients["reviewer"].post(f"/projects/{p.pk}/selfeval/", _form(FULL)).status_code == 403
    assert not SelfEvaluation.objects.exists()
