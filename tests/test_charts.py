"""Server-side SVG charts: well-formed XML, the labels and values a reader needs, text escaped."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from jixiao.cycle.monitor import snapshot_for
from jixiao.export.charts import (
    FONT_FAMILY,
    budget_by_project_svg,
    category_counts,
    indicators_by_category_svg,
    lights_by_unit_svg,
    nice_ticks,
    score_bins,
    score_distribution_svg,
    spending_curve_for,
    spending_curve_svg,
)
from tests.fixtures_models import PLAN, product_sampling, unit_full

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & 单位'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}title").text
    assert float(root.get("width")) >= 300 and float(root.get("height")) >= 150
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def tips(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}title")]


def assert_safe(svg: str) -> None:
    assert "<script" not in svg and "javascript:" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    assert "&lt;script&gt;" in svg and "&amp; 单位" in svg
    assert HOSTILE in "".join(texts(ET.fromstring(svg)) + tips(ET.fromstring(svg)))


def test_font_list_names_the_cjk_fonts():
    svg = score_distribution_svg([D(91)])
    root = parse(svg)
    family = root.get("font-family")
    assert family == FONT_FAMILY
    for font in ("Noto Sans CJK SC", "Microsoft YaHei", "SimSun"):
        assert font in family


# ------------------------------------------------------------ (a) spending curve


def snapshots():
    """product_sampling (85.50 万元, plan 25/50/75/100) with spending at the end of April, June, July."""
    out = []
    for d, amount in (
        (date(2024, 4, 30), "12.00"),
        (date(2024, 6, 30), "22.50"),
        (date(2024, 7, 31), "30.00"),
    ):
        s = snapshot_for(product_sampling(), d)
        s.executed = D(amount)
        out.append(s)
    return out


def test_spending_curve_shows_plan_actual_and_as_of():
    snaps = snapshots()
    root = parse(spending_curve_for(list(reversed(snaps))))  # any order
    labels = texts(root)
    assert labels[0] == "产品质量监督抽查经费 资金支出进度" and "预算数 85.50 万元" in labels
    assert [f"{m}月" for m in range(1, 13)] == [t for t in labels if t.endswith("月") and t[:-1].isdigit()]
    assert {"0%", "20%", "40%", "60%", "80%", "100%"} <= set(labels)  # y ticks
    assert {"25%", "50%", "75%"} <= set(labels)  # plan milestones
    # actual: 12 / 85.5 = 14.0%, 22.5 / 85.5 = 26.3%, 30 / 85.5 = 35.1%
    assert {"14%", "26.3%", "35.1%"} <= set(labels)
    # as of 31 July: the plan's 56.3% (50% + 25% × 31/123) marked on the as-of line
    assert "监控日 7月31日" in labels and "计划 56.3%" in labels
    assert {"实际执行", "计划进度（资金支出计划）", "监控日"} <= set(labels)
    assert "截至7月31日 实际执行 35.1%（30.00万元）" in tips(root)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2  # plan and actual
    actual = lines[1].get("points").split()
    assert len(actual) == 4  # from 0 on 1 January through the three snapshots


def test_spending_curve_without_plan_uses_time():
    svg = spending_curve_svg(
        year=2024, budget=D("6.80"), plan=None, actuals=[(date(2024, 7, 31), D("5.10"))], title=HOSTILE
    )
    root = parse(svg)
    labels = texts(root)
    assert "时间进度（无资金支出计划）" in labels and "75%" in labels  # 5.1 / 6.8
    assert "计划 58.3%" in labels  # 7 / 12
    assert_safe(svg)


def test_spending_curve_above_budget_extends_the_axis():
    root = parse(
        spending_curve_svg(year=2024, budget=D(10), plan=PLAN, actuals=[(date(2024, 11, 30), D(12))])
    )
    assert "120%" in texts(root)


def test_spending_curve_without_budget_says_why():
    root = parse(spending_curve_svg(year=2024, budget=None, actuals=[(date(2024, 7, 31), D(1))]))
    assert "没有预算数，无法计算支出进度" in texts(root)
    assert "暂无数据" in texts(parse(spending_curve_for([])))


# ------------------------------------------------------------ (b) score distribution


def test_score_bins_include_lower_bound_and_100_in_the_top_bin():
    bins = dict((label, n) for label, n, _ in score_bins([D(90), D("89.99"), D(100), D(0), D(60)]))
    assert bins["90–100"] == 2 and bins["80–90"] == 1 and bins["0–10"] == 1 and bins["60–70"] == 1
    assert sum(bins.values()) == 5


def test_score_distribution_by_grade_and_bins():
    scores = [D(91), D("95.5"), D(84), D("72.3"), D(58), D(88), D(100), D(81)]
    svg = score_distribution_svg(scores, title=HOSTILE)
    root = parse(svg)
    t = tips(root)
    assert {"优：3 个项目", "良：3 个项目", "中：1 个项目", "差：1 个项目"} <= set(t)
    assert {"90–100 分：3 个项目", "80–90 分：3 个项目", "70–80 分：1 个项目", "50–60 分：1 个项目"} <= set(t)
    labels = texts(root)
    assert "共 8 个项目，平均 83.7 分，最高 100 分，最低 58 分" in labels
    assert {"优", "良", "中", "差", "按等级（个）", "按得分区间（分，含下限）"} <= set(labels)
    assert_safe(svg)


def test_score_distribution_of_nothing():
    assert "暂无数据" in texts(parse(score_distribution_svg([])))


# ------------------------------------------------------------ (c) lights per unit


def test_lights_by_unit_stacks_counts_in_order():
    rows = [
        ("示例市市场监督管理局本级", {"red": 2, "yellow": 3, "green": 9, None: 1}),
        (HOSTILE, {"green": 4, "yellow": 1}),
    ]
    svg = lights_by_unit_svg(rows)
    root = parse(svg)
    labels = texts(root)
    assert "共 20 个项目：红灯 2，黄灯 4，绿灯 13，未填 1" in labels
    assert {"红灯", "黄灯", "绿灯", "未填"} <= set(labels) and "蓝灯" not in labels  # legend: what occurs
    assert {"共 15", "共 5"} <= set(labels)
    first = [
        r
        for r in root.iter(f"{SVG}rect")
        if (r.find(f"{SVG}title") is not None)
        and r.find(f"{SVG}title").text.startswith("示例市市场监督管理局本级")
    ]
    assert [r.find(f"{SVG}title").text.split()[-3] for r in first] == ["红灯", "黄灯", "绿灯", "未填"]
    widths = [float(r.get("width")) for r in first]
    assert widths[2] == pytest.approx(widths[0] * 9 / 2, abs=0.5)  # proportional to the counts (0.1 px)
    assert_safe(svg)


# ------------------------------------------------------------ (d) budget and categories


def test_budget_by_project_sorted_with_values():
    svg = budget_by_project_svg(
        [
            ("公务用车保险费", D("6.80")),
            (HOSTILE, D("85.50")),
            ("食品安全抽检监测经费", D("120.00")),
            ("无预算", None),
        ]
    )
    root = parse(svg)
    labels = texts(root)
    assert "3 个项目，合计 212.30 万元；1 个项目未列预算数" in labels
    values = [t for t in labels if t.endswith("万元") and t[0].isdigit()]
    assert values == ["120.00万元", "85.50万元", "6.80万元"]
    assert_safe(svg)


def test_indicators_by_category():
    counts = category_counts(i for p in unit_full().projects for i in p.indicators)
    # the older framework files cost under 产出
    assert counts == {"产出指标": 21, "效益指标": 7, "满意度指标": 5}
    root = parse(indicators_by_category_svg(counts))
    labels = texts(root)
    assert "共 33 个指标" in labels and {"21个", "7个", "5个", "产出指标"} <= set(labels)


def test_newer_framework_cost_is_its_own_category():
    p = copy.deepcopy(product_sampling())
    for ind in p.indicators:
        if ind.level2 == "成本指标":
            ind.level1, ind.level2 = "成本指标", "经济成本指标"
    counts = category_counts(p.indicators)
    assert counts["成本指标"] == 1 and counts["产出指标"] == 6


def test_nice_ticks():
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0.0, 1.0]


def test_distribution_places_the_subject_and_box_in_order_on_a_log_scale() -> None:
    import re

    from jixiao.export.charts import distribution_svg

    values = [1.5, 4, 10, 20, 32, 50, 650, 1000, 1145, 3500, 45000]
    svg = distribution_svg(values, 6000, q1=17.5, median=350, q3=1733.75, unit="批次")
    assert "对数刻度" in svg and "本指标 6000 批次" in svg
    dots = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert dots == sorted(dots) and len(dots) == len(values)
    # on a log scale 10 sits near the middle between 1.5 and 45000's decades, not squeezed at the left
    assert dots[2] - dots[0] > 50
    linear = distribution_svg([10, 20, 30], 25, q1=15, median=20, q3=25, unit="个")
    assert "对数刻度" not in linear
