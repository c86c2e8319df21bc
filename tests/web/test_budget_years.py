"""One definition of the budget years taken (`jixiao.model.BUDGET_YEARS`, 2000–2100): the new-project
form, the upload form, the API, the command line's --year and the import action agree at the edges.
Before, 新建项目 took 2000–2100 while the upload form and the API took 1900–2999."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao import model as m
from jixiao.web import actions
from jixiao.web.models import Disclosure, Project
from tests.cli_runner import run_cli
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

INSIDE = (m.BUDGET_YEAR_MIN, m.BUDGET_YEAR_MAX)
OUTSIDE = (m.BUDGET_YEAR_MIN - 1, m.BUDGET_YEAR_MAX + 1)


def test_the_definition_is_2000_to_2100():
    assert (m.BUDGET_YEAR_MIN, m.BUDGET_YEAR_MAX) == (2000, 2100)
    assert m.is_budget_year(2000) and m.is_budget_year(2100)
    assert not any(m.is_budget_year(y) for y in (1999, 2101, True, "2024", None, 2024.0))


@pytest.mark.parametrize("year", (*INSIDE, *OUTSIDE))
def test_new_project_takes_the_years_and_no_other(clients, demo, year):
    unit = demo["999002"]
    r = clients["edu"].post(
        f"/units/{unit.pk}/projects/new/", {"year": str(year), "name": "边界项目"}, follow=True
    )
    made = Project.objects.filter(name="边界项目", year=year).exists()
    assert made == (year in INSIDE), r.content.decode()[:500]
    if not made:
        assert m.BUDGET_YEAR_RULE in r.content.decode()


def _page() -> bytes:
    return sorted(SEEDS.glob("*.txt"))[0].read_bytes()


@pytest.mark.parametrize("year", (*OUTSIDE, 1900, 2999))
def test_the_upload_form_refuses_years_outside(clients, demo, year):
    n = Disclosure.objects.count()
    form = {"files": [SimpleUploadedFile("a.txt", _page())], "year": str(year)}
    r = clients["admin"].post("/upload/", form)
    assert r.status_code == 400 and m.BUDGET_YEAR_RULE in r.content.decode()
    assert Disclosure.objects.count() == n


@pytest.mark.parametrize("year", (*INSIDE, *OUTSIDE))
def test_the_api_takes_the_same_years(clients, demo, year):
    r = clients["admin"].get("/api/disclosures", {"year": year})
    assert r.status_code == (200 if year in INSIDE else 422), r.content[:300]
    body = {"indicators": [], "year": year}
    r = clients["admin"].post("/api/selfeval/check", json.dumps(body), content_type="application/json")
    assert (r.status_code == 422) == (year not in INSIDE), r.content[:300]


@pytest.mark.parametrize("year", OUTSIDE)
def test_the_import_action_refuses_a_year_outside(demo, year):
    from jixiao.ingest import parse_file

    doc = parse_file(sorted(SEEDS.glob("*.txt"))[0])
    n = Project.objects.count()
    with pytest.raises(actions.Invalid) as e:
        actions.import_disclosure(None, doc, year=year)
    assert m.BUDGET_YEAR_RULE in e.value.message and str(year) in e.value.message
    assert Project.objects.count() == n


@pytest.mark.parametrize("year", [str(y) for y in OUTSIDE] + ["20x5"])
def test_the_command_line_year_is_checked_alike(year):
    page = sorted(SEEDS.glob("*.txt"))[0]
    r = run_cli(["parse", str(page), "--year", year])
    assert r.returncode == 2 and m.BUDGET_YEAR_RULE in r.stderr, r.stderr
    assert run_cli(["parse", str(page), "--year", str(m.BUDGET_YEAR_MAX)]).returncode == 0


@pytest.mark.parametrize("year", OUTSIDE)
def test_a_re_review_of_a_year_outside_starts_nothing(clients, demo, year):
    from jixiao.web.jobs.models import Job

    r = clients["reviewer"].post("/jobs/review/", {"year": str(year)})
    assert r.status_code == 400 and m.BUDGET_YEAR_RULE in r.content.decode()
    assert not Job.objects.exists()
