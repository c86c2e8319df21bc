"""Numbers as people read them: 万元 amounts, percentages and plain decimals (imports nothing of
jixiao). Every page, export and report formats a Decimal through here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any


def money(v: Any) -> str:
    """An amount as printed, thousands separated, no trailing zeros: 12.500000 → 12.5,
    1234 → 1,234; None or "" → —."""
    if type(v) is Decimal:  # a page formats hundreds: no comparison with "", no str round trip
        d = v
    elif v is None or v == "":
        return "—"
    else:
        d = Decimal(str(v))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def plain(v: Any) -> str:
    """A Decimal without exponent or trailing zeros and without separators (for cells and JSON
    text): Decimal("12.50") → "12.5", Decimal("1E+2") → "100"; None → ""."""
    if v is None or v == "":
        return ""
    d = v if type(v) is Decimal else Decimal(str(v))
    if d == d.to_integral_value():
        return str(int(d))
    return f"{d.normalize():f}"


def json_number(v: Any, places: Decimal | None = None) -> Any:
    """A Decimal for JSON: an int when whole, else a float, rounded to `places` first when given
    (Decimal("7.50") → 7.5, Decimal("3") → 3; huge whole numbers stay floats); anything else as it is."""
    if not isinstance(v, Decimal):
        return v
    if places is not None:
        v = v.quantize(places)
    return int(v) if v == v.to_integral_value() and abs(v) < 10**15 else float(v)


def trimmed(v: Any, places: str | Decimal = "0.01") -> str:
    """A score or share for print: rounded to `places`, trailing zeros dropped (7.50 → 7.5, -0 → 0);
    None → ""."""
    if v is None:
        return ""
    q = Decimal(str(v)).quantize(Decimal(places))
    s = f"{q:f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fixed(v: Any, places: str | Decimal = "0.01") -> str:
    """An amount with exactly the decimals of `places`, as tables print 万元 (85.5 → "85.50");
    None → ""."""
    if v is None:
        return ""
    d = v if type(v) is Decimal else Decimal(str(v))
    return f"{d.quantize(Decimal(places)):f}"


def percent(share: Any, places: int = 1) -> str:
    """A share as a percentage with `places` decimals, rounded half up: 0.8765 → 87.7%,
    1 → 100.0%; None or "" → ""."""
    if share is None or share == "":
        return ""
    d = share if type(share) is Decimal else Decimal(str(share))
    return f"{(d * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"
