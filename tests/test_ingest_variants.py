"""Table variants seen in the field (PRODUCT.md), written here as small text documents.

Each document is built from rows of cells, so the same content can be written in the tab-row
layout and the cell-per-line layout; both must parse to the same model.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.ingest import parse_bytes

Rows = list[list[str]]


def tab_rows(title: str | None, rows: Rows, before: list[str] | None = None) -> bytes:
    lines = list(before or [])
    if title:
        lines += [title, ""]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines).encode("utf-8")


def cell_lines(title: str | None, rows: Rows, before: list[str] | None = None) -> bytes:
    lines = list(before or [])
    if title:
        lines.append(title)
    for r in rows:
        lines += ["\t" + c for c in r]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


LAYOUTS = [tab_rows, cell_lines]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_2021_framework_cost_as_level1_and_extra_columns(layout) -> None:
    rows = [
        ["414001示例市市场监督管理局", "单位：万元"],
        ["项目名称", "食品抽检经费", "项目编码", "13990024P00123456789"],
        ["预算规模及资金用途", "预算数", "30.00", "其中：财政资金", "25.00", "其他资金", "5.00"],
        ["", "食品检测费等支出"],
        ["绩效目标", "完成全年食品抽检任务。"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "分值", "指标值确定依据"],
        ["产出指标", "数量指标", "食品抽检批次", "≥", "650", "批次", "20", "工作计划"],
        ["", "质量指标", "抽检合格率", "≥", "95", "%", "15", ""],
        ["成本指标", "经济成本指标", "单批次抽检成本", "≤", "460", "元/批次", "10", "市场价格"],
        ["效益指标", "社会效益指标", "重大食品安全事故", "=", "0", "起", "20", "上级要求"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%", "10", "问卷调查"],
    ]
    doc = parse_bytes(layout("1.食品抽检经费绩效目标表", rows), "v.txt")
    assert doc.warnings == []
    (p,) = doc.projects
    assert (p.name, p.code, p.budget_total, p.budget_fiscal, p.budget_other) == (
        "食品抽检经费",
        "13990024P00123456789",
        Decimal("30.00"),
        Decimal("25.00"),
        Decimal("5.00"),
    )
    assert p.purpose == "食品检测费等支出"
    inds = p.indicators
    assert [i.name for i in inds] == [
        "食品抽检批次",
        "抽检合格率",
        "单批次抽检成本",
        "重大食品安全事故",
        "群众满意度",
    ]
    assert inds[1].level1 == "产出指标" and inds[1].basis is None
    assert (inds[2].level1, inds[2].level2_canonical) == ("成本指标", "经济成本指标")
    first = inds[0]
    assert (first.nature, first.value, first.measure_unit, first.weight) == ("≥", "≥650批次", "批次", "20")
    assert inds[0].target_text == "650"
    assert doc.unit_code == "414001" and doc.year == 2024


@pytest.mark.parametrize("layout", LAYOUTS)
def test_flat_sheet_with_several_projects_named_on_their_first_row(layout) -> None:
    rows = [
        ["项目名称", "一级指标", "二级指标", "三级指标", "指标值"],
        ["办公楼运维费", "产出指标", "数量指标", "维护楼宇数", "2栋"],
        ["", "", "质量指标", "设备完好率", "≥95%"],
        ["", "满意度指标", "服务对象满意度指标", "职工满意度", "≥90%"],
        ["执法装备购置", "产出指标", "数量指标", "购置执法记录仪", "20台"],
        ["", "效益指标", "社会效益指标", "执法规范化水平", "提升"],
    ]
    doc = parse_bytes(layout(None, rows), "flat.txt")
    assert [p.name for p in doc.projects] == ["办公楼运维费", "执法装备购置"]
    assert [len(p.indicators) for p in doc.projects] == [3, 2]
    assert doc.projects[0].indicators[1].level1 == "产出指标"
    assert doc.projects[1].indicators[1].level2 == "社会效益指标"
    assert doc.warnings == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_money_in_yuan_and_ascii_punctuation_and_other_level_names(layout) -> None:
    rows = [
        ["单位:元"],
        ["项目名称", "信息化运维"],
        ["项目资金", "年度资金总额", "120000", "其中:财政拨款", "120000", "其他资金", ""],
        ["年度目标", "保障系统正常运行"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["项目完成指标", "数量值", "运维系统数", ">=3个"],
        ["项目效益指标", "满意度指标", "用户满意度", ">=90%"],
    ]
    doc = parse_bytes(layout("信息化运维项目支出绩效目标表", rows), "yuan.txt")
    (p,) = doc.projects
    assert p.budget_total == Decimal("12") and p.budget_fiscal == Decimal("12") and p.budget_other is None
    assert p.goal == "保障系统正常运行"
    a, b = p.indicators
    assert (a.level1_canonical, a.level2_canonical) == ("产出指标", "数量指标")
    assert (b.level1_canonical, b.level2_canonical) == ("满意度指标", "服务对象满意度指标")
    assert a.target.op == ">=" and a.target.value == 3


@pytest.mark.parametrize("layout", LAYOUTS)
def test_indicator_rows_without_a_header(layout) -> None:
    rows = [
        ["项目名称", "普法宣传"],
        ["绩效目标", "开展普法宣传。"],
        ["产出指标", "数量指标", "宣传活动次数", "全年开展宣传活动次数", "≥12次", "工作计划"],
        ["", "时效指标", "完成时间", "按时完成", "2024年12月31日前", "工作计划"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "群众对宣传活动满意度", "≥85%", "问卷"],
    ]
    doc = parse_bytes(layout("3、普法宣传绩效目标表", rows), "nohead.txt")
    (p,) = doc.projects
    assert p.seq == 3
    assert [(i.name, i.description, i.value, i.basis) for i in p.indicators][1] == (
        "完成时间",
        "按时完成",
        "2024年12月31日前",
        "工作计划",
    )
    assert p.indicators[1].target.value == "2024-12-31"


def test_both_layouts_give_the_same_model() -> None:
    from jixiao.export.json import disclosure_to_dict

    rows = [
        ["项目名称", "车辆运行费"],
        ["绩效目标", "保障公务用车运行"],
        ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"],
        ["产出指标", "数量指标", "车辆数", "管理车辆数目", "17辆", "年度工作计划"],
        ["", "成本指标", "运行成本", "控制在预算内", "≤6.8万元", ""],
    ]
    a = disclosure_to_dict(parse_bytes(tab_rows("1.车辆运行费绩效目标表", rows), "a.txt"))
    b = disclosure_to_dict(parse_bytes(cell_lines("1.车辆运行费绩效目标表", rows), "a.txt"))
    for d in (a, b):
        for p in d["projects"]:
            for i in p["indicators"]:
                i.pop("location", None)
    assert a["projects"] == b["projects"]


def pipe_rows(title: str | None, rows: Rows, before: list[str] | None = None) -> bytes:
    lines = list(before or [])
    if title:
        lines += [title, ""]
    for k, r in enumerate(rows):
        lines.append("| " + " | ".join(r) + " |")
        if k == 0:
            lines.append("|" + "---|" * len(r))
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize(
    ("title", "seq", "clean"),
    [
        ("（三）执法装备购置项目支出绩效目标表", 3, "执法装备购置项目支出绩效目标表"),
        ("十二、执法装备购置绩效目标表", 12, "执法装备购置绩效目标表"),
        ("附表3-2 执法装备购置绩效目标表", 2, "执法装备购置绩效目标表"),
    ],
)
def test_markdown_pipe_tables_and_title_numbering_styles(title: str, seq: int, clean: str) -> None:
    rows = [
        ["项目名称", "执法装备购置"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "购置执法记录仪", "20台"],
        ["", "时效指标", "完成时间", "2024年9月底前"],
    ]
    doc = parse_bytes(pipe_rows(title, rows), "pipe.md")
    (p,) = doc.projects
    assert (p.seq, p.title, p.name) == (seq, clean, "执法装备购置")
    assert [i.value for i in p.indicators] == ["20台", "2024年9月底前"]
    assert p.indicators[1].level1 == "产出指标"
