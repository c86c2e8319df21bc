"""In a real browser (Playwright + Debian's chromium): log in, upload a .docx, edit an indicator,
submit, approve as reviewer, and a unit user cannot open another unit's project.

Screenshots of the unit page and the project page go to $JIXIAO_SCREENSHOTS (default: a temp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, logout, run_flow

pytestmark = BROWSER_TEST


def test_upload_edit_submit_approve_and_isolation(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import education_bureau, market_bureau
    from jixiao.web.models import Project, State

    for doc in (market_bureau(2024), education_bureau(2024)):
        actions.import_disclosure(None, doc)
    for name, role, units in [
        ("market", "unit", ["999001"]),
        ("reviewer", "reviewer", []),
        ("edu", "unit", ["999002"]),
    ]:
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
    docx = tmp_path / "示例市市场监督管理局2025.docx"
    docx.write_bytes(disclosure_to_docx(market_bureau(2025)))

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    # 1. the unit user logs in and uploads a .docx
    login(page, base, "market", "pw-market")
    page.click("nav >> text=导入文件")
    page.set_input_files("input[type=file]", str(docx))
    page.click("button:has-text('上传并导入')")
    page.wait_for_selector(".result")
    assert "已导入" in page.inner_text(".result") and "新项目 4 个" in page.inner_text(".result")
    page.click(".result >> text=查看")
    page.wait_for_selector("h1:has-text('示例市市场监督管理局')")
    page.wait_for_load_state()  # the heading arrives before the charts further down the page
    assert "2025" in page.inner_text(".years") and page.locator("svg.chart").count() == 2
    page.screenshot(path=str(shots / "unit.png"), full_page=True)

    # 2. edit an indicator of the first project
    page.click("table.projects >> text=产品质量监督抽查经费")
    page.wait_for_selector("table.target")
    page.fill("input[name='ind-0-value']", "≥350批次")
    page.click("#edit button[type=submit]")
    page.wait_for_selector(".messages >> text=已保存")
    assert "≥350批次" in page.inner_text("table.target")
    assert "≥ 350 批次" in page.inner_text("table.target")  # the parsed value
    assert "≥350批次" in page.inner_text("table.history")
    project_url = page.url

    # 3. submit: the project becomes read-only to the unit user
    page.click("button:has-text('提交审核')")
    page.wait_for_selector(".messages >> text=已提交审核")
    assert page.locator("#edit").count() == 0
    page.screenshot(path=str(shots / "project.png"), full_page=True)
    logout(page)

    # 4. the reviewer approves
    login(page, base, "reviewer", "pw-reviewer")
    page.goto(project_url)
    page.click("button:has-text('审核通过')")
    page.wait_for_selector(".messages >> text=已批复")
    assert "已批复" in page.inner_text("h1")
    p = Project.objects.get(year=2025, name="产品质量监督抽查经费")
    assert p.state == State.APPROVED
    assert list(p.history.order_by("at", "id").values_list("action", flat=True))[-3:] == [
        "edit",
        "submit",
        "approve",
    ]
    logout(page)

    # 5. another unit's user cannot open the project
    login(page, base, "edu", "pw-edu")
    resp = page.goto(project_url)
    assert resp is not None and resp.status == 404
    assert "示例市市场监督管理局" not in page.inner_text("body")
    assert "产品质量监督抽查经费" not in page.inner_text("body")
