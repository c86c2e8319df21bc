"""Chart labels never overlap: every <text> of a chart is boxed from its x, y, anchor and font size
(width by `charts.text_width`) and no two boxes intersect. Long project names wrap instead of being
cut, each line within the label column, the full name in the row's <title>."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from jixiao.export import charts

NS = "{http://www.w3.org/2000/svg}"


def text_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of every unrotated <text> of the SVG."""
    out = []
    for t in ET.fromstring(svg).iter(f"{NS}text"):
        if "rotate" in (t.get("transform") or ""):
            continue
        s = "".join(t.itertext())
        size = float(t.get("font-size") or 12)
        x, y = float(t.get("x") or 0), float(t.get("y") or 0)
        w = charts.text_width(s, size)
        left = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor") or "start"]
        out.append((s, left, y - 0.8 * size, left + w, y + 0.2 * size))
    return out


def overlaps(svg: str) -> list[tuple[str, str]]:
    pairs = []
    for a, b in itertools.combinations(text_boxes(svg), 2):
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
            pairs.append((a[0], b[0]))
    return pairs


def inside(svg: str) -> bool:
    width = float(ET.fromstring(svg).get("width") or 0)
    return all(0 <= box[1] and box[3] <= width for box in text_boxes(svg))


EVERY_BIN = [5, 15, 25, 35, 45, 55, 65, 75, 85, 88, 95, 100, 91.5, 82]


@pytest.mark.parametrize("width", [320, 375, 560, 760])
def test_histogram_labels_do_not_collide(width):
    svg = charts.score_distribution_svg(EVERY_BIN, width=width)
    assert overlaps(svg) == []
    labels = [b[0] for b in text_boxes(svg)]
    # the bins are labelled by their bounds: 0 and 100 always, never two ranges run together
    assert "0" in labels and "100" in labels and not any("–" in s for s in labels)


def test_histogram_bounds_sit_between_the_bars():
    svg = charts.score_distribution_svg(EVERY_BIN, width=560)
    root = ET.fromstring(svg)
    texts = [(float(t.get("x")), float(t.get("y")), "".join(t.itertext())) for t in root.iter(f"{NS}text")]
    axis_y = next(y for _, y, s in texts if s == "100")
    ten = [x for x, y, s in texts if y == axis_y and s in {str(10 * i) for i in range(11)}]
    assert len(ten) == 11
    bars = sorted(
        float(r.get("x")) for r in root.iter(f"{NS}rect") if "分：" in "".join(r.itertext())
    )  # the bins' bars (their tooltips read「80–90 分：n 个项目」)
    assert len(bars) == 10
    steps = {round(b - a, 1) for a, b in itertools.pairwise(sorted(ten))}
    assert len(steps) == 1  # evenly spaced bounds
    for bar, (a, b) in zip(bars, itertools.pairwise(sorted(ten)), strict=True):
        assert a < bar < b  # one bar between two bounds


LONG = [
    ("2024年度城乡义务教育阶段学生营养改善计划地方配套资金（含食堂设备更新改造）", Decimal("300")),
    ("市场监管综合执法装备购置及信息化平台运行维护经费项目", Decimal("120.5")),
    ("食品安全抽检", Decimal("80")),
    ("Special equipment inspection and safety supervision programme", Decimal("35")),
]


@pytest.mark.parametrize(("width", "label_px"), [(560, 220), (760, 240), (420, 140)])
def test_budget_chart_wraps_long_names_without_overlap(width, label_px):
    svg = charts.budget_by_project_svg(LONG, width=width, label_px=label_px)
    assert overlaps(svg) == [] and inside(svg)
    root = ET.fromstring(svg)
    rows = [g for g in root.iter(f"{NS}g")]
    assert len(rows) == len(LONG)
    for g in rows:
        title = g.find(f"{NS}title").text
        lines = ["".join(t.itertext()) for t in g.iter(f"{NS}text")][:-1]  # the last is the value
        name = title.rsplit("：", 1)[0]
        assert name in {n for n, _ in LONG}
        for line in lines:
            assert charts.text_width(line, 12) <= label_px
        shown = "".join(lines).replace(" ", "")
        # the whole name is shown (three lines hold these), or cut with … only past three lines
        assert shown == name.replace(" ", "") or (len(lines) == 3 and shown.endswith("…"))
    first = next(g for g in rows if "城乡义务教育" in g.find(f"{NS}title").text)
    assert len(list(first.iter(f"{NS}text"))) >= 3  # wrapped: two lines or more, and the value


def test_short_names_keep_one_line_rows():
    svg = charts.budget_by_project_svg([("食品安全抽检", Decimal(80)), ("公车运维", Decimal("9.6"))])
    root = ET.fromstring(svg)
    for g in root.iter(f"{NS}g"):
        assert len(list(g.iter(f"{NS}text"))) == 2  # the name and the value


def test_category_and_lights_charts_have_no_overlap():
    counts = {"产出指标": 24, "成本指标": 3, "效益指标": 9, "满意度指标": 6, "未识别": 1}
    assert overlaps(charts.indicators_by_category_svg(counts)) == []
    rows = [("示例市市场监督管理局", {"red": 2, "yellow": 1, "green": 9}), ("示例市教育局", {None: 4})]
    assert overlaps(charts.lights_by_unit_svg(rows)) == []


def test_wrap_text():
    assert charts.wrap_text("短名", 100, 12) == ["短名"]
    lines = charts.wrap_text("一二三四五六七八九十" * 3, 60, 12, max_lines=3)
    assert lines == ["一二三四五", "六七八九十", "一二三四…"]
    # a space near the limit is where a Latin name breaks
    assert charts.wrap_text("safety supervision", 80, 12) == ["safety", "supervision"]
