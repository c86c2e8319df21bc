"""In a real browser: a reviewer publishes a project's 自评表 from its 绩效自评 page (a form with its
CSRF token), a reader without an account then finds it on the public project page, and the
reviewer withdraws it again."""

from __future__ import annotations

from jixiao.web import actions
from jixiao.web.models import Project
from tests.web.browsing import BROWSER_TEST, login, run_flow

pytestmark = BROWSER_TEST


def test_a_reviewer_publishes_and_a_reader_sees_the_table(live_server, browser, monkeypatch):
    run_flow(lambda: _flow(live_server.url, browser), monkeypatch)


def _flow(base, browser):
    from jixiao.web.demo.cycle import load_demo_cycle
    from jixiao.web.demo.load import import_demo

    import_demo()
    load_demo_cycle()
    actions.create_user(None, "shenhe", "reviewer", password="pw-shenhe", validate_password=False)
    p = Project.objects.get(unit__code="999001", year=2023, seq=1)
    reader = browser.new_page(locale="zh-CN")
    reader.goto(f"{base}/public/projects/{p.pk}/")
    assert "项目支出绩效自评表" not in reader.content()

    page = browser.new_page(locale="zh-CN")
    login(page, base, "shenhe", "pw-shenhe")
    page.goto(f"{base}/projects/{p.pk}/selfeval/")
    assert "未公开" in page.locator("#publication").inner_text()
    page.click("#publication button:has-text('公开自评表')")
    page.wait_for_selector("#publication :text('已公开')")
    assert "已公开绩效自评" in page.content()

    reader.goto(f"{base}/public/projects/{p.pk}/")
    table = reader.locator("#selfeval table").inner_text()
    for text in ("项目支出绩效自评表", "年初预算数", "实际完成值", "偏差原因分析及改进措施", "自评等级"):
        assert text in reader.locator("#selfeval").inner_text() or text in table, text

    page.click("#publication button:has-text('撤回公开')")
    page.wait_for_selector("#publication :text('未公开')")
    reader.goto(f"{base}/public/projects/{p.pk}/")
    assert reader.locator("#selfeval").count() == 0
