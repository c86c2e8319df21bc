"""Fuzz the readers and the interpreter with mutated documents of every format, under the limits.

    python bench/fuzz_readers.py --n 100000 --seed 1 --timeout 30 --memory-mb 512
           [--formats txt,docx,xlsx,html,pdf] [--deadline 18:05] [--progress FILE] [--save DIR]

Seed documents are the sample disclosures (../shared/seeds, cut to one to three projects so that
each parse takes milliseconds) written as .txt, .docx, .xlsx and .html by jixiao's writers, and as
.pdf by LibreOffice when it is installed (else by a small built-in PDF writer: a ruled table).
Each input is a seed with one to four mutations: byte flips, truncation, inserted and duplicated
chunks; for the Office formats zip member corruption, duplication and removal, a bad "version
needed" field, huge declared sizes, and XML mutations inside a member (huge sheet dimensions and
far cell references, merged-range bombs, grid spans); for HTML row/colspan bombs, deep nesting and
broken tags; for PDF broken cross-references, huge page counts, self-drawing forms, deflate bombs.

Each input goes through `parse_bytes` (readers + interpreter) in a worker process whose address
space is capped at its size after start-up plus --memory-mb; the parent kills it after --timeout
seconds. Counted: total, per format, ReadError (a clean refusal), parsed, uncaught exceptions
(anything not a ReadError; the first few are printed with the input saved under --save), over time,
over memory (the worker died, hit the address-space cap or grew past --memory-mb), and the largest
parse time and peak RSS growth over the worker's baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import random
import re
import resource
import sys
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
FORMATS = ("txt", "docx", "xlsx", "html", "pdf")
WEIGHTS = {"txt": 26, "docx": 22, "xlsx": 18, "html": 26, "pdf": 8}

# ---------------------------------------------------------------------------------- seed corpus


def seed_corpus(
    pdf_cache: Path | None = None, *, use_soffice: bool = True, seeds: Path = SEEDS
) -> dict[str, list[bytes]]:
    """Small documents of every format built from the sample disclosures."""
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.export.html import disclosure_to_html
    from jixiao.export.layout import LayoutOptions
    from jixiao.export.xlsx import disclosure_to_xlsx
    from jixiao.ingest import parse_bytes

    out: dict[str, list[bytes]] = {f: [] for f in FORMATS}
    models = []
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        doc = parse_bytes(text.encode(), path.name)
        lines = text.split("\n")
        # the text seed: its first project table (up to the second title line)
        starts = [i for i, ln in enumerate(lines) if re.match(r"^\s*\d+[.．、]", ln) and "绩效目标表" in ln]
        cut = starts[1] if len(starts) > 1 else min(len(lines), 120)
        out["txt"].append("\n".join(lines[:cut]).encode())
        for k in (1, 2, 3):
            small = _first_projects(doc, k)
            if small is not None:
                models.append(small)
    for i, m in enumerate(models):
        out["docx"].append(disclosure_to_docx(m) if i % 2 else disclosure_to_docx(m, split_every=4))
        out["xlsx"].append(disclosure_to_xlsx(m, options=LayoutOptions(merge_levels=bool(i % 2))))
        html = disclosure_to_html(m)
        out["html"].append(
            html.encode("utf-8")
            if i % 3
            else html.replace('charset="utf-8"', 'charset="gb2312"').encode("gb18030", errors="replace")
        )
    out["pdf"] = _pdf_seeds(models, pdf_cache, use_soffice)
    return out


def _first_projects(doc, k: int):  # type: ignore[no-untyped-def]
    import copy

    if len(doc.projects) < k:
        return None
    small = copy.deepcopy(doc)
    small.projects = small.projects[:k]
    small.budget_overview = None
    for p in small.projects:
        if p.unit_code is None and p.unit_name is None:
            p.unit_code, p.unit_name = doc.unit_code, doc.unit_name
    return small


def _pdf_seeds(models: list, cache: Path | None, use_soffice: bool) -> list[bytes]:
    out = [ruled_pdf(seed) for seed in range(4)]
    import shutil

    if not use_soffice or not (shutil.which("soffice") or shutil.which("libreoffice")):
        return out
    cache = cache or Path("/tmp/jixiao-fuzz-pdf")
    cache.mkdir(parents=True, exist_ok=True)
    picked = models[::3][:5]  # one-project documents: one or two pages each
    pdfs = sorted(cache.glob("*.pdf"))
    if len(pdfs) < len(picked):
        from jixiao.export.docx import disclosure_to_docx

        sys.path.insert(0, str(ROOT))
        from tests.format_helpers import docx_to_pdf

        paths = []
        for i, m in enumerate(picked):
            p = cache / f"seed{i}.docx"
            p.write_bytes(disclosure_to_docx(m))
            paths.append(p)
        docx_to_pdf(paths, cache)
        pdfs = sorted(cache.glob("*.pdf"))
    return out + [p.read_bytes() for p in pdfs]


def ruled_pdf(seed: int, rows: int = 8) -> bytes:
    """A one-page PDF with a ruled table of ASCII text (no LibreOffice needed)."""
    rnd = random.Random(seed)
    ops = [b"0.5 w"]
    xs = [50, 150, 250, 400, 550]
    top, h = 750, 20
    for r in range(rows + 1):
        y = top - r * h
        ops.append(b"%d %d m %d %d l S" % (xs[0], y, xs[-1], y))
    for x in xs:
        ops.append(b"%d %d m %d %d l S" % (x, top, x, top - rows * h))
    ops.append(b"BT /F1 9 Tf")
    for r in range(rows):
        for c in range(len(xs) - 1):
            word = "".join(rnd.choice("ABCDEFGH0123456789%") for _ in range(rnd.randint(1, 8)))
            ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (xs[c] + 4, top - r * h - 14, word.encode()))
    ops.append(b"ET")
    content = b"\n".join(ops)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(content, compress=seed % 2 == 0),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def _stream(content: bytes, *, compress: bool = True, extra: bytes = b"") -> bytes:
    if compress:
        data = zlib.compress(content)
        return (
            b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"
        )
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _pdf(objs: list[bytes], *, xref: bool = True) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    if not xref:
        return bytes(out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, at)
    return bytes(out)


# ------------------------------------------------------------------------------------ mutations


def mutate(fmt: str, data: bytes, rnd: random.Random) -> tuple[bytes, list[str]]:
    """One to four mutations of `data`; returns the input and the mutations' names."""
    names: list[str] = []
    for _ in range(rnd.choice((1, 1, 1, 2, 2, 3, 4))):
        ops = _OPS[fmt] + _BYTE_OPS
        op = rnd.choice(ops)
        try:
            data = op(data, rnd)
        except Exception:
            continue
        names.append(op.__name__)
    return data, names


def flip(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        if b:
            b[rnd.randrange(len(b))] = rnd.randrange(256)
    return bytes(b)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(len(data) + 1)]


def insert(data: bytes, rnd: random.Random) -> bytes:
    at = rnd.randrange(len(data) + 1)
    return data[:at] + rnd.randbytes(rnd.randint(1, 64)) + data[at:]


def duplicate_chunk(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    a = rnd.randrange(len(data))
    b = min(len(data), a + rnd.randint(1, 4096))
    return data[:b] + data[a:b] * rnd.randint(1, 50) + data[b:]


def delete_chunk(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    a = rnd.randrange(len(data))
    return data[:a] + data[a + rnd.randint(1, 2048) :]


_BYTE_OPS = [flip, truncate, insert, duplicate_chunk, delete_chunk]


# text ----------------------------------------------------------------------------------------


def text_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = data.decode("utf-8", "replace").split("\n")
    i = rnd.randrange(len(lines))
    k = rnd.randrange(6)
    if k == 0:
        lines.insert(i, lines[i])
    elif k == 1:
        del lines[i]
    elif k == 2:
        lines[i] = lines[i].replace(" ", "\t") * rnd.randint(1, 3)
    elif k == 3:
        lines[i] = "".join(chr(rnd.randrange(0x20, 0x9FFF)) for _ in range(rnd.randint(1, 200)))
    elif k == 4:
        lines[i] = lines[i] * rnd.randint(50, 2000)  # a very long line
    else:
        lines[i:i] = ["\t" * rnd.randint(1, 50)] * rnd.randint(1, 500)
    enc = rnd.choice(("utf-8", "utf-8", "gb18030", "utf-16"))
    return "\n".join(lines).encode(enc, errors="replace")


# zip -----------------------------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return [(i, zf.read(i)) for i in zf.infolist()]


def _pack(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, body in members:
            z.writestr(name, body)
    return buf.getvalue()


def _xml_member(members: list[tuple[zipfile.ZipInfo, bytes]], rnd: random.Random) -> int:
    xml = [k for k, (i, _) in enumerate(members) if i.filename.endswith((".xml", ".rels"))]
    main = [k for k in xml if members[k][0].filename in ("word/document.xml", "xl/worksheets/sheet1.xml")]
    return rnd.choice(main * 3 + xml)


def zip_member_xml(data: bytes, rnd: random.Random) -> bytes:
    """Mutate the text of one XML member (byte-level, inside the zip: CRCs stay right)."""
    members = _members(data)
    k = _xml_member(members, rnd)
    body = members[k][1]
    body = rnd.choice((flip, delete_chunk, duplicate_chunk, insert, truncate))(body, rnd)
    out = [(i.filename, b) for i, b in members]
    out[k] = (out[k][0], body)
    return _pack(out)


def zip_member_dup(data: bytes, rnd: random.Random) -> bytes:
    members = [(i.filename, b) for i, b in _members(data)]
    k = rnd.randrange(len(members))
    members.insert(rnd.randrange(len(members) + 1), members[k])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _pack(members)


def zip_member_drop(data: bytes, rnd: random.Random) -> bytes:
    members = [(i.filename, b) for i, b in _members(data)]
    del members[rnd.randrange(len(members))]
    return _pack(members)


def zip_header(data: bytes, rnd: random.Random) -> bytes:
    """Corrupt a header field: version needed, method, flags, sizes, name length."""
    b = bytearray(data)
    sig = rnd.choice((b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"))
    spots = [m.start() for m in re.finditer(re.escape(sig), data)]
    if not spots:
        return data
    at = rnd.choice(spots)
    if sig == b"PK\x03\x04":
        field_at = rnd.choice((4, 6, 8, 18, 22, 26))
    elif sig == b"PK\x01\x02":
        field_at = rnd.choice((6, 8, 10, 20, 24, 28, 42))
    else:
        field_at = rnd.choice((8, 10, 12, 16))
    value = rnd.choice((0, 1, 0xFF, 0xFFFF, 99, rnd.randrange(1 << 16)))
    pos = at + field_at
    if pos + 2 <= len(b):
        b[pos : pos + 2] = value.to_bytes(2, "little")
    if field_at in (18, 22, 20, 24) and pos + 4 <= len(b):  # 4-byte sizes
        b[pos : pos + 4] = rnd.choice((0xFFFFFFFF, 0x7FFFFFFF, 0)).to_bytes(4, "little")
    return bytes(b)


def _edit_xml(data: bytes, member: str, edit, rnd: random.Random) -> bytes:  # type: ignore[no-untyped-def]
    members = [(i.filename, b) for i, b in _members(data)]
    for k, (name, body) in enumerate(members):
        if name == member:
            members[k] = (name, edit(body.decode("utf-8", "replace"), rnd).encode("utf-8"))
    return _pack(members)


def xlsx_far_cells(data: bytes, rnd: random.Random) -> bytes:
    """Cell references far away, a huge declared dimension, sparse rows."""

    def edit(xml: str, rnd: random.Random) -> str:
        col = rnd.choice(("XFD", "ZZ", "AMK", "ALL", "B", "IV"))
        row = rnd.choice((1048576, 100000, 5000, 300, rnd.randrange(1, 1 << 20)))
        cells = "".join(
            f'<c r="{col}{r}" t="inlineStr"><is><t>x{r}</t></is></c>'
            for r in range(row, row + rnd.randint(1, 3000))
            if r <= 1048576
        )
        xml = re.sub(r"<dimension [^>]*/>", f'<dimension ref="A1:{col}{row}"/>', xml)
        if rnd.random() < 0.5:
            xml = xml.replace("</sheetData>", f'<row r="{row}">{cells}</row></sheetData>', 1)
        else:
            xml = re.sub(
                r'(<c r=")([A-Z]+)(\d+)"',
                lambda m: f'{m.group(1)}{col}{m.group(3)}"' if rnd.random() < 0.2 else m.group(0),
                xml,
            )
        return xml

    return _edit_xml(data, "xl/worksheets/sheet1.xml", edit, rnd)


def xlsx_merges(data: bytes, rnd: random.Random) -> bytes:
    def edit(xml: str, rnd: random.Random) -> str:
        n = rnd.choice((10, 10, 1000, 20000))
        refs = "".join(
            f'<mergeCell ref="{rnd.choice("ABCD")}{rnd.randint(1, 50)}:'
            f'{rnd.choice(("Z", "XFD", "E", "AA"))}{rnd.choice((60, 1000, 1048576))}"/>'
            for _ in range(n)
        )
        block = f'<mergeCells count="{n}">{refs}</mergeCells>'
        xml = re.sub(r"<mergeCells.*?</mergeCells>", "", xml, flags=re.S)
        return xml.replace("</sheetData>", "</sheetData>" + block, 1)

    return _edit_xml(data, "xl/worksheets/sheet1.xml", edit, rnd)


def xlsx_values(data: bytes, rnd: random.Random) -> bytes:
    """Shared-string indexes out of range, odd types and number formats."""

    def edit(xml: str, rnd: random.Random) -> str:
        return re.sub(
            r"<v>([^<]*)</v>",
            lambda m: rnd.choice(
                (
                    m.group(0),
                    "<v>99999999</v>",
                    "<v>-1</v>",
                    "<v>1e308</v>",
                    "<v>NaN</v>",
                    "<v></v>",
                    "<v>" + "9" * 400 + "</v>",
                )
            ),
            xml,
        )

    return _edit_xml(data, "xl/worksheets/sheet1.xml", edit, rnd)


def docx_spans(data: bytes, rnd: random.Random) -> bytes:
    def edit(xml: str, rnd: random.Random) -> str:
        span = rnd.choice(("0", "-5", "99999", "abc", "1000000000"))
        xml = re.sub(r'<w:gridSpan w:val="\d+"/>', f'<w:gridSpan w:val="{span}"/>', xml)
        if rnd.random() < 0.5:
            xml = xml.replace("<w:tcPr>", "<w:tcPr><w:vMerge/>", rnd.randint(1, 200))
        return xml

    return _edit_xml(data, "word/document.xml", edit, rnd)


def docx_nesting(data: bytes, rnd: random.Random) -> bytes:
    """Deeply nested tables, content controls or repeated rows."""

    def edit(xml: str, rnd: random.Random) -> str:
        depth = rnd.choice((50, 300, 3000))
        k = rnd.randrange(3)
        if k == 0:
            inner = (
                "<w:tbl><w:tr><w:tc>" * depth
                + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
                + "</w:tc></w:tr></w:tbl>" * depth
            )
        elif k == 1:
            inner = (
                "<w:sdt><w:sdtContent>" * depth
                + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
                + "</w:sdtContent></w:sdt>" * depth
            )
        else:
            m = re.search(r"<w:tr[ >].*?</w:tr>", xml, flags=re.S)
            inner = ""
            if m:
                return xml[: m.end()] + m.group(0) * rnd.choice((10, 1000, 5000)) + xml[m.end() :]
        return xml.replace("<w:body>", "<w:body>" + inner, 1)

    return _edit_xml(data, "word/document.xml", edit, rnd)


# html ----------------------------------------------------------------------------------------


def html_spans(data: bytes, rnd: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    v = rnd.choice(("0", "1000", "99999", "-3", "x", "2147483648"))
    attr = rnd.choice(("rowspan", "colspan"))
    n = [0]

    def sub(m: re.Match) -> str:
        n[0] += 1
        return f'<td {attr}="{v}"' if rnd.random() < 0.3 else m.group(0)

    text = re.sub(r"<td", sub, text)
    if rnd.random() < 0.1:  # a row-span bomb appended
        text += "<table>" + f"<tr><td rowspan={v}>x</td></tr>" * rnd.randint(10, 1500) + "</table>"
    return text.encode("utf-8")


def html_nesting(data: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice((100, 1000, 20000))
    tag = rnd.choice(("div", "table><tr><td", "b", "p", "li"))
    close = "".join(f"</{t.split(' ')[0]}>" for t in reversed(tag.split("><")))
    bomb = f"<{tag}>" * depth + "x" + close * (depth if rnd.random() < 0.5 else 0)
    at = rnd.randrange(len(data) + 1)
    return data[:at] + bomb.encode() + data[at:]


def html_tags(data: bytes, rnd: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    for _ in range(rnd.randint(1, 20)):
        if not text:
            break
        at = rnd.randrange(len(text))
        text = (
            text[:at]
            + rnd.choice(
                (
                    "<",
                    ">",
                    "</table>",
                    "<table>",
                    "<tr>",
                    "</td>",
                    "<br>",
                    "&#0;",
                    "&#x110000;",
                    "<!--",
                    "<![CDATA[",
                    "<script>",
                    "\x00",
                    '<meta charset="utf-16">',
                )
            )
            + text[at:]
        )
    return text.encode("utf-8", errors="replace")


# pdf -----------------------------------------------------------------------------------------


def pdf_structure(data: bytes, rnd: random.Random) -> bytes:
    """Break the cross-reference table, claim a huge page count, point objects at themselves."""
    k = rnd.randrange(5)
    if k == 0:
        return re.sub(rb"startxref\s+\d+", b"startxref\n" + str(rnd.randrange(1 << 31)).encode(), data)
    if k == 1:
        return re.sub(rb"/Count \d+", b"/Count " + rnd.choice((b"0", b"-1", b"999999999")), data)
    if k == 2:
        return re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [2 0 R 2 0 R]", data, count=1)
    if k == 3:
        return re.sub(rb"/Length \d+", b"/Length " + str(rnd.randrange(1 << 31)).encode(), data, count=1)
    return data.replace(b"xref", b"xraf", 1)


def pdf_content(data: bytes, rnd: random.Random) -> bytes:
    """A page of its own: deflate bombs, many glyphs or paths, self-drawing or fanned-out forms."""
    k = rnd.randrange(5)
    if k == 0:
        content = b"BT /F1 1 Tf (" + b"A" * rnd.choice((10**5, 10**6, 5 * 10**6)) + b") Tj ET"
    elif k == 1:
        content = b"\n".join(
            b"%d %d m %d %d l S"
            % (rnd.randrange(600), rnd.randrange(800), rnd.randrange(600), rnd.randrange(800))
            for _ in range(rnd.choice((100, 5000, 40000)))
        )
    elif k == 2:
        content = b"q /X1 Do Q"  # the form draws itself
    elif k == 3:
        content = b"q " + b"/X1 Do " * 200 + b"Q"  # fan-out: X1 draws X2 200 times, ...
    else:
        content = b"BT /F1 12 Tf " + b"(x) Tj " * rnd.choice((1000, 300000)) + b"ET"
    form = _stream(
        b"q /X1 Do Q"
        if k == 2
        else b"BT /F1 9 Tf (" + b"y" * 50 + b") Tj ET"
        if k != 3
        else b"q " + b"/X2 Do " * 200 + b"Q",
        extra=b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << /XObject "
        b"<< /X1 6 0 R /X2 7 0 R >> /Font << /F1 5 0 R >> >> ",
    )
    leaf = _stream(
        b"BT /F1 9 Tf (" + b"z" * 100 + b") Tj ET",
        extra=b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << /Font << /F1 5 0 R >> >> ",
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            form,
            leaf,
        ],
        xref=rnd.random() < 0.5,
    )


def pdf_stream_bytes(data: bytes, rnd: random.Random) -> bytes:
    """Flip bytes inside one stream (its deflate data)."""
    spans = [(m.end(), m.end() + 200) for m in re.finditer(rb"stream\r?\n", data)]
    if not spans:
        return flip(data, rnd)
    a, b = rnd.choice(spans)
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        i = rnd.randrange(a, min(b, len(buf))) if a < min(b, len(buf)) else None
        if i is not None:
            buf[i] = rnd.randrange(256)
    return bytes(buf)


_ZIP_OPS = [zip_member_xml, zip_member_xml, zip_member_dup, zip_member_drop, zip_header]
_OPS = {
    "txt": [text_lines, text_lines, text_lines],
    "docx": [*_ZIP_OPS, docx_spans, docx_nesting],
    "xlsx": [*_ZIP_OPS, xlsx_far_cells, xlsx_merges, xlsx_values],
    "html": [html_spans, html_spans, html_nesting, html_tags],
    "pdf": [pdf_structure, pdf_content, pdf_stream_bytes, pdf_stream_bytes],
}


# ------------------------------------------------------------------------------------ the worker


def _hwm_kb() -> int:
    with open("/proc/self/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))  # type: ignore[union-attr]


def _reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _worker(conn, memory_mb: int) -> None:  # type: ignore[no-untyped-def]
    """Parse what the parent sends, one input at a time, under an address-space cap."""
    import gc

    import jixiao.ingest.warmup  # noqa: F401 - everything imported and warm before the cap is set
    from jixiao.ingest import ReadError, parse_bytes

    with open("/proc/self/statm") as f:
        vm = int(f.read().split()[0]) * resource.getpagesize()
    cap = vm + memory_mb * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    gc.collect()
    base = _hwm_kb()
    conn.send(("ready", base))
    while True:
        job = conn.recv()
        if job is None:
            return
        _fmt, name, data = job
        _reset_hwm()
        t = time.perf_counter()
        try:
            doc = parse_bytes(data, name)
            for p in doc.projects:  # what the tests check: values parse, warnings are located
                for ind in p.indicators:
                    assert ind.target.raw == (ind.value or "")
            result: tuple = ("parsed", "")
        except ReadError as e:
            over = "内存" in e.message and "超出上限" in e.message
            result = ("memory" if over else "readerror", e.message[:120])
        except MemoryError:
            result = ("memory", "MemoryError")
        except BaseException as e:
            result = ("uncaught", f"{type(e).__name__}: {e}"[:300] + "\n" + traceback.format_exc()[-1500:])
        secs = time.perf_counter() - t
        peak = _hwm_kb()
        del data
        conn.send((*result, secs, peak))


@dataclass
class Stats:
    total: int = 0
    by_format: Counter = field(default_factory=Counter)
    outcome: Counter = field(default_factory=Counter)
    uncaught: list[str] = field(default_factory=list)
    max_secs: float = 0.0
    max_secs_input: str = ""
    max_rss_mb: float = 0.0
    max_growth_mb: float = 0.0
    max_rss_input: str = ""
    restarts: int = 0
    secs_by_format: Counter = field(default_factory=Counter)

    def report(self, elapsed: float) -> str:
        lines = [
            f"inputs: {self.total} in {elapsed:.0f} s ({self.total / max(elapsed, 1e-9):.1f}/s); "
            f"worker restarts {self.restarts}",
            "by format: "
            + ", ".join(
                f"{f} {self.by_format[f]} ({1000 * self.secs_by_format[f] / self.by_format[f]:.0f} ms mean)"
                for f in FORMATS
                if self.by_format[f]
            ),
            f"parsed {self.outcome['parsed']}, ReadError {self.outcome['readerror']}, "
            f"uncaught {self.outcome['uncaught']}, over time {self.outcome['timeout']}, "
            f"over memory {self.outcome['memory']}",
            f"max parse time {self.max_secs:.2f} s ({self.max_secs_input}); "
            f"max peak RSS {self.max_rss_mb:.0f} MB "
            f"(+{self.max_growth_mb:.0f} MB over the worker's baseline; {self.max_rss_input})",
        ]
        return "\n".join(lines)


class Runner:
    """Feeds inputs to a worker process; restarts it after a kill, a death or every `recycle` inputs."""

    def __init__(self, timeout: float, memory_mb: int, recycle: int = 3000) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.recycle = recycle
        self.ctx = multiprocessing.get_context("fork")
        self.proc = None
        self.conn = None
        self.base_kb = 0
        self.served = 0
        self.restarts = -1

    def start(self) -> None:
        self.stop()
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, self.memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        msg = parent.recv()
        self.base_kb = msg[1]
        self.served = 0
        self.restarts += 1

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()
            self.conn.close()  # type: ignore[union-attr]
            self.proc = None

    def run(self, fmt: str, name: str, data: bytes) -> tuple:
        if self.proc is None or self.served >= self.recycle:
            self.start()
        self.served += 1
        assert self.conn is not None and self.proc is not None
        t = time.perf_counter()
        try:
            self.conn.send((fmt, name, data))
        except OSError:  # the worker is gone: start another
            self.start()
            self.conn.send((fmt, name, data))  # type: ignore[union-attr]
        if not self.conn.poll(self.timeout):
            self.stop()
            return ("timeout", f"killed after {self.timeout:g} s", time.perf_counter() - t, 0)
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            code = self.proc.exitcode
            self.stop()
            return ("memory", f"worker died (exit {code})", time.perf_counter() - t, 0)


def fuzz(
    n: int,
    seed: int,
    *,
    timeout: float = 30,
    memory_mb: int = 512,
    formats: tuple[str, ...] = FORMATS,
    deadline: float | None = None,
    progress: Path | None = None,
    save: Path | None = None,
    use_soffice: bool = True,
    seeds: Path = SEEDS,
    echo=print,
) -> Stats:  # type: ignore[no-untyped-def]
    """Run `n` mutated inputs (or until `deadline`, a time.time() value) and return the counts."""
    corpus = seed_corpus(use_soffice=use_soffice, seeds=seeds)
    rnd = random.Random(seed)
    fmts = [f for f in formats if corpus.get(f)]
    weights = [WEIGHTS[f] for f in fmts]
    runner = Runner(timeout, memory_mb)
    st = Stats()
    started = time.time()
    try:
        for k in range(n):
            if deadline is not None and time.time() >= deadline:
                echo(f"deadline reached after {k} inputs")
                break
            fmt = rnd.choices(fmts, weights)[0]
            base = rnd.choice(corpus[fmt])
            data, ops = mutate(fmt, base, rnd)
            name = f"fuzz{k}.{fmt}"
            outcome, detail, secs, peak_kb = runner.run(fmt, name, data)
            st.total += 1
            st.by_format[fmt] += 1
            st.outcome[outcome] += 1
            st.secs_by_format[fmt] += secs
            label = f"#{k} {fmt} {'+'.join(ops) or 'seed'}"
            if secs > st.max_secs:
                st.max_secs, st.max_secs_input = secs, label
            if peak_kb / 1024 > st.max_rss_mb:
                st.max_rss_mb, st.max_rss_input = peak_kb / 1024, label
                st.max_growth_mb = max(st.max_growth_mb, (peak_kb - runner.base_kb) / 1024)
            if peak_kb and (peak_kb - runner.base_kb) / 1024 > memory_mb and outcome != "memory":
                st.outcome[outcome] -= 1
                st.outcome["memory"] += 1
                outcome = "memory"
            if outcome in ("uncaught", "timeout", "memory"):
                msg = f"{outcome}: {label} ({len(data)} bytes): {detail}"
                st.uncaught.append(msg)
                if len(st.uncaught) <= 20:
                    echo(msg)
                if save is not None:
                    save.mkdir(parents=True, exist_ok=True)
                    (save / f"{outcome}-{k}.{fmt}").write_bytes(data)
            if progress is not None and (k + 1) % 1000 == 0:
                st.restarts = runner.restarts
                progress.write_text(
                    f"{dt.datetime.now(dt.UTC):%H:%M:%S}\n{st.report(time.time() - started)}\n"
                )
    finally:
        runner.stop()
    st.restarts = runner.restarts
    return st


def main() -> int:
    warnings.simplefilter("ignore")  # zipfile warns about the duplicate members it is asked to write
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--memory-mb", type=int, default=512)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--deadline", help="HH:MM (UTC): stop there and report what was done")
    ap.add_argument("--progress", type=Path, help="rewrite this file with the counts every 1000 inputs")
    ap.add_argument("--save", type=Path, help="save inputs that were uncaught / over a limit here")
    ap.add_argument("--seeds", type=Path, default=SEEDS, help="folder of sample .txt disclosures")
    ap.add_argument("--no-soffice", action="store_true", help="PDF seeds from the built-in writer only")
    args = ap.parse_args()
    deadline = None
    if args.deadline:
        now = dt.datetime.now(dt.UTC)
        hh, mm = map(int, args.deadline.split(":"))
        at = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        deadline = at.timestamp() if at > now else (at + dt.timedelta(days=1)).timestamp()
    t = time.time()
    st = fuzz(
        args.n,
        args.seed,
        timeout=args.timeout,
        memory_mb=args.memory_mb,
        formats=tuple(args.formats.split(",")),
        deadline=deadline,
        progress=args.progress,
        save=args.save,
        use_soffice=not args.no_soffice,
        seeds=args.seeds,
    )
    print(
        f"fuzz_readers --n {args.n} --seed {args.seed} --timeout {args.timeout:g} "
        f"--memory-mb {args.memory_mb}"
    )
    print(st.report(time.time() - t))
    bad = st.outcome["uncaught"] + st.outcome["timeout"] + st.outcome["memory"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
