"""Monitoring and self-evaluation read for pages and the API: stored entries as domain objects,
lights, scores, the unit-year summary and its spending chart."""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from jixiao.cycle import evaluate, monitor
from jixiao.export import charts
from jixiao.numbers import percent
from jixiao.web import convert
from jixiao.web.models import CYCLE_STATES, Indicator, MonitoringSnapshot, Project, SelfEvaluation

LIGHT_LABELS = {**monitor.LIGHT_LABELS, "": "未填报"}


def aligned_rows(stored: list[dict[str, Any]] | None, indicators: list[Indicator]) -> list[dict[str, Any]]:
    """The stored entries in the order of the project's current indicators: by indicator id (an
    indicator added since has an empty entry, one deleted since is dropped), by position for entries
    without ids."""
    stored = stored or []
    by_id = {r["indicator_id"]: r for r in stored if r.get("indicator_id") is not None}
    if not by_id:
        return [stored[i] if i < len(stored) else {} for i in range(len(indicators))]
    return [by_id.get(ind.pk, {}) for ind in indicators]


def snapshot_domain(
    s: MonitoringSnapshot, proj: Project, indicators: list[Indicator]
) -> monitor.MonitorSnapshot:
    """The `MonitorSnapshot` of a stored snapshot (the project's current targets, the stored actuals)."""
    snap = monitor.snapshot_for(convert.project_from_orm(proj, indicators), s.as_of, year=proj.year)
    snap.executed = s.executed
    snap.deviation = monitor.Deviation(
        s.reason_category or None, s.reason_text or None, s.likelihood or None, s.measures or None
    )
    for ind, r in zip(snap.indicators, aligned_rows(s.rows, indicators), strict=True):
        ind.actual, ind.status = r.get("actual"), r.get("status")
        ind.deviation = monitor.Deviation(
            r.get("reason_category"), r.get("reason_text"), r.get("likelihood"), r.get("measures")
        )
    return snap


def selfeval_domain(
    se: SelfEvaluation, proj: Project, indicators: list[Indicator]
) -> tuple[evaluate.SelfEvaluation, evaluate.EvaluationResult]:
    """The `SelfEvaluation` of a stored one, scored again (the stored result came from the same input)."""
    ev = evaluate.evaluation_for(convert.project_from_orm(proj, indicators), year=proj.year)
    ev.budget = evaluate.Budget(
        adjusted=se.budget_adjusted, executed=se.budget_executed, initial=proj.budget_total
    )
    ev.goal_actual = se.goal_actual or None
    ev.execution_reason = se.execution_reason or None
    for ind, r in zip(ev.indicators, aligned_rows(se.rows, indicators), strict=True):
        ind.actual, ind.band, ind.reason = r.get("actual"), r.get("band"), r.get("reason")
        ind.score = Decimal(r["score"]) if r.get("score") else None
        ind.weight = Decimal(r["weight"]) if r.get("weight") else ind.weight
    stored_weights = (se.result or {}).get("weights")
    if stored_weights:
        ev.weights = evaluate.normalize_weights(stored_weights)
    return ev, evaluate.score_evaluation(ev)


class StaleEntry(Exception):
    """A stored monitoring snapshot or self-evaluation no longer fits the project's indicators (a
    re-import or an edit changed them since): its lights or score cannot be computed again. Pages
    say so and ask for the entry again; downloads answer 409 naming the projects."""


def scored_selfeval(
    se: SelfEvaluation, proj: Project, indicators: list[Indicator]
) -> tuple[evaluate.SelfEvaluation, evaluate.EvaluationResult]:
    """`selfeval_domain`, or StaleEntry saying which project's self-evaluation must be entered again."""
    try:
        return selfeval_domain(se, proj, indicators)
    except (evaluate.EvaluationError, ValueError, ArithmeticError) as e:
        raise StaleEntry(
            f"项目「{proj.name or proj.key}」的绩效自评与项目当前的绩效指标不一致（{e}），"
            "可能是指标在填报后经导入或修改而变化；请重新填报绩效自评。"
        ) from None


def assessed_snapshot(
    s: MonitoringSnapshot, proj: Project, indicators: list[Indicator]
) -> tuple[monitor.MonitorSnapshot, monitor.MonitorResult]:
    """The domain snapshot and its lights, or StaleEntry when they cannot be computed again."""
    snap = snapshot_domain(s, proj, indicators)
    try:
        return snap, monitor.assess(snap)
    except (monitor.MonitorError, ValueError, ArithmeticError) as e:
        raise StaleEntry(
            f"项目「{proj.name or proj.key}」截至 {s.as_of.isoformat()} 的运行监控与项目当前的绩效指标不一致"
            f"（{e}）；请重新填报该次运行监控。"
        ) from None


def project_unit_name(proj: Project) -> str:
    return proj.unit.name if proj.unit_id else ""


def latest_snapshots(projects: Any, *fields: str) -> dict[int, MonitoringSnapshot]:
    """The latest snapshot of each project in `projects` (a queryset or a list of ids); with `fields`,
    only those columns are loaded."""
    out: dict[int, MonitoringSnapshot] = {}
    snaps = MonitoringSnapshot.objects.filter(project__in=projects).order_by("project_id", "-as_of")
    if fields:
        snaps = snaps.only("project_id", "as_of", *fields)
    for s in snaps:
        out.setdefault(s.project_id, s)
    return out


def unit_year_cycle(projects: list[Project], year: int) -> dict[str, Any]:
    """Lights, scores and charts for the unit-year page: attaches `light`, `light_label`, `score` and
    `grade` to each project (from the summary columns that `actions.keep_cycle_summary` keeps, which
    the page loads with the projects) and returns the charts (cumulative spending against the plan,
    scores); the spending history is read only when some project has been monitored."""
    monitored = scored = reportable = False
    scores = []
    for p in projects:
        reportable |= p.state in CYCLE_STATES
        p.light = p.monitor_light or None
        p.as_of = p.monitor_as_of
        p.execution_rate = p.monitor_rate
        p.light_label = LIGHT_LABELS.get(p.light or "", "")
        p.score, p.grade = p.eval_total, p.eval_grade or None
        monitored |= p.as_of is not None
        if p.score is not None:
            scored = True
            scores.append(p.score)
    out: dict[str, Any] = {
        "cycle_monitored": monitored,
        "cycle_scored": scored,
        "cycle_reportable": reportable,  # the templates to fill in hold approved or published projects
        "has_soffice": has_soffice(),
    }
    if monitored:
        out["spending_chart"] = unit_spending_chart(projects, year)
    if scored:
        out["score_chart"] = charts.score_distribution_svg(scores, width=560)
    return out


def unit_spending_chart(projects: list[Project], year: int) -> str:
    """The cumulative spending of the unit's monitored projects against their budget-weighted plan
    (projects not yet reported are left out of both, so the curve compares like with like)."""
    history: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    snaps = MonitoringSnapshot.objects.filter(project__in=[p.pk for p in projects], executed__isnull=False)
    for pid, as_of, executed in snaps.order_by("as_of").values_list("project_id", "as_of", "executed"):
        history[pid].append((as_of, executed))
    monitored = [p for p in projects if p.budget_total and p.pk in history]
    total = sum((p.budget_total for p in monitored), Decimal(0))
    plan_of = {p.pk: p.spending_plan for p in monitored}  # the unit-year view loads the plans
    plan: dict[str, str] = {}
    for month in (3, 6, 9, 12) if total else ():
        end = date(year, month, calendar.monthrange(year, month)[1])
        share = (
            sum(
                (
                    p.budget_total
                    * monitor.expected_progress(plan_of.get(p.pk), end, year, p.budget_total)[0]
                    for p in monitored
                ),
                Decimal(0),
            )
            / total
        )
        plan[f"{month}月底"] = percent(share, 2)
    dates = sorted({d for h in history.values() for d, _ in h})
    actuals = [
        (
            d,
            sum(
                (next((a for dd, a in reversed(h) if dd <= d), Decimal(0)) for h in history.values()),
                Decimal(0),
            ),
        )
        for d in dates
    ]
    return charts.spending_curve_svg(
        year=year,
        budget=total,
        plan=plan,
        actuals=actuals,
        width=560,
        title="全单位累计支出进度",
        subtitle=f"已填报的 {len(monitored)} 个项目，预算 {charts.money(total)} 万元，计划按支出计划加权",
    )


_soffice_seen: tuple[float, bool] = (float("-inf"), False)


def has_soffice() -> bool:
    """Whether LibreOffice is installed (for the PDF links), looked up at most once a minute."""
    global _soffice_seen
    now = time.monotonic()
    if now - _soffice_seen[0] > 60:
        from jixiao.export.pdf import soffice_path

        _soffice_seen = (now, soffice_path() is not None)
    return _soffice_seen[1]
