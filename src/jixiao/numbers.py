"""Numbers as people read them: 万元 amounts, percentages and plain decimals (imports nothing of
jixiao). Every page, export and report formats a Decimal through here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def money(v: Any) -> str:
    """An amount as printed, thousands separated, no trailing zeros: 12.500000 → 12.5,
    1234 → 1,234; None or "" → —."""
    if v is None or v == "":
        return "—"
    d = Decimal(str(v))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def plain(v: Any) -> str:
    """A Decimal without exponent or trailing zeros and without separators (for cells and JSON
    text): Decimal("12.50") → "12.5", Decimal("1E+2") → "100"; None → ""."""
    if v is None or v == "":
        return ""
    d = Decimal(str(v))
    if d == d.to_integral_value():
        return str(int(d))
    return f"{d.normalize():f}"
