"""API of the corpus: 横向比较 of one indicator and the 指标库 (added to the API in `api/__init__.py`).

The population compared with is the one the pages use (`web.lib.corpus`): every approved or
published project plus the caller's own visible projects.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jixiao.corpus.compare import comparison_to_dict
from jixiao.corpus.library import library_to_dict
from jixiao.web import actions
from jixiao.web.api.data import ErrorOut
from jixiao.web.api.errors import Id, QueryText
from jixiao.web.lib.corpus import compare_indicator, library_for

router = Router(tags=["横向比较与指标库"])


class EntryOut(Schema):
    unit_region: str | None
    unit_code: str | None
    unit_name: str | None
    year: int | None
    project: str | None
    name: str | None
    value: str | None
    number: float | None  # None: the subject's 指标值 has no number (the note says why)
    unit: str
    outlier: str | None


class DistributionOut(Schema):
    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float
    low_fence: float
    high_fence: float


class CostPerOutputOut(Schema):
    subject: EntryOut
    category: list[str | None]
    unit: str | None
    peers: list[EntryOut]
    distribution: DistributionOut | None
    rank: int | None
    outliers: list[EntryOut]
    note: str


class ComparisonOut(CostPerOutputOut):
    indicator_id: int
    cost_per_output: CostPerOutputOut | None


class ExampleOut(Schema):
    unit_name: str | None
    unit_region: str | None
    year: int | None
    project: str | None
    name: str | None
    value: str | None


class LibraryIndicatorOut(Schema):
    name: str
    names: list[str]
    units: int
    uses: int
    usual_unit: str | None
    usual_op: str | None
    median: float | None
    q1: float | None
    q3: float | None
    values: list[tuple[str, int]]
    examples: list[ExampleOut]


class LibraryCategoryOut(Schema):
    level1: str | None
    level2: str | None
    indicators: list[LibraryIndicatorOut]


class DepartmentOut(Schema):
    name: str
    units: int
    projects: int
    indicators: int


class LibraryOut(Schema):
    department: str | None
    project_words: str | None
    units: int
    projects: int
    categories: list[LibraryCategoryOut]
    departments: list[DepartmentOut]


@router.get(
    "/corpus/compare/{indicator_id}",
    response={200: ComparisonOut, 404: ErrorOut},
    summary="横向比较：一个指标与其他单位同类指标的分布、排名和异常值",
)
def compare(request: HttpRequest, indicator_id: Id, same_name: bool = False) -> ComparisonOut:
    c = compare_indicator(request.user, indicator_id, same_name=same_name)
    if c is None:
        raise actions.NotFound("指标不存在或您无权查看。")
    return ComparisonOut(indicator_id=indicator_id, **comparison_to_dict(c))


@router.get("/library", response=LibraryOut, summary="指标库：按部门类型和项目名称关键词归纳的常用指标")
def library(request: HttpRequest, department: QueryText = "", words: QueryText = "") -> LibraryOut:
    return LibraryOut(**library_to_dict(library_for(request.user, department=department, words=words)))
