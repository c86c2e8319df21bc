"""The 项目绩效运行监控表 and its unit summary written as .xlsx, .docx and PDF, for a worked example."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook

from jixiao.cycle.monitor import GREEN, RED, YELLOW, Deviation, MonitorSnapshot, assess, snapshot_for
from jixiao.export.monitoring import (
    MonitorForecast,
    light_summary,
    monitoring_table,
    monitoring_to_docx,
    monitoring_to_xlsx,
    period_label,
)
from jixiao.export.pdf import soffice_path
from tests.fixtures_models import product_sampling, vehicle_insurance

D = Decimal
UNIT = "示例市市场监督管理局本级"


def worked_example() -> MonitorSnapshot:
    """product_sampling (85.50 万元, plan 3月底 25% / 6月底 50% / 10月底 75%) as of 31 July 2024.

    Expected progress 50% + 25% × 31 / 123 days (30 June → 31 July of 30 June → 31 October) = 56.30%;
    executed 30.00 / 85.50 = 35.09%; ratio 35.09 / 56.30 = 62.3% → yellow (60–80%).
    监督抽查批次 150 of ≥320 × 56.30% = 180.2 → 83.3% green; 单批次检验成本 2600 > ≤2500 → red;
    企业质量意识 部分达成 → yellow. The project: red (the worst).
    """
    s = snapshot_for(product_sampling(), date(2024, 7, 31))
    actuals = [
        "150批次",
        "8类",
        "100%",
        "96%",
        "100%",
        "2024年3月25日",
        "2600元/批次",
        "0起",
        None,
        None,
        "92%",
        "88%",
    ]
    for ind, a in zip(s.indicators, actuals, strict=True):
        ind.actual = a
    s.indicators[8].status = "部分达成"
    s.indicators[9].status = "达成"
    s.executed = D("30.00")
    s.deviation = Deviation(
        "经费保障", "检验费按季度结算，二季度账单7月下旬才到", "有可能", "督促检验机构按月报账"
    )
    s.indicators[6].deviation = Deviation("经费保障", "检验费上涨", "有可能", "重新询价")
    s.indicators[8].deviation = Deviation("制度保障", "主体责任清单尚未印发", "确定能", "9月前印发")
    return s


@pytest.fixture(scope="module")
def item():
    s = worked_example()
    r = assess(s)
    assert (r.spending_light, r.light) == (YELLOW, RED)
    assert r.spending_ratio is not None and round(r.spending_ratio, 3) == D("0.623")
    assert [r.indicators[i].light for i in (0, 6, 8)] == [GREEN, RED, YELLOW]
    return s, r


def test_period_label_follows_the_as_of_date():
    assert period_label(date(2024, 7, 31)) == "1-7月"
    assert period_label(date(2024, 9, 30)) == "1-9月"
    assert period_label(date(2024, 1, 31)) == "1月"
    assert period_label(date(2024, 8, 15)) == "截至8月15日"


def test_xlsx_places_spending_indicators_reasons_and_lights(item):
    forecast = MonitorForecast(executed=D("85.50"), indicators=["320批次"])
    data = monitoring_to_xlsx(
        [item],
        department="示例市市场监督管理局",
        unit_name=UNIT,
        goals=[product_sampling().goal],
        forecasts=[forecast],
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["监控表"]
    ws = wb["监控表"]
    assert ws["A1"].value == "项目绩效运行监控表"
    assert ws["A2"].value == "（2024年度，数据截至2024年7月31日）"
    assert [ws[c].value for c in ("A3", "C3", "J3", "L3")] == [
        "项目名称",
        "产品质量监督抽查经费",
        "项目编码",
        "13990124P00LDLE10011K",
    ]
    assert [ws[c].value for c in ("A4", "C4", "J4", "L4")] == [
        "主管部门",
        "示例市市场监督管理局",
        "实施单位",
        UNIT,
    ]
    # 预算执行情况: header row 5, values row 6
    assert [ws[f"{c}5"].value for c in "ACDEFGHNOP"] == [
        "项目资金（万元）",
        "年初预算数",
        "1-7月执行数",
        "执行率",
        "计划进度",
        "预计全年执行数",
        "偏差原因",
        "完成目标可能性",
        "整改措施",
        "监控结果",
    ]
    assert [ws[f"{c}6"].value for c in "CDEFG"] == [85.5, 30, 0.3509, 0.563, 85.5]
    assert ws["H6"].value == "经费保障：检验费按季度结算，二季度账单7月下旬才到"
    assert (ws["N6"].value, ws["O6"].value, ws["P6"].value) == (
        "有可能",
        "督促检验机构按月报账",
        "黄灯\n62.3%",
    )
    assert ws["P6"].fill.fgColor.rgb.endswith("FFEB9C")
    assert ws["A7"].value == "年度总体目标" and ws["C7"].value.startswith("1.完成年度产品质量监督抽查任务")
    # indicator header over two rows, the five reason categories under 偏差原因分析
    assert [ws[f"{c}8"].value for c in "ABCDEFGHNOP"] == [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "1-7月实际完成值",
        "预计全年完成情况",
        "偏差原因分析",
        "完成目标可能性",
        "整改措施",
        "监控结果",
    ]
    assert [ws[f"{c}9"].value for c in "HIJKLM"] == [
        "经费保障",
        "制度保障",
        "人员保障",
        "硬件条件保障",
        "其他",
        "原因说明",
    ]
    assert [ws[f"{c}10"].value for c in "BCDEFGP"] == [
        "产出指标",
        "数量指标",
        "监督抽查批次",
        "≥320批次",
        "150批次",
        "320批次",
        "绿灯\n83.3%",
    ]
    # 单批次检验成本 (row 16): red, √ under 经费保障
    assert [ws[f"{c}16"].value for c in "DEFHIJKLMNOP"] == [
        "单批次检验成本",
        "≤2500元/批次",
        "2600元/批次",
        "√",
        None,
        None,
        None,
        None,
        "检验费上涨",
        "有可能",
        "重新询价",
        "红灯",
    ]
    assert ws["P16"].fill.fgColor.rgb.endswith("FFC7CE")
    # 企业质量意识 (row 18): qualitative status shown, √ under 制度保障, yellow
    assert [ws[f"{c}18"].value for c in "DFHIP"] == ["企业质量意识", "部分达成", None, "√", "黄灯"]
    assert ws["A22"].value == "项目监控结果" and ws["P22"].value == "红灯"
    assert ws["E22"].value == "资金执行 黄灯；绩效指标 绿灯 10 项、黄灯 1 项、红灯 1 项"
    assert ws["A23"].value.startswith("注：计划进度 56.3%，按资金支出计划（3月底 25%、6月底 50%、10月底 75%")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {
        "A5:B6",
        "H5:M5",
        "H6:M6",
        "C7:P7",
        "A8:A21",
        "B8:B9",
        "H8:M8",
        "P8:P9",
        "B10:B16",
        "C10:C12",
        "A22:D22",
        "E22:O22",
    } <= merged
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9


def test_two_projects_get_a_summary_of_lights(item):
    s2 = snapshot_for(vehicle_insurance(), date(2024, 7, 31))
    s2.executed = D("5.00")  # 5 / 6.8 = 73.5% of expected 56.3% → 131% green
    for ind, a in zip(s2.indicators, ["96%", "17辆", None, "5万元", "是", "96%"], strict=True):
        ind.actual = a
    r2 = assess(s2)
    assert r2.light == GREEN
    wb = load_workbook(io.BytesIO(monitoring_to_xlsx([item, (s2, r2)], unit_name=UNIT)))
    assert wb.sheetnames == ["监控表1", "监控表2", "汇总"]
    ws = wb["汇总"]
    assert ws["A1"].value == "项目绩效运行监控汇总表" and ws["A3"].value == f"单位：{UNIT}"
    assert [ws[f"{c}5"].value for c in "BDEFGHIJ"] == [
        "产品质量监督抽查经费",
        85.5,
        30,
        0.3509,
        0.563,
        "黄灯",
        "单批次检验成本（红灯）；企业质量意识（黄灯）",
        "红灯",
    ]
    assert [ws[f"{c}6"].value for c in "BHIJ"] == ["公务用车保险费", "绿灯", None, "绿灯"]
    assert ws["A7"].value == "共 2 个项目：绿灯 1 个，红灯 1 个。"


def test_light_summary_counts_unentered_indicators():
    s = snapshot_for(vehicle_insurance(), date(2024, 7, 31))
    s.executed = D("1")
    assert light_summary(assess(s)) == "资金执行 红灯；绩效指标 绿灯 1 项、未填 5 项"


def test_docx_is_landscape_with_merged_cells_and_checks(item):
    doc = Document(io.BytesIO(monitoring_to_docx([item], unit_name=UNIT)))
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert round(doc.sections[0].page_width.cm, 1) == 29.7
    assert [p.text for p in doc.paragraphs[:2]] == [
        "项目绩效运行监控表",
        "（2024年度，数据截至2024年7月31日）",
    ]
    [t] = doc.tables
    cell = t.cell
    assert cell(2, 0)._tc is cell(3, 1)._tc and cell(2, 0).text == "项目资金（万元）"
    assert [cell(3, c).text for c in (2, 3, 4, 5)] == ["85.50", "30.00", "35.1%", "56.3%"]
    assert cell(5, 0)._tc is cell(18, 0)._tc  # 绩效指标 over the two header rows and 12 indicators
    assert cell(5, 7)._tc is cell(5, 12)._tc and cell(5, 7).text == "偏差原因分析"
    assert [cell(13, c).text for c in (3, 7, 12, 15)] == ["单批次检验成本", "√", "检验费上涨", "红灯"]
    assert cell(19, 15).text == "红灯"


def test_hostile_text_stays_text(item):
    s = worked_example()
    s.project_name = "<script>x</script>&"
    s.indicators[6].deviation.measures = '=HYPERLINK("http://x")'
    r = assess(s)
    ws = load_workbook(io.BytesIO(monitoring_to_xlsx([(s, r)])))["监控表"]
    assert ws["C3"].value == "<script>x</script>&"
    assert ws["O16"].data_type == "s" and ws["O16"].value.startswith("=HYPERLINK")
    t = monitoring_table(s, r)
    from jixiao.export.grid import table_to_html

    html = table_to_html(t)
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;&amp;" in html
    assert 'class="align-center light-red"' in html


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_through_libreoffice_shows_title_and_lights(item):
    import pdfplumber

    from jixiao.export.pdf import docx_to_pdf

    pdf = docx_to_pdf(monitoring_to_docx([item], unit_name=UNIT))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert "项目绩效运行监控表" in text and "产品质量监督抽查经费" in text
    assert "红灯" in text and "黄灯" in text and "1-7月执行数" in text
