"""Downloads: the standard tables of a project or a unit-year — 绩效目标表 (.xlsx .docx .pdf .html),
监控表, 自评表 and 自评汇总表 (.xlsx .docx .pdf) — and the blank templates to fill in.

Excel and web pages of a few projects are built in the request; Word and PDF (seconds; PDF about ten
through LibreOffice), and Excel and web pages of more than EXPORT_INLINE_PROJECTS projects (a 200-project
unit-year's .xlsx took 50 s on a loaded machine) are background tasks: a button POSTs to start one (or to
find the user's same export still waiting or running) and leads to its progress page, which ends in
the download. A GET of such an export starts nothing: it shows that button, or the pending job."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jixiao.web import convert
from jixiao.web.lib.access import visible_project, visible_unit
from jixiao.web.lib.cycle import StaleEntry
from jixiao.web.lib.exports import (
    BACKGROUND_FORMATS,
    FORMAT_LABELS,
    FORMATS,
    TABLES,
    ExportScope,
    ExportUnavailable,
    build_export,
    check_format,
    missing_data,
    project_scope,
    unit_year_scope,
)
from jixiao.web.models import CYCLE_STATES, Project, Unit
from jixiao.web.refusals import TooBusy
from jixiao.web.tasks import pending_export, start_export


def _file(data: bytes, name: str, fmt: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=FORMATS[fmt])
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _stale(e: StaleEntry) -> HttpResponse:
    return HttpResponse(f"{e}\n", status=409, content_type="text/plain; charset=utf-8")


def _export(
    request: HttpRequest, scope: ExportScope, where: dict[str, int], kind: str, fmt: str
) -> HttpResponse:
    try:
        check_format(kind, fmt)
    except ExportUnavailable as e:
        raise Http404(e.message) from None
    if fmt in BACKGROUND_FORMATS or len(scope.projects) > settings.EXPORT_INLINE_PROJECTS:
        if why := missing_data(scope, kind, fmt):
            raise Http404(why)
        title = f"{scope.stem}{TABLES[kind][0]}（{FORMAT_LABELS[fmt]}）"
        if request.method == "POST":
            try:
                job = start_export(request.user, where, kind, fmt, title)
            except TooBusy as e:
                ctx = {"title": title, "action": request.path, "error": e.message}
                return render(request, "web/jobs/export_start.html", ctx, status=TooBusy.status)
        elif (job := pending_export(request.user, where, kind, fmt)) is None:
            # a GET (a link, a bookmark, a crawler) starts nothing: the page's button does
            return render(request, "web/jobs/export_start.html", {"title": title, "action": request.path})
        return redirect("job", job_id=job.pk)
    try:
        f = build_export(scope, kind, fmt)
    except ExportUnavailable as e:
        raise Http404(e.message) from None
    except StaleEntry as e:
        return _stale(e)
    return _file(f.data, f.name, fmt)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_export(request: HttpRequest, project_id: int, kind: str, fmt: str) -> HttpResponse:
    visible_project(request, project_id)  # 404 for a project the user may not see
    scope = project_scope(request.user, project_id)
    assert scope is not None
    return _export(request, scope, {"project": project_id}, kind, fmt)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_export(request: HttpRequest, unit_id: int, year: int, kind: str, fmt: str) -> HttpResponse:
    u = visible_unit(request, unit_id)
    return _export(request, unit_year_scope(request.user, u, year), {"unit": u.pk, "year": year}, kind, fmt)


def _unit_year_projects(request: HttpRequest, unit_id: int, year: int) -> tuple[Unit, list[Project]]:
    u = visible_unit(request, unit_id)
    projects = list(Project.objects.filter(unit=u, year=year).select_related("unit").order_by("seq", "id"))
    if not projects:
        raise Http404("该单位这一年度没有项目")
    return u, projects


@login_required
def unit_template(request: HttpRequest, unit_id: int, year: int, kind: str) -> HttpResponse:
    """The pre-filled workbook to fill in (what `jixiao template KIND --unit CODE --year Y` writes)."""
    from jixiao.cycle.workbooks import monitor_template, selfeval_template

    if kind not in ("monitor", "selfeval"):
        raise Http404("没有这种模板")
    u, projects = _unit_year_projects(request, unit_id, year)
    # monitoring and 自评 are entered on approved or published targets only: a sheet for a project
    # still in review would have the whole filled workbook refused
    projects = [p for p in projects if p.state in CYCLE_STATES]
    if not projects:
        raise Http404(
            f"{u.name} {year} 年没有已批复或已公开的项目："
            "运行监控和绩效自评只对已批复或已公开的绩效目标填报。"
        )
    domain = [convert.project_from_orm(p, list(p.indicators.all())) for p in projects]
    if kind == "monitor":
        data, label = monitor_template(domain, year, unit_name=u.name), "绩效运行监控表（填报）"
    elif kind == "selfeval":
        data, label = selfeval_template(domain, year, unit_name=u.name), "项目支出绩效自评表（填报）"
    else:
        raise Http404("没有这种模板")
    return _file(data, f"{u.name}{year}年{label}.xlsx", "xlsx")
