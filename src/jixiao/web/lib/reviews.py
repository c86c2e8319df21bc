"""Review in the web app: the rule engine (jixiao.review) run over stored unit-years.

A unit-year (one `Disclosure` with all its projects) is reviewed as a whole, so unit-wide rules
such as JX505 (the same indicator set copied across projects) fire on the project pages too. The
result is remembered per unit-year *version*: the ids, versions and update times of its projects,
the disclosure's import time and the stamp of its history (the unit's self-evaluations of the year
before, whose actuals the ambition rule JX603 compares the targets with: `histories`); any edit,
workflow step, re-import or self-evaluation of the year before gives a new version.
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
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Greatest

import jixiao
from jixiao import model as m
from jixiao import review, taxonomy, values
from jixiao.kept import Kept
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
from jixiao.review.history import History as ReviewHistory
from jixiao.web import bulk
from jixiao.web.convert import dec_or_none, domain_project, indicator_levels, stored_unit_years
from jixiao.web.convert import domain_indicators as domain_indicators  # what the import actions use
from jixiao.web.lib.compiled import CompiledQuery
from jixiao.web.models import Disclosure, History, Indicator, Project, ReviewResult, SelfEvaluation

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

    def discard(self, key: Any) -> None:
        old = self._data.pop(key, None)
        if old is not None:
            self.weight -= old[1]

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
    their count and the sum of their ids; the history it is reviewed with (`history_stamp_columns`)
    ends it."""
    out: dict[int, tuple[Any, ...]] = {}
    ids = list(disclosure_ids)
    for i in range(0, len(ids), 5000):
        for did, *fp in _fingerprint_rows(Project.objects.filter(disclosure_id__in=ids[i : i + 5000])):
            out[did] = (*fp[:5], *history_stamp(*fp[5:]))
    return out


def _fingerprint_rows(projects: QuerySet[Project]) -> QuerySet[Any]:
    """`_fingerprints`' aggregate of `projects`, a row for each of their disclosures."""
    return (
        projects.order_by()
        .values("disclosure_id", "disclosure__unit_id", "disclosure__year")
        .annotate(
            **_fingerprint_aggregates(),
            imported=Max("disclosure__imported_at"),
            **history_stamp_columns("disclosure__unit_id", "disclosure__year"),
        )
        .values_list("disclosure_id", *_fingerprint_aggregates(), "imported", *HISTORY_STAMP)
    )


def _fingerprint_aggregates() -> dict[str, Any]:
    """The aggregates over a unit-year's projects that begin its version (`_fingerprints`), by
    name, in their order; the disclosure's import time and the history's stamp follow them. Read
    by `_fingerprint_rows` and, one subquery each, by `read_with_project`."""
    return {"n": Count("id"), "ids": Sum("id"), "versions": Sum("version"), "changed": Max("updated_at")}


FINGERPRINT_WIDTH = len(_fingerprint_aggregates()) + 1  # the aggregates and the import time


# one unit-year's `_fingerprints`: every project page reads it, so it is built in the ORM once
FINGERPRINT_QUERY = CompiledQuery(lambda did: _fingerprint_rows(Project.objects.filter(disclosure_id=did)))


def fingerprint(disclosure_id: int) -> tuple[Any, ...] | None:
    """`_fingerprints([disclosure_id])`'s fingerprint (None: no projects), in one compiled query."""
    for _did, *fp in FINGERPRINT_QUERY.rows(disclosure_id):
        return (*fp[:5], *history_stamp(*fp[5:]))
    return None


def fingerprint_of(projects: Iterable[tuple[int, int, Any]], imported_at: Any) -> tuple[Any, ...]:
    """`_fingerprints` of one unit-year from all its projects' (id, version, update time), already
    loaded (`imported_at`: its disclosure's import time), without the aggregate query and without
    the history's stamp (`history_stamp`), which the caller adds."""
    n = ids = versions = 0
    changed = None
    for pid, version, updated in projects:
        n += 1
        ids += pid
        versions += version
        if changed is None or (updated is not None and updated > changed):
            changed = updated
    return (n, ids, versions, changed, imported_at)


# ------------------------------------------------------------------------------------ earlier years

HISTORY_STAMP = ("history_n", "history_at")
"""The columns `history_stamp_columns` adds."""


def history_stamp(n: int | None, at: Any) -> tuple[Any, ...]:
    """What a unit-year's history depends on: the number of the unit's self-evaluations of the year
    before and the latest change to them or to their projects (names, codes, indicators)."""
    return (n or 0, at)


NO_HISTORY = history_stamp(0, None)


def history_stamp_columns(unit: str, year: str) -> dict[str, Any]:
    """`history_stamp` as two subqueries (`HISTORY_STAMP`) over the outer row's unit and year
    fields, so that a query that reads unit-year versions reads it too."""
    base = (
        SelfEvaluation.objects.filter(project__unit_id=OuterRef(unit), project__year=OuterRef(year) - 1)
        .order_by()
        .values("project__unit_id")
    )
    latest = Max(Greatest("updated_at", "project__updated_at"))
    return {
        "history_n": Subquery(base.annotate(x=Count("id")).values("x")),
        "history_at": Subquery(base.annotate(x=latest).values("x")),
    }


def history_of(evaluations: Iterable[tuple[str | None, str | None, str | None, Any]]) -> ReviewHistory | None:
    """The review's history (last year's actuals, 实际完成值) from stored self-evaluations, given as
    their project's (name, title, code, rows); None when no row has an actual."""
    evaluations = list(evaluations)
    unnamed = {
        r.get("indicator_id")
        for *_p, rows in evaluations
        for r in rows or []
        if not r.get("name") and r.get("indicator_id") is not None
    }
    names = dict(Indicator.objects.filter(id__in=unnamed).values_list("id", "name")) if unnamed else {}
    records = []
    for name, title, code, rows in evaluations:
        for r in rows or []:
            indicator = r.get("name") or names.get(r.get("indicator_id"))
            actual = r.get("actual")
            if indicator and actual not in (None, "") and (name or title or code):
                records.append(
                    {"project": name or title, "code": code, "indicator": indicator, "actual": actual}
                )
    return ReviewHistory.from_records(records, "自评") if records else None


def history_query(disclosure_ids: Any) -> Any:
    """The rows `histories` reads for these unit-years (`id__in`, or one id: `id`), a row a
    self-evaluation of the year before, in table order: (unit-year id, then `history_entry`'s
    columns)."""
    where = {"id": disclosure_ids} if isinstance(disclosure_ids, int) else {"id__in": disclosure_ids}
    return (
        Disclosure.objects.filter(
            **where, unit__projects__year=F("year") - 1, unit__projects__selfeval__isnull=False
        )
        .order_by("id", "unit__projects__seq", "unit__projects__id")
        .values_list(
            "id",
            "unit__projects__selfeval__updated_at",
            "unit__projects__updated_at",
            "unit__projects__name",
            "unit__projects__title",
            "unit__projects__code",
            "unit__projects__selfeval__rows",
        )
    )


def history_entry(rows: list[Any]) -> tuple[tuple[Any, ...], ReviewHistory | None]:
    """A unit-year's `history_stamp` and history from its rows of `history_query` (without the
    unit-year id; one row or more)."""
    latest = max(max(r[0], r[1]) for r in rows)
    return history_stamp(len(rows), latest), history_of(r[2:] for r in rows)


def histories(disclosure_ids: Iterable[int]) -> dict[int, tuple[tuple[Any, ...], ReviewHistory | None]]:
    """Each unit-year's history of earlier years for the ambition rule (JX603), from its unit's
    self-evaluations of the year before, with its `history_stamp`: one query for any number of
    unit-years (one more where a stored row lacks its indicator's name). Unit-years without
    history are left out (their stamp is `NO_HISTORY`)."""
    ids = list(disclosure_ids)
    found: dict[int, list[tuple[Any, ...]]] = {}
    for i in range(0, len(ids), 5000):
        for row in history_query(ids[i : i + 5000]):
            found.setdefault(row[0], []).append(row[1:])
    return {did: history_entry(rows) for did, rows in found.items()}


def _load(
    disclosure_ids: list[int],
) -> dict[int, tuple[m.Disclosure, list[int], tuple[Any, ...], ReviewHistory | None]]:
    """Domain disclosures of stored unit-years (`convert.stored_unit_years`: projects in table
    order), their project ids, their version (as `_fingerprints` computes it) and the history of
    earlier years the review reads (`histories`): four queries for any number of unit-years."""
    loaded = stored_unit_years(disclosure_ids)
    past = histories(list(loaded))
    out = {}
    for did, s in loaded.items():
        stamp, history = past.get(did, (NO_HISTORY, None))
        out[did] = (s.doc, s.project_ids, fingerprint_of(s.stamps, s.imported_at) + stamp, history)
    return out


STORED_FORMAT = "3"  # what a stored row holds; a new format makes every stored row stale
# 3: the outcome's score, reasons and heading scores


def _code_digest() -> str:
    """A digest of the code whose answers a stored review holds: the rules and engine
    (`jixiao.review`), the 指标值 grammar (`values`), the category names (`taxonomy`) and the
    model. Installing a release that changes any of them makes every stored review stale, so the
    pages and the next re-import review again under the new rules instead of showing or relabelling
    the old findings. Only the release number counts where the sources are not installed."""
    digest = hashlib.sha1(jixiao.__version__.encode("utf-8"))
    files = sorted(Path(review.__file__).parent.glob("*.py"))
    files += [Path(x.__file__) for x in (values, taxonomy, m) if x.__file__]
    for path in files:
        try:
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()[:16]


CODE_DIGEST = _code_digest()


def _version(fp: tuple[Any, ...], state: SettingsState) -> str:
    """The stored form of a unit-year version under the settings in force: a digest of the
    fingerprint (`_fingerprints`), of the settings file's content, of the stored format and of
    the review's code (`CODE_DIGEST`)."""
    text = "|".join(str(x) for x in fp) + "|" + state.digest + "|" + STORED_FORMAT + "|" + CODE_DIGEST
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
        indicator_levels(i.level1, i.level2) for i in indicators
    )
    return [[l1, l2, k] for (l1, l2), k in n.items()]


# pieces of a finding's JSON that recur (a rule's, its case's words; `findings_json`), by what they
# are made of; emptied when full
_RULE_JSON: dict[tuple[str, str], str] = {}
_WORDS_JSON: dict[tuple[Any, ...], str] = {}
FINDING_PIECES_LIMIT = 4096


def findings_json(findings: list[Finding]) -> bulk.JSONText:
    """`bulk.dumps([f.to_dict() for f in findings])`, the same text, assembled from pieces: the
    parts a rule's findings share (rule and severity; hint, title and heading) encoded once a
    process, the project's and the unit's once a call, only the message, the indicator and the
    key for each finding. A unit-year's findings repeat its file, unit and project names and the
    rules' words in every one: ~20,000 characters of Chinese a document, most of it said before."""
    dumps = bulk.dumps
    if len(_RULE_JSON) > FINDING_PIECES_LIMIT or len(_WORDS_JSON) > FINDING_PIECES_LIMIT:
        _RULE_JSON.clear()
        _WORDS_JSON.clear()
    projects: dict[tuple[Any, ...], str] = {}
    places: dict[tuple[Any, ...], str] = {}
    out = []
    for f in findings:
        head = _RULE_JSON.get((f.rule, f.severity))
        if head is None:
            head = _RULE_JSON[(f.rule, f.severity)] = (
                f'{{"rule":{dumps(f.rule)},"severity":{dumps(f.severity)},"project_seq":'
            )
        key: tuple[Any, ...] = (type(f.project_seq), f.project_seq, f.project)
        project = projects.get(key)
        if project is None:
            project = projects[key] = f'{dumps(f.project_seq)},"project":{dumps(f.project)},"indicator":'
        key = (f.hint, f.title, f.heading)
        words = _WORDS_JSON.get(key)
        if words is None:
            words = _WORDS_JSON[key] = (
                f'{dumps(f.hint)},"title":{dumps(f.title)},"heading":{dumps(f.heading)},"indicator_index":'
            )
        key = (f.source, f.unit_code, f.unit_name)
        place = places.get(key)
        if place is None:
            place = places[key] = (
                f'{dumps(f.source)},"unit_code":{dumps(f.unit_code)},"unit_name":{dumps(f.unit_name)},"key":'
            )
        out.append(
            f'{head}{project}{dumps(f.indicator)},"message":{dumps(f.message)},"hint":{words}'
            f'{dumps(f.indicator_index)},"source":{place}{dumps(f.key)}}}'
        )
    return bulk.JSONText("[" + ",".join(out) + "]")


def _as_stored(uy: UnitYearReview, version: str, doc: m.Disclosure) -> list[dict[str, Any]]:
    """The review's `ReviewResult` rows as `{attname: value}` (`bulk.insert_values`; the columns
    left out take their defaults)."""
    loose = [f for f in uy.result.findings if f.project_seq is None]
    loose_counts = dict(Counter(f.severity for f in loose))
    rows: list[dict[str, Any]] = [
        {
            "disclosure_id": uy.disclosure_id,
            "project_id": None,
            "version": version,
            "seq": -1,
            "findings": findings_json(loose),
            "counts": loose_counts,
            "rules": dict(Counter(f.rule for f in loose)),
            "settings_error": uy.settings_error,
            **_severity_counts(loose_counts),
        }
    ]
    for pid, pr, p in zip(uy.project_ids, uy.result.projects, doc.projects, strict=True):
        o = pr.outcome
        rows.append(
            {
                "disclosure_id": uy.disclosure_id,
                "project_id": pid,
                "version": version,
                "seq": pr.seq or 0,
                "name": (pr.name or "")[:300],
                "unit_code": pr.unit_code,
                "unit_name": pr.unit_name,
                "findings": findings_json(pr.findings),
                "grade": o.grade,
                "headings": o.headings,
                "counts": o.counts,
                "rules": dict(Counter(f.rule for f in pr.findings)),
                "categories": _categories(p.indicators),
                "settings_error": uy.settings_error,
                "score": o.score,
                "reasons": o.reasons,
                "heading_scores": o.heading_scores,
                "indicator_count": len(p.indicators),
                **_severity_counts(o.counts),
            }
        )
    return rows


def _severity_counts(counts: dict[str, int]) -> dict[str, int]:
    """The stored row's plain count columns of `counts` (findings by severity)."""
    return {f"{sev}_count": counts.get(sev, 0) for sev in SEVERITIES}


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
_STORED_VERSION = STORED_COLUMNS.index("version")


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
        rows: list[dict[str, Any]] = []
        computed: dict[int, tuple[str, UnitYearReview]] = {}
        for did, (doc, pids, fp, history) in loaded.items():
            uy = UnitYearReview(
                did, review_document(doc, state.settings, history), pids, settings_error=state.error
            )
            version = _version(fp, state)
            computed[did] = (version, uy)
            rows += _as_stored(uy, version, doc)
        with transaction.atomic():
            ReviewResult.objects.filter(disclosure_id__in=chunk).delete()
            bulk.insert_values(ReviewResult, rows)
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
    `fingerprint_of` computes it (the history's stamp is added when it is stored), `fresh` when no
    review of it was stored before, `new_unit` when its unit was created by the same transaction
    (a unit without earlier years has no history: `histories` is not asked)."""

    disclosure_id: int
    doc: m.Disclosure
    project_ids: list[int]
    fingerprint: tuple[Any, ...]
    fresh: bool = False
    new_unit: bool = False


def _read_back_decimal(v: Any, places: int, digits: int) -> Any:
    if isinstance(v, Decimal):
        v = v.quantize(Decimal(1).scaleb(-places), context=Context(prec=digits))
    return dec_or_none(v)


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


def written_histories(
    written: list[WrittenUnitYear],
) -> dict[int, tuple[tuple[Any, ...], ReviewHistory | None]]:
    """The `histories` the review of these unit-years reads: one query, none when every unit is
    new (or no unit-year has projects)."""
    asked = [w.disclosure_id for w in written if w.project_ids and not w.new_unit]
    return histories(asked) if asked else {}


@dataclass
class ComputedReviews:
    """Reviews of written unit-years, ready to store (`store_computed_reviews`)."""

    rows: list[dict[str, Any]]  # `ReviewResult` rows (`_as_stored`)
    computed: dict[int, tuple[str, UnitYearReview]]  # unit-year → (version, review)
    stale: list[int]  # unit-years whose stored rows are replaced


def compute_written_reviews(
    written: list[WrittenUnitYear],
    past: dict[int, tuple[tuple[Any, ...], ReviewHistory | None]],
    state: SettingsState | None = None,
) -> ComputedReviews:
    """The reviews of unit-years an action has written, from memory (no query: `past` is what
    `written_histories` read), as `store_written_reviews` stores them; under `state` (the review
    settings now when None)."""
    state = state or review_settings()
    rows: list[dict[str, Any]] = []
    computed: dict[int, tuple[str, UnitYearReview]] = {}
    for w in written:
        if not w.project_ids:
            continue  # `_load` leaves out unit-years without projects
        stamp, history = past.get(w.disclosure_id, (NO_HISTORY, None))
        uy = UnitYearReview(
            w.disclosure_id,
            review_document(w.doc, state.settings, history),
            w.project_ids,
            settings_error=state.error,
        )
        version = _version(w.fingerprint + stamp, state)
        computed[w.disclosure_id] = (version, uy)
        rows += _as_stored(uy, version, w.doc)
    return ComputedReviews(rows, computed, [w.disclosure_id for w in written if not w.fresh])


def store_computed_reviews(c: ComputedReviews) -> dict[int, UnitYearReview]:
    """Store computed reviews (a delete unless all unit-years are fresh, one insert per batch) and
    remember them. Inside the caller's transaction."""
    if c.stale:
        ReviewResult.objects.filter(disclosure_id__in=c.stale).delete()
    bulk.insert_values(ReviewResult, c.rows)
    return remember_computed_reviews(c)


def remember_computed_reviews(c: ComputedReviews) -> dict[int, UnitYearReview]:
    """Remember computed reviews whose rows have been stored (`store_computed_reviews`)."""
    out: dict[int, UnitYearReview] = {}
    with _cache_lock:
        for did, (version, uy) in c.computed.items():
            out[did] = uy
            _remember(did, version, uy)
    return out


def store_written_reviews(written: list[WrittenUnitYear]) -> dict[int, UnitYearReview]:
    """`store_reviews` for unit-years an action has just written and holds in memory: reviewed
    from `doc` rather than read back, with their `histories`; the results stored (three queries:
    the histories unless all units are new, a delete unless all are fresh, one insert per batch) and
    remembered. Inside the caller's transaction."""
    return store_computed_reviews(compute_written_reviews(written, written_histories(written)))


def restamp_written_review(
    disclosure_id: int,
    before: tuple[Any, ...],
    after: tuple[Any, ...],
    n: int,
    past: dict[int, tuple[tuple[Any, ...], ReviewHistory | None]] | None = None,
) -> bool:
    """For an action that changed nothing a unit-year's review reads (a re-import of the same
    tables: only its import time is new): relabel its stored review, if it is the one of the
    fingerprint `before`, as the one of `after` (fingerprints as `fingerprint_of` computes them; the
    history's stamp is added here), instead of reviewing it again: two queries (the histories, one
    UPDATE). False, with nothing relabelled that counts, when the stored review is not that one
    (missing, stale, other settings): the caller stores a review (`store_written_reviews`). Inside
    the caller's transaction. `past`: the unit-year's `histories` when already read."""
    state = review_settings()
    if past is None:
        past = histories([disclosure_id])
    stamp, _history = past.get(disclosure_id, (NO_HISTORY, None))
    old, new = _version(before + stamp, state), _version(after + stamp, state)
    if ReviewResult.objects.filter(disclosure_id=disclosure_id, version=old).update(version=new) != n + 1:
        return False
    with _cache_lock:
        got = _cache.get(disclosure_id)
        if got is not None and got[0] == old:
            _remember(disclosure_id, new, got[1])
    return True


def forget_reviews(disclosure_ids: Iterable[int]) -> None:
    """Forget the reviews of these unit-years this process remembers: for a write path whose
    transaction (or savepoint), in which they were stored and remembered, is rolled back (the
    stored rows back as they were, which a remembered version would keep readers from refreshing)."""
    with _cache_lock:
        for did in disclosure_ids:
            _cache.discard(did)


def _remember(did: int, version: str, uy: UnitYearReview) -> None:
    """Keep `uy` as a review read back from its stored rows is kept (`_from_stored`): without the
    reviewed document, which no reader of a remembered review looks at (its findings and projects
    are what they read). A document holds a hundred indicators and more: kept, they cost memory and
    every full garbage collection of the process (an import remembers each unit-year it stores)."""
    if uy.result.doc.projects or uy.result.doc.sub_goals:
        uy.result.doc = m.Disclosure(source="")
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
            for did, (doc, pids, _fp, history) in _load(stale).items():
                out[did] = UnitYearReview(
                    did, review_document(doc, state.settings, history), pids, settings_error=state.error
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


# a project's stored row (one at most: `ReviewResult.project` is one-to-one), its version checked
# by the reader; built in the ORM once
STORED_ROW_QUERY = CompiledQuery(
    lambda pid: ReviewResult.objects.filter(project_id=pid).values_list(*STORED_COLUMNS)[:1]
)


def read_with_project() -> tuple[dict[str, Any], tuple[str, ...]]:
    """What the project page reads in its project's query (`lib.access.project_with_unit`), so that
    its review needs no query of its own: (annotations of a Project query, the names to select).
    The columns: the project's unit-year's version (`fingerprint`'s, as subqueries over the
    disclosure's projects and the history's stamp) and the project's stored row (`STORED_COLUMNS`,
    all NULL when none is stored). `ReadWithProject.of` takes them back."""
    siblings = (
        Project.objects.filter(disclosure_id=OuterRef("disclosure_id")).order_by().values("disclosure_id")
    )
    aggregates = {f"fp_{k}": a for k, a in _fingerprint_aggregates().items()}
    annotations = {
        **{k: Subquery(siblings.annotate(x=a).values("x")) for k, a in aggregates.items()},
        **history_stamp_columns("disclosure__unit_id", "disclosure__year"),
    }
    names = (
        *aggregates,
        "disclosure__imported_at",
        *HISTORY_STAMP,
        *(f"review_result__{c}" for c in STORED_COLUMNS),
    )
    return annotations, names


READ_WITH_PROJECT_WIDTH = FINGERPRINT_WIDTH + len(HISTORY_STAMP) + len(STORED_COLUMNS)
"""How many of a project query's last columns `read_with_project` adds."""


@dataclass(frozen=True)
class ReadWithProject:
    """The project's unit-year's version (`fingerprint`) and its stored row (`STORED_ROW_QUERY`'s,
    None when none is stored), read with the project (`read_with_project`)."""

    fingerprint: tuple[Any, ...]
    row: tuple[Any, ...] | None

    @classmethod
    def of(cls, values: list[Any]) -> ReadWithProject:
        stamp = FINGERPRINT_WIDTH + len(HISTORY_STAMP)
        row = tuple(values[stamp:])
        return cls(
            (*values[:FINGERPRINT_WIDTH], *history_stamp(*values[FINGERPRINT_WIDTH:stamp])),
            None if row[_STORED_VERSION] is None else row,  # `version` is never NULL in a stored row
        )


def _stored_project_review(
    proj: Project, read: ReadWithProject | None = None
) -> tuple[ProjectReview | None, str | None]:
    """(the project's stored review, settings error): two queries when it is up to date (the
    unit-year's version and the project's row), none when `read` with the project; else its
    unit-year is reviewed again and stored."""
    state = review_settings()
    fp = fingerprint(proj.disclosure_id) if read is None else read.fingerprint
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
    row = next(iter(STORED_ROW_QUERY.rows(proj.pk)), None) if read is None else read.row
    if row is not None and row[9] == version and row[10] == proj.disclosure_id:
        pr, error = _project_of_row(row[:9], row[12:15]), row[11]
        with _cache_lock:
            _project_cache.put(proj.pk, (version, pr, error), 1 + len(pr.findings))
        return pr, error
    uy = unit_year_review(proj.disclosure_id)
    return (uy.by_project.get(proj.pk), uy.settings_error) if uy else (None, state.error)


def project_review(
    proj: Project, indicators: list[Any] | None = None, read: ReadWithProject | None = None
) -> ProjectFindings | None:
    """The findings of one project as the review of its whole unit-year gives them (so cross-project
    rules such as JX505 show), read from the stored review (refreshed when stale); None if review
    fails: a rule bug must not take the page down. `indicators` is accepted for compatibility;
    `read`: the version and stored row read with the project (`read_with_project`)."""
    try:
        pr, error = _stored_project_review(proj, read)
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
    outcomes: dict[int, Any]  # project id → Outcome (`PageOutcome`: grade and counts)
    loose: list[Finding]
    rules: list[tuple[str, int]]  # rule code → number of findings, most first
    categories: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    indicators: dict[int, int] = field(default_factory=dict)  # project id → indicators


# what the unit-year page reads with its projects (`lib.unit_year.PageReview`, in this order)
PAGE_REVIEW_FIELDS = tuple(
    f"review_result__{c}"
    for c in (
        "version",
        "grade",
        "error_count",
        "warning_count",
        "hint_count",
        "indicator_count",
    )
)


class PageOutcome:
    """A project's `Outcome` as the unit-year page reads it from the stored columns: its grade and
    its findings by severity (no headings: those are on the project page); a plain object, made
    for each of a page's projects (a big bureau's 200)."""

    __slots__ = ("counts", "grade", "project", "project_seq")
    headings: dict[str, str] = {}  # noqa: RUF012 (read only)

    def __init__(self, project_seq: int | None, project: str | None, grade: str, counts: dict[str, int]):
        self.project_seq, self.project, self.grade, self.counts = project_seq, project, grade, counts

    @property
    def verdict(self) -> str:
        from jixiao.review.findings import GRADE_VERDICT

        return GRADE_VERDICT[self.grade]


def _stale_disclosures(projects: list[Any], versions: dict[int, str]) -> set[int]:
    """The disclosures of `projects` of which some project's stored review (selected with it) is
    missing or not of the disclosure's current version (`versions`). One loop, no call a project:
    a big bureau's page checks 200."""
    stale: set[int] = set()
    for p in projects:
        did = p.disclosure_id
        try:
            rr = p.review_result
        except ReviewResult.DoesNotExist:
            rr = None
        if getattr(rr, "version", None) != versions.get(did):
            stale.add(did)
    return stale


class KeptPages(Kept):
    """`Kept` whose values can be put in place of a key's old one (a page's made anew)."""

    def replace(self, key: Any, value: Any, size: int) -> None:
        with self.lock:
            old = self.values.pop(key, None)
            if old is not None:
                self.size -= old[1]
        self.put(key, value, size)


# the rules and categories of pages' stored rows, summed: by the rows' ids, with their versions
_KEPT_SUMS = KeptPages(1_000_000)  # about characters: some 25 big bureaus' pages


def _stored_sums(
    stored: list[Any],
) -> tuple[Counter[str], Counter[tuple[str | None, str | None]]] | None:
    """The rules and categories of the stored rows `stored` (each with its `id` and `version`)
    summed as `_summed` sums them, in their order; None when one of them is no longer stored.

    A stored row's rules and categories never change: a review is stored anew as new rows
    (`store_computed_reviews` deletes and inserts), and the one UPDATE of stored rows
    (`restamp_written_review`) changes their version only; the admin shows them read-only. So
    the sums are kept by the rows' ids (with their versions, compared, so that ids given again
    after a rolled-back insert on SQLite are not taken for the rows they were) and read only for
    rows new to the process: those JSON columns, 400 texts on a big bureau's page, cost the
    database more to write out than the rest of the page's query."""
    ids = tuple(rr.id for rr in stored)
    versions = [rr.version for rr in stored]
    kept = _KEPT_SUMS.get(ids)
    if kept is None or kept[0] != versions:
        rows = ReviewResult.objects.filter(pk__in=ids).order_by().values_list("id", "rules", "categories")
        texts = {i: (r, c) for i, r, c in rows} if ids else {}
        if len(texts) != len(set(ids)):
            return None
        rules, categories = _summed([texts[i][0] for i in ids], [texts[i][1] for i in ids])
        kept = (versions, rules, categories)
        _KEPT_SUMS.replace(ids, kept, 60 * len(ids) + 40 * (len(rules) + len(categories)))
    return Counter(kept[1]), Counter(kept[2])


def _json_texts(texts: list[Any]) -> list[Any]:
    """JSON columns' texts (`lib.compiled.CompiledQuery`'s `raw` columns) decoded in one call, not
    one a row: a big bureau's unit-year page reads 400; values already decoded pass through."""
    if all(type(t) is str for t in texts):
        return json.loads("[" + ",".join(texts) + "]") if texts else []
    return [json.loads(t) if type(t) is str else t for t in texts]


def _summed(
    rules_texts: list[Any], categories_texts: list[Any]
) -> tuple[Counter[str], Counter[tuple[str | None, str | None]]]:
    """The stored rows' rules ({code: n}) and categories ([[level1, level2, n], ...]) summed, from
    their JSON texts, each distinct text decoded once: the sums and the order in which their keys
    first come (the order of ties in `most_common` and on the chart) are those of adding the rows'
    one after another."""
    rules: Counter[str] = Counter()
    for found, times in _distinct_json(rules_texts):
        rules.update(found if times == 1 else {code: n * times for code, n in found.items()})
    categories: Counter[tuple[str | None, str | None]] = Counter()
    for cats, times in _distinct_json(categories_texts):
        for l1, l2, n in cats:
            categories[(l1, l2)] += n * times
    return rules, categories


def _distinct_json(texts: list[Any]) -> list[tuple[Any, int]]:
    """Each distinct JSON text of `texts` decoded (`_json_texts`), with how many times it comes, in
    the order it first comes (the projects of a unit-year often hold the same categories)."""
    if not all(type(t) is str for t in texts):
        return [(v, 1) for v in _json_texts(texts)]
    times = Counter(texts)
    return list(zip(_json_texts(list(times)), times.values(), strict=True))


def _loose_query(disclosure_id: int) -> Any:
    """The stored findings about a disclosure as a whole (its row without a project), with its
    history's stamp (`history_stamp_columns`)."""
    return (
        ReviewResult.objects.filter(disclosure_id=disclosure_id, project=None)
        .annotate(**history_stamp_columns("disclosure__unit_id", "disclosure__year"))
        .order_by("disclosure_id", "seq", "id")
        .values_list("version", "findings", "counts", "rules", *HISTORY_STAMP)[:1]
    )


LOOSE_QUERY = CompiledQuery(_loose_query)  # every unit-year page reads it: built in the ORM once

LOOSE_COLUMNS = ("version", "findings", "counts", "rules")
UNREAD = object()  # `unit_year_summary`'s `loose_read`: not read with the disclosure


def loose_columns(this_year: Q) -> dict[str, Any]:
    """`LOOSE_QUERY`'s columns as annotations of a Disclosure query (`loose_version`, …, then
    `HISTORY_STAMP`), for its rows that match `this_year` (NULL in the others: a unit's page reads
    all its years' disclosures, and only the page's year's loose row), so that the unit-year page
    reads them with its disclosures rather than in a query of their own. `loose_of` takes them
    back."""
    rows = ReviewResult.objects.filter(disclosure_id=OuterRef("pk"), project=None).order_by("seq", "id")
    stamp = history_stamp_columns("unit_id", "year")
    return {
        **{f"loose_{c}": Case(When(this_year, then=Subquery(rows.values(c)[:1]))) for c in LOOSE_COLUMNS},
        **{k: Case(When(this_year, then=v)) for k, v in stamp.items()},
    }


def loose_of(values: list[Any]) -> tuple[Any, ...] | None:
    """`LOOSE_QUERY`'s row from a `loose_columns` query's row, its columns from the first loose
    one on (None when there is none: a stored row's `version` is never NULL)."""
    return None if values[0] is None else tuple(values)


def _loose_row(disclosure_id: int, loose_read: Any) -> Any:
    """The disclosure's `LOOSE_QUERY` row: `loose_read` when read with it, else read now."""
    return next(iter(LOOSE_QUERY.rows(disclosure_id)), None) if loose_read is UNREAD else loose_read


def unit_year_summary(
    disclosure: Disclosure | None, loaded: list[Any], projects: list[Any], loose_read: Any = UNREAD
) -> UnitYearSummary | None:
    """The stored review of the unit-year page's projects, summed over those the user sees.

    `loaded`: what the page read (all of the disclosure's projects among them, with their stored
    review selected: `PAGE_REVIEW_FIELDS`), so the disclosure's version needs no query of its own;
    `projects`: those the user sees; `loose_read`: the disclosure's `LOOSE_QUERY` row when read
    with it (`loose_columns`), else one query more for the findings about the disclosure as a
    whole. When a stored row is stale or missing, its unit-years are reviewed again and stored,
    and None is returned: the caller reads its projects (and the loose row) again."""
    from jixiao.review import GRADES

    state = review_settings()
    prints: dict[int, tuple[Any, ...]] = {}
    loose_row = None
    stale: set[int] = set()
    if disclosure is not None:
        did = disclosure.pk
        mine = [(p.pk, p.version, p.updated_at) for p in loaded if p.disclosure_id == did]
        if mine:
            # the findings about the disclosure as a whole, with its history's stamp
            loose_row = _loose_row(did, loose_read)
            if loose_row is None:
                stale.add(disclosure.pk)
            else:
                stamp = history_stamp(*loose_row[4:])
                prints[disclosure.pk] = fingerprint_of(mine, disclosure.imported_at) + stamp
    other = {p.disclosure_id for p in projects} - prints.keys() - stale
    if other:
        prints.update(_fingerprints(other))
    versions = {did: _version(fp, state) for did, fp in prints.items()}
    stale |= _stale_disclosures(projects, versions)
    if disclosure is not None and loose_row is not None and loose_row[0] != versions[disclosure.pk]:
        stale.add(disclosure.pk)
    if stale:
        _refresh(sorted(stale))
        return None
    counts = dict.fromkeys(SEVERITIES, 0)
    outcomes: dict[int, Any] = {}
    indicators: dict[int, int] = {}
    stored = [p.review_result for p in projects]
    errors = warnings = hints = 0
    for p, rr in zip(projects, stored, strict=True):
        e, w, h = rr.error_count, rr.warning_count, rr.hint_count
        # the page shows the grade and the counts (the headings are on the project page)
        outcomes[p.pk] = PageOutcome(
            p.seq, p.name or p.title, rr.grade, {"error": e, "warning": w, "hint": h}
        )
        errors += e
        warnings += w
        hints += h
        indicators[p.pk] = rr.indicator_count
    counts["error"] += errors
    counts["warning"] += warnings
    counts["hint"] += hints
    sums = _stored_sums(stored)
    if sums is None:  # a stored row gone since the page read it (stored anew meanwhile): again
        return None
    rules, categories = sums
    loose: list[Finding] = []
    if loose_row is not None:
        loose = [_finding(d) for d in loose_row[1]]
        for sev, n in loose_row[2].items():
            counts[sev] = counts.get(sev, 0) + n
        rules.update(loose_row[3])
    graded = Counter(o.grade for o in outcomes.values())
    grades = {g: graded[g] for g in GRADES}
    return UnitYearSummary(counts, grades, outcomes, loose, rules.most_common(), categories, indicators)
