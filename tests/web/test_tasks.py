"""Background tasks with a real queue worker (django-tasks-db's worker loop in a thread of the test
process, reading the same test database): Word/PDF exports, large uploads and re-reviews run as
tasks, their progress is a JSON status, their files go to the user who started them only."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web import actions
from jixiao.web.jobs.models import Job
from jixiao.web.tasks import WorkerThread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    """Start a real worker on demand; stopped after the test."""
    threads: list[WorkerThread] = []

    def start() -> WorkerThread:
        t = WorkerThread(interval=0.1)
        t.start()
        threads.append(t)
        return t

    yield start
    for t in threads:
        t.stop()


def _wait(client, job_id: int, timeout: float = 120) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = client.get(f"/jobs/{job_id}/status")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
        s = r.json()
        if s["finished"]:
            return s
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {timeout} s: {s}")


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    loc = response["Location"]
    assert loc.startswith("/jobs/"), loc
    return int(loc.strip("/").split("/")[1])


def test_word_export_is_a_task_with_progress_and_a_private_download(clients, market_project, worker):
    from docx import Document

    p = market_project
    url = f"/units/{p.unit_id}/2024/export/targets.docx"
    job_id = _job_id(clients["market"].post(url))
    # the request only queued it: nothing ran yet
    page = clients["market"].get(f"/jobs/{job_id}/").content.decode()
    assert "排队中" in page and "下载" not in page.split("状态：")[1][:200]
    assert clients["market"].get(f"/jobs/{job_id}/status").json()["state"] == "queued"
    worker()
    s = _wait(clients["market"], job_id)
    assert s["state"] == "done" and s["label"] == "完成" and s["done"] == s["total"] == 2, s
    page = clients["market"].get(f"/jobs/{job_id}/").content.decode()
    assert "完成" in page and s["download"] in page
    r = clients["market"].get(s["download"])
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = "\n".join(
        c.text for t in Document(io.BytesIO(r.content)).tables for row in t.rows for c in row.cells
    )
    assert p.name in text and "三级指标" in text
    # someone else's job does not exist for them, whatever their role
    for other in ("edu", "reviewer", "admin"):
        for suffix in ("", "status", "download"):
            assert clients[other].get(f"/jobs/{job_id}/{suffix}").status_code == 404, (other, suffix)
    assert f"/jobs/{job_id}/" in clients["market"].get("/jobs/").content.decode()
    assert f"/jobs/{job_id}/" not in clients["edu"].get("/jobs/").content.decode()


def test_download_rechecks_permission(clients, users, market_project, worker):
    p = market_project
    job_id = _job_id(clients["market"].post(f"/projects/{p.pk}/export/targets.docx"))
    worker()
    s = _wait(clients["market"], job_id)
    assert s["state"] == "done"
    assert clients["market"].get(s["download"]).status_code == 200
    actions.update_user(None, "market", unit_codes=["999002"])  # moved to another unit
    assert clients["market"].get(s["download"]).status_code == 404


def test_worker_rechecks_permission_and_fails_in_chinese(clients, users, market_project, worker):
    p = market_project
    job_id = _job_id(clients["market"].post(f"/projects/{p.pk}/export/targets.docx"))
    actions.update_user(None, "market", unit_codes=["999002"])  # before the worker ran the task
    worker()
    s = _wait(clients["market"], job_id)
    assert s["state"] == "failed" and s["label"] == "失败" and s["error"] == "项目不存在或您无权查看"
    assert s["download"] is None
    page = clients["market"].get(f"/jobs/{job_id}/").content.decode()
    assert "项目不存在或您无权查看" in page and "失败" in page


def test_unavailable_tables_answer_at_once(clients, market_project):
    p = market_project
    assert clients["market"].get(f"/projects/{p.pk}/export/monitor.docx").status_code == 404  # no data
    assert clients["market"].get(f"/projects/{p.pk}/export/targets.txt").status_code == 404
    assert clients["edu"].get(f"/projects/{p.pk}/export/targets.docx").status_code == 404
    assert not Job.objects.exists()


def test_quick_formats_download_directly(clients, market_project):
    from openpyxl import load_workbook

    p = market_project
    r = clients["market"].get(f"/projects/{p.pk}/export/targets.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    cells = [
        str(c.value) for ws in load_workbook(io.BytesIO(r.content)) for row in ws.iter_rows() for c in row
    ]
    assert p.name in cells
    r = clients["reviewer"].get(f"/units/{p.unit_id}/2024/export/targets.html")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert p.name in html and html.count("<table") >= 2
    # the project and unit-year pages link the 绩效目标表 in every format
    page = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    for fmt in ("xlsx", "docx", "pdf", "html"):
        assert f"/projects/{p.pk}/export/targets.{fmt}" in page
    page = clients["market"].get(f"/units/{p.unit_id}/2024/").content.decode()
    assert f"/units/{p.unit_id}/2024/export/targets.pdf" in page


def test_pdf_export_through_libreoffice_in_the_worker(clients, market_project, worker):
    from jixiao.export.pdf import soffice_path

    p = market_project
    job_id = _job_id(clients["reviewer"].post(f"/projects/{p.pk}/export/targets.pdf"))
    worker()
    s = _wait(clients["reviewer"], job_id, timeout=180)
    if soffice_path() is None:
        assert s["state"] == "failed" and "LibreOffice" in s["error"]
        return
    assert s["state"] == "done" and s["total"] == 3, s
    r = clients["reviewer"].get(s["download"])
    assert r.content.startswith(b"%PDF") and r["Content-Type"] == "application/pdf"


def test_large_upload_is_imported_by_a_task(clients, users, settings, worker):
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import health_commission
    from jixiao.web.models import Project

    data = disclosure_to_docx(health_commission(2025))
    settings.UPLOAD_TASK_BYTES = len(data) - 1  # this file counts as large
    r = clients["admin"].post("/upload/", {"files": [SimpleUploadedFile("health.docx", data)]})
    job_id = _job_id(r)
    assert not Project.objects.filter(year=2025, name="基本公共卫生服务补助资金").exists()
    job = Job.objects.get(pk=job_id)
    assert job.kind == "upload" and bytes(job.input_data) == data
    worker()
    s = _wait(clients["admin"], job_id)
    assert s["state"] == "done", s
    page = clients["admin"].get(f"/jobs/{job_id}/").content.decode()
    assert "health.docx — 已导入" in page and "新项目" in page
    p = Project.objects.get(year=2025, name="基本公共卫生服务补助资金")
    assert p.indicators.count() == 7
    assert Job.objects.get(pk=job_id).input_data is None  # the upload is not kept


def test_large_upload_that_fails_shows_the_reason(clients, users, settings, worker):
    settings.UPLOAD_TASK_BYTES = 10
    r = clients["market"].post(
        "/upload/", {"files": [SimpleUploadedFile("x.docx", b"not a word file " * 10)]}
    )
    job_id = _job_id(r)
    worker()
    s = _wait(clients["market"], job_id)
    assert s["state"] == "failed" and "x.docx" in s["error"]
    assert "未导入" in clients["market"].get(f"/jobs/{s['id']}/").content.decode()


def test_small_uploads_stay_in_the_request(clients, users):
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import health_commission

    data = disclosure_to_docx(health_commission(2025))
    r = clients["admin"].post("/upload/", {"files": [SimpleUploadedFile("h.docx", data)]})
    assert r.status_code == 200 and "h.docx — 已导入" in r.content.decode()
    assert not Job.objects.exists()


def test_re_review_of_many_unit_years(clients, users, worker):
    from jixiao.web.models import Disclosure, ReviewResult

    ReviewResult.objects.all().delete()
    assert clients["market"].post("/jobs/review/").status_code == 404  # unit users may not
    job_id = _job_id(clients["reviewer"].post("/jobs/review/"))
    worker()
    s = _wait(clients["reviewer"], job_id)
    n = Disclosure.objects.count()
    assert s["state"] == "done" and s["done"] == s["total"] == n, s
    assert set(ReviewResult.objects.values_list("disclosure_id", flat=True)) == set(
        Disclosure.objects.values_list("pk", flat=True)
    )
    page = clients["reviewer"].get(f"/jobs/{job_id}/").content.decode()
    assert f"已重新审核 {n} 个单位年度" in page


def test_jobs_and_ranking_pages_offer_re_review_to_reviewers_only(clients, demo, worker):
    from jixiao.web.models import Disclosure

    for url in ("/jobs/", "/review/"):
        assert "重新审核全部单位年度" in clients["reviewer"].get(url).content.decode()
        assert "重新审核全部单位年度" not in clients["market"].get(url).content.decode()
    unit = demo["999001"]
    page = clients["admin"].get(f"/review/?unit={unit.pk}").content.decode()
    assert f'name="unit" value="{unit.pk}"' in page
    job_id = _job_id(clients["admin"].post("/jobs/review/", {"unit": unit.pk, "year": "2024"}))
    worker()
    s = _wait(clients["admin"], job_id)
    assert s["state"] == "done" and s["total"] == Disclosure.objects.filter(unit=unit, year=2024).count() == 1


@pytest.mark.parametrize("year", ["24", "2024年", "abc", "20244"])
def test_a_re_review_with_a_year_that_is_not_one_starts_nothing(clients, demo, year):
    """「重新审核」 with a mistyped year used to re-review every unit-year of every year."""
    from jixiao.web.jobs.models import Job

    r = clients["reviewer"].post("/jobs/review/", {"year": year})
    html = r.content.decode()
    assert r.status_code == 400 and "年度应为" in html and "重新审核全部单位年度" in html
    assert not Job.objects.exists()


# --------------------------------------------------------------------------------- jixiao worker (CLI)


@pytest.mark.skipif(
    os.environ.get("JIXIAO_DATABASE_URL", "").startswith("postgres"),
    reason="the CLI test uses its own SQLite file; run in the SQLite pass",
)
def test_jixiao_worker_runs_queued_tasks(tmp_path: Path):
    """`jixiao worker --batch` (a separate process) runs what a web process queued in the database."""
    db = tmp_path / "jixiao.sqlite3"
    env = {**os.environ, "JIXIAO_DATABASE_URL": f"sqlite:///{db}"}

    def run(*args: str) -> subprocess.CompletedProcess:
        r = subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, timeout=240, check=False
        )
        assert r.returncode == 0, r.stderr
        return r

    run("-m", "jixiao.cli", "demo", "--data", str(tmp_path), "--no-serve")
    enqueue = (
        "from jixiao.cli.common import prepare_database; prepare_database()\n"
        "from jixiao.web.models import Project, User\n"
        "from jixiao.web.tasks import start_export\n"
        "p = Project.objects.filter(year=2024).order_by('id').first()\n"
        "j = start_export(User.objects.get(username='admin'), {'project': p.pk}, 'targets', 'docx', 't')\n"
        "print(j.pk)\n"
    )
    job_id = int(run("-c", enqueue).stdout.strip())
    run("-m", "jixiao.cli", "worker", "--batch", "--interval", "0")
    check = (
        "from jixiao.cli.common import prepare_database; prepare_database()\n"
        "from jixiao.web.jobs.models import Job\n"
        f"j = Job.objects.get(pk={job_id})\n"
        "print(j.state, j.file_name, bytes(j.file_data)[:2].decode())\n"
    )
    state, name, magic = run("-c", check).stdout.split()
    assert state == "done" and name.endswith("项目绩效目标表.docx") and magic == "PK"


def test_finished_jobs_are_pruned_after_a_week(clients, users, market_project):
    from datetime import timedelta

    from django.utils import timezone

    old = Job.objects.create(user=users["market"], kind="export", title="旧", state="done", file_data=b"x")
    recent = Job.objects.create(user=users["market"], kind="export", title="近", state="done")
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    Job.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(days=6))
    clients["market"].post(f"/projects/{market_project.pk}/export/targets.docx")  # starts a job
    assert not Job.objects.filter(pk=old.pk).exists() and Job.objects.filter(pk=recent.pk).exists()
    assert Job.objects.count() == 2


def test_excel_of_many_projects_is_a_task_too(clients, market_project, settings, worker):
    from openpyxl import load_workbook

    p = market_project
    url = f"/units/{p.unit_id}/2024/export/targets.xlsx"
    assert clients["market"].get(url).status_code == 200  # a few projects: in the request
    settings.EXPORT_INLINE_PROJECTS = 1
    job_id = _job_id(clients["market"].post(url))
    worker()
    s = _wait(clients["market"], job_id)
    assert s["state"] == "done", s
    wb = load_workbook(io.BytesIO(clients["market"].get(s["download"]).content))
    assert p.name in [str(c.value) for ws in wb for row in ws.iter_rows() for c in row]


def test_a_get_starts_no_export_and_repeated_clicks_lead_to_one_job(clients, market_project):
    """A crawler or a bookmark GETs the export: a page with the button, no job. The button POSTs;
    clicking again while the job waits or runs leads to the same job's progress page."""
    p = market_project
    url = f"/projects/{p.pk}/export/targets.docx"
    for _ in range(3):
        r = clients["market"].get(url)
        assert r.status_code == 200, r.status_code
        page = r.content.decode()
        assert 'method="post"' in page and f'action="{url}"' in page and "csrfmiddlewaretoken" in page
    assert not Job.objects.exists()
    job_id = _job_id(clients["market"].post(url))
    assert _job_id(clients["market"].post(url)) == job_id
    assert _job_id(clients["market"].post(url)) == job_id  # the link now leads to it too
    assert Job.objects.count() == 1
    # another table, format or target is another job; another user's click is their own job
    assert _job_id(clients["market"].post(f"/projects/{p.pk}/export/targets.pdf")) != job_id
    assert _job_id(clients["market"].post(f"/units/{p.unit_id}/2024/export/targets.docx")) != job_id
    assert _job_id(clients["reviewer"].post(url)) != job_id
    assert Job.objects.count() == 4
    # a finished job is not reused: the data may have changed since
    Job.objects.filter(pk=job_id).update(state="done")
    assert _job_id(clients["market"].post(url)) != job_id
    # no export for a unit user of another unit, by GET or POST
    assert clients["edu"].get(url).status_code == 404
    assert clients["edu"].post(url).status_code == 404
    assert Job.objects.count() == 5


def test_export_buttons_post_with_csrf(clients, market_project):
    """Word and PDF are buttons POSTing with the page's CSRF field (made once for all of them)."""
    import lxml.html

    p = market_project
    for url in (f"/projects/{p.pk}/", f"/units/{p.unit_id}/2024/"):
        page = clients["market"].get(url).content.decode()
        if url.startswith("/projects/"):
            for fmt in ("docx", "pdf"):
                assert f'<form method="post" action="/projects/{p.pk}/export/targets.{fmt}"' in page, fmt
            assert f'<a href="/projects/{p.pk}/export/targets.xlsx">Excel</a>' in page
        forms = lxml.html.fromstring(page).xpath('//form[contains(@class, "post-link")]')
        assert len(forms) >= 2, url
        for form in forms:
            (token,) = form.xpath('.//input[@name="csrfmiddlewaretoken"]/@value')
            assert len(token) == 64, (url, form.get("action"))


def test_an_export_left_running_by_a_killed_worker_is_not_reused_for_ever(clients, market_project):
    """A worker killed mid-export (a restart during a PDF) leaves the job and its queue task
    RUNNING for good: nothing marks them failed. Reusing it, every click led to its stuck progress
    page and the user could never export that table again; only a recent job is reused."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    url = f"/projects/{market_project.pk}/export/targets.docx"
    job_id = _job_id(clients["market"].post(url))
    assert _job_id(clients["market"].post(url)) == job_id  # a repeated click: the same job
    DBTaskResult.objects.filter(id=Job.objects.get(pk=job_id).task_id).update(status="RUNNING")
    hours_ago = timezone.now() - timedelta(hours=3)
    Job.objects.filter(pk=job_id).update(state="running", created_at=hours_ago, started_at=hours_ago)
    assert _job_id(clients["market"].post(url)) != job_id
