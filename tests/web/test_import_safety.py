"""Importing without harm (issue 9): every import path checks every table's unit, refuses documents
with no target table, keeps identity on re-import and tells units that share a code apart.

Crafted documents are built from the seeds: seed 003's last table names a subordinate unit
(355301); seeds 002 and 004 are two counties' 414001 market-supervision bureaus (巨鹿县, 乐亭县).
The paths are the real ones: the upload page (session + CSRF), `POST /api/import` (Bearer token),
`jixiao import` and the other commands in-process, the workbook upload, `actions.bulk_load`.
"""

from __future__ import annotations

import io
import re
import threading
from functools import cache
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.web import actions
from jixiao.web.models import Disclosure, Indicator, MonitoringSnapshot, Project, SelfEvaluation, Unit

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED = {s.name[:3]: s for s in sorted(SEEDS.glob("*.txt"))}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(len(SEED) < 5, reason="the seed disclosures (../shared/seeds) are not here"),
]

JUXIAN, LETING = "巨鹿县市场监督管理局本级", "乐亭县市场监督管理局本级"
HEXI, ZHIDUI = "天津市河西区市场监督管理局", "天津市河西区市场监管综合行政执法支队"


@cache
def seed_text(n: str) -> str:
    return SEED[n].read_text(encoding="utf-8")


def parse(text: str, name: str = "doc.txt"):
    from jixiao.ingest import parse_bytes

    return parse_bytes(text.encode("utf-8"), name)


def table_block(text: str, number: int) -> str:
    """The lines of the `number`-th project table of a tab-layout seed (003, 004)."""
    lines = text.splitlines()
    starts = [
        i
        for i, ln in enumerate(lines)
        if re.search(r"^\W*(\[bookmark[^]]*\])?\s*\d+\.\S.*绩效目标表\s*$", ln)
    ]
    start = starts[number - 1]
    end = starts[number] if number < len(starts) else len(lines)
    return "\n".join(lines[start:end])


def leting_with_table_of(unit_line: str, code: str, name: str, budget: str = "99.00") -> str:
    """Seed 004 (乐亭县) followed by a copy of its first table naming `unit_line`, `code`, `name`."""
    block = (
        table_block(seed_text("004"), 1)
        .replace("414001乐亭县市场监督管理局本级", unit_line)
        .replace("13022524P00260210037A", code)
        .replace("办公楼运维费", name)
        .replace("10.36", budget)
        .replace("1.", "12.", 1)
    )
    return seed_text("004") + "\n" + block + "\n"


def unit_state(unit: Unit) -> tuple:
    """Everything an import could change about a unit's data."""
    return (
        sorted(
            Project.objects.filter(unit=unit).values_list(
                "id", "key", "version", "budget_total", "disclosure_id", "name", "state"
            )
        ),
        sorted(Indicator.objects.filter(project__unit=unit).values_list("id", "project_id", "name", "value")),
        sorted(Disclosure.objects.filter(unit=unit).values_list("id", "year", "source", "overall_goal")),
    )


def login(user, *, csrf: bool = True) -> Client:
    c = Client(enforce_csrf_checks=csrf)
    c.force_login(user)
    return c


def page_upload(client: Client, name: str, data: bytes, **form) -> tuple[int, str]:
    """POST the upload form as a browser does: the CSRF token from the page, then the file."""
    html = client.get("/upload/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    r = client.post(
        "/upload/", {"csrfmiddlewaretoken": token, "files": [SimpleUploadedFile(name, data)], **form}
    )
    return r.status_code, r.content.decode()


def api_upload(token: str, name: str, data: bytes, **form) -> tuple[int, object]:
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = c.post("/api/import", {"files": [SimpleUploadedFile(name, data)], **form})
    return r.status_code, r.json()


@pytest.fixture
def counties(db):
    """Seeds 002, 003 and 004 imported by an administrator, and a user of each bureau."""
    for n in ("002", "003", "004"):
        actions.import_disclosure(None, parse(seed_text(n), f"{n}.txt"))
    units = {u.name: u for u in Unit.objects.all()}
    users = {}
    for login_name, unit in [("juxian", JUXIAN), ("leting", LETING), ("hexi", HEXI)]:
        users[login_name], _ = actions.create_user(
            None, login_name, "unit", unit_ids=[units[unit].pk], password="pw-123456"
        )
    users["admin"], _ = actions.create_user(None, "root", "admin", password="pw-123456")
    return units, users


# ------------------------------------------------------------------ 1. permissions on every path


def test_a_bureau_user_cannot_change_its_subordinates_table_through_the_api(counties):
    units, _users = counties
    zhidui, hexi = units[ZHIDUI], units[HEXI]
    before = (unit_state(zhidui), unit_state(hexi), Unit.objects.count())
    text = seed_text("003").replace("\t40.00\n", "\t99.00\n")
    assert parse(text).projects[4].budget_total == 99
    token = actions.issue_token(None, "hexi")
    status, body = api_upload(token, "003.txt", text.encode())
    assert status == 200 and body[0]["ok"] is False
    error = body[0]["errors"][0]
    assert "第 5 个项目表「市场执法检查办案经费」" in error and "第 866 行" in error and ZHIDUI in error
    assert "未导入任何数据" in error
    assert (unit_state(zhidui), unit_state(hexi), Unit.objects.count()) == before


def test_a_table_naming_another_countys_unit_is_refused_on_the_page(counties):
    units, users = counties
    before = (unit_state(units[JUXIAN]), unit_state(units[LETING]))
    text = leting_with_table_of(
        "414001巨鹿县市场监督管理局本级", "13052924P005840123885", "非财政开支人员工作经费"
    )
    doc = parse(text)
    assert (doc.projects[-1].unit_name, doc.projects[-1].budget_total) == (JUXIAN, 99)
    status, html = page_upload(login(users["leting"]), "004.txt", text.encode())
    assert status == 200 and "004.txt — 未导入" in html and "已导入" not in html
    assert "第 12 个项目表「非财政开支人员工作经费」" in html and "不在您可导入的单位中" in html
    assert (unit_state(units[JUXIAN]), unit_state(units[LETING])) == before


def test_only_administrators_create_the_unit_a_table_names(counties, capsys, tmp_path):
    units, _users = counties
    text = leting_with_table_of("414099乐亭县虚构检测中心", "13022524P00099999999X", "虚构项目")
    n_units = Unit.objects.count()
    before = unit_state(units[LETING])
    _status, body = api_upload(actions.issue_token(None, "leting"), "004.txt", text.encode())
    assert body[0]["ok"] is False and "乐亭县虚构检测中心" in body[0]["errors"][0]
    assert "只有管理员可以新建单位" in body[0]["errors"][0]
    assert Unit.objects.count() == n_units and unit_state(units[LETING]) == before
    # the command line acts as administrator: the unit is created, the table filed under it
    from jixiao.cli.main import main

    f = tmp_path / "004.txt"
    f.write_text(text, encoding="utf-8")
    assert main(["import", str(f)]) == 0
    new = Unit.objects.get(name="乐亭县虚构检测中心")
    assert new.code == "414099" and new.region == "河北省唐山市乐亭县"
    assert Project.objects.get(name="虚构项目").unit == new


def test_the_updated_count_does_not_tell_who_holds_a_project_code(counties):
    units, _users = counties
    token = actions.issue_token(None, "leting")
    before = unit_state(units[JUXIAN])
    held = leting_with_table_of(
        "414001乐亭县市场监督管理局本级", "13052924P005840123885", "甲项目"
    )  # 巨鹿's code
    free = leting_with_table_of("414001乐亭县市场监督管理局本级", "13022524P0000000000QQ", "甲项目")
    _, a = api_upload(token, "a.txt", held.encode())
    assert a[0]["ok"] and (a[0]["created"], a[0]["updated"]) == (1, 11)
    Project.objects.filter(unit=units[LETING], name="甲项目").delete()
    _, b = api_upload(token, "a.txt", free.encode())
    assert (b[0]["created"], b[0]["updated"]) == (a[0]["created"], a[0]["updated"])
    assert unit_state(units[JUXIAN]) == before


def test_a_unit_user_uploading_another_countys_disclosure_is_refused(counties):
    units, users = counties
    before = (unit_state(units[JUXIAN]), unit_state(units[LETING]), Project.objects.count())
    status, html = page_upload(login(users["leting"]), "002.txt", seed_text("002").encode())
    assert status == 200
    assert "002.txt — 未导入" in html and "已导入" not in html
    assert f"文件写明的单位是“{JUXIAN}”" in html and f"不是所选单位“{LETING}”" in html
    _status, body = api_upload(actions.issue_token(None, "leting"), "002.txt", seed_text("002").encode())
    assert body[0]["ok"] is False and "不是所选单位" in body[0]["errors"][0]
    # the file is named once, not 「002.txt: 002.txt: 文件写明的单位是…」
    assert body[0]["errors"][0].startswith("002.txt: 文件写明的单位是"), body[0]["errors"][0]
    assert html.count("002.txt: ") <= 1 and "002.txt: 002.txt" not in html
    assert (unit_state(units[JUXIAN]), unit_state(units[LETING]), Project.objects.count()) == before


def test_an_administrator_must_confirm_filing_a_document_under_another_unit(counties):
    units, users = counties
    token = actions.issue_token(None, "root")
    before = unit_state(units[LETING])
    _, body = api_upload(token, "002.txt", seed_text("002").encode(), unit_id=units[LETING].pk)
    assert body[0]["ok"] is False and "confirm_unit" in body[0]["errors"][0]
    assert unit_state(units[LETING]) == before
    # a unit user cannot confirm
    _, body = api_upload(
        actions.issue_token(None, "leting"), "002.txt", seed_text("002").encode(), confirm_unit="true"
    )
    assert body[0]["ok"] is False and unit_state(units[LETING]) == before
    _, body = api_upload(
        token, "002.txt", seed_text("002").encode(), unit_id=units[LETING].pk, confirm_unit="true"
    )
    assert body[0]["ok"] and body[0]["created"] == 10
    assert Project.objects.filter(unit=units[LETING], year=2024).count() == 21
    # the same on the upload page: the administrator's unit field and confirmation box
    juxian = units[JUXIAN]
    before = unit_state(juxian)
    page = login(users["admin"])
    # 414001 is the market bureau of three counties: the field asks which one
    status, html = page_upload(page, "004.txt", seed_text("004").encode(), unit="414001")
    assert status == 400 and "单位 414001 不唯一" in html and unit_state(juxian) == before
    _, html = page_upload(page, "004.txt", seed_text("004").encode(), unit=f"id:{juxian.pk}")
    assert "004.txt — 未导入" in html and "按所选单位导入" in html and unit_state(juxian) == before
    # the page's user is told the page's box, not the command line's option
    assert "勾选" in html and "--confirm-unit" not in html
    _, html = page_upload(
        page, "004.txt", seed_text("004").encode(), unit=f"id:{juxian.pk}", confirm_unit="1"
    )
    assert "004.txt — 已导入" in html
    assert Project.objects.filter(unit=juxian, year=2024).count() == 21


def test_a_workbook_for_another_units_project_is_refused(users, market_project):
    from tests.web.conftest import approve_for_cycle
    from tests.web.test_monitoring_api import _filled_selfeval

    market_project = approve_for_cycle(market_project)  # 自评 only on approved targets

    data = _filled_selfeval(market_project, 48.5)  # filled right: the market user could import it
    c = Client(HTTP_AUTHORIZATION=f"Bearer {actions.issue_token(None, 'edu')}")
    r = c.post("/api/cycle/import", {"file": SimpleUploadedFile("自评.xlsx", data)})
    assert r.status_code == 400 and "您无权填报" in str(r.json())
    page = login(users["edu"], csrf=False).post(
        "/cycle/upload/", {"file": SimpleUploadedFile("自评.xlsx", data)}
    )
    assert page.status_code == 400 and "您无权填报" in page.content.decode()
    assert not SelfEvaluation.objects.exists()
    r = Client(HTTP_AUTHORIZATION=f"Bearer {actions.issue_token(None, 'market')}").post(
        "/api/cycle/import", {"file": SimpleUploadedFile("自评.xlsx", data)}
    )
    assert r.status_code == 200 and SelfEvaluation.objects.filter(project=market_project).exists()


# ------------------------------------------------------------------ units told apart everywhere


def test_cli_unit_options_tell_two_counties_414001_apart(counties, capsys, tmp_path):
    from openpyxl import load_workbook

    from jixiao.cli.main import main

    out = tmp_path / "m.xlsx"
    assert main(["template", "monitor", "--unit", "414001", "--year", "2024", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "不唯一" in err and JUXIAN in err and LETING in err and "130529:414001" not in err
    assert "河北省邢台市巨鹿县:414001" in err or "河北省唐山市乐亭县:414001" in err
    assert main(["template", "monitor", "--unit", "130529:414001", "--year", "2024", "-o", str(out)]) == 0
    assert len([s for s in load_workbook(out).sheetnames if s.startswith("监控表")]) == 10
    assert main(["template", "selfeval", "--unit", "乐亭县:414001", "--year", "2024", "-o", str(out)]) == 0
    assert len([s for s in load_workbook(out).sheetnames if s.startswith("自评表")]) == 11
    leting = Unit.objects.get(name=LETING)
    assert main(["template", "monitor", "--unit", f"id:{leting.pk}", "--year", "2024", "-o", str(out)]) == 0
    capsys.readouterr()
    assert (
        main(["user", "create", "clerk", "--role", "unit", "--unit", "414001", "--password", "pw-1234567"])
        == 2
    )
    assert "不唯一" in capsys.readouterr().err
    assert (
        main(
            [
                "user",
                "create",
                "clerk",
                "--role",
                "unit",
                "--unit",
                "130529:414001",
                "--password",
                "pw-1234567",
            ]
        )
        == 0
    )
    from jixiao.web.models import User

    assert [u.name for u in User.objects.get(username="clerk").units.all()] == [JUXIAN]
    assert main(["report", "--unit", "414001", str(out)]) == 2
    assert "不唯一" in capsys.readouterr().err
    # import --unit: the document must name the chosen unit unless --confirm-unit
    f = tmp_path / "004.txt"
    f.write_text(seed_text("004"), encoding="utf-8")
    before = unit_state(Unit.objects.get(name=JUXIAN))
    assert main(["import", "--unit", "130529:414001", str(f)]) == 2
    err = capsys.readouterr().err
    # the command line's user is told the command line's option, not a box on a web page
    assert f"不是所选单位“{JUXIAN}”" in err and "--confirm-unit" in err and "勾选" not in err, err
    assert unit_state(Unit.objects.get(name=JUXIAN)) == before
    assert main(["import", "--unit", "414001", str(f)]) == 0  # the document's own name picks 乐亭县
    assert "乐亭县" in capsys.readouterr().err


def test_api_filters_by_unit_code_refuse_an_ambiguous_code(counties):
    units, _users = counties
    c = Client(HTTP_AUTHORIZATION=f"Bearer {actions.issue_token(None, 'root')}")
    for url in ("/api/projects?unit=414001", "/api/disclosures?unit=414001", "/api/monitoring?unit=414001"):
        r = c.get(url)
        assert r.status_code == 400, url
        assert JUXIAN in r.json()["detail"] and LETING in r.json()["detail"]
    assert c.get("/api/projects?unit=130529:414001&year=2024").json()["count"] == 10
    assert c.get(f"/api/projects?unit=id:{units[LETING].pk}").json()["count"] == 11
    assert c.get("/api/projects?unit=355301").json()["count"] == 1
    # a unit user's filter only ever sees their own units: no ambiguity, no other unit named
    mine = Client(HTTP_AUTHORIZATION=f"Bearer {actions.issue_token(None, 'leting')}")
    assert mine.get("/api/projects?unit=414001").json()["count"] == 11


# ------------------------------------------------------------------ 3. no target table, no write


def _letter_docx() -> bytes:
    import docx

    d = docx.Document()
    for line in (
        "关于报送2024年度预算绩效目标的函",
        "各有关单位：",
        "请于3月底前报送。",
        "联系人：张三，电话 12345678",
    ):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _contacts_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "单位", "电话"])
    ws.append(["张三", "示例市市场监督管理局", "12345678"])
    ws.append(["李四", "示例市示例区教育局", "87654321"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


NOT_DISCLOSURES = {
    "函.docx": _letter_docx,
    "通讯录.xlsx": _contacts_xlsx,
    "新闻.html": lambda: (
        "<html><body><h1>市场监管局开展宣传活动</h1><p>2024年3月15日，……</p></body></html>".encode()
    ),
}


@pytest.mark.parametrize("name", sorted(NOT_DISCLOSURES))
def test_a_document_without_a_target_table_is_refused_and_changes_nothing(users, demo, name):
    unit = demo["999001"]
    d = Disclosure.objects.get(unit=unit, year=2024)
    before = (unit_state(unit), d.overall_goal, d.source, list(d.sub_goals.values_list("title", "goal")))
    n = Disclosure.objects.count()
    status, html = page_upload(login(users["market"]), name, NOT_DISCLOSURES[name](), year="2024")
    assert status == 200
    assert f"{name} — 未导入" in html and "未找到绩效目标表" in html
    _status, body = api_upload(actions.issue_token(None, "admin"), name, NOT_DISCLOSURES[name](), year=2024)
    assert body[0]["ok"] is False and "未找到绩效目标表" in body[0]["errors"][0]
    d.refresh_from_db()
    after = (unit_state(unit), d.overall_goal, d.source, list(d.sub_goals.values_list("title", "goal")))
    assert after == before and Disclosure.objects.count() == n
    assert not Disclosure.objects.filter(year__isnull=True).exists()


def test_actions_refuse_empty_or_yearless_documents_on_every_path(demo):
    from jixiao import model as m

    empty = m.Disclosure(
        source="letter.docx", unit_code="999001", unit_name="示例市市场监督管理局", year=2024
    )
    with pytest.raises(actions.Invalid, match="未找到绩效目标表"):
        actions.import_disclosure(None, empty)
    with pytest.raises(actions.Invalid, match="未找到绩效目标表"):
        actions.bulk_load(None, [empty])
    from jixiao.web.demo import health_commission

    yearless = health_commission(2030)
    yearless.year = None
    with pytest.raises(actions.Invalid, match="年度"):
        actions.import_disclosure(None, yearless)
    assert not Disclosure.objects.filter(year__isnull=True).exists()


# ------------------------------------------------------------------ 2. re-import keeps identity


def _enter_cycle(project: Project) -> bool:
    """Monitoring to 31 July and a year-end self-evaluation of `project`, as a unit would enter
    them (actuals from the targets), once its targets are approved; False when this project's
    targets do not allow it."""
    from jixiao.web.demo.cycle import _actual  # the demo's actuals derived from targets
    from tests.web.conftest import approve_for_cycle

    try:
        project = approve_for_cycle(project)
    except (actions.Invalid, actions.Denied):
        return False

    year = project.year
    rows_m, rows_s = [], []
    for ind in project.indicators.all():
        a = _actual(ind.value or "", year, 1, level1=ind.level1, level2=ind.level2)
        rows_m.append({"status": "达成"} if a.get("qualitative") else {"actual": a["actual"]})
        rows_s.append({"band": "达成"} if a.get("qualitative") else {"actual": a["actual"]})
    budget = project.budget_total or 10
    try:
        actions.save_monitoring(
            None,
            project.pk,
            actions.MonitoringEntry(
                as_of=f"{year}-07-31",
                executed=str(budget / 2),
                rows=tuple(actions.MonitoringRow(**r) for r in rows_m),
            ),
        )
        actions.save_selfeval(
            None,
            project.pk,
            actions.SelfEvalEntry(
                adjusted=str(budget),
                executed=str(budget),
                rows=tuple(actions.SelfEvalRow(**r) for r in rows_s),
            ),
        )
    except actions.Invalid:
        MonitoringSnapshot.objects.filter(project=project).delete()
        return False
    return True


def _unit_year_urls(d: Disclosure) -> list[tuple[str, bool]]:
    """Every page and download of a unit-year, with whether it must exist (200)."""
    u, y = d.unit_id, d.year
    urls = [(f"/units/{u}/", True), (f"/units/{u}/{y}/", True), ("/monitoring/", True), ("/review/", True)]
    urls += [(f"/api/disclosures/{d.pk}", True), ("/search/?q=经费", True)]
    for kind in ("monitor", "selfeval", "summary"):
        for fmt in ("xlsx", "docx"):
            urls.append((f"/units/{u}/{y}/export/{kind}.{fmt}", False))
    urls += [
        (f"/units/{u}/{y}/template/monitor.xlsx", True),
        (f"/units/{u}/{y}/template/selfeval.xlsx", True),
    ]
    for p in Project.objects.filter(disclosure=d):
        urls += [(f"/projects/{p.pk}/", True), (f"/projects/{p.pk}/monitor/", True)]
        urls += [(f"/projects/{p.pk}/selfeval/", True), (f"/api/projects/{p.pk}", True)]
        if SelfEvaluation.objects.filter(project=p).exists():
            urls += [(f"/projects/{p.pk}/export/selfeval.{f}", True) for f in ("xlsx", "docx")]
            urls += [(f"/projects/{p.pk}/export/monitor.{f}", True) for f in ("xlsx", "docx")]
    return urls


def _open_everything(client: Client, disclosures=None, *, stale_ok: bool = False) -> list[str]:
    """Every page and download of these unit-years that fails (5xx, or not there when it must be;
    with `stale_ok` a download may answer 409: a self-evaluation to enter again)."""
    bad = []
    for d in disclosures if disclosures is not None else Disclosure.objects.all():
        for url, must in _unit_year_urls(d):
            status = client.get(url).status_code
            if stale_ok and status == 409 and "/export/" in url:
                continue
            if status >= 500 or (must and status not in (200, 302)):
                bad.append(f"{url} → {status}")
    return bad


def test_reimporting_every_seed_twice_keeps_cycle_data_and_every_page_works(db, capsys, tmp_path):
    from jixiao.cli.main import main

    admin, _ = actions.create_user(None, "root", "admin", password="pw-123456")
    token = actions.issue_token(None, "root")
    for n in sorted(SEED):
        actions.import_disclosure(None, parse(seed_text(n), f"{n}.txt"))
    entered = {}
    for d in Disclosure.objects.all():
        p = next((p for p in Project.objects.filter(disclosure=d).order_by("seq") if _enter_cycle(p)), None)
        assert p is not None, d
        entered[d.pk] = p.pk
    ids = sorted(Indicator.objects.values_list("id", "project_id"))
    projects = sorted(Project.objects.values_list("id", "unit_id", "key"))
    snaps = sorted(MonitoringSnapshot.objects.values_list("id", "project_id", "light"))
    evals = sorted(SelfEvaluation.objects.values_list("id", "project_id", "total"))
    page = login(admin)
    for _round in range(2):
        for n in sorted(SEED):
            data = seed_text(n).encode()
            if n in ("000", "003"):
                status, body = api_upload(token, f"{n}.txt", data)
                assert status == 200
                assert (
                    body[0]["ok"] and body[0]["created"] == 0 and body[0]["unchanged"] == body[0]["updated"]
                )
            elif n == "001":
                _status, html = page_upload(page, f"{n}.txt", data)
                assert f"{n}.txt — 已导入" in html and "新项目 0 个" in html
            else:
                f = tmp_path / f"{n}.txt"
                f.write_bytes(data)
                assert main(["import", str(f)]) == 0
                assert "新项目 0" in capsys.readouterr().err
    assert sorted(Indicator.objects.values_list("id", "project_id")) == ids
    assert sorted(Project.objects.values_list("id", "unit_id", "key")) == projects
    assert sorted(MonitoringSnapshot.objects.values_list("id", "project_id", "light")) == snaps
    assert sorted(SelfEvaluation.objects.values_list("id", "project_id", "total")) == evals
    for pid in entered.values():  # the monitoring form still shows every stored actual
        html = page.get(f"/projects/{pid}/monitor/").content.decode()
        n = Indicator.objects.filter(project_id=pid).count()
        stored = MonitoringSnapshot.objects.get(project_id=pid).rows
        assert len(stored) == n and {r["indicator_id"] for r in stored} == set(
            Indicator.objects.filter(project_id=pid).values_list("id", flat=True)
        )
        assert "实际完成值为空" not in html
    assert _open_everything(page) == []
    # a changed document: the monitored project of seed 004 loses one indicator and gains another
    doc = parse(seed_text("004"), "004.txt")
    p = Project.objects.get(pk=entered[Disclosure.objects.get(unit__name=LETING).pk])
    mp = next(x for x in doc.projects if x.code == p.code)
    gone = mp.indicators.pop(0)
    from copy import deepcopy

    extra = deepcopy(mp.indicators[-1])
    extra.name, extra.value = "新增指标", "≥10次"
    mp.indicators.append(extra)
    r = actions.import_disclosure(None, doc)
    assert any(gone.name in line and "已删除" in line for line in r.dropped)
    assert _open_everything(page, [p.disclosure], stale_ok=True) == []
    html = page.get(f"/projects/{p.pk}/selfeval/").content.decode()
    assert "请重新填报绩效自评" in html
    r = page.get(f"/units/{p.unit_id}/{p.year}/export/selfeval.xlsx")
    assert r.status_code == 409 and p.name in r.content.decode()


def test_reimport_lists_what_the_document_drops_and_keeps_dropped_projects(users, demo, capsys, tmp_path):
    from jixiao.web.demo import market_bureau

    unit = demo["999001"]
    doc = market_bureau(2024)
    kept = doc.projects.pop(1)
    first = Project.objects.get(unit=unit, year=2024, seq=1)
    ind = first.indicators.order_by("seq").first()
    doc.projects[0].indicators = [i for i in doc.projects[0].indicators if i.name != ind.name]
    ids = set(first.indicators.exclude(pk=ind.pk).values_list("id", flat=True))
    _status, html = page_upload(login(users["market"]), "market.docx", _docx(doc))
    assert "market.docx — 已导入" in html
    assert f"文件中没有项目「{kept.name}」" in html and "已保留，未删除" in html
    assert f"文件中没有指标「{ind.name}」" in html
    assert Project.objects.filter(unit=unit, year=2024, name=kept.name).exists()
    assert set(first.indicators.values_list("id", flat=True)) == ids
    # the command line lists them too
    from jixiao.cli.main import main

    f = tmp_path / "market.docx"
    f.write_bytes(_docx(doc))
    assert main(["import", "--unit-id", str(unit.pk), str(f)]) == 0
    err = capsys.readouterr().err
    assert f"文件中没有：文件中没有项目「{kept.name}」" in err and "新项目 0，更新 5" in err


def _docx(doc) -> bytes:
    from jixiao.export.docx import disclosure_to_docx

    return disclosure_to_docx(doc)


def test_reimport_matches_a_project_by_name_when_its_code_appears(demo):
    from jixiao.web.demo import market_bureau

    doc = market_bureau(2026)
    doc.projects[1].code = None
    actions.import_disclosure(None, doc)
    p = Project.objects.get(unit=demo["999001"], year=2026, seq=2)
    ind_ids = sorted(p.indicators.values_list("id", flat=True))
    assert p.key.startswith("name:")
    doc.projects[1].code = "99900124P0000000000A"
    r = actions.import_disclosure(None, doc)
    assert r.created == 0
    p2 = Project.objects.get(pk=p.pk)
    assert (p2.code, p2.key) == ("99900124P0000000000A", "99900124P0000000000A")
    assert sorted(p2.indicators.values_list("id", flat=True)) == ind_ids


def test_bulk_load_files_a_subordinate_table_under_its_own_unit(db):
    doc = parse(seed_text("003"), "003.txt")
    actions.bulk_load(None, [doc])
    p = Project.objects.get(name="市场执法检查办案经费")
    assert p.unit.name == ZHIDUI and p.disclosure.unit.name == HEXI


# ------------------------------------------------------------------ 7. concurrent first imports


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_imports_of_a_new_unit_all_succeed(db):
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite writes one at a time)")
    text = seed_text("004")
    errors: list[BaseException] = []
    results: list[actions.ImportResult] = []
    barrier = threading.Barrier(10)

    def run() -> None:
        try:
            doc = parse(text, "004.txt")
            barrier.wait()
            results.append(actions.import_disclosure(None, doc))
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Unit.objects.filter(name=LETING).count() == 1
    assert Disclosure.objects.count() == 1 and Project.objects.count() == 11
    assert sorted(r.created for r in results) == [0] * 9 + [11]


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uploads_of_a_new_unit_through_the_api_all_succeed(db):
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite writes one at a time)")
    actions.create_user(None, "root", "admin", password="pw-123456")
    token = actions.issue_token(None, "root")
    data = seed_text("002").encode()
    answers: list[tuple[int, object]] = []
    barrier = threading.Barrier(8)

    def run() -> None:
        try:
            barrier.wait()
            answers.append(api_upload(token, "002.txt", data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in answers] == [200] * 8
    assert all(body[0]["ok"] for _, body in answers), [body[0]["errors"] for _, body in answers]
    assert sorted(body[0]["created"] for _, body in answers) == [0] * 7 + [10]
    assert Unit.objects.filter(name=JUXIAN).count() == 1 and Project.objects.count() == 10


def test_targets_changed_by_a_reimport_never_make_a_page_fail(users, demo):
    """A re-import that changes a target's unit (stored actuals no longer comparable) or adds an
    indicator to a scored project: the pages say what to enter again; downloads answer 409."""
    from jixiao.web.demo import market_bureau

    unit = demo["999001"]
    p = next(p for p in Project.objects.filter(unit=unit, year=2024).order_by("seq") if _enter_cycle(p))
    doc = market_bureau(2024)
    dp = next(x for x in doc.projects if x.name == p.name)
    for ind in dp.indicators:  # every number now counted in another unit
        if ind.value and any(ch.isdigit() for ch in ind.value):
            ind.value = "≥3件"
    r = actions.import_disclosure(None, doc)
    assert r.created == 0 and not any("已删除" in x for x in r.dropped)
    client = login(users["market"], csrf=False)
    assert _open_everything(client, [p.disclosure], stale_ok=True) == []
    for url in (f"/projects/{p.pk}/monitor/", f"/projects/{p.pk}/selfeval/"):
        assert client.get(url).status_code == 200
    statuses = {
        client.get(f"/units/{unit.pk}/2024/export/{k}.xlsx").status_code for k in ("monitor", "selfeval")
    }
    assert statuses == {409}
    assert "请重新填报绩效自评" in client.get(f"/projects/{p.pk}/selfeval/").content.decode()


def test_a_subordinates_table_left_out_of_a_bureaus_document_is_listed_and_kept(db):
    text = seed_text("003")
    actions.import_disclosure(None, parse(text, "003.txt"))
    without = text[: text.index("5.市场执法检查办案经费绩效目标表")]
    r = actions.import_disclosure(None, parse(without, "003.txt"))
    assert r.dropped == ["文件中没有项目「市场执法检查办案经费」（无编码）：已保留，未删除"]
    assert Project.objects.get(name="市场执法检查办案经费").unit.name == ZHIDUI


def test_a_target_value_past_any_measure_imports_as_text(db):
    """A 指标值 of 320 digits (its number overflowed a float: inf in the target's JSON) made every
    database refuse the import, SQLite's with a message about a concurrent import."""
    doc = parse(seed_text("000"))
    ind = doc.projects[0].indicators[0]
    ind.value = "≥" + "9" * 320
    actions.import_disclosure(None, doc)
    row = Indicator.objects.get(project__name=doc.projects[0].name, seq=1)
    assert row.value == ind.value[:300]
    assert row.target["raw"] == ind.value and row.target_kind not in ("number", "percent")
    assert row.target_number is None
