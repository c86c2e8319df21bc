"""The API docs page as a script writer uses it: an operation opened, 「Try it out」, 「Execute」,
the response read. Swagger UI has no translations of its own; its controls and headings
(Parameters, Execute, Responses, Request URL, Server response, the HTTP status names …) were
English. The page's script puts Chinese on them, and the calls still work."""

from __future__ import annotations

import json

from tests.web.browsing import BROWSER_TEST, login, run_flow
from tests.web.test_chinese_text import english_words

pytestmark = BROWSER_TEST

# the text a reader reads, without what is data: code, responses, typed values, URLs
VISIBLE = """() => {
  const skip = new Set(["PRE", "CODE", "TEXTAREA", "INPUT", "SCRIPT", "STYLE", "SELECT"]);
  const out = [];
  const walk = (n) => {
    if (n.nodeType === 3) { out.push(n.nodeValue); return; }
    if (n.nodeType !== 1 || skip.has(n.tagName)) return;
    if (n.classList.contains("opblock-summary-path") || n.classList.contains("request-url")) return;
    for (const a of ["title", "aria-label", "placeholder"]) {
      if (n.getAttribute(a)) out.push(n.getAttribute(a));
    }
    for (const c of n.childNodes) walk(c);
  };
  walk(document.querySelector("#swagger-ui"));
  return out.join(" ");
}"""


def test_the_api_docs_controls_read_in_chinese_and_still_run(demo, users, live_server, browser, monkeypatch):
    run_flow(lambda: _flow(live_server.url, browser), monkeypatch)


def _flow(base: str, browser) -> None:
    page = browser.new_page()
    login(page, base, "reviewer", "pw-123456")
    page.goto(base + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    spec = json.loads(page.evaluate("fetch('/api/openapi.json').then(r => r.text())"))
    names = set()
    for ops in spec["paths"].values():
        for op in ops.values():
            names.update(p["name"] for p in op.get("parameters", []))
    for schema in spec.get("components", {}).get("schemas", {}).values():
        names.update(schema.get("properties", {}))
    units = page.locator(".opblock-summary", has_text="/api/units").first
    units.click()
    page.click("button.try-out__btn")
    page.click("button.execute")
    page.wait_for_selector(".responses-wrapper .live-responses-table")
    page.locator(".opblock-summary", has_text="/api/projects/{project_id}").first.click()
    page.locator("button.try-out__btn").nth(1).click()
    page.fill("input[placeholder=project_id]", "abc")  # Swagger UI's own check of the input
    page.locator("button.execute").nth(1).click()
    page.wait_for_selector(".validation-errors")
    assert "应为整数" in page.inner_text(".validation-errors")
    required = page.evaluate(
        "getComputedStyle(document.querySelector('.parameter__name.required'), '::after').content"
    )
    assert required == '"必填"', required
    text = page.evaluate(VISIBLE)
    assert "执行" in text and "参数" in text and "响应" in text, text[:600]
    names |= {"files", "curl"}  # the upload's form field, named in its summary; the command curl
    assert not english_words(text, names), english_words(text, names)
    body = page.inner_text(".live-responses-table")
    assert "999001" in body  # the call ran and its answer is shown
    page.close()
