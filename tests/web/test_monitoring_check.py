"""The page 监控表复核 (/monitoring/check/) and `POST /api/monitoring/check/page`: a reviewer, an
auditor or a unit uploads a published 运行监控表 page (the held-out pages of every format) and sees
each table's period, budget execution against the time progress, every indicator's target, actual,
progress ratio and light, the printed deviation, and what the report lacks — as `jixiao monitor PAGE`
computes them; a 自评表 or a 绩效目标表 is refused naming the page for it; too large, unreadable and
too slow files are refused in Chinese naming the file. One shared module
(`jixiao.web.lib.monitoring_check`), every signed-in user, nothing in the database."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from jixiao.cycle.monitor import (
    LIGHT_LABELS,
    assess,
    result_to_dict,
    snapshot_from_reading,
    validate_snapshot,
)
from jixiao.ingest import read_cells
from jixiao.ingest.monitoring import read_monitoring
from jixiao.web import actions
from tests.heldout.monitor_pages import pages

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared"
SELFEVAL = SHARED / "field" / "batch1" / "14_suixi_minzheng_selfeval.txt"
TARGETS = SHARED / "field" / "batch1" / "08_linhai_lvhua.txt"
PAGE = "/monitoring/check/"
API = "/api/monitoring/check/page"
needs_field = pytest.mark.skipif(not (SELFEVAL.exists() and TARGETS.exists()), reason="field set not present")


@cache
def _pages() -> dict[str, tuple[str, bytes]]:
    return {name: (f"{name}.{suffix}", data) for name, suffix, data, _ in pages()}


def _upload(c: Client, url: str, name: str, data: bytes, **extra: str):
    """POST the file; `HTTP_…` in `extra` are headers, the rest form fields."""
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    fields = {k: v for k, v in extra.items() if k not in headers}
    return c.post(url, {"file": SimpleUploadedFile(name, data), **fields}, **headers)


def _text(r) -> str:
    body = re.sub(r"<[^>]+>", " ", r.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def _expected(name: str, data: bytes) -> list[dict]:
    """What `jixiao monitor --format json` computes for the page."""
    out = []
    for t in read_monitoring(read_cells(data, name)):
        if t.indicators:
            snap, _ = snapshot_from_reading(t)
            res = assess(snap)
            out.append(result_to_dict(snap, res, validate_snapshot(snap, res)))
    return out


def test_the_form_for_every_role_and_in_their_menu(clients):
    for who in ("admin", "reviewer", "market"):
        r = clients[who].get(PAGE)
        assert r.status_code == 200, who
        page = r.content.decode()
        assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page
        assert 'type="file" name="file"' in page and 'name="year"' in page
        assert f'<a href="{PAGE}">监控表复核</a>' in page, who
        assert "监控表复核" in _text(r)


@pytest.mark.parametrize("stem", ["national_water_tabs", "national_water_docx", "national_water_xlsx"])
def test_a_published_page_shows_its_lights_and_what_is_missing(clients, stem):
    name, data = _pages()[stem]
    r = _upload(clients["reviewer"], PAGE, name, data)
    assert r.status_code == 200, _text(r)[:500]
    text = _text(r)
    (want,) = _expected(name, data)
    assert f"{name}：读出 1 张运行监控表" in text
    assert "农村饮水安全巩固提升工程" in text and "2023 年度" in text
    assert "1-7月" in text and "数据截至 2023-07-31" in text
    # budget execution: rate vs the time progress, and the spending light
    assert "预算执行率 42.0%" in text and "时间进度 58.3%" in text
    assert f"资金执行灯色 {LIGHT_LABELS[want['spending_light']]}" in text
    page = r.content.decode()
    lights = re.findall(r'<span class="light (\w+)">', page)
    assert lights[0] == want["light"] == "red"  # the project's, in the heading
    for ind in want["indicators"]:
        assert ind["name"] in text and ind["target"] in text
    assert lights.count("red") >= 2 and "yellow" in lights
    # every problem validate_snapshot lists, by where and what
    assert want["problems"] and f"缺漏 {len(want['problems'])} 处" in text
    for p in want["problems"]:
        assert p.split(": ", 1)[-1].replace(": ", "：") in text
    assert "完成目标可能性" in text and "确定能" in text
    assert "硬件条件保障" in text and "加快管材进场和施工进度" in text  # a printed deviation and measure
    assert text.count("未计入灯色") == 0  # 「—」 is not yet known, not an actual left out


def test_a_complete_green_page(clients):
    name, data = _pages()["regional_toilets_html"]
    r = _upload(clients["market"], PAGE, name, data)
    assert r.status_code == 200
    text = _text(r)
    assert (
        "未见缺漏" in text
        and "2024-07-31" in text
        and "红灯" not in text.split("绩效指标与灯色")[1].split("表中缺漏")[0]
    )


def test_the_api_answers_as_the_command_in_its_declared_shape(clients):
    import jsonschema_rs

    from tests.web.test_api_schemas import _closed

    doc = clients["reviewer"].get("/api/openapi.json").json()
    op = doc["paths"][API]["post"]
    assert (
        op["tags"] == ["监控表复核"] and "监控表" in op["summary"] and {"200", "400"} <= set(op["responses"])
    )
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    check = jsonschema_rs.validator_for(_closed({**schema, "components": doc.get("components", {})}))
    for stem in ("national_water_html", "national_june_cells", "regional_toilets_xlsx"):
        name, data = _pages()[stem]
        r = _upload(clients["edu"], API, name, data)
        assert r.status_code == 200, r.content
        got = r.json()
        assert not list(check.iter_errors(got)), stem
        assert got["source"] == name
        (one,) = got["tables"]
        (want,) = _expected(name, data)
        for key in ("project", "as_of", "execution_rate", "spending_light", "light", "problems"):
            assert one[key] == want[key], (stem, key)
        assert [(i["name"], i["light"], i["ratio"]) for i in one["indicators"]] == [
            (i["name"], i["light"], i["ratio"]) for i in want["indicators"]
        ]
        assert one["table"]["indicators"] and one["period"]


@needs_field
def test_a_selfeval_or_a_target_table_is_pointed_to_its_page(clients):
    for url in (PAGE, API):
        r = _upload(clients["reviewer"], url, SELFEVAL.name, SELFEVAL.read_bytes())
        assert r.status_code == 400
        said = r.json()["detail"] if url == API else _text(r)
        assert f"{SELFEVAL.name}: 这是自评表，不是运行监控表" in said and "“自评表复核”" in said
        r = _upload(clients["reviewer"], url, TARGETS.name, TARGETS.read_bytes())
        assert r.status_code == 400
        said = r.json()["detail"] if url == API else _text(r)
        assert f"{TARGETS.name}: 这是绩效目标表，不是运行监控表" in said and "“导入文件”" in said


def test_bad_files_are_refused_in_chinese(clients):
    c = clients["market"]
    for url in (PAGE, API):
        r = _upload(c, url, "空白.txt", "项目名称\t某项目\n说明\t无\n".encode())
        said = r.json()["detail"] if url == API else _text(r)
        assert r.status_code == 400 and "空白.txt: 未找到已公开的运行监控表" in said
        r = _upload(c, url, "坏.docx", b"PK\x03\x04not a zip at all")
        said = r.json()["detail"] if url == API else _text(r)
        assert r.status_code == 400 and "坏.docx" in said
    r = c.post(PAGE, {})
    assert r.status_code == 400 and "请选择" in _text(r)
    assert c.post(API, {}).status_code in (400, 422)


def test_too_large_and_too_slow_are_refused(clients):
    name, data = _pages()["national_water_tabs"]
    for url in (PAGE, API):
        with override_settings(MAX_UPLOAD_MB=0):
            r = _upload(clients["reviewer"], url, name, data)
        said = r.json()["detail"] if url == API else _text(r)
        assert r.status_code == 400 and f"{name}: 文件超过 0 MB 的上限" in said
        with override_settings(JIXIAO_PARSE_TIMEOUT=0.01):
            r = _upload(clients["reviewer"], url, name, data)
        said = r.json()["detail"] if url == API else _text(r)
        assert r.status_code == 400 and "解析超时（0.01 秒）" in said and name in said


def test_a_year_is_asked_for_where_none_is_printed(clients):
    name, data = _pages()["national_water_tabs"]
    data = data.decode().replace("2023", "").encode()
    r = _upload(clients["reviewer"], PAGE, name, data)
    assert r.status_code == 400 and "监控表未写明年度，请填写年度后重新上传" in _text(r)
    r = _upload(clients["reviewer"], PAGE, name, data, year="2023")
    assert r.status_code == 200 and "数据截至 2023-07-31" in _text(r)
    r = _upload(clients["reviewer"], PAGE, name, data, year="abc")
    assert r.status_code == 400 and "年度「abc」不是 2000 至 2100 之间的年份" in _text(r)
    r = _upload(clients["reviewer"], API, name, data, year="2023")
    assert r.status_code == 200 and r.json()["tables"][0]["as_of"] == "2023-07-31"


def test_who_may_use_it(users):
    name, data = _pages()["national_june_tabs"]
    anon = Client()
    r = anon.get(PAGE)
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert _upload(anon, API, name, data).status_code == 401
    token = actions.issue_token(None, "edu")
    r = _upload(Client(), API, name, data, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    session = Client(enforce_csrf_checks=True)
    session.force_login(users["market"])
    for url in (PAGE, API):
        assert _upload(session, url, name, data).status_code == 403  # a session POST needs its token
    session.get(PAGE)
    token = session.cookies["csrftoken"].value
    r = _upload(session, PAGE, name, data, csrfmiddlewaretoken=token)
    assert r.status_code == 200 and "2022-06-30" in _text(r)
    r = _upload(session, API, name, data, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200


@needs_field
def test_the_importer_points_a_monitoring_page_here(db):
    from jixiao.ingest import parse_bytes
    from jixiao.ingest.interpret import NoTargetTable

    name, data = _pages()["national_water_tabs"]
    with pytest.raises(NoTargetTable) as e:
        parse_bytes(data, name)
    assert "这是监控表，不是绩效目标表" in e.value.message and "“监控表复核”" in e.value.message


def test_an_actual_the_lights_cannot_compare_is_named(clients):
    """「按计划推进」 against 「≥85公里」: left out of the lights, marked on its row and said why."""
    name, data = _pages()["national_water_tabs"]
    data = data.decode().replace("38公里", "按计划推进").encode()
    for url in (PAGE, API):
        r = _upload(clients["reviewer"], url, name, data)
        assert r.status_code == 200
        if url == PAGE:
            text = _text(r)
            assert "按计划推进 未计入灯色" in text
            assert "完成值「按计划推进」不是数值，年度指标值「≥85公里」是数值" in text
        else:
            (one,) = r.json()["tables"]
            assert one["indicators"][1]["light"] is None and "按计划推进" in one["warnings"][0]
