"""Monitoring and self-evaluation through the API, the downloads, the workbook upload and the CLI."""

from __future__ import annotations

import io
import json
import time

import pytest
from openpyxl import load_workbook

from jixiao.web import actions
from jixiao.web.models import History, MonitoringSnapshot, SelfEvaluation
from tests.web.conftest import approve_for_cycle

SNAP = {
    "as_of": "2024-07-31",
    "executed": "0.5",
    "deviation": {
        "reason_category": "经费保障",
        "reason_text": "资金下达晚",
        "likelihood": "有可能",
        "measures": "加快支付",
    },
}
SELFEVAL_ROWS = [
    {"actual": "330批次"},
    {"actual": "97%"},
    {"actual": "100%"},
    {"actual": "2024年12月20日"},
    {"actual": "1400元/批次"},
    {"band": "达成年度指标"},
    {"actual": "93%"},
]


@pytest.fixture
def market_project(market_project):
    """Monitoring and self-evaluation need approved targets (issue 12): the demo project, approved."""
    return approve_for_cycle(market_project)


def _json(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_api_monitoring_post_get_and_lights(clients, market_project):
    p = market_project
    r = _json(clients["market"], f"/api/projects/{p.pk}/monitoring", SNAP)
    assert r.status_code == 200, r.content
    s = r.json()
    assert s["light"] == "red" and s["spending_light"] == "red"
    r = clients["market"].get(f"/api/projects/{p.pk}/monitoring")
    assert r.status_code == 200 and r.json()[0]["id"] == s["id"]
    r = clients["reviewer"].get("/api/monitoring?year=2024&light=red,yellow")
    assert [x["project_id"] for x in r.json()] == [p.pk]
    assert clients["edu"].get("/api/monitoring?year=2024").json() == []
    # outcome: reviewer only
    url = f"/api/monitoring/{s['id']}/outcome"
    assert _json(clients["market"], url, {"outcome": "continue"}).status_code == 403
    assert _json(clients["edu"], url, {"outcome": "continue"}).status_code == 404
    assert _json(clients["reviewer"], url, {"outcome": "bogus"}).status_code == 400
    r = _json(clients["reviewer"], url, {"outcome": "suspend", "note": "暂停至资金到位"})
    assert r.status_code == 200 and r.json()["outcome"] == "suspend"


@pytest.mark.django_db
def test_api_monitoring_permissions_and_validation(clients, market_project):
    p = market_project
    assert clients["edu"].get(f"/api/projects/{p.pk}/monitoring").status_code == 404
    assert _json(clients["edu"], f"/api/projects/{p.pk}/monitoring", SNAP).status_code == 404
    assert _json(clients["reviewer"], f"/api/projects/{p.pk}/monitoring", SNAP).status_code == 403
    r = _json(clients["market"], f"/api/projects/{p.pk}/monitoring", {**SNAP, "executed": "x"})
    assert r.status_code == 400 and "executed" in r.json()["errors"]
    r = _json(
        clients["market"], f"/api/projects/{p.pk}/monitoring", {**SNAP, "rows": [{"actual": "95%"}]}
    )  # a percentage against ≥320批次
    assert r.status_code == 400 and "row-0-actual" in r.json()["errors"]
    assert not MonitoringSnapshot.objects.exists()


@pytest.mark.django_db
def test_api_selfeval(clients, market_project):
    p = market_project
    url = f"/api/projects/{p.pk}/selfeval"
    assert clients["market"].get(url).status_code == 404  # nothing yet
    body = {"adjusted": "48.5", "executed": "48.5", "rows": SELFEVAL_ROWS}
    assert _json(clients["edu"], url, body).status_code == 404
    assert _json(clients["reviewer"], url, body).status_code == 403
    bad = {**body, "rows": [*SELFEVAL_ROWS[:5], {"band": "达成年度指标", "score": 1}, SELFEVAL_ROWS[6]]}
    r = _json(clients["market"], url, bad)
    assert r.status_code == 400 and "row-5-score" in r.json()["errors"]
    r = _json(clients["market"], url, body)
    # every target met; the qualitative 达成 (30 points) is proposed at its band's midpoint, 27
    assert r.status_code == 200 and r.json()["total"] == 97 and r.json()["grade"] == "优"
    assert clients["reviewer"].get(url).json()["grade"] == "优"
    assert clients["edu"].get(url).status_code == 404


@pytest.mark.django_db
def test_downloads_of_the_standard_tables(clients, users, market_project):
    p = market_project
    uy = f"/units/{p.unit_id}/2024"
    assert clients["market"].get(f"/projects/{p.pk}/export/monitor.xlsx").status_code == 404  # no data yet
    actions.save_monitoring(
        users["market"],
        p.pk,
        actions.MonitoringEntry(
            as_of="2024-07-31", executed="0.5", deviation=actions.DeviationEntry(**SNAP["deviation"])
        ),
    )
    actions.save_selfeval(
        users["market"],
        p.pk,
        actions.SelfEvalEntry(
            adjusted="48.5", executed="48.5", rows=tuple(actions.SelfEvalRow(**r) for r in SELFEVAL_ROWS)
        ),
    )
    for url in (
        f"/projects/{p.pk}/export/monitor.xlsx",
        f"/projects/{p.pk}/export/selfeval.docx",
        f"{uy}/export/monitor.docx",
        f"{uy}/export/selfeval.xlsx",
        f"{uy}/export/summary.xlsx",
        f"{uy}/export/summary.docx",
        f"{uy}/template/monitor.xlsx",
        f"{uy}/template/selfeval.xlsx",
    ):
        if url.endswith(".docx"):  # Word is made by a background task (tests/web/test_tasks.py)
            r = clients["market"].post(url)
            assert r.status_code == 302 and r["Location"].startswith("/jobs/"), url
        else:
            r = clients["market"].get(url)
            assert r.status_code == 200, url
            assert r.content[:2] == b"PK" and "attachment" in r["Content-Disposition"]
        assert clients["edu"].get(url).status_code == 404, url
        assert clients["edu"].post(url).status_code == 404, url
    wb = load_workbook(io.BytesIO(clients["reviewer"].get(f"{uy}/export/summary.xlsx").content))
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    assert "产品质量监督抽查经费" in text and "优" in text
    assert clients["market"].get(f"/projects/{p.pk}/export/monitor.txt").status_code == 404


def _filled_monitor(project, *, bad: bool = False) -> bytes:
    from jixiao.cycle.workbooks import monitor_template
    from jixiao.web.convert import project_from_orm

    wb = load_workbook(io.BytesIO(monitor_template([project_from_orm(project)], 2024)))
    ws = wb["监控表"]
    ws["B7"] = 30  # 30 / 48.5 = 62% against about 58% expected: green
    for ref, v in {
        "E10": "很多" if bad else "200批次",
        "E11": "96%",
        "E12": "100%",
        "E14": "1400元/批次",
        "F15": "达成",
        "E16": "92%",
    }.items():
        ws[ref] = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.django_db
def test_upload_a_filled_monitoring_workbook_all_or_nothing(clients, market_project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = market_project
    c = clients["market"]
    bad = SimpleUploadedFile("监控.xlsx", _filled_monitor(p, bad=True))
    r = c.post("/cycle/upload/", {"file": bad})
    assert r.status_code == 400 and "监控表!E10" in r.content.decode()
    assert not MonitoringSnapshot.objects.exists() and not History.objects.filter(action="monitor").exists()
    assert (
        clients["edu"]
        .post("/cycle/upload/", {"file": SimpleUploadedFile("m.xlsx", _filled_monitor(p))})
        .status_code
        == 400
    )  # not their project: not found, nothing stored
    assert not MonitoringSnapshot.objects.exists()
    assert (
        clients["reviewer"].post("/cycle/upload/", {"file": SimpleUploadedFile("m.xlsx", b"x")}).status_code
        == 403
    )
    r = c.post("/cycle/upload/", {"file": SimpleUploadedFile("监控.xlsx", _filled_monitor(p))})
    assert r.status_code == 200 and "已导入运行监控" in r.content.decode()
    s = MonitoringSnapshot.objects.get(project=p)
    assert s.light == "green" and s.complete
    # the API takes the same workbook
    r = clients["market"].post(
        "/api/cycle/import", {"file": SimpleUploadedFile("m.xlsx", _filled_monitor(p, bad=True))}
    )
    assert r.status_code == 400 and any("监控表!E10" in v for v in r.json()["errors"].values())
    assert (
        clients["reviewer"]
        .post("/api/cycle/import", {"file": SimpleUploadedFile("m.xlsx", b"x")})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_selfeval_workbook_from_the_unit_template_imports(clients, market_project):
    """The unit's pre-filled 自评表 workbook, filled in for every project, imports in one go."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = approve_for_cycle(market_project)  # the template holds the projects that can be reported
    data = clients["market"].get(f"/units/{p.unit_id}/2024/template/selfeval.xlsx").content
    r = clients["market"].post("/cycle/upload/", {"file": SimpleUploadedFile("自评.xlsx", data)})
    assert r.status_code == 400  # nothing filled: every empty cell is named
    body = r.content.decode()
    assert "自评表!" in body and not SelfEvaluation.objects.exists()  # one project: one sheet


@pytest.mark.django_db(transaction=True)
def test_pdf_download_through_libreoffice(clients, users, market_project):
    from jixiao.export.pdf import soffice_path
    from jixiao.web.tasks import WorkerThread

    if soffice_path() is None:
        pytest.skip("needs LibreOffice (soffice)")
    p = market_project
    actions.save_selfeval(
        users["market"],
        p.pk,
        actions.SelfEvalEntry(
            adjusted="48.5", executed="48.5", rows=tuple(actions.SelfEvalRow(**r) for r in SELFEVAL_ROWS)
        ),
    )
    r = clients["reviewer"].post(f"/units/{p.unit_id}/2024/export/summary.pdf")
    assert r.status_code == 302  # a background task (a real worker below) makes the PDF
    status = r["Location"] + "status"
    worker = WorkerThread(interval=0.1)
    worker.start()
    try:
        for _ in range(600):
            s = clients["reviewer"].get(status).json()
            if s["finished"]:
                break
            time.sleep(0.2)
    finally:
        worker.stop()
    assert s["state"] == "done", s
    r = clients["reviewer"].get(s["download"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r["Content-Type"] == "application/pdf"


def _filled_selfeval(project, executed, reason=None) -> bytes:
    from jixiao.cycle.workbooks import selfeval_template
    from jixiao.web.convert import project_from_orm

    wb = load_workbook(io.BytesIO(selfeval_template([project_from_orm(project)], 2024)))
    ws = wb["自评表"]
    ws["E6"] = executed
    ws["I6"] = reason
    for ref, v in {
        "F10": "330批次",
        "F11": "97%",
        "F12": "100%",
        "F13": "2024年12月20日",
        "F14": "1400元/批次",
        "J15": "达成年度指标",
        "F16": "93%",
    }.items():
        ws[ref] = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.django_db
def test_upload_a_filled_selfeval_workbook_scores_it(clients, market_project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = market_project
    # 80% executed: below 90%, the workbook's 执行率偏差原因 cell must say why
    r = clients["market"].post(
        "/cycle/upload/", {"file": SimpleUploadedFile("自评.xlsx", _filled_selfeval(p, 38.8))}
    )
    page = r.content.decode()
    assert "自评表!I6" in page and "执行率偏差原因" in page and not SelfEvaluation.objects.exists()
    upload = SimpleUploadedFile("自评.xlsx", _filled_selfeval(p, 38.8, "两个批次的检测费次年结算"))
    r = clients["market"].post("/cycle/upload/", {"file": upload})
    assert r.status_code == 200, r.content.decode()
    se = SelfEvaluation.objects.get(project=p)
    # 80% executed: 8 of 10 points; every indicator met, the qualitative one proposed at 27 of 30
    assert se.total == 95 and se.grade == "优"
    assert se.execution_reason == "两个批次的检测费次年结算"
    xlsx = clients["market"].get(f"/projects/{p.pk}/export/selfeval.xlsx").content
    notes = " ".join(str(c.value) for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row)
    assert "偏差原因：两个批次的检测费次年结算" in notes
    page = clients["market"].get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert "95" in page and "项目支出绩效自评表" in page


@pytest.mark.django_db
def test_api_monitoring_revision_refuses_overwriting_what_you_did_not_see(clients, market_project):
    url = f"/api/projects/{market_project.pk}/monitoring"
    first = _json(clients["market"], url, {**SNAP, "revision": ""}).json()  # none expected: stored
    # another save of the same date from someone who had not read it: refused, nothing changed
    r = _json(clients["admin"], url, {**SNAP, "executed": "40", "revision": ""})
    assert r.status_code == 409 and "未保存" in r.json()["detail"]
    r = _json(clients["market"], url, {**SNAP, "executed": "40", "revision": first["revision"]})
    assert r.status_code == 200 and r.json()["executed"] == 40
    stale = _json(clients["admin"], url, {**SNAP, "executed": "41", "revision": first["revision"]})
    assert stale.status_code == 409
    assert MonitoringSnapshot.objects.get(project=market_project).executed == 40
    # without a revision the same date is replaced (workbook imports, scripts that mean it)
    assert _json(clients["admin"], url, {**SNAP, "executed": "42"}).status_code == 200
