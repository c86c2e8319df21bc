"""绩效运行监控 lights: worked examples computed by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.cycle.monitor import (
    BLUE,
    GREEN,
    RED,
    YELLOW,
    Deviation,
    IndicatorProgress,
    MonitorError,
    MonitorSettings,
    MonitorSnapshot,
    assess,
    expected_progress,
    indicator_light,
    snapshot_for,
    validate_snapshot,
    worst,
)
from tests.fixtures_models import food_safety

D = Decimal
PLAN = {"3月底": "25%", "6月底": "50%", "10月底": "75%", "12月底": "100%"}
JULY = date(2024, 7, 31)


# ------------------------------------------------------------ expected progress


def test_expected_progress_at_a_milestone_is_the_milestone():
    assert expected_progress(PLAN, date(2024, 3, 31))[0] == D("0.25")
    assert expected_progress(PLAN, date(2024, 6, 30))[0] == D("0.5")
    assert expected_progress(PLAN, date(2024, 12, 31))[0] == 1


def test_expected_progress_interpolates_by_days():
    # 31 July: 50% + (75% − 50%) × 31 days / 123 days (30 June → 31 October) = 56.30%
    e, source = expected_progress(PLAN, JULY)
    assert source == "plan"
    assert e == D("0.5") + D("0.25") * 31 / 123
    # 1 January: 0 at 31 December + 25% × 1/91 (2024: 31 + 29 + 31 days to 31 March)
    assert expected_progress(PLAN, date(2024, 1, 1))[0] == D("0.25") / 91


def test_plan_ending_early_reaches_100_percent_at_year_end():
    # plan stops at 10月底 75%: 30 November = 75% + 25% × 30/61
    plan = {"3月底": "25%", "6月底": "50%", "10月底": "75%"}
    assert expected_progress(plan, date(2024, 11, 30))[0] == D("0.75") + D("0.25") * 30 / 61


def test_no_plan_is_straight_line_month_over_12():
    e, source = expected_progress(None, JULY)
    assert source == "time" and e == D(7) / 12
    assert expected_progress({"全年": "按进度"}, JULY)[1] == "time"  # nothing usable


def test_plan_with_amounts_in_wan_yuan():
    # amounts against 预算数 40万元: 10万元 by 3月底 = 25%
    plan = {"3月底": "10万元", "6月底": "20万元", "12月底": "40万元"}
    assert expected_progress(plan, date(2024, 3, 31), budget=D(40))[0] == D("0.25")


# ------------------------------------------------------------ spending light


def _snap(executed: str | None, *, plan=PLAN, inds=(), as_of=JULY) -> MonitorSnapshot:
    return MonitorSnapshot(
        as_of=as_of,
        budget=D(100),
        executed=D(executed) if executed else None,
        spending_plan=plan,
        indicators=list(inds),
        project_name="测试项目",
    )


@pytest.mark.parametrize(
    ("executed", "light"),
    [
        # expected 56.30% at 31 July; ratio = (executed / 100) / 0.5630
        ("30", RED),  # 0.30 / 0.5630 = 53.3%
        ("40", YELLOW),  # 71.0%
        ("45", YELLOW),  # 79.9%
        ("46", GREEN),  # 81.7%
        ("80", GREEN),  # 142%: spending ahead of plan is not blue
    ],
)
def test_spending_light(executed, light):
    r = assess(_snap(executed))
    assert r.spending_light == light
    assert r.execution_rate == D(executed) / 100


def test_spending_light_without_plan_uses_time():
    # 7/12 = 58.33%; 35 / 58.33 = 60% → yellow (from 60% inclusive)
    assert assess(_snap("35", plan=None)).spending_light == YELLOW
    assert assess(_snap("34", plan=None)).spending_light == RED


def test_thresholds_are_settings():
    s = MonitorSettings(red_below=D("0.5"), green_from=D("0.7"))
    assert assess(_snap("30"), s).spending_light == YELLOW  # 53.3%
    assert assess(_snap("40"), s).spending_light == GREEN  # 71.0%


# ------------------------------------------------------------ indicator lights


SEVEN_TWELFTHS = D(7) / 12


def light(
    target: str,
    actual: str | None = None,
    *,
    expected=SEVEN_TWELFTHS,
    level1="产出指标",
    level2="数量指标",
    status=None,
    as_of=JULY,
    settings=None,
):
    ind = IndicatorProgress(level1, level2, "指标", target, actual, status)
    return indicator_light(ind, expected, as_of, year=2024, settings=settings).light


@pytest.mark.parametrize(
    ("actual", "expected_light"),
    [
        # ≥6000 批次 at 7/12: due 3500; 2000/3500 = 57% red, 2500 = 71% yellow, 3000 = 86% green,
        # 4200 = 120% blue
        ("2000批次", RED),
        ("2500批次", YELLOW),
        ("3000批次", GREEN),
        ("4200批次", BLUE),
        ("4199批次", GREEN),
    ],
)
def test_higher_is_better_against_expected_progress(actual, expected_light):
    assert light("≥6000批次", actual) == expected_light


def test_rates_are_not_scaled_by_progress():
    # 合格率 ≥95% with 96% so far: 96/95 = 101% → green, not 96/(95 × 7/12) = 173% blue
    assert light("≥95%", "96%", level2="质量指标") == GREEN
    assert light("≥95%", "70%", level2="质量指标") == YELLOW  # 73.7%
    assert light("≥95%", "96%", level2="质量指标", settings=MonitorSettings(scale_rates=True)) == BLUE


def test_lower_is_better_red_once_past_target():
    assert light("≤5300元/批次", "5400元/批次", level2="成本指标") == RED
    assert light("≤5300元/批次", "5300元/批次", level2="成本指标") == GREEN
    assert light("≤3万元", "28000元", level2="成本指标") == GREEN
    assert light("=0起", "1起", level1="效益指标", level2="社会效益指标") == RED
    # a strict "＜1个": one already passes it
    assert light("＜1个", "1个", level1="效益指标", level2="社会效益指标") == RED
    assert light("＜1个", "0个", level1="效益指标", level2="社会效益指标") == GREEN


def test_qualitative_status():
    for status, lt in (("达成", GREEN), ("部分达成", YELLOW), ("未达成", RED)):
        assert light("提升", status=status, level1="效益指标", level2="社会效益指标") == lt
    assert light("提升", level1="效益指标", level2="社会效益指标") is None  # not yet chosen


def test_deadlines():
    assert light("2024年6月30日前", level2="时效指标") == RED  # passed, not done
    assert light("2024年6月30日前", "2024年6月20日", level2="时效指标") == GREEN
    assert light("2024年6月30日前", "2024年7月10日", level2="时效指标") == RED
    assert light("2024年12月31日前", level2="时效指标") == GREEN  # not yet due


def test_percent_against_count_is_an_error():
    with pytest.raises(MonitorError, match="百分比"):
        light("≥95%", "3家", level2="质量指标")


def test_missing_actual_has_no_light():
    assert light("≥6000批次", None) is None


# ------------------------------------------------------------ project light and completeness


def test_project_light_is_the_worst():
    assert worst([GREEN, YELLOW, None]) == YELLOW
    assert worst([GREEN, RED, YELLOW]) == RED
    assert worst([BLUE, GREEN]) == GREEN
    assert worst([None]) is None
    # spending 46% / 56.30% = 81.7% green; 4500 / (6000 × 56.30%) = 133% blue; cost 5400 > 5300 red
    snap = _snap(
        "46",
        inds=[
            IndicatorProgress("产出指标", "数量指标", "批次", "≥6000批次", "4500批次"),
            IndicatorProgress("产出指标", "成本指标", "成本", "≤5300元/批次", "5400元/批次"),
        ],
    )
    r = assess(snap)
    assert r.spending_light == GREEN and [i.light for i in r.indicators] == [BLUE, RED] and r.light == RED


def test_red_and_yellow_need_reason_likelihood_and_measures():
    ind = IndicatorProgress("产出指标", "成本指标", "成本", "≤5300元/批次", "5400元/批次")
    snap = _snap("30", inds=[ind])  # spending red, indicator red
    problems = validate_snapshot(snap)
    fields = sorted((p.where, p.field) for p in problems)
    assert fields == sorted(
        [
            (w, f)
            for w in ("项目「测试项目」资金执行", "项目「测试项目」指标「成本」")
            for f in ("reason_category", "reason_text", "likelihood", "measures")
        ]
    )
    assert all("红灯" in p.message for p in problems)
    snap.deviation = Deviation("经费保障", "资金下达较晚", "有可能", "加快支付进度")
    ind.deviation = Deviation("其他", "原材料涨价", "确定能", "压缩其他支出")
    assert validate_snapshot(snap) == []


def test_invalid_choices_are_problems():
    snap = _snap("30")
    snap.deviation = Deviation("天气原因", "下雨", "大概能", "加快")
    msgs = [p.message for p in validate_snapshot(snap)]
    assert any("天气原因" in m for m in msgs) and any("大概能" in m for m in msgs)


def test_missing_data_are_problems_and_green_needs_no_reason():
    snap = _snap(
        None,
        inds=[
            IndicatorProgress("产出指标", "数量指标", "批次", "≥6000批次", None),
            IndicatorProgress("效益指标", "社会效益指标", "水平", "提升"),
        ],
    )
    fields = [p.field for p in validate_snapshot(snap)]
    assert fields == ["executed", "actual", "status"]
    ok = _snap("60", inds=[IndicatorProgress("产出指标", "数量指标", "批次", "≥6000批次", "3600批次")])
    assert validate_snapshot(ok) == []


def test_snapshot_for_a_project():
    p = food_safety()
    s = snapshot_for(p, JULY)
    assert s.budget == D("120.00") and s.spending_plan == p.spending_plan and len(s.indicators) == 15
    assert s.indicators[0].target == "≥1800批次"
    r = assess(s)
    assert r.spending_light is None and r.expected_source == "plan"


# ------------------------------------------------------------ accumulating counts, stocks, zero targets


def _named(name: str, target: str, actual: str, *, level2: str = "数量指标", accumulates=None) -> str | None:
    ind = IndicatorProgress("产出指标", level2, name, target, actual, accumulates=accumulates)
    return indicator_light(ind, D(8) / 12, date(2024, 8, 31), year=2024).light


def test_a_headcount_is_a_stock_compared_with_the_target_itself():
    # 「7人」 paid in August: 7 of 7 is on target (green), not 7 ÷ (7 × 8/12) = 150% (blue)
    assert _named("协管员人数", "7人", "7人") == GREEN
    assert _named("协管员人数", "7人", "5人") == YELLOW  # 71%
    assert _named("派出机构数量", "10个", "10个") == GREEN


def test_accumulating_counts_are_scaled_by_expected_progress():
    # 600 of ≥900 批次 by end of August: due 600 → 100% green; 900 → 150% blue
    assert _named("抽检批次", "≥900批次", "600批次") == GREEN
    assert _named("抽检批次", "≥900批次", "900批次") == BLUE
    # people counted as trained accumulate by the name
    assert _named("培训人数", "≥300人", "200人") == GREEN
    # a frequency is not cumulative: 1次/月 done at 1次/月
    assert _named("巡查频次", "1次/月", "1次/月") == GREEN


def test_a_per_indicator_choice_overrides():
    assert _named("协管员人数", "7人", "7人", accumulates=True) == BLUE
    assert _named("抽检批次", "≥900批次", "600批次", accumulates=False) == YELLOW  # 66.7%


def test_a_zero_count_without_comparator_is_red_once_one_happens():
    # 「0起」: 2 major accidents must not show light green
    assert _named("重大安全事故", "0起", "2起", level2="社会效益指标") == RED
    assert _named("重大安全事故", "0起", "0起", level2="社会效益指标") == GREEN
