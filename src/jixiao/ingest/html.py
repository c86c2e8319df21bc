"""Read an HTML page into a cell stream with lxml.html (no network, no external entities).

`<table>` rows become `Row` blocks: a cell with colspan once, the rows below a rowspan cell with an
empty cell in its place (as the .docx reader does). Text outside tables becomes `Para` blocks, one
per block element (p, div, h1–h6, li, …) or `<br>`-separated line. A cell's text keeps its
paragraphs and `<br>` breaks as "\\n". A table that holds other tables and is at most three cells
wide is a layout table (common on government sites): its cells are read as page flow, so the data
tables inside are found; a wider table is data, and a table nested in one of its cells is text
of that cell. Script,
style and other non-content elements are skipped.

Encoding: a BOM; else UTF-8 when the bytes are valid UTF-8; else the charset of a `<meta>` tag
(GB2312/GBK read as GB18030); else GB18030.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml import html as lxml_html

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.ingest.limits import MAX_CELLS, MAX_COLUMNS, MAX_SPAN
from jixiao.model import Location

DOCUMENT = Location(line=1)  # a whole-file problem: reported as `FILE: line 1: message`

_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "aside",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "center",
    "hr",
    "caption",
    "body",
    "html",
    "tr",
    "td",
    "th",
}
_SKIP = {
    "script",
    "style",
    "head",
    "title",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "select",
    "option",
    "button",
    "svg",
    "math",
    "canvas",
}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_WS = re.compile(r"[ \t\r\n\f\u00a0]+")


def decode_html(data: bytes) -> str:
    """The page as text: BOM, then valid UTF-8, then <meta charset>, then GB18030."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace")
    try:
        # valid UTF-8 with non-ASCII text is UTF-8 whatever a copied <meta> says (GBK text almost
        # never forms valid UTF-8 sequences)
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META.search(data[:4096])
    if m:
        declared = _normalise_encoding(m.group(1).decode("ascii", "ignore"))
        if declared and declared not in ("utf-8", "ascii"):
            try:
                return data.decode(declared)
            except UnicodeDecodeError:
                pass  # a wrong declaration: fall back to GB18030
    return data.decode("gb18030", errors="replace")


def _normalise_encoding(label: str) -> str | None:
    low = label.strip().lower()
    if low in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "gb18030"):
        return "gb18030"
    try:
        return codecs.lookup(low).name
    except LookupError:
        return None


def read_html(data: bytes, name: str) -> CellStream:
    """The blocks of an HTML page (see the module docstring)."""
    text = decode_html(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # an XML declaration is not allowed in a str parse
    if not text.strip():
        raise ReadError(name, "HTML 页面为空", DOCUMENT)
    parser = lxml_html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, recover=True, huge_tree=False
    )
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError) as e:
        raise ReadError(name, f"不是可读取的 HTML 页面（{type(e).__name__}）", DOCUMENT) from e
    stream = CellStream(source=name, layout="html")
    try:
        _Walker(stream.blocks, CellBudget(name)).walk(root)
    except RecursionError as e:
        raise ReadError(name, "拒绝读取：HTML 页面的元素嵌套过深", DOCUMENT) from e
    if not stream.blocks:
        raise ReadError(name, "HTML 页面中没有文字", DOCUMENT)
    return stream


class CellBudget:
    """The logical cells of one document's tables, capped (a page of row spans must not make
    millions of continuation cells)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells = 0

    def spend(self, n: int, loc: Location) -> None:
        self.cells += n
        if self.cells > MAX_CELLS:
            raise ReadError(
                self.name, f"拒绝读取：表格单元格总数超过 {MAX_CELLS} 个的上限（到 {loc} 为止）", loc
            )


class _Walker:
    def __init__(self, out: list[Block], budget: CellBudget | None = None) -> None:
        self.out = out
        self.budget = budget
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.n_table = 0

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        if text:
            self.out.append(Para(text, Location(line=self.buf_line)))
        self.buf = []
        self.buf_line = None

    def add(self, s: str | None, line: int | None) -> None:
        if s:
            if self.buf_line is None and s.strip():
                self.buf_line = line
            self.buf.append(s)

    def walk(self, el: etree._Element) -> None:
        self._walk(el)
        self.flush()

    def _walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP or not isinstance(el.tag, str):
            self.add(el.tail, el.sourceline)
            return
        if tag == "table":
            self.flush()
            if is_layout_table(el):
                self._layout_table(el)
            else:
                self.n_table += 1
                self.out.extend(table_rows(el, self.n_table, self.budget))
            self.add(el.tail, el.sourceline)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if tag == "br":
            self.flush()
        self.add(el.text, el.sourceline)
        for child in el:
            self._walk(child)
        if block:
            self.flush()
        self.add(el.tail, el.sourceline)

    def _layout_table(self, table: etree._Element) -> None:
        for child in table:
            self._walk_layout(child)

    def _walk_layout(self, el: etree._Element) -> None:
        if not isinstance(el.tag, str):
            return
        tag = el.tag.lower()
        if tag in ("thead", "tbody", "tfoot", "tr"):
            for child in el:
                self._walk_layout(child)
        elif tag in ("td", "th"):
            self.flush()
            self.add(el.text, el.sourceline)
            for child in el:
                self._walk(child)
            self.flush()
        elif tag == "caption":
            self._walk(el)


LAYOUT_MAX_COLUMNS = 3


def is_layout_table(table: etree._Element) -> bool:
    """A table that holds other tables and is at most LAYOUT_MAX_COLUMNS cells wide: page layout."""
    if table.find(".//table") is None:
        return False
    widest = max(
        (
            sum(1 for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th"))
            for tr in _rows_of(table)
        ),
        default=0,
    )
    return widest <= LAYOUT_MAX_COLUMNS


def _rows_of(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if isinstance(c.tag, str) and c.tag.lower() == "tr")
    return rows


def _int_attr(el: etree._Element, attr: str) -> int:
    try:
        v = int(str(el.get(attr, "1")).strip() or "1")
    except ValueError:
        return 1
    return max(0, min(v, MAX_SPAN))


def table_rows(table: etree._Element, tid: int, budget: CellBudget | None = None) -> list[Row]:
    """The rows of one data table as logical cells (colspan once, rowspan continuation empty).

    A row of more than MAX_COLUMNS cells, or cells past the document's budget, is a ReadError
    naming the table row (spans are clamped to MAX_SPAN and to the rows the table has)."""
    rows = _rows_of(table)
    out: list[Row] = []
    pending: dict[int, list[int]] = {}  # grid column → [rows still covered, colspan]
    for rno, tr in enumerate(rows, 1):
        where = f"table {tid} row {rno}"
        cells: list[Cell] = []
        col = 0

        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while col in pending:  # rowspans from above that sit at this column
                left, span = pending[col]
                cells.append(Cell("", Location(line=tr.sourceline, cell=f"{where} col {len(cells) + 1}")))
                if left <= 1:
                    del pending[col]
                else:
                    pending[col][0] = left - 1
                col += span
            span = _int_attr(td, "colspan") or 1
            rowspan = _int_attr(td, "rowspan")
            if rowspan == 0 or rowspan > len(rows) - rno + 1:
                rowspan = len(rows) - rno + 1
            cells.append(
                Cell(cell_text(td), Location(line=td.sourceline, cell=f"{where} col {len(cells) + 1}"))
            )
            if rowspan > 1:
                pending[col] = [rowspan - 1, span]
            col += span
        # rowspans from above that sit to the right of this row's last cell
        for c in sorted(k for k in pending if k >= col):
            if c not in pending:
                continue
            left, span = pending[c]
            cells.append(Cell("", Location(line=tr.sourceline, cell=f"{where} col {len(cells) + 1}")))
            if left <= 1:
                del pending[c]
            else:
                pending[c][0] = left - 1
        if len(cells) > MAX_COLUMNS:
            loc = Location(line=tr.sourceline, cell=where)
            raise ReadError(
                budget.name if budget else "",
                f"拒绝读取：{where} 有 {len(cells)} 个单元格，超过 {MAX_COLUMNS} 列的上限",
                loc,
            )
        if cells:
            if budget is not None:
                budget.spend(len(cells), Location(line=tr.sourceline, cell=where))
            out.append(Row(cells, Location(line=tr.sourceline, cell=where), table=tid))
    return out


def cell_text(td: etree._Element) -> str:
    """A cell's text: whitespace collapsed as a browser does, paragraphs and <br> as "\\n"."""
    lines: list[str] = []
    cur: list[str] = []

    def brk() -> None:
        line = _WS.sub(" ", "".join(cur)).strip()
        if line:
            lines.append(line)
        cur.clear()

    def walk(el: etree._Element, top: bool) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:
            if not top and el.tail:
                cur.append(el.tail)
            return
        if tag == "br":
            brk()
        elif tag in _BLOCK and not top:
            brk()
        if el.text:
            cur.append(el.text)
        for child in el:
            walk(child, False)
        if tag in _BLOCK and not top:
            brk()
        if not top and el.tail:
            cur.append(el.tail)

    walk(td, True)
    brk()
    return "\n".join(lines)
