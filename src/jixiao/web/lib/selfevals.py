"""绩效自评结果: the self-evaluations of the projects a user sees, for the reviewer's and the
auditor's list — the lowest scores first, each with what asks to be checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.web.models import Project, SelfEvaluation

GRADES = ("优", "良", "中", "差")


@dataclass
class SelfEvalRow:
    """One project's stored self-evaluation and the points an auditor checks first."""

    project: Project
    se: SelfEvaluation
    execution_rate: float | None
    checks: list[str] = field(default_factory=list)


@dataclass
class SelfEvalList:
    rows: list[SelfEvalRow]  # this page's
    grades: dict[str, int]  # over every page
    average: Decimal | None
    page: Any = None  # the Paginator page (number, count, previous/next)
    published: int = 0  # over every page: how many are published for readers (公开)


PAGE_SIZE = 100


def checks_of(se: SelfEvaluation) -> list[str]:
    """What to look at in a self-evaluation, in Chinese: execution below 90% (and whether it was
    explained), indicators that need an explanation (missed, or far above the target) and how many
    have none, qualitative indicators scored by the proposed midpoint of their band."""
    result: dict[str, Any] = se.result or {}
    out = []
    if result.get("execution_explanation"):  # below 90%: the scorer asked for the reason
        said = "已说明原因" if (se.execution_reason or "").strip() else "未说明原因"
        out.append(f"执行率低于 90%，{said}")
    inds = [i for i in result.get("indicators") or [] if isinstance(i, dict)]
    explain = [i for i in inds if i.get("needs_explanation")]
    if explain:
        missing = sum(1 for i in explain if not str(i.get("reason") or "").strip())
        tail = f"，{missing} 个未说明" if missing else "，均已说明"
        out.append(f"{len(explain)} 个指标需说明偏差{tail}")
    proposed = sum(1 for i in inds if i.get("proposed"))
    if proposed:
        out.append(f"{proposed} 个定性指标未打分，取档次中点")
    return out


def selfeval_list(projects: Any, page: Any = None) -> SelfEvalList:
    """The self-evaluations of `projects` (a queryset the caller has narrowed to what the user
    sees), lowest total first (those without a total first, on every database), `PAGE_SIZE` a
    page; the grade counts and the average over all of them, counted by the database."""
    from django.core.paginator import Paginator
    from django.db.models import Avg, Count, F, Q

    stored = SelfEvaluation.objects.filter(project__in=projects)
    by_grade = dict(stored.values_list("grade").annotate(n=Count("id")).order_by())
    sums = stored.aggregate(m=Avg("total"), published=Count("id", filter=Q(published_at__isnull=False)))
    mean = sums["m"]
    ordered = stored.select_related("project", "project__unit").order_by(
        F("total").asc(nulls_first=True), "project__unit__name", "project__seq", "project_id"
    )
    got = Paginator(ordered, PAGE_SIZE).get_page(page)
    rows = []
    for se in got:
        rate = (se.result or {}).get("execution_rate")
        rows.append(
            SelfEvalRow(se.project, se, rate if isinstance(rate, (int, float)) else None, checks_of(se))
        )
    average = Decimal(str(mean)).quantize(Decimal("0.01")) if mean is not None else None
    grades = {g: by_grade.get(g, 0) for g in GRADES}
    return SelfEvalList(rows, grades, average, got, published=sums["published"] or 0)


def selfeval_years(projects: Any) -> list[int]:
    """The years in which any of `projects` has a self-evaluation, latest first (one row a year)."""
    years = (
        SelfEvaluation.objects.filter(project__in=projects)
        .values_list("project__year", flat=True)
        .order_by()
        .distinct()
    )
    return sorted({y for y in years if y}, reverse=True)


@dataclass
class PublicSelfEval:
    """A self-evaluation as readers see it (公开查询, the public API): the stored entry, scored again
    against the project's indicators (what the internal page and the downloads print)."""

    project: Project
    se: SelfEvaluation
    ev: Any  # jixiao.cycle.evaluate.SelfEvaluation
    result: Any  # jixiao.cycle.evaluate.EvaluationResult

    def table_html(self) -> str:
        """The national 项目支出绩效自评表 as HTML (the internal page's table)."""
        from jixiao.export.grid import table_to_html
        from jixiao.export.selfeval import funds_from_project, selfeval_table
        from jixiao.web import convert
        from jixiao.web.lib.cycle import project_unit_name

        m = convert.project_from_orm(self.project, list(self.project.indicators.all()))
        table = selfeval_table(
            self.ev,
            self.result,
            department=project_unit_name(self.project),
            funds=funds_from_project(m),
            published=True,
        )
        return table_to_html(table)


def public_selfeval(project_id: int) -> PublicSelfEval | None:
    """The published self-evaluation of a project whose targets are public, or None — for a project
    that does not exist, is not public, has no self-evaluation or an unpublished one, and for one
    that no longer fits the project's indicators or no longer scores the published total and grade
    against them (what was published cannot be shown): all
    answer alike, so that readers learn nothing of what is not published."""
    from jixiao.web.lib.corpus import PUBLIC_STATES
    from jixiao.web.lib.cycle import StaleEntry, scored_selfeval

    se = (
        SelfEvaluation.objects.select_related("project__unit")
        .filter(project_id=project_id, project__state__in=PUBLIC_STATES, published_at__isnull=False)
        .first()
    )
    if se is None:
        return None
    try:
        ev, result = scored_selfeval(se, se.project, list(se.project.indicators.all()))
    except StaleEntry:
        return None
    if result.total.quantize(Decimal("0.01")) != se.total or result.grade != se.grade:
        return None  # the targets changed since (an administrator's edit): not what was published
    return PublicSelfEval(se.project, se, ev, result)
