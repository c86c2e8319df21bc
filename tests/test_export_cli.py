"""`jixiao export targets|selfeval|monitor`: files written from the inputs `parse`, `score` and `monitor`
read, exported 绩效目标表 imported back to the same model, bad input as located lines and exit 2."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao.cli.main import main
from jixiao.cycle.workbooks import monitor_template, selfeval_template
from jixiao.export.docx import disclosure_to_docx
from jixiao.export.pdf import soffice_path
from jixiao.ingest import parse_bytes
from jixiao.model import Disclosure
from tests.fixtures_models import model_dict, unit_full, unit_no_basis, vehicle_insurance
from tests.format_helpers import diff

needs_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")

SELFEVAL = {
    "project": "产品质量监督抽查经费",
    "project_code": "13990124P00LDLE10011K",
    "unit": "示例市市场监督管理局本级",
    "year": 2024,
    "budget": {"initial": 85.5, "adjusted": 85.5, "executed": 76.95},
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": "监督抽查批次",
            "target": "≥320批次",
            "actual": "288批次",
        },
        {"level1": "产出指标", "level2": "质量指标", "name": "抽查完成率", "target": "≥95%", "actual": "96%"},
        {
            "level1": "产出指标",
            "level2": "时效指标",
            "name": "抽查结果公布时间",
            "target": "≤3 月份前",
            "actual": "2024年3月20日",
        },
        {
            "level1": "产出指标",
            "level2": "成本指标",
            "name": "单批次检验成本",
            "target": "≤2500元/批次",
            "actual": "2750元/批次",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "产品质量安全事故",
            "target": "=0起",
            "actual": "0起",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "企业质量意识",
            "target": "明显提升",
            "band": "部分达成",
            "score": 10,
        },
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "企业满意度",
            "target": "≥90%",
            "actual": "85.5%",
        },
    ],
}  # scored by hand in tests/test_export_selfeval.py: 91, 优


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["export", *argv])
    return code, capsys.readouterr().err


def assert_same_model(expected: Disclosure, got: Disclosure, *, squash: bool = False) -> None:
    problems = diff(model_dict(expected, squash_spaces=squash), model_dict(got, squash_spaces=squash))
    assert not problems, "\n".join(problems[:30])


@pytest.fixture
def disclosure_docx(tmp_path: Path) -> Path:
    path = tmp_path / "unit_full.docx"
    path.write_bytes(disclosure_to_docx(unit_full()))
    return path


# ------------------------------------------------------------ targets


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_targets_exported_import_back_to_the_same_model(tmp_path, capsys, disclosure_docx, fmt):
    out = tmp_path / f"out.{fmt}"
    code, err = run(capsys, "targets", str(disclosure_docx), "-o", str(out))
    assert code == 0, err
    assert_same_model(unit_full(), parse_bytes(out.read_bytes(), out.name))


@pytest.mark.parametrize("fixture", [unit_full, unit_no_basis], ids=["full", "no_basis"])
def test_targets_xlsx_imports_back(tmp_path, capsys, fixture):
    src = tmp_path / "in.docx"
    src.write_bytes(disclosure_to_docx(fixture()))
    out = tmp_path / "out.xlsx"
    code, err = run(capsys, "targets", str(src), "--format", "xlsx", "-o", str(out))
    assert code == 0, err
    assert_same_model(fixture(), parse_bytes(out.read_bytes(), out.name))


@needs_soffice
def test_targets_pdf_imports_back(tmp_path, capsys, disclosure_docx):
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "targets", str(disclosure_docx), "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")
    assert_same_model(unit_full(), parse_bytes(out.read_bytes(), out.name), squash=True)


def test_several_disclosures_become_one_document(tmp_path, capsys, disclosure_docx):
    other = tmp_path / "no_basis.docx"
    other.write_bytes(disclosure_to_docx(unit_no_basis()))
    out = tmp_path / "both.docx"
    code, err = run(capsys, "targets", str(disclosure_docx), str(other), "-o", str(out))
    assert code == 0, err
    got = parse_bytes(out.read_bytes(), out.name)
    assert [p.seq for p in got.projects] == [1, 2, 3, 4, 5]
    assert [p.name for p in got.projects] == [p.name for p in unit_full().projects + unit_no_basis().projects]
    assert {p.unit_name for p in got.projects[3:]} == {"示例市河西区市场监督管理局"}  # each keeps its unit


# ------------------------------------------------------------ selfeval


def test_selfeval_json_to_xlsx(tmp_path, capsys):
    src = tmp_path / "p.json"
    src.write_text(json.dumps(SELFEVAL, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "自评表.xlsx"
    code, err = run(capsys, "selfeval", str(src), "--department", "示例市市场监督管理局", "-o", str(out))
    assert code == 0, err
    ws = load_workbook(out)["自评表"]
    assert ws["A1"].value == "项目支出绩效自评表" and ws["B3"].value == "产品质量监督抽查经费"
    assert ws["B4"].value == "示例市市场监督管理局" and ws["G4"].value == "示例市市场监督管理局本级"
    assert [ws[f"{c}6"].value for c in "DEFGHI"] == [85.5, 85.5, 76.95, 10, 0.9, 9]
    assert [ws[f"{c}20"].value for c in "AGHI"] == ["总分", 100, 91, "自评等级：优"]


def test_selfeval_several_files_add_the_summary(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(SELFEVAL, ensure_ascii=False), encoding="utf-8")
    second = {**SELFEVAL, "project": "第二个项目", "budget": {"adjusted": 10, "executed": 5}}
    b.write_text(json.dumps(second, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    code, err = run(capsys, "selfeval", str(a), str(b), "-o", str(out))
    assert code == 0, err
    wb = load_workbook(out)
    assert wb.sheetnames == ["自评表1", "自评表2", "汇总"]
    assert [wb["汇总"][f"{c}6"].value for c in "BFGH"] == ["第二个项目", 0.5, 87, "良"]  # 91 − 9 + 5


def test_selfeval_from_a_filled_workbook(tmp_path, capsys):
    wb = load_workbook(io.BytesIO(selfeval_template([vehicle_insurance()], 2024, unit_name="示例局")))
    ws = wb["自评表"]
    ws["E6"] = 6.8
    for r, v in zip(range(10, 16), ["98%", "17辆", "2024年12月20日", "6.5万元", "是", "96%"], strict=True):
        ws[f"F{r}"] = v
    src = tmp_path / "filled.xlsx"
    wb.save(src)
    out = tmp_path / "out.docx"
    code, err = run(capsys, "selfeval", str(src), "-o", str(out))
    assert code == 0, err
    from docx import Document

    t = Document(str(out)).tables[0]
    assert t.cell(0, 1).text == "公务用车保险费"
    assert [t.cell(len(t.rows) - 1, c).text for c in (0, 6, 7, 8)] == ["总分", "100", "100", "自评等级：优"]


@needs_soffice
def test_selfeval_pdf(tmp_path, capsys):
    import pdfplumber

    src = tmp_path / "p.json"
    src.write_text(json.dumps(SELFEVAL, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "selfeval", str(src), "-o", str(out))
    assert code == 0, err
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    assert "项目支出绩效自评表" in text and "总分 100 91 自评等级：优" in text


# ------------------------------------------------------------ monitor


def _monitor_workbook(tmp_path: Path, *, reasons: bool) -> Path:
    wb = load_workbook(io.BytesIO(monitor_template([vehicle_insurance()], 2024, as_of=date(2024, 7, 31))))
    ws = wb["监控表"]
    ws["B7"] = 2  # 2 / 6.8 = 29.4% of the expected 56.3%: red
    for r, v in zip(range(10, 16), ["96%", "17辆", None, "2万元", "是", "90%"], strict=True):
        ws[f"E{r}"] = v  # the deadline (E12) is not due yet
    if reasons:
        ws["H7"], ws["I7"], ws["J7"], ws["K7"] = "经费保障", "资金下达较晚", "确定能", "9月前完成支付"
    path = tmp_path / "monitor.xlsx"
    wb.save(path)
    return path


def test_monitor_workbook_to_xlsx_and_docx(tmp_path, capsys):
    src = _monitor_workbook(tmp_path, reasons=True)
    out = tmp_path / "监控表.xlsx"
    code, err = run(capsys, "monitor", str(src), "--unit-name", "示例局", "-o", str(out))
    assert code == 0, err
    ws = load_workbook(out)["监控表"]
    assert ws["C3"].value == "公务用车保险费" and ws["L4"].value == "示例局"
    assert [ws[f"{c}6"].value for c in "CDH"] == [6.8, 2, "经费保障：资金下达较晚"]
    assert ws["P6"].value == "红灯\n52.2%"
    out = tmp_path / "监控表.docx"
    code, err = run(capsys, "monitor", str(src), "-o", str(out))
    assert code == 0, err
    from docx import Document

    assert Document(str(out)).tables[0].cell(3, 15).text == "红灯\n52.2%"


def test_monitor_incomplete_report_is_refused_unless_draft(tmp_path, capsys):
    src = _monitor_workbook(tmp_path, reasons=False)
    code, err = run(capsys, "monitor", str(src), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2
    lines = err.strip().splitlines()
    assert lines and all(line.startswith(f"{src}: 监控表!") for line in lines)
    assert any("H7" in line and "偏差原因" in line for line in lines)
    assert not (tmp_path / "x.xlsx").exists()
    code, err = run(capsys, "monitor", str(src), "--draft", "-o", str(tmp_path / "x.xlsx"))
    assert code == 0, err


# ------------------------------------------------------------ bad input


def test_bad_inputs_exit_2_with_a_located_line(tmp_path, capsys):
    missing = tmp_path / "missing.json"
    code, err = run(capsys, "selfeval", str(missing), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and err.startswith(f"{missing}: 无法读取文件")

    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "budget": ', encoding="utf-8")
    code, err = run(capsys, "selfeval", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and err.startswith(f"{bad}: 第 2 行: 不是有效的 JSON")

    wrong = tmp_path / "wrong.json"
    data = json.loads(json.dumps(SELFEVAL))
    data["indicators"][0]["actual"] = "95%"  # a percentage against a count
    wrong.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, err = run(capsys, "selfeval", str(wrong), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"{wrong}: 指标「监督抽查批次」")

    code, err = run(capsys, "selfeval", str(wrong), "-o", str(tmp_path / "x.html"))
    assert code == 2 and "html 只用于 targets" in err
    code, err = run(capsys, "targets", str(wrong), "-o", str(tmp_path / "x.out"))
    assert code == 2 and "--format" in err

    not_a_table = tmp_path / "empty.txt"
    not_a_table.write_text("这里没有绩效目标表。\n", encoding="utf-8")
    code, err = run(capsys, "targets", str(not_a_table), "-o", str(tmp_path / "x.docx"))
    assert code == 2 and err.startswith(f"{not_a_table}: ")
    assert not any(tmp_path.glob("x.*"))


def test_pdf_without_libreoffice_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("jixiao.export.pdf.soffice_path", lambda: None)
    src = tmp_path / "p.json"
    src.write_text(json.dumps(SELFEVAL, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "selfeval", str(src), "-o", str(out))
    assert code == 2 and "LibreOffice" in err and "libreoffice-writer-nogui" in err
    assert err.count("\n") == 1 and not out.exists()
