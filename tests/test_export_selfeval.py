"""The 项目支出绩效自评表 and the unit summary written as .xlsx, .docx and PDF: the right values in the
right cells, for a worked example scored by hand in the comments."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from jixiao.cycle.evaluate import Budget, IndicatorActual, SelfEvaluation, score_evaluation
from jixiao.export.grid import table_to_html
from jixiao.export.pdf import soffice_path
from jixiao.export.selfeval import (
    funds_from_project,
    grade_counts,
    selfeval_summary_table,
    selfeval_table,
    selfeval_to_docx,
    selfeval_to_xlsx,
)
from tests.fixtures_models import product_sampling

D = Decimal
UNIT = "示例市市场监督管理局本级"


def worked_example(name: str = "产品质量监督抽查经费") -> SelfEvaluation:
    """Scored by hand (weights 10/50/30/10; 产出 50 shared by 4 → 12.5 each, 效益 30 by 2 → 15 each):

    预算执行率 76.95 / 85.50 = 90% → 0.9 × 10 = 9
    监督抽查批次 ≥320批次, 288: 288/320 = 0.9 → 11.25
    抽查完成率 ≥95%, 96% → 12.5
    抽查结果公布时间 ≤3 月份前 (31 March), 20 March → 12.5
    单批次检验成本 ≤2500元/批次, 2750: (2 × 2500 − 2750) / 2500 = 0.9 → 11.25
    产品质量安全事故 =0起, 0 → 15
    企业质量意识 明显提升: 部分达成 (60–80% of 15 = 9–12), the unit's score 10 → 10
    企业满意度 ≥90%, 85.5%: 85.5/90 = 0.95 → 9.5
    total 9 + 11.25 + 12.5 + 12.5 + 11.25 + 15 + 10 + 9.5 = 91 → 优
    """
    return SelfEvaluation(
        budget=Budget(adjusted=D("85.50"), executed=D("76.95"), initial=D("85.50")),
        indicators=[
            IndicatorActual(
                "产出指标",
                "数量指标",
                "监督抽查批次",
                "≥320批次",
                "288批次",
                reason="两家检验机构资质到期，部分批次顺延",
            ),
            IndicatorActual("产出指标", "质量指标", "抽查完成率", "≥95%", "96%"),
            IndicatorActual("产出指标", "时效指标", "抽查结果公布时间", "≤3 月份前", "2024年3月20日"),
            IndicatorActual("产出指标", "成本指标", "单批次检验成本", "≤2500元/批次", "2750元/批次"),
            IndicatorActual("效益指标", "社会效益指标", "产品质量安全事故", "=0起", "0起"),
            IndicatorActual(
                "效益指标",
                "社会效益指标",
                "企业质量意识",
                "明显提升",
                "企业主体责任意识增强",
                band="部分达成",
                score=D(10),
            ),
            IndicatorActual("满意度指标", "服务对象满意度指标", "企业满意度", "≥90%", "85.5%"),
        ],
        year=2024,
        project_name=name,
        project_code="13990124P00LDLE10011K",
        unit_name=UNIT,
        goal="完成年度产品质量监督抽查任务，及时处置不合格产品。",
        goal_actual="完成抽查288批次，不合格产品全部处置。",
    )


@pytest.fixture(scope="module")
def item():
    ev = worked_example()
    result = score_evaluation(ev)
    assert result.total == D(91) and result.grade == "优"  # the hand computation above
    return ev, result


def _sheet(data: bytes, name: str):
    return load_workbook(io.BytesIO(data))[name]


def _merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


# ------------------------------------------------------------ xlsx


def test_xlsx_places_budget_scores_and_grade(item):
    funds = [funds_from_project(product_sampling())]
    data = selfeval_to_xlsx([item], department="示例市市场监督管理局", funds=funds)
    ws = _sheet(data, "自评表")
    assert ws["A1"].value == "项目支出绩效自评表" and ws["A2"].value == "（2024年度）"
    assert (ws["A3"].value, ws["B3"].value, ws["F3"].value, ws["G3"].value) == (
        "项目名称",
        "产品质量监督抽查经费",
        "项目编码",
        "13990124P00LDLE10011K",
    )
    assert (ws["A4"].value, ws["B4"].value, ws["E4"].value, ws["G4"].value) == (
        "主管部门",
        "示例市市场监督管理局",
        "实施单位",
        UNIT,
    )
    # 项目资金 block: header row 5, 年度资金总额 row 6, 其中 rows 7–9
    assert [ws[f"{c}5"].value for c in "ADEFGHI"] == [
        "项目资金（万元）",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    assert [ws[f"{c}6"].value for c in "BDEFGHI"] == ["年度资金总额", 85.5, 85.5, 76.95, 10, 0.9, 9]
    assert ws["H6"].number_format == "0.00%" and ws["D6"].number_format == "0.00"
    assert [ws[f"B{r}"].value for r in (7, 8, 9)] == ["其中：当年财政拨款", "上年结转资金", "其他资金"]
    assert (ws["D7"].value, ws["D9"].value, ws["G7"].value) == (80, 5.5, "—")  # from the target table
    # 年度总体目标
    assert (ws["A10"].value, ws["B10"].value, ws["F10"].value) == ("年度总体目标", "预期目标", "实际完成情况")
    assert ws["B11"].value.startswith("完成年度产品质量") and ws["F11"].value.startswith("完成抽查288批次")
    # indicator header and rows
    assert [ws[f"{c}12"].value for c in "ABCDEFGHI"] == [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    rows = [[ws[f"{c}{r}"].value for c in "BCDEFGH"] for r in range(13, 20)]
    assert rows == [
        ["产出指标", "数量指标", "监督抽查批次", "≥320批次", "288批次", 12.5, 11.25],
        [None, "质量指标", "抽查完成率", "≥95%", "96%", 12.5, 12.5],
        [None, "时效指标", "抽查结果公布时间", "≤3 月份前", "2024年3月20日", 12.5, 12.5],
        [None, "成本指标", "单批次检验成本", "≤2500元/批次", "2750元/批次", 12.5, 11.25],
        ["效益指标", "社会效益指标", "产品质量安全事故", "=0起", "0起", 15, 15],
        [None, None, "企业质量意识", "明显提升", "企业主体责任意识增强（部分达成并具有一定效果）", 15, 10],
        ["满意度指标", "服务对象满意度指标", "企业满意度", "≥90%", "85.5%", 10, 9.5],
    ]
    assert ws["E17"].data_type == "s"  # "=0起" is text, not a formula
    assert ws["I13"].value == "两家检验机构资质到期，部分批次顺延"
    assert ws["I16"].value.startswith("待说明：未达到年度指标值")  # a deviation without a reason shows
    assert [ws[f"{c}20"].value for c in "AGHI"] == ["总分", 100, 91, "自评等级：优"]


def test_xlsx_merges_borders_fonts_and_print_setup(item):
    ws = _sheet(selfeval_to_xlsx([item]), "自评表")
    merged = _merged(ws)
    assert {
        "A1:I1",
        "A5:A9",
        "B6:C6",
        "A10:A11",
        "B10:E10",
        "F11:I11",
        "A12:A19",
        "B13:B16",
        "B17:B18",
        "C17:C18",
        "A20:F20",
        "B3:E3",
        "G3:I3",
    } <= merged
    assert "B19:B19" not in merged and not any(r.startswith("C13:") for r in merged)
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.bold and ws["A1"].font.size == 16
    assert ws["A12"].font.bold and not ws["D13"].font.bold
    assert ws["C20"].border.top.style == "thin"  # every cell of a merged range is boxed
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1


def test_summary_sheet_lists_every_project_with_score_and_grade(item):
    ev2 = worked_example("公务用车保险费")
    ev2.project_code = "13990124P00LDLE10006G"
    ev2.budget = Budget(adjusted=D("6.80"), executed=D("5.44"), initial=D("6.80"))  # 80% → 8 points
    r2 = score_evaluation(ev2)
    assert r2.total == D(90)  # 91 − 9 + 8
    data = selfeval_to_xlsx([item, (ev2, r2)])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["自评表1", "自评表2", "汇总"]
    ws = wb["汇总"]
    assert ws["A1"].value == "项目支出绩效自评汇总表" and ws["A3"].value == f"单位：{UNIT}"
    assert [ws[f"{c}4"].value for c in "ABCDEFGH"] == [
        "序号",
        "项目名称",
        "项目编码",
        "全年预算数",
        "全年执行数",
        "执行率",
        "自评得分",
        "自评等级",
    ]
    assert [ws[f"{c}5"].value for c in "ABCDEFGH"] == [
        1,
        "产品质量监督抽查经费",
        "13990124P00LDLE10011K",
        85.5,
        76.95,
        0.9,
        91,
        "优",
    ]
    assert [ws[f"{c}6"].value for c in "ABCDEFGH"] == [
        2,
        "公务用车保险费",
        "13990124P00LDLE10006G",
        6.8,
        5.44,
        0.8,
        90,
        "优",
    ]
    # 合计: 92.30 budget, 82.39 executed, rate 82.39/92.30 = 89.26%, mean score 90.5
    assert [ws[f"{c}7"].value for c in "ADEFG"] == ["合计", 92.3, 82.39, 0.8926, 90.5]
    assert "A7:C7" in _merged(ws)
    assert ws["A8"].value == "共 2 个项目；平均得分 90.5；优 2 个，良 0 个，中 0 个，差 0 个。"


def test_one_project_has_no_summary_unless_asked(item):
    assert load_workbook(io.BytesIO(selfeval_to_xlsx([item]))).sheetnames == ["自评表"]
    assert load_workbook(io.BytesIO(selfeval_to_xlsx([item], summary=True))).sheetnames == ["自评表", "汇总"]


def test_proposed_score_is_marked_and_explained():
    ev = worked_example()
    ev.indicators[5].score = None  # 部分达成 without a score: the band midpoint 10.5 is proposed
    r = score_evaluation(ev)
    t = selfeval_table(ev, r)
    texts = t.texts()
    assert "10.5*" in texts
    assert any("带 * 的得分为系统按所选自评档次中点建议的得分" in n for n in t.notes)


def test_low_execution_rate_is_noted():
    ev = worked_example()
    ev.budget = Budget(adjusted=D("85.50"), executed=D("42.75"), initial=D("85.50"))  # 50%
    t = selfeval_table(ev, score_evaluation(ev))
    assert any("预算执行率 50% 低于 90%" in n for n in t.notes)


def test_grade_counts_cover_every_grade(item):
    assert grade_counts([item[1]]) == {"优": 1, "良": 0, "中": 0, "差": 0}


# ------------------------------------------------------------ docx


def test_docx_table_cells_and_merges(item):
    doc = Document(io.BytesIO(selfeval_to_docx([item])))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:2] == ["项目支出绩效自评表", "（2024年度）"]
    [table] = doc.tables
    cell = table.cell
    assert (cell(0, 0).text, cell(0, 1).text, cell(0, 6).text) == (
        "项目名称",
        "产品质量监督抽查经费",
        "13990124P00LDLE10011K",
    )
    assert [cell(3, c).text for c in range(1, 9)] == [
        "年度资金总额",
        "年度资金总额",
        "85.50",
        "85.50",
        "76.95",
        "10",
        "90%",
        "9",
    ]
    assert cell(2, 0)._tc is cell(6, 0)._tc  # 项目资金（万元） merged down over 5 rows
    assert cell(9, 0)._tc is cell(16, 0)._tc  # 绩效指标 merged down over header + 7 rows
    assert cell(17, 0).text == "总分" and cell(17, 0)._tc is not cell(16, 0)._tc
    assert cell(10, 1)._tc is cell(13, 1)._tc and cell(10, 1).text == "产出指标"
    assert cell(0, 1)._tc is cell(0, 4)._tc  # the project name spans B:E
    assert [cell(10, c).text for c in range(3, 8)] == ["监督抽查批次", "≥320批次", "288批次", "12.5", "11.25"]
    assert [cell(17, c).text for c in (0, 6, 7, 8)] == ["总分", "100", "91", "自评等级：优"]
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    title_run = doc.paragraphs[0].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体" and title_run.bold
    body_run = cell(10, 3).paragraphs[0].runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"


def test_docx_with_summary_has_two_tables(item):
    doc = Document(io.BytesIO(selfeval_to_docx([item, item])))
    assert len(doc.tables) == 3
    summary = doc.tables[2]
    assert summary.cell(0, 6).text == "自评得分" and summary.cell(1, 7).text == "优"


def test_hostile_text_is_kept_as_text_and_escaped_in_html():
    ev = worked_example('<script>alert("x")</script> & 项目')
    r = score_evaluation(ev)
    ws = _sheet(selfeval_to_xlsx([(ev, r)]), "自评表")
    assert ws["B3"].value == '<script>alert("x")</script> & 项目'
    doc = Document(io.BytesIO(selfeval_to_docx([(ev, r)])))
    assert doc.tables[0].cell(0, 1).text == '<script>alert("x")</script> & 项目'
    html = table_to_html(selfeval_table(ev, r))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; 项目" in html
    assert 'rowspan="5"' in html and 'colspan="4"' in html


# ------------------------------------------------------------ PDF


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_through_libreoffice_shows_title_and_total(item):
    import pdfplumber

    from jixiao.export.pdf import docx_to_pdf

    summary = selfeval_summary_table([item[0]], [item[1]])
    assert summary.rows[1][6].text == "91"
    pdf = docx_to_pdf(selfeval_to_docx([item, item]))
    assert pdf.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        first = doc.pages[0].extract_text()
        last = doc.pages[-1].extract_text()
    assert "项目支出绩效自评表" in first and "产品质量监督抽查经费" in first
    assert "总分 100 91 自评等级：优" in first
    assert "项目支出绩效自评汇总表" in last and "平均得分 91" in last
