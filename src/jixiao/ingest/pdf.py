"""Read a text PDF into a cell stream.

Characters (with their boxes) and the page's paths come from PDFium (pypdfium2), the file's
structure and the caps checked before PDFium sees a page from pdfminer; the characters are given
the boxes pdfminer gives them and the tables are found by pdfplumber's table finder over the ruling
lines, so that a document reads exactly as it did through pdfplumber, several times faster.

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
(pages, a page's inflated content, characters or graphics on a page, forms drawing themselves) is
refused naming the page; the content of a page is measured before PDFium builds it.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import gc
import io
import itertools
import logging
import operator
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.ingest.limits import MAX_PAGE_CHARS, MAX_PAGE_CONTENT, MAX_PAGE_GRAPHICS, MAX_PAGES, mb
from jixiao.model import Location

try:  # with the module, so that the parse workers' fork server (bounded.PRELOAD) has PDFium loaded
    import pypdfium2.raw as _pdfium_loaded
except ImportError:  # pragma: no cover - a declared dependency
    _pdfium_loaded = None  # type: ignore[assignment]

DOCUMENT = Location(line=1)  # a whole-file problem: reported as `FILE: line 1: message`
CONTINUATION_TOLERANCE = 2.0  # pt: column edges of a table continued on the next page
SHORT_LINE = 12  # characters: a line between two table parts that is a page number or running header


_Char = tuple[bool, str, str, float, float, float, float, float]
"""A character: (upright, text, font name, size, top, x0, x1, bottom), the fields of pdfplumber's
character dict that the reader uses, as a tuple (made and read faster than a dict; de-duplication's
key is its first four). Positions in pdfplumber's coordinates: points, from the page's top left."""
_UPRIGHT: Final = 0
_TEXT: Final = 1
_FONT: Final = 2
_SIZE: Final = 3
_TOP: Final = 4
_X0: Final = 5
_X1: Final = 6
_BOTTOM: Final = 7


def char_dict(c: _Char) -> dict[str, Any]:
    """A character as pdfplumber's dict has it (doctop: the top, on one page)."""
    upright, text, font, size, top, x0, x1, bottom = c
    return {
        "upright": upright,
        "text": text,
        "fontname": font,
        "size": size,
        "top": top,
        "doctop": top,
        "x0": x0,
        "x1": x1,
        "bottom": bottom,
    }


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    chars: list[_Char]


def read_pdf(data: bytes, name: str) -> CellStream:
    """The blocks of a text PDF (see the module docstring)."""
    # a page makes a dict per character and a few per line and cell, none of them in a cycle: the
    # cycle collector, run every 2,000 new objects, would go over them again and again for nothing
    # (a tenth of the time); what pdfminer leaves in cycles is collected after the read
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_pdf(data, name)
    finally:
        if enabled:
            gc.enable()


def _read_pdf(data: bytes, name: str) -> CellStream:
    try:
        if _pdfium_loaded is None:  # pragma: no cover - a declared dependency
            raise ImportError("pypdfium2")
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
    except ImportError as e:  # pragma: no cover - declared dependencies
        raise ReadError(name, "读取 PDF 需要 pypdfium2 和 pdfminer.six 软件包", DOCUMENT) from e
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    _linear_corrupt_inflate()
    # the file's structure through pdfminer (pure Python, no page is drawn): the page count and each
    # page's inflated content size are checked before PDFium, which inflates without a cap, sees it
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
    except MemoryError:
        raise
    except Exception as e:
        raise ReadError(name, _open_error(e), DOCUMENT) from e
    stream = CellStream(source=name, layout="pdf")
    total_chars = 0
    cid_chars = 0
    pages = _Pages(stream.blocks)
    descents: dict[int, tuple[object, dict[str, float]]] = {}  # pages sharing their resources
    try:
        structure = list(PDFPage.create_pages(doc))
        n_pages = len(structure)
        if n_pages > MAX_PAGES:
            raise ReadError(name, f"拒绝读取：PDF 有 {n_pages} 页，超过 {MAX_PAGES} 页的上限", DOCUMENT)
        with _PDFIUM_LOCK:
            pdf = _open_pdfium(data, name)
            try:
                for pno, spage in enumerate(structure[: _page_count(pdf)], 1):
                    where = Location(cell=f"page {pno}")
                    try:
                        _check_page(spage, pno, name)
                        height, chars, cids, tables = _read_page(pdf, spage, pno, name, descents)
                    except (ReadError, MemoryError):
                        raise
                    except Exception as e:
                        raise ReadError(
                            name, f"无法读取第 {pno} 页：页面内容已损坏（{type(e).__name__}）", where
                        ) from e
                    total_chars += len(chars)
                    cid_chars += cids
                    pages.add_page(pno, height, chars, tables)
            finally:
                _close_doc(pdf)
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
    if "Password" in kind or "Encrypt" in kind or "password" in str(e).lower():
        return "PDF 已加密（受密码保护）"
    return f"不是可读取的 PDF（文件不完整或已损坏，{kind}）"


# ---------------------------------------------------------------- caps on what one page may cost


def _check_page(page, pno: int, name: str) -> None:  # type: ignore[no-untyped-def]
    """Refuse a page before PDFium builds it (PDFium inflates and draws everything it is given, and
    aborts the process when memory runs out): when its content streams and the forms they draw
    inflate past MAX_PAGE_CONTENT (checked without inflating more than that), or when they show
    more text or construct more paths than the page caps allow by a wide margin. Text and paths
    are counted from the content bytes (the bytes inside strings: a glyph takes one to four; the
    path operators), each form as often as it is drawn, so that a form drawn 200 times by a form
    drawn 200 times counts 40,000 times. The exact caps are applied to what PDFium then reads."""
    from pdfminer.pdftypes import PDFStream, resolve1

    where = Location(cell=f"page {pno}")
    size = 0
    scanned: dict[int, tuple[int, int, list[tuple[PDFStream, int]]]] = {}

    def xobjects(resources) -> dict:  # type: ignore[no-untyped-def]
        try:
            found = resolve1((resolve1(resources) or {}).get("XObject")) or {}
        except (AttributeError, TypeError):
            return {}
        return found if isinstance(found, dict) else {}

    def scan(stream: PDFStream, resources) -> tuple[int, int, list[tuple[PDFStream, int]]]:  # type: ignore[no-untyped-def]
        nonlocal size
        done = scanned.get(id(stream))
        if done is not None:
            return done
        data = _inflate(stream, MAX_PAGE_CONTENT - size)
        size += len(data)
        if size > MAX_PAGE_CONTENT:
            raise ReadError(name, f"拒绝读取：第 {pno} 页的内容流解压后超过 {mb(MAX_PAGE_CONTENT)}", where)
        # the bytes inside the strings (the strings' lengths less their delimiters), joined once
        strings = _LITERAL.findall(data)
        glyph_bytes = len(b"".join(strings)) - 2 * len(strings) - data.count(b"\\")
        strings = _HEX.findall(data)
        glyph_bytes += (len(b"".join(strings)) - 2 * len(strings)) // 2
        ops = len(_PATH_OP.findall(b" " + data + b" "))
        calls: dict[bytes, int] = {}
        for m in _DO.finditer(data):
            calls[m.group(1)] = calls.get(m.group(1), 0) + 1
        forms: list[tuple[PDFStream, int]] = []
        if calls:
            table = xobjects(resources)
            for key, count in calls.items():
                ref = table.get(key.decode("latin-1"))
                try:
                    x = resolve1(ref)
                except Exception:  # pdfminer cannot find the object; PDFium may rebuild it
                    x = None
                if isinstance(x, PDFStream) and getattr(x.get("Subtype"), "name", None) == "Form":
                    forms.append((x, count))
                elif ref is not None and x is None:
                    # a dangling reference in a damaged file: PDFium repairs the file and may draw
                    # it, so each draw counts as a form of unknown size
                    glyph_bytes += count * UNRESOLVED_GLYPHS
                    ops += count * UNRESOLVED_OPS
        done = scanned[id(stream)] = (glyph_bytes, ops, forms)
        return done

    totals: dict[int, tuple[int, int]] = {}
    drawing: set[int] = set()

    def total(stream: PDFStream, resources, depth: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        """(glyph bytes, path operators) of a stream with the forms it draws, as often as drawn."""
        key = id(stream)
        if key in totals:
            return totals[key]
        if key in drawing or depth > 32:
            raise ReadError(name, f"拒绝读取：第 {pno} 页的表单（Form XObject）嵌套过深或引用自身", where)
        drawing.add(key)
        glyphs, ops, forms = scan(stream, resources)
        for form, count in forms:
            fg, fo = total(form, form.get("Resources") or resources, depth + 1)
            glyphs += count * fg
            ops += count * fo
            if glyphs > 4 * MAX_PAGE_CHARS:
                raise _too_many_chars(name, pno)
            if ops > 10 * MAX_PAGE_GRAPHICS:
                raise _too_many_graphics(name, pno)
        drawing.discard(key)
        totals[key] = (glyphs, ops)
        return glyphs, ops

    resources = getattr(page, "resources", None)
    glyphs = ops = 0
    for ref in list(getattr(page, "contents", None) or []):
        st = resolve1(ref)
        if isinstance(st, PDFStream):
            g, o = total(st, resources, 0)
            glyphs, ops = glyphs + g, ops + o
    if glyphs > 4 * MAX_PAGE_CHARS:
        raise _too_many_chars(name, pno)
    if ops > 10 * MAX_PAGE_GRAPHICS:
        raise _too_many_graphics(name, pno)
    # the page's forms, drawn or not, count towards its inflated size (as before)
    for x in _forms(resources):
        scan(x, x.get("Resources") or resources)


UNRESOLVED_GLYPHS, UNRESOLVED_OPS = 200, 100
"""What one draw of an XObject that pdfminer cannot resolve counts for (PDFium may repair it)."""
_LITERAL = re.compile(rb"\((?:[^()\\]++|\\.)*+\)", re.S)  # possessive: no backtracking
# each pattern starts with what it matches (not with a look-behind), so that the engine skips
# ahead to its first character: a hex string "<…>" not inside a dictionary's "<<" or ">>"; a path
# operator standing alone between white space or the ends, matched with the white space before it
# in the data with a space added at each end (an operator's letters are common in the data, in hex
# strings and other operators, and each would be a start looked behind from; white space is not
# followed by an operator often)
_HEX = re.compile(rb"<(?<!<<)[0-9A-Fa-f\s]*+>(?!>)")
_PATH_OP = re.compile(rb"\s(?:re|[mlcvyh])(?=\s)")
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![A-Za-z])")


def _forms(resources) -> list:  # type: ignore[no-untyped-def]
    from pdfminer.pdftypes import PDFStream, resolve1

    try:
        xobjects = resolve1((resolve1(resources) or {}).get("XObject")) or {}
        return [x for x in (resolve1(v) for v in xobjects.values()) if isinstance(x, PDFStream)]
    except (AttributeError, TypeError):
        return []


def _inflate(st, limit: int) -> bytes:  # type: ignore[no-untyped-def]
    """A stream's decoded bytes, inflating at most `limit` + 1 of a FlateDecode stream."""
    import zlib

    from pdfminer.pdftypes import LITERALS_FLATE_DECODE

    if st.data is not None:
        return bytes(st.data)
    filters = st.get_filters()
    raw = st.rawdata or b""
    if not filters:
        return bytes(raw)
    if len(filters) == 1 and filters[0][0] in LITERALS_FLATE_DECODE and not st.decipher:
        d = zlib.decompressobj()
        try:
            return d.decompress(raw, max(limit, 0) + 1)
        except zlib.error:
            return b""  # a damaged stream is read as far as it goes; its size is below the raw size
    return bytes(st.get_data() or b"")  # other filters expand at most a few thousand times


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


def _too_many_chars(name: str, pno: int) -> ReadError:
    return ReadError(
        name, f"拒绝读取：第 {pno} 页的字符超过 {MAX_PAGE_CHARS} 个的上限", Location(cell=f"page {pno}")
    )


def _too_many_graphics(name: str, pno: int) -> ReadError:
    return ReadError(
        name,
        f"拒绝读取：第 {pno} 页的线条和图形超过 {MAX_PAGE_GRAPHICS} 段的上限",
        Location(cell=f"page {pno}"),
    )


# ---------------------------------------------------------------- PDFium: characters and ruling lines
#
# Characters come from PDFium's text page, ruling lines from its path objects; both are put in
# the coordinates pdfplumber uses (origin top left, pdfminer's page rotation) and with the boxes
# pdfminer gives: a character's box is its advance wide and its font size high, from the font's
# descent below the baseline. Tables are found from the ruling lines by pdfplumber's own table
# finder (its `lines` strategy, default tolerances).

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


class _Api:
    """The PDFium calls used here, declared with plain pointer types (c_void_p): faster to call than
    pypdfium2's typed wrappers, and handles come back as ints that can key a cache."""

    def __init__(self) -> None:
        import pypdfium2.raw  # noqa: F401 - loads and initialises the library
        from pypdfium2_raw.bindings import _libs

        lib = _libs["pdfium"]
        vp, i, d, f = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_float
        pd, pf, pi = ctypes.POINTER(d), ctypes.POINTER(f), ctypes.POINTER(i)

        def fn(name: str, res, *args):  # type: ignore[no-untyped-def]
            f_ = getattr(lib, name)
            f_.restype, f_.argtypes = res, list(args)
            return f_

        # a private copy of the library handle: the declarations must not change pypdfium2's own
        lib = ctypes.CDLL(lib._name, handle=lib._handle)
        self.FPDF_LoadMemDocument64 = fn("FPDF_LoadMemDocument64", vp, ctypes.c_char_p, ctypes.c_size_t, vp)
        self.FPDF_GetLastError = fn("FPDF_GetLastError", ctypes.c_ulong)
        self.FPDF_CloseDocument = fn("FPDF_CloseDocument", None, vp)
        self.FPDF_GetPageCount = fn("FPDF_GetPageCount", i, vp)
        self.FPDF_LoadPage = fn("FPDF_LoadPage", vp, vp, i)
        self.FPDF_ClosePage = fn("FPDF_ClosePage", None, vp)
        self.FPDFPage_CountObjects = fn("FPDFPage_CountObjects", i, vp)
        self.FPDFPage_GetObject = fn("FPDFPage_GetObject", vp, vp, i)
        self.FPDFPageObj_GetType = fn("FPDFPageObj_GetType", i, vp)
        self.FPDFPageObj_GetMatrix = fn("FPDFPageObj_GetMatrix", i, vp, vp)
        self.FPDFFormObj_CountObjects = fn("FPDFFormObj_CountObjects", i, vp)
        self.FPDFFormObj_GetObject = fn("FPDFFormObj_GetObject", vp, vp, ctypes.c_ulong)
        self.FPDFPath_CountSegments = fn("FPDFPath_CountSegments", i, vp)
        self.FPDFPath_GetPathSegment = fn("FPDFPath_GetPathSegment", vp, vp, i)
        self.FPDFPath_GetDrawMode = fn("FPDFPath_GetDrawMode", i, vp, pi, pi)
        self.FPDFPathSegment_GetPoint = fn("FPDFPathSegment_GetPoint", i, vp, pf, pf)
        self.FPDFPathSegment_GetType = fn("FPDFPathSegment_GetType", i, vp)
        self.FPDFPathSegment_GetClose = fn("FPDFPathSegment_GetClose", i, vp)
        self.FPDFText_LoadPage = fn("FPDFText_LoadPage", vp, vp)
        self.FPDFText_ClosePage = fn("FPDFText_ClosePage", None, vp)
        self.FPDFText_CountChars = fn("FPDFText_CountChars", i, vp)
        self.FPDFText_GetText = fn("FPDFText_GetText", i, vp, i, i, vp)
        self.FPDFText_GetUnicode = fn("FPDFText_GetUnicode", ctypes.c_uint, vp, i)
        self.FPDFText_IsGenerated = fn("FPDFText_IsGenerated", i, vp, i)
        self.FPDFText_HasUnicodeMapError = fn("FPDFText_HasUnicodeMapError", i, vp, i)
        self.FPDFText_GetCharOrigin = fn("FPDFText_GetCharOrigin", i, vp, i, pd, pd)
        self.FPDFText_GetMatrix = fn("FPDFText_GetMatrix", i, vp, i, vp)
        self.FPDFText_GetLooseCharBox = fn("FPDFText_GetLooseCharBox", i, vp, i, vp)
        self.FPDFText_GetTextObject = fn("FPDFText_GetTextObject", vp, vp, i)
        self.FPDFTextObj_GetFont = fn("FPDFTextObj_GetFont", vp, vp)
        self.FPDFTextObj_GetFontSize = fn("FPDFTextObj_GetFontSize", i, vp, pf)
        self.FPDFFont_GetDescent = fn("FPDFFont_GetDescent", i, vp, f, pf)
        self.FPDFFont_GetGlyphWidth = fn("FPDFFont_GetGlyphWidth", i, vp, ctypes.c_uint32, f, pf)
        self.FPDFFont_GetBaseFontName = fn(
            "FPDFFont_GetBaseFontName", ctypes.c_size_t, vp, vp, ctypes.c_size_t
        )
        # the calls made once per character or path segment, without argument types: ctypes then
        # passes what it is given as it is (ints as C ints, handles and pointers as c_void_p
        # objects made once), about twice as fast as converting each argument by its declared type;
        # those whose answer is not looked at (only what they write) return nothing to Python
        # (`None`: ctypes makes no int of the answer). Each takes well under a microsecond and
        # calls nothing back: made holding the GIL (PyDLL), not giving it up and taking it back
        # around each call as CDLL does (thread switches at a few thousand calls a page are not
        # worth their cost; the lock on PDFium is held anyway)
        raw = ctypes.PyDLL(lib._name, handle=lib._handle)

        def bare(name: str, res):  # type: ignore[no-untyped-def]
            f_ = getattr(raw, name)
            f_.restype = res
            return f_

        self.text_object = bare("FPDFText_GetTextObject", vp)
        self.text_matrix = bare("FPDFText_GetMatrix", None)
        self.map_error = bare("FPDFText_HasUnicodeMapError", i)
        self.font_size = bare("FPDFTextObj_GetFontSize", i)
        self.text_font = bare("FPDFTextObj_GetFont", vp)
        self.char_origin = bare("FPDFText_GetCharOrigin", None)
        self.is_generated = bare("FPDFText_IsGenerated", i)
        self.glyph_width = bare("FPDFFont_GetGlyphWidth", i)
        self.loose_char_box = bare("FPDFText_GetLooseCharBox", i)
        self.segment = bare("FPDFPath_GetPathSegment", _Handle)
        self.page_object = bare("FPDFPage_GetObject", _Handle)
        self.form_object = bare("FPDFFormObj_GetObject", _Handle)
        self.object_type = bare("FPDFPageObj_GetType", i)
        self.draw_mode = bare("FPDFPath_GetDrawMode", None)
        self.count_segments = bare("FPDFPath_CountSegments", i)
        self.object_matrix = bare("FPDFPageObj_GetMatrix", None)
        self.segment_point = bare("FPDFPathSegment_GetPoint", None)
        self.segment_type = bare("FPDFPathSegment_GetType", i)
        self.segment_close = bare("FPDFPathSegment_GetClose", i)


class _Handle(ctypes.c_void_p):
    """A handle PDFium returns, kept as a ctypes object (a c_void_p subclass is not turned into an
    int), to be passed back without conversion."""


class _Matrix(ctypes.Structure):
    _fields_ = [(k, ctypes.c_float) for k in "abcdef"]


@functools.cache
def _api() -> _Api:
    return _Api()


def _open_pdfium(data: bytes, name: str) -> int:
    api = _api()
    buf = ctypes.create_string_buffer(data, len(data))
    doc = api.FPDF_LoadMemDocument64(buf, len(data), None)
    if not doc:
        code = api.FPDF_GetLastError()
        msg = "PDF 已加密（受密码保护）" if code == 4 else "不是可读取的 PDF（文件不完整或已损坏）"
        raise ReadError(name, msg, DOCUMENT)
    _BUFFERS[doc] = buf  # PDFium reads the file from this buffer until the document is closed
    return int(doc)


_BUFFERS: dict[int, object] = {}


def _page_count(doc: int) -> int:
    return max(0, _api().FPDF_GetPageCount(doc))


def _close_doc(doc: int) -> None:
    _api().FPDF_CloseDocument(doc)
    _BUFFERS.pop(doc, None)


class _Decimals(dict[float, float]):
    """A number PDFium holds in single precision, as the decimal the PDF most likely wrote (the
    shortest that rounds to the same float32: 726.339, not 726.3389892578125), so that positions
    compare as pdfminer's double-precision ones do: `F32[v]`, remembered (a page repeats its
    positions), emptied past FULL."""

    FULL = 1 << 16

    def __missing__(self, v: float) -> float:
        if len(self) >= self.FULL:
            self.clear()
        out = self[v] = float(f"{v:.7g}")
        return out


_F32 = _Decimals()


def _f32(v: float) -> float:
    return _F32[v]


@dataclass
class _Table:
    """A table found by its ruling lines: its cells (x0, top, x1, bottom) and their bounding box."""

    cells: list[tuple[float, float, float, float]]
    bbox: tuple[float, float, float, float]


class _Geometry:
    """PDF user space → pdfplumber's coordinates (x right, top down from the page's top edge),
    through the page rotation pdfminer applies."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        rotate = page.rotate
        if rotate == 90:
            self.ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
        elif rotate == 180:
            self.ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
        elif rotate == 270:
            self.ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
        else:
            self.ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
        # pdfplumber's page box: normalised, axes swapped when the page is turned a quarter
        nx0, nx1 = sorted((x0, x1))
        ny0, ny1 = sorted((y0, y1))
        if rotate % 360 in (90, 270):
            nx0, ny0, nx1, ny1 = ny0, nx0, ny1, nx1
        self.height = ny1 - ny0
        self.left = nx0
        self.top = -ny0  # pdfplumber's mediabox top: height - y1

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        px, py = a * x + c * y + e, b * x + d * y + f
        return (self.left + px, self.top + self.height - py)


def _read_page(  # type: ignore[no-untyped-def]
    doc: int, spage, pno: int, name: str, descents: dict[int, tuple[object, dict[str, float]]] | None = None
) -> tuple[float, list[_Char], int, list[_Table]]:
    """(page height, characters, characters without a Unicode mapping, tables) of one page;
    `descents`: the font descents of the pages read so far, by their resources dictionary."""
    api = _api()
    page = api.FPDF_LoadPage(doc, pno - 1)
    if not page:
        raise ReadError(name, f"无法读取第 {pno} 页", Location(cell=f"page {pno}"))
    geo = _Geometry(spage)
    try:
        lines: list[dict] = []
        rects: list[dict] = []
        curves: list[dict] = []
        _paths(api, page, geo, lines, rects, curves, name, pno)
        chars, cids = _chars(api, page, geo, _page_descents(spage, descents), name, pno)
    finally:
        api.FPDF_ClosePage(page)
    chars = [c for c in _dedupe(chars) if c[_TEXT]]
    tables = _find_tables([*lines, *rects, *curves])
    return geo.height, chars, cids, tables


def _chars(
    api: _Api, page: int, geo: _Geometry, descents: dict[str, float], name: str, pno: int
) -> tuple[list[_Char], int]:
    tp = api.FPDFText_LoadPage(page)
    if not tp:
        return [], 0
    try:
        n = api.FPDFText_CountChars(tp)
        if n > 2 * MAX_PAGE_CHARS + 2:  # PDFium adds a space or line break between runs
            raise _too_many_chars(name, pno)
        buf = ctypes.create_string_buffer(2 * n + 2)
        got = api.FPDFText_GetText(tp, 0, n, buf)
        text = buf.raw[: 2 * max(got - 1, 0)].decode("utf-16-le", "replace")
        if len(text) != n:  # characters outside the BMP: one code point each, read one by one
            text = "".join(chr(api.FPDFText_GetUnicode(tp, i)) for i in range(n))
        # the text page as a ready-made argument (c_void_p.from_param of the handle): passed as it
        # is to each call, where a c_void_p object is made into an argument anew at every call
        ctp = ctypes.c_void_p.from_param(tp)
        xy = (ctypes.c_double * 2)()
        px, py = ctypes.byref(xy), ctypes.byref(xy, 8)
        m = _Matrix()
        pm = ctypes.byref(m)
        fval = ctypes.c_float()
        pf = ctypes.byref(fval)
        is_generated = api.is_generated
        map_error = api.map_error
        origin = api.char_origin
        text_object = api.text_object
        text_matrix = api.text_matrix
        font_size = api.font_size
        text_font = api.text_font
        fonts: dict[int, tuple[float, str]] = {}
        advance = _Advance(api, ctp)
        runs: dict[tuple, tuple] = {}  # what a text object's matrix, size and font make of its boxes
        widths: dict[int, dict[str, float]] = {}
        fwidths: dict[str, float] = {}
        f32 = _F32
        a = b = c = d = fs = descent = lo_y = hi_y = ma = 0.0
        hfont = ctypes.c_void_p(0)
        fontname = ""
        upright = plain = True
        ga, gb, gc, gd, ge, gf = geo.ctm
        left, base = geo.left, geo.top + geo.height
        last_obj = None
        out: list[_Char] = []
        append = out.append
        cids = 0
        unmapped = False
        for i, ch in enumerate(text):
            if ch in " \r\n\ufffe" and is_generated(ctp, i):  # PDFium's own spaces and line breaks
                continue
            obj = text_object(ctp, i)
            if obj != last_obj:  # a new text object (a run of a few characters, often one word)
                last_obj = obj
                text_matrix(ctp, i, pm)
                hobj = ctypes.c_void_p.from_param(obj)  # a ready-made argument, as the text page
                sized = font_size(hobj, pf)
                font = text_font(hobj)
                unmapped = bool(map_error(ctp, i))  # a font without a Unicode mapping
                size = fval.value if sized else None
                key = (m.a, m.b, m.c, m.d, size, font)
                run = runs.get(key)
                if run is None:
                    run = runs[key] = (
                        *_run_geometry(api, m, size, font, fonts, descents, geo),
                        widths.setdefault(font, {}),
                        ctypes.c_void_p(font),
                    )
                a, b, c, d, ma, fs, descent, lo_y, hi_y, plain, upright, fontname, fwidths, hfont = run
            if unmapped:
                cids += 1
            w = fwidths.get(ch)
            if w is None:
                w = fwidths[ch] = advance(i, hfont, ch, ma if plain else 0.0, fs)
            origin(ctp, i, px, py)
            x, y = f32[xy[0]], f32[xy[1]]
            e, f = ga * x + gc * y + ge, gb * x + gd * y + gf
            if plain:
                xa = e
                xb = a * (w * fs) + e
                if xb < xa:
                    xa, xb = xb, xa
                ya, yb = lo_y + f, hi_y + f
            else:
                adv = w * fs
                xs = (
                    e + c * descent,
                    a * adv + c * descent + e,
                    e + c * (descent + fs),
                    a * adv + c * (descent + fs) + e,
                )
                ys = (
                    d * descent + f,
                    b * adv + d * descent + f,
                    d * (descent + fs) + f,
                    b * adv + d * (descent + fs) + f,
                )
                xa, xb, ya, yb = min(xs), max(xs), min(ys), max(ys)
            append((upright, ch, fontname, yb - ya, base - yb, left + xa, left + xb, base - ya))
        if len(out) > MAX_PAGE_CHARS:
            raise _too_many_chars(name, pno)
        return out, cids
    finally:
        api.FPDFText_ClosePage(tp)


def _run_geometry(  # type: ignore[no-untyped-def]
    api: _Api, m, size: float | None, font: int, fonts: dict[int, tuple[float, str]], descents, geo: _Geometry
) -> tuple:
    """What a text object's matrix `m`, font size and font make of its characters' boxes:
    (a, b, c, d: the text rendering matrix in pdfminer's device space; the matrix's first entry;
    the font size; the descent; the box's bottom and top above the baseline for an unturned
    character; unturned; upright; the font's name)."""
    f32 = _f32
    ga, gb, gc, gd = geo.ctm[:4]
    ma, mb, mc, md = f32(m.a), f32(m.b), f32(m.c), f32(m.d)
    a = ma * ga + mb * gc
    b = ma * gb + mb * gd
    c = mc * ga + md * gc
    d = mc * gb + md * gd
    fs = f32(size) if size is not None else 0.0
    finfo = fonts.get(font)
    if finfo is None:
        finfo = fonts[font] = _font_info(api, font, descents)
    descent = finfo[0] * fs
    plain = b == 0 and c == 0
    lo_y, hi_y = sorted((d * descent, d * (descent + fs)))
    upright = a * d > 0 and b * c <= 0
    return (a, b, c, d, ma, fs, descent, lo_y, hi_y, plain, upright, finfo[1])


class _Advance:
    """The advance width of a character in a font per point of font size: the font's width for
    the code the character maps back to. When that mapping fails (a font without a usable
    ToUnicode map) PDFium answers with the font's default width; the box PDFium gives the
    character (its advance, from the code actually drawn, joined with its ink) is then narrower,
    and is taken instead. The buffers PDFium writes to are made once per text page."""

    def __init__(self, api: _Api, tp: Any) -> None:
        self.glyph_width, self.loose_char_box = api.glyph_width, api.loose_char_box
        self.tp = tp
        self.v = ctypes.c_float()
        self.pv = ctypes.byref(self.v)
        self.box = _Rect()
        self.pbox = ctypes.byref(self.box)
        self.per_em = ctypes.c_float(1000.0)

    def __call__(self, i: int, font: ctypes.c_void_p, ch: str, scale: float, fs: float) -> float:
        f32 = _F32
        known = self.glyph_width(font, ord(ch) if len(ch) == 1 else 0, self.per_em, self.pv)
        w = f32[self.v.value] / 1000.0 if known else 0.0
        if scale > 0 and fs > 0 and self.loose_char_box(self.tp, i, self.pbox):
            box = self.box
            loose = (f32[box.right] - f32[box.left]) / (scale * fs)
            if not known or loose < w - 0.002:
                w = loose
        return w


class _Rect(ctypes.Structure):
    _fields_ = [(k, ctypes.c_float) for k in ("left", "top", "right", "bottom")]


def _font_info(api: _Api, font: int, descents: dict[str, float]) -> tuple[float, str]:
    """(descent per point of font size, negative; the font's name). The descent is the one the
    PDF's font descriptor gives, as pdfminer reads it (PDFium makes one up from the font program
    when the descriptor says 0)."""
    size = api.FPDFFont_GetBaseFontName(font, None, 0)
    buf = ctypes.create_string_buffer(max(size, 1))
    api.FPDFFont_GetBaseFontName(font, buf, size)
    name = buf.value.decode("utf-8", "replace")
    descent = descents.get(_SUBSET.sub("", name))
    if descent is None:
        v = ctypes.c_float()
        descent = _f32(v.value) / 1000.0 if api.FPDFFont_GetDescent(font, 1000.0, ctypes.byref(v)) else 0.0
    return -abs(descent), name


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def _page_descents(page, seen: dict[int, tuple[object, dict[str, float]]] | None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """`_font_descents` of a page, looked up once per resources dictionary (the pages of a
    document mostly share one: its fonts are then gone over once, not once per page)."""
    resources = getattr(page, "resources", None)
    if seen is None or resources is None:
        return _font_descents(page)
    known = seen.get(id(resources))
    if known is None or known[0] is not resources:
        # the dictionary is kept with its figures, so that its id is not reused for another
        known = seen[id(resources)] = (resources, _font_descents(page))
    return known[1]


def _font_descents(page) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Font name (without a subset tag) → descent per point, as pdfminer takes it: the standard 14
    fonts' from their metrics, the others' from the font descriptor (of the descendant font of a
    composite font), 0 when the descriptor has none. Fonts of the forms the page draws included."""
    from pdfminer.fontmetrics import FONT_METRICS
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    out: dict[str, float] = {}

    def num(v) -> float:  # type: ignore[no-untyped-def]
        v = resolve1(v)
        return float(v) if isinstance(v, (int, float)) else 0.0

    seen: set[int] = set()

    def visit(resources, depth: int) -> None:  # type: ignore[no-untyped-def]
        res = resolve1(resources)
        if not isinstance(res, dict) or id(res) in seen:
            return
        seen.add(id(res))
        fonts = resolve1(res.get("Font"))
        for spec in fonts.values() if isinstance(fonts, dict) else ():
            spec = resolve1(spec)
            if not isinstance(spec, dict):
                continue
            base = resolve1(spec.get("BaseFont"))
            base = base.name if isinstance(base, PSLiteral) else str(base or "")
            if isinstance(base, bytes):
                base = base.decode("latin-1")
            key = _SUBSET.sub("", base)
            if key in out:
                continue
            subtype = resolve1(spec.get("Subtype"))
            subtype = subtype.name if isinstance(subtype, PSLiteral) else ""
            if subtype == "Type3":
                continue  # its own glyph space: PDFium's figure stands
            if subtype in ("Type1", "MMType1", "TrueType") and base in FONT_METRICS:
                out[key] = num(FONT_METRICS[base][0].get("Descent", 0)) / 1000.0
                continue
            desc = spec
            if subtype == "Type0":
                kids = resolve1(spec.get("DescendantFonts"))
                desc = resolve1(kids[0]) if isinstance(kids, list) and kids else {}
            fd = resolve1(desc.get("FontDescriptor")) if isinstance(desc, dict) else None
            out[key] = num(fd.get("Descent", 0)) / 1000.0 if isinstance(fd, dict) else 0.0
        xobjects = resolve1(res.get("XObject"))
        if depth < 8 and isinstance(xobjects, dict):
            for x in xobjects.values():
                x = resolve1(x)
                attrs = getattr(x, "attrs", None)
                if isinstance(attrs, dict) and "Resources" in attrs:
                    visit(attrs["Resources"], depth + 1)

    try:
        visit(page.resources, 0)
    except Exception:  # a damaged font dictionary: PDFium's figures
        return out
    return out


def _paths(
    api: _Api,
    page: int,
    geo: _Geometry,
    lines: list[dict],
    rects: list[dict],
    curves: list[dict],
    name: str,
    pno: int,
) -> None:
    """The page's painted paths as pdfminer classifies them (a straight segment: line; four sides
    of an axis-aligned rectangle: rect; anything else: curve), in drawing order, forms included."""
    m = _Matrix()
    pm = ctypes.byref(m)
    fx, fy = ctypes.c_float(), ctypes.c_float()
    pfx, pfy = ctypes.byref(fx), ctypes.byref(fy)
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pfill, pstroke = ctypes.byref(fill), ctypes.byref(stroke)
    draw_mode, count_segments, object_matrix = api.draw_mode, api.count_segments, api.object_matrix
    count = 0
    segment, point, seg_type, seg_close = api.segment, api.segment_point, api.segment_type, api.segment_close
    f32 = _F32
    # (object list owner, is the page, index, matrix to page space)
    page_object, form_object, object_type = api.page_object, api.form_object, api.object_type
    stack: list[tuple[Any, bool, int, tuple[float, ...]]] = [
        (ctypes.c_void_p.from_param(page), True, 0, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    ]
    while stack:
        owner, is_page, k, outer = stack.pop()
        total = api.FPDFPage_CountObjects(owner) if is_page else api.FPDFFormObj_CountObjects(owner)
        while k < total:  # handles (_Handle) passed on without conversion: a page has thousands
            obj = page_object(owner, k) if is_page else form_object(owner, k)
            k += 1
            kind = object_type(obj)
            if kind == 5:  # a form: its objects, then the rest of this list
                api.FPDFPageObj_GetMatrix(obj, pm)
                stack.append((owner, is_page, k, outer))
                stack.append(
                    (obj, False, 0, _mult(tuple(_f32(v) for v in (m.a, m.b, m.c, m.d, m.e, m.f)), outer))
                )
                break
            if kind != 2:
                continue
            draw_mode(obj, pfill, pstroke)
            if not fill.value and not stroke.value:
                continue
            n = count_segments(obj)
            count += n
            if count > MAX_PAGE_GRAPHICS:
                raise _too_many_graphics(name, pno)
            object_matrix(obj, pm)
            a, b, c, d, e, f = _mult((f32[m.a], f32[m.b], f32[m.c], f32[m.d], f32[m.e], f32[m.f]), outer)
            segs: list[tuple[int, float, float, bool]] = []
            for j in range(n):
                seg = segment(obj, j)  # a _Handle: passed on as it is
                point(seg, pfx, pfy)
                x, y = f32[fx.value], f32[fy.value]
                segs.append((seg_type(seg), a * x + c * y + e, b * x + d * y + f, bool(seg_close(seg))))
            for shape, pts in _subpaths(segs):
                _classify(shape, pts, geo, lines, rects, curves)


def _mult(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, float, float, float, float, float]:
    """m then n (row vectors, as PDF matrices compose)."""
    a1, b1, c1, d1, e1, f1 = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _subpaths(segs: list[tuple[int, float, float, bool]]) -> list[tuple[str, list[tuple[float, float]]]]:
    """PDFium's segments (move, line, three per Bézier; a closing flag) as pdfminer's operators
    ("m", "l", "c", "h") and end points, one subpath at a time."""
    out: list[tuple[str, list[tuple[float, float]]]] = []
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    bez = 0
    for kind, x, y, close in segs:
        if kind == 2:  # move
            if ops:
                out.append(("".join(ops), pts))
            ops, pts, bez = ["m"], [(x, y)], 0
            continue
        if not ops:
            ops, pts = ["m"], [(x, y)]  # pdfminer starts a subpath without "m"? it drops it
            ops[0] = "?"
            continue
        if kind == 1:  # Bézier: control, control, end
            bez += 1
            if bez < 3:
                continue
            bez = 0
            ops.append("c")
            pts.append((x, y))
        else:
            ops.append("l")
            pts.append((x, y))
        if close:
            if ops[-1] == "l" and len(ops) > 2 and (x, y) == pts[0]:
                ops[-1] = "h"  # PDFium draws the closing side; pdfminer has "h" there
            else:
                ops.append("h")
                pts.append(pts[0])
    if ops:
        out.append(("".join(ops), pts))
    return [(s, p) for s, p in out if s[:1] == "m"]


def _classify(
    shape: str,
    pts: list[tuple[float, float]],
    geo: _Geometry,
    lines: list[dict],
    rects: list[dict],
    curves: list[dict],
) -> None:
    """pdfminer's `paint_path` for one subpath, giving pdfplumber's line / rect edge dicts and curves."""
    pts = [geo.point(x, y) for x, y in pts]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        lines.append(_edge_box("line", pts[:2], None))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        closed = pts[0] == pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        if closed and square:
            rects.append(_edge_box("rect", [pts[0], pts[2]], None))
            return
    curves.append(_edge_box("curve", pts, pts))


def _edge_box(kind: str, pts: list[tuple[float, float]], keep: list | None) -> dict:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    box = {
        "object_type": kind,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }
    if keep is not None:
        box["pts"] = keep
    return box


def _find_tables(objects: list[dict]) -> list[_Table]:
    """pdfplumber's `Page.find_tables()` (default settings) over these lines, rects and curves."""
    if not objects:
        return []
    from pdfplumber import utils
    from pdfplumber.table import TableSettings, merge_edges

    s = TableSettings.resolve(None)
    edges: list[dict] = []
    for obj in objects:
        if obj["object_type"] == "line":
            e = dict(obj)
            e["orientation"] = "h" if obj["top"] == obj["bottom"] else "v"
            edges.append(e)
    for obj in objects:
        if obj["object_type"] == "rect":
            edges += utils.rect_to_edges({**obj, "y0": 0.0, "y1": 0.0})
    for obj in objects:
        if obj["object_type"] == "curve":
            edges += utils.curve_to_edges(obj)
    v = utils.filter_edges(edges, "v", min_length=s.edge_min_length_prefilter)
    h = utils.filter_edges(edges, "h", min_length=s.edge_min_length_prefilter)
    merged = merge_edges(
        v + h,
        snap_x_tolerance=s.snap_x_tolerance,
        snap_y_tolerance=s.snap_y_tolerance,
        join_x_tolerance=s.join_x_tolerance,
        join_y_tolerance=s.join_y_tolerance,
    )
    merged = utils.filter_edges(merged, min_length=s.edge_min_length)
    points = _intersections(merged, s.intersection_x_tolerance, s.intersection_y_tolerance)
    out = []
    for group in _cells_to_tables(_cells(points)):
        cells = [tuple(c) for c in group]
        bbox = (
            min(c[0] for c in cells),
            min(c[1] for c in cells),
            max(c[2] for c in cells),
            max(c[3] for c in cells),
        )
        out.append(_Table(cells, bbox))  # type: ignore[arg-type]
    return out


_Box = tuple[float, float, float, float]
_Point = tuple[float, float]


def _intersections(
    edges: list[dict], x_tol: float, y_tol: float
) -> dict[_Point, tuple[set[_Box], set[_Box]]]:
    """pdfplumber's `edges_to_intersections`: where a vertical and a horizontal edge meet (within the
    tolerances), with the boxes of the edges meeting there. The horizontal edges a vertical one can
    meet are found by bisecting on their tops instead of trying every pair."""
    v_edges = sorted((e for e in edges if e["orientation"] == "v"), key=lambda e: (e["x0"], e["top"]))
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=lambda e: (e["top"], e["x0"]))
    h_tops = [h["top"] for h in h_edges]
    out: dict[_Point, tuple[set[_Box], set[_Box]]] = {}
    for v in v_edges:
        vx, vtop, vbottom = v["x0"], v["top"], v["bottom"]
        lo = bisect.bisect_left(h_tops, vtop - y_tol)
        for h in h_edges[lo:]:
            htop = h["top"]
            if not vtop <= htop + y_tol:
                continue
            if not vbottom >= htop - y_tol:
                break
            if vx >= h["x0"] - x_tol and vx <= h["x1"] + x_tol:
                vertex = (vx, htop)
                found = out.get(vertex)
                if found is None:
                    found = out[vertex] = (set(), set())
                found[0].add((v["x0"], v["top"], v["x1"], v["bottom"]))
                found[1].add((h["x0"], h["top"], h["x1"], h["bottom"]))
    return out


def _cells(points: dict[_Point, tuple[set[_Box], set[_Box]]]) -> list[_Box]:
    """pdfplumber's `intersections_to_cells`: for each intersection (in order), the smallest cell it
    is the top left corner of; the points below and to the right looked up by column and row."""
    order = sorted(points)
    below: dict[float, list[_Point]] = {}
    right: dict[float, list[_Point]] = {}
    for pt in order:
        below.setdefault(pt[0], []).append(pt)
        right.setdefault(pt[1], []).append(pt)

    def connects(p1: _Point, p2: _Point) -> bool:
        if p1[0] == p2[0] and not points[p1][0].isdisjoint(points[p2][0]):
            return True
        return p1[1] == p2[1] and not points[p1][1].isdisjoint(points[p2][1])

    out: list[_Box] = []
    for pt in order:
        col, row = below[pt[0]], right[pt[1]]
        downs = col[col.index(pt) + 1 :]
        rights = row[row.index(pt) + 1 :]
        found = None
        for down in downs:
            if not connects(pt, down):
                continue
            for r in rights:
                if not connects(pt, r):
                    continue
                corner = (r[0], down[1])
                if corner in points and connects(corner, r) and connects(corner, down):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            out.append(found)
    return out


def _cells_to_tables(cells: list[_Box]) -> list[list[_Box]]:
    """pdfplumber's `cells_to_tables`: cells grouped into tables by shared corners, in the same
    passes over the cells left (a pass takes, in order, each cell touching a corner of the table
    so far; a pass that takes none closes the table), with each pass keeping the cells it leaves
    instead of removing the ones it takes from a list one search at a time."""
    remaining = list(cells)
    tables: list[list[_Box]] = []
    corners: set[_Point] = set()
    current: list[_Box] = []
    while remaining:
        before = len(current)
        rest: list[_Box] = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            own = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or not corners.isdisjoint(own):
                corners.update(own)
                current.append(cell)
            else:
                rest.append(cell)
        remaining = rest
        if len(current) == before:
            tables.append(current)
            corners = set()
            current = []
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def dedupe_chars(chars: list[dict], tolerance: float = 1) -> list[dict]:
    """pdfplumber's `utils.dedupe_chars` (same text, font and size within `tolerance` points: the
    first drawn is kept) in O(n log n)."""
    keys = [(c["upright"], c["text"], c["fontname"], c["size"]) for c in chars]
    kept = _kept(keys, [c["doctop"] for c in chars], [c["x0"] for c in chars], tolerance)
    return [chars[i] for i in kept]


def _dedupe(chars: list[_Char], tolerance: float = 1) -> list[_Char]:
    """`dedupe_chars` for the reader's characters."""
    kept = _kept([c[:4] for c in chars], [c[_TOP] for c in chars], [c[_X0] for c in chars], tolerance)
    return chars if len(kept) == len(chars) else [chars[i] for i in kept]


def _kept(keys: list[tuple], tops: list[float], x0s: list[float], tolerance: float) -> list[int]:
    """Which characters de-duplication keeps, in order, given their (upright, text, font name,
    size), tops and left edges."""
    if len(keys) < 2:
        return list(range(len(keys)))
    # pdfplumber sorts by (upright, text, fontname, size, doctop) and cuts that order into rows:
    # runs of same-key characters whose doctop values are each within `tolerance` of the one
    # before. The same rows, key by key: most keys hold one character, which is kept as it is
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        members = groups.get(key)
        if members is None:
            groups[key] = [i]
        else:
            members.append(i)
    if len(groups) == len(keys):
        return list(range(len(keys)))
    kept: list[int] = []
    for members in groups.values():
        if len(members) == 1:
            kept.append(members[0])
            continue
        members.sort(key=tops.__getitem__)  # ties: drawing order
        row = [members[0]]
        prev = tops[members[0]]
        for i in members[1:]:
            top = tops[i]
            if top <= prev + tolerance:
                row.append(i)
            else:
                if len(row) == 1:
                    kept.append(row[0])
                else:
                    _dedupe_row(row, tops, x0s, tolerance, kept)
                row = [i]
            prev = top
        if len(row) == 1:
            kept.append(row[0])
        else:
            _dedupe_row(row, tops, x0s, tolerance, kept)
    kept.sort()
    return kept


def _dedupe_row(
    row: list[int], tops: list[float], x0s: list[float], tolerance: float, kept: list[int]
) -> None:
    """The characters kept of one row: per spot (x0 values chained within `tolerance`, ties in
    drawing order, as pdfplumber keeps a cluster), the first drawn of those at the smallest
    (doctop, x0)."""
    if len(row) == 2:  # most rows: a character twice on a line
        a, b = row
        xa, xb = x0s[a], x0s[b]
        lo, hi = (xa, xb) if xa <= xb else (xb, xa)
        if hi > lo + tolerance:  # two spots
            kept += row
        else:
            kept.append(a if (tops[a], xa, a) < (tops[b], xb, b) else b)
        return
    spot: list[int] = []
    last = 0.0
    for i in sorted(sorted(row), key=x0s.__getitem__):
        v = x0s[i]
        if spot and v > last + tolerance:
            kept.append(spot[0] if len(spot) == 1 else min(spot, key=lambda i: (tops[i], x0s[i], i)))
            spot = []
        spot.append(i)
        last = v
    kept.append(spot[0] if len(spot) == 1 else min(spot, key=lambda i: (tops[i], x0s[i], i)))


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

    def add_page(self, pno: int, height: float, chars: list[_Char], tables: list) -> None:
        tables = sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))
        # the characters in line order: each subset taken below (a cell's, those outside tables)
        # keeps it, as sorting the subset would (the sort is stable), so lines are grouped without
        # sorting again; and one index for the page serves every cell (a character inside a cell
        # is inside its table's box)
        tenths: dict[float, float] = {}  # top → round(top, 1): a page has a few hundred tops
        for c in chars:
            top = c[_TOP]
            if top not in tenths:
                tenths[top] = round(top, 1)
        # _line_order, without a call each: sorted by x0, then (stably) by the tenth-rounded top,
        # as two sorts of floats (faster than one of pairs)
        x0s = [c[_X0] for c in chars]
        at = sorted(range(len(chars)), key=x0s.__getitem__)
        at.sort(key=[tenths[c[_TOP]] for c in chars].__getitem__)
        chars = [chars[i] for i in at]
        index = _CharIndex(chars)
        inside: set[int] = set()
        for t in tables:
            inside.update(index.within_ids(t.bbox))
        outside = [c for i, c in enumerate(chars) if i not in inside] if inside else chars
        lines = _lines(outside, ordered=True)
        # the text margins: where lines start and end (a table may stick out past them)
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=0.0)
        lines = _paragraphs(lines, tables, left, right)
        items: list[tuple[float, int, Any]] = [(ln.top, 1, ln) for ln in lines]
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
            rows = _table_rows(obj, index, 0, f"page {pno} table {n_table}")
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


def _table_rows(table, tchars: _CharIndex, tid: int, where: str) -> list[tuple[Row, list[_Geom]]]:  # type: ignore[no-untyped-def]
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
    """Characters ordered by their centre's y (then x), so that a box looks only at those in its
    band of rows (scanning all of them for each cell is cells × characters: 20 s for a 50 × 50
    grid); a character belongs to a box when its centre is inside it, edges included."""

    def __init__(self, chars: list[_Char]) -> None:
        # by y alone (floats sort faster than pairs): the order among equal ys does not matter, as
        # a box's characters are given in their position in the list
        ys = [(c[_TOP] + c[_BOTTOM]) / 2 for c in chars]
        xs = [(c[_X0] + c[_X1]) / 2 for c in chars]
        self.order = order = sorted(range(len(chars)), key=ys.__getitem__)
        self.chars = chars
        self.ys = [ys[i] for i in order]
        self.xs = [xs[i] for i in order]

    def within_ids(self, bbox: tuple) -> list[int]:
        """Positions (in the list given) of the characters inside `bbox`, in order."""
        x0, top, x1, bottom = bbox[0], bbox[1], bbox[2], bbox[3]
        lo = bisect.bisect_left(self.ys, top)
        hi = bisect.bisect_right(self.ys, bottom)
        xs, order = self.xs, self.order
        picked = [order[k] for k in range(lo, hi) if x0 <= xs[k] <= x1]
        picked.sort()
        return picked

    def within(self, bbox: tuple) -> list[_Char]:
        """The characters inside `bbox`, in their original order."""
        chars = self.chars
        return [chars[i] for i in self.within_ids(bbox)]


def _cell_text(bbox: tuple, chars: _CharIndex) -> tuple[str, _Geom]:
    lines = _lines(chars.within(bbox), ordered=True)
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
    cs = [c for c in line.chars if c[_TEXT].strip()]
    if not cs:
        return 0.0
    i = 0
    while i < len(cs) - 1 and cs[i][_TEXT] in _OPENING:
        i += 1
    j = i + 1
    if not (_is_cjk(cs[i][_TEXT]) or cs[i][_TEXT] in _CLOSING):
        while (
            j < len(cs)
            and not _is_cjk(cs[j][_TEXT])
            and cs[j][_TEXT] not in _CLOSING
            and _touching(cs[j - 1], cs[j])
        ):
            j += 1
    while j < len(cs) and cs[j][_TEXT] in _CLOSING:
        j += 1
    return cs[j - 1][_X1] - cs[0][_X0]


def _touching(a: _Char, b: _Char) -> bool:
    return b[_X0] - a[_X1] < 0.2 * b[_SIZE]


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


_BY_SIZE = operator.itemgetter(_SIZE)
_BY_X0 = operator.itemgetter(_X0)


def _line_order(c: _Char) -> tuple[float, float]:
    """Reading order of characters for grouping them into lines: top (to the tenth), then x0."""
    return (round(c[_TOP], 1), c[_X0])


def _lines(chars: list[_Char], ordered: bool = False) -> list[_Line]:
    """Group characters into printed lines (top to bottom), with spaces where glyphs are far apart;
    `ordered`: the characters are in line order already."""
    if not chars:
        return []
    cs = chars if ordered else sorted(chars, key=_line_order)
    groups: list[list[_Char]] = []
    spans: list[list[float]] = []  # [top, bottom] of each group, kept as characters join it (a line
    # of thousands of characters must not be scanned again for every character)
    firsts: list[float] = []  # the top of each group's first character
    last_size = last_top = last_bottom = None
    last_group: list[_Char] = []
    for c in cs:
        _, _, _, size, top, _, _, bottom = c
        if top == last_top and bottom == last_bottom and size == last_size:
            last_group.append(c)  # as the character before (a run of text): joins the same group
            continue
        last_size, last_top, last_bottom = size, top, bottom
        mid = (top + bottom) / 2
        reach = 0.6 * (size if size > 1 else 1)
        k = len(groups) - 1
        stop = k - 3 if k > 2 else -1  # the last three groups
        while k > stop:
            span = spans[k]
            if span[0] - 0.5 <= mid <= span[1] + 0.5 and abs(top - firsts[k]) < reach:
                last_group = groups[k]
                last_group.append(c)
                if top < span[0]:
                    span[0] = top
                if bottom > span[1]:
                    span[1] = bottom
                break
            k -= 1
        else:
            last_group = [c]
            groups.append(last_group)
            spans.append([top, bottom])
            firsts.append(top)
    out: list[_Line] = []
    for g, (gtop, gbottom) in zip(groups, spans, strict=True):
        if len(g) > 1:
            g.sort(key=_BY_X0)
        text: list[str] = []
        add = text.append
        prev_x1 = 0.0
        last_space = True  # no space before the first character
        for _, t, _, size, _, x0, x1, _ in g:  # a character's text is one code point
            if t != " " and not last_space and x0 - prev_x1 > 0.25 * (1 if size < 1 else size):
                add(" ")
            add(t)
            last_space = t == " "
            prev_x1 = x1
        s = " ".join("".join(text).split())
        if not s:
            continue
        visible = [c for c in g if not c[_TEXT].isspace()]
        top_size = max(map(_BY_SIZE, g))
        out.append(_Line(s, visible[0][_X0], visible[-1][_X1], gtop, gbottom, top_size, visible))
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out
