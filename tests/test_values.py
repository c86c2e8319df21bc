"""指标值 parser: every value form of the five sample disclosures, the grammar of PRODUCT.md, and
properties that must hold for any input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.model import TargetValue
from jixiao.values import (
    is_duration,
    is_money,
    normalize_value_text,
    parse_value,
    unit_category,
    value_category,
    wan_yuan,
)

TRUTH = Path(__file__).resolve().parents[2] / "shared" / "truth"
D = Decimal


def truth_values() -> list[str]:
    assert TRUTH.is_dir(), f"the sample extractions are expected in {TRUTH}"
    values: set[str] = set()
    for path in sorted(TRUTH.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for project in doc["projects"]:
            for indicator in project["indicators"]:
                if indicator["value"] is not None:
                    values.add(indicator["value"])
    return sorted(values)


def form(text: str) -> str:
    """The shape of a value: whitespace dropped, every number replaced by 9."""
    return re.sub(r"\d+(?:\.\d+)?", "9", re.sub(r"\s", "", text))


# (text, kind, op, value, unit, base_value, base_unit, high, approx) — parsed with year=2024
N = None
CASES: list[tuple[str, str, str | None, object, str | None, object, str | None, object, bool]] = [
    # counts, with and without spaces
    ("0 件", "number", N, D(0), "件", D(0), "件", N, False),
    ("0 次", "number", N, D(0), "次", D(0), "次", N, False),
    ("1 份", "number", N, D(1), "份", D(1), "份", N, False),
    ("1个", "number", N, D(1), "个", D(1), "个", N, False),
    ("96人", "number", N, D(96), "人", D(96), "人", N, False),
    ("110户", "number", N, D(110), "户", D(110), "户", N, False),
    ("1000批次", "number", N, D(1000), "批次", D(1000), "批次", N, False),
    ("1组", "number", N, D(1), "组", D(1), "组", N, False),
    ("10辆", "number", N, D(10), "辆", D(10), "辆", N, False),
    ("93部", "number", N, D(93), "部", D(93), "部", N, False),
    ("15处（场所）", "number", N, D(15), "处", D(15), "处", N, False),
    ("35套（含标识）", "number", N, D(35), "套", D(35), "套", N, False),
    ("=0 次", "number", "=", D(0), "次", D(0), "次", N, False),
    ("＜1个", "number", "<", D(1), "个", D(1), "个", N, False),
    ("≥1 个", "number", ">=", D(1), "个", D(1), "个", N, False),
    ("≥1200 人次", "number", ">=", D(1200), "人次", D(1200), "人次", N, False),
    ("≥10000件", "number", ">=", D(10000), "件", D(10000), "件", N, False),
    ("≥12000份", "number", ">=", D(12000), "份", D(12000), "份", N, False),
    ("≥20 台件", "number", ">=", D(20), "台件", D(20), "台件", N, False),
    ("≥7 家", "number", ">=", D(7), "家", D(7), "家", N, False),
    ("≥100 户", "number", ">=", D(100), "户", D(100), "户", N, False),
    ("≥650 批次", "number", ">=", D(650), "批次", D(650), "批次", N, False),
    ("≥1 次", "number", ">=", D(1), "次", D(1), "次", N, False),
    ("≥5 辆", "number", ">=", D(5), "辆", D(5), "辆", N, False),
    ("≥5000部", "number", ">=", D(5000), "部", D(5000), "部", N, False),
    ("≥50 项", "number", ">=", D(50), "项", D(50), "项", N, False),
    ("≥430频次", "number", ">=", D(430), "频次", D(430), "频次", N, False),
    ("≤237 人", "number", "<=", D(237), "人", D(237), "人", N, False),
    ("≤10 台", "number", "<=", D(10), "台", D(10), "台", N, False),
    ("≤2 次", "number", "<=", D(2), "次", D(2), "次", N, False),
    ("≤5292.22 平方米", "number", "<=", D("5292.22"), "平方米", D("5292.22"), "平方米", N, False),
    ("≤46 微克/立方米", "number", "<=", D(46), "微克/立方米", D(46), "微克/立方米", N, False),
    # a sentence after the quantity is a note, not part of the unit
    (
        "≥2000个。（电动车电池更新30个，光盘（4.7gb）1000张CD光盘（700mb）1000张，置物架5组，"
        "案件档案室密集架200组，彩色打印机1台，快速扫描仪1台等。）",
        "number",
        ">=",
        D(2000),
        "个",
        D(2000),
        "个",
        N,
        False,
    ),
    # scale 万 folded into base; 万 in a denominator is not a scale
    ("≥10.59万台件", "number", ">=", D("10.59"), "万台件", D(105900), "台件", N, False),
    ("≥10.32万台/件", "number", ">=", D("10.32"), "万台/件", D(103200), "台/件", N, False),
    ("≥1 万份", "number", ">=", D(1), "万份", D(10000), "份", N, False),
    ("≥5.5件/万人", "number", ">=", D("5.5"), "件/万人", D("5.5"), "件/万人", N, False),
    # money
    ("50 万元", "number", N, D(50), "万元", D(500000), "元", N, False),
    ("20 万元", "number", N, D(20), "万元", D(200000), "元", N, False),
    ("10.36万元", "number", N, D("10.36"), "万元", D(103600), "元", N, False),
    ("≤0.13万元", "number", "<=", D("0.13"), "万元", D(1300), "元", N, False),
    ("≤168.5万元", "number", "<=", D("168.5"), "万元", D(1685000), "元", N, False),
    ("≤136 万元", "number", "<=", D(136), "万元", D(1360000), "元", N, False),
    ("≤4030元/人", "number", "<=", D(4030), "元/人", D(4030), "元/人", N, False),
    ("≤800 元/家", "number", "<=", D(800), "元/家", D(800), "元/家", N, False),
    ("≤5300元/批次", "number", "<=", D(5300), "元/批次", D(5300), "元/批次", N, False),
    # durations are numbers with a time unit, not dates
    ("≤90 天", "number", "<=", D(90), "天", D(90), "天", N, False),
    ("≤4 小时", "number", "<=", D(4), "小时", D(4), "小时", N, False),
    ("24 小时/天", "number", N, D(24), "小时/天", D(24), "小时/天", N, False),
    ("≤8小时/天", "number", "<=", D(8), "小时/天", D(8), "小时/天", N, False),
    ("≥1 年", "number", ">=", D(1), "年", D(1), "年", N, False),
    ("1 年", "number", N, D(1), "年", D(1), "年", N, False),
    # percent in all its spellings
    ("100%", "percent", N, D(100), "%", D(100), "%", N, False),
    ("100 %", "percent", N, D(100), "%", D(100), "%", N, False),
    ("100百分比", "percent", N, D(100), "%", D(100), "%", N, False),
    ("100 百分数", "percent", N, D(100), "%", D(100), "%", N, False),
    ("=100%", "percent", "=", D(100), "%", D(100), "%", N, False),
    ("≥95%", "percent", ">=", D(95), "%", D(95), "%", N, False),
    ("≥90 %", "percent", ">=", D(90), "%", D(90), "%", N, False),
    ("≥90百分比", "percent", ">=", D(90), "%", D(90), "%", N, False),
    ("≥98 百分数", "percent", ">=", D(98), "%", D(98), "%", N, False),
    ("＜0.36百分比", "percent", "<", D("0.36"), "%", D("0.36"), "%", N, False),
    # hedges and ranges
    ("预计1-2批次", "number", "range", D(1), "批次", D(1), "批次", D(2), True),
    ("预计10批次", "number", N, D(10), "批次", D(10), "批次", N, True),
    ("预计13人", "number", N, D(13), "人", D(13), "人", N, True),
    ("预计25家", "number", N, D(25), "家", D(25), "家", N, True),
    ("预计46500张", "number", N, D(46500), "张", D(46500), "张", N, True),
    ("预计2户", "number", N, D(2), "户", D(2), "户", N, True),
    ("预计20批", "number", N, D(20), "批", D(20), "批", N, True),
    ("预计3次", "number", N, D(3), "次", D(3), "次", N, True),
    ("预计15项", "number", N, D(15), "项", D(15), "项", N, True),
    # deadlines
    ("2024年12月31日", "date", "<=", "2024-12-31", N, N, N, N, False),
    ("2024年12月", "date", "<=", "2024-12-31", N, N, N, N, False),
    ("2024年12月15日前", "date", "<=", "2024-12-15", N, N, N, N, False),
    ("2021 年 12 月 31 日之前", "date", "<=", "2021-12-31", N, N, N, N, False),
    ("2021 年 12 月 31 日前完成", "date", "<=", "2021-12-31", N, N, N, N, False),
    ("2021年", "date", "<=", "2021-12-31", N, N, N, N, False),
    ("2024 年底前", "date", "<=", "2024-12-31", N, N, N, N, False),
    ("9 月底", "date", "<=", "2024-09-30", N, N, N, N, False),
    ("12 月底前完成", "date", "<=", "2024-12-31", N, N, N, N, False),
    ("12 月底完成。", "date", "<=", "2024-12-31", N, N, N, N, False),
    ("≤3 月份前", "date", "<=", "2024-03-31", N, N, N, N, False),
    ("不超过 12月份", "date", "<=", "2024-12-31", N, N, N, N, False),
    ("年度内", "date", "<=", "2024-12-31", N, N, N, N, False),
    # recurring deadlines: a date kind, no single date, the period as unit
    ("每月 25 日前缴纳", "date", "<=", N, "每月", N, N, N, False),
    ("每月月底前发放", "date", "<=", N, "每月", N, N, N, False),
    ("2024年每月中旬", "date", "<=", N, "每月", N, N, N, False),
    # a sentence ending in an explicit comparator and a quantity
    (
        "获证食品生产企业全覆盖抽检和食品检验量达到每年 4 份/千人",
        "number",
        ">=",
        D(4),
        "份/千人",
        D(4),
        "份/千人",
        N,
        False,
    ),
    ("涉及9大监管领域", "number", N, D(9), "大监管领域", D(9), "大监管领域", N, False),
    # booleans
    ("是/否", "boolean", N, N, N, N, N, N, False),
    ("是", "boolean", N, True, N, N, N, N, False),
    ("否", "boolean", N, False, N, N, N, N, False),
]

# qualitative values of the samples: kind text, no number
TEXTS = [
    "产品质量安全事故保持 稳定或下降",
    "优化营商环境，促进市场主体健康发展。",
    "保障药品化妆品安全水平。",
    "保障重大活动食品安全",
    "净化市场环境",
    "加大执法力度",
    "参与率上升",
    "及时",
    "及时迅速",
    "可持续性",
    "宣传规范辖区药品、化妆品市场，保障消费安全。",
    "工作效能提高",
    "强化",
    "强化质量意识",
    "持续向好",
    "持续提升我局社会影响力",
    "持续提高",
    "按照上级要求",
    "按照合同要求支付",
    "按要求支出",
    "提升",
    "提升市场监管知名度",
    "提升油品达标排放对大气的的影响",
    "提升电梯安全保障能力水平。",
    "提高",
    "提高“两品一械”总体安全水平",
    "提高化妆品、药品经营秩序规范性",
    "提高市民信任感，满意率。",
    "提高监管效能的内在要求。",
    "效果明显",
    "文字描述",
    "日益提高",
    "有所提升",
    "水平日益提高",
    "确保工作顺利开展",
    "维护市场秩序，营造诚实守信、公平竞争的市场环境",
    "营造良好市场消费环境",
    "质量氛围浓厚，质量奖影响力扩大。",
    "逐步提高",
    "长期",
    "长期影响",
]


@pytest.mark.parametrize(
    ("text", "kind", "op", "value", "unit", "base_value", "base_unit", "high", "approx"),
    CASES,
    ids=[c[0][:20] for c in CASES],
)
def test_value_forms_of_the_samples(
    text: str,
    kind: str,
    op: str | None,
    value: object,
    unit: str | None,
    base_value: object,
    base_unit: str | None,
    high: object,
    approx: bool,
) -> None:
    tv = parse_value(text, year=2024)
    assert tv.raw == text
    assert (tv.kind, tv.op, tv.unit, tv.base_unit, tv.approx) == (kind, op, unit, base_unit, approx)
    assert tv.value == value and type(tv.value) is type(value)
    assert tv.base_value == base_value
    assert tv.high == high


@pytest.mark.parametrize("text", TEXTS)
def test_qualitative_values_are_text(text: str) -> None:
    tv = parse_value(text, year=2024)
    assert (tv.kind, tv.op, tv.value, tv.unit, tv.raw) == ("text", None, None, None, text)


def test_every_value_form_of_the_samples_has_a_case() -> None:
    covered = {form(c[0]) for c in CASES} | {form(t) for t in TEXTS}
    missing = sorted({form(v) for v in truth_values()} - covered)
    assert not missing, f"value forms in ../shared/truth without a case in CASES/TEXTS: {missing}"


@pytest.mark.parametrize("text", truth_values())
def test_every_sample_value_parses_sensibly(text: str) -> None:
    """Invariants checked against the printed text itself, independent of CASES."""
    tv = parse_value(text, year=2022)
    assert tv.raw == text
    flat = normalize_value_text(text)
    assert json.loads(json.dumps(tv.to_dict(), ensure_ascii=False))["raw"] == text
    if re.search(r"%|百分比|百分数", flat):
        assert tv.kind == "percent"
    if flat[:1] in "≥≤＜<>=":
        assert tv.op is not None
    if tv.kind in ("number", "percent") and tv.op != "range":
        # the value is the first number printed after any comparator or hedge
        first = re.search(r"\d+(?:\.\d+)?", flat)
        assert first is not None and tv.value == Decimal(first.group())
    if re.fullmatch(r"[≥≤<>=]?\d+(?:\.\d+)?[^\d\s]{1,6}", flat):
        # a digit and a short unit is never prose
        assert tv.kind != "text"
    if tv.kind == "date":
        assert tv.op == "<="
        assert tv.value is None or re.fullmatch(r"20\d\d-\d\d-\d\d", str(tv.value))


# --- grammar beyond the samples --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("≥90%", ">="),
        (">=90%", ">="),
        ("≥=90%", ">="),
        ("＞＝90%", ">="),
        ("≧90%", ">="),
        ("＞90%", ">"),
        ("≦90%", "<="),
        ("<=90%", "<="),
        ("＝90%", "="),
        ("不低于90%", ">="),
        ("不少于90%", ">="),
        ("不小于90%", ">="),
        ("大于等于90%", ">="),
        ("达到90%", ">="),
        ("90%以上", ">="),
        ("不高于90%", "<="),
        ("不超过90%", "<="),
        ("不大于90%", "<="),
        ("小于等于90%", "<="),
        ("90%以下", "<="),
        ("90%以内", "<="),
        ("控制在90%以内", "<="),
        ("超过90%", ">"),
        ("高于90%", ">"),
        ("低于90%", "<"),
        ("90%", None),
    ],
)
def test_comparators(text: str, op: str | None) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.op, tv.value, tv.unit) == ("percent", op, D(90), "%")


@pytest.mark.parametrize("text", ["≥90 %", "≥ 90%", " ≥９０％ ", "≥\u300090\t%", "≥90．0%", "≥ 90 百分比"])
def test_spaces_and_full_width_forms_do_not_matter(text: str) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.op, tv.value, tv.unit) == ("percent", ">=", D(90), "%")


@pytest.mark.parametrize(
    ("text", "value", "high", "unit"),
    [
        ("1-2批次", D(1), D(2), "批次"),
        ("1～2", D(1), D(2), None),
        ("1至2", D(1), D(2), None),
        ("1到3次", D(1), D(3), "次"),
        ("1.5-2.5万元", D("1.5"), D("2.5"), "万元"),
        ("5%-10%", D(5), D(10), "%"),
    ],
)
def test_ranges(text: str, value: Decimal, high: Decimal, unit: str | None) -> None:
    tv = parse_value(text)
    assert (tv.op, tv.value, tv.high, tv.unit) == ("range", value, high, unit)


@pytest.mark.parametrize(
    ("text", "value", "high", "unit", "base_value"),
    [
        ("≥95%且≤100%", D(95), D(100), "%", D(95)),
        ("≤100%且≥95%", D(95), D(100), "%", D(95)),
        ("不低于80%，不高于90%", D(80), D(90), "%", D(80)),
        ("≥1万元且≤2万元", D(1), D(2), "万元", D(10000)),
    ],
)
def test_two_bounds_make_a_range(
    text: str, value: Decimal, high: Decimal, unit: str, base_value: Decimal
) -> None:
    tv = parse_value(text)
    assert (tv.op, tv.value, tv.high, tv.unit, tv.base_value) == ("range", value, high, unit, base_value)


@pytest.mark.parametrize("text", ["≥95%且≤10次", "≥100%且≤90%"])
def test_bounds_that_do_not_fit_together_are_not_a_range(text: str) -> None:
    tv = parse_value(text)
    assert tv.op != "range" and tv.kind == "text"


def test_a_range_keeps_the_scale_in_base_value() -> None:
    tv = parse_value("1.5-2.5万元")
    assert (tv.base_value, tv.base_unit) == (D(15000), "元")


@pytest.mark.parametrize("text", ["预计10家", "约10家", "10家左右", "大约10家", "力争10家", "≥约10家"])
def test_hedges_set_approx_and_keep_the_number(text: str) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.value, tv.unit, tv.approx) == ("number", D(10), "家", True)


@pytest.mark.parametrize("text", ["约束力增强", "近期完成", "预计提升"])
def test_hedge_words_inside_prose(text: str) -> None:
    tv = parse_value(text)
    assert tv.kind == "text"
    assert tv.approx == text.startswith("预计")


@pytest.mark.parametrize(
    ("text", "value", "unit", "base_value", "base_unit"),
    [
        ("50 亿元", D(50), "亿元", D(5_000_000_000), "元"),
        ("3千元", D(3), "千元", D(3000), "元"),
        ("2百万元", D(2), "百万元", D(2_000_000), "元"),
        ("1万", D(1), "万", D(10000), None),
        ("1,000元", D(1000), "元", D(1000), "元"),
        ("3千米", D(3), "千米", D(3), "千米"),  # 千 is a scale only in 千元
        ("4 份/千人", D(4), "份/千人", D(4), "份/千人"),
        ("1.2万人次", D("1.2"), "万人次", D(12000), "人次"),
    ],
)
def test_scales(text: str, value: Decimal, unit: str, base_value: Decimal, base_unit: str | None) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.value, tv.unit, tv.base_value, tv.base_unit) == (
        "number",
        value,
        unit,
        base_value,
        base_unit,
    )


def test_results_are_not_shared_between_calls() -> None:
    first = parse_value("≥95%")
    first.op = "<="
    assert parse_value("≥95%").op == ">="


def test_decimal_values_are_exact() -> None:
    tv = parse_value("≤13.22万元")
    assert isinstance(tv.value, Decimal) and str(tv.value) == "13.22"
    assert tv.base_value == D("132200")


@pytest.mark.parametrize(
    ("text", "year", "value", "op"),
    [
        ("2024年12月31日前", None, "2024-12-31", "<="),
        ("2024年底", None, "2024-12-31", "<="),
        ("年底前", 2023, "2023-12-31", "<="),
        ("年度内", None, None, "<="),
        ("12月底", None, None, "<="),
        ("12月底", 2022, "2022-12-31", "<="),
        ("2月底", 2024, "2024-02-29", "<="),
        ("2月底", 2023, "2023-02-28", "<="),
        ("6月份", 2024, "2024-06-30", "<="),
        ("12月中旬", 2024, "2024-12-20", "<="),
        ("3月上旬", 2024, "2024-03-10", "<="),
        ("十二月底前", 2024, "2024-12-31", "<="),
        ("上半年", 2024, "2024-06-30", "<="),
        ("第三季度", 2024, "2024-09-30", "<="),
        ("2024-06-15", None, "2024-06-15", "<="),
        ("2024/6", None, "2024-06-30", "<="),
        ("2025年3月", 2024, "2025-03-31", "<="),  # the printed year wins over the budget year
        ("2024年7月1日后", None, "2024-07-01", ">="),
        ("2024年2月30日", None, None, "<="),  # not a real day: still a date, no value
        ("2024年1-12月", None, "2024-12-31", "<="),
        ("次年3月底前", 2024, "2025-03-31", "<="),  # 次年: the year after the budget year
        ("次年3月底前", None, None, "<="),
    ],
)
def test_dates(text: str, year: int | None, value: str | None, op: str) -> None:
    tv = parse_value(text, year=year)
    assert (tv.kind, tv.op, tv.value) == ("date", op, value)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("≤3个月", D(3), "个月"),
        ("20 个工作日内", D(20), "个工作日"),
        ("30日内", D(30), "日"),
        ("≤2年", D(2), "年"),
    ],
)
def test_durations_are_numbers_not_dates(text: str, value: Decimal, unit: str) -> None:
    tv = parse_value(text, year=2024)
    assert (tv.kind, tv.op, tv.value, tv.unit) == ("number", "<=", value, unit)
    assert is_duration(tv)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("零", D(0), None),
        ("0起", D(0), "起"),
        ("三次", D(3), "次"),
        ("两个", D(2), "个"),
        ("十二项", D(12), "项"),
    ],
)
def test_chinese_numerals_before_a_classifier(text: str, value: Decimal, unit: str | None) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.value, tv.unit) == ("number", value, unit)


@pytest.mark.parametrize(
    "text",
    [
        "一般",
        "十分满意",
        "一致好评",
        "2000年以来持续提升",
        "2024年度预算",
        "达标",
        "率先",
        "较上年增长5%",
        "1-",
        "",
    ],
)
def test_words_that_only_look_numeric_are_text(text: str) -> None:
    assert parse_value(text).kind == "text"


@pytest.mark.parametrize(
    ("text", "op", "value", "unit"),
    [
        ("每年1次", None, D(1), "次/年"),
        ("每月3次", None, D(3), "次/月"),
        ("每周一次", None, D(1), "次/周"),
        ("每季度不少于1次", ">=", D(1), "次/季度"),
        ("每季度≥1次", ">=", D(1), "次/季度"),
        ("≥1次/月", ">=", D(1), "次/月"),
    ],
)
def test_frequencies_name_their_period_in_the_unit(
    text: str, op: str | None, value: Decimal, unit: str
) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.op, tv.value, tv.unit) == ("number", op, value, unit)


@pytest.mark.parametrize(
    ("text", "kind", "op", "value", "unit"),
    [
        ("合格率100%", "percent", None, D(100), "%"),
        ("满意度为95%", "percent", None, D(95), "%"),
        ("覆盖率达100%", "percent", ">=", D(100), "%"),
        ("100%覆盖", "percent", None, D(100), "%"),
        ("24小时响应", "number", None, D(24), "小时"),
        ("3个工作日内办结", "number", "<=", D(3), "个工作日"),
    ],
)
def test_a_name_before_or_a_verb_after_the_quantity(
    text: str, kind: str, op: str | None, value: Decimal, unit: str
) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.op, tv.value, tv.unit) == (kind, op, value, unit)


@pytest.mark.parametrize(
    ("text", "value"), [("百分之九十五", D(95)), ("百分之百", D(100)), ("百分之80以上", D(80))]
)
def test_percent_in_words(text: str, value: Decimal) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.value, tv.unit) == ("percent", value, "%")


def test_percentage_points_keep_their_unit() -> None:
    tv = parse_value("提高2个百分点")
    assert tv.kind == "text"  # 提高 is a direction, not a comparator
    tv = parse_value("≥2个百分点")
    assert (tv.kind, tv.value, tv.unit) == ("percent", D(2), "个百分点")


@pytest.mark.parametrize(
    ("text", "op"), [("不低于上年水平", ">="), ("控制在预算内", "<="), ("效果明显", None)]
)
def test_a_comparator_before_prose_is_kept_as_direction(text: str, op: str | None) -> None:
    tv = parse_value(text)
    assert (tv.kind, tv.op, tv.value) == ("text", op, None)


# --- categories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "category"),
    [
        ("元", "money"),
        ("万元", "money"),
        ("亿元", "money"),
        ("元/人", "money"),
        ("万元/批次", "money"),
        ("天", "duration"),
        ("小时", "duration"),
        ("小时/天", "duration"),
        ("个月", "duration"),
        ("年", "duration"),
        ("工作日", "duration"),
        ("个工作日", "duration"),
        ("%", "percent"),
        ("百分比", "percent"),
        ("件", "count"),
        ("批次", "count"),
        ("件/万人", "count"),
        ("万人次", "count"),
        ("分", "count"),  # a score, not minutes
        (None, "count"),
    ],
)
def test_unit_category(unit: str | None, category: str) -> None:
    assert unit_category(unit) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("≤5万元", "money"),
        ("≤90 天", "duration"),
        ("≥95%", "percent"),
        ("≥10 项", "count"),
        ("2024年12月", "date"),
        ("是/否", "boolean"),
        ("提升", "text"),
    ],
)
def test_value_category(text: str, category: str) -> None:
    assert value_category(parse_value(text, year=2024)) == category


def test_money_helpers() -> None:
    assert is_money(parse_value("≤0.5万元")) and not is_money(parse_value("≤90 天"))
    assert wan_yuan(parse_value("≤0.5万元")) == D("0.5")
    assert wan_yuan(parse_value("5000元")) == D("0.5")
    assert wan_yuan(parse_value("1.2亿元")) == D(12000)
    assert wan_yuan(parse_value("≤4030元/人")) is None  # a unit cost, not a total
    assert wan_yuan(parse_value("≥95%")) is None


def test_to_dict_shape() -> None:
    assert parse_value("≥10.59万台件").to_dict() == {
        "raw": "≥10.59万台件",
        "kind": "number",
        "op": ">=",
        "value": 10.59,
        "high": None,
        "unit": "万台件",
        "base_value": 105900,
        "base_unit": "台件",
        "approx": False,
    }


# --- properties -----------------------------------------------------------------------------

VALUE_ALPHABET = st.sampled_from(
    [
        *"0123456789０１２３.．%％-～~至年月日底前内以上下万亿元个次≥≤<>=＞＜＝≧≦是否/约预计左右 \t\u3000",
        *("百分比", "百分数", "不低于", "不超过", "每月", "中旬", "（", "）", "。", "达到", "个工作日"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_parses_without_error_and_keeps_raw(text: str) -> None:
    tv = parse_value(text, year=2024)
    assert isinstance(tv, TargetValue)
    assert tv.raw == text
    assert tv.kind in ("number", "percent", "date", "boolean", "text")
    json.dumps(tv.to_dict(), ensure_ascii=False)


@settings(max_examples=600, deadline=None)
@given(st.lists(VALUE_ALPHABET, max_size=14).map("".join), st.one_of(st.none(), st.integers(1900, 2100)))
def test_value_like_text_is_consistent(text: str, year: int | None) -> None:
    tv = parse_value(text, year=year)
    assert tv.raw == text
    assert tv.op in (None, ">=", "<=", ">", "<", "=", "range")
    if tv.kind in ("number", "percent"):
        assert isinstance(tv.value, Decimal)
        assert isinstance(tv.base_value, Decimal)
        assert (tv.high is not None) == (tv.op == "range")
        if tv.high is not None:
            assert tv.high >= tv.value
    if tv.kind == "percent":
        assert tv.unit in ("%", "‰", "百分点", "个百分点")
    if tv.kind == "date":
        assert tv.op in ("<=", ">=")
        assert tv.value is None or re.fullmatch(r"\d{4}-\d\d-\d\d", str(tv.value))
    # spaces never change the reading
    spaced = " ".join(text)
    assert parse_value(spaced, year=year).to_dict() | {"raw": text} == tv.to_dict()


# --- command line ---------------------------------------------------------------------------


def test_cli_value_prints_one_json_object_per_text() -> None:
    # the installed console script, beside this interpreter (the venv need not be on PATH)
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("jixiao")),
            "value",
            "--year",
            "2024",
            "≥95%",
            "2024年12月31日前",
            "12月底",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines == [
        {
            "raw": "≥95%",
            "kind": "percent",
            "op": ">=",
            "value": 95,
            "high": None,
            "unit": "%",
            "base_value": 95,
            "base_unit": "%",
            "approx": False,
        },
        {
            "raw": "2024年12月31日前",
            "kind": "date",
            "op": "<=",
            "value": "2024-12-31",
            "high": None,
            "unit": None,
            "base_value": None,
            "base_unit": None,
            "approx": False,
        },
        {
            "raw": "12月底",
            "kind": "date",
            "op": "<=",
            "value": "2024-12-31",
            "high": None,
            "unit": None,
            "base_value": None,
            "base_unit": None,
            "approx": False,
        },
    ]


# ---------------------------------------------------------------- context and periods


def test_a_bare_wan_after_a_number_is_wan_yuan_in_a_money_cell():
    tv = parse_value("250万", context="money")
    assert (tv.kind, tv.value, tv.unit, tv.base_value, tv.base_unit) == (
        "number",
        Decimal(250),
        "万元",
        Decimal(2_500_000),
        "元",
    )
    assert parse_value("≤1.5亿", context="money").unit == "亿元"
    # without context 万 stays a scale of nothing in particular; a real unit is never rewritten
    assert parse_value("250万").unit == "万"
    assert parse_value("10万台件", context="money").unit == "万台件"
    assert parse_value("≤30万元", context="money").unit == "万元"


def test_a_period_of_months_is_a_date_not_a_numeric_range():
    tv = parse_value("2023.07-2024.01", year=2023)
    assert (tv.kind, tv.op, tv.value, tv.unit) == ("date", "<=", "2024-01-31", "期间")
    assert parse_value("2024年3月-2024年6月").value == "2024-06-30"
    assert parse_value("2024-01-01至2024-12-31").value == "2024-12-31"
    # a range of counts and a decimal number are still what they were
    assert parse_value("1-2批次").op == "range"
    assert parse_value("2024.12").kind == "number"
    assert parse_value("2024.07-2023.01").kind != "date"  # ends before it starts


def test_a_number_past_any_measure_is_no_number():
    # 320 nines overflow a float: as a number its JSON (`to_dict`) held inf, which no database's
    # JSON takes nor `jixiao parse` can print as JSON
    for text in ("≥" + "9" * 320, "9" * 40 + "个", "不低于" + "1" * 35 + "%"):
        tv = parse_value(text)
        assert tv.kind not in ("number", "percent"), text
        assert json.loads(json.dumps(tv.to_dict(), allow_nan=False))["raw"] == text
    # thirty digits are still a number
    assert parse_value("≥" + "9" * 30).value == Decimal("9" * 30)


def test_ocr_equals_read_as_the_numeral_two_before_arabic_digits() -> None:
    """OCR reads `=` as 二; before Arabic digits it is no numeral (二十 and 二年 stay numbers)."""
    tv = parse_value("二100百分比")
    assert (tv.kind, tv.op, tv.value, tv.unit) == ("percent", "=", D(100), "%")
    assert parse_value("二十人").value == D(20)
    assert parse_value("二年").op is None
    # a year typed with the digit 0 among its numerals is no comparator and no number
    for text in ("二0二三年底前", "二0二四年12月31日前"):
        assert parse_value(text).op is None and parse_value(text).value is None, text
