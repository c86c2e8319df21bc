"""指标值 parser: turn the printed target value of an indicator into a `TargetValue`.

The grammar follows PRODUCT.md ("指标值 grammar"). A value is read in this order:

1. normalise (never touching `raw`): every whitespace character is dropped, full-width ASCII
   (`０-９ ％ ＞ ＜ ＝ ． ～ －`) becomes ASCII, `≧ ≦ ⩾ ⩽` become `≥ ≤`;
2. boolean: `是`, `否`; the unfilled placeholder `是/否` (or `是或否`) has no value;
3. hedges (预计, 预期, 约, 大约, 大概, 估计, 预估, 力争, 争取, 近 at the start; 左右, 上下 at the end)
   set `approx` and are removed;
4. a leading comparator (symbols `≥ ≤ > < =`, `>=`, `<=`; words such as 不低于, 不超过, 达到, 超过)
   or a trailing one (以上 → `>=`; 以下, 以内, 之内, 内 → `<=`);
5. dates (deadlines): `2024年12月31日前`, `2024年底前`, `12月底`, `≤3月份前`, `年度内`, `2024年12月`,
   `2024-12-31` → kind `date`, ISO string, op `<=` (`>=` for 之后/以后/起 or a `≥`/`>`);
6. percent (`%`, `百分比`, `百分数`, `百分之…`; `‰` and `百分点` keep their own unit), ranges
   (`1-2批次`, `1～2`, `1至2`), and numbers with a unit and an optional leading scale
   (万, 亿, 百万, 千万, 万亿; 千 only in 千元);
7. a sentence ending in an explicit comparator and a quantity (`…检验量达到每年4份/千人`), or an
   indicator name printed before its value (`合格率100%`, `满意度为95%`), yields that quantity;
   anything else is kind `text` (qualitative).

Decisions on ambiguous forms (documented so the review, monitor and evaluate modules can rely on
them):

- A date means "by then": a month alone is its last day, 上旬/月初 the 10th, 中旬 the 20th, 月中 the
  15th, 下旬/月底/月末 the last day; 年底/年末/年度内/年内/当年 and a year alone (`2021年`) are Dec 31;
  上半年 is Jun 30, a quarter its last day. `前` (before) is read as "by" (`<=`), as units write it.
- A date without a year takes `year`; with no year known the kind stays `date` and `value` is None.
- A recurring deadline (`每月25日前缴纳`, `每月月底前发放`, `2024年每月中旬`) is kind `date`, op `<=`,
  `value` None and `unit` the period (`每月`, `每季度`, `每周`): it is a time limit (so a 时效
  indicator holding it is measurable), but no single date can be scored against it. `每年` +
  month within one budget year is one date.
- A 4-digit year 1900–2100 followed by 年 is a date; any other number + 年 is a duration (`≥1年`).
  `N月` (1–12, no 个) is a month, `N个月` a duration; `N日`/`N天` without a month is a duration.
- Durations (`≤90天`, `24小时/天`, `20个工作日内`, `≥1年`) are kind `number` with their time unit;
  `unit_category` tells them apart.
- `base_value`/`base_unit` are filled for every number and percent: equal to value/unit when there
  is no scale, so callers can always compare `base_value` (`≤4030元/人` → 4030 元/人,
  `≤0.5万元` → 5000 元). A 万 in a denominator is not a scale (`5.5件/万人`).
- A parenthetical or a sentence after the quantity is a note and not part of the unit
  (`15处（场所）` → 15 处; `≥2000个。（电动车电池…）` → 2000 个).
- Chinese numerals count only as a whole value or before a classifier (`零`, `三次`, `两个`), never
  inside words (`一般`, `十分满意` stay text).
- A leading comparator word before prose (`不低于上年水平`) keeps its `op` on a kind `text` value.
- 次年/下年/明年 is the year after `year` (`次年3月底前`); `1-12月` is the end of the last month.
- A frequency names its period in the unit: `每年1次` → 1 `次/年`, as the printed form `1次/年`.
- A verb after the quantity is not part of the unit (`24小时响应` → 24 小时, `100%完成` → 100 %).
- A change against last year (`较上年增长5%`, `提高2个百分点`) stays kind `text`: `TargetValue` has
  no way to say that the number is a change rather than a level.
- `2024.12` is a number (a month needs `2024-12`, `2024/12` or `2024年12月`).
- Two bounds of one quantity (`≥95%且≤100%`, `不低于80%，不高于90%`) are a range; bounds that do not
  fit (different units, low above high) leave the value as text rather than keep half of it.
- A period between two months of a year (`2023.07-2024.01`, `2024年3月-2024年6月`, `2023/07～2024/01`)
  is not a numeric range: kind `date`, op `<=`, `value` the last day of the period (its deadline),
  `unit` `期间` (the raw text keeps the start). A period that runs past the budget year is then
  caught like any deadline outside it.
- Context: `parse_value(text, context="money")` reads the value as printed in a money cell (a cost
  indicator, an amount column): a bare 万/亿 after a number is 万元/亿元 there (`250万` → 250 万元,
  base 2500000 元). Without context 万 stays a scale of whatever unit follows (`10万` → 10 万).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from jixiao.numbers import json_number

__all__ = [
    "TargetValue",
    "is_duration",
    "is_money",
    "normalize_value_text",
    "parse_value",
    "unit_category",
    "value_category",
    "wan_yuan",
]


TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up of `jixiao value`)
if TYPE_CHECKING:
    from typing import Any, Literal

    Kind = Literal["number", "percent", "date", "boolean", "text"]
    """What a 指标值 states: a number, a percentage, a date (时限), 是/否, or text (定性)."""
    Comparator = Literal[">=", "<=", ">", "<", "=", "range"]
    """How the value binds: at least, at most, above, below, exactly, or a range (value to high)."""


@dataclass
class TargetValue:
    """指标值 parsed: comparator + number(s) + unit + kind. The raw text is always kept.

    kind: number | percent | date | boolean | text
    op: ">=", "<=", ">", "<", "=", "range" or None
    value: the number (Decimal), the ISO date string (kind date), True/False (kind boolean), or None
    high: upper bound of a range
    unit: the unit as printed after the number (万元, 批次, %, 元/批次 ...)
    base_value / base_unit: the value with a leading 万/亿 scale folded in (10.59万台件 → 105900 台件)
    approx: a hedge such as 预计, 约, 左右 was present
    """

    raw: str
    kind: Kind = "text"
    op: Comparator | None = None
    value: Decimal | str | bool | None = None
    high: Decimal | None = None
    unit: str | None = None
    base_value: Decimal | None = None
    base_unit: str | None = None
    approx: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "kind": self.kind,
            "op": self.op,
            "value": json_number(self.value),
            "high": json_number(self.high),
            "unit": self.unit,
            "base_value": json_number(self.base_value),
            "base_unit": self.base_unit,
            "approx": self.approx,
        }


class _LazyPattern:
    """A regular expression compiled when first used. `jixiao value` meets a few of the grammar's
    patterns; compiling all of them at import took ~6 ms of its start-up."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> object:
        compiled = re.compile(*self._source)
        for method in ("match", "fullmatch", "search", "sub", "split", "findall", "finditer"):
            setattr(self, method, getattr(compiled, method))  # later calls find them directly
        return getattr(compiled, name)


def _lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return _LazyPattern(pattern, flags)  # type: ignore[return-value]


def _month_days(year: int, month: int) -> int:
    """The number of days in a month (`calendar.monthrange(...)[1]` without importing calendar,
    which imports locale: start-up time)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


# ---------------------------------------------------------------------------------------------
# normalisation

_TRANSLATE: dict[int, int | str] = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII
_TRANSLATE.update(
    {
        0x2267: "≥",  # ≧
        0x2266: "≤",  # ≦
        0x2A7E: "≥",  # ⩾
        0x2A7D: "≤",  # ⩽
        0xFE6A: "%",  # ﹪ small percent
        0x301C: "~",  # 〜 wave dash
        0x2014: "-",  # — em dash
        0x2013: "-",  # – en dash
        0x2212: "-",  # − minus sign
        0x3002: "。",
    }
)
_SPACE_RE = _lazy(r"\s+", re.UNICODE)
# a character `_TRANSLATE` maps: most values print none (translating costs ~0.1 µs a character anyway)
_TRANSLATED = _lazy("[" + "".join(re.escape(chr(c)) for c in _TRANSLATE) + "]")
_TRAIL_PUNCT = "。.,，;；:：!！、"


def normalize_value_text(text: str) -> str:
    """Normalise a 指标值 for matching: drop all whitespace, fold full-width ASCII to ASCII.

    `≧ ≦` become `≥ ≤`; `～ 〜 — –` become `~ -`. Chinese characters are left as they are.
    """
    return _SPACE_RE.sub("", text.translate(_TRANSLATE) if _TRANSLATED.search(text) is not None else text)


# ---------------------------------------------------------------------------------------------
# vocabulary

_OP_SYMBOLS: list[tuple[str, Comparator]] = [
    ("≥=", ">="),
    ("≤=", "<="),
    (">=", ">="),
    ("=>", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≥", ">="),
    ("≤", "<="),
    ("==", "="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
]
_OP_WORDS: dict[str, Comparator] = {
    "大于或等于": ">=",
    "大于等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "不短于": ">=",
    "至少": ">=",
    "最少": ">=",
    "最低": ">=",
    "达到": ">=",
    "达": ">=",
    "小于或等于": "<=",
    "小于等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不超出": "<=",
    "不大于": "<=",
    "不多于": "<=",
    "不长于": "<=",
    "不晚于": "<=",
    "至多": "<=",
    "最多": "<=",
    "最高": "<=",
    "控制在": "<=",
    "超过": ">",
    "高于": ">",
    "大于": ">",
    "多于": ">",
    "低于": "<",
    "小于": "<",
    "少于": "<",
    "等于": "=",
}
# words that are comparators only before a number (达标, 最高人民法院, 至少要 are not)
_OP_WORDS_BEFORE_NUMBER_ONLY = {"达", "最高", "最低", "最多", "最少", "至少", "至多"}
_OP_WORDS_BY_LENGTH = sorted(_OP_WORDS, key=len, reverse=True)
_OP_WORD_RE = _lazy("|".join(map(re.escape, _OP_WORDS_BY_LENGTH)))

# trailing comparators, longest first
_OP_SUFFIXES: list[tuple[str, Comparator]] = [
    ("及以上", ">="),
    ("或以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("或以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
]
_SUFFIX_ALT = "|".join(re.escape(s) for s, _ in _OP_SUFFIXES)
_SUFFIX_OP = dict(_OP_SUFFIXES)

_HEDGE_PREFIXES = ("大约", "大概", "预计", "预期", "估计", "预估", "力争", "争取", "约", "近")
_HEDGE_SUFFIXES = ("左右", "上下")
# words that may stand before a quantity without changing it ("完成3次", "累计100家")
_LEAD_WORDS = (
    "确保",
    "保证",
    "实现",
    "完成",
    "累计",
    "共计",
    "合计",
    "总计",
    "共",
    "全年",
    "年均",
    "涉及",
    "覆盖",
    "开展",
    "新增",
)

_SCALES: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,  # only in 千元, see _SCALE_RE
}
_SCALE_RE = _lazy(r"^(万亿|千万|百万|亿|万|千(?=元))")

_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUM_RE = _lazy(_NUM)

_PERCENT_UNITS = ("个百分点", "百分点", "百分比", "百分数", "%", "‰")
_PERCENT_ALT = "|".join(re.escape(u) for u in _PERCENT_UNITS)

# a unit: no digits, no note-opening punctuation
_UNIT_CHARS = r"[^\d。；;，,（(【\[<>≥≤=~～]"
_NOTE = r"(?:[。；;，,（(【\[].*)?"

_MONEY_UNITS = {"元", "万元", "亿元", "千元", "百万元", "千万元", "万亿元"}
_DURATION_UNITS = {
    "天",
    "日",
    "小时",
    "分钟",
    "秒",
    "周",
    "星期",
    "月",
    "个月",
    "年",
    "工作日",
    "个工作日",
    "自然日",
    "季度",
    "个季度",
}
_CLASSIFIERS = (
    "个工作日",
    "工作日",
    "批次",
    "人次",
    "户次",
    "家次",
    "个月",
    "小时",
    "次",
    "个",
    "件",
    "项",
    "家",
    "户",
    "人",
    "批",
    "起",
    "例",
    "份",
    "台",
    "辆",
    "座",
    "所",
    "处",
    "名",
    "篇",
    "期",
    "场",
    "轮",
    "套",
    "部",
    "本",
    "张",
    "条",
    "种",
    "类",
    "天",
    "年",
    "周",
    "日",
    "章",
    "册",
    "组",
    "支",
    "队",
    "块",
    "间",
    "栋",
    "宗",
    "单",
)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = r"[零〇一二两三四五六七八九十百千]+"


def _cn_int(s: str) -> int | None:
    """A Chinese numeral below 10,000 (`十二`, `两百`, `一千零五`) as int, else None."""
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # "二三" is not a number
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            last_unit = unit
            digit = None
    if digit:
        total += digit
    return total


# ---------------------------------------------------------------------------------------------
# public helpers


def unit_category(unit: str | None) -> str:
    """The category of a unit as printed: "money", "duration", "percent" or "count".

    money: 元, 万元, 亿元, 千元 (also per-unit amounts such as 元/人, 万元/批次 — the numerator
    decides); duration: 天, 日, 小时, 分钟, 周, 月/个月, 年, (个)工作日, 季度 (also 小时/天);
    percent: %, 百分比, 百分数, 百分点, ‰; everything else (件, 批次, 人次, 平方米, or no unit) is
    "count".
    """
    if not unit:
        return "count"
    u = normalize_value_text(unit)
    if u in _PERCENT_UNITS:
        return "percent"
    numerator = u.split("/", 1)[0]
    if numerator in _MONEY_UNITS or numerator.endswith("元"):
        return "money"
    bare = _SCALE_RE.sub("", numerator)
    if bare in _DURATION_UNITS or bare.removeprefix("个") in _DURATION_UNITS:
        return "duration"
    return "count"


def value_category(value: TargetValue) -> str:
    """What a parsed 指标值 measures: "money", "duration", "percent", "count" (numbers, by their
    unit), or the kind itself for "date", "boolean" and "text"."""
    if value.kind == "number":
        return unit_category(value.unit)
    if value.kind == "percent":
        return "percent"
    return value.kind


def is_money(value: TargetValue) -> bool:
    """True for a money amount (元/万元/亿元, also per-unit amounts such as 元/人)."""
    return value.kind == "number" and value.value is not None and unit_category(value.unit) == "money"


def is_duration(value: TargetValue) -> bool:
    """True for a time span (≤90天, 24小时/天, 20个工作日内) — not a calendar date."""
    return value.kind == "number" and value.value is not None and unit_category(value.unit) == "duration"


def wan_yuan(value: TargetValue) -> Decimal | None:
    """A total money amount in 万元 (the unit of 预算数), or None.

    Only for plain amounts (元, 千元, 万元, 亿元 …): a per-unit cost such as 元/人 is not a total
    and gives None, as does a range or anything that is not money.
    """
    if not is_money(value) or value.op == "range" or value.base_value is None:
        return None
    if value.base_unit != "元":
        return None
    return value.base_value / Decimal(10_000)


# ---------------------------------------------------------------------------------------------
# parser


@dataclass
class _Parts:
    """Working state: the normalised text with hedges and comparators taken off."""

    text: str
    op: Comparator | None = None
    approx: bool = False


CONTEXTS = ("money",)


def parse_value(text: str, year: int | None = None, *, context: str | None = None) -> TargetValue:
    """Parse a printed 指标值 into a `TargetValue` (see the module docstring for the grammar).

    `year` is the budget year; it supplies the year of a date printed without one (`12月底`).
    `context` says what the cell holds when the table says so: "money" (a cost indicator, an amount
    column) reads a bare 万 after a number as 万元. Never raises: anything that is not recognised is
    kind "text" with the raw text kept. Each call returns a new object (results are memoised, the
    copies are not shared).
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > 200:
        return _in_context(_parse(text, year), context)
    return replace(_parse_memo(text, year, context))


@lru_cache(maxsize=8192)
def _parse_memo(text: str, year: int | None, context: str | None = None) -> TargetValue:
    return _in_context(_parse(text, year), context)


_BARE_SCALE_UNITS = {"万": "万元", "亿": "亿元", "千万": "千万元", "百万": "百万元", "万亿": "万亿元"}


def _in_context(tv: TargetValue, context: str | None) -> TargetValue:
    """A bare scale after a number in a money cell is an amount: 250万 → 250 万元 (base 元)."""
    if context != "money" or tv.kind != "number" or tv.unit not in _BARE_SCALE_UNITS:
        return tv
    unit = _BARE_SCALE_UNITS[tv.unit]
    return replace(tv, unit=unit, base_unit="元")


def _parse(text: str, year: int | None) -> TargetValue:
    raw = text
    s = normalize_value_text(text).rstrip(_TRAIL_PUNCT).lstrip("。,;:!、")
    if not s:
        return TargetValue(raw=raw)

    boolean = _parse_boolean(s)
    if boolean is not None:
        return TargetValue(raw=raw, kind="boolean", value=boolean[0])

    compound = _parse_compound(s, year)
    if compound is not None:
        compound.raw = raw
        return compound

    parts = _strip_hedges_and_op(s)
    result = (
        _parse_period(parts)
        or _parse_date(parts, year)
        or _parse_percent_words(parts)
        or _parse_range(parts)
        or _parse_quantity(parts)
        or _parse_embedded(parts)
    )
    if result is None:
        result = TargetValue(raw=raw, kind="text", op=parts.op if parts.op != "=" else None)
    result.raw = raw
    result.approx = result.approx or parts.approx
    return result


_COMPOUND_SPLIT = _lazy(r"且|并且|而且|同时|,|;|、")


def _parse_compound(s: str, year: int | None) -> TargetValue | None:
    """Two bounds of one quantity (`≥95%且≤100%`, `不低于80%，不高于90%`) make a range."""
    m = _COMPOUND_SPLIT.search(s)
    if not m or m.start() == 0 or _COMPOUND_SPLIT.search(s, m.end()):
        return None
    a, b = _parse(s[: m.start()], year), _parse(s[m.end() :], year)
    if a.kind not in ("number", "percent") or a.kind != b.kind or a.op == "range" or b.op == "range":
        return None
    if a.op in ("<=", "<") and b.op in (">=", ">"):
        a, b = b, a
    if a.op not in (">=", ">") or b.op not in ("<=", "<") or (a.unit and b.unit and a.unit != b.unit):
        return None
    if not isinstance(a.value, Decimal) or not isinstance(b.value, Decimal) or b.value < a.value:
        return None
    unit = a.unit or b.unit
    low = a if a.unit else b
    low_value = low.value
    scale = Decimal(1)
    if low.base_value is not None and isinstance(low_value, Decimal) and low_value:
        scale = low.base_value / low_value
    return TargetValue(
        raw=s,
        kind=a.kind,
        op="range",
        value=a.value,
        high=b.value,
        unit=unit,
        base_value=a.value * scale,
        base_unit=low.base_unit if low.unit else None,
        approx=a.approx or b.approx,
    )


def _parse_boolean(s: str) -> tuple[bool | None] | None:
    if s in ("是", "否"):
        return (s == "是",)
    if s in ("是/否", "否/是", "是或否", "是否", "是\\否"):
        return (None,)
    return None


# `二100%`: OCR's `=` read as 二 before Arabic digits; not a year written 二0二三 (digits and numerals mixed)
_OCR_EQUALS_RE = re.compile(r"二(?=[0-9][0-9.,]*(?![0-9.,〇零一二三四五六七八九十]))")


def _strip_hedges_and_op(s: str) -> _Parts:
    p = _Parts(s)
    changed = True
    while changed and p.text:
        changed = False
        for h in _HEDGE_PREFIXES:
            if p.text.startswith(h) and len(p.text) > len(h) and not _hedge_is_part_of_word(p.text, h):
                p.text = p.text[len(h) :]
                p.approx = changed = True
                break
        for h in _HEDGE_SUFFIXES:
            if p.text.endswith(h) and len(p.text) > len(h):
                p.text = p.text[: -len(h)].rstrip(_TRAIL_PUNCT)
                p.approx = changed = True
        if p.op is None:
            for sym, op in _OP_SYMBOLS:
                if p.text.startswith(sym):
                    p.text = p.text[len(sym) :]
                    p.op = op
                    changed = True
                    break
            else:
                if _OCR_EQUALS_RE.match(p.text):
                    p.text = p.text[1:]  # OCR's `=` read as 二: no numeral stands before Arabic digits
                    p.op = "="
                    changed = True
                    continue
                m = _OP_WORD_RE.match(p.text)
                if (
                    m
                    and len(p.text) > m.end()
                    and (m.group() not in _OP_WORDS_BEFORE_NUMBER_ONLY or _starts_numeric(p.text[m.end() :]))
                ):
                    p.text = p.text[m.end() :]
                    p.op = _OP_WORDS[m.group()]
                    changed = True
    return p


def _hedge_is_part_of_word(text: str, hedge: str) -> bool:
    """`近` and `约` start ordinary words too (近期, 约束); only strip them before a number."""
    return hedge in ("近", "约") and not _starts_numeric(text[len(hedge) :])


def _starts_numeric(text: str) -> bool:
    """True when text starts with a digit, a Chinese numeral, a sign or a comparator symbol."""
    return bool(text) and (text[0].isdigit() or text[0] in _CN_DIGITS or text[0] in "十百≥≤<>=+-")


# dates ---------------------------------------------------------------------------------------

_CN_MONTH = r"十[一二]?|[一二三四五六七八九]"
_DATE_BEFORE = r"(?:前|之前|以前|为止|止|内|以内|之内)"
_DATE_AFTER = r"(?:后|之后|以后|起)"
_DATE_TAIL = r"[\u4e00-\u9fff]{0,6}"

_YEAR_END_WORDS = r"(?:年底|年末|年终|年内|年度内|本年度|当年度|本年|当年|年度|全年)"
_DATE_RE = _lazy(
    r"^(?:(?P<year>(?:19|20)\d{2}|2100)年(?:度)?|(?P<next>次年|下年|下一年|明年)(?:度)?)?"
    r"(?:每年)?"
    r"(?:"
    r"(?P<half>上半年|下半年)"
    r"|(?:第)?(?P<quarter>[一二三四1-4])季度(?:末|底)?"
    r"|(?:(?:1[0-2]|0?[1-9])月?[-~至到])?(?P<month>1[0-2]|0?[1-9]|" + _CN_MONTH + r")月(?:份)?"
    r"(?:(?P<day>3[01]|[12]\d|0?[1-9])(?:日|号)|(?P<part>底|末|初|上旬|中旬|下旬|中))?"
    r"|(?P<yearend>" + _YEAR_END_WORDS + r"|底|末|内)"
    r")?"
    r"(?:(?P<before>" + _DATE_BEFORE + r")|(?P<after>" + _DATE_AFTER + r"))?"
    r"(?P<tail>" + _DATE_TAIL + r")$"
)
_ISO_DATE_RE = _lazy(
    r"^(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>1[0-2]|0?[1-9])(?:(?P=sep)(?P<day>3[01]|[12]\d|0?[1-9]))?"
    r"(?:(?P<before>" + _DATE_BEFORE + r")|(?P<after>" + _DATE_AFTER + r"))?"
    r"(?P<tail>" + _DATE_TAIL + r")$"
)
_RECURRING_RE = _lazy(
    r"^(?:(?:19|20)\d{2}年(?:度)?)?(?:全年)?每(?P<period>月|个月|季度|季|周|星期)"
    r"(?:(?P<day>3[01]|[12]\d|0?[1-9])(?:日|号)|(?P<part>月?(?:底|末|初|上旬|中旬|下旬|中)))?"
    r"(?P<before>" + _DATE_BEFORE + r"|" + _DATE_AFTER + r")?"
    r"(?P<tail>[\u4e00-\u9fff]{0,6})$"
)
# words after a date that still make it a deadline (完成, 缴纳 …); a tail that reads as a noun
# phrase on its own would be a sentence, so the tail must be one of these or follow 前/后.
_DATE_TAIL_WORDS = _lazy(
    r"^(?:全部|全面|前|之前)?(?:完成|结束|办结|完工|竣工|到位|实施|执行|支付|拨付|发放|缴纳|缴费|验收|上报|"
    r"报送|开展|落实|兑现|交付|启动|整改|公开|公示|提交|签订|采购|部署|付款|支出|使用|上线|运行|投入使用)*"
    r"(?:工作|任务)?$"
)


_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_YM = (
    r"(?:19|20)\d{2}(?:[./-](?:1[0-2]|0?[1-9])(?:[./-]" + _DAY + r")?"
    r"|年(?:1[0-2]|0?[1-9])月(?:" + _DAY + r"日)?)"
)
_PERIOD_RE = _lazy(r"^(?P<start>" + _YM + r")(?:-|~|至|到)(?P<end>" + _YM + r")(?:止|期间|内)?$")
_YM_PARTS = _lazy(r"((?:19|20)\d{2})[./年-](\d{1,2})(?:月)?(?:[./-](\d{1,2})|(\d{1,2})日)?")


def _may_be_date(s: str) -> bool:
    """False when `s` has a character no date or period pattern here has (they hold decimal digits
    — `\\d` —, CJK characters and - / . ~ only): such a text is none of them, and those patterns
    need not be compiled (~4 ms of `jixiao value`'s start-up) or tried."""
    return all(c.isdecimal() or "\u4e00" <= c <= "\u9fff" or c in "-/.~\n" for c in s)


def _parse_period(p: _Parts) -> TargetValue | None:
    """`2023.07-2024.01`: a period of months, not a numeric range; its deadline is its last day."""
    if not _may_be_date(p.text):
        return None
    m = _PERIOD_RE.match(p.text)
    if not m:
        return None
    a, b = _YM_PARTS.match(m.group("start")), _YM_PARTS.match(m.group("end"))
    if not a or not b:
        return None
    try:
        y1, m1 = int(a.group(1)), int(a.group(2))
        y2, m2 = int(b.group(1)), int(b.group(2))
        d2 = b.group(3) or b.group(4)
        end = date(y2, m2, int(d2) if d2 else _month_days(y2, m2))
        start = date(y1, m1, 1)
    except ValueError:
        return None
    if end < start:
        return None
    return TargetValue(raw=p.text, kind="date", op="<=", value=end.isoformat(), unit="期间")


def _month_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    value = _cn_int(s)
    return value or 0


def _parse_date(p: _Parts, year: int | None) -> TargetValue | None:
    s = p.text
    if not s or not _may_be_date(s):
        return None
    m = _RECURRING_RE.match(s)
    if (
        m
        and (m.group("day") or m.group("part") or m.group("before"))
        and _DATE_TAIL_WORDS.match(m.group("tail"))
    ):
        period = {"个月": "月", "季": "季度", "星期": "周"}.get(m.group("period"), m.group("period"))
        return TargetValue(raw=s, kind="date", op="<=", unit="每" + period)

    m = _ISO_DATE_RE.match(s) or _DATE_RE.match(s)
    if not m:
        return None
    g = m.groupdict()
    if g.get("sep") == "." and not g.get("day"):
        return None  # 2024.12 is more likely a number than a month
    has_core = any(g.get(k) for k in ("year", "next", "half", "quarter", "month", "yearend"))
    if not has_core:
        return None
    if g.get("yearend") in ("底", "末", "内") and not (g.get("year") or g.get("next")):
        return None  # "底" or "内" alone is not a date
    tail = g.get("tail") or ""
    if tail and not _DATE_TAIL_WORDS.match(tail):
        return None

    y = int(g["year"]) if g.get("year") else year
    if g.get("next"):
        y = None if year is None else year + 1  # 次年3月底前: the year after the budget year
    op: Comparator = ">=" if g.get("after") or p.op in (">=", ">") else "<="
    value: str | None = None
    if y is not None:
        try:
            value = _resolve_date(y, g).isoformat()
        except ValueError:
            value = None  # 2月30日: a date, but not one that exists
    return TargetValue(raw=s, kind="date", op=op, value=value)


def _resolve_date(y: int, g: dict[str, str | None]) -> date:
    if g.get("half"):
        return date(y, 6, 30) if g["half"] == "上半年" else date(y, 12, 31)
    if g.get("quarter"):
        q = "一二三四".find(g["quarter"] or "") + 1 or int(g["quarter"] or 4)
        month = 3 * q
        return date(y, month, _month_days(y, month))
    if g.get("month"):
        month = _month_number(g["month"] or "")
        last = _month_days(y, month)
        if g.get("day"):
            return date(y, month, int(g["day"] or 0))
        part = g.get("part")
        day = {"初": 10, "上旬": 10, "中旬": 20, "中": 15}.get(part or "", last)
        return date(y, month, day)
    return date(y, 12, 31)


# numbers -------------------------------------------------------------------------------------

_PERCENT_WORDS_RE = _lazy(r"^百分之(?P<num>" + _NUM + "|" + _CN_NUM + r")(?P<suffix>" + _SUFFIX_ALT + r")?$")

# a verb after a time limit or a share (24小时响应, 3个工作日内办结, 100%完成): not part of the unit
_VERB_TAIL = r"(?:完成|办结|响应|处理|到达|到场|回复|反馈|答复|解决|到位|落实|覆盖|达标|合格|发放|支付|拨付)"
_QUANTITY_RE = _lazy(
    r"^(?P<num>" + _NUM + r")"
    r"(?P<unit>" + _UNIT_CHARS + r"{0,12}?)"
    r"(?P<suffix>" + _SUFFIX_ALT + r")?"
    r"(?:" + _VERB_TAIL + r")?"
    r"(?:左右|上下)?"
    r"(?P<note>" + _NOTE + r")$"
)
_FREQUENCY_RE = _lazy(r"^每(?P<period>半年|年|季度|季|月|周|天|日)(?P<rest>.+)$")
_CN_QUANTITY_RE = _lazy(
    r"^(?P<num>" + _CN_NUM + r")"
    r"(?P<unit>" + "|".join(map(re.escape, _CLASSIFIERS)) + r")?"
    r"(?P<suffix>" + _SUFFIX_ALT + r")?$"
)
_RANGE_RE = _lazy(
    r"^(?P<low>" + _NUM + r")(?P<unit1>" + _UNIT_CHARS + r"{0,6}?)"
    r"(?:-|~|至|到)"
    r"(?P<high>" + _NUM + r")"
    r"(?P<unit>" + _UNIT_CHARS + r"{0,12}?)"
    r"(?P<note>" + _NOTE + r")$"
)
# "…达到每年4份/千人": a sentence ending in an explicit comparator and a quantity
_EMBEDDED_RE = _lazy(
    r"(?P<op>" + "|".join(map(re.escape, _OP_WORDS_BY_LENGTH)) + r"|≥|≤|>=|<=|>|<)"
    r"(?:每年|每月|每季度|每周|每天|每日|全年|年均|累计)?"
    r"(?P<rest>" + _NUM + r"[^\d]{0,12})$"
)
# "合格率100%", "满意度为95%": the indicator's name printed before its value
_NAMED_RE = _lazy(r"(?<=[率度数量]|为|是)(?P<rest>" + _NUM + r"[^\d]{0,12})$")


def _decimal(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _strip_lead_words(s: str) -> str:
    for w in _LEAD_WORDS:
        if s.startswith(w) and s[len(w) : len(w) + 1].isdigit():
            return s[len(w) :]
    return s


def _suffix_op(p: _Parts, suffix: str | None) -> Comparator | None:
    if p.op is not None:
        return p.op
    return _SUFFIX_OP.get(suffix or "")


def _clean_unit(unit: str) -> str:
    return unit.strip(_TRAIL_PUNCT + "/")


# no 指标值 measures 10^30 of anything: a longer run of digits is text, not a number (320 nines
# overflowed a float, whose JSON no database takes); a scale (万亿) still leaves it finite
_MEASURE_MAX = Decimal(10) ** 30


def _number_value(
    p: _Parts, num: Decimal, unit: str, suffix: str | None, high: Decimal | None = None
) -> TargetValue | None:
    """Build a number or percent value from a number and what follows it; None for a number past
    any measure (`_MEASURE_MAX`)."""
    if not (num.copy_abs() < _MEASURE_MAX and (high is None or high.copy_abs() < _MEASURE_MAX)):
        return None
    unit = _clean_unit(unit)
    # a unit that ended in a comparator suffix the lazy match left inside (e.g. "个以上")
    for sfx, _op in _OP_SUFFIXES:
        if suffix is None and unit.endswith(sfx) and len(unit) > len(sfx) and sfx != "内":
            unit, suffix = unit[: -len(sfx)], sfx
            break
    op = "range" if high is not None else _suffix_op(p, suffix)
    for pu in _PERCENT_UNITS:
        if unit.startswith(pu) and re.fullmatch(r"[\u4e00-\u9fff]{1,6}", unit[len(pu) :]):
            unit = pu  # 100%覆盖: a percent followed by a word
            break
    if unit in _PERCENT_UNITS:
        out_unit = "%" if unit in ("%", "百分比", "百分数") else unit
        return TargetValue(
            raw="",
            kind="percent",
            op=op,
            value=num,
            high=high,
            unit=out_unit,
            base_value=num,
            base_unit=out_unit,
        )
    if not _plausible_unit(unit):
        return None
    base_value, base_unit = num, unit or None
    sm = _SCALE_RE.match(unit)
    if sm:
        base_value = num * _SCALES[sm.group(1)]
        base_unit = unit[sm.end() :] or None
    return TargetValue(
        raw="",
        kind="number",
        op=op,
        value=num,
        high=high,
        unit=unit or None,
        base_value=base_value,
        base_unit=base_unit,
    )


def _plausible_unit(unit: str) -> bool:
    """A unit is short and is not a clause (`项重点工作` is fine, `个乡镇开展了检查工作` is not)."""
    if len(unit) > 8:
        return False
    if unit and not re.search(r"[^\W\d_]|[‰°℃㎡㎥]", unit):
        return False  # punctuation only (`1-`): no unit at all
    return not re.search(r"[的了是和与及或并]", unit) or unit in ("平方米", "立方米")


def _parse_percent_words(p: _Parts) -> TargetValue | None:
    m = _PERCENT_WORDS_RE.match(p.text)
    if not m:
        return None
    raw_num = m.group("num")
    if raw_num == "百":
        num: Decimal | None = Decimal(100)
    elif raw_num[0].isdigit() or raw_num[0] in "+-":
        num = _decimal(raw_num)
    else:
        n = _cn_int(raw_num)
        num = Decimal(n) if n is not None else None
    if num is None:
        return None
    return _number_value(p, num, "%", m.group("suffix"))


def _parse_range(p: _Parts) -> TargetValue | None:
    s = _strip_lead_words(p.text)
    m = _RANGE_RE.match(s)
    if not m:
        return None
    low, high = _decimal(m.group("low")), _decimal(m.group("high"))
    if low is None or high is None or high < low:
        return None
    unit1, unit = _clean_unit(m.group("unit1")), m.group("unit")
    if unit1 and not (unit.startswith(unit1) or unit1 in _PERCENT_UNITS):
        return None
    return _number_value(p, low, unit, None, high=high)


def _parse_quantity(p: _Parts) -> TargetValue | None:
    s = _strip_lead_words(p.text)
    m = _FREQUENCY_RE.match(s)
    if m and (_starts_numeric(m.group("rest")) or _OP_WORD_RE.match(m.group("rest"))):
        # 每年1次 → 1 次/年, the same as the printed form 1次/年
        rest = _strip_hedges_and_op(m.group("rest"))
        rest.op, rest.approx = rest.op or p.op, rest.approx or p.approx
        inner = _parse_quantity(rest)
        if inner is None or inner.kind != "number":
            return inner
        period = {"季": "季度"}.get(m.group("period"), m.group("period"))
        if inner.unit and "/" not in inner.unit:
            inner.unit = f"{inner.unit}/{period}"
            inner.base_unit = f"{inner.base_unit}/{period}" if inner.base_unit else None
        return inner
    m = _QUANTITY_RE.match(s)
    if m:
        num = _decimal(m.group("num"))
        if num is None:
            return None
        unit = m.group("unit")
        if unit.startswith("年") and unit != "年" and re.fullmatch(r"(?:19|20)\d{2}", m.group("num")):
            return None  # "2000年以来…" is a sentence about a year, not 2000 of something
        return _number_value(p, num, unit, m.group("suffix"))
    m = _CN_QUANTITY_RE.match(s)
    if m:
        n = _cn_int(m.group("num"))
        if n is None:
            return None
        return _number_value(p, Decimal(n), m.group("unit") or "", m.group("suffix"))
    return None


def _parse_embedded(p: _Parts) -> TargetValue | None:
    m = _EMBEDDED_RE.search(p.text)
    if m and m.start() > 0:
        op = _op_of(m.group("op"))
        if p.op is not None and p.op != op:
            return None  # two comparators that disagree: not one target
        inner = _Parts(m.group("rest"), op=op, approx=p.approx)
        return _parse_percent_words(inner) or _parse_quantity(inner)
    m = _NAMED_RE.search(p.text)
    if m and 0 < m.start() < 12:
        inner = _Parts(m.group("rest"), op=p.op, approx=p.approx)
        return _parse_percent_words(inner) or _parse_quantity(inner)
    return None


def _op_of(token: str) -> Comparator:
    for sym, op in _OP_SYMBOLS:
        if token == sym:
            return op
    return _OP_WORDS[token]
