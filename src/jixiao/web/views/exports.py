"""Downloads: the 监控表 and 自评表 of a project or a unit-year (.xlsx, .docx, .pdf) and the
blank templates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from jixiao.cycle import monitor
from jixiao.web import convert
from jixiao.web.lib.access import visible_project, visible_unit
from jixiao.web.lib.cycle import (
    StaleEntry,
    assessed_snapshot,
    has_soffice,
    latest_snapshots,
    project_unit_name,
    scored_selfeval,
)
from jixiao.web.models import Project, SelfEvaluation, Unit

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


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

        if not has_soffice():
            raise Http404("服务器没有安装 LibreOffice，无法生成 PDF")
        data = docx_to_pdf(_export(projects, kind, "docx", unit_name, stem).content, name=name)
    return _file(data, f"{name}.{fmt}", fmt)


def _stale(e: StaleEntry) -> HttpResponse:
    return HttpResponse(f"{e}\n", status=409, content_type="text/plain; charset=utf-8")


@login_required
def project_export(request: HttpRequest, project_id: int, kind: str, fmt: str) -> HttpResponse:
    proj = visible_project(request, project_id)
    try:
        return _export([proj], kind, fmt, project_unit_name(proj), f"{proj.name or proj.key}-")
    except StaleEntry as e:
        return _stale(e)


def _unit_year_projects(request: HttpRequest, unit_id: int, year: int) -> tuple[Unit, list[Project]]:
    u = visible_unit(request, unit_id)
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
