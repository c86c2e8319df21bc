"""Charts rendered on the server as inline SVG (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2f6fb0", "#3f9e6e", "#d08a2c", "#a54a8b", "#5b6b7f", "#c0504d"]


def _fmt(v: Decimal | float) -> str:
    d = Decimal(str(v))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.quantize(Decimal('0.01')).normalize():,}" if abs(d) >= 1 else f"{d.normalize()}"


def _short(label: str, n: int) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def bar_chart(
    items: Sequence[tuple[str, Decimal | float | int]],
    *,
    unit: str = "",
    title: str = "",
    width: int = 720,
    label_chars: int = 16,
    color_by: Sequence[int] | None = None,
) -> SafeString:
    """A horizontal bar chart: one bar per (label, value)."""
    if not items:
        return mark_safe('<p class="muted">无数据</p>')
    row = 26
    label_w = 14 * label_chars + 8
    value_w = 110
    bar_w = width - label_w - value_w
    top = 28 if title else 6
    height = top + row * len(items) + 6
    vmax = max((float(v) for _, v in items), default=0) or 1.0
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
    ]
    if title:
        parts.append(
            f'<title>{escape(title)}</title><text x="0" y="18" class="chart-title">{escape(title)}</text>'
        )
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = max(1.0, bar_w * float(value) / vmax) if float(value) > 0 else 0
        color = PALETTE[(color_by[i] if color_by else 0) % len(PALETTE)]
        parts.append(
            f"<g><title>{escape(label)}：{_fmt(value)}{escape(unit)}</title>"
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="chart-label">'
            f"{escape(_short(label, label_chars))}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" rx="2" fill="{color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="chart-value">'
            f"{_fmt(value)}{escape(unit)}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
