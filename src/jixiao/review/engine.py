"""The review engine: run the catalogue over a disclosure. Pure — the model is never changed.

Facts are computed once per indicator and project; indicator rules are dispatched by category,
so a rule about 满意度 is only called for satisfaction indicators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jixiao.model import Disclosure
from jixiao.review import rules as _rules  # noqa: F401  (registers the catalogue)
from jixiao.review.facts import ALL_CATS, Context, DocumentFacts, ProjectFacts, document_facts
from jixiao.review.findings import COMPLETENESS, GRADES, HEADINGS, SEVERITIES, Finding, Outcome
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


_PLANS: dict[int, tuple[ResolvedSettings, _Plan]] = {}


def _plan(rs: ResolvedSettings) -> _Plan:
    got = _PLANS.get(id(rs))
    if got is not None and got[0] is rs:
        return got[1]
    by_cat: dict[str, dict[str, list[tuple[Callable[..., Any], Rule, str]]]] = {
        c: {k: [] for k in KINDS} for c in ALL_CATS}
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
    _PLANS[id(rs)] = (rs, plan)
    return plan


_Where = tuple[int | None, str | None, str | None, str | None, str | None]  # seq, project, source, unit


def _where(p: ProjectFacts | None, doc: Disclosure) -> _Where:
    if p is None:
        return (None, None, doc.source, doc.unit_code, doc.unit_name)
    pr = p.project
    return (pr.seq, p.label, doc.source, pr.unit_code or doc.unit_code, pr.unit_name or doc.unit_name)


def _finding(r: Rule, sev: str, hit: Hit, p: ProjectFacts | None, w: _Where,
             ind_index: int | None) -> Finding:
    ind = p.project.indicators[ind_index] if (p is not None and ind_index is not None) else None
    return Finding(
        r.code, sev, r.heading, r.title, hit.message, hit.hint or r.fix,  # type: ignore[arg-type]
        w[0], w[1], ind.name if ind is not None else None, ind_index, w[2], w[3], w[4],
    )


def _review_grouped(facts: DocumentFacts, settings: ReviewSettings,
                    history: History | None) -> tuple[list[Finding], list[list[Finding]]]:
    """(findings not tied to a project, findings per project in project order)."""
    doc = facts.doc
    plans: dict[tuple[str | None, str | None], tuple[_Plan, Context]] = {}

    def plan_for(p: ProjectFacts | None) -> tuple[_Plan, Context]:
        code = (p.project.unit_code if p and p.project.unit_code else None) or doc.unit_code
        name = (p.project.unit_name if p and p.project.unit_name else None) or doc.unit_name
        got = plans.get((code, name))
        if got is None:
            rs = settings.for_unit(code, name)
            got = (_plan(rs), Context(t=rs.thresholds, doc=doc, year=doc.year, history=history))
            plans[(code, name)] = got
        return got

    per_project: list[list[Finding]] = []
    for p in facts.projects:
        plan, ctx = plan_for(p)
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
    doc_plan, doc_ctx = plan_for(None)
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
    return loose, per_project


def review_facts(facts: DocumentFacts, settings: ReviewSettings | None = None,
                 history: History | None = None) -> list[Finding]:
    """Review precomputed facts."""
    loose, per_project = _review_grouped(facts, settings or DEFAULT_SETTINGS, history)
    out = list(loose)
    for found in per_project:
        out.extend(found)
    return out


def _order(f: Finding) -> tuple[int, int, str]:
    return (-1 if f.indicator_index is None else f.indicator_index, SEVERITIES.index(f.severity), f.rule)


def review(doc: Disclosure, settings: ReviewSettings | None = None,
           history: History | None = None) -> list[Finding]:
    """All findings for one disclosure, in project order; within a project, project-level findings
    first, then by indicator. Never changes `doc`."""
    return review_facts(document_facts(doc), settings, history)


# ---------------------------------------------------------------------------------------------
# outcome: 优 / 良 / 中 / 差 per project and per heading
# ---------------------------------------------------------------------------------------------


def _grade(fs: list[Finding], n_indicators: int, poor_share: float, revise_share: float,
           substantive: bool) -> str:
    """差 / 中 / 良 / 优 for a set of findings (one heading, or the whole project)."""
    errors = [f for f in fs if f.severity == "error"]
    if any(f.rule in BLOCKING for f in errors) or (errors and not n_indicators):
        return "差"
    if errors:
        hit = {f.indicator_index for f in errors if f.indicator_index is not None}
        if n_indicators and len(hit) / n_indicators >= poor_share:
            return "差"
        return "中"
    warnings = [f for f in fs if f.severity == "warning"]
    if not warnings:
        return "优"
    if substantive:
        weighty = [f for f in warnings if f.heading != COMPLETENESS]
        if any(f.indicator_index is None for f in weighty):
            return "中"  # a project-wide defect such as a copied indicator set
        hit = {f.indicator_index for f in weighty}
        if n_indicators and len(hit) / n_indicators >= revise_share:
            return "中"
    return "良"


def outcome(project_findings: Iterable[Finding], n_indicators: int, *, project_seq: int | None = None,
            project: str | None = None, settings: ResolvedSettings | None = None) -> Outcome:
    """The reviewer's grade from one project's findings, per heading and overall (the worst).

    - 差 (targets unusable): a blocking rule fired (no 产出指标, no indicators at all), or errors touch
      at least `poor_error_share` (default 34%) of the indicators;
    - 中 (revise and resubmit): any error; or warnings under 相关性/适当性/可行性 touch at least
      `revise_warning_share` (default 30%) of the indicators, or concern the project as a whole
      (a copied indicator set);
    - 良 (small fixes): other warnings — 完整性 warnings such as descriptions that repeat the name
      or a blank 依据 cell are fixes, not grounds to return the table;
    - 优: no errors or warnings. Hints never lower the grade.
    """
    opts = {**OUTCOME_DEFAULTS, **(settings.outcome if settings else {})}
    poor, revise = float(opts["poor_error_share"]), float(opts["revise_warning_share"])
    fs = list(project_findings)
    counts = {s: sum(1 for f in fs if f.severity == s) for s in SEVERITIES}
    headings = {h: _grade([f for f in fs if f.heading == h], n_indicators, poor, revise, True)
                for h in HEADINGS}
    overall = _grade(fs, n_indicators, poor, revise, True)
    worst = max([overall, *headings.values()], key=GRADES.index)
    return Outcome(project_seq=project_seq, project=project, grade=worst, headings=headings, counts=counts)


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
            "source": self.doc.source, "unit_code": self.doc.unit_code, "unit_name": self.doc.unit_name,
            "year": self.doc.year, "counts": self.counts, "grades": self.grades,
            "projects": [p.outcome.to_dict() for p in self.projects],
            "findings": [f.to_dict() for f in self.findings],
        }


def review_document(doc: Disclosure, settings: ReviewSettings | None = None,
                    history: History | None = None) -> DocumentReview:
    """Findings plus each project's outcome (what the memo, the XLSX and the web pages show)."""
    settings = settings or DEFAULT_SETTINGS
    facts = document_facts(doc)
    loose, per_project = _review_grouped(facts, settings, history)
    findings = list(loose)
    for found in per_project:
        findings.extend(found)
    out = DocumentReview(doc=doc, findings=findings)
    for p in facts.projects:
        pr = p.project
        rs = settings.for_unit(pr.unit_code or doc.unit_code, pr.unit_name or doc.unit_name)
        mine = per_project[p.index]
        out.projects.append(ProjectReview(
            seq=pr.seq, name=p.label, findings=mine,
            outcome=outcome(mine, len(p.indicators), project_seq=pr.seq, project=p.label, settings=rs),
            unit_code=pr.unit_code or doc.unit_code, unit_name=pr.unit_name or doc.unit_name))
    return out


def rank_projects(reviews: Iterable[DocumentReview]) -> list[tuple[DocumentReview, ProjectReview]]:
    """Every project of the given reviews, worst first: by grade (差 first), then errors, warnings,
    hints — the reviewers' list of all units' projects ranked by findings."""
    pairs = [(r, p) for r in reviews for p in r.projects]
    pairs.sort(key=lambda rp: (-GRADES.index(rp[1].outcome.grade), -rp[1].outcome.counts.get("error", 0),
                               -rp[1].outcome.counts.get("warning", 0), -rp[1].outcome.counts.get("hint", 0)))
    return pairs
