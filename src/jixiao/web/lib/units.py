"""Telling budget units (预算单位) apart: region + code + name.

Codes repeat across finance systems (414001 is the market-supervision bureau of several counties),
so wherever a user names a unit — a CLI option, an API filter, a document's unit line — the name is
matched against region, code and name together, and a code that fits several units is an error
listing them. Read-only: creating units is `actions`' business.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.db.models import Q, QuerySet

from jixiao.web.models import Unit

_SPACE = re.compile(r"\s+")
_DIVISION = re.compile(r"^\d{6}$")


class UnitSpecError(ValueError):
    """A unit named by a user is unknown or ambiguous; `message` is Chinese and lists the matches."""

    def __init__(self, message: str, matches: list[Unit] | None = None):
        super().__init__(message)
        self.message = message
        self.matches = matches or []


@lru_cache(maxsize=4096)  # unit names and indicator labels of an import; bounded for workers
def squash(text: str | None) -> str:
    """A unit name as compared: NFKC (full-width brackets and digits as ASCII), no white space.
    Memoised: an import compares the same few unit names for each of its tables."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def same_name(a: str | None, b: str | None) -> bool:
    sa = squash(a)
    return bool(sa) and sa == squash(b)


def unit_fits(
    unit: Unit, *, region: str | None = None, code: str | None = None, name: str | None = None
) -> bool:
    """Whether `unit` is the unit a document names: the same name (as `squash` compares), and the
    same code and region where both sides give one. A name is required; code alone is not enough
    (codes repeat)."""
    if not same_name(unit.name, name):
        return False
    if code and unit.code and code.strip() != unit.code:
        return False
    return not (region and unit.region and region.strip() != unit.region)


def describe(unit: Unit) -> str:
    """A unit as a user reads it in a list of matches: region, code, name and its id."""
    return f"{unit.region or '（地区未填）'} {unit.code or '（无编码）'} {unit.name}（单位编号 {unit.pk}）"


def describe_named(region: str | None, code: str | None, name: str | None) -> str:
    """What a document names, as a user reads it: “name”（code，region）."""
    extra = "，".join(x for x in ((code or "").strip(), (region or "").strip()) if x)
    return f"“{(name or '').strip() or '未写明名称'}”" + (f"（{extra}）" if extra else "")


def _region_filter(part: str) -> Q:
    """A region given as a GB/T 2260 division code (130303) or as (the end of) its name."""
    part = part.strip()
    if _DIVISION.match(part):
        from jixiao.regions import region_name

        name = region_name(part)
        return Q(region=name) if name else Q(pk__in=[])
    return Q(region=part) | Q(region__endswith=part)


def find_units(spec: str, units: QuerySet[Unit] | None = None) -> list[Unit]:
    """The units (among `units`, default all) that `spec` names. Forms:

    - ``414001`` — a unit code (every unit with that code);
    - ``130303:414001`` or ``山海关区:414001`` — region (division code or the end of its name) and code;
    - ``130303:414001:名称`` — region, code and name; ``名称`` alone — a unit name;
    - ``id:12`` — the unit with that id.
    """
    qs = units if units is not None else Unit.objects.all()
    spec = (spec or "").strip()
    if not spec or "\x00" in spec or len(spec) > 400:  # nothing any unit is called
        return []
    if spec.lower().startswith("id:"):
        rest = spec[3:].strip()
        return list(qs.filter(pk=int(rest))) if rest.isdecimal() and len(rest) < 18 else []
    parts = [p.strip() for p in re.split(r"[:：]", spec)]
    if len(parts) == 1:
        found = list(qs.filter(code=spec).order_by("region", "code", "name", "pk"))
        if found:
            return found
        return [u for u in qs.filter(name__contains=spec[:200]) if same_name(u.name, spec)] or list(
            qs.filter(name=spec)
        )
    region, code = parts[0], parts[1]
    cond = Q(code=code) & (_region_filter(region) if region else Q())
    found = list(qs.filter(cond).order_by("region", "code", "name", "pk"))
    if len(parts) > 2 and parts[2]:
        found = [u for u in found if same_name(u.name, ":".join(parts[2:]))]
    return found


def listing(units: Iterable[Unit]) -> str:
    return "；".join(describe(u) for u in units)


def resolve_unit(spec: str, units: QuerySet[Unit] | None = None, *, option: str = "--unit") -> Unit:
    """The one unit `spec` names (see `find_units`); UnitSpecError when none or several do, listing
    the matches and how to tell them apart."""
    found = find_units(spec, units)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnitSpecError(f"没有单位 {spec}（{option} 可写 单位编码、地区:编码 或 id:单位编号）。")
    raise ambiguous(spec, found, option=option)


def ambiguous(spec: str, found: list[Unit], *, option: str = "--unit") -> UnitSpecError:
    """The error for a unit name several units fit: the matches, and how to name one of them."""
    example = found[0]
    sep = "" if option.endswith("=") else " "
    hint = f"{example.region}:{example.code}" if example.region else f"id:{example.pk}"
    return UnitSpecError(
        f"单位 {spec} 不唯一，有 {len(found)} 个单位符合：{listing(found[:20])}"
        + ("；……" if len(found) > 20 else "")
        + f"。请写明地区或单位编号，例如 {option}{sep}{hint}（地区可写行政区划代码）"
        + f"或 {option}{sep}id:{example.pk}。",
        found,
    )


def unit_ids_for_filter(spec: str, units: QuerySet[Unit], *, option: str = "unit=") -> list[int]:
    """The ids of the units (among `units`, those a user sees) that a list filter names: none is an
    empty list (nothing listed), several is UnitSpecError listing them (a code never mixes units)."""
    found = find_units(spec, units)
    if len(found) > 1:
        raise ambiguous(spec, found, option=option)
    return [u.pk for u in found]
