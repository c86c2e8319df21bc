"""An indicator header printed over two rows: column groups above their columns.

Excel and Word forms often print `绩效指标` over 一级/二级/三级 with `指标值` merged down beside it,
or `长期绩效指标 | 年度绩效指标` over repeated 二级/三级/指标值 columns. Text and HTML lose the
horizontal merges (the upper row has fewer cells); Excel keeps every column's position.
"""

from __future__ import annotations

from jixiao.ingest import parse_bytes
from jixiao.ingest.header import merge_header_rows

TOP = """秦岭生态环境保护专项绩效目标表
（2023年度）
{rows}
"""


def test_merge_aligned_rows_fills_cells_merged_down() -> None:
    got = merge_header_rows(
        ["绩效指标", "", "", "指标值", "指标值确定依据"], ["一级指标", "二级指标", "三级指标", "", ""]
    )
    assert got == ["一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据"]


def test_merge_collapsed_rows_puts_the_group_over_its_columns() -> None:
    # text: the upper row lost its horizontal merges
    assert merge_header_rows(["绩效指标", "指标值"], ["一级指标", "二级指标", "三级指标", ""]) == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
    ]
    # one cell per line: the blank cells are gone too
    assert merge_header_rows(["绩效指标", "指标值"], ["一级指标", "二级指标", "三级指标"]) == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
    ]


def test_merge_names_the_period_of_each_group() -> None:
    upper = ["一级指标", "长期绩效指标", "年度绩效指标"]
    lower = ["", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"]
    got = merge_header_rows(upper, lower)
    assert got == [
        "一级指标",
        "二级指标(长期)",
        "三级指标(长期)",
        "指标值(长期)",
        "二级指标(年度)",
        "三级指标(年度)",
        "指标值(年度)",
    ]


def test_merge_value_over_year_columns() -> None:
    upper = ["绩效指标", "指标值", "指标值确定依据"]
    lower = ["一级指标", "二级指标", "三级指标", "2022年实际值", "2023年目标值", ""]
    assert merge_header_rows(upper, lower) == [
        "一级指标",
        "二级指标",
        "三级指标",
        "2022年实际值",
        "2023年目标值",
        "指标值确定依据",
    ]


def test_rows_that_are_not_a_header_group_are_left_alone() -> None:
    assert merge_header_rows(["总体目标", "年度目标"], ["一级指标", "二级指标", "三级指标", "指标值"]) is None
    assert merge_header_rows(["开展巡查监测240次"], ["一级指标", "二级指标", "三级指标", "指标值"]) is None
    # the row below names every column already
    assert merge_header_rows(["绩效指标", "指标值"], ["一级指标", "二级指标", "三级指标", "指标值"]) is None


BODY = [
    ["产出指标", "数量指标", "生态环境巡查次数", "≥240次"],
    ["", "", "自动监测站点运维数量", "=12个"],
    ["满意度指标", "服务对象满意度指标", "周边群众满意度", "≥85%"],
]


def _values(text: str, name: str) -> list[tuple[str | None, str | None, str | None]]:
    d = parse_bytes(text.encode("utf-8"), name)
    return [(i.level1, i.name, i.value) for p in d.projects for i in p.indicators]


WANT = [
    ("产出指标", "生态环境巡查次数", "≥240次"),
    ("产出指标", "自动监测站点运维数量", "=12个"),
    ("满意度指标", "周边群众满意度", "≥85%"),
]


def test_text_page_with_a_two_row_header() -> None:
    head = (
        "| 项目名称 | 秦岭生态环境保护专项 |\n| 绩效指标 | 指标值 |\n| 一级指标 | 二级指标 | 三级指标 |  |\n"
    )
    rows = "".join("| " + " | ".join(r) + " |\n" for r in BODY)
    assert _values(TOP.format(rows=head + rows), "a.txt") == WANT


def test_cell_per_line_page_with_a_two_row_header() -> None:
    cells = ["项目名称", "秦岭生态环境保护专项", "绩效指标", "指标值", "一级指标", "二级指标", "三级指标"]
    cells += [c for r in BODY for c in r if c]
    assert _values(TOP.format(rows="\n\n".join(cells)), "b.txt") == WANT


def test_html_page_with_period_groups_keeps_the_annual_columns() -> None:
    rows = [
        "<tr><td>项目名称</td><td colspan=6>秦岭生态环境保护专项</td></tr>",
        "<tr><td rowspan=3>一级指标</td><td colspan=3>长期绩效指标</td><td colspan=3>年度绩效指标</td></tr>",
        "<tr><td>二级指标</td><td>三级指标</td><td>指标值</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>",
    ]
    rows = [rows[0], rows[1].replace(" rowspan=3", " rowspan=2"), rows[2]]
    rows.append(
        "<tr><td>产出指标</td><td>数量指标</td><td>生态环境巡查次数</td><td>三年累计≥700次</td>"
        "<td>数量指标</td><td>生态环境巡查次数</td><td>≥240次</td></tr>"
    )
    html = "<html><body><p>秦岭生态环境保护专项绩效目标表</p><p>（2023年度）</p><table>" + "".join(rows)
    html += "</table></body></html>"
    assert _values(html, "c.html") == [("产出指标", "生态环境巡查次数", "≥240次")]


def test_a_one_row_header_read_as_lines_is_not_split_in_two() -> None:
    upper = ["一级指标", "二级指标(长期)", "三级指标(长期)", "指标值(长期)"]
    assert merge_header_rows(upper, ["二级指标(年度)", "三级指标(年度)", "指标值(年度)"]) is None


def test_upper_row_as_long_as_the_lower_without_blanks_is_collapsed() -> None:
    upper = ["绩效指标", "指标值", "指标值确定依据"]
    got = merge_header_rows(upper, ["一级指标", "二级指标", "三级指标"])
    assert got == ["一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据"]


def test_one_period_over_the_whole_header_adds_nothing() -> None:
    assert merge_header_rows(["本年度 绩效指标"], ["一级指标", "二级指标", "三级指标"]) is None


def test_labels_written_down_narrow_cells_one_cell_per_line() -> None:
    """Word tables with narrow label columns print `绩` `效` `指` `标` one character per line."""
    cells = ["项目名称", "秦岭生态环境保护专项", "总\n体\n目\n标", "年度目标", "开展巡查监测。"]
    cells += ["绩\n效\n指\n标", "一级\n指标", "二级\n指标", "三级\n指标", "指标值"]
    cells += ["产\n出\n指\n标", "数量指标", "生态环境巡查次数", "≥240次", "自动监测站点运维数量", "=12个"]
    cells += ["满\n意\n度\n指\n标", "服务对象满意度指标", "周边群众满意度", "≥85%"]
    assert _values(TOP.format(rows="\n\n".join(cells)), "d.txt") == WANT


def test_cell_per_line_page_with_period_groups() -> None:
    cells = ["项目名称", "秦岭生态环境保护专项", "一级指标", "长期绩效指标", "年度绩效指标"]
    cells += ["二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"]
    cells += [
        "产出指标",
        "数量指标",
        "生态环境巡查次数",
        "三年累计≥700次",
        "数量指标",
        "生态环境巡查次数",
        "≥240次",
    ]
    assert _values(TOP.format(rows=" |\n".join(cells) + " |"), "e.txt") == [WANT[0]]


def test_spaced_level_labels_in_run_together_text() -> None:
    from jixiao.ingest.textrows import unspace_levels

    assert unspace_levels("产 出 指 标数量指标巡查次数≥240次") == "产出指标数量指标巡查次数≥240次"
    assert unspace_levels("满 意 度 指 标 服务对象满意度指标") == "满意度指标 服务对象满意度指标"
    assert unspace_levels("第 2 页 共 3 页") == "第 2 页 共 3 页"  # not a level label: as printed
    assert unspace_levels("a b c d") == "a b c d"


def test_weight_run_together_after_the_value() -> None:
    text = TOP.format(
        rows="项目名称秦岭生态环境保护专项\n一级指标二级指标三级指标指标值分值\n"
        "产出指标数量指标生态环境巡查次数≥240次10\n自动监测站点运维数量=12个10\n"
        "满意度指标服务对象满意度指标周边群众满意度≥85%10\n"
    )
    assert _values(text, "f.txt") == WANT


def test_run_together_header_over_two_lines() -> None:
    text = TOP.format(
        rows="项目名称秦岭生态环境保护专项\n绩效指标指标值指标值确定依据\n"
        "一级指标二级指标三级指标2022年实际值2023年目标值\n"
        "产出指标数量指标生态环境巡查次数≥220次≥240次计划标准\n自动监测站点运维数量=11个=12个计划标准\n"
        "满意度指标服务对象满意度指标周边群众满意度≥80%≥85%历史标准\n"
    )
    assert _values(text, "g.txt") == WANT


def test_label_runs_keep_the_printed_punctuation_of_their_values() -> None:
    from jixiao.ingest.vocab import split_label_runs

    got = split_label_runs("年度总体目标完成日常养护8600公里，实施养护工程（320公里）。")
    assert got == [("年度总体目标", "完成日常养护8600公里，实施养护工程（320公里）。")]
    got = split_label_runs("项目名称：农村公路养护主管部门：［118001］遵义市交通运输局")
    assert got is not None and got[1][1] == "［118001］遵义市交通运输局"
