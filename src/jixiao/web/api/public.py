"""The readers' API (公开查询, no login; added to the API in `api/__init__.py`): what the readers'
pages show, as JSON — a project's published self-evaluation (决算公开 of its 项目支出绩效自评表).

Off with the readers' view (setting JIXIAO_PUBLIC). Anything not published — a project that does not
exist, whose targets are not public, without a self-evaluation or with one not published — answers
the same 404, so that no reader learns which ids exist or what is being prepared.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from jixiao.cycle.evaluate import result_to_dict
from jixiao.web import actions
from jixiao.web.api.errors import Id
from jixiao.web.lib.selfevals import public_selfeval

router = Router(tags=["公开查询"], auth=None)

NOT_PUBLISHED = "该项目没有公开的绩效自评。"


class ErrorOut(Schema):
    detail: str


class PublicBudgetOut(Schema):
    initial: float | None  # 年初预算数（万元）
    adjusted: float | None  # 全年预算数
    executed: float | None  # 全年执行数


class PublicIndicatorOut(Schema):
    level1: str | None  # 一级指标
    level2: str | None  # 二级指标
    name: str | None  # 三级指标
    target: str | None  # 年度指标值
    actual: str | None  # 实际完成值
    band: str | None  # 自评档次（定性指标）
    points: float  # 分值
    score: float  # 得分
    proposed: bool  # 得分为档次中点的建议值
    reason: str | None  # 偏差原因分析及改进措施


class PublicSelfEvalOut(Schema):
    project_id: int
    project: str | None
    project_code: str | None
    unit: str
    unit_region: str
    year: int | None
    goal: str | None  # 年度总体目标：预期目标
    goal_actual: str | None  # 实际完成情况
    budget: PublicBudgetOut
    execution_rate: float  # 执行率（0–1）
    execution_points: float  # 分值
    execution_score: float  # 得分
    execution_reason: str | None
    indicators: list[PublicIndicatorOut]
    total: float  # 总分（百分制）
    grade: str  # 自评等级：优/良/中/差
    published_at: datetime


def _indicator(d: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: d.get(k) for k in ("level1", "level2", "name", "target", "actual", "band", "reason")},
        "points": d["points"],
        "score": d["score"],
        "proposed": bool(d.get("proposed")),
    }


@router.get(
    "/public/projects/{project_id}/selfeval",
    response={200: PublicSelfEvalOut, 404: ErrorOut},
    summary="公开的项目支出绩效自评表（无需登录）",
)
def public_project_selfeval(request: HttpRequest, project_id: Id) -> Any:
    found = public_selfeval(project_id) if getattr(settings, "JIXIAO_PUBLIC", True) else None
    if found is None:
        raise actions.NotFound(NOT_PUBLISHED)
    p, se = found.project, found.se
    d = result_to_dict(found.ev, found.result)
    return {
        "project_id": p.pk,
        "project": p.name or p.title,
        "project_code": p.code,
        "unit": p.unit.name,
        "unit_region": p.unit.region,
        "year": p.year,
        "goal": found.ev.goal,
        "goal_actual": found.ev.goal_actual,
        "budget": d["budget"],
        "execution_rate": d["execution_rate"],
        "execution_points": d["execution_points"],
        "execution_score": d["execution_score"],
        "execution_reason": found.ev.execution_reason,
        "indicators": [_indicator(i) for i in d["indicators"]],
        "total": d["total"],
        "grade": d["grade"],
        "published_at": se.published_at,
    }
