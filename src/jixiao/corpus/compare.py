"""Comparison: one indicator beside the like indicators of other units (横向比较).

Like indicators share the canonical category (三级 category: 一级 + 二级 canonical; the older
framework's 产出指标/成本指标 and the 2021 guideline's 成本指标/经济成本指标 are one category) and a
comparable unit after scales are folded in (`≤0.53万元/批次` is 5300 元/批次; 千元, 万, 亿 likewise).
次 and 批次 are compared only when the indicator names agree (`names_agree`). Values are numbers and
percents; a range counts at its midpoint.

The distribution (min, quartiles, median, max) is taken over the subject and its peers, quartiles by
linear interpolation (numpy's default, Excel's QUARTILE.INC); outliers by the IQR rule (below
Q1 − 1.5·IQR or above Q3 + 1.5·IQR); rank 1 is the highest value, ties share the better rank.

Cost indicators also give a cost per unit of output where the table allows: the project's 预算数
(万元 → 元) ÷ its 数量指标, compared with other units' projects whose 数量指标 has a comparable unit and
an agreeing name.

Pure: works on a pandas DataFrame with the indicator columns of the data set (`rows.INDICATOR_COLUMNS`),
read from Parquet by `load_indicators`, or built by the web app from the database with the same names.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jixiao.taxonomy import COST, ECONOMIC_COST, QUANTITY

__all__ = [
    "FRAME_COLUMNS",
    "Comparison",
    "Distribution",
    "Entry",
    "bigrams",
    "category_key",
    "category_of",
    "compare",
    "compared_number",
    "comparison_to_dict",
    "distribution",
    "format_comparison",
    "load_indicators",
    "name_key",
    "names_agree",
    "normalise_unit",
    "prepare",
    "select",
]

FRAME_COLUMNS = [
    "sha256", "path", "project_seq", "seq", "unit_region", "unit_code", "unit_name", "year",
    "project_code", "project_name", "project_budget", "level1", "level2", "name", "level1_canonical",
    "level2_canonical", "value", "target_kind", "target_op", "target_value", "target_high", "target_unit",
    "target_base_value", "target_base_unit",
]  # fmt: skip

_SPACE = re.compile(r"[\s\u3000]+")
_SCALE = {"千": 1e3, "万": 1e4, "亿": 1e8}
_MONEY = {"元"}
_LOOSE = {"批次": "次"}  # comparable only when the names agree


def load_indicators(dataset_dir: str | Path) -> pd.DataFrame:
    """The current indicators of a data set as a DataFrame (one row per indicator)."""
    from jixiao.corpus import dataset

    return prepare(dataset.read_current(dataset_dir, "indicators", FRAME_COLUMNS).to_pandas())


def category_of(level1_canonical: Any, level2_canonical: Any) -> tuple[str | None, str | None]:
    """The category indicators are compared within; the two frameworks' cost categories are one."""
    l1 = level1_canonical if isinstance(level1_canonical, str) else None
    l2 = level2_canonical if isinstance(level2_canonical, str) else None
    if l2 in (COST, ECONOMIC_COST):
        return COST, ECONOMIC_COST
    return l1, l2


def category_key(level1_canonical: Any, level2_canonical: Any) -> str:
    """`category_of` as one text ('产出指标/数量指标'), for grouping and filtering."""
    l1, l2 = category_of(level1_canonical, level2_canonical)
    return f"{l1 or ''}/{l2 or ''}"


def normalise_unit(unit: Any) -> tuple[str | None, float]:
    """A unit as compared, and the factor from the printed unit to it: '万元/批次' → ('元/批次', 1e4),
    '千元' → ('元', 1e3), '％' → ('%', 1). A 万 in a denominator is not a scale ('件/万人')."""
    if not isinstance(unit, str) or not unit.strip():
        return None, 1.0
    u = _SPACE.sub("", unit).replace("／", "/").replace("％", "%").replace("每", "/").replace("//", "/")
    if u in ("百分比", "百分数", "%"):
        return "%", 1.0
    num, sep, den = u.partition("/")
    factor = 1.0
    if len(num) > 1 and num[0] in _SCALE and num[1:]:
        factor, num = _SCALE[num[0]], num[1:]
    return num + sep + den, factor


def _loose(unit: str) -> str:
    for k, v in _LOOSE.items():
        unit = unit.replace(k, v)
    return unit


_PUNCT = re.compile(r"[\s\u3000（）()【】\[\]、，,。.：:；;“”\"'《》<>\-—_/／0-9０-９%％]+")


def name_key(s: Any) -> str:
    """An indicator name without spaces, punctuation and digits (names are grouped by it)."""
    return _PUNCT.sub("", s) if isinstance(s, str) else ""


def bigrams(s: str) -> set[str]:
    """The character pairs of a text (a text of one character: itself)."""
    return {s[i : i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def names_agree(a: Any, b: Any) -> bool:
    """Two indicator names say the same thing: equal without spaces, punctuation and digits, one
    inside the other (3 characters or more), or sharing at least half their character pairs."""
    x, y = name_key(a), name_key(b)
    if not x or not y:
        return False
    if x == y:
        return True
    if min(len(x), len(y)) >= 3 and (x in y or y in x):
        return True
    bx, by = bigrams(x), bigrams(y)
    return len(bx & by) / len(bx | by) >= 0.5


def units_comparable(u1: str | None, u2: str | None, name1: Any, name2: Any) -> bool:
    if u1 is None or u2 is None:
        return False
    if u1 == u2:
        return True
    return _loose(u1) == _loose(u2) and names_agree(name1, name2)


@dataclass
class Entry:
    """One indicator (or one project's cost per output) in a comparison."""

    unit_region: str | None
    unit_code: str | None
    unit_name: str | None
    year: int | None
    project: str | None
    name: str | None
    value: str | None  # as printed
    number: float  # in the compared unit
    unit: str
    outlier: str | None = None  # "高" | "低"
    row: int | None = None  # index in the frame


@dataclass
class Distribution:
    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float
    low_fence: float
    high_fence: float


@dataclass
class Comparison:
    """A subject indicator among its peers (other units' like indicators)."""

    subject: Entry
    category: tuple[str | None, str | None]
    unit: str | None
    peers: list[Entry] = field(default_factory=list)
    distribution: Distribution | None = None
    rank: int | None = None  # 1 = highest value, among subject and peers
    outliers: list[Entry] = field(default_factory=list)
    cost_per_output: Comparison | None = None
    note: str = ""  # Chinese: why there is nothing to compare, where so


def _s(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _i(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else int(v)


def _nan(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def compared_number(
    kind: Any, base_value: Any, base_unit: Any, low: Any = None, high: Any = None
) -> tuple[float | None, str | None]:
    """A target's number in its compared unit (scales folded in; a range at its midpoint), or
    (None, None) for text, dates and numbers without a unit."""
    if kind not in ("number", "percent") or _nan(base_value):
        return None, None
    unit, factor = normalise_unit(base_unit)
    if unit is None:
        return None, None
    num = float(base_value) * factor
    if not _nan(high) and not _nan(low) and low:
        num = num * ((float(low) + float(high)) / 2) / float(low)
    return num, unit


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with what comparison and the library compute per row, once: `cmp_num`, `cmp_unit` (the
    compared number and unit), `cmp_cat` (category), `cmp_uid` (region + code + name of the unit), `cmp_key`
    (the indicator name's normal form). A frame already prepared is returned as it is."""
    if "cmp_num" in frame.columns:
        return frame
    pairs = [
        compared_number(k, b, u, lo, hi)
        for k, b, u, lo, hi in zip(
            frame["target_kind"], frame["target_base_value"], frame["target_base_unit"],
            frame["target_value"], frame["target_high"], strict=True,
        )
    ]  # fmt: skip
    return frame.assign(
        cmp_num=pd.Series([n for n, _u in pairs], index=frame.index, dtype="float64"),
        cmp_unit=[u for _n, u in pairs],
        cmp_cat=[
            category_key(a, b)
            for a, b in zip(frame["level1_canonical"], frame["level2_canonical"], strict=True)
        ],
        cmp_uid=[
            f"{_s(r) or ''}|{_s(c) or ''}|{_s(n) or ''}"
            for r, c, n in zip(frame["unit_region"], frame["unit_code"], frame["unit_name"], strict=True)
        ],
        cmp_key=[name_key(x) for x in frame["name"]],
    )


def distribution(values: list[float]) -> Distribution | None:
    """Min, quartiles (linear interpolation), median, max and the IQR fences."""
    if not values:
        return None
    s = pd.Series(sorted(values), dtype="float64")
    q1, med, q3 = (float(s.quantile(q)) for q in (0.25, 0.5, 0.75))
    iqr = q3 - q1
    return Distribution(
        len(values), float(s.iloc[0]), q1, med, q3, float(s.iloc[-1]), q1 - 1.5 * iqr, q3 + 1.5 * iqr
    )


def _rank(value: float, values: list[float]) -> int:
    return 1 + sum(1 for v in values if v > value)


def _entry(r: Any, number: float, unit: str, row: int | None, name: Any = None, value: Any = None) -> Entry:
    """An entry from a row (a namedtuple of the prepared frame)."""
    return Entry(
        _s(r.unit_region), _s(r.unit_code), _s(r.unit_name), _i(r.year), _s(r.project_name),
        _s(r.name if name is None else name), _s(r.value if value is None else value), number, unit, row=row,
    )  # fmt: skip


def _finish(c: Comparison) -> Comparison:
    allv = [c.subject.number] + [p.number for p in c.peers]
    c.distribution = distribution(allv) if c.peers else None
    if c.distribution is None:
        return c
    c.rank = _rank(c.subject.number, allv)
    d = c.distribution
    for e in [c.subject, *c.peers]:
        e.outlier = "高" if e.number > d.high_fence else "低" if e.number < d.low_fence else None
    c.outliers = [e for e in [c.subject, *c.peers] if e.outlier]
    return c


def _dedup(entries: list[Entry]) -> list[Entry]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for e in entries:
        k = (e.unit_region, e.unit_code, e.unit_name, e.year, e.project, e.name, e.value, e.number)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out


def select(
    frame: pd.DataFrame,
    *,
    unit: str | None = None,
    project: str | None = None,
    indicator: str | None = None,
    year: int | None = None,
) -> list[int]:
    """Row indices of the indicators matching: unit code or part of its name, part of the project's
    name or its code, part of the indicator's name, the year."""
    mask = pd.Series(True, index=frame.index)
    if unit:
        mask &= (frame["unit_code"] == unit) | frame["unit_name"].fillna("").str.contains(unit, regex=False)
    if project:
        mask &= (frame["project_code"] == project) | frame["project_name"].fillna("").str.contains(
            project, regex=False
        )
    if indicator:
        mask &= frame["name"].fillna("").str.contains(indicator, regex=False)
    if year is not None:
        mask &= frame["year"] == year
    return list(frame.index[mask])


def _rows(frame: pd.DataFrame) -> Any:
    return frame.itertuples(index=True, name="Row")


def _comparable(f: pd.DataFrame, unit: str, name: Any) -> pd.DataFrame:
    """Rows whose compared unit is `unit`, or its loose twin (次/批次) with an agreeing name."""
    exact = (f["cmp_unit"] == unit).astype(bool)
    loose_unit = _loose(unit)
    loose = ~exact & f["cmp_unit"].map(lambda u: isinstance(u, str) and _loose(u) == loose_unit).astype(bool)
    if loose.any():
        agree = f.loc[loose, "name"].map(lambda n: names_agree(name, n))
        loose.loc[agree.index] = agree
    return f[exact | loose]


def compare(frame: pd.DataFrame, row: int, *, same_name: bool = False) -> Comparison:
    """The indicator at index `row` beside the like indicators of other units in `frame`."""
    f = prepare(frame)
    [r] = list(_rows(f.loc[[row]]))
    cat = category_of(r.level1_canonical, r.level2_canonical)
    unit = _s(r.cmp_unit)  # NaN in the frame where the target has no unit
    number = None if _nan(r.cmp_num) else float(r.cmp_num)
    if number is None or unit is None:
        subject = _entry(r, math.nan, unit or "", row)
        return Comparison(subject, cat, unit, note="指标值不是数值或没有计量单位，无法与其他单位比较")
    c = Comparison(_entry(r, number, unit, row), cat, unit)
    cand = f[(f["cmp_cat"] == r.cmp_cat) & f["cmp_num"].notna() & (f["cmp_uid"] != r.cmp_uid)]
    cand = _comparable(cand, unit, r.name)
    if same_name:
        cand = cand[cand["name"].map(lambda n: names_agree(r.name, n))]
    c.peers = _dedup([_entry(p, float(p.cmp_num), p.cmp_unit, p.Index) for p in _rows(cand)])
    if not c.peers:
        c.note = "语料库中没有其他单位的同类、可比单位的指标"
    _finish(c)
    if cat == (COST, ECONOMIC_COST):
        c.cost_per_output = _cost_per_output(f, r, unit)
    return c


# ------------------------------------------------------------------------ cost per unit of output


def _output_of(q: pd.DataFrame, cost_unit: str | None) -> Any | None:
    """The 数量指标 a cost is per: the one in the cost's denominator unit, else the only one."""
    usable = [x for x in _rows(q) if x.cmp_num > 0 and x.cmp_unit != "%" and x.cmp_unit not in _MONEY]
    if cost_unit and "/" in cost_unit:
        den = cost_unit.split("/", 1)[1]
        hit = [x for x in usable if x.cmp_unit == den] or [
            x for x in usable if _loose(x.cmp_unit) == _loose(den)
        ]
        if hit:
            return hit[0]
    return usable[0] if len(usable) == 1 else None


def _cost_per_output(f: pd.DataFrame, r: Any, cost_unit: str | None) -> Comparison | None:
    budget = r.project_budget
    if _nan(budget) or budget <= 0:
        return None
    outputs = f[(f["level2_canonical"] == QUANTITY) & (f["target_kind"] == "number") & f["cmp_num"].notna()]
    mine = outputs[
        (outputs["sha256"] == r.sha256)
        & (outputs["path"] == r.path)
        & (outputs["project_seq"] == r.project_seq)
    ]
    q = _output_of(mine, cost_unit)
    if q is None:
        return None
    unit = f"元/{q.cmp_unit}"
    subject = _entry(
        r, budget * 1e4 / q.cmp_num, unit, None, f"预算数 ÷ {q.name}", f"{budget:g}万元 ÷ {q.value}"
    )
    c = Comparison(subject, (COST, ECONOMIC_COST), unit)
    cand = outputs[
        (outputs["project_budget"] > 0) & (outputs["cmp_num"] > 0) & (outputs["cmp_uid"] != r.cmp_uid)
    ]
    cand = _comparable(cand, q.cmp_unit, q.name)
    cand = cand[cand["name"].map(lambda n: names_agree(q.name, n))]
    c.peers = _dedup(
        [
            _entry(
                p,
                p.project_budget * 1e4 / p.cmp_num,
                unit,
                None,
                f"预算数 ÷ {p.name}",
                f"{p.project_budget:g}万元 ÷ {p.value}",
            )
            for p in _rows(cand)
        ]
    )
    if not c.peers:
        c.note = "语料库中没有其他单位可比的单位产出成本"
    return _finish(c)


# ---------------------------------------------------------------------------------------- output


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    d = asdict(c)
    return clean(d)


def _fmt(v: float) -> str:
    if math.isnan(v):
        return "—"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e12 else f"{v:.4g}"


def _who(e: Entry) -> str:
    return " ".join(x for x in (e.unit_region, e.unit_name or e.unit_code, str(e.year or "")) if x)


def format_comparison(c: Comparison, *, peers: int = 20) -> str:
    """The comparison as Chinese text lines."""
    s = c.subject
    cat = "/".join(x for x in c.category if x) or "未分类"
    lines = [f"{_who(s)}「{s.project or ''}」{s.name or ''}：{s.value or ''}（{cat}）"]
    if c.note and c.distribution is None:
        lines.append(f"  {c.note}")
    if c.distribution is not None:
        d = c.distribution
        lines.append(
            f"  可比指标 {d.n} 个（本单位 1 个，其他单位 {len(c.peers)} 个），单位 {c.unit}："
            f"最小 {_fmt(d.min)}，下四分位 {_fmt(d.q1)}，中位数 {_fmt(d.median)}，"
            f"上四分位 {_fmt(d.q3)}，最大 {_fmt(d.max)}"
        )
        lines.append(
            f"  本单位 {_fmt(s.number)} {c.unit}，从高到低排第 {c.rank} 位（共 {d.n} 个）"
            + (f"，是{'偏高' if s.outlier == '高' else '偏低'}的离群值" if s.outlier else "")
        )
        if c.outliers:
            lines.append(
                "  离群值（四分位距法）："
                + "；".join(f"{_who(e)} {_fmt(e.number)}（偏{e.outlier}）" for e in c.outliers)
            )
        for e in sorted(c.peers, key=lambda e: -e.number)[:peers]:
            lines.append(
                f"    {_fmt(e.number):>12} {c.unit}  {_who(e)}"
                f"「{e.project or ''}」{e.name or ''}：{e.value or ''}"
            )
        if len(c.peers) > peers:
            lines.append(f"    …… 另有 {len(c.peers) - peers} 个")
    if c.cost_per_output is not None:
        sub = format_comparison(c.cost_per_output, peers=peers).splitlines()
        lines.append("  单位产出成本（预算数 ÷ 数量指标）：")
        lines += ["  " + x for x in sub]
    return "\n".join(lines)
