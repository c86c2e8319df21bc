"""Review in the web app: the rule engine (jixiao.review) run over stored unit-years.

A unit-year (one `Disclosure` with all its projects) is reviewed as a whole, so unit-wide rules
such as JX505 (the same indicator set copied across projects) fire on the project pages too. The
result is remembered per unit-year *version*: the ids, versions and update times of its projects
and the disclosure's import time; any edit, workflow step or re-import gives a new version.
The result is stored (`ReviewResult`, one row per project and one for the unit-year as a whole)
by the write path: every action that changes a unit-year's projects or indicators calls
`store_reviews` inside its transaction. Pages and the API read the stored rows; a row whose version
(the unit-year's version and the settings file's content) is stale or missing makes the reader
review that unit-year again and store it, in one transaction. Rebuilt reviews are also kept per
process for the version they belong to.

Settings: the TOML file named by the environment variable `JIXIAO_REVIEW_CONFIG` (the same format
as `jixiao review --config`, with per-unit overrides), re-read when the file changes. A file that
cannot be used is reported on the pages and the defaults apply until it is fixed.

Writes: only the derived `ReviewResult` rows, never the domain data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Sum

from jixiao import model as m
from jixiao.review import (
    HEADINGS,
    SEVERITIES,
    DocumentReview,
    Finding,
    Outcome,
    ProjectReview,
    ReviewSettings,
    SettingsError,
    load_settings,
    rank_projects,
    review_document,
)
from jixiao.taxonomy import canonical_levels
from jixiao.web import bulk
from jixiao.web.convert import dec_or_none
from jixiao.web.models import Disclosure, History, Indicator, Project, ReviewResult, SubGoal

log = logging.getLogger(__name__)

SETTINGS_ENV = "JIXIAO_REVIEW_CONFIG"
# what each process keeps of the reviews it rebuilt, bounded by size (projects and findings held),
# not by count: a unit-year of 200 projects weighs 200 of 20
CACHE_WEIGHT = 60_000  # unit-years: 1 + projects + findings each (~1 KB a finding)
# single projects: 1 + findings each. A hit saves one query (the stored row), and an entry holds about
# 12 KB (bench/web.py, 7 findings a project): 20,000 kept some 2,800 projects, 33 MiB a worker, and
# the workers grew for the whole of a 10-minute mixed load; 2,000 keep some 300 (about 3.5 MiB).
PROJECT_CACHE_WEIGHT = 2_000
LOAD_CHUNK = 200  # unit-years loaded per round of queries

# ------------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class SettingsState:
    """The review settings in force, where they come from, and why not when the file is unusable."""

    settings: ReviewSettings
    path: str | None = None
    error: str | None = None
    generation: int = 0
    digest: str = "defaults"  # the settings file's content, for stored reviews


_settings_lock = threading.Lock()
_settings_state: tuple[Any, SettingsState] | None = None
_generation = 0


def review_settings() -> SettingsState:
    """The settings named by $JIXIAO_REVIEW_CONFIG (defaults when unset), re-read when the file changes."""
    global _settings_state, _generation
    path = os.environ.get(SETTINGS_ENV) or None
    try:
        st = os.stat(path) if path else None
        stamp = (path, st.st_mtime_ns, st.st_size) if st else (path,)
    except OSError:
        stamp = (path, "missing")
    with _settings_lock:
        if _settings_state is not None and _settings_state[0] == stamp:
            return _settings_state[1]
        _generation += 1
        if not path:
            state = SettingsState(ReviewSettings(), None, None, _generation)
        else:
            try:
                with open(path, "rb") as fh:
                    digest = hashlib.sha1(fh.read()).hexdigest()
            except OSError:
                digest = "missing"
            try:
                state = SettingsState(load_settings(path), path, None, _generation, digest)
            except SettingsError as e:
                log.error("review settings not used: %s", e)
                state = SettingsState(ReviewSettings(), path, str(e), _generation, f"error:{e}")
        _settings_state = (stamp, state)
        return state


# ------------------------------------------------------------------------------------ unit-year review


@dataclass
class UnitYearReview:
    """The review of one stored unit-year; `project_ids` runs parallel to `result.projects`."""

    disclosure_id: int
    result: DocumentReview
    project_ids: list[int]
    by_project: dict[int, ProjectReview] = field(default_factory=dict)
    settings_error: str | None = None

    def __post_init__(self) -> None:
        self.by_project = dict(zip(self.project_ids, self.result.projects, strict=True))


class BoundedCache:
    """Least recently used entries dropped first once the total weight of what is kept passes
    `limit`; `get` marks an entry used. Not thread-safe by itself (callers hold `_cache_lock`)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.weight = 0
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()

    def get(self, key: Any) -> Any:
        got = self._data.get(key)
        if got is None:
            return None
        self._data.move_to_end(key)
        return got[0]

    def put(self, key: Any, value: Any, weight: int) -> None:
        old = self._data.pop(key, None)
        if old is not None:
            self.weight -= old[1]
        self._data[key] = (value, weight)
        self.weight += weight
        while self.weight > self.limit and len(self._data) > 1:
            _, (_, w) = self._data.popitem(last=False)
            self.weight -= w

    def clear(self) -> None:
        self._data.clear()
        self.weight = 0

    def __len__(self) -> int:
        return len(self._data)


def _weight(uy: UnitYearReview) -> int:
    return 1 + len(uy.project_ids) + len(uy.result.findings)


_cache = BoundedCache(CACHE_WEIGHT)  # disclosure id → (version, UnitYearReview)
_cache_lock = threading.Lock()


def _fingerprints(disclosure_ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """The version of each unit-year, in one aggregate query: every write to a project bumps its
    version and its update time, an import its disclosure's time; adding or removing projects changes
    their count and the sum of their ids."""
    out: dict[int, tuple[Any, ...]] = {}
    ids = list(disclosure_ids)
    for i in range(0, len(ids), 5000):
        rows = (
            Project.objects.filter(disclosure_id__in=ids[i : i + 5000])
            .order_by()
            .values("disclosure_id")
            .annotate(
                n=Count("id"),
                ids=Sum("id"),
                versions=Sum("version"),
                changed=Max("updated_at"),
                imported=Max("disclosure__imported_at"),
            )
            .values_list("disclosure_id", "n", "ids", "versions", "changed", "imported")
        )
        for did, *fp in rows:
            out[did] = tuple(fp)
    return out


def fingerprint_of(projects: Iterable[tuple[int, int, Any]], imported_at: Any) -> tuple[Any, ...]:
    """`_fingerprints` of one unit-year from all its projects' (id, version, update time), already
    loaded (`imported_at`: its disclosure's import time), without the aggregate query."""
    n = ids = versions = 0
    changed = None
    for pid, version, updated in projects:
        n += 1
        ids += pid
        versions += version
        if changed is None or (updated is not None and updated > changed):
            changed = updated
    return (n, ids, versions, changed, imported_at)


PROJECT_COLUMNS = (
    "id",
    "disclosure_id",
    "seq",
    "title",
    "name",
    "code",
    "unit__code",
    "unit__name",
    "budget_total",
    "budget_fiscal",
    "budget_other",
    "purpose",
    "spending_plan",
    "goal",
    "version",
    "updated_at",
    "disclosure__source",
    "disclosure__unit__code",
    "disclosure__unit__name",
    "disclosure__year",
    "disclosure__overall_goal",
    "disclosure__imported_at",
)
INDICATOR_COLUMNS = (
    "project_id",
    "level1",
    "level2",
    "name",
    "description",
    "value",
    "basis",
    "nature",
    "measure_unit",
    "weight",
)


def domain_project(cols: tuple[Any, ...], indicators: list[m.Indicator]) -> m.Project:
    """The domain Project the review reads for a stored project: `cols` are its seq, title, name,
    code, unit code, unit name, three budgets, purpose, spending plan and goal as read back."""
    seq, title, name, code, ucode, uname, total, fiscal, other, purpose, plan, goal = cols
    return m.Project(
        seq=seq,
        title=title,
        name=name,
        code=code,
        unit_code=ucode,
        unit_name=uname,
        budget_total=dec_or_none(total),
        budget_fiscal=dec_or_none(fiscal),
        budget_other=dec_or_none(other),
        purpose=purpose,
        spending_plan=dict(plan) if plan else None,
        goal=goal,
        indicators=indicators,
    )


def _load(disclosure_ids: list[int]) -> dict[int, tuple[m.Disclosure, list[int], tuple[Any, ...]]]:
    """Domain disclosures of stored unit-years (projects in table order), their project ids and
    their version (as `_fingerprints` computes it).

    The same objects as `convert.disclosure_from_orm` (what `jixiao review --unit` reviews), read as
    plain rows: three queries for any number of unit-years, no model instances."""
    indicators: dict[int, list[m.Indicator]] = {}
    for pid, *cols in (
        Indicator.objects.filter(project__disclosure_id__in=disclosure_ids)
        .order_by("project_id", "seq", "id")
        .values_list(*INDICATOR_COLUMNS)
    ):
        indicators.setdefault(pid, []).append(m.Indicator(*cols))
    sub_goals: dict[int, list[m.SubGoal]] = {}
    for did, title, goal, inds in (
        SubGoal.objects.filter(disclosure_id__in=disclosure_ids)
        .order_by("disclosure_id", "seq", "id")
        .values_list("disclosure_id", "title", "goal", "indicators")
    ):
        sub_goals.setdefault(did, []).append(m.SubGoal(title=title, goal=goal, indicators=inds))
    out: dict[int, tuple[m.Disclosure, list[int], tuple[Any, ...]]] = {}
    stamps: dict[int, list[tuple[int, int, Any]]] = {}
    imported_at: dict[int, Any] = {}
    for row in (
        Project.objects.filter(disclosure_id__in=disclosure_ids)
        .order_by("disclosure_id", "seq", "id")
        .values_list(*PROJECT_COLUMNS)
    ):
        (
            pid,
            did,
            seq,
            title,
            name,
            code,
            ucode,
            uname,
            total,
            fiscal,
            other,
            purpose,
            plan,
            goal,
            version,
            updated,
            source,
            dcode,
            dname,
            year,
            overall,
            imported,
        ) = row
        got = out.get(did)
        if got is None:
            doc = m.Disclosure(
                source=source,
                unit_code=dcode or None,
                unit_name=dname,
                year=year,
                overall_goal=overall,
                sub_goals=sub_goals.get(did, []),
            )
            got = out[did] = (doc, [], ())
            imported_at[did] = imported
        got[0].projects.append(
            domain_project(
                (seq, title, name, code, ucode, uname, total, fiscal, other, purpose, plan, goal),
                indicators.get(pid, []),
            )
        )
        got[1].append(pid)
        stamps.setdefault(did, []).append((pid, version, updated))
    return {
        did: (doc, pids, fingerprint_of(stamps[did], imported_at[did])) for did, (doc, pids, _) in out.items()
    }


STORED_FORMAT = "3"  # what a stored row holds; a new format makes every stored row stale
# 3: the outcome's score, reasons and heading scores


def _version(fp: tuple[Any, ...], state: SettingsState) -> str:
    """The stored form of a unit-year version under the settings in force: a digest of the
    fingerprint (`_fingerprints`), of the settings file's content and of the stored format."""
    text = "|".join(str(x) for x in fp) + "|" + state.digest + "|" + STORED_FORMAT
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(**{k: d.get(k) for k in _FINDING_FIELDS})


_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))


def _project_of_row(row: tuple[Any, ...], why: tuple[Any, ...] = (None, (), {})) -> ProjectReview:
    """`row`: the first nine `STORED_COLUMNS`; `why`: the stored score, reasons and heading scores."""
    _pid, seq, name, ucode, uname, found, grade, headings, counts = row
    score, reasons, heading_scores = why
    findings = [_finding(d) for d in found]
    outcome = Outcome(
        seq,
        name,
        grade,
        dict(headings),
        dict(counts),
        score=score,
        reasons=list(reasons or ()),
        heading_scores=dict(heading_scores or {}),
    )
    return ProjectReview(seq, name, findings, outcome, ucode, uname)


def _categories(indicators: list[m.Indicator]) -> list[list[Any]]:
    """[[level1_canonical, level2_canonical, n], ...] as `convert.indicator_fields` classifies them."""
    n: Counter[tuple[str | None, str | None]] = Counter(
        canonical_levels(i.level1, i.level2) for i in indicators
    )
    return [[l1, l2, k] for (l1, l2), k in n.items()]


def _as_stored(uy: UnitYearReview, version: str, doc: m.Disclosure) -> list[ReviewResult]:
    loose = [f for f in uy.result.findings if f.project_seq is None]
    rows = [
        ReviewResult(
            disclosure_id=uy.disclosure_id,
            project_id=None,
            version=version,
            seq=-1,
            findings=[f.to_dict() for f in loose],
            counts=dict(Counter(f.severity for f in loose)),
            rules=dict(Counter(f.rule for f in loose)),
            settings_error=uy.settings_error,
        )
    ]
    for pid, pr, p in zip(uy.project_ids, uy.result.projects, doc.projects, strict=True):
        o = pr.outcome
        rows.append(
            ReviewResult(
                disclosure_id=uy.disclosure_id,
                project_id=pid,
                version=version,
                seq=pr.seq or 0,
                name=(pr.name or "")[:300],
                unit_code=pr.unit_code,
                unit_name=pr.unit_name,
                findings=[f.to_dict() for f in pr.findings],
                grade=o.grade,
                headings=dict(o.headings),
                counts=dict(o.counts),
                rules=dict(Counter(f.rule for f in pr.findings)),
                categories=_categories(p.indicators),
                settings_error=uy.settings_error,
                score=o.score,
                reasons=list(o.reasons),
                heading_scores=dict(o.heading_scores),
            )
        )
    return rows


STORED_COLUMNS = (
    "project_id",
    "seq",
    "name",
    "unit_code",
    "unit_name",
    "findings",
    "grade",
    "headings",
    "counts",
    "version",
    "disclosure_id",
    "settings_error",
    "score",
    "reasons",
    "heading_scores",
)


def _from_stored(did: int, rows: list[tuple[Any, ...]]) -> UnitYearReview:
    """A unit-year review rebuilt from its stored rows (those of one version)."""
    loose: list[Finding] = []
    projects: list[ProjectReview] = []
    pids: list[int] = []
    error = None
    for r in rows:
        error = r[11]
        if r[0] is None:
            loose = [_finding(d) for d in r[5]]
        else:
            pids.append(r[0])
            projects.append(_project_of_row(r[:9], r[12:15]))
    findings = loose + [f for pr in projects for f in pr.findings]
    result = DocumentReview(m.Disclosure(source=""), findings, projects)
    return UnitYearReview(did, result, pids, settings_error=error)


def store_reviews(disclosure_ids: Iterable[int]) -> dict[int, UnitYearReview]:
    """Review these unit-years as wholes (cross-project rules need all their projects) with the
    deployment's settings and store the results, replacing what was stored; the write path of every
    action that changes projects or indicators calls it inside its transaction. Returns the reviews."""
    state = review_settings()
    out: dict[int, UnitYearReview] = {}
    ids = sorted(set(disclosure_ids))
    for i in range(0, len(ids), LOAD_CHUNK):
        chunk = ids[i : i + LOAD_CHUNK]
        loaded = _load(chunk)
        rows: list[ReviewResult] = []
        computed: dict[int, tuple[str, UnitYearReview]] = {}
        for did, (doc, pids, fp) in loaded.items():
            uy = UnitYearReview(did, review_document(doc, state.settings), pids, settings_error=state.error)
            version = _version(fp, state)
            computed[did] = (version, uy)
            rows += _as_stored(uy, version, doc)
        with transaction.atomic():
            ReviewResult.objects.filter(disclosure_id__in=chunk).delete()
            ReviewResult.objects.bulk_create(rows, batch_size=2000)
        with _cache_lock:
            for did, (version, uy) in computed.items():
                out[did] = uy
                _remember(did, version, uy)
    return out


@dataclass
class WrittenUnitYear:
    """A unit-year just written by an action, as the database now holds it, so that its review
    needs no reading back: `doc` as `_load` would build it (projects in (seq, id) order, values as
    read back: see `read_back`), `project_ids` parallel to its projects, `fingerprint` as
    `fingerprint_of` computes it, `fresh` when no review of it was stored before."""

    disclosure_id: int
    doc: m.Disclosure
    project_ids: list[int]
    fingerprint: tuple[Any, ...]
    fresh: bool = False


def _read_back_decimal(v: Any, places: int, digits: int) -> Any:
    if isinstance(v, Decimal):
        v = v.quantize(Decimal(1).scaleb(-places), context=Context(prec=digits))
    return dec_or_none(v)


def domain_indicators(rows: Iterable[Indicator]) -> list[m.Indicator]:
    """The domain indicators `_load` reads for these Indicator rows (saved or about to be)."""
    return [m.Indicator(*(getattr(i, c) for c in INDICATOR_COLUMNS[1:])) for i in rows]


def read_back(
    proj: Project, ucode: str | None, uname: str | None, indicators: list[m.Indicator]
) -> m.Project:
    """The domain Project `_load` reads for `proj` once saved (its field values as the database
    returns them: decimals at the column's places, the spending plan through JSON, on PostgreSQL
    with jsonb's key order), with these indicators (`domain_indicators`)."""
    budgets = []
    for name in ("budget_total", "budget_fiscal", "budget_other"):
        f = Project._meta.get_field(name)
        budgets.append(_read_back_decimal(getattr(proj, name), f.decimal_places, f.max_digits))
    plan = proj.spending_plan
    if plan:
        plan = json.loads(json.dumps(plan))
        if connection.vendor == "postgresql" and isinstance(plan, dict):
            # jsonb keeps an object's keys shorter first, then in byte order
            plan = dict(sorted(plan.items(), key=lambda kv: (len(kv[0].encode()), kv[0].encode())))
    return domain_project(
        (proj.seq, proj.title, proj.name, proj.code, ucode, uname, *budgets, proj.purpose, plan, proj.goal),
        indicators,
    )


def store_written_reviews(written: list[WrittenUnitYear]) -> dict[int, UnitYearReview]:
    """`store_reviews` for unit-years an action has just written and holds in memory: reviewed
    from `doc` rather than read back; the results stored (two queries: a delete unless all are
    fresh, one insert per batch) and remembered. Inside the caller's transaction."""
    state = review_settings()
    rows: list[ReviewResult] = []
    computed: dict[int, tuple[str, UnitYearReview]] = {}
    for w in written:
        if not w.project_ids:
            continue  # `_load` leaves out unit-years without projects
        uy = UnitYearReview(
            w.disclosure_id, review_document(w.doc, state.settings), w.project_ids, settings_error=state.error
        )
        version = _version(w.fingerprint, state)
        computed[w.disclosure_id] = (version, uy)
        rows += _as_stored(uy, version, w.doc)
    stale = [w.disclosure_id for w in written if not w.fresh]
    if stale:
        ReviewResult.objects.filter(disclosure_id__in=stale).delete()
    bulk.insert(ReviewResult, rows)
    out: dict[int, UnitYearReview] = {}
    with _cache_lock:
        for did, (version, uy) in computed.items():
            out[did] = uy
            _remember(did, version, uy)
    return out


def _remember(did: int, version: str, uy: UnitYearReview) -> None:
    _cache.put(did, (version, uy), _weight(uy))


def _refresh(disclosure_ids: list[int]) -> dict[int, UnitYearReview]:
    """Stale or missing stored reviews, met by a reader: review again and store (one transaction; a
    concurrent refresh of the same unit-year that wins the race is fine, ours is then not stored)."""
    try:
        with transaction.atomic():
            return store_reviews(disclosure_ids)
    except IntegrityError:
        return unit_year_reviews(disclosure_ids, refresh=False)


def unit_year_reviews(disclosure_ids: Iterable[int], *, refresh: bool = True) -> dict[int, UnitYearReview]:
    """The stored reviews of these unit-years (two queries: their versions, the stored rows, and
    none when this process already rebuilt that version). Unit-years whose stored review is stale or
    missing are reviewed again and stored. Unit-years without projects are left out."""
    state = review_settings()
    wanted = sorted(set(disclosure_ids))
    if not wanted:
        return {}
    prints = _fingerprints(wanted)
    versions = {did: _version(fp, state) for did, fp in prints.items()}
    out: dict[int, UnitYearReview] = {}
    with _cache_lock:
        for did, v in versions.items():
            got = _cache.get(did)
            if got is not None and got[0] == v:
                out[did] = got[1]
    need = [did for did in versions if did not in out]
    stored: dict[int, list[tuple[Any, ...]]] = {}
    for i in range(0, len(need), 2000):
        for row in (
            ReviewResult.objects.filter(disclosure_id__in=need[i : i + 2000])
            .order_by("disclosure_id", "seq", "project_id")
            .values_list(*STORED_COLUMNS)
        ):
            stored.setdefault(row[10], []).append(row)
    stale: list[int] = []
    for did in need:
        rows = stored.get(did, [])
        n = prints[did][0]
        if len(rows) == n + 1 and all(r[9] == versions[did] for r in rows):
            uy = _from_stored(did, rows)
            with _cache_lock:
                _remember(did, versions[did], uy)
            out[did] = uy
        else:
            stale.append(did)
    if stale:
        if refresh:
            out.update(_refresh(stale))
        else:  # lost a race with a concurrent refresh: review without storing
            for did, (doc, pids, _fp) in _load(stale).items():
                out[did] = UnitYearReview(
                    did, review_document(doc, state.settings), pids, settings_error=state.error
                )
    return out


def unit_year_review(disclosure_id: int) -> UnitYearReview | None:
    return unit_year_reviews([disclosure_id]).get(disclosure_id)


def clear_cache() -> None:
    """Forget the reviews rebuilt in this process (the stored ones stay)."""
    with _cache_lock:
        _cache.clear()
        _project_cache.clear()


# --------------------------------------------------------------------------------------- one project


@dataclass
class ProjectFindings:
    """What the project page shows: the outcome, findings per indicator row and for the project."""

    review: ProjectReview
    by_row: dict[int, list[Finding]]
    project_level: list[Finding]
    settings_error: str | None = None

    @property
    def findings(self) -> list[Finding]:
        return self.review.findings

    @property
    def outcome(self) -> Any:
        return self.review.outcome


_project_cache = BoundedCache(PROJECT_CACHE_WEIGHT)  # project id → (version, ProjectReview, error)


def _stored_project_review(proj: Project) -> tuple[ProjectReview | None, str | None]:
    """(the project's stored review, settings error): two queries when it is up to date (the
    unit-year's version and the project's row); else its unit-year is reviewed again and stored."""
    state = review_settings()
    fp = _fingerprints([proj.disclosure_id]).get(proj.disclosure_id)
    if fp is None:
        return None, state.error
    version = _version(fp, state)
    with _cache_lock:
        got = _cache.get(proj.disclosure_id)
        if got is not None and got[0] == version:
            return got[1].by_project.get(proj.pk), got[1].settings_error
        mine = _project_cache.get(proj.pk)
        if mine is not None and mine[0] == version:
            return mine[1], mine[2]
    row = (
        ReviewResult.objects.filter(project_id=proj.pk, version=version).values_list(*STORED_COLUMNS).first()
    )
    if row is not None and row[10] == proj.disclosure_id:
        pr, error = _project_of_row(row[:9], row[12:15]), row[11]
        with _cache_lock:
            _project_cache.put(proj.pk, (version, pr, error), 1 + len(pr.findings))
        return pr, error
    uy = unit_year_review(proj.disclosure_id)
    return (uy.by_project.get(proj.pk), uy.settings_error) if uy else (None, state.error)


def project_review(proj: Project, indicators: list[Any] | None = None) -> ProjectFindings | None:
    """The findings of one project as the review of its whole unit-year gives them (so cross-project
    rules such as JX505 show), read from the stored review (refreshed when stale); None if review
    fails: a rule bug must not take the page down. `indicators` is accepted for compatibility."""
    try:
        pr, error = _stored_project_review(proj)
    except Exception:
        log.exception("review of project %s failed", proj.pk)
        return None
    if pr is None:
        return None
    by_row: dict[int, list[Finding]] = {}
    top: list[Finding] = []
    for f in pr.findings:
        if f.indicator_index is None:
            top.append(f)
        else:
            by_row.setdefault(f.indicator_index, []).append(f)
    return ProjectFindings(pr, by_row, top, error)


def rows_with_findings(rows: list[dict[str, Any]], pf: ProjectFindings | None) -> list[dict[str, Any]]:
    """Attach each indicator row's findings and widen the merged 一级/二级 cells over the extra
    line shown under a row that has findings."""
    if pf is None or not pf.by_row:
        return rows
    for i, r in enumerate(rows):
        r["findings"] = pf.by_row.get(i, [])
    for span in ("l1span", "l2span"):
        for i, r in enumerate(rows):
            if r[span]:
                r[span] = sum(1 + bool(x["findings"]) for x in rows[i : i + r[span]])
    return rows


def finding_record(f: Finding) -> dict[str, Any]:
    """A finding as stored with a return decision (a snapshot: findings change as the table does)."""
    d = f.to_dict()
    return {
        k: d[k]
        for k in (
            "key",
            "rule",
            "severity",
            "title",
            "heading",
            "indicator",
            "indicator_index",
            "message",
            "hint",
        )
    }


def findings_for_keys(proj: Project, keys: Iterable[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """(records of the project's current findings with these keys, keys not found)."""
    pf = project_review(proj)
    mine = {f.key: f for f in (pf.findings if pf else [])}
    found, missing = [], []
    for k in dict.fromkeys(keys):
        (found.append(finding_record(mine[k])) if k in mine else missing.append(k))
    return found, missing


def last_return(history: Iterable[History]) -> dict[str, Any] | None:
    """The latest return decision in a project's history (newest first): who, when, the comment and
    the findings attached to it."""
    for h in history:
        if h.action != "return":
            continue
        entries = {c.get("field"): c.get("new") for c in (h.changes or []) if isinstance(c, dict)}
        comment = entries.get("comment")
        if comment is None:
            comment = h.summary.removeprefix("退回：")
        return {
            "at": h.at,
            "username": h.username,
            "comment": comment,
            "findings": entries.get("findings") or [],
        }
    return None


# ------------------------------------------------------------------------------------------- ranking


@dataclass
class RankedProject:
    project_id: int
    unit_id: int
    unit_name: str
    year: int | None
    name: str
    state: str
    review: ProjectReview

    @property
    def outcome(self) -> Any:
        return self.review.outcome

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule for f in self.review.findings})


def ranking(projects: Any, *, severity: str | None = None, rule: str | None = None) -> list[RankedProject]:
    """The given projects (a queryset already narrowed to what the user may see), worst first by
    `rank_projects`; with `severity` or `rule`, only projects with such a finding."""
    rows = {
        p["id"]: p
        for p in projects.values(
            "id", "disclosure_id", "unit_id", "unit__name", "year", "name", "title", "state"
        )
    }
    reviews = unit_year_reviews({p["disclosure_id"] for p in rows.values()})
    pid_of: dict[int, int] = {}
    for uy in reviews.values():
        for pid, pr in zip(uy.project_ids, uy.result.projects, strict=True):
            pid_of[id(pr)] = pid
    out: list[RankedProject] = []
    for _doc, pr in rank_projects(uy.result for uy in reviews.values()):
        pid = pid_of[id(pr)]
        p = rows.get(pid)
        if p is None:
            continue  # another unit's project in a bureau's disclosure
        if severity and not any(f.severity == severity for f in pr.findings):
            continue
        if rule and not any(f.rule == rule for f in pr.findings):
            continue
        out.append(
            RankedProject(
                pid, p["unit_id"], p["unit__name"], p["year"], p["name"] or p["title"] or "", p["state"], pr
            )
        )
    return out


def review_json(pf: ProjectFindings | None, attached: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API shape of one project's review."""
    if pf is None:
        return {
            "outcome": None,
            "findings": [],
            "counts": {s: 0 for s in SEVERITIES},
            "returned_with": attached,
        }
    o = pf.outcome
    return {
        "outcome": {
            "grade": o.grade,
            "verdict": o.verdict,
            "headings": {h: o.headings.get(h) for h in HEADINGS},
            "score": o.score,
            "reasons": list(o.reasons),
            "heading_scores": {h: o.heading_scores[h] for h in HEADINGS if h in o.heading_scores},
        },
        "counts": dict(o.counts),
        "findings": [f.to_dict() for f in pf.findings],
        "returned_with": attached,
    }


# ----------------------------------------------------------------------------------------- unit-year


@dataclass
class UnitYearSummary:
    """What the unit-year page shows: findings by severity and the 优/良/中/差 distribution of the
    projects listed, each project's outcome, findings about the disclosure as a whole, and the
    projects' indicators by category (all read from the stored rows)."""

    counts: dict[str, int]
    grades: dict[str, int]
    outcomes: dict[int, Any]  # project id → Outcome
    loose: list[Finding]
    rules: list[tuple[str, int]]  # rule code → number of findings, most first
    categories: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    indicators: dict[int, int] = field(default_factory=dict)  # project id → indicators


# what the unit-year page reads with its projects (`lib.unit_year.PageReview`, in this order)
PAGE_REVIEW_FIELDS = tuple(
    f"review_result__{c}" for c in ("version", "grade", "counts", "rules", "categories")
)


def _selected_review(p: Any) -> Any:
    try:
        return p.review_result
    except ReviewResult.DoesNotExist:
        return None


def unit_year_summary(
    disclosure: Disclosure | None, loaded: list[Any], projects: list[Any]
) -> UnitYearSummary | None:
    """The stored review of the unit-year page's projects, summed over those the user sees.

    `loaded`: what the page read (all of the disclosure's projects among them, with their stored
    review selected: `PAGE_REVIEW_FIELDS`), so the disclosure's version needs no query of its own;
    `projects`: those the user sees. One query more for the findings about the disclosure as a
    whole. When a stored row is stale or missing, its unit-years are reviewed again and stored, and
    None is returned: the caller reads its projects again."""
    from jixiao.review import GRADES

    state = review_settings()
    prints: dict[int, tuple[Any, ...]] = {}
    if disclosure is not None:
        mine = [(p.pk, p.version, p.updated_at) for p in loaded if p.disclosure_id == disclosure.pk]
        if mine:
            prints[disclosure.pk] = fingerprint_of(mine, disclosure.imported_at)
    other = {p.disclosure_id for p in projects} - prints.keys()
    if other:
        prints.update(_fingerprints(other))
    versions = {did: _version(fp, state) for did, fp in prints.items()}
    stale = {
        p.disclosure_id
        for p in projects
        if getattr(_selected_review(p), "version", None) != versions.get(p.disclosure_id)
    }
    loose_row = None
    if disclosure is not None and disclosure.pk in versions:
        loose_row = (
            ReviewResult.objects.filter(disclosure_id=disclosure.pk, project=None)
            .values_list("version", "findings", "counts", "rules")
            .first()
        )
        if loose_row is None or loose_row[0] != versions[disclosure.pk]:
            stale.add(disclosure.pk)
    if stale:
        _refresh(sorted(stale))
        return None
    counts = dict.fromkeys(SEVERITIES, 0)
    rules: Counter[str] = Counter()
    outcomes: dict[int, Any] = {}
    categories: Counter[tuple[str | None, str | None]] = Counter()
    indicators: dict[int, int] = {}
    for p in projects:
        rr = p.review_result
        # the page shows the grade and the counts (the headings are on the project page)
        outcomes[p.pk] = Outcome(p.seq, p.name or p.title, rr.grade, {}, dict(rr.counts))
        for sev, n in rr.counts.items():
            counts[sev] = counts.get(sev, 0) + n
        rules.update(rr.rules)
        k = 0
        for l1, l2, n in rr.categories:
            categories[(l1, l2)] += n
            k += n
        indicators[p.pk] = k
    loose: list[Finding] = []
    if loose_row is not None:
        loose = [_finding(d) for d in loose_row[1]]
        for sev, n in loose_row[2].items():
            counts[sev] = counts.get(sev, 0) + n
        rules.update(loose_row[3])
    grades = {g: sum(1 for o in outcomes.values() if o.grade == g) for g in GRADES}
    return UnitYearSummary(counts, grades, outcomes, loose, rules.most_common(), categories, indicators)
