"""Self-evaluation scoring (绩效自评): worked examples computed by hand in the comments."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jixiao.cli.main import main
from jixiao.cycle.evaluate import (
    BAND_MET,
    BAND_NOT_MET,
    BAND_PARTLY,
    EvaluationError,
    IndicatorActual,
    ScoringSettings,
    evaluation_from_dict,
    grade_of,
    render_text,
    result_to_dict,
    score_evaluation,
    score_indicator,
)

D = Decimal
TEN = D(10)


def score(
    target: str,
    actual: str | None,
    *,
    level1: str = "产出指标",
    level2: str = "数量指标",
    points: Decimal = TEN,
    band: str | None = None,
    given: Decimal | None = None,
    settings: ScoringSettings | None = None,
    name: str = "测试指标",
):
    ind = IndicatorActual(level1, level2, name, target, actual, band=band, score=given)
    return score_indicator(ind, points, settings or ScoringSettings(), year=2024)


# ------------------------------------------------------------ higher is better


def test_percent_target_met_scores_full():
    # "≥95%" against "97%": 97 ≥ 95 → full 10
    s = score("≥95%", "97%", level2="质量指标")
    assert s.score == TEN and not s.needs_explanation


def test_percent_written_as_百分比_and_full_width():
    assert score("≥95百分比", "96％", level2="质量指标").score == TEN


def test_count_below_target_scores_in_proportion():
    # 4500 of ≥6000 批次: 4500 / 6000 × 10 = 7.5, and a deviation to explain
    s = score("≥6000批次", "4500批次")
    assert s.score == D("7.5")
    assert s.needs_explanation


def test_no_comparator_on_a_count_is_higher_is_better():
    # "17辆" with 16 done: 16 / 17 × 10 = 9.4117… → 9.41 as printed
    s = score("17辆", "16辆")
    assert s.direction == "higher"
    assert s.score == D("9.41")


def test_actual_zero_scores_zero():
    # 0 of ≥6000 → 0 / 6000 × 10 = 0
    s = score("≥6000批次", "0批次")
    assert s.score == 0 and s.needs_explanation


def test_130_percent_or_more_scores_full_but_needs_explanation():
    # 130 of ≥100 次 = 130% → full, explanation (target may be too low); 129 → full, none
    s = score("≥100次", "130次")
    assert s.score == TEN and s.needs_explanation
    assert "130" in s.explanations[0]
    s = score("≥100次", "129次")
    assert s.score == TEN and not s.needs_explanation


def test_range_target_is_met_from_its_low_end():
    # "1-2批次": 1 done meets the low end → full; 0 done → 0
    assert score("1-2批次", "1批次").score == TEN
    assert score("1-2批次", "0批次").score == 0


# ------------------------------------------------------------ lower is better


def test_cost_over_target_falls_linearly_to_zero_at_twice_the_target():
    # ≤5300 元/批次 against 5600: (2×5300 − 5600) / 5300 × 10 = 5000/5300 × 10 = 9.4339… → 9.43
    s = score("≤5300元/批次", "5600元/批次", level2="成本指标")
    assert s.direction == "lower"
    assert s.score == D("9.43")
    # at or under the target: full
    assert score("≤5300元/批次", "5300元/批次", level2="成本指标").score == TEN
    # at twice the target and beyond: zero
    assert score("≤5300元/批次", "10600元/批次", level2="成本指标").score == 0
    assert score("≤5300元/批次", "12000元/批次", level2="成本指标").score == 0


def test_cost_ratio_setting():
    # setting "ratio": 5300 / 5600 × 10 = 9.4642… → 9.46
    ratio = ScoringSettings(lower_method="ratio")
    s = score("≤5300元/批次", "5600元/批次", level2="成本指标", settings=ratio)
    assert s.score == D("9.46")


def test_cost_without_comparator_is_lower_is_better():
    # a cost indicator "6.80万元" (no ≤) spent 7.48万元: (13.6 − 7.48) / 6.8 × 10 = 9
    s = score("6.80万元", "7.48万元", level2="成本指标")
    assert s.direction == "lower" and s.score == D(9)


def test_money_units_compared_through_base_values():
    # ≤3万元 against 28000元: 28000 ≤ 30000 → full
    assert score("≤3万元", "28000元", level2="成本指标").score == TEN
    # ≤3万元 against 4.5万元 = 45000元: (60000 − 45000) / 30000 × 10 = 5
    assert score("≤3万元", "4.5万元", level2="成本指标").score == D(5)
    # a bare number is read in the target's unit: 4.5 → 4.5万元 → 5
    assert score("≤3万元", "4.5", level2="成本指标").score == D(5)


def test_2021_cost_level1_is_lower_is_better():
    s = score("≤120万元", "130万元", level1="成本指标", level2="经济成本指标")
    # (240 − 130) / 120 × 10 = 9.1666…
    assert s.direction == "lower"
    assert s.score.quantize(D("0.01")) == D("9.17")


def test_duration_at_most():
    # ≤3个月 done in 4: (6 − 4) / 3 × 10 = 6.666…
    assert score("≤3个月", "4个月", level2="时效指标").score.quantize(D("0.01")) == D("6.67")


# ------------------------------------------------------------ equal, target 0


def test_target_zero_equal():
    # =0起: 0 起 → full; 1 起 → 0
    assert score("=0起", "0起", level1="效益指标", level2="社会效益指标").score == TEN
    assert score("=0起", "1起", level1="效益指标", level2="社会效益指标").score == 0
    assert score("=0", "0", level1="效益指标", level2="社会效益指标").score == TEN


def test_equal_nonzero_is_higher_is_better():
    # =100% against 90%: 90/100 × 10 = 9
    assert score("=100%", "90%", level2="质量指标").score == D(9)


def test_at_most_zero():
    assert score("≤0起", "0起", level1="效益指标", level2="社会效益指标").score == TEN
    assert score("≤0起", "2起", level1="效益指标", level2="社会效益指标").score == 0


# ------------------------------------------------------------ errors


def test_percent_against_count_names_the_indicator():
    with pytest.raises(EvaluationError) as e:
        score("≥95%", "5个", level2="质量指标", name="抽检合格率")
    assert "抽检合格率" in str(e.value) and "百分比" in str(e.value)
    assert e.value.field == "actual"
    with pytest.raises(EvaluationError) as e:
        score("≥1200人次", "98%", name="督导检查人次")
    assert "督导检查人次" in str(e.value) and "百分比" in str(e.value)


def test_missing_actual_is_an_error():
    with pytest.raises(EvaluationError) as e:
        score("≥6000批次", None, name="食品抽检批次")
    assert "食品抽检批次" in str(e.value) and "实际完成值为空" in str(e.value)


def test_text_actual_against_number_is_an_error():
    with pytest.raises(EvaluationError, match="不是数值"):
        score("≥6000批次", "基本完成")


def test_per_period_target_against_the_year_total():
    # "每季度1次" over the year is 4 次: 3 done → 3/4 × 10 = 7.5; "≥2次/年" with 2次 → full
    assert score("每季度1次", "3次").score == D("7.5")
    assert score("≥2次/年", "2次").score == TEN
    assert score("≥2次/年", "2次/年").score == TEN


def test_different_count_units_are_an_error():
    with pytest.raises(EvaluationError, match="单位"):
        score("≥10家", "12次")


# ------------------------------------------------------------ dates and yes/no


def test_date_on_time_full_late_by_setting():
    assert score("2024年12月31日前", "2024年11月30日", level2="时效指标").score == TEN
    assert score("2024年12月31日前", "按时完成", level2="时效指标").score == TEN
    late = score("2024年12月31日前", "2025年1月15日", level2="时效指标")
    assert late.score == 0 and late.needs_explanation
    half = ScoringSettings(late_share=D("0.5"))
    assert score("2024年12月31日前", "2025年1月15日", level2="时效指标", settings=half).score == 5


def test_boolean_target():
    assert score("是", "是", level2="质量指标").score == TEN
    assert score("是", "否", level2="质量指标").score == 0


# ------------------------------------------------------------ qualitative bands


def test_qualitative_band_without_score_proposes_the_band_midpoint():
    # 部分达成 of 30 points: band 60–80%, midpoint 70% × 30 = 21 (inside its own band), marked proposed
    s = score("提升", "有所提升", level1="效益指标", level2="社会效益指标", points=D(30), band="部分达成")
    assert s.score == 21 and s.proposed and s.band == BAND_PARTLY
    s = score("提升", None, level1="效益指标", level2="社会效益指标", points=D(30), band=BAND_MET)
    assert s.score == 27 and s.proposed
    s = score("提升", None, level1="效益指标", level2="社会效益指标", points=D(30), band=BAND_NOT_MET)
    assert s.score == 9 and s.proposed


def test_qualitative_score_inside_band_is_kept():
    s = score(
        "提升",
        "提升明显",
        level1="效益指标",
        level2="社会效益指标",
        points=D(30),
        band=BAND_PARTLY,
        given=D(20),
    )
    assert s.score == 20 and not s.proposed
    # 达成 includes 100%; 未达成 includes 0
    assert (
        score(
            "提升", "x", level1="效益指标", level2="社会效益指标", points=D(30), band=BAND_MET, given=D(30)
        ).score
        == 30
    )
    assert (
        score(
            "提升", "x", level1="效益指标", level2="社会效益指标", points=D(30), band=BAND_NOT_MET, given=D(0)
        ).score
        == 0
    )


def test_qualitative_score_outside_band_is_rejected():
    # 部分达成 is [18, 24) of 30: 25 is outside; 24 belongs to 达成 (lower bounds inclusive)
    for bad in (D(25), D(24), D("17.99")):
        with pytest.raises(EvaluationError) as e:
            score(
                "提升",
                "x",
                level1="效益指标",
                level2="社会效益指标",
                points=D(30),
                band=BAND_PARTLY,
                given=bad,
                name="食品安全水平",
            )
        assert "食品安全水平" in str(e.value) and e.value.field == "score"
    assert (
        score(
            "提升", "x", level1="效益指标", level2="社会效益指标", points=D(30), band=BAND_PARTLY, given=D(18)
        ).score
        == 18
    )


def test_qualitative_without_band_is_an_error():
    with pytest.raises(EvaluationError, match="自评档次"):
        score("提升", "有所提升", level1="效益指标", level2="社会效益指标")


def test_qualitative_band_from_actual_text():
    s = score("及时", "达成", level2="时效指标")
    assert s.band == BAND_MET and s.score == 9 and s.proposed  # midpoint of 80–100%


def test_unfilled_yes_no_placeholder_is_qualitative():
    s = score("是/否", "是", level2="成本指标", band="达成")
    assert s.direction == "qualitative" and s.score == 9


# ------------------------------------------------------------ the whole table


EXAMPLE = {
    "budget": {"initial": 100, "adjusted": 120, "executed": 102},
    "project": "食品安全抽检",
    "year": 2024,
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": "食品抽检批次",
            "target": "≥6000批次",
            "actual": "6100批次",
        },
        {"level1": "产出指标", "level2": "质量指标", "name": "抽检合格率", "target": "≥95%", "actual": "97%"},
        {
            "level1": "产出指标",
            "level2": "时效指标",
            "name": "完成时间",
            "target": "2024年12月31日前",
            "actual": "2025年1月15日",
        },
        {
            "level1": "产出指标",
            "level2": "成本指标",
            "name": "每批次成本",
            "target": "≤5300元/批次",
            "actual": "5600元/批次",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "食品安全水平",
            "target": "提升",
            "actual": "有所提升",
            "band": "部分达成",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "重大事故",
            "target": "=0起",
            "actual": "0起",
        },
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "群众满意度",
            "target": "≥90%",
            "actual": "85%",
            "reason": "宣传不足，下年加强",
        },
    ],
}


def test_worked_example_total_and_grade():
    # 预算执行率 102/120 = 85% → 8.5 of 10, below 90% → explanation
    # 产出 50 / 4 = 12.5 each: 12.5 + 12.5 + 0 (late) + 12.5 × 5000/5300 (= 11.7925 → 11.79)
    # 效益 30 / 2 = 15 each: 部分达成 proposed at the band's midpoint 0.7 × 15 = 10.5, =0起 met 15
    # 满意度 10: 85/90 × 10 = 9.4444 → 9.44
    # total, the sum of the printed scores: 8.5 + 36.79 + 25.5 + 9.44 = 80.23, 良
    ev = evaluation_from_dict(EXAMPLE)
    r = score_evaluation(ev)
    assert r.execution_rate == D("0.85") and r.execution_score == D("8.5")
    assert r.execution_explanation and "90%" in r.execution_explanation
    assert [s.points for s in r.indicators] == [D("12.5")] * 4 + [D(15)] * 2 + [D(10)]
    assert r.total == D("80.23")
    assert r.grade == "良"
    assert r.indicators[4].proposed and r.indicators[4].score == D("10.5")
    out = result_to_dict(ev, r)
    assert out["total"] == 80.23 and out["grade"] == "良"
    assert out["execution_rate"] == 0.85 and out["execution_score"] == 8.5
    assert out["indicators"][4]["proposed"] is True and out["indicators"][4]["score"] == 10.5
    assert "proposed" not in out["indicators"][0]
    assert out["indicators"][6]["reason"] == "宣传不足，下年加强"
    assert "execution_reason" not in out
    ev = evaluation_from_dict({**EXAMPLE, "execution_reason": "设备采购延至次年"})
    assert result_to_dict(ev, score_evaluation(ev))["execution_reason"] == "设备采购延至次年"


def test_execution_rate_capped_and_explained_below_90():
    base = {"indicators": [{"level1": "产出指标", "name": "x", "target": "≥1次", "actual": "1次"}]}
    # 130 / 120 → rate 108.3%, points 10 (capped)
    r = score_evaluation(evaluation_from_dict({"budget": {"adjusted": 120, "executed": 130}, **base}))
    assert r.execution_score == TEN and r.execution_explanation is None
    # 107.99 / 120 = 89.99% → 8.999, needs explanation; 108/120 = 90% → 9, none
    r = score_evaluation(evaluation_from_dict({"budget": {"adjusted": 120, "executed": "107.988"}, **base}))
    assert r.execution_explanation is not None
    r = score_evaluation(evaluation_from_dict({"budget": {"adjusted": 120, "executed": 108}, **base}))
    assert r.execution_score == 9 and r.execution_explanation is None


def test_weights_of_110_are_scored_scaled_to_100_and_named():
    data = {**EXAMPLE, "weights": {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 20}}
    ev = evaluation_from_dict(data)
    r = score_evaluation(ev)
    assert r.full_marks == 110 and r.raw_total is not None
    # the printed scores summed (89.68 of 110), then scaled once and rounded half up: 81.527… → 81.53
    assert r.raw_total == D("89.68") and r.total == D("81.53")
    assert any("权重合计为 110" in d for d in r.deviations)
    assert any("折算" in d for d in r.deviations)
    # --strict and a bureau's settings refuse such a table instead
    with pytest.raises(EvaluationError, match="110"):
        score_evaluation(ev, ScoringSettings(strict=True))


def test_weights_of_90_are_scored_scaled_to_100():
    w = {"预算执行率": 10, "产出指标": 40, "效益指标": 30, "满意度指标": 10}
    inds = [
        {"level1": "产出指标", "name": "批次", "target": "≥10批次", "actual": "10批次"},
        {"level1": "效益指标", "name": "效益", "target": "≥1项", "actual": "1项"},
        {"level1": "满意度指标", "name": "满意度", "target": "≥90%", "actual": "95%"},
    ]
    r = score_evaluation(
        evaluation_from_dict({"budget": {"adjusted": 1, "executed": 1}, "indicators": inds, "weights": w})
    )
    assert r.raw_total == 90 and r.total == 100 and r.grade == "优"
    assert any("90" in d for d in r.deviations)


def test_cost_counts_under_output_unless_weighted():
    inds = [
        {"level1": "产出指标", "level2": "数量指标", "name": "批次", "target": "≥10批次", "actual": "10批次"},
        {
            "level1": "成本指标",
            "level2": "经济成本指标",
            "name": "成本",
            "target": "≤10万元",
            "actual": "10万元",
        },
        {"level1": "效益指标", "level2": "社会效益指标", "name": "效益", "target": "≥1项", "actual": "1项"},
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "满意度",
            "target": "≥90%",
            "actual": "95%",
        },
    ]
    budget = {"adjusted": 10, "executed": 10}
    # default: 成本 shares 产出's 50 → 25 + 25
    r = score_evaluation(evaluation_from_dict({"budget": budget, "indicators": inds}))
    assert [s.points for s in r.indicators] == [D(25), D(25), D(30), D(10)]
    assert r.indicators[1].category == "产出指标" and r.total == 100
    # weights giving 成本 its own 10: 产出 40, 成本 10
    w = {"预算执行率": 10, "产出指标": 40, "成本指标": 10, "效益指标": 30, "满意度指标": 10}
    r = score_evaluation(evaluation_from_dict({"budget": budget, "indicators": inds, "weights": w}))
    assert [s.points for s in r.indicators] == [D(40), D(10), D(30), D(10)]
    assert r.indicators[1].category == "成本指标"


def test_indicator_weights_given_in_the_table():
    inds = [
        {"level1": "产出指标", "name": "a", "target": "≥10批次", "actual": "5批次", "weight": 60},
        {"level1": "效益指标", "name": "b", "target": "≥1项", "actual": "1项", "weight": 20},
        {"level1": "满意度指标", "name": "c", "target": "≥90%", "actual": "90%", "weight": 10},
    ]
    r = score_evaluation(evaluation_from_dict({"budget": {"adjusted": 1, "executed": 1}, "indicators": inds}))
    # 10 + 60 × 5/10 + 20 + 10 = 70
    assert r.total == 70 and r.grade == "中" and not r.deviations
    inds[0]["weight"] = 50  # the table's 分值 now total 90: scored as printed, 65 of 90 → 72.22 of 100
    ev = evaluation_from_dict({"budget": {"adjusted": 1, "executed": 1}, "indicators": inds})
    r = score_evaluation(ev)
    assert r.raw_total == 65 and r.full_marks == 90 and r.total == D("72.22")
    assert any("各指标分值合计 80 加预算执行率 10 为 90" in d for d in r.deviations)
    with pytest.raises(EvaluationError, match="100"):
        score_evaluation(ev, ScoringSettings(strict=True))


def test_some_indicator_weights_given_rest_shared():
    inds = [
        {"level1": "产出指标", "name": "a", "target": "≥10批次", "actual": "10批次", "weight": 20},
        {"level1": "产出指标", "name": "b", "target": "≥10批次", "actual": "10批次"},
        {"level1": "产出指标", "name": "c", "target": "≥10批次", "actual": "10批次"},
    ]
    r = score_evaluation(evaluation_from_dict({"budget": {"adjusted": 1, "executed": 1}, "indicators": inds}))
    # 产出 50: a 20, b and c share 30 → 15 each
    assert [s.points for s in r.indicators] == [D(20), D(15), D(15)]
    # 效益 and 满意度 have no indicator: warned, their 40 points unallocated → 10 + 50 = 60
    assert r.total == 60 and len(r.warnings) == 2


def test_unknown_level1_is_an_error():
    inds = [{"level1": "其他指标", "name": "怪指标", "target": "≥1项", "actual": "1项"}]
    with pytest.raises(EvaluationError, match="怪指标"):
        score_evaluation(evaluation_from_dict({"budget": {"adjusted": 1, "executed": 1}, "indicators": inds}))


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grades(total, grade):
    assert grade_of(D(total)) == grade


def test_text_table():
    ev = evaluation_from_dict(EXAMPLE)
    text = render_text(ev, score_evaluation(ev))
    for word in (
        "项目支出绩效自评表",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "执行率",
        "年度指标值",
        "实际完成值",
        "偏差原因分析及改进措施",
        "80.23",
        "良",
        "85%",
        "10.5*",
    ):
        assert word in text


# ------------------------------------------------------------ CLI


def _run(tmp_path, capsys, data, *extra):
    f = tmp_path / "in.json"
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    f.write_text(text, encoding="utf-8")
    rc = main(["score", str(f), *extra])
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_score_json(tmp_path, capsys):
    rc, out, err = _run(tmp_path, capsys, EXAMPLE, "--format", "json")
    assert rc == 0, err
    res = json.loads(out)
    assert res["total"] == 80.23 and res["grade"] == "良"
    assert res["execution_rate"] == 0.85 and res["execution_score"] == 8.5
    assert [i["score"] for i in res["indicators"]] == [12.5, 12.5, 0, 11.79, 10.5, 15, 9.44]
    assert res["indicators"][4]["proposed"] is True


def test_cli_score_text(tmp_path, capsys):
    rc, out, _ = _run(tmp_path, capsys, EXAMPLE)
    assert rc == 0 and "项目支出绩效自评表" in out and "自评等级：良" in out


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d["indicators"][4].update(score=25), "食品安全水平"),  # 25 outside 部分达成 [9, 12) of 15
        (lambda d: d["budget"].pop("adjusted"), "budget.adjusted"),
        (lambda d: d["budget"].update(executed="一百"), "budget.executed"),
        (lambda d: d["indicators"][0].pop("actual"), "食品抽检批次"),
        (lambda d: d["indicators"][1].update(actual="5个"), "抽检合格率"),
        (lambda d: d["indicators"][2].pop("target"), "完成时间"),
        (lambda d: d["indicators"][0].update(weight="abc"), "食品抽检批次"),
    ],
)
def test_cli_score_invalid_input_exits_2_with_one_line(tmp_path, capsys, change, needle):
    data = json.loads(json.dumps(EXAMPLE))
    change(data)
    rc, out, err = _run(tmp_path, capsys, data)
    assert rc == 2
    assert out == ""
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_score_bad_json(tmp_path, capsys):
    rc, _, err = _run(tmp_path, capsys, '{"budget": ')
    assert rc == 2 and "不是有效的 JSON" in err and "第 1 行" in err


@pytest.mark.parametrize("name", ["自评表.txt", "自评表.docx", "自评表.pdf", "自评表.html"])
def test_cli_score_of_a_published_page_says_what_it_reads(tmp_path, capsys, name):
    """A unit's 自评表 as a text, Word, PDF or web page is not a JSON file with a syntax error: the
    command says what it reads and how to get there (it said 「第 1 行: 不是有效的 JSON」, or 「不是
    .xlsx 文档」 for a Word file)."""
    f = tmp_path / name
    f.write_bytes(b"PK\x03\x04" if name.endswith(".docx") else "项目支出绩效自评表\n".encode())
    rc = main(["score", str(f)])
    _, err = capsys.readouterr()
    assert rc == 2 and "不是有效的 JSON" not in err and "不是 .xlsx 文档" not in err
    assert "FILE.json" in err and "jixiao template selfeval" in err and name in err, err
    rc = main(["export", "selfeval", str(f), "-o", str(tmp_path / "x.xlsx")])
    _, err = capsys.readouterr()
    assert rc == 2 and "jixiao template selfeval" in err, err


# ------------------------------------------------------------ zero targets, published weights


def test_a_zero_count_without_comparator_means_none_and_is_lower_is_better():
    # 「0起」: two major accidents must not score full
    s = score("0起", "2起", level1="效益指标", level2="社会效益指标")
    assert s.direction == "equal_zero" and s.score == 0 and s.needs_explanation
    assert score("0起", "0起", level1="效益指标", level2="社会效益指标").score == TEN
    assert score("0件", "0", level1="效益指标", level2="社会效益指标").score == TEN
    assert score("0次", "1次", level2="质量指标").score == 0
    # a zero written with ≥ stays higher-is-better: anything meets it
    assert score("≥0次", "1次", level2="质量指标").direction == "higher"


def test_cli_score_table_of_110_named_and_strict_refuses(tmp_path, capsys):
    data = json.loads(json.dumps(EXAMPLE))
    data["weights"] = {"预算执行率": 10, "产出指标": 60, "效益指标": 30, "满意度指标": 10}
    rc, out, err = _run(tmp_path, capsys, data, "--format", "json")
    assert rc == 0, err
    res = json.loads(out)
    assert res["full_marks"] == 110 and any("110" in d for d in res["deviations"])
    rc, out, err = _run(tmp_path, capsys, data, "--strict")
    assert rc == 2 and out == "" and "110" in err and len(err.strip().splitlines()) == 1
    rc, out, _ = _run(tmp_path, capsys, data)
    assert rc == 0 and "偏离评分方法" in out and "折算为百分制" in out


# ------------------------------------------------------------ published 自评表 checked


def _published(**over):
    from jixiao.cycle.evaluate import PublishedIndicator, PublishedSelfEvaluation

    rows = [
        PublishedIndicator("产出指标", "数量指标", "特困人员供养人数", ">=4754人", "4604人", D(20), D(20)),
        PublishedIndicator("产出指标", "成本指标", "临时救助标准", "<=5300元/户", "5830元/户", D(20), D(20)),
        PublishedIndicator("产出指标", "质量指标", "资金发放准确率", "100%", "100%", D(10), D(10)),
        PublishedIndicator("效益指标", "社会效益指标", "受益贫困人口数", ">=80人", "87人", D(30), D(30)),
        PublishedIndicator("满意度指标", "服务对象满意度指标", "救助对象满意度", "≥90%", "95%", D(10), D(10)),
    ]
    base = dict(
        indicators=rows,
        budget_adjusted=D(30),
        budget_executed=D(30),
        execution_weight=D(10),
        execution_score=D(10),
        total_weight=D(100),
        total_score=D(100),
        grade="优",
    )
    base.update(over)
    return PublishedSelfEvaluation(**base)


def test_a_published_table_with_full_marks_for_a_missed_target_and_a_breached_cap():
    from jixiao.cycle.evaluate import CAP_BREACHED_FULL, MISSED_FULL, check_published

    c = check_published(_published())
    kinds = {d.where: d.kind for d in c.discrepancies}
    assert kinds == {"指标「特困人员供养人数」": MISSED_FULL, "指标「临时救助标准」": CAP_BREACHED_FULL}
    missed = c.discrepancies[0]
    assert missed.printed == "20" and missed.recomputed == "19.37" and "完成 96.8%" in missed.why
    # 5830 against ≤5300: 10% over → linear fall, 90% of 20 = 18
    assert c.discrepancies[1].recomputed == "18" and "超过了上限" in c.discrepancies[1].why
    assert c.recomputed_total.quantize(D("0.01")) == D("97.37") and c.recomputed_grade == "优"
    assert c.printed_grade == "优" and c.printed_total == 100


def test_weights_and_totals_that_do_not_add_up_and_a_wrong_grade():
    from jixiao.cycle.evaluate import GRADE, TOTAL_SUM, WEIGHTS_SUM, check_published

    t = _published(total_score=D(95), total_weight=D(90), grade="良")
    t.indicators[3].weight = D(20)  # the table's 分值 now total 90
    t.indicators[3].score = D(20)
    t.indicators[0].actual = "4754人"
    t.indicators[1].actual = "5000元/户"
    c = check_published(t)
    got = {d.kind: d for d in c.discrepancies}
    assert set(got) == {WEIGHTS_SUM, TOTAL_SUM, GRADE}
    assert got[WEIGHTS_SUM].printed == "90" and "折算" in got[WEIGHTS_SUM].why
    assert got[TOTAL_SUM].printed == "95" and got[TOTAL_SUM].recomputed == "90"
    # every target met: 90 of 90 → 100 of 100, 优 where the table says 良
    assert c.recomputed_total == 100 and got[GRADE].printed == "良" and got[GRADE].recomputed == "优"


def test_execution_score_and_limits_printed_without_comparator():
    from jixiao.cycle.evaluate import EXECUTION_SCORE, PublishedIndicator, check_published

    t = _published(budget_executed=D("25.86"), execution_score=D(9))
    # 预算调整率 3% with 0 adjusted: a limit, lower is better — full marks are right
    t.indicators.append(PublishedIndicator("产出指标", "质量指标", "预算调整率", "3%", "0", D(0), D(0)))
    c = check_published(t)
    [ex] = [d for d in c.discrepancies if d.kind == EXECUTION_SCORE]
    assert ex.printed == "9" and ex.recomputed == "8.62"
    assert not any("预算调整率" in d.where for d in c.discrepancies)


def test_the_check_keeps_the_execution_rate_its_points_and_the_weight_sum():
    """What a page shows beside the printed figures even when they agree with the method."""
    from jixiao.cycle.evaluate import check_published

    c = check_published(_published(budget_executed=D("25.86"), execution_score=D("8.62")))
    assert c.execution_rate == D("0.862") and c.execution_score == D("8.62") and c.weight_sum == 100
    c = check_published(_published(budget_adjusted=None, execution_score=D(7)))
    assert c.execution_rate is None and c.execution_score == 7  # no budget: the printed score kept


def test_cli_score_check_reads_a_published_table(tmp_path, capsys):
    data = {
        "project_name": "临时救助",
        "budget": {
            "rows": {
                "年度资金总额:": {"全年预算数(A)": "30", "全年执行数(B)": "30", "分值": "10", "得分": "10"}
            }
        },
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "供养人数",
                "target": ">=4754人",
                "actual": "4604人",
                "weight": "50",
                "score": "50",
            },
            {
                "level1": "效益指标",
                "level2": "社会效益指标",
                "name": "受益人数",
                "target": ">=80人",
                "actual": "87人",
                "weight": "30",
                "score": "30",
            },
            {
                "level1": "满意度指标",
                "level2": "服务对象满意度指标",
                "name": "满意度",
                "target": "≥90%",
                "actual": "95%",
                "weight": "10",
                "score": "10",
            },
        ],
        "total_score": "100",
    }
    rc, out, err = _run(tmp_path, capsys, data, "--check")
    assert rc == 0, err
    assert "总分：表中 100，按方法 98.42" in out and "没有达到年度指标值，却给了满分" in out
    rc, out, _ = _run(tmp_path, capsys, data, "--check", "--format", "json")
    res = json.loads(out)
    assert res["recomputed_grade"] == "优" and res["discrepancies"][0]["kind"] == "missed-target-full"
