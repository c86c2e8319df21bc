"""Pages of the monitoring and self-evaluation cycle: 运行监控, 绩效自评, the reviewers' red/yellow
list, the standard tables to download and the filled workbooks to upload.

Views parse input and call `actions`; the lights, scores, tables and charts come from
`jixiao.cycle.monitor`, `jixiao.cycle.evaluate`, `jixiao.export` and `jixiao.export.charts`.
"""

from __future__ import annotations

import calendar
import time
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from jixiao.cycle import evaluate, monitor
from jixiao.export import charts
from jixiao.web import actions, convert
from jixiao.web.models import Indicator, MonitoringSnapshot, Outcome, Project, SelfEvaluation, Unit
from jixiao.web.permissions import (
    Denied,
    can_record_outcome,
    can_report,
    can_view_unit,
    role_of,
    visible_projects,
    visible_units,
)
from jixiao.web.views import _visible_project, _visible_unit

LIGHT_LABELS = {**monitor.LIGHT_LABELS, "": "未填报"}


# ------------------------------------------------------------------ domain objects of stored rows


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


def _unit_name(proj: Project) -> str:
    return proj.unit.name if proj.unit_id else ""


# ------------------------------------------------------------------------------ 运行监控 page


def _monitor_form(
    proj: Project, indicators: list[Indicator], snap: MonitoringSnapshot | None
) -> dict[str, Any]:
    stored = aligned_rows(snap.rows if snap else None, indicators)
    quals = {i: _is_qualitative(ind, proj.year) for i, ind in enumerate(indicators)}
    rows = []
    for i, ind in enumerate(indicators):
        r = stored[i]
        rows.append(
            {
                "ind": ind,
                "qualitative": quals[i],
                **{k: r.get(k) or "" for k in actions.MONITOR_ROW_FIELDS},
                "light": r.get("light") or "",
                "note": r.get("note") or "",
                "ratio": r.get("ratio"),
            }
        )
    as_of = snap.as_of if snap else monitor.default_as_of(proj.year or date.today().year)
    return {
        "as_of": as_of.isoformat(),
        "executed": _num(snap.executed) if snap else "",
        "reason_category": snap.reason_category if snap else "",
        "reason_text": snap.reason_text if snap else "",
        "likelihood": snap.likelihood if snap else "",
        "measures": snap.measures if snap else "",
        "revision": actions.snapshot_revision(snap) if snap else "",
        "rows": rows,
        "errors": {},
    }


def _is_qualitative(ind: Indicator, year: int | None) -> bool:
    from jixiao.values import parse_value

    return (
        evaluate.direction_of(parse_value(ind.value or "", year=year), ind.level1, ind.level2)
        == evaluate.QUALITATIVE
    )


def _num(d: Decimal | None) -> str:
    if d is None:
        return ""
    return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize(), "f")


def _monitor_post(post: Any, n: int) -> dict[str, Any]:
    return {
        "as_of": post.get("as_of", ""),
        "executed": post.get("executed", ""),
        "deviation": {
            k: post.get(k, "") for k in ("reason_category", "reason_text", "likelihood", "measures")
        },
        "rows": [{k: post.get(f"row-{i}-{k}", "") for k in actions.MONITOR_ROW_FIELDS} for i in range(n)],
        "revision": post.get("revision", ""),
    }


@login_required
def project_monitor(request: HttpRequest, project_id: int) -> HttpResponse:
    proj = _visible_project(request, project_id)
    indicators = list(proj.indicators.all())
    snaps = list(MonitoringSnapshot.objects.filter(project=proj).order_by("-as_of"))
    current = snaps[0] if snaps else None
    wanted = request.GET.get("as_of")
    if wanted:
        current = next((s for s in snaps if s.as_of.isoformat() == wanted), current)
    form = _monitor_form(proj, indicators, current)
    status, error = 200, None
    if request.method == "POST":
        data = _monitor_post(request.POST, len(indicators))
        try:
            saved = actions.save_monitoring(
                request.user,
                proj.pk,
                as_of=data["as_of"],
                executed=data["executed"],
                deviation=data["deviation"],
                rows=data["rows"],
                revision=data["revision"],
            )
        except (actions.Invalid, actions.Conflict) as e:
            status, error = (409 if isinstance(e, actions.Conflict) else 400), e.message
            form.update(
                {
                    "as_of": data["as_of"],
                    "executed": data["executed"],
                    **data["deviation"],
                    "errors": e.errors,
                    "revision": data["revision"],
                }
            )
            for row, posted in zip(form["rows"], data["rows"], strict=True):
                row.update(posted)
                row["light"] = ""
        except Denied as e:
            raise _forbidden(request, e) from None
        else:
            label = LIGHT_LABELS.get(saved.light, "")
            messages.success(
                request,
                f"已保存运行监控（截至 {saved.as_of}）：{label}"
                + ("" if saved.complete else "，还有待补充的内容"),
            )
            return redirect(f"{reverse('project_monitor', args=[proj.pk])}?as_of={saved.as_of.isoformat()}")
    domain = [snapshot_domain(s, proj, indicators) for s in snaps]
    chart = (
        charts.spending_curve_for(domain, title=f"{proj.name or ''} 资金支出进度")
        if domain
        else charts.spending_curve_svg(
            year=proj.year or date.today().year,
            budget=proj.budget_total,
            plan=proj.spending_plan,
            title="资金支出进度（计划）",
        )
    )
    ctx = {
        "p": proj,
        "unit": proj.unit,
        "snaps": snaps,
        "current": current,
        "form": form,
        "error": error,
        "chart": chart,
        "can_report": can_report(request.user, proj),
        "can_outcome": can_record_outcome(request.user),
        "outcomes": Outcome.choices,
        "reasons": monitor.REASON_CATEGORIES,
        "likelihoods": monitor.LIKELIHOODS,
        "statuses": monitor.STATUS_OPTIONS,
        "labels": LIGHT_LABELS,
        "tab": "monitor",
        "has_soffice": _has_soffice(),
    }
    return render(request, "web/cycle/monitor.html", ctx, status=status)


def _forbidden(request: HttpRequest, e: Exception) -> Exception:
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(str(e))


@login_required
def snapshot_outcome(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    s = MonitoringSnapshot.objects.filter(pk=snapshot_id, project__in=visible_projects(request.user)).first()
    if s is None:
        raise Http404("监控记录不存在或您无权查看")
    try:
        actions.record_outcome(
            request.user,
            s.pk,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("outcome_note", ""),
        )
    except Denied as e:
        raise _forbidden(request, e) from None
    except actions.Invalid as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已记录处理意见。")
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(f"{reverse('project_monitor', args=[s.project_id])}?as_of={s.as_of.isoformat()}")


# ------------------------------------------------------------------------------ 绩效自评 page


def _selfeval_form(proj: Project, indicators: list[Indicator], se: SelfEvaluation | None) -> dict[str, Any]:
    stored = aligned_rows(se.rows if se else None, indicators)
    rows = []
    for i, ind in enumerate(indicators):
        r = stored[i]
        rows.append(
            {
                "ind": ind,
                "qualitative": _is_qualitative(ind, proj.year),
                **{k: r.get(k) or "" for k in actions.SELFEVAL_ROW_FIELDS},
            }
        )
    return {
        "adjusted": _num(se.budget_adjusted) if se else _num(proj.budget_total),
        "executed": _num(se.budget_executed) if se else "",
        "execution_reason": se.execution_reason if se else "",
        "goal_actual": se.goal_actual if se else "",
        "rows": rows,
        "errors": {},
    }


@login_required
def project_selfeval(request: HttpRequest, project_id: int) -> HttpResponse:
    from jixiao.export.grid import table_to_html
    from jixiao.export.selfeval import funds_from_project, selfeval_table

    proj = _visible_project(request, project_id)
    indicators = list(proj.indicators.all())
    se = SelfEvaluation.objects.filter(project=proj).first()
    form = _selfeval_form(proj, indicators, se)
    status, error = 200, None
    if request.method == "POST":
        n = len(indicators)
        rows = [
            {k: request.POST.get(f"row-{i}-{k}", "") for k in actions.SELFEVAL_ROW_FIELDS} for i in range(n)
        ]
        fields = {
            k: request.POST.get(k, "") for k in ("adjusted", "executed", "execution_reason", "goal_actual")
        }
        try:
            saved = actions.save_selfeval(request.user, proj.pk, rows=rows, **fields)
        except actions.Invalid as e:
            status, error = 400, e.message
            form.update({**fields, "errors": e.errors})
            for row, posted in zip(form["rows"], rows, strict=True):
                row.update(posted)
        except Denied as e:
            raise _forbidden(request, e) from None
        else:
            messages.success(request, f"已保存绩效自评：{saved.total} 分，{saved.grade}。")
            return redirect("project_selfeval", project_id=proj.pk)
    table_html = None
    result = None
    if se is not None:
        try:
            ev, result = scored_selfeval(se, proj, indicators)
        except StaleEntry as e:
            error = error or str(e)
        else:
            m = convert.project_from_orm(proj, indicators)
            table_html = table_to_html(
                selfeval_table(ev, result, department=_unit_name(proj), funds=funds_from_project(m))
            )
    ctx = {
        "p": proj,
        "unit": proj.unit,
        "se": se,
        "result": result,
        "table_html": table_html,
        "form": form,
        "error": error,
        "can_report": can_report(request.user, proj),
        "bands": evaluate.BANDS,
        "tab": "selfeval",
        "has_soffice": _has_soffice(),
    }
    return render(request, "web/cycle/selfeval.html", ctx, status=status)


# ------------------------------------------------------------------------ reviewers' red/yellow list


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


@login_required
def monitoring_list(request: HttpRequest) -> HttpResponse:
    """Red and yellow projects across the units the user sees (the latest snapshot of each project)."""
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    unit_id = request.GET.get("unit") or ""
    projects = visible_projects(request.user)
    years = sorted(
        {
            y
            for y in MonitoringSnapshot.objects.filter(project__in=projects).values_list(
                "project__year", flat=True
            )
            if y
        },
        reverse=True,
    )
    year = year or (years[0] if years else None)
    if year:
        projects = projects.filter(year=year)
    unit = None
    if unit_id:
        try:
            unit = _visible_unit(request, int(unit_id))
        except ValueError:
            raise Http404("没有这个单位") from None
        projects = projects.filter(unit=unit)
    latest = latest_snapshots(projects)
    rows = []
    by_unit: dict[int, Counter[str | None]] = defaultdict(Counter)
    plist = {p.pk: p for p in Project.objects.filter(pk__in=list(latest)).select_related("unit")}
    for pid, s in latest.items():
        p = plist[pid]
        by_unit[p.unit_id][s.light or None] += 1
        if s.light in ("red", "yellow"):
            rows.append((p, s))
    rows.sort(key=lambda ps: (ps[1].light != "red", ps[0].unit.name, ps[0].seq))
    units = {p.unit_id: p.unit for p in plist.values()}
    chart_rows = [
        (units[uid].name, dict(c)) for uid, c in sorted(by_unit.items(), key=lambda kv: units[kv[0]].name)
    ]
    ctx = {
        "rows": rows,
        "year": year,
        "years": years,
        "unit": unit,
        "units": list(visible_units(request.user)[:500]),
        "chart": charts.lights_by_unit_svg(chart_rows, title=f"各单位项目监控结果（{year or ''} 年）"),
        "can_outcome": can_record_outcome(request.user),
        "outcomes": Outcome.choices,
        "labels": LIGHT_LABELS,
        "monitored": len(latest),
    }
    return render(request, "web/cycle/monitoring_list.html", ctx)


# ------------------------------------------------------------------------ unit-year page additions


def unit_year_cycle(projects: list[Project], year: int) -> dict[str, Any]:
    """Lights, scores and charts for the unit-year page: attaches `light`, `light_label`, `score` and
    `grade` to each project (from the summary columns that `actions.keep_cycle_summary` keeps, which
    the page loads with the projects) and returns the charts (cumulative spending against the plan,
    scores); the spending history is read only when some project has been monitored."""
    monitored = scored = False
    scores = []
    for p in projects:
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
        "has_soffice": _has_soffice(),
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
        plan[f"{month}月底"] = f"{(share * 100).quantize(Decimal('0.01'))}%"
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


# ------------------------------------------------------------------------------------ downloads

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


_soffice_seen: tuple[float, bool] = (float("-inf"), False)


def _has_soffice() -> bool:
    """Whether LibreOffice is installed (for the PDF links), looked up at most once a minute."""
    global _soffice_seen
    now = time.monotonic()
    if now - _soffice_seen[0] > 60:
        from jixiao.export.pdf import soffice_path

        _soffice_seen = (now, soffice_path() is not None)
    return _soffice_seen[1]


def _file(data: bytes, name: str, fmt: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(data, content_type=FORMATS[fmt])
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _monitor_items(projects: list[Project]) -> list[tuple[monitor.MonitorSnapshot, monitor.MonitorResult]]:
    latest = latest_snapshots([p.pk for p in projects])
    items = []
    for p in projects:
        s = latest.get(p.pk)
        if s is not None:
            items.append(assessed_snapshot(s, p, list(p.indicators.all())))
    return items


def _selfeval_items(projects: list[Project]) -> tuple[list[Any], list[Any]]:
    from jixiao.export.selfeval import funds_from_project

    ses = {s.project_id: s for s in SelfEvaluation.objects.filter(project__in=[p.pk for p in projects])}
    items, funds = [], []
    for p in projects:
        se = ses.get(p.pk)
        if se is not None:
            inds = list(p.indicators.all())
            items.append(scored_selfeval(se, p, inds))
            funds.append(funds_from_project(convert.project_from_orm(p, inds)))
    return items, funds


def _export(projects: list[Project], kind: str, fmt: str, unit_name: str, stem: str) -> HttpResponse:
    from jixiao.export.monitoring import monitoring_to_docx, monitoring_to_xlsx
    from jixiao.export.selfeval import selfeval_to_docx, selfeval_to_xlsx

    if fmt not in FORMATS or kind not in ("monitor", "selfeval", "summary"):
        raise Http404("没有这种格式")
    if kind == "monitor":
        mitems = _monitor_items(projects)
        if not mitems:
            raise Http404("还没有运行监控数据")
        writer = monitoring_to_xlsx if fmt == "xlsx" else monitoring_to_docx
        data = writer(mitems, department=unit_name, unit_name=unit_name)
        name = f"{stem}绩效运行监控表"
    else:
        items, funds = _selfeval_items(projects)
        if not items:
            raise Http404("还没有绩效自评数据")
        writer = selfeval_to_xlsx if fmt == "xlsx" else selfeval_to_docx
        if kind == "summary":
            from jixiao.export.grid import tables_to_docx, tables_to_xlsx
            from jixiao.export.selfeval import selfeval_summary_table

            table = selfeval_summary_table([e for e, _ in items], [r for _, r in items], unit_name=unit_name)
            data = (tables_to_xlsx if fmt == "xlsx" else tables_to_docx)([table])
            name = f"{stem}项目支出绩效自评汇总表"
        else:
            data = writer(items, department=unit_name, funds=funds, unit_name=unit_name)
            name = f"{stem}项目支出绩效自评表"
    if fmt == "pdf":
        from jixiao.export.pdf import docx_to_pdf

        if not _has_soffice():
            raise Http404("服务器没有安装 LibreOffice，无法生成 PDF")
        data = docx_to_pdf(_export(projects, kind, "docx", unit_name, stem).content, name=name)
    return _file(data, f"{name}.{fmt}", fmt)


def _stale(e: StaleEntry) -> HttpResponse:
    return HttpResponse(f"{e}\n", status=409, content_type="text/plain; charset=utf-8")


@login_required
def project_export(request: HttpRequest, project_id: int, kind: str, fmt: str) -> HttpResponse:
    proj = _visible_project(request, project_id)
    try:
        return _export([proj], kind, fmt, _unit_name(proj), f"{proj.name or proj.key}-")
    except StaleEntry as e:
        return _stale(e)


def _unit_year_projects(request: HttpRequest, unit_id: int, year: int) -> tuple[Unit, list[Project]]:
    u = _visible_unit(request, unit_id)
    projects = list(Project.objects.filter(unit=u, year=year).select_related("unit").order_by("seq", "id"))
    if not projects:
        raise Http404("该单位这一年度没有项目")
    return u, projects


@login_required
def unit_export(request: HttpRequest, unit_id: int, year: int, kind: str, fmt: str) -> HttpResponse:
    u, projects = _unit_year_projects(request, unit_id, year)
    try:
        return _export(projects, kind, fmt, u.name, f"{u.name}{year}年")
    except StaleEntry as e:
        return _stale(e)


@login_required
def unit_template(request: HttpRequest, unit_id: int, year: int, kind: str) -> HttpResponse:
    """The pre-filled workbook to fill in (what `jixiao template KIND --unit CODE --year Y` writes)."""
    from jixiao.cycle.workbooks import monitor_template, selfeval_template

    u, projects = _unit_year_projects(request, unit_id, year)
    domain = [convert.project_from_orm(p, list(p.indicators.all())) for p in projects]
    if kind == "monitor":
        data, label = monitor_template(domain, year, unit_name=u.name), "绩效运行监控表（填报）"
    elif kind == "selfeval":
        data, label = selfeval_template(domain, year, unit_name=u.name), "项目支出绩效自评表（填报）"
    else:
        raise Http404("没有这种模板")
    return _file(data, f"{u.name}{year}年{label}.xlsx", "xlsx")


# ---------------------------------------------------------------------------------- upload


@login_required
def cycle_upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled monitoring or self-evaluation workbook: all or nothing, errors by sheet and cell."""
    can_upload = role_of(request.user) in ("admin", "unit")
    ctx: dict[str, Any] = {"can_upload": can_upload, "max_mb": settings.MAX_UPLOAD_MB}
    if request.method == "POST":
        if not can_upload:
            ctx["error"] = "只有单位用户或管理员可以导入填报表。"
            return render(request, "web/cycle/upload.html", ctx, status=403)
        f = request.FILES.get("file")
        if f is None:
            ctx["error"] = "请选择要上传的工作簿（.xlsx）。"
            return render(request, "web/cycle/upload.html", ctx, status=400)
        if f.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
            ctx["error"] = f"{f.name}: 文件超过 {settings.MAX_UPLOAD_MB} MB 的上限"
            return render(request, "web/cycle/upload.html", ctx, status=400)
        kind = request.POST.get("kind") or None
        try:
            r = actions.import_cycle_workbook(
                request.user,
                f.read(),
                name=f.name or "workbook.xlsx",
                kind=kind if kind in ("monitor", "selfeval") else None,
            )
        except actions.Invalid as e:
            ctx.update({"error": e.message, "errors": list(e.errors.values())})
            return render(request, "web/cycle/upload.html", ctx, status=400)
        except Denied as e:
            ctx["error"] = str(e)
            return render(request, "web/cycle/upload.html", ctx, status=403)
        page = "project_monitor" if r.kind == "monitor" else "project_selfeval"
        ctx["imported"] = [(reverse(page, args=[pid]), line) for pid, line in r.projects]
        ctx["kind"] = r.kind
    return render(request, "web/cycle/upload.html", ctx)


__all__ = [
    "can_view_unit",
    "cycle_upload",
    "monitoring_list",
    "project_export",
    "project_monitor",
    "project_selfeval",
    "snapshot_outcome",
    "unit_export",
    "unit_template",
]
