"""Read a Word .docx into a cell stream: body paragraphs and tables in document order.

Logical cells: a horizontally merged cell (w:gridSpan, legacy w:hMerge) appears once; a vertically
merged continuation (w:vMerge without "restart") appears as an empty cell, so the columns of the
rows below a merged 一级指标 cell stay aligned. The text of a cell is its paragraphs (and those of
any table nested in it) joined with "\n". Headers, footers, deleted text (tracked changes) and
hidden text are not read. Every top-level table gets its own id; a table continued on the next
page, as a second table or with a repeated header row, is just more rows. A table of contents
(a TOC field) is not read: it repeats the headings with page numbers. An imported HTML or MHT chunk
(w:altChunk, as some web systems write .docx files) is read with the HTML reader in its place.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator

from lxml import etree

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.ingest.limits import MAX_XML_BYTES, MAX_XML_NODES
from jixiao.ingest.zipsafe import DOCUMENT, open_package_part, read_part
from jixiao.model import Location

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W}}}"
_DOCUMENT_XML = "word/document.xml"

# elements that only wrap content (content controls, custom XML, smart tags, tracked insertions)
_WRAPPERS = {_W + t for t in ("sdt", "sdtContent", "customXml", "smartTag", "ins", "hyperlink", "fldSimple")}
# elements whose content is not part of the visible text
_SKIP = {
    _W + t
    for t in (
        "del",
        "moveFrom",
        "sdtPr",
        "sdtEndPr",
        "pPr",
        "rPr",
        "tblPr",
        "trPr",
        "tcPr",
        "tblGrid",
        "instrText",
        "delText",
        "footnoteReference",
        "commentReference",
    )
}
_SKIP.add(f"{{{MC}}}Fallback")


def read_docx(data: bytes, name: str) -> CellStream:
    """The blocks of a .docx document (see the module docstring)."""
    zf, checked = open_package_part(data, name, ".docx", _DOCUMENT_XML)
    part = main_part(zf)
    if part == _DOCUMENT_XML:
        xml = checked  # decompressed (and its CRC checked) once, by the package check
    else:
        try:
            xml = read_part(zf, part, name, ".docx")
        except KeyError as e:
            raise ReadError(name, f"不是 Word 文档：zip 压缩包中没有 {part}", DOCUMENT) from e
    root = _parse_main(xml, part, name)
    body = root.find(_W + "body")
    if body is None:
        raise ReadError(name, "不是可读取的 Word 文档：文档没有正文（w:body）", DOCUMENT)
    stream = CellStream(source=name, layout="docx")
    read = [0]  # bytes of imported chunks read so far: a chunk may be referenced many times
    reader = _BodyReader(stream.blocks, lambda rid: _alt_chunk(zf, part, rid, name, read))
    if next(root.iter(*_HIDING), None) is None:
        reader.text_of = _plain_paragraph_text  # nothing deleted, moved or hidden anywhere
        if next(root.iter(_TEXT_BOX, _ALTERNATE), None) is None:
            reader.cell_text = _plain_cell_text  # and no paragraph inside another one
            reader.one_walk = True
    reader.read(body)
    if not stream.blocks:
        raise ReadError(name, "Word 文档中没有文字", DOCUMENT)
    return stream


def _parse_main(xml: bytes, part: str, name: str) -> etree._Element:
    """The main part as a tree, refused before parsing when it has more elements than MAX_XML_NODES
    (every "<" opens or closes one: counting them costs milliseconds, the tree ~150 bytes each)."""
    nodes = xml.count(b"<") // 2
    if nodes > MAX_XML_NODES:
        raise ReadError(
            name, f"拒绝读取：{part} 约有 {nodes} 个元素，超过 {MAX_XML_NODES} 个的上限", DOCUMENT
        )
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        raise ReadError(name, f"不是可读取的 Word 文档：{part} 第 {e.lineno} 行格式错误", DOCUMENT) from e


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _alt_chunk(
    zf: zipfile.ZipFile, part: str, rid: str, name: str, read: list[int] | None = None
) -> list[Block]:
    """The blocks of an imported HTML/MHT chunk (w:altChunk), as some web systems write .docx files."""
    folder, _, base = part.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    try:
        rels = etree.fromstring(zf.read(rels_name), _PARSER)
    except Exception:
        return []
    found = [r.get("Target", "") for r in rels.iter(f"{{{_REL_NS}}}Relationship") if r.get("Id") == rid]
    target = found[0] if found else ""
    if not target or "://" in target:
        return []  # an external chunk is never fetched
    path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}" if folder else target
    try:
        data = zf.read(path)
    except Exception:
        return []
    low = path.lower()
    if low.endswith((".mht", ".mhtml")) or data[:200].lstrip().lower().startswith(b"mime-version"):
        data = _html_from_mht(data)
    elif not low.endswith((".htm", ".html", ".xhtml")):
        return []  # RTF or another Word document: not read
    from jixiao.ingest.html import read_html

    if read is not None:
        read[0] += len(data)
        if read[0] > MAX_XML_BYTES:
            limit = MAX_XML_BYTES // (1 << 20)
            raise ReadError(name, f"拒绝读取：导入的 HTML 片段（altChunk）共超过 {limit} MB", DOCUMENT)
    try:
        return read_html(data, name).blocks
    except ReadError:
        return []


def _html_from_mht(data: bytes) -> bytes:
    import email

    msg = email.message_from_bytes(data)
    for sub in msg.walk():
        if sub.get_content_type() == "text/html":
            payload = sub.get_payload(decode=True)
            if isinstance(payload, bytes):
                charset = sub.get_content_charset()
                if charset:
                    try:
                        return payload.decode(charset).encode("utf-8")
                    except (LookupError, UnicodeDecodeError):
                        pass
                return payload
    return b""


# the main document part is read with plain lxml (no DTDs, no entities, no network): python-docx would
# load every part of the package with its own element classes, three times slower, to read one
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def main_part(zf: zipfile.ZipFile) -> str:
    """The name of the main document part (from _rels/.rels; word/document.xml by convention)."""
    try:
        rels = etree.fromstring(zf.read("_rels/.rels"), _PARSER)
    except Exception:
        return "word/document.xml"
    for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            target = rel.get("Target", "").lstrip("/")
            if target in zf.namelist():
                return target
    return "word/document.xml"


class _BodyReader:
    def __init__(self, out: list[Block], alt_chunk: Callable[[str], list[Block]]) -> None:
        self.out = out
        self.alt_chunk = alt_chunk
        self.n_para = 0
        self.n_table = 0
        self.n_chunk = 0
        self.text_of: Callable[[etree._Element], str] = paragraph_text
        self.cell_text: Callable[[etree._Element], str] | None = None
        self.one_walk = False  # tables read by `_plain_table_rows` (set with cell_text=_plain_cell_text)

    def read(self, body: etree._Element) -> None:
        toc_depth = 0  # inside a TOC field: the table of contents repeats headings with page numbers
        for el in _content_children(body):
            tag = el.tag
            if tag == _W + "p":
                self.n_para += 1
                starts_toc = toc_depth == 0 and _TOC_INSTR(el)
                if toc_depth or starts_toc:
                    toc_depth = max(0, toc_depth + _field_balance(el))
                    continue
                text = self.text_of(el).strip()
                if text:
                    self.out.append(Para(text, Location(cell=f"paragraph {self.n_para}")))
            elif tag == _W + "tbl":
                self.n_table += 1
                self._table(el, self.n_table)
            elif tag == _W + "altChunk":
                self._chunk(el)

    def _chunk(self, el: etree._Element) -> None:
        self.n_chunk += 1
        tables: dict[int | None, int] = {}
        for b in self.alt_chunk(el.get(f"{{{_R}}}id", "")):
            where = f"altChunk {self.n_chunk} {b.loc}"
            if isinstance(b, Row):
                if b.table not in tables:
                    self.n_table += 1
                    tables[b.table] = self.n_table
                b.table = tables[b.table]
                for c in b.cells:
                    c.loc = Location(cell=f"altChunk {self.n_chunk} {c.loc}")
            b.loc = Location(cell=where)
            self.out.append(b)

    def _table(self, tbl: etree._Element, tid: int) -> None:
        if self.one_walk:
            self.out.extend(_plain_table_rows(tbl, tid))
            return
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
                v_continued, h_continued = _merge_state(tc)
                if h_continued:
                    continue
                col = len(cells) + 1
                if v_continued:
                    text = ""
                elif self.cell_text is not None:
                    text = self.cell_text(tc)
                else:
                    text = cell_text(tc, self.text_of)
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


_TCPR, _VMERGE, _HMERGE, _VAL = _W + "tcPr", _W + "vMerge", _W + "hMerge", _W + "val"


def _merge_state(tc: etree._Element) -> tuple[bool, bool]:
    """(vertical continuation, legacy horizontal continuation) of a w:tc."""
    pr = tc[0] if len(tc) and tc[0].tag == _TCPR else None
    if pr is None:
        return False, False
    v = h = False
    for child in pr:
        tag = child.tag
        if tag == _VMERGE:
            v = child.get(_VAL) != "restart"
        elif tag == _HMERGE:
            h = child.get(_VAL) != "restart"
    return v, h


_NS = {"w": W, "mc": MC}
# the visible text pieces of a paragraph in document order: no deleted, moved-away, fallback or
# hidden (w:vanish) text; w:tab inside runs only (w:tabs/w:tab in pPr are tab stops)
_TEXT_PIECES = etree.XPath(
    "(.//w:r/w:t | .//w:r/w:tab | .//w:r/w:ptab | .//w:r/w:br | .//w:r/w:cr | .//w:r/w:noBreakHyphen)"
    "[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback"
    " or ancestor::w:r[1]/w:rPr/w:vanish[not(@w:val='0' or @w:val='false' or @w:val='off')])]",
    namespaces=_NS,
)
_TOC_INSTR = etree.XPath("boolean(.//w:instrText[starts-with(normalize-space(.), 'TOC')])", namespaces=_NS)
_FIELD_BEGINS = etree.XPath("count(.//w:fldChar[@w:fldCharType='begin'])", namespaces=_NS)
_FIELD_ENDS = etree.XPath("count(.//w:fldChar[@w:fldCharType='end'])", namespaces=_NS)


def _field_balance(p: etree._Element) -> int:
    return int(_FIELD_BEGINS(p)) - int(_FIELD_ENDS(p))


_T, _TAB, _PTAB, _BR, _CR = (_W + t for t in ("t", "tab", "ptab", "br", "cr"))
_BR_TYPE = _W + "type"


def _piece_text(el: etree._Element) -> str:
    """What one text piece of a run shows: its text, a tab, a line break (not a page or column
    break), or the hyphen of a non-breaking hyphen."""
    tag = el.tag
    if tag == _T:
        return el.text or ""
    if tag == _TAB or tag == _PTAB:
        return "\t"
    if tag == _BR:
        return "" if el.get(_BR_TYPE) in ("page", "column") else "\n"
    if tag == _CR:
        return "\n"
    return "-"


def paragraph_text(p: etree._Element) -> str:
    """The visible text of a w:p (runs, tabs, line breaks; no deleted or hidden text)."""
    parts: list[str] = []
    for el in _TEXT_PIECES(p):
        parts.append(_piece_text(el))
    return "".join(parts)


# elements that make some text invisible (deleted, moved away, a fallback, hidden): a document with
# none of them is read by `_plain_paragraph_text`, without the per-piece ancestor tests
_HIDING = (_W + "del", _W + "moveFrom", f"{{{MC}}}Fallback", _W + "vanish")
_RUN = _W + "r"
_PIECE_TAGS = (_T, _TAB, _PTAB, _BR, _CR, _W + "noBreakHyphen")


def _plain_paragraph_text(p: etree._Element) -> str:
    """`paragraph_text` for a document without deleted, moved or hidden text: the same pieces (a
    run's own text, tabs, breaks), found by one walk of the paragraph."""
    parts: list[str] = []
    for el in p.iter(_PIECE_TAGS):
        parent = el.getparent()
        if parent is None or parent.tag != _RUN:
            continue  # a tab stop in the paragraph's properties, not a run's tab
        parts.append(_piece_text(el))
    return "".join(parts)


_P = _W + "p"
_TEXT_BOX = _W + "txbxContent"
_ALTERNATE = f"{{{MC}}}AlternateContent"
_CELL_TAGS = (_P, *_PIECE_TAGS)


def _plain_cell_text(tc: etree._Element) -> str:
    """`cell_text` for a document without deleted, moved or hidden text and without text boxes:
    one walk of the cell, a line per paragraph (nested tables' paragraphs in document order)."""
    lines: list[str] = []
    parts: list[str] | None = None
    for el in tc.iter(_CELL_TAGS):
        tag = el.tag
        if tag == _P:
            if parts is not None:
                lines.append("".join(parts))
            parts = []
            continue
        parent = el.getparent()
        if parts is None or parent is None or parent.tag != _RUN:
            continue  # a tab stop in the paragraph's properties, not a run's tab
        if tag == _T:
            parts.append(el.text or "")
        elif tag == _TAB or tag == _PTAB:
            parts.append("\t")
        elif tag == _BR:
            if el.get(_BR_TYPE) not in ("page", "column"):
                parts.append("\n")
        elif tag == _CR:
            parts.append("\n")
        else:
            parts.append("-")
    if parts is not None:
        lines.append("".join(parts))
    return "\n".join(lines).strip()


_TR, _TC = _W + "tr", _W + "tc"
_TABLE_TAGS = (_TR, _TC, _P, *_PIECE_TAGS, _VMERGE, _HMERGE)


def _plain_table_rows(tbl: etree._Element, tid: int) -> list[Row]:
    """The rows of a table as `_BodyReader._table` reads them cell by cell (`_merge_state`,
    `_plain_cell_text`) in a document without deleted, moved or hidden text and without text boxes
    (so no row is deleted), from one walk of the table instead of one per cell.

    The walk meets the elements in document order. A w:tr reached through wrappers only starts the
    next row; a w:tc not inside the cell being read starts the next cell, kept when it is reached
    from the row through wrappers only. Everything met until the next cell that lies inside the
    cell (a w:p whose parent is the cell, a run of the current paragraph, or anything found inside
    it by climbing up) is the cell's, exactly what `tc.iter` would have met; a stray element outside
    every cell is skipped."""
    rows: list[Row] = []
    row: etree._Element | None = None  # the w:tr being read
    cells: list[Cell] = []
    where = ""
    cur: etree._Element | None = None  # the cell being read
    cur_p: etree._Element | None = None
    keep = False
    lines: list[str] = []
    parts: list[str] | None = None
    merged = (False, False)
    for el in tbl.iter(_TABLE_TAGS):
        tag = el.tag
        if tag == _TC:
            parent = el.getparent()
            if parent is row and row is not None:
                starts = True
            else:
                reached = _cell_start(el, parent, row, cur, tbl)
                if reached is None:
                    continue  # a cell of a nested table: its paragraphs are this cell's lines
                starts = reached
            if keep:
                _add_cell(cells, where, lines, parts, merged)
            cur, cur_p, keep, lines, parts, merged = el, None, starts, [], None, (False, False)
        elif tag == _TR:
            if not _table_row(el, tbl):
                continue  # a row of a nested table, or not reached from the table through wrappers
            if keep:
                _add_cell(cells, where, lines, parts, merged)
            cur = None
            keep = False
            row = el
            where = f"table {tid} row {len(rows) + 1}"
            cells = []
            rows.append(Row(cells, Location(None, where), table=tid))
        elif cur is None:
            continue
        elif tag == _P:
            if el.getparent() is cur or _inside(el, cur, tbl):
                if parts is not None:
                    lines.append("".join(parts))
                parts = []
                cur_p = el
        elif tag == _VMERGE or tag == _HMERGE:
            merged = _merge_mark(el, cur, merged)
        elif parts is not None:
            run = el.getparent()
            if run is None or run.tag != _RUN:
                continue  # a tab stop in the paragraph's properties, not a run's tab
            if run.getparent() is cur_p or _inside(run, cur, tbl):
                parts.append((el.text or "") if tag == _T else _piece_text(el))
    if keep:
        _add_cell(cells, where, lines, parts, merged)
    return rows


def _unwrapped(el: etree._Element | None) -> etree._Element | None:
    """`el` or its first ancestor that is not a wrapper (see `_content_children`)."""
    while el is not None and el.tag in _WRAPPERS:
        el = el.getparent()
    return el


def _table_row(tr: etree._Element, tbl: etree._Element) -> bool:
    """Whether `_content_children(tbl)` reaches the w:tr."""
    parent = tr.getparent()
    return parent is tbl or _unwrapped(parent) is tbl


def _cell_start(
    tc: etree._Element,
    parent: etree._Element | None,
    row: etree._Element | None,
    cur: etree._Element | None,
    tbl: etree._Element,
) -> bool | None:
    """For a w:tc met by the walk and not a child of the row being read: None when it lies inside
    the cell being read, else whether `_content_children(row)` reaches it."""
    if cur is not None and _inside(tc, cur, tbl):
        return None
    return row is not None and _unwrapped(parent) is row


def _add_cell(
    cells: list[Cell], where: str, lines: list[str], parts: list[str] | None, merged: tuple[bool, bool]
) -> None:
    """The cell read into `lines` and `parts`, as `_table` adds it to the row's `cells`."""
    v_continued, h_continued = merged
    if not h_continued:
        text = "" if v_continued else _cell_lines_text(lines, parts)
        cells.append(Cell(text, Location(None, f"{where} col {len(cells) + 1}")))


def _cell_lines_text(lines: list[str], parts: list[str] | None) -> str:
    if parts is not None:
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def _merge_mark(el: etree._Element, tc: etree._Element, merged: tuple[bool, bool]) -> tuple[bool, bool]:
    """`merged` (vertical, horizontal continuation) after a w:vMerge or w:hMerge met inside cell
    `tc`: it counts only as a child of the cell's first child, its w:tcPr (see `_merge_state`)."""
    pr = el.getparent()
    if pr is None or pr.tag != _TCPR or pr.getparent() is not tc or pr.getprevious() is not None:
        return merged
    continued = el.get(_VAL) != "restart"
    return (continued, merged[1]) if el.tag == _VMERGE else (merged[0], continued)


def _inside(el: etree._Element, cell: etree._Element, tbl: etree._Element) -> bool:
    """Whether `el` (inside `tbl`) lies inside `cell`."""
    node = el.getparent()
    while node is not None and node is not tbl:
        if node is cell:
            return True
        node = node.getparent()
    return False


def cell_text(tc: etree._Element, text_of: Callable[[etree._Element], str] = paragraph_text) -> str:
    """A cell's paragraphs (and nested tables' paragraphs) joined with "\\n"."""
    lines: list[str] = []
    _cell_lines(tc, lines, text_of)
    return "\n".join(lines).strip()


def _cell_lines(el: etree._Element, lines: list[str], text_of: Callable[[etree._Element], str]) -> None:
    for child in _content_children(el):
        if child.tag == _W + "p":
            lines.append(text_of(child))
        elif child.tag in (_W + "tbl", _W + "tr", _W + "tc"):
            _cell_lines(child, lines, text_of)
