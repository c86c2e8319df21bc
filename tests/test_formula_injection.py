"""Spreadsheet and CSV output never carries a live formula from data (issue 9, item 5).

Every writer of .xlsx and .csv is fed names that a spreadsheet would run (`=HYPERLINK(…)`, `+1`,
`-2+3`, `@SUM(A1)`, a leading tab or CR); the written file is read back with openpyxl / csv and no
cell holding data may be a formula (the templates' own formulas are listed and checked apart).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.cli.main import main
from jixiao.cycle.evaluate import score_evaluation
from jixiao.cycle.monitor import Deviation, assess, snapshot_for
from jixiao.cycle.workbooks import META_SHEET, monitor_template, selfeval_template
from jixiao.export.cellsafe import csv_field, formula, formula_like, neutralise, put_text, workbook_bytes
from jixiao.export.docx import disclosure_to_docx
from jixiao.export.monitoring import monitoring_to_xlsx
from jixiao.export.rows import to_csv, to_xlsx
from jixiao.export.selfeval import selfeval_to_xlsx
from jixiao.export.xlsx import disclosure_to_xlsx
from jixiao.review.engine import review_document
from jixiao.review.report import findings_xlsx
from tests.fixtures_models import unit_full
from tests.test_export_selfeval import worked_example as selfeval_example

EVIL = [
    '=HYPERLINK("http://evil.example/x","点击")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def evil_doc():
    """unit_full with hostile names: unit, project names and codes, indicator names, values, bases."""
    doc = unit_full()
    doc.unit_name = EVIL[0]
    for k, p in enumerate(doc.projects):
        p.name = EVIL[k % len(EVIL)]
        p.code = EVIL[(k + 1) % len(EVIL)]
        p.goal = EVIL[(k + 2) % len(EVIL)]
        p.unit_name = EVIL[3]
        for j, ind in enumerate(p.indicators):
            ind.name = EVIL[j % len(EVIL)]
            ind.description = EVIL[(j + 1) % len(EVIL)]
            ind.basis = EVIL[(j + 2) % len(EVIL)]
    return doc


def formula_cells(data: bytes, allowed: set[tuple[str, str]] = frozenset()) -> list[str]:
    """Every formula cell of an .xlsx (sheet!cell = text), except the writer's own `allowed` ones."""
    wb = load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if getattr(c, "data_type", None) == "f" and (ws.title, c.coordinate) not in allowed:
                    out.append(f"{ws.title}!{c.coordinate} = {c.value}")
    return out


def texts(data: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(data))
    return {
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }


def quote_prefixed(data: bytes, text: str) -> bool:
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == text]
    return bool(cells) and all(c.data_type == "s" and c.quotePrefix for c in cells)


# ---------------------------------------------------------------- the helper


@pytest.mark.parametrize("text", EVIL)
def test_every_trigger_is_formula_like(text):
    assert formula_like(text)
    assert csv_field(text) == "'" + text


@pytest.mark.parametrize("text", ["≥95%", "17辆", "2024年12月31日前", "", "HYPERLINK", "1=1", "＝0起"])
def test_ordinary_text_is_left_alone(text):
    assert not formula_like(text)
    assert csv_field(text) == text


def test_numbers_stay_numbers_in_csv_and_xlsx():
    assert csv_field(Decimal("-2.50")) == "-2.50"
    assert csv_field(-3) == "-3" and csv_field(-0.5) == "-0.5"
    assert csv_field(None) == ""
    wb = Workbook()
    ws = wb.active
    ws.append([-2.5, Decimal("-1.25"), "-2+3", "=1+1"])
    back = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert back["A1"].value == -2.5 and back["A1"].data_type == "n"
    assert back["B1"].value == -1.25 and back["B1"].data_type == "n"
    assert back["C1"].value == "-2+3" and back["C1"].data_type == "s" and back["C1"].quotePrefix
    assert back["D1"].value == "=1+1" and back["D1"].data_type == "s" and back["D1"].quotePrefix


def test_only_formulas_put_there_by_the_writer_survive():
    wb = Workbook()
    ws = wb.active
    formula(ws["A1"], "=SUM(B1:B3)")
    ws["A2"] = "=SUM(B1:B3)"  # as if from data
    put_text(ws["A3"], "=SUM(B1:B3)")
    assert neutralise(wb) == 1
    back = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert [back[r].data_type for r in ("A1", "A2", "A3")] == ["f", "s", "s"]
    with pytest.raises(ValueError):
        formula(ws["A4"], "SUM(B1)")


def test_control_characters_are_dropped_not_fatal():
    wb = Workbook()
    put_text(wb.active["A1"], "项目\x01名称\x0b")
    assert load_workbook(io.BytesIO(workbook_bytes(wb))).active["A1"].value == "项目名称"


# ---------------------------------------------------------------- every writer


def test_rows_csv_prefixes_formula_text_and_keeps_numbers():
    doc = evil_doc()
    doc.projects[0].budget_total = Decimal("-6.80")  # a negative amount (as data) stays a number
    rows = list(csv.reader(io.StringIO(to_csv([doc]))))
    fields = [f for r in rows[1:] for f in r]
    for text in EVIL:
        assert "'" + text in fields
    assert not any(f.startswith(("=", "+", "@", "\t", "\r")) for f in fields)
    assert not any(f.startswith("-") and f != "-6.80" for f in fields)
    assert "-6.80" in fields


def test_rows_xlsx_has_no_formula():
    doc = evil_doc()
    doc.projects[0].budget_total = Decimal("-6.80")
    data = to_xlsx([doc])
    assert formula_cells(data) == []
    assert set(EVIL) <= texts(data)
    assert quote_prefixed(data, EVIL[0])
    ws = load_workbook(io.BytesIO(data)).active
    assert -6.8 in [c.value for c in ws["H"]]


def test_disclosure_xlsx_has_no_formula():
    data = disclosure_to_xlsx(evil_doc())
    assert formula_cells(data) == []
    assert EVIL[0] in {t.strip() for t in texts(data)} or any(EVIL[0] in t for t in texts(data))


def test_review_xlsx_has_no_formula():
    doc = evil_doc()
    data = findings_xlsx([review_document(doc)])
    assert formula_cells(data) == []
    assert quote_prefixed(data, EVIL[0])


def test_monitor_and_selfeval_templates_keep_only_their_own_formulas():
    doc = evil_doc()
    data = monitor_template(doc.projects, 2024, unit_name=EVIL[0])
    sheets = [s for s in load_workbook(io.BytesIO(data)).sheetnames if s != META_SHEET]
    own = {(s, ref) for s in sheets for ref in ("C7", "E7")}
    assert formula_cells(data, own) == []
    assert len(formula_cells(data)) == len(own)
    assert quote_prefixed(data, EVIL[0]) and quote_prefixed(data, "@SUM(A1)")

    data = selfeval_template(doc.projects, 2024, unit_name=EVIL[0])
    wb = load_workbook(io.BytesIO(data))
    own = set()
    for p, name in zip(doc.projects, wb.sheetnames, strict=False):
        total = 9 + len(p.indicators) + 1
        own |= {(name, "G6"), (name, "H6"), (name, f"G{total}")}
    assert formula_cells(data, own) == []
    assert len(formula_cells(data)) == len(own)
    assert quote_prefixed(data, "-2+3")


def test_monitoring_and_selfeval_exports_have_no_formula():
    doc = evil_doc()
    p = doc.projects[1]
    s = snapshot_for(p, date(2024, 7, 31))
    s.unit_name = EVIL[0]
    s.deviation = Deviation("经费保障", EVIL[2], "有可能", "@SUM(A1)")
    s.indicators[0].deviation = Deviation("制度保障", EVIL[0], "确定能", "+1")
    data = monitoring_to_xlsx([(s, assess(s))], summary=True)
    assert formula_cells(data) == []
    assert quote_prefixed(data, EVIL[2])

    ev = selfeval_example(name=EVIL[0])
    ev.goal_actual = EVIL[1]
    ev.indicators[0].reason = "@SUM(A1)"
    data = selfeval_to_xlsx([(ev, score_evaluation(ev))], summary=True)
    assert formula_cells(data) == []
    assert quote_prefixed(data, "@SUM(A1)")


def test_parse_command_writes_text_in_csv_and_xlsx(tmp_path: Path, capsys):
    src = tmp_path / "evil.docx"
    src.write_bytes(disclosure_to_docx(evil_doc()))
    out_x = tmp_path / "out.xlsx"
    assert main(["parse", str(src), "--format", "xlsx", "-o", str(out_x)]) == 0
    data = out_x.read_bytes()
    assert formula_cells(data) == []
    assert {"@SUM(A1)", "-2+3", "+1"} <= texts(data)
    out_c = tmp_path / "out.csv"
    assert main(["parse", str(src), "--format", "csv", "-o", str(out_c)]) == 0
    fields = [f for r in csv.reader(io.StringIO(out_c.read_text(encoding="utf-8"))) for f in r]
    assert "'@SUM(A1)" in fields and "'-2+3" in fields
    assert not any(f.startswith(("=", "+", "@")) for f in fields)


def test_review_command_xlsx_has_no_formula(tmp_path: Path):
    src = tmp_path / "evil.docx"
    src.write_bytes(disclosure_to_docx(evil_doc()))
    out = tmp_path / "review.xlsx"
    main(["review", str(src), "--format", "xlsx", "-o", str(out)])
    data = out.read_bytes()
    assert formula_cells(data) == []
    assert "@SUM(A1)" in texts(data)
