"""Template filters: money in 万元, parsed 指标值 in words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()

KIND_LABELS = {"number": "数值", "percent": "百分比", "date": "日期", "boolean": "是否", "text": "定性"}
OP_LABELS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "range": "区间"}


@register.filter
def money(v: Any) -> str:
    """12.500000 → 12.5; None → —."""
    if v is None or v == "":
        return "—"
    d = Decimal(str(v))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


@register.filter
def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "text", kind or "")


@register.filter
def target_text(t: dict | None) -> str:
    """The parsed value in short words: ≥ 95 %, 2024-12-31 前, 定性."""
    if not t:
        return ""
    kind = t.get("kind") or "text"
    if kind == "text":
        return "定性"
    if kind == "boolean":
        v = t.get("value")
        return "未填写" if v is None else ("是" if v else "否")
    op = t.get("op")
    if kind == "date":
        return (
            f"不晚于 {t.get('value')}"
            if op in ("<=", "<", None)
            else f"{OP_LABELS.get(op, op)} {t.get('value')}"
        )
    value = t.get("value")
    unit = t.get("unit") or ""
    if op == "range":
        s = f"{value}–{t.get('high')} {unit}"
    else:
        s = f"{OP_LABELS.get(op, '') + ' ' if op else ''}{value} {unit}"
    if t.get("approx"):
        s = "约 " + s
    return s.strip()


@register.filter
def get(d: dict | None, key: str) -> Any:
    return (d or {}).get(key)


SEVERITY_LABELS = {"error": "错误", "warning": "警告", "hint": "提示"}


@register.filter
def severity_label(sev: str | None) -> str:
    return SEVERITY_LABELS.get(sev or "", sev or "")
