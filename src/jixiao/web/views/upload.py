"""Page: importing disclosures (导入文件)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jixiao.model import BUDGET_YEAR_RULE, is_budget_year
from jixiao.web.actions.uploads import ParseBudget, beyond_file_limit, import_upload, upload_too_large
from jixiao.web.lib.units import UnitSpecError, resolve_unit
from jixiao.web.middleware import MAX_FILES_PER_REQUEST
from jixiao.web.models import Role, Unit
from jixiao.web.permissions import (
    can_import_into,
    role_of,
    visible_units,
)
from jixiao.web.refusals import TooBusy
from jixiao.web.tasks import start_upload


class _FormError(Exception):
    """A field of the upload form that cannot be used: its message is shown on the page (400)."""


def _chosen_unit(request: HttpRequest, my_units: list[Unit]) -> Unit | None:
    """The unit the files are imported into: a unit user's choice among their units (by id), an
    administrator's as the command line's --unit names it, or a unit user's only unit."""
    unit_id = (request.POST.get("unit") or "").strip()
    if unit_id and role_of(request.user) == Role.UNIT:  # their units' select: a unit's id
        small_id = unit_id.isdecimal() and len(unit_id) < 18
        unit = Unit.objects.filter(pk=int(unit_id)).first() if small_id else None
    elif unit_id:  # an administrator names the unit as the command line's --unit does
        try:
            unit = resolve_unit(unit_id, option="单位")
        except UnitSpecError as e:
            raise _FormError(e.message) from e
    else:
        return my_units[0] if len(my_units) == 1 else None
    if unit is None or not can_import_into(request.user, unit):
        raise Http404("单位不存在或您无权导入")
    return unit


def _typed_year(request: HttpRequest) -> int | None:
    """The year typed (「2023」 or 「2023年」), None when left blank; anything else is said."""
    typed = (request.POST.get("year") or "").strip().removesuffix("年").strip()
    if not typed:
        return None
    year = int(typed) if typed.isdecimal() and len(typed) < 9 else 0  # 0: not a number
    if not is_budget_year(year):  # (never dropped silently)
        raise _FormError(BUDGET_YEAR_RULE + "。")
    return year


def _import_files(request: HttpRequest, unit: Unit | None, year: int | None) -> tuple[list[Any], list[Any]]:
    """Each file imported now, or by a background task when large: (results, jobs)."""
    files = request.FILES.getlist("files")
    results: list[Any] = []
    jobs = []
    confirm_unit = request.POST.get("confirm_unit") in ("1", "on", "true")
    budget = ParseBudget()
    for f in files[:MAX_FILES_PER_REQUEST]:
        name = f.name or "upload"
        if too_large := upload_too_large(name, f.size):
            results.append(too_large)
        elif (f.size or 0) > settings.UPLOAD_TASK_BYTES or budget.spent():
            # a large file (or any once the request's parse time is spent) is parsed and imported
            # by a background task: the page answers at once
            unit_id = unit.pk if unit is not None else None
            try:
                jobs.append(
                    start_upload(
                        request.user, name, f.read(), unit_id=unit_id, year=year, confirm_unit=confirm_unit
                    )
                )
            except TooBusy as e:  # the user's cap of unfinished jobs: this file is not imported
                results.append(
                    {"file": name, "ok": False, "warnings": [], "errors": [f"{name}: {e.message}"]}
                )
        else:
            results.append(
                import_upload(request.user, f.name, f.read(), unit=unit, year=year, confirm_unit=confirm_unit)
            )
    results += beyond_file_limit([f.name or "upload" for f in files])
    return results, jobs


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
        try:
            unit = _chosen_unit(request, my_units)
            year = _typed_year(request)
            if not request.FILES.getlist("files"):
                raise _FormError("请选择要上传的文件。")
        except _FormError as e:
            ctx["error"] = str(e)
            return render(request, "web/upload.html", ctx, status=400)
        results, jobs = _import_files(request, unit, year)
        ctx["results"] = results
        ctx["jobs"] = jobs
        if jobs and not results and len(jobs) == 1:
            return redirect("job", job_id=jobs[0].pk)
    return render(request, "web/upload.html", ctx)
