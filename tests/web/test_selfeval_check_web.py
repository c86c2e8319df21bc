"""The page 自评表复核 (/selfeval/check/): an auditor or reviewer uploads a published 自评表 page and
sees each table read, the method's recomputation beside the printed figures, every deviation named
with where it is, and the totals and grades printed and recomputed; bad files are refused in Chinese
naming the file. The same rule as `POST /api/selfeval/check/page`: every signed-in user; the same
upload bound and bounded child process (the shared `jixiao.web.lib.selfeval_check`)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from jixiao.cycle.evaluate import check_published, published_from_reading
from jixiao.ingest import read_cells
from jixiao.ingest.selfeval import read_selfeval

pytestmark = pytest.mark.django_db
FIELD = Path(__file__).resolve().parents[3] / "shared" / "field"
LANGFANG = FIELD / "batch1" / "13_langfang_shipinxuexiao_selfeval.txt"
SUIXI = FIELD / "batch1" / "14_suixi_minzheng_selfeval.txt"
URL = "/selfeval/check/"

needs_field = pytest.mark.skipif(not LANGFANG.exists(), reason="field set not present")


def _upload(c: Client, name: str, data: bytes, **extra: str):
    return c.post(URL, {"file": SimpleUploadedFile(name, data)}, **extra)


def _text(r) -> str:
    """The page as text: tags dropped, entities decoded, spaces squeezed."""
    body = re.sub(r"<[^>]+>", " ", r.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def test_the_form_for_every_role_and_in_their_menu(clients):
    for name in ("admin", "reviewer", "market"):
        r = clients[name].get(URL)
        assert r.status_code == 200, name
        page = r.content.decode()
        assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page
        assert 'type="file" name="file"' in page
        assert f'<a href="{URL}">自评表复核</a>' in page, name  # in the main menu
        assert "自评表复核" in _text(r)


@needs_field
def test_a_field_page_is_read_and_checked(clients):
    data = LANGFANG.read_bytes()
    r = _upload(clients["reviewer"], LANGFANG.name, data)
    assert r.status_code == 200
    text = _text(r)
    (table,) = read_selfeval(read_cells(data, LANGFANG.name))
    check = check_published(published_from_reading(table))
    # what was read
    assert LANGFANG.name in text
    assert "办公宿舍楼、食堂及餐厅暖通改造经费" in text and str(table.year) in text
    for ind in table.indicators:
        assert (ind.name or ind.level2 or "") in text
    for row in table.budget_rows:
        assert row in text
    # the recomputed total and grade beside the printed ones (未列 where the table prints none)
    assert "97.24" in text and f"按方法 {check.recomputed_grade}" in text.replace("：", " ")
    assert "总分" in text and "未列" in text
    # every deviation, with where and why
    assert len(check.discrepancies) == 2
    for d in check.discrepancies:
        assert d.where in text and d.why in text
    assert "执行率 86.2%" in text and "8.62" in text
    assert "与方法不符 2 处" in text
    assert "等级按方法：优 ≥ 90 分，良 ≥ 80 分，中 ≥ 60 分，差 < 60 分" in text


@needs_field
def test_missed_targets_scored_full_are_named(clients):
    r = _upload(clients["market"], SUIXI.name, SUIXI.read_bytes())
    assert r.status_code == 200
    text = _text(r)
    assert "临时救助" in text and "没有达到年度指标值，却给了满分" in text
    # its 分值 total 90: scored with its own weights, the total scaled to 100, the deviation named
    assert "分值合计 90 100（总分按 100 分折算）" in text
    assert "预算执行率 10 分与各指标分值共 90 分，不是 100 分" in text


def test_a_target_table_is_refused_in_chinese(clients):
    r = _upload(
        clients["admin"], "目标表.txt", "项目名称\t某项目\n一级指标\t二级指标\t三级指标\t指标值\n".encode()
    )
    assert r.status_code == 400
    text = _text(r)
    assert "无法复核：" in text and "目标表.txt: 未找到已公开的自评表" in text
    assert 'type="file" name="file"' in r.content.decode()  # the form again, to try another file


def test_unreadable_and_missing_files(clients):
    r = _upload(clients["market"], "坏.docx", b"PK\x03\x04not a zip at all")
    assert r.status_code == 400 and "坏.docx" in _text(r)
    r = clients["market"].post(URL, {})
    assert r.status_code == 400 and "请选择" in _text(r)


@needs_field
def test_too_large_and_too_slow_are_refused(clients):
    data = LANGFANG.read_bytes()
    with override_settings(MAX_UPLOAD_MB=0):
        r = _upload(clients["reviewer"], LANGFANG.name, data)
    assert r.status_code == 400 and f"{LANGFANG.name}: 文件超过 0 MB 的上限" in _text(r)
    with override_settings(JIXIAO_PARSE_TIMEOUT=0.01):
        r = _upload(clients["reviewer"], LANGFANG.name, data)
    assert r.status_code == 400 and "解析超时（0.01 秒）" in _text(r) and LANGFANG.name in _text(r)


def test_anonymous_is_sent_to_login(db):
    c = Client()
    for r in (c.get(URL), _upload(c, "x.txt", b"x")):
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_a_deactivated_account_is_refused(users):
    market = users["market"]
    c = Client()
    c.force_login(market)
    market.is_active = False
    market.save()
    r = c.get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/login/")


@needs_field
def test_csrf_is_enforced(users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["reviewer"])
    data = LANGFANG.read_bytes()
    r = _upload(c, LANGFANG.name, data)
    assert r.status_code == 403
    c.get(URL)
    token = c.cookies["csrftoken"].value
    r = c.post(URL, {"file": SimpleUploadedFile(LANGFANG.name, data), "csrfmiddlewaretoken": token})
    assert r.status_code == 200 and "97.24" in _text(r)


def _hidden(page: str, name: str) -> str:
    m = re.search(rf"""name="{name}" value=(["'])(.*?)\1""", page)
    assert m, name
    return html.unescape(m.group(2))


@needs_field
def test_the_check_downloads_as_a_workbook_without_formulas(clients):
    import io

    from openpyxl import load_workbook

    c = clients["reviewer"]
    page = _upload(c, LANGFANG.name, LANGFANG.read_bytes()).content.decode()
    assert 'action="/selfeval/check/export.xlsx"' in page
    form = {"source": _hidden(page, "source"), "readings": _hidden(page, "readings")}
    r = c.post("/selfeval/check/export.xlsx", form)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in r["Content-Disposition"] and "xlsx" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    summary = [[cell.value for cell in row] for row in wb["复核结果"].iter_rows()]
    # the page's total: the reading went back in its own order (the budget's first row is 年度资金总额)
    assert summary[2][0] == "办公宿舍楼、食堂及餐厅暖通改造经费" and summary[2][4] == 97.24
    assert wb["与方法不符"].max_row == 3  # the heading and the two deviations
    assert not any(cell.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for cell in row)


def test_a_download_of_something_else_is_refused(clients):
    c = clients["market"]
    bad = (
        "",
        "not json",
        "{}",
        "[1]",
        '[{"indicators": "x"}]',
        '[{"indicators": [{"name": 5}]}]',
        '[{"indicators": [{"name": "x"}], "budget": 5}]',
        '[{"indicators": [{"name": "x"}], "grade": ["优"]}]',
        "[" + "{}," * 60 + "{}]",
    )
    for readings in bad:
        r = c.post("/selfeval/check/export.xlsx", {"source": "x.txt", "readings": readings})
        assert r.status_code == 400, readings
        assert "无法生成复核结果" in _text(r) and "无法复核" not in _text(r)  # said once
    assert c.get("/selfeval/check/export.xlsx").status_code == 405
    assert Client().post("/selfeval/check/export.xlsx", {}).status_code == 302  # to the login
