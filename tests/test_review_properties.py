"""Properties of the review engine on arbitrary tables: it never fails, never changes the model,
and locates every finding in the table it was given."""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.model import Disclosure, Indicator, Project
from jixiao.review import GRADES, HEADINGS, RULES, review, review_document

LEVEL1 = st.sampled_from(
    [None, "", "产出指标", "效益指标", "效果指标", "满意度指标", "成本指标", "项目完成指标", "其他"]
)
LEVEL2 = st.sampled_from(
    [
        None,
        "",
        "数量指标",
        "质量指标",
        "时效指标",
        "成本指标",
        "经济成本指标",
        "社会效益指标",
        "生态效益指标",
        "可持续影响指标",
        "服务对象满意度指标",
        "经济效益指标",
        "效益指标",
        "进度指标",
    ]
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "是/否",
            "是",
            "否",
            "≥95%",
            "100%",
            "≥100%",
            "120%",
            "7人",
            "≥5 辆",
            "≤150万元",
            "预计1-2批次",
            "日益提高",
            "及时",
            "2024年12月31日前",
            "每月 25 日前缴纳",
            "≤4030元/人",
            "≥10.59万台件",
            "文字描述",
            "—",
            "",
            "≥90",
            "＜0.36百分比",
            "24 小时/天",
            "全覆盖",
            "0 次",
            "≤3 月份前",
            "按要求支出",
        ]
    ),
    st.text(max_size=12),
)
NAMES = st.one_of(
    st.sampled_from(
        ["检查数量", "抽检合格率", "群众满意度", "项目成本", "完成时间", "效率", "率先完成", "可持续性", ""]
    ),
    st.text(max_size=10),
)


@st.composite
def indicators(draw: st.DrawFn) -> Indicator:
    name = draw(st.one_of(st.none(), NAMES))
    return Indicator(
        level1=draw(LEVEL1),
        level2=draw(LEVEL2),
        name=name,
        description=draw(st.one_of(st.none(), st.just(name), st.text(max_size=15))),
        value=draw(st.one_of(st.none(), VALUES)),
        basis=draw(st.one_of(st.none(), st.text(max_size=5))),
        nature=draw(st.sampled_from([None, "≥", "≤", "正向"])),
        measure_unit=draw(st.sampled_from([None, "%", "万元", "次"])),
    )


MONEY = st.one_of(st.none(), st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False))
PLANS = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["3月底", "6月底", "10月底", "12月底", "全年"]),
        st.sampled_from(["25%", "50%", "0.5", "1", "100%", "abc", "", "120%"]),
        max_size=4,
    ),
)


@st.composite
def disclosures(draw: st.DrawFn) -> Disclosure:
    projects = []
    for seq in range(1, draw(st.integers(0, 4)) + 1):
        projects.append(
            Project(
                seq=seq,
                title=None,
                name=draw(st.one_of(st.none(), st.sampled_from(["甲项目", "乙项目", ""]))),
                unit_code=draw(st.sampled_from([None, "414001"])),
                budget_total=draw(MONEY),
                budget_fiscal=draw(MONEY),
                budget_other=draw(MONEY),
                spending_plan=draw(PLANS),
                goal=draw(st.one_of(st.none(), st.text(max_size=8))),
                indicators=draw(st.lists(indicators(), max_size=8)),
            )
        )
    return Disclosure(
        source="x.txt",
        unit_code="414001",
        unit_name="单位",
        year=draw(st.sampled_from([None, 2024])),
        projects=projects,
    )


@settings(max_examples=150, deadline=None)
@given(disclosures())
def test_review_never_fails_never_mutates_and_locates_its_findings(doc: Disclosure) -> None:
    before = copy.deepcopy(doc)
    result = review_document(doc)
    assert doc == before
    assert result.findings == review(doc)
    seqs = {p.seq for p in doc.projects}
    for f in result.findings:
        assert f.rule in RULES and f.severity in ("error", "warning", "hint") and f.heading in HEADINGS
        assert f.message and f.hint
        assert f.project_seq in seqs
        if f.indicator_index is not None:
            proj = next(p for p in doc.projects if p.seq == f.project_seq)
            assert f.indicator == proj.indicators[f.indicator_index].name
    assert len(result.projects) == len(doc.projects)
    for p in result.projects:
        assert p.outcome.grade in GRADES and set(p.outcome.headings) == set(HEADINGS)
        assert sum(p.outcome.counts.values()) == len(p.findings)


def test_an_empty_disclosure_has_no_findings_and_an_empty_table_is_unusable() -> None:
    assert review(Disclosure(source="x.txt")) == []
    empty = Disclosure(
        source="x.txt", projects=[Project(seq=1, title=None, name=None, budget_total=Decimal(0))]
    )
    assert {f.rule for f in review(empty)} == {"JX106", "JX112"}
    assert review_document(empty).projects[0].outcome.grade == "差"
