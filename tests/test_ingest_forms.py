"""The interpreter on the national 项目支出绩效目标申报表/批复表 form family, one mechanism per test.

Documents are built here as cell streams (rows of cells as a reader gives them, in a text layout
that may drop blank and merged cells, or a grid that keeps them), or as .docx/.xlsx files written
with python-docx/openpyxl, so each test shows one mechanism of `jixiao.ingest.interpret` alone.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from jixiao.export.json import disclosure_to_dict
from jixiao.ingest import ReadError, parse_bytes
from jixiao.ingest.cells import Cell, CellStream, Para, Row
from jixiao.ingest.header import fit_row, header_map
from jixiao.ingest.interpret import NoTargetTable, interpret
from jixiao.ingest.vocab import parse_money_text, split_label_runs, split_unit
from jixiao.model import Disclosure, Location
from tests.cli_runner import run_cli

Block = list[str] | str


def stream(blocks: list[Block], layout: str = "pipes") -> CellStream:
    """A cell stream: a str is a paragraph, a list a table row (one line each)."""
    out: list[Row | Para] = []
    for line, b in enumerate(blocks, start=1):
        if isinstance(b, str):
            out.append(Para(b, Location(line=line)))
        else:
            cells = [Cell(t, Location(line=line, cell=f"col {k + 1}")) for k, t in enumerate(b)]
            out.append(Row(cells, Location(line=line), table=1))
    return CellStream(source="form.txt", blocks=out, layout=layout)


def parse(blocks: list[Block], layout: str = "pipes") -> Disclosure:
    return interpret(stream(blocks, layout))


HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]


def _cells(*texts: str) -> list[Cell]:
    return [Cell(t, Location(line=1)) for t in texts]


# ------------------------------------------------------------------------------ indicator header


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # 指标内容 is the name where no 三级 column exists, the description where one does
        (["一级指标", "二级指标", "指标内容", "指标值"], {2: "name", 3: "value"}),
        (
            ["一级指标", "二级指标", "三级指标", "指标内容", "指标值"],
            {2: "name", 3: "description", 4: "value"},
        ),
        # the value column by its long form; 绩效标准 plays 指标值确定依据's role
        (["一级指标", "二级指标", "三级指标", "指标值(包含数字及文字描述)"], {3: "value"}),
        (["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"], {3: "value", 4: "basis"}),
        (["一级", "二级", "三级", "年度数值", "备注"], {3: "value", 4: "remark"}),
        # a two-level table: 指标类型 is level 1, 指标名称 the name
        (
            ["指标类型", "指标名称", "指标值", "指标描述"],
            {0: "level1", 1: "name", 2: "value", 3: "description"},
        ),
        # separate comparator, number, unit, weight and direction columns
        (
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重(%)", "指标方向性"],
            {3: "nature", 4: "value", 5: "measure_unit", 6: "weight", 7: "direction"},
        ),
    ],
)
def test_header_columns_are_chosen_by_best_match(texts: list[str], expected: dict[int, str]) -> None:
    got = header_map(_cells(*texts))
    assert got is not None
    for col, fld in expected.items():
        assert got[col] == fld, got


def test_header_column_groups_keep_the_annual_or_budget_years_group() -> None:
    got = header_map(
        _cells(
            "一级指标",
            "二级指标(长期)",
            "三级指标(长期)",
            "指标值(长期)",
            "二级指标(年度)",
            "三级指标(年度)",
            "指标值(年度)",
        )
    )
    assert got is not None
    assert [got.get(k) for k in range(7)] == [
        "level1",
        "skip:level2",
        "skip:name",
        "skip:value",
        "level2",
        "name",
        "value",
    ]
    got = header_map(
        _cells("一级指标", "二级指标", "三级指标", "指标值(2021年实际)", "指标值(2022年预期)"), 2022
    )
    assert got is not None and got[4] == "value" and got[3].startswith("skip:")


def test_a_row_without_its_blank_cells_is_fitted_under_the_header_by_content() -> None:
    fields = ["level1", "level2", "name", "nature", "value", "measure_unit", "weight"]
    # 指标性质 left blank (not printed): the number is the value, the last number the weight
    assert fit_row(["产出指标", "时效指标", "完成时限", "1", "5"], fields) == [0, 1, 2, 4, 6]
    # merged level cells not printed: the row starts at the name
    assert fit_row(["流转土地", ">=60亩"], ["level1", "level2", "name", "value", "remark"]) == [2, 3]


# ------------------------------------------------------------------------------ project block

FORM_ONE_CELL_PER_LINE: list[Block] = [
    "项目支出绩效目标申报表",
    "(2021年度)",
    ["项目名称"],
    ["特困家庭再扶助"],
    ["主管部门"],
    ["及编码"],
    ["[015001]武汉市青山区教育局"],
    ["实施单位"],
    ["区卫生院"],
    ["资金情况 (万元)"],
    ["年度资金总额:"],
    ["854万(高标准农田建设400万元)"],
    ["其中:财政拨款"],
    ["854万854万(高标准农田建设400万元)"],
    ["其他资金"],
    ["总体目标"],
    ["中期目标"],
    ["年度目标"],
    ["推进长期发展"],
    ["完成项目主体工程70%"],
    ["绩效指标"],
    HEADER,
    ["产出指标", "数量指标", "脱贫村道路硬化里程", "≥100公里"],
    ["质量指标", "验收合格率", "100%"],
]


def test_project_block_labels_with_values_on_the_row_below() -> None:
    doc = parse(FORM_ONE_CELL_PER_LINE, layout="cell-lines")
    (p,) = doc.projects
    assert (p.title, p.name) == ("项目支出绩效目标申报表", "特困家庭再扶助")
    assert (doc.unit_code, doc.unit_name) == ("015001", "武汉市青山区教育局")  # 主管部门 / 及编码 joined
    assert (p.budget_total, p.budget_fiscal, p.budget_other) == (Decimal(854), Decimal(854), None)
    assert p.goal == "完成项目主体工程70%"  # the annual goal, not the mid-term one
    assert doc.year == 2021
    assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == [
        ("产出指标", "数量指标", "脱贫村道路硬化里程", "≥100公里"),
        ("产出指标", "质量指标", "验收合格率", "100%"),
    ]


def test_goal_group_after_money_labels_printed_blank_one_cell_per_line() -> None:
    # 其他资金 and 当年其他资金 printed with no value, then 总体目标 / 中期目标 / 年度目标 and their two
    # values, then a heading of the indicator table: the values go to the goal labels they fit
    blocks = [*FORM_ONE_CELL_PER_LINE]
    at = blocks.index(["其他资金"])
    blocks[at + 1 : at + 1] = [["当年其他资金"]]
    at = blocks.index(["绩效指标"])
    blocks[at] = "绩效项目指标表"
    (p,) = parse(blocks, layout="cell-lines").projects
    assert p.goal == "完成项目主体工程70%"
    assert (p.budget_total, p.budget_fiscal, p.budget_other) == (Decimal(854), Decimal(854), None)
    assert len(p.indicators) == 2


def test_project_block_labels_run_together_with_their_values() -> None:
    doc = parse(
        [
            "绩效目标表",
            "(2020年度)",
            ["项目名称农村义务教育薄弱学校改造补助资金"],
            ["项目主管部门青山区教育局项目执行单位化工区学校"],
            ["年度资金总额:16"],
            ["总体目标年度目标"],
            ["全面改善农村义务教育薄弱学校办学条件。"],
            ["绩效指标", "一级指标", "二级指标", "指标内容", "指标值"],
            ["", "产出指标", "数量指标", "学校改造覆盖率", "100%"],
            ["", "", "时效指标", "预算资金当年下达率", "100%"],
        ]
    )
    (p,) = doc.projects
    assert p.name == "农村义务教育薄弱学校改造补助资金" and doc.unit_name == "青山区教育局"
    assert p.budget_total == Decimal(16) and p.goal == "全面改善农村义务教育薄弱学校办学条件。"
    # inside the table a cell starting with a money label word is an indicator, not a label
    assert [i.name for i in p.indicators] == ["学校改造覆盖率", "预算资金当年下达率"]
    assert p.indicators[1].level2 == "时效指标"


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("[015001]武汉市青山区教育局", "015001", "武汉市青山区教育局"),
        ("324001-甘孜藏族自治州市场监督管理局机关", "324001", "甘孜藏族自治州市场监督管理局机关"),
        ("414001 巨鹿县市场监督管理局", "414001", "巨鹿县市场监督管理局"),
        ("(433)乌海市供销合作社联合社(部门)", "433", "乌海市供销合作社联合社(部门)"),
        ("［042］六安市金安区体育局", "042", "六安市金安区体育局"),
        ("岳阳县农业农村局", None, "岳阳县农业农村局"),
    ],
)
def test_unit_codes_in_their_printed_forms(text: str, code: str | None, name: str) -> None:
    assert split_unit(text) == (code, name)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("10000万元", ("10000", "万元")),
        ("854万854万(高标准农田建设400万元)", ("854", "万")),
        ("3,309,840.00", ("3309840.00", None)),
        ("年度资金总额:50万", ("50", "万")),
        ("中央衔接推进乡村振兴补助资金(少数民族发展任务)50", ("50", None)),
        ("1000.00", ("1000.00", None)),
        ("2023.07-2024.01", None),
        ("1、法律顾问服务经费,2、举报奖励", None),
    ],
)
def test_money_as_printed(text: str, amount: tuple[str, str | None] | None) -> None:
    assert parse_money_text(text) == amount


def test_money_in_yuan_under_a_sheet_money_unit_is_wan_yuan() -> None:
    doc = parse(
        [
            "部门预算项目绩效目标申报表(2023年度)",
            "金额单位:元",
            ["项目名称", "测试项目", "预算数", "3,309,840.00"],
            HEADER,
            ["产出指标", "数量指标", "发放人数", "230人"],
        ],
        layout="spaces",
    )
    assert doc.projects[0].budget_total == Decimal("330.984")


def test_labels_split_with_their_values_in_one_cell() -> None:
    assert split_label_runs("项目主管部门青山区教育局项目执行单位化工区学校") == [
        ("项目主管部门", "青山区教育局"),
        ("项目执行单位", "化工区学校"),
    ]
    assert split_label_runs("提升学校满意度") is None


# ------------------------------------------------------------------------------ titles and levels


@pytest.mark.parametrize(
    ("title", "clean", "year", "name"),
    [
        ("项目支出绩效目标申报表(2021年度)", "项目支出绩效目标申报表", 2021, None),
        ("绩效目标申报表(基础设施建设类)", "绩效目标申报表(基础设施建设类)", None, None),
        ("2023年项目支出绩效目标申报表", "2023年项目支出绩效目标申报表", 2023, None),
        (
            "3、再生资源回收市场管理经费项目绩效目标表",
            "再生资源回收市场管理经费项目绩效目标表",
            None,
            "再生资源回收市场管理经费",
        ),
        (
            "临邑县师范附属小学项目支出目标申报表",
            "临邑县师范附属小学项目支出目标申报表",
            None,
            "临邑县师范附属小学",
        ),
    ],
)
def test_titles_with_or_without_number_year_or_category(
    title: str, clean: str, year: int | None, name: str | None
) -> None:
    doc = parse([title, HEADER, ["产出指标", "数量指标", "检查户数", "10户"]])
    (p,) = doc.projects
    assert (p.title, p.name) == (clean, name)
    if year:
        assert doc.year == year


def test_a_table_without_a_title_is_a_project() -> None:
    doc = parse(
        [
            ["项目名称:", "绿化养护经费", "项目编号:", ""],
            ["指标类型", "指标名称", "指标值", "指标描述"],
            ["产出指标", "数量指标", "375万平方米", "完成全市绿地养护"],
        ]
    )
    (p,) = doc.projects
    assert (p.title, p.name) == (None, "绿化养护经费")
    # a two-level table: 指标类型 → level 1, 指标名称 → name, no level 2 (see field batch1/08)
    assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == [
        ("产出指标", None, "数量指标", "375万平方米")
    ]


def test_levels_wrapped_ending_in_value_nonstandard_and_label_only_rows() -> None:
    doc = parse(
        [
            "项目支出绩效目标申报表",
            ["一级", "二级", "三级", "年度数值", "备注"],
            ["产出值", "数量值", "小学就读人数", "<=6962人"],
            ["项目完成", "指标", "时效指标", "项目实施时间", "2021年1月-12月"],
            ["效益指标", "经济效益", "指标"],  # a level label wrapped over two cells, nothing else
            ["社会效益指标", "教学质量提高", "=100%"],
        ]
    )
    inds = doc.projects[0].indicators
    assert [(i.level1, i.level2, i.name, i.value) for i in inds] == [
        ("产出值", "数量值", "小学就读人数", "<=6962人"),
        ("项目完成指标", "时效指标", "项目实施时间", "2021年1月-12月"),
        ("效益指标", "社会效益指标", "教学质量提高", "=100%"),
    ]
    assert inds[0].level1_canonical == "产出指标" and inds[1].level1_canonical == "产出指标"


def test_prose_indicators_under_a_level1_label() -> None:
    doc = parse(
        [
            "部门整体支出绩效目标申报表",
            ["部门名称"],
            ["南岳区实验中学"],
            ["整体绩效目标"],
            ["目标1:把教学放在首位。"],
            ["产出指标"],
            ["质量指标:毕业生合格率达100%"],
            ["时效指标:按时完成教学任务。"],
        ],
        layout="cell-lines",
    )
    (p,) = doc.projects
    assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == [
        ("产出指标", "质量指标", "毕业生合格率达100%", None),
        ("产出指标", "时效指标", "按时完成教学任务。", None),
    ]


# ------------------------------------------------------------------------------ value in parts


def test_comparator_number_and_unit_columns_joined_into_the_value_parts_kept() -> None:
    doc = parse(
        [
            "绩效目标表",
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重(%)", "指标方向性"],
            ["产出指标", "质量指标", "合格率", "≥", "95", "%", "10", "正向指标"],
            ["产出指标", "成本指标", "检查差旅费", "470", "人/天", "2"],  # 指标性质 blank, not printed
        ],
        layout="spaces",
    )
    a, b = doc.projects[0].indicators
    assert (a.value, a.nature, a.target_text, a.measure_unit, a.weight, a.direction) == (
        "≥95%",
        "≥",
        "95",
        "%",
        "10",
        "正向指标",
    )
    assert (b.value, b.weight, b.nature) == ("470人/天", "2", None)
    assert a.target.op == ">=" and a.target.value == Decimal(95)
    ind = disclosure_to_dict(doc)["projects"][0]["indicators"][0]
    assert (ind["value"], ind["weight"], ind["direction"], ind["target_text"]) == (
        "≥95%",
        "10",
        "正向指标",
        "95",
    )


def test_swapped_nature_and_direction_columns_read_by_content() -> None:
    doc = parse(
        [
            "绩效目标表",
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "指标性质",
                "指标方向",
                "目标值",
                "计量单位",
                "分值",
                "备注",
            ],
            ["产出指标", "数量指标", "出差人次", "正向", "=", "24", "人/次", "4", ""],
        ],
        layout="spaces",
    )
    (ind,) = doc.projects[0].indicators
    assert (ind.value, ind.nature, ind.direction, ind.weight) == ("=24人/次", "=", "正向", "4")


# ------------------------------------------------------------------------------ several projects


def test_flat_sheet_names_each_project_on_its_first_row_only() -> None:
    head = [
        "单位名称",
        "项目名称",
        "预算数",
        "年度目标",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "权重",
        "指标方向性",
    ]
    doc = parse(
        [
            "部门预算项目绩效目标申报表(2023年度)",
            "金额单位:元",
            head,
            ["820-马踏镇部门", "8,827,620.53"],  # the department's total row: not a project
            [
                "820001-井研县马踏镇人民政府",
                "村组干部报酬",
                "3,309,840.00",
                "按时发放村组干部报酬",
                "效益指标",
                "社会效益指标",
                "维护社会稳定",
                "≥",
                "95",
                "%",
                "10",
                "正向指标",
            ],
            ["产出指标", "时效指标", "维持时效", "≥", "1", "年", "20", "正向指标"],
            [
                "基层组织活动经费",
                "660,000.00",
                "包括必要的办公用品费、水电费等村社区办公经费",
                "效益指标",
                "经济效益指标",
                "促进农村集体经济发展",
                "≥",
                "95",
                "%",
                "10",
                "正向指标",
            ],
        ],
        layout="pipes",
    )
    a, b = doc.projects
    assert (a.name, a.budget_total, a.goal, len(a.indicators)) == (
        "村组干部报酬",
        Decimal("330.984"),
        "按时发放村组干部报酬",
        2,
    )
    assert a.indicators[1].level1 == "产出指标" and a.indicators[1].value == "≥1年"
    assert (b.name, b.budget_total, len(b.indicators)) == ("基层组织活动经费", Decimal("66.0"), 1)
    assert (doc.unit_code, doc.unit_name) == ("820001", "井研县马踏镇人民政府")
    assert a.title == b.title == "部门预算项目绩效目标申报表"


def test_a_table_continued_over_a_page_break_is_one_project() -> None:
    block = [["项目名称", "车辆保险费"], ["绩效目标", "保障公务用车运行。"], HEADER]
    doc = parse(
        [
            "1.车辆保险费绩效目标表",
            *block,
            ["产出指标", "数量指标", "车辆数", "17辆"],
            ["", "质量指标", "缴纳率", "100%"],
            "— 3 —",
            *block,  # the top block repeated on the new page (rows marked to repeat)
            ["", "", "及时率", "100%"],  # the merged level cells go on blank
            ["满意度指标", "服务对象满意度指标", "满意度", "≥90%"],
        ],
        layout="tabbed",
    )
    (p,) = doc.projects
    assert [(i.level1, i.level2, i.name) for i in p.indicators] == [
        ("产出指标", "数量指标", "车辆数"),
        ("产出指标", "质量指标", "缴纳率"),
        ("产出指标", "质量指标", "及时率"),
        ("满意度指标", "服务对象满意度指标", "满意度"),
    ]


def test_docx_table_with_its_top_block_marked_to_repeat_reads_as_one_project() -> None:
    from docx.oxml import OxmlElement

    d = Document()
    d.add_paragraph("1.车辆保险费绩效目标表")
    rows = [
        ["项目名称", "车辆保险费", "", ""],
        ["绩效目标", "保障公务用车运行。", "", ""],
        HEADER,
        ["产出指标", "数量指标", "车辆数", "17辆"],
        ["", "质量指标", "缴纳率", "100%"],
    ]
    t = d.add_table(rows=len(rows), cols=4)
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            t.cell(r, c).text = text
        if r < 3:
            t.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    buf = io.BytesIO()
    d.save(buf)
    doc = parse_bytes(buf.getvalue(), "repeat.docx")
    (p,) = doc.projects
    assert p.name == "车辆保险费" and [i.name for i in p.indicators] == ["车辆数", "缴纳率"]
    assert doc.warnings == []


def test_xlsx_national_form_with_merged_label_cells() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目支出绩效目标表(2025年度)"])
    ws.append(["项目名称", "2025金安国际网球公开赛"])
    ws.append(["主管部门及代码", "[042]六安市金安区体育局", "实施单位", "六安市金安区体育局"])
    ws.append(["项目资金(万元)", "年度资金总额:", 1000])
    ws.append(["", "其中:财政拨款", 1000])
    ws.append(["年度目标", "打造品牌赛事"])
    ws.append(["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"])
    ws.append(["", "产出指标", "数量指标", "开展运动种类", "1种"])
    ws.append(["", "", "质量指标", "经费支出合规率", "100%"])
    buf = io.BytesIO()
    wb.save(buf)
    doc = parse_bytes(buf.getvalue(), "form.xlsx")
    (p,) = doc.projects
    assert (doc.unit_code, doc.unit_name, doc.year) == ("042", "六安市金安区体育局", 2025)
    assert (p.budget_total, p.budget_fiscal, p.goal) == (Decimal(1000), Decimal(1000), "打造品牌赛事")
    assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == [
        ("产出指标", "数量指标", "开展运动种类", "1种"),
        ("产出指标", "质量指标", "经费支出合规率", "100%"),
    ]


# ------------------------------------------------------------------------------ department tables


def test_department_table_is_the_unit_years_own_target_table() -> None:
    doc = parse(
        [
            "部门整体支出绩效目标表",
            "2019年度)",
            ["部门(单位)名称", "中共宁德市委党史和地方志研究室", "部门预算编码", "901001033"],
            ["资金总额", "171.41"],
            ["年度总体目标"],
            ["目标1:确保本室各人员工资及福利的发放;"],
            ["目标2:确保日常办公经费正常运行;"],
            ["一级指标", "二级指标", "三级指标", "指标解释", "目标值"],
            ["产出指标", "数量指标", "资金供应时效", "100%(历史标准)", "100%"],
        ],
        layout="spaces",
    )
    (p,) = doc.projects
    assert p.kind == "department" and p.name is None and p.title == "部门整体支出绩效目标表"
    assert (doc.unit_code, doc.unit_name, doc.year) == ("901001033", "中共宁德市委党史和地方志研究室", 2019)
    assert p.goal == "目标1:确保本室各人员工资及福利的发放;\n目标2:确保日常办公经费正常运行;"
    assert doc.overall_goal == p.goal and p.budget_total == Decimal("171.41")
    assert disclosure_to_dict(doc)["projects"][0]["kind"] == "department"


# ------------------------------------------------------------------------------ not a target table


def test_self_evaluation_page_is_said_to_be_one() -> None:
    with pytest.raises(NoTargetTable) as e:
        parse(
            [
                "项目支出绩效自评表",
                "(2019年度)",
                ["项目名称", "暖通改造经费"],
                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
                ["产出指标", "数量指标", "改造面积", "≥100平方米", "120平方米", "10", "10"],
            ]
        )
    assert "自评表" in e.value.message and "未找到绩效目标表" in e.value.message
    assert isinstance(e.value, ReadError)


@pytest.mark.parametrize(
    ("prior", "target"),
    [("2022年实际值", "2023年目标值"), ("2022年实际", "2023年预期"), ("上年实际值", "本年目标值")],
)
def test_a_prior_years_actual_beside_the_target_is_still_a_target_table(prior: str, target: str) -> None:
    """The whole header decides: a prior year's actual column is another year's group (dropped),
    the budget year's target is the value; only the budget year's actual or a score column makes
    a self-evaluation."""
    doc = parse(
        [
            "项目支出绩效目标表",
            "(2023年度)",
            ["项目名称", "暖通改造经费"],
            ["一级指标", "二级指标", "三级指标", prior, target],
            ["产出指标", "数量指标", "改造面积", "≥90平方米", "≥100平方米"],
            ["", "质量指标", "验收合格率", "已完成", "100%"],
        ]
    )
    (p,) = doc.projects
    assert [(i.name, i.value) for i in p.indicators] == [("改造面积", "≥100平方米"), ("验收合格率", "100%")]


def test_the_budget_years_actual_makes_a_self_evaluation() -> None:
    from jixiao.ingest.header import header_kind

    head = ["一级指标", "二级指标", "三级指标", "2023年目标值"]
    assert header_kind([*head, "2022年实际值"], 2023) == "target"
    assert header_kind([*head, "2023年实际值"], 2023) == "自评表"
    assert header_kind([*head, "全年实际值"], None) == "自评表"
    assert header_kind([*head, "上年实际值", "得分"], None) == "自评表"
    assert header_kind([*head, "1-6月执行情况"], None) == "监控表"


def test_monitoring_table_inside_a_target_document_is_a_warning() -> None:
    doc = parse(
        [
            "1.车辆保险费绩效目标表",
            HEADER,
            ["产出指标", "数量指标", "车辆数", "17辆"],
            "绩效运行监控表",
            ["一级指标", "二级指标", "三级指标", "年度指标值", "1-7月执行情况", "完成目标可能性"],
            ["产出指标", "数量指标", "车辆数", "17辆", "17辆", "确定能"],
        ]
    )
    assert len(doc.projects) == 1 and len(doc.projects[0].indicators) == 1
    assert any("监控表" in w.message for w in doc.warnings)


def test_document_without_a_target_table_exits_2_with_a_chinese_message(tmp_path: Path) -> None:
    f = tmp_path / "notice.txt"
    f.write_text("关于做好预算公开工作的通知\n各单位：请按要求公开。\n", encoding="utf-8")
    r = run_cli(["parse", f], text=False)
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode("utf-8").strip() == f"{f}: 未找到绩效目标表（没有可识别的指标表头或项目信息）"


def test_unused_rows_and_cells_are_located_warnings_in_chinese() -> None:
    doc = parse(
        [
            "1.车辆保险费绩效目标表",
            ["项目名称", "车辆保险费"],
            ["其中 :上级资金16"],
            HEADER,
            ["产出指标", "数量指标", "车辆数", "17辆", "多余的单元格"],
        ],
        layout="tabbed",
    )
    msgs = {(w.location.line, w.message) for w in doc.warnings}
    assert any(line == 3 and "未使用" in m for line, m in msgs), msgs
    assert any(line == 5 and "多余的单元格" in m and "未使用" in m for line, m in msgs), msgs


def test_parse_json_carries_the_new_fields(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text(
        "绩效目标表\n一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t权重\n"
        "产出指标\t数量指标\t检查户数\t≥\t10\t户\t5\n",
        encoding="utf-8",
    )
    r = run_cli(["parse", f], text=False)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    ind = d["projects"][0]["indicators"][0]
    assert d["projects"][0]["kind"] == "project"
    assert (ind["value"], ind["nature"], ind["target_text"], ind["measure_unit"], ind["weight"]) == (
        "≥10户",
        "≥",
        "10",
        "户",
        "5",
    )


# ------------------------------------------------------------------------------ PDF of repeated blocks


def _mark_top_block_to_repeat(data: bytes) -> bytes:
    """Every row of each table down to the indicator header marked w:tblHeader, as Word
    documents in the field mark the whole 项目名称 … 绩效目标 block to repeat on every page."""
    from docx.oxml import OxmlElement

    d = Document(io.BytesIO(data))
    for t in d.tables:
        for r in t.rows:
            r._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            if header_map([Cell(c.text, Location()) for c in r.cells]):
                break
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def repeated_block_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.ingest import parse_file
    from tests.conftest import seed_files
    from tests.format_helpers import docx_to_pdf, soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("repeated_pdf")
    paths = []
    for seed in seed_files():
        doc = parse_file(seed)
        for p in doc.projects:
            if p.unit_code is None and p.unit_name is None:
                p.unit_code, p.unit_name = doc.unit_code, doc.unit_name
        path = tmp / f"{seed.stem}.docx"
        path.write_bytes(_mark_top_block_to_repeat(disclosure_to_docx(doc, separate_indicator_table=False)))
        paths.append(path)
    return {p.stem: q.read_bytes() for p, q in docx_to_pdf(paths, tmp).items()}


def test_pdf_of_tables_with_their_top_block_repeated_on_every_page(
    repeated_block_pdfs: dict[str, bytes], truth_score
) -> None:
    from tests.conftest import TRUTH

    for stem, data in sorted(repeated_block_pdfs.items()):
        truth = json.loads((TRUTH / f"{stem}.json").read_text(encoding="utf-8"))
        r = truth_score.score(truth, disclosure_to_dict(parse_bytes(data, f"{stem}.pdf")), show=5)
        assert r["projects_found"] == r["projects_truth"] and r["projects_extra"] == 0, (
            stem,
            r["differences"],
        )
        assert r["indicator_f1"] >= 0.99, (stem, r["differences"])


@pytest.mark.parametrize("paren", [("（", "）"), ("(", ")")])
def test_unit_goal_headings_with_ascii_or_full_width_punctuation(paren: tuple[str, str]) -> None:
    from jixiao.ingest.goals import read_unit_goals

    o, c = paren
    colon = "：" if o == "（" else ":"
    lines = [
        "一、总体绩效目标",
        "全面提升监管效能。",
        "二、分项绩效目标",
        f"{o}一{c}市场监管",
        f"绩效目标{colon}强化信用监管。",
        f"绩效指标{colon}抽查率≥90%",
        f"{o}二{c}食品安全",
        f"绩效目标{colon}不发生重大事故。",
    ]
    overall, subs = read_unit_goals([Para(t, Location(line=i)) for i, t in enumerate(lines, 1)], "tabbed")
    assert overall == "全面提升监管效能。"
    assert subs == [("市场监管", "强化信用监管。", "抽查率≥90%"), ("食品安全", "不发生重大事故。", None)]


def test_a_row_cut_by_a_page_break_goes_on_after_the_repeated_block() -> None:
    """As a PDF of a Word table gives it: the block repeated on the new page (with a piece of a
    merged label left in the first column), then the rest of the cut row, then a merged level cell
    whose rest goes on the level above."""
    block = [
        ["项目名称", "质量强市提升经费"],
        ["预算规模及资金用途", "预算数", "", "其中:财政资金", "", "其他资金", ""],
    ]
    head = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    doc = parse(
        [
            "1.质量强市提升经费绩效目标表",
            *block,
            ["绩效目标", "开展质量提升活动。"],
            head,
            ["产出指标", "数量指标", "活动开展次数", "开展区域质量提升活动、管", "≥4次", "《实施"],
            *block,
            ["资金用途", "", "", "理模式和经验推广等活动次数", "", "意见》"],
            ["", "服务对象满意", "群众满意度", "考察满意度", "≥85%", "问卷"],
            *block,
            ["资金用途", "度指标", "", "", "", "调查"],
        ],
        layout="pdf",
    )
    (p,) = doc.projects
    a, b = p.indicators
    assert (a.description, a.basis) == ("开展区域质量提升活动、管理模式和经验推广等活动次数", "《实施意见》")
    assert (b.level2, b.basis) == ("服务对象满意度指标", "问卷调查")


def test_a_title_wrapped_over_lines_is_one_title() -> None:
    doc = parse(
        [
            "天津市农业绿色发展专项(畜禽粪污",
            "资源化利用整县推进项目)2022年",
            "中央预算内投资计划绩效目标表",
            ["专项名称", "畜禽粪污资源化利用"],
            HEADER,
            ["实施效果指标", "产出指标", "建设项目个数", "1"],
        ]
    )
    assert (
        doc.projects[0].title
        == "天津市农业绿色发展专项(畜禽粪污资源化利用整县推进项目)2022年中央预算内投资计划绩效目标表"
    )
    assert doc.projects[0].name == "畜禽粪污资源化利用"


# ------------------------------------------------------------------------------ block labels


def test_labels_one_per_line_then_their_values_in_the_same_order() -> None:
    """A run of labels, then the run of values below them (a table converted one cell per line)."""
    doc = parse(
        [
            "项目支出绩效目标申报表",
            "(2023年度)",
            ["项目名称"],
            ["主管部门"],
            ["实施单位"],
            ["中小学校舍安全维修"],
            ["[301002]南京市江宁区教育局"],
            ["南京市江宁区教育基建办公室"],
            ["资金情况(万元)"],
            ["年度资金总额:"],
            ["1280.5"],
            ["其中:财政拨款"],
            ["1180.5"],
            ["其他资金"],
            ["100"],
            ["年度目标"],
            ["完成校舍维修加固。"],
            HEADER,
            ["产出指标", "数量指标", "维修学校数量", "=23所"],
        ],
        layout="cell-lines",
    )
    (p,) = doc.projects
    assert (p.name, p.unit_code, p.unit_name) == ("中小学校舍安全维修", "301002", "南京市江宁区教育局")
    assert (p.budget_total, p.budget_fiscal, p.budget_other) == (
        Decimal("1280.5"),
        Decimal("1180.5"),
        Decimal("100"),
    )
    assert p.goal == "完成校舍维修加固。"


def test_labels_with_no_value_printed_do_not_take_the_next_labels_value() -> None:
    """Each label followed by its value, but some labels print none: a value belongs to the label
    nearest above it, and an amount only to a money label."""
    doc = parse(
        [
            "项目支出绩效目标表",
            "(2025年度)",
            ["项目责任人:"],
            ["单位(盖章):"],
            ["项目名称"],
            ["网球公开赛"],
            ["主管部门及代码"],
            ["[042]六安市金安区体育局"],
            ["其他资金"],
            ["总体目标"],
            ["年度目标"],
            ["打造品牌赛事。"],
            HEADER,
            ["产出指标", "数量指标", "开展运动种类", "1种"],
        ],
        layout="cell-lines",
    )
    (p,) = doc.projects
    assert (p.name, p.unit_name) == ("网球公开赛", "六安市金安区体育局")
    assert (p.budget_other, p.goal) == (None, "打造品牌赛事。")


@pytest.mark.parametrize("first", [["金额单位：元项目支出名称"], "金额单位：元 项目支出名称"])
def test_a_money_unit_run_together_with_the_first_label_keeps_both(first: Block) -> None:
    doc = parse(
        [
            first,
            ["农村供水工程维修养护"],
            ["年度资金总额", "7,450,000.00"],
            HEADER,
            ["产出指标", "数量指标", "维修工程", "12处"],
        ]
    )
    (p,) = doc.projects
    assert p.name == "农村供水工程维修养护"
    assert p.budget_total == Decimal("745")


def test_the_top_block_repeated_after_a_page_break_continues_the_project() -> None:
    """Labels and values one per line again after `— 3 —`: the same project goes on (its labels
    are not indicators under the last level); a different name starts the next project."""
    block = [
        ["项目名称"],
        ["农村供水工程维修养护"],
        ["主管部门"],
        ["[211001]周口市水利局"],
        ["实施单位"],
        ["周口市农村供水管理站"],
        ["其中：财政拨款"],
        ["745"],
        ["其他资金"],
    ]
    doc = parse(
        [
            "项目支出绩效目标表",
            *block,
            HEADER,
            ["产出指标", "成本指标", "单处工程维修养护成本", "≤2.4万元"],
            "— 3 —",
            *block,
            HEADER,
            ["效益指标", "社会效益指标", "农村自来水普及率", "≥93%"],
            ["项目名称"],
            ["饮水安全巩固提升"],
            HEADER,
            ["产出指标", "数量指标", "新建水厂", "2座"],
        ],
        layout="cell-lines",
    )
    a, b = doc.projects
    assert [(i.level2, i.name) for i in a.indicators] == [
        ("成本指标", "单处工程维修养护成本"),
        ("社会效益指标", "农村自来水普及率"),
    ]
    assert b.name == "饮水安全巩固提升" and [i.name for i in b.indicators] == ["新建水厂"]


def test_with_no_title_the_year_is_never_an_indicators_deadline() -> None:
    """The budget year from the header's year group or the project's name, not from a value."""
    rows: list[Block] = [
        ["项目名称", "2023年农村供水工程维修养护"],
        HEADER,
        ["产出指标", "时效指标", "完工时间", "2024年12月"],
        ["", "", "验收时间", "2024年12月底前"],
    ]
    assert parse(rows).year == 2023
    doc = parse(
        [
            ["项目名称", "农村供水工程"],
            [*HEADER[:3], "2022年实际值", "2023年目标值"],
            ["产出指标", "时效指标", "完工时间", "2024年6月", "2024年12月"],
            ["", "", "验收时间", "2024年6月", "2024年12月底前"],
        ]
    )
    assert doc.year == 2023
    assert [i.value for i in doc.projects[0].indicators] == ["2024年12月", "2024年12月底前"]


def test_project_headings_and_captions_by_their_words() -> None:
    """'<name>绩效目标' (with or without 项目/支出, 项目 printed twice) heads a project; a caption
    of generic words naming a part ('绩效指标明细表') or a chapter ('(一)年度绩效目标') does not."""
    doc = parse(
        [
            "2023年重大政策和项目绩效目标情况",
            "农村饮水安全专项资金绩效目标",
            "(一)年度绩效目标",
            "保障农村饮水安全。",
            "绩效指标明细表",
            HEADER,
            ["产出指标", "数量指标", "新建水厂", "2座"],
            "参保居民健康体检经费项目项目绩效目标",
            "(一)年度绩效目标",
            "完成体检。",
            "项目具体目标表",
            HEADER,
            ["产出指标", "数量指标", "体检人数", "≥1万人"],
        ],
        layout="cell-lines",
    )
    assert [p.name for p in doc.projects] == ["农村饮水安全专项资金", "参保居民健康体检经费项目"]
    assert [[i.name for i in p.indicators] for p in doc.projects] == [["新建水厂"], ["体检人数"]]


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("下达中央预算内投资(万元)", "total"),
        ("年度本级 预算金额", "total"),
        ("项目资金申请(万元)", "total"),
        ("本级预算安排数", "total"),
        ("项目总经费", "total"),
        ("其中：财政拨款小计", "fiscal"),
        ("其中：单位自筹", "other"),
        ("该项目支出上级资金", "other_kv"),
        ("中央财政补助资金", "other_kv"),
        ("下达地方或单位", "unit"),
        ("申报部门及编码", "unit"),
        ("预算执行率权重(%):", "other_kv"),
        ("资金用途", "purpose"),
        ("资金情况(万元)", "section"),
        ("预算资金当年下达率", None),
    ],
)
def test_block_labels_by_their_parts(label: str, field: str | None) -> None:
    """Money and unit labels by their parts (scope, money word, amount word), so unseen synonyms
    read too; an indicator name built of the same words is none."""
    from jixiao.ingest.vocab import kv_field

    assert kv_field(label) == field


def test_payload_check_names_every_payload_field():
    """`_has_payload` (written out for speed) answers for each field of `_PAYLOAD` and for no other
    field of a row's record."""
    from jixiao.ingest import interpret

    for f in interpret._PAYLOAD:
        assert interpret._has_payload({f: "x"}), f
    others = ("level1", "level2", "weight", "project", "unit", "direction", "project_code")
    assert not interpret._has_payload({f: "x" for f in others})
    assert not interpret._has_payload({f: "" for f in interpret._PAYLOAD})
