"""Read a Word .docx into a cell stream: body paragraphs and tables in document order.

Logical cells: a horizontally merged cell (w:gridSpan, legacy w:hMerge) appears once; a vertically
merged continuation (w:vMerge without "restart") appears as an empty cell, so the columns of the
rows below a merged 一级指标 cell stay aligned. The text of a cell is its paragraphs (and those of
any table nested in it) joined with "\n". Headers, footers, deleted text (tracked changes) and
hidden text are not read. Every top-level table gets its own id; a table continued on the next
page, as a second table or with a repeated header row, is just more rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.ingest.zipsafe import DOCUMENT, open_package
from jixiao.model import Location

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W}}}"

# elements that only wrap content (content controls, custom XML, smart tags, tracked insertions)
_WRAPPERS = {_W + t for t in ("sdt", "sdtContent", "customXml", "smartTag", "ins", "hyperlink", "fldSimple")}
# elements whose content is not part of the visible text
_SKIP = {_W + t for t in ("del", "moveFrom", "sdtPr", "sdtEndPr", "pPr", "rPr", "tblPr", "trPr", "tcPr",
                          "tblGrid", "instrText", "delText", "footnoteReference", "commentReference")}
_SKIP.add(f"{{{MC}}}Fallback")


def read_docx(data: bytes, name: str) -> CellStream:
    """The blocks of a .docx document (see the module docstring)."""
    open_package(data, name, ".docx", "word/document.xml")
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except ReadError:
        raise
    except Exception as e:  # python-docx raises KeyError, ValueError, lxml errors ... on bad packages
        raise ReadError(name, f"not a readable Word document: {type(e).__name__}: {e}", DOCUMENT) from e
    if body is None:
        raise ReadError(name, "not a readable Word document: it has no body", DOCUMENT)
    stream = CellStream(source=name, layout="docx")
    reader = _BodyReader(stream.blocks)
    reader.read(body)
    return stream


class _BodyReader:
    def __init__(self, out: list[Block]) -> None:
        self.out = out
        self.n_para = 0
        self.n_table = 0

    def read(self, body: etree._Element) -> None:
        for el in _content_children(body):
            tag = el.tag
            if tag == _W + "p":
                self.n_para += 1
                text = paragraph_text(el).strip()
                if text:
                    self.out.append(Para(text, Location(cell=f"paragraph {self.n_para}")))
            elif tag == _W + "tbl":
                self.n_table += 1
                self._table(el, self.n_table)

    def _table(self, tbl: etree._Element, tid: int) -> None:
        n_row = 0
        for tr in _content_children(tbl):
            if tr.tag != _W + "tr" or _row_deleted(tr):
                continue
            n_row += 1
            where = f"table {tid} row {n_row}"
            cells: list[Cell] = []
            for tc in _content_children(tr):
                if tc.tag != _W + "tc":
                    continue
                merge = _vmerge(tc)
                if _hmerge_continue(tc):
                    continue
                col = len(cells) + 1
                text = "" if merge == "continue" else cell_text(tc)
                cells.append(Cell(text, Location(cell=f"{where} col {col}")))
            self.out.append(Row(cells, Location(cell=where), table=tid))


def _content_children(el: etree._Element) -> Iterator[etree._Element]:
    """Children of `el`, looking through content controls and other wrappers."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in _WRAPPERS:
            yield from _content_children(child)
        else:
            yield child


def _row_deleted(tr: etree._Element) -> bool:
    pr = tr.find(_W + "trPr")
    return pr is not None and pr.find(_W + "del") is not None


def _vmerge(tc: etree._Element) -> str | None:
    pr = tc.find(_W + "tcPr")
    if pr is None:
        return None
    vm = pr.find(_W + "vMerge")
    if vm is None:
        return None
    val = vm.get(_W + "val")
    return "restart" if val == "restart" else "continue"


def _hmerge_continue(tc: etree._Element) -> bool:
    pr = tc.find(_W + "tcPr")
    if pr is None:
        return False
    hm = pr.find(_W + "hMerge")
    return hm is not None and hm.get(_W + "val") != "restart"


def _hidden(run: etree._Element) -> bool:
    pr = run.find(_W + "rPr")
    if pr is None:
        return False
    v = pr.find(_W + "vanish")
    return v is not None and v.get(_W + "val") not in ("0", "false", "off")


def paragraph_text(p: etree._Element) -> str:
    """The visible text of a w:p (runs, tabs, line breaks; no deleted or hidden text)."""
    parts: list[str] = []
    _collect(p, parts)
    return "".join(parts)


def _collect(el: etree._Element, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _W + "r":
            if not _hidden(child):
                _collect(child, parts)
        elif tag == _W + "t":
            parts.append(child.text or "")
        elif tag == _W + "tab" or tag == _W + "ptab":
            parts.append("\t")
        elif tag == _W + "br":
            if child.get(_W + "type") not in ("page", "column"):
                parts.append("\n")
        elif tag == _W + "cr":
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag == _W + "p":  # paragraphs inside text boxes
            if parts and not parts[-1].endswith("\n"):
                parts.append("\n")
            _collect(child, parts)
        else:
            _collect(child, parts)


def cell_text(tc: etree._Element) -> str:
    """A cell's paragraphs (and nested tables' paragraphs) joined with "\\n"."""
    lines: list[str] = []
    _cell_lines(tc, lines)
    return "\n".join(lines).strip()


def _cell_lines(el: etree._Element, lines: list[str]) -> None:
    for child in _content_children(el):
        if child.tag == _W + "p":
            lines.append(paragraph_text(child))
        elif child.tag in (_W + "tbl", _W + "tr", _W + "tc"):
            _cell_lines(child, lines)
