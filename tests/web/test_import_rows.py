"""The import path builds its rows and instances without Django's slower ways, to the same values:
new projects from their values in column order, rows prepared without copies where nothing changes
(issue 14, item 4: storing's client CPU)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.web.models import Disclosure, Project, Unit

pytestmark = pytest.mark.django_db


def test_a_new_project_is_what_keywords_make_with_its_relations_cached():
    from jixiao.web.actions.imports import _new_project

    u = Unit.objects.create(name="行单位", code="810001")
    d = Disclosure.objects.create(unit=u, year=2024)
    fields = {
        "seq": 3,
        "title": "项目绩效目标表",
        "name": "项目",
        "code": "P-1",
        "budget_total": Decimal("12.50"),
        "budget_fiscal": None,
        "budget_other": Decimal(0),
        "purpose": "用途",
        "spending_plan": {"3月底": "25%"},
        "goal": "目标",
    }
    want = Project(disclosure=d, unit=u, year=2024, key="P-1", state="published", **fields)
    got = _new_project(d, u, 2024, "P-1", "published", fields)
    assert {k: v for k, v in vars(got).items() if k != "_state"} == {
        k: v for k, v in vars(want).items() if k != "_state"
    }
    assert got._state.adding and got._state.db is None
    with CaptureQueriesContext(connection) as ctx:
        assert got.unit is u and got.disclosure is d
    assert not ctx.captured_queries


def test_prepared_rows_are_copied_only_where_a_value_changes():
    """`bulk._prepared` gives the rows whose prepared values are the values themselves (a finite
    Decimal, None) as they are, a copy of the others with their values prepared, and leaves the
    rows it was given as they were."""
    from jixiao.web import bulk
    from jixiao.web.actions.imports import INDICATOR_ROW
    from jixiao.web.models import Indicator

    cols = bulk._plan(Indicator)[2]
    number, target = INDICATOR_ROW.index("target_number"), INDICATOR_ROW.index("target")
    rows = [
        tuple(Decimal("1.5") if i == number else None for i in range(len(cols))),
        tuple(None for _ in cols),
        tuple({"中": 1} if i == target else None for i in range(len(cols))),
    ]
    given = [tuple(r) for r in rows]
    got = bulk._prepared(cols, rows, [number, target])
    assert got[0] is rows[0] and got[1] is rows[1]
    assert got[2] is not rows[2] and got[2][target] == bulk.dumps({"中": 1})
    assert list(got[2][:target]) == list(rows[2][:target])
    assert rows == given


def _findings() -> list:
    from jixiao.review.findings import Finding

    where = ("a.txt", "001", "单位")
    return [
        Finding(
            "JX201",
            "error",
            "完整性",
            "指标值缺失",
            "未填写“指标值”",
            "补写",
            1,
            "项目甲",
            "完成率",
            0,
            *where,
        ),
        Finding(
            "JX201",
            "error",
            "完整性",
            "指标值缺失",
            '引号"与\\反斜杠\n换行',
            "补写",
            1,
            "项目甲",
            None,
            3,
            *where,
        ),
        Finding(
            "JX103",
            "warning",
            "相关性",
            "缺少效益指标",
            "没有",
            None,
            2,
            None,
            None,
            None,
            "a.txt",
            None,
            "单位",
        ),
        Finding("JX505", "hint", "适当性", "重复", "\x00jixiao:json-text\x00", "改", *[None] * 7),
    ]


def test_findings_json_is_the_text_the_findings_dicts_encode_to():
    from jixiao.web import bulk
    from jixiao.web.lib.reviews import findings_json

    fs = _findings()
    for n in range(len(fs) + 1):
        got = findings_json(fs[:n])
        assert type(got) is bulk.JSONText
        assert got == bulk.dumps([f.to_dict() for f in fs[:n]])
    assert findings_json(fs) == findings_json(fs)  # the pieces kept give the same text again


def test_rows_with_json_texts_encode_as_the_values_they_are_the_texts_of():
    from jixiao.web import bulk
    from jixiao.web.lib.reviews import findings_json

    fs = _findings()
    values = [[f.to_dict() for f in fs[:n]] for n in range(len(fs) + 1)]
    rows = [(i, v, "文字", None, 1.5) for i, v in enumerate(values)]
    texts = [(i, findings_json(fs[:i]), "文字", None, 1.5) for i in range(len(values))]
    assert bulk._rows_json_texts(texts) == bulk._rows_json(rows)
    # a string of the rows that is the mark itself: the texts decoded and the rows encoded whole
    marked = [(0, bulk._TEXT_MARK, findings_json(fs))]
    assert bulk._rows_json_texts(marked) == bulk._rows_json([(0, bulk._TEXT_MARK, [f.to_dict() for f in fs])])


def test_a_review_row_stores_its_findings_json_text_as_the_findings():
    from jixiao.web import bulk
    from jixiao.web.lib.reviews import findings_json
    from jixiao.web.models import ReviewResult

    u = Unit.objects.create(name="行单位", code="810002")
    d = Disclosure.objects.create(unit=u, year=2024)
    fs = _findings()[:3]  # (jsonb holds no NUL character: PostgreSQL refuses the fourth's message)
    bulk.insert_values(
        ReviewResult,
        [
            {"disclosure_id": d.pk, "version": "v", "seq": -1, "findings": findings_json(fs), "score": 1.5},
            {"disclosure_id": d.pk, "version": "v", "seq": -2, "findings": findings_json([])},
        ],
    )
    got = list(ReviewResult.objects.filter(disclosure=d).order_by("-seq").values_list("findings", "score"))
    assert got == [([f.to_dict() for f in fs], 1.5), ([], None)]
