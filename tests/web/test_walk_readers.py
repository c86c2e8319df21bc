"""What a reader (auditor, researcher, journalist) meets first: the address of the service leads to
the login page, which must lead on to the public pages that need no account."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_login_page_leads_a_reader_without_an_account_to_the_public_pages(demo):
    html = Client().get("/", follow=True).content.decode()
    assert "用户名" in html  # the address of the service asks for a login …
    for name in ("public_home", "public_search", "public_library"):
        from django.urls import reverse

        assert f'href="{reverse(name)}"' in html, name  # … and offers the public pages beside it


def test_the_compare_page_counts_the_same_indicators_in_its_chart_and_its_table(clients, demo):
    """The chart said 「4 个同类指标」 above a table whose 同类指标数 was 5 (the four peers and the
    indicator itself): both now count the compared indicators the same way."""
    import re

    from jixiao.web.models import Indicator

    ind = Indicator.objects.get(project__unit__code="999001", project__year=2023, name="群众满意度")
    html = clients["reviewer"].get(f"/compare/{ind.pk}/").content.decode()
    peers = re.search(r"本指标与 (\d+) 个同类指标", html)
    assert peers, html[html.find("<svg") : html.find("<svg") + 600]
    n = re.search(r"<tbody><tr><td>(\d+)</td>", html)
    assert n and int(n.group(1)) == int(peers.group(1)) + 1, html
    assert "比较的指标数（含本指标）" in html


def test_the_demo_publishes_self_evaluations_a_reader_can_open(db):
    """`jixiao demo` shows the 公开 step of the cycle: the reviewer publishes three of the 2023
    self-evaluations, a reader without an account sees their 自评表 on the public project page and
    the public API (a midpoint score explained, without the unit's 「请确认或修改」), and the fourth
    (left unpublished) answers as missing."""
    from jixiao.web.demo.load import load_demo
    from jixiao.web.models import SelfEvaluation

    report = load_demo()
    assert any("（其中 3 个已公开）" in line for line in report.lines), report.lines
    published = SelfEvaluation.objects.exclude(published_at=None).select_related("project")
    assert published.count() == 3 and {s.published_by for s in published} == {"reviewer"}
    reader = Client()
    for se in published:
        html = reader.get(f"/public/projects/{se.project_id}/").content.decode()
        assert "自评" in html and f"{se.total:.2f}".rstrip("0").rstrip(".") in html
        assert "请确认或修改" not in html  # a note for the unit, not for readers
        assert reader.get(f"/api/public/projects/{se.project_id}/selfeval").status_code == 200
    assert "按所选自评档次的中点计算" in "".join(
        reader.get(f"/public/projects/{se.project_id}/").content.decode() for se in published
    )
    hidden = SelfEvaluation.objects.get(published_at=None)
    assert reader.get(f"/api/public/projects/{hidden.project_id}/selfeval").status_code == 404
    # loading again publishes nothing twice
    again = load_demo()
    assert not any("已公开）" in line for line in again.lines if "绩效自评" in line)
