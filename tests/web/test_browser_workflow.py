"""In a real browser (Playwright + Debian's chromium): a unit submits a project whose review has an
error and is asked to confirm; the reviewer's 审核通过 opens a confirmation listing the error that
will not approve without a reason; with one it approves, and the unit sees the reason.

Screenshots go to $JIXIAO_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, logout, run_flow

pytestmark = BROWSER_TEST

REASON = "预算数差异为上年结转资金，已与财政局核实，同意批复"


def test_approval_confirmation_with_reason(live_server, browser, monkeypatch, tmp_path):
    monkeypatch.delenv("JIXIAO_REVIEW_CONFIG", raising=False)
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _flow(base, browser, tmp_path):
    from jixiao.web.demo import market_bureau
    from jixiao.web.models import History, Project, State

    actions.import_disclosure(None, market_bureau(2024), published=False)  # the unit's drafts
    for name, role, units in [("market", "unit", ["999001"]), ("reviewer", "reviewer", [])]:
        actions.create_user(
            None, name, role, unit_codes=units, password="pw-" + name, validate_password=False
        )
    p = Project.objects.filter(year=2024).order_by("seq").first()
    total = (p.budget_fiscal or 0) + (p.budget_other or 0) + 1  # 预算数 ≠ 财政资金 + 其他资金
    p = actions.edit_project(
        None,
        p.pk,
        actions.ProjectEdit(
            version=p.version, budget_total=str(total), budget_other=str(p.budget_other or 0)
        ),
    )
    rules = {f["rule"] for f in actions.review_gate(p).errors}
    assert rules
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    # 1. the unit submits: the errors are shown and it confirms
    login(page, base, "market", "pw-market")
    page.goto(f"{base}/projects/{p.pk}/")
    box = page.locator("#confirm-submit .confirm-box")
    assert not box.is_visible()
    page.click("#confirm-submit summary")
    assert all(r in box.inner_text() for r in rules)
    page.click("#confirm-submit button:has-text('仍然提交审核')")
    page.wait_for_selector(".messages >> text=已提交审核")
    logout(page)

    # 2. the reviewer: 审核通过 opens the confirmation with the error; no reason, no approval
    login(page, base, "reviewer", "pw-reviewer")
    page.goto(f"{base}/projects/{p.pk}/")
    box = page.locator("#confirm-approve .confirm-box")
    assert not box.is_visible()
    page.click("#confirm-approve summary:has-text('审核通过')")
    box.wait_for()
    text = box.inner_text()
    assert all(r in text for r in rules) and "理由" in text
    page.screenshot(path=str(shots / "approve_confirm.png"), full_page=False)
    page.click("#confirm-approve button:has-text('确认审核通过')")  # the required reason is empty
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('#confirm-approve textarea').validity.valueMissing")
    p.refresh_from_db()
    assert p.state == State.SUBMITTED
    page.fill("#confirm-approve textarea[name=confirm_reason]", REASON)
    page.click("#confirm-approve button:has-text('确认审核通过')")
    page.wait_for_selector(".messages >> text=已批复")
    p.refresh_from_db()
    assert p.state == State.APPROVED
    assert REASON in History.objects.get(project=p, action="approve").summary
    logout(page)

    # 3. the unit sees why it was approved despite the error
    login(page, base, "market", "pw-market")
    page.goto(f"{base}/projects/{p.pk}/")
    card = page.locator("#approval")
    card.wait_for()
    text = card.inner_text()
    assert REASON in text and "reviewer" in text and all(r in text for r in rules)
    page.screenshot(path=str(shots / "approve_reason_unit.png"), full_page=True)
