# ruff: noqa: RUF012  (schema fields with list defaults: pydantic copies them)
"""API check of a published 项目支出绩效自评表 (issue 11, item 4; added to the API in `api/__init__.py`).

`POST /api/selfeval/check` takes a printed 自评表 as JSON — the shape `*.selfeval.json` of the field
set has and `jixiao.cycle.evaluate.published_from_dict` reads — recomputes it by the method
(`check_published`) and answers with the recomputed total and grade beside the printed ones and
every difference with its reason. The same as `jixiao score --check FILE.json`.

`POST /api/selfeval/check/page` takes the published page itself (a multipart `file`: .txt, .pdf,
.docx, .xlsx or .html), reads every 自评表 in it (`jixiao.ingest.selfeval`) in a bounded child
process (the upload size cap, `JIXIAO_PARSE_TIMEOUT`, `JIXIAO_PARSE_MEMORY_MB`) and checks each one:
the same as `jixiao check FILE` and the page 自评表复核 (`/selfeval/check/`), which share
`jixiao.web.lib.selfeval_check`.

Nothing is read from or written to the database: any signed-in user (session with CSRF, or a Bearer
token) may check a table. A table that cannot be checked at all is refused with 400 and a Chinese
message naming the field (no indicators, or an indicator row left blank); a single unreadable cell (OCR
「IO」 for 10) does not refuse the table: it is listed under `unreadable` and that row is skipped, as
the command line does.
"""

from __future__ import annotations

import logging
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from jixiao.cycle.evaluate import (
    check_published,
    printed_number,
    published_from_dict,
    uncheckable_reason,
)
from jixiao.web import actions
from jixiao.web.api.errors import Year

log = logging.getLogger(__name__)

router = Router(tags=["自评表复核"])

MAX_INDICATORS = 500  # a printed table has a few dozen rows
Cell = Annotated[str | float | None, Field(description="表中印出的数，如「10」「9.5分」")]
Text = Annotated[str | None, Field(max_length=20000)]


class BudgetIn(Schema):
    """预算执行情况：按行名（如「年度资金总额」）给出各列（全年预算数、全年执行数、分值、得分）。"""

    columns: list[str] = Field([], description="列名（按表中顺序）")
    rows: dict[str, dict[str, str | float | None]] = Field(
        {}, description="行名 → {列名: 表中的值}；第一行为年度资金总额"
    )


class PublishedIndicatorIn(Schema):
    """自评表中的一行绩效指标，照表中印出的填写。"""

    level1: Text = Field(None, description="一级指标")
    level2: Text = Field(None, description="二级指标")
    name: Text = Field(None, description="三级指标名称")
    target: Text = Field(None, description="年度指标值，如「≥95%」")
    actual: Text = Field(None, description="实际完成值")
    weight: Cell = Field(None, description="分值")
    score: Cell = Field(None, description="得分")
    deviation_reason: Text = Field(None, description="偏差原因分析及改进措施")


class PublishedTableIn(Schema):
    """一张已公开的项目支出绩效自评表（与 `*.selfeval.json` 同一格式，其余字段忽略）。"""

    indicators: list[PublishedIndicatorIn] = Field(
        ..., max_length=MAX_INDICATORS, description="绩效指标各行（表中顺序）"
    )
    budget: BudgetIn | None = Field(None, description="预算执行情况")
    total_weight: Cell = Field(None, description="总分值")
    total_score: Cell = Field(None, description="总分")
    grade: Text = Field(None, description="自评等级（优/良/中/差）")
    year: Year | None = Field(None, description="年度")
    project_name: Text = Field(None, description="项目名称")
    source: Text = Field(None, description="来源（文件名或网址）")


class DiscrepancyOut(Schema):
    kind: str = Field(
        ...,
        description="差异类别：missed-target-full 未达标却满分；cap-breached-full 超上限却满分；"
        "score-differs 得分不同；weights-sum 分值合计不对；total-sum 总分不等于得分之和；"
        "execution-score 预算执行率得分不对；grade 等级与总分不符",
    )
    where: str = Field(..., description="位置：指标「…」、预算执行率、分值合计、总分、自评等级")
    printed: str = Field(..., description="表中印出的")
    recomputed: str = Field(..., description="按方法算出的")
    why: str = Field(..., description="原因")
    indicator: int | None = Field(None, description="指标行号（从 0 起），不是指标时为空")


class SelfEvalCheckOut(Schema):
    project_name: str | None
    printed_total: float | None = Field(None, description="表中总分")
    recomputed_total: float | None = Field(
        None, description="按方法复算的总分（分值合计不是 100 时折算到百分制）"
    )
    printed_grade: str | None = Field(None, description="表中自评等级")
    recomputed_grade: str | None = Field(None, description="按方法复算的等级")
    discrepancies: list[DiscrepancyOut] = Field([], description="与方法不符之处及原因")
    scores: list[float | None] = Field([], description="各指标按方法的得分（无法复算为空）")
    skipped: list[str] = Field([], description="未复核的项目及原因")
    unreadable: list[str] = Field([], description="读不出数字的单元格（按空白处理）")
    text: str = Field("", description="复核结果的中文文字说明（与 jixiao score --check 相同）")


class CheckErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


def _unreadable(body: PublishedTableIn) -> list[str]:
    """Numeric cells with something printed that is not a number, named by row and column."""
    out: list[str] = []
    for i, r in enumerate(body.indicators):
        for key, label in (("weight", "分值"), ("score", "得分")):
            v = getattr(r, key)
            if v not in (None, "") and str(v).strip() and printed_number(v) is None:
                out.append(f"指标第 {i + 1} 行「{r.name or r.level2 or ''}」的{label}「{v}」不是数字")
    for key, label in (("total_weight", "总分值"), ("total_score", "总分")):
        v = getattr(body, key)
        if v not in (None, "") and str(v).strip() and printed_number(v) is None:
            out.append(f"{label}「{v}」不是数字")
    return out


def _refuse(body: PublishedTableIn) -> None:
    """400 for a table that cannot be checked at all."""
    if not body.indicators:
        raise actions.Invalid("表中没有绩效指标（indicators 为空），无法复核。", {"indicators": "不能为空"})
    for i, r in enumerate(body.indicators):
        cells = (r.level2, r.name, r.target, r.actual, r.weight, r.score)
        if all(v is None or not str(v).strip() for v in cells):
            raise actions.Invalid(
                f"指标第 {i + 1} 行（indicators[{i}]）是空行："
                "没有名称、指标值、实际值、分值或得分，无法复核。",
                {f"indicators.{i}": "空行"},
            )


@router.post(
    "/selfeval/check",
    response={200: SelfEvalCheckOut, 400: CheckErrorOut},
    summary="复核已公开的项目支出绩效自评表",
    description="按自评方法重算表中各指标得分、预算执行率得分、总分与等级，列出表中得分与方法不符之处及原因"
    "（未达标却满分、超上限却满分、分值或总分加不起来、等级与总分不符），并给出表中与复算的总分和等级。"
    "不读写数据库；与命令 `jixiao score --check 文件.json` 相同。",
)
def check_selfeval(request: HttpRequest, body: PublishedTableIn) -> SelfEvalCheckOut:
    from jixiao.cycle.evaluate import render_check

    _refuse(body)
    data = body.dict()
    table = published_from_dict(data)
    try:
        check = check_published(table)
    except (ValueError, ArithmeticError) as e:  # numbers the method cannot work with
        log.info("published self-evaluation not checked: %s", e)
        why = uncheckable_reason(e)
        raise actions.Invalid(f"表中的数无法按方法复算：{why}", {"indicators": why}) from e
    return SelfEvalCheckOut(
        project_name=table.project_name,
        **check.to_dict(),
        unreadable=_unreadable(body),
        text=render_check(table, check),
    )


class PageTableCheckOut(SelfEvalCheckOut):
    year: int | None = Field(None, description="年度")
    location: str | None = Field(None, description="这张自评表在文件中的位置（如「第 12 行」）")
    table: dict = Field({}, description="读出的自评表（与 `*.selfeval.json` 同一格式）")


class PageCheckOut(Schema):
    source: str = Field(..., description="上传的文件名")
    tables: list[PageTableCheckOut] = Field([], description="文件中每一张自评表的复核结果")


@router.post(
    "/selfeval/check/page",
    response={200: PageCheckOut, 400: CheckErrorOut},
    summary="上传已公开的自评表页面并复核",
    description="上传公开的自评表页面（.txt .pdf .docx .xlsx .html），读出其中每一张项目支出绩效自评表，"
    "按自评方法复核（与 `POST /api/selfeval/check` 相同），并给出读出的表格内容。"
    "不读写数据库；与命令 `jixiao check 文件` 相同。",
)
def check_selfeval_page(request: HttpRequest, file: UploadedFile = File(...)) -> PageCheckOut:  # noqa: B008
    from jixiao.web.lib.selfeval_check import check_upload

    name, checks = check_upload(file)  # the same cap, bounded reading and check as the page 自评表复核
    return PageCheckOut(
        source=name,
        tables=[
            PageTableCheckOut(
                project_name=c.reading.project_name,
                year=c.reading.year,
                location=c.location,
                table=c.reading.to_dict(),
                text=c.text,
                **c.check.to_dict(),
            )
            for c in checks
        ],
    )
