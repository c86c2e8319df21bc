"""Background tasks: exports to Word and PDF, large uploads and re-reviews of many unit-years.

The queue is Django's tasks framework (the django-tasks backport of Django 6's `django.tasks`) with
its database backend (django-tasks-db): tasks are rows in the app's own database, so the SQLite demo
needs no other service and production on PostgreSQL needs none either; workers are `jixiao worker`
processes (the queue's db_worker loop), or the one `jixiao serve` starts itself.

What the user started is a `Job` (jixiao.web.jobs): its owner, progress (done/total and the step),
the Chinese error when it failed, and the result file, kept in the database so any worker can write
it and any web process serve it. One queue task runs one job. Permissions are checked when a job
is started, again when its worker runs it (the user's role or units may have changed meanwhile),
and again on download.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connections, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from jixiao.web.jobs.models import Job, JobState
from jixiao.web.refusals import TooBusy

log = logging.getLogger(__name__)

KINDS = {"export": "导出", "upload": "导入文件", "review": "重新审核"}
REVIEW_CHUNK = 20  # unit-years reviewed and stored per step of a re-review
KEEP_DAYS = 7  # finished jobs (and their files) are deleted this long after they end


class JobFailed(Exception):
    """The job cannot be done; the message (Chinese) is what its page shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class JobStatus:
    """What the progress page and its JSON endpoint show."""

    id: int
    title: str
    state: str
    label: str
    done: int
    total: int
    step: str
    error: str
    download: str | None
    finished: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# ------------------------------------------------------------------------------------------- starting


def start_job(
    user: Any,
    kind: str,
    title: str,
    params: dict[str, Any],
    *,
    input_name: str = "",
    input_data: bytes | None = None,
) -> Job:
    """Record a job for `user` and put it on the queue; returns at once. Jobs finished more than
    KEEP_DAYS ago go (their files with them), and so do the queue's rows of that age. A user with
    `settings.JOBS_PER_USER` jobs unfinished (`unfinished_jobs`) is refused (TooBusy), nothing
    started: the check and the new job are one transaction holding the user's row, so that
    concurrent requests of one user cannot all pass it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    prune()
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        n, cap = unfinished_jobs(user).count(), settings.JOBS_PER_USER
        if n >= cap:
            raise TooBusy(
                f"您已有 {n} 个后台任务尚未完成（每位用户最多 {cap} 个），"
                f"「{title[:100]}」未开始；请在“后台任务”页查看进度，待部分任务完成后再提交。"
            )
        job = Job.objects.create(
            user=user,
            kind=kind,
            title=title[:300],
            params=params,
            input_name=input_name[:255],
            input_data=input_data,
        )
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


# a job still queued or running this long after it was made is not counted against its user's
# cap (`unfinished_jobs`): its worker was killed mid-run (nothing marks it failed), and it must not
# keep the user from starting jobs for good
UNFINISHED_FOR_AT_MOST = timedelta(days=1)


def unfinished_jobs(user: Any) -> QuerySet[Job]:
    """The user's jobs that wait or run (made within UNFINISHED_FOR_AT_MOST): what
    `settings.JOBS_PER_USER` caps."""
    return Job.objects.filter(
        user=user,
        state__in=[JobState.QUEUED, JobState.RUNNING],
        created_at__gte=timezone.now() - UNFINISHED_FOR_AT_MOST,
    )


# an export waiting or running is reused by a repeated click (`pending_export`) this long after it
# was started: longer than any export takes (a PDF of a unit-year: minutes)
PENDING_REUSE_MINUTES = 30


def pending_export(user: Any, scope: dict[str, Any], kind: str, fmt: str) -> Job | None:
    """The user's export of this table and target that still waits or runs, if any. A finished one
    is not reused: its file holds the data as it was, and a new click means "as it is now"; nor is
    one whose queue task died (its page asks to start it again)."""
    params = {**scope, "kind": kind, "fmt": fmt}
    # a job left running by a worker killed mid-run stays so (nothing marks it failed): reused, no
    # click could start that export again; an older one is left, the click starts a new one
    recent = timezone.now() - timedelta(minutes=PENDING_REUSE_MINUTES)
    pending = Job.objects.filter(
        user=user, kind="export", state__in=[JobState.QUEUED, JobState.RUNNING], created_at__gte=recent
    ).defer("file_data", "input_data", "result")
    return next((j for j in pending if j.params == params and not job_status(j).finished), None)


def start_export(user: Any, scope: dict[str, Any], kind: str, fmt: str, title: str) -> Job:
    """An export of one table: scope is {"project": id} or {"unit": id, "year": y}. The user's same
    export still waiting or running is returned instead of a second one (repeated clicks)."""
    if job := pending_export(user, scope, kind, fmt):
        return job
    return start_job(user, "export", title, {**scope, "kind": kind, "fmt": fmt})


def start_upload(
    user: Any, name: str, data: bytes, *, unit_id: int | None, year: int | None, confirm_unit: bool
) -> Job:
    return start_job(
        user,
        "upload",
        f"导入 {name}",
        {"unit": unit_id, "year": year, "confirm_unit": confirm_unit},
        input_name=name,
        input_data=data,
    )


def start_review(user: Any, disclosure_ids: list[int], title: str) -> Job:
    return start_job(user, "review", title, {"disclosures": sorted(set(disclosure_ids))})


def prune(days: int = KEEP_DAYS) -> int:
    """Delete the jobs that ended more than `days` ago and the queue's finished rows of that age."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=days)
    n, _ = Job.objects.filter(finished_at__lt=cutoff).delete()
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return n


# -------------------------------------------------------------------------------------------- status


def job_status(job: Job) -> JobStatus:
    """The job's state for its user; a job whose queue task died without a word is shown failed."""
    state, error = job.state, job.error
    if state in (JobState.QUEUED, JobState.RUNNING) and job.task_id:
        from django_tasks_db.models import DBTaskResult

        queue_state = DBTaskResult.objects.filter(id=job.task_id).values_list("status", flat=True).first()
        if queue_state == "FAILED":
            state, error = JobState.FAILED, "后台任务异常终止，请重新发起。"
    download = reverse("job_download", args=[job.pk]) if state == JobState.DONE and job.file_name else None
    return JobStatus(
        id=job.pk,
        title=job.title,
        state=state,
        label=JobState(state).label,
        done=job.done,
        total=job.total,
        step=job.step,
        error=error,
        download=download,
        finished=state in (JobState.DONE, JobState.FAILED),
    )


def _update(job_id: int, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(**fields)


def _progress(job_id: int) -> Callable[[int, int, str], None]:
    def report(done: int, total: int, step: str) -> None:
        _update(job_id, done=done, total=total, step=step[:200])

    return report


# ------------------------------------------------------------------------------------------- running


@task()
def run_job(job_id: int) -> str:
    """The queue task: run one job and record its outcome on the job."""
    job = Job.objects.select_related("user").filter(pk=job_id).first()
    if job is None:
        return "missing"
    _update(job_id, state=JobState.RUNNING, started_at=timezone.now(), step="开始")
    try:
        if not job.user.is_active:
            raise JobFailed("账号已停用")
        RUNNERS[job.kind](job, _progress(job_id))
    except JobFailed as e:
        _update(job_id, state=JobState.FAILED, error=e.message, finished_at=timezone.now(), input_data=None)
        return "failed"
    except Exception as e:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _update(
            job_id,
            state=JobState.FAILED,
            error=f"处理时发生内部错误（{type(e).__name__}），请联系管理员。",
            finished_at=timezone.now(),
            input_data=None,
        )
        raise
    _update(job_id, state=JobState.DONE, finished_at=timezone.now(), input_data=None)
    return "done"


def _run_export(job: Job, progress: Callable[[int, int, str], None]) -> None:
    from jixiao.web.lib.cycle import StaleEntry
    from jixiao.web.lib.exports import ExportUnavailable, build_export, project_scope, unit_year_scope
    from jixiao.web.models import Unit
    from jixiao.web.permissions import can_view_unit

    p = job.params
    if p.get("project") is not None:
        scope = project_scope(job.user, int(p["project"]))
        if scope is None:
            raise JobFailed("项目不存在或您无权查看")
    else:
        unit = Unit.objects.filter(pk=int(p["unit"])).first()
        if unit is None or not can_view_unit(job.user, unit):
            raise JobFailed("单位不存在或您无权查看")
        scope = unit_year_scope(job.user, unit, int(p["year"]))
    try:
        f = build_export(scope, p["kind"], p["fmt"], progress)
    except ExportUnavailable as e:
        raise JobFailed(e.message) from None
    except StaleEntry as e:
        raise JobFailed(str(e)) from None
    _update(job.pk, file_name=f.name, file_type=f.content_type, file_data=f.data)


def _run_upload(job: Job, progress: Callable[[int, int, str], None]) -> None:
    from jixiao.web.actions.uploads import import_upload
    from jixiao.web.models import Unit
    from jixiao.web.permissions import can_import_into

    p = job.params
    unit = None
    if p.get("unit") is not None:
        unit = Unit.objects.filter(pk=int(p["unit"])).first()
        if unit is None or not can_import_into(job.user, unit):
            raise JobFailed("单位不存在或您无权导入")
    progress(0, 1, f"解析并导入 {job.input_name}")
    data = bytes(job.input_data or b"")
    res = import_upload(
        job.user,
        job.input_name,
        data,
        unit=unit,
        year=p.get("year"),
        confirm_unit=bool(p.get("confirm_unit")),
    )
    _update(job.pk, result=res)
    if not res["ok"]:
        raise JobFailed("；".join(res["errors"]) or "导入失败")
    progress(1, 1, "已导入")


def _run_review(job: Job, progress: Callable[[int, int, str], None]) -> None:
    from jixiao.web.lib.reviews import store_reviews
    from jixiao.web.permissions import sees_all, visible_disclosures

    if not sees_all(job.user):
        raise JobFailed("只有管理员和审核人可以重新审核")
    wanted = [int(i) for i in job.params.get("disclosures", [])]
    ids = sorted(visible_disclosures(job.user).filter(pk__in=wanted).values_list("pk", flat=True))
    total = len(ids)
    findings = 0
    progress(0, total, "审核中")
    for i in range(0, total, REVIEW_CHUNK):
        reviews = store_reviews(ids[i : i + REVIEW_CHUNK])
        findings += sum(len(r.result.findings) for r in reviews.values())
        done = min(i + REVIEW_CHUNK, total)
        progress(done, total, f"已审核 {done} / {total} 个单位年度")
    _update(job.pk, result={"unit_years": total, "findings": findings})


RUNNERS: dict[str, Callable[[Job, Callable[[int, int, str], None]], None]] = {
    "export": _run_export,
    "upload": _run_upload,
    "review": _run_review,
}


# ------------------------------------------------------------------------------------------- workers


def make_worker(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None) -> Any:
    """The queue's own worker loop (django-tasks-db's db_worker) over every queue."""
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=f"jixiao-{os.getpid()}-{get_random_string(8)}",
        excluded_queue_names=[],
    )


class WorkerThread(threading.Thread):
    """A worker in a thread of this process (tests; a process without `jixiao worker`)."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(name="jixiao-task-worker", daemon=True)
        self.worker = make_worker(interval=interval)

    def run(self) -> None:
        try:
            self.worker.run()
        finally:
            connections.close_all()

    def stop(self, timeout: float = 30) -> None:
        self.worker.running = False
        self.join(timeout)


def run_worker(
    *, interval: float = 1.0, batch: bool = False, parent_pid: int | None = None, signals: bool = True
) -> None:
    """Run a worker in this process until stopped (Ctrl-C / SIGTERM finish the running task first),
    until the queue is empty with `batch`, or once `parent_pid` (the `jixiao serve` that started this
    worker) is gone."""
    worker = make_worker(interval=interval, batch=batch)
    if signals:
        worker.configure_signals()
    if parent_pid:

        def watch() -> None:
            while worker.running:
                if os.getppid() != parent_pid:
                    worker.running = False
                    return
                time.sleep(1)

        threading.Thread(target=watch, name="jixiao-parent-watch", daemon=True).start()
    close_old_connections()
    worker.run()
