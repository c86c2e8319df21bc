"""Findings an expert reviewer asked for (issue 11), and the wrong or overstated findings on
field-like tables fixed at the right depth: each as a table a reviewer would write by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from jixiao.model import Disclosure, Indicator, Project
from jixiao.review import Finding, review, review_document
from tests.test_review_rules import doc_of, good_indicators, good_project, with_extra, with_indicator


def found(doc: Disclosure) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in review(doc)]


def of(doc: Disclosure, code: str) -> list[Finding]:
    return [f for f in review(doc) if f.rule == code]


# ---------------------------------------------------------------- JX501 near-repeats and wrappers


def test_descriptions_that_nearly_repeat_the_name_are_found() -> None:
    cases = [
        ("接 96365 应急处置率", "96365应急处置率"),
        ("购买各类证照文书张数", "各类证照文书张数"),
        ("社会满意度调查区域覆盖率", "考察社会满意度调查区域覆盖情况"),  # 率 → 情况
        ("重大食品安全事故发生数", "考察重大食品安全事故发生数量"),  # 数 → 数量
        ("企业检查次数", "对企业检查次数"),  # a leading 对
    ]
    for name, desc in cases:
        assert of(with_indicator(0, name=name, description=desc), "JX501"), (name, desc)


def test_a_description_that_explains_is_not_a_repeat() -> None:
    assert not of(with_indicator(0, description="全年完成的食品安全抽检批次"), "JX501")
    # the value in front of the name is JX506's business, not a repeat of the name
    doc = with_indicator(0, name="国家试点", description="1 项国家试点", value="≥1项")
    assert [f.rule for f in review(doc) if f.indicator_index == 0] == ["JX506"]


# ---------------------------------------------------------------- value grammar in context


def test_250_wan_in_a_cost_cell_is_money_not_a_defect() -> None:
    # 「250万」 under 成本指标 is 250 万元: no "not money" error; the amount is read, so it is
    # compared with the budget (30 万元) like any amount
    doc = with_indicator(3, value="≤250万")
    assert ("JX304", "error") not in found(doc)
    [f] = of(doc, "JX403")
    assert "250万元" in f.message and "30" in f.message
    assert not of(with_indicator(3, value="≤25万"), "JX403")


def test_a_period_is_a_date_that_runs_past_the_budget_year() -> None:
    doc = with_indicator(2, name="服务周期", value="2023.07-2024.01")
    rules = found(replace(doc, year=2023))
    assert ("JX504", "warning") not in rules  # not a numeric range
    assert ("JX404", "warning") in rules  # it runs into 2024
    assert not of(replace(with_indicator(2, value="2023.01-2023.12"), year=2023), "JX404")


def test_the_sichuan_qualitative_option_is_a_warning_not_an_error() -> None:
    for ind in (
        Indicator(
            "满意度指标", "服务对象满意度指标", "公众对食品安全满意度", None, "高中低", None, nature="定性"
        ),
        Indicator("满意度指标", "服务对象满意度指标", "公众对食品安全满意度", None, "定性 高中低", None),
    ):
        inds = [*good_indicators()[:5], ind]
        doc = doc_of(good_project(indicators=inds))
        [f] = of(doc, "JX204")
        assert f.severity == "warning" and "定性选项" in f.message
    # any other non-percentage satisfaction value is still an error
    assert of(with_indicator(5, value="满意"), "JX204")[0].severity == "error"


def test_a_per_diem_without_yuan_is_a_unit_slip_not_an_error() -> None:
    doc = with_extra(Indicator("产出指标", "成本指标", "检查差旅费", None, "470人/天", None))
    [f] = of(doc, "JX304")
    assert f.severity == "warning" and "元/天" in f.message
    # a count in a cost cell is still "not money"
    assert of(with_indicator(3, value="≥5辆"), "JX304")[0].severity == "error"


def test_empty_form_rows_printed_with_zeros_are_a_warning_only() -> None:
    rows = [Indicator("成本指标", "经济成本指标", "0", None, "0.00%", None) for _ in range(3)]
    doc = doc_of(good_project(indicators=[*good_indicators(), *rows]))
    errors = [(f.rule, f.indicator_index) for f in review(doc) if f.severity == "error"]
    assert errors == []
    assert [f.severity for f in of(doc, "JX109")] == ["warning"] * 3


def test_a_cost_sentence_with_its_figure_is_not_unmeasurable() -> None:
    v = "严格按照预算标准1000元/人给补助对象兑付补助"
    assert not of(with_indicator(3, value=v), "JX202")
    assert of(with_indicator(3, value="参照政府采购成本控制"), "JX202")


def test_a_rating_like_youliang_is_a_pass_state_not_unmeasurable() -> None:
    doc = with_indicator(1, name="服务周期内空气质量", value="优良")
    rules = found(doc)
    assert ("JX205", "hint") in rules and not any(r == "JX202" for r, _ in rules)


def test_other_funds_not_listed_is_a_warning_a_wrong_sum_an_error() -> None:
    # 704 = 683 + 21 (非税收入 printed on a line the table does not call 其他资金)
    p = replace(good_project(), budget_total=Decimal("704"), budget_fiscal=Decimal("683"), budget_other=None)
    [f] = of(doc_of(p), "JX401")
    assert f.severity == "warning" and "其他资金没有列明" in f.message
    wrong = replace(p, budget_other=Decimal("10"))
    assert of(doc_of(wrong), "JX401")[0].severity == "error"


# ---------------------------------------------------------------- field-like tables


def ganzi_table() -> Disclosure:
    """The Sichuan form of the field set (甘孜州市场监管局): 指标性质 and 度量单位 columns, 权重."""

    def row(l1: str, l2: str, name: str, value: str, unit: str | None = None, nature: str | None = None):
        return Indicator(l1, l2, name, None, value, None, nature=nature, measure_unit=unit)

    inds = [
        row("产出指标", "成本指标", "检查差旅费", "470", "人/天"),
        row("产出指标", "时效指标", "完成时限", "1"),
        row("产出指标", "数量指标", "召开食品安委会全体会议", "2"),
        row("产出指标", "质量指标", "食安委成员单位食品安全工作齐抓共管", "100", "%"),
        row("效益指标", "社会效益指标", "食品安全整体状况", "高中低", nature="定性"),
        row("满意度指标", "服务对象满意度指标", "公众对食品安全满意度", "高中低", nature="定性"),
    ]
    p = Project(
        seq=1, title="绩效目标表", name=None, goal="组织协调推进全州食品安全重点工作。", indicators=inds
    )
    return Disclosure(source="ganzi.txt", unit_name="甘孜藏族自治州市场监督管理局机关", projects=[p])


def test_the_sichuan_form_has_no_error_a_reviewer_would_reject() -> None:
    r = review_document(ganzi_table())
    assert [f for f in r.findings if f.severity == "error"] == []
    rules = {(f.rule, f.indicator) for f in r.findings}
    assert ("JX207", "完成时限") in rules and ("JX207", "召开食品安委会全体会议") in rules  # no unit
    assert ("JX315", "食安委成员单位食品安全工作齐抓共管") in rules  # a percentage of what?
    assert ("JX204", "公众对食品安全满意度") in rules


def nanyue_table() -> Disclosure:
    """A poverty-relief table of the field set whose names keep the template's (≥**%)."""
    inds = [
        Indicator("产出指标", "数量指标", "贫困地区旅游景点开发数量( ≥**个 )", None, "3个", None),
        Indicator("产出指标", "质量指标", "贫困地区基础设施建设按期完成率(≥**%)", None, "100%", None),
        Indicator("产出指标", "时效指标", "项目完成时间", None, "2018年12月31日前", None),
        Indicator("产出指标", "成本指标", "项目成本", None, "≤50万元", None),
        Indicator("效益指标", "经济效益指标", "乡村旅游带动增加贫困人口收入(≥**万元)", None, "≥20万元", None),
        Indicator("满意度指标", "服务对象满意度指标", "游客满意度(≥**%)", None, "≥90%", None),
    ]
    p = Project(seq=1, title="扶贫项目绩效目标表", name="旅游扶贫", goal="开发景点3个。", indicators=inds)
    return Disclosure(source="nanyue.txt", year=2018, projects=[p])


def test_template_placeholders_in_names_keep_the_table_from_grading_well() -> None:
    r = review_document(nanyue_table())
    assert [f.indicator_index for f in r.findings if f.rule == "JX113"] == [0, 1, 4, 5]
    o = r.projects[0].outcome
    assert o.grade == "中" and any("JX113" in x for x in o.reasons)


def test_category_labels_and_a_bare_yes_as_targets() -> None:
    inds = [
        *good_indicators()[:4],
        Indicator("效益指标", "社会效益指标", "社会效益指标", None, "是", "考核要求"),
        good_indicators()[5],
    ]
    fs = review(doc_of(good_project(indicators=inds)))
    assert {f.rule for f in fs if f.indicator_index == 4} == {"JX114", "JX206"}
