"""Write a disclosure's 项目绩效目标表 as a Word .docx in the published layout.

Per project: the numbered title ("1.车辆保险费绩效目标表"), the unit line (a borderless row:
unit code + name | 单位：万元), then the table (see `jixiao.export.layout`) with 一级/二级指标
merged down. The unit's 部门整体绩效目标 come first when the model has them. Text is set in
宋体 (SimSun); LibreOffice substitutes an installed CJK font when converting to PDF.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from jixiao.export.layout import (
    GRID,
    PROJECTS_HEADINGS,
    WIDTHS_CM,
    GridCell,
    GridRow,
    LayoutOptions,
    document_title,
    goal_paragraphs,
    indicator_chunks,
    layout_project,
)
from jixiao.model import Disclosure

FONT_CJK = "宋体"
FONT_LATIN = "Times New Roman"


def disclosure_to_docx(
    doc: Disclosure,
    *,
    options: LayoutOptions | None = None,
    split_every: int | None = None,
    split_mode: str = "table",
    separate_indicator_table: bool = True,
) -> bytes:
    """The .docx bytes of the disclosure's 项目绩效目标表.

    split_every: break each indicator table after this many rows, as a table continued on the next
    page: with split_mode "table" a page break and a second table that starts with the header row
    again; with split_mode "row" the header row repeated inside the same table, on a new page.
    separate_indicator_table: the indicator rows in a Word table of their own right after the
    project block (as in the published documents), so that the header row marked w:tblHeader is
    the first row of its table and Word and LibreOffice repeat it on each new page; False puts
    everything in one table.
    """
    if split_mode not in ("table", "row"):
        raise ValueError(f"split_mode must be 'table' or 'row', not {split_mode!r}")
    opts = options or LayoutOptions()
    document = Document()
    _setup(document)
    _para(document, document_title(doc), size=16, bold=True, center=True)
    goals = goal_paragraphs(doc)
    for style, text in goals:
        if style == "heading":
            _para(document, text, size=14, bold=True, center=True)
        elif style == "subheading":
            _para(document, text, size=12, bold=True)
        else:
            _para(document, text, indent=True)
    if goals and doc.projects:
        for text in PROJECTS_HEADINGS:
            _para(document, text, size=14, bold=True, center=True)
    for p in doc.projects:
        t = layout_project(p, doc, opts)
        _para(document, t.title, size=14, bold=True, center=True)
        _unit_line(document, t.unit_line, t.money_line)
        table = _new_table(document)
        for row in t.head:
            _add_row(table, row)
        if separate_indicator_table:
            _para(document, "", size=2)
            table = _new_table(document)
        chunks = indicator_chunks(t, opts.merge_levels, split_every)
        for k, chunk in enumerate(chunks):
            if k and split_mode == "table":
                _page_break(document)
                table = _new_table(document)
            assert t.header is not None
            header = _add_row(table, t.header)
            if k == 0 or split_mode == "table":
                _mark_header(header)
            if k and split_mode == "row":
                _page_break_before(header)
            for row in chunk:
                _add_row(table, row)
        _para(document, "")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = FONT_LATIN
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT_CJK)
    fonts.set(qn("w:ascii"), FONT_LATIN)
    fonts.set(qn("w:hAnsi"), FONT_LATIN)


def _run(p: Paragraph, text: str, *, size: float | None = None, bold: bool = False) -> None:
    r = p.add_run(text)
    r.font.name = FONT_LATIN
    r.font.bold = bold or None
    if size:
        r.font.size = Pt(size)
    r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_CJK)


def _para(
    document: DocxDocument,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    center: bool = False,
    indent: bool = False,
) -> Paragraph:
    p = document.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        p.paragraph_format.first_line_indent = Pt(21)
    if text:
        _run(p, text, size=size, bold=bold)
    return p


def _page_break(document: DocxDocument) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _unit_line(document: DocxDocument, unit: str, money: str) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(12), Cm(5)
    _run(left.paragraphs[0], unit)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(right.paragraphs[0], money)


def _new_table(document: DocxDocument) -> Table:
    table = document.add_table(rows=0, cols=GRID)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, w in zip(table.columns, WIDTHS_CM, strict=True):
        col.width = Cm(w)
    return table


def _add_row(table: Table, grow: GridRow) -> _Cell:
    """Append a row with one w:tc per grid cell (w:gridSpan for spans); returns its first cell."""
    tr = table._tbl.add_tr()
    first: _Cell | None = None
    for gc in grow.cells:
        tc = OxmlElement("w:tc")
        tcpr = OxmlElement("w:tcPr")
        tcw = OxmlElement("w:tcW")
        tcw.set(qn("w:w"), str(int(sum(WIDTHS_CM[gc.col : gc.col + gc.span]) * 567)))
        tcw.set(qn("w:type"), "dxa")
        tcpr.append(tcw)
        if gc.span > 1:
            span = OxmlElement("w:gridSpan")
            span.set(qn("w:val"), str(gc.span))
            tcpr.append(span)
        if gc.covered or gc.rows > 1:
            vm = OxmlElement("w:vMerge")
            if not gc.covered:
                vm.set(qn("w:val"), "restart")
            tcpr.append(vm)
        tc.append(tcpr)
        tc.append(OxmlElement("w:p"))
        tr.append(tc)
        cell = _Cell(tc, table)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _cell_text(cell, gc)
        first = first or cell
    assert first is not None
    return first


def _cell_text(cell: _Cell, gc: GridCell) -> None:
    if gc.covered or not gc.text:
        return
    lines = gc.text.split("\n")
    p = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            p = cell.add_paragraph()
        if gc.label:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, line, size=9, bold=gc.label)


def _mark_header(cell: _Cell) -> None:
    tr = cell._tc.getparent()
    trpr = tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _page_break_before(cell: _Cell) -> None:
    cell.paragraphs[0].paragraph_format.page_break_before = True
