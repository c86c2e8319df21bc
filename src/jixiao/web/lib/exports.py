"""The standard tables of a project or a unit-year as files: 绩效目标表 (.xlsx .docx .pdf .html),
绩效运行监控表, 项目支出绩效自评表 and 自评汇总表 (.xlsx .docx .pdf) — what the CLI's `jixiao export`
writes, built from the stored data. Shared by the download views (quick formats) and the background
tasks (Word and PDF)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jixiao import model as m
from jixiao.cycle import monitor
from jixiao.web import convert
from jixiao.web.lib.cycle import assessed_snapshot, latest_snapshots, project_unit_name, scored_selfeval
from jixiao.web.models import Disclosure, Project, SelfEvaluation, Unit
from jixiao.web.permissions import visible_projects, visible_unit_ids

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
# the tables, their file-name labels and the formats each comes in
TABLES = {
    "targets": ("项目绩效目标表", ("xlsx", "docx", "pdf", "html")),
    "monitor": ("绩效运行监控表", ("xlsx", "docx", "pdf")),
    "selfeval": ("项目支出绩效自评表", ("xlsx", "docx", "pdf")),
    "summary": ("项目支出绩效自评汇总表", ("xlsx", "docx", "pdf")),
}
FORMAT_LABELS = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF", "html": "网页"}
# formats built by a background task (Word takes seconds for a unit-year, PDF about ten)
BACKGROUND_FORMATS = ("docx", "pdf")

Progress = Callable[[int, int, str], None]


class ExportUnavailable(Exception):
    """The table cannot be made (no data, unknown format, no LibreOffice); the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ExportScope:
    """What to export: the projects (those the user may see), the unit's name and the file stem."""

    projects: list[Project]
    unit_name: str
    stem: str
    unit: Unit | None = None
    year: int | None = None


def check_format(kind: str, fmt: str) -> None:
    if kind not in TABLES or fmt not in TABLES[kind][1]:
        raise ExportUnavailable("没有这种表格或格式")


def project_scope(user: Any, project_id: int) -> ExportScope | None:
    """The one project, if the user may see it (None otherwise)."""
    proj = visible_projects(user).select_related("unit").filter(pk=project_id).first()
    if proj is None:
        return None
    return ExportScope([proj], project_unit_name(proj), f"{proj.name or proj.key}-", proj.unit, proj.year)


def unit_year_scope(user: Any, unit: Unit, year: int) -> ExportScope:
    """The unit's projects of the year that the user may see (a bureau's disclosure may hold
    subordinate units' tables: a unit user gets their own only)."""
    qs = Project.objects.filter(unit=unit, year=year).select_related("unit").order_by("seq", "id")
    visible = visible_unit_ids(user)
    projects = [p for p in qs if visible is None or p.unit_id in visible]
    return ExportScope(projects, unit.name, f"{unit.name}{year}年", unit, year)


def missing_data(scope: ExportScope, kind: str, fmt: str) -> str | None:
    """Why the table cannot be made, found cheaply before a background task is started (None: go)."""
    from jixiao.web.models import MonitoringSnapshot

    if not scope.projects:
        return "该单位这一年度没有项目"
    ids = [p.pk for p in scope.projects]
    if kind == "monitor" and not MonitoringSnapshot.objects.filter(project__in=ids).exists():
        return "还没有运行监控数据"
    if kind in ("selfeval", "summary") and not SelfEvaluation.objects.filter(project__in=ids).exists():
        return "还没有绩效自评数据"
    return None  # no LibreOffice for a PDF: the task fails saying so


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


def targets_document(scope: ExportScope) -> m.Disclosure:
    """The 绩效目标表 of the scope as a domain disclosure (a unit-year keeps its overall goals)."""
    doc = m.Disclosure(
        source="jixiao",
        unit_code=(scope.unit.code or None) if scope.unit else None,
        unit_name=scope.unit_name,
        year=scope.year,
        projects=[convert.project_from_orm(p, list(p.indicators.all())) for p in scope.projects],
    )
    if scope.unit is not None and len(scope.projects) != 1:
        d = Disclosure.objects.filter(unit=scope.unit, year=scope.year).first()
        if d is not None:
            doc.overall_goal = d.overall_goal
            doc.sub_goals = [
                m.SubGoal(title=s.title, goal=s.goal, indicators=s.indicators) for s in d.sub_goals.all()
            ]
    return doc


def _writers(fmt: str) -> tuple[Any, Any, Any, Any]:
    """The writers of one file format: 绩效目标表, 监控表, 自评表 and a list of standard tables."""
    if fmt == "docx":
        from jixiao.export.docx import disclosure_to_docx
        from jixiao.export.grid import tables_to_docx
        from jixiao.export.monitoring import monitoring_to_docx
        from jixiao.export.selfeval import selfeval_to_docx

        return disclosure_to_docx, monitoring_to_docx, selfeval_to_docx, tables_to_docx
    from jixiao.export.grid import tables_to_xlsx
    from jixiao.export.monitoring import monitoring_to_xlsx
    from jixiao.export.selfeval import selfeval_to_xlsx
    from jixiao.export.xlsx import disclosure_to_xlsx

    return disclosure_to_xlsx, monitoring_to_xlsx, selfeval_to_xlsx, tables_to_xlsx


def _file(scope: ExportScope, kind: str, fmt: str) -> bytes:
    """The table `kind` of the scope as .docx (also what the PDF is converted from) or .xlsx."""
    targets, monitoring, selfeval, tables = _writers(fmt)
    projects, unit_name = scope.projects, scope.unit_name
    if kind == "targets":
        return targets(targets_document(scope))
    if kind == "monitor":
        mitems = _monitor_items(projects)
        if not mitems:
            raise ExportUnavailable("还没有运行监控数据")
        return monitoring(mitems, department=unit_name, unit_name=unit_name)
    items, funds = _selfeval_items(projects)
    if not items:
        raise ExportUnavailable("还没有绩效自评数据")
    if kind == "summary":
        from jixiao.export.selfeval import selfeval_summary_table

        table = selfeval_summary_table([e for e, _ in items], [r for _, r in items], unit_name=unit_name)
        return tables([table])
    return selfeval(items, department=unit_name, funds=funds, unit_name=unit_name)


def build_export(scope: ExportScope, kind: str, fmt: str, progress: Progress | None = None) -> ExportFile:
    """The file of one table in one format. Raises ExportUnavailable (with the Chinese reason) and
    StaleEntry (a stored entry no longer matching its targets)."""
    check_format(kind, fmt)
    if not scope.projects:
        raise ExportUnavailable("该单位这一年度没有项目")
    steps = 3 if fmt == "pdf" else 2
    report = progress or (lambda done, total, step: None)
    label = TABLES[kind][0]
    name = f"{scope.stem}{label}.{fmt}"
    report(1, steps, "读取数据")
    if fmt == "xlsx":
        data = _file(scope, kind, "xlsx")
    elif fmt == "html":
        from jixiao.export.html import disclosure_to_html

        data = disclosure_to_html(targets_document(scope)).encode("utf-8")
    else:
        if fmt == "pdf":
            from jixiao.web.lib.cycle import has_soffice

            if not has_soffice():
                raise ExportUnavailable("服务器没有安装 LibreOffice，无法生成 PDF")
        report(1, steps, "生成 Word 文档")
        data = _file(scope, kind, "docx")
        if fmt == "pdf":
            from jixiao.export.pdf import PdfError, docx_to_pdf

            report(2, steps, "转换为 PDF（LibreOffice）")
            try:
                data = docx_to_pdf(data, name=f"{scope.stem}{label}")
            except PdfError as e:
                raise ExportUnavailable(str(e)) from None
    report(steps, steps, "完成")
    return ExportFile(name, FORMATS[fmt], data)
