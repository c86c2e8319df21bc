"""Run-together 自评表 text cut back into rows (`jixiao.ingest.selfeval_run`)."""

from __future__ import annotations

from decimal import Decimal

from jixiao.ingest import read_cells
from jixiao.ingest.selfeval import read_selfeval
from jixiao.ingest.selfeval_run import split_figures, split_rows

COLS = ["weight", "target", "actual", "score"]


def test_rows_split_by_value_grammar_and_arithmetic():
    rows = split_rows("安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10", COLS)
    assert rows == [
        ("安装坡面水标尺", {"weight": "10", "target": "≥266米", "actual": "≥266米", "score": "10"}),
        ("水标尺宽度", {"weight": "10", "target": "≥50厘米", "actual": "≥50厘米", "score": "10"}),
    ]


def test_digit_runs_split_where_score_fits_its_points():
    # 20|100%|100%|20, not 2|0100%… nor 201|00%…
    (row,) = split_rows("项目(工程)验收合格率20100%100%20", COLS)
    assert row[1] == {"weight": "20", "target": "100%", "actual": "100%", "score": "20"}
    # 分值 within the level's printed points: 20|20, not 202|0
    (row,) = split_rows("更新剧团设备50件50件2020", ["target", "actual", "weight", "score"], Decimal(70))
    assert row[1]["weight"] == "20" and row[1]["score"] == "20"


def test_text_values_split_where_target_and_actual_agree():
    (row,) = split_rows("群众生产生活条件改善状况10显著提升显著提升10", COLS)
    assert row[1]["target"] == row[1]["actual"] == "显著提升"


def test_a_row_without_points_leaves_them_blank():
    (row,) = split_rows("其中桃树种植面积1.5亩1.5亩", ["target", "actual", "weight", "score"])
    assert row == ("其中桃树种植面积", {"target": "1.5亩", "actual": "1.5亩"})


def test_budget_figures_split_by_rate_and_score():
    cols = ["全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分"]
    total = split_figures("202010100.00%10", cols)
    assert total == {
        "全年预算数(A)": "20",
        "全年执行数(B)": "20",
        "分值": "10",
        "执行率(B/A)": "100.00%",
        "得分": "10",
    }
    # a sub-row: no rate, no points; not above the total
    assert split_figures("2020", cols, total) == {"全年预算数(A)": "20", "全年执行数(B)": "20"}


def test_no_consistent_split_is_left_empty():
    cols = ["全年预算数(A)", "全年执行数(B)", "执行率(B/A)"]
    assert split_figures("1234%", cols) is None


def test_a_page_printed_as_one_run_is_read():
    text = (
        "项目支出绩效自评表(2022年度)项目名称水标尺安装主管部门某县水利局实施单位某县水利局"
        "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10"
        "其中:本年财政拨款2020其他资金年度总体目标年初设定目标年度总体目标完成情况综述改进计量设施,"
        "改进计量设施。绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施"
        "产出指标(70分)数量指标安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10"
        "满意度指标(10分)服务对象满意度指标受益户满意度10≥95%≥95%10总分100100注:1.说明"
    )
    (t,) = read_selfeval(read_cells(text.encode(), "run.txt"))
    assert t.project_name == "水标尺安装"
    assert t.year == 2022
    assert t.budget_rows["年度资金总额:"]["执行率(B/A)"] == "100.00%"
    assert [i.name for i in t.indicators] == ["安装坡面水标尺", "水标尺宽度", "受益户满意度"]
    assert t.indicators[0].level1 == "产出指标(70分)" and t.indicators[2].level2 == "服务对象满意度指标"
    assert (t.total_weight, t.total_score) == ("100", "100")


def test_pages_of_a_sharing_site_are_joined():
    head = "1、项目支出绩效自评表(2020年度)项目名称演出经费主管部门某剧团实施单位某局"
    body = (
        "绩效指标一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施"
        "产出指标数量指标更新设备50件50件2020质量指标音响、"
    )
    text = f"{head}{body}\n2、灯光质量等合格合格2020总分10098\n"
    (t,) = read_selfeval(read_cells(text.encode(), "pages.txt"))
    assert [i.name for i in t.indicators] == ["更新设备", "音响、灯光质量等"]
    assert t.indicators[1].target == "合格"


def test_runs_too_long_to_cut_are_left_unread_not_searched():
    """A digit run longer than any figure, or hundreds of rows in one run, is left unread (None):
    the ways of cutting grow with the run's length, and the search is bounded."""
    cols = ["全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert split_figures("1" * 31, cols) is None
    assert split_figures("1" * 30, [*cols, "其他"]) is None  # too many ways, none printed alike
    assert split_figures("202010100.00%10", cols) == {
        "全年预算数": "20",
        "全年执行数": "20",
        "分值": "10",
        "执行率": "100.00%",
        "得分": "10",
    }
    assert split_rows("安装水标尺" + "1" * 3000, COLS) is None
    assert split_rows("安装水标尺10≥266米≥266米10" * 3000, COLS) is None
    assert len(split_rows("安装水标尺10≥266米≥266米10" * 20, COLS) or []) == 20
