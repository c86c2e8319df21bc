"""In a real browser at phone width (375 px): the project, monitoring, self-evaluation, unit-year and
red/yellow pages never scroll sideways as a whole (wide tables scroll inside their card); the
review's hint badge is readable; the self-evaluation form's 三级指标 column keeps a readable width.

Screenshots go to $JIXIAO_SCREENSHOTS (default: a temp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web import actions
from tests.web.browsing import BROWSER_TEST, login, run_flow

pytestmark = BROWSER_TEST

WIDTH = 375


def test_pages_fit_a_phone(live_server, browser, monkeypatch, tmp_path):
    run_flow(lambda: _flow(live_server.url, browser, tmp_path), monkeypatch)


def _luminance(rgb: tuple[float, ...]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two computed CSS colours (rgb(…) / rgba(…))."""

    def parse(c: str) -> tuple[float, ...]:
        return tuple(float(x) for x in c[c.index("(") + 1 : c.index(")")].split(","))

    a, b = sorted((_luminance(parse(fg)), _luminance(parse(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _flow(base, browser, tmp_path):
    from jixiao.web.demo import market_bureau
    from jixiao.web.models import Project

    actions.import_disclosure(None, market_bureau(2024))
    user, _ = actions.create_user(
        None, "market", "unit", unit_codes=["999001"], password="pw-market", validate_password=False
    )
    p = Project.objects.get(unit__code="999001", year=2024, seq=1)  # 产品质量监督抽查经费
    Project.objects.filter(pk=p.pk).update(state="approved")
    actuals = ["330批次", "96%", "100%", "2024年12月20日", "1400元/批次", "", "92%"]
    rows = [{"actual": a} for a in actuals]
    rows[5].update(band="达成年度指标", score="28")
    actions.save_selfeval(
        user,
        p.pk,
        actions.SelfEvalEntry(
            adjusted="48.5", executed="46", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
        ),
    )
    actions.save_monitoring(
        user,
        p.pk,
        actions.MonitoringEntry(
            as_of="2024-07-31",
            executed="5",  # red: the gaps are listed beside the fields
            rows=tuple(
                actions.MonitoringRow(actual=a) for a in ["200批次", "60%", "100%", "", "", "", "92%"]
            ),
        ),
    )
    shots = Path(os.environ.get("JIXIAO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": WIDTH, "height": 800}, locale="zh-CN")
    login(page, base, "market", "pw-market")
    pages = {
        "project": f"/projects/{p.pk}/",
        "monitor": f"/projects/{p.pk}/monitor/",
        "selfeval": f"/projects/{p.pk}/selfeval/",
        "unit_year": f"/units/{p.unit_id}/2024/",
        "monitoring_list": "/monitoring/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        page.wait_for_selector("main")
        page.screenshot(path=str(shots / f"narrow_{name}.png"), full_page=True)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= WIDTH, f"{name}: the page is {width} px wide at a {WIDTH} px viewport"

    # the grey hint badge (JX303: a 数量指标 written as a rate) is readable: WCAG AA 4.5:1
    page.goto(f"{base}/projects/{p.pk}/")
    mark = page.locator("a.mark.hint").first
    assert mark.inner_text().startswith("JX3")
    fg, bg = mark.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert contrast(fg, bg) >= 4.5, (fg, bg)
    for sev in ("error", "warning"):
        for m in page.locator(f"a.mark.{sev}").all()[:1]:
            fg, bg = m.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
            assert contrast(fg, bg) >= 4.5, (sev, fg, bg)

    # the 三级指标 column of the 自评 form: whole words, not one or two characters a line
    for width in (WIDTH, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{base}/projects/{p.pk}/selfeval/")
        cells = page.locator("table.selfeval-rows td.ind-name")
        assert cells.count() == 7
        font = float(cells.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        for k in range(cells.count()):
            box = cells.nth(k).bounding_box()
            assert box is not None and box["width"] >= 8 * font, (width, k, box)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    page.screenshot(path=str(shots / "selfeval_wide.png"), full_page=True)

    # mistakes typed in the browser come back together, each beside its field, the input kept
    page.fill("input[name=executed]", "四十")
    page.fill("input[name='row-0-actual']", "330个")
    page.click("button:has-text('保存并评分')")
    page.wait_for_selector("p.error[role=alert]")
    assert page.locator("form em.error").count() == 2
    cell = page.locator("td", has=page.locator("input[name='row-0-actual']"))
    assert "监督抽查批次" in cell.locator("em.error").inner_text()
    assert page.input_value("input[name='row-0-actual']") == "330个"
    page.screenshot(path=str(shots / "selfeval_errors.png"), full_page=True)
    page.goto(f"{base}/projects/{p.pk}/monitor/")
    page.screenshot(path=str(shots / "monitor_wide.png"), full_page=True)

    # the unit-year page's category legend names exactly the colours of its bars
    page.goto(f"{base}/units/{p.unit_id}/2024/")
    card = page.locator("section.card", has=page.locator("h2", has_text="指标按类别"))
    bars = set(card.locator("svg g rect").evaluate_all("rs => rs.map(r => getComputedStyle(r).fill)"))
    legend = set(
        card.locator(".legend .sw").evaluate_all("ss => ss.map(s => getComputedStyle(s).backgroundColor)")
    )
    assert legend and legend == bars, (legend, bars)
