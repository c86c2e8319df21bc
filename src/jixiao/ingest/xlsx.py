"""Read an Excel .xlsx into a cell stream with openpyxl (cached values, data_only=True).

Each visible sheet is read row by row. Fully blank rows separate tables: every block of non-blank
rows gets its own table id, and its rows span the block's used columns (so a blank cell inside
the block is kept as an empty cell). A merged range keeps its value in the top-left cell only; the
other cells of the range are empty. Numbers are written as the sheet prints them: 6.8 with the
format 0.00 is "6.80", 0.25 with 0% is "25%", #,##0.00 gives "1,234.50", a date with a 年月日
format "2024年12月31日". Locations are Excel references: `Sheet1!B7`.

The workbook is streamed read-only; merged ranges come from the sheets' XML, so a value that a
writer left in a covered cell is not read either.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lxml import etree
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from jixiao.ingest.cells import Cell, CellStream, ReadError, Row
from jixiao.ingest.limits import MAX_CELLS, MAX_COLUMNS, MAX_SHEET_AREA
from jixiao.ingest.zipsafe import DOCUMENT, ZIP_ERRORS, open_package
from jixiao.model import Location


def read_xlsx(data: bytes, name: str) -> CellStream:
    """The rows of every visible sheet (see the module docstring)."""
    zf = open_package(data, name, ".xlsx", "xl/workbook.xml")
    try:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ReadError:
        raise
    except Exception as e:  # openpyxl raises KeyError, ValueError, lxml errors ... on bad packages
        raise ReadError(name, f"不是可读取的 Excel 工作簿（{type(e).__name__}）", DOCUMENT) from e
    stream = CellStream(source=name, layout="xlsx")
    table_id = 0
    budget = _Budget(name)
    try:
        paths = _sheet_paths(zf)
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            shape = _scan_sheet(zf, paths.get(ws.title), ws.title, name)
            if not shape.max_row:
                continue  # no cell holds a value
            ws.reset_dimensions()  # some writers record a wrong used range (e.g. A1): read every row
            table_id = _read_sheet(ws, shape, stream, table_id, budget)
    except ReadError:
        raise
    except Exception as e:
        raise ReadError(name, f"无法读取工作簿（{type(e).__name__}）", DOCUMENT) from e
    finally:
        wb.close()
    if not stream.blocks:
        raise ReadError(name, "工作簿中没有任何有内容的单元格", DOCUMENT)
    return stream


# The workbook is streamed read-only: openpyxl's full load formats every merged range cell by cell
# (seconds for a sheet of a few hundred merges). Merged ranges are read from the sheet XML instead.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its part name in the package."""
    book = etree.fromstring(zf.read("xl/workbook.xml"), _PARSER)
    try:
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"), _PARSER)
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_PKG_REL}}}Relationship")}
    out: dict[str, str] = {}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_DOC_REL}}}id"), "")
        if target:
            out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


@dataclass
class _Shape:
    """What a sheet holds, from one streaming pass over its XML before openpyxl reads it."""

    max_row: int = 0  # the last row and column holding a value (styled empty cells do not count)
    max_col: int = 0
    # (min_row, min_col, max_row, max_col) of every merged range
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


_C, _ROW, _MERGE = (f"{{{_MAIN}}}{t}" for t in ("c", "row", "mergeCell"))
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _scan_sheet(zf: zipfile.ZipFile, path: str | None, title: str, name: str) -> _Shape:
    """The used range and merged ranges of a sheet; a sheet past the caps (columns, rows × columns)
    is refused naming the first cell outside them. Without the sheet's part (a package without
    relationships), openpyxl's stated dimensions are trusted to the same caps by `_read_sheet`."""
    if not path:
        return _Shape(max_row=-1)
    shape = _Shape()
    row_no = 0
    col_no = 0
    try:
        with zf.open(path) as f:
            for event, el in etree.iterparse(
                f,
                events=("start", "end"),
                tag=(_C, _ROW, _MERGE),
                resolve_entities=False,
                no_network=True,
                huge_tree=False,
            ):
                tag = el.tag
                if tag == _ROW:
                    if event == "start":
                        r = el.get("r")
                        row_no = int(r) if r and r.isdigit() else row_no + 1
                        col_no = 0
                    else:
                        el.clear()
                        while el.getprevious() is not None:
                            del el.getparent()[0]
                    continue
                if event != "end":
                    continue
                if tag == _MERGE:
                    ref = el.get("ref", "")
                    if ":" in ref:
                        try:
                            c1, r1, c2, r2 = range_boundaries(ref)
                        except (ValueError, TypeError):
                            continue
                        if None not in (c1, r1, c2, r2):
                            shape.merged.append((r1, c1, r2, c2))
                    el.clear()
                    continue
                m = _REF.match(el.get("r") or "")
                if m:
                    col_no = column_index_from_string(m.group(1).upper())
                    row = int(m.group(2))
                else:
                    col_no += 1
                    row = row_no
                if any(ch.text or len(ch) for ch in el):  # <v>, <f> or <is> with content
                    _check_shape(shape, row, col_no, title, name)
                el.clear()
    except ReadError:
        raise
    except (KeyError, etree.XMLSyntaxError, ValueError, TypeError, *ZIP_ERRORS) as e:
        raise ReadError(
            name,
            f"工作表“{title}”已损坏，无法读取（{type(e).__name__}）",
            Location(cell=f"{title}!A1"),
        ) from e
    return shape


def _check_shape(shape: _Shape, row: int, col: int, title: str, name: str) -> None:
    if col > MAX_COLUMNS:
        where = f"{title}!{get_column_letter(min(col, 16384))}{row}"
        raise ReadError(
            name, f"拒绝读取：单元格 {where} 超出列数上限（{MAX_COLUMNS} 列）", Location(cell=where)
        )
    shape.max_row = max(shape.max_row, row)
    shape.max_col = max(shape.max_col, col)
    if shape.max_row * shape.max_col > MAX_SHEET_AREA:
        where = f"{title}!{get_column_letter(col)}{row}"
        raise ReadError(
            name,
            f"拒绝读取：工作表“{title}”的已用区域 A1:{get_column_letter(shape.max_col)}"
            f"{shape.max_row} 超过 {MAX_SHEET_AREA} 个单元格的上限（到 {where} 为止）",
            Location(cell=where),
        )


class _Budget:
    """Logical cells of the whole workbook, capped."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells = 0

    def spend(self, n: int, where: str) -> None:
        self.cells += n
        if self.cells > MAX_CELLS:
            raise ReadError(
                self.name,
                f"拒绝读取：表格单元格总数超过 {MAX_CELLS} 个的上限（到 {where} 为止）",
                Location(cell=where),
            )


def _clamped(shape: _Shape, title: str, name: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges cut to the used range; merges covering more rows than the sheet has cells
    (they would overlap, which Excel never writes) are refused."""
    if shape.max_row <= 0:
        return shape.merged[: MAX_SHEET_AREA // MAX_COLUMNS]
    out: list[tuple[int, int, int, int]] = []
    rows = 0
    for r1, c1, r2, c2 in shape.merged:
        if r1 > shape.max_row or c1 > shape.max_col:
            continue
        rng = (r1, c1, min(r2, shape.max_row), min(c2, shape.max_col))
        rows += rng[2] - r1 + 1
        if rows > MAX_SHEET_AREA:
            where = f"{title}!{get_column_letter(c1)}{r1}"
            raise ReadError(
                name,
                f"拒绝读取：工作表“{title}”的合并单元格相互重叠、数量过多（到 {where} 为止）",
                Location(cell=where),
            )
        out.append(rng)
    return out


class _Covered:
    """Is a cell inside a merged range but not its top-left cell?"""

    TALL = 1000  # ranges taller than this are checked for every row rather than indexed by row

    def __init__(self, ranges: list[tuple[int, int, int, int]]) -> None:
        self.by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        self.tall: list[tuple[int, int, int, int]] = []
        for rng in ranges:
            r1, _, r2, _ = rng
            if r2 - r1 > self.TALL:
                self.tall.append(rng)
            else:
                for r in range(r1, r2 + 1):
                    self.by_row.setdefault(r, []).append(rng)

    def __call__(self, r: int, c: int) -> bool:
        for r1, c1, r2, c2 in itertools.chain(self.by_row.get(r, ()), self.tall):
            if r1 <= r <= r2 and c1 <= c <= c2:
                return (r, c) != (r1, c1)
        return False


def _read_sheet(ws: Any, shape: _Shape, stream: CellStream, table_id: int, budget: _Budget) -> int:
    title = ws.title
    covered = _Covered(_clamped(shape, title, budget.name))
    block: list[tuple[int, dict[int, str]]] = []

    def flush() -> None:
        nonlocal table_id
        if not block:
            return
        table_id += 1
        lo = min(min(cols) for _, cols in block)
        hi = max(max(cols) for _, cols in block)
        budget.spend(len(block) * (hi - lo + 1), _ref(title, hi, block[-1][0]))
        for r, cols in block:
            cells = [Cell(cols.get(c, ""), Location(cell=f"{_ref(title, c, r)}")) for c in range(lo, hi + 1)]
            where = f"{_ref(title, lo, r)}:{get_column_letter(hi)}{r}"
            stream.blocks.append(Row(cells, Location(cell=where), table=table_id))
        block.clear()

    if shape.max_row > 0:  # stop at the last value: openpyxl pads every row to the width asked for
        rows = ws.iter_rows(min_row=1, max_row=shape.max_row, min_col=1, max_col=shape.max_col)
    else:  # no sheet part to scan: openpyxl's dimensions, to the same caps
        rows = ws.iter_rows(max_row=MAX_SHEET_AREA // MAX_COLUMNS, max_col=MAX_COLUMNS)
    for row in rows:
        texts: dict[int, str] = {}
        rno = None
        for cell in row:
            if getattr(cell, "value", None) is None:
                continue
            rno, col = cell.row, cell.column
            if covered(rno, col):
                continue
            text = format_cell(cell)
            if text.strip():
                texts[col] = text
        if texts and rno is not None:
            block.append((rno, texts))
        else:
            flush()
    flush()
    return table_id


def _ref(sheet: str, col: int, row: int) -> str:
    return f"{sheet}!{get_column_letter(col)}{row}"


# ---------------------------------------------------------------- values as printed

_QUOTED = re.compile(r'"([^"]*)"')


def format_cell(cell: Any) -> str:
    """The text Excel shows for a cell value under its number format (the common formats)."""
    v = cell.value
    fmt = getattr(cell, "number_format", "General") or "General"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return format_date(v, fmt)
    if isinstance(v, int | float | Decimal):
        return format_number(v, fmt)
    return str(v)


def format_number(v: int | float | Decimal, fmt: str) -> str:
    section = _section(fmt, v)
    if section.strip().lower() in ("general", "", "@"):
        return _general(v)
    negative = v < 0
    if negative and ";" in fmt:
        v = -v  # the negative section prints its own sign (or parentheses)
        negative = False
    prefix, core, suffix = _split_literals(section)
    if not core:
        return prefix + suffix
    if "e" in core.lower():
        return _general(v)
    d = Decimal(str(v))
    if "%" in section.replace('"%"', ""):
        d *= 100
    decimals = 0
    if "." in core:
        decimals = sum(1 for ch in core.split(".", 1)[1] if ch in "0#?")
    try:
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return _general(v)
    body = f"{abs(q):,.{decimals}f}" if "," in core else f"{abs(q):.{decimals}f}"
    if "." in core and decimals and all(ch == "#" for ch in core.split(".", 1)[1] if ch in "0#?"):
        body = body.rstrip("0").rstrip(".")
    sign = "-" if (negative or q < 0) else ""
    return f"{prefix}{sign}{body}{suffix}"


def _section(fmt: str, v: Any) -> str:
    parts = fmt.split(";")
    if len(parts) > 1 and v < 0:
        return parts[1]
    if len(parts) > 2 and v == 0:
        return parts[2]
    return parts[0]


def _split_literals(section: str) -> tuple[str, str, str]:
    """Split a format section into literal prefix, the number pattern, literal suffix."""
    s = re.sub(r"\[[^\]]*\]", "", section)  # colours, conditions, locales
    s = re.sub(r"_.", "", s)  # spacing
    s = re.sub(r"\*.", "", s)  # fills
    out: list[tuple[bool, str]] = []  # (is literal, text)
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == '"':
            j = s.find('"', i + 1)
            j = len(s) if j < 0 else j
            out.append((True, s[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(s):
            out.append((True, s[i + 1]))
            i += 2
        elif ch in "0#?.,":
            out.append((False, ch))
            i += 1
        elif ch == "%":
            out.append((True, "%"))
            i += 1
        else:
            out.append((True, ch))
            i += 1
    first = next((k for k, (lit, _) in enumerate(out) if not lit), None)
    if first is None:
        return "".join(t for _, t in out), "", ""
    last = max(k for k, (lit, _) in enumerate(out) if not lit)
    prefix = "".join(t for _, t in out[:first])
    core = "".join(t for _, t in out[first : last + 1])
    suffix = "".join(t for _, t in out[last + 1 :])
    return prefix, core, suffix


def _general(v: int | float | Decimal) -> str:
    if isinstance(v, int):
        return str(v)
    d = Decimal(str(v))
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 15:
        return str(int(d))
    # Excel's General shows up to about 11 significant characters
    s = f"{float(v):.10g}"
    return s


def format_date(v: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    f = _QUOTED.sub(lambda m: m.group(1), fmt.split(";")[0])
    f = re.sub(r"\[[^\]]*\]", "", f).replace("\\", "")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S" if v.second else "%H:%M")
    d = v.date() if isinstance(v, dt.datetime) else v
    if "年" in f or "月" in f or "日" in f:
        out = ""
        if "y" in f.lower():
            out += f"{d.year}年"
        if "m" in f.lower():
            out += f"{d.month}月"
        if "d" in f.lower():
            out += f"{d.day}日"
        return out
    if isinstance(v, dt.datetime) and (v.hour or v.minute or v.second):
        return v.isoformat(sep=" ")
    return d.isoformat()
