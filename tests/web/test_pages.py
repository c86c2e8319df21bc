"""Server-rendered pages: units, unit-year, project (table, edit, conflict, history), search, upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web import actions
from jixiao.web.models import Disclosure, History, Indicator, Project

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _form(p: Project) -> dict[str, str]:
    """The project edit form as the page fills it."""
    data: dict[str, str] = {
        "version": str(p.version),
        "name": p.name or "",
        "code": p.code or "",
        "purpose": p.purpose or "",
        "goal": p.goal or "",
        "budget_total": str(p.budget_total or ""),
        "budget_fiscal": str(p.budget_fiscal or ""),
        "budget_other": str(p.budget_other or ""),
    }
    inds = list(p.indicators.all())
    data["rows"] = str(len(inds))
    for n, i in enumerate(inds):
        data[f"ind-{n}-id"] = str(i.pk)
        for k in ("level1", "level2", "name", "description", "value", "basis"):
            data[f"ind-{n}-{k}"] = getattr(i, k) or ""
    return data


def test_login_page_and_login(users):
    from django.test import Client

    c = Client()
    assert "登录" in c.get("/login/").content.decode()
    r = c.post("/login/", {"username": "market", "password": "pw-123456"})
    assert r.status_code == 302
    assert "示例市市场监督管理局" in c.get("/").content.decode()


def test_unit_year_page_shows_goals_projects_totals_and_charts(clients, demo):
    r = clients["reviewer"].get(f"/units/{demo['999001'].pk}/")
    assert r.status_code == 302 and r["Location"].endswith("/2024/")
    html = clients["reviewer"].get(r["Location"]).content.decode()
    assert "部门整体绩效目标" in html and "分项绩效目标" in html and "市场主体登记与监管" in html
    assert "产品质量监督抽查经费" in html and "301.5" in html  # total of the six budgets
    assert html.count("<svg") == 2 and "指标按类别" in html


def test_project_page_shows_target_table_with_parsed_values_and_history(clients, market_project):
    html = clients["market"].get(f"/projects/{market_project.pk}/").content.decode()
    for text in (
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值确定依据",
        "解析值",
        "监督抽查完成率",
        "≥95%",
        "百分比",
        "3月底",
        "变更记录",
        "提交审核",
        'id="edit"',
    ):
        assert text in html, text
    # 产出指标 merged over its five rows and the findings line under each row that has findings
    from jixiao.web.lib.reviews import project_review

    flagged = set(project_review(market_project).by_row)
    assert f'rowspan="{5 + len(flagged & set(range(5)))}"' in html


def test_edit_form_saves_and_records_history(clients, market_project):
    p = market_project
    data = _form(p)
    data["ind-0-value"] = "≥400批次"
    data["plan-node"] = ["3月底", "12月底"]
    data["plan-share"] = ["30%", "100%"]
    r = clients["market"].post(f"/projects/{p.pk}/edit/", data)
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.version == 2 and p.spending_plan == {"3月底": "30%", "12月底": "100%"}
    assert p.indicators.order_by("seq").first().value == "≥400批次"
    html = clients["market"].get(f"/projects/{p.pk}/").content.decode()
    assert (
        "已保存" in html and "≥400批次" in html and History.objects.filter(project=p, action="edit").exists()
    )


def test_saving_the_edit_form_keeps_a_milestone_left_blank(clients, market_project):
    """A milestone imported blank stays blank through an edit that did not touch the plan: the
    review still names it (JX402), not a missing milestone (JX405), and a share typed into it later
    is read in its place."""
    from jixiao.web.lib.reviews import project_review

    p = market_project
    p.spending_plan = {"3月底": "", "6月底": "50%", "10月底": "75%", "12月底": "100%"}
    p.save()
    data = _form(p)
    data["plan-node"] = list(p.spending_plan)
    data["plan-share"] = list(p.spending_plan.values())  # as the page fills it: the blank one empty
    data["ind-0-value"] = "≥400批次"
    assert clients["market"].post(f"/projects/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.spending_plan == {"3月底": "", "6月底": "50%", "10月底": "75%", "12月底": "100%"}
    codes = {f.rule for f in project_review(p).findings}
    assert "JX402" in codes and "JX405" not in codes
    data = _form(p)
    data["plan-node"] = list(p.spending_plan)
    data["plan-share"] = ["20", "50%", "75%", "100%"]
    assert clients["market"].post(f"/projects/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.spending_plan == {"3月底": "20%", "6月底": "50%", "10月底": "75%", "12月底": "100%"}


def test_edit_form_shows_validation_errors_and_keeps_input(clients, market_project):
    p = market_project
    data = _form(p)
    data["budget_total"] = "四十八"
    data["ind-1-value"] = ""
    r = clients["market"].post(f"/projects/{p.pk}/edit/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "预算数应为数字" in html and "第 2 行：指标值不能为空" in html and 'value="四十八"' in html
    assert Project.objects.get(pk=p.pk).version == p.version


def test_second_save_with_stale_form_is_refused_with_a_conflict_message(clients, market_project):
    p = market_project
    first, second = _form(p), _form(p)
    first["goal"] = "甲的修改"
    second["goal"] = "乙的修改"
    assert clients["market"].post(f"/projects/{p.pk}/edit/", first).status_code == 302
    r = clients["admin"].post(f"/projects/{p.pk}/edit/", second)
    assert r.status_code == 409
    html = r.content.decode()
    assert "保存冲突" in html and "market" in html and "本次保存未生效" in html
    assert Project.objects.get(pk=p.pk).goal == "甲的修改"


def test_search_across_units_and_years(clients, demo):
    html = clients["reviewer"].get("/search/", {"q": "满意度"}).content.decode()
    assert "示例区教育局" in html and "示例市卫生健康委员会" in html and "2023" in html and "2024" in html
    html = clients["reviewer"].get("/search/", {"q": "满意度", "year": "2023"}).content.decode()
    assert "示例区教育局" not in html.split("<tbody>")[1]  # the hits (the unit filter lists every unit)
    html = clients["reviewer"].get("/search/", {"q": "检定"}).content.decode()
    assert "检定计量器具台件数" in html


@pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/seeds")
def test_upload_page_imports_text_and_reports_per_file(clients, users):
    good = SimpleUploadedFile("004.txt", (SEEDS / "004_dc71da0f619798d6.txt").read_bytes())
    empty = SimpleUploadedFile("empty.txt", b"")
    wrong = SimpleUploadedFile("x.exe", b"MZ....")
    r = clients["admin"].post("/upload/", {"files": [good, empty, wrong]})
    assert r.status_code == 200
    html = r.content.decode()
    assert "004.txt — 已导入" in html and "新项目 11 个" in html
    assert "empty.txt — 未导入" in html and "empty.txt:" in html and "不支持的文件类型" in html
    assert Disclosure.objects.filter(year=2024, unit__name="乐亭县市场监督管理局本级").exists()


def test_upload_page_imports_a_docx(clients, users):
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import health_commission

    doc = health_commission(2025)
    data = disclosure_to_docx(doc)
    r = clients["admin"].post("/upload/", {"files": [SimpleUploadedFile("health.docx", data)]})
    html = r.content.decode()
    assert "health.docx — 已导入" in html, html[html.find("导入结果") :][:2000]
    p = Project.objects.get(year=2025, name="基本公共卫生服务补助资金")
    assert p.indicators.count() == 7 and p.unit.name == "示例市卫生健康委员会"


def test_upload_size_limit(clients, users, settings):
    settings.MAX_UPLOAD_MB = 1
    before = Indicator.objects.count()
    big = SimpleUploadedFile("big.txt", b"x" * (1024 * 1024 + 10))
    html = clients["admin"].post("/upload/", {"files": [big]}).content.decode()
    assert "超过 1 MB" in html
    assert Indicator.objects.count() == before
    # a request far above any allowed upload is refused before it is read
    r = clients["admin"].post(
        "/upload/", b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(200 * 1024 * 1024)
    )
    assert r.status_code == 413


def test_unit_user_upload_goes_to_their_unit(clients, demo):
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import market_bureau

    data = disclosure_to_docx(market_bureau(2026))
    html = (
        clients["market"].post("/upload/", {"files": [SimpleUploadedFile("m.docx", data)]}).content.decode()
    )
    assert "m.docx — 已导入" in html
    assert Project.objects.filter(unit=demo["999001"], year=2026).count() == 6
    html = clients["reviewer"].get("/upload/").content.decode()
    assert "不能导入" in html


def test_admin_upload_names_the_unit_by_its_code_and_a_wrong_one_is_said_on_the_form(clients, demo):
    """The administrator's 单位 field takes what users know (the unit code, region:code, id:N), as
    the command line's --unit does; it used to take the database id only, so typing the code 999001
    gave a bare 404 page (and a code that happened to be another unit's id imported there)."""
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import health_commission

    data = disclosure_to_docx(health_commission(2026))  # names 999003 示例市卫生健康委员会
    market = demo["999001"]
    form = {"files": [SimpleUploadedFile("h.docx", data)], "unit": "999001", "confirm_unit": "1"}
    r = clients["admin"].post("/upload/", form)
    assert r.status_code == 200 and "h.docx — 已导入" in r.content.decode()
    assert Project.objects.filter(unit=market, year=2026).count() == 1
    # an unknown unit: said on the upload page, with what the field takes; nothing imported
    before = Project.objects.count()
    r = clients["admin"].post("/upload/", {"files": [SimpleUploadedFile("h.docx", data)], "unit": "3"})
    html = r.content.decode()
    assert r.status_code == 400 and "没有单位 3" in html and "id:单位编号" in html and "上传并导入" in html
    assert Project.objects.count() == before
    html = clients["admin"].get("/upload/").content.decode()
    assert "单位编码" in html


def test_upload_year_typed_with_its_character_is_taken_and_a_wrong_one_is_said(clients, demo):
    """「2023年」 in the year field was dropped without a word, so a file without a year was refused
    with 「文件未写明预算年度…请指定年度」 although the user had given it."""
    page = SEEDS.parent / "field" / "batch1" / "04_ganzi_shichangjianguan.txt"  # prints no year
    if not page.exists():
        pytest.skip("needs ../shared/field")
    data = page.read_bytes()
    form = {"files": [SimpleUploadedFile("g.txt", data)], "year": "2023年"}
    html = clients["admin"].post("/upload/", form).content.decode()
    assert "g.txt — 已导入" in html and "2023 年" in html, html[html.find("导入结果") :][:600]
    r = clients["admin"].post("/upload/", {"files": [SimpleUploadedFile("g.txt", data)], "year": "二〇二三"})
    assert r.status_code == 400 and "年度应为" in r.content.decode()


def test_review_findings_on_project_page(clients, market_project):
    html = clients["reviewer"].get(f"/projects/{market_project.pk}/").content.decode()
    assert "审核规则检查" in html


def test_admin_pages_are_registered_and_read_only(clients, market_project):
    c = clients["admin"]
    for url in (
        "/admin/",
        "/admin/web/project/",
        f"/admin/web/project/{market_project.pk}/change/",
        "/admin/web/unit/",
        "/admin/web/indicator/",
        "/admin/web/history/",
        "/admin/web/user/add/",
        "/admin/web/monitoringsnapshot/",
        "/admin/web/selfevaluation/",
        "/admin/web/reviewresult/",
        f"/admin/web/reviewresult/{market_project.review_result.pk}/change/",
    ):
        assert c.get(url).status_code == 200, url
    assert c.post(f"/admin/web/project/{market_project.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Project.objects.filter(pk=market_project.pk).exists()
    r = c.post("/admin/web/user/add/", {"username": "viaadmin", "role": "reviewer", "password": "x-123456"})
    assert r.status_code == 302
    from jixiao.web.models import User

    u = User.objects.get(username="viaadmin")
    assert (
        u.role == "reviewer" and History.objects.filter(action="user", summary__contains="viaadmin").exists()
    )
    assert clients["reviewer"].get("/admin/").status_code == 302  # not staff: sent to the admin login


def test_admin_changes_a_user_and_revokes_a_token(clients, users):
    from jixiao.web.models import ApiToken, User

    c = clients["admin"]
    market = users["market"]
    url = f"/admin/web/user/{market.pk}/change/"
    assert c.get(url).status_code == 200
    units = [str(u.pk) for u in market.units.all()]
    inline = {"tokens-TOTAL_FORMS": "0", "tokens-INITIAL_FORMS": "0"}  # the tokens list on the page
    r = c.post(url, {"role": "unit", "units": units, "is_active": "", "new_password": "", **inline})
    assert r.status_code == 302
    market.refresh_from_db()
    assert not market.is_active and market.check_password("pw-123456")
    # the same checks as the command line: a unit user without a unit is refused, nothing saved
    r = c.post(url, {"role": "unit", "is_active": "on", "new_password": "", **inline})
    assert r.status_code == 200 and "单位用户至少要属于一个单位" in r.content.decode()
    market.refresh_from_db()
    assert not market.is_active
    # a reviewer sees every unit: the form says so beside 所属单位 rather than keep them
    r = c.post(url, {"role": "reviewer", "units": units, "is_active": "on", "new_password": "", **inline})
    assert r.status_code == 200 and "可查看所有单位" in r.content.decode()
    assert User.objects.get(pk=market.pk).role == "unit"
    r = c.post(url, {"role": "reviewer", "is_active": "", "new_password": "", **inline})
    assert r.status_code == 302 and User.objects.get(pk=market.pk).role == "reviewer"
    assert not market.units.exists()
    r = c.post(url, {"role": "unit", "units": units, "is_active": "", "new_password": "", **inline})
    assert r.status_code == 302 and [str(u.pk) for u in market.units.all()] == units
    # an administrator cannot lock themselves out
    me = users["admin"]
    r = c.post(f"/admin/web/user/{me.pk}/change/", {"role": "admin", "is_active": "", **inline})
    assert "不能停用自己的账号" in r.content.decode()
    assert User.objects.get(pk=me.pk).is_active
    # revoking a token from the token list goes through the action (history recorded)
    token = actions.issue_token(None, "edu")
    t = ApiToken.objects.get(user=users["edu"])
    assert t.prefix in c.get(f"/admin/web/user/{users['edu'].pk}/change/").content.decode()
    r = c.post(f"/admin/web/apitoken/{t.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and actions.user_for_token(token) is None
    assert History.objects.filter(action="token", summary__startswith="撤销 edu").exists()
    r = clients["reviewer"].post(f"/admin/web/user/{market.pk}/change/", {"role": "admin", **inline})
    assert r.status_code == 302 and User.objects.get(pk=market.pk).role == "unit"  # to the admin login


def test_search_pages_through_results(clients, demo):
    from jixiao.web.views import search as views

    views.SEARCH_PAGE, old = 5, views.SEARCH_PAGE
    try:
        html = clients["reviewer"].get("/search/", {"q": "满意度"}).content.decode()
        assert "第 1–5 条" in html and "offset=5" in html
        html = clients["reviewer"].get("/search/", {"q": "满意度", "offset": "10"}).content.decode()
        assert "第 11–13 条" in html and "offset=5" in html  # 13 satisfaction indicators in the demo
    finally:
        views.SEARCH_PAGE = old


@pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/seeds")
def test_imported_unit_carries_the_region_its_project_codes_name(clients, users):
    data = (SEEDS / "001_69cafeba3764958f.txt").read_bytes()
    clients["admin"].post("/upload/", {"files": [SimpleUploadedFile("001.txt", data)]})
    from jixiao.web.models import Unit

    u = Unit.objects.get(code="414001", name="市场监管部门市场监督管理局本级")
    assert u.region == "河北省秦皇岛市山海关区"
    assert "河北省秦皇岛市山海关区" in clients["reviewer"].get("/units/").content.decode()


def test_unit_user_upload_of_a_document_naming_another_unit_says_so(clients, demo):
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.web.demo import health_commission

    data = disclosure_to_docx(health_commission(2026))
    html = (
        clients["market"].post("/upload/", {"files": [SimpleUploadedFile("h.docx", data)]}).content.decode()
    )
    # refused, not filed under the user's own unit (issue 9)
    assert "h.docx — 未导入" in html and "文件写明的单位是“示例市卫生健康委员会”" in html
    assert "不是所选单位“示例市市场监督管理局”" in html
    assert not Project.objects.filter(year=2026).exists()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("units", ()),
        ("project", (7,)),
        ("project", (0,)),
        ("unit_year", (12, 2024)),
        ("project_transition", (3, "submit")),
        ("unit_export", (5, 2025, "monitor", "xlsx")),
        ("unit_template", (5, 2025, "selfeval")),
        ("project_export", (9, "selfeval", "pdf")),
    ],
)
def test_template_url_is_reverse(name, args, settings):
    """The pages' url() fills a reversed route in; it must give what reverse() gives, and under a
    script prefix (a deployment below /jx/) too."""
    from django.urls import reverse, set_script_prefix

    from jixiao.web.jinja import url

    assert url(name, *args) == reverse(name, args=args)
    assert url(name, *args) == url(name, *args)  # the cached route again
    try:
        set_script_prefix("/jx/")
        assert url(name, *args) == reverse(name, args=args)
        assert url(name, *args).startswith("/jx/")
    finally:
        set_script_prefix("/")


def test_template_url_odd_arguments_fall_back_to_reverse():
    from django.urls import NoReverseMatch, reverse

    from jixiao.web.jinja import url

    assert url("project_transition", 3, "a b%é") == reverse("project_transition", args=(3, "a b%é"))
    with pytest.raises(NoReverseMatch):
        url("project", -1)  # <int:> takes no sign: an error, not a made-up address
    with pytest.raises(NoReverseMatch):
        url("project", True)


def test_admin_review_results_count_findings_in_chinese(clients, market_project):
    """The admin's 审核结果 list shows 错误/警告/提示 counts, not the stored dict's English keys."""
    clients["reviewer"].get(f"/projects/{market_project.pk}/")  # the review is stored on first view
    html = clients["admin"].get("/admin/web/reviewresult/").content.decode()
    assert "审核结果" in html and "警告" in html
    for english in ("&#x27;error&#x27;", "&#x27;warning&#x27;", "&#x27;hint&#x27;", "'error'"):
        assert english not in html


def test_admin_adding_a_unit_user_without_a_unit_shows_the_error(clients):
    """The admin's 增加用户 form with role 单位用户 and no unit chosen answered 500 (the action
    refused after the form had passed); the form now shows why, beside 所属单位."""
    from jixiao.web.models import Unit, User

    r = clients["admin"].post(
        "/admin/web/user/add/", {"username": "nounit", "role": "unit", "password": "Good-pass-123"}
    )
    assert r.status_code == 200
    assert "单位用户至少要属于一个单位" in r.content.decode()
    assert not User.objects.filter(username="nounit").exists()
    unit = Unit.objects.get(code="999002")
    r = clients["admin"].post(
        "/admin/web/user/add/",
        {"username": "nounit", "role": "unit", "units": [unit.pk], "password": "Good-pass-123"},
    )
    assert r.status_code == 302 and list(User.objects.get(username="nounit").units.all()) == [unit]
    # a reviewer with units: refused beside 所属单位, as on the command line
    r = clients["admin"].post(
        "/admin/web/user/add/",
        {"username": "rev", "role": "reviewer", "units": [unit.pk], "password": "Good-pass-123"},
    )
    assert r.status_code == 200 and "可查看所有单位" in r.content.decode()
    assert not User.objects.filter(username="rev").exists()


def test_admin_shows_amounts_as_the_pages_do(clients, users, market_project):
    """The admin's 项目 and 自评 lists showed 预算数 as stored (48.500000); now as every page: 48.5."""
    from decimal import Decimal

    from jixiao.web.models import SelfEvaluation

    p = market_project
    type(p).objects.filter(pk=p.pk).update(budget_total=Decimal("48.5"))
    SelfEvaluation.objects.create(
        project=p,
        budget_adjusted=Decimal("1234.5"),
        budget_executed=Decimal("30"),
        entered_by=users["market"],
    )
    html = clients["admin"].get("/admin/web/project/").content.decode()
    assert ">48.5<" in html and "48.500000" not in html and "预算数" in html
    html = clients["admin"].get("/admin/web/selfevaluation/").content.decode()
    assert ">1,234.5<" in html and ">30<" in html and ".500000" not in html


def test_admin_shows_the_execution_rate_as_a_percentage(clients, market_project):
    """The 运行监控 list showed 执行率 as the stored share (0.850000); now as the pages do: 85.0%."""
    import datetime
    from decimal import Decimal

    from jixiao.web.models import MonitoringSnapshot

    MonitoringSnapshot.objects.create(
        project=market_project, as_of=datetime.date(2024, 7, 31), execution_rate=Decimal("0.85")
    )
    html = clients["admin"].get("/admin/web/monitoringsnapshot/").content.decode()
    assert ">85.0%<" in html and "0.850000" not in html and "执行率" in html


def test_a_page_masks_its_csrf_token_once_and_every_form_posts_with_it(users, market_project):
    """Each masking costs some 50-100 µs (32 random characters): a page makes one, which all its
    forms carry (as Django's own templates do), and each form posts with it."""
    import re

    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(users["market"])
    unit = market_project.unit
    for url in (f"/projects/{market_project.pk}/", f"/units/{unit.pk}/{market_project.year}/"):
        html = c.get(url).content.decode()
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert len(tokens) >= 3 and len(set(tokens)) == 1, (url, tokens)
    edit = c.post(
        f"/projects/{market_project.pk}/edit/", {**_form(market_project), "csrfmiddlewaretoken": tokens[0]}
    )
    assert edit.status_code == 302
    assert c.post("/logout/", {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert c.get("/").status_code == 302  # logged out
