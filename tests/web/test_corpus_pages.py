"""横向比较, 指标库, 历年对比 and the readers' view (issue 13, items 3–6) on real documents.

The five sample disclosures (five market-supervision bureaus) are imported and approved; the demo
units' projects stay drafts unless a test approves them. The comparison the pages show must be the
one the corpus data set gives for the same documents (`jixiao.corpus.rows` → `compare`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client, override_settings

from jixiao.corpus.compare import FRAME_COLUMNS, compare
from jixiao.corpus.rows import disclosure_rows
from jixiao.ingest import parse_file
from jixiao.web import actions
from jixiao.web.models import Indicator, Project, SelfEvaluation

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


@pytest.fixture
def seeds(db):
    """The five samples imported (as the command line's administrator) and approved."""
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip("no sample disclosures in ../shared/seeds")
    docs = []
    for f in files:
        doc = parse_file(str(f))
        actions.import_disclosure(None, doc)
        docs.append(doc)
    # every project of the samples (a department's document carries its sub-units' tables too)
    Project.objects.exclude(unit__code__startswith="999").update(state="approved")
    return docs


def _compared_indicator() -> Indicator:
    """A numeric indicator of the samples (by unit 万元/批次-like money first) with peers in others."""
    from jixiao.web.lib.corpus import compare_indicator

    candidates = Indicator.objects.filter(project__state="approved", target_kind="number").select_related(
        "project__unit"
    )
    for ind in sorted(candidates, key=lambda i: "元" not in (i.target or {}).get("base_unit", "")):
        c = compare_indicator(None, ind.pk)
        if c is not None and c.distribution is not None and len(c.peers) >= 3:
            return ind
    raise AssertionError("the samples have numeric indicators that other samples share")


def test_db_comparison_equals_the_data_set_comparison(seeds) -> None:
    """The public population (the approved samples alone) gives what the data set gives."""
    from jixiao.web.lib.corpus import compare_indicator

    rows = []
    for i, doc in enumerate(seeds):
        rows += disclosure_rows(doc, sha256=f"s{i}", path=doc.source or "")[1]
    frame = pd.DataFrame.from_records(rows)[FRAME_COLUMNS]
    checked = 0
    for ind in Indicator.objects.filter(project__state="approved", target_kind__in=("number", "percent")):
        p = ind.project
        hit = frame.index[
            (frame["unit_code"] == p.unit.code) & (frame["project_seq"] == p.seq) & (frame["seq"] == ind.seq)
        ]
        if len(hit) != 1:
            continue
        want = compare(frame, int(hit[0]))
        got = compare_indicator(None, ind.pk)
        assert got is not None
        assert (got.unit, len(got.peers), got.rank) == (want.unit, len(want.peers), want.rank), ind.name
        if want.distribution:
            assert got.distribution is not None
            assert got.distribution.median == pytest.approx(want.distribution.median)
            assert got.distribution.q1 == pytest.approx(want.distribution.q1)
        checked += 1
    assert checked >= 50


def test_compare_page_shows_the_distribution_and_the_chart(seeds, clients) -> None:
    ind = _compared_indicator()
    html = clients["reviewer"].get(f"/compare/{ind.pk}/").content.decode()
    assert "横向比较" in html and (ind.name or "") in html
    assert ("中位数" in html and "<svg" in html) or "没有" in html


def test_unit_user_never_compares_with_other_units_drafts(seeds, users, clients, market_project) -> None:
    from jixiao.web.lib.corpus import frame_for

    other_draft = (
        Project.objects.filter(unit__code="999002").exclude(state__in=("approved", "published")).first()
    )
    assert other_draft is not None and other_draft.state != "approved"
    frame = frame_for(users["market"])
    assert other_draft.pk not in set(frame["project_id"])
    assert market_project.pk in set(frame["project_id"])  # its own draft is compared
    ind = other_draft.indicators.first()
    assert clients["market"].get(f"/compare/{ind.pk}/").status_code == 404
    assert clients["market"].get(f"/api/corpus/compare/{ind.pk}").status_code == 404


def test_api_compare_and_library(seeds, clients) -> None:
    ind = _compared_indicator()
    r = clients["reviewer"].get(f"/api/corpus/compare/{ind.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["indicator_id"] == ind.pk and body["subject"]["name"] == ind.name
    r = clients["reviewer"].get("/api/library", {"words": "抽检"})
    assert r.status_code == 200
    lib = r.json()
    assert lib["projects"] >= 1 and lib["categories"]
    names = {i["name"] for c in lib["categories"] for i in c["indicators"]}
    assert any("抽检" in n or "批次" in n for n in names)


def test_library_page_lists_department_types_and_indicators(seeds, clients) -> None:
    html = clients["reviewer"].get("/library/").content.decode()
    assert "部门类型" in html and "市场监管" in html
    html = clients["reviewer"].get("/library/", {"words": "抽检"}).content.decode()
    assert "使用单位数" in html and "常见指标值" in html


def test_project_years_shows_earlier_targets_and_actuals(demo, users, clients) -> None:
    this = Project.objects.filter(unit__code="999001", year=2024).order_by("seq").first()
    assert this is not None
    before = Project.objects.filter(unit__code="999001", year=2023, name=this.name).first()
    if before is None:
        pytest.skip("the demo has no earlier year of this project")
    html = clients["market"].get(f"/projects/{this.pk}/years/").content.decode()
    assert "历年对比" in html and "2023 年目标" in html
    old = before.indicators.order_by("seq").first()
    assert (old.value or "—") in html
    se = SelfEvaluation.objects.filter(project=before).first()
    if se is not None:
        actual = next(
            (r.get("actual") for r in se.rows if r.get("indicator_id") == old.pk and r.get("actual")), None
        )
        if actual:
            assert actual in html
    assert clients["edu"].get(f"/projects/{this.pk}/years/").status_code == 404


def test_readers_view_needs_no_login_and_shows_only_public_targets(seeds, demo) -> None:
    anon = Client()
    html = anon.get("/public/").content.decode()
    assert "公开查询" in html
    approved = Project.objects.filter(state="approved").first()
    draft = Project.objects.exclude(state__in=("approved", "published")).first()
    assert anon.get(f"/public/projects/{approved.pk}/").status_code == 200
    assert anon.get(f"/public/projects/{draft.pk}/").status_code == 404
    html = anon.get("/public/search/", {"q": "满意度"}).content.decode()
    assert "共 " in html and f"/public/projects/{draft.pk}/" not in html
    ind = _compared_indicator()
    assert anon.get(f"/public/compare/{ind.pk}/").status_code == 200
    assert anon.get(f"/public/compare/{draft.indicators.first().pk}/").status_code == 404
    assert anon.get("/public/library/").status_code == 200
    assert anon.get(f"/compare/{ind.pk}/").status_code == 302  # the signed-in pages still need a login
    with override_settings(JIXIAO_PUBLIC=False):
        assert anon.get("/public/").status_code == 404
        assert anon.get(f"/public/projects/{approved.pk}/").status_code == 404


def test_stored_history_gives_last_years_actuals(demo) -> None:
    from jixiao.review.facts import name_key
    from jixiao.web.demo.cycle import load_demo_cycle
    from jixiao.web.lib.corpus import stored_history

    load_demo_cycle()
    se = SelfEvaluation.objects.select_related("project__unit").filter(project__year__isnull=False).first()
    assert se is not None
    p = se.project
    h = stored_history(p.unit_id, p.year + 1)
    assert h is not None and len(h) > 0
    row = next(r for r in se.rows if r.get("actual"))
    ind = Indicator.objects.get(pk=row["indicator_id"])
    assert h.actual(p.code, p.name, name_key(ind.name)) == str(row["actual"])
    assert stored_history(p.unit_id, p.year + 5) is None


def test_suggestions_come_from_similar_projects_and_skip_what_the_project_has(
    seeds, market_project, users
) -> None:
    from jixiao.corpus.compare import name_key
    from jixiao.web.lib.corpus import suggestions_for

    lib = suggestions_for(users["market"], market_project)
    assert lib.categories, "the samples are market-supervision bureaus like the demo unit"
    have = {name_key(n) for n in market_project.indicators.values_list("name", flat=True)}
    for cat in lib.categories:
        assert 1 <= len(cat.indicators) <= 5
        for ind in cat.indicators:
            assert not ({name_key(n) for n in ind.names} & have)
            assert ind.examples and all(e.unit_name != market_project.unit.name for e in ind.examples)


def test_edit_page_offers_library_suggestions_and_inserts_one_unsaved(seeds, clients, market_project) -> None:
    c = clients["market"]
    page = c.get(f"/projects/{market_project.pk}/").content.decode()
    assert "查看指标库建议" in page and f"/projects/{market_project.pk}/years/" in page
    assert (
        f"/compare/{market_project.indicators.filter(target_kind__in=('number', 'percent')).first().pk}/"
        in page
    )
    page = c.get(f"/projects/{market_project.pk}/", {"suggest": "1"}).content.decode()
    values = re.findall(r'name="insert" value="([^"]*)"', page)
    assert values, "suggestions with an insert button"
    spec = html.unescape(values[0])
    name = spec.split("\t")[2]
    before = market_project.indicators.count()
    version = market_project.version
    form = {"version": str(version), "name": market_project.name, "rows": "0", "insert": spec}
    r = c.post(f"/projects/{market_project.pk}/edit/", form)
    assert r.status_code == 200
    body = r.content.decode()
    assert f'value="{html.escape(name)}"' in body and "尚未保存" in body
    market_project.refresh_from_db()
    assert market_project.indicators.count() == before and market_project.version == version  # nothing saved
    # a reviewer cannot edit: no suggestions for them
    assert "查看指标库建议" not in clients["reviewer"].get(f"/projects/{market_project.pk}/").content.decode()


def test_api_compare_of_an_indicator_without_a_number(seeds, clients) -> None:
    """A qualitative 指标值 (no number to compare) is answered with the reason, not a server error."""
    ind = Indicator.objects.filter(project__state="approved", target_kind="text").first()
    assert ind is not None
    r = clients["reviewer"].get(f"/api/corpus/compare/{ind.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["subject"]["number"] is None and body["peers"] == [] and body["distribution"] is None
    assert "无法与其他单位比较" in body["note"]
    assert clients["reviewer"].get(f"/compare/{ind.pk}/").status_code == 200
