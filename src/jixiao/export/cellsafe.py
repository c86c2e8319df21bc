"""Spreadsheet and CSV cells that never carry a live formula from data (formula injection, CWE-1236).

A name such as `=HYPERLINK("http://evil.example/x","点击")` read from a disclosure must reach the
user's spreadsheet as the text it is. Every writer of .xlsx and .csv in jixiao goes through here:

- **xlsx**: `workbook_bytes(wb)` saves a workbook after one pass over every cell: a cell that
  openpyxl took for a formula (a text starting with `=`) becomes a text cell (data type `s`) unless
  the writer put it there on purpose with `formula()`; every text cell starting with one of
  `= + - @`, a tab or a carriage return also gets Excel's quote prefix, so that editing the cell in
  Excel keeps it text. Numbers stay numbers (a negative amount is a number, not text).
- **csv**: `csv_field(value)` follows the OWASP convention: a text field starting with one of those
  characters is written with a leading `'` (which Excel and LibreOffice show and never evaluate);
  numbers (int, float, Decimal) are written as they are, so `-2.5` stays a number.

`xlsx_value(value)` also drops the control characters an .xlsx cannot hold (openpyxl refuses them),
so that a stray `\\x01` in a document cannot make an export fail.
"""

from __future__ import annotations

import io
import re
import weakref
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# what openpyxl refuses in a cell (XML 1.0 forbids these control characters)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# the formula cells each workbook's writer put there on purpose (by the cell's id, alive as long as
# the workbook holds the cell)
_INTENDED: weakref.WeakKeyDictionary[Workbook, set[int]] = weakref.WeakKeyDictionary()


def formula_like(text: str) -> bool:
    """True when a spreadsheet would read `text` typed into a cell as a formula (or a DDE call)."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_field(value: Any) -> str:
    """A CSV field: empty for None, numbers as they are (a Decimal as printed: 6.80 stays 6.80), text
    with a leading `'` when it starts with `= + - @`, a tab or a carriage return."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if formula_like(text) else text


def xlsx_value(value: Any) -> Any:
    """A value for an openpyxl cell: text without the control characters a workbook cannot hold;
    anything else unchanged."""
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub("", value)
    return value


def put_text(cell: Cell, value: Any) -> Cell:
    """Set a cell's value; text is always a text cell (never a formula), quote-prefixed when it starts
    like one."""
    value = xlsx_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    return cell


def formula(cell: Cell, text: str) -> Cell:
    """Put a formula that the writer wrote (not data) into a cell; `workbook_bytes` keeps it."""
    if not text.startswith("="):
        raise ValueError(f"not a formula: {text!r}")
    cell.value = text
    wb = cell.parent.parent
    _INTENDED.setdefault(wb, set()).add(id(cell))
    return cell


def neutralise(wb: Workbook) -> int:
    """Turn every formula cell not put there by `formula()` into a text cell, and quote-prefix every
    text cell that starts like a formula. Returns how many formula cells were turned into text."""
    keep = _INTENDED.get(wb, set())
    turned = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell, Cell):  # a merged cell's covered positions hold no value
                    continue
                if cell.data_type == "f":
                    if id(cell) in keep:
                        continue
                    cell.data_type = "s"
                    turned += 1
                if cell.data_type == "s" and isinstance(cell.value, str) and formula_like(cell.value):
                    cell.quotePrefix = True
    return turned


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of a workbook, after `neutralise`: the one way jixiao saves a workbook."""
    neutralise(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
