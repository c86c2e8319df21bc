"""A cap on a user's unfinished background jobs (settings.JOBS_PER_USER, JIXIAO_JOBS_PER_USER, default
20): one user could queue parse jobs without end (each large upload is a job), holding the workers
from everyone else. One job more than the cap is refused in Chinese and nothing is queued; other
users, and the same user once jobs finish, start jobs again. No worker runs here: jobs stay queued."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jixiao.web.jobs.models import Job, JobState
from jixiao.web.refusals import TooBusy
from jixiao.web.tasks import start_review, start_upload, unfinished_jobs

pytestmark = pytest.mark.django_db


def _files(n: int) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"大文件{i}.docx", b"not a word file " * 10) for i in range(n)]


def test_uploads_past_the_cap_are_refused_in_chinese(clients, users, settings):
    settings.JOBS_PER_USER = 2
    settings.UPLOAD_TASK_BYTES = 10  # every file is a background job
    r = clients["market"].post("/upload/", {"files": _files(3)})
    html = r.content.decode()
    assert Job.objects.filter(user=users["market"]).count() == 2
    assert "大文件2.docx: 您已有 2 个后台任务尚未完成（每位用户最多 2 个）" in html
    assert "大文件0.docx" in html and "大文件1.docx" in html  # queued, linked to their progress
    # another user is not held by this one's jobs
    r = clients["edu"].post("/upload/", {"files": _files(1)})
    assert r.status_code == 302 and Job.objects.filter(user=users["edu"]).count() == 1


def test_finished_and_long_dead_jobs_do_not_count(users, settings):
    settings.JOBS_PER_USER = 2
    u = users["market"]
    a = start_upload(u, "a.docx", b"x", unit_id=None, year=None, confirm_unit=False)
    b = start_upload(u, "b.docx", b"x", unit_id=None, year=None, confirm_unit=False)
    with pytest.raises(TooBusy) as e:
        start_upload(u, "c.docx", b"x", unit_id=None, year=None, confirm_unit=False)
    assert e.value.status == 429 and "每位用户最多 2 个" in e.value.message and "c.docx" in e.value.message
    assert unfinished_jobs(u).count() == 2
    Job.objects.filter(pk=a.pk).update(state=JobState.DONE, finished_at=timezone.now())
    start_upload(u, "c.docx", b"x", unit_id=None, year=None, confirm_unit=False)
    with pytest.raises(TooBusy):
        start_upload(u, "d.docx", b"x", unit_id=None, year=None, confirm_unit=False)
    # a job left running by a worker killed a day ago holds nothing any more
    Job.objects.filter(pk=b.pk).update(state=JobState.RUNNING, created_at=timezone.now() - timedelta(days=2))
    start_upload(u, "d.docx", b"x", unit_id=None, year=None, confirm_unit=False)
    assert unfinished_jobs(u).count() == 2


def test_reviews_and_exports_are_capped_alike(clients, users, settings, market_project):
    settings.JOBS_PER_USER = 1
    start_review(users["reviewer"], [], "重新审核")
    n = Job.objects.count()
    r = clients["reviewer"].post("/jobs/review/")
    assert r.status_code == 429 and "每位用户最多 1 个" in r.content.decode()
    r = clients["reviewer"].post(f"/projects/{market_project.pk}/export/targets.docx")
    assert r.status_code == 429 and "每位用户最多 1 个" in r.content.decode()
    assert Job.objects.count() == n


@pytest.mark.parametrize(("raw", "ok"), [("", True), ("5", True), ("0", False), ("x", False)])
def test_the_setting_comes_from_the_environment(raw, ok):
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_JOBS_PER_USER"}
    if raw:
        env["JIXIAO_JOBS_PER_USER"] = raw
    r = subprocess.run(
        [sys.executable, "-c", "from jixiao.web import settings as s; print(s.JOBS_PER_USER)"],
        capture_output=True,
        text=True,
        env=env,
    )
    if ok:
        assert r.returncode == 0 and r.stdout.strip() == (raw or "20"), r.stderr
    else:
        assert r.returncode != 0 and "JIXIAO_JOBS_PER_USER" in r.stderr
