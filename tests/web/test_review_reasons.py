"""The outcome's score and reasons (issue 11, item 2) in the web app: stored with the review, shown
beside the grade on the project page, returned by the API; a row stored before them is refreshed
by its first reader."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.review import review_document
from jixiao.web.convert import disclosure_from_orm
from jixiao.web.lib import reviews
from jixiao.web.models import Disclosure, Project, ReviewResult

pytestmark = pytest.mark.django_db
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "001_69cafeba3764958f.txt"
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seeds")


@pytest.fixture(autouse=True)
def _fresh_review_cache(monkeypatch):
    monkeypatch.delenv(reviews.SETTINGS_ENV, raising=False)
    reviews.clear_cache()
    yield
    reviews.clear_cache()


@pytest.fixture
def seed(clients):
    """Seed 001 (9 projects, 2022) imported through the API; returns its Disclosure."""
    r = clients["admin"].post("/api/import", {"files": [SimpleUploadedFile("001.txt", SEED.read_bytes())]})
    assert r.status_code == 200 and r.json()[0]["ok"], r.content
    return Project.objects.filter(year=2022).select_related("disclosure").first().disclosure


def _fresh(disclosure: Disclosure) -> dict[int, object]:
    """project id → the outcome a fresh review of the unit-year gives (what `jixiao review` gives)."""
    doc = disclosure_from_orm(disclosure)
    result = review_document(doc)
    ids = list(disclosure.projects.order_by("seq", "id").values_list("id", flat=True))
    return {pid: pr.outcome for pid, pr in zip(ids, result.projects, strict=True)}


@needs_seed
def test_project_page_shows_score_and_reasons_of_seed_projects(clients, seed):
    outcomes = _fresh(seed)
    assert len(outcomes) == 9
    with_reasons = 0
    for pid, o in outcomes.items():
        html = clients["admin"].get(f"/projects/{pid}/").content.decode()
        card = html[html.index('id="review"') :]
        card = card[: card.index("</section>")]
        assert f'<span class="grade g-{o.grade}">{o.grade}</span>' in card
        assert o.score is not None and f"评分 {o.score:g}" in card
        assert o.reasons, pid  # every grade says why
        assert "评级原因" in card
        for reason in o.reasons:
            assert escape(reason) in card, (pid, reason)
        with_reasons += 1
        row = ReviewResult.objects.get(project_id=pid)
        assert row.score == o.score and row.reasons == o.reasons and row.heading_scores == o.heading_scores
    assert with_reasons == 9


@needs_seed
def test_api_review_returns_score_and_reasons(clients, seed):
    outcomes = _fresh(seed)
    for pid, o in outcomes.items():
        r = clients["reviewer"].get(f"/api/projects/{pid}/review")
        assert r.status_code == 200
        got = r.json()["outcome"]
        assert got["grade"] == o.grade and got["score"] == o.score and got["reasons"] == o.reasons
        assert got["heading_scores"] == o.heading_scores
    spec = clients["reviewer"].get("/api/openapi.json").json()
    out = spec["components"]["schemas"]["OutcomeOut"]["properties"]
    assert {"score", "reasons", "heading_scores"} <= set(out) and "原因" in out["reasons"]["description"]


def test_demo_project_reasons_on_page_and_api(clients, market_project):
    p = Project.objects.get(unit=market_project.unit, year=2024, seq=4)
    o = reviews.project_review(p).outcome
    assert o.reasons and o.score is not None
    html = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    assert all(escape(x) in html for x in o.reasons)
    assert clients["market"].get(f"/api/projects/{p.pk}/review").json()["outcome"]["reasons"] == o.reasons


def test_row_stored_in_the_old_format_is_refreshed_by_its_first_reader(clients, market_project, monkeypatch):
    p = market_project
    did = p.disclosure_id
    want = reviews.project_review(p).outcome
    # rows as the previous format stored them: no score, no reasons, the format "2" version
    monkeypatch.setattr(reviews, "STORED_FORMAT", "2")
    reviews.store_reviews([did])
    old_version = ReviewResult.objects.get(project=p).version
    ReviewResult.objects.filter(disclosure_id=did).update(score=None, reasons=[], heading_scores={})
    monkeypatch.undo()
    monkeypatch.delenv(reviews.SETTINGS_ENV, raising=False)
    reviews.clear_cache()
    assert reviews.STORED_FORMAT != "2"
    # the stale row is not shown as it is: the page's reader reviews the unit-year again and stores it
    html = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    assert all(escape(x) in html for x in want.reasons) and f"评分 {want.score:g}" in html
    rows = ReviewResult.objects.filter(disclosure_id=did)
    assert rows.count() == Project.objects.filter(disclosure_id=did).count() + 1
    assert old_version not in set(rows.values_list("version", flat=True))
    row = rows.get(project=p)
    assert row.score == want.score and row.reasons == want.reasons
    # and the API reads the refreshed row
    reviews.clear_cache()
    got = clients["market"].get(f"/api/projects/{p.pk}/review").json()["outcome"]
    assert got["reasons"] == want.reasons and got["score"] == want.score


def test_stale_rows_refreshed_through_the_unit_year_reader(clients, market_project, monkeypatch):
    """The batch reader (`unit_year_reviews`, used by the ranking) refreshes old-format rows too."""
    did = market_project.disclosure_id
    monkeypatch.setattr(reviews, "STORED_FORMAT", "2")
    reviews.store_reviews([did])
    ReviewResult.objects.filter(disclosure_id=did).update(score=None, reasons=[])
    monkeypatch.undo()
    reviews.clear_cache()
    uy = reviews.unit_year_reviews([did])[did]
    assert all(pr.outcome.reasons and pr.outcome.score is not None for pr in uy.result.projects)
    assert not ReviewResult.objects.filter(disclosure_id=did, project__isnull=False, reasons=[]).exists()
