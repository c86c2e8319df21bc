"""In a real browser: a Word export runs in the background with its progress page (排队中 → 完成,
updated by the page itself) and ends in a download; pages print without navigation, forms, buttons
or history, with their tables whole and header rows repeated."""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from jixiao.web.tasks import WorkerThread
from tests.web.browsing import BROWSER_TEST, login, run_flow

pytestmark = BROWSER_TEST


def _setup():
    from jixiao.web.demo import market_bureau
    from jixiao.web.models import Project

    actions.import_disclosure(None, market_bureau(2024), published=False)  # the unit edits a draft
    actions.create_user(
        None, "market", "unit", unit_codes=["999001"], password="pw-market", validate_password=False
    )
    return Project.objects.filter(unit__code="999001", year=2024).order_by("seq").first()


def test_background_export_with_progress_ends_in_a_download(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _export_flow(live_server.url, browser, tmp_path), monkeypatch)


def _export_flow(base, browser, tmp_path):
    from docx import Document

    p = _setup()
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    login(page, base, "market", "pw-market")
    page.goto(f"{base}/units/{p.unit_id}/2024/")
    page.click("#downloads >> text=Word")
    page.wait_for_url(f"{base}/jobs/*/")
    assert page.inner_text("#job-label") == "排队中"  # no worker yet: the page answered at once
    first = page.url
    page.go_back()  # a second click while it waits leads to the same job, not a second one
    page.click("#downloads >> text=Word")
    page.wait_for_url(f"{base}/jobs/*/")
    assert page.url == first
    page.screenshot(path=str(shots / "job_queued.png"), full_page=True)
    worker = WorkerThread(interval=0.1)
    worker.start()
    try:
        # the page polls its status and shows the result without the user reloading
        page.wait_for_selector("#job-download", timeout=60_000)
    finally:
        worker.stop()
    assert page.inner_text("#job-label") == "完成"
    page.screenshot(path=str(shots / "job_done.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#job-download")
    download = info.value
    assert download.suggested_filename.endswith("2024年项目绩效目标表.docx"), download.suggested_filename
    path = tmp_path / "out.docx"
    download.save_as(str(path))
    text = "\n".join(c.text for t in Document(str(path)).tables for row in t.rows for c in row.cells)
    assert p.name in text
    # the job is listed under 我的后台任务 with its download
    page.goto(f"{base}/jobs/")
    assert "完成" in page.inner_text("table.jobs") and page.locator("table.jobs >> text=下载").count() == 1


def test_print_view_shows_content_only(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _print_flow(live_server.url, browser, tmp_path), monkeypatch)


def _print_flow(base, browser, tmp_path):
    p = _setup()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, base, "market", "pw-market")
    page.goto(f"{base}/projects/{p.pk}/")
    # on screen: navigation, the edit form, buttons and the history are there
    assert page.is_visible("header.top nav") and page.is_visible("form.edit")
    assert page.is_visible("table.history")
    page.emulate_media(media="print")
    assert not page.is_visible("header.top") and not page.is_visible("header.top nav")
    assert not page.is_visible("form.edit") and not page.is_visible("table.history")
    assert page.locator("button:visible").count() == 0 and page.locator("form:visible").count() == 0
    assert not page.is_visible("footer") and not page.is_visible("#downloads")
    assert page.is_visible("table.target") and p.name in page.inner_text("table.target")
    assert page.is_visible("h1")
    pdf = tmp_path / "project.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto(f"{base}/units/{p.unit_id}/2024/")
    assert page.is_visible("table.projects")
    style = page.evaluate(
        """() => {
        const t = document.querySelector('table.projects');
        const row = t.querySelector('tbody tr');
        return [getComputedStyle(t.tHead).display, getComputedStyle(row).breakInside];
    }"""
    )
    assert style == ["table-header-group", "avoid"], style
    assert not page.is_visible("header.top nav") and page.locator("form:visible").count() == 0
