"""In a real browser: a reviewer finds 自评表复核 in the menu, uploads a published 自评表 page and
reads the recomputed total and each deviation; the result fits a phone (wide tables scroll inside
their card). Screenshots go to $JIXIAO_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, run_flow

FIELD = Path(__file__).resolve().parents[3] / "shared" / "field"
LANGFANG = FIELD / "batch1" / "13_langfang_shipinxuexiao_selfeval.txt"
SUIXI = FIELD / "batch1" / "14_suixi_minzheng_selfeval.txt"

pytestmark = [*BROWSER_TEST, pytest.mark.skipif(not LANGFANG.exists(), reason="field set not present")]


def test_a_reviewer_checks_a_published_page(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    actions.create_user(None, "shenji", "reviewer", password="pw-shenji", validate_password=False)
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, base, "shenji", "pw-shenji")
    page.click("nav a:has-text('自评表复核')")
    page.wait_for_selector("input[type=file][name=file]")
    page.set_input_files("input[type=file]", str(LANGFANG))
    page.click("button:has-text('上传并复核')")
    page.wait_for_selector("table.selfeval-discrepancies")
    assert "97.24" in page.locator("table.selfeval-totals").inner_text()
    rows = page.locator("table.selfeval-discrepancies tbody tr")
    assert rows.count() == 2 and "执行率 86.2%" in rows.first.inner_text()
    assert page.locator("table.selfeval-indicators tr.departs").count() == 1
    page.screenshot(path=str(shots / "selfeval_check_wide.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("button:has-text('下载复核结果（Excel）')")
    assert dl.value.suggested_filename == "13_langfang_shipinxuexiao_selfeval_复核.xlsx"
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(shots / "selfeval_check_narrow.png"), full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

    # a 绩效目标表 given instead: the file named and why, the form kept for another try
    target = tmp_path / "目标表.txt"
    target.write_text("项目名称\t某项目\n一级指标\t二级指标\t三级指标\t指标值\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(target))
    page.click("button:has-text('上传并复核')")
    alert = page.locator("[role=alert]")
    assert "目标表.txt" in alert.inner_text() and "未找到已公开的自评表" in alert.inner_text()
    page.screenshot(path=str(shots / "selfeval_check_error.png"), full_page=True)

    # weights totalling 90 and full marks for missed targets
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_input_files("input[type=file]", str(SUIXI))
    page.click("button:has-text('上传并复核')")
    page.wait_for_selector("table.selfeval-discrepancies")
    assert "折算" in page.locator("table.selfeval-totals").inner_text()
    page.screenshot(path=str(shots / "selfeval_check_weights90.png"), full_page=True)
