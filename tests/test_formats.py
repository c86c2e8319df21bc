"""Round trips through the binary formats: build a document from a model, parse it, get the model back.

Documents come from the 项目绩效目标表 writers (docx, xlsx, html; PDFs, HTML and .docx saved from the .docx
files by LibreOffice) in the layouts found in the field — merged 一级/二级 cells, a table broken
across pages with the header repeated, blank cells, money in 元, a table without 指标值确定依据 —
and from raw python-docx / openpyxl / HTML in other real layouts (a flat sheet of several
projects, a CMS page with the tables inside a layout table). Every field of the parse must equal
the model the document was built from (PDF text compared without whitespace, the rule of
../shared/truth/SCHEMA.md, since a PDF cannot say where a wrapped line had a space).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook

from jixiao.export.docx import disclosure_to_docx
from jixiao.export.html import disclosure_to_html
from jixiao.export.layout import LayoutOptions
from jixiao.export.xlsx import disclosure_to_xlsx
from jixiao.ingest import parse_bytes
from jixiao.model import Disclosure
from tests.fixtures_models import all_fixtures, model_dict, unit_full, unit_no_basis
from tests.format_helpers import diff, docx_to_pdf, soffice

FIXTURES = all_fixtures()
YUAN = LayoutOptions(money_unit="元")

Writer = Callable[[Disclosure], bytes]
WRITERS: dict[str, tuple[str, Writer]] = {
    "docx": ("docx", lambda d: disclosure_to_docx(d)),
    "docx-one-table": ("docx", lambda d: disclosure_to_docx(d, separate_indicator_table=False)),
    "docx-split-table": ("docx", lambda d: disclosure_to_docx(d, split_every=5)),
    "docx-split-row": ("docx", lambda d: disclosure_to_docx(d, split_every=4, split_mode="row")),
    "docx-blank-levels": ("docx", lambda d: disclosure_to_docx(d, options=LayoutOptions(merge_levels=False))),
    "docx-yuan": ("docx", lambda d: disclosure_to_docx(d, options=YUAN)),
    "docx-basis-column": ("docx", lambda d: disclosure_to_docx(d, options=LayoutOptions(basis_column=True))),
    "xlsx": ("xlsx", lambda d: disclosure_to_xlsx(d)),
    "xlsx-yuan": ("xlsx", lambda d: disclosure_to_xlsx(d, options=YUAN)),
    "html": ("html", lambda d: disclosure_to_html(d).encode("utf-8")),
    "html-gb18030": (
        "html",
        lambda d: disclosure_to_html(d).replace('charset="utf-8"', 'charset="gb2312"').encode("gb18030"),
    ),
}

# Interpreter gaps found by these round trips (fixed ones are removed; add new ones here)
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def assert_same_model(expected: Disclosure, got: Disclosure, *, squash: bool = False) -> None:
    problems = diff(model_dict(expected, squash_spaces=squash), model_dict(got, squash_spaces=squash))
    assert not problems, "\n".join(problems[:30])
    for p in got.projects:
        for ind in p.indicators:
            assert ind.year == expected.year, f"indicator {ind.name}: year {ind.year}"


def _cases() -> list:
    out = []
    for fname in FIXTURES:
        for wname in WRITERS:
            gap = KNOWN_GAPS.get((fname, wname))
            marks = [pytest.mark.xfail(reason=gap, strict=False)] if gap else []
            out.append(pytest.param(fname, wname, id=f"{fname}-{wname}", marks=marks))
    return out


@pytest.mark.parametrize(("fixture", "writer"), _cases())
def test_written_document_parses_back_to_its_model(fixture: str, writer: str) -> None:
    doc = FIXTURES[fixture]
    ext, write = WRITERS[writer]
    got = parse_bytes(write(doc), f"{fixture}.{ext}")
    assert_same_model(doc, got)
    assert got.warnings == []


# ---------------------------------------------------------------------------------------------- PDF

PDF_VARIANTS: dict[str, Writer] = {
    "docx": WRITERS["docx"][1],
    "split-table": WRITERS["docx-split-table"][1],
    "split-row": WRITERS["docx-split-row"][1],
    "yuan": WRITERS["docx-yuan"][1],
    "one-table": WRITERS["docx-one-table"][1],
}


@pytest.fixture(scope="module")
def pdf_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if soffice() is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui, "
            "fonts-noto-cjk and fonts-liberation"
        )
    tmp = tmp_path_factory.mktemp("formats_pdf")
    paths: list[Path] = []
    for fname, doc in FIXTURES.items():
        for vname, write in PDF_VARIANTS.items():
            path = tmp / f"{fname}--{vname}.docx"
            path.write_bytes(write(doc))
            paths.append(path)
    return {p.stem: q.read_bytes() for p, q in docx_to_pdf(paths, tmp).items()}


@pytest.mark.parametrize("variant", list(PDF_VARIANTS))
@pytest.mark.parametrize("fixture", list(FIXTURES))
def test_pdf_converted_by_libreoffice_parses_back_to_its_model(
    pdf_files: dict[str, bytes], fixture: str, variant: str
) -> None:
    got = parse_bytes(pdf_files[f"{fixture}--{variant}"], f"{fixture}--{variant}.pdf")
    assert_same_model(FIXTURES[fixture], got, squash=True)
    assert got.warnings == []


@pytest.fixture(scope="module")
def libreoffice_saved(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], bytes]:
    """The .docx files saved again by LibreOffice Writer, as HTML (<font> tags, <p> in cells,
    rowspan) and as .docx (LibreOffice's own OOXML: w:vMerge, w:gridSpan, section breaks)."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("formats_lo")
    paths = []
    for fname, doc in FIXTURES.items():
        path = tmp / f"{fname}.docx"
        path.write_bytes(disclosure_to_docx(doc, split_every=5))
        paths.append(path)
    out: dict[tuple[str, str], bytes] = {}
    for p, q in docx_to_pdf(paths, tmp, "html").items():
        out[("html", p.stem)] = q.read_bytes()
    (tmp / "resaved").mkdir()
    for p, q in docx_to_pdf(paths, tmp / "resaved", "docx").items():
        out[("docx", p.stem)] = q.read_bytes()
    return out


@pytest.mark.parametrize("fmt", ["html", "docx"])
@pytest.mark.parametrize("fixture", list(FIXTURES))
def test_documents_saved_again_by_libreoffice_parse_back_to_their_model(
    libreoffice_saved: dict[tuple[str, str], bytes], fixture: str, fmt: str
) -> None:
    data = libreoffice_saved[(fmt, fixture)]
    assert data != disclosure_to_docx(FIXTURES[fixture], split_every=5)
    got = parse_bytes(data, f"{fixture}.{fmt}")
    assert_same_model(FIXTURES[fixture], got)
    assert got.warnings == []


# ---------------------------------------------------------------------------------------------- other layouts


def flat_sheet(doc: Disclosure) -> bytes:
    """One sheet of several projects, one row per indicator, the project name only on its first row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目绩效指标"
    ws.append(["项目名称", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"])
    for p in doc.projects:
        for i, ind in enumerate(p.indicators):
            ws.append(
                [
                    p.name if i == 0 else None,
                    ind.level1,
                    ind.level2,
                    ind.name,
                    ind.description,
                    ind.value,
                    ind.basis,
                ]
            )
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # "=0起" typed as text, not a formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def flat_model(doc: Disclosure) -> Disclosure:
    """What a flat sheet can say: names and indicators (the name doubles as the title)."""
    out = Disclosure(source=doc.source, year=doc.year)
    for p in doc.projects:
        q = type(p)(seq=p.seq, title=p.name, name=p.name, indicators=p.indicators)
        out.projects.append(q)
    return out


def test_flat_sheet_of_several_projects() -> None:
    doc = unit_full()
    got = parse_bytes(flat_sheet(doc), "flat.xlsx")
    assert_same_model(flat_model(doc), got)


CMS_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>部门预算公开</title>
<script>document.write("不是正文")</script></head><body>
<table width="900" class="layout"><tr><td class="nav">首页 &gt; 信息公开</td></tr><tr><td class="content">
<div class="title">{title}</div>
{projects}
</td></tr></table></body></html>"""


def cms_page(doc: Disclosure) -> bytes:
    """A government site's page: everything inside a layout table, each project's title and unit
    line as a one-row table above the data table, cells with <p> and &nbsp;."""
    parts = []
    for p in doc.projects:
        rows = [
            f'<tr><td>项目名称</td><td colspan="5">{p.name}</td></tr>',
            f'<tr><td rowspan="2">预算规模及资金用途</td><td>预算数</td><td>{p.budget_total:.2f}</td>'
            f"<td>其中：财政资金</td><td>{p.budget_fiscal:.2f}</td><td>其他资金&nbsp;</td></tr>",
            f'<tr><td colspan="5"><p>{p.purpose}</p></td></tr>',
            f'<tr><td>绩效目标</td><td colspan="5"><p>{p.goal}</p></td></tr>',
            "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td colspan=2>绩效指标描述</td>"
            "<td>指标值</td></tr>",
        ]
        for i, ind in enumerate(p.indicators):
            first1 = i == 0 or p.indicators[i - 1].level1 != ind.level1
            first2 = first1 or p.indicators[i - 1].level2 != ind.level2
            n1 = sum(1 for _ in _run(p.indicators, i, lambda x: x.level1))
            n2 = sum(1 for _ in _run(p.indicators, i, lambda x: (x.level1, x.level2)))
            cells = ""
            if first1:
                cells += f'<td rowspan="{n1}">{ind.level1}</td>'
            if first2:
                cells += f'<td rowspan="{n2}">{ind.level2}</td>'
            cells += (
                f'<td>{ind.name}</td><td colspan="2">{ind.description or "&nbsp;"}</td><td>{ind.value}</td>'
            )
            rows.append(f"<tr>{cells}</tr>")
        parts.append(
            f'<table class="t"><tr><td colspan="2"><b>{p.seq}.{p.title}</b></td></tr>'
            f"<tr><td>{p.unit_code}{p.unit_name}</td><td>单位：万元</td></tr></table>"
            f'<table border="1" cellspacing="0">{"".join(rows)}</table>'
        )
    title = f"{doc.unit_name}{doc.year}年部门预算绩效目标"
    return CMS_PAGE.format(title=title, projects="\n".join(parts)).encode("gbk")


def _run(inds: list, i: int, key: Callable) -> list:
    out = []
    for ind in inds[i:]:
        if key(ind) != key(inds[i]):
            break
        out.append(ind)
    return out


def test_cms_page_with_tables_inside_a_layout_table() -> None:
    doc = unit_no_basis()
    got = parse_bytes(cms_page(doc), "page.html")
    assert_same_model(doc, got)


def word_table_per_row_layout(doc: Disclosure) -> bytes:
    """A hand-made Word file: title and unit as paragraphs (tab before 单位：万元), the 一级/二级
    指标 text repeated on every row instead of merged, ASCII colons."""
    d = Document()
    for p in doc.projects:
        d.add_paragraph(f"{p.seq}、{p.title}")
        d.add_paragraph(f"{p.unit_code}{p.unit_name}\t\t单位:万元")
        t = d.add_table(rows=0, cols=6)
        t.style = "Table Grid"

        def row(*texts: str, t: Any = t) -> None:
            cells = t.add_row().cells
            for c, text in zip(cells, texts, strict=False):
                c.text = text

        row("项目编码", p.code or "", "项目名称", p.name or "", "", "")
        row(
            "预算数",
            f"{p.budget_total}",
            "其中:财政资金",
            f"{p.budget_fiscal}",
            "其他资金",
            f"{p.budget_other}" if p.budget_other is not None else "",
        )
        row("资金用途", p.purpose or "", "", "", "", "")
        if p.spending_plan:
            row("资金支出计划（%）", *p.spending_plan.keys())
            row("", *p.spending_plan.values())
        row("绩效目标", p.goal or "", "", "", "", "")
        row("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
        for ind in p.indicators:
            row(
                ind.level1 or "",
                ind.level2 or "",
                ind.name or "",
                ind.description or "",
                ind.value or "",
                ind.basis or "",
            )
        d.add_paragraph("")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_word_tables_with_levels_repeated_on_every_row() -> None:
    doc = unit_full()
    doc.overall_goal, doc.sub_goals = None, []
    got = parse_bytes(word_table_per_row_layout(doc), "rows.docx")
    assert_same_model(doc, got)


def test_money_in_yuan_is_read_as_wan_yuan() -> None:
    doc = unit_full()
    data = disclosure_to_docx(doc, options=YUAN)
    got = parse_bytes(data, "yuan.docx")
    assert got.projects[1].budget_total == Decimal("85.50")
    assert got.projects[1].budget_other == Decimal("5.5")


def test_command_line_parses_a_written_docx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from jixiao.cli.main import main

    path = tmp_path / "unit.docx"
    path.write_bytes(disclosure_to_docx(unit_full(), split_every=5))
    assert main(["parse", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    names = ["公务用车保险费", "产品质量监督抽查经费", "食品安全抽检监测经费"]
    assert [p["name"] for p in out["projects"]] == names
    assert [len(p["indicators"]) for p in out["projects"]] == [6, 12, 15]
    assert out["unit_code"] == "901001" and out["year"] == 2024


# ---------------------------------------------------------------------------------------------- variants
# Layouts seen in the field that the interpreter does not take yet; the readers give the right cells.


def test_html_title_then_unit_and_money_unit_as_separate_paragraphs() -> None:
    doc = unit_full()
    page = re.sub(
        r'<table class="unit-line"><tr><td>(.*?)</td><td class="money">(.*?)</td></tr></table>',
        r"<p>\1</p><p>\2</p>",
        disclosure_to_html(doc),
    )
    assert "<p>单位：万元</p>" in page
    assert_same_model(doc, parse_bytes(page.encode(), "paragraphs.html"))


def test_project_part_heading_without_part_number() -> None:
    doc = unit_full()
    page = disclosure_to_html(doc).replace("<h2>第二部分</h2>", "")
    assert_same_model(doc, parse_bytes(page.encode(), "no-part.html"))


# ---------------------------------------------------------------------------------------------- the samples
# The five sample disclosures (text) parsed, written by each writer, parsed again: the same model.
# A table printed without its own unit line gets the document's unit line from the writers (the
# standard table always prints one), so the expected model names that unit on every project.

from tests.conftest import seed_files  # noqa: E402

SEEDS = {p.stem[:3]: p for p in seed_files()}


def seed_model(stem: str) -> Disclosure:
    path = SEEDS[stem]
    doc = parse_bytes(path.read_bytes(), path.name)
    doc.budget_overview = None  # the 项目绩效目标表 writers print targets, not the budget overview
    for p in doc.projects:
        if p.unit_code is None and p.unit_name is None:
            p.unit_code, p.unit_name = doc.unit_code, doc.unit_name
    return doc


SAMPLE_GAPS: dict[tuple[str, str], str] = {}  # known interpreter gaps on the samples, by writer


def _sample_cases() -> list:
    out = []
    for stem in sorted(SEEDS):
        for writer in ("docx", "docx-split-table", "xlsx", "html"):
            gap = SAMPLE_GAPS.get((stem, writer))
            marks = [pytest.mark.xfail(reason=gap, strict=False)] if gap else []
            out.append(pytest.param(stem, writer, id=f"{stem}-{writer}", marks=marks))
    return out


@pytest.mark.parametrize(("stem", "writer"), _sample_cases())
def test_samples_written_and_parsed_again(stem: str, writer: str) -> None:
    doc = seed_model(stem)
    ext, write = WRITERS[writer]
    got = parse_bytes(write(doc), f"{stem}.{ext}")
    # HTML collapses runs of spaces as a browser does: compare without whitespace there
    assert_same_model(doc, got, squash=ext == "html")


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if soffice() is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui, "
            "fonts-noto-cjk and fonts-liberation"
        )
    tmp = tmp_path_factory.mktemp("samples_pdf")
    paths = []
    for stem in sorted(SEEDS):
        path = tmp / f"{stem}.docx"
        path.write_bytes(disclosure_to_docx(seed_model(stem)))
        paths.append(path)
    return {p.stem: q.read_bytes() for p, q in docx_to_pdf(paths, tmp).items()}


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_samples_as_pdf_parsed_again(sample_pdfs: dict[str, bytes], stem: str) -> None:
    got = parse_bytes(sample_pdfs[stem], f"{stem}.pdf")
    assert_same_model(seed_model(stem), got, squash=True)
    assert got.warnings == []
