"""POST /api/selfeval/check: a published 自评表 (the field set's real `*.selfeval.json`) recomputed
through the API gives what `check_published` gives; bad tables are refused in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from jixiao.cycle.evaluate import _num, check_published, published_from_dict
from jixiao.web import actions

pytestmark = pytest.mark.django_db
FIELD = Path(__file__).resolve().parents[3] / "shared" / "field"
TABLES = sorted(FIELD.glob("batch*/*.selfeval.json"))
URL = "/api/selfeval/check"

needs_field = pytest.mark.skipif(not TABLES, reason="field set not present")


def _post(c: Client, data: object, **extra: str):
    return c.post(URL, json.dumps(data, ensure_ascii=False), content_type="application/json", **extra)


@needs_field
def test_every_field_table_matches_check_published(clients):
    c = clients["market"]
    kinds = set()
    for path in TABLES:
        data = json.loads(path.read_text(encoding="utf-8"))
        r = _post(c, data)
        assert r.status_code == 200, (path.name, r.content)
        got = r.json()
        want = check_published(published_from_dict(data)).to_dict()
        assert got["recomputed_total"] == want["recomputed_total"], path.name
        assert got["recomputed_grade"] == want["recomputed_grade"], path.name
        assert got["printed_total"] == want["printed_total"] and got["printed_grade"] == want["printed_grade"]
        assert got["discrepancies"] == want["discrepancies"], path.name
        assert got["scores"] == want["scores"] and got["skipped"] == want["skipped"]
        assert got["project_name"] == data.get("project_name")
        assert got["text"].startswith("自评表复核：")
        kinds |= {d["kind"] for d in got["discrepancies"]}
    assert len(TABLES) >= 10
    assert "missed-target-full" in kinds or "cap-breached-full" in kinds  # what an auditor looks for


@needs_field
def test_printed_total_and_reasons_of_one_table(clients):
    path = next(p for p in TABLES if p.name.startswith("14_jishan_yibao"))
    data = json.loads(path.read_text(encoding="utf-8"))
    got = _post(clients["reviewer"], data).json()
    check = check_published(published_from_dict(data))
    assert got["printed_total"] == 94 and got["recomputed_total"] == _num(check.recomputed_total)
    assert len(got["discrepancies"]) == len(check.discrepancies) >= 1
    for d, want in zip(got["discrepancies"], check.discrepancies, strict=True):
        assert d["why"] == want.why and d["where"] == want.where and d["why"]


@needs_field
def test_unreadable_cell_is_named_not_refused(clients):
    path = next(p for p in TABLES if p.name.startswith("13_yinchuan_jiaoyu"))  # OCR 「IO」 for 10
    data = json.loads(path.read_text(encoding="utf-8"))
    r = _post(clients["edu"], data)
    assert r.status_code == 200
    assert any("得分「IO」不是数字" in u for u in r.json()["unreadable"])


def test_hand_made_table_missed_target_full(clients):
    table = {
        "year": 2023,
        "budget": {
            "rows": {"年度资金总额": {"全年预算数": "100", "全年执行数": "80", "分值": "10", "得分": "10"}}
        },
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "培训人数",
                "target": "≥100人",
                "actual": "60人",
                "weight": 50,
                "score": "50",
            },
            {
                "level1": "效益指标",
                "level2": "社会效益指标",
                "name": "群众满意度",
                "target": "≥90%",
                "actual": "95%",
                "weight": "40",
                "score": 40,
            },
        ],
        "total_score": "100",
        "grade": "优",
    }
    got = _post(clients["admin"], table).json()
    kinds = {d["kind"]: d for d in got["discrepancies"]}
    assert "missed-target-full" in kinds and "培训人数" in kinds["missed-target-full"]["where"]
    assert "execution-score" in kinds  # 80% × 10 = 8, printed 10
    assert got["printed_grade"] == "优" and got["recomputed_total"] < 100
    assert got == {**got, **check_published(published_from_dict(table)).to_dict()}


def test_bad_tables_are_refused_in_chinese(clients):
    c = clients["market"]
    r = _post(c, {"indicators": []})
    assert r.status_code == 400 and "没有绩效指标" in r.json()["detail"]
    r = _post(
        c,
        {"indicators": [{"name": "培训人数", "target": "≥100人", "weight": 10}, {"name": " ", "weight": ""}]},
    )
    assert r.status_code == 400 and "第 2 行" in r.json()["detail"] and "indicators.1" in r.json()["errors"]
    r = _post(c, {"indicators": [{"name": "培训人数", "target": "≥100人", "weight": "十分", "score": "8"}]})
    assert r.status_code == 200
    assert r.json()["unreadable"] == ["指标第 1 行「培训人数」的分值「十分」不是数字"]
    r = _post(c, {"year": 2023})
    assert r.status_code == 422 and "indicators" in r.json()["detail"] and "不能缺少" in r.json()["detail"]
    r = _post(c, {"indicators": [{"name": ["x"], "weight": 10}]})
    assert r.status_code == 422 and "indicators.0.name" in r.json()["detail"]
    r = _post(c, {"indicators": [{"name": "a", "weight": 10}], "year": 99999})
    assert r.status_code == 422 and "year" in r.json()["detail"]
    r = c.post(URL, "not json", content_type="application/json")
    assert r.status_code in (400, 422)
    r = _post(c, [1, 2])
    assert r.status_code == 422


def test_authentication_like_the_rest_of_the_api(users):
    table = {
        "indicators": [
            {"name": "培训人数", "target": "≥100人", "actual": "100人", "weight": 100, "score": 100}
        ]
    }
    anon = Client()
    assert _post(anon, table).status_code == 401
    token = actions.issue_token(None, "edu")
    r = _post(Client(), table, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["recomputed_total"] == 100
    session = Client(enforce_csrf_checks=True)
    session.force_login(users["market"])
    assert _post(session, table).status_code == 403  # a session POST needs its CSRF token
    session.get("/")
    r = _post(session, table, HTTP_X_CSRFTOKEN=session.cookies["csrftoken"].value)
    assert r.status_code == 200


def test_openapi_declares_it_in_chinese(clients):
    spec = clients["reviewer"].get("/api/openapi.json").json()
    op = spec["paths"][URL]["post"]
    assert op["tags"] == ["自评表复核"] and "自评表" in op["summary"]
    assert {"200", "400"} <= set(op["responses"])
