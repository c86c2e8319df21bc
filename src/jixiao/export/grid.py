"""A printed standard table (自评表, 监控表, 汇总表) as a grid, and its .xlsx, .docx and HTML writers.

The table modules (`export.selfeval`, `export.monitoring`) lay a table out as a `StandardTable`: a
title, column widths in cm, and rows of `Cell`s placed on the grid by column, with `span` (columns
merged) and `rows` (rows merged down). A position covered by a merge has no cell. The writers turn
the same grid into an Excel sheet (merged ranges, thin borders, 宋体, A4 print setup fitted to the
page width), a Word table (gridSpan/vMerge, 宋体 title and 仿宋 body) and an HTML fragment
(colspan/rowspan, every text escaped).
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao import numbers
from jixiao.export.cellsafe import put_text, workbook_bytes

FONT_TITLE = "宋体"
FONT_BODY_DOCX = "仿宋"
FONT_BODY_XLSX = "宋体"
FONT_LATIN = "Times New Roman"

# light backgrounds for 监控结果 cells (pale, so that black text stays readable when printed)
LIGHT_FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE", "blue": "BDD7EE"}


@dataclass
class Cell:
    """One cell of the grid: text as printed; `number` (with `number_format`) is written as a number in
    .xlsx. `span`/`rows` merge to the right/downwards. `label` cells are bold and centred."""

    text: str
    col: int
    span: int = 1
    rows: int = 1
    label: bool = False
    number: Decimal | None = None
    number_format: str | None = None  # Excel format: "0.00", "0.00%"
    align: str | None = None  # left | center | right (default: center for labels and numbers)
    light: str | None = None  # a monitoring light (green/yellow/red/blue): the cell is tinted

    @property
    def fill(self) -> str | None:
        return LIGHT_FILLS.get(self.light or "")


@dataclass
class StandardTable:
    title: str
    widths_cm: tuple[float, ...]
    rows: list[list[Cell]] = field(default_factory=list)
    subtitle: str | None = None  # centred under the title, e.g. （2024年度）
    caption: tuple[str, str] | None = None  # a line above the table: (left, right), e.g. unit | 单位：万元
    notes: list[str] = field(default_factory=list)  # lines under the table
    landscape: bool = False
    sheet_name: str = "Sheet1"

    @property
    def ncols(self) -> int:
        return len(self.widths_cm)

    def cell_at(self, row: int, col: int) -> Cell | None:
        """The cell whose top-left corner is at (row, col), 0-based; None when covered or empty."""
        for c in self.rows[row]:
            if c.col == col:
                return c
        return None

    def texts(self) -> list[str]:
        return [c.text for r in self.rows for c in r]


# ---------------------------------------------------------------- formatting helpers


def money(d: Decimal | None) -> Cell | None:
    """None, or a money cell printed with 2 decimals (万元)."""
    if d is None:
        return None
    q = d.quantize(Decimal("0.01"))
    return Cell(numbers.fixed(q), 0, number=q, number_format="0.00")


fmt_number = numbers.trimmed
"""A score or share for print: rounded to `places`, trailing zeros dropped (7.50 → 7.5)."""


def percent_text(share: Decimal | None, places: str = "0.01") -> str:
    return "" if share is None else f"{fmt_number(share * 100, places)}%"


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _lines_needed(text: str, width_cm: float, font_pt: float) -> int:
    # a half-width character is about 0.55 × the font size; 1 pt = 0.03528 cm
    per_line = max(1, int(width_cm / (font_pt * 0.03528 * 0.55)) - 1)
    return sum(max(1, math.ceil(_width(part) / per_line)) for part in text.split("\n"))


# ---------------------------------------------------------------- xlsx

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def tables_to_xlsx(tables: Sequence[StandardTable]) -> bytes:
    """One sheet per table, in order (sheet names made unique)."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    used: set[str] = set()
    for k, t in enumerate(tables):
        ws = first if k == 0 else wb.create_sheet()
        ws.title = _unique_sheet_name(t.sheet_name, used)
        write_sheet(ws, t)
    return workbook_bytes(wb)


def _unique_sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    cand, n = base, 1
    while cand in used:
        n += 1
        suffix = f"({n})"
        cand = base[: 31 - len(suffix)] + suffix
    used.add(cand)
    return cand


def write_sheet(ws: Worksheet, t: StandardTable) -> None:
    """Write a table onto a sheet from A1: title, subtitle, caption, grid, notes; A4 print setup."""
    n = t.ncols
    for i, w in enumerate(t.widths_cm, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w * 4.4, 1)
    r = 1
    r = _xlsx_line(ws, r, n, t.title, size=16, bold=True, center=True, height=30)
    if t.subtitle:
        r = _xlsx_line(ws, r, n, t.subtitle, size=11, center=True)
    if t.caption:
        left, right = t.caption
        split = max(1, n - 3)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=split)
        put_text(ws.cell(r, 1), left).font = Font(name=FONT_BODY_XLSX, size=10)
        ws.merge_cells(start_row=r, start_column=split + 1, end_row=r, end_column=n)
        c = put_text(ws.cell(r, split + 1), right)
        c.font = Font(name=FONT_BODY_XLSX, size=10)
        c.alignment = Alignment(horizontal="right")
        r += 1
    top = r
    heights: dict[int, int] = {}
    for k, row in enumerate(t.rows):
        rr = top + k
        for cell in row:
            _xlsx_cell(ws, rr, cell)
            if cell.rows == 1:
                w = sum(t.widths_cm[cell.col : cell.col + cell.span])
                heights[rr] = max(heights.get(rr, 1), _lines_needed(cell.text, w, 10))
    for rr, lines in heights.items():
        ws.row_dimensions[rr].height = max(20, 14 * lines + 4)
    r = top + len(t.rows)
    for note in t.notes:
        r = _xlsx_line(ws, r, n, note, size=9)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if t.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_area = f"A1:{get_column_letter(n)}{max(r - 1, 1)}"


def _xlsx_line(
    ws: Worksheet,
    r: int,
    n: int,
    text: str,
    *,
    size: float,
    bold: bool = False,
    center: bool = False,
    height: float | None = None,
) -> int:
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    c = put_text(ws.cell(r, 1), text)
    c.font = Font(name=FONT_TITLE if bold else FONT_BODY_XLSX, size=size, bold=bold)
    c.alignment = Alignment(horizontal="center" if center else "left", vertical="center", wrap_text=True)
    if height:
        ws.row_dimensions[r].height = height
    return r + 1


def _align(cell: Cell) -> str:
    if cell.align:
        return cell.align
    return "center" if cell.label or cell.number is not None else "left"


def _xlsx_cell(ws: Worksheet, r: int, cell: Cell) -> None:
    c1 = cell.col + 1
    fill = PatternFill("solid", fgColor=cell.fill) if cell.fill else None
    for rr in range(r, r + cell.rows):
        for cc in range(c1, c1 + cell.span):
            ws.cell(rr, cc).border = _BOX
            if fill:
                ws.cell(rr, cc).fill = fill
    x = ws.cell(r, c1)
    if cell.number is not None:
        x.value = cell.number
        x.number_format = cell.number_format or "General"
    elif cell.text:
        put_text(x, cell.text)  # "=0起" is a 指标值, not a formula
    x.font = Font(name=FONT_BODY_XLSX, size=10, bold=cell.label)
    x.alignment = Alignment(horizontal=_align(cell), vertical="center", wrap_text=True)
    if cell.span > 1 or cell.rows > 1:
        ws.merge_cells(start_row=r, start_column=c1, end_row=r + cell.rows - 1, end_column=c1 + cell.span - 1)


# ---------------------------------------------------------------- docx


def tables_to_docx(tables: Sequence[StandardTable]) -> bytes:
    """One table per page, in order; the page orientation follows each table."""
    document = Document()
    _docx_styles(document)
    for k, t in enumerate(tables):
        if k:
            section = document.add_section()
        else:
            section = document.sections[0]
        _page(section, t.landscape)
        add_docx_table(document, t)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_styles(document: DocxDocument) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT_LATIN
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY_DOCX)


def _page(section: Section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    w, h = (Cm(29.7), Cm(21)) if landscape else (Cm(21), Cm(29.7))
    section.page_width, section.page_height = w, h
    section.left_margin = section.right_margin = Cm(1.5 if landscape else 2)
    section.top_margin = section.bottom_margin = Cm(1.8)


def _run(p: Paragraph, text: str, *, size: float, bold: bool = False, font: str = FONT_BODY_DOCX) -> None:
    r = p.add_run(text)
    r.font.name = FONT_LATIN
    r.font.size = Pt(size)
    r.font.bold = bold or None
    r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _docx_para(
    document: DocxDocument,
    text: str,
    *,
    size: float,
    bold: bool = False,
    center: bool = False,
    font: str = FONT_BODY_DOCX,
) -> Paragraph:
    p = document.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(4)
    if text:
        _run(p, text, size=size, bold=bold, font=font)
    return p


def add_docx_table(document: DocxDocument, t: StandardTable) -> None:
    """Title, subtitle, caption, the grid as one Word table with merged cells, then the notes."""
    _docx_para(document, t.title, size=16, bold=True, center=True, font=FONT_TITLE)
    if t.subtitle:
        _docx_para(document, t.subtitle, size=12, center=True)
    if t.caption:
        left, right = t.caption
        p = _docx_para(document, "", size=10)
        total = Cm(sum(t.widths_cm))
        p.paragraph_format.tab_stops.add_tab_stop(total, alignment=WD_TAB_ALIGNMENT.RIGHT)
        _run(p, f"{left}\t{right}", size=10)
    n = t.ncols
    table = document.add_table(rows=len(t.rows), cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, w in zip(table.columns, t.widths_cm, strict=True):
        col.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, t.widths_cm, strict=True):
            cell.width = Cm(w)
    for r, row in enumerate(t.rows):
        for cell in row:
            target = table.cell(r, cell.col)
            if cell.span > 1 or cell.rows > 1:
                target = target.merge(table.cell(r + cell.rows - 1, cell.col + cell.span - 1))
            _docx_cell(target, cell)
    for note in t.notes:
        _docx_para(document, note, size=9)


def _docx_cell(x: _Cell, cell: Cell) -> None:
    x.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    align = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[_align(cell)]
    for i, line in enumerate(cell.text.split("\n")):
        p = x.paragraphs[0] if i == 0 else x.add_paragraph()
        p.alignment = align
        if line:
            _run(p, line, size=9, bold=cell.label)
    if cell.fill:
        tcpr = x._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), cell.fill)
        tcpr.append(shd)


# ---------------------------------------------------------------- HTML


def table_to_html(t: StandardTable, *, css_class: str = "standard-table") -> str:
    """An HTML fragment (no scripts, every text escaped): title, subtitle, caption, table, notes."""
    out = [f'<section class="{escape(css_class)}">', f"<h3>{escape(t.title)}</h3>"]
    if t.subtitle:
        out.append(f'<p class="subtitle">{escape(t.subtitle)}</p>')
    if t.caption:
        out.append(
            f'<p class="caption"><span>{escape(t.caption[0])}</span> '
            f'<span class="right">{escape(t.caption[1])}</span></p>'
        )
    total = sum(t.widths_cm)
    out.append("<table>")
    out.append(
        "<colgroup>" + "".join(f'<col style="width:{w / total:.1%}">' for w in t.widths_cm) + "</colgroup>"
    )
    for row in t.rows:
        cells = []
        for c in row:
            tag = "th" if c.label else "td"
            attrs = f' colspan="{c.span}"' if c.span > 1 else ""
            attrs += f' rowspan="{c.rows}"' if c.rows > 1 else ""
            cls = f"align-{_align(c)}" + (f" light-{c.light}" if c.light else "")
            body = "<br>".join(escape(line) for line in c.text.split("\n"))
            cells.append(f'<{tag}{attrs} class="{cls}">{body}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    out += [f'<p class="note">{escape(n)}</p>' for n in t.notes]
    out.append("</section>")
    return "\n".join(out)
