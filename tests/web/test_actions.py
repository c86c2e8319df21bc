"""Every write goes through actions: permission, validation, one transaction, history."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from jixiao.web import actions
from jixiao.web.demo import market_bureau
from jixiao.web.models import Disclosure, History, Indicator, Project, State, SubGoal, Unit

pytestmark = pytest.mark.django_db


def test_import_stores_units_projects_indicators_and_parsed_targets(demo):
    unit = demo["999001"]
    assert unit.name == "示例市市场监督管理局"
    d = Disclosure.objects.get(unit=unit, year=2024)
    assert d.sub_goals.count() == 4
    projects = list(Project.objects.filter(disclosure=d).order_by("seq"))
    assert [p.seq for p in projects] == [1, 2, 3, 4, 5, 6]
    p = projects[0]
    assert p.name == "产品质量监督抽查经费" and p.budget_total == Decimal("48.5") and p.state == State.DRAFT
    assert p.spending_plan == {"3月底": "25%", "6月底": "50%", "10月底": "75%", "12月底": "100%"}
    ind = p.indicators.get(name="监督抽查完成率")
    assert ind.value == "≥95%" and ind.level1_canonical == "产出指标"
    assert ind.target["raw"] == "≥95%"
    assert History.objects.filter(project=p, action="import").exists()


def test_importing_the_same_document_again_updates_instead_of_duplicating(demo):
    before = (
        Project.objects.count(),
        Indicator.objects.count(),
        Unit.objects.count(),
        SubGoal.objects.count(),
    )
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=1)
    doc = market_bureau(2024)
    doc.projects[0].budget_total = Decimal("50")
    r = actions.import_disclosure(None, doc)
    assert (r.created, r.updated) == (0, 6)
    after = (
        Project.objects.count(),
        Indicator.objects.count(),
        Unit.objects.count(),
        SubGoal.objects.count(),
    )
    assert after == before
    p2 = Project.objects.get(pk=p.pk)
    assert p2.budget_total == Decimal("50") and p2.version == p.version + 1


def test_a_failed_import_changes_nothing(users, demo):
    # the market user may not overwrite a submitted project: the import fails after writing others
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=3)
    actions.submit_project(users["market"], p.pk, version=p.version)
    snapshot = sorted(Project.objects.values_list("id", "version", "budget_total"))
    n_ind, n_hist = Indicator.objects.count(), History.objects.count()
    doc = market_bureau(2024)
    for proj in doc.projects:
        proj.budget_total = Decimal("1")
    with pytest.raises(actions.Denied):
        actions.import_disclosure(users["market"], doc)
    assert sorted(Project.objects.values_list("id", "version", "budget_total")) == snapshot
    assert (Indicator.objects.count(), History.objects.count()) == (n_ind, n_hist)


def test_unit_user_cannot_import_into_another_unit(users, demo):
    from jixiao.web.demo import education_bureau

    with pytest.raises(actions.Denied):
        actions.import_disclosure(users["market"], education_bureau(2025))
    with pytest.raises(actions.Denied):
        actions.import_disclosure(users["reviewer"], market_bureau(2025))
    assert not Disclosure.objects.filter(year=2025).exists()
    r = actions.import_disclosure(users["market"], market_bureau(2025))
    assert r.created == 4


def test_a_table_naming_another_unit_keeps_that_unit(db):
    doc = market_bureau(2024)
    doc.projects[1].unit_name = "示例市市场监督管理局第一分局"
    doc.projects[1].unit_code = "999001001"
    actions.import_disclosure(None, doc)
    p = Project.objects.get(name=doc.projects[1].name)
    assert p.unit.name == "示例市市场监督管理局第一分局"
    assert p.disclosure.unit.name == "示例市市场监督管理局"


def test_edit_records_history_and_bumps_version(users, market_project):
    p = market_project
    rows = [{"id": i.pk, **{k: getattr(i, k) for k in actions.INDICATOR_FIELDS}} for i in p.indicators.all()]
    rows[0]["value"] = "≥400批次"
    out = actions.edit_project(
        users["market"],
        p.pk,
        actions.ProjectEdit(
            version=p.version, budget_total="50", indicators=tuple(actions.IndicatorRow(**r) for r in rows)
        ),
    )
    assert out.version == p.version + 1
    assert Indicator.objects.get(pk=rows[0]["id"]).value == "≥400批次"
    h = History.objects.filter(project=p, action="edit").get()
    assert h.username == "market" and "≥400批次" in h.summary and "预算数" in h.summary


def test_second_save_with_a_stale_version_is_refused(users, market_project):
    p = market_project
    actions.edit_project(
        users["market"], p.pk, actions.ProjectEdit(version=p.version, purpose="第一人的修改")
    )
    with pytest.raises(actions.Conflict) as e:
        actions.edit_project(
            users["admin"], p.pk, actions.ProjectEdit(version=p.version, purpose="第二人的修改")
        )
    assert "保存冲突" in e.value.message and "未生效" in e.value.message
    assert Project.objects.get(pk=p.pk).purpose == "第一人的修改"


def test_edit_validates_input(users, market_project):
    p = market_project
    with pytest.raises(actions.Invalid) as e:
        actions.edit_project(
            users["market"],
            p.pk,
            actions.ProjectEdit(
                version=p.version,
                name="",
                budget_total="十万",
                spending_plan={"6月底": "120%"},
                indicators=(actions.IndicatorRow(level1="产出指标", name="", value=""),),
            ),
        )
    assert {"name", "budget_total", "spending_plan.6月底", "indicators.1.name", "indicators.1.value"} <= set(
        e.value.errors
    )
    assert Project.objects.get(pk=p.pk).version == p.version


def test_edit_form_is_read_into_one_project_edit():
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    post.update({"version": "7", "rows": "3", "name": " 新名称 ", "budget_total": "1,200"})
    post.setlist("plan-node", ["6月底", "", "12月底"])
    post.setlist("plan-share", ["40", "90%", "100%"])
    post.update({"ind-0-id": "12", "ind-0-level1": "产出指标", "ind-1-id": "x", "ind-2-id": ""})
    edit = actions.ProjectEdit.from_form(post)
    assert edit.version == 7 and edit.name == " 新名称 " and edit.code == ""  # the form sends every field
    assert edit.spending_plan == {"6月底": "40", "12月底": "100%"}  # a share without its node is dropped
    assert edit.indicators is not None
    assert [r.id for r in edit.indicators] == [12, None, None]  # an id that is not a number: a new row
    assert edit.indicators[0].level1 == "产出指标" and edit.indicators[1].level1 == ""
    post["version"] = "v7"
    assert actions.ProjectEdit.from_form(post).version == -1  # an unreadable version is a conflict


def test_fields_left_unchanged_keep_their_value_and_none_clears(users, market_project):
    p = market_project
    p = actions.edit_project(users["market"], p.pk, actions.ProjectEdit(version=p.version, code=None))
    stored = Project.objects.get(pk=p.pk)
    assert (
        stored.code is None and stored.name == market_project.name and stored.budget_total == Decimal("48.5")
    )
    assert stored.indicators.count() == market_project.indicators.count()
    assert actions.ProjectEdit(version=1, goal="x").given() == {"goal": "x"}


def test_workflow_submit_return_approve(users, market_project):
    p = market_project
    with pytest.raises(actions.Denied):
        actions.submit_project(users["reviewer"], p.pk)
    with pytest.raises(actions.Denied):
        actions.approve_project(users["reviewer"], p.pk)  # not submitted yet
    p = actions.submit_project(users["market"], p.pk, version=p.version)
    assert p.state == State.SUBMITTED
    with pytest.raises(actions.Denied):  # read-only to the unit now
        actions.edit_project(users["market"], p.pk, actions.ProjectEdit(version=p.version, goal="x"))
    with pytest.raises(actions.Denied):
        actions.approve_project(users["market"], p.pk)
    with pytest.raises(actions.Invalid):
        actions.return_project(users["reviewer"], p.pk, comment=" ")
    p = actions.return_project(users["reviewer"], p.pk, comment="成本指标缺少依据", version=p.version)
    assert p.state == State.RETURNED
    p = actions.edit_project(
        users["market"], p.pk, actions.ProjectEdit(version=p.version, goal="修改后的目标")
    )
    p = actions.submit_project(users["market"], p.pk, version=p.version)
    p = actions.approve_project(users["reviewer"], p.pk, version=p.version)
    assert p.state == State.APPROVED
    with pytest.raises(actions.Denied):
        actions.edit_project(users["market"], p.pk, actions.ProjectEdit(version=p.version, goal="y"))
    log = list(History.objects.filter(project=p).order_by("at", "id").values_list("action", "username"))
    assert log[-5:] == [
        ("submit", "market"),
        ("return", "reviewer"),
        ("edit", "market"),
        ("submit", "market"),
        ("approve", "reviewer"),
    ]
    assert "成本指标缺少依据" in History.objects.get(project=p, action="return").summary


def test_unit_user_cannot_touch_another_units_project(users, edu_project):
    p = edu_project
    for call in (
        lambda: actions.edit_project(users["market"], p.pk, actions.ProjectEdit(version=p.version, goal="x")),
        lambda: actions.submit_project(users["market"], p.pk),
    ):
        with pytest.raises(actions.NotFound):
            call()


def test_create_user_and_token(demo):
    with pytest.raises(actions.Invalid):
        actions.create_user(None, "nobody", "unit")  # a unit user needs a unit
    u, pw = actions.create_user(None, "clerk", "unit", unit_codes=["999001"])
    assert u.check_password(pw) and [x.code for x in u.units.all()] == ["999001"]
    with pytest.raises(actions.Invalid):
        actions.create_user(None, "clerk", "reviewer")
    with pytest.raises(actions.Denied):
        actions.create_user(u, "other", "admin")
    token = actions.issue_token(None, "clerk")
    assert actions.user_for_token(token) == u
    assert actions.user_for_token(token + "x") is None


def test_update_user_role_units_deactivate_and_password(users, clients, demo, market_project):
    admin, market = users["admin"], users["market"]
    with pytest.raises(actions.Denied):
        actions.update_user(market, "edu", role="admin")
    # moving the market user to the education unit: the market project disappears for them
    actions.update_user(admin, "market", unit_codes=["999002"])
    assert clients["market"].get(f"/projects/{market_project.pk}/").status_code == 404
    with pytest.raises(actions.Invalid) as e:
        actions.update_user(admin, "market", unit_codes=[])  # a unit user needs a unit
    assert "units" in e.value.errors
    with pytest.raises(actions.Invalid) as e:  # a reviewer sees every unit: none to belong to
        actions.update_user(admin, "market", role="reviewer", unit_codes=["999002"])
    assert "可查看所有单位" in e.value.errors["units"]
    actions.update_user(admin, "market", role="reviewer")  # the units go with the role
    assert clients["market"].get(f"/projects/{market_project.pk}/").status_code == 200
    assert not market.units.exists()
    change = History.objects.filter(action="user").latest("pk")
    assert {c["field"] for c in change.changes} == {"role", "units"}
    # deactivation: the open session and the API token stop working at once
    token = actions.issue_token(None, "market")
    assert actions.user_for_token(token) is not None
    actions.update_user(admin, "market", active=False)
    assert clients["market"].get("/").status_code == 302  # back to the login page
    assert actions.user_for_token(token) is None
    actions.update_user(admin, "market", active=True, password="a-new-password")
    market.refresh_from_db()
    assert market.is_active and market.check_password("a-new-password")
    with pytest.raises(actions.Invalid):
        actions.update_user(admin, "market", password="short")
    # no self-lockout
    with pytest.raises(actions.Invalid):
        actions.update_user(admin, "admin", active=False)
    with pytest.raises(actions.Invalid):
        actions.update_user(admin, "admin", role="reviewer")
    with pytest.raises(actions.NotFound):
        actions.update_user(admin, "nobody", active=False)
    summaries = list(History.objects.filter(action="user").values_list("summary", flat=True))
    assert any("修改用户 market" in x and "已停用" in x for x in summaries)
    assert not any("a-new-password" in str(h.changes) for h in History.objects.filter(action="user"))


def test_revoke_tokens(users):
    first = actions.issue_token(None, "market")
    second = actions.issue_token(None, "market")
    with pytest.raises(actions.Denied):
        actions.revoke_tokens(users["edu"], "market")
    assert actions.revoke_tokens(users["market"], "market", first[:8]) == 1  # their own, by prefix
    assert actions.user_for_token(first) is None and actions.user_for_token(second) is not None
    assert actions.revoke_tokens(users["admin"], "market") == 1
    assert actions.user_for_token(second) is None
    with pytest.raises(actions.NotFound):
        actions.revoke_tokens(users["admin"], "market")
    assert History.objects.filter(action="token", summary__startswith="撤销 market").count() == 2


def test_domain_round_trip(demo):
    from jixiao.web.convert import disclosure_from_orm

    d = Disclosure.objects.get(unit=demo["999002"], year=2024)
    doc = disclosure_from_orm(d)
    from jixiao.web.demo import education_bureau

    orig = education_bureau(2024)
    assert doc.unit_name == orig.unit_name and doc.year == 2024
    assert [(p.name, p.budget_total, len(p.indicators)) for p in doc.projects] == [
        (p.name, p.budget_total, len(p.indicators)) for p in orig.projects
    ]
    assert [i.value for i in doc.projects[0].indicators] == [i.value for i in orig.projects[0].indicators]
    assert copy.deepcopy(doc.sub_goals) == orig.sub_goals


def test_bulk_load_stores_new_unit_years_and_refuses_existing_ones(db):
    from jixiao.web.demo import education_bureau, health_commission

    n = actions.bulk_load(None, [market_bureau(2024), education_bureau(2024)])
    assert n == 41 + 18 and Project.objects.count() == 9
    p = Project.objects.get(name="教师培训经费")
    assert p.indicators.count() == 6 and p.indicators.order_by("seq").first().target["kind"] == "number"
    with pytest.raises(actions.Invalid):
        actions.bulk_load(None, [education_bureau(2024)])
    with pytest.raises(actions.Denied):
        from jixiao.web.models import User

        actions.bulk_load(User(username="x", role="reviewer"), [health_commission(2024)])
    assert Project.objects.count() == 9


def test_unit_code_option_puts_a_document_into_that_unit(demo):
    from jixiao.web.demo import health_commission

    doc = health_commission(2027)
    doc.unit_name, doc.unit_code = None, None  # a document that does not say whose it is
    with pytest.raises(actions.Invalid, match="--unit"):
        actions.import_disclosure(None, doc)
    r = actions.import_disclosure(None, doc, unit_code="999002")
    assert r.created == 1 and Project.objects.get(year=2027).unit == demo["999002"]


def test_a_unit_code_no_unit_has_is_named_as_typed(users, demo):
    """`jixiao user set li --unit 999999` said 「没有单位 id:999999」: a bare number that is no
    unit's code is also tried as an id, but the message names what the administrator typed."""
    with pytest.raises(actions.Invalid) as e:
        actions.update_user(None, "market", unit_codes=["999999"])
    assert "没有单位 999999" in e.value.message and "id:999999" not in e.value.message
    u = actions.update_user(None, "market", unit_codes=[str(demo["999002"].pk)])  # an id still works
    assert list(u.units.all()) == [demo["999002"]]
