"""In a real browser (Playwright + Debian's chromium): a reviewer finds a project through the review
ranking, sees its findings beside the rows, returns it with two findings attached, and the unit user
sees them on the project page.

Screenshots of the ranking, the rule catalogue, the unit-year page and the project page (reviewer's
and unit user's view) go to $JIXIAO_SCREENSHOTS (default: a temp dir).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, logout, run_flow

pytestmark = BROWSER_TEST

PROJECT = "知识产权保护与商标品牌培育经费"  # demo 999001/2024 project 4: four warnings


def test_return_with_findings_attached(live_server, browser, monkeypatch, tmp_path):
    monkeypatch.delenv("JIXIAO_REVIEW_CONFIG", raising=False)
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    from jixiao.web.demo import education_bureau, market_bureau
    from jixiao.web.models import History, Project, State

    for doc in (market_bureau(2024), education_bureau(2024)):
        actions.import_disclosure(None, doc, published=False)  # the units' drafts
    users = {}
    for name, role, units in [("market", "unit", ["999001"]), ("reviewer", "reviewer", [])]:
        users[name], _ = actions.create_user(
            None,
            name,
            role,
            unit_codes=units,
            password="pw-" + name,
            validate_password=False,  # test accounts
        )
    p = Project.objects.get(year=2024, name=PROJECT)
    actions.submit_project(users["market"], p.pk, version=p.version)
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    # 1. the reviewer finds the project through the ranking and the rule catalogue
    login(page, base, "reviewer", "pw-reviewer")
    page.click("nav >> text=审核规则")
    page.wait_for_selector("h1:has-text('绩效目标审核规则')")
    page.screenshot(path=str(shots / "review_rules.png"), full_page=False)
    page.click("nav >> text=审核排名")
    page.wait_for_selector("table.ranking")
    page.screenshot(path=str(shots / "review_ranking.png"), full_page=True)
    page.click(f"table.ranking >> text={PROJECT}")
    page.wait_for_selector("table.target")

    # 2. findings beside the rows, outcome under the four headings
    assert page.locator("table.target a.mark").count() == 4
    assert page.locator("table.target tr.row-findings").count() == 4  # one line under rows 1, 5, 6, 7
    assert "良" in page.inner_text("#review h2")
    for h in ("完整性", "相关性", "适当性", "可行性"):
        assert h in page.inner_text("#review table.headings")
    page.screenshot(path=str(shots / "review_project_reviewer.png"), full_page=True)

    # 3. return with two findings ticked
    boxes = page.locator("form.return input[name=finding]")
    assert boxes.count() == 4
    keys = [boxes.nth(i).get_attribute("value") for i in (0, 2)]
    boxes.nth(0).check()
    boxes.nth(2).check()
    page.fill("form.return input[name=comment]", "请按所附审核发现修改后重新报送")
    page.click("form.return button:has-text('退回修改')")
    page.wait_for_selector(".messages >> text=已退回")
    p.refresh_from_db()
    assert p.state == State.RETURNED
    h = History.objects.filter(project=p, action="return").latest("id")
    assert [f["key"] for f in next(c["new"] for c in h.changes if c["field"] == "findings")] == keys
    page.goto(f"{base}/units/{p.unit_id}/2024/")
    page.wait_for_selector("#review")
    page.screenshot(path=str(shots / "review_unit_year.png"), full_page=True)
    logout(page)

    # 4. the unit user sees the return decision with the two findings
    login(page, base, "market", "pw-market")
    page.goto(f"{base}/projects/{p.pk}/")
    box = page.locator("#returned")
    box.wait_for()
    text = box.inner_text()
    assert "请按所附审核发现修改后重新报送" in text and "（2 条）" in text
    assert box.locator("li.finding").count() == 2
    assert page.locator("table.target li.finding.attached").count() == 2  # marked in the rows too
    assert re.search(r"退回时附上", page.inner_text("table.target"))
    page.screenshot(path=str(shots / "review_project_unit.png"), full_page=True)
