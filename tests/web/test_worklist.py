"""Home is a work list per role (issue 12, item 5): reviewers see what waits for review, red and
yellow lights and overdue self-evaluations; unit users see returned projects with the reviewer's
comment, reports due and drafts; administrators see both. Lists hold only projects the user may
see; the page costs a fixed number of queries however long the lists are."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from jixiao.web import actions
from jixiao.web.demo import education_bureau, market_bureau
from jixiao.web.lib.worklist import SELFEVAL_YEARS, work_lists
from jixiao.web.models import Project, State

pytestmark = pytest.mark.django_db

SECTION = re.compile(r'<section class="card worklist" id="(\w+)">(.*?)</section>', re.S)


@pytest.fixture(autouse=True)
def _demo_drafts(demo):
    """These tests build their own lists: the demo's projects (its 2023 ones are imported as
    published) start as drafts here."""
    Project.objects.update(state=State.DRAFT)


def sections(html: str) -> dict[str, str]:
    """The work lists of a home page by key: their HTML."""
    return dict(SECTION.findall(html))


def rows(section: str) -> list[str]:
    """The project names linked from a list's rows, in order."""
    body = section.split("<tbody>", 1)[1] if "<tbody>" in section else ""
    return re.findall(r"<td><a href=\"/projects/\d+/(?:\w+/)?\">([^<]+)</a>", body)


def total(section: str) -> int:
    return int(re.search(r'<span class="count[^"]*">(\d+)</span>', section).group(1))


def home(client) -> dict[str, str]:
    r = client.get("/")
    assert r.status_code == 200
    return sections(r.content.decode())


def approve(*projects: Project) -> None:
    """Targets approved (the state monitoring and self-evaluation need), without going through the
    review workflow these tests are not about."""
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(state=State.APPROVED)


def _market(year: int) -> list[Project]:
    actions.import_disclosure(None, market_bureau(year), published=False)
    return list(Project.objects.filter(unit__code="999001", year=year).order_by("seq"))


def _red(user, p: Project) -> None:
    actions.save_monitoring(
        user,
        p.pk,
        actions.MonitoringEntry(
            as_of=f"{p.year}-07-31",
            executed="0.5",
            deviation=actions.DeviationEntry(
                reason_category="制度保障", reason_text="招标延期", likelihood="有可能", measures="加快招标"
            ),
        ),
    )


def test_each_role_has_its_lists(clients):
    assert list(home(clients["reviewer"])) == ["submitted", "lights", "selfeval_overdue"]
    assert list(home(clients["market"])) == ["returned", "monitor_due", "selfeval_due", "drafts"]
    assert list(home(clients["admin"])) == [
        "submitted",
        "lights",
        "selfeval_overdue",
        "returned",
        "monitor_due",
        "selfeval_due",
        "drafts",
    ]


def test_empty_lists_say_so_in_chinese(clients):
    lists = home(clients["reviewer"])  # the demo's projects are drafts: nothing to review
    assert total(lists["submitted"]) == 0 and "没有等待审核的项目。" in lists["submitted"]
    assert "没有红灯或黄灯项目。" in lists["lights"]
    assert "没有逾期未填报绩效自评的项目。" in lists["selfeval_overdue"]
    assert "没有被退回的项目。" in home(clients["market"])["returned"]


def test_reviewer_sees_submitted_oldest_first_and_red_lights(clients, users):
    a, b, c = list(Project.objects.filter(unit__code="999001", year=2024).order_by("seq"))[:3]
    edu = Project.objects.filter(unit__code="999002").order_by("seq").first()
    # submitted in the order b, edu, a: the list follows submission, not the table order
    actions.submit_project(users["market"], b.pk)
    actions.submit_project(users["edu"], edu.pk)
    actions.submit_project(users["market"], a.pk)
    approve(c)
    _red(users["market"], c)
    lists = home(clients["reviewer"])
    assert rows(lists["submitted"]) == [b.name, edu.name, a.name] and total(lists["submitted"]) == 3
    assert "已提交" in lists["submitted"]
    assert rows(lists["lights"]) == [c.name] and "红灯" in lists["lights"] and "待记录" in lists["lights"]
    # the unit user does not review: no such list, and the projects are theirs to wait for
    assert "submitted" not in home(clients["market"])
    # once returned, it leaves the reviewer's list and shows on the unit's with the comment
    actions.return_project(users["reviewer"], b.pk, comment="请补充成本指标的测算依据")
    lists = home(clients["reviewer"])
    assert rows(lists["submitted"]) == [edu.name, a.name]
    returned = home(clients["market"])["returned"]
    assert rows(returned) == [b.name] and "请补充成本指标的测算依据" in returned and "reviewer" in returned


def test_outcome_recorded_moves_a_light_down(clients, users):
    ps = list(Project.objects.filter(unit__code="999001", year=2024).order_by("seq"))[:2]
    approve(*ps)
    for p in ps:
        _red(users["market"], p)
    from jixiao.web.models import MonitoringSnapshot

    first = MonitoringSnapshot.objects.get(project=ps[0])
    actions.record_outcome(users["reviewer"], first.pk, outcome="adjust", note="下调数量目标")
    lights = home(clients["reviewer"])["lights"]
    # untreated first; the treated one shows the outcome
    assert rows(lights) == [ps[1].name, ps[0].name] and "下调数量目标" in lights


def test_unit_user_sees_nothing_of_other_units(clients, users):
    mp = list(Project.objects.filter(unit__code="999001", year=2024).order_by("seq"))
    actions.submit_project(users["market"], mp[0].pk)
    actions.return_project(users["reviewer"], mp[0].pk, comment="市场局的退回意见")
    approve(mp[1])
    _red(users["market"], mp[1])
    html = clients["edu"].get("/").content.decode()
    for p in mp:
        assert p.name not in html
    assert "市场局的退回意见" not in html and "示例市市场监督管理局" not in html
    lists = sections(html)
    assert total(lists["returned"]) == 0
    # every draft on the edu page is edu's
    edu_names = set(Project.objects.filter(unit__code="999002").values_list("name", flat=True))
    assert rows(lists["drafts"]) and set(rows(lists["drafts"])) <= edu_names
    # another user's list by its key is refused, not shown
    assert clients["edu"].get("/?list=submitted").status_code == 404
    assert clients["reviewer"].get("/?list=drafts").status_code == 404


def test_reports_due_follow_the_stated_rules(users, demo):
    """Monitoring: this year's approved projects from 7月31日, overdue after 8月31日. Self-evaluation:
    approved projects of the last three years, due by 3月31日 of the next year."""
    market, reviewer = users["market"], users["reviewer"]
    this_year = _market(2030)
    last_year = _market(2029)
    old = _market(2029 - SELFEVAL_YEARS)  # older than the window: history, not work
    approve(*this_year, *last_year, *old)
    approve_ids = {p.pk for p in this_year}

    def lists(user, today):
        return {wl.key: wl for wl in work_lists(user, today)}

    # before the monitoring period opens nothing is due, and the page says when it opens
    early = lists(market, date(2030, 7, 1))["monitor_due"]
    assert early.total == 0 and "2030-07-31" in early.empty
    due = lists(market, date(2030, 8, 10))["monitor_due"]
    assert {i.project_id for i in due.items} == approve_ids and not any(i.overdue for i in due.items)
    assert all(i.due == date(2030, 8, 31) and i.page == "project_monitor" for i in due.items)
    actions.save_monitoring(
        market, this_year[0].pk, actions.MonitoringEntry(as_of="2030-07-31", executed="10")
    )
    actions.save_monitoring(
        market, this_year[1].pk, actions.MonitoringEntry(as_of="2030-06-30", executed="5")
    )  # an earlier period
    late = lists(market, date(2030, 9, 5))["monitor_due"]
    assert {i.project_id for i in late.items} == approve_ids - {this_year[0].pk}
    assert late.total == len(this_year) - 1 and all(i.overdue for i in late.items)

    # self-evaluation of 2029 projects: due until 2030-03-31, then overdue
    march = lists(market, date(2030, 3, 1))["selfeval_due"]
    assert {i.project_id for i in march.items} == {p.pk for p in last_year}
    assert all(i.due == date(2030, 3, 31) and not i.overdue for i in march.items)
    assert lists(reviewer, date(2030, 3, 1))["selfeval_overdue"].total == 0
    april = lists(reviewer, date(2030, 4, 1))["selfeval_overdue"]
    assert {i.project_id for i in april.items} == {p.pk for p in last_year}
    assert all(i.overdue for i in lists(market, date(2030, 4, 1))["selfeval_due"].items)
    # entered: no longer due
    p = last_year[0]
    assert p.name == "产品质量监督抽查经费"
    full = [
        {"actual": "330批次"},
        {"actual": "97%"},
        {"actual": "100%"},
        {"actual": f"{p.year}年12月20日"},
        {"actual": "1400元/批次"},
        {"band": "达成年度指标", "score": ""},
        {"actual": "93%"},
    ]
    actions.save_selfeval(
        market,
        p.pk,
        actions.SelfEvalEntry(
            adjusted=str(p.budget_total),
            executed=str(p.budget_total),
            rows=tuple(actions.SelfEvalRow(**r) for r in full),
        ),
    )
    april = lists(reviewer, date(2030, 4, 1))["selfeval_overdue"]
    assert p.pk not in {i.project_id for i in april.items} and april.total == len(last_year) - 1
    # drafts and submitted projects are not reported on
    Project.objects.filter(pk=last_year[1].pk).update(state=State.DRAFT)
    assert lists(reviewer, date(2030, 4, 1))["selfeval_overdue"].total == len(last_year) - 2


def test_overdue_self_evaluation_on_the_page(clients):
    """A project two years back is overdue whatever the date: the page lists it with its deadline."""
    year = timezone.localdate().year - 2
    ps = _market(year)
    approve(*ps)
    lists = home(clients["reviewer"])
    assert total(lists["selfeval_overdue"]) == len(ps)
    assert f"{year + 1}-03-31" in lists["selfeval_overdue"] and "逾期" in lists["selfeval_overdue"]
    assert "3 月 31 日前完成绩效自评" in lists["selfeval_overdue"]  # the rule, stated
    unit_lists = home(clients["market"])
    assert total(unit_lists["selfeval_due"]) == len(ps) and "逾期" in unit_lists["selfeval_due"]
    assert total(home(clients["edu"])["selfeval_due"]) == 0


def test_long_lists_show_a_page_and_link_to_the_whole_list(clients, users):
    for y in range(2010, 2014):
        actions.import_disclosure(None, market_bureau(y), published=False)
    n = Project.objects.filter(unit__code="999001", state=State.DRAFT).count()
    assert n > 20
    drafts = home(clients["market"])["drafts"]
    assert total(drafts) == n and len(rows(drafts)) == 20 and f"查看全部 {n} 个" in drafts
    whole = clients["market"].get("/?list=drafts").content.decode()
    assert len(rows(sections(whole)["drafts"])) == n and f"共 {n} 条" in whole
    # newest year first
    years = [int(y) for y in re.findall(r"<td>(\d{4})</td>", sections(whole)["drafts"])]
    assert years == sorted(years, reverse=True)


def _fill_every_list(users, first: int, n: int) -> None:
    """n more units, each adding projects to every list of the admin: submitted, returned (with a
    comment), red light, overdue self-evaluation, monitoring due this year, drafts."""
    today = timezone.localdate()
    for k in range(first, first + n):
        code, name = f"77{k:04d}", f"测试单位{k}"
        for year in (today.year - 2, today.year):
            doc = education_bureau(year)
            doc.unit_code, doc.unit_name = code, name
            actions.import_disclosure(None, doc, published=False)
        ps = list(Project.objects.filter(unit__code=code, year=today.year - 2).order_by("seq"))
        actions.submit_project(None, ps[0].pk)
        actions.submit_project(None, ps[1].pk)
        actions.return_project(users["reviewer"], ps[1].pk, comment=f"意见{k}")
        approve(ps[2])
        _red(None, ps[2])
        approve(*Project.objects.filter(unit__code=code, year=today.year))


def test_home_page_query_count_is_fixed(clients, users, django_assert_num_queries, monkeypatch):
    """Each list is one query (rows, unit and history figures together) plus a COUNT(*) when its
    page is full, whatever its length: admin (7 lists) and a unit user (4 lists and their units)."""
    from jixiao.web.lib import worklist
    from jixiao.web.lib.worklist import monitor_period

    today = timezone.localdate()
    # before 7月31日 the monitoring list needs no query: nothing is due yet
    quiet = 1 if today < monitor_period(today)[0] else 0
    _fill_every_list(users, 0, 2)
    admin = clients["admin"]
    admin.get("/")  # the session is warm
    # the user (the session is cached: settings.SESSION_ENGINE), then one query per list
    with django_assert_num_queries(1 + 7 - quiet):
        r = admin.get("/")
    lists = sections(r.content.decode())
    for key in ("submitted", "lights", "selfeval_overdue", "returned", "drafts"):
        assert total(lists[key]) >= 2, key
    _fill_every_list(users, 2, 3)
    with django_assert_num_queries(1 + 7 - quiet):
        r = admin.get("/")
    lists = sections(r.content.decode())
    for key in ("submitted", "lights", "selfeval_overdue", "returned", "drafts"):
        assert total(lists[key]) >= 5 and len(rows(lists[key])) == total(lists[key]), key
    # full pages: one COUNT(*) more per list, and no more as the lists grow
    monkeypatch.setattr(worklist, "LIST_LIMIT", 3)
    with django_assert_num_queries(1 + 2 * (7 - quiet)):
        r = admin.get("/")
    _fill_every_list(users, 5, 2)
    with django_assert_num_queries(1 + 2 * (7 - quiet)):
        r = admin.get("/")
    lists = sections(r.content.decode())
    for key in ("submitted", "lights", "selfeval_overdue", "returned", "drafts"):
        assert total(lists[key]) >= 7 and len(rows(lists[key])) == 3, key
        assert "查看全部" in lists[key]
    # a unit user: the user, the user's unit ids, four lists (full: a count each), the user's units
    market = clients["market"]
    market.get("/")
    with django_assert_num_queries(1 + 1 + 4 - quiet + 1 + 1):  # + the count of the full drafts page
        market.get("/")


def test_menu_shows_what_the_role_can_do(clients):
    def menu(name: str) -> str:
        html = clients[name].get("/").content.decode()
        return re.search(r'<nav aria-label="主菜单">(.*?)</nav>', html, re.S).group(1)

    reviewer, unit, admin = menu("reviewer"), menu("market"), menu("admin")
    assert 'href="/upload/"' not in reviewer and "导入文件" not in reviewer
    assert 'href="/cycle/upload/"' not in reviewer
    assert 'href="/review/"' in reviewer and 'href="/monitoring/"' in reviewer
    assert 'href="/upload/"' in unit and 'href="/review/"' not in unit and "本单位" in unit
    for link in ("/upload/", "/review/", "/review/rules/", "/monitoring/", "/search/", "/units/"):
        assert f'href="{link}"' in admin
    # what the menu hides is refused too (the menu follows the permissions, not the other way)
    assert clients["reviewer"].post("/upload/", {}).status_code == 403


def test_unit_list_has_its_own_page(clients):
    html = clients["reviewer"].get("/units/").content.decode()
    assert "示例市市场监督管理局" in html and "示例市示例区教育局" in html and "工作台" in html
    html = clients["market"].get("/units/").content.decode()
    assert "示例市市场监督管理局" in html and "示例市示例区教育局" not in html
    # the unit user's home links their own units
    html = clients["market"].get("/").content.decode()
    assert "本单位" in html and "示例市市场监督管理局" in html and "示例市示例区教育局" not in html


def test_login_lands_on_the_work_list(users):
    from django.test import Client

    c = Client()
    r = c.post("/login/", {"username": "reviewer", "password": "pw-123456"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert "待审核项目" in c.get("/").content.decode()
