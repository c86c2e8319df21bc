"""绩效自评: the year-end self-evaluation score of one project, by the national method.

Pure functions of the entered data plus `ScoringSettings`; no web or database imports.

The method (PRODUCT.md, "Self-evaluation"), every number a setting:

- Weights: 预算执行率 10, 产出指标 50, 效益指标 30, 满意度指标 10; they must sum to 100. Indicators of the
  2021 framework's level-1 成本指标 count under 产出指标 (the older framework files cost there too)
  unless the weights give 成本指标 its own points. Within a level-1 category the points are shared
  equally among its indicators, except those that carry their own 分值 (weight), in cents that add
  up to the category's weight (50 among 3: 16.67, 16.67, 16.66).
- Higher-is-better (≥, >, or no comparator on a count or a rate): met → full points, else
  actual ÷ target × points; an actual of 130% of the target or more scores full but needs an
  explanation (the target may have been set too low).
- Lower-is-better (≤, <, and every cost indicator): at or under the target → full; from the target
  to twice the target the score falls linearly to zero (setting `lower_method="ratio"`: target ÷
  actual × points instead).
- Equal (=): a target of 0 scores full when the actual is 0 or less, else zero; any other target is
  scored as higher-is-better.
- Dates: on or before the deadline → full, else `late_share` × points (default 0).
- Yes/no targets (是/否): the same answer → full, else zero.
- Qualitative (text) targets: the unit picks a band — 达成年度指标 80–100%, 部分达成并具有一定效果
  60–80%, 未达成且效果较差 0–60% of the points, lower bounds inclusive — and a score inside it; a
  score outside the band is rejected; with no score the band's midpoint is proposed (达成 90%,
  部分达成 70%, 未达成 30% of the points) and marked as proposed.
- A zero target with no comparator on a count (`0件`, `0起`, `0次`) means "none": it is scored as
  `=0` (lower is better), so two accidents against 「0起」 score zero.
- Weights that do not total 100 (published tables with 110 or 90): the table is scored with its
  own weights, the total scaled to 100, and the deviation named in `EvaluationResult.deviations`;
  `ScoringSettings(strict=True)` (`jixiao score --strict`, a finance bureau's settings) refuses
  such a table instead.
- 预算执行率 = 全年执行数 ÷ 全年预算数; its points = rate × 10, capped at 10; below 90% needs an
  explanation.
- Grades: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60.
- Rounding: every indicator's score and 预算执行率's score is rounded once, half up, to the 0.01 the
  自评表 prints (`round_score`); the total is the sum of those rounded scores, so the printed total
  is exactly the sum of the printed items and the grade follows the printed total. With weights
  not totalling 100 the rounded scores are summed first (the table's own total, printed in its 总分
  row) and that sum is scaled to 100 once, rounded half up.

Actual values are texts parsed with `jixiao.values.parse_value`, so units are compared through
their base values (3万元 = 30000元); a percentage against a count is an error naming the indicator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from jixiao import numbers, taxonomy
from jixiao.model import Project, TargetValue
from jixiao.values import parse_value

if TYPE_CHECKING:
    from jixiao.ingest.selfeval import SelfEvalTable

EXECUTION = "预算执行率"
CATEGORIES = (taxonomy.OUTPUT, taxonomy.BENEFIT, taxonomy.SATISFACTION, taxonomy.COST)
COST_LEVEL2 = (taxonomy.COST, taxonomy.ECONOMIC_COST, taxonomy.SOCIAL_COST, taxonomy.ECO_COST)

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")

# 自评档次 of a qualitative indicator: name → (share low, share high) of the indicator's points
BAND_MET = "达成年度指标"
BAND_PARTLY = "部分达成并具有一定效果"
BAND_NOT_MET = "未达成且效果较差"
BANDS: tuple[str, ...] = (BAND_MET, BAND_PARTLY, BAND_NOT_MET)
_BAND_ALIASES = {
    "达成": BAND_MET,
    "达成年度指标": BAND_MET,
    "完成": BAND_MET,
    "部分达成": BAND_PARTLY,
    "部分达成并具有一定效果": BAND_PARTLY,
    "部分完成": BAND_PARTLY,
    "未达成": BAND_NOT_MET,
    "未达成且效果较差": BAND_NOT_MET,
    "未完成": BAND_NOT_MET,
}


# direction of a scored indicator
class Direction(StrEnum):
    """How an indicator is scored (and lit): which way is better."""

    HIGHER = "higher"  # 越大越好
    LOWER = "lower"  # 越小越好 (≤, <, cost)
    EQUAL_ZERO = "equal_zero"  # = 0
    DATE = "date"  # deadline
    BOOLEAN = "boolean"  # 是/否
    QUALITATIVE = "qualitative"  # text: band + score


HIGHER, LOWER, EQUAL_ZERO = Direction.HIGHER, Direction.LOWER, Direction.EQUAL_ZERO
DATE, BOOLEAN, QUALITATIVE = Direction.DATE, Direction.BOOLEAN, Direction.QUALITATIVE

DIRECTION_LABELS: dict[str, str] = {
    HIGHER: "越大越好",
    LOWER: "越小越好",
    EQUAL_ZERO: "等于0",
    DATE: "时限",
    BOOLEAN: "是否",
    QUALITATIVE: "定性",
}


class EvaluationError(ValueError):
    """Invalid self-evaluation input. `indicator` is the 0-based index of the indicator concerned
    (None for the budget or the weights), `field` the input field (actual, target, score, band,
    weight, weights, budget.adjusted, ...); the message is Chinese and names the indicator."""

    def __init__(
        self, message: str, *, indicator: int | None = None, field: str | None = None, name: str | None = None
    ) -> None:
        self.message = message
        self.indicator = indicator
        self.field = field
        self.name = name
        super().__init__(f"指标「{name}」: {message}" if name else message)


@dataclass(frozen=True)
class ScoringSettings:
    """Weights, formulas and cut-offs of the self-evaluation (defaults: the national method)."""

    weights: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            EXECUTION: Decimal(10),
            taxonomy.OUTPUT: Decimal(50),
            taxonomy.BENEFIT: Decimal(30),
            taxonomy.SATISFACTION: Decimal(10),
        }
    )
    # "linear": full at or under the target, zero from twice the target; "ratio": target ÷ actual
    lower_method: str = "linear"
    late_share: Decimal = ZERO  # share of the points for a deadline missed
    overachievement: Decimal = Decimal("1.3")  # actual ÷ target from which an explanation is needed
    execution_explain_below: Decimal = Decimal("0.9")
    bands: Mapping[str, tuple[Decimal, Decimal]] = field(
        default_factory=lambda: {
            BAND_MET: (Decimal("0.8"), Decimal(1)),
            BAND_PARTLY: (Decimal("0.6"), Decimal("0.8")),
            BAND_NOT_MET: (ZERO, Decimal("0.6")),
        }
    )
    grades: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "优"),
        (Decimal(80), "良"),
        (Decimal(60), "中"),
        (ZERO, "差"),
    )
    # refuse weights that do not total 100 instead of scaling the total to 100
    strict: bool = False

    def with_weights(self, weights: Mapping[str, Any] | None) -> ScoringSettings:
        if not weights:
            return self
        return replace(self, weights=normalize_weights(weights, require_100=self.strict))


# ---------------------------------------------------------------- input


@dataclass
class Budget:
    """项目资金 (万元): 年初预算数, 全年预算数 (after adjustments), 全年执行数."""

    adjusted: Decimal
    executed: Decimal
    initial: Decimal | None = None


@dataclass
class IndicatorActual:
    """One indicator as entered at year end: the target as approved and what was achieved."""

    level1: str | None
    level2: str | None
    name: str | None
    target: str  # 年度指标值 as printed
    actual: str | None = None  # 实际完成值 as entered
    weight: Decimal | None = None  # 分值, when the table gives it
    band: str | None = None  # qualitative: 自评档次
    score: Decimal | None = None  # qualitative: the unit's own score
    reason: str | None = None  # 偏差原因分析及改进措施


@dataclass
class SelfEvaluation:
    """The year-end data of one project: budget, indicators with actuals, optional weights."""

    budget: Budget
    indicators: list[IndicatorActual]
    weights: dict[str, Decimal] | None = None
    year: int | None = None
    project_name: str | None = None
    project_code: str | None = None
    unit_name: str | None = None
    goal: str | None = None  # 年度总体目标: 预期目标
    goal_actual: str | None = None  # 年度总体目标: 实际完成情况
    project_seq: int | None = None
    # 执行率偏差原因: why spending fell below the cut-off (None: the input has no place for it)
    execution_reason: str | None = None


def evaluation_for(project: Project, year: int | None = None) -> SelfEvaluation:
    """An empty self-evaluation of a project: its targets, its budget as 年初预算数, no actuals."""
    budget = project.budget_total if project.budget_total is not None else ZERO
    return SelfEvaluation(
        budget=Budget(adjusted=budget, executed=ZERO, initial=project.budget_total),
        indicators=[
            IndicatorActual(i.level1, i.level2, i.name, i.value or "", weight=_weight_or_none(i.weight))
            for i in project.indicators
        ],
        year=year,
        project_name=project.name,
        project_code=project.code,
        unit_name=project.unit_name,
        goal=project.goal,
    )


def _weight_or_none(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        return to_decimal(text)
    except ValueError:
        return None


# ---------------------------------------------------------------- output


@dataclass
class IndicatorScore:
    """The score of one indicator."""

    index: int
    name: str | None
    level1: str | None
    level2: str | None
    category: str  # the weight category (产出指标, 效益指标, 满意度指标, or 成本指标 when weighted)
    direction: Direction
    target: str
    actual: str | None
    points: Decimal  # 分值
    score: Decimal  # 得分
    proposed: bool = False  # the score was proposed by the system (a qualitative band's midpoint)
    band: str | None = None
    achievement: Decimal | None = None  # actual ÷ target, where meaningful
    explanations: list[str] = field(default_factory=list)  # why an explanation is needed
    reason: str | None = None  # 偏差原因分析及改进措施 as entered

    @property
    def needs_explanation(self) -> bool:
        return bool(self.explanations)


@dataclass
class EvaluationResult:
    budget: Budget
    execution_rate: Decimal  # 全年执行数 ÷ 全年预算数 (a fraction)
    execution_points: Decimal  # 分值
    execution_score: Decimal  # 得分
    execution_explanation: str | None  # set when the rate is below the cut-off
    indicators: list[IndicatorScore]
    total: Decimal
    grade: str
    warnings: list[str] = field(default_factory=list)
    weights: dict[str, Decimal] = field(default_factory=dict)  # the weights used
    # where the table departs from the method and how it was scored anyway (weights not totalling 100)
    deviations: list[str] = field(default_factory=list)
    full_marks: Decimal = HUNDRED  # the table's own total of points (100 by the method)
    raw_total: Decimal | None = None  # the total out of `full_marks`, before scaling to 100

    @property
    def needs_explanation(self) -> bool:
        return bool(self.execution_explanation) or any(i.needs_explanation for i in self.indicators)


# ---------------------------------------------------------------- helpers


def to_decimal(value: Any) -> Decimal:
    """A number from JSON or a cell: int, float, Decimal or a numeric text (commas allowed)."""
    if isinstance(value, bool):
        raise ValueError(f"「{value}」不是数字")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"「{value}」不是数字") from None
    if not d.is_finite():  # NaN, Infinity (JSON and Python floats allow them)
        raise ValueError(f"「{value}」不是数字")
    if d and d.adjusted() >= 15:  # 1e999999999 is finite, but no score or weight
        raise ValueError(f"「{value}」过大")
    return d


def normalize_weights(weights: Mapping[str, Any], *, require_100: bool = True) -> dict[str, Decimal]:
    """Weights keyed by 预算执行率 and canonical level-1 names; they must sum to 100 unless
    `require_100` is False (a published table with its own total, scored and scaled to 100)."""
    out: dict[str, Decimal] = {}
    for key, val in weights.items():
        k = str(key).strip()
        if k in (EXECUTION, "执行率", "预算执行", "execution", "budget"):
            canon: str | None = EXECUTION
        else:
            canon = taxonomy.canonical_level1(k) or {
                "output": taxonomy.OUTPUT,
                "benefit": taxonomy.BENEFIT,
                "effect": taxonomy.BENEFIT,
                "satisfaction": taxonomy.SATISFACTION,
                "cost": taxonomy.COST,
            }.get(k.lower())
        if canon is None:
            raise EvaluationError(f"权重「{k}」不是预算执行率或一级指标", field="weights")
        try:
            w = to_decimal(val)
        except ValueError as e:
            raise EvaluationError(f"权重「{k}」: {e}", field="weights") from None
        if w < 0:
            raise EvaluationError(f"权重「{k}」不能为负数", field="weights")
        out[canon] = out.get(canon, ZERO) + w
    total = sum(out.values(), ZERO)
    if total <= 0:
        raise EvaluationError("权重合计为 0", field="weights")
    if total != HUNDRED and require_100:
        parts = "、".join(f"{k} {_fmt(v)}" for k, v in out.items())
        raise EvaluationError(f"权重合计为 {_fmt(total)}，应为 100（{parts}）", field="weights")
    out.setdefault(EXECUTION, ZERO)
    return out


def band_name(text: str | None) -> str | None:
    """The canonical band for 达成/部分达成/未达成 and their long names; None when not a band."""
    if not text:
        return None
    s = re.sub(r"[\s\u3000]+", "", text)
    if s in _BAND_ALIASES:
        return _BAND_ALIASES[s]
    for prefix in ("部分达成", "未达成", "达成"):  # order matters: 达成 is inside the others
        if s.startswith(prefix):
            return _BAND_ALIASES[prefix]
    return None


def direction_of(target: TargetValue, level1: str | None, level2: str | None) -> Direction:
    """How an indicator is scored, from the parsed target and its category (cost is lower-is-better)."""
    if target.kind == "date":
        return DATE if isinstance(target.value, str) else QUALITATIVE
    if target.kind == "boolean":
        return BOOLEAN if isinstance(target.value, bool) else QUALITATIVE
    if target.kind not in ("number", "percent") or target.value is None:
        return QUALITATIVE
    c1, c2 = taxonomy.canonical_levels(level1, level2)
    if c1 == taxonomy.COST or c2 in COST_LEVEL2 or target.op in ("<=", "<"):
        return LOWER
    if target.op == "=" and isinstance(target.value, Decimal) and target.value == 0:
        return EQUAL_ZERO
    if target.op is None and target.kind == "number" and target.value == 0:
        return EQUAL_ZERO  # 「0件」「0起」: none at all, lower is better
    return HIGHER


def is_cost(level1: str | None, level2: str | None) -> bool:
    c1, c2 = taxonomy.canonical_levels(level1, level2)
    return c1 == taxonomy.COST or c2 in COST_LEVEL2


def _base(tv: TargetValue) -> tuple[Decimal, str | None]:
    if tv.base_value is not None:
        return tv.base_value, tv.base_unit or tv.unit
    assert isinstance(tv.value, Decimal)
    return tv.value, tv.unit


def _norm_unit(u: str | None) -> str:
    return re.sub(r"[\s\u3000]+", "", u or "")


def comparable_numbers(
    target: TargetValue, actual: TargetValue, *, what: str = "实际完成值"
) -> tuple[Decimal, Decimal]:
    """(target, actual) in the same unit, or ValueError saying why they cannot be compared.

    The target's low end is used for a range. An actual without a unit is read in the target's unit.
    """
    t_kind, a_kind = target.kind, actual.kind
    if a_kind not in ("number", "percent") or not isinstance(actual.value, Decimal):
        raise ValueError(f"{what}「{actual.raw}」不是数值，年度指标值「{target.raw}」是数值")
    if actual.op == "range":
        raise ValueError(f"{what}「{actual.raw}」是区间，应填写一个数值")
    assert isinstance(target.value, Decimal)
    a_unit = _norm_unit(actual.unit)
    if t_kind == "percent":
        if a_kind == "percent" or not a_unit:
            return target.value, actual.value
        raise ValueError(
            f"年度指标值「{target.raw}」是百分比，{what}「{actual.raw}」不是百分比（单位不一致）"
        )
    if a_kind == "percent":
        raise ValueError(f"年度指标值「{target.raw}」是数量，{what}「{actual.raw}」是百分比（单位不一致）")
    if not a_unit:
        # read in the target's printed unit: scale by the target's own base ÷ value
        t_base, _ = _base(target)
        if target.base_value is not None and target.value != 0:
            return t_base, actual.value * (target.base_value / target.value)
        return target.value, actual.value
    t_base, t_bunit = _base(target)
    a_base, a_bunit = _base(actual)
    if _norm_unit(t_bunit) == _norm_unit(a_bunit):
        return t_base, a_base
    per = _per_period(_norm_unit(t_bunit))
    if per and per[0] == _norm_unit(a_bunit):
        return t_base * per[1], a_base  # "≥1次/季度" over a year: 4 次 against the actual 次
    if _norm_unit(target.unit) == a_unit:
        return target.value, actual.value
    if not _norm_unit(target.unit) and not _norm_unit(t_bunit):
        return target.value, actual.value  # the target gave no unit: take the actual's number
    raise ValueError(f"年度指标值「{target.raw}」的单位与{what}「{actual.raw}」的单位不一致")


_PERIODS_PER_YEAR = {"年": 1, "年度": 1, "半年": 2, "季度": 4, "季": 4, "月": 12, "个月": 12}


def _per_period(unit: str) -> tuple[str, Decimal] | None:
    """("次", 4) for "次/季度": the numerator and how many periods make a year; None otherwise."""
    num, sep, den = unit.partition("/")
    if not sep or not num or den not in _PERIODS_PER_YEAR:
        return None
    return num, Decimal(_PERIODS_PER_YEAR[den])


_ON_TIME = re.compile(r"^(已?按[时期]|如期|提前|准时|已完成|完成)")
_LATE = re.compile(r"(未完成|延期|逾期|滞后|未按[时期])")


def _fmt(d: Decimal, places: Decimal = CENT) -> str:
    return numbers.trimmed(d, places)


def round_score(d: Decimal) -> Decimal:
    """A score as the 自评表 prints it: rounded once, half up, to 0.01 (8.765 → 8.77). Every item
    score and 预算执行率's score is rounded so; the total is the sum of the rounded scores, so the
    printed total is exactly the sum of the printed items and the grade follows the printed total."""
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- scoring


@dataclass
class _Scoring:
    """What every direction's scorer needs: the input, its parsed target, the result being filled,
    the points, the settings, the year and how to name an error."""

    ind: IndicatorActual
    target: TargetValue
    res: IndicatorScore
    points: Decimal
    settings: ScoringSettings
    year: int | None
    name: str
    index: int

    def err(self, msg: str, fld: str) -> EvaluationError:
        return EvaluationError(msg, indicator=self.index, field=fld, name=self.name)

    @property
    def actual_text(self) -> str:
        return (self.ind.actual or "").strip()


def _score_qualitative(s: _Scoring) -> None:
    """定性: the unit's band (档次), scored at its midpoint until the unit gives a score inside it."""
    ind, res, points, bands = s.ind, s.res, s.points, s.settings.bands
    band = band_name(ind.band) or band_name(s.actual_text)
    if band is None:
        if ind.score is not None:
            raise s.err(
                "定性指标给了得分，但没有选择自评档次（达成年度指标、部分达成并具有一定效果、未达成且效果较差）",
                "band",
            )
        raise s.err(
            "定性指标需选择自评档次（达成年度指标、部分达成并具有一定效果、未达成且效果较差）", "band"
        )
    low, high = bands[band]
    res.band = band
    if ind.score is None:
        res.score = (low + high) / 2 * points  # the band's midpoint, to be confirmed
        res.proposed = True
    else:
        top = band == max(bands, key=lambda b: bands[b][1])
        inside = (
            low * points <= ind.score <= high * points if top else low * points <= ind.score < high * points
        )
        if not inside:
            close = "]" if top else ")"
            rng = f"[{_fmt(low * points)}, {_fmt(high * points)}{close}"
            raise s.err(
                f"得分 {_fmt(ind.score)} 不在自评档次「{band}」的范围 {rng} 内（分值 {_fmt(points)}）",
                "score",
            )
        res.score = ind.score
    if band != BAND_MET:
        res.explanations.append(f"自评档次为「{band}」，需分析偏差原因并提出改进措施")


def _score_date(s: _Scoring) -> None:
    """时限: full points when done by the date (or 按时完成), else the late share."""
    text = s.actual_text
    actual = parse_value(text, year=s.year)
    if actual.kind == "date" and isinstance(actual.value, str):
        on_time = actual.value <= str(s.target.value)
    elif _LATE.search(text):
        on_time = False
    elif _ON_TIME.search(text):
        on_time = True
    else:
        raise s.err(
            f"年度指标值「{s.target.raw}」是时限，实际完成值「{text}」应为完成日期"
            "（如 2024年11月30日）或“按时完成”",
            "actual",
        )
    s.res.score = s.points if on_time else s.settings.late_share * s.points
    if not on_time:
        s.res.explanations.append("未在时限内完成，需说明偏差原因")


def _score_boolean(s: _Scoring) -> None:
    """是/否: full points when the actual equals the target, else none."""
    actual = parse_value(s.actual_text, year=s.year)
    if actual.kind != "boolean" or not isinstance(actual.value, bool):
        raise s.err(
            f"年度指标值「{s.target.raw}」是“是/否”，实际完成值「{s.actual_text}」应为“是”或“否”", "actual"
        )
    s.res.score = s.points if actual.value == s.target.value else ZERO
    if actual.value != s.target.value:
        s.res.explanations.append("未达到年度指标值，需说明偏差原因")


def _numbers(s: _Scoring) -> tuple[Decimal, Decimal]:
    try:
        return comparable_numbers(s.target, parse_value(s.actual_text, year=s.year))
    except ValueError as e:
        raise s.err(str(e), "actual") from None


def _score_equal_zero(s: _Scoring) -> None:
    """= 0 (e.g. 安全事故 0 起): full points when the actual is zero, else none."""
    _, a = _numbers(s)
    s.res.score = s.points if a <= 0 else ZERO


def _score_lower(s: _Scoring) -> None:
    """越低越好 (≤): full points at or below the target; above it by the configured method."""
    t, a = _numbers(s)
    res, points = s.res, s.points
    if t <= 0:
        res.score = points if a <= t else ZERO
    elif a <= t:
        res.score = points
    elif s.settings.lower_method == "ratio":
        res.score = t / a * points
    else:
        res.score = max(ZERO, (2 * t - a) / t * points)
    if t > 0:
        res.achievement = a / t


def _score_higher(s: _Scoring) -> None:
    """越高越好 (≥, and = with a non-zero target): in proportion to the achievement, capped at full
    points; far above the target asks why (目标是否偏低)."""
    t, a = _numbers(s)
    res, points = s.res, s.points
    if t <= 0:
        res.score = points if a >= t else ZERO
        return
    ratio = a / t
    res.achievement = ratio
    res.score = points if ratio >= 1 else max(ZERO, ratio * points)
    over = s.settings.overachievement
    if ratio >= over:
        res.explanations.append(
            f"实际完成值为年度指标值的 {_fmt(ratio * HUNDRED, Decimal('0.1'))}%（≥"
            f"{_fmt(over * HUNDRED)}%），需说明原因（目标是否偏低）"
        )


_SCORERS: dict[str, Callable[[_Scoring], None]] = {
    DATE: _score_date,
    BOOLEAN: _score_boolean,
    EQUAL_ZERO: _score_equal_zero,
    LOWER: _score_lower,
}
"""The scorer of each direction of a quantitative indicator; any other direction scores higher-is-better."""


def score_indicator(
    ind: IndicatorActual,
    points: Decimal,
    settings: ScoringSettings,
    *,
    index: int = 0,
    category: str = "",
    year: int | None = None,
) -> IndicatorScore:
    """Score one indicator out of `points`; EvaluationError names the indicator when the input is invalid."""
    target = parse_value(ind.target or "", year=year)
    direction = direction_of(target, ind.level1, ind.level2)
    res = IndicatorScore(
        index=index,
        name=ind.name,
        level1=ind.level1,
        level2=ind.level2,
        category=category,
        direction=direction,
        target=ind.target,
        actual=ind.actual,
        points=points,
        score=ZERO,
        reason=ind.reason,
    )
    s = _Scoring(
        ind, target, res, points, settings, year, ind.name or ind.level2 or f"第{index + 1}项", index
    )
    if ind.band and band_name(ind.band) is None:
        raise s.err(f"自评档次「{ind.band}」应为 {'、'.join(BANDS)} 之一", "band")
    if direction == QUALITATIVE:
        _score_qualitative(s)
        res.score = round_score(res.score)
        return res
    if ind.score is not None:
        raise s.err("只有定性指标可以自填得分；定量指标的得分由实际完成值计算", "score")
    if not s.actual_text:
        raise s.err("实际完成值为空", "actual")
    _SCORERS.get(direction, _score_higher)(s)
    if direction not in (DATE, BOOLEAN) and res.score < points:
        res.explanations.append("未达到年度指标值，需说明偏差原因并提出改进措施")
    res.score = round_score(res.score)
    return res


def category_of(ind: IndicatorActual, weights: Mapping[str, Decimal]) -> str | None:
    """The weight category of an indicator: its canonical level 1; cost counts under 产出 unless weighted."""
    c1, _ = taxonomy.canonical_levels(ind.level1, ind.level2)
    if c1 == taxonomy.COST and taxonomy.COST not in weights:
        return taxonomy.OUTPUT
    return c1


def _categories(indicators: Sequence[IndicatorActual], weights: Mapping[str, Decimal]) -> list[str]:
    """Each indicator's weight category; EvaluationError names an indicator that has none."""
    cats: list[str] = []
    for i, ind in enumerate(indicators):
        c = category_of(ind, weights)
        name = ind.name or ind.level2 or f"第{i + 1}项"
        if c is None:
            raise EvaluationError(
                f"一级指标「{ind.level1 or ''}」无法识别（应为产出、效益、满意度或成本指标）",
                indicator=i,
                field="level1",
                name=name,
            )
        if c not in weights:
            raise EvaluationError(f"一级指标「{c}」没有权重", indicator=i, field="level1", name=name)
        if ind.weight is not None and ind.weight < 0:
            raise EvaluationError("分值不能为负数", indicator=i, field="weight", name=name)
        cats.append(c)
    return cats


def _share_category(
    cat: str, w: Decimal, members: list[int], indicators: Sequence[IndicatorActual], points: list[Decimal]
) -> None:
    """A category's weight: the 分值 given, and the rest shared equally among the others."""
    given = sum((indicators[i].weight or ZERO for i in members if indicators[i].weight is not None), ZERO)
    free = [i for i in members if indicators[i].weight is None]
    rest = w - given
    if rest < 0 or (not free and rest != 0):
        raise EvaluationError(f"{cat}各指标分值合计 {_fmt(given)}，与其权重 {_fmt(w)} 不符", field="weight")
    shares = split_points(rest, len(free)) if free else []
    for i in members:
        own = indicators[i].weight
        points[i] = own if own is not None else shares.pop(0)


def split_points(total: Decimal, n: int) -> list[Decimal]:
    """`total` shared equally among `n` in cents that add up to it exactly, the odd cents to the
    first (50 among 3: 16.67, 16.67, 16.66), so the 分值 printed add up to the weight printed."""
    base = (total / n).quantize(CENT, rounding=ROUND_DOWN)
    odd = int((total - base * n) / CENT)
    return [base + CENT if k < odd else base for k in range(n)]


def allocate_points(
    indicators: Sequence[IndicatorActual], weights: Mapping[str, Decimal], *, strict: bool = True
) -> tuple[list[tuple[str, Decimal]], list[str]]:
    """(category, points) per indicator, and warnings (a weighted category with no indicator).

    Where every indicator carries its own 分值 these are used; with `strict` they must sum to
    100 − the 预算执行率 weight (otherwise the caller scales the total). Else each category's weight
    is shared equally among its indicators without 分值.
    """
    cats = _categories(indicators, weights)
    warnings: list[str] = []
    execution = weights.get(EXECUTION, ZERO)
    if indicators and all(ind.weight is not None for ind in indicators):
        total = sum((ind.weight or ZERO for ind in indicators), ZERO)
        if total + execution != HUNDRED and strict:
            raise EvaluationError(
                f"各指标分值合计 {_fmt(total)} 加预算执行率 {_fmt(execution)} 为 "
                f"{_fmt(total + execution)}，应为 100",
                field="weight",
            )
        return [(c, ind.weight or ZERO) for c, ind in zip(cats, indicators, strict=True)], warnings
    points: list[Decimal] = [ZERO] * len(indicators)
    for cat, w in weights.items():
        if cat == EXECUTION:
            continue
        members = [i for i, c in enumerate(cats) if c == cat]
        if members:
            _share_category(cat, w, members, indicators, points)
        elif w:
            warnings.append(f"没有{cat}，其 {_fmt(w)} 分未分配")
    return list(zip(cats, points, strict=True)), warnings


def grade_of(total: Decimal, settings: ScoringSettings | None = None) -> str:
    settings = settings or ScoringSettings()
    for cut, grade in settings.grades:
        if total >= cut:
            return grade
    return settings.grades[-1][1]


def score_evaluation(ev: SelfEvaluation, settings: ScoringSettings | None = None) -> EvaluationResult:
    """Score a project's year-end data; EvaluationError (naming the indicator) on invalid input."""
    settings = (settings or ScoringSettings()).with_weights(ev.weights)
    weights = dict(settings.weights)
    deviations: list[str] = []
    weight_sum = sum(weights.values(), ZERO)
    if weight_sum != HUNDRED:
        if settings.strict or weight_sum <= 0:
            raise EvaluationError(f"权重合计为 {_fmt(weight_sum)}，应为 100", field="weights")
        deviations.append(f"权重合计为 {_fmt(weight_sum)}，不是 100：按表内权重计分，总分按 100 折算")
    b = ev.budget
    if b.adjusted <= 0:
        raise EvaluationError("全年预算数应大于 0", field="budget.adjusted")
    if b.executed < 0:
        raise EvaluationError("全年执行数不能为负数", field="budget.executed")
    rate = b.executed / b.adjusted
    ex_points = weights.get(EXECUTION, ZERO)
    ex_score = round_score(min(rate * ex_points, ex_points))
    ex_expl = None
    if rate < settings.execution_explain_below:
        cut = _fmt(settings.execution_explain_below * HUNDRED)
        ex_expl = f"预算执行率 {_fmt(rate * HUNDRED)}% 低于 {cut}%，需说明原因"
    alloc, warnings = allocate_points(ev.indicators, weights, strict=settings.strict)
    scores = [
        score_indicator(ind, pts, settings, index=i, category=cat, year=ev.year)
        for i, (ind, (cat, pts)) in enumerate(zip(ev.indicators, alloc, strict=True))
    ]
    own_points = bool(ev.indicators) and all(ind.weight is not None for ind in ev.indicators)
    full = ex_points + sum((pts for _, pts in alloc), ZERO) if own_points else weight_sum
    raw = ex_score + sum((s.score for s in scores), ZERO)
    total = raw
    if full != HUNDRED and full > 0:
        if not deviations:  # the indicators' own 分值 are what does not add up
            own = full - ex_points
            deviations.append(
                f"各指标分值合计 {_fmt(own)} 加预算执行率 {_fmt(ex_points)} 为 {_fmt(full)}，"
                "不是 100：按表内分值计分，总分按 100 折算"
            )
        total = round_score(raw * HUNDRED / full)  # the printed scores summed, then scaled once
        deviations.append(f"表内得分 {_fmt(raw)}（满分 {_fmt(full)}）折算为 {_fmt(total)}（满分 100）")
    return EvaluationResult(
        budget=b,
        execution_rate=rate,
        execution_points=ex_points,
        execution_score=ex_score,
        execution_explanation=ex_expl,
        indicators=scores,
        total=total,
        grade=grade_of(total, settings),
        warnings=warnings,
        weights=weights,
        deviations=deviations,
        full_marks=full,
        raw_total=raw if full != HUNDRED else None,
    )


# ---------------------------------------------------------------- JSON


def _opt_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float | int | Decimal) and not isinstance(v, bool):
        return _fmt(to_decimal(v), Decimal("0.000001"))
    s = str(v).strip()
    return s or None


def evaluation_from_dict(data: Any) -> SelfEvaluation:
    """Read the JSON input of `jixiao score`; EvaluationError names the field or the indicator."""
    if not isinstance(data, dict):
        raise EvaluationError("输入应为 JSON 对象，含 budget 与 indicators")
    budget = data.get("budget")
    if not isinstance(budget, dict):
        raise EvaluationError("缺少 budget（initial、adjusted、executed）", field="budget")

    def num(key: str, required: bool) -> Decimal | None:
        v = budget.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                raise EvaluationError(f"缺少 budget.{key}", field=f"budget.{key}")
            return None
        try:
            return to_decimal(v)
        except ValueError as e:
            raise EvaluationError(f"budget.{key}: {e}", field=f"budget.{key}") from None

    adjusted = num("adjusted", True)
    executed = num("executed", True)
    assert adjusted is not None and executed is not None
    b = Budget(adjusted=adjusted, executed=executed, initial=num("initial", False))
    raw_inds = data.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        raise EvaluationError("缺少 indicators（指标列表）", field="indicators")
    inds: list[IndicatorActual] = []
    for i, r in enumerate(raw_inds):
        if not isinstance(r, dict):
            raise EvaluationError(f"第 {i + 1} 个指标应为对象", indicator=i)
        name = _opt_text(r.get("name"))
        label = name or f"第{i + 1}项"
        target = _opt_text(r.get("target"))
        if target is None:
            raise EvaluationError("缺少 target（年度指标值）", indicator=i, field="target", name=label)
        if _opt_text(r.get("level1")) is None:
            raise EvaluationError("缺少 level1（一级指标）", indicator=i, field="level1", name=label)

        def opt_num(key: str, r: dict[str, Any] = r, label: str = label, i: int = i) -> Decimal | None:
            v = r.get(key)
            if v is None or (isinstance(v, str) and not v.strip()):
                return None
            try:
                return to_decimal(v)
            except ValueError as e:
                raise EvaluationError(f"{key}: {e}", indicator=i, field=key, name=label) from None

        inds.append(
            IndicatorActual(
                level1=_opt_text(r.get("level1")),
                level2=_opt_text(r.get("level2")),
                name=name,
                target=target,
                actual=_opt_text(r.get("actual")),
                weight=opt_num("weight"),
                band=_opt_text(r.get("band")),
                score=opt_num("score"),
                reason=_opt_text(r.get("reason")),
            )
        )
    weights = data.get("weights")
    if weights is not None and not isinstance(weights, dict):
        raise EvaluationError('weights 应为对象，如 {"预算执行率": 10, "产出指标": 50, ...}', field="weights")
    year = data.get("year")
    weights_read = normalize_weights(weights, require_100=False) if weights else None
    return SelfEvaluation(
        budget=b,
        indicators=inds,
        weights=weights_read,
        year=int(year) if isinstance(year, int) else None,
        project_name=_opt_text(data.get("project") or data.get("project_name")),
        project_code=_opt_text(data.get("project_code")),
        unit_name=_opt_text(data.get("unit") or data.get("unit_name")),
        goal=_opt_text(data.get("goal")),
        goal_actual=_opt_text(data.get("goal_actual")),
        execution_reason=_opt_text(data.get("execution_reason")),
    )


def _num(d: Decimal | None, places: Decimal = CENT) -> int | float | None:
    return numbers.json_number(d, places)  # type: ignore[no-any-return]


def result_to_dict(ev: SelfEvaluation, result: EvaluationResult) -> dict[str, Any]:
    """The JSON output of `jixiao score`: the input with scores added (numbers rounded to 0.01)."""
    b = result.budget
    out: dict[str, Any] = {}
    if ev.project_name:
        out["project"] = ev.project_name
    if ev.project_code:
        out["project_code"] = ev.project_code
    out["budget"] = {"initial": _num(b.initial), "adjusted": _num(b.adjusted), "executed": _num(b.executed)}
    out["weights"] = {k: _num(v) for k, v in result.weights.items()}
    inds = []
    for ind, s in zip(ev.indicators, result.indicators, strict=True):
        d: dict[str, Any] = {
            "level1": ind.level1,
            "level2": ind.level2,
            "name": ind.name,
            "target": ind.target,
            "actual": ind.actual,
        }
        if ind.weight is not None:
            d["weight"] = _num(ind.weight)
        d["points"] = _num(s.points)
        if s.band:
            d["band"] = s.band
        d["direction"] = s.direction
        d["score"] = _num(s.score)
        if s.proposed:
            d["proposed"] = True
        if s.achievement is not None:
            d["achievement"] = _num(s.achievement, Decimal("0.0001"))
        d["needs_explanation"] = s.needs_explanation
        if s.explanations:
            d["explanations"] = s.explanations
        if ind.reason:
            d["reason"] = ind.reason
        inds.append(d)
    out["indicators"] = inds
    out["execution_rate"] = _num(result.execution_rate, Decimal("0.0001"))
    out["execution_points"] = _num(result.execution_points)
    out["execution_score"] = _num(result.execution_score)
    if result.execution_explanation:
        out["execution_explanation"] = result.execution_explanation
    if ev.execution_reason:
        out["execution_reason"] = ev.execution_reason
    out["total"] = _num(result.total)
    out["grade"] = result.grade
    out["needs_explanation"] = result.needs_explanation
    if result.warnings:
        out["warnings"] = result.warnings
    if result.deviations:
        out["deviations"] = result.deviations
        out["full_marks"] = _num(result.full_marks)
        out["raw_total"] = _num(result.raw_total)
    return out


# ---------------------------------------------------------------- text table


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - _width(s))
    return gap + s if right else s + gap


def _table(rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
    widths = [max(_width(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[c], c in right) for c, cell in enumerate(r)).rstrip() for r in rows]


format_number = _fmt  # a Decimal for display: 2 places, trailing zeros dropped
text_table = _table  # rows of strings as an aligned table (CJK characters count double)


def render_text(ev: SelfEvaluation, result: EvaluationResult) -> str:
    """The 项目支出绩效自评表 as an aligned Chinese text table."""
    lines = _text_heading(ev)
    lines.append("")
    lines += _text_budget(ev, result)
    lines.append("")
    lines += _text_indicators(ev, result)
    lines += _text_notes(result)
    return "\n".join(lines) + "\n"


def _text_heading(ev: SelfEvaluation) -> list[str]:
    """The title with its year, 项目名称 and 项目编码, 实施单位."""
    lines = ["项目支出绩效自评表" + (f"（{ev.year}年度）" if ev.year else "")]
    if ev.project_name:
        code = f"    项目编码：{ev.project_code}" if ev.project_code else ""
        lines.append(f"项目名称：{ev.project_name}{code}")
    if ev.unit_name:
        lines.append(f"实施单位：{ev.unit_name}")
    return lines


def _text_budget(ev: SelfEvaluation, result: EvaluationResult) -> list[str]:
    """The 年度资金总额 line, then the explanation of its execution rate: asked for when missing,
    printed when given."""
    b = result.budget
    lines = _table(
        [
            ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            [
                "年度资金总额",
                _fmt(b.initial) if b.initial is not None else "",
                _fmt(b.adjusted),
                _fmt(b.executed),
                _fmt(result.execution_points),
                f"{_fmt(result.execution_rate * HUNDRED)}%",
                _fmt(result.execution_score),
            ],
        ],
        right={1, 2, 3, 4, 5, 6},
    )
    reason = (ev.execution_reason or "").strip()
    if result.execution_explanation and not reason:
        lines.append(f"  ！{result.execution_explanation}")
    elif reason:  # the explanation asked for (or volunteered) is given: print it, ask for nothing
        why = (result.execution_explanation or "").removesuffix("，需说明原因")
        lines.append(f"  {why + '。' if why else ''}执行偏差原因分析及改进措施：{reason}")
    return lines


INDICATOR_TEXT_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]


def _text_indicator_row(ind: IndicatorActual, s: IndicatorScore) -> list[str]:
    """One indicator: the band beside its actual, a proposed score starred, a missing explanation
    asked for."""
    actual = ind.actual or ""
    if s.band:
        actual = f"{actual}（{s.band}）" if actual and band_name(actual) is None else s.band
    score = _fmt(s.score) + ("*" if s.proposed else "")
    note = ind.reason or ""
    if s.needs_explanation and not ind.reason:
        note = "！" + "；".join(s.explanations)
    return [
        ind.level1 or "",
        ind.level2 or "",
        ind.name or "",
        ind.target,
        actual,
        _fmt(s.points),
        score,
        note,
    ]


def _text_indicators(ev: SelfEvaluation, result: EvaluationResult) -> list[str]:
    """The indicator table and its 总分 line (with the score scaled to 100 when the weights are not)."""
    rows = [INDICATOR_TEXT_HEADER]
    rows += [_text_indicator_row(ind, s) for ind, s in zip(ev.indicators, result.indicators, strict=True)]
    full = result.execution_points + sum((s.points for s in result.indicators), ZERO)
    shown = result.raw_total if result.raw_total is not None else result.total
    scaled = f"（折算为百分制 {_fmt(result.total)}）" if result.raw_total is not None else ""
    rows.append(["总分", "", "", "", "", _fmt(full), _fmt(shown), f"自评等级：{result.grade}{scaled}"])
    return _table(rows, right={5, 6})


def _text_notes(result: EvaluationResult) -> list[str]:
    """The footnote on proposed scores, the warnings and the deviations from the method."""
    lines = []
    if any(s.proposed for s in result.indicators):
        lines += ["", "* 系统按所选档次中点建议的得分，请确认或修改。"]
    lines += [f"注意：{w}" for w in result.warnings]
    lines += [f"偏离评分方法：{d}" for d in result.deviations]
    return lines


def render_summary(evs: Sequence[SelfEvaluation], results: Sequence[EvaluationResult]) -> str:
    """The unit summary: every project's execution rate, score and grade, as an aligned text table."""
    rows = [["序号", "项目名称", "项目编码", "执行率", "得分", "等级"]]
    for k, (ev, r) in enumerate(zip(evs, results, strict=True), start=1):
        rows.append(
            [
                str(k),
                ev.project_name or "",
                ev.project_code or "",
                f"{_fmt(r.execution_rate * HUNDRED)}%",
                _fmt(r.total),
                r.grade,
            ]
        )
    return "\n".join(["单位项目支出绩效自评汇总", "", *_table(rows, right={3, 4})]) + "\n"


# ---------------------------------------------------------------- published 自评表 checked


@dataclass
class PublishedIndicator:
    """One row of a published 自评表 as printed: the target, the actual, 分值 and 得分."""

    level1: str | None
    level2: str | None
    name: str | None
    target: str
    actual: str | None = None
    weight: Decimal | None = None  # 分值 as printed
    score: Decimal | None = None  # 得分 as printed
    reason: str | None = None  # 偏差原因分析及改进措施


@dataclass
class PublishedSelfEvaluation:
    """A published 项目支出绩效自评表 as printed (what a reader extracts from the page)."""

    indicators: list[PublishedIndicator]
    budget_adjusted: Decimal | None = None  # 全年预算数
    budget_executed: Decimal | None = None  # 全年执行数
    execution_weight: Decimal | None = None  # 预算执行率的分值 as printed
    execution_score: Decimal | None = None  # its 得分 as printed
    total_weight: Decimal | None = None  # 总分值 as printed
    total_score: Decimal | None = None  # 总分 as printed
    grade: str | None = None  # 自评等级 as printed
    year: int | None = None
    project_name: str | None = None
    source: str | None = None


# why a printed score departs from the method
MISSED_FULL = "missed-target-full"  # a missed target scored full marks
CAP_BREACHED_FULL = "cap-breached-full"  # a breached upper limit (≤, cost) scored full marks
SCORE_DIFFERS = "score-differs"  # another difference of an indicator's score
WEIGHTS_SUM = "weights-sum"  # 分值 that do not add up to 100 (or to the printed total)
TOTAL_SUM = "total-sum"  # a printed total that is not the sum of the printed scores
EXECUTION_SCORE = "execution-score"  # 预算执行率's score not rate × 分值
GRADE = "grade"  # the printed grade not the grade of the total

_TOLERANCE = Decimal("0.05")  # printed scores are rounded to 0.1 or 0.01


@dataclass
class Discrepancy:
    """Where a published 自评表 departs from the method: what is printed, what the method gives, why."""

    kind: str  # MISSED_FULL, CAP_BREACHED_FULL, SCORE_DIFFERS, WEIGHTS_SUM, TOTAL_SUM, EXECUTION_SCORE, GRADE
    where: str  # 指标「…」, 预算执行率, 分值合计, 总分, 自评等级
    printed: str
    recomputed: str
    why: str  # in Chinese
    indicator: int | None = None

    def __str__(self) -> str:
        return f"{self.where}：表中 {self.printed}，按方法 {self.recomputed}——{self.why}"


@dataclass
class PublishedCheck:
    """The published table recomputed by the method: the differences, and both totals and grades."""

    discrepancies: list[Discrepancy]
    printed_total: Decimal | None
    recomputed_total: Decimal | None
    printed_grade: str | None
    recomputed_grade: str | None
    scores: list[Decimal | None]  # each indicator's score by the method (None: could not recompute)
    skipped: list[str] = field(default_factory=list)  # indicators not recomputed, and why
    weight_sum: Decimal | None = None  # 预算执行率's 分值 and the indicators' (the total is scaled to 100)
    execution_rate: Decimal | None = None  # 预算执行率 by the method (全年执行数 / 全年预算数)
    execution_score: Decimal | None = None  # its 得分 by the method (the printed one when no budget)

    def to_dict(self) -> dict[str, Any]:
        return {
            "printed_total": _num(self.printed_total),
            "recomputed_total": _num(self.recomputed_total),
            "printed_grade": self.printed_grade,
            "recomputed_grade": self.recomputed_grade,
            "discrepancies": [
                {
                    "kind": d.kind,
                    "where": d.where,
                    "printed": d.printed,
                    "recomputed": d.recomputed,
                    "why": d.why,
                    "indicator": d.indicator,
                }
                for d in self.discrepancies
            ],
            "scores": [_num(s) for s in self.scores],
            "skipped": list(self.skipped),
        }


def _differs(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) > _TOLERANCE


def _weight_discrepancies(
    table: PublishedSelfEvaluation, ex_w: Decimal, weight_sum: Decimal
) -> list[Discrepancy]:
    """分值 that do not add up to 100, and a printed 总分值 that is not their sum."""
    weights = [i.weight for i in table.indicators]
    if not weights or any(w is None for w in weights):
        return []
    out = []
    if weight_sum != HUNDRED:
        out.append(
            Discrepancy(
                WEIGHTS_SUM,
                "分值合计",
                _fmt(weight_sum),
                "100",
                f"预算执行率 {_fmt(ex_w)} 分与各指标分值共 {_fmt(weight_sum)} 分，"
                "不是 100 分；总分按 100 分折算后比较",
            )
        )
    if table.total_weight is not None and _differs(table.total_weight, weight_sum):
        out.append(
            Discrepancy(
                WEIGHTS_SUM,
                "总分值",
                _fmt(table.total_weight),
                _fmt(weight_sum),
                "表中总分值不等于各项分值之和",
            )
        )
    return out


def _execution_score(
    table: PublishedSelfEvaluation, ex_w: Decimal, out: list[Discrepancy], skipped: list[str]
) -> Decimal | None:
    """预算执行率's score by the method (rate × 分值, capped), noting a printed score that differs."""
    if table.budget_adjusted and table.budget_executed is not None and table.budget_adjusted > 0:
        rate = table.budget_executed / table.budget_adjusted
        ex_score = round_score(min(rate * ex_w, ex_w))
        if table.execution_score is not None and _differs(table.execution_score, ex_score):
            out.append(
                Discrepancy(
                    EXECUTION_SCORE,
                    "预算执行率",
                    _fmt(table.execution_score),
                    _fmt(ex_score),
                    f"执行率 {_fmt(rate * HUNDRED)}% × 分值 {_fmt(ex_w)}（封顶 {_fmt(ex_w)}）",
                )
            )
        return ex_score
    if table.execution_score is not None:
        skipped.append("预算执行率：没有全年预算数或执行数，沿用表中得分")
    return table.execution_score


def _indicator_discrepancy(
    ind: PublishedIndicator, i: int, label: str, res: IndicatorScore
) -> Discrepancy | None:
    """A printed indicator score that the method does not give, with the kind of departure."""
    if ind.score is None or not _differs(ind.score, res.score):
        return None
    assert ind.weight is not None
    if ind.score > res.score and not _differs(ind.score, ind.weight):
        kind = CAP_BREACHED_FULL if res.direction in (LOWER, EQUAL_ZERO) else MISSED_FULL
        why = (
            "实际值超过了上限（越小越好），却给了满分"
            if kind == CAP_BREACHED_FULL
            else "没有达到年度指标值，却给了满分"
        )
    else:
        kind = SCORE_DIFFERS
        why = "按" + DIRECTION_LABELS.get(res.direction, res.direction) + "的计分方法得分不同"
    if res.achievement is not None:
        why += f"（完成 {_fmt(res.achievement * HUNDRED, Decimal('0.1'))}%）"
    return Discrepancy(kind, label, _fmt(ind.score), _fmt(res.score), why, indicator=i)


def check_published(
    table: PublishedSelfEvaluation, settings: ScoringSettings | None = None
) -> PublishedCheck:
    """Recompute a published 自评表 by the method and list where its printed scores differ and why:
    full marks for a missed target, a breached cap scored full, 分值 that do not add up, totals that
    do not add up, a 预算执行率 score that is not rate × 分值, a grade that is not the total's.

    Each indicator is recomputed out of its printed 分值 from its printed target and actual; a
    qualitative row keeps its printed score when it lies in a band (the unit's own judgement); a row
    that cannot be recomputed (no actual, units that do not compare) keeps its printed score and is
    listed in `skipped`. The recomputed total is scaled to 100 when the 分值 total otherwise.
    """
    settings = settings or ScoringSettings()
    skipped: list[str] = []
    scores: list[Decimal | None] = []
    ex_w = table.execution_weight if table.execution_weight is not None else ZERO
    weight_sum = ex_w + sum((i.weight for i in table.indicators if i.weight is not None), ZERO)
    out = _weight_discrepancies(table, ex_w, weight_sum)
    ex_score = _execution_score(table, ex_w, out, skipped)
    for i, ind in enumerate(table.indicators):
        label = f"指标「{ind.name or ind.level2 or i + 1}」"
        got = _recompute(ind, i, settings, table.year) if ind.weight is not None else "没有分值"
        if isinstance(got, str):
            scores.append(None)
            skipped.append(f"{label}：{got}")
            continue
        scores.append(got.score)
        d = _indicator_discrepancy(ind, i, label, got)
        if d is not None:
            out.append(d)
    printed_sum = (table.execution_score or ZERO) + sum((i.score or ZERO for i in table.indicators), ZERO)
    if table.total_score is not None and _differs(table.total_score, printed_sum):
        out.append(
            Discrepancy(
                TOTAL_SUM, "总分", _fmt(table.total_score), _fmt(printed_sum), "表中总分不等于各项得分之和"
            )
        )
    raw = (ex_score or ZERO) + sum(
        (
            s if s is not None else (ind.score or ZERO)
            for s, ind in zip(scores, table.indicators, strict=True)
        ),
        ZERO,
    )
    total = round_score(raw * HUNDRED / weight_sum) if weight_sum and weight_sum != HUNDRED else raw
    grade = grade_of(total, settings)
    if table.grade and table.grade.strip()[:1] in "优良中差" and table.grade.strip()[:1] != grade:
        out.append(
            Discrepancy(GRADE, "自评等级", table.grade, grade, f"按方法总分 {_fmt(total)} 分，等级为{grade}")
        )
    return PublishedCheck(
        discrepancies=out,
        printed_total=table.total_score,
        recomputed_total=total,
        printed_grade=table.grade,
        recomputed_grade=grade,
        scores=scores,
        skipped=skipped,
        weight_sum=weight_sum,
        execution_rate=(
            table.budget_executed / table.budget_adjusted
            if table.budget_adjusted and table.budget_executed is not None and table.budget_adjusted > 0
            else None
        ),
        execution_score=ex_score,
    )


def _recompute(
    ind: PublishedIndicator, index: int, settings: ScoringSettings, year: int | None
) -> IndicatorScore | str:
    """The method's score of one printed row, or why it cannot be recomputed."""
    assert ind.weight is not None
    target_text = ind.target or ""
    target = parse_value(target_text, year=year)
    direction = direction_of(target, ind.level1, ind.level2)
    if direction == HIGHER and target.op is None and _LOWER_NAME.search(ind.name or ""):
        target_text = "≤" + target_text  # 预算调整率 3%, 人员控制率 100%: limits, lower is better
        direction = LOWER
    band = score = None
    if direction == QUALITATIVE:
        band = band_name(ind.actual)
        if band is None and ind.score is not None and ind.weight > 0:
            share = ind.score / ind.weight  # the unit's own judgement: the band its score lies in
            band = next(
                (
                    b
                    for b, (lo, hi) in settings.bands.items()
                    if lo <= share <= hi and (share < hi or hi == 1)
                ),
                None,
            )
        score = ind.score
        if band is None:
            return "定性指标没有自评档次或得分，无法复核"
    actual = ind.actual
    try:
        return score_indicator(
            IndicatorActual(ind.level1, ind.level2, ind.name, target_text, actual, band=band, score=score),
            ind.weight,
            settings,
            index=index,
            year=year,
        )
    except EvaluationError as e:
        return e.message


# names of limits printed without a comparator: lower is better
_LOWER_NAME = re.compile(
    r"控制率|调整率|结余率|结转|变动率|差错率|发生率|事故|投诉率|超支|损失|违规|失误|"
    r"返工率|不合格率|空置率|滞留|逾期|误差"
)


def printed_number(v: Any) -> Decimal | None:
    """A number as a published table prints it (`10分`, `95%`, spaces): Decimal, or None if none."""
    if v is None:
        return None
    s = re.sub(r"[\s\u3000分%％]", "", str(v))
    try:
        return to_decimal(s) if s else None
    except ValueError:
        return None


def _column(row: Mapping[str, Any], *needles: str, avoid: tuple[str, ...] = ()) -> Any:
    for key, val in row.items():
        k = re.sub(r"\s", "", str(key))
        if any(n in k for n in needles) and not any(a in k for a in avoid):
            return val
    return None


def published_from_dict(data: Mapping[str, Any]) -> PublishedSelfEvaluation:
    """A published 自评表 from its extraction as JSON (`*.selfeval.json` of the field set: budget
    rows keyed by column header, indicators with target, actual, weight and score as printed)."""
    rows = (data.get("budget") or {}).get("rows") or {}
    first: Mapping[str, Any] = next(iter(rows.values()), {}) if rows else {}
    adjusted = printed_number(_column(first, "全年预算", "调整", "预算数(A)", "预算安排", avoid=("年初",)))
    if adjusted is None:
        adjusted = printed_number(_column(first, "预算数", avoid=("年初",)))
    executed = printed_number(_column(first, "执行数", "执行情况", "全年执行"))
    weight = printed_number(_column(first, "分值", "权重"))
    score = printed_number(_column(first, "得分"))
    inds = [
        PublishedIndicator(
            level1=r.get("level1"),
            level2=r.get("level2"),
            name=r.get("name"),
            target=str(r.get("target") or ""),
            actual=r.get("actual"),
            weight=printed_number(r.get("weight")),
            score=printed_number(r.get("score")),
            reason=r.get("deviation_reason"),
        )
        for r in data.get("indicators") or []
    ]
    return PublishedSelfEvaluation(
        indicators=inds,
        budget_adjusted=adjusted,
        budget_executed=executed,
        execution_weight=weight,
        execution_score=score,
        total_weight=printed_number(data.get("total_weight")),
        total_score=printed_number(data.get("total_score")),
        grade=data.get("grade"),
        year=data.get("year") if isinstance(data.get("year"), int) else None,
        project_name=data.get("project_name"),
        source=data.get("source"),
    )


def published_from_reading(table: SelfEvalTable) -> PublishedSelfEvaluation:
    """A published 自评表 read from its page (`jixiao.ingest.selfeval.read_selfeval`): the reading
    has the shape of the field set's `*.selfeval.json`."""
    return published_from_dict(table.to_dict())


def uncheckable_reason(e: ValueError | ArithmeticError) -> str:
    """Why `check_published` could not recompute a table, in Chinese: a number past the decimal
    context (`decimal.InvalidOperation`, e.g. an actual of 30 digits) says only
    `[<class 'decimal.InvalidOperation'>]`."""
    text = str(e)
    if isinstance(e, ArithmeticError) or not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "表中有超出计算范围（位数过多）或无法计算的数"
    return text


def render_check(table: PublishedSelfEvaluation, check: PublishedCheck) -> str:
    """The check of a published 自评表 as Chinese text: totals and grades side by side, then each
    difference with its reason."""
    name = table.project_name or table.source or "自评表"
    lines = [
        f"自评表复核：{name}",
        f"  总分：表中 {_fmt(check.printed_total) if check.printed_total is not None else '未列'}，"
        f"按方法 {_fmt(check.recomputed_total) if check.recomputed_total is not None else '—'}",
        f"  等级：表中 {check.printed_grade or '未列'}，按方法 {check.recomputed_grade or '—'}",
    ]
    if check.discrepancies:
        lines.append(f"  与方法不符 {len(check.discrepancies)} 处：")
        lines += [f"  - {d}" for d in check.discrepancies]
    else:
        lines.append("  各项得分与方法一致。")
    lines += [f"  （未复核）{s}" for s in check.skipped]
    return "\n".join(lines) + "\n"
