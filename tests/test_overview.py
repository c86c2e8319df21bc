"""The unit budget overview (收支预算, 机关运行经费, “三公”经费, 政府采购, 国有资产) of 单位预算公开
documents: seed 000 against its hand-checked truth, and the variants of the document family."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.ingest.cells import Block, Cell, Para, Row
from jixiao.ingest.overview import extract_budget_overview, to_wan_yuan
from jixiao.ingest.text import read_text
from jixiao.model import BudgetOverview, Location, ProcurementItem, ThreePublic

SHARED = Path(__file__).resolve().parents[2] / "shared"
D = Decimal


def para(text: str, line: int = 1) -> Para:
    return Para(text, Location(line=line))


def row(*cells: str, table: int | None = None, line: int = 1) -> Row:
    return Row(
        [Cell(c, Location(line=line, cell=f"col {k + 1}")) for k, c in enumerate(cells)],
        Location(line=line),
        table,
    )


def as_decimals(obj: object) -> object:
    """The truth's JSON numbers as Decimal, so that 88.6 compares exactly."""
    if isinstance(obj, dict):
        return {k: as_decimals(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [as_decimals(v) for v in obj]
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        return Decimal(str(obj))
    return obj


def overview_from_truth(d: dict) -> BudgetOverview:
    d = as_decimals(d)  # type: ignore[assignment]
    three = ThreePublic(**d.pop("three_public")) if d.get("three_public") else None
    items = [ProcurementItem(**i) for i in d.pop("procurement")]
    d.pop("three_public", None)
    return BudgetOverview(**d, three_public=three, procurement=items)


def seed_blocks(name: str) -> list[Block]:
    path = next((SHARED / "seeds").glob(f"{name}_*.txt"))
    return read_text(path.read_bytes(), path.name).blocks


def truth(name: str) -> dict:
    path = next((SHARED / "truth").glob(f"{name}_*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


# --- the samples -----------------------------------------------------------------------------


def test_seed_000_overview_equals_the_truth() -> None:
    got = extract_budget_overview(seed_blocks("000"))
    assert got == overview_from_truth(truth("000")["budget_overview"])


def test_seed_000_procurement_names_are_joined_across_line_wraps() -> None:
    got = extract_budget_overview(seed_blocks("000"))
    assert got is not None
    assert got.procurement[1] == ProcurementItem(
        "成品油质量监控管理平台专项经费", "其他网络控制设备", "A0201020699", D(100)
    )
    assert sum(i.amount for i in got.procurement if i.amount is not None) == got.procurement_total == D(1058)


@pytest.mark.parametrize("gap", [b"  ", b" "])
def test_seed_000_as_pdf_text_lines_gives_the_same_overview(gap: bytes) -> None:
    """The same document as a PDF-to-text conversion prints it: cells separated by spaces."""
    path = next((SHARED / "seeds").glob("000_*.txt"))
    stream = read_text(path.read_bytes().replace(b"\t", gap), path.name)
    assert not any(isinstance(b, Row) for b in stream.blocks[:5])
    got = extract_budget_overview(stream.blocks)
    assert got == overview_from_truth(truth("000")["budget_overview"])


def test_procurement_lines_with_a_merged_project_cell_in_yuan() -> None:
    blocks: list[Block] = [
        para("六、政府采购预算情况"),
        para("单位：元"),
        para("项目名称  预算资金  采购物品名称  政府采购目录序号  数量  金额"),
        para("合 计      150000"),
        para("执法装备购置  150000  执法 记录仪  A02100301  10  100000"),
        para("                      对讲机  A020105  20  50000"),
        para("七、国有资产信息"),
        para("项 目  数量  价值（金额单位：元）"),
        para("资产总额  —  2,000,000.00"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert got.procurement == [
        ProcurementItem("执法装备购置", "执法记录仪", "A02100301", D(10)),
        ProcurementItem("执法装备购置", "对讲机", "A020105", D(5)),
    ]
    assert (got.procurement_total, got.assets_total) == (D(15), D(200))


@pytest.mark.parametrize("name", ["001", "002", "003", "004"])
def test_performance_only_disclosures_have_no_overview(name: str) -> None:
    assert truth(name)["budget_overview"] is None
    assert extract_budget_overview(seed_blocks(name)) is None


# --- prose variants --------------------------------------------------------------------------


def test_revenue_and_expenditure_in_yuan_with_ascii_punctuation_and_spaces() -> None:
    blocks: list[Block] = [
        para("二、收支预算情况"),
        para("2023年收入预算 12,345,600.00 元, 其中: 一般公共预算拨款收入 10,000,000 元,"),
        para("政府性基金预算收入 0 元,"),
        para("财政专户管理资金收入 0 元, 其他收入 2,345,600 元; 上年结转 100,000 元。"),
        para("2023 年支出预算 12,345,600 元，其中：基本支出 8,000,000 元（人员经费 7,000,000 元，"),
        para("公用经费 1,000,000 元），"),
        para("项目支出 4,345,600 元。"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert (got.revenue_total, got.revenue_general, got.revenue_fund) == (D("1234.56"), D(1000), D(0))
    assert (got.revenue_special_account, got.revenue_other, got.carryover) == (D(0), D("234.56"), D(10))
    assert (got.expenditure_total, got.expenditure_basic) == (D("1234.56"), D(800))
    assert (got.expenditure_personnel, got.expenditure_public, got.expenditure_project) == (
        D(700),
        D(100),
        D("434.56"),
    )
    assert got.three_public is None and got.procurement == [] and got.assets_total is None


def test_three_public_sentence_variants() -> None:
    blocks: list[Block] = [
        para("四、“三公”经费预算情况"),
        para("2022年“三公”经费预算数为 25.5 万元，比上年减少 3 万元。其中：因公出国（境）费 0 万元，"),
        para("公务用车购置及运行维护费 20 万元（其中：公务用车购置费 0 万元，公务用车运行维护费 20 万元），"),
        para("公务接待费 5.5 万元，较上年增加 0.5 万元。"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert got.three_public == ThreePublic(
        total=D("25.5"),
        abroad=D(0),
        vehicles=D(20),
        vehicle_purchase=D(0),
        vehicle_running=D(20),
        reception=D("5.5"),
    )


def test_changes_against_last_year_are_not_this_years_amounts() -> None:
    blocks: list[Block] = [
        para("三、机关运行经费"),
        para("2022年机关运行经费较上年减少 12 万元。本年机关运行经费预算安排 48.2 万元。"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None and got.operating_costs == D("48.2")


def test_operating_costs_named_only_in_the_heading() -> None:
    blocks: list[Block] = [
        para("三、机关运行经费安排情况"),
        para("2022年，本单位安排 36.00 万元，主要用于办公费、水电费。"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None and got.operating_costs == D(36)


def test_figures_in_the_performance_part_are_not_the_budget() -> None:
    blocks: list[Block] = [
        para("五、绩效预算信息"),
        para("（一）总体绩效目标"),
        para("全年安排人员经费支出 30 万元，项目支出 12 万元，收入预算 50 万元。"),
        para("1.车辆保险费绩效目标表"),
        row("项目名称", "车辆保险费", table=1),
        row("预算数", "6.80", table=1),
    ]
    assert extract_budget_overview(blocks) is None


def test_an_amount_with_a_threshold_is_not_a_figure() -> None:
    blocks: list[Block] = [para("七、国有资产占用情况"), para("单价在 20 万元以上的设备 3 台。")]
    assert extract_budget_overview(blocks) is None


def test_assets_from_prose_when_there_is_no_table() -> None:
    blocks: list[Block] = [
        para("七、国有资产信息"),
        para("截至上年末，本单位资产总额 1,234.5 万元，本年度拟购置固定资产总额为 10 万元。"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None and got.assets_total == D("1234.5")


# --- tables ----------------------------------------------------------------------------------


def test_procurement_table_in_yuan_with_merged_project_cells() -> None:
    blocks: list[Block] = [
        para("六、政府采购预算情况"),
        para("单位：元"),
        row("序号", "采购项目", "采购品目", "品目编码", "预算金额", table=7),
        row("1", "办公设备购置", "台式计算机", "A02010104", "120,000.00", table=7),
        row("2", "", "打印设备", "A020201", "30000", table=7),
        row("3", "物业管理服务", "物业管理服务", "C1204", "500000", table=7),
        row("合计", "", "", "", "650000", table=7),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert got.procurement == [
        ProcurementItem("办公设备购置", "台式计算机", "A02010104", D(12)),
        ProcurementItem("办公设备购置", "打印设备", "A020201", D(3)),
        ProcurementItem("物业管理服务", "物业管理服务", "C1204", D(50)),
    ]
    assert got.procurement_total == D(65)


def test_prose_procurement_total_wins_over_the_table_total() -> None:
    blocks: list[Block] = [
        para("2022年，我单位安排政府采购预算 80.00 万元。"),
        row("项目名称", "采购物品名称", "政府采购目录序号", "金额", table=1),
        row("合 计", "", "", "80.00", table=1),
        row("监管执法装备", "执法记录仪", "A02100301", "80.00", table=1),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None and got.procurement_total == D(80)
    assert got.procurement == [ProcurementItem("监管执法装备", "执法记录仪", "A02100301", D(80))]


def test_asset_table_in_yuan() -> None:
    blocks: list[Block] = [
        para("固定资产占用情况表"),
        row("项目", "数量", "价值（元）", table=3),
        row("资产总计", "—", "5,000,000.00", table=3),
        row("1、房屋（平方米）", "1200", "3,000,000.00", table=3),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None and got.assets_total == D(500)


def test_three_public_table() -> None:
    blocks: list[Block] = [
        para("财政拨款“三公”经费支出预算表"),
        para("单位：万元"),
        row("合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费", table=5),
        row("", "", "小计", "公务用车购置费", "公务用车运行费", "", table=5),
        row("12.5", "0", "10", "0", "10", "2.5", table=5),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert got.three_public == ThreePublic(D("12.5"), D(0), D(10), D(0), D(10), D("2.5"))


def test_budget_summary_table_label_amount_pairs() -> None:
    blocks: list[Block] = [
        para("收支预算总表"),
        para("单位：万元"),
        row("收入", "", "支出", "", table=2),
        row("项目", "预算数", "项目", "预算数", table=2),
        row("一、一般公共预算拨款收入", "900.00", "一、基本支出", "700.00", table=2),
        row("二、政府性基金预算拨款收入", "0", "二、项目支出", "300.00", table=2),
        row("三、其他收入", "100.00", "", "", table=2),
        row("本年收入合计", "1000.00", "本年支出合计", "1000.00", table=2),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert (got.revenue_general, got.revenue_fund, got.revenue_other, got.revenue_total) == (
        D(900),
        D(0),
        D(100),
        D(1000),
    )
    assert (got.expenditure_basic, got.expenditure_project, got.expenditure_total) == (
        D(700),
        D(300),
        D(1000),
    )


def test_an_indicator_table_is_not_a_budget_table() -> None:
    blocks: list[Block] = [
        row("一级指标", "二级指标", "三级指标", "指标值", table=1),
        row("产出指标", "成本指标", "基本支出", "100", table=1),
    ]
    assert extract_budget_overview(blocks) is None


def test_no_overview_in_an_empty_document() -> None:
    assert extract_budget_overview([]) is None


@pytest.mark.parametrize(
    ("number", "unit", "wan"),
    [
        ("1058.00", "万元", D("1058.00")),
        ("12,345,600", "元", D("1234.56")),
        ("1.5", "亿元", D(15000)),
        ("x", "元", None),
    ],
)
def test_to_wan_yuan(number: str, unit: str, wan: Decimal | None) -> None:
    assert to_wan_yuan(number, unit) == wan


_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789.,，。：收入支出三公经费万元合计采购资产总额其中 ")), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(_TEXT.map(para), st.lists(_TEXT, min_size=1, max_size=6).map(lambda cs: row(*cs, table=1))),
        max_size=12,
    )
)
def test_any_blocks_never_raise(blocks: list[Block]) -> None:
    got = extract_budget_overview(blocks)
    assert got is None or isinstance(got, BudgetOverview)


def test_respectively_lists() -> None:
    blocks: list[Block] = [
        para("2022年“三公”经费预算 12.5 万元，其中因公出国（境）费、公务用车购置及运行费、公务接待费分别为"),
        para("0 万元、10 万元和 2.5 万元。2022年支出预算 100 万元，"),
        para("其中人员经费和公用经费分别为 60 万元、40 万元。"),
    ]
    got = extract_budget_overview(blocks)
    assert got is not None
    assert got.three_public == ThreePublic(total=D("12.5"), abroad=D(0), vehicles=D(10), reception=D("2.5"))
    assert (got.expenditure_total, got.expenditure_personnel, got.expenditure_public) == (
        D(100),
        D(60),
        D(40),
    )


@pytest.mark.parametrize(
    "text",
    [
        "项目资金来源为一般公共预算安排 50 万元。",
        "上年结转 10 万元。",
        "项目总投资 300 万元，用于购置执法装备。",
    ],
)
def test_a_stray_figure_in_a_goal_text_is_not_an_overview(text: str) -> None:
    assert extract_budget_overview([para(text)]) is None
