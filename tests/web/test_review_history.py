"""The ambition rule (JX603, a target below last year's actual) on the stored reviews: each unit-year
is reviewed with its unit's self-evaluations of the year before, and entering or changing one makes
the next year's stored review stale (issue 13, item 4)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.web import actions
from jixiao.web.lib import reviews
from jixiao.web.models import Project, SelfEvaluation
from tests.cli_runner import run_cli

from .conftest import approve_for_cycle

INDICATOR = "监督抽查批次"  # ≥320批次 in the demo's 2024 table, the same project as in 2023


@pytest.fixture
def pair(demo):
    """(the 2023 project, the 2024 project of the same name) of the market bureau."""
    p24 = Project.objects.get(unit=demo["999001"], year=2024, seq=1)
    p23 = Project.objects.get(unit=demo["999001"], year=2023, name=p24.name)
    assert p24.indicators.filter(name=INDICATOR, value="≥320批次").exists()
    return approve_for_cycle(p23), p24


def evaluate_2023(p23: Project, actual: str | None = None) -> None:
    """Last year's self-evaluation entered as a unit does: each target met (its value as the actual,
    or the band 达成年度指标 where the scorer wants one), `actual` for the sampling batches."""
    rows = []
    for i in p23.indicators.all():
        met = re.sub(r"^[\d.]+[-~～]", "", (i.value or "").lstrip("≥≤<>＜预计约"))  # a range: its top
        rows.append({"actual": actual if actual and i.name == INDICATOR else met, "reason": "已完成"})
    for _ in range(len(rows) + 1):
        try:
            entry = actions.SelfEvalEntry(
                adjusted="50", executed="50", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
            )
            actions.save_selfeval(None, p23.pk, entry)
            return
        except actions.Invalid as e:
            for key in e.errors:
                rows[int(key.split("-")[1])].update(actual="", band="达成年度指标")
    raise AssertionError("self-evaluation refused")


def ambition(client, p: Project) -> tuple[list[str], list[dict]]:
    html = client.get(f"/projects/{p.pk}/").content.decode()
    api = client.get(f"/api/projects/{p.pk}/review").json()["findings"]
    return [k for k in ("JX603",) if k in html], [f for f in api if f["rule"] == "JX603"]


def test_a_target_below_last_years_actual_is_found_and_goes_when_the_actual_is_corrected(pair, clients):
    p23, p24 = pair
    assert ambition(clients["reviewer"], p24) == ([], [])  # no history yet: no finding
    evaluate_2023(p23, "350批次")
    html_hits, api_hits = ambition(clients["reviewer"], p24)
    assert html_hits == ["JX603"]
    assert [(f["indicator"], f["severity"]) for f in api_hits] == [(INDICATOR, "warning")]
    assert "350批次" in api_hits[0]["message"] and "≥320批次" in api_hits[0]["message"]
    # last year's actual corrected below this year's target: the stored review is stale, recomputed
    evaluate_2023(p23, "300批次")
    assert ambition(clients["reviewer"], p24) == ([], [])


def test_review_unit_on_the_command_line_reads_the_same_history(pair):
    """`jixiao review --unit` reviews a stored unit-year as the web app does: with the unit's
    self-evaluations of the year before; `--history FILE` still names other actuals."""
    p23, p24 = pair
    code = p24.unit.code

    def found() -> list[str]:
        done = run_cli(["review", "--unit", code, "--year", "2024", "--format", "json"])
        assert done.returncode in (0, 1), done.stderr
        return [f["indicator"] for f in json.loads(done.stdout) if f["rule"] == "JX603"]

    assert found() == []
    evaluate_2023(p23, "350批次")
    assert found() == [INDICATOR]


def test_the_rule_fires_only_where_history_exists(pair, clients, demo):
    p23, p24 = pair
    evaluate_2023(p23, "350批次")
    reviews.clear_cache()
    found = {
        pid
        for uy in reviews.unit_year_reviews(Project.objects.values_list("disclosure_id", flat=True)).values()
        for pid, pr in uy.by_project.items()
        if any(f.rule == "JX603" for f in pr.findings)
    }
    assert found == {p24.pk}  # not 2023 itself, not other units, not other years


def test_a_self_evaluation_makes_only_the_next_years_review_stale(pair):
    p23, p24 = pair
    ids = list(Project.objects.values_list("disclosure_id", flat=True).distinct())
    before = reviews._fingerprints(ids)
    evaluate_2023(p23, "350批次")
    after = reviews._fingerprints(ids)
    assert {d for d in ids if before[d] != after[d]} == {p24.disclosure_id}
    # the version read with the disclosure's own row, the aggregate and the stored history agree
    stamp, history = reviews.histories([p24.disclosure_id])[p24.disclosure_id]
    assert after[p24.disclosure_id][-2:] == stamp and len(history) > 0
    assert reviews._load([p24.disclosure_id])[p24.disclosure_id][2] == after[p24.disclosure_id]
    # and read with the project by its page (`views.projects.PAGE_QUERY`)
    from jixiao.web.views.projects import PAGE_QUERY

    read = PAGE_QUERY.rows(p24.pk)[0][-reviews.READ_WITH_PROJECT_WIDTH :]  # after the project's
    assert reviews.ReadWithProject.of(read).fingerprint == after[p24.disclosure_id]
    assert p23.disclosure_id not in reviews.histories([p23.disclosure_id])  # no 2022 evaluations


def test_pages_read_the_history_in_the_same_number_of_queries(pair, clients, demo):
    p23, p24 = pair
    client = clients["reviewer"]
    urls = [f"/projects/{p24.pk}/", f"/units/{demo['999001'].pk}/2024/", f"/api/projects/{p24.pk}/review"]

    def counts() -> list[int]:
        out = []
        for url in urls:
            client.get(url)  # refreshes what is stale
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    without = counts()
    evaluate_2023(p23, "350批次")
    assert counts() == without
    # every project of the unit evaluated: still one query for all the histories
    for p in Project.objects.filter(unit=demo["999001"], year=2023).exclude(pk=p23.pk):
        approve_for_cycle(p)
        evaluate_2023(p)
    assert SelfEvaluation.objects.filter(project__year=2023).count() >= 2
    assert counts() == without
    ids = list(Project.objects.values_list("disclosure_id", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        reviews.histories(ids)
    assert len(ctx.captured_queries) == 1


def test_an_import_stores_the_review_with_the_history(pair):
    """The import reviews the unit-year from memory with its history: the stored rows carry JX603
    and the version a reader computes, so the first reader refreshes nothing."""
    import dataclasses

    from jixiao.web.convert import disclosure_from_orm
    from jixiao.web.models import Disclosure, ReviewResult

    p23, p24 = pair
    evaluate_2023(p23, "350批次")
    d24 = Disclosure.objects.get(pk=p24.disclosure_id)
    doc = disclosure_from_orm(d24)
    doc = dataclasses.replace(
        doc, projects=[dataclasses.replace(p, goal=(p.goal or "") + "（修订）") for p in doc.projects]
    )
    actions.import_disclosure(None, doc, unit=d24.unit, year=2024, published=False)
    stored = ReviewResult.objects.get(project_id=p24.pk)
    assert [f["indicator"] for f in stored.findings if f["rule"] == "JX603"] == [INDICATOR]
    reviews.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        uy = reviews.unit_year_reviews([d24.pk])[d24.pk]
    assert len(ctx.captured_queries) == 2  # the version and the stored rows: nothing refreshed
    assert any(f.rule == "JX603" for f in uy.by_project[p24.pk].findings)


def test_the_unit_year_page_reads_its_disclosures_with_its_projects(pair, demo):
    """On PostgreSQL the unit-year page reads its disclosures (each year's, the page's with its
    findings about the disclosure and its history's stamp) as a column of its projects' query
    (`unit_year._page_rows`): the rows, values, types and time zones `DISCLOSURES_QUERY` reads,
    for every demo unit and year, with a history, with sub-goals, and for a unit-year without
    projects (read by `DISCLOSURES_QUERY` itself)."""
    from jixiao.web.lib import unit_year
    from jixiao.web.models import Disclosure, ReviewResult, SubGoal

    p23, p24 = pair
    evaluate_2023(p23, "350批次")
    SubGoal.objects.create(
        disclosure_id=p24.disclosure_id, seq=1, title="分项", goal='目标 "<b>"', indicators=""
    )
    reviews.unit_year_reviews(Disclosure.objects.values_list("id", flat=True))  # stored rows
    empty = Disclosure.objects.create(unit=demo["999002"], year=2031, source="无项目")
    found = [{"rule": "JX900", "message": '整体 "<b>" \\ \n', "n": 1.5, "none": None, "list": [1, "二"]}]
    ReviewResult.objects.filter(disclosure_id=p24.disclosure_id, project=None).update(
        findings=found, counts={"warning": 1}, rules={"JX900": 1}
    )
    stamped = 0
    for unit_id, year in {*Disclosure.objects.values_list("unit_id", "year"), (demo["999001"].pk, 1999)}:
        rows, read = unit_year._page_rows(unit_id, year)
        want = unit_year.DISCLOSURES_QUERY.rows(unit_id, year)
        assert read == want
        assert [[type(v) for v in r] for r in read] == [[type(v) for v in r] for r in want]
        times = [v for r in read for v in r if hasattr(v, "tzinfo")]
        assert [v.tzinfo for v in times] == [v.tzinfo for r in want for v in r if hasattr(v, "tzinfo")]
        stamped += sum(1 for r in read if r[-1] is not None)  # a history's stamp: its latest time
        if connection.vendor != "postgresql" or (unit_id, year) == (empty.unit_id, 2031):
            assert rows is None or rows == []
        else:
            assert rows is not None
    assert stamped and any(r[6] for r in unit_year.DISCLOSURES_QUERY.rows(p24.unit_id, 2024))
    # the findings about a disclosure as a whole, read with it: some have findings
    loose = [r[11:15] for u in demo.values() for r in unit_year._page_rows(u.pk, 2024)[1] if r[2] == 2024]
    assert all(v is not None for r in loose for v in r[:4]) and [r[1] for r in loose if r[1]] == [found]


def test_an_import_reads_the_history_that_reviews_histories_reads(pair, demo):
    """An import reads a unit-year's history in a query of its own, compiled once: the same stamp
    and records as `reviews.histories`, with and without self-evaluations of the year before (and
    none for a unit-year without), on PostgreSQL prepared."""
    from jixiao.web.actions.imports import _histories

    p23, p24 = pair
    did = p24.disclosure_id
    assert _histories(did) == reviews.histories([did]) == {}
    evaluate_2023(p23, "350批次")
    for _ in range(2):  # compiled once, then run again
        got = _histories(did)
        assert got == reviews.histories([did])
        stamp, history = got[did]
        assert stamp[0] == 1 and history is not None and len(history) > 0
    assert _histories(p23.disclosure_id) == reviews.histories([p23.disclosure_id]) == {}
