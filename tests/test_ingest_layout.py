"""Rows from any text: each layout strategy on small documents written here, the choice between
them, the shared noise filter, and every field page's indicator table found as printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao.ingest import parse_bytes, read_cells
from jixiao.ingest.cells import Para, Row, squash
from jixiao.ingest.noise import fold_punct, is_noise_line, is_page_marker, norm_key, strip_noise
from jixiao.ingest.textrows import (
    VALUE,
    _header_words,
    _split_name_value,
    header_kind,
    is_header,
    separates_by_runs,
    spaces,
)

FIELD = Path(__file__).resolve().parents[2] / "shared" / "field"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _stream(text: str):
    return read_cells(text.encode("utf-8"), "t.txt")


def _table(text: str) -> tuple[str, list[str], list[list[str]]]:
    """(layout, header cells, indicator rows) of the first indicator table in `text`."""
    cs = _stream(text)
    rows = [b for b in cs.blocks if isinstance(b, Row)]
    at = next(i for i, r in enumerate(rows) if is_header([header_kind(c.text) for c in r.cells]))
    head = rows[at]
    body = [r.texts for r in rows[at + 1 :] if r.table == head.table]
    return cs.layout, head.texts, body


# -- pipes -------------------------------------------------------------------------------------


def test_pipes_rows_with_optional_outer_pipes_and_colspan_padding_align_right() -> None:
    text = "\n".join(
        [
            "| 单位名称 | 项目名称 | 一级指标 | 二级指标 | 三级指标 | 指标值 | |",
            "| 001-某局 | 甲项目 | 产出指标 | 数量指标 | 检查次数 | ≥5次 | |",
            "产出指标 | 质量指标 | 合格率 | 100% | |||",  # the rowspan cells are not printed
            "| 满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥90% | ||||",
        ]
    )
    layout, head, body = _table(text)
    assert layout == "pipes"
    assert head == ["单位名称", "项目名称", "一级指标", "二级指标", "三级指标", "指标值"]
    assert body == [
        ["001-某局", "甲项目", "产出指标", "数量指标", "检查次数", "≥5次"],
        ["", "", "产出指标", "质量指标", "合格率", "100%"],
        ["", "", "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"],
    ]


def test_pipes_one_cell_per_line_with_filler_lines_and_a_wrapped_cell() -> None:
    text = "\n".join(
        [
            "项目名称 |",
            "某项目 |",
            "一级",
            "指标 |",
            "二级指标 |",
            "三级指标 |",
            "指标值 |",
            "|||",
            "产出指标 |",
            "数量指标 |",
            "培训人次 |",
            "200人次 |",
            "||||",
            "培训天数 |",
            "3天 |",
            "|||",
            "效益指标 |",
            "社会效益指标 |",
            "群众知晓率 |",
            "≥90% |",
        ]
    )
    layout, head, body = _table(text)
    assert layout == "pipes"
    assert head == ["一级指标", "二级指标", "三级指标", "指标值"]
    assert body == [
        ["产出指标", "数量指标", "培训人次", "200人次"],
        ["", "", "培训天数", "3天"],
        ["效益指标", "社会效益指标", "群众知晓率", "≥90%"],
    ]


def test_pipes_one_cell_per_line_values_with_a_compound_unit_keep_their_rows() -> None:
    """A unit whose denominator is a product (`元/公里·年`, `元/人·月`) is a value's unit like any
    other: the value stays in the value column and the next name opens its row."""
    cells = [
        "一级指标", "二级指标", "三级指标", "2022年实际", "2023年预期",
        "产出指标", "成本指标", "县道养护补助标准", "=9000元/公里·年", "=10000元/公里·年",
        "", "", "乡道养护补助标准", "=4500元/公里·年", "=5000元/公里·年",
        "", "", "护林员补助标准", "=800元/人·月", "=900元/人·月",
        "效益指标", "社会效益指标", "农村公路列养率", "=90%", "=100%",
    ]  # fmt: skip
    layout, _, body = _table("\n".join(f"{c} |" if c else "|" for c in cells))
    assert layout == "pipes"
    assert [r[-3:] for r in body] == [
        ["县道养护补助标准", "=9000元/公里·年", "=10000元/公里·年"],
        ["乡道养护补助标准", "=4500元/公里·年", "=5000元/公里·年"],
        ["护林员补助标准", "=800元/人·月", "=900元/人·月"],
        ["农村公路列养率", "=90%", "=100%"],
    ]


# -- runs of spaces --------------------------------------------------------------------------------


def test_spaces_rows_skip_an_unprinted_empty_cell_and_take_a_wrapped_weight() -> None:
    text = "\n".join(
        [
            "一级指标 二级指标 三级指标 指标性质 指标值 度量单位 权重(%)",
            "产出指标 成本指标 检查差旅费 470 人/天 2",  # 指标性质 empty, not printed
            "产出指标 质量指标 工作完成率 ≥ 95 % 10",
            "效益指标 社会效益指标 食品安全整体状况 定性 高中低",
            "10",  # the weight of the row above, wrapped onto a line of its own
        ]
    )
    layout, head, body = _table(text)
    assert layout == "spaces"
    assert len(head) == 7
    assert body == [
        ["产出指标", "成本指标", "检查差旅费", "", "470", "人/天", "2"],
        ["产出指标", "质量指标", "工作完成率", "≥", "95", "%", "10"],
        ["效益指标", "社会效益指标", "食品安全整体状况", "定性", "高中低", "", "10"],
    ]


def test_spaces_keep_a_bracketed_group_in_one_cell_and_carry_levels_by_position() -> None:
    text = "\n".join(
        [
            "绩效指标 一级指标 二级指标 三级指标 指标值 备注",
            "产出指标 数量指标 景点开发数量( ≥**个 ) >=4个",
            "流转土地 >=60亩",
            "质量指标 建设质量达标率(≥**%) >=98%",
        ]
    )
    _, head, body = _table(text)
    assert head[0] == "绩效指标"
    assert body == [
        ["", "产出指标", "数量指标", "景点开发数量( ≥**个 )", ">=4个", ""],
        ["", "", "", "流转土地", ">=60亩", ""],
        ["", "", "质量指标", "建设质量达标率(≥**%)", ">=98%", ""],
    ]


def test_spaces_a_row_that_leaves_its_direction_blank_keeps_its_basis_in_its_column() -> None:
    """A direction column holds 正向/反向 only: a row printing no direction (a qualitative
    indicator) leaves it blank and its basis goes on to the basis column."""
    text = "\n".join(
        [
            "一级指标   二级指标   三级指标   指标性质   指标值   度量单位   权重（%）   "
            "指标方向性   指标值确定依据",
            "产出指标   数量指标   帮扶项目完成数   ≥   42   个   10   正向指标   计划标准",
            "质量指标   项目验收合格率   =   100   %   10   正向指标   行业标准",
            "效益指标   可持续影响指标   长效管护机制   定性   建立健全   10   其他标准",
            "满意度指标   服务对象满意度指标   帮扶对象满意度   ≥   90   %   10   正向指标   历史标准",
        ]
    )
    _, _, body = _table(text)
    assert body[2][2:] == ["长效管护机制", "定性", "建立健全", "", "10", "", "其他标准"]
    assert body[3][-2:] == ["正向指标", "历史标准"]


# -- one cell per line ----------------------------------------------------------------------------------


def test_cell_lines_levels_on_first_rows_only_and_a_label_wrapped_over_two_lines() -> None:
    cells = [
        "项目名称",
        "某项目",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "产出指标",
        "数量指标",
        "道路硬化里程",
        "≥100公里",
        "供水设施数量",
        "≥20座",
        "效益指标",
        "经济效益",
        "指标",
        "年增粮食",
        "3500公斤",
        "满意度指标",
        "服务对象满意度指标",
        "受益户满意度",
        "≥95%",
    ]
    layout, head, body = _table("\n\n".join(cells))
    assert layout == "cell-lines"
    assert head == ["一级指标", "二级指标", "三级指标", "指标值"]
    assert body == [
        ["产出指标", "数量指标", "道路硬化里程", "≥100公里"],
        ["", "", "供水设施数量", "≥20座"],
        ["效益指标", "经济效益指标", "年增粮食", "3500公斤"],
        ["满意度指标", "服务对象满意度指标", "受益户满意度", "≥95%"],
    ]


def test_cell_lines_print_empty_cells_as_lines_of_spaces() -> None:
    cells = [
        "一级",
        "二级",
        "三级",
        "年度数值",
        "备注",
        "产出值",
        "数量值",
        "就读人数",
        "<=6962人",
        " ",
        "质量值",
        "教学条件改善",
        "=100%",
        " ",
    ]
    _, head, body = _table("\n\n".join(cells))
    assert head == ["一级", "二级", "三级", "年度数值", "备注"]
    assert body == [
        ["产出值", "数量值", "就读人数", "<=6962人", ""],
        ["", "质量值", "教学条件改善", "=100%", ""],
    ]


def test_cell_lines_level_label_printed_split_around_its_row() -> None:
    cells = [
        "一级指标",
        "二级指标",
        "指标内容",
        "指标值",
        "效益指标",
        "可持续影响指标",
        "机制健全性",
        "健全",
        "社会公众或服务",
        "政策满意度",
        "≥90%",
        "对象满意度指标",
    ]
    _, _, body = _table("\n\n".join(cells))
    assert body[-1][2:] == ["政策满意度", "≥90%"]
    assert "社会公众或服务对象满意度指标" in body[-1][:2]


def test_cell_lines_a_cell_wrapped_over_lines_between_blank_lines_is_one_cell() -> None:
    """Where blank lines part the cells, lines printed one under the other are one cell wrapped
    over them (a long name), not a cell each."""
    cells = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "效益指标",
        "社会效益指标",
        "受益群众人数",
        "≥2万人",
        "",
        "可持续影响指标",
        "打造国际网球\n公开赛等品牌赛事",
        "影响可持续",
        "满意度指标",
        "服务对象满意度指标",
        "群众满意度",
        "≥95%",
    ]
    layout, _, body = _table("\n\n".join(c if c else " " for c in cells))
    assert layout == "cell-lines"
    assert [r[1:] for r in body] == [
        ["社会效益指标", "受益群众人数", "≥2万人"],
        ["可持续影响指标", "打造国际网球\n公开赛等品牌赛事", "影响可持续"],
        ["服务对象满意度指标", "群众满意度", "≥95%"],
    ]


def test_cell_lines_paragraphs_printed_before_the_first_blank_line_stay_apart() -> None:
    """A page whose title and project lines open it one under the other (paragraphs, no blank line
    between them) before its table's cells parted by blank lines: those lines are no cell wrapped
    over them, and the title is still the table's."""
    head = [
        "项目支出绩效目标表",
        "（2023年度）",
        "项目名称：农村公路养护补助资金",
        "主管部门：某县交通运输局",
    ]
    cells = [
        "一级指标", "二级指标", "三级指标", "指标值",
        "产出指标", "数量指标", "县道养护里程", "≥120公里",
        " ", "质量指标", "养护工程验收合格率", "100%",
        "效益指标", "社会效益指标", "群众出行条件", "明显改善",
        "满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%",
    ]  # fmt: skip
    text = "\n".join(head) + "\n\n" + "\n\n".join(cells) + "\n"
    cs = _stream(text)
    assert cs.layout == "cell-lines"
    assert not any("\n" in c.text for b in cs.blocks if isinstance(b, Row) for c in b.cells)
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    assert doc.projects[0].title == "项目支出绩效目标表"
    assert [i.name for i in doc.projects[0].indicators][:2] == ["县道养护里程", "养护工程验收合格率"]


# -- run together ------------------------------------------------------------------------------------


def test_run_together_cells_split_by_labels_header_words_and_the_value_grammar() -> None:
    text = "\n".join(
        [
            "绩效指标一级指标二级指标指标内容指标值",
            "产出指标数量指标农村学校改造覆盖率100%",
            "质量指标校舍维修改造质量合格率100%",
            "购置设施设备质量合格率100%",
            "效益指标可持续影响指标均衡发展情况稳步提高",
        ]
    )
    layout, head, body = _table(text)
    assert layout == "run-together"
    assert head == ["绩效指标", "一级指标", "二级指标", "指标内容", "指标值"]
    assert body == [
        ["", "产出指标", "数量指标", "农村学校改造覆盖率", "100%"],
        ["", "", "质量指标", "校舍维修改造质量合格率", "100%"],
        ["", "", "", "购置设施设备质量合格率", "100%"],
        ["", "效益指标", "可持续影响指标", "均衡发展情况", "稳步提高"],
    ]


def test_run_together_key_value_block_and_table_on_one_line() -> None:
    text = (
        "某省项目支出绩效目标表(2023年度)项目名称甲项目项目主管部门某局资金用途业务类项目"
        "一级指标二级指标三级指标指标目标值产出指标数量指标开放天数=300天质量指标考核完成率=100百分比"
    )
    cs = _stream(text + "\n" + text.replace("甲项目", "乙项目"))
    assert cs.layout == "run-together"
    assert isinstance(cs.blocks[0], Para) and cs.blocks[0].text == "某省项目支出绩效目标表(2023年度)"
    kv = cs.blocks[1]
    assert isinstance(kv, Row) and kv.texts[:4] == ["项目名称", "甲项目", "项目主管部门", "某局"]
    rows = [b.texts for b in cs.blocks if isinstance(b, Row)]
    assert ["产出指标", "数量指标", "开放天数", "=300天"] in rows
    assert ["", "质量指标", "考核完成率", "=100百分比"] in rows


def test_run_together_block_labels_of_the_provincial_form_and_money_sources_split() -> None:
    """Block labels the interpreter does not store (dates, 资金性质, who runs the project) and the
    money-source labels the shared grammar names (县级财政安排) cut a run-together block like any
    other label, so the values beside them stay clean."""
    text = (
        "某县项目支出绩效目标表(2024年度)项目名称乙项目项目开始日期2024年1月项目完成日期2024年12月"
        "县级财政安排12万元资金性质一般公共预算组织实施单位某镇人民政府\n"
        "一级指标二级指标三级指标指标值产出指标数量指标修缮道路=3公里质量指标验收合格率=100%\n"
    )
    cs = _stream(text)
    assert cs.layout == "run-together"
    kv = next(b for b in cs.blocks if isinstance(b, Row))
    assert kv.texts == [
        "项目名称",
        "乙项目",
        "项目开始日期",
        "2024年1月",
        "项目完成日期",
        "2024年12月",
        "县级财政安排",
        "12万元",
        "资金性质",
        "一般公共预算",
        "组织实施单位",
        "某镇人民政府",
    ]
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    assert doc.projects[0].name == "乙项目"
    assert [i.name for i in doc.projects[0].indicators] == ["修缮道路", "验收合格率"]


# -- choosing a strategy --------------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds not available")
def test_pdf_text_seed_keeps_the_pdf_regrouping() -> None:
    seed = next(SEEDS.glob("002_*.txt"))
    assert read_cells(seed.read_bytes(), seed.name).layout == "pdf-text"


def test_the_strategy_whose_rows_fit_the_header_wins() -> None:
    # every line has spaces, but the table is printed with pipes: pipes fit, spaces do not
    text = "\n".join(
        [
            "一级指标 | 二级指标 | 三级指标 | 指标值",
            "产出指标 | 数量指标 | 培训 人次 | 200 人次",
            "| 质量指标 | 培训 合格率 | 100 %",
        ]
    )
    layout, _, body = _table(text)
    assert layout == "pipes"
    assert body[1] == ["", "质量指标", "培训 合格率", "100 %"]


def test_indicator_table_after_a_form_footer_is_not_continued() -> None:
    text = "\n".join(
        [
            "一级指标 二级指标 三级指标 指标值",
            "产出指标 数量指标 培训人次 200人次",
            "财政部门审核意见 (盖章)",
        ]
    )
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    assert [i.name for p in doc.projects for i in p.indicators] == ["培训人次"]


# -- noise ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "— 3 —",
        "- 2 -",
        "第3页",
        "第 2 页 共 5 页",
        "3/10页",
        "索 引 号 733569413/2020-806617 发布日期 2020-01-20",
        "发布机构 教育局 有 效 性 有效",
        "扫一扫在手机打开当前页",
        "[下载] [打印] [关闭]",
        "附件:",
        "附件：",
        "字号 :  | ",
        "浏览量:1 | | | |",
        "鲁ICP备06032897号  鲁公网安备37142402000014",
        "[bookmark: _Toc1]",
        "[打印本页] [关闭窗口]",
        "【打印】【关闭】",
        "- 全部留言",
        "- 有用()",
        "- /",
        "打印 | 关闭",
        "首页 > 信息公开 > 财政资金",
    ],
)
def test_noise_lines(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "2",
        "100%",
        "项目名称",
        "主管部门",
        "附件1:2021年绩效表",
        "2023.07-2024.01",
        "一级指标",
        "≥**%",
        "1-12月",
        "/",
        "是",
        "[2022]78号",
        "[015001]武汉市青山区教育局",
        "中",
    ],
)
def test_content_is_not_noise(line: str) -> None:
    assert not is_noise_line(line)


def test_strip_noise_inside_a_goal_keeps_ranges() -> None:
    goal = "完成年度任务— 3 —并按时报送\n第2页\n服务周期2023.07-2024.01"
    assert strip_noise(goal) == "完成年度任务并按时报送\n服务周期2023.07-2024.01"
    assert is_page_marker("— 12 —") and not is_page_marker("12")


def test_full_width_and_ascii_punctuation_compare_alike() -> None:
    assert fold_punct("其中：财政拨款（万元）") == "其中:财政拨款(万元)"
    assert norm_key("其中 : 财政拨款(万元)") == norm_key("其中：财政拨款（万元）")
    assert fold_punct("≥90%，、。") == "≥90%,、。"


def test_reader_drops_noise_lines_but_keeps_the_printed_text() -> None:
    cs = _stream("扫一扫在手机打开当前页\n其中：财政拨款\t10\n— 2 —\n")
    rows = [b for b in cs.blocks if isinstance(b, Row)]
    assert rows[0].texts == ["其中：财政拨款", "10"]
    assert not [b for b in cs.blocks if isinstance(b, Para) and "扫一扫" in b.text]


# -- the field pages ------------------------------------------------------------------------------------

_FIELD_TARGETS = sorted(p for p in FIELD.glob("batch*/[0-9]*.txt") if p.with_suffix(".json").exists())


@pytest.mark.skipif(not _FIELD_TARGETS, reason="field pages not available")
@pytest.mark.parametrize("page", _FIELD_TARGETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_field_page_header_and_indicator_rows_are_found_as_printed(page: Path) -> None:
    data = page.read_bytes()
    truth = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    rows = [b for b in read_cells(data, page.name).blocks if isinstance(b, Row)]
    heads = [r for r in rows if is_header([header_kind(c.text) for c in r.cells])]
    indicators = [i for p in truth["projects"] for i in p["indicators"]]
    if not indicators:
        return
    printed = squash(data.decode("utf-8")).replace("|", "")
    if not heads:
        pytest.xfail("prose indicators without a header (二级指标:text lines)")
    for h in heads:  # the header's cells, in order, as the page prints them
        assert squash("".join(h.texts)) in printed
    cells = {squash(c.text) for r in rows for c in r.cells}
    missing = [i["name"] for i in indicators if squash(i["name"] or "") not in cells]
    assert len(missing) <= len(indicators) // 10, missing


def test_a_document_mixing_layouts_is_read_region_by_region() -> None:
    pipes = [
        "1.甲项目绩效目标表",
        "项目名称 | 甲项目",
        "一级指标 | 二级指标 | 三级指标 | 指标值",
        "产出指标 | 数量指标 | 培训人次 | 200人次",
        "| 质量指标 | 培训合格率 | 100%",
        "| 时效指标 | 完成时间 | 12月底前",
    ]
    spaces = [
        "2.乙项目绩效目标表",
        "项目名称 乙项目",
        "一级指标 二级指标 三级指标 指标值",
        "产出指标 数量指标 检查次数 ≥5次",
        "效益指标 社会效益指标 群众知晓率 ≥90%",
    ]
    data = "\n".join(pipes + spaces).encode("utf-8")
    cs = read_cells(data, "t.txt")
    assert cs.layout.startswith("pipes+")
    rows = [b.texts for b in cs.blocks if isinstance(b, Row)]
    assert ["", "质量指标", "培训合格率", "100%"] in rows
    assert ["效益指标", "社会效益指标", "群众知晓率", "≥90%"] in rows
    doc = parse_bytes(data, "t.txt")
    assert [len(p.indicators) for p in doc.projects] == [3, 2]


def test_a_convincing_reading_still_leaves_a_table_printed_another_way_to_its_strategy() -> None:
    """A first table read cleanly by pipes (every row a clean indicator row) does not stop the
    search while the spaces table after it is left unread: both tables are read."""
    lines = ["1.甲项目绩效目标表", "项目名称 | 甲项目", "一级指标 | 二级指标 | 三级指标 | 指标值"]
    lines += [f"产出指标 | 数量指标 | 培训人次{k} | {100 + k}人次" for k in range(12)]
    lines += ["2.乙项目绩效目标表", "项目名称 乙项目", "一级指标 二级指标 三级指标 指标值"]
    lines += [f"效益指标 社会效益指标 群众知晓率{k} ≥{80 + k}%" for k in range(12)]
    data = "\n".join(lines).encode("utf-8")
    assert read_cells(data, "t.txt").layout == "pipes+spaces"
    doc = parse_bytes(data, "t.txt")
    assert [len(p.indicators) for p in doc.projects] == [12, 12]
    assert doc.projects[1].indicators[11].name == "群众知晓率11"


def test_running_header_beside_page_markers_is_dropped() -> None:
    page_head = "某局2023年部门预算公开"
    text = "\n".join(
        [
            page_head,
            "一级指标 二级指标 三级指标 指标值",
            "产出指标 数量指标 培训人次 200人次",
            "— 1 —",
            page_head,
            "| 质量指标 培训合格率 100%",
            "— 2 —",
            page_head,
            "效益指标 社会效益指标 群众知晓率 ≥90%",
            "— 3 —",
        ]
    )
    cs = _stream(text)
    texts = [b.text for b in cs.blocks if isinstance(b, Para)] + [
        c.text for b in cs.blocks if isinstance(b, Row) for c in b.cells
    ]
    assert page_head not in texts
    assert "群众知晓率" in texts


@pytest.mark.parametrize(
    "line", ["有效性评估\t100%", "访问量增长率 ≥10%", "技术支持服务次数 12次", "网站浏览量 ≥5万次"]
)
def test_indicator_rows_that_share_words_with_site_furniture_are_kept(line: str) -> None:
    assert not is_noise_line(line)


def test_space_runs_keep_single_spaces_inside_a_cell() -> None:
    text = "\n".join(
        [
            "一级指标   二级指标   三级指标        指标值",
            "产出指标   数量指标   网站 栏目 更新次数   ≥ 120 次",
            "           质量指标   信息 发布 准确率     100 %",
            "效益指标   社会效益指标   公众 知晓率    ≥ 90 %",
        ]
    )
    layout, _, body = _table(text)
    assert layout == "space-runs"
    assert body == [
        ["产出指标", "数量指标", "网站 栏目 更新次数", "≥ 120 次"],
        ["", "质量指标", "信息 发布 准确率", "100 %"],
        ["效益指标", "社会效益指标", "公众 知晓率", "≥ 90 %"],
    ]


def test_a_few_stray_tabs_do_not_make_a_pipe_table_a_tab_table() -> None:
    text = "\n".join(
        [
            "项目名称\t| 某项目",
            "一级指标 | 二级指标 | 三级指标 | 指标值",
            "产出指标 | 数量指标 | 培训人次 | 200人次",
            "| 质量指标 | 培训合格率 | 100%",
            "| 时效指标 | 完成时间 | 12月底前",
            "效益指标 | 社会效益指标 | 群众知晓率 | ≥90%",
        ]
    )
    layout, _, body = _table(text)
    assert layout == "pipes"
    assert body[-1] == ["效益指标", "社会效益指标", "群众知晓率", "≥90%"]


# -- one vocabulary: headers and levels by the shared recognisers ---------------------------------


@pytest.mark.parametrize(
    "cell", ["2023年目标值", "2023年预期", "本年目标值", "年度指标值", "指标值(包含数字及文字描述)"]
)
def test_year_and_period_group_headers_name_the_value_column(cell: str) -> None:
    assert header_kind(cell) == VALUE


def test_run_together_header_is_cut_into_the_shared_vocabulary_words() -> None:
    words = [w.text for w in _header_words("绩效指标一级指标二级指标三级指标2022年实际值2023年目标值")]
    assert words == ["一级指标", "二级指标", "三级指标", "2022年实际值", "2023年目标值"]
    # one column's word stays whole; two columns' words printed together are cut
    assert [w.text for w in _header_words("一级二级三级年度数值指标值确定依据")][-1] == "指标值确定依据"
    cut = [w.text for w in _header_words("一级指标二级指标三级指标分值年度指标值")]
    assert cut[-2:] == ["分值", "年度指标值"]


def test_run_together_levels_by_the_shared_level_recogniser() -> None:
    text = "\n".join(
        [
            "一级指标二级指标三级指标指标值",
            "产出值数量值小学就读人数500人",
            "实施效果指标质量指标竣工验收合格率100%",
            "成本指标(0-20)分经济成本指标设备购置成本≤20万元",
            "满意度指标服务对象满意度群众满意度≥90%",
        ]
    )
    layout, _, body = _table(text)
    assert layout == "run-together"
    assert body == [
        ["产出值", "数量值", "小学就读人数", "500人"],
        ["实施效果指标", "质量指标", "竣工验收合格率", "100%"],
        ["成本指标(0-20)分", "经济成本指标", "设备购置成本", "≤20万元"],
        ["满意度指标", "服务对象满意度", "群众满意度", "≥90%"],
    ]


def test_run_together_qualitative_values_by_grammar() -> None:
    assert _split_name_value("为当地提供就业增加岗位") == ["为当地提供就业", "增加岗位"]
    assert _split_name_value("文化传承影响长远") == ["文化传承影响", "长远"]
    assert _split_name_value("提升博物馆绿化水平提升") == ["提升博物馆绿化水平", "提升"]


def test_a_page_separated_by_runs_keeps_single_spaces_in_names_and_goals() -> None:
    text = "\n".join(
        [
            "项目名称   农业绿色发展专项 (畜禽粪污资源化利用项目)   主管部门   某区人民政府",
            "总体目标   年度目标",
            "目标1:聘用人员1人 目标2:在岗率100%",
            "绩效指标   一级指标   二级指标   三级指标   指标值",
            "产出指标   数量指标   建设项目个数 (含续建)   1",
            "质量指标   竣工验收合格率   100%",
        ]
    )
    lines = text.split("\n")
    assert separates_by_runs(lines) and spaces(lines) is None
    layout, _, body = _table(text)
    assert layout == "space-runs"
    assert body[0][-2:] == ["建设项目个数 (含续建)", "1"]


def test_an_indicator_table_with_blank_values_is_read_by_its_separators() -> None:
    text = "\n".join(
        [
            "部门整体支出绩效目标申报表",
            "部门（单位）名称 | 某区实验中学",
            "绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值",
            " | 产出指标 | 质量指标 | 教育教学秩序良好,毕业生合格率达100% | ",
            " |  | 时效指标 | 按时完成教学任务,顺利完成中考。 | ",
            " | 效益指标 | 社会效益指标 | 中考成绩进一步稳定,深入推进教学改革。 | ",
        ]
    )
    layout, _, body = _table(text)
    assert layout == "pipes"
    assert [r[3] for r in body] == [
        "教育教学秩序良好,毕业生合格率达100%",
        "按时完成教学任务,顺利完成中考。",
        "中考成绩进一步稳定,深入推进教学改革。",
    ]
    assert not any("|" in c for r in body for c in r)


def test_link_list_above_a_site_footer_is_furniture() -> None:
    text = "\n".join(
        [
            "一级指标 | 二级指标 | 三级指标 | 指标值",
            "产出指标 | 数量指标 | 培训人次 | 200人次",
            "满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90%",
            "",
            "内容保障 | 公务邮箱",
            "",
            "某县人民政府主办  某县人民政府办公室承办",
        ]
    )
    _, _, body = _table(text)
    assert body[-1][-2:] == ["学员满意度", "≥90%"]
    assert not any("公务邮箱" in c for r in body for c in r)


def test_run_together_respects_the_columns_the_header_prints_after_the_value() -> None:
    text = "\n".join(
        [
            "一级指标二级指标三级指标指标值绩效标准",
            "产出指标数量指标配备车辆数10辆计划标准",
            "雾炮车风炮射程≥80M行业标准",
            "质量指标作业达标率≥95%计划标准",
        ]
    )
    _, _, body = _table(text)
    assert [r[2:] for r in body] == [
        ["配备车辆数", "10辆", "计划标准"],
        ["雾炮车风炮射程", "≥80M", "行业标准"],
        ["作业达标率", "≥95%", "计划标准"],
    ]


def _clean(path: Path) -> list[str]:
    """A text's lines as the text reader hands them to the strategies."""
    from jixiao.ingest.text import _clean_lines, decode

    text = decode(path.read_bytes(), path.name)
    return _clean_lines(text.split("\n"))


def test_regroup_titled_is_none_where_the_regrouping_finds_no_title() -> None:
    from jixiao.ingest.pdftext import regroup_titled

    numbered = ["1.完成培训任务", "", "2.提高服务水平", "一级指标 二级指标 三级指标 指标值"]
    assert regroup_titled(numbered) is None  # numbered lines, no table title among them
    assert regroup_titled(["项目名称：某项目", "一级指标"]) is None  # no numbered line at all
    one_line = ["1.某某项目绩效目标表", "项目名称 某项目"]
    wrapped = ["1.某某项目", "绩效目标表", "项目名称 某项目"]
    for lines in (one_line, wrapped):
        titled = regroup_titled(lines)
        assert titled is not None
        assert [type(b).__name__ for b in titled] == ["Para", "Row"]
        assert isinstance(titled[1], Row) and titled[1].texts == ["项目名称", "某项目"]


def test_title_prefilter_matches_within_one_line() -> None:
    """The prefilter of `regroup_titled` finds a line that may open a title without running over
    line breaks (a match from every line of a blank run to its end was quadratic: 32,000 blank
    lines took 15 s), and finds what the per-line title test finds."""
    from jixiao.ingest.pdftext import _TITLE_START, _TITLE_START_ANY

    lines = ["", " ", "\u3000", "", " 1 、某某项目绩效目标表", "2.", "3 x", "abc 4.y"]
    joined = "\n".join(lines)
    starts = [m.start() for m in _TITLE_START_ANY.finditer(joined)]
    assert starts == [joined.index(" 1 、")]
    assert [bool(_TITLE_START.match(x)) for x in lines] == [False] * 4 + [True] + [False] * 3


@pytest.mark.parametrize(
    "path",
    sorted(FIELD.glob("batch*/[0-9]*.txt")) + sorted(SEEDS.glob("*.txt")),
    ids=lambda p: p.stem,
)
def test_rowless_regrouping_is_made_only_when_wanted(path: Path) -> None:
    """Where `regroup_titled` finds no title, the PDF-text regrouping reads one paragraph per
    printed line, else it reads the same; the strategies' choice is the same as when the reading is
    made up front."""
    from jixiao.ingest.pdftext import regroup_pdf_text, regroup_titled
    from jixiao.ingest.textrows import find_blocks

    lines = _clean(path)
    blocks = regroup_pdf_text(lines)
    titled = regroup_titled(lines)
    if titled is None:
        assert all(isinstance(b, Para) for b in blocks)
        assert [b.text for b in blocks] == [s.strip() for s in lines if s.strip()]
    else:
        assert repr(titled) == repr(blocks)
    eager = find_blocks(lines, regroup_pdf_text)
    assert repr(find_blocks(lines, regroup_pdf_text, fallback_titled=regroup_titled)) == repr(eager)


def test_run_together_a_date_value_keeps_its_year_and_its_range() -> None:
    """A date or a period run together after its name is one value: the year before the month,
    the start of a range before its end."""
    assert _split_name_value("完工时间2024年10月") == ["完工时间", "2024年10月"]
    assert _split_name_value("建设周期2022年3月-2023年6月") == ["建设周期", "2022年3月-2023年6月"]
    assert _split_name_value("运维期限2023.01-2023.12") == ["运维期限", "2023.01-2023.12"]
    # a count after a year that names its period stays apart from the year
    assert _split_name_value("2023年度培训人数500人") == ["2023年度培训人数", "500人"]


def test_run_together_two_value_columns_of_a_year_group_header() -> None:
    """Under a header with two value columns (`上年实际值 | 本年目标值`) both values run together
    after the name; each is its own cell."""
    text = "\n".join(
        [
            "一级指标二级指标三级指标2023年实际值2024年目标值",
            "产出指标数量指标培训人次≥300人次≥350人次",
            "设备完好率=95%=98%",
            "效益指标社会效益指标受益群众人数≥2万人≥2.5万人",
        ]
    )
    _, _, body = _table(text)
    assert [r[-3:] for r in body] == [
        ["培训人次", "≥300人次", "≥350人次"],
        ["设备完好率", "=95%", "=98%"],
        ["受益群众人数", "≥2万人", "≥2.5万人"],
    ]


def test_run_together_a_quality_value_repeats_the_word_its_name_makes_a_property_of() -> None:
    """`…规范性规范`: a name ending in a property (X性, X度) and a value opening with X."""
    assert _split_name_value("档案管理规范性规范") == ["档案管理规范性", "规范"]
    assert _split_name_value("数据报送准确性准确无误") == ["数据报送准确性", "准确无误"]
    assert _split_name_value("制度建设完善度完善") == ["制度建设完善度", "完善"]


def test_run_together_a_description_column_before_the_value_is_cut_off_the_name() -> None:
    """Under `三级指标 | 指标解释 | 指标值` the description runs between the name and the value: a
    number (with its bracketed basis) or a text opening with 反映 is the description."""
    text = "\n".join(
        [
            "一级指标二级指标三级指标指标解释指标值",
            "产出指标数量指标培训覆盖人数500人(计划标准)≥500人",
            "设备维护及时率95%≥95%",
            "时效指标工程完工时间2024年6月(计划标准)按时",
            "成本指标经济成本指标人均培训成本反映培训的直接成本≤300元",
        ]
    )
    _, _, body = _table(text)
    assert [r[-3:] for r in body] == [
        ["培训覆盖人数", "500人(计划标准)", "≥500人"],
        ["设备维护及时率", "95%", "≥95%"],
        ["工程完工时间", "2024年6月(计划标准)", "按时"],
        ["人均培训成本", "反映培训的直接成本", "≤300元"],
    ]


def test_run_together_a_completion_status_is_the_prior_value_of_a_year_group_header() -> None:
    """Under two value columns a prior year's status (已完成, 未完成) runs between the name and the
    target value."""
    text = "\n".join(
        [
            "一级指标二级指标三级指标2023年实际值2024年目标值",
            "产出指标时效指标工程完工时间已完成2024年10月",
            "效益指标社会效益指标河道生态环境已完成基本恢复",
            "群众就医条件未完成逐步改善",
        ]
    )
    _, _, body = _table(text)
    assert [r[-3:] for r in body] == [
        ["工程完工时间", "已完成", "2024年10月"],
        ["河道生态环境", "已完成", "基本恢复"],
        ["群众就医条件", "未完成", "逐步改善"],
    ]


def test_run_together_a_level_two_label_without_its_suffix_opens_a_row() -> None:
    """A level-2 label printed without 指标 (`社会效益`) at the start of a line before a whole
    name and value opens a new level-2 group."""
    text = "\n".join(
        [
            "一级指标二级指标三级指标指标值",
            "效益指标经济效益指标带动农户增收≥500元",
            "社会效益村民就业岗位数≥30个",
            "服务对象满意度指标群众满意度≥90%",
        ]
    )
    _, _, body = _table(text)
    assert [r[-3:] for r in body] == [
        ["经济效益指标", "带动农户增收", "≥500元"],
        ["社会效益", "村民就业岗位数", "≥30个"],
        ["服务对象满意度指标", "群众满意度", "≥90%"],
    ]


def test_run_together_a_long_uncut_line_under_two_value_columns_stays_whole() -> None:
    text = "\n".join(
        [
            "一级指标二级指标三级指标2023年实际值2024年目标值",
            "产出指标数量指标培训人次≥300人次≥350人次",
            "说明：本表所列各项指标均按照年度工作计划和相关文件要求填报共计12项",
        ]
    )
    _, _, body = _table(text)
    assert body[0][-3:] == ["培训人次", "≥300人次", "≥350人次"]


def test_run_together_a_qualitative_value_before_the_column_after_the_values() -> None:
    """A qualitative value (良好) runs together with the column the header prints after the values
    (绩效标准): the ending the rows repeat is cut off first, then the value by its grammar."""
    text = "\n".join(
        [
            "一级指标二级指标三级指标指标值绩效标准",
            "产出指标数量指标配备车辆数10辆计划标准",
            "质量指标服务区域环境卫生良好计划标准",
            "路面保洁质量合格率≥95%行业标准",
        ]
    )
    _, _, body = _table(text)
    assert [r[2:] for r in body] == [
        ["配备车辆数", "10辆", "计划标准"],
        ["服务区域环境卫生", "良好", "计划标准"],
        ["路面保洁质量合格率", "≥95%", "行业标准"],
    ]


def test_run_together_money_row_of_a_block_label_unit_sublabel_amount() -> None:
    """`年度预算安排（万元）资金总额520`: a block label with its unit, a sub-label and the amount run
    together is a key–value row, though no other label of the block is on the line."""
    from jixiao.export.json import disclosure_to_dict

    text = "\n".join(
        [
            "部门整体支出绩效目标申报表",
            "（2024年度）",
            "部门（单位）名称某区实验小学",
            "年度预算安排（万元）资金总额520",
            "其中：财政拨款500",
            "年度总体目标目标1:保障学校正常运转。",
            "绩效指标一级指标二级指标三级指标指标值",
            "产出指标数量指标在校学生人数≥800人",
            "质量指标教学设备完好率≥95%",
        ]
    )
    got = disclosure_to_dict(parse_bytes(text.encode("utf-8"), "t.txt"))
    assert got["projects"][0]["budget_total"] == 520


def test_run_together_a_qualitative_value_repeats_words_of_its_name() -> None:
    """A value printed with the name's own words (`规范…规范`, `…稳步推进…稳步推进`): the longest
    ending of two to four characters that the name printed before is the value."""
    assert _split_name_value("规范村级财务管理规范") == ["规范村级财务管理", "规范"]
    assert _split_name_value("乡村振兴稳步推进情况稳步推进") == ["乡村振兴稳步推进情况", "稳步推进"]
    # an ending the name does not print before stays with the name
    assert _split_name_value("村级财务管理制度") == ["村级财务管理制度"]
    # a sentence with numbers repeats its words for other reasons
    sentence = "严格按照标准500元/人发放补助对象补助"
    assert _split_name_value(sentence) == [sentence]


def test_run_together_a_boolean_value_or_a_value_printed_twice_is_cut_off() -> None:
    """The grammar's boolean (`是`, `否`) ends a name run together with it; a cell printed twice
    (the description and the value alike: `全年全年`) is two cells. `与否` stays a name's words."""
    assert _split_name_value("满足市民生存环境的需求是") == ["满足市民生存环境的需求", "是"]
    assert _split_name_value("是否存在违规使用资金否") == ["是否存在违规使用资金", "否"]
    assert _split_name_value("全年全年") == ["全年", "全年"]
    assert _split_name_value("项目验收合格与否") == ["项目验收合格与否"]
    assert _split_name_value("需求是") == ["需求是"]


def test_run_together_a_description_and_a_boolean_value_under_their_columns() -> None:
    text = "\n".join(
        [
            "绩效指标一级指标三级指标指标解释指标值",
            "产出指标数量指标完成全市375万平方米的绿地养护375万平方米",
            "时效指标全年全年",
            "效益指标社会效益指标满足市民生存环境的需求是",
            "生态效益指标改善城市生态环境,保护自然环境是",
        ]
    )
    _, _, body = _table(text)
    assert [r[-3:] for r in body] == [
        ["数量指标", "完成全市375万平方米的绿地养护", "375万平方米"],
        ["时效指标", "全年", "全年"],
        ["社会效益指标", "满足市民生存环境的需求", "是"],
        ["生态效益指标", "改善城市生态环境,保护自然环境", "是"],
    ]


def test_run_together_a_qualitative_value_with_its_nature_or_its_subject() -> None:
    """A value printed with its nature (`定性高中低`), a judgement with the subject it judges where
    that is the row's benefit category or opens after a full stop (`经济效益良好`, `。效果良好`),
    a value that states the rule the cost follows (`参照…`, `严格按照…`)."""
    assert _split_name_value("食品安全整体状况定性高中低") == ["食品安全整体状况", "定性高中低"]
    assert _split_name_value("系统运行稳定性高") == ["系统运行稳定性高"]
    # 定性 inside the name's words: 认定性, 审定性; 定 before a word opening with 性 (性质, 性能)
    for name in ("项目认定性评审", "资产认定性质准确", "产品审定性能达标"):
        assert _split_name_value(name)[0].startswith(name[:5]), name
    assert _split_name_value("推动体育消费、产业深度融合经济效益良好") == [
        "推动体育消费、产业深度融合",
        "经济效益良好",
    ]
    assert _split_name_value("打造系列品牌赛事,提升知名度。效果良好") == [
        "打造系列品牌赛事,提升知名度。",
        "效果良好",
    ]
    assert _split_name_value("服务区域环境卫生良好") == ["服务区域环境卫生", "良好"]
    assert _split_name_value("建设项目成本参照政府采购成本控制") == ["建设项目成本", "参照政府采购成本控制"]
    assert _split_name_value("成本控制严格按照预算标准1000元/人给补助对象兑付补助") == [
        "成本控制",
        "严格按照预算标准1000元/人给补助对象兑付补助",
    ]


def test_run_together_a_value_repeating_the_name_starts_after_the_name_s_ending() -> None:
    """`按进度计划实施情况按计划实施`: the repeated words open the value one character before
    them where the name ends there (情况, 率, 度)."""
    assert _split_name_value("按进度计划实施情况按计划实施") == ["按进度计划实施情况", "按计划实施"]
    assert _split_name_value("规范村级财务管理规范") == ["规范村级财务管理", "规范"]


def test_run_together_an_ocr_comparator_read_as_a_numeral_opens_the_value() -> None:
    """`二100百分比`: OCR reads `=` as 二; a numeral before Arabic digits is no number of its own."""
    assert _split_name_value("资金使用效率二100百分比") == ["资金使用效率", "二100百分比"]
    assert _split_name_value("第二批次培训人数100人") == ["第二批次培训人数", "100人"]


def test_run_together_a_value_that_builds_or_perfects_and_an_absent_value() -> None:
    """`建立健全`, `持续完善` are qualitative values like `持续提升`; `无` (the grammar's nothing to
    report) ends a name as `是`/`否` do, but not `有无`."""
    assert _split_name_value("帮扶项目长效管护机制建立健全") == ["帮扶项目长效管护机制", "建立健全"]
    assert _split_name_value("工程良性运行机制持续完善") == ["工程良性运行机制", "持续完善"]
    assert _split_name_value("本项目不适用此指标无") == ["本项目不适用此指标", "无"]
    assert _split_name_value("安全事故有无") == ["安全事故有无"]


def test_run_together_a_row_without_levels_is_cut_by_the_words_of_its_value() -> None:
    """A row printed without its level labels (the group's later rows) is cut by the same grammar
    as one after them: a value repeating the name's words, a qualitative value."""
    text = "\n".join(
        [
            "绩效指标一级指标二级指标三级指标指标值",
            "产出指标数量指标建设项目个数1",
            "竣工验收合格率100%",
            "按进度计划实施情况按计划实施",
            "效益指标社会效益指标项目区群众收入持续增加",
            "项目区生态环境明显改善",
        ]
    )
    _, _, body = _table(text)
    assert [r[-2:] for r in body] == [
        ["建设项目个数", "1"],
        ["竣工验收合格率", "100%"],
        ["按进度计划实施情况", "按计划实施"],
        ["项目区群众收入", "持续增加"],
        ["项目区生态环境", "明显改善"],
    ]


def test_run_together_a_row_with_a_space_inside_a_cell_is_still_cut() -> None:
    """A run-together row may print a space inside one of its cells (a level's points
    `产出指标 (40-50)分`, a value printed twice `=44,561 44,561`): under a header, a line that
    opens with a level label, or whose spaces are inside its value or inside brackets (a template's
    placeholder `( ≥**个 )`), is cut all the same."""
    text = "\n".join(
        [
            "绩效指标一级指标二级指标三级指标指标值",
            "产出指标数量指标出差人数=8",
            "出差人次=24人/次",
            "时效指标项目财政资金到位时间=44,561 44,561",
            "财政资金到位及时支付率=100%",
            "工作计划按时完成时间=44,561 44,561",
            "旅游景点开发数量( ≥**个 )>=4个",
            "效益指标 (20-30)分社会效益指标受益群众人数≥2,300人",
            "项目区生态环境明显改善",
        ]
    )
    _, _, body = _table(text)
    assert [r[1:] for r in body] == [
        ["产出指标", "数量指标", "出差人数", "=8"],
        ["", "", "出差人次", "=24人/次"],
        ["", "时效指标", "项目财政资金到位时间", "=44,561 44,561"],
        ["", "", "财政资金到位及时支付率", "=100%"],
        ["", "", "工作计划按时完成时间", "=44,561 44,561"],
        ["", "", "旅游景点开发数量( ≥**个 )", ">=4个"],
        ["效益指标 (20-30)分", "社会效益指标", "受益群众人数", "≥2,300人"],
        ["", "", "项目区生态环境", "明显改善"],
    ]


def test_run_together_a_name_that_follows_a_rule_keeps_it_before_a_number_value() -> None:
    """`按照` inside a name before a number value is the name's (资金按规定…率): only a value
    without a number of its own is the rule a cost follows."""
    assert _split_name_value("资金管理按照规定执行率100%") == ["资金管理按照规定执行率", "100%"]


def test_run_together_a_rule_word_inside_a_measure_s_name_stays_in_the_name() -> None:
    """A rule the cost follows is no measure: `按照` before a rate or a state (…执行率, …执行情况)
    is the name's words, whatever value follows it (a qualitative one, or none cut off)."""
    assert _split_name_value("资金支付按照合同执行率达标") == ["资金支付按照合同执行率", "达标"]
    assert _split_name_value("资金使用依照规定执行情况良好") == ["资金使用依照规定执行情况", "良好"]
    assert _split_name_value("政府采购按照规定执行情况合规") == ["政府采购按照规定执行情况合规"]
    # the rule itself is still a value
    assert _split_name_value("建设项目成本参照政府采购成本控制") == ["建设项目成本", "参照政府采购成本控制"]


def test_run_together_a_value_whose_unit_divides_by_a_product_is_cut_off() -> None:
    """`=10000元/公里·年` is a number value like `≥120公里` (its unit divides by a product, as
    `value_score` reads it in the other layouts): a row run together is cut before it."""
    assert _split_name_value("县道养护补助标准=10000元/公里·年") == ["县道养护补助标准", "=10000元/公里·年"]
    got = _split_name_value("护林员补助标准≤800元/人・月", words=False)
    assert got == ["护林员补助标准", "≤800元/人・月"]
    text = "\n".join(
        [
            "绩效指标一级指标二级指标三级指标指标值",
            "产出指标数量指标县道养护里程≥120公里",
            "成本指标县道养护补助标准=10000元/公里·年",
            "乡道养护补助标准=5000元/公里·年",
            "满意度指标服务对象满意度指标沿线群众满意度≥90%",
        ]
    )
    _, _, body = _table(text)
    assert [r[-2:] for r in body] == [
        ["县道养护里程", "≥120公里"],
        ["县道养护补助标准", "=10000元/公里·年"],
        ["乡道养护补助标准", "=5000元/公里·年"],
        ["沿线群众满意度", "≥90%"],
    ]


def test_run_together_a_name_wrapped_onto_the_next_line_makes_no_row_of_its_own() -> None:
    """A long name wrapped onto the next line leaves its row without a value: that next line goes
    on with it, and is not cut as a row without levels by the words of its value (`明显提高`)."""
    text = "\n".join(
        [
            "绩效指标一级指标二级指标三级指标指标值",
            "产出指标数量指标绿地养护面积≥375万平方米",
            "效益指标社会效益指标项目实施对改善城区居民生活环境",
            "的促进作用明显提高",
            "生态效益指标城区绿化覆盖率稳步提升",
            "满意度指标服务对象满意度指标市民满意度≥90%",
        ]
    )
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    names = [i.name for p in doc.projects for i in p.indicators]
    assert "的促进作用" not in names
    assert len(names) == 4


def test_running_header_on_top_of_each_of_two_pages_is_dropped() -> None:
    """Two pages: the header on top of each, the footer (page marker) at the bottom of each. Only
    one marker has the header beside it; the same line on top of the document says what it is."""
    page_head = "某局2023年部门预算公开"
    cells = [page_head, "培训项目绩效目标表", "一级指标", "二级指标", "三级指标", "指标值"]
    cells += ["产出指标", "数量指标", "培训人次", "200人次", "第 1 页 共 2 页", page_head]
    cells += ["质量指标", "培训合格率", "100%", "第 2 页 共 2 页"]
    doc = parse_bytes("\n\n".join(cells).encode("utf-8"), "t.txt")
    assert [i.name for p in doc.projects for i in p.indicators] == ["培训人次", "培训合格率"]


def test_a_title_on_top_of_the_document_and_after_a_page_marker_opens_a_table() -> None:
    title = "项目支出绩效目标表"
    cells = [title, "项目名称", "甲项目", "一级指标", "二级指标", "三级指标", "指标值"]
    cells += ["产出指标", "数量指标", "培训人次", "200人次", "第 1 页 共 2 页", title, "项目名称", "乙项目"]
    cells += ["一级指标", "二级指标", "三级指标", "指标值", "产出指标", "质量指标", "培训合格率", "100%"]
    cells += ["第 2 页 共 2 页"]
    doc = parse_bytes("\n\n".join(cells).encode("utf-8"), "t.txt")
    assert [p.name for p in doc.projects] == ["甲项目", "乙项目"]


def test_a_reading_that_cannot_head_a_table_scores_nothing_when_assembled() -> None:
    """`candidates` leaves a strategy's reading unassembled (a zero fit) when its pieces print no two
    header words side by side (`_may_head`): assembled, such a reading must find no header."""
    from jixiao.ingest.textrows import (
        STRATEGIES,
        Fit,
        _join_wrapped_labels,
        _may_head,
        assemble,
        score_blocks,
    )

    texts = [p.read_text(encoding="utf-8") for p in sorted(FIELD.glob("batch*/[0-9]*.txt"))]
    texts.append("一级指标\n产出指标\n二级指标\n数量指标\n三级指标\n培训人次")  # header words apart
    unheaded = 0
    for text in texts:
        lines = [s.rstrip() for s in text.split("\n")]
        for strategy in STRATEGIES.values():
            pieces = strategy(lines)
            if not pieces:
                continue
            if not _may_head(_join_wrapped_labels(pieces)):
                unheaded += 1
                assert score_blocks(assemble(pieces, lines)) == Fit()
                assert score_blocks(assemble(pieces)) == Fit()
    assert unheaded >= 10
