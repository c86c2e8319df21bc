"""API routes of the data: units, disclosures, projects (read, edit, workflow), review and import."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from jixiao.web import actions
from jixiao.web.api.common import check_choices, json_response, project_for
from jixiao.web.api.errors import Id, Limit, Offset, QueryText, Version, Year
from jixiao.web.convert import as_float as _f
from jixiao.web.lib.search import text_filter
from jixiao.web.lib.units import unit_ids_for_filter
from jixiao.web.models import Disclosure, History, Project, State, Unit
from jixiao.web.permissions import Denied, visible_disclosures, visible_projects, visible_units

# ------------------------------------------------------------------------------------------ schemas


class UnitOut(Schema):
    id: int
    region: str
    code: str
    name: str


class ProjectSummary(Schema):
    id: int
    unit: UnitOut
    year: int | None
    seq: int
    title: str | None
    name: str | None
    code: str | None
    budget_total: float | None
    budget_fiscal: float | None
    budget_other: float | None
    state: str
    version: int


class ProjectPage(Schema):
    items: list[ProjectSummary]
    count: int


class IndicatorOut(Schema):
    id: int
    seq: int
    level1: str | None
    level2: str | None
    name: str | None
    description: str | None
    value: str | None
    basis: str | None
    level1_canonical: str | None
    level2_canonical: str | None
    target: dict | None


class ProjectOut(ProjectSummary):
    disclosure_id: int
    purpose: str | None
    spending_plan: dict | None
    goal: str | None
    indicators: list[IndicatorOut]


class SubGoalOut(Schema):
    title: str
    goal: str | None
    indicators: str | None


class DisclosureOut(Schema):
    id: int
    unit: UnitOut
    year: int | None
    source: str
    overall_goal: str | None
    sub_goals: list[SubGoalOut]
    projects: list[ProjectSummary]
    budget_overview: dict | None
    warnings: list[dict]

    @staticmethod
    def resolve_projects(obj: Disclosure, context: dict[str, Any]) -> list[Project]:
        """The projects of the unit-year the caller may see, in table order."""
        user = context["request"].user
        return list(
            visible_projects(user).filter(disclosure=obj).select_related("unit").order_by("seq", "id")
        )

    @staticmethod
    def resolve_warnings(obj: Disclosure) -> list[dict[str, Any]]:
        return obj.warnings or []


class DisclosureSummary(Schema):
    id: int
    unit: UnitOut
    year: int | None
    source: str
    projects: int

    @staticmethod
    def resolve_projects(obj: Disclosure) -> int:
        return obj.n  # type: ignore[attr-defined]  # annotated by the query


class IndicatorIn(Schema):
    id: int | None = None
    level1: str | None = None
    level2: str | None = None
    name: str | None = None
    description: str | None = None
    value: str | None = None
    basis: str | None = None


class ProjectEdit(Schema):
    version: int
    name: str | None = None
    code: str | None = None
    purpose: str | None = None
    goal: str | None = None
    budget_total: str | None = None
    budget_fiscal: str | None = None
    budget_other: str | None = None
    spending_plan: dict[str, str] | None = None
    indicators: list[IndicatorIn] | None = None

    def to_edit(self) -> actions.ProjectEdit:
        """The action's edit: the fields sent change, those left out stay as they are."""
        given = self.dict(exclude_unset=True, exclude={"version", "indicators"})
        rows = (
            None
            if self.indicators is None
            else tuple(actions.IndicatorRow(**r.dict()) for r in self.indicators)
        )
        return actions.ProjectEdit(version=self.version, indicators=rows, **given)


class WorkflowIn(Schema):
    version: int | None = None
    comment: str = ""
    findings: list[str] | None = None  # on return: keys of review findings to attach (Finding.key)
    # on approve: the reviewer's reason, required when the review has error findings or says 中/差
    confirm_reason: str | None = None


class GateFinding(Schema):
    key: str
    rule: str
    severity: str
    title: str
    heading: str
    indicator: str | None
    indicator_index: int | None
    message: str
    hint: str


class SubmitOut(ProjectOut):
    warnings: list[GateFinding] = Field(
        [], description="提交时审核规则检查发现的错误（不阻止提交；审核人可能据此退回）"
    )


class ConfirmOut(Schema):
    detail: str
    errors: dict[str, str]
    grade: str | None = Field(None, description="审核结论：优/良/中/差")
    verdict: str | None = None
    findings: list[GateFinding] = Field([], description="须确认的错误发现")


class HistoryOut(Schema):
    at: str
    user: str
    action: str
    summary: str
    changes: Any = None

    @staticmethod
    def resolve_at(obj: History) -> str:
        return obj.at.isoformat()

    @staticmethod
    def resolve_user(obj: History) -> str:
        return obj.username


class ErrorOut(Schema):
    detail: str


class DeletedOut(Schema):
    id: int = Field(..., description="已删除项目的编号")
    name: str = Field(..., description="项目名称（或编码）")
    unit_id: int
    year: int | None
    disclosure_id: int = Field(..., description="项目所在的单位年度（删除记录保存在这里）")
    history_id: int = Field(..., description="删除记录（变更记录）的编号")
    detail: str


# ------------------------------------------------------------------------------------------ helpers


def _unit(u: Unit) -> dict[str, Any]:
    return {"id": u.pk, "region": u.region, "code": u.code, "name": u.name}


def _summary(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit": _unit(p.unit),
        "year": p.year,
        "seq": p.seq,
        "title": p.title,
        "name": p.name,
        "code": p.code,
        "budget_total": _f(p.budget_total),
        "budget_fiscal": _f(p.budget_fiscal),
        "budget_other": _f(p.budget_other),
        "state": p.state,
        "version": p.version,
    }


def _project(p: Project) -> dict[str, Any]:
    return {
        **_summary(p),
        "disclosure_id": p.disclosure_id,
        "purpose": p.purpose,
        # milestones printed blank are kept for review (JX402) but left out here, as in the JSON export
        "spending_plan": {k: v for k, v in p.spending_plan.items() if v} or None if p.spending_plan else None,
        "goal": p.goal,
        "indicators": [
            {
                "id": i.pk,
                "seq": i.seq,
                "level1": i.level1,
                "level2": i.level2,
                "name": i.name,
                "description": i.description,
                "value": i.value,
                "basis": i.basis,
                "level1_canonical": i.level1_canonical,
                "level2_canonical": i.level2_canonical,
                "target": i.target,
            }
            for i in p.indicators.all()
        ],
    }


router = Router(tags=["单位、项目与审核"])


@router.get("/units", response=list[UnitOut], summary="预算单位列表")
def list_units(request: HttpRequest, q: QueryText = "", limit: Limit = 1000, offset: Offset = 0) -> Any:
    qs = visible_units(request.user).order_by("region", "code", "name")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    limit = max(1, min(limit, 5000))
    return list(qs[max(0, offset) : max(0, offset) + limit])


@router.get("/disclosures", response=list[DisclosureSummary], summary="单位年度公开列表")
def list_disclosures(request: HttpRequest, unit: QueryText = "", year: Year | None = None) -> Any:
    """`unit`：单位编码；几个单位编码相同时用 REGION:CODE（编码有歧义时返回 400 并列出这些单位）；
    或 id:N。"""
    qs = visible_disclosures(request.user).select_related("unit").annotate(n=Count("projects"))
    if unit:
        qs = qs.filter(unit_id__in=unit_ids_for_filter(unit, visible_units(request.user)))
    if year:
        qs = qs.filter(year=year)
    return list(qs.order_by("unit_id", "-year")[:5000])


@router.get(
    "/disclosures/{disclosure_id}", response={200: DisclosureOut, 404: ErrorOut}, summary="单位年度公开详情"
)
def get_disclosure(request: HttpRequest, disclosure_id: Id) -> Any:
    d = visible_disclosures(request.user).select_related("unit").filter(pk=disclosure_id).first()
    if d is None:
        raise actions.NotFound("单位年度数据不存在或您无权查看。")
    return d


@router.get("/projects", response=ProjectPage, summary="项目列表（分页）")
def list_projects(
    request: HttpRequest,
    unit: QueryText = "",
    year: Year | None = None,
    q: QueryText = "",
    state: QueryText = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    check_choices("state", state, dict(State.choices))
    qs = visible_projects(request.user)
    if unit:
        qs = qs.filter(unit_id__in=unit_ids_for_filter(unit, visible_units(request.user)))
    if year:
        qs = qs.filter(year=year)
    if state.strip():
        qs = qs.filter(state=state.strip())
    if q:
        qs = qs.filter(text_filter(["name", "code"], q))
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    count = qs.count()
    # unit + year lists come in table order; longer lists in import order (the primary key)
    order = ("seq", "id") if unit and year else ("id",)
    # the page's ids first (PostgreSQL skips the offset in the index alone), then those rows
    ids = list(qs.order_by(*order).values_list("id", flat=True)[offset : offset + limit])
    rows = Project.objects.filter(id__in=ids).select_related("unit").defer("purpose", "goal", "spending_plan")
    by_id = {p.pk: p for p in rows}
    return json_response({"items": [_summary(by_id[i]) for i in ids if i in by_id], "count": count})


@router.get(
    "/projects/{project_id}", response={200: ProjectOut, 404: ErrorOut}, summary="项目详情（含指标与解析值）"
)
def get_project(request: HttpRequest, project_id: Id) -> Any:
    return json_response(_project(project_for(request, project_id)))


@router.get(
    "/projects/{project_id}/history", response={200: list[HistoryOut], 404: ErrorOut}, summary="项目变更记录"
)
def project_history(request: HttpRequest, project_id: Id) -> Any:
    p = project_for(request, project_id)
    return list(History.objects.filter(project=p).order_by("-at", "-id")[:500])


@router.patch(
    "/projects/{project_id}",
    response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="修改项目（需提供 version，过期版本返回 409）",
)
def edit_project(request: HttpRequest, project_id: Id, body: ProjectEdit) -> Any:
    project_for(request, project_id)
    actions.edit_project(request.user, project_id, body.to_edit())
    return _project(project_for(request, project_id))


@router.delete(
    "/projects/{project_id}",
    response={200: DeletedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="删除项目（仅草稿；单位用户仅限本单位无运行监控、无绩效自评的项目；可提供 version）",
)
def delete_project(request: HttpRequest, project_id: Id, version: Version | None = None) -> Any:
    project_for(request, project_id)
    gone = actions.delete_project(request.user, project_id, version=version)
    return {
        "id": gone.id,
        "name": gone.name,
        "unit_id": gone.unit_id,
        "year": gone.year,
        "disclosure_id": gone.disclosure_id,
        "history_id": gone.history,
        "detail": f"已删除项目「{gone.name}」；删除记录保存在该单位 {gone.year} 年的变更记录中，"
        "管理员可在后台“变更记录”中查看。",
    }


@router.post(
    "/projects/{project_id}/submit",
    response={200: SubmitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="提交审核（审核规则检查的错误在 warnings 中返回，不阻止提交）",
)
def submit(request: HttpRequest, project_id: Id, body: WorkflowIn) -> Any:
    project_for(request, project_id)
    actions.submit_project(request.user, project_id, version=body.version)
    p = project_for(request, project_id)
    return json_response({**_project(p), "warnings": actions.review_gate(p).errors})


@router.post(
    "/projects/{project_id}/return",
    response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="退回（需填写意见）",
)
def return_(request: HttpRequest, project_id: Id, body: WorkflowIn) -> Any:
    project_for(request, project_id)
    actions.return_project(
        request.user, project_id, version=body.version, comment=body.comment, findings=body.findings
    )
    return _project(project_for(request, project_id))


@router.post(
    "/projects/{project_id}/approve",
    response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ConfirmOut | ErrorOut},
    summary="审核通过（审核有错误或结论为中/差时须填写 confirm_reason，否则返回 409 及须确认的发现）",
)
def approve(request: HttpRequest, project_id: Id, body: WorkflowIn) -> Any:
    project_for(request, project_id)
    try:
        actions.approve_project(
            request.user, project_id, version=body.version, confirm_reason=body.confirm_reason
        )
    except actions.ConfirmationNeeded as e:
        return Status(
            409,
            ConfirmOut(
                detail=e.message,
                errors=e.errors,
                grade=e.gate.grade,
                verdict=e.gate.verdict,
                findings=[GateFinding(**f) for f in e.gate.errors],
            ),
        )
    return _project(project_for(request, project_id))


class FindingOut(Schema):
    key: str
    rule: str
    severity: str
    title: str
    heading: str
    project_seq: int | None
    project: str | None
    indicator: str | None
    indicator_index: int | None
    message: str
    hint: str
    source: str | None = Field(None, description="审核的文件（或数据库中的单位年度）")
    unit_code: str | None = Field(None, description="单位编码")
    unit_name: str | None = Field(None, description="单位名称")


class OutcomeOut(Schema):
    grade: str = Field(..., description="审核结论：优/良/中/差")
    verdict: str = Field(..., description="结论的处理意见")
    headings: dict[str, str | None] = Field(
        ..., description="完整性、相关性、适当性、可行性各自的等级（或 未审核）"
    )
    score: float | None = Field(None, description="评分 0–100：100 减去按严重程度加权的问题所占比例")
    reasons: list[str] = Field([], description="得出该等级的原因（中文，影响最大的在前）")
    heading_scores: dict[str, float] = Field({}, description="各审核方面的评分")


class ReviewOut(Schema):
    project_id: int
    outcome: OutcomeOut | None
    counts: dict[str, int]
    findings: list[FindingOut]
    returned_with: dict | None  # the latest return decision while returned: comment and attached findings


class RankedOut(Schema):
    rank: int
    project_id: int
    unit_id: int
    unit: str
    year: int | None
    name: str
    state: str
    grade: str
    headings: dict[str, str]
    counts: dict[str, int]
    rules: list[str]


class RankingOut(Schema):
    items: list[RankedOut]
    count: int


@router.get(
    "/projects/{project_id}/review",
    response={200: ReviewOut, 404: ErrorOut},
    summary="项目审核结果（按整个单位年度审核：发现与优/良/中/差结论）",
)
def project_review(request: HttpRequest, project_id: Id) -> Any:
    from jixiao.web.lib.reviews import last_return, review_json
    from jixiao.web.lib.reviews import project_review as review_of_project

    p = project_for(request, project_id)
    returned = None
    if p.state == "returned":
        returned = last_return(History.objects.filter(project=p, action="return").order_by("-at", "-id")[:1])
        if returned:
            returned["at"] = returned["at"].isoformat()
    return json_response({"project_id": p.pk, **review_json(review_of_project(p), returned)})


@router.get(
    "/review/ranking", response={200: RankingOut, 404: ErrorOut}, summary="项目按审核发现排序（问题多的在前）"
)
def review_ranking(
    request: HttpRequest,
    unit_id: Id | None = None,
    year: Year | None = None,
    severity: QueryText = "",
    rule: QueryText = "",
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    from jixiao.review import RULES
    from jixiao.review.findings import SEVERITY_ZH
    from jixiao.web.lib.ranking import ranked

    check_choices("severity", severity, SEVERITY_ZH)
    if rule.strip() and rule.strip().upper() not in RULES:
        raise HttpError(
            422,
            f"请求有误：查询参数 rule 的值“{rule}”不是审核规则编码，应如 JX101（见 /review/rules/）。",
        )
    params = {"unit": str(unit_id or ""), "year": str(year or ""), "severity": severity.strip(), "rule": rule}
    items, _ = ranked(request.user, params)
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    out = [
        {
            "rank": offset + i + 1,
            "project_id": r.project_id,
            "unit_id": r.unit_id,
            "unit": r.unit_name,
            "year": r.year,
            "name": r.name,
            "state": r.state,
            "grade": r.outcome.grade,
            "headings": dict(r.outcome.headings),
            "counts": dict(r.outcome.counts),
            "rules": r.rules,
        }
        for i, r in enumerate(items[offset : offset + limit])
    ]
    return json_response({"items": out, "count": len(items)})


class ImportFileResult(Schema):
    file: str
    ok: bool
    errors: list[str]
    warnings: list[str]
    unit: str | None = None
    year: int | None = None
    created: int | None = None
    updated: int | None = None
    indicators: int | None = None
    disclosure_id: int | None = None
    unchanged: int | None = None
    dropped: list[str] | None = None


@router.post(
    "/import",
    response={200: list[ImportFileResult], 403: ErrorOut, 404: ErrorOut},
    summary="上传并导入文件（multipart：files，可选 unit_id、year、confirm_unit）",
    description="文件写明的单位须与 unit_id（或单位用户的唯一单位）一致，否则不导入；管理员可用 "
    "confirm_unit=true 确认按所选单位导入。dropped 列出原有而文件中没有的项目和指标。",
)
def import_files(
    request: HttpRequest,
    files: list[UploadedFile] = File(...),  # noqa: B008
    unit_id: Id | None = Form(None),  # noqa: B008
    year: Year | None = Form(None),  # noqa: B008
    confirm_unit: bool = Form(False),
) -> Any:
    from jixiao.web.actions.uploads import (
        ParseBudget,
        beyond_file_limit,
        budget_spent,
        import_upload,
        upload_too_large,
    )
    from jixiao.web.middleware import MAX_FILES_PER_REQUEST
    from jixiao.web.permissions import Role, can_import_into, role_of

    if role_of(request.user) not in (Role.ADMIN, Role.UNIT):
        raise Denied("审核人不能导入数据。")
    unit = None
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None or not can_import_into(request.user, unit):
            raise actions.NotFound("单位不存在或您无权导入。")
    else:
        mine = list(visible_units(request.user)) if role_of(request.user) == Role.UNIT else []
        if len(mine) == 1:
            unit = mine[0]
    # an oversized file is refused by its declared size, never read into memory whole; once the
    # request has spent the parse time of one file, the files left are not read either
    budget = ParseBudget()
    out = []
    for f in files[:MAX_FILES_PER_REQUEST]:
        name = f.name or "upload"
        out.append(
            upload_too_large(name, f.size)
            or (budget_spent(name, budget) if budget.spent() else None)
            or import_upload(request.user, name, f.read(), unit=unit, year=year, confirm_unit=confirm_unit)
        )
    return out + beyond_file_limit([f.name or "upload" for f in files])
