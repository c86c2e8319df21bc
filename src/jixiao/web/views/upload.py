"""Page: importing disclosures (导入文件)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jixiao.web.actions.uploads import beyond_file_limit, import_upload, upload_too_large
from jixiao.web.lib.units import UnitSpecError, resolve_unit
from jixiao.web.middleware import MAX_FILES_PER_REQUEST
from jixiao.web.models import Role, Unit
from jixiao.web.permissions import (
    can_import_into,
    role_of,
    visible_units,
)
from jixiao.web.tasks import start_upload


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    my_units = list(visible_units(request.user)) if role_of(request.user) == Role.UNIT else []
    can_upload = role_of(request.user) in (Role.ADMIN, Role.UNIT)
    ctx: dict[str, Any] = {
        "my_units": my_units,
        "can_upload": can_upload,
        "may_confirm": role_of(request.user) == Role.ADMIN,
        "max_mb": settings.MAX_UPLOAD_MB,
        "max_files": MAX_FILES_PER_REQUEST,
    }
    if request.method == "POST":
        if not can_upload:
            ctx["error"] = "审核人不能导入数据。"
            return render(request, "web/upload.html", ctx, status=403)
        unit = None
        unit_id = (request.POST.get("unit") or "").strip()
        if unit_id and role_of(request.user) == Role.UNIT:  # their units' select: a unit's id
            small_id = unit_id.isdecimal() and len(unit_id) < 18
            unit = Unit.objects.filter(pk=int(unit_id)).first() if small_id else None
            if unit is None or not can_import_into(request.user, unit):
                raise Http404("单位不存在或您无权导入")
        elif unit_id:  # an administrator names the unit as the command line's --unit does
            try:
                unit = resolve_unit(unit_id, option="单位")
            except UnitSpecError as e:
                ctx["error"] = e.message
                return render(request, "web/upload.html", ctx, status=400)
            if not can_import_into(request.user, unit):
                raise Http404("单位不存在或您无权导入")
        elif len(my_units) == 1:
            unit = my_units[0]
        typed = (request.POST.get("year") or "").strip().removesuffix("年").strip()
        year = int(typed) if typed.isdecimal() and len(typed) < 9 else (None if not typed else 0)
        if year is not None and not 1900 <= year <= 2999:  # 0: not a number (never dropped silently)
            ctx["error"] = "年度应为 1900 到 2999 之间的整数。"
            return render(request, "web/upload.html", ctx, status=400)
        files = request.FILES.getlist("files")
        if not files:
            ctx["error"] = "请选择要上传的文件。"
            return render(request, "web/upload.html", ctx, status=400)
        results = []
        jobs = []
        confirm_unit = request.POST.get("confirm_unit") in ("1", "on", "true")
        for f in files[:MAX_FILES_PER_REQUEST]:
            if too_large := upload_too_large(f.name or "upload", f.size):
                results.append(too_large)
                continue
            if (f.size or 0) > settings.UPLOAD_TASK_BYTES:
                # a large file is parsed and imported by a background task: the page answers at once
                jobs.append(
                    start_upload(
                        request.user,
                        f.name or "upload",
                        f.read(),
                        unit_id=unit.pk if unit is not None else None,
                        year=year,
                        confirm_unit=confirm_unit,
                    )
                )
                continue
            results.append(
                import_upload(
                    request.user,
                    f.name,
                    f.read(),
                    unit=unit,
                    year=year,
                    confirm_unit=confirm_unit,
                )
            )
        results += beyond_file_limit([f.name or "upload" for f in files])
        ctx["results"] = results
        ctx["jobs"] = jobs
        if jobs and not results and len(jobs) == 1:
            return redirect("job", job_id=jobs[0].pk)
    return render(request, "web/upload.html", ctx)
