"""The admin's scripted widgets in Chinese, as Chromium renders them: the filter_horizontal box of a
user's 所属单位 (its texts come from /admin/jsi18n/, which Django's own zh_Hans catalog leaves
partly English: 「Choose 所属单位 by selecting them…」, 「Choose all / Remove all」)."""

from __future__ import annotations

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, run_flow
from tests.web.test_chinese_text import english_words

pytestmark = BROWSER_TEST


def test_the_units_widget_of_the_user_form_is_chinese(live_server, browser, monkeypatch):
    run_flow(lambda: _flow(live_server.url, browser), monkeypatch)


def _flow(base: str, browser) -> None:
    from jixiao.web.demo import market_bureau

    actions.import_disclosure(None, market_bureau(2024))
    actions.create_user(None, "boss", "admin", password="pw-boss-123", validate_password=False)
    clerk, _ = actions.create_user(
        None, "clerk", "unit", unit_codes=["999001"], password="pw-clerk-123", validate_password=False
    )
    page = browser.new_page()
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "pw-boss-123")
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")
    page.goto(f"{base}/admin/web/user/{clerk.pk}/change/")
    page.wait_for_selector(".selector-chooseall")  # SelectFilter2.js built the widget
    widget = page.inner_text(".selector")
    assert "全选所属单位" in widget and "全部移除所属单位" in widget, widget
    assert "可用 所属单位" in widget and "选中的 所属单位" in widget, widget
    titles = page.eval_on_selector_all(
        ".selector [title], .selector [aria-label], .selector [placeholder]",
        "els => els.map(e => [e.title, e.getAttribute('aria-label'), e.placeholder].join(' '))",
    )
    text = page.inner_text("body") + " " + " ".join(titles)
    users = {"boss", "BOSS", "clerk"}  # the accounts' names (data; the header shows them in capitals)
    assert not english_words(text, users), english_words(text, users)
    page.close()


def test_the_api_docs_page_has_no_authorize_or_schemas_in_english(live_server, browser, monkeypatch):
    run_flow(lambda: _docs_flow(live_server.url, browser), monkeypatch)


def _docs_flow(base: str, browser) -> None:
    page = browser.new_page()
    page.goto(base + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")  # the operations were rendered from openapi.json
    assert page.inner_text(".btn.authorize").strip() == "授权"
    # the models (Pydantic class names under 「Schemas」) are not shown at all
    assert page.locator(".swagger-ui section.models").count() == 0
    body = page.inner_text("body")
    assert "Schemas" not in body and "Authorize" not in body, body[:400]
    page.click(".btn.authorize")  # the dialog still works (Swagger UI's own, in English inside)
    page.wait_for_selector(".dialog-ux .modal-ux")
    page.close()
