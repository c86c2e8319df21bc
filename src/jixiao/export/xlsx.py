"""Write a disclosure's 项目绩效目标表 as an Excel .xlsx in the published layout.

One sheet: the unit's 部门整体绩效目标 first (when the model has them), then per project the
numbered title, the unit line (unit | 单位：万元), the table (see `jixiao.export.layout`) with merged
cells, and a blank row. Amounts are numbers formatted 0.00 and spending-plan shares numbers
formatted 0%, as the finance systems export them; text is set in 宋体.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.export.cellsafe import put_text, workbook_bytes
from jixiao.export.layout import (
    GRID,
    PROJECTS_HEADINGS,
    WIDTHS_CM,
    GridRow,
    LayoutOptions,
    document_title,
    goal_paragraphs,
    layout_project,
)
from jixiao.model import Disclosure

FONT = "宋体"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def disclosure_to_xlsx(
    doc: Disclosure, *, options: LayoutOptions | None = None, sheet_title: str = "项目绩效目标表"
) -> bytes:
    """The .xlsx bytes of the disclosure's 项目绩效目标表."""
    opts = options or LayoutOptions()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title[:31]
    for i, w in enumerate(WIDTHS_CM, 1):
        ws.column_dimensions[get_column_letter(i)].width = w * 5
    r = 1
    r = _line(ws, r, document_title(doc), size=16, bold=True, center=True) + 1
    goals = goal_paragraphs(doc)
    for style, text in goals:
        r = _line(
            ws,
            r,
            text,
            size=14 if style == "heading" else 11,
            bold=style != "text",
            center=style == "heading",
        )
    if goals:
        r += 1
        if doc.projects:
            for text in PROJECTS_HEADINGS:
                r = _line(ws, r, text, size=14, bold=True, center=True)
            r += 1
    for p in doc.projects:
        t = layout_project(p, doc, opts)
        r = _line(ws, r, t.title, size=14, bold=True, center=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        put_text(ws.cell(r, 1), t.unit_line).font = Font(name=FONT, size=10)
        ws.merge_cells(start_row=r, start_column=6, end_row=r, end_column=GRID)
        money = put_text(ws.cell(r, 6), t.money_line)
        money.font = Font(name=FONT, size=10)
        money.alignment = Alignment(horizontal="right")
        r += 1
        assert t.header is not None
        for grow in [*t.head, t.header, *t.indicators]:
            _row(ws, r, grow)
            r += 1
        r += 1
    return workbook_bytes(wb)


def _line(
    ws: Worksheet, r: int, text: str, *, size: float = 11, bold: bool = False, center: bool = False
) -> int:
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=GRID)
    c = put_text(ws.cell(r, 1), text)
    c.font = Font(name=FONT, size=size, bold=bold)
    c.alignment = Alignment(horizontal="center" if center else "left", vertical="center", wrap_text=True)
    return r + 1


def _row(ws: Worksheet, r: int, grow: GridRow) -> None:
    for gc in grow.cells:
        c1 = gc.col + 1
        for c in range(c1, c1 + gc.span):  # borders on every cell of a merged range
            ws.cell(r, c).border = _BOX
        if gc.covered:
            continue
        cell = ws.cell(r, c1)
        if gc.number is not None:
            cell.value = gc.number
            cell.number_format = "0.00"
        elif gc.percent is not None:
            cell.value = gc.percent
            cell.number_format = "0%"
        elif gc.text:
            put_text(cell, gc.text)  # "=0起" is a 指标值, not a formula
        cell.font = Font(name=FONT, size=10, bold=gc.label)
        cell.alignment = Alignment(
            horizontal="center" if gc.label else "left", vertical="center", wrap_text=True
        )
        if gc.span > 1 or gc.rows > 1:
            ws.merge_cells(start_row=r, start_column=c1, end_row=r + gc.rows - 1, end_column=c1 + gc.span - 1)
