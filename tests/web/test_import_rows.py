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
