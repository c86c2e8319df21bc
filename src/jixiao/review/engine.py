"""The review engine: run the catalogue over a disclosure. Pure — the model is never changed.

Facts are computed once per indicator and project; indicator rules are dispatched by category,
so a rule about 满意度 is only called for satisfaction indicators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from jixiao.model import Disclosure
from jixiao.review import rules as _rules  # noqa: F401  (registers the catalogue)
from jixiao.review.facts import (
    ALL_CATS,
    Context,
    DocumentFacts,
    ProjectFacts,
    document_facts,
    rule_cache,
)
from jixiao.review.findings import (
    COMPLETENESS,
    GRADES,
    HEADINGS,
    SEVERITIES,
    UNCHECKED,
    Finding,
    Outcome,
    Severity,
)
from jixiao.review.history import History
from jixiao.review.registry import RULES, Hit, Rule
from jixiao.review.settings import OUTCOME_DEFAULTS, ResolvedSettings, ReviewSettings

DEFAULT_SETTINGS = ReviewSettings()

KINDS = ("number", "percent", "date", "boolean", "text")

# rules whose finding means the targets as a whole are unusable (outcome 差)
BLOCKING = frozenset({"JX101", "JX112"})


@dataclass
class _Plan:
    """The enabled rules for one settings resolution, indicator rules bucketed by category."""

    # category → target kind → (rule function, rule, severity)
    by_category: dict[str, dict[str, list[tuple[Callable[..., Any], Rule, str]]]]
    project: list[tuple[Rule, str]]
    document: list[tuple[Rule, str]]


# plans by what decides them (the rules switched off, the severities changed), not by settings object:
# a process reviewing thousands of units with the same settings keeps one plan
_PLANS: dict[tuple[frozenset[str], tuple[tuple[str, str], ...]], _Plan] = {}
PLANS_LIMIT = 256  # distinct rule selections kept (a settings file with many per-unit overrides)


def _plan_key(rs: ResolvedSettings) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    return (rs.disabled, tuple(sorted(rs.severity.items())))


def _plan(rs: ResolvedSettings) -> _Plan:
    key = _plan_key(rs)
    got = _PLANS.get(key)
    if got is not None:
        return got
    by_cat: dict[str, dict[str, list[tuple[Callable[..., Any], Rule, str]]]] = {
        c: {k: [] for k in KINDS} for c in ALL_CATS
    }
    project: list[tuple[Rule, str]] = []
    document: list[tuple[Rule, str]] = []
    for code in sorted(RULES):
        r = RULES[code]
        if not rs.enabled(code):
            continue
        sev = rs.severity.get(code, r.severity)
        if r.scope == "indicator":
            for c in r.categories or ALL_CATS:
                for k in r.kinds or KINDS:
                    by_cat[c][k].append((r.func, r, sev))
        elif r.scope == "project":
            project.append((r, sev))
        else:
            document.append((r, sev))
    plan = _Plan(by_cat, project, document)
    if len(_PLANS) >= PLANS_LIMIT:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


_Where = tuple[int | None, str | None, str | None, str | None, str | None]  # seq, project, source, unit


def _where(p: ProjectFacts | None, doc: Disclosure) -> _Where:
    if p is None:
        return (None, None, doc.source, doc.unit_code, doc.unit_name)
    pr = p.project
    return (pr.seq, p.label, doc.source, pr.unit_code or doc.unit_code, pr.unit_name or doc.unit_name)


def _finding(
    r: Rule, sev: str, hit: Hit, p: ProjectFacts | None, w: _Where, ind_index: int | None
) -> Finding:
    ind = p.project.indicators[ind_index] if (p is not None and ind_index is not None) else None
    if hit.severity and sev == r.severity:
        sev = hit.severity
    # what Finding(...) makes, without the frozen dataclass's thirteen object.__setattr__ calls
    # (about 2.5× cheaper); tests/test_review_plans.py checks it against Finding(**vars(f))
    f = _new(Finding)
    f.__dict__.update(
        rule=r.code,
        severity=cast(Severity, sev),  # a rule's own, the settings' or the case's: all checked
        heading=r.heading,
        title=r.title,
        message=hit.message,
        hint=hit.hint or r.fix,
        project_seq=w[0],
        project=w[1],
        indicator=ind.name if ind is not None else None,
        indicator_index=ind_index,
        source=w[2],
        unit_code=w[3],
        unit_name=w[4],
    )
    return f


_new = object.__new__


_Unit = tuple[_Plan, Context, ResolvedSettings]  # a unit's plan, rules' context and settings


def _review_grouped(
    facts: DocumentFacts, settings: ReviewSettings, history: History | None
) -> tuple[list[Finding], list[list[Finding]], list[_Unit]]:
    """(findings not tied to a project, findings per project in project order, each project's
    unit's plan, context and settings)."""
    doc = facts.doc
    plans: dict[tuple[str | None, str | None], _Unit] = {}

    def plan_for(p: ProjectFacts | None) -> _Unit:
        code = (p.project.unit_code if p and p.project.unit_code else None) or doc.unit_code
        name = (p.project.unit_name if p and p.project.unit_name else None) or doc.unit_name
        got = plans.get((code, name))
        if got is None:
            rs = settings.for_unit(code, name)
            got = (_plan(rs), Context(t=rs.thresholds, doc=doc, year=doc.year, history=history), rs)
            plans[(code, name)] = got
        return got

    per_project: list[list[Finding]] = []
    units: list[_Unit] = []
    for p in facts.projects:
        unit = plan_for(p)
        units.append(unit)
        plan, ctx, _ = unit
        dispatch = plan.by_category
        w = _where(p, doc)
        found: list[Finding] = []
        for f in p.indicators:
            for func, r, sev in dispatch[f.category][f.target.kind]:
                hit = func(f, p, ctx)
                if hit is not None:
                    found.append(_finding(r, sev, hit, p, w, f.index))
        for r, sev in plan.project:
            for hit in r.func(p, ctx):
                found.append(_finding(r, sev, hit, p, w, hit.indicator))
        per_project.append(found)
    loose: list[Finding] = []
    doc_plan, doc_ctx, _ = plan_for(None)
    for r, _sev in doc_plan.document:
        for hit in r.func(facts, doc_ctx):
            p = hit.project
            if p is None:
                loose.append(_finding(r, _sev, hit, None, _where(None, doc), hit.indicator))
                continue
            # the project's own unit may have switched the rule off or changed its severity
            mine = [sev for x, sev in plan_for(p)[0].document if x is r]
            if mine:
                per_project[p.index].append(_finding(r, mine[0], hit, p, _where(p, doc), hit.indicator))
    for found in per_project:
        found.sort(key=_order)
    return loose, per_project, units


def review_facts(
    facts: DocumentFacts, settings: ReviewSettings | None = None, history: History | None = None
) -> list[Finding]:
    """Review precomputed facts."""
    loose, per_project, _ = _review_grouped(facts, settings or DEFAULT_SETTINGS, history)
    out = list(loose)
    for found in per_project:
        out.extend(found)
    return out


_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # SEVERITIES.index, one lookup


def _order(f: Finding) -> tuple[int, int, str]:
    i = f.indicator_index
    return (-1 if i is None else i, _SEVERITY_RANK[f.severity], f.rule)


def review(
    doc: Disclosure, settings: ReviewSettings | None = None, history: History | None = None
) -> list[Finding]:
    """All findings for one disclosure, in project order; within a project, project-level findings
    first, then by indicator. Never changes `doc`."""
    return review_facts(document_facts(doc), settings, history)


# ---------------------------------------------------------------------------------------------
# outcome: 优 / 良 / 中 / 差 per project and per heading
# ---------------------------------------------------------------------------------------------

# errors that leave an indicator without a usable target: no value, no name, a template placeholder,
# words that cannot be measured, a value that does not measure what the name says (7人 for a rate,
# 万元 for a social benefit). When most indicators are like this the targets as a whole cannot be
# used (差) — whichever rules say so; how often one rule fires does not decide.
UNUSABLE = frozenset(
    {"JX108", "JX109", "JX201", "JX202", "JX204", "JX301", "JX302", "JX304", "JX305", "JX307"}
)


@dataclass
class _Tally:
    """The weighted burden of a set of findings on one project's table."""

    score: float
    share: float  # severity-weighted share of the indicators touched (0–1)
    project_wide: float  # what findings on the project as a whole cost
    by_rule: dict[str, float]  # rule → its part of the penalty


def _weights(opts: dict[str, Any]) -> dict[tuple[str, bool], float]:
    """(severity, under 完整性) → a finding's weight, as `_tally` weighs it (computed once an outcome)."""
    out: dict[tuple[str, bool], float] = {}
    for s in SEVERITIES:
        w = float(opts[f"{s}_weight"])
        out[(s, False)] = w
        out[(s, True)] = w * float(opts["completeness_warning_factor"]) if s == "warning" else w
    return out


def _tally(
    fs: list[Finding], n: int, opts: dict[str, Any], weights: dict[tuple[str, bool], float] | None = None
) -> _Tally:
    """Score = 100 × (1 − penalty). Each indicator carries the weight of its findings combined as
    1 − Π(1 − w) (two warnings weigh more than one, never more than an error's 1); the table's share
    is the sum over indicators ÷ their number, so one more warning moves the score by w ÷ n and no
    fixed share is ever crossed at once. Findings on the project as a whole (a missing category, a
    copied set) each cost `project_weight` × their severity weight."""

    table = weights if weights is not None else _weights(opts)
    # each finding's (rule, weight), weighed once, per indicator and for the project as a whole
    per_ind: dict[int, list[tuple[str, float]]] = {}
    loose: list[tuple[str, float]] = []
    for f in fs:
        rw = (f.rule, table[(f.severity, f.heading == COMPLETENESS)])
        i = f.indicator_index
        if i is None or n == 0:
            loose.append(rw)
        else:
            got = per_ind.get(i)
            if got is None:
                per_ind[i] = [rw]
            else:
                got.append(rw)
    by_rule: dict[str, float] = {}
    total = 0.0
    for found in per_ind.values():
        keep = 1.0
        for _, w in found:
            keep *= 1 - (1.0 if 1.0 < w else w)  # min(w, 1.0)
        b = 1 - keep
        total += b
        s = sum([w for _, w in found]) or 1.0
        for rule, w in found:
            by_rule[rule] = by_rule.get(rule, 0.0) + b * w / s / n
    share = total / n if n else 0.0
    wide = 0.0
    project_weight = float(opts["project_weight"])
    for rule, w in loose:
        c = w * project_weight
        wide += c
        by_rule[rule] = by_rule.get(rule, 0.0) + c
    score = round(100 * max(0.0, 1 - share - wide), 1)
    return _Tally(score, share, wide, by_rule)


def _score(fs: list[Finding], n: int, opts: dict[str, Any], weights: dict[tuple[str, bool], float]) -> float:
    """`_tally(fs, n, opts, weights).score` without the parts of each rule (a heading's score): the
    same products and sums in the same order."""
    keeps: dict[int, float] = {}
    wide = 0.0
    project_weight = float(opts["project_weight"])
    for f in fs:
        w = weights[(f.severity, f.heading == COMPLETENESS)]
        i = f.indicator_index
        if i is None or n == 0:
            wide += w * project_weight
        else:
            keeps[i] = keeps.get(i, 1.0) * (1 - (1.0 if 1.0 < w else w))  # min(w, 1.0)
    total = 0.0
    for keep in keeps.values():
        total += 1 - keep
    share = total / n if n else 0.0
    return round(100 * max(0.0, 1 - share - wide), 1)


_FULL_SCORE = round(100 * max(0.0, 1 - 0.0 - 0.0), 1)  # `_score` of no findings (100.0)


def _grade_of(score: float, fs: list[Finding], opts: dict[str, Any]) -> str:
    if score >= float(opts["good_from"]) and not any(f.severity == "error" for f in fs):
        return "优"
    if score >= float(opts["fair_from"]):
        return "良"
    return "中"


def _unusable(fs: list[Finding], n: int) -> tuple[bool, set[int], list[Finding]]:
    """(targets unusable, indicators without a usable target, blocking findings)."""
    blocking = [f for f in fs if f.rule in BLOCKING and f.severity == "error"]
    bad = {
        f.indicator_index
        for f in fs
        if f.rule in UNUSABLE and f.severity == "error" and f.indicator_index is not None
    }
    return bool(blocking) or n == 0, bad, blocking


_Options = tuple[dict[str, Any], dict[tuple[str, bool], float]]
# the outcome options and finding weights by the settings' outcome entries (a handful of numbers):
# one merge and weighing per settings, not per project. The options are read, never changed.
_OPTIONS: dict[tuple[tuple[str, Any], ...], _Options] = {}


def _options(given: dict[str, Any] | None) -> _Options:
    """({**OUTCOME_DEFAULTS, **given}, its `_weights`)."""
    key = tuple(given.items()) if given else ()
    try:
        got = _OPTIONS.get(key)
    except TypeError:  # an entry that is no number (not hashable): not kept
        opts = {**OUTCOME_DEFAULTS, **(given or {})}
        return opts, _weights(opts)
    if got is None:
        opts = {**OUTCOME_DEFAULTS, **(given or {})}
        got = (opts, _weights(opts))
        if len(_OPTIONS) >= PLANS_LIMIT:
            _OPTIONS.clear()
        _OPTIONS[key] = got
    return got


def outcome(
    project_findings: Iterable[Finding],
    n_indicators: int,
    *,
    project_seq: int | None = None,
    project: str | None = None,
    settings: ResolvedSettings | None = None,
    checked: dict[str, bool] | None = None,
) -> Outcome:
    """The reviewer's grade from one project's findings, overall and per heading, with its reasons.

    - score: 100 × (1 − penalty), the penalty being the severity-weighted share of the table the
      findings touch (error 1, warning 0.35 — 0.105 under 完整性 —, hint 0.02 per indicator, combined
      per indicator, divided by the number of indicators) plus 0.15 × severity weight for each
      finding on the project as a whole. No fixed share is a cut-off: one more warning lowers the
      score by its weight ÷ the number of indicators.
    - 差 (targets unusable): no 产出指标 or no indicator at all, or more than `unusable_share` (half)
      of the indicators have no usable target (blank, template placeholder, unmeasurable words) —
      however many rules say so;
    - 优 from `good_from` (90) with no error; 良 from `fair_from` (70); else 中.
    - A heading none of whose rules could run on the project (`checked[h]` False: no budget data for
      the money rules, say) is 未审核, never 优.
    """
    given = settings.outcome if settings else None
    fs = list(project_findings)
    try:
        key: tuple[Any, ...] | None = (
            tuple(given.items()) if given else (),
            n_indicators,
            tuple(checked.items()) if checked else (),
            tuple([(f.rule, f.severity, f.heading, f.title, f.indicator_index) for f in fs]),
        )
        got = _OUTCOMES.get(key)  # type: ignore[arg-type]
    except TypeError:  # an outcome entry that is no number (not hashable): not kept
        key, got = None, None
    if got is None:
        got = _grade(fs, n_indicators, _options(given), checked)
        if key is not None:
            if len(_OUTCOMES) >= OUTCOMES_LIMIT:
                _OUTCOMES.clear()
            _OUTCOMES[key] = got
    grade, headings, counts, score, reasons, heading_scores = got
    return Outcome(
        project_seq=project_seq,
        project=project,
        grade=grade,
        headings=dict(headings),
        counts=dict(counts),
        score=score,
        reasons=list(reasons),
        heading_scores=dict(heading_scores),
    )


_Graded = tuple[str, dict[str, str], dict[str, int], float, list[str], dict[str, float]]
# a project's grade, headings, counts, score, reasons and heading scores by what decides them: the
# outcome settings, the number of indicators, the headings checked and its findings' rules,
# severities, headings, titles and indicators in order (not their texts: projects whose findings
# say the same of other rows grade alike). Outcomes are made from copies of what is kept.
_OUTCOMES: dict[tuple[Any, ...], _Graded] = rule_cache()
OUTCOMES_LIMIT = 5_000  # about 0.5 KB an entry (tracemalloc): under 3 MB a process


def _grade(fs: list[Finding], n: int, options: _Options, checked: dict[str, bool] | None) -> _Graded:
    """`outcome` of the findings `fs` of a project of `n` indicators, less its project."""
    opts, weights = options
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    by_heading: dict[str, list[Finding]] = {h: [] for h in HEADINGS}
    # one pass for the counts, the headings' findings and what `_unusable(fs, n)` gives
    blocking: list[Finding] = []
    bad: set[int] = set()
    for f in fs:
        sev = f.severity
        if sev in counts:
            counts[sev] += 1
        hf = by_heading.get(f.heading)
        if hf is not None:
            hf.append(f)
        if sev == "error":
            rule = f.rule
            if rule in BLOCKING:
                blocking.append(f)
            if rule in UNUSABLE and f.indicator_index is not None:
                bad.add(f.indicator_index)
    checked = checked or {}
    unusable = bool(blocking) or n == 0
    if not unusable and n and len(bad) / n > float(opts["unusable_share"]):
        unusable = True
    t = _tally(fs, n, opts, weights)
    headings: dict[str, str] = {}
    heading_scores: dict[str, float] = {}
    for h in HEADINGS:
        hf = by_heading[h]
        if not hf:
            if not checked.get(h, True):
                headings[h] = UNCHECKED
            else:
                # what _score and _unusable give without findings: 100, nothing blocking, nothing bad
                heading_scores[h] = _FULL_SCORE
                headings[h] = _grade_of(_FULL_SCORE, hf, opts)
            continue
        heading_scores[h] = score = _score(hf, n, opts, weights)
        _, hbad, hblock = _unusable(hf, n)
        if hblock or (n and len(hbad) / n > float(opts["unusable_share"])):
            headings[h] = "差"
        else:
            headings[h] = _grade_of(score, hf, opts)
    grade = "差" if unusable else _grade_of(t.score, fs, opts)
    reasons = _reasons(grade, t, fs, n, bad, blocking, headings, opts)
    return grade, headings, counts, t.score, reasons, heading_scores


def _reasons(
    grade: str,
    t: _Tally,
    fs: list[Finding],
    n: int,
    bad: set[int],
    blocking: list[Finding],
    headings: dict[str, str],
    opts: dict[str, Any],
) -> list[str]:
    """Why the project gets its grade, in the words of a review memo, weightiest first."""
    out: list[str] = []
    if grade == "差":
        if blocking:
            out.append("目标不可用：" + "；".join(f.title for f in blocking) + "。")
        elif n == 0:
            out.append("目标不可用：没有绩效指标。")
        else:
            rules = sorted({f.title for f in fs if f.rule in UNUSABLE and f.indicator_index in bad})
            out.append(
                f"目标不可用：{n}个指标中{len(bad)}个没有可用的目标值（{'、'.join(rules)}），超过一半。"
            )
    titles = {f.rule: f.title for f in fs}
    nums: dict[str, int] = {}
    for f in fs:
        nums[f.rule] = nums.get(f.rule, 0) + 1
    ranked = sorted(((c, r) for r, c in t.by_rule.items() if c > 0), reverse=True)
    if ranked:
        parts = [f"{r} {titles[r]}×{nums[r]}（−{c * 100:.1f}分）" for c, r in ranked[:4]]
        more = f"等{len(ranked)}条规则" if len(ranked) > 4 else ""
        out.append(f"评分 {t.score:g}：" + "，".join(parts) + more + "。")
    else:
        out.append(f"评分 {t.score:g}：未发现影响评级的问题。")
    if grade != "差":
        errors = sum(1 for f in fs if f.severity == "error")
        if grade == "优":
            out.append(f"评分不低于{opts['good_from']}且没有错误：{GRADE_WORDS['优']}。")
        elif grade == "良":
            why = f"评分不低于{opts['fair_from']}" + (f"，但有{errors}处错误" if errors else "")
            out.append(f"{why}：{GRADE_WORDS['良']}。")
        else:
            out.append(f"评分低于{opts['fair_from']}：{GRADE_WORDS['中']}。")
    unchecked = [h for h, g in headings.items() if g == UNCHECKED]
    if unchecked:
        out.append(f"{'、'.join(unchecked)}未审核：没有可据以审核的数据（如预算数、成本金额、满意度目标）。")
    return out


GRADE_WORDS = {"优": "直接进入预算安排", "良": "小幅修改后进入预算安排", "中": "修改完善后重新报送"}


_Check = tuple[str, bool, frozenset[str], frozenset[str], Callable[..., bool] | None]
# the enabled rules as `checked_headings` reads them, by the rules switched off (as `_PLANS`)
_CHECKS: dict[frozenset[str], list[_Check]] = {}


def _checks(rs: ResolvedSettings) -> list[_Check]:
    got = _CHECKS.get(rs.disabled)
    if got is None:
        got = [
            (r.heading, r.scope == "indicator", r.categories, r.kinds, r.applies)
            for code, r in RULES.items()
            if rs.enabled(code)
        ]
        if len(_CHECKS) >= PLANS_LIMIT:
            _CHECKS.clear()
        _CHECKS[rs.disabled] = got
    return got


# per heading, by the rules switched off (as `_CHECKS`): whether a rule of it runs on any project (a
# project rule without `applies`), the (category, target kind) pairs on which its indicator rules
# without `applies` run, and its rules with `applies` in `_checks`' order
_HeadingCheck = tuple[str, bool, frozenset[tuple[str, str]], tuple[_Check, ...]]
_HEADING_CHECKS: dict[frozenset[str], list[_HeadingCheck]] = {}


def _heading_checks(rs: ResolvedSettings) -> list[_HeadingCheck]:
    got = _HEADING_CHECKS.get(rs.disabled)
    if got is None:
        checks = _checks(rs)
        got = []
        for h in HEADINGS:
            mine = [c for c in checks if c[0] == h]
            always = any(not per and applies is None for _, per, _, _, applies in mine)
            pairs = frozenset(
                (c, k)
                for _, per, cats, ks, applies in mine
                if per and applies is None
                for c in ALL_CATS
                for k in KINDS
                if (not cats or c in cats) and (not ks or k in ks)
            )
            got.append((h, always, pairs, tuple(c for c in mine if c[4] is not None)))
        if len(_HEADING_CHECKS) >= PLANS_LIMIT:
            _HEADING_CHECKS.clear()
        _HEADING_CHECKS[rs.disabled] = got
    return got


def checked_headings(p: ProjectFacts, ctx: Context, rs: ResolvedSettings) -> dict[str, bool]:
    """Per heading: could at least one enabled rule run on this project (its data present)?"""
    out: dict[str, bool] = {}
    kinds = {(f.category, f.target.kind) for f in p.indicators}
    for heading, always, pairs, conditional in _heading_checks(rs):
        ok = always or not pairs.isdisjoint(kinds)
        if not ok:
            for _, per_indicator, cats, ks, applies in conditional:
                if per_indicator:
                    ok = any((not cats or c in cats) and (not ks or k in ks) for c, k in kinds)
                    ok = ok and bool(applies(p, ctx))  # type: ignore[misc]
                else:
                    ok = bool(applies(p, ctx))  # type: ignore[misc]
                if ok:
                    break
        out[heading] = ok
    return out


@dataclass
class ProjectReview:
    seq: int
    name: str
    findings: list[Finding]
    outcome: Outcome
    unit_code: str | None = None  # the unit the project's own table names (else the document's)
    unit_name: str | None = None


@dataclass
class DocumentReview:
    """Findings and outcomes of one disclosure, ready for the memo, JSON, XLSX and web pages."""

    doc: Disclosure
    findings: list[Finding]
    projects: list[ProjectReview] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    @property
    def grades(self) -> dict[str, int]:
        return {g: sum(1 for p in self.projects if p.outcome.grade == g) for g in GRADES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.doc.source,
            "unit_code": self.doc.unit_code,
            "unit_name": self.doc.unit_name,
            "year": self.doc.year,
            "counts": self.counts,
            "grades": self.grades,
            "projects": [p.outcome.to_dict() for p in self.projects],
            "findings": [f.to_dict() for f in self.findings],
        }


def review_document(
    doc: Disclosure, settings: ReviewSettings | None = None, history: History | None = None
) -> DocumentReview:
    """Findings plus each project's outcome (what the memo, the XLSX and the web pages show)."""
    settings = settings or DEFAULT_SETTINGS
    facts = document_facts(doc)
    loose, per_project, units = _review_grouped(facts, settings, history)
    findings = list(loose)
    for found in per_project:
        findings.extend(found)
    out = DocumentReview(doc=doc, findings=findings)
    for p in facts.projects:
        pr = p.project
        _, ctx, rs = units[p.index]  # the rules' (settings.for_unit of the project's unit)
        mine = per_project[p.index]
        out.projects.append(
            ProjectReview(
                seq=pr.seq,
                name=p.label,
                findings=mine,
                outcome=outcome(
                    mine,
                    len(p.indicators),
                    project_seq=pr.seq,
                    project=p.label,
                    settings=rs,
                    checked=checked_headings(p, ctx, rs),
                ),
                unit_code=pr.unit_code or doc.unit_code,
                unit_name=pr.unit_name or doc.unit_name,
            )
        )
    return out


def rank_projects(reviews: Iterable[DocumentReview]) -> list[tuple[DocumentReview, ProjectReview]]:
    """Every project of the given reviews, worst first: by grade (差 first), then errors, warnings,
    hints — the reviewers' list of all units' projects ranked by findings."""
    pairs = [(r, p) for r in reviews for p in r.projects]
    pairs.sort(
        key=lambda rp: (
            -GRADES.index(rp[1].outcome.grade),
            rp[1].outcome.score or 0.0,
            -rp[1].outcome.counts.get("error", 0),
            -rp[1].outcome.counts.get("warning", 0),
            -rp[1].outcome.counts.get("hint", 0),
        )
    )
    return pairs
