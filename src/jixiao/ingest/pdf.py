"""Read a text PDF into a cell stream with pdfplumber.

Tables are found by their ruling lines. Each table row becomes a `Row` of logical cells: a cell
spanning several columns once, the rows below a vertically merged cell with an empty cell in its
place (as the .docx reader does). A cell's text is rebuilt from its characters: lines are joined
by what the line break was —
- a soft wrap (the first word of the next line would not have fitted on the line): joined with ""
  when either side of the break is CJK (Chinese wraps at the cell edge, mid-word), and for Latin
  text with a space, or with "" when the line is one token cut by the cell edge (a long code);
- a hard break (the next word would have fitted, so the writer broke the line): "\\n".
Text outside tables becomes one `Para` per printed line, except that lines of one paragraph
wrapped at the right margin (a long centred title, a goal text) are joined back the same way.
Blocks come in reading order (top to bottom on each page). A table continued on the next page
(same column edges, nothing between but a short line such as a page number or lines in the page's
top or bottom margin, i.e. running headers and footers) keeps the table id of its first part, and
a row that the page break cut in two is joined again.

A PDF without any text (a scan) is refused with 「PDF 没有文字层（扫描件？）」. A PDF past the caps
(pages, a page's inflated content, characters or graphics on a page) is refused naming the page.
"""

from __future__ import annotations

import bisect
import functools
import io
import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.ingest.limits import MAX_PAGE_CHARS, MAX_PAGE_CONTENT, MAX_PAGE_GRAPHICS, MAX_PAGES, mb
from jixiao.model import Location

DOCUMENT = Location(line=1)  # a whole-file problem: reported as `FILE: line 1: message`
CONTINUATION_TOLERANCE = 2.0  # pt: column edges of a table continued on the next page
SHORT_LINE = 12  # characters: a line between two table parts that is a page number or running header


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    chars: list[dict]


def read_pdf(data: bytes, name: str) -> CellStream:
    """The blocks of a text PDF (see the module docstring)."""
    try:
        import pdfplumber
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise ReadError(name, "读取 PDF 需要 pdfplumber 软件包", DOCUMENT) from e
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    _linear_corrupt_inflate()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as e:
        raise ReadError(name, _open_error(e), DOCUMENT) from e
    stream = CellStream(source=name, layout="pdf")
    total_chars = 0
    cid_chars = 0
    pages = _Pages(stream.blocks)
    try:
        with pdf:
            n_pages = len(pdf.pages)
            if n_pages > MAX_PAGES:
                raise ReadError(name, f"拒绝读取：PDF 有 {n_pages} 页，超过 {MAX_PAGES} 页的上限", DOCUMENT)
            for pno, page in enumerate(pdf.pages, 1):
                where = Location(cell=f"page {pno}")
                try:
                    _check_page(page, pno, name)
                    page = _dedupe(page)
                    chars = [c for c in page.chars if c.get("text")]
                    tables = page.find_tables()
                except (ReadError, MemoryError):
                    raise
                except Exception as e:
                    raise ReadError(
                        name, f"无法读取第 {pno} 页：页面内容已损坏（{type(e).__name__}）", where
                    ) from e
                total_chars += len(chars)
                cid_chars += sum(1 for c in chars if c["text"].startswith("(cid:"))
                pages.add_page(pno, float(page.height), chars, tables)
                _close(pdf.pages[pno - 1])
    except (ReadError, MemoryError):
        raise
    except Exception as e:
        raise ReadError(name, f"不是可读取的 PDF（{type(e).__name__}）", DOCUMENT) from e
    if total_chars == 0:
        raise ReadError(
            name,
            "PDF 没有文字层（扫描件？）：无法提取文字，请先做文字识别（OCR）或上传 Word/Excel 原件",
            DOCUMENT,
        )
    if cid_chars > total_chars // 2:
        raise ReadError(
            name,
            "PDF 的字体没有 Unicode 映射，文字无法读取（字符显示为 (cid:N)），请上传 Word/Excel 原件",
            DOCUMENT,
        )
    return stream


def _open_error(e: Exception) -> str:
    kind = type(e).__name__
    if "Password" in kind or "Encrypt" in kind:
        return "PDF 已加密（受密码保护）"
    return f"不是可读取的 PDF（文件不完整或已损坏，{kind}）"


# ---------------------------------------------------------------- caps on what one page may cost


def _check_page(page, pno: int, name: str) -> None:
    """Refuse a page whose content streams inflate past MAX_PAGE_CONTENT (checked without inflating
    more than that), then lay it out with a device that stops at MAX_PAGE_CHARS characters and
    MAX_PAGE_GRAPHICS lines, rectangles and curves."""
    where = Location(cell=f"page {pno}")
    obj = page.page_obj
    size = 0
    streams = list(getattr(obj, "contents", None) or [])
    streams += _forms(getattr(obj, "resources", None))
    for ref in streams:
        size += _inflated_size(ref, MAX_PAGE_CONTENT - size)
        if size > MAX_PAGE_CONTENT:
            raise ReadError(name, f"拒绝读取：第 {pno} 页的内容流解压后超过 {mb(MAX_PAGE_CONTENT)}", where)
    device = _counting_device()(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    device.limits = (name, pno)
    from pdfminer.pdfinterp import PDFPageInterpreter

    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(obj)
    page._layout = device.get_result()  # what pdfplumber's Page.layout computes, counted


def _forms(resources) -> list:
    from pdfminer.pdftypes import PDFStream, resolve1

    try:
        xobjects = resolve1((resolve1(resources) or {}).get("XObject")) or {}
        return [x for x in (resolve1(v) for v in xobjects.values()) if isinstance(x, PDFStream)]
    except (AttributeError, TypeError):
        return []


def _inflated_size(ref, limit: int) -> int:
    """How many bytes a stream decodes to, inflating at most `limit` + 1 of a FlateDecode stream."""
    import zlib

    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1

    st = resolve1(ref)
    if not isinstance(st, PDFStream):
        return 0
    if st.data is not None:
        return len(st.data)
    filters = st.get_filters()
    raw = st.rawdata or b""
    if not filters:
        return len(raw)
    if len(filters) == 1 and filters[0][0] in LITERALS_FLATE_DECODE and not st.decipher:
        d = zlib.decompressobj()
        try:
            return len(d.decompress(raw, max(limit, 0) + 1))
        except zlib.error:
            return 0  # pdfminer reads what it can of a damaged stream; its size is below the raw size
    return len(st.get_data() or b"")  # other filters expand at most a few thousand times


@functools.cache
def _linear_corrupt_inflate() -> None:
    """pdfminer inflates a damaged stream one byte at a time into a growing bytes object (quadratic:
    seconds for one damaged font of a few hundred KB). The same result, in linear time: inflate in
    blocks, and only the block holding the damage byte by byte."""
    import pdfminer.pdftypes as pt

    if getattr(pt, "decompress_corrupted", None) is None:  # pragma: no cover - another pdfminer
        return
    pt.decompress_corrupted = _decompress_corrupted


def _decompress_corrupted(data: bytes) -> bytes:
    import zlib

    d = zlib.decompressobj()
    out: list[bytes] = []
    pos, step, n = 0, 4096, len(data)
    while pos < n:
        chunk = data[pos : pos + step]
        keep = d.copy() if step > 1 else d
        try:
            out.append(d.decompress(chunk))
        except zlib.error:
            if step > 1:
                d, step = keep, 1
                continue
            if pos < n - 3:  # as pdfminer: damage before the checksum is an error
                raise
            break
        pos += len(chunk)
    return b"".join(out)


@functools.cache
def _counting_device() -> type:
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class Device(PDFPageAggregatorWithMarkedContent):
        """pdfplumber's layout device, stopping at the page caps."""

        chars = 0
        graphics = 0
        limits = ("", 0)

        def render_char(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.chars += 1
            if self.chars > MAX_PAGE_CHARS:
                name, pno = self.limits
                raise ReadError(
                    name,
                    f"拒绝读取：第 {pno} 页的字符超过 {MAX_PAGE_CHARS} 个的上限",
                    Location(cell=f"page {pno}"),
                )
            return super().render_char(*args, **kwargs)

        def paint_path(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            path = args[-1] if args else kwargs.get("path", ())
            if sum(1 for seg in path if seg[0] == "m") <= 1:  # subpaths come back here one by one
                self.graphics += len(path)
            if self.graphics > MAX_PAGE_GRAPHICS:
                name, pno = self.limits
                raise ReadError(
                    name,
                    f"拒绝读取：第 {pno} 页的线条和图形超过 {MAX_PAGE_GRAPHICS} 段的上限",
                    Location(cell=f"page {pno}"),
                )
            return super().paint_path(*args, **kwargs)

    return Device


def _dedupe(page):  # type: ignore[no-untyped-def]
    """`page.dedupe_chars()` (pdfplumber), whose last step orders the kept characters with
    `list.index`, quadratic: 7 s for 20,000 characters. The same characters in the same order."""
    from pdfplumber.page import FilteredPage

    p = FilteredPage(page, lambda x: True)
    p._objects = dict(page.objects)
    p._objects["char"] = dedupe_chars(page.chars)
    return p


def dedupe_chars(chars: list[dict], tolerance: float = 1) -> list[dict]:
    """pdfplumber's `utils.dedupe_chars` (same text, font and size within `tolerance` points: the
    first drawn is kept) in O(n log n)."""
    from operator import itemgetter

    from pdfplumber.utils import cluster_objects

    key = itemgetter("upright", "text", "fontname", "size")
    pos = itemgetter("doctop", "x0")
    order = {id(c): i for i, c in enumerate(chars)}
    kept = []
    for _, same in itertools.groupby(sorted(chars, key=key), key=key):
        for row in cluster_objects(list(same), itemgetter("doctop"), tolerance):
            for spot in cluster_objects(row, itemgetter("x0"), tolerance):
                kept.append(min(spot, key=pos))
    return sorted(kept, key=lambda c: order[id(c)])


def _close(page) -> None:
    """Drop a read page's objects (pdfplumber keeps every page's layout until the file closes)."""
    close = getattr(page, "close", None)
    if close is not None:
        close()


@dataclass
class _Geom:
    """Where a cell's text starts and ends, to tell a row split across a page break."""

    first: _Line | None
    last: _Line | None
    right: float  # inner right edge of the cell


MARGIN_SHARE = 0.08  # lines this close to the top or bottom edge are running headers/footers
PAGE_BOTTOM = 0.8  # a table part reaching below this share of the page height may go on overleaf


class _Pages:
    """Blocks page by page, with table parts continued across page breaks joined up."""

    def __init__(self, out: list[Block]) -> None:
        self.out = out
        self.next_id = 1
        self.carry: tuple[int, list[float]] | None = None  # (table id, column edges) ending the last page
        self.last_row: tuple[Row, list[_Geom]] | None = None  # the last row of that table
        self.carry_low = False  # that table reached the bottom of its page
        self.seen_rows: dict[int, set[tuple[str, ...]]] = {}

    def add_page(self, pno: int, height: float, chars: list[dict], tables: list) -> None:
        tables = sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))
        boxes = [t.bbox for t in tables]
        outside = [c for c in chars if not any(_inside(c, b) for b in boxes)]
        lines = _lines(outside)
        # the text margins: where lines start and end (a table may stick out past them)
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=0.0)
        lines = _paragraphs(lines, tables, left, right)
        items: list[tuple[float, int, object]] = [(ln.top, 1, ln) for ln in lines]
        items += [(t.bbox[1], 0, t) for t in tables]
        items.sort(key=lambda it: (it[0], it[1]))
        n_line = n_table = 0
        text_since_table = False
        first_block = True
        last: tuple[int, list[float]] | None = None
        last_row: tuple[Row, list[_Geom]] | None = None
        low = False
        for _, _, obj in items:
            if isinstance(obj, _Line):
                n_line += 1
                self.out.append(Para(obj.text, Location(cell=f"page {pno} line {n_line}")))
                furniture = (
                    len(obj.text.strip()) <= SHORT_LINE
                    or obj.bottom <= MARGIN_SHARE * height
                    or obj.top >= (1 - MARGIN_SHARE) * height
                )
                if not furniture:
                    text_since_table = True
                    first_block = False
                continue
            n_table += 1
            edges = _column_edges(obj)
            rows = _table_rows(obj, chars, 0, f"page {pno} table {n_table}")
            continued = (
                first_block
                and not text_since_table
                and self.carry is not None
                and _same_edges(self.carry[1], edges)
            )
            if continued:
                assert self.carry is not None
                tid = self.carry[0]
                rows = self._join_split_row(tid, rows)
            else:
                tid = self.next_id
                self.next_id += 1
            seen = self.seen_rows.setdefault(tid, set())
            for row, _ in rows:
                row.table = tid
                seen.add(tuple(row.texts))
                self.out.append(row)
            last = (tid, edges)
            last_row = rows[-1] if rows else None
            low = obj.bbox[3] >= PAGE_BOTTOM * height
            text_since_table = False
            first_block = False
        # the last table of this page may go on overleaf when no real text follows it
        self.carry = last if last is not None and not text_since_table else None
        self.last_row = last_row if self.carry is not None else None
        self.carry_low = low

    def _join_split_row(self, tid: int, rows: list[tuple[Row, list[_Geom]]]) -> list[tuple[Row, list[_Geom]]]:
        """A row broken by the page break: its rest (first row after any repeated header) joins it."""
        if self.last_row is None or not self.carry_low:
            return rows
        seen = self.seen_rows.get(tid, set())
        k = 0
        while k < len(rows) and tuple(rows[k][0].texts) in seen:
            k += 1
        if k >= len(rows):
            return rows
        r1, g1 = self.last_row
        r2, g2 = rows[k]
        if len(r1.cells) != len(r2.cells):
            return rows
        filled = [j for j, c in enumerate(r2.cells) if c.text.strip()]
        if not filled:
            return rows
        joins: dict[int, str] = {}
        for j in filled:
            a, b = g1[j], g2[j]
            if not r1.cells[j].text.strip() or a.last is None or b.first is None:
                return rows
            joiner = _joiner(a.last, b.first, a.right)
            if joiner == "\n":
                return rows
            joins[j] = joiner
        for j, joiner in joins.items():
            r1.cells[j].text = r1.cells[j].text + joiner + r2.cells[j].text
        # the joined row now ends where the rest ended (it may go on over another page)
        for j in filled:
            g1[j] = _Geom(g1[j].first, g2[j].last, g2[j].right)
        if k == len(rows) - 1:
            self.last_row = (r1, g1)
        return rows[:k] + rows[k + 1 :]


def _column_edges(table) -> list[float]:
    xs = sorted({round(c[0], 1) for c in table.cells} | {round(c[2], 1) for c in table.cells})
    return xs


def _same_edges(a: list[float], b: list[float]) -> bool:
    """The same outer edges, and every column edge of the second part is one of the first's."""
    tol = CONTINUATION_TOLERANCE
    if not a or not b or abs(a[0] - b[0]) > tol or abs(a[-1] - b[-1]) > tol:
        return False
    return all(any(abs(x - y) <= CONTINUATION_TOLERANCE for y in a) for x in b)


def _inside(ch: dict, bbox: tuple[float, float, float, float]) -> bool:
    cx = (ch["x0"] + ch["x1"]) / 2
    cy = (ch["top"] + ch["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _table_rows(table, chars: list[dict], tid: int, where: str) -> list[tuple[Row, list[_Geom]]]:
    bbox = table.bbox
    tchars = _CharIndex([c for c in chars if _inside(c, bbox)])
    cells = [tuple(c) for c in table.cells]
    xs = sorted({round(c[0], 2) for c in cells})
    tops = sorted({round(c[1], 2) for c in cells})
    rows: list[tuple[Row, list[_Geom]]] = []
    by_slot: dict[tuple[float, float], tuple] = {(round(c[0], 2), round(c[1], 2)): c for c in cells}
    for r, top in enumerate(tops, 1):
        rwhere = f"{where} row {r}"
        out: list[Cell] = []
        geoms: list[_Geom] = []
        covered_until = -1.0
        for x in xs:
            if x < covered_until - 0.5:
                continue
            cell = by_slot.get((x, top))
            if cell is not None:
                text, geom = _cell_text(cell, tchars)
                covered_until = cell[2]
            else:
                origin = _origin(cells, x, top)
                text, geom = "", _Geom(None, None, 0.0)
                covered_until = origin[2] if origin is not None else x + 0.1
                if origin is None and not _has_row_cells(cells, top):
                    continue
            out.append(Cell(text, Location(cell=f"{rwhere} col {len(out) + 1}")))
            geoms.append(geom)
        if out:
            rows.append((Row(out, Location(cell=rwhere), table=tid), geoms))
    return rows


def _has_row_cells(cells: list[tuple], top: float) -> bool:
    return any(abs(c[1] - top) < 0.5 for c in cells)


def _origin(cells: list[tuple], x: float, top: float) -> tuple | None:
    """The merged cell from an earlier row covering the slot at (x, top)."""
    for c in cells:
        if c[0] - 0.5 <= x < c[2] - 0.5 and c[1] - 0.5 <= top < c[3] - 0.5 and c[1] < top - 0.5:
            return c
    return None


class _CharIndex:
    """A table's characters ordered by their centre's x, so that a cell looks only at those in its
    column band (scanning all of them for each cell is cells × characters: 20 s for a 50 × 50 grid)."""

    def __init__(self, chars: list[dict]) -> None:
        keyed = sorted(((c["x0"] + c["x1"]) / 2, i) for i, c in enumerate(chars))
        self.chars = chars
        self.xs = [x for x, _ in keyed]
        self.order = [i for _, i in keyed]

    def within(self, bbox: tuple) -> list[dict]:
        """The characters inside `bbox`, in their original order."""
        lo = bisect.bisect_left(self.xs, bbox[0])
        hi = bisect.bisect_right(self.xs, bbox[2])
        picked = sorted(self.order[lo:hi])
        return [c for c in (self.chars[i] for i in picked) if _inside(c, bbox)]


def _cell_text(bbox: tuple, chars: _CharIndex) -> tuple[str, _Geom]:
    inner = chars.within(bbox)
    lines = _lines(inner)
    if not lines:
        return "", _Geom(None, None, bbox[2])
    pad = max(0.0, min(ln.x0 - bbox[0] for ln in lines))
    right = bbox[2] - pad
    parts = [lines[0].text]
    for prev, nxt in itertools.pairwise(lines):
        parts.append(_joiner(prev, nxt, right))
        parts.append(nxt.text)
    return "".join(parts).strip(), _Geom(lines[0], lines[-1], right)


_CLOSING = set("，。、；：？！）》」』”’%％),.;:?!]】〕〉")
_OPENING = set("（《「『“‘([【〔〈")


def _is_cjk(ch: str) -> bool:
    if not ch:
        return False
    if ord(ch) < 0x2E80:
        return False
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _token_width(line: _Line) -> float:
    """Width of the first unbreakable piece of a line (what a line breaker tried to fit): opening
    brackets with what follows, one CJK character or a run of Latin letters and digits, and the
    closing punctuation after it (which may not start a line): "〔2021〕", "监，", "≥95%"."""
    cs = [c for c in line.chars if c["text"].strip()]
    if not cs:
        return 0.0
    i = 0
    while i < len(cs) - 1 and cs[i]["text"] in _OPENING:
        i += 1
    j = i + 1
    if not (_is_cjk(cs[i]["text"]) or cs[i]["text"] in _CLOSING):
        while (
            j < len(cs)
            and not _is_cjk(cs[j]["text"])
            and cs[j]["text"] not in _CLOSING
            and _touching(cs[j - 1], cs[j])
        ):
            j += 1
    while j < len(cs) and cs[j]["text"] in _CLOSING:
        j += 1
    return cs[j - 1]["x1"] - cs[0]["x0"]


def _touching(a: dict, b: dict) -> bool:
    return b["x0"] - a["x1"] < 0.2 * b["size"]


def _joiner(prev: _Line, nxt: _Line, right: float) -> str:
    gap = right - prev.x1
    soft = gap < _token_width(nxt) + 0.15 * prev.size
    if not soft:
        return "\n"
    a, b = prev.text.rstrip()[-1:], nxt.text.lstrip()[:1]
    if _is_cjk(a) or _is_cjk(b) or a in _CLOSING or b in _CLOSING:
        return ""
    return " " if " " in prev.text.strip() else ""


_CN = "一二三四五六七八九十"
_ITEM_START = re.compile(
    rf"^\s*(第[{_CN}]+部分|[{_CN}]+\s*[、.．]|[（(][{_CN}\d]+[）)]"
    rf"|\d{{1,3}}\s*[、.．](?!\d))"
)


def _paragraphs(lines: list[_Line], tables: list, left: float, right: float) -> list[_Line]:
    """Join the lines of a paragraph outside tables that wrapped at the right margin (a long
    centred title, a goal text): the next line sits right below, starts at the left margin (or
    both are centred), does not open a numbered item, and its first word would not have fitted."""
    out: list[_Line] = []
    centre = (left + right) / 2
    for ln in lines:
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, ln, tables, left, right, centre):
            joiner = _joiner(prev, ln, right)
            out[-1] = _Line(
                prev.text + joiner + ln.text, prev.x0, ln.x1, prev.top, ln.bottom, prev.size, ln.chars
            )
        else:
            out.append(ln)
    return out


def _continues(prev: _Line, ln: _Line, tables: list, left: float, right: float, centre: float) -> bool:
    size = max(prev.size, 1.0)
    if not (0 <= ln.top - prev.bottom < 0.8 * size) or abs(ln.size - prev.size) > 0.5:
        return False
    if any(prev.bottom <= t.bbox[1] <= ln.top for t in tables):
        return False
    at_margin = abs(ln.x0 - left) < 0.5 * size
    centred = abs((prev.x0 + prev.x1) / 2 - centre) < size and abs((ln.x0 + ln.x1) / 2 - centre) < size
    if not (at_margin or centred) or _ITEM_START.match(ln.text):
        return False
    return _joiner(prev, ln, right) != "\n"


def _lines(chars: list[dict]) -> list[_Line]:
    """Group characters into printed lines (top to bottom), with spaces where glyphs are far apart."""
    if not chars:
        return []
    cs = sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"]))
    groups: list[list[dict]] = []
    spans: list[list[float]] = []  # [top, bottom] of each group, kept as characters join it (a line
    # of thousands of characters must not be scanned again for every character)
    for c in cs:
        mid = (c["top"] + c["bottom"]) / 2
        for k in range(len(groups) - 1, max(len(groups) - 4, -1), -1):
            g, span = groups[k], spans[k]
            near = abs(c["top"] - g[0]["top"]) < 0.6 * max(c["size"], 1)
            if span[0] - 0.5 <= mid <= span[1] + 0.5 and near:
                g.append(c)
                span[0] = min(span[0], c["top"])
                span[1] = max(span[1], c["bottom"])
                break
        else:
            groups.append([c])
            spans.append([c["top"], c["bottom"]])
    out: list[_Line] = []
    for g in groups:
        g.sort(key=lambda c: c["x0"])
        text: list[str] = []
        prev = None
        for c in g:
            t = c["text"]
            if (
                prev is not None
                and c["x0"] - prev["x1"] > 0.25 * max(c["size"], 1)
                and t != " "
                and (not text or not text[-1].endswith(" "))
            ):
                text.append(" ")
            text.append(t)
            prev = c
        s = "".join(text)
        s = " ".join(s.split()) if s.strip() else ""
        if not s:
            continue
        visible = [c for c in g if c["text"].strip()]
        out.append(
            _Line(
                s,
                visible[0]["x0"],
                visible[-1]["x1"],
                min(c["top"] for c in g),
                max(c["bottom"] for c in g),
                max(c["size"] for c in g),
                visible,
            )
        )
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out
