"""Pages: monitoring (运行监控) and self-evaluation (绩效自评) forms, the monitoring list, workbook upload."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from jixiao.cycle import evaluate, monitor
from jixiao.export import charts
from jixiao.numbers import plain
from jixiao.web import actions, convert
from jixiao.web.errors import forbidden
from jixiao.web.lib.access import visible_project, visible_unit
from jixiao.web.lib.corpus import PUBLIC_STATES
from jixiao.web.lib.cycle import (
    LIGHT_LABELS,
    StaleEntry,
    aligned_rows,
    has_soffice,
    latest_snapshots,
    project_unit_name,
    scored_selfeval,
    snapshot_domain,
)
from jixiao.web.models import Indicator, MonitoringSnapshot, Outcome, Project, SelfEvaluation
from jixiao.web.permissions import (
    Denied,
    can_publish_selfeval,
    can_record_outcome,
    can_report,
    role_of,
    visible_projects,
    visible_units,
)


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
        "executed": plain(snap.executed) if snap else "",
        "reason_category": snap.reason_category if snap else "",
        "reason_text": snap.reason_text if snap else "",
        "likelihood": snap.likelihood if snap else "",
        "measures": snap.measures if snap else "",
        "revision": actions.snapshot_revision(snap) if snap else "",
        "rows": rows,
        "errors": {},
        "gaps": _monitor_gaps(snap, proj, indicators) if snap is not None and not snap.complete else {},
    }


MONITOR_FIELDS = ("as_of", "executed", "reason_category", "reason_text", "likelihood", "measures")
SELFEVAL_FIELDS = ("adjusted", "executed", "execution_reason", "goal_actual")


def _error_summary(
    errors: dict[str, str], n_rows: int, fields: tuple[str, ...], row_fields: tuple[str, ...]
) -> tuple[str, list[str]]:
    """The line above a refused form and the errors that have no field of their own on the page
    (the others are shown beside their fields)."""
    placed = set(fields) | {f"row-{i}-{k}" for i in range(n_rows) for k in row_fields}
    rest = [msg for key, msg in errors.items() if key not in placed]
    return f"有 {len(errors)} 处需要修改，未保存；已在各栏旁标出。", rest


def _monitor_gaps(snap: MonitoringSnapshot, proj: Project, indicators: list[Indicator]) -> dict[str, str]:
    """What a stored but incomplete monitoring report still needs, by form field (row-N-FIELD)."""
    try:
        dom = snapshot_domain(snap, proj, indicators)
    except (ValueError, ArithmeticError):
        return {}
    dom.cells = {k: k for k in MONITOR_FIELDS}
    for i, ind in enumerate(dom.indicators):
        ind.cells = {k: f"row-{i}-{k}" for k in actions.MONITOR_ROW_FIELDS}
    try:
        problems = monitor.validate_snapshot(dom)
    except (monitor.MonitorError, ValueError, ArithmeticError):
        return {}
    gaps: dict[str, str] = {}
    for p in problems:
        if p.cell:
            gaps.setdefault(p.cell, p.message)
    return gaps


def _is_qualitative(ind: Indicator, year: int | None) -> bool:
    from jixiao.values import parse_value

    return (
        evaluate.direction_of(parse_value(ind.value or "", year=year), ind.level1, ind.level2)
        == evaluate.QUALITATIVE
    )


@login_required
def project_monitor(request: HttpRequest, project_id: int) -> HttpResponse:
    proj = visible_project(request, project_id)
    indicators = list(proj.indicators.all())
    snaps = list(MonitoringSnapshot.objects.filter(project=proj).order_by("-as_of"))
    current = snaps[0] if snaps else None
    wanted = request.GET.get("as_of")
    if wanted:
        current = next((s for s in snaps if s.as_of.isoformat() == wanted), current)
    form = _monitor_form(proj, indicators, current)
    status, error, unplaced = 200, None, []
    if request.method == "POST":
        entry = actions.MonitoringEntry.from_form(request.POST, len(indicators))
        try:
            saved = actions.save_monitoring(request.user, proj.pk, entry)
        except (actions.Invalid, actions.Conflict) as e:
            status, error = (409 if isinstance(e, actions.Conflict) else 400), e.message
            if isinstance(e, actions.Invalid) and e.errors:
                error, unplaced = _error_summary(
                    e.errors, len(indicators), MONITOR_FIELDS, actions.MONITOR_ROW_FIELDS
                )
            form.update({**entry.as_form(), "errors": e.errors, "gaps": {}})
            for row, posted in zip(form["rows"], entry.rows, strict=True):
                row.update(posted.as_form())
                row["light"] = ""
        except Denied as e:
            # returned, not raised as PermissionDenied: Django logs a raised one with its
            # traceback, a returned 403 as one warning line, as the other refusals are
            return forbidden(request, e)
        else:
            label = LIGHT_LABELS.get(saved.light, "")
            messages.success(
                request,
                f"已保存运行监控（截至 {saved.as_of}）：{label}"
                + ("" if saved.complete else "，还有待补充的内容"),
            )
            if above := actions.above_budget(saved.executed, "截至监控日执行数", proj.budget_total, "预算数"):
                messages.warning(request, f"{above}；如年内追加了预算，可不理会。")
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
        "unplaced": unplaced,
        "chart": chart,
        "can_report": can_report(request.user, proj),
        "can_outcome": can_record_outcome(request.user),
        "outcomes": Outcome.choices,
        "reasons": monitor.REASON_CATEGORIES,
        "likelihoods": monitor.LIKELIHOODS,
        "statuses": monitor.STATUS_OPTIONS,
        "labels": LIGHT_LABELS,
        "tab": "monitor",
        "has_soffice": has_soffice(),
    }
    return render(request, "web/cycle/monitor.html", ctx, status=status)


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
        return forbidden(request, e)
    except actions.Invalid as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已记录处理意见。")
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(f"{reverse('project_monitor', args=[s.project_id])}?as_of={s.as_of.isoformat()}")


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
        "adjusted": plain(se.budget_adjusted) if se else plain(proj.budget_total),
        "executed": plain(se.budget_executed) if se else "",
        "execution_reason": se.execution_reason if se else "",
        "goal_actual": se.goal_actual if se else "",
        "rows": rows,
        "errors": {},
    }


@login_required
def project_selfeval(request: HttpRequest, project_id: int) -> HttpResponse:
    from jixiao.export.grid import table_to_html
    from jixiao.export.selfeval import funds_from_project, selfeval_table

    proj = visible_project(request, project_id)
    indicators = list(proj.indicators.all())
    se = SelfEvaluation.objects.filter(project=proj).first()
    form = _selfeval_form(proj, indicators, se)
    status, error, unplaced = 200, None, []
    if request.method == "POST":
        n = len(indicators)
        entry = actions.SelfEvalEntry.from_form(request.POST, n)
        try:
            saved = actions.save_selfeval(request.user, proj.pk, entry)
        except actions.Invalid as e:
            status, error = 400, e.message
            if e.errors:
                error, unplaced = _error_summary(e.errors, n, SELFEVAL_FIELDS, actions.SELFEVAL_ROW_FIELDS)
            form.update({**entry.as_form(), "errors": e.errors})
            for row, posted in zip(form["rows"], entry.rows, strict=True):
                row.update(posted.as_form())
        except Denied as e:
            return forbidden(request, e)
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
                selfeval_table(ev, result, department=project_unit_name(proj), funds=funds_from_project(m))
            )
    ctx = {
        "p": proj,
        "unit": proj.unit,
        "se": se,
        "result": result,
        "table_html": table_html,
        "form": form,
        "error": error,
        "unplaced": unplaced,
        # a published self-evaluation is not changed (withdraw first): no entry form meanwhile
        "can_report": can_report(request.user, proj) and not (se and se.published_at),
        "can_publish": se is not None and can_publish_selfeval(request.user),
        "public_states": PUBLIC_STATES,
        "bands": evaluate.BANDS,
        "tab": "selfeval",
        "has_soffice": has_soffice(),
    }
    return render(request, "web/cycle/selfeval.html", ctx, status=status)


def _selfeval_publication(request: HttpRequest, project_id: int, *, publish: bool) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proj = visible_project(request, project_id)  # another unit's project: 404, as one nobody has
    try:
        if publish:  # what the reviewer saw (the page's form): Conflict when it changed since
            se = actions.publish_selfeval(request.user, proj.pk, seen=request.POST.get("seen") or None)
        else:
            se = actions.withdraw_selfeval(request.user, proj.pk)
    except Denied as e:
        return forbidden(request, e)
    except (actions.Invalid, actions.Conflict) as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"已公开绩效自评：{se.total} 分，{se.grade}；公开查询页面可见。"
            if publish
            else "已撤回绩效自评的公开；公开查询页面不再显示，单位可修改后再提请公开。",
        )
    return redirect("project_selfeval", project_id=proj.pk)


@login_required
def project_selfeval_publish(request: HttpRequest, project_id: int) -> HttpResponse:
    """公开 the project's self-evaluation (reviewers and administrators)."""
    return _selfeval_publication(request, project_id, publish=True)


@login_required
def project_selfeval_withdraw(request: HttpRequest, project_id: int) -> HttpResponse:
    """撤回公开 of the project's self-evaluation (reviewers and administrators)."""
    return _selfeval_publication(request, project_id, publish=False)


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
            unit = visible_unit(request, int(unit_id))
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


@login_required
def selfeval_list(request: HttpRequest) -> HttpResponse:
    """绩效自评结果: the self-evaluations of the projects the user sees, by year and unit, lowest
    score first, with what an auditor checks (execution below 90%, explanations, proposed scores)."""
    from jixiao.web.lib.selfevals import selfeval_list as listed
    from jixiao.web.lib.selfevals import selfeval_years

    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    projects = visible_projects(request.user)
    years = selfeval_years(projects)
    year = year if year in years else (years[0] if years else None)
    if year:
        projects = projects.filter(year=year)
    unit = None
    unit_id = request.GET.get("unit") or ""
    if unit_id:
        try:
            unit = visible_unit(request, int(unit_id))
        except ValueError:
            raise Http404("没有这个单位") from None
        projects = projects.filter(unit=unit)
    ctx = {
        "data": listed(projects, request.GET.get("page")),
        "year": year,
        "years": years,
        "unit": unit,
        "units": list(visible_units(request.user)[:500]),
    }
    return render(request, "web/cycle/selfeval_list.html", ctx)
