"""The stored corpus read for comparison (横向比较), the indicator library (指标库) and a project's
earlier years (历年对比): the database as the pandas frame `jixiao.corpus.compare` works on.

Who is compared with whom: the population is every published or approved project (what units
publish is public), plus the projects the viewer may see (a unit compares its drafts with the
published targets of others, and never sees another unit's drafts). The readers' view uses the
published population alone.

The public frame is built once per process and kept while the data have not changed (the newest
history record, which every write leaves, and the number of indicators); one frame is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, QuerySet

from jixiao.corpus.compare import FRAME_COLUMNS, Comparison, compare, name_key, names_agree, prepare
from jixiao.corpus.library import Library, build_library
from jixiao.review.history import History as ReviewHistory
from jixiao.values import parse_value
from jixiao.web.lib.reviews import history_of
from jixiao.web.models import History, Indicator, Project, SelfEvaluation
from jixiao.web.permissions import visible_projects

if TYPE_CHECKING:
    import pandas as pd


PUBLIC_STATES = ("approved", "published")
"""Project states whose targets are public: 已批复 and 已公开."""

_ROW_FIELDS = (
    "id",
    "project_id",
    "seq",
    "level1",
    "level2",
    "name",
    "level1_canonical",
    "level2_canonical",
    "value",
    "target",
    "measure_unit",
    "project__seq",
    "project__year",
    "project__code",
    "project__name",
    "project__title",
    "project__budget_total",
    "project__disclosure_id",
    "project__unit__region",
    "project__unit__code",
    "project__unit__name",
)

_lock = threading.Lock()
_public: tuple[tuple[Any, ...], pd.DataFrame] | None = None


def public_projects() -> QuerySet[Project]:
    """Projects whose targets anyone may read: approved (已批复) or published (已公开)."""
    return Project.objects.filter(state__in=PUBLIC_STATES)


def database_frame(indicators: QuerySet[Indicator] | None = None) -> pd.DataFrame:
    """The stored indicators (all, or the given query) as the prepared frame `jixiao.corpus.compare`
    and `.library` take: the data set's indicator columns plus `indicator_id` and `project_id`,
    so that comparison and the library run on the database as on Parquet."""
    if indicators is None:
        indicators = Indicator.objects.all()
    import pandas as pd

    records = []
    for row in indicators.order_by("project_id", "seq", "id").values_list(*_ROW_FIELDS):
        iid, pid, seq, l1, l2, name, l1c, l2c, value, target, mu = row[:11]
        pseq, year, code, pname, title, budget, did, region, ucode, uname = row[11:]
        t = target or {}
        b = _with_measure_unit(t, value, mu, year)
        records.append(
            {
                "sha256": f"db:{did if did is not None else f'p{pid}'}",
                "path": "",
                "project_seq": pseq,
                "seq": seq,
                "unit_region": region or None,
                "unit_code": ucode or None,
                "unit_name": uname,
                "year": year,
                "project_code": code,
                "project_name": pname or title,
                "project_budget": float(budget) if isinstance(budget, Decimal) else None,
                "level1": l1,
                "level2": l2,
                "name": name,
                "level1_canonical": l1c,
                "level2_canonical": l2c,
                "value": value,
                "target_kind": t.get("kind") or "text",
                "target_op": t.get("op"),
                "target_value": _number(t.get("value")),
                "target_high": _number(t.get("high")),
                "target_unit": t.get("unit"),
                "target_base_value": _number(b.get("base_value")),
                "target_base_unit": b.get("base_unit"),
                "indicator_id": iid,
                "project_id": pid,
            }
        )
    columns = [*FRAME_COLUMNS, "indicator_id", "project_id"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return prepare(frame)


def _with_measure_unit(
    t: dict[str, Any], value: str | None, mu: str | None, year: int | None
) -> dict[str, Any]:
    """The target used to compare: a number printed without a unit takes the 度量单位 column's
    (指标值 `470` with 度量单位 `元/人` reads as 470 元/人), as the corpus data set does."""
    mu = (mu or "").strip()
    if t.get("kind") != "number" or t.get("unit") or not mu:
        return t
    withunit = parse_value(f"{(value or '').strip()}{mu}", year=year)
    if withunit.kind in ("number", "percent") and withunit.base_value is not None:
        return withunit.to_dict()
    return t


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _stamp() -> tuple[Any, ...]:
    h = History.objects.aggregate(last=Max("id"))
    i = Indicator.objects.aggregate(n=Count("id"), last=Max("id"))
    return (h["last"], i["n"], i["last"])


def public_frame() -> pd.DataFrame:
    """Every public indicator as a prepared frame (cached while the data have not changed)."""
    global _public
    stamp = _stamp()
    with _lock:
        if _public is not None and _public[0] == stamp:
            return _public[1]
    frame = database_frame(Indicator.objects.filter(project__state__in=PUBLIC_STATES))
    with _lock:
        _public = (stamp, frame)
    return frame


def frame_for(user: Any) -> pd.DataFrame:
    """The population `user` compares against: the public frame plus the projects they may see
    that are not public yet (their own drafts); anonymous readers get the public frame."""
    import pandas as pd

    base = public_frame()
    if user is None or not getattr(user, "is_authenticated", False):
        return base
    own = visible_projects(user).exclude(state__in=PUBLIC_STATES)
    extra = database_frame(Indicator.objects.filter(project__in=own))
    if extra.empty:
        return base
    if base.empty:
        return extra
    return pd.concat([base, extra], ignore_index=True)


def compare_indicator(user: Any, indicator_id: int, *, same_name: bool = False) -> Comparison | None:
    """The comparison of one indicator the user may see with its peers; None when the indicator
    is not in the user's population (then it does not exist for them)."""
    frame = frame_for(user)
    if frame.empty:
        return None
    hits = frame.index[frame["indicator_id"] == indicator_id]
    if len(hits) == 0:
        return None
    return compare(frame, int(hits[0]), same_name=same_name)


def library_for(user: Any, *, department: str | None = None, words: str | None = None) -> Library:
    """The indicator library learned from the user's population (the public one for readers)."""
    return build_library(frame_for(user), department=department or None, project_words=words or None)


@dataclass
class YearTarget:
    """One earlier year's target of an indicator, with its actual where a self-evaluation is stored."""

    year: int | None
    project_id: int
    value: str | None
    actual: str | None


@dataclass
class IndicatorYears:
    indicator_id: int
    name: str | None
    value: str | None
    earlier: list[YearTarget] = field(default_factory=list)


def earlier_years(user: Any, project: Project) -> list[IndicatorYears]:
    """历年对比: each indicator of `project` beside the same indicator (same name, ignoring spacing
    and punctuation) in the same unit's projects of earlier years with the same or a similar name
    (`names_agree`), newest first, with the actual from their stored self-evaluation."""
    current = list(project.indicators.order_by("seq", "id"))
    candidates = [
        p
        for p in visible_projects(user)
        .filter(unit_id=project.unit_id, year__lt=project.year or 0)
        .order_by("-year", "seq")
        if names_agree(p.name or p.title, project.name or project.title)
        or (p.code and p.code == project.code)
    ]
    earlier_inds: dict[int, list[Indicator]] = {p.pk: [] for p in candidates}
    for ind in Indicator.objects.filter(project__in=candidates).order_by("seq", "id"):
        earlier_inds[ind.project_id].append(ind)
    actuals: dict[int, str | None] = {}
    for se in SelfEvaluation.objects.filter(project__in=candidates):
        for r in se.rows or []:
            if r.get("indicator_id") is not None:
                actuals[int(r["indicator_id"])] = r.get("actual")
    out = []
    for ind in current:
        key = name_key(ind.name)
        row = IndicatorYears(ind.pk, ind.name, ind.value)
        for p in candidates:
            for old in earlier_inds[p.pk]:
                if key and name_key(old.name) == key:
                    row.earlier.append(YearTarget(p.year, p.pk, old.value, actuals.get(old.pk)))
                    break
        out.append(row)
    return out


def stored_history(unit_id: int, year: int | None) -> ReviewHistory | None:
    """Last year's actuals (实际完成值) of a unit, from its stored self-evaluations, for the ambition
    rule (a target below what was already achieved); None when the unit has none for `year − 1`.
    (The stored reviews read the same, batched per unit-year: `reviews.histories`.)"""
    if year is None:
        return None
    return history_of(
        SelfEvaluation.objects.filter(project__unit_id=unit_id, project__year=year - 1)
        .order_by("project__seq", "project_id")
        .values_list("project__name", "project__title", "project__code", "rows")
    )


def suggestions_for(user: Any, project: Project, *, top: int = 5) -> Library:
    """指标库建议 for a project's edit page: what similar projects (same department type, a similar
    name; the department alone when no name is similar) use under each category, less the
    indicators the project already has."""
    from jixiao.corpus.library import department_type

    department = department_type(project.unit.name, project.name)
    words = project.name or project.title or None
    frame = frame_for(user)
    if not frame.empty:  # what other units use: the project's own unit is left out
        frame = frame[
            ~((frame["unit_name"] == project.unit.name) & (frame["unit_code"] == (project.unit.code or None)))
        ]
    have = {name_key(n) for n in project.indicators.values_list("name", flat=True)}

    def fresh(lib: Library) -> Library:
        for cat in lib.categories:
            cat.indicators = [i for i in cat.indicators if not ({name_key(n) for n in i.names} & have)][:top]
        lib.categories = [c for c in lib.categories if c.indicators]
        return lib

    lib = fresh(build_library(frame, department=department, project_words=words, top=top + 10))
    if not lib.categories and words:
        lib = fresh(build_library(frame, department=department, top=top + 10))
    return lib
