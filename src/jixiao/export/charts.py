"""Charts as server-side SVG: pure functions returning an SVG string (no JavaScript, no CDN).

- `spending_curve_svg` / `spending_curve_for`: a project's cumulative spending against its plan
  (months 1–12, the plan's milestones joined as `jixiao.cycle.monitor.expected_progress` interpolates them,
  the actual snapshots, the as-of date marked).
- `score_distribution_svg`: a unit's self-evaluation scores by grade (优/良/中/差) and by 10-point bins.
- `lights_by_unit_svg`: for reviewers, each unit's projects by light (red, yellow, green, blue, 未填)
  as stacked bars.
- `budget_by_project_svg` and `indicators_by_category_svg`: the unit-year page's budget per project
  and its indicators counted by canonical level-1 category.

Every text is escaped; labels are Chinese, set in a font list that starts with the CJK fonts found
on servers and desktops (Noto Sans CJK SC, Microsoft YaHei, SimSun). Each chart has a <title> for
screen readers and the full value of every bar or point in a <title> tooltip. The root element
carries width/height and a viewBox, and style="max-width:100%;height:auto" so that it scales down
inside a page.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from html import escape

from jixiao import taxonomy
from jixiao.kept import Kept
from jixiao.model import Indicator
from jixiao.numbers import fixed, trimmed

FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', "
    "'WenQuanYi Micro Hei', SimSun, sans-serif"
)
INK = "#333333"
MUTED = "#6b7280"
GRID = "#e5e7eb"
AXIS = "#9ca3af"
PLAN_COLOR = "#7f8c9d"
ACTUAL_COLOR = "#2f6fb0"
AS_OF_COLOR = "#c0504d"
LIGHT_COLORS = {"red": "#d64541", "yellow": "#f0b429", "green": "#3f9e6e", "blue": "#2f6fb0", None: "#b8bec8"}
LIGHT_NAMES = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯", None: "未填"}
LIGHT_ORDER: tuple[str | None, ...] = ("red", "yellow", "green", "blue", None)
GRADE_COLORS = {"优": "#3f9e6e", "良": "#2f6fb0", "中": "#f0b429", "差": "#d64541"}
GRADES = ("优", "良", "中", "差")
GRADE_CUTS = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
CATEGORY_ORDER = (taxonomy.OUTPUT, taxonomy.COST, taxonomy.BENEFIT, taxonomy.SATISFACTION)
CATEGORY_COLORS = {
    taxonomy.OUTPUT: "#2f6fb0",
    taxonomy.COST: "#d08a2c",
    taxonomy.BENEFIT: "#3f9e6e",
    taxonomy.SATISFACTION: "#a54a8b",
}
UNKNOWN_CATEGORY = "未识别"
UNKNOWN_COLOR = "#9aa3ad"


def category_color(level1: str | None) -> str:
    """The colour of a level-1 category (产出, 成本, 效益, 满意度), grey for anything else."""
    return CATEGORY_COLORS.get(level1 or "", UNKNOWN_COLOR)


NO_DATA = "暂无数据"

Number = Decimal | int | float


# ---------------------------------------------------------------- SVG helpers


_ESCAPED = re.compile(r"[&<>\"']")  # what html.escape(quote=True) replaces


def _e(text: object) -> str:
    s = str(text)
    return escape(s, quote=True) if _ESCAPED.search(s) else s  # most labels hold none


def fmt(v: Number | None, places: int = 2) -> str:
    """A number for a label: at most `places` decimals, trailing zeros dropped (85.50 → 85.5)."""
    return trimmed(v, Decimal(1).scaleb(-places))


def money(v: Number | None) -> str:
    """万元 with 2 decimals, as the tables print them (85.50)."""
    return fixed(v)


def text_width(s: str, size: float) -> float:
    """Estimated width in px of a text at a font size: CJK full width, and so are the characters of
    ambiguous width (– … · “”), which CJK fonts such as SimSun draw full width; the rest 0.6 em."""
    return sum(_char_widths(s, size))


def _char_widths(s: str, size: float) -> list[float]:
    """Each character's width as `text_width` counts it (summed left to right, a prefix of these
    is the prefix's width to the last bit)."""
    narrow = size * 0.6
    wide = _WIDE
    return [size if wide[ch] else narrow for ch in s]


class _FullWidth(dict[str, bool]):
    """Character → drawn full width, looked up in Unicode's tables once per character (labels
    repeat a few thousand characters; the dict is emptied if odd input ever makes it large)."""

    def __missing__(self, ch: str) -> bool:
        if len(self) >= 8192:
            self.clear()
        w = self[ch] = unicodedata.east_asian_width(ch) in "WFA"
        return w


_WIDE = _FullWidth()


def _fitting(widths: list[float], max_px: float) -> int:
    """How many leading characters fit in `max_px`."""
    width = 0.0
    for n, w in enumerate(widths):
        width += w
        if width > max_px:
            return n
    return len(widths)


def wrap_text(s: str, max_px: float, size: float, max_lines: int = 2) -> list[str]:
    """The text in lines of at most `max_px` (broken between characters, or at the last space of a
    line that has one), at most `max_lines` of them, the last cut with … when longer still."""
    key = (s, max_px, size, max_lines)
    lines = _WRAPPED.get(key)
    if lines is None:
        if len(_WRAPPED) >= 4096:  # labels of the pages lately shown; emptied when it is full
            _WRAPPED.clear()
        lines = _WRAPPED[key] = _wrap_text(s, max_px, size, max_lines)
    return list(lines)


_WRAPPED: dict[tuple[str, float, float, int], tuple[str, ...]] = {}


def _wrap_text(s: str, max_px: float, size: float, max_lines: int) -> tuple[str, ...]:
    lines: list[str] = []
    rest = s.strip()
    while rest and len(lines) < max_lines - 1:
        widths = _char_widths(rest, size)
        n = _fitting(widths, max_px)
        if n == len(rest):
            break
        n = max(n, 1)
        space = rest.rfind(" ", 0, n + 1)
        if n < len(rest) and space > 0:  # break Latin words at a space
            n = space
        lines.append(rest[:n].rstrip())
        rest = rest[n:].lstrip()
    if rest:
        lines.append(shorten(rest, max_px, size))
    return tuple(lines) or ("",)


def shorten(s: str, max_px: float, size: float) -> str:
    """The text cut with … to fit `max_px`."""
    widths = _char_widths(s, size)
    if sum(widths) <= max_px:
        return s
    ellipsis = _char_widths("…", size)[0]
    width = 0.0
    for n, w in enumerate(widths):
        if width + w + ellipsis > max_px:
            return s[:n] + "…"
        width += w
    return s + "…"


def _ln(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>'


def _tip(text: str) -> str:
    return f"<title>{_e(text)}</title>"


def _text(
    x: float,
    y: float,
    s: str,
    *,
    size: float = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    extra: str = "",
) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}"{w}'
        f"{extra}>{_e(s)}</text>"
    )


def _svg(width: float, height: float, title: str, body: list[str], desc: str | None = None) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_e(title)}" '
        f'font-family="{_e(FONT_FAMILY)}" style="max-width:100%;height:auto">'
    )
    parts = [head, f"<title>{_e(title)}</title>"]
    if desc:
        parts.append(f"<desc>{_e(desc)}</desc>")
    parts.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    parts += body
    parts.append("</svg>")
    return "\n".join(parts)


def _title_line(width: float, title: str, subtitle: str | None = None) -> list[str]:
    out = [_text(width / 2, 24, title, size=16, anchor="middle", weight="bold")]
    if subtitle:
        out.append(_text(width / 2, 44, subtitle, size=12, anchor="middle", fill=MUTED))
    return out


def _empty(width: float, height: float, title: str, message: str = NO_DATA) -> str:
    return _svg(
        width,
        height,
        title,
        [
            *_title_line(width, title),
            _text(width / 2, height / 2 + 10, message, size=14, anchor="middle", fill=MUTED),
        ],
    )


def nice_ticks(vmax: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round ticks from 0 covering vmax (steps of 1, 2 or 5 × 10^k)."""
    if vmax <= 0:
        return [0, 1] if integer else [0.0, 1.0]
    raw = vmax / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1, math.ceil(step))
    n = math.ceil(vmax / step - 1e-9)
    return [step * i for i in range(n + 1)]


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float) -> list[str]:
    """Legend entries (kind, color, label) in a row from (x, y); kind: box | line | dash | vline."""
    out = []
    for kind, color, label in items:
        if kind == "box":
            out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" rx="2" fill="{color}"/>')
        elif kind == "vline":
            out.append(
                f'<line x1="{x + 6:.1f}" y1="{y - 10:.1f}" x2="{x + 6:.1f}" y2="{y + 4:.1f}" '
                f'stroke="{color}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            out.append(
                f'<line x1="{x - 4:.1f}" y1="{y - 3:.1f}" x2="{x + 16:.1f}" y2="{y - 3:.1f}" '
                f'stroke="{color}" stroke-width="2.5"{dash}/>'
            )
        out.append(_text(x + 20, y + 1, label, size=12))
        x += 20 + text_width(label, 12) + 18
    return out


def legend_width(items: Sequence[tuple[str, str, str]]) -> float:
    return sum(20 + text_width(label, 12) + 18 for _, _, label in items) - 18


# ---------------------------------------------------------------- (a) spending curve


def _plan_points(
    plan: Mapping[str, str] | None, year: int, budget: Decimal | None
) -> list[tuple[date, Decimal]]:
    from jixiao.cycle.monitor import plan_milestones

    ms = plan_milestones(dict(plan) if plan else None, year, budget)
    if not ms:
        return []
    start, end = date(year - 1, 12, 31), date(year, 12, 31)
    points = [(start, Decimal(0)), *ms]
    if points[-1][0] < end:
        points.append((end, max(Decimal(1), points[-1][1])))
    return points


def spending_curve_svg(
    *,
    year: int,
    budget: Decimal | None,
    plan: Mapping[str, str] | None = None,
    actuals: Sequence[tuple[date, Decimal]] = (),
    as_of: date | None = None,
    title: str = "资金支出进度",
    subtitle: str | None = None,
    width: int = 680,
    height: int = 380,
) -> str:
    """Cumulative spending (% of 预算数) by month: the plan against the actual snapshots.

    actuals: (as-of date, cumulative amount executed in 万元) per snapshot. The plan's milestones
    (3月底 25% …) are joined by straight lines from 0 on 1 January, as monitoring interpolates them;
    without a plan the straight time line (month ÷ 12) is drawn instead. as_of (default: the latest
    snapshot) is marked with a vertical line and the plan's expected share at that date.
    """
    if not budget or budget <= 0:
        return _empty(width, height, title, "没有预算数，无法计算支出进度")
    pts_actual = sorted((d, Decimal(a) / budget) for d, a in actuals if d.year == year)
    as_of = as_of or (pts_actual[-1][0] if pts_actual else None)
    plan_pts = _plan_points(plan, year, budget)
    from_plan = bool(plan_pts)
    if not plan_pts:
        plan_pts = [(date(year - 1, 12, 31), Decimal(0)), (date(year, 12, 31), Decimal(1))]
    left, right, top, bottom = 56, 24, 86 if subtitle else 72, 56
    pw, ph = width - left - right, height - top - bottom
    ndays = 366 if calendar.isleap(year) else 365
    origin = date(year - 1, 12, 31)
    vmax = max([1.0, *(float(s) for _, s in pts_actual), *(float(s) for _, s in plan_pts)])
    ticks = nice_ticks(vmax * 100, 5)
    ymax = ticks[-1] / 100

    def x(d: date) -> float:
        return left + pw * min(max((d - origin).days, 0), ndays) / ndays

    def y(share: float | Decimal) -> float:
        return top + ph * (1 - float(share) / ymax)

    body = _title_line(width, title, subtitle)
    # grid and y axis
    for t in ticks:
        yy = y(t / 100)
        body.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 8, yy + 4, f"{fmt(t, 1)}%", size=11, anchor="end", fill=MUTED))
    body.append(
        _text(
            14,
            top + ph / 2,
            "累计支出占预算",
            size=11,
            anchor="middle",
            fill=MUTED,
            extra=f' transform="rotate(-90 14 {top + ph / 2:.1f})"',
        )
    )
    # x axis: month ends
    base = y(0)
    body.append(f'<line x1="{left}" y1="{base:.1f}" x2="{left + pw}" y2="{base:.1f}" stroke="{AXIS}"/>')
    body.append(_text(left, base + 18, "0", size=11, anchor="middle", fill=MUTED))
    for m in range(1, 13):
        xx = x(date(year, m, calendar.monthrange(year, m)[1]))
        body.append(_ln(xx, base, xx, base + 5, AXIS))
        body.append(_text(xx, base + 18, f"{m}月", size=11, anchor="middle", fill=MUTED))
    body.append(
        _text(left + pw / 2, base + 38, f"{year}年（刻度为各月月底）", size=11, anchor="middle", fill=MUTED)
    )
    # plan
    path = " ".join(f"{x(d):.1f},{y(s):.1f}" for d, s in plan_pts)
    plan_label = "计划进度（资金支出计划）" if from_plan else "时间进度（无资金支出计划）"
    body.append(
        f'<polyline points="{path}" fill="none" stroke="{PLAN_COLOR}" stroke-width="2.5" '
        f'stroke-dasharray="6 4"><title>{_e(plan_label)}</title></polyline>'
    )
    if from_plan:
        for d, s in plan_pts[1:]:
            if d.year != year:
                continue
            pct = f"{fmt(s * 100, 1)}%"
            body.append(
                f'<circle cx="{x(d):.1f}" cy="{y(s):.1f}" r="3.5" fill="#ffffff" '
                f'stroke="{PLAN_COLOR}" stroke-width="2">'
                f"{_tip(f'计划 {d.month}月底 {pct}')}</circle>"
            )
            body.append(_text(x(d) - 4, y(s) - 9, pct, size=11, anchor="end", fill=PLAN_COLOR))
    # as-of marker and the plan's expected share there
    if as_of is not None and as_of.year == year:
        xa = x(as_of)
        body.append(_ln(xa, top, xa, base, AS_OF_COLOR, ' stroke-width="1.5" stroke-dasharray="4 3"'))
        day = f"{as_of.month}月{as_of.day}日"
        body.append(_text(xa + 4, top + 12, f"监控日 {day}", size=11, fill=AS_OF_COLOR))
        from jixiao.cycle.monitor import expected_progress

        exp, _ = expected_progress(dict(plan) if plan else None, as_of, year, budget)
        body.append(
            f'<circle cx="{xa:.1f}" cy="{y(exp):.1f}" r="4" fill="{PLAN_COLOR}">'
            f"{_tip(f'{day}计划进度 {fmt(exp * 100, 1)}%')}</circle>"
        )
        body.append(_text(xa + 7, y(exp) + 15, f"计划 {fmt(exp * 100, 1)}%", size=11, fill=PLAN_COLOR))
    # actual
    if pts_actual:
        path = " ".join(f"{x(d):.1f},{y(s):.1f}" for d, s in [(origin, Decimal(0)), *pts_actual])
        body.append(f'<polyline points="{path}" fill="none" stroke="{ACTUAL_COLOR}" stroke-width="3"/>')
        for d, s in pts_actual:
            tip = f"截至{d.month}月{d.day}日 实际执行 {fmt(s * 100, 1)}%（{money(s * budget)}万元）"
            body.append(
                f'<circle cx="{x(d):.1f}" cy="{y(s):.1f}" r="4.5" fill="{ACTUAL_COLOR}"><title>'
                f"{_e(tip)}</title></circle>"
            )
            body.append(
                _text(x(d) + 7, y(s) + 16, f"{fmt(s * 100, 1)}%", size=12, fill=ACTUAL_COLOR, weight="bold")
            )
    legend = [("line", ACTUAL_COLOR, "实际执行"), ("dash", PLAN_COLOR, plan_label)]
    if as_of is not None:
        legend.append(("vline", AS_OF_COLOR, "监控日"))
    body += _legend(legend, left + pw / 2 - legend_width(legend) / 2, top - 18)
    desc = (
        (
            f"预算数 {money(budget)} 万元；"
            + "；".join(f"截至{d.month}月{d.day}日执行 {fmt(s * 100, 1)}%" for d, s in pts_actual)
        )
        if pts_actual
        else None
    )
    return _svg(width, height, title, body, desc)


def spending_curve_for(
    snapshots: Sequence[object], *, title: str | None = None, width: int = 680, height: int = 380
) -> str:
    """`spending_curve_svg` from a project's `MonitorSnapshot`s (any order): the budget and plan of the
    latest, every snapshot with an executed amount as a point, the latest as-of date marked."""
    from jixiao.cycle.monitor import MonitorSnapshot

    snaps = sorted((s for s in snapshots if isinstance(s, MonitorSnapshot)), key=lambda s: s.as_of)
    if not snaps:
        return _empty(width, height, title or "资金支出进度")
    last = snaps[-1]
    year = last.year or last.as_of.year
    name = last.project_name or ""
    return spending_curve_svg(
        year=year,
        budget=last.budget,
        plan=last.spending_plan,
        actuals=[(s.as_of, s.executed) for s in snaps if s.executed is not None],
        as_of=last.as_of,
        title=title or (f"{name} 资金支出进度" if name else "资金支出进度"),
        subtitle=f"预算数 {money(last.budget)} 万元" if last.budget else None,
        width=width,
        height=height,
    )


# ---------------------------------------------------------------- (b) score distribution


def grade_of(score: Number) -> str:
    s = Decimal(str(score))
    return next(g for cut, g in GRADE_CUTS if s >= cut)


def score_bins(scores: Iterable[Number]) -> list[tuple[str, int, str]]:
    """(label, count, grade of the bin) for 0–10, 10–20 … 90–100 (lower bound inclusive; 100 in the last)."""
    counts = [0] * 10
    for s in scores:
        v = float(s)
        counts[min(9, max(0, int(v // 10)))] += 1
    return [(f"{10 * i}–{10 * i + 10}", n, grade_of(10 * i)) for i, n in enumerate(counts)]


def _vbars(
    body: list[str],
    items: Sequence[tuple[str, int, str, str]],
    *,
    x0: float,
    y0: float,
    w: float,
    h: float,
    ymax: float,
    ticks: Sequence[float],
    caption: str,
    axis_labels: bool = True,
    hide_zero: bool = False,
    edges: Sequence[str] | None = None,
) -> None:
    """Vertical bars (label, value, color, tooltip) in the box (x0, y0, w, h), value above each bar.

    `edges` (one more than the bars): label the boundaries between the bars (a histogram's 0, 10 …
    100) instead of each bar; every other one is left out where they would not fit."""
    for t in ticks:
        yy = y0 + h * (1 - t / ymax)
        body.append(f'<line x1="{x0:.1f}" y1="{yy:.1f}" x2="{x0 + w:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        if axis_labels:
            body.append(_text(x0 - 6, yy + 4, fmt(t), size=11, anchor="end", fill=MUTED))
    slot = w / max(1, len(items))
    bw = min(56.0, slot * 0.7)
    for i, (label, value, color, tip) in enumerate(items):
        cx = x0 + slot * (i + 0.5)
        bh = h * value / ymax if ymax else 0
        body.append(
            f'<rect x="{cx - bw / 2:.1f}" y="{y0 + h - bh:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
            f'rx="2" fill="{color}"><title>{_e(tip)}</title></rect>'
        )
        if value or not hide_zero:
            body.append(_text(cx, y0 + h - bh - 5, str(value), size=12, anchor="middle", weight="bold"))
        if edges is None:
            size = 11 if len(label) > 2 else 13
            body.append(_text(cx, y0 + h + 16, shorten(label, slot - 4, size), size=size, anchor="middle"))
    if edges:
        widest = max(text_width(e, 11) for e in edges)
        step = next((k for k in (1, 2, 5) if slot * k >= widest + 6), len(edges))
        for k, label in enumerate(edges):
            if k % step == 0:
                xx = x0 + slot * k
                body.append(_ln(xx, y0 + h, xx, y0 + h + 4, AXIS))
                body.append(_text(xx, y0 + h + 16, label, size=11, anchor="middle"))
    body.append(_ln(x0, y0 + h, x0 + w, y0 + h, AXIS))
    body.append(_text(x0 + w / 2, y0 + h + 36, caption, size=12, anchor="middle", fill=MUTED))


def score_distribution_svg(
    scores: Sequence[Number], *, title: str = "项目自评得分分布", width: int = 760, height: int = 320
) -> str:
    """A unit's projects by grade (优 ≥90, 良 ≥80, 中 ≥60, 差 <60) and by 10-point bins of the total."""
    if not scores:
        return _empty(width, height, title)
    by_grade = {g: 0 for g in GRADES}
    for s in scores:
        by_grade[grade_of(s)] += 1
    bins = score_bins(scores)
    mean = sum(Decimal(str(s)) for s in scores) / len(scores)
    subtitle = (
        f"共 {len(scores)} 个项目，平均 {fmt(mean, 1)} 分，"
        f"最高 {fmt(max(scores), 1)} 分，最低 {fmt(min(scores), 1)} 分"
    )
    top = max([*by_grade.values(), *(n for _, n, _ in bins)])
    ticks = nice_ticks(top * 1.15, 4, integer=True)
    body = _title_line(width, title, subtitle)
    y0, h = 72, height - 72 - 52
    gw = max(width * 0.3, 150.0)  # room for the four grades and their caption on a narrow chart
    _vbars(
        body,
        [(g, n, GRADE_COLORS[g], f"{g}：{n} 个项目") for g, n in by_grade.items()],
        x0=48,
        y0=y0,
        w=gw - 48,
        h=h,
        ymax=ticks[-1],
        ticks=ticks,
        caption="按等级（个）",
    )
    _vbars(
        body,
        [(lbl, n, GRADE_COLORS[g], f"{lbl} 分：{n} 个项目") for lbl, n, g in bins],
        x0=gw + 40,
        y0=y0,
        w=width - gw - 56,
        h=h,
        ymax=ticks[-1],
        ticks=ticks,
        caption="按得分区间（分，含下限）",
        hide_zero=True,
        edges=[str(10 * i) for i in range(len(bins) + 1)],
    )
    return _svg(width, height, title, body, subtitle)


# ---------------------------------------------------------------- (c) lights per unit


def lights_by_unit_svg(
    rows: Sequence[tuple[str, Mapping[str | None, int]]],
    *,
    title: str = "各单位项目监控结果",
    width: int = 760,
    label_px: float = 200,
) -> str:
    """Stacked bars: per unit, its projects counted by light (red, yellow, green, blue, None = 未填),
    in the order given; counts inside the segments, the total at the end of the bar."""
    row_h, top = 34, 84
    height = top + row_h * max(1, len(rows)) + 36
    if not rows:
        return _empty(width, 200, title)
    totals = [sum(c.get(k, 0) for k in LIGHT_ORDER) for _, c in rows]
    vmax = max([1, *totals])
    ticks = nice_ticks(vmax, 5, integer=True)
    x0 = label_px + 16
    pw = width - x0 - 60
    scale = pw / ticks[-1]
    present = [k for k in LIGHT_ORDER if any(c.get(k, 0) for _, c in rows)] or ["green"]
    all_counts = {k: sum(c.get(k, 0) for _, c in rows) for k in LIGHT_ORDER}
    subtitle = f"共 {sum(totals)} 个项目：" + "，".join(
        f"{LIGHT_NAMES[k]} {all_counts[k]}" for k in LIGHT_ORDER if all_counts[k]
    )
    body = _title_line(width, title, subtitle)
    legend = [("box", LIGHT_COLORS[k], LIGHT_NAMES[k]) for k in present]
    body += _legend(legend, width / 2 - legend_width(legend) / 2, 70)
    bottom = top + row_h * len(rows)
    for t in ticks:
        xx = x0 + t * scale
        body.append(f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        body.append(_text(xx, bottom + 16, fmt(t), size=11, anchor="middle", fill=MUTED))
    body.append(_text(x0 + pw / 2, bottom + 32, "项目数（个）", size=11, anchor="middle", fill=MUTED))
    for i, ((unit, counts), total) in enumerate(zip(rows, totals, strict=True)):
        yy = top + i * row_h
        body.append(
            f"<g><title>{_e(unit)}："
            + _e("，".join(f"{LIGHT_NAMES[k]} {counts.get(k, 0)}" for k in LIGHT_ORDER if counts.get(k, 0)))
            + "</title>"
        )
        body.append(_text(x0 - 8, yy + row_h / 2 + 4, shorten(unit, label_px, 12), size=12, anchor="end"))
        xx = x0
        for k in LIGHT_ORDER:
            n = counts.get(k, 0)
            if not n:
                continue
            w = n * scale
            body.append(
                f'<rect x="{xx:.1f}" y="{yy + 6:.1f}" width="{w:.1f}" height="{row_h - 12}" '
                f'fill="{LIGHT_COLORS[k]}">{_tip(f"{unit} {LIGHT_NAMES[k]} {n} 个")}</rect>'
            )
            if w >= 16:
                ink = INK if k == "yellow" or k is None else "#ffffff"
                body.append(
                    _text(
                        xx + w / 2,
                        yy + row_h / 2 + 4,
                        str(n),
                        size=12,
                        anchor="middle",
                        fill=ink,
                        weight="bold",
                    )
                )
            xx += w
        body.append(_text(xx + 6, yy + row_h / 2 + 4, f"共 {total}", size=12, fill=MUTED))
        body.append("</g>")
    return _svg(width, height, title, body, subtitle)


# ---------------------------------------------------------------- (d) budget and indicator categories


def hbars(
    items: Sequence[tuple[str, Decimal | int, str]],
    *,
    title: str,
    subtitle: str | None,
    unit: str,
    width: int,
    label_px: float,
    axis_caption: str,
    number: Callable[[Decimal | int], str] = fmt,
    label_lines: int = 3,
) -> str:
    """Horizontal bars (label, value, colour) with the value at the end of each bar.

    A label longer than `label_px` wraps onto up to `label_lines` lines (the row grows to hold
    them; the last line is cut with … only beyond that); the full label and value are each row's
    <title>. The charts lately drawn are kept by their content (`_DRAWN`): a page shown again
    draws the same."""
    # every argument, each value with its type and text (1 and 1.0 and Decimal("1.00") differ)
    key = (
        tuple((label, type(v), str(v), color) for label, v, color in items),
        title,
        subtitle,
        unit,
        (type(width), width),  # printed as given in places: 150 and 150.0 draw differently
        (type(label_px), label_px),
        axis_caption,
        number,
        label_lines,
    )
    svg = _DRAWN.get(key)
    if svg is None:
        svg = _hbars(items, title, subtitle, unit, width, label_px, axis_caption, number, label_lines)
        _DRAWN.put(key, svg, len(svg))
    return svg


_DRAWN = Kept(500_000)  # characters: about 50 of the unit-year page's charts (~1 MB)


def _hbars(
    items: Sequence[tuple[str, Decimal | int, str]],
    title: str,
    subtitle: str | None,
    unit: str,
    width: int,
    label_px: float,
    axis_caption: str,
    number: Callable[[Decimal | int], str],
    label_lines: int,
) -> str:
    line_h = 15
    top = 64 if subtitle else 48
    if not items:
        return _empty(width, 200, title)
    wrapped = [wrap_text(label, label_px, 12, label_lines) for label, _, _ in items]
    heights = [max(30, line_h * len(lines) + 12) for lines in wrapped]
    height = top + sum(heights) + 44
    vmax = max([0.0, *(float(v) for _, v, _ in items)]) or 1.0
    values = [f"{number(v)}{unit}" for _, v, _ in items]  # each value's text, made once
    value_px = max(text_width(v, 12) for v in values) + 12
    x0 = label_px + 16
    pw = width - x0 - value_px - 8
    ticks = nice_ticks(vmax, 5, integer=all(isinstance(v, int) for _, v, _ in items))
    scale = pw / ticks[-1]
    body = _title_line(width, title, subtitle)
    bottom = top + sum(heights)
    for t in ticks:
        xx = x0 + t * scale
        body.append(f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        body.append(_text(xx, bottom + 16, fmt(t), size=11, anchor="middle", fill=MUTED))
    body.append(_text(x0 + pw / 2, bottom + 34, axis_caption, size=11, anchor="middle", fill=MUTED))
    # each row's elements as `_text` and the bar's f-string make them, one string with the lines
    # between them that `_svg` puts between elements (a chart of a big bureau draws 200 rows)
    label_x, bar_x = f"{x0 - 8:.1f}", f"{x0:.1f}"
    yy = float(top)
    for (label, value, color), text, lines, row_h in zip(items, values, wrapped, heights, strict=True):
        w = max(0.0, float(value) * scale)
        mid = yy + row_h / 2
        first = mid + 4 - line_h * (len(lines) - 1) / 2
        labels = "".join(
            f'<text x="{label_x}" y="{first + k * line_h:.1f}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{_e(line)}</text>\n'
            for k, line in enumerate(lines)
        )
        bar_h = min(20.0, row_h - 10)
        body.append(
            f"<g><title>{_e(f'{label}：{text}')}</title>\n{labels}"
            f'<rect x="{bar_x}" y="{mid - bar_h / 2:.1f}" width="{w:.1f}" height="{bar_h:.1f}" rx="2" '
            f'fill="{color}"/>\n'
            f'<text x="{x0 + w + 6:.1f}" y="{mid + 4:.1f}" font-size="12" text-anchor="start" fill="{INK}" '
            f'font-weight="bold">{_e(text)}</text>\n</g>'
        )
        yy += row_h
    body.append(f'<line x1="{x0}" y1="{top - 4}" x2="{x0}" y2="{bottom}" stroke="{AXIS}"/>')
    return _svg(width, height, title, body, subtitle)


def budget_by_project_svg(
    items: Sequence[tuple[str, Decimal | None]],
    *,
    title: str = "项目预算",
    sort: bool = True,
    width: int = 760,
    label_px: float = 240,
) -> str:
    """Horizontal bars of each project's 预算数 (万元), largest first unless sort=False; projects
    without a budget are left out (and counted in the subtitle)."""
    known = [(n, v) for n, v in items if v is not None]
    if sort:
        known.sort(key=lambda x: x[1], reverse=True)  # type: ignore[arg-type,return-value]
    total = sum((v for _, v in known), Decimal(0))  # type: ignore[misc]
    missing = len(items) - len(known)
    subtitle = f"{len(known)} 个项目，合计 {money(total)} 万元"
    if missing:
        subtitle += f"；{missing} 个项目未列预算数"
    return hbars(
        [(n, v, ACTUAL_COLOR) for n, v in known],
        title=title,
        subtitle=subtitle,  # type: ignore[misc]
        unit="万元",
        width=width,
        label_px=label_px,
        axis_caption="预算数（万元）",
        number=money,
    )


def category_counts(indicators: Iterable[Indicator]) -> dict[str, int]:
    """Indicators counted by canonical level-1 category (产出, 成本, 效益, 满意度, then 未识别)."""
    counts = dict.fromkeys(CATEGORY_ORDER, 0)
    for ind in indicators:
        key = ind.level1_canonical or UNKNOWN_CATEGORY
        counts[key] = counts.get(key, 0) + 1
    return {
        k: v
        for k, v in counts.items()
        if v or k in (taxonomy.OUTPUT, taxonomy.BENEFIT, taxonomy.SATISFACTION)
    }


def indicators_by_category_svg(
    counts: Mapping[str, int], *, title: str = "绩效指标按一级指标分类", width: int = 760
) -> str:
    """Horizontal bars of indicator counts per level-1 category (see `category_counts`)."""
    items = [(k, int(v), category_color(k)) for k, v in counts.items()]
    total = sum(v for _, v, _ in items)
    return hbars(
        items,
        title=title,
        subtitle=f"共 {total} 个指标",
        unit="个",
        width=width,
        label_px=96,
        axis_caption="指标数（个）",
    )


# ---------------------------------------------------------------- (e) one indicator among its peers


def distribution_svg(
    values: Sequence[float],
    subject: float,
    *,
    q1: float,
    median: float,
    q3: float,
    unit: str,
    title: str = "横向比较",
    width: int = 760,
) -> str:
    """横向比较: every peer's value as a grey dot on one axis, the quartile box and the median, and
    the subject as a red diamond with its value. Values are in the compared unit (`unit`)."""
    if not values:
        return _empty(width, 160, title)
    lo = min([*values, subject])
    hi = max([*values, subject])
    if hi == lo:
        hi = lo + 1
    x0, x1 = 40.0, width - 40.0
    height = 170
    log = lo > 0 and hi / lo >= 50  # values over orders of magnitude: a log scale keeps them apart

    def x(v: float) -> float:
        if log:
            return x0 + (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (
                x1 - x0
            )
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    axis_y, box_top, box_h = 120.0, 70.0, 30.0
    subtitle = f"本指标与 {len(values)} 个同类指标（单位：{unit}），方框为四分位区间，竖线为中位数"
    if log:
        subtitle += "，对数刻度"
    body = _title_line(width, title, subtitle)
    body.append(_ln(x0, axis_y, x1, axis_y, AXIS))
    for t in (lo, q1, median, q3, hi):
        body.append(_ln(x(t), axis_y, x(t), axis_y + 4, AXIS))
    body.append(_text(x(lo), axis_y + 18, fmt(lo), size=11, anchor="start", fill=MUTED))
    body.append(_text(x(hi), axis_y + 18, fmt(hi), size=11, anchor="end", fill=MUTED))
    body.append(
        f'<rect x="{x(q1):.1f}" y="{box_top:.1f}" width="{max(1.0, x(q3) - x(q1)):.1f}" height="{box_h:.0f}" '
        f'fill="#e8eef6" stroke="{ACTUAL_COLOR}">{_tip(f"四分位区间 {fmt(q1)}–{fmt(q3)} {unit}")}</rect>'
    )
    body.append(
        _ln(x(median), box_top, x(median), box_top + box_h, ACTUAL_COLOR, ' stroke-width="2"').replace(
            "/>", f">{_tip(f'中位数 {fmt(median)} {unit}')}</line>"
        )
    )
    for i, v in enumerate(values):
        jitter = (i % 5 - 2) * 3.0
        body.append(
            f'<circle cx="{x(v):.1f}" cy="{box_top + box_h / 2 + jitter:.1f}" r="3" fill="{MUTED}" '
            f'fill-opacity="0.6">{_tip(f"{fmt(v)} {unit}")}</circle>'
        )
    sx, sy = x(subject), box_top + box_h / 2
    body.append(
        f'<path d="M{sx:.1f} {sy - 8:.1f} L{sx + 7:.1f} {sy:.1f} '
        f'L{sx:.1f} {sy + 8:.1f} L{sx - 7:.1f} {sy:.1f} Z" '
        f'fill="{AS_OF_COLOR}">{_tip(f"本指标 {fmt(subject)} {unit}")}</path>'
    )
    label = f"本指标 {fmt(subject)} {unit}"
    anchor = "start" if sx < width / 2 else "end"
    body.append(
        _text(
            sx + (10 if anchor == "start" else -10), box_top - 8, label, size=12, anchor=anchor, weight="bold"
        )
    )
    return _svg(width, height, title, body, subtitle)
