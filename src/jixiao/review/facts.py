"""Facts computed once per indicator and per project, so that rules are cheap attribute checks.

Nothing here mutates the model: facts hold references to the model objects and derived values.
Every regular expression is compiled once at import; value parsing and taxonomy lookups are
memoised (the same 指标值 and level labels recur across projects and disclosures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao import taxonomy as tx
from jixiao.model import Disclosure, Indicator, Project, TargetValue
from jixiao.values import is_duration, is_money, parse_value, wan_yuan

# indicator categories used to dispatch indicator-scope rules
QUANTITY, QUALITY, TIMELINESS, COST = "quantity", "quality", "timeliness", "cost"
ECONOMIC, SOCIAL, ECOLOGICAL, SUSTAINABLE = "economic", "social", "ecological", "sustainable"
OUTPUT_OTHER, BENEFIT_OTHER, SATISFACTION, UNKNOWN = "output", "benefit", "satisfaction", "unknown"
OUTPUT_CATS = (QUANTITY, QUALITY, TIMELINESS)
MEASURED_CATS = (QUANTITY, QUALITY, TIMELINESS, COST)
BENEFIT_CATS = (ECONOMIC, SOCIAL, ECOLOGICAL, SUSTAINABLE, BENEFIT_OTHER)
ALL_CATS = (*MEASURED_CATS, *BENEFIT_CATS, OUTPUT_OTHER, SATISFACTION, UNKNOWN)

CATEGORY_ZH = {
    QUANTITY: "数量指标",
    QUALITY: "质量指标",
    TIMELINESS: "时效指标",
    COST: "成本指标",
    ECONOMIC: "经济效益指标",
    SOCIAL: "社会效益指标",
    ECOLOGICAL: "生态效益指标",
    SUSTAINABLE: "可持续影响指标",
    OUTPUT_OTHER: "产出指标",
    BENEFIT_OTHER: "效益指标",
    SATISFACTION: "满意度指标",
    UNKNOWN: "未归类指标",
}

_L2_CATEGORY = {
    tx.QUANTITY: QUANTITY,
    tx.QUALITY: QUALITY,
    tx.TIMELINESS: TIMELINESS,
    tx.COST: COST,
    tx.ECONOMIC_COST: COST,
    tx.SOCIAL_COST: COST,
    tx.ECO_COST: COST,
    tx.ECONOMIC: ECONOMIC,
    tx.SOCIAL: SOCIAL,
    tx.ECOLOGICAL: ECOLOGICAL,
    tx.SUSTAINABLE: SUSTAINABLE,
    tx.SERVICE_SATISFACTION: SATISFACTION,
}
_L1_CATEGORY = {
    tx.OUTPUT: OUTPUT_OTHER,
    tx.BENEFIT: BENEFIT_OTHER,
    tx.SATISFACTION: SATISFACTION,
    tx.COST: COST,
}

_WS = re.compile(r"[\s\u3000]+")
# short parenthesised annotations in names: （%） (%) （辆） （含标识）
_PAREN = re.compile(r"[（(][^（()）]{0,6}[)）]")
_DESC_PREFIX = re.compile(r"^(?:反映|考察|体现|衡量|用于反映|主要反映|指)")
_DESC_SUFFIX = re.compile(r"(?:的)?(?:情况|程度|水平)?$")

# 率 that is a rate (完成率, 合格率, 满意率 …) — not 效率, 频率, 功率, 速率, 汇率, nor 率先
RATE_NAME = re.compile(r"(?<![效频功速汇])率(?!先)")
COUNT_NAME = re.compile(
    r"(?:数量|数目|次数|批次数?|户数|人数|个数|件数|台件数|台/件数|台数|份数|频次|场次|人次|家数|项数|"
    r"条数|篇数|期数|册数|套数|部数|辆数|处数|面积|长度|里程)$"
)
PER_ITEM_NAME = re.compile(r"单个|单位|每|人均|户均|平均|单价|单次|单批|标准$|额度$")
SATISFACTION_NAME = re.compile(r"满意")
TIME_EXPR = re.compile(
    r"\d+\s*(?:日|号|月|年|天|小时|个?工作日|周|分钟)|月底|月末|月初|上旬|中旬|下旬|季度|每月|每周|每季|"
    r"每年|年底|年末|年内|年度内|当天|当日"
)
VAGUE = re.compile(
    r"提升|提高|日益|持续|明显|逐步|有所|增强|强化|向好|改善|扩大|促进|加强|良好|较好|显著|进一步|"
    r"不断|稳步|一定|长期|长远|有效|积极|稳定|优化|加大|深入|推进|上升|下降|完善|规范|保障|按要求|按规定|"
    r"增加岗位|带动就业"
)
HEDGE = re.compile(r"预计|预期|约|左右|大概|大约|力争|争取|估计|上下")
PLACEHOLDERS = frozenset(
    {
        "是/否",
        "是／否",
        "是或否",
        "是、否",
        "是否",
        "文字描述",
        "定性描述",
        "定性",
        "定量",
        "指标值",
        "XX",
        "xx",
        "××",
        "**",
        "***",
    }
)
# a cell that only says "nothing here"
EMPTY_MARKERS = frozenset({"", "-", "—", "——", "/", "／", "…", "……"})

PERCENT_UNITS = frozenset({"%", "％", "‰", "百分比", "百分数", "百分点"})


_PUNCT_CHARS = "，。、；;：:！!？?,.“”\"'‘’《》〈〉<>【】[]·-—_/\\%％…"
# one character class, not str.translate: translate looks every character of a Chinese text up in a
# dict (about 4× slower than the regex engine on the names, goals and purposes reviewed)
_PUNCT = re.compile("[" + re.escape(_PUNCT_CHARS) + "]")


def squash(text: str | None) -> str:
    """The text without any whitespace (the comparison the truth files use)."""
    return "".join(text.split()) if text else ""


def name_key(text: str | None) -> str:
    """A name for comparison: no whitespace, punctuation or short parenthesised annotations."""
    if not text:
        return ""
    s = "".join(text.split())
    if "(" in s or "（" in s:
        s = _PAREN.sub("", s)
    return _PUNCT.sub("", s)


# 反映 / 考察 / 用于反映 … before a name and 的情况 after it are still only the name
_WRAP_MAX = 7


_REPEATS_CACHE: dict[tuple[str, str], bool] = {}


def repeats(description: str | None, name: str | None) -> bool:
    """Does the description only repeat the name (反映/考察 … 情况 around it at most)? Memoised."""
    if not description or not name:
        return False
    got = _REPEATS_CACHE.get((description, name))
    if got is None:
        got = _repeats(description, name)
        if len(_REPEATS_CACHE) >= _CACHE_LIMIT:
            _REPEATS_CACHE.clear()
        _REPEATS_CACHE[(description, name)] = got
    return got


def _repeats(description: str, name: str) -> bool:
    # the name's key as name_facts keeps it (an indicator's name: found, not recomputed); names
    # name_facts blanks (「0」「—」) keep their own key
    squashed, n, *_ = name_facts(name)
    if not squashed:
        n = name_key(name)
    if not n or len(description) > 3 * len(n) + 2 * _WRAP_MAX:
        return False
    d = name_key(description)
    if not d or len(d) > len(n) + _WRAP_MAX:
        return False
    if d == n:
        return True
    d2 = _DESC_SUFFIX.sub("", _DESC_PREFIX.sub("", d)).removeprefix("对")
    n2 = _DESC_SUFFIX.sub("", n)
    if d2 in (n, n2):
        return True
    # wrappers: 合格率 → 合格情况, 检查户数 → 检查户数量
    if n.endswith("率") and d2 and (n[:-1] == d2 or n[:-1] + "率" == d2):
        return True
    if n.endswith("数") and d2 == n + "量":
        return True
    # near-repeats: one is the other with one short word more or less (接96365应急处置率 ↔
    # 96365应急处置率, 购买各类证照文书张数 ↔ 各类证照文书张数)
    short, long_ = sorted((d2, n), key=len)
    if len(short) < 4 or len(long_) - len(short) > 2 or short not in long_:
        return False
    return not any(ch.isdigit() for ch in long_.replace(short, "", 1))  # 「1项国家试点」: JX506


def to_decimal(v: Any) -> Decimal | None:
    if isinstance(v, Decimal):
        return v
    if isinstance(v, bool) or v is None:
        return None
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def percent_of(text: str | None) -> Decimal | None:
    """'25%' / '25％' / '25' → 25; anything else None."""
    s = squash(text).rstrip("%％")
    if s.endswith("百分比"):
        s = s[:-3]
    try:
        return Decimal(s)
    except (InvalidOperation, ValueError):
        return None


_VALUE_CACHE: dict[tuple[str, int | None, str | None], TargetValue] = {}
Levels = tuple[str | None, str | None, str | None, str | None, str]
_LEVEL_CACHE: dict[tuple[str | None, str | None], Levels] = {}
_CACHE_LIMIT = 200_000


def parsed(value: str, year: int | None, context: str | None = None) -> TargetValue:
    """parse_value, memoised: the same 指标值 texts recur across projects and disclosures.
    The result is shared and must not be mutated."""
    key = (value, year, context)
    tv = _VALUE_CACHE.get(key)
    if tv is None:
        tv = parse_value(value, year=year, context=context)
        if len(_VALUE_CACHE) >= _CACHE_LIMIT:
            _VALUE_CACHE.clear()
        _VALUE_CACHE[key] = tv
    return tv


def levels(level1: str | None, level2: str | None) -> Levels:
    """(canonical l1, canonical l2, l1 read alone, l2 read alone, category), memoised."""
    key = (level1, level2)
    got = _LEVEL_CACHE.get(key)
    if got is None:
        c1, c2 = tx.canonical_levels(level1, level2)
        r1, r2 = tx.canonical_level1(level1), tx.canonical_level2(level2)
        if c1 == tx.COST or c2 in (tx.COST, tx.ECONOMIC_COST, tx.SOCIAL_COST, tx.ECO_COST):
            cat = COST
        else:
            cat = _L2_CATEGORY.get(c2 or "") or _L1_CATEGORY.get(c1 or "") or UNKNOWN
        got = (c1, c2, r1, r2, cat)
        if len(_LEVEL_CACHE) >= _CACHE_LIMIT:
            _LEVEL_CACHE.clear()
        _LEVEL_CACHE[key] = got
    return got


@dataclass(slots=True)
class IndicatorFacts:
    index: int
    ind: Indicator
    name: str  # as printed, whitespace removed
    key: str  # name for comparison
    value: str  # 指标值 as printed, whitespace removed
    target: TargetValue
    l1: str | None
    l2: str | None
    l1_read: str | None  # the level-1 label read on its own (before the level-2 label decides)
    l2_read: str | None
    category: str
    is_rate: bool
    is_count: bool
    is_per_item: bool
    money: bool  # the value is an amount of money (万元, 元, 元/批次 …)
    per_unit_money: bool  # money per something (元/批次, 元/人)
    duration: bool
    percent: bool
    number: bool  # kind number (a count, amount or measure with a unit)
    placeholder: bool

    @property
    def label(self) -> str:
        return self.ind.name or self.name or f"第{self.index + 1}个指标"

    def money_wan(self) -> Decimal | None:
        """The value in 万元 when it is a whole amount of money (not per unit, not a range)."""
        return wan_yuan(self.target)


@dataclass
class ProjectFacts:
    project: Project
    index: int
    indicators: list[IndicatorFacts]
    level1s: frozenset[str]
    categories: frozenset[str]
    by_category: dict[str, list[IndicatorFacts]]
    has_basis_column: bool
    name_keys: frozenset[str]
    unit_key: str
    label_key: str

    @property
    def label(self) -> str:
        return self.project.name or self.project.title or f"第{self.project.seq}个项目"


@dataclass
class DocumentFacts:
    doc: Disclosure
    projects: list[ProjectFacts] = field(default_factory=list)


NameFacts = tuple[str, str, bool, bool, bool]
ValueFacts = tuple[str, TargetValue, bool, bool, bool, bool]
_NAME_CACHE: dict[str | None, NameFacts] = {}
_VFACT_CACHE: dict[tuple[str | None, int | None, str | None, str | None, str | None], ValueFacts] = {}


_FILLER_NAME = re.compile(r"[\d.\-—/、]*")


def name_facts(raw: str | None) -> NameFacts:
    """(name squashed, comparison key, is a rate, is a count, is per item), memoised."""
    got = _NAME_CACHE.get(raw)
    if got is None:
        name = squash(raw)
        if _FILLER_NAME.fullmatch(name):
            name = ""  # 「0」「—」: an empty row of the form printed with zeros, no name
        key = name_key(name)
        is_rate = bool(RATE_NAME.search(name))
        is_count = not is_rate and bool(COUNT_NAME.search(key))
        got = (name, key, is_rate, is_count, bool(PER_ITEM_NAME.search(name)))
        if len(_NAME_CACHE) >= _CACHE_LIMIT:
            _NAME_CACHE.clear()
        _NAME_CACHE[raw] = got
    return got


# 指标性质 cells that are comparators (tables with a separate column for it)
_NATURE_OPS = frozenset(
    {
        "≥",
        "≤",
        ">",
        "<",
        "=",
        "＞",
        "＜",
        "＝",
        "≧",
        "≦",
        ">=",
        "<=",
        "大于等于",
        "小于等于",
        "等于",
        "大于",
        "小于",
        "不低于",
        "不高于",
        "不少于",
        "不多于",
        "不超过",
        "达到",
    }
)
_BARE_NUMBER = re.compile(r"[≥≤><=＞＜＝]*\d+(?:\.\d+)?")
_LEADING_OP = re.compile(r"[≥≤><=＞＜＝≧≦]|不低于|不高于|不少于|不多于|不超过|达到|大于|小于|等于")


def effective_value(value: str | None, nature: str | None = None, measure_unit: str | None = None) -> str:
    """The 指标值 as one text: tables with separate 指标性质 and 度量单位 columns print
    "≥" | "650" | "批次"; this gives "≥650批次" (whitespace removed)."""
    v = squash(value)
    if not v:
        return v
    n, u = squash(nature), squash(measure_unit)
    if n in _NATURE_OPS and not _LEADING_OP.match(v):
        v = n + v
    if u and _BARE_NUMBER.fullmatch(v):
        v = v + u
    return v


def value_facts(
    raw: str | None,
    year: int | None,
    nature: str | None = None,
    measure_unit: str | None = None,
    context: str | None = None,
) -> ValueFacts:
    """(value as one text, parsed target, money, money per unit, duration, placeholder), memoised.
    `context` "money" for a cost indicator: a bare 万 after a number is 万元 there."""
    key = (raw, year, nature, measure_unit, context)
    got = _VFACT_CACHE.get(key)
    if got is None:
        value = effective_value(raw, nature, measure_unit)
        tv = parsed(value, year, context)
        unit = tv.unit or ""
        money = is_money(tv)
        got = (
            value,
            tv,
            money,
            money and ("/" in unit or "／" in unit),
            is_duration(tv),
            value in PLACEHOLDERS or (tv.kind == "boolean" and tv.value is None),
        )
        if len(_VFACT_CACHE) >= _CACHE_LIMIT:
            _VFACT_CACHE.clear()
        _VFACT_CACHE[key] = got
    return got


_RULE_CACHES: list[dict[Any, Any]] = []


def rule_cache() -> dict[Any, Any]:
    """A dict for a rule to memoise what it reads of short recurring texts (bounded by the rule:
    cleared at `CACHE_LIMIT` entries), forgotten by `clear_caches` with the others."""
    got: dict[Any, Any] = {}
    _RULE_CACHES.append(got)
    return got


CACHE_LIMIT = _CACHE_LIMIT


def clear_caches() -> None:
    """Forget memoised texts (for benchmarks of the cold path)."""
    caches: list[dict[Any, Any]] = [
        _VALUE_CACHE,
        _LEVEL_CACHE,
        _NAME_CACHE,
        _VFACT_CACHE,
        _REPEATS_CACHE,
        _ROW_CACHE,
    ]
    for c in caches + _RULE_CACHES:
        c.clear()


# IndicatorFacts less its index and indicator, by what decides them: the same rows recur across
# projects and disclosures, and one lookup is cheaper than the three below. Fewer kept than the
# caches below it (each entry holds a whole row): a miss costs those three lookups, not a parse
_ROW_LIMIT = 50_000
_RowKey = tuple[str | None, str | None, str | None, str | None, str | None, str | None, int | None]
_ROW_CACHE: dict[_RowKey, tuple[Any, ...]] = {}


def indicator_facts(ind: Indicator, index: int, year: int | None) -> IndicatorFacts:
    rk = (ind.level1, ind.level2, ind.value, ind.nature, ind.measure_unit, ind.name, year)
    row = _ROW_CACHE.get(rk)
    if row is None:
        row = _row_facts(ind, year)
        if len(_ROW_CACHE) >= _ROW_LIMIT:
            _ROW_CACHE.clear()
        _ROW_CACHE[rk] = row
    return IndicatorFacts(index, ind, *row)


def _row_facts(ind: Indicator, year: int | None) -> tuple[Any, ...]:
    c1, c2, r1, r2, cat = levels(ind.level1, ind.level2)
    value, tv, money, per_unit, duration, placeholder = value_facts(
        ind.value, year, ind.nature, ind.measure_unit, "money" if cat == COST else None
    )
    name, key, is_rate, is_count, per_item = name_facts(ind.name)
    kind = tv.kind
    return (
        name,
        key,
        value,
        tv,
        c1,
        c2,
        r1,
        r2,
        cat,
        is_rate,
        is_count,
        per_item,
        money,
        per_unit,
        duration,
        kind == "percent",
        kind == "number",
        placeholder,
    )


def project_facts(p: Project, index: int, doc: Disclosure) -> ProjectFacts:
    year = doc.year
    facts = [indicator_facts(ind, i, year) for i, ind in enumerate(p.indicators)]
    by_cat: dict[str, list[IndicatorFacts]] = {}
    for f in facts:
        by_cat.setdefault(f.category, []).append(f)
    l1s = frozenset(f.l1 for f in facts if f.l1)
    return ProjectFacts(
        project=p,
        index=index,
        indicators=facts,
        level1s=l1s,
        categories=frozenset(by_cat),
        by_category=by_cat,
        has_basis_column=any(ind.basis for ind in p.indicators),
        name_keys=frozenset(f.key for f in facts if f.key),
        unit_key=squash(p.unit_name) or squash(p.unit_code) or squash(doc.unit_name) or squash(doc.unit_code),
        label_key=name_key(p.name or p.title),
    )


def document_facts(doc: Disclosure) -> DocumentFacts:
    return DocumentFacts(doc=doc, projects=[project_facts(p, i, doc) for i, p in enumerate(doc.projects)])


@dataclass
class Context:
    """What rules may consult besides the facts: thresholds, the budget year, last year's actuals."""

    t: dict[str, Any]
    doc: Disclosure
    year: int | None = None
    history: Any = None  # jixiao.review.history.History | None
