"""The workflow respects the review (issue 12): approving a project whose stored review has error
findings (or an outcome of 中/差) needs the reviewer's reason, recorded in the history and shown to
the unit; submitting with errors warns the unit; imports by administrators record 已公开; monitoring
and self-evaluation only on approved or published targets. Pages as each role, the API, the actions."""

from __future__ import annotations

import json
import re

import pytest

from jixiao.web import actions
from jixiao.web.models import History, MonitoringSnapshot, Project, SelfEvaluation, State

REASON = "预算数差异为年初结转资金，已与财政局核实，同意批复"


def _with_error(users, p):
    """The project edited by its unit: 预算数 ≠ 财政资金 + 其他资金, 其他资金 given (JX401, an error)."""
    total = (p.budget_fiscal or 0) + (p.budget_other or 0) + 1
    return actions.edit_project(
        users["market"],
        p.pk,
        actions.ProjectEdit(
            version=p.version, budget_total=str(total), budget_other=str(p.budget_other or 0)
        ),
    )


def _submitted_with_error(users, p):
    p = _with_error(users, p)
    return actions.submit_project(users["market"], p.pk, version=p.version)


def _error_rules(p):
    return {f["rule"] for f in actions.review_gate(p).errors}


# ------------------------------------------------------------------------------------------ actions


def test_the_gate_reads_the_stored_review(users, market_project):
    p = market_project
    assert not actions.review_gate(p).needs_reason  # the demo project as imported has no error
    p = _with_error(users, p)
    gate = actions.review_gate(p)
    assert gate.errors and gate.needs_reason
    from jixiao.web.lib.reviews import project_review

    stored = {f.key for f in project_review(p).findings if f.severity == "error"}
    assert {f["key"] for f in gate.errors} == stored  # the review's own findings, not a re-implementation


def test_an_outcome_of_zhong_or_cha_needs_a_reason_even_without_errors():
    assert actions.ReviewGate("中", "修改完善后重新报送审核", []).needs_reason
    assert actions.ReviewGate("差", "绩效目标不可用", []).needs_reason
    assert not actions.ReviewGate("良", "小幅修改完善后进入预算安排流程", []).needs_reason
    assert not actions.ReviewGate().needs_reason


def test_approving_with_errors_is_refused_without_a_reason_and_recorded_with_one(users, market_project):
    p = _submitted_with_error(users, market_project)
    rules = _error_rules(p)
    for reason in (None, "", "   "):
        with pytest.raises(actions.ConfirmationNeeded) as e:
            actions.approve_project(users["reviewer"], p.pk, version=p.version, confirm_reason=reason)
        assert {f["rule"] for f in e.value.gate.errors} == rules
        assert "理由" in e.value.message and e.value.errors == {"confirm_reason": "请填写审核通过的理由"}
    p.refresh_from_db()
    assert p.state == State.SUBMITTED and not p.history.filter(action="approve").exists()
    p = actions.approve_project(users["reviewer"], p.pk, version=p.version, confirm_reason=REASON)
    assert p.state == State.APPROVED
    h = p.history.get(action="approve")
    assert REASON in h.summary and h.username == "reviewer"
    entries = {c["field"]: c["new"] for c in h.changes}
    assert entries["confirm_reason"] == REASON
    assert {f["rule"] for f in entries["review"]["findings"]} == rules
    approval = actions.last_approval(p.history.order_by("-at", "-id"))
    assert approval is not None and (approval.reason, approval.username) == (REASON, "reviewer")
    assert {f["rule"] for f in approval.findings} == rules and approval.grade


def test_the_submit_history_tells_the_reviewer_about_errors(users, market_project):
    p = _submitted_with_error(users, market_project)
    h = p.history.get(action="submit")
    n = len(actions.review_gate(p).errors)
    assert f"{n} 条错误" in h.summary
    clean = Project.objects.filter(unit=p.unit, year=p.year).exclude(pk=p.pk).order_by("seq")
    q = next(x for x in clean if not actions.review_gate(x).errors)
    q = actions.submit_project(users["market"], q.pk, version=q.version)
    assert q.history.get(action="submit").summary == "提交审核"


def test_admins_need_the_reason_too_and_units_cannot_approve(users, market_project):
    p = _submitted_with_error(users, market_project)
    with pytest.raises(actions.ConfirmationNeeded):
        actions.approve_project(users["admin"], p.pk, confirm_reason="")
    with pytest.raises(actions.Denied):
        actions.approve_project(users["market"], p.pk, confirm_reason=REASON)
    assert actions.approve_project(users["admin"], p.pk, confirm_reason=REASON).state == State.APPROVED


# -------------------------------------------------------------------------------------------- pages


def test_reviewer_page_asks_for_a_reason_listing_the_errors_then_the_unit_sees_it(
    clients, users, market_project
):
    p = _submitted_with_error(users, market_project)
    rules = _error_rules(p)
    url = f"/projects/{p.pk}/"
    html = clients["reviewer"].get(url).content.decode()
    box = html[
        html.index('id="confirm-approve"') : html.index("</details>", html.index('id="confirm-approve"'))
    ]
    assert re.search(r'<textarea name="confirm_reason"[^>]*required', box)
    assert all(r in box for r in rules)
    # the unit never sees the approval form
    assert 'id="confirm-approve"' not in clients["market"].get(url).content.decode()
    # posted without a reason (a stale page, a script): refused, the confirmation shown open
    r = clients["reviewer"].post(f"{url}approve/", {"version": p.version})
    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="confirm-approve" open' in html and "未批复" in html
    assert Project.objects.get(pk=p.pk).state == State.SUBMITTED
    r = clients["reviewer"].post(f"{url}approve/", {"version": p.version, "confirm_reason": REASON})
    assert r.status_code == 302
    assert Project.objects.get(pk=p.pk).state == State.APPROVED
    html = clients["market"].get(url).content.decode()
    card = html[html.index('id="approval"') : html.index("</section>", html.index('id="approval"'))]
    assert REASON in card and "reviewer" in card and all(r in card for r in rules)
    assert REASON in html[html.index("变更记录") :]  # in the history table too


def test_a_project_without_errors_is_approved_with_one_click(clients, users, market_project):
    p = market_project
    p = actions.submit_project(users["market"], p.pk, version=p.version)
    html = clients["reviewer"].get(f"/projects/{p.pk}/").content.decode()
    assert 'id="confirm-approve"' not in html and ">审核通过</button>" in html
    r = clients["reviewer"].post(f"/projects/{p.pk}/approve/", {"version": p.version})
    assert r.status_code == 302 and Project.objects.get(pk=p.pk).state == State.APPROVED
    assert 'id="approval"' not in clients["market"].get(f"/projects/{p.pk}/").content.decode()


def test_unit_submitting_with_errors_is_shown_the_findings_and_asked_to_confirm(
    clients, users, market_project
):
    p = _with_error(users, market_project)
    rules = _error_rules(p)
    url = f"/projects/{p.pk}/"
    html = clients["market"].get(url).content.decode()
    assert 'id="confirm-submit"' in html and "仍然提交审核" in html
    r = clients["market"].post(f"{url}submit/", {"version": p.version})
    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="confirm-submit" open' in html and all(x in html for x in rules)
    assert Project.objects.get(pk=p.pk).state == State.DRAFT
    r = clients["market"].post(f"{url}submit/", {"version": p.version, "confirm": "1"})
    assert r.status_code == 302 and Project.objects.get(pk=p.pk).state == State.SUBMITTED
    # a reviewer posting to submit is refused, not asked to confirm
    q = Project.objects.filter(unit=p.unit, year=p.year, state=State.DRAFT).first()
    assert clients["reviewer"].post(f"/projects/{q.pk}/submit/", {}).status_code == 403


# ---------------------------------------------------------------------------------------------- API


def _post(client, p, what, body):
    return client.post(f"/api/projects/{p.pk}/{what}", json.dumps(body), content_type="application/json")


def test_api_submit_warns_and_approve_answers_409_with_the_findings(clients, users, market_project):
    p = _with_error(users, market_project)
    rules = _error_rules(p)
    r = _post(clients["market"], p, "submit", {"version": p.version})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "submitted" and {w["rule"] for w in body["warnings"]} == rules
    assert all(w["severity"] == "error" and w["message"] for w in body["warnings"])
    r = _post(clients["reviewer"], p, "approve", {})
    assert r.status_code == 409
    body = r.json()
    assert {f["rule"] for f in body["findings"]} == rules and "confirm_reason" in body["errors"]
    assert body["detail"] and body["grade"] in ("优", "良", "中", "差")
    assert _post(clients["market"], p, "approve", {"confirm_reason": REASON}).status_code == 403
    r = _post(clients["reviewer"], p, "approve", {"confirm_reason": REASON})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    hist = clients["market"].get(f"/api/projects/{p.pk}/history").json()
    assert hist[0]["action"] == "approve" and REASON in hist[0]["summary"]


def test_api_submit_without_errors_has_no_warnings(clients, market_project):
    r = _post(clients["market"], market_project, "submit", {"version": market_project.version})
    assert r.status_code == 200 and r.json()["warnings"] == []


# ---------------------------------------------------------------------------- imports and 已公开


def test_admin_imports_are_published_unit_imports_stay_drafts(users, db):
    from jixiao.web.demo import education_bureau, market_bureau

    r = actions.import_disclosure(None, market_bureau(2022))  # the command line: an administrator
    states = set(Project.objects.filter(disclosure_id=r.disclosure_id).values_list("state", flat=True))
    assert states == {State.PUBLISHED}
    # a unit user's import of its own table is a draft
    doc = market_bureau(2025)
    r = actions.import_disclosure(users["market"], doc)
    states = set(Project.objects.filter(disclosure_id=r.disclosure_id).values_list("state", flat=True))
    assert states == {State.DRAFT}
    # an administrator importing a unit's draft says so
    r = actions.import_disclosure(users["admin"], education_bureau(2025), published=False)
    assert set(Project.objects.filter(disclosure_id=r.disclosure_id).values_list("state", flat=True)) == {
        State.DRAFT
    }
    # re-imported by an administrator as the published disclosure: now published, in the history
    r = actions.import_disclosure(users["admin"], doc)
    assert r.created == 0 and r.unchanged == 0
    p = Project.objects.filter(disclosure_id=r.disclosure_id).first()
    assert p.state == State.PUBLISHED
    assert "状态：草稿 → 已公开" in p.history.filter(action="import").first().summary
    # the unit may no longer overwrite it
    with pytest.raises(actions.Denied):
        doc.projects[0].goal = "单位改过的目标"
        actions.import_disclosure(users["market"], doc)


def test_published_shows_in_chinese_on_pages_lists_and_filters(clients, demo):
    p = Project.objects.filter(unit=demo["999001"], year=2023).first()
    assert p.state == State.PUBLISHED and p.get_state_display() == "已公开"
    for url in (f"/projects/{p.pk}/", f"/units/{p.unit_id}/2023/", "/review/?year=2023"):
        html = clients["reviewer"].get(url).content.decode()
        assert "已公开" in html, url
        assert not re.search(r">\s*published\s*<", html), url
    r = clients["reviewer"].get("/api/projects", {"state": "published"}).json()
    assert r["count"] == Project.objects.filter(state=State.PUBLISHED).count() > 0


# ----------------------------------------------------------------- monitoring and self-evaluation


def _approve(users, p):
    p = actions.submit_project(users["market"], p.pk, version=p.version)
    reason = REASON if actions.review_gate(p).needs_reason else None
    return actions.approve_project(users["reviewer"], p.pk, version=p.version, confirm_reason=reason)


def test_monitoring_and_selfeval_need_approved_or_published_targets(users, market_project, demo):
    p = market_project
    for save in (
        lambda: actions.save_monitoring(
            users["market"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="1")
        ),
        lambda: actions.save_selfeval(
            users["market"], p.pk, actions.SelfEvalEntry(adjusted="10", executed="9")
        ),
    ):
        with pytest.raises(actions.Invalid) as e:
            save()
        assert p.name in e.value.message and "草稿" in e.value.message
    assert not MonitoringSnapshot.objects.filter(project=p).exists()
    # reviewers are still refused as before: it is not theirs to enter
    with pytest.raises(actions.Denied):
        actions.save_monitoring(
            users["reviewer"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="1")
        )
    p = _approve(users, p)
    assert actions.save_monitoring(
        users["market"], p.pk, actions.MonitoringEntry(as_of="2024-07-31", executed="1")
    ).pk
    published = Project.objects.filter(unit=demo["999001"], year=2023).first()
    rows = [{"band": "达成年度指标"} for _ in range(published.indicators.count())]
    with pytest.raises(actions.Invalid):  # published, so the gate lets it through to validation
        actions.save_selfeval(
            users["market"],
            published.pk,
            actions.SelfEvalEntry(
                adjusted="1", executed="2", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
            ),
        )
    assert not SelfEvaluation.objects.filter(project=published).exists()


def test_pages_hide_the_forms_with_the_reason(clients, users, market_project):
    p = market_project
    for tab in ("monitor", "selfeval"):
        html = clients["market"].get(f"/projects/{p.pk}/{tab}/").content.decode()
        assert 'id="entry-blocked"' in html and "草稿" in html and 'id="entry"' not in html
        r = clients["market"].post(f"/projects/{p.pk}/{tab}/", {"as_of": "2024-07-31", "executed": "1"})
        assert r.status_code == 400 and "已批复或已公开" in r.content.decode()
    _approve(users, p)
    for tab in ("monitor", "selfeval"):
        html = clients["market"].get(f"/projects/{p.pk}/{tab}/").content.decode()
        assert 'id="entry-blocked"' not in html and 'id="entry"' in html


def test_api_monitoring_on_a_draft_is_refused_in_chinese(clients, market_project):
    body = {"as_of": "2024-07-31", "executed": "1", "rows": []}
    r = clients["market"].post(
        f"/api/projects/{market_project.pk}/monitoring", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 400 and "草稿" in r.json()["detail"]


def test_workbook_import_refuses_a_draft_naming_project_and_state(users, market_project):
    from tests.web.test_monitoring_api import _filled_monitor

    p = market_project
    with pytest.raises(actions.Invalid) as e:
        actions.import_cycle_workbook(users["market"], _filled_monitor(p), name="m.xlsx")
    assert any(p.name in v and "草稿" in v for v in e.value.errors.values()), e.value.errors
    assert not MonitoringSnapshot.objects.filter(project=p).exists()
    assert History.objects.filter(project=p, action="monitor").count() == 0
    _approve(users, p)
    assert actions.import_cycle_workbook(users["market"], _filled_monitor(p), name="m.xlsx").projects
