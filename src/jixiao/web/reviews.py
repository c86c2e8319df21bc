"""Review in the web app: the rule engine (jixiao.review) run over stored unit-years.

A unit-year (one `Disclosure` with all its projects) is reviewed as a whole, so unit-wide rules
such as JX505 (the same indicator set copied across projects) fire on the project pages too. The
result is remembered per unit-year *version*: the ids, versions and update times of its projects
and the disclosure's import time; any edit, workflow step or re-import gives a new version.
The project page needs one project's findings only: it runs the project's own rules on the project
alone and the cross-project rules on the indicator names of the unit-year (all they read), which
gives the same findings and outcome at a fraction of the cost (`project_review`).

Settings: the TOML file named by the environment variable `JIXIAO_REVIEW_CONFIG` (the same format
as `jixiao review --config`, with per-unit overrides), re-read when the file changes. A file that
cannot be used is reported on the pages and the defaults apply until it is fixed.

Reading only: nothing here writes to the database.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum

from jixiao import model as m
from jixiao.review import (
    HEADINGS,
    SEVERITIES,
    DocumentReview,
    Finding,
    ProjectReview,
    ReviewSettings,
    SettingsError,
    load_settings,
    outcome,
    rank_projects,
    review_document,
)
from jixiao.web.convert import _dec
from jixiao.web.models import Disclosure, History, Indicator, Project, SubGoal

log = logging.getLogger(__name__)

SETTINGS_ENV = "JIXIAO_REVIEW_CONFIG"
CACHE_SIZE = 2048  # unit-years kept per process
LOAD_CHUNK = 200  # unit-years loaded per round of queries

# ------------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class SettingsState:
    """The review settings in force, where they come from, and why not when the file is unusable."""

    settings: ReviewSettings
    path: str | None = None
    error: str | None = None
    generation: int = 0


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
                state = SettingsState(load_settings(path), path, None, _generation)
            except SettingsError as e:
                log.error("review settings not used: %s", e)
                state = SettingsState(ReviewSettings(), path, str(e), _generation)
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


_cache: OrderedDict[int, tuple[tuple[Any, ...], UnitYearReview]] = OrderedDict()
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
    versions: dict[int, list[Any]] = {}
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
            versions[did] = [0, 0, 0, updated, imported]
        got[0].projects.append(
            m.Project(
                seq=seq,
                title=title,
                name=name,
                code=code,
                unit_code=ucode,
                unit_name=uname,
                budget_total=_dec(total),
                budget_fiscal=_dec(fiscal),
                budget_other=_dec(other),
                purpose=purpose,
                spending_plan=dict(plan) if plan else None,
                goal=goal,
                indicators=indicators.get(pid, []),
            )
        )
        got[1].append(pid)
        v = versions[did]
        v[0] += 1
        v[1] += pid
        v[2] += version
        v[3] = max(v[3], updated)
    return {did: (doc, pids, tuple(versions[did])) for did, (doc, pids, _) in out.items()}


def unit_year_reviews(disclosure_ids: Iterable[int]) -> dict[int, UnitYearReview]:
    """The reviews of these unit-years: from the cache where their version is unchanged, else
    computed (loading the stale ones in a few queries). Unit-years without projects are left out.

    Cached unit-years are checked with one aggregate query; the others are loaded straight away
    (their version comes with the rows)."""
    state = review_settings()
    wanted = set(disclosure_ids)
    with _cache_lock:
        known = [did for did in wanted if did in _cache]
    prints = _fingerprints(known) if known else {}
    out: dict[int, UnitYearReview] = {}
    stale: list[int] = [did for did in wanted if did not in _cache or did not in prints]
    with _cache_lock:
        for did, fp in prints.items():
            got = _cache.get(did)
            if got is not None and got[0] == (state.generation, fp):
                _cache.move_to_end(did)
                out[did] = got[1]
            else:
                stale.append(did)
    stale = sorted(set(stale) - set(out))
    for i in range(0, len(stale), LOAD_CHUNK):
        loaded = _load(stale[i : i + LOAD_CHUNK])
        computed = {
            did: (
                fp,
                UnitYearReview(did, review_document(doc, state.settings), pids, settings_error=state.error),
            )
            for did, (doc, pids, fp) in loaded.items()
        }
        with _cache_lock:
            for did, (fp, r) in computed.items():
                out[did] = r
                _cache[did] = ((state.generation, fp), r)
                _cache.move_to_end(did)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return out


def unit_year_review(disclosure_id: int) -> UnitYearReview | None:
    return unit_year_reviews([disclosure_id]).get(disclosure_id)


def clear_cache() -> None:
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


# The rules that compare projects with each other, and what they read of the other projects: the
# project page reviews its own project in full and the others by their indicator names only while the
# cross-project rules read nothing else (checked by tests against the full unit-year review).
CROSS_PROJECT_RULES = frozenset({"JX505"})
_project_cache: OrderedDict[int, tuple[tuple[Any, ...], ProjectReview, str | None]] = OrderedDict()
PROJECT_CACHE_SIZE = 8192


_cross_settings: dict[int, ReviewSettings] = {}


def _cross_only(state: SettingsState) -> ReviewSettings:
    """The deployment's settings with every rule but the cross-project ones switched off (per unit
    too), so that a unit-year read by indicator names yields only their findings."""
    got = _cross_settings.get(state.generation)
    if got is not None:
        return got
    from jixiao.review import RULES
    from jixiao.review.settings import UnitOverride

    s = state.settings
    others = frozenset(c for c in RULES if c not in CROSS_PROJECT_RULES)
    got = ReviewSettings(
        disable=s.disable | others,
        severity=dict(s.severity),
        thresholds=dict(s.thresholds),
        outcome=dict(s.outcome),
        units={
            k: UnitOverride(
                ov.disable, ov.enable - others, dict(ov.severity), dict(ov.thresholds), dict(ov.outcome)
            )
            for k, ov in s.units.items()
        },
        source=s.source,
    )
    _cross_settings.clear()
    _cross_settings[state.generation] = got
    return got


def _cross_rules_read_names_only() -> bool:
    from jixiao.review import RULES

    return {c for c, r in RULES.items() if r.scope == "document"} <= CROSS_PROJECT_RULES


def _own_review(
    proj: Project, indicators: list[Any] | None
) -> tuple[tuple[Any, ...], ProjectReview | None, str | None]:
    """(the unit-year's version, this project's review as the unit-year review gives it, settings
    error), reading the other projects of the unit-year by their indicator names only."""
    from jixiao.web.convert import project_from_orm

    state = review_settings()
    rows = list(
        Project.objects.filter(disclosure_id=proj.disclosure_id)
        .order_by("seq", "id")
        .values_list(
            "id",
            "seq",
            "title",
            "name",
            "code",
            "unit__code",
            "unit__name",
            "version",
            "updated_at",
            "disclosure__source",
            "disclosure__unit__code",
            "disclosure__unit__name",
            "disclosure__year",
            "disclosure__imported_at",
        )
    )
    if not rows:
        return (), None, state.error
    fp = (
        len(rows),
        sum(r[0] for r in rows),
        sum(r[7] for r in rows),
        max(r[8] for r in rows),
        rows[0][13],
    )
    with _cache_lock:
        got = _cache.get(proj.disclosure_id)
        if got is not None and got[0] == (state.generation, fp):
            return fp, got[1].by_project.get(proj.pk), got[1].settings_error
        mine = _project_cache.get(proj.pk)
        if mine is not None and mine[0] == (state.generation, fp):
            _project_cache.move_to_end(proj.pk)
            return fp, mine[1], mine[2]
    names: dict[int, list[m.Indicator]] = {}
    for pid, name in (
        Indicator.objects.filter(project__disclosure_id=proj.disclosure_id)
        .exclude(project_id=proj.pk)
        .order_by("project_id", "seq", "id")
        .values_list("project_id", "name")
    ):
        names.setdefault(pid, []).append(m.Indicator(None, None, name))
    own = project_from_orm(proj, indicators)
    projects, at = [], None
    for i, (pid, seq, title, name, code, ucode, uname, *_rest) in enumerate(rows):
        if pid == proj.pk:
            projects.append(own)
            at = i
        else:
            projects.append(
                m.Project(
                    seq=seq,
                    title=title,
                    name=name,
                    code=code,
                    unit_code=ucode,
                    unit_name=uname,
                    indicators=names.get(pid, []),
                )
            )
    source, dcode, dname, year = rows[0][9:13]
    pr = None
    if at is not None:
        # the project's own rules on the project alone; the cross-project rules on the names of all
        own_doc = m.Disclosure(
            source=source, unit_code=dcode or None, unit_name=dname, year=year, projects=[own]
        )
        alone = review_document(own_doc, state.settings).projects[0]
        lite = m.Disclosure(
            source=source, unit_code=dcode or None, unit_name=dname, year=year, projects=projects
        )
        cross = review_document(lite, _cross_only(state)).projects[at].findings
        found = sorted(
            [*alone.findings, *cross],
            key=lambda f: (
                -1 if f.indicator_index is None else f.indicator_index,
                SEVERITIES.index(f.severity),
                f.rule,
            ),
        )
        rs = state.settings.for_unit(own.unit_code or own_doc.unit_code, own.unit_name or own_doc.unit_name)
        grade = outcome(found, len(own.indicators), project_seq=own.seq, project=alone.name, settings=rs)
        pr = ProjectReview(alone.seq, alone.name, found, grade, alone.unit_code, alone.unit_name)
    if pr is not None:
        with _cache_lock:
            _project_cache[proj.pk] = ((state.generation, fp), pr, state.error)
            while len(_project_cache) > PROJECT_CACHE_SIZE:
                _project_cache.popitem(last=False)
    return fp, pr, state.error


def project_review(proj: Project, indicators: list[Any] | None = None) -> ProjectFindings | None:
    """The findings of one project as the review of its whole unit-year gives them (so cross-project
    rules such as JX505 show), remembered per unit-year version; None if review fails: a rule bug
    must not take the page down. `indicators`: the project's rows, when already read."""
    try:
        if _cross_rules_read_names_only():
            _fp, pr, error = _own_review(proj, indicators)
        else:
            uy = unit_year_review(proj.disclosure_id)
            pr, error = (uy.by_project.get(proj.pk), uy.settings_error) if uy else (None, None)
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
        },
        "counts": dict(o.counts),
        "findings": [f.to_dict() for f in pf.findings],
        "returned_with": attached,
    }


# ----------------------------------------------------------------------------------------- unit-year


@dataclass
class UnitYearSummary:
    """What the unit-year page shows: findings by severity and the 优/良/中/差 distribution of the
    projects listed, each project's outcome, and findings about the disclosure as a whole."""

    counts: dict[str, int]
    grades: dict[str, int]
    outcomes: dict[int, Any]  # project id → Outcome
    loose: list[Finding]
    rules: list[tuple[str, int]]  # rule code → number of findings, most first


def unit_year_summary(disclosure: Disclosure | None, projects: list[Project]) -> UnitYearSummary | None:
    """Review of the unit-years holding `projects` (those the user sees), summed over them."""
    from collections import Counter

    from jixiao.review import GRADES

    ids = [p.pk for p in projects]
    dids = set(Project.objects.filter(pk__in=ids).values_list("disclosure_id", flat=True).distinct())
    if disclosure is not None:
        dids.add(disclosure.pk)
    try:
        reviews = unit_year_reviews(dids)
    except Exception:
        log.exception("review of unit-years %s failed", sorted(dids))
        return None
    wanted = set(ids)
    outcomes: dict[int, Any] = {}
    counts = dict.fromkeys(SEVERITIES, 0)
    rules: Counter[str] = Counter()
    for uy in reviews.values():
        for pid, pr in zip(uy.project_ids, uy.result.projects, strict=True):
            if pid in wanted:
                outcomes[pid] = pr.outcome
                for f in pr.findings:
                    counts[f.severity] += 1
                    rules[f.rule] += 1
    loose: list[Finding] = []
    if disclosure is not None and disclosure.pk in reviews:
        loose = [f for f in reviews[disclosure.pk].result.findings if f.project_seq is None]
        for f in loose:
            counts[f.severity] += 1
            rules[f.rule] += 1
    grades = {g: sum(1 for o in outcomes.values() if o.grade == g) for g in GRADES}
    return UnitYearSummary(counts, grades, outcomes, loose, rules.most_common())
