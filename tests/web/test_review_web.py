"""Review in the web app: findings beside their rows (unit-year wide, so JX505 shows), unit-year
counts and grades, the reviewers' ranking, the rule catalogue with the deployment's settings,
return decisions with findings attached, the API — with permissions, and without writing."""

from __future__ import annotations

import copy
import re
from html import escape

import pytest
from django.apps import apps

from jixiao.web import actions
from jixiao.web.demo import demo_disclosures
from jixiao.web.lib import reviews
from jixiao.web.models import History, Project, ReviewResult, State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_review_cache(monkeypatch):
    monkeypatch.delenv(reviews.SETTINGS_ENV, raising=False)
    reviews.clear_cache()
    yield
    reviews.clear_cache()


@pytest.fixture
def copied(demo):
    """Unit 999002 in 2025: its second project copies the first one's indicator set (JX505)."""
    doc = copy.deepcopy(next(d for d in demo_disclosures() if d.unit_code == "999002"))
    doc.year = 2025
    doc.projects[1].indicators = copy.deepcopy(doc.projects[0].indicators)
    actions.import_disclosure(None, doc, published=False)  # the unit's drafts
    return Project.objects.get(unit=demo["999002"], year=2025, seq=doc.projects[1].seq)


def _submitted(project, user):
    return actions.submit_project(user, project.pk, version=project.version)


# ------------------------------------------------------------------------------------ project page


def test_project_page_shows_findings_beside_their_rows(clients, market_project):
    p = Project.objects.get(unit=market_project.unit, year=2024, seq=4)  # JX504 on row 1, JX203 on 5 and 6
    html = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    pf = reviews.project_review(p)
    assert pf is not None and pf.outcome.grade == "良"  # warnings only: score 85.6
    for h in ("完整性", "相关性", "适当性", "可行性"):
        assert f"<th>{h}</th>" in html
    table = html[
        html.index('<table class="target">') : html.index("</table>", html.index('<table class="target">'))
    ]
    rows = re.findall(r"<tr>(.*?)</tr>\s*(<tr class=\"row-findings\">.*?</tr>)?", table, re.S)
    names = [i.name for i in p.indicators.all()]
    by_name = {}
    for cells, under in rows:
        for n in names:
            if f"<td>{n}<" in cells:
                by_name[n] = (cells, under)
    for f in pf.findings:
        cells, under = by_name[names[f.indicator_index]]
        assert f'class="mark {f.severity}"' in cells and f">{f.rule}</a>" in cells  # the marker in the row
        assert f.message in under and f.hint in under  # message and hint under it
    clean = [n for i, n in enumerate(names) if i not in pf.by_row]
    assert clean and all(by_name[n][1] == "" for n in clean)


def test_cross_project_rule_shows_on_the_project_page_above_the_table(clients, copied):
    html = clients["edu"].get(f"/projects/{copied.pk}/").content.decode()
    assert "JX505" in html
    assert html.index("JX505") < html.index('<table class="target">')  # a project-level finding
    assert "项目层面" in html


def test_review_is_cached_per_unit_year_version(clients, market_project, django_assert_max_num_queries):
    url = f"/projects/{market_project.pk}/"
    clients["market"].get(url)
    with django_assert_max_num_queries(30):
        clients["market"].get(url)
    first = reviews.unit_year_review(market_project.disclosure_id)
    assert reviews.unit_year_review(market_project.disclosure_id) is first
    # an edit in another project of the unit-year gives a new version: reviewed again
    other = (
        Project.objects.filter(disclosure_id=market_project.disclosure_id)
        .exclude(pk=market_project.pk)
        .first()
    )
    actions.edit_project(None, other.pk, actions.ProjectEdit(version=other.version, goal="新的绩效目标"))
    assert reviews.unit_year_review(market_project.disclosure_id) is not first


# ------------------------------------------------------------------------------------ unit-year page


def test_unit_year_page_counts_by_severity_and_grades(clients, demo):
    html = clients["reviewer"].get(f"/units/{demo['999001'].pk}/2024/").content.decode()
    box = html[html.index('id="review"') :]
    # demo 999001/2024: 1 error, 12 warnings, 2 hints; grades 优 4, 良 2, 中 0, 差 0
    assert re.search(r'sev-error">1<.*?sev-warning">12<.*?num">2<', box, re.S)
    assert re.search(
        r"g-优\">优</span></th><th><span class=\"grade g-良\">良</span>.*?<td class=\"num\">4</td>"
        r"<td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">0</td>",
        box,
        re.S,
    )


def _categories_and_counts(html: str) -> tuple[str, list[str]]:
    chart = html[html.index("指标按类别</h2>") :]
    chart = chart[: chart.index("</section>")]
    table = html[html.index('<table class="list projects">') :]
    table = table[: table.index("</tbody>")]
    # the 指标 column: the seventh cell of each project row
    counts = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[6] for row in table.split("<tr>")[2:]]
    return chart, counts


def test_unit_year_page_sums_the_stored_rows_as_the_database_counts(clients, demo, monkeypatch):
    """Indicators by category and per project come from the stored review rows; they must equal
    what counting the indicator rows gives (the page's fallback when no stored review can be read),
    after an edit too."""
    url = f"/units/{demo['999001'].pk}/2024/"
    p = Project.objects.filter(unit=demo["999001"], year=2024).order_by("seq").first()
    rows = [
        {"level1": "效益指标", "level2": "社会效益指标", "name": f"效益{i}", "value": "提升", "basis": "依据"}
        for i in range(3)
    ]
    keep = [
        {k: getattr(i, k) or "" for k in ("level1", "level2", "name", "description", "value", "basis")}
        | {"id": i.pk}
        for i in p.indicators.all()
    ]
    for step in ("imported", "edited"):
        stored = clients["reviewer"].get(url).content.decode()
        assert 'id="review"' in stored
        with monkeypatch.context() as mp:

            def broken(*_a, **_k):
                raise RuntimeError("no review")

            mp.setattr(reviews, "unit_year_summary", broken)
            counted = clients["reviewer"].get(url).content.decode()
        assert 'id="review"' not in counted  # the fallback: no review box, indicators counted
        assert _categories_and_counts(stored) == _categories_and_counts(counted), step
        if step == "imported":
            actions.edit_project(
                None,
                p.pk,
                actions.ProjectEdit(
                    version=p.version, indicators=tuple(actions.IndicatorRow(**r) for r in keep + rows)
                ),
            )
    chart, counts = _categories_and_counts(stored)
    assert str(len(keep) + 3) in counts and "社会效益" in chart


def test_stored_rows_count_columns_equal_their_findings(demo):
    """The plain count columns the unit-year page reads agree with the stored findings and
    categories they summarise, on every stored row (those of projects and of unit-years)."""
    rows = list(
        ReviewResult.objects.values_list(
            "findings", "categories", "error_count", "warning_count", "hint_count", "indicator_count"
        )
    )
    assert any(r[2] for r in rows) and any(r[3] for r in rows)
    for found, categories, *columns in rows:
        severities = [f["severity"] for f in found]
        expected = [severities.count(s) for s in ("error", "warning", "hint")]
        assert columns == [*expected, sum(n for _l1, _l2, n in categories)]


def test_unit_year_page_of_a_bureau_and_of_its_subordinate_unit(clients, demo):
    """A bureau's disclosure holding a subordinate unit's table: the bureau's page names the other
    unit beside that project; the subordinate's own page (no disclosure of its own) lists it with
    its review, read from the bureau's unit-year."""
    from jixiao.web.models import Unit

    doc = copy.deepcopy(next(d for d in demo_disclosures() if d.unit_code == "999001"))
    doc.year = 2026
    doc.projects[1].unit_code, doc.projects[1].unit_name = "999011", "示例市市场监督管理局稽查所"
    actions.import_disclosure(None, doc)
    sub = Unit.objects.get(code="999011")
    moved = Project.objects.get(unit=sub, year=2026)
    html = clients["reviewer"].get(f"/units/{demo['999001'].pk}/2026/").content.decode()
    row = html[html.index(f'href="/projects/{moved.pk}/"') :]
    row = row[: row.index("</tr>")]
    assert "（示例市市场监督管理局稽查所）" in row and "g-" in row  # the other unit, a grade
    html = clients["reviewer"].get(f"/units/{sub.pk}/2026/").content.decode()
    row = html[html.index(f'href="/projects/{moved.pk}/"') :]
    row = row[: row.index("</tr>")]
    assert "稽查所" not in row and f"g-{_stored(moved).grade}" in row
    assert _categories_and_counts(html)[1] == [str(moved.indicators.count())]
    # the bureau's own unit users see only their own unit's tables on its page
    html = clients["market"].get(f"/units/{demo['999001'].pk}/2026/").content.decode()
    assert f'href="/projects/{moved.pk}/"' not in html


def test_unit_year_page_queries(clients, demo, django_assert_max_num_queries):
    """The reviewer's unit-year page: the user, the disclosures (the year's with its findings about
    the disclosure as a whole), the projects with their stored reviews, the sub-goals (session from
    the cache)."""
    url = f"/units/{demo['999001'].pk}/2024/"
    clients["reviewer"].get(url)
    with django_assert_max_num_queries(4):
        assert clients["reviewer"].get(url).status_code == 200


def test_unit_year_page_reads_stored_rules_and_categories_once_a_review(clients, demo):
    """The stored rows' rules and categories (JSON the database spends time writing out, 400 texts
    on a big bureau's page) are read when the page's stored rows are new to the process, not again
    while they stay those rows; stored anew, the page reads and sums them again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/units/{demo['999001'].pk}/2024/"
    p = Project.objects.filter(unit=demo["999001"], year=2024).order_by("seq").first()
    json_columns = ('"web_reviewresult"."rules"', '"web_reviewresult"."categories"')

    def read() -> tuple[str, bool]:
        with CaptureQueriesContext(connection) as q:
            html = clients["reviewer"].get(url).content.decode()
        html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
        return html, any(c in (x["sql"] or "") for x in q.captured_queries for c in json_columns)

    first, _ = read()
    again, json_read = read()
    assert again == first and not json_read
    Project.objects.filter(pk=p.pk).update(version=p.version + 3)  # stale: stored anew
    after, json_read = read()
    assert json_read
    assert _categories_and_counts(after) == _categories_and_counts(first)
    box = after[after.index('id="review"') :]
    assert box[: box.index("</section>")] == first[first.index('id="review"') :][: box.index("</section>")]
    assert read() == (after, False)


def test_unit_year_page_of_a_year_beyond_the_column_is_not_found(clients, demo):
    """The disclosures are read with the page's year (for its findings about the disclosure): a
    year no IntegerField holds finds no unit-year, as one no disclosure has."""
    unit = demo["999001"].pk
    for year in (2**31, 2**63, 10**30, 1990):
        r = clients["reviewer"].get(f"/units/{unit}/{year}/")
        assert r.status_code == 404 and "该单位没有这一年度的数据" in r.content.decode()


def test_unit_year_page_refreshes_stale_stored_rows_and_shows_them(clients, demo):
    p = Project.objects.filter(unit=demo["999001"], year=2024).order_by("seq").first()
    url = f"/units/{demo['999001'].pk}/2024/"
    before = clients["reviewer"].get(url).content.decode()
    old = _stored(p).version
    Project.objects.filter(pk=p.pk).update(version=p.version + 3)  # a write that bypassed the actions
    after = clients["reviewer"].get(url).content.decode()
    assert _stored(p).version != old
    assert _categories_and_counts(after) == _categories_and_counts(before)
    box = after[after.index('id="review"') :]
    assert re.search(r'sev-error">1<.*?sev-warning">12<.*?num">2<', box, re.S)


# --------------------------------------------------------------------------------------- ranking


def test_ranking_lists_all_units_for_reviewers_worst_first(clients, demo):
    html = clients["reviewer"].get("/review/").content.decode()
    names = re.findall(r'/projects/(\d+)/#review">', html)
    assert len(names) == Project.objects.count() == 14
    grades = re.findall(r'<td><span class="grade g-(.)">', html)
    order = "差中良优"
    assert grades == sorted(grades, key=order.index)


def test_ranking_filters(clients, demo):
    c = clients["reviewer"]
    html = c.get("/review/", {"unit": demo["999001"].pk, "year": 2024}).content.decode()
    assert len(re.findall(r'#review">', html)) == 6
    html = c.get("/review/", {"severity": "error"}).content.decode()
    assert len(re.findall(r'#review">', html)) == 1 and "公务用车运行维护费" in html
    html = c.get("/review/", {"rule": "JX504"}).content.decode()
    assert len(re.findall(r'#review">', html)) == 2  # 2023 and 2024 of the same project


def test_ranking_never_shows_a_unit_user_other_units(clients, demo, edu_project):
    c = clients["market"]
    html = c.get("/review/").content.decode()
    ids = {int(i) for i in re.findall(r'/projects/(\d+)/#review">', html)}
    assert ids == set(Project.objects.filter(unit=demo["999001"]).values_list("id", flat=True))
    assert edu_project.name not in html and demo["999002"].name not in html  # nor in the unit filter
    assert c.get("/review/", {"unit": demo["999002"].pk}).status_code == 404
    assert c.get("/review/", {"unit": "x"}).status_code == 404


# ------------------------------------------------------------------------------------ catalogue


def test_rules_page_is_generated_from_the_catalogue(clients):
    from jixiao.review import RULES

    html = clients["market"].get("/review/rules/").content.decode()
    for code, r in RULES.items():
        assert f'id="{code.lower()}"' in html and escape(r.title) in html and escape(r.what) in html
    for part in ("检查什么", "为什么", "示例与改法", "依据", "未设置"):
        assert part in html


def test_settings_file_applies_to_web_review_and_shows_read_only(
    clients, demo, market_project, monkeypatch, tmp_path
):
    cfg = tmp_path / "review.toml"
    cfg.write_text(
        '[rules]\ndisable = ["JX203"]\n[thresholds]\nsatisfaction_unrealistic_at = 99\n'
        '[units."999002"]\ndisable = ["JX303"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(reviews.SETTINGS_ENV, str(cfg))
    html = clients["reviewer"].get("/review/rules/").content.decode()
    assert str(cfg) in html and "satisfaction_unrealistic_at</code> = 99" in html and "已停用" in html
    assert '<tr class="off"><td class="code"><a href="#jx203">' in html
    assert "999002" in html  # the per-unit override is listed
    assert "999002" in clients["edu"].get("/review/rules/").content.decode()  # to that unit's users
    assert "999002" not in clients["market"].get("/review/rules/").content.decode()  # not to others
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=4)
    assert {f.rule for f in reviews.project_review(p).findings} == {"JX504", "JX116"}  # JX203 switched off
    cfg.write_text('[rules]\ndisable = ["JX999"]\n', encoding="utf-8")
    html = clients["reviewer"].get("/review/rules/").content.decode()
    assert "设置文件无法使用" in html and "JX999" in html
    assert "JX203" in clients["reviewer"].get(f"/projects/{p.pk}/").content.decode()  # defaults meanwhile


# ------------------------------------------------------------------------------------- returns


def test_return_with_findings_attached_is_shown_to_the_unit(clients, users, demo):
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=4)
    _submitted(p, users["market"])
    p.refresh_from_db()
    keys = [f.key for f in reviews.project_review(p).findings][:2]
    html = clients["reviewer"].get(f"/projects/{p.pk}/").content.decode()
    for k in keys:
        assert f'name="finding" value="{k}"' in html
    r = clients["reviewer"].post(
        f"/projects/{p.pk}/return/", {"version": p.version, "comment": "请修改成本指标", "finding": keys}
    )
    assert r.status_code == 302
    h = History.objects.filter(project=p, action="return").latest("id")
    stored = next(c["new"] for c in h.changes if c["field"] == "findings")
    assert [f["key"] for f in stored] == keys and all(f["message"] and f["hint"] for f in stored)
    html = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    box = html[html.index('id="returned"') : html.index("</section>", html.index('id="returned"'))]
    assert "请修改成本指标" in box and "审核人附上的审核发现（2 条）" in box
    for f in stored:
        assert f["message"] in box


def test_only_reviewers_return_and_attach(clients, users, demo):
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=4)
    _submitted(p, users["market"])
    p.refresh_from_db()
    key = reviews.project_review(p).findings[0].key
    data = {"version": p.version, "comment": "改", "finding": [key]}
    assert clients["market"].post(f"/projects/{p.pk}/return/", data).status_code == 403
    assert clients["edu"].post(f"/projects/{p.pk}/return/", data).status_code == 404
    api = {"version": p.version, "comment": "改", "findings": [key]}
    assert (
        clients["edu"].post(f"/api/projects/{p.pk}/return", api, content_type="application/json").status_code
        == 404
    )
    assert (
        clients["market"]
        .post(f"/api/projects/{p.pk}/return", api, content_type="application/json")
        .status_code
        == 403
    )
    assert not History.objects.filter(project=p, action="return").exists()


def test_return_refuses_unknown_findings(clients, users, demo):
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=4)
    _submitted(p, users["market"])
    p.refresh_from_db()
    r = clients["reviewer"].post(
        f"/projects/{p.pk}/return/", {"version": p.version, "comment": "改", "finding": ["JX101:4:-"]}
    )
    assert r.status_code == 400 and "JX101:4:-" in r.content.decode()
    p.refresh_from_db()
    assert p.state == State.SUBMITTED
    api = clients["reviewer"].post(
        f"/api/projects/{p.pk}/return",
        {"version": p.version, "comment": "改", "findings": ["JX203:4:5"]},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    r = clients["market"].get(f"/api/projects/{p.pk}/review").json()
    assert [f["key"] for f in r["returned_with"]["findings"]] == ["JX203:4:5"]


# ------------------------------------------------------------------------------------------- API


def test_api_project_review(clients, demo, copied, edu_project):
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=4)
    r = clients["market"].get(f"/api/projects/{p.pk}/review").json()
    assert r["outcome"]["grade"] == "良" and set(r["outcome"]["headings"]) == {
        "完整性",
        "相关性",
        "适当性",
        "可行性",
    }
    assert r["counts"] == {"error": 0, "warning": 4, "hint": 0}
    assert {f["key"] for f in r["findings"]} == {"JX504:4:1", "JX203:4:5", "JX203:4:6", "JX116:4:7"}
    assert r["returned_with"] is None
    assert any(
        f["rule"] == "JX505"
        for f in clients["edu"].get(f"/api/projects/{copied.pk}/review").json()["findings"]
    )
    assert clients["market"].get(f"/api/projects/{edu_project.pk}/review").status_code == 404
    assert clients["reviewer"].get(f"/api/projects/{edu_project.pk}/review").status_code == 200


def test_api_ranking_same_permissions(clients, demo):
    r = clients["reviewer"].get("/api/review/ranking").json()
    assert r["count"] == 14 and [i["rank"] for i in r["items"]] == list(range(1, 15))
    assert r["items"][0]["grade"] == "良"
    mine = clients["market"].get("/api/review/ranking").json()
    assert mine["count"] == 10 and {i["unit_id"] for i in mine["items"]} == {demo["999001"].pk}
    assert clients["market"].get("/api/review/ranking", {"unit_id": demo["999002"].pk}).status_code == 404
    r = clients["reviewer"].get("/api/review/ranking", {"severity": "error", "year": 2024}).json()
    assert r["count"] == 1 and r["items"][0]["counts"]["error"] == 1
    assert (
        clients["reviewer"].get("/api/review/ranking", {"limit": 3, "offset": 3}).json()["items"][0]["rank"]
        == 4
    )


def test_anonymous_is_sent_to_login_or_refused(demo, market_project):
    from django.test import Client

    c = Client()
    assert c.get("/review/").status_code == 302 and c.get("/review/rules/").status_code == 302
    assert c.get(f"/api/projects/{market_project.pk}/review").status_code == 401
    assert c.get("/api/review/ranking").status_code == 401


# ------------------------------------------------------------------------------ review never writes


def _snapshot():
    """Every domain row; the stored reviews (`ReviewResult`) are derived data that a page refreshes
    when they are stale, so they are left out."""
    out = {}
    for model in apps.get_app_config("web").get_models():
        if model is ReviewResult:
            continue
        out[model.__name__] = sorted((tuple(sorted(r.items())) for r in model.objects.values()), key=repr)
    return out


def test_viewing_review_pages_and_api_changes_no_row(clients, demo, copied, monkeypatch, tmp_path):
    before = _snapshot()
    ids = list(Project.objects.values_list("id", flat=True))
    for name in ("reviewer", "market", "admin"):
        c = clients[name]
        for url in [
            "/review/",
            "/review/?severity=warning",
            "/review/rules/",
            "/api/review/ranking",
            f"/units/{demo['999001'].pk}/2024/",
            f"/units/{demo['999002'].pk}/2025/",
        ]:
            c.get(url)
        for pid in ids:
            c.get(f"/projects/{pid}/")
            c.get(f"/api/projects/{pid}/review")
    assert _snapshot() == before


def test_cli_review_of_a_unit_matches_the_web_with_the_same_settings(demo, capsys, monkeypatch, tmp_path):
    """`jixiao review --unit CODE --year Y` reads the stored unit-year; $JIXIAO_REVIEW_CONFIG applies to
    it as to the pages (unless --config names another file)."""
    import json

    from jixiao.cli.main import main

    def cli_keys(*extra):
        assert main(["review", "--unit", "999001", "--year", "2024", "--format", "json", *extra]) == 0
        return sorted(f["key"] for f in json.loads(capsys.readouterr().out))

    def web_keys():
        reviews.clear_cache()
        out = []
        for p in Project.objects.filter(unit=demo["999001"], year=2024):
            out += [f.key for f in reviews.project_review(p).findings]
        return sorted(out)

    assert cli_keys() == web_keys() and any(k.startswith("JX303") for k in web_keys())
    cfg = tmp_path / "review.toml"
    cfg.write_text('[rules]\ndisable = ["JX303"]\n', encoding="utf-8")
    monkeypatch.setenv(reviews.SETTINGS_ENV, str(cfg))
    assert cli_keys() == web_keys() and not any(k.startswith("JX303") for k in web_keys())
    other = tmp_path / "none.toml"
    other.write_text("", encoding="utf-8")
    assert any(k.startswith("JX303") for k in cli_keys("--config", str(other)))


def test_unit_years_are_read_as_the_cli_reads_them(demo, copied):
    from jixiao.web.convert import disclosure_from_orm
    from jixiao.web.models import Disclosure

    ds = list(Disclosure.objects.all())
    loaded = reviews._load([d.pk for d in ds])
    prints = reviews._fingerprints([d.pk for d in ds])
    for d in ds:
        doc, pids, version, _history = loaded[d.pk]
        assert doc == disclosure_from_orm(d)
        assert version == prints[d.pk]  # what a cached review is checked against
        assert pids == list(d.projects.order_by("seq", "id").values_list("id", flat=True))


def test_project_page_review_equals_the_full_unit_year_review(demo, copied, monkeypatch, tmp_path):
    """The project page reads the stored review: the findings and outcome must be those of a fresh
    review of the whole unit-year, with or without settings."""
    from jixiao.review import review_document

    cfg = tmp_path / "review.toml"
    cfg.write_text(
        '[rules.severity]\nJX505 = "hint"\n[thresholds]\ncopied_set_similarity = 0.3\n'
        '[units."999001"]\ndisable = ["JX203", "JX505"]\n[units."999003"]\nenable = ["JX203"]\n'
    )
    for env in (None, str(cfg)):
        if env:
            monkeypatch.setenv(reviews.SETTINGS_ENV, env)
        for p in Project.objects.select_related("unit"):
            reviews.clear_cache()
            own = reviews.project_review(p)
            doc, pids, _fp, history = reviews._load([p.disclosure_id])[p.disclosure_id]
            fresh = review_document(doc, reviews.review_settings().settings, history)
            full = dict(zip(pids, fresh.projects, strict=True))[p.pk]
            assert own.findings == full.findings and own.outcome == full.outcome, p.name
            assert reviews.unit_year_review(p.disclosure_id).result.findings == fresh.findings
            assert reviews.project_review(p).findings == full.findings  # from the unit-year cache
    assert any(f.rule == "JX505" for f in reviews.project_review(copied).findings)


def test_project_review_follows_changes_in_the_other_projects(clients, demo, copied):
    twin = Project.objects.get(unit=demo["999002"], year=2025, seq=copied.seq - 1)
    assert "JX505" in {f.rule for f in reviews.project_review(twin).findings}
    assert reviews.project_review(twin).review is reviews.project_review(twin).review  # cached
    rows = [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": f"新指标{i}",
            "value": f"≥{i}个",
            "basis": "计划",
        }
        for i in range(1, 6)
    ]
    actions.edit_project(
        None,
        copied.pk,
        actions.ProjectEdit(
            version=copied.version, indicators=tuple(actions.IndicatorRow(**r) for r in rows)
        ),
    )
    assert "JX505" not in {f.rule for f in reviews.project_review(twin).findings}
    assert "JX505" not in clients["edu"].get(f"/projects/{twin.pk}/").content.decode()


# ---------------------------------------------------------------------------------- stored reviews


def _stored(project):
    return ReviewResult.objects.get(project=project)


def _stored_rules(disclosure_id):
    return [
        f["rule"]
        for fs in ReviewResult.objects.filter(disclosure_id=disclosure_id).values_list("findings", flat=True)
        for f in fs
    ]


def test_reviews_are_stored_on_import_and_read_by_the_pages(clients, demo, copied, monkeypatch):
    """Import stores each project's findings, grades and counts and the unit-year's own findings;
    the pages and the API then review nothing."""
    for p in Project.objects.all():
        r = _stored(p)
        assert r.disclosure_id == p.disclosure_id and r.grade in {"优", "良", "中", "差"}
        assert set(r.headings) and sum(r.counts.values()) == len(r.findings)
    years = Project.objects.values("disclosure").distinct().count()
    assert ReviewResult.objects.filter(project=None).count() == years
    assert "JX505" in {f["rule"] for f in _stored(copied).findings}

    def boom(*_a, **_k):
        raise AssertionError("reviewed while reading")

    reviews.clear_cache()
    monkeypatch.setattr(reviews, "review_document", boom)
    html = clients["edu"].get(f"/projects/{copied.pk}/").content.decode()
    assert "JX505" in html
    html = clients["reviewer"].get(f"/units/{demo['999001'].pk}/2024/").content.decode()
    assert 'id="review"' in html
    assert clients["reviewer"].get(f"/api/projects/{copied.pk}/review").json()["findings"]
    assert clients["reviewer"].get("/api/review/ranking").status_code == 200
    assert clients["reviewer"].get("/review/").status_code == 200


def test_reviews_are_stored_on_edit_and_workflow(demo, copied):
    twin = Project.objects.get(unit=demo["999002"], year=2025, seq=copied.seq - 1)
    before = _stored(twin).version
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "name": f"新指标{i}", "value": f"≥{i}", "basis": "计划"}
        for i in range(1, 6)
    ]
    actions.edit_project(
        None,
        copied.pk,
        actions.ProjectEdit(
            version=copied.version, indicators=tuple(actions.IndicatorRow(**r) for r in rows)
        ),
    )
    # the other project of the unit-year is stored again too (JX505 compared it with this one)
    assert _stored(twin).version != before
    assert "JX505" not in {f["rule"] for f in _stored(twin).findings}
    assert {f["indicator"] for f in _stored(copied).findings if f["indicator"]} <= {r["name"] for r in rows}
    copied.refresh_from_db()
    v = _stored(copied).version
    actions.submit_project(None, copied.pk, version=copied.version)
    assert _stored(copied).version != v
    reviews.clear_cache()
    pf = reviews.project_review(copied)
    assert [f.to_dict() for f in pf.findings] == _stored(copied).findings


def test_unit_year_version_from_loaded_projects_equals_the_aggregate(demo, copied):
    """The unit-year page computes the review version from the projects it loaded; it must be the
    version the aggregate query gives (on SQLite and PostgreSQL alike), before and after an edit."""
    from jixiao.web.models import Disclosure

    def check():
        for d in Disclosure.objects.all():
            ps = list(Project.objects.filter(disclosure=d).values_list("id", "version", "updated_at"))
            if ps:
                stamp = reviews.histories([d.pk]).get(d.pk, (reviews.NO_HISTORY, None))[0]
                loaded = reviews.fingerprint_of(ps, d.imported_at) + stamp
                assert loaded == reviews._fingerprints([d.pk])[d.pk]

    check()
    actions.edit_project(None, copied.pk, actions.ProjectEdit(version=copied.version, goal="改过的目标"))
    check()


def test_stale_or_missing_stored_reviews_are_refreshed(demo, copied):
    twin = Project.objects.get(unit=demo["999002"], year=2025, seq=copied.seq - 1)
    # a write that bypassed the actions: the stored version no longer matches the unit-year's
    Project.objects.filter(pk=copied.pk).update(version=copied.version + 5)
    old = _stored(twin).version
    reviews.clear_cache()
    assert "JX505" in {f.rule for f in reviews.project_review(twin).findings}
    assert _stored(twin).version != old and _stored(copied).version == _stored(twin).version
    # missing rows: stored again by the first reader
    ReviewResult.objects.filter(disclosure_id=copied.disclosure_id).delete()
    reviews.clear_cache()
    uy = reviews.unit_year_review(copied.disclosure_id)
    n = Project.objects.filter(disclosure_id=copied.disclosure_id).count()
    assert len(uy.project_ids) == n
    assert ReviewResult.objects.filter(disclosure_id=copied.disclosure_id).count() == n + 1
    reviews.clear_cache()
    again = reviews.unit_year_review(copied.disclosure_id)
    assert again.result.findings == uy.result.findings
    assert [p.outcome for p in again.result.projects] == [p.outcome for p in uy.result.projects]


def test_the_project_page_refreshes_stale_or_missing_stored_reviews(clients, demo, copied):
    """The page reads the unit-year's version and the stored row with its project: a stale or
    missing row is reviewed again, stored and shown, as `project_review` does."""
    twin = Project.objects.get(unit=demo["999002"], year=2025, seq=copied.seq - 1)
    url = f"/projects/{twin.pk}/"
    Project.objects.filter(pk=copied.pk).update(version=copied.version + 5)  # past the actions
    old = _stored(twin).version
    reviews.clear_cache()
    assert "JX505" in clients["edu"].get(url).content.decode()
    assert _stored(twin).version != old and _stored(copied).version == _stored(twin).version
    ReviewResult.objects.filter(disclosure_id=copied.disclosure_id).delete()
    reviews.clear_cache()
    assert "JX505" in clients["edu"].get(url).content.decode()
    n = Project.objects.filter(disclosure_id=copied.disclosure_id).count()
    assert ReviewResult.objects.filter(disclosure_id=copied.disclosure_id).count() == n + 1


def test_a_settings_change_is_picked_up_by_the_stored_reviews(clients, demo, monkeypatch, tmp_path):
    import os

    did = Project.objects.filter(unit=demo["999001"], year=2024).first().disclosure_id
    assert "JX303" in _stored_rules(did)
    cfg = tmp_path / "review.toml"
    cfg.write_text('[rules]\ndisable = ["JX303"]\n', encoding="utf-8")
    monkeypatch.setenv(reviews.SETTINGS_ENV, str(cfg))
    clients["reviewer"].get(f"/units/{demo['999001'].pk}/2024/")
    assert "JX303" not in _stored_rules(did)
    # the file changes again (same path, as an operator edits it): picked up without a restart
    cfg.write_text("# all rules\n", encoding="utf-8")
    os.utime(cfg, ns=(1, 1))
    for q in Project.objects.filter(disclosure_id=did):
        clients["reviewer"].get(f"/projects/{q.pk}/")
    assert "JX303" in _stored_rules(did)
