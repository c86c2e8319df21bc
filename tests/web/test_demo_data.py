"""The demo is believable (issue 12): monitoring and self-evaluation only on approved or published
targets, whole numbers for things counted, completion dates only for deadlines already passed and
before the as-of date, spending within the budget, costs within the spending; loading it again adds
nothing and says what was there. Every check is computed from the loaded data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.cycle import evaluate
from jixiao.values import parse_value
from jixiao.web.demo.cycle import is_counted, is_whole_cost
from jixiao.web.models import CYCLE_STATES, History, MonitoringSnapshot, Project, SelfEvaluation, State


@pytest.fixture
def loaded(db):
    from jixiao.web.demo.load import load_demo

    return load_demo()


def _entries():
    """(project, as-of date, money spent 万元, [(indicator, actual text)]) of every demo entry."""
    out = []
    for s in MonitoringSnapshot.objects.select_related("project"):
        inds = list(s.project.indicators.all())
        out.append(
            (
                s.project,
                s.as_of,
                s.executed,
                [(i, r.get("actual")) for i, r in zip(inds, s.rows, strict=True)],
            )
        )
    for e in SelfEvaluation.objects.select_related("project"):
        inds = list(e.project.indicators.all())
        year_end = date(e.project.year, 12, 31)
        out.append(
            (
                e.project,
                year_end,
                e.budget_executed,
                [(i, r.get("actual")) for i, r in zip(inds, e.rows, strict=True)],
            )
        )
    return out


def test_entries_are_on_approved_or_published_targets_only(loaded):
    entries = _entries()
    assert MonitoringSnapshot.objects.exists() and SelfEvaluation.objects.exists()
    assert {p.state for p, *_ in entries} <= set(CYCLE_STATES)
    # and the demo still has work in the workflow: drafts, a submitted and a returned project
    states = set(Project.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.SUBMITTED, State.RETURNED, State.APPROVED, State.PUBLISHED} <= states


def test_counted_things_are_whole_numbers(loaded):
    seen: dict[str, int] = {}
    for p, _as_of, _spent, rows in _entries():
        for ind, actual in rows:
            if not actual:
                continue
            a = parse_value(actual, year=p.year)
            unit = a.base_unit or a.unit
            if a.kind == "number" and is_counted(unit):
                value = Decimal(str(a.base_value if a.base_value is not None else a.value))
                assert value == value.to_integral_value(), f"{p.name} {ind.name}: {actual}"
                seen[unit] = seen.get(unit, 0) + 1
    assert seen.get("批次", 0) >= 3 and seen.get("户", 0) >= 1  # the units the issue names are checked


def test_completion_dates_are_reported_only_once_the_deadline_passed_and_before_the_as_of_date(loaded):
    n = 0
    for p, as_of, _spent, rows in _entries():
        for ind, actual in rows:
            target = parse_value(ind.value or "", year=p.year)
            if target.kind != "date" or not isinstance(target.value, str):
                continue
            deadline = date.fromisoformat(target.value)
            if actual:
                done = parse_value(actual, year=p.year)
                assert done.kind == "date", actual
                assert date.fromisoformat(done.value) <= as_of, f"{p.name} {ind.name}: {actual} after {as_of}"
                n += 1
            else:  # no completion reported: the deadline has not passed yet
                assert deadline > as_of, f"{p.name} {ind.name}: due {deadline}, nothing reported by {as_of}"
    assert n >= 3


def test_spending_within_budget_and_costs_within_spending(loaded):
    for s in MonitoringSnapshot.objects.select_related("project"):
        assert s.executed is not None and 0 < s.executed <= s.project.budget_total
    for e in SelfEvaluation.objects.select_related("project"):
        assert 0 < e.budget_executed <= e.budget_adjusted <= e.project.budget_total
    costs = 0
    for p, _as_of, spent, rows in _entries():
        for ind, actual in rows:
            target = parse_value(ind.value or "", year=p.year)
            if not actual or not is_whole_cost(target, ind.level1, ind.level2):
                continue
            a = parse_value(actual, year=p.year)
            wan = Decimal(str(a.base_value)) / 10000  # in 万元, like the spending
            assert wan <= spent, f"{p.name} {ind.name}: cost {actual} above {spent}万元 spent"
            costs += 1
    assert costs >= 3


def test_demo_cost_indicators_are_classified_as_costs(loaded):
    """The cost check above looks at the indicators the scorer treats as costs."""
    p = Project.objects.get(year=2024, name="特种设备安全监察经费")
    cost = [i for i in p.indicators.all() if evaluate.is_cost(i.level1, i.level2)]
    assert cost and any(is_whole_cost(parse_value(i.value, year=2024), i.level1, i.level2) for i in cost)


def test_deviation_reasons_fit_each_indicator(loaded):
    """Red and yellow monitoring lines give the reason a unit would give for that indicator: not one
    reason (政府采购流程较长) for a 死亡率 and a 满意度 alike; every reason a category of the form."""
    from jixiao.cycle import monitor

    reasons: dict[str, str] = {}  # indicator name → reason text
    for s in MonitoringSnapshot.objects.select_related("project"):
        for ind, r in zip(s.project.indicators.all(), s.rows, strict=True):
            if r.get("light") in ("red", "yellow") and r.get("reason_text"):
                assert r.get("reason_category") in monitor.REASON_CATEGORIES, r
                reasons[ind.name] = r["reason_text"]
    assert len(reasons) >= 3 and len(set(reasons.values())) >= 3, reasons
    for name, text in reasons.items():
        if "死亡率" in name or "事故" in name:
            assert "采购" not in text, f"{name}: {text}"


def test_selfeval_reasons_fit_each_indicator(loaded):
    """The year-end 偏差原因 differ by indicator as well, and only the indicators that fell short
    (or otherwise need an explanation) give one: not a 0 起 accident count or a date met."""
    reasons: dict[str, str] = {}
    for e in SelfEvaluation.objects.select_related("project"):
        for ind, r, s in zip(e.project.indicators.all(), e.rows, e.result["indicators"], strict=True):
            if r.get("actual") and r.get("reason"):
                assert s["needs_explanation"], f"{ind.name}: {r['actual']} met, yet 「{r['reason']}」"
                reasons[ind.name] = r["reason"]
    assert len(reasons) >= 3 and len(set(reasons.values())) >= 3, reasons


def test_loading_again_adds_nothing_and_says_what_was_there(loaded):
    from jixiao.web.demo.load import load_demo

    assert any("新增" in line and "已公开" in line for line in loaded.lines)

    def counts():
        # every import leaves its audit record, even of an unchanged file: the rest must not move
        return (
            Project.objects.count(),
            sorted(Project.objects.values_list("id", "state", "version")),
            History.objects.exclude(action="import").count(),
            MonitoringSnapshot.objects.count(),
            SelfEvaluation.objects.count(),
        )

    before = counts()
    again = load_demo()
    assert counts() == before
    text = "\n".join(again.lines)
    assert "已有" in text and "新增 0 个" in text
    assert not any(a[4] for a in again.accounts)  # no account created the second time
