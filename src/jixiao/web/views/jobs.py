"""Pages: a background job's progress (polling a small JSON status), its download, the user's jobs,
and starting a re-review of many unit-years. A user sees their own jobs only (others' are 404)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.model import BUDGET_YEAR_RULE, is_budget_year
from jixiao.web.jobs.models import Job, JobState
from jixiao.web.models import Unit
from jixiao.web.permissions import can_view_project, can_view_unit, sees_all, visible_disclosures
from jixiao.web.refusals import TooBusy
from jixiao.web.tasks import KINDS, job_status, start_review


def _own_job(request: HttpRequest, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, user=request.user).defer("file_data", "input_data").first()
    if job is None:
        raise Http404("任务不存在或不是您发起的")
    return job


@login_required
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    status = job_status(job)
    return render(
        request,
        "web/jobs/job.html",
        {
            "job": job,
            "s": status,
            "kind": KINDS.get(job.kind, job.kind),
            "long_queued": job_status_age(job) > 30,
        },
    )


def job_status_age(job: Job) -> float:
    """Seconds since the job was started, while it still waits for a worker."""
    from django.utils import timezone

    if job.state != JobState.QUEUED:
        return 0.0
    return (timezone.now() - job.created_at).total_seconds()


@login_required
def job_status_json(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _own_job(request, job_id)
    resp = JsonResponse(job_status(job).as_dict(), json_dumps_params={"ensure_ascii": False})
    resp["Cache-Control"] = "no-store"
    return resp


def _still_visible(request: HttpRequest, job: Job) -> bool:
    """The export's project or unit is still one the user may see (roles and units change)."""
    from jixiao.web.models import Project

    p = job.params
    if p.get("project") is not None:
        proj = Project.objects.select_related("unit").filter(pk=p["project"]).first()
        return proj is not None and can_view_project(request.user, proj)
    if p.get("unit") is not None:
        unit = Unit.objects.filter(pk=p["unit"]).first()
        return unit is not None and can_view_unit(request.user, unit)
    return True


@login_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = Job.objects.filter(pk=job_id, user=request.user).first()
    if job is None or job.state != JobState.DONE or job.file_data is None:
        raise Http404("文件不存在或不是您发起的任务")
    if not _still_visible(request, job):
        raise Http404("您已无权查看这些数据")
    resp = HttpResponse(bytes(job.file_data), content_type=job.file_type or "application/octet-stream")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.file_name)}"
    return resp


@login_required
def job_list(request: HttpRequest, *, error: str | None = None, status: int | None = None) -> HttpResponse:
    jobs = list(Job.objects.filter(user=request.user).defer("file_data", "input_data", "result")[:50])
    return render(
        request,
        "web/jobs/list.html",
        {
            "rows": [(j, job_status(j), KINDS.get(j.kind, j.kind)) for j in jobs],
            "may_review": sees_all(request.user),
            "error": error,
        },
        status=status or (400 if error else 200),
    )


@login_required
@require_POST
def review_start(request: HttpRequest) -> HttpResponse:
    """Review again and store every unit-year the user may see (of one unit / year when given)."""
    if not sees_all(request.user):
        raise Http404("只有管理员和审核人可以重新审核")
    qs = visible_disclosures(request.user)
    parts = []
    unit_id = (request.POST.get("unit") or "").strip()
    if unit_id.isdecimal() and len(unit_id) < 18:
        unit = Unit.objects.filter(pk=int(unit_id)).first()
        if unit is None:
            raise Http404("单位不存在")
        qs, parts = qs.filter(unit=unit), [unit.name]
    year = (request.POST.get("year") or "").strip()
    if year and not (year.isdecimal() and len(year) == 4 and is_budget_year(int(year))):
        # a mistyped year is not "every year": that would re-review every unit-year there is
        return job_list(request, error=f"{BUDGET_YEAR_RULE}（收到「{year[:20]}」）；未开始重新审核。")
    if year:
        qs, parts = qs.filter(year=int(year)), [*parts, f"{year} 年"]
    ids = list(qs.values_list("pk", flat=True))
    title = f"重新审核{'（' + ' '.join(parts) + '）' if parts else '全部单位'}：{len(ids)} 个单位年度"
    try:
        job = start_review(request.user, ids, title)
    except TooBusy as e:
        return job_list(request, error=e.message, status=TooBusy.status)
    return redirect("job", job_id=job.pk)
