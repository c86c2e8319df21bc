"""In a real browser (Playwright + Debian's chromium): the reviewer's work list leads to the project
waiting for review, the unit user's shows the returned project with the reviewer's comment, and at
375 px wide the menu folds behind one button (no script) instead of wrapping a character per line.

Screenshots go to $JIXIAO_SCREENSHOTS (default: a temp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, logout, run_flow

pytestmark = BROWSER_TEST

COMMENT = "请补充单批次抽检成本的测算依据"


def test_work_lists_and_the_folded_menu(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    from jixiao.web.demo import education_bureau, market_bureau
    from jixiao.web.models import Project

    for doc in (market_bureau(2024), education_bureau(2024)):
        actions.import_disclosure(None, doc, published=False)  # drafts the units submit
    users = {}
    for name, role, units in [("market", "unit", ["999001"]), ("reviewer", "reviewer", [])]:
        users[name], _ = actions.create_user(
            None, name, role, unit_codes=units, password="pw-" + name, validate_password=False
        )
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    waiting, back = list(Project.objects.filter(unit__code="999001", year=2024).order_by("seq"))[:2]
    actions.submit_project(users["market"], back.pk)
    actions.submit_project(users["market"], waiting.pk)
    actions.return_project(users["reviewer"], back.pk, comment=COMMENT)

    # 1. the reviewer's home: one project waits; its row leads to the project
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, base, "reviewer", "pw-reviewer")
    submitted = page.locator("section#submitted")
    assert "待审核项目 1" in submitted.locator("h2").inner_text()
    assert page.locator(".work-counts a[href='#submitted'] b").inner_text() == "1"
    assert "没有红灯或黄灯项目。" in page.inner_text("section#lights")
    assert page.locator("header nav >> text=导入文件").count() == 0  # reviewers do not import
    assert page.locator("header .menu-button").is_hidden()  # wide: no fold
    page.screenshot(path=str(shots / "home_reviewer.png"), full_page=True)
    submitted.locator(f"a:has-text('{waiting.name}')").click()
    page.wait_for_url(f"{base}/projects/{waiting.pk}/")
    assert waiting.name in page.inner_text("h1")
    logout(page)

    # 2. the unit user's home: the returned project with the comment, drafts below
    login(page, base, "market", "pw-market")
    returned = page.locator("section#returned")
    assert back.name in returned.inner_text() and COMMENT in returned.inner_text()
    assert "reviewer" in returned.inner_text()
    assert page.locator("header nav >> text=导入文件").count() == 1
    page.screenshot(path=str(shots / "home_unit.png"), full_page=True)
    page.close()

    # 3. a phone, 375 px wide: the menu is folded behind 菜单 and opens as a column of whole links
    phone = browser.new_page(viewport={"width": 375, "height": 740}, locale="zh-CN")
    login(phone, base, "market", "pw-market")
    button = phone.locator("header .menu-button")
    assert button.is_visible() and "菜单" in button.inner_text()
    link = phone.locator("header nav a", has_text="指标检索")
    assert link.is_hidden() and phone.locator("header .who").is_hidden()
    header = phone.locator("header.top").bounding_box()
    assert header["height"] < 70, header  # one line: the brand and the button
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # nothing pushes the page sideways
    assert "已退回项目" in phone.inner_text("section#returned")
    phone.screenshot(path=str(shots / "home_phone_folded.png"), full_page=False)
    button.click()
    assert link.is_visible()
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('header nav a')).lineHeight)")
    for a in phone.locator("header nav a").all():
        box = a.bounding_box()
        # a whole link per line: as wide as its text, never one character per line
        assert box["height"] < 2 * line + 18 and box["width"] > 200, (a.inner_text(), box)
    phone.screenshot(path=str(shots / "home_phone_menu.png"), full_page=False)
    link.click()
    phone.wait_for_url(f"{base}/search/")
    assert phone.locator("header nav a", has_text="指标检索").is_hidden()  # folded again on the new page
    phone.locator("header .menu-button").click()
    logout(phone)
    phone.close()
