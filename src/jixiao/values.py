"""指标值 parser (placeholder until the full grammar lands)."""

from __future__ import annotations

from jixiao.model import TargetValue


def parse_value(text: str, year: int | None = None) -> TargetValue:
    return TargetValue(raw=text)
