"""POST /api/selfeval/check/page: a published 自评表 page uploaded (text, Word, Excel, web page) is
read in a bounded child process and every table in it checked as `jixiao check FILE` does; bad files
are refused in Chinese naming the file; authentication as the rest of the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from jixiao.cycle.evaluate import check_published, published_from_reading
from jixiao.ingest import read_cells
from jixiao.ingest.selfeval import read_selfeval
from jixiao.web import actions
from tests.heldout.make_pages import render
from tests.heldout.selfeval_pages import build, references

pytestmark = pytest.mark.django_db
FIELD = Path(__file__).resolve().parents[3] / "shared" / "field"
SUIXI = FIELD / "batch1" / "14_suixi_minzheng_selfeval.txt"
URL = "/api/selfeval/check/page"

needs_field = pytest.mark.skipif(not SUIXI.exists(), reason="field set not present")


def _upload(c: Client, name: str, data: bytes, **extra: str):
    return c.post(URL, {"file": SimpleUploadedFile(name, data)}, **extra)


@needs_field
def test_a_text_page_is_read_and_checked_like_the_command(clients):
    data = SUIXI.read_bytes()
    r = _upload(clients["market"], SUIXI.name, data)
    assert r.status_code == 200, r.content
    got = r.json()
    assert got["source"] == SUIXI.name
    (one,) = got["tables"]
    (table,) = read_selfeval(read_cells(data, SUIXI.name))
    want = check_published(published_from_reading(table)).to_dict()
    assert one["project_name"] == "临时救助" and one["year"] == 2019
    assert (
        one["discrepancies"] == want["discrepancies"] and one["recomputed_total"] == want["recomputed_total"]
    )
    assert {"missed-target-full", "cap-breached-full"} <= {d["kind"] for d in one["discrepancies"]}
    assert one["text"].startswith("自评表复核：临时救助")
    assert len(one["table"]["indicators"]) == 9


@needs_field
@pytest.mark.parametrize("layout", ["docx", "xlsx", "html"])
def test_word_excel_and_web_pages(clients, layout):
    refs = dict(references())
    suffix, data = render(build(refs["14_suixi_minzheng_selfeval"]), layout)
    r = _upload(clients["edu"], f"自评表.{suffix}", data)
    assert r.status_code == 200, r.content
    (one,) = r.json()["tables"]
    assert one["project_name"] == "临时救助"
    assert "missed-target-full" in {d["kind"] for d in one["discrepancies"]}


@needs_field
def test_two_tables_in_one_file(clients):
    refs = dict(references())
    data = b"".join(
        render(build(refs[k]), "tabs")[1]
        for k in ("13_langfang_shipinxuexiao_selfeval", "14_suixi_minzheng_selfeval")
    )
    r = _upload(clients["reviewer"], "两张.txt", data)
    assert r.status_code == 200, r.content
    tables = r.json()["tables"]
    assert [t["project_name"] for t in tables] == ["办公宿舍楼、食堂及餐厅暖通改造经费", "临时救助"]
    assert all(t["location"].startswith("第 ") for t in tables)


def test_bad_files_are_refused_in_chinese(clients):
    c = clients["market"]
    r = _upload(c, "目标表.txt", "项目名称\t某项目\n一级指标\t二级指标\t三级指标\t指标值\n".encode())
    assert r.status_code == 400
    assert r.json()["detail"].startswith("目标表.txt: 未找到已公开的自评表")
    r = _upload(c, "空.pdf", b"")
    assert r.status_code == 400 and "空.pdf" in r.json()["detail"] and "文件为空" in r.json()["detail"]
    r = _upload(c, "坏.docx", b"PK\x03\x04not a zip at all")
    assert r.status_code == 400 and "坏.docx" in r.json()["detail"]
    r = c.post(URL, {})
    assert r.status_code in (400, 422)


@needs_field
def test_size_limit(clients):
    with override_settings(MAX_UPLOAD_MB=0):
        r = _upload(clients["market"], SUIXI.name, SUIXI.read_bytes())
    assert r.status_code == 400 and "MB 的上限" in r.json()["detail"]


@needs_field
def test_authentication_like_the_rest_of_the_api(users):
    data = SUIXI.read_bytes()
    assert _upload(Client(), SUIXI.name, data).status_code == 401
    token = actions.issue_token(None, "edu")
    r = _upload(Client(), SUIXI.name, data, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    session = Client(enforce_csrf_checks=True)
    session.force_login(users["market"])
    assert _upload(session, SUIXI.name, data).status_code == 403  # a session POST needs its CSRF token
    session.get("/")
    r = _upload(session, SUIXI.name, data, HTTP_X_CSRFTOKEN=session.cookies["csrftoken"].value)
    assert r.status_code == 200


def test_openapi_declares_it_in_chinese(clients):
    spec = clients["reviewer"].get("/api/openapi.json").json()
    op = spec["paths"][URL]["post"]
    assert op["tags"] == ["自评表复核"] and "自评表" in op["summary"]
    assert {"200", "400"} <= set(op["responses"])


@needs_field
def test_import_still_refuses_a_selfeval_page_as_targets(db):
    from jixiao.web.models import Project
    from tests.cli_runner import run_cli

    before = Project.objects.count()
    r = run_cli(["import", SUIXI])
    assert r.returncode == 2, r.stdout
    assert "这是自评表" in r.stderr and "不是绩效目标表" in r.stderr and SUIXI.name in r.stderr
    assert Project.objects.count() == before
