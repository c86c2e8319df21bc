"""An attacker's walk over every route: a unit user naming another unit's objects (in the path, the
query string, the form or JSON body, a job id) gets 404 and changes nothing; another unit's drafts
(草稿) never show through a list, a search, a comparison, the library or an error message; anonymous
readers see published data only. `test_every_route_is_in_the_table` keeps the table whole: a new
route fails it until it is added here with what each role may do with it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jixiao import model as m
from jixiao.web import actions
from jixiao.web.models import Indicator, MonitoringSnapshot, Project, State

pytestmark = pytest.mark.django_db

SECRET = "机密草稿项目甲"  # the foreign draft project's name: must never reach the market user
SECRET_IND = "机密草稿指标乙"  # one of its indicators' names


@pytest.fixture
def foreign(demo, users):
    """Objects of 999002 (教育局): a draft project with a marked name, its indicator, an approved
    project with monitoring and a self-evaluation, and an export job of the edu user."""
    from jixiao.web.models import Disclosure
    from jixiao.web.tasks import start_export
    from tests.web.test_import_safety import _enter_cycle

    edu = demo["999002"]
    projects = list(Project.objects.filter(unit=edu, year=2024).order_by("seq"))
    approved = next(p for p in projects[1:] if _enter_cycle(p))
    draft = projects[0]
    Project.objects.filter(pk=draft.pk).update(name=SECRET, title=SECRET)
    ind = Indicator.objects.filter(project=draft).order_by("seq").first()
    Indicator.objects.filter(pk=ind.pk).update(name=SECRET_IND)
    snap = MonitoringSnapshot.objects.filter(project_id=approved.pk).first()
    job = start_export(users["edu"], {"project": approved.pk}, "targets", "docx", "教育局导出")
    return {
        "unit": edu.pk,
        "year": 2024,
        "project": draft.pk,
        "approved": approved.pk,
        "indicator": ind.pk,
        "snapshot": snap.pk,
        "disclosure": Disclosure.objects.get(unit=edu, year=2024).pk,
        "job": job.pk,
    }


# every route by name: (method, path with {placeholders}) a unit user of another unit tries, with
# the statuses allowed; "public" routes answer anyone with published data only (checked below)
FOREIGN_GETS = [
    "/units/{unit}/",
    "/units/{unit}/{year}/",
    "/units/{unit}/{year}/export/targets.xlsx",
    "/units/{unit}/{year}/export/targets.html",
    "/units/{unit}/{year}/export/targets.docx",
    "/units/{unit}/{year}/template/monitor.xlsx",
    "/units/{unit}/{year}/template/selfeval.xlsx",
    "/projects/{project}/",
    "/projects/{approved}/monitor/",
    "/projects/{approved}/selfeval/",
    "/projects/{project}/export/targets.xlsx",
    "/projects/{approved}/export/monitor.xlsx",
    "/projects/{approved}/export/selfeval.pdf",
    "/projects/{project}/years/",
    "/compare/{indicator}/",
    "/public/compare/{indicator}/",
    "/public/projects/{project}/",
    "/monitoring/?unit={unit}",
    "/review/?unit={unit}",
    "/jobs/{job}/",
    "/jobs/{job}/status",
    "/jobs/{job}/download",
    "/api/projects/{project}",
    "/api/projects/{project}/history",
    "/api/projects/{project}/review",
    "/api/projects/{approved}/monitoring",
    "/api/projects/{approved}/selfeval",
    "/api/disclosures/{disclosure}",
    "/api/corpus/compare/{indicator}",
    "/api/review/ranking?unit_id={unit}",
    # the readers' API: another unit's self-evaluation, not published, is one nobody has
    "/api/public/projects/{approved}/selfeval",
]
FOREIGN_POSTS = [
    ("/projects/{project}/edit/", {"version": "1", "name": "x", "rows": "0"}),
    ("/projects/{project}/submit/", {"version": "1"}),
    ("/projects/{project}/return/", {"version": "1", "comment": "x"}),
    ("/projects/{project}/approve/", {"version": "1"}),
    ("/projects/{approved}/monitor/", {"as_of": "2024-08-31", "executed": "1"}),
    ("/projects/{approved}/selfeval/", {"adjusted": "1", "executed": "1"}),
    ("/projects/{approved}/export/targets.docx", {}),
    ("/units/{unit}/{year}/export/targets.docx", {}),
    ("/monitoring/{snapshot}/outcome/", {"outcome": "continue"}),
    ("/units/{unit}/projects/new/", {"year": "2025", "name": "他人单位的新项目"}),
    ("/projects/{approved}/selfeval/publish/", {}),
    ("/projects/{approved}/selfeval/withdraw/", {}),
    ("/projects/{project}/delete/", {"version": "1", "confirm": "1"}),
]
FOREIGN_API_WRITES = [
    ("patch", "/api/projects/{project}", {"version": 1, "goal": "x"}),
    ("post", "/api/projects/{project}/submit", {}),
    ("post", "/api/projects/{approved}/monitoring", {"as_of": "2024-08-31", "executed": "1", "rows": []}),
    ("post", "/api/projects/{approved}/selfeval", {"adjusted": "1", "executed": "1", "rows": []}),
    ("post", "/api/monitoring/{snapshot}/outcome", {"outcome": "continue"}),
    ("post", "/api/projects/{approved}/selfeval/publish", {}),
    ("post", "/api/projects/{approved}/selfeval/withdraw", {}),
    ("delete", "/api/projects/{project}", {}),
]

# routes whose objects all come from the query string or a form (checked by the leak tests below),
# or that hold no unit data
OTHER_ROUTES = {
    "home",
    "favicon",
    "units",
    "login",
    "logout",
    "project_transition",  # FOREIGN_POSTS: submit / return / approve
    "library",
    "public_home",
    "public_unit_year",
    "public_search",
    "public_library",
    "monitoring_list",
    "selfeval_list",  # own units only: tests/web/test_walk_selfeval_list.py
    "selfeval_check",  # a page uploaded and checked: no database (tests/web/test_selfeval_check_web.py)
    "selfeval_check_export",  # the check of the tables the form carries, recomputed: no database
    "monitoring_check",  # a page uploaded and its lights shown: no database (test_monitoring_check_web.py)
    "cycle_upload",
    "search",
    "search_export",
    "review_ranking",
    "review_rules",
    "upload",
    "jobs",
    "review_start",
    "job_status",
    "job_download",
    "unit_template",
}


def _route_names() -> set[str]:
    out: set[str] = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in (None,) and p.app_name is None:
                    walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                out.add(p.name)

    walk(get_resolver().url_patterns)
    return out


def _names_in_table() -> set[str]:
    from django.urls import resolve

    names = set(OTHER_ROUTES)
    for url in FOREIGN_GETS + [u for u, _ in FOREIGN_POSTS]:
        path = url.split("?")[0].format(
            **dict.fromkeys(("unit", "project", "approved", "indicator", "job", "snapshot", "disclosure"), 1),
            year=2024,
        )
        if not path.startswith("/api/"):
            names.add(resolve(path).url_name)
    return names


def test_the_edit_page_asked_by_get_redirects_alike_for_any_id(clients, foreign):
    """A GET of the edit route shows nothing: it sends to the project page (a 404 for another
    unit's project), the same for a project that does not exist."""
    for pid in (foreign["project"], 10**9):
        r = clients["market"].get(f"/projects/{pid}/edit/")
        assert r.status_code == 302 and r["Location"] == f"/projects/{pid}/"


def test_every_route_is_in_the_table():
    assert _route_names() - _names_in_table() == set()


def _fmt(url: str, ids: dict) -> str:
    return url.format(**ids)


@pytest.mark.parametrize("url", FOREIGN_GETS)
def test_reads_of_another_units_objects_are_not_found(clients, foreign, url):
    r = clients["market"].get(_fmt(url, foreign))
    assert r.status_code == 404, (url, r.status_code, r.content[:300])
    assert SECRET not in r.content.decode(errors="replace")


@pytest.mark.parametrize(("url", "data"), FOREIGN_POSTS)
def test_page_writes_on_another_units_objects_are_not_found(clients, foreign, url, data):
    before = _state(foreign)
    r = clients["market"].post(_fmt(url, foreign), data)
    assert r.status_code == 404, (url, r.status_code, r.content[:300])
    assert _state(foreign) == before


@pytest.mark.parametrize(("method", "url", "body"), FOREIGN_API_WRITES)
def test_api_writes_on_another_units_objects_are_not_found(clients, foreign, method, url, body):
    before = _state(foreign)
    r = getattr(clients["market"], method)(
        _fmt(url, foreign), json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 404, (url, r.status_code, r.content[:300])
    assert _state(foreign) == before


def _state(ids: dict) -> tuple:
    from jixiao.web.jobs.models import Job
    from jixiao.web.models import History, SelfEvaluation

    return (
        list(
            Project.objects.filter(unit_id=ids["unit"])
            .order_by("pk")
            .values_list("pk", "version", "state", "name")
        ),
        list(MonitoringSnapshot.objects.order_by("pk").values_list("pk", "as_of", "outcome", "executed")),
        list(SelfEvaluation.objects.order_by("pk").values_list("pk", "total", "published_at")),
        History.objects.count(),
        Job.objects.count(),
    )


def _leaks(c: Client, foreign: dict) -> list[str]:
    """Every list, search and comparison page and endpoint the market user can reach, asked in ways
    that would match the foreign draft: the URLs whose answer names it."""
    market = Project.objects.filter(unit__code="999001").order_by("pk")
    own_ind = Indicator.objects.filter(project__in=market).order_by("pk").first()
    urls = [
        "/",
        "/units/",
        "/search/?q=机密",
        f"/search/?q=机密&unit=id:{foreign['unit']}",
        "/search/?q=机密&exact=1",
        "/search/export.xlsx?q=机密",
        "/library/?words=机密",
        "/library/?words=机密草稿",
        "/public/?q=教育",
        "/public/search/?q=机密",
        "/public/library/?words=机密",
        f"/public/units/{foreign['unit']}/2024/",
        f"/compare/{own_ind.pk}/",
        f"/compare/{own_ind.pk}/?same_name=1",
        "/monitoring/",
        "/review/",
        "/review/rules/",
        "/jobs/",
        "/api/units",
        "/api/projects?q=机密",
        "/api/projects?limit=500",
        "/api/disclosures",
        "/api/monitoring",
        "/api/review/ranking?limit=1000",
        "/api/library?words=机密",
        f"/api/corpus/compare/{own_ind.pk}",
    ]
    out = []
    for url in urls:
        r = c.get(url)
        body = r.content
        if url.endswith(".xlsx") or "export.xlsx" in url:
            body = _xlsx_text(body)
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
        if SECRET in text or SECRET_IND in text:
            out.append(url)
    return out


def _xlsx_text(data: bytes) -> bytes:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return b"".join(zf.read(n) for n in zf.namelist())
    except zipfile.BadZipFile:
        return data


def test_another_units_drafts_show_through_no_list_search_or_comparison(clients, foreign):
    assert _leaks(clients["market"], foreign) == []
    assert _leaks(Client(), foreign) == []  # anonymous readers: published data only
    # the check can see: the reviewer and the draft's own unit find it
    assert "/search/?q=机密" in _leaks(clients["reviewer"], foreign)
    assert "/search/?q=机密" in _leaks(clients["edu"], foreign)


def test_a_deactivated_user_or_a_changed_role_acts_no_more_with_an_open_session(clients, users, foreign):
    from jixiao.web.models import User

    c = clients["edu"]
    assert c.get(f"/projects/{foreign['project']}/").status_code == 200
    User.objects.filter(pk=users["edu"].pk).update(is_active=False)
    r = c.get(f"/projects/{foreign['project']}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert c.get(f"/api/projects/{foreign['project']}").status_code == 401
    User.objects.filter(pk=users["edu"].pk).update(is_active=True)
    users["edu"].units.clear()
    assert c.get(f"/projects/{foreign['project']}/").status_code == 404
    # a reviewer made a unit user of another unit: the drafts of the rest are gone from view
    User.objects.filter(pk=users["reviewer"].pk).update(role="unit")
    users["reviewer"].units.set([users["market"].units.first()])
    assert clients["reviewer"].get(f"/projects/{foreign['project']}/").status_code == 404
    assert (
        clients["reviewer"].post(f"/projects/{foreign['project']}/approve/", {"version": "1"}).status_code
        == 404
    )
    assert Project.objects.get(pk=foreign["project"]).state == State.DRAFT


@pytest.mark.parametrize("url", ["/public/?q=", "/public/search/?q=", "/public/library/?words="])
def test_readers_query_texts_are_cut_as_the_search_pages(demo, url):
    """No login: a query text is kept to 100 characters as the signed-in search keeps it (a text
    of 100 kB was searched and written back into the page whole)."""
    long = "满意度" + "甲" * 5000
    r = Client().get(url + long)
    assert r.status_code == 200
    html = r.content.decode()
    assert "满意度" + "甲" * 97 in html and "甲" * 98 not in html


@pytest.mark.parametrize(
    "url",
    [
        "/api/units?q=",
        "/api/projects?q=",
        "/api/projects?unit=",
        "/api/disclosures?unit=",
        "/api/monitoring?light=",
        "/api/review/ranking?rule=",
        "/api/library?words=",
        "/api/library?department=",
    ],
)
def test_api_query_texts_are_bounded(clients, url):
    """A search text of 5,000 characters is refused (422, in Chinese), not searched."""
    r = clients["admin"].get(url + "满" * 5000)
    assert r.status_code == 422, (url, r.status_code)
    assert "不能超过 200 字" in r.json()["detail"]
    at_limit = clients["admin"].get(url + "满" * 200)
    # 200 characters pass the bound; a filter with a fixed set of values (light, rule) then refuses
    # the unknown value itself
    assert at_limit.status_code == 200 or (
        at_limit.status_code == 422 and "不能超过" not in at_limit.json()["detail"]
    ), (url, at_limit.status_code)


XSS = '<img src=x onerror="alert(1)">'


def test_hostile_text_in_every_field_is_escaped_on_every_page(clients, demo, users, market_project):
    """Names, values, goals and notes as a hostile document or user would write them: every page,
    the printable table and the downloads show them as text, never as markup."""
    from jixiao.web.models import Disclosure, History, SelfEvaluation, Unit
    from tests.web.test_import_safety import _enter_cycle

    p = market_project
    assert _enter_cycle(p)
    p.refresh_from_db()
    Unit.objects.filter(pk=p.unit_id).update(name=f"单位{XSS}")
    Project.objects.filter(pk=p.pk).update(
        name=f"项目{XSS}", title=f"项目{XSS}", code=f"C{XSS}", purpose=XSS, goal=XSS, state=State.PUBLISHED
    )
    Indicator.objects.filter(project=p).update(
        name=f"指标{XSS}", value=f"≥95%{XSS}", description=XSS, basis=XSS
    )
    Disclosure.objects.filter(pk=p.disclosure_id).update(overall_goal=XSS, source=f"{XSS}.docx")
    History.objects.filter(project=p).update(summary=XSS, username=XSS)
    MonitoringSnapshot.objects.filter(project=p).update(
        outcome="adjust", outcome_note=XSS, reason_text=XSS, measures=XSS
    )
    SelfEvaluation.objects.filter(project=p).update(goal_actual=XSS, execution_reason=XSS)
    ind = Indicator.objects.filter(project=p).order_by("seq").first()
    u, y = p.unit_id, p.year
    urls = [
        "/",
        "/units/",
        f"/units/{u}/",
        f"/units/{u}/{y}/",
        f"/units/{u}/{y}/export/targets.html",
        f"/projects/{p.pk}/",
        f"/projects/{p.pk}/monitor/",
        f"/projects/{p.pk}/selfeval/",
        f"/projects/{p.pk}/years/",
        f"/projects/{p.pk}/export/targets.html",
        f"/compare/{ind.pk}/",
        f"/public/compare/{ind.pk}/",
        "/library/?words=项目",
        "/public/",
        "/public/search/?q=指标",
        f"/public/units/{u}/{y}/",
        f"/public/projects/{p.pk}/",
        "/search/?q=指标",
        f"/search/?unit=id:{u}",
        "/monitoring/",
        "/review/",
        f"/search/?q={XSS}",
        f"/public/search/?q={XSS}",
    ]
    for url in urls:
        r = clients["admin"].get(url, follow=True)
        assert r.status_code == 200, (url, r.status_code)
        html = r.content.decode()
        assert XSS not in html and "<img src=x" not in html, url
        assert (
            "onerror=&#34;" in html or "onerror=&quot;" in html or url.startswith("/public/search/?q=指标")
        ), url


FORMULAS = ['=HYPERLINK("http://evil.example","点")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_no_download_carries_a_formula_from_data(clients, market_project):
    """Every .xlsx the pages write (tables, templates, the search export) with formula-like names,
    values and notes: no cell is a formula, and a text cell starting like one keeps Excel's quote."""
    import io
    import re
    import zipfile

    from jixiao.web.models import SelfEvaluation, Unit
    from tests.web.test_import_safety import _enter_cycle

    p = market_project
    assert _enter_cycle(p)
    p.refresh_from_db()
    Unit.objects.filter(pk=p.unit_id).update(name=FORMULAS[0])
    Project.objects.filter(pk=p.pk).update(name=FORMULAS[1], goal=FORMULAS[2], purpose=FORMULAS[3])
    for ind, text in zip(Indicator.objects.filter(project=p).order_by("seq"), FORMULAS * 10, strict=False):
        Indicator.objects.filter(pk=ind.pk).update(name=f"{text}指标", description=text)
    MonitoringSnapshot.objects.filter(project=p).update(reason_text=FORMULAS[4], measures=FORMULAS[5])
    SelfEvaluation.objects.filter(project=p).update(goal_actual=FORMULAS[0])
    u, y = p.unit_id, p.year
    urls = [f"/units/{u}/{y}/export/{k}.xlsx" for k in ("targets", "monitor", "selfeval", "summary")]
    urls += [f"/projects/{p.pk}/export/{k}.xlsx" for k in ("targets", "monitor", "selfeval")]
    urls += [f"/units/{u}/{y}/template/{k}.xlsx" for k in ("monitor", "selfeval")]
    urls += ["/search/export.xlsx?q=指标"]
    for url in urls:
        r = clients["admin"].get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:200])
        with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
            sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
            strings = (
                zf.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in zf.namelist() else ""
            )
        text = "".join(sheets)
        formulas = re.findall(r"<f>(.*?)</f>", text)
        assert not [f for f in formulas if "HYPERLINK" in f or "evil" in f or f in ("1+1", "SUM(A1)")], url
        assert "HYPERLINK" in strings + text, url  # the data is there, as text


def test_each_role_is_refused_what_it_may_not_do_on_what_it_sees(clients, users, market_project):
    """Reviewers read and decide but never enter data; unit users enter data but never decide;
    neither administers. Each refusal changes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.test_import_safety import _enter_cycle

    assert _enter_cycle(market_project)
    p = Project.objects.get(pk=market_project.pk)
    snap = MonitoringSnapshot.objects.filter(project=p).first()
    ids = {"unit": p.unit_id}
    before = _state(ids)
    reviewer, unit = clients["reviewer"], clients["market"]
    monitor = {"as_of": "2024-08-31", "executed": "1"}
    selfeval = {"adjusted": "1", "executed": "1"}
    for c, method, url, data in [
        (reviewer, "post", f"/projects/{p.pk}/monitor/", monitor),
        (reviewer, "post", f"/projects/{p.pk}/selfeval/", selfeval),
        (reviewer, "post", "/upload/", {"files": [SimpleUploadedFile("a.txt", b"x")]}),
        (reviewer, "post", "/cycle/upload/", {"file": SimpleUploadedFile("a.xlsx", b"x")}),
        (reviewer, "post", "/api/import", {"files": [SimpleUploadedFile("a.txt", b"x")]}),
        (reviewer, "post", "/api/cycle/import", {"file": SimpleUploadedFile("a.xlsx", b"x")}),
        (unit, "post", f"/monitoring/{snap.pk}/outcome/", {"outcome": "suspend", "outcome_note": "x"}),
        (unit, "post", f"/projects/{p.pk}/return/", {"version": str(p.version), "comment": "x"}),
        (unit, "post", f"/projects/{p.pk}/approve/", {"version": str(p.version)}),
    ]:
        r = getattr(c, method)(url, data)
        assert r.status_code == 403, (url, r.status_code, r.content[:200])
    for c, method, url, body in [
        (reviewer, "post", f"/api/projects/{p.pk}/monitoring", {**monitor, "rows": []}),
        (reviewer, "post", f"/api/projects/{p.pk}/selfeval", {**selfeval, "rows": []}),
        (unit, "post", f"/api/monitoring/{snap.pk}/outcome", {"outcome": "suspend", "note": "x"}),
        (unit, "post", f"/api/projects/{p.pk}/approve", {"version": p.version}),
    ]:
        r = getattr(c, method)(url, json.dumps(body), content_type="application/json")
        assert r.status_code == 403, (url, r.status_code, r.content[:200])
    assert unit.post("/jobs/review/", {}).status_code == 404
    for c in (reviewer, unit):
        r = c.get("/admin/")
        assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
    assert _state(ids) == before


def test_unit_users_are_not_shown_the_review_settings_files_place(clients, monkeypatch, tmp_path, demo):
    """The settings file's path on the server and its reader's error (which quotes the file) are for
    reviewers and administrators; a unit user is told that it is not used."""
    from jixiao.web.lib import reviews

    cfg = tmp_path / "secret-dir" / "review.toml"
    cfg.parent.mkdir()
    cfg.write_text('[rules]\ndisable = ["JX999"]\n', encoding="utf-8")
    monkeypatch.setenv(reviews.SETTINGS_ENV, str(cfg))
    html = clients["market"].get("/review/rules/").content.decode()
    assert "设置文件无法使用" in html and "请联系管理员" in html
    assert "secret-dir" not in html and "JX999" not in html
    html = clients["reviewer"].get("/review/rules/").content.decode()
    assert "secret-dir" in html and "JX999" in html


@pytest.mark.parametrize(
    "nxt", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example"]
)
def test_no_redirect_leaves_the_site(users, clients, market_project, nxt):
    from tests.web.test_import_safety import _enter_cycle

    def stays(r):
        loc = r.get("Location") or ""
        return r.status_code == 302 and loc.startswith("/") and not loc.startswith("//") and "\\\\" not in loc

    c = Client()
    assert stays(c.post(f"/login/?next={nxt}", {"username": "market", "password": "pw-123456", "next": nxt}))
    assert stays(c.post(f"/logout/?next={nxt}", {"next": nxt}))
    assert _enter_cycle(market_project)
    snap = MonitoringSnapshot.objects.filter(project=market_project).first()
    r = clients["reviewer"].post(f"/monitoring/{snap.pk}/outcome/", {"outcome": "continue", "next": nxt})
    assert stays(r)


@pytest.mark.parametrize(("field", "label"), [("goal", "绩效目标"), ("purpose", "资金用途")])
def test_a_projects_long_texts_are_bounded(clients, market_project, field, label):
    """A goal of megabytes (up to the 21 MB a request may carry) was stored, reviewed at each save
    (1.4 s of CPU for a million characters) and shown whole to every reviewer; 20,000 characters
    is far beyond any table's."""
    p = market_project
    r = clients["market"].patch(
        f"/api/projects/{p.pk}",
        json.dumps({"version": p.version, field: "长" * 20001}),
        content_type="application/json",
    )
    assert r.status_code == 400 and f"{label}不能超过 20000 字" in r.json()["detail"]
    r = clients["market"].patch(
        f"/api/projects/{p.pk}",
        json.dumps({"version": p.version, field: "长" * 20000}),
        content_type="application/json",
    )
    assert r.status_code == 200


def test_an_indicators_long_texts_are_bounded(clients, market_project):
    p = market_project
    rows = [
        {"id": i.pk, "level1": i.level1, "level2": i.level2, "name": i.name, "value": i.value}
        for i in p.indicators.order_by("seq")
    ]
    rows[0]["description"] = "长" * 20001
    r = clients["market"].patch(
        f"/api/projects/{p.pk}",
        json.dumps({"version": p.version, "indicators": rows}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "指标描述不能超过 20000 字" in r.json()["detail"]


def test_monitoring_selfeval_and_review_texts_are_bounded(clients, market_project, demo):
    """The free texts of monitoring, self-evaluation, outcomes and returns: at most 20,000
    characters each, refused in Chinese (400) and nothing saved."""
    from jixiao.web.models import History, SelfEvaluation
    from tests.web.test_import_safety import _enter_cycle

    long = "长" * 20001
    p = market_project
    assert _enter_cycle(p)
    n = p.indicators.count()
    snap = MonitoringSnapshot.objects.filter(project=p).first()
    submitted = Project.objects.filter(unit=demo["999001"], year=2024).exclude(pk=p.pk).first()
    submitted = actions.submit_project(None, submitted.pk)
    before = _state({"unit": p.unit_id})
    monitor = {"as_of": "2024-08-31", "executed": "1", "rows": [{"actual": "1"}] * n}
    selfeval = {"adjusted": "100", "executed": "99", "rows": [{"actual": "1"}] * n}
    cases = [
        (f"/api/projects/{p.pk}/monitoring", {**monitor, "deviation": {"reason_text": long}}, "偏差原因说明"),
        (f"/api/projects/{p.pk}/monitoring", {**monitor, "deviation": {"measures": long}}, "整改措施"),
        (f"/api/projects/{p.pk}/selfeval", {**selfeval, "goal_actual": long}, "总体目标实际完成情况"),
        (f"/api/projects/{p.pk}/selfeval", {**selfeval, "execution_reason": long}, "执行率偏差原因"),
        (
            f"/api/projects/{p.pk}/selfeval",
            {**selfeval, "rows": [{"actual": "1", "reason": long}] * n},
            "偏差原因",
        ),
        (f"/api/monitoring/{snap.pk}/outcome", {"outcome": "adjust", "note": long}, "处理意见说明"),
        (
            f"/api/projects/{submitted.pk}/return",
            {"version": submitted.version, "comment": long},
            "退回意见",
        ),
    ]
    for url, body, label in cases:
        c = clients["reviewer"] if "outcome" in url or "return" in url else clients["market"]
        r = c.post(url, json.dumps(body), content_type="application/json")
        assert r.status_code == 400, (url, r.status_code, r.content[:200])
        assert f"{label}不能超过 20000 字" in r.json()["detail"], (url, r.json()["detail"][:200])
    assert _state({"unit": p.unit_id}) == before
    assert SelfEvaluation.objects.filter(project=p).count() == 1 and History.objects.count() == before[3]


@pytest.mark.parametrize("url", FOREIGN_GETS)
def test_another_units_object_answers_as_one_that_does_not_exist(clients, foreign, url):
    """The 404 of another unit's object is the 404 of an id nobody has: the answer tells no unit
    user which ids exist."""
    missing = {k: (v if k == "year" else 10**9) for k, v in foreign.items()}
    theirs = clients["market"].get(_fmt(url, foreign))
    nobodys = clients["market"].get(_fmt(url, missing))
    assert (theirs.status_code, theirs.content) == (nobodys.status_code, nobodys.content), url


def test_readers_learn_no_unit_id_without_published_targets(demo):
    """Anonymous: a unit with nothing published answers as a unit id nobody has."""
    edu = demo["999002"].pk
    theirs, nobodys = Client().get(f"/public/units/{edu}/2024/"), Client().get("/public/units/999999/2024/")
    assert theirs.status_code == nobodys.status_code == 404 and theirs.content == nobodys.content


def test_a_unit_users_reimport_leaves_a_published_unit_years_goals_alone(users, demo):
    """The market bureau's 2023 unit-year is published (已公开): its projects cannot be overwritten
    by the unit's import (「已公开，不能用导入覆盖」), and neither should the unit-year's goals be."""
    import dataclasses

    from jixiao.web.demo import demo_disclosures
    from jixiao.web.models import Disclosure

    doc = next(d for d in demo_disclosures() if d.unit_code == "999001" and d.year == 2023)
    stored = Disclosure.objects.get(unit=demo["999001"], year=2023)
    before = (stored.overall_goal, stored.budget_overview, list(stored.sub_goals.values_list("goal")))
    changed = [
        dataclasses.replace(doc, overall_goal="改过的整体目标"),
        dataclasses.replace(doc, sub_goals=[m.SubGoal(title="改过的分项", goal="改过的分项目标")]),
    ]
    for d in changed:
        with pytest.raises(actions.Denied) as e:
            actions.import_disclosure(users["market"], d)
        assert "不能用导入改动该单位年度" in e.value.message, e.value.message
        stored.refresh_from_db()
        after = (stored.overall_goal, stored.budget_overview, list(stored.sub_goals.values_list("goal")))
        assert after == before
    # the same document again changes nothing and is taken; an administrator may change the goal
    actions.import_disclosure(users["market"], doc)
    actions.import_disclosure(users["admin"], changed[0])
    stored.refresh_from_db()
    assert stored.overall_goal == "改过的整体目标"
