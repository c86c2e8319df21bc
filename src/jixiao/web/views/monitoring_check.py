"""Page: 监控表复核 — a finance-bureau reviewer, an auditor (审计) or a unit uploads a published
项目支出绩效运行监控表 page (.txt .pdf .docx .xlsx .html) and sees, for each table read: the project,
the period and the date the data run to, the budget execution (执行率 against the time progress, the
spending light), each indicator with its target, actual, progress ratio and light, the printed
偏差原因 and 完成目标可能性, and what the report lacks (`validate_snapshot`) — what `jixiao monitor
PAGE` prints. Nothing is read from or written to the database. Who may use it: every signed-in user,
as `POST /api/monitoring/check/page` (the same size cap and bounded reading:
`jixiao.web.lib.monitoring_check`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.model import BUDGET_YEAR_MAX, BUDGET_YEAR_MIN
from jixiao.web.lib.monitoring_check import check_upload, summary
from jixiao.web.refusals import Invalid

TEMPLATE = "web/monitoring_check.html"
ACCEPT = ".txt,.pdf,.docx,.xlsx,.html,.htm"


def _year(text: str | None) -> int | None:
    """The optional 年度 of the form (for a table that prints none); `Invalid` for anything else."""
    s = (text or "").strip()
    if not s:
        return None
    if not (s.isascii() and s.isdigit() and BUDGET_YEAR_MIN <= int(s) <= BUDGET_YEAR_MAX):
        why = f"不是 {BUDGET_YEAR_MIN} 至 {BUDGET_YEAR_MAX} 之间的年份"
        raise Invalid(f"年度「{s[:20]}」{why}", {"year": why})
    return int(s)


@login_required
def monitoring_check(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"max_mb": settings.MAX_UPLOAD_MB, "accept": ACCEPT}
    if request.method != "POST":
        return render(request, TEMPLATE, ctx)
    ctx["year"] = (request.POST.get("year") or "").strip()[:20]
    f = request.FILES.get("file")
    if f is None:
        ctx["error"] = "请选择要复核的运行监控表文件（.txt .pdf .docx .xlsx .html）。"
        return render(request, TEMPLATE, ctx, status=400)
    try:
        name, checks = check_upload(f, _year(request.POST.get("year")))
    except Invalid as e:
        ctx["error"] = e.message
        ctx["error_title"] = "无法复核"
        return render(request, TEMPLATE, ctx, status=400)
    ctx.update({"source": name, "checks": checks, "summary": summary(checks)})
    return render(request, TEMPLATE, ctx)
