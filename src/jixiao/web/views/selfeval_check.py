"""Page: 自评表复核 — an auditor (审计), a finance-bureau reviewer or a unit checks a published
项目支出绩效自评表 from the page file (.txt .pdf .docx .xlsx .html).

Each table read is shown as printed (project, year, units, budget rows, indicators) beside the
method's recomputation (each indicator out of its own 分值, 预算执行率 and its points, the total
scaled to 100, the grade), with every departure named in Chinese and where it is. Nothing is read
from or written to the database. Who may use it: every signed-in user, as `POST
/api/selfeval/check/page` (the same size cap and bounded reading: `jixiao.web.lib.selfeval_check`).
The result downloads as a workbook (`selfeval_check_export`, `jixiao.export.selfeval_check`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jixiao.numbers import trimmed
from jixiao.web.lib.selfeval_check import check_upload, checks_from_readings, grade_cutoffs, summary
from jixiao.web.refusals import Invalid

TEMPLATE = "web/selfeval_check.html"
ACCEPT = ".txt,.pdf,.docx,.xlsx,.html,.htm"


@login_required
def selfeval_check(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"max_mb": settings.MAX_UPLOAD_MB, "accept": ACCEPT, "trimmed": trimmed}
    if request.method != "POST":
        return render(request, TEMPLATE, ctx)
    f = request.FILES.get("file")
    if f is None:
        ctx["error"] = "请选择要复核的自评表文件（.txt .pdf .docx .xlsx .html）。"
        return render(request, TEMPLATE, ctx, status=400)
    try:
        name, checks = check_upload(f)
    except Invalid as e:
        ctx["error"] = e.message
        ctx["error_title"] = "无法复核"
        return render(request, TEMPLATE, ctx, status=400)
    # carried by the download form; in the reader's key order (Jinja's tojson sorts keys, and the
    # first budget row is 年度资金总额)
    readings = json.dumps([c.reading.to_dict() for c in checks], ensure_ascii=False)
    ctx.update(
        {
            "source": name,
            "checks": checks,
            "summary": summary(checks),
            "readings": readings,
            "cutoffs": grade_cutoffs(),
        }
    )
    return render(request, TEMPLATE, ctx)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_POST
def selfeval_check_export(request: HttpRequest) -> HttpResponse:
    """The check as a workbook (.xlsx, no live formulas): the result page posts back the tables it
    read; the method's check is recomputed from them here."""
    from jixiao.export.selfeval_check import check_to_xlsx

    source = (request.POST.get("source") or "自评表")[:200]
    try:
        checked = checks_from_readings(request.POST.get("readings") or "")
    except Invalid as e:
        ctx = {"max_mb": settings.MAX_UPLOAD_MB, "accept": ACCEPT, "trimmed": trimmed, "error": e.message}
        return render(request, TEMPLATE, ctx, status=400)
    stem = source.rsplit(".", 1)[0] or "自评表"
    resp = HttpResponse(check_to_xlsx(source, checked), content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stem + '_复核.xlsx', safe='')}"
    return resp
