"""Crafted hostile documents (issue 9): small files that cost a reader gigabytes or minutes.

Each is built here rather than committed as a binary. The sizes match the files reported:
`wide_xlsx()` 21.7 KB, `rowspan_html()` 509 KB, `stream_bomb_pdf()` 56 KB, `big_docx()` 5.8 MB,
`zip_bomb_xlsx()` 2.8 MB.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
)
_XLSX_CT = _CT.format(
    overrides=(
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
)
_DOCX_CT = _CT.format(
    overrides=(
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    )
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="{target}"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def xlsx_package(sheet_xml: bytes | str, *, sheet_name: str = "Sheet1") -> bytes:
    """A minimal .xlsx holding one sheet part as given."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _XLSX_CT)
        z.writestr("_rels/.rels", _RELS.format(target="xl/workbook.xml"))
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name=sheet_name))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buf.getvalue()


def wide_xlsx(rows: int = 2000) -> bytes:
    """Cells in columns A and XFD (the last of 16,384) on every row: 21.7 KB."""
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{r}</t></is></c>'
        f'<c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c></row>'
        for r in range(1, rows + 1)
    )
    return xlsx_package(_SHEET_HEAD + body + _SHEET_TAIL)


def rowspan_html(rows: int = 16000) -> bytes:
    """One table whose every row starts a cell spanning 1000 rows: 509 KB."""
    body = "".join("<tr><td rowspan=1000>x</td></tr>" for _ in range(rows))
    return f"<html><body><table>{body}</table></body></html>".encode()


def blank_run_txt(lines: int = 200_000) -> bytes:
    """A text of a project line, a long run of blank and white-space lines, and a header line:
    400 KB that a pattern running over line breaks reads in time quadratic in the run."""
    return ("项目名称 某项目\n" + "\n \u3000\n" * (lines // 2) + "一级指标 二级指标\n").encode()


def stream_bomb_pdf(chars: int = 50_000_000) -> bytes:
    """A one-page PDF without a valid cross-reference table whose content stream inflates to one text
    string of `chars` characters: 56 KB."""
    content = b"BT /F1 1 Tf 10 10 Td (" + b"A" * chars + b") Tj ET"
    packed = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    for i, body in enumerate(objs, 1):
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    out += b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"  # no xref: readers fall back to scanning
    return bytes(out)


def long_line_pdf(shows: int = 19_000) -> bytes:
    """One page that prints one character at a time on a single line, `shows` times (the fuzzer's
    slowest input: grouping characters into lines and pdfplumber's de-duplication were quadratic
    in the characters of one line): 0.6 KB, under the 20,000-character cap."""
    content = b"BT /F1 12 Tf " + b"(x) Tj " * shows + b"ET"
    packed = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    for i, body in enumerate(objs, 1):
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    out += b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return bytes(out)


def grid_pdf(n: int = 50) -> bytes:
    """One page with an n × n ruled grid, 7 characters in each cell (the reader looked for each
    cell's characters among all of the table's: cells × characters): 0.1 MB."""
    ops = [b"0.5 w"]
    x0, y0, w, h = 20, 780, 11, 15
    for r in range(n + 1):
        ops.append(b"%d %d m %d %d l S" % (x0, y0 - r * h, x0 + n * w, y0 - r * h))
    for c in range(n + 1):
        ops.append(b"%d %d m %d %d l S" % (x0 + c * w, y0, x0 + c * w, y0 - n * h))
    ops.append(b"BT /F1 3 Tf")
    for r in range(n):
        for c in range(n):
            ops.append(b"1 0 0 1 %.1f %.1f Tm (abcdefg) Tj" % (x0 + c * w + 1, y0 - r * h - 10))
    ops.append(b"ET")
    content = b"\n".join(ops)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    for i, body in enumerate(objs, 1):
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    out += b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return bytes(out)


def big_docx(cells: int = 1_900_000, seed: int = 9) -> bytes:
    """A .docx whose document part is one table of ~1.9 million short random cells (~95 MB of XML,
    compressed 16:1, so it passes the archive's size and ratio checks): 5.8 MB."""
    rnd = random.Random(seed)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    pool = [f"<w:tc><w:p><w:r><w:t>{n}</w:t></w:r></w:p></w:tc>" for n in range(10**4)]
    per_row = 10
    picks = rnd.choices(pool, k=cells)
    rows = ["<w:tr>" + "".join(picks[i : i + per_row]) + "</w:tr>" for i in range(0, cells, per_row)]
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body><w:tbl>'
        + "".join(rows)
        + "</w:tbl></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", _DOCX_CT)
        z.writestr("_rels/.rels", _RELS.format(target="word/document.xml"))
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def zip_bomb_xlsx(unpacked_mb: int = 2900) -> bytes:
    """A workbook whose sheet part inflates from 2.8 MB to `unpacked_mb` MB of blank rows. The deflate
    stream is one compressed chunk repeated (each chunk ends with a full flush, so the copies are
    byte-identical): building it costs a CRC over the unpacked size, not compressing it."""
    chunk = b"<row/>" * (1 << 17)  # 768 KB
    n = unpacked_mb * (1 << 20) // len(chunk)
    head, tail = _SHEET_HEAD.encode(), _SHEET_TAIL.encode()
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head + chunk) + c.flush(zlib.Z_FULL_FLUSH)
    same = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert same == again
    packed = first + same * (n - 1) + c.compress(tail) + c.flush()
    crc = zlib.crc32(head + chunk)
    for _ in range(n - 1):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + n * len(chunk) + len(tail)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _XLSX_CT)
        z.writestr("_rels/.rels", _RELS.format(target="xl/workbook.xml"))
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name="监控表1"))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
    return _append_member(buf.getvalue(), "xl/worksheets/sheet1.xml", packed, crc, size)


def _append_member(data: bytes, name: str, packed: bytes, crc: int, size: int) -> bytes:
    """A zip with one more deflated member given as its raw deflate stream, CRC and size."""
    import struct

    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    cd_at = struct.unpack("<I", data[-6:-2])[0]  # end of central directory: offset of the directory
    body, directory = data[:cd_at], data[cd_at:-22]
    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed), size, len(fname), 0)
    offset = len(body)
    entry = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(packed),
        size,
        len(fname),
        0,
        0,
        0,
        0,
        0,
        offset,
    )
    body += local + fname + packed
    directory += entry + fname
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(infos) + 1, len(infos) + 1, len(directory), len(body), 0
    )
    return body + directory + end


def bad_version_zip(data: bytes) -> bytes:
    """A copy of a zip whose every member claims to need zip version 9.9 (zipfile raises
    NotImplementedError on such a member)."""
    out = bytearray(data)
    i = 0
    while (i := out.find(b"PK\x03\x04", i)) >= 0:  # local headers: version needed at +4
        out[i + 4 : i + 6] = (99).to_bytes(2, "little")
        i += 4
    i = 0
    while (i := out.find(b"PK\x01\x02", i)) >= 0:  # central directory: version needed at +6
        out[i + 6 : i + 8] = (99).to_bytes(2, "little")
        i += 4
    return bytes(out)


# ------------------------------------------------------------------ functions run in a parse worker


def spin(seconds: float) -> str:
    """Busy for `seconds` of CPU (a parse that never ends, for the time limit)."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def hog(mb: int) -> int:
    """Hold `mb` MB of touched memory and return its size (for the memory limit)."""
    block = bytearray(mb * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return len(block)


def fail_with(kind: str) -> None:
    """Raise an exception of a kind that must cross the process boundary intact."""
    from jixiao.cycle.workbooks import WorkbookError
    from jixiao.ingest import ReadError
    from jixiao.model import Location

    if kind == "read":
        raise ReadError("a.xlsx", "第 3 行有误", Location(cell="Sheet1!C3"))
    if kind == "workbook":
        raise WorkbookError(["监控表!E10: 不是数字", "监控表!E11: 为空"])
    raise ValueError("普通错误")
