"""Indicator taxonomy (绩效指标体系): labels as printed → canonical categories.

Two frameworks are in use and both are accepted:

- older (most local disclosures): 产出指标 {数量, 质量, 时效, 成本}; 效益指标 (also printed 效果指标)
  {经济效益, 社会效益, 生态效益, 可持续影响}; 满意度指标 {服务对象满意度}.
- 2021 national guideline: 成本指标 is level 1 {经济成本, 社会成本, 生态环境成本}; 产出指标 {数量,
  质量, 时效}; 效益指标 {经济, 社会, 生态效益}; 满意度指标.

Labels are kept as printed; `canonical_levels` gives the canonical pair beside them.
"""

from __future__ import annotations

import re

OUTPUT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"
COST = "成本指标"
LEVEL1 = (OUTPUT, BENEFIT, SATISFACTION, COST)

QUANTITY = "数量指标"
QUALITY = "质量指标"
TIMELINESS = "时效指标"
ECONOMIC = "经济效益指标"
SOCIAL = "社会效益指标"
ECOLOGICAL = "生态效益指标"
SUSTAINABLE = "可持续影响指标"
SERVICE_SATISFACTION = "服务对象满意度指标"
ECONOMIC_COST = "经济成本指标"
SOCIAL_COST = "社会成本指标"
ECO_COST = "生态环境成本指标"

LEVEL2 = (
    QUANTITY,
    QUALITY,
    TIMELINESS,
    COST,
    ECONOMIC,
    SOCIAL,
    ECOLOGICAL,
    SUSTAINABLE,
    SERVICE_SATISFACTION,
    ECONOMIC_COST,
    SOCIAL_COST,
    ECO_COST,
)

_WS = re.compile(r"[\s\u3000]+")

# level-1 spellings seen in the field → canonical
_L1_ALIASES: dict[str, str] = {
    "产出指标": OUTPUT,
    "产出": OUTPUT,
    "项目完成指标": OUTPUT,
    "完成指标": OUTPUT,
    "产出值": OUTPUT,
    "效益指标": BENEFIT,
    "效果指标": BENEFIT,
    "效益": BENEFIT,
    "效果": BENEFIT,
    "项目效益指标": BENEFIT,
    "项目效果指标": BENEFIT,
    "满意度指标": SATISFACTION,
    "满意度": SATISFACTION,
    "成本指标": COST,
    "成本": COST,
}

# level-2 spellings → canonical (order matters: first match of a keyword wins)
_L2_KEYWORDS: list[tuple[str, str]] = [
    ("生态环境成本", ECO_COST),
    ("社会成本", SOCIAL_COST),
    ("经济成本", ECONOMIC_COST),
    ("成本", COST),
    ("数量", QUANTITY),
    ("质量", QUALITY),
    ("时效", TIMELINESS),
    ("进度", TIMELINESS),
    ("经济效益", ECONOMIC),
    ("社会效益", SOCIAL),
    ("生态效益", ECOLOGICAL),
    ("环境效益", ECOLOGICAL),
    ("可持续", SUSTAINABLE),
    ("满意度", SERVICE_SATISFACTION),
]

_L2_PARENT: dict[str, str] = {
    QUANTITY: OUTPUT,
    QUALITY: OUTPUT,
    TIMELINESS: OUTPUT,
    COST: OUTPUT,
    ECONOMIC: BENEFIT,
    SOCIAL: BENEFIT,
    ECOLOGICAL: BENEFIT,
    SUSTAINABLE: BENEFIT,
    SERVICE_SATISFACTION: SATISFACTION,
    ECONOMIC_COST: COST,
    SOCIAL_COST: COST,
    ECO_COST: COST,
}


def _clean(label: str | None) -> str:
    return _WS.sub("", label or "")


def canonical_level1(label: str | None) -> str | None:
    """效果指标 → 效益指标, 项目完成指标 → 产出指标, …; None when the label is unknown."""
    s = _clean(label)
    if not s:
        return None
    if s in _L1_ALIASES:
        return _L1_ALIASES[s]
    for key, canon in (
        ("满意", SATISFACTION),
        ("产出", OUTPUT),
        ("完成", OUTPUT),
        ("效益", BENEFIT),
        ("效果", BENEFIT),
        ("成本", COST),
    ):
        if key in s:
            return canon
    return None


def canonical_level2(label: str | None) -> str | None:
    s = _clean(label)
    if not s:
        return None
    if s in ("数量值",):
        return QUANTITY
    for key, canon in _L2_KEYWORDS:
        if key in s:
            return canon
    return None


def canonical_levels(level1: str | None, level2: str | None) -> tuple[str | None, str | None]:
    """Canonical (level1, level2). The level-2 label decides where level 1 is missing or odd
    (满意度 filed under 效益 stays 满意度; 成本 under 产出 is the older framework's cost)."""
    c1 = canonical_level1(level1)
    c2 = canonical_level2(level2)
    if c2 in (ECONOMIC_COST, SOCIAL_COST, ECO_COST):
        return COST, c2
    if c2 == COST and c1 == COST:
        return COST, ECONOMIC_COST
    if c2 == SERVICE_SATISFACTION:
        return SATISFACTION, c2
    if c1 is None and c2 is not None:
        c1 = _L2_PARENT.get(c2)
    return c1, c2


def is_level1_label(text: str | None) -> bool:
    s = _clean(text)
    return bool(s) and (s in _L1_ALIASES)


_L2_LABEL = re.compile(
    r"^(产出)?(数量|质量|时效|进度|成本|经济效益|社会效益|生态效益|环境效益|生态环境效益|可持续影响|"
    r"服务对象满意度|社会公众满意度|社会公众或服务对象满意度|满意度|经济成本|社会成本|生态环境成本|"
    r"经济|社会|生态|效益|效果)(指标|值)$"
)


def is_level2_label(text: str | None) -> bool:
    """A 二级指标 label as tables print it (数量指标, 社会效益指标, 服务对象满意度指标 …)."""
    s = _clean(text)
    return bool(s) and bool(_L2_LABEL.match(s)) and s not in _L1_ALIASES
