"""In a real browser: a unit user enters a monitoring snapshot that turns a project red, gives the
reason and the corrective action, and a reviewer sees the project in the red/yellow list and
records the outcome.

Screenshots of the monitoring, self-evaluation, unit-year and red/yellow pages go to
$JIXIAO_SCREENSHOTS (default: a temp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, logout, run_flow

pytestmark = BROWSER_TEST


def test_unit_user_reports_red_and_reviewer_sees_it(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    from jixiao.web.demo import education_bureau, market_bureau
    from jixiao.web.models import MonitoringSnapshot, Project

    for doc in (market_bureau(2024), education_bureau(2024)):
        actions.import_disclosure(None, doc)
    for name, role, units in [("market", "unit", ["999001"]), ("reviewer", "reviewer", [])]:
        actions.create_user(
            None,
            name,
            role,
            unit_codes=units,
            password="pw-" + name,
            validate_password=False,  # test accounts
        )
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    p = Project.objects.get(
        unit__code="999001", year=2024, seq=3
    )  # 特种设备安全监察经费, 35 万元, 6 indicators

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    # 1. the unit user opens the project's 运行监控 tab and enters a snapshot far behind plan
    login(page, base, "market", "pw-market")
    page.goto(f"{base}/projects/{p.pk}/")
    page.click("nav.tabs >> text=运行监控")
    page.wait_for_selector("form.monitor-form")
    page.fill("input[name=as_of]", "2024-07-31")
    page.fill("input[name=executed]", "5")  # 5 / 35 = 14% against 58% expected: red
    page.fill("input[name='row-0-actual']", "150户")
    page.fill("input[name='row-1-actual']", "99%")
    page.fill("input[name='row-3-actual']", "5万元")
    page.fill("input[name='row-4-actual']", "0")
    page.fill("input[name='row-5-actual']", "90%")
    page.click("button:has-text('保存监控数据')")
    page.wait_for_selector(".messages >> text=已保存运行监控")
    assert "红灯" in page.inner_text(".big-light") and "填报不完整" in page.inner_text(".big-light")
    assert "需填写整改措施" in page.inner_text("ul.problems")

    # 2. the reason, the likelihood and the corrective action: the report is complete, still red
    page.select_option("select[name=reason_category]", "制度保障")
    page.fill("input[name=reason_text]", "设备检验机构招标延期")
    page.select_option("select[name=likelihood]", "有可能")
    page.fill("input[name=measures]", "8月完成招标，9月集中检查")
    page.click("button:has-text('保存监控数据')")
    page.wait_for_selector(".messages >> text=已保存运行监控")
    assert "红灯" in page.inner_text(".big-light") and "填报不完整" not in page.inner_text(".big-light")
    page.screenshot(path=str(shots / "monitor.png"), full_page=True)
    s = MonitoringSnapshot.objects.get(project=p)
    assert s.light == "red" and s.complete and s.measures == "8月完成招标，9月集中检查"
    page.goto(f"{base}/units/{p.unit_id}/2024/")
    assert "运行监控与绩效自评" in page.inner_text("#cycle")
    page.screenshot(path=str(shots / "unit_year_cycle.png"), full_page=True)
    logout(page)

    # 3. the reviewer sees it in the red/yellow list and records the outcome
    login(page, base, "reviewer", "pw-reviewer")
    page.click("header nav >> text=运行监控")
    page.wait_for_selector("table.lights")
    row = page.locator("table.lights tr", has_text="特种设备安全监察经费")
    assert "红灯" in row.inner_text() and "8月完成招标" in row.inner_text()
    row.locator("select[name=outcome]").select_option("adjust")
    row.locator("input[name=outcome_note]").fill("调整检查户数指标")
    row.locator("button:has-text('记录')").click()
    page.wait_for_selector(".messages >> text=已记录处理意见")
    page.screenshot(path=str(shots / "monitoring_list.png"), full_page=True)
    s.refresh_from_db()
    assert s.outcome == "adjust" and s.outcome_by == "reviewer"

    # 4. the self-evaluation page renders for the reviewer (read-only)
    page.goto(f"{base}/projects/{p.pk}/selfeval/")
    assert "尚未填报绩效自评" in page.inner_text("body") and page.locator("form.selfeval-form").count() == 0
