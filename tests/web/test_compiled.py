"""Queries compiled once (`lib.compiled.CompiledQuery`) give what the ORM gives, for every argument
and shape, with the ORM's conversions, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db.models import Q

from jixiao.web.lib.compiled import CompiledQuery, attnames
from jixiao.web.models import History, Project

pytestmark = pytest.mark.django_db


def _by_unit_year(unit_id, year, disclosure_id):
    where = Q(unit_id=unit_id, year=year)
    if disclosure_id is not None:
        where |= Q(disclosure_id=disclosure_id)
    return (
        Project.objects.filter(where)
        .order_by("seq", "id")
        .values_list("id", "name", "budget_total", "spending_plan", "updated_at", "monitor_as_of")
    )


def test_rows_equal_the_orms_for_each_argument_and_shape(demo):
    q = CompiledQuery(_by_unit_year, small=(1,))
    cases = []
    for unit in demo.values():
        for p in Project.objects.filter(unit=unit).order_by("id")[:2]:
            cases += [(unit.pk, p.year, p.disclosure_id), (unit.pk, p.year, None)]
    assert len({c[0] for c in cases}) >= 2
    for args in cases + cases:  # the second round runs the SQL compiled in the first
        got = [tuple(r) for r in q.rows(*args)]
        assert got == list(_by_unit_year(*args))
        assert got  # the demo's projects are found
    # the conversions of the ORM: decimals, JSON, aware datetimes (SQLite stores text)
    row = q.rows(*cases[0])[0]
    assert type(row[2]).__name__ == "Decimal" and isinstance(row[3], dict | None)
    assert row[4].tzinfo is not None


def test_arguments_out_of_their_columns_range_match_nothing(demo):
    q = CompiledQuery(_by_unit_year, small=(1,))
    unit = next(iter(demo.values()))
    assert q.rows(unit.pk, 2**31, None) == []
    assert q.rows(2**63, 2024, None) == []
    assert q.rows(unit.pk, 2024, -(2**63) - 1) == []


def test_instances_are_the_models_rows(demo, market_project):
    from jixiao.web import actions

    actions.edit_project(
        None, market_project.pk, actions.ProjectEdit(version=market_project.version, name="改过的名称")
    )
    q = CompiledQuery(
        lambda pid: (
            History.objects.filter(project_id=pid).order_by("-at", "-id").values_list(*attnames(History))
        ),
        History,
    )
    got = q.instances(market_project.pk)
    want = list(History.objects.filter(project_id=market_project.pk).order_by("-at", "-id"))
    assert got and [h.pk for h in got] == [h.pk for h in want]
    assert [(h.action, h.summary, h.at, h.changes) for h in got] == [
        (h.action, h.summary, h.at, h.changes) for h in want
    ]
    assert got[0].get_action_display() == want[0].get_action_display()


def test_raw_columns_are_the_databases_text_of_the_orms_values(demo):
    """`raw` positions skip the ORM's conversion: a JSON column comes as its text, which decodes
    to what the ORM gives; the other columns are converted as before."""
    import json

    q = CompiledQuery(_by_unit_year, small=(1,), raw=(3,))
    unit = next(iter(demo.values()))
    p = Project.objects.filter(unit=unit).order_by("id").first()
    got = q.rows(unit.pk, p.year, None)
    want = list(_by_unit_year(unit.pk, p.year, None))
    assert got and len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert isinstance(g[3], str | None)
        assert (None if g[3] is None else json.loads(g[3])) == w[3]
        assert tuple(g[:3]) + tuple(g[4:]) == w[:3] + w[4:]


def test_compiled_review_queries_equal_the_orms(demo, market_project):
    """The project page's review reads (`reviews.fingerprint`, `STORED_ROW_QUERY`) give what the
    ORM queries they replace give, for every demo unit-year, after an edit too."""
    from jixiao.web import actions
    from jixiao.web.lib import reviews
    from jixiao.web.models import Disclosure, ReviewResult

    def check() -> None:
        ids = list(Disclosure.objects.values_list("id", flat=True))
        assert ids
        prints = reviews._fingerprints(ids)
        for did in ids:
            assert reviews.fingerprint(did) == prints.get(did)
        for p in Project.objects.all():
            want = ReviewResult.objects.filter(project_id=p.pk).values_list(*reviews.STORED_COLUMNS).first()
            got = reviews.STORED_ROW_QUERY.rows(p.pk)
            assert [tuple(r) for r in got] == ([want] if want else [])
            # what the project page reads with its project: the same version and row, same types
            read = _read_with_project(p.pk)
            assert read.fingerprint == prints[p.disclosure_id] and read.row == want
            assert [type(x) for x in read.fingerprint] == [type(x) for x in prints[p.disclosure_id]]
            assert [type(x) for x in read.row or ()] == [type(x) for x in want or ()]

    reviews.unit_year_reviews(Disclosure.objects.values_list("id", flat=True))  # stored rows
    check()
    actions.edit_project(
        None, market_project.pk, actions.ProjectEdit(version=market_project.version, name="改过的名称")
    )
    check()
    assert reviews.fingerprint(2**62) is None
    ReviewResult.objects.filter(project_id=market_project.pk).delete()
    assert _read_with_project(market_project.pk).row is None  # none stored


def _read_with_project(project_id):
    """`ReadWithProject` of the project page's one query (`views.projects.PAGE_QUERY`)."""
    from jixiao.web.lib import reviews
    from jixiao.web.lib.access import project_with_unit
    from jixiao.web.models import Unit
    from jixiao.web.views.projects import PAGE_QUERY, page_read

    (row,) = PAGE_QUERY.rows(project_id)
    assert row[: len(attnames(Project)) + len(attnames(Unit))] == list(project_with_unit(project_id)[0])
    read, _, _ = page_read(row[len(attnames(Project)) + len(attnames(Unit)) :])
    return reviews.ReadWithProject.of(read)


def _page_reads():
    """Each project with the indicators and history `PAGE_QUERY` read with it (`page_read`), on
    PostgreSQL; on SQLite they are read in queries of their own (None), and nothing is yielded."""
    from django.db import connection

    from jixiao.web.models import Unit
    from jixiao.web.views.projects import PAGE_QUERY, page_read

    n = len(attnames(Project)) + len(attnames(Unit))
    for p in Project.objects.all():
        (row,) = PAGE_QUERY.rows(p.pk)
        _, shown, history = page_read(row[n:])
        if connection.vendor != "postgresql":
            assert shown is None and history is None  # read in queries of their own
            continue
        yield p, shown, history


def test_the_project_page_query_reads_the_indicators_query_s_rows(demo, market_project):
    """On PostgreSQL the project page reads its indicators with the project (`page_read`): the
    rows, values and order `page_indicators` reads in a query of their own, of every project, of
    texts and targets of every kind, none, and after indicators are added in another order."""
    from jixiao.web.models import Indicator
    from jixiao.web.views.projects import page_indicators

    Indicator.objects.create(
        project=market_project,
        seq=-5,
        level1='一级 "引号" <b>&amp;',
        level2="\\反斜杠\n\t",
        name="换行\n制表\t控制\x1f字符 😀",
        value="≥95%",
        target={"kind": "percent", "op": ">=", "value": 95.5, "unit": "%", "nested": [1, None, "x"]},
        target_kind="percent",
    )
    empty = Project.objects.create(
        unit=market_project.unit,
        year=market_project.year,
        key="空项目",
        disclosure_id=market_project.disclosure_id,
    )

    def check() -> None:
        for p, shown, _ in _page_reads():
            want = page_indicators(p.pk)
            assert shown == want and [type(v) for i in shown for v in i] == [type(v) for i in want for v in i]
            if p.pk == empty.pk:
                assert shown == []

    check()
    first = Indicator.objects.filter(project=market_project).order_by("seq", "id").first()
    Indicator.objects.create(project=market_project, seq=first.seq, name="同序号", target=None)
    check()


def test_the_project_page_query_reads_the_history_query_s_rows(demo, market_project):
    """On PostgreSQL the project page reads its history with the project (`page_read`): the
    newest 100 changes `HISTORY_QUERY` reads, in its order (equal times by id), each column's
    value and type (the time's zone the ORM's), of a project with none, some and more than 100."""
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.web.models import History
    from jixiao.web.views.projects import HISTORY_QUERY

    names = attnames(History)
    t = timezone.now().replace(microsecond=120000)
    for i in range(130):
        History.objects.create(
            project=market_project,
            action=["edit", "return", "approve"][i % 3],
            username=f"用户{i}",
            summary='退回："引号"\n<b>' if i % 7 == 0 else "",
            changes=None if i % 5 == 0 else [{"field": "comment", "new": f"意见 {i}", "n": 1.50, "x": None}],
        )
    History.objects.filter(project=market_project, username__in=["用户3", "用户4", "用户5"]).update(at=t)
    History.objects.filter(project=market_project, username="用户6").update(at=t - timedelta(microseconds=1))
    for p, _, got in _page_reads():
        want = HISTORY_QUERY.instances(p.pk)
        assert len(got) == len(want) == (100 if p.pk == market_project.pk else len(want))
        for g, w in zip(got, want, strict=True):
            gv, wv = [getattr(g, k) for k in names], [getattr(w, k) for k in names]
            assert gv == wv and [type(v) for v in gv] == [type(v) for v in wv]
            assert g.at.tzinfo is w.at.tzinfo and g.at.isoformat() == w.at.isoformat()


def test_compiled_queries_are_prepared_statements_on_postgresql(demo, monkeypatch):
    """On PostgreSQL a compiled query is a prepared statement of the connection (planned once) and
    gives the ORM's rows each time; Django's own queries are not prepared; with PREPARE off nothing
    is; while queries are logged it runs unprepared, its text in the log."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from jixiao.web.lib import compiled

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")

    head = 'SELECT "web_project"."id" AS "id", "web_project"."name" AS "name", "web_project"."budget_total"'

    def prepared() -> int:  # this query's statements (earlier tests may have prepared it)
        with connection.cursor() as cur:
            cur.execute("SELECT statement FROM pg_prepared_statements")
            return sum((r[0] or "").startswith(head) for r in cur.fetchall())

    p = Project.objects.order_by("id").first()
    args = (p.unit_id, p.year, p.disclosure_id)
    want = [list(r) for r in _by_unit_year(*args)]
    before = prepared()
    monkeypatch.setattr(compiled, "PREPARE", False)
    q = CompiledQuery(_by_unit_year, small=(1,))
    assert q.rows(*args) == want and prepared() == before
    monkeypatch.setattr(compiled, "PREPARE", True)
    with override_settings(JIXIAO_PG_PREPARE=False):  # JIXIAO_PG_PREPARE=0: behind pgbouncer
        q = CompiledQuery(_by_unit_year, small=(1,))
        assert q.rows(*args) == want and prepared() == before
    q = CompiledQuery(_by_unit_year, small=(1,))
    with CaptureQueriesContext(connection) as ctx:
        assert q.rows(*args) == want
    assert prepared() == before and ctx.captured_queries[0]["sql"].startswith(head)
    assert q.rows(*args) == q.rows(*args) == want
    assert prepared() == 1  # once, then reused
    with connection.cursor() as cur:  # the ORM's queries, bound on the client, are not prepared
        cur.execute("SELECT count(*) FROM pg_prepared_statements")
        n = cur.fetchone()[0]
        list(Project.objects.filter(pk=p.pk).values_list("id", "name", "budget_total"))
        cur.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cur.fetchone()[0] == n


def _prepared_case() -> tuple[CompiledQuery, tuple, list]:
    """On PostgreSQL (skipped elsewhere): a compiled query of the first project's unit-year, its
    arguments and the ORM's rows for them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    p = Project.objects.order_by("id").first()
    args = (p.unit_id, p.year, None)
    return CompiledQuery(_by_unit_year, small=(1,)), args, list(_by_unit_year(*args))


def test_prepared_queries_reuse_the_connections_cursor(demo, monkeypatch):
    """On PostgreSQL compiled queries run on one cursor kept on the connection, made again for
    another psycopg connection, and not kept holding a result of more than KEPT_ROWS rows."""
    from django.db import connection

    from jixiao.web.lib import compiled

    q, args, want = _prepared_case()
    assert len(want) > 1 and [tuple(r) for r in q.rows(*args)] == want
    kept = getattr(connection, compiled._KEPT)
    assert kept[0] is connection.connection and not kept[2].closed
    assert [tuple(r) for r in q.rows(*args)] == want and getattr(connection, compiled._KEPT) is kept
    setattr(connection, compiled._KEPT, (object(), *kept[1:]))  # as if Django had connected again
    assert [tuple(r) for r in q.rows(*args)] == want
    again = getattr(connection, compiled._KEPT)
    assert again[0] is connection.connection and again[2] is not kept[2]
    monkeypatch.setattr(compiled, "KEPT_ROWS", 1)
    assert [tuple(r) for r in q.rows(*args)] == want
    assert getattr(connection, compiled._KEPT, None) is None and again[2].closed
    assert [tuple(r) for r in q.rows(*args)] == want


def test_a_query_run_while_another_runs_leaves_its_rows_alone(demo):
    """A compiled query run while another compiled query is executing (here by Django's execute
    wrapper; a thread sharing the connection alike) gets a cursor of its own: each reads its own
    rows, and a cursor is kept again afterwards."""
    from django.db import connection

    from jixiao.web.lib import compiled

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    q = CompiledQuery(_by_unit_year, small=(1,))
    p = Project.objects.order_by("id").first()
    other = Project.objects.exclude(unit_id=p.unit_id).order_by("id").first()
    args, other_args = (p.unit_id, p.year, None), (other.unit_id, other.year, None)
    want, other_want = list(_by_unit_year(*args)), list(_by_unit_year(*other_args))
    assert want and other_want and want != other_want
    inner: list = []

    def meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not inner:  # once: the inner query passes through this wrapper too
            inner.append(None)
            inner[0] = [tuple(r) for r in q.rows(*other_args)]
        return result

    with connection.execute_wrapper(meanwhile):
        got = [tuple(r) for r in q.rows(*args)]
    assert got == want and inner == [other_want]
    assert getattr(connection, compiled._KEPT)[0] is connection.connection


def test_prepared_timestamps_are_the_orms_with_its_time_zone(demo):
    """On PostgreSQL a prepared query reads timestamptz columns with psycopg's own loader when it
    gives what Django's gives: equal values, the same tzinfo object, the same text; in another
    session time zone Django's loader reads them still."""
    from django.db import connection

    q, args, want = _prepared_case()
    got = q.rows(*args)
    assert got and [tuple(r) for r in got] == want
    for g, w in zip(got, want, strict=True):
        assert g[4].tzinfo is w[4].tzinfo is connection.timezone and str(g[4]) == str(w[4])
    with connection.cursor() as cur:
        cur.execute("SET TIME ZONE 'Asia/Shanghai'")
    try:
        got = q.rows(*args)  # Django's loader: values in UTC as Django reads them (its own zone)
        assert [r[4].tzinfo for r in got] == [connection.timezone] * len(got)
    finally:
        with connection.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")


def test_text_arguments_match_as_the_orm_matches(db):
    """A compiled query with a text argument (`texts`) finds what the ORM's filter finds, in the
    model's order, for texts that look like SQL or hold quotes, and a text never seen compiles
    nothing new."""
    from jixiao.web.actions.imports import _UNITS_BY, _units_where
    from jixiao.web.models import Unit

    names = ["甲单位", "甲单位", "x' OR '1'='1", "%", "乙单位"]
    for n, name in enumerate(names):
        Unit.objects.create(code=f"C{n % 2}", name=name, region=f"R{n}")
    for column, values in (("name", [*set(names), "无此单位", ""]), ("code", ["C0", "C1", "C9"])):
        for value in values:
            want = list(Unit.objects.filter(**{column: value}))
            got = _units_where(column, value)
            assert [(u.pk, u.region, u.code, u.name) for u in got] == [
                (u.pk, u.region, u.code, u.name) for u in want
            ], (column, value)
        assert len(_UNITS_BY[column]._compiled) == 1


def test_json_values_decode_raw_columns_as_the_orm_does(demo):
    """`json_values` of raw JSON columns gives what the ORM's JSONField gives for each row, in one
    call; NULLs stay None, a text that is no JSON stays as it is, odd texts are each decoded."""
    from jixiao.web.lib.compiled import json_values
    from jixiao.web.models import Indicator

    q = CompiledQuery(
        lambda pid: Indicator.objects.filter(project_id=pid).values_list("id", "target"), raw=(1,)
    )
    p = Project.objects.order_by("id").first()
    rows = q.rows(p.pk)
    want = list(Indicator.objects.filter(project_id=p.pk).values_list("id", "target"))
    assert rows and [r[0] for r in rows] == [w[0] for w in want]
    assert json_values([r[1] for r in rows]) == [w[1] for w in want]
    assert json_values([]) == []
    assert json_values([None, '{"a": 1}', "null", "[1, 2]"]) == [None, {"a": 1}, None, [1, 2]]
    assert json_values(['{"a": 1}', "not json", None]) == [{"a": 1}, "not json", None]
    assert json_values(["1, 2", "3"]) == ["1, 2", 3]  # no splitting across texts
    assert json_values([{"a": 1}, '"x"']) == [{"a": 1}, "x"]  # already decoded: as it is
    from django.db import connection

    field = Indicator._meta.get_field("target")
    odd = [
        None,
        "null",
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        '{"a": [1, {"b": null}]}',
        "12345678901234567890",
    ]
    odd += ['"\\ud800"', '{"k": 1, "k": 2}', '"<b>&amp;</b>"', "0.1", "-0.0", "true"]
    want = [field.from_db_value(t, None, connection) for t in odd]
    assert repr(json_values(odd)) == repr(want)  # repr: NaN equal to NaN, -0.0 told from 0.0
    assert [repr(json_values([t])[0]) for t in odd] == [repr(w) for w in want]
