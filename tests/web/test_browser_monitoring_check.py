"""In a real browser: a reviewer finds 监控表复核 in the menu, uploads a published 运行监控表 page and
reads the project's light, the spending line and each indicator's light with what the report lacks;
the result fits a phone (wide tables scroll inside their card). Screenshots go to
$JIXIAO_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from tests.heldout.monitor_pages import pages
from tests.web.browsing import BROWSER_TEST, login, run_flow

pytestmark = BROWSER_TEST


def test_a_reviewer_checks_a_published_monitoring_page(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    actions.create_user(None, "caizheng", "reviewer", password="pw-caizheng", validate_password=False)
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, suffix, data, _ in pages():
        if name in ("national_water_docx", "regional_toilets_html"):
            files[name] = tmp_path / f"{name}.{suffix}"
            files[name].write_bytes(data)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, base, "caizheng", "pw-caizheng")
    page.click("nav a:has-text('监控表复核')")
    page.wait_for_selector("input[type=file][name=file]")
    page.set_input_files("input[type=file]", str(files["national_water_docx"]))
    page.click("button:has-text('上传并复核')")
    page.wait_for_selector("table.monitor-indicators")
    assert "红灯" in page.locator("section.selfeval-table h2").inner_text()
    spending = page.locator("table.monitor-spending").inner_text()
    assert "42.0%" in spending and "黄灯" in spending
    assert page.locator("table.monitor-indicators tr.departs").count() == 2
    assert page.locator("ul.monitor-problems li").count() == 9
    page.screenshot(path=str(shots / "monitoring_check_wide.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(shots / "monitoring_check_narrow.png"), full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

    # a complete page: all green, nothing missing
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_input_files("input[type=file]", str(files["regional_toilets_html"]))
    page.click("button:has-text('上传并复核')")
    page.wait_for_selector("table.monitor-indicators")
    assert "未见缺漏" in page.locator("section.selfeval-table").inner_text()

    # a 自评表-less, 监控表-less file: the file named and why, the form kept for another try
    other = tmp_path / "说明.txt"
    other.write_text("项目名称\t某项目\n说明\t无\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(other))
    page.click("button:has-text('上传并复核')")
    alert = page.locator("[role=alert]")
    assert "说明.txt" in alert.inner_text() and "未找到已公开的运行监控表" in alert.inner_text()
