"""Each review rule fires on a minimal bad example and stays silent on a good one."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao.model import Disclosure, Indicator, Project
from jixiao.review import RULES, History, review
from jixiao.review.registry import GUIDE_CORE_2021, GUIDE_EVAL_2020, GUIDE_TARGETS_2015

PLAN = {"3月底": "25%", "6月底": "50%", "10月底": "75%", "12月底": "100%"}


def good_indicators() -> list[Indicator]:
    return [
        Indicator(
            "产出指标", "数量指标", "食品抽检批次", "全年完成的食品安全抽检批次", "≥650批次", "年度抽检计划"
        ),
        Indicator(
            "产出指标", "质量指标", "抽检任务完成率", "完成抽检批次占计划批次的比例", "100%", "年度抽检计划"
        ),
        Indicator(
            "产出指标",
            "时效指标",
            "抽检完成时间",
            "全年抽检工作的完成时限",
            "2024年12月31日前",
            "年度抽检计划",
        ),
        Indicator(
            "产出指标", "成本指标", "抽检检测费用", "全年支付检测机构的费用", "≤30万元", "按上年单价测算"
        ),
        Indicator(
            "效益指标",
            "社会效益指标",
            "不合格食品核查处置率",
            "不合格食品按规定核查处置的比例",
            "100%",
            "省局考核要求",
        ),
        Indicator(
            "满意度指标",
            "服务对象满意度指标",
            "消费者满意度",
            "问卷中满意和较满意人数的占比",
            "≥90%",
            "问卷调查",
        ),
    ]


def good_project(
    seq: int = 1, name: str = "食品抽检经费", indicators: list[Indicator] | None = None
) -> Project:
    return Project(
        seq=seq,
        title=f"{name}绩效目标表",
        name=name,
        code="13052924P005840123833",
        budget_total=Decimal("30"),
        budget_fiscal=Decimal("30"),
        budget_other=None,
        purpose="食品检测费",
        spending_plan=dict(PLAN),
        goal="完成全年食品抽检650批次，不合格食品核查处置率100%，保障群众饮食安全。",
        indicators=indicators if indicators is not None else good_indicators(),
    )


def doc_of(*projects: Project) -> Disclosure:
    return Disclosure(
        source="示例.txt",
        unit_code="414001",
        unit_name="示例市市场监督管理局",
        year=2024,
        projects=list(projects),
    )


def codes(doc: Disclosure, history: History | None = None) -> list[str]:
    return [f.rule for f in review(doc, history=history)]


def with_indicator(i: int, **changes: str | None) -> Disclosure:
    inds = good_indicators()
    inds[i] = replace(inds[i], **changes)
    return doc_of(good_project(indicators=inds))


def with_extra(ind: Indicator) -> Disclosure:
    return doc_of(good_project(indicators=[*good_indicators(), ind]))


def without(*levels2: str) -> Disclosure:
    return doc_of(good_project(indicators=[i for i in good_indicators() if i.level2 not in levels2]))


def test_the_good_project_has_no_findings() -> None:
    assert review(doc_of(good_project())) == []


def test_the_2021_framework_with_cost_as_level1_is_accepted() -> None:
    inds = [i for i in good_indicators() if i.level2 != "成本指标"]
    inds.insert(
        0, Indicator("成本指标", "经济成本指标", "抽检检测费用", "全年支付检测机构的费用", "≤30万元", "测算")
    )
    assert review(doc_of(good_project(indicators=inds))) == []


def test_satisfaction_filed_under_benefit_is_accepted() -> None:
    inds = good_indicators()
    inds[-1] = replace(inds[-1], level1="效益指标")
    assert review(doc_of(good_project(indicators=inds))) == []


def _history() -> History:
    return History.from_records(
        [{"project": "食品抽检经费", "indicator": "食品抽检批次", "actual": "700批次"}]
    )


def _social(name: str, value: str) -> Disclosure:
    return with_extra(Indicator("效益指标", "社会效益指标", name, "按统计口径计算", value, "省局考核要求"))


def _quality(name: str, value: str) -> Disclosure:
    return with_extra(Indicator("产出指标", "质量指标", name, "按统计口径计算", value, "年度计划"))


def _unit_cost(value: str) -> Disclosure:
    return with_extra(Indicator("产出指标", "成本指标", "单批次检测成本", "每批次检测费", value, "上年单价"))


def _goal(goal: str) -> Disclosure:
    return doc_of(replace(good_project(), purpose="用于支付食品检测机构的检测费", goal=goal))


# (rule, bad example, good counterpart) — the good counterpart differs only in the defect
CASES: list[tuple[str, Callable[[], Disclosure], Callable[[], Disclosure]]] = [
    ("JX101", lambda: without("数量指标", "质量指标", "时效指标", "成本指标"), lambda: without("成本指标")),
    ("JX102", lambda: without("社会效益指标"), lambda: doc_of(good_project())),
    ("JX103", lambda: without("服务对象满意度指标"), lambda: doc_of(good_project())),
    ("JX104", lambda: without("时效指标"), lambda: doc_of(good_project())),
    ("JX105", lambda: without("成本指标"), lambda: doc_of(good_project())),
    ("JX106", lambda: doc_of(replace(good_project(), goal=None)), lambda: doc_of(good_project())),
    ("JX107", lambda: with_indicator(0, basis=None), lambda: doc_of(good_project())),
    ("JX108", lambda: with_indicator(0, value="—"), lambda: doc_of(good_project())),
    (
        "JX109",
        lambda: with_indicator(0, name=None, description="全年抽检批次"),
        lambda: doc_of(good_project()),
    ),
    ("JX110", lambda: with_indicator(4, level1="产出指标"), lambda: doc_of(good_project())),
    ("JX111", lambda: with_indicator(0, level1=None, level2=None), lambda: doc_of(good_project())),
    ("JX112", lambda: doc_of(good_project(indicators=[])), lambda: doc_of(good_project())),
    ("JX201", lambda: with_indicator(3, value="是/否"), lambda: with_indicator(3, value="≤30万元")),
    ("JX202", lambda: with_indicator(2, value="及时"), lambda: with_indicator(2, value="每月25日前")),
    ("JX203", lambda: with_indicator(4, value="日益提高"), lambda: with_indicator(4, value="≥95%")),
    ("JX204", lambda: with_indicator(5, value="满意"), lambda: with_indicator(5, value="≥95%")),
    ("JX205", lambda: with_indicator(1, value="验收合格"), lambda: with_indicator(1, value="100%")),
    ("JX301", lambda: with_indicator(1, value="7人"), lambda: with_indicator(1, value="≥95%")),
    ("JX302", lambda: with_indicator(0, value="≥95%"), lambda: with_indicator(0, value="≥650批次")),
    ("JX303", lambda: with_indicator(0, name="抽检计划完成率", value="≥95%"), lambda: doc_of(good_project())),
    ("JX304", lambda: with_indicator(3, value="≥95%"), lambda: with_indicator(3, value="≤5300元/批次")),
    ("JX305", lambda: with_indicator(2, value="≥5辆"), lambda: with_indicator(2, value="≤90天")),
    (
        "JX306",
        lambda: with_indicator(2, value="100%"),
        lambda: with_indicator(2, name="抽检及时率", value="100%"),
    ),
    ("JX307", lambda: with_indicator(4, value="≤150万元"), lambda: with_indicator(4, value="100%")),
    ("JX308", lambda: with_indicator(0, value="≥100万元"), lambda: with_indicator(0, value="≥650批次")),
    ("JX309", lambda: with_indicator(1, value="≥120%"), lambda: with_indicator(1, value="100%")),
    ("JX310", lambda: with_indicator(1, value="≥100%"), lambda: with_indicator(1, value="=100%")),
    (
        "JX401",
        lambda: doc_of(replace(good_project(), budget_fiscal=Decimal("20"))),
        lambda: doc_of(replace(good_project(), budget_fiscal=Decimal("20"), budget_other=Decimal("10"))),
    ),
    (
        "JX402",
        lambda: doc_of(
            replace(good_project(), spending_plan={"6月底": "60%", "10月底": "50%", "12月底": "100%"})
        ),
        lambda: doc_of(
            replace(good_project(), spending_plan={"6月底": "50%", "10月底": "50%", "12月底": "100%"})
        ),
    ),
    (  # a milestone printed with a blank cell (the reader keeps it as "")
        "JX402",
        lambda: doc_of(replace(good_project(), spending_plan={**PLAN, "6月底": ""})),
        lambda: doc_of(good_project()),
    ),
    ("JX403", lambda: with_indicator(3, value="≤45万元"), lambda: with_indicator(3, value="≤30万元")),
    ("JX404", lambda: with_indicator(2, value="2023年12月"), lambda: with_indicator(2, value="2024年12月")),
    ("JX501", lambda: with_indicator(0, description="食品抽检批次"), lambda: doc_of(good_project())),
    (
        "JX502",
        lambda: with_extra(Indicator("产出指标", "数量指标", "食品抽检批次", "另一口径", "≥600批次", "计划")),
        lambda: with_extra(
            Indicator("产出指标", "数量指标", "快检批次", "快速检测的批次", "≥600批次", "计划")
        ),
    ),
    ("JX503", lambda: with_indicator(0, value="预计650批次"), lambda: doc_of(good_project())),
    ("JX504", lambda: with_indicator(0, value="600-650批次"), lambda: doc_of(good_project())),
    (
        "JX505",
        lambda: doc_of(good_project(1, "食品抽检经费"), good_project(2, "药品抽检经费")),
        lambda: doc_of(good_project(1, "食品抽检经费")),
    ),
    ("JX601", lambda: with_indicator(5, value="100%"), lambda: with_indicator(5, value="≥95%")),
    ("JX602", lambda: with_indicator(5, value="≥60%"), lambda: with_indicator(5, value="≥85%")),
    ("JX603", lambda: doc_of(good_project()), lambda: with_indicator(0, value="≥700批次")),
    # rules an expert reviewer added (issue 11)
    ("JX113", lambda: with_indicator(1, name="抽检任务完成率(≥**%)"), lambda: doc_of(good_project())),
    ("JX114", lambda: with_indicator(0, name="数量指标"), lambda: doc_of(good_project())),
    ("JX115", lambda: with_indicator(0, basis="根据上级文件"), lambda: with_indicator(0, basis="抽检计划")),
    (
        "JX116",
        lambda: with_indicator(5, basis="年度工作计划", description="消费者的满意程度"),
        lambda: with_indicator(5, basis="问卷调查", description="消费者的满意程度"),
    ),
    ("JX206", lambda: with_indicator(4, value="是"), lambda: with_indicator(4, value="100%")),
    ("JX207", lambda: with_indicator(0, value="650"), lambda: with_indicator(0, value="650批次")),
    ("JX208", lambda: _social("重大食品安全事故", "0起"), lambda: _social("重大食品安全事故", "=0起")),
    ("JX311", lambda: with_indicator(0, value="≤650批次"), lambda: with_indicator(0, value="≥650批次")),
    ("JX312", lambda: with_indicator(0, name="食品抽检次数"), lambda: with_indicator(0, name="食品抽检批次")),
    ("JX313", lambda: _social("每万人食品抽检量", "≥5%"), lambda: _social("每万人食品抽检量", "≥5批次/万人")),
    ("JX314", lambda: _quality("资金支付率", "100%"), lambda: _quality("检测报告合格率", "100%")),
    ("JX315", lambda: _social("维护社会稳定", "≥95%"), lambda: _social("矛盾纠纷化解率", "≥95%")),
    (
        "JX405",
        lambda: doc_of(replace(good_project(), spending_plan={"12月底": "100%"})),
        lambda: doc_of(good_project()),
    ),
    ("JX406", lambda: with_indicator(2, value="年度内"), lambda: with_indicator(2, value="2024年10月31日前")),
    ("JX407", lambda: _unit_cost("≤5300元/批次"), lambda: _unit_cost("≤400元/批次")),  # × 650 批次 vs 30 万元
    ("JX506", lambda: with_indicator(0, description="650批次"), lambda: doc_of(good_project())),
    ("JX507", lambda: _goal("完成全年食品抽检600批次，保障群众饮食安全。"), lambda: doc_of(good_project())),
    ("JX508", lambda: _goal("1.完成抽检650批次；2.完成抽检650批次。"), lambda: doc_of(good_project())),
    ("JX509", lambda: _goal("用于支付食品检测机构的检测费"), lambda: _goal("全年抽检650批次，保障饮食安全")),
]


@pytest.mark.parametrize(("code", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_the_bad_example_and_not_on_the_good_one(code: str, bad, good) -> None:
    history = _history() if code == "JX603" else None
    assert code in codes(bad(), history), f"{code} did not fire"
    assert code not in codes(good(), history), f"{code} fired on the good counterpart"


def test_every_rule_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(RULES)


def test_every_rule_is_documented_and_cites_a_national_guideline() -> None:
    national = {GUIDE_CORE_2021, GUIDE_TARGETS_2015, GUIDE_EVAL_2020}
    for r in RULES.values():
        assert r.what and r.why and r.example and r.fix and r.title, r.code
        assert r.sources, r.code
        assert any(s in national for s in r.sources), r.code


def test_review_does_not_change_the_model() -> None:
    doc = doc_of(good_project(1, "食品抽检经费"), good_project(2, "药品抽检经费"))
    doc.projects[0].indicators[3].value = "是/否"
    before = copy.deepcopy(doc)
    review(doc, history=_history())
    assert doc == before


def test_a_finding_names_its_project_and_indicator() -> None:
    [f] = [f for f in review(with_indicator(3, value="是/否")) if f.rule == "JX201"]
    assert (f.project_seq, f.project, f.indicator, f.indicator_index) == (
        1,
        "食品抽检经费",
        "抽检检测费用",
        3,
    )
    assert f.severity == "error" and f.heading == "可行性"
    assert "「是/否」" in f.message and "≤30万元" in f.hint
    d = f.to_dict()
    assert list(d)[:7] == ["rule", "severity", "project_seq", "project", "indicator", "message", "hint"]


def test_a_placeholder_is_reported_once_not_also_as_unmeasurable_or_not_money() -> None:
    assert codes(with_indicator(3, value="是/否")) == ["JX201"]
    assert codes(with_indicator(2, value="是/否")) == ["JX201"]


def test_copied_sets_are_compared_within_one_unit_only() -> None:
    a, b = good_project(1, "食品抽检经费"), good_project(2, "药品抽检经费")
    b.unit_name = "示例市药品检验所"
    assert "JX505" not in codes(doc_of(a, b))


def test_per_item_costs_are_not_summed_against_the_budget() -> None:
    doc = with_extra(
        Indicator("产出指标", "成本指标", "单个基层所能力提升成本", "每个所的费用", "≤20万元", "测算")
    )
    assert "JX403" not in codes(doc)
    doc = with_extra(Indicator("产出指标", "成本指标", "设备购置费用", "购置费", "≤20万元", "测算"))
    assert "JX403" in codes(doc)


def test_lower_is_better_targets_are_compared_the_other_way_with_history() -> None:
    h = History.from_records(
        [{"code": "13052924P005840123833", "indicator": "抽检检测费用", "actual": "≤25万元"}]
    )
    assert "JX603" in codes(doc_of(good_project()), h)  # ≤30 万元 allows more than last year's 25
    h = History.from_records(
        [{"code": "13052924P005840123833", "indicator": "抽检检测费用", "actual": "32万元"}]
    )
    assert "JX603" not in codes(doc_of(good_project()), h)


def test_separate_nature_and_unit_columns_are_read_as_one_value() -> None:
    # tables with 指标性质 and 度量单位 columns: "≥" | "90" | "%" is "≥90%"
    inds = good_indicators()
    inds[0] = replace(inds[0], value="650", nature="≥", measure_unit="批次")
    inds[5] = replace(inds[5], value="90", nature="≥", measure_unit="%")
    inds[3] = replace(inds[3], value="30", nature="≤", measure_unit="万元")
    assert review(doc_of(good_project(indicators=inds))) == []
    inds[1] = replace(inds[1], value="7", nature="=", measure_unit="人")
    assert codes(doc_of(good_project(indicators=inds))) == ["JX301"]


def test_pass_states_are_a_hint_not_an_unmeasurable_error() -> None:
    assert codes(with_indicator(1, value="全覆盖")) == ["JX205"]
    assert codes(with_indicator(1, value="有效提升")) == ["JX202"]


def test_refinements_that_keep_the_reviewer_from_crying_wolf() -> None:
    # a bare number or a score under 满意度, a unitless cost, a frequency under 时效, a gain under 效益
    assert codes(with_indicator(5, value="≥90")) == []
    assert codes(with_indicator(5, value="≥90分")) == []
    assert codes(with_indicator(3, value="≤30")) == []
    assert codes(with_indicator(2, value="每季度1次")) == []
    assert codes(with_indicator(4, name="带动企业增收", value="≥500万元")) == []


def test_spending_plans_as_fractions_or_amounts() -> None:
    fractions = {"6月底": "0.5", "12月底": "1"}
    assert codes(doc_of(replace(good_project(), spending_plan=fractions))) == []
    amounts = {"6月底": "15", "12月底": "30"}  # 万元, ending at 预算数 30
    assert codes(doc_of(replace(good_project(), spending_plan=amounts))) == []
    assert codes(doc_of(replace(good_project(), spending_plan={"6月底": "50%", "12月底": "90%"}))) == [
        "JX402"
    ]


def test_blank_spending_plan_milestones_are_named_once() -> None:
    """Milestones printed blank (kept as "" by the reader, or a dash) are JX402's, once per project,
    a warning naming them; JX405 covers plans that list no in-year milestone at all."""

    def plan_findings(plan: dict[str, str]) -> list[tuple[str, str, str]]:
        doc = doc_of(replace(good_project(), spending_plan=plan))
        return [(f.rule, f.severity, f.message) for f in review(doc) if f.rule in ("JX402", "JX405")]

    only_end = {"3月底": "", "6月底": "/", "10月底": "—", "12月底": "100%"}
    [(rule, severity, message)] = plan_findings(only_end)
    assert (rule, severity) == ("JX402", "warning")
    assert "3月底、6月底、10月底空白" in message and "只填了年底进度" in message
    [(rule, _, message)] = plan_findings({"3月底": "", "6月底": "50%", "10月底": "75%", "12月底": "100%"})
    assert rule == "JX402" and "3月底空白。" in message and "年底" not in message
    # a blank beside a real defect: one finding, an error, naming both
    [(rule, severity, message)] = plan_findings(
        {"3月底": "", "6月底": "60%", "10月底": "50%", "12月底": "100%"}
    )
    assert (rule, severity) == ("JX402", "error") and "低于" in message and "另有3月底空白" in message
    # the last milestone blank: not read as a plan that stops short of 100%
    [(rule, severity, message)] = plan_findings({"6月底": "50%", "10月底": "75%", "12月底": ""})
    assert (rule, severity) == ("JX402", "warning") and "12月底空白" in message
    # the same plan with its blank cells omitted (JSON): JX405 guesses the missing quarters
    assert [r for r, _, _ in plan_findings({"12月底": "100%"})] == ["JX405"]
    assert plan_findings(dict(PLAN)) == []


def test_a_project_total_beside_its_breakdown_is_not_double_counted() -> None:
    inds = good_indicators()
    inds[3] = replace(inds[3], name="项目总成本", value="≤30万元")
    inds += [
        Indicator("产出指标", "成本指标", "检测费", "检测机构费用", "≤20万元", "测算"),
        Indicator("产出指标", "成本指标", "采样费", "采样费用", "≤10万元", "测算"),
    ]
    assert "JX403" not in codes(doc_of(good_project(indicators=inds)))


def test_an_unknown_level2_label_is_reported() -> None:
    assert codes(with_indicator(4, level2="效益指标")) == ["JX111"]
    assert codes(with_indicator(5, level2="满意度")) == []  # 满意度 (no 指标) is still recognised
