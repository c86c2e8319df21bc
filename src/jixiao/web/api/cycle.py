# ruff: noqa: RUF012  (schema fields with list defaults: pydantic copies them)
"""API of the monitoring and self-evaluation cycle (added to the API in `api/__init__.py`).

The same actions and permissions as the pages: unit users read and write only their own units'
projects (others are 404), reviewers read everything and record outcomes (writing actuals is 403).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from jixiao.web import actions
from jixiao.web.api.common import check_choices, project_for
from jixiao.web.api.errors import Id, QueryText, Year
from jixiao.web.models import LIGHTS, MonitoringSnapshot, SelfEvaluation
from jixiao.web.permissions import Denied, visible_projects

router = Router(tags=["运行监控与绩效自评"])


class ErrorOut(Schema):
    detail: str


class DeviationIn(Schema):
    reason_category: str | None = None
    reason_text: str | None = None
    likelihood: str | None = None
    measures: str | None = None


class MonitorRowIn(DeviationIn):
    actual: str | None = None
    status: str | None = None  # qualitative: 达成 / 部分达成 / 未达成


class SnapshotIn(Schema):
    as_of: date
    executed: str | float | None = None
    deviation: DeviationIn | None = None
    rows: list[MonitorRowIn] = []  # one per indicator, in the project's order
    # the `revision` of the snapshot you read ("" when you expect none for that date): a snapshot
    # changed since is not overwritten (409); leave it out to replace whatever is there
    revision: str | None = None

    def to_entry(self) -> actions.MonitoringEntry:
        return actions.MonitoringEntry(
            as_of=self.as_of,
            executed=self.executed,
            deviation=actions.DeviationEntry(**self.deviation.dict())
            if self.deviation
            else actions.DeviationEntry(),
            rows=tuple(actions.MonitoringRow(**r.dict()) for r in self.rows),
            revision=self.revision,
        )


class SnapshotOut(Schema):
    id: int
    project_id: int
    as_of: date
    executed: float | None
    execution_rate: float | None
    expected: float | None
    light: str
    spending_light: str
    complete: bool
    problems: list[str]
    reason_category: str
    reason_text: str
    likelihood: str
    measures: str
    rows: list[dict]
    outcome: str
    outcome_note: str
    revision: str

    @staticmethod
    def resolve_problems(obj: MonitoringSnapshot) -> list[str]:
        return obj.problems or []

    @staticmethod
    def resolve_rows(obj: MonitoringSnapshot) -> list[dict[str, Any]]:
        return obj.rows or []

    @staticmethod
    def resolve_revision(obj: MonitoringSnapshot) -> str:
        return actions.snapshot_revision(obj)


class OutcomeIn(Schema):
    outcome: str  # continue | adjust | reduce | suspend
    note: str = ""


class SelfEvalRowIn(Schema):
    actual: str | None = None
    band: str | None = None
    score: str | float | None = None
    reason: str | None = None


class SelfEvalIn(Schema):
    adjusted: str | float
    executed: str | float
    execution_reason: str = ""
    goal_actual: str = ""
    rows: list[SelfEvalRowIn] = []

    def to_entry(self) -> actions.SelfEvalEntry:
        return actions.SelfEvalEntry(
            adjusted=self.adjusted,
            executed=self.executed,
            execution_reason=self.execution_reason,
            goal_actual=self.goal_actual,
            rows=tuple(actions.SelfEvalRow(**r.dict()) for r in self.rows),
        )


class SelfEvalOut(Schema):
    project_id: int
    total: float | None
    grade: str
    budget_adjusted: float
    budget_executed: float
    result: dict
    published_at: datetime | None  # 公开时间 (None: not published)
    published_by: str

    @staticmethod
    def resolve_result(obj: SelfEvaluation) -> dict[str, Any]:
        return obj.result or {}


class LightOut(Schema):
    project_id: int
    project: str | None
    unit: str
    year: int | None
    as_of: date
    light: str
    complete: bool
    outcome: str

    @staticmethod
    def resolve_project(obj: MonitoringSnapshot) -> str | None:
        return obj.project.name

    @staticmethod
    def resolve_unit(obj: MonitoringSnapshot) -> str:
        return obj.project.unit.name

    @staticmethod
    def resolve_year(obj: MonitoringSnapshot) -> int | None:
        return obj.project.year


class ImportOut(Schema):
    kind: str
    projects: list[dict]


@router.get(
    "/projects/{project_id}/monitoring",
    response={200: list[SnapshotOut], 404: ErrorOut},
    summary="项目的运行监控记录（新的在前）",
)
def list_snapshots(request: HttpRequest, project_id: Id) -> Any:
    p = project_for(request, project_id)
    return MonitoringSnapshot.objects.filter(project=p).order_by("-as_of")


@router.post(
    "/projects/{project_id}/monitoring",
    response={200: SnapshotOut, 400: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="填报运行监控（同日覆盖；带 revision 时不覆盖别人刚保存的）",
)
def save_snapshot(request: HttpRequest, project_id: Id, body: SnapshotIn) -> Any:
    p = project_for(request, project_id)
    return actions.save_monitoring(request.user, p.pk, body.to_entry())


@router.post(
    "/monitoring/{snapshot_id}/outcome",
    response={200: SnapshotOut, 400: dict, 403: ErrorOut, 404: ErrorOut},
    summary="记录监控处理意见（审核人）",
)
def save_outcome(request: HttpRequest, snapshot_id: Id, body: OutcomeIn) -> Any:
    return actions.record_outcome(request.user, snapshot_id, outcome=body.outcome, note=body.note)


@router.get("/monitoring", response=list[LightOut], summary="各项目最新监控结果（可按单位、年度、灯色筛选）")
def list_lights(
    request: HttpRequest, unit: QueryText = "", year: Year | None = None, light: QueryText = ""
) -> Any:
    check_choices("light", light, dict(LIGHTS), sep=",")
    projects = visible_projects(request.user)
    if unit:
        from jixiao.web.lib.units import unit_ids_for_filter
        from jixiao.web.permissions import visible_units

        projects = projects.filter(unit_id__in=unit_ids_for_filter(unit, visible_units(request.user)))
    if year:
        projects = projects.filter(year=year)
    seen: set[int] = set()
    out: list[MonitoringSnapshot] = []
    qs = (
        MonitoringSnapshot.objects.filter(project__in=projects)
        .select_related("project", "project__unit")
        .order_by("project_id", "-as_of")
    )
    wanted = {x.strip() for x in light.split(",") if x.strip()}  # as `check_choices` checked them
    for s in qs[:20000]:
        if s.project_id in seen:
            continue
        seen.add(s.project_id)
        if wanted and s.light not in wanted:
            continue
        out.append(s)
    return out


@router.get(
    "/projects/{project_id}/selfeval", response={200: SelfEvalOut, 404: ErrorOut}, summary="项目绩效自评得分"
)
def get_selfeval(request: HttpRequest, project_id: Id) -> Any:
    p = project_for(request, project_id)
    se = SelfEvaluation.objects.filter(project=p).first()
    if se is None:
        raise actions.NotFound("该项目尚未填报绩效自评。")
    return se


@router.post(
    "/projects/{project_id}/selfeval",
    response={200: SelfEvalOut, 400: dict, 403: ErrorOut, 404: ErrorOut},
    summary="填报绩效自评并评分",
)
def save_selfeval(request: HttpRequest, project_id: Id, body: SelfEvalIn) -> Any:
    p = project_for(request, project_id)
    return actions.save_selfeval(request.user, p.pk, body.to_entry())


@router.post(
    "/projects/{project_id}/selfeval/publish",
    response={200: SelfEvalOut, 400: dict, 403: ErrorOut, 404: ErrorOut},
    summary="公开绩效自评（审核人、管理员；项目绩效目标已批复或已公开且自评已评分）",
)
def publish_selfeval(request: HttpRequest, project_id: Id) -> Any:
    p = project_for(request, project_id)
    return actions.publish_selfeval(request.user, p.pk)


@router.post(
    "/projects/{project_id}/selfeval/withdraw",
    response={200: SelfEvalOut, 400: dict, 403: ErrorOut, 404: ErrorOut},
    summary="撤回绩效自评的公开（审核人、管理员）",
)
def withdraw_selfeval(request: HttpRequest, project_id: Id) -> Any:
    p = project_for(request, project_id)
    return actions.withdraw_selfeval(request.user, p.pk)


@router.post(
    "/cycle/import",
    response={200: ImportOut, 400: dict, 403: ErrorOut},
    summary="导入填好的运行监控表或自评表工作簿（全部正确才导入）",
)
def import_workbook(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    kind: str | None = Form(None),
) -> Any:
    from django.conf import settings

    from jixiao.web.permissions import role_of

    if role_of(request.user) not in ("admin", "unit"):
        raise Denied("只有单位用户或管理员可以导入填报表。")
    if (file.size or 0) > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise actions.Invalid(f"文件超过 {settings.MAX_UPLOAD_MB} MB 的上限", {"file": "too large"})
    r = actions.import_cycle_workbook(
        request.user,
        file.read(),
        name=file.name or "workbook.xlsx",
        kind=kind if kind in ("monitor", "selfeval") else None,
    )
    return ImportOut(kind=r.kind, projects=[{"id": pid, "summary": line} for pid, line in r.projects])
