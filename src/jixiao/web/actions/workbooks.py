"""Filled 运行监控 / 自评 workbooks (from `jixiao template`) imported, each all or nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from jixiao.ingest.bounded import ParseLimits
from jixiao.web.actions.common import (
    Invalid,
    NotFound,
)
from jixiao.web.actions.cycle import (
    DeviationEntry,
    MonitoringEntry,
    MonitoringRow,
    SelfEvalEntry,
    SelfEvalRow,
    save_monitoring,
    save_selfeval,
)
from jixiao.web.models import (
    Project,
    Unit,
    User,
)
from jixiao.web.permissions import (
    Denied,
)

if TYPE_CHECKING:
    from jixiao.cycle.evaluate import SelfEvaluation
    from jixiao.cycle.monitor import Deviation, MonitorSnapshot


def parse_limits() -> ParseLimits:
    """The time and memory one upload may take to parse (settings JIXIAO_PARSE_TIMEOUT/_MEMORY_MB)."""
    from django.conf import settings

    return ParseLimits(timeout=settings.JIXIAO_PARSE_TIMEOUT, memory_mb=settings.JIXIAO_PARSE_MEMORY_MB)


def workbook_kind(data: bytes) -> str | None:
    """监控表 or 自评表 from the workbook's sheet names. Only `xl/workbook.xml` is read (after the zip
    checks, its size capped), never the sheets or shared strings: this runs in the web process, before
    the bounded parse worker reads the workbook itself."""
    from lxml import etree

    from jixiao.ingest.zipsafe import open_package

    try:
        with open_package(data, "workbook.xlsx", ".xlsx", "xl/workbook.xml") as zf:
            if zf.getinfo("xl/workbook.xml").file_size > 2 * 1024 * 1024:
                return None  # no real workbook's sheet list is that big: the reader says what is wrong
            root = etree.fromstring(zf.read("xl/workbook.xml"), etree.XMLParser(resolve_entities=False))
    except Exception:  # not a workbook: the reader says so with its own message
        return None
    names = [el.get("name") or "" for el in root.iter("{*}sheet")]
    if any(n.startswith("监控表") for n in names):
        return "monitor"
    if any(n.startswith("自评表") for n in names):
        return "selfeval"
    return None


def _project_for_sheet(
    actor: User | None,
    year: int | None,
    code: str | None,
    name: str | None,
    seq: int | None,
    unit: Unit | None,
    unit_name: str | None = None,
) -> Project | None:
    """The project a workbook sheet reports on, among those the actor sees (a unit user: their own
    units' only): by code, else by name; when several units have a project of that name, the one of
    the unit the sheet names (its 单位 cell) or of the unit given; never a guess across units."""
    from jixiao.web.lib.units import same_name
    from jixiao.web.permissions import visible_projects

    qs = visible_projects(actor).filter(year=year).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    for cond in ({"code": code} if code else None, {"name": name} if name else None):
        if cond:
            found = list(qs.filter(**cond)[:50])
            if len(found) > 1 and unit_name:
                found = [p for p in found if same_name(p.unit.name, unit_name)] or found
            if len(found) > 1 and seq is not None:
                found = [p for p in found if p.seq == seq] or found
            if len(found) == 1:
                return found[0]
            if len({p.unit_id for p in found}) > 1:
                where = "、".join(sorted({str(p.unit) for p in found}))
                raise Invalid(
                    f"项目「{name or code}」在多个单位都有（{where}），请指定单位（jixiao report --unit）。",
                    {"unit": "项目所属单位不唯一"},
                )
    return None


@dataclass
class WorkbookImport:
    kind: str  # "monitor" or "selfeval"
    projects: list[tuple[int, str]] = field(default_factory=list)  # (project id, summary line)


def import_cycle_workbook(
    actor: User | None,
    data: bytes,
    *,
    name: str = "workbook.xlsx",
    kind: str | None = None,
    unit: Unit | None = None,
) -> WorkbookImport:
    """Import a filled 绩效运行监控表 or 项目支出绩效自评表 workbook (`jixiao template`), all or nothing.

    Every wrong cell is reported as `监控表!E12: …` (Invalid.errors maps each to its message) and
    nothing is stored when any is wrong; each sheet is saved through `save_monitoring` /
    `save_selfeval` inside one transaction.
    """
    from jixiao.cycle.workbooks import WorkbookError, read_monitor_workbook, read_selfeval_workbook
    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import run_bounded

    kind = kind or workbook_kind(data)
    if kind not in ("monitor", "selfeval"):
        raise Invalid(
            f"{name}: 不是 jixiao template 生成的绩效运行监控表或自评表工作簿",
            {"file": "没有“监控表”或“自评表”工作表"},
        )
    try:
        read = read_monitor_workbook if kind == "monitor" else read_selfeval_workbook
        items: list[Any] = run_bounded(read, data, name=name, limits=parse_limits())  # a worker process
    except ReadError as e:  # over the time or memory limit
        raise Invalid(f"{name}: {e.message}，未导入任何数据", {"file": e.message}) from None
    except WorkbookError as e:
        raise Invalid(
            f"{name}: 工作簿有 {len(e.problems)} 处错误，未导入任何数据",
            {f"cell-{i}": p for i, p in enumerate(e.problems)},
        ) from None
    out = WorkbookImport(kind)
    errors: dict[str, str] = {}
    with transaction.atomic():
        for k, item in enumerate(items):
            sheet = _sheet_label(item, kind, k, len(items))
            try:
                proj = _project_for_sheet(
                    actor,
                    item.year,
                    item.project_code,
                    item.project_name,
                    item.project_seq,
                    unit,
                    getattr(item, "unit_name", None),
                )
            except Invalid as e:
                errors[f"sheet-{k}"] = f"{sheet}: {e.message}"
                continue
            if proj is None:
                errors[f"sheet-{k}"] = (
                    f"{sheet}: 找不到项目「{item.project_name or ''}」"
                    f"（{item.project_code or '无编码'}，{item.year or '?'} 年）或您无权填报"
                )
                continue
            if proj.cycle_block_reason:  # monitoring and 自评 only on approved or published targets
                errors[f"sheet-{k}"] = f"{sheet}: {proj.cycle_block_reason}"
                continue
            n = proj.indicators.count()
            if n != len(item.indicators):
                errors[f"sheet-{k}"] = (
                    f"{sheet}: 工作表有 {len(item.indicators)} 个指标，项目「{proj.name}」有 {n} 个"
                )
                continue
            try:
                if kind == "monitor":
                    snap = save_monitoring(actor, proj.pk, _monitoring_entry(item), require_complete=True)
                    out.projects.append(
                        (proj.pk, f"{proj.name}：截至 {snap.as_of}，{snap.get_light_display()}")
                    )
                else:
                    obj = save_selfeval(
                        actor,
                        proj.pk,
                        _selfeval_entry(item),
                        require_execution_reason=False,  # the workbook's own check located it
                    )
                    out.projects.append((proj.pk, f"{proj.name}：{obj.total} 分，{obj.grade}"))
            except (Invalid, Denied, NotFound) as e:
                errors[f"sheet-{k}"] = f"{sheet}: {getattr(e, 'message', str(e))}"
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise Invalid(f"{name}: 工作簿有 {len(errors)} 处错误，未导入任何数据", errors)
    return out


def _deviation(d: Deviation) -> DeviationEntry:
    return DeviationEntry(
        reason_category=d.category, reason_text=d.text, likelihood=d.likelihood, measures=d.measures
    )


def _monitoring_entry(item: MonitorSnapshot) -> MonitoringEntry:
    """A 监控表 sheet as read, entered as the form would."""
    return MonitoringEntry(
        as_of=item.as_of,
        executed=item.executed,
        deviation=_deviation(item.deviation),
        rows=tuple(
            MonitoringRow(actual=i.actual, status=i.status, cells=i.cells, **asdict(_deviation(i.deviation)))
            for i in item.indicators
        ),
    )


def _selfeval_entry(item: SelfEvaluation) -> SelfEvalEntry:
    """A 自评表 sheet as read, entered as the form would (with its weights)."""
    return SelfEvalEntry(
        adjusted=item.budget.adjusted,
        executed=item.budget.executed,
        goal_actual=item.goal_actual or "",
        execution_reason=item.execution_reason or "",
        weights=item.weights,
        rows=tuple(
            SelfEvalRow(actual=i.actual, band=i.band, score=i.score, reason=i.reason, weight=i.weight)
            for i in item.indicators
        ),
    )


def _sheet_label(item: Any, kind: str, k: int, n: int) -> str:
    prefix = "监控表" if kind == "monitor" else "自评表"
    return prefix if n == 1 else f"{prefix}{k + 1}"
