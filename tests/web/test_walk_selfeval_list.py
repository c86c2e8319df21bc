"""The reviewer's (and the auditor's) list of self-evaluations across units: 绩效自评结果, with the
lowest scores first and what asks to be checked (execution below 90%, indicators that need an
explanation, qualitative scores only proposed). Before it, self-evaluations could only be read one
unit-year page at a time."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(demo):
    from jixiao.web.demo.cycle import load_demo_cycle

    load_demo_cycle()
    return demo


def _rows(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/projects/(\d+)/selfeval/"', body)


def test_the_reviewer_lists_every_units_self_evaluations_lowest_score_first(clients, evaluated):
    from jixiao.web.models import SelfEvaluation

    r = clients["reviewer"].get("/selfeval/?year=2023")
    assert r.status_code == 200
    html = r.content.decode()
    stored = list(SelfEvaluation.objects.filter(project__year=2023).order_by("total", "project__seq"))
    assert len(stored) >= 2
    assert _rows(html) == [str(se.project_id) for se in stored]
    low = stored[0]
    assert f"{low.total}" in html and "示例市市场监督管理局" in html
    assert "执行率低于 90%，已说明原因" in html  # the demo's 特种设备 project spent 85%
    assert "取档次中点" in html  # qualitative indicators scored by the proposed midpoint
    assert 'href="/selfeval/"' in html  # in the main menu


def test_a_unit_user_sees_only_its_own_units_self_evaluations(clients, evaluated):
    from jixiao.web.models import SelfEvaluation

    html = clients["edu"].get("/selfeval/?year=2023").content.decode()
    assert _rows(html) == []
    assert "示例市市场监督管理局" not in html.split("<main>", 1)[1]
    mine = clients["market"].get("/selfeval/").content.decode()  # the latest year by default
    assert len(_rows(mine)) == SelfEvaluation.objects.filter(project__unit__code="999001").count()


def test_an_unknown_or_hidden_unit_is_a_404(clients, evaluated):
    assert clients["reviewer"].get("/selfeval/?unit=99999").status_code == 404
    unit = evaluated["999001"].pk
    assert clients["edu"].get(f"/selfeval/?unit={unit}").status_code == 404
    assert clients["reviewer"].get("/selfeval/?year=x").status_code == 200


def test_the_list_is_paged_and_counted_over_every_page(clients, evaluated, monkeypatch):
    """A finance bureau's year holds thousands of self-evaluations: the page shows `PAGE_SIZE` of
    them, lowest first across pages, while the count, grades and average cover them all."""
    from django.db.models import Avg

    from jixiao.web.lib import selfevals
    from jixiao.web.models import SelfEvaluation

    monkeypatch.setattr(selfevals, "PAGE_SIZE", 1)
    stored = list(SelfEvaluation.objects.filter(project__year=2023).order_by("total", "project__seq"))
    assert len(stored) >= 2
    pages = [clients["reviewer"].get(f"/selfeval/?year=2023&page={n}").content.decode() for n in (1, 2)]
    assert [_rows(html) for html in pages] == [[str(stored[0].project_id)], [str(stored[1].project_id)]]
    assert f"共 {len(stored)} 个项目" in pages[0] and "下一页" in pages[0] and "上一页" in pages[1]
    assert f"已填报绩效自评的项目（{len(stored)}）" in pages[1]
    mean = SelfEvaluation.objects.filter(project__year=2023).aggregate(m=Avg("total"))["m"]
    assert f"平均 {Decimal(str(mean)).quantize(Decimal('0.01'))} 分" in pages[1]


def test_the_list_says_which_self_evaluations_are_published_for_readers(clients, evaluated, users):
    """公开: the reviewer sees in the list which 自评表 readers can open (a link to the public
    page) and how many are published; publishing one changes its row and the count."""
    from jixiao.web import actions
    from jixiao.web.models import SelfEvaluation

    html = clients["reviewer"].get("/selfeval/?year=2023").content.decode()
    assert "已公开 0 个" in html and "未公开" in html
    se = SelfEvaluation.objects.filter(project__year=2023).order_by("project__seq").first()
    actions.publish_selfeval(users["reviewer"], se.project_id)
    html = clients["reviewer"].get("/selfeval/?year=2023").content.decode()
    assert "已公开 1 个" in html
    assert f'<a href="/public/projects/{se.project_id}/">已公开</a>' in html
