"""API check of a published 项目支出绩效运行监控表 page (added to the API in `api/__init__.py`).

`POST /api/monitoring/check/page` takes the published page itself (a multipart `file`: .txt, .pdf,
.docx, .xlsx or .html, and an optional `year` for a table that prints none), reads every 监控表 in it
(`jixiao.ingest.monitoring`) in a bounded child process (the upload size cap, `JIXIAO_PARSE_TIMEOUT`,
`JIXIAO_PARSE_MEMORY_MB`) and answers for each the lights (`jixiao.cycle.monitor.assess`) and what the
report lacks (`validate_snapshot`): the same as `jixiao monitor --format json FILE` and the page
监控表复核 (`/monitoring/check/`), which share `jixiao.web.lib.monitoring_check`.

Nothing is read from or written to the database: any signed-in user (session with CSRF, or a Bearer
token) may check a page. A page with no 监控表 is refused with 400 in Chinese naming the file (a
自评表 or a 绩效目标表 given here is told which page or command reads it).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from jixiao.web.api.errors import Year
from jixiao.web.api.selfeval import CheckErrorOut

router = Router(tags=["监控表复核"])

LIGHT = "灯色：green 绿灯、yellow 黄灯、red 红灯、blue 蓝灯；空为未填（无法计算）"


class DeviationOut(Schema):
    category: str | None = Field(
        None, description="偏差原因类别（经费保障、制度保障、人员保障、硬件条件保障、其他）"
    )
    text: str | None = Field(None, description="偏差原因说明")
    likelihood: str | None = Field(None, description="完成目标可能性（确定能、有可能、完全不可能）")
    measures: str | None = Field(None, description="备注或整改措施")


class MonitorIndicatorOut(Schema):
    level1: str | None = Field(None, description="一级指标")
    level2: str | None = Field(None, description="二级指标")
    name: str | None = Field(None, description="三级指标")
    target: str = Field(..., description="年度指标值")
    actual: str | None = Field(None, description="截至监控日完成值（与年度指标值无法比较的不计入，为空）")
    status: str | None = Field(None, description="定性指标的完成情况")
    forecast: str | None = Field(None, description="全年预计完成情况（表中）")
    direction: str = Field(..., description="指标方向（higher、lower、equal、date、qualitative 等）")
    light: str | None = Field(None, description=LIGHT)
    ratio: float | None = Field(None, description="进度比（完成值 ÷ 应完成值）")
    note: str | None = Field(None, description="灯色的由来")
    deviation: DeviationOut | None = Field(None, description="表中的偏差原因、完成目标可能性、整改措施")


class MonitorTableOut(Schema):
    project: str | None = Field(None, description="项目名称")
    project_code: str | None = Field(None, description="项目编码（公开页面一般没有）")
    year: int | None = Field(None, description="年度")
    period: str | None = Field(None, description="监控期间（表中，如「1-7月」）")
    as_of: str = Field(..., description="数据截至日期")
    department: str | None = Field(None, description="主管部门")
    implementing_unit: str | None = Field(None, description="实施单位")
    money_unit: str | None = Field(None, description="表中的金额单位")
    location: str | None = Field(None, description="这张监控表在文件中的位置")
    budget: float | None = Field(None, description="预算数（万元）")
    executed: float | None = Field(None, description="截至监控日执行数（万元）")
    execution_rate: float | None = Field(None, description="预算执行率（执行数 ÷ 预算数）")
    expected_progress: float = Field(..., description="时间进度（或资金支出计划进度）")
    expected_source: str = Field(..., description="time 时间进度；plan 资金支出计划")
    spending_ratio: float | None = Field(None, description="资金进度比（执行率 ÷ 时间进度）")
    spending_light: str | None = Field(None, description="资金执行" + LIGHT)
    light: str | None = Field(None, description="项目" + LIGHT + "（各项中最差的）")
    deviation: DeviationOut | None = Field(None, description="资金执行的偏差原因与完成目标可能性（表中）")
    indicators: list[MonitorIndicatorOut] = Field([], description="各指标及灯色")
    problems: list[str] = Field([], description="表中缺漏（执行数、完成值未填，红灯黄灯未写偏差原因等）")
    warnings: list[str] = Field([], description="未计入灯色的内容及原因")
    table: dict = Field({}, description="读出的监控表（各单元格照表中）")


class MonitorPageOut(Schema):
    source: str = Field(..., description="上传的文件名")
    tables: list[MonitorTableOut] = Field([], description="文件中每一张运行监控表的红黄绿灯与缺漏")


@router.post(
    "/monitoring/check/page",
    response={200: MonitorPageOut, 400: CheckErrorOut},
    summary="上传已公开的运行监控表页面并复核",
    description="上传公开的项目支出绩效运行监控表页面（.txt .pdf .docx .xlsx .html），读出其中每一张监控表，"
    "计算资金执行与各指标的红黄绿灯，并列出表中缺漏（执行数或完成值未填，红灯、黄灯未写偏差原因、"
    "完成目标可能性或整改措施）。表中未写明年度时用 year。不读写数据库；与命令 `jixiao monitor 文件` 相同。",
)
def check_monitoring_page(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    year: Year | None = Form(None, description="年度（仅用于表中未写明年度的监控表）"),  # noqa: B008
) -> MonitorPageOut:
    from jixiao.web.lib.monitoring_check import check_upload

    name, checks = check_upload(file, year)  # the same cap, bounded reading and lights as 监控表复核
    return MonitorPageOut(source=name, tables=[MonitorTableOut(**c.to_dict()) for c in checks])
