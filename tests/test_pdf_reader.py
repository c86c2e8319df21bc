"""The PDF reader on PDFium (issue 14): the same parses as with pdfplumber, at its fast path.

The reader takes characters and ruling lines from PDFium and rebuilds what pdfplumber gave it:
characters with pdfminer's boxes (advance wide, font size high, from the descriptor's descent),
its de-duplication, and its table finder over the page's lines, rectangles and curves. Each piece
is checked here against pdfplumber itself, on the samples printed by LibreOffice and on crafted
pages (rectangles, closed paths, curves, a form with its own matrix, scaled text in a standard
font); and the parse of each sample PDF is scored against ../shared/truth with the figures of the
sample's text seed.
"""

from __future__ import annotations

import io
import json
import random
import zlib
from pathlib import Path

import pytest

from jixiao.export.docx import disclosure_to_docx
from jixiao.export.json import disclosure_to_dict
from jixiao.ingest import parse_bytes
from jixiao.ingest import pdf as reader
from tests.conftest import SEEDS, TRUTH, seed_files
from tests.format_helpers import docx_to_pdf, soffice


def _seed_model(path: Path):  # type: ignore[no-untyped-def]
    """The seed as the tests print it to PDF (test_formats.seed_model)."""
    doc = parse_bytes(path.read_bytes(), path.name)
    doc.budget_overview = None
    for p in doc.projects:
        if p.unit_code is None and p.unit_name is None:
            p.unit_code, p.unit_name = doc.unit_code, doc.unit_name
    return doc


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("pdf_reader")
    paths = []
    for seed in seed_files():
        path = tmp / f"{seed.stem}.docx"
        path.write_bytes(disclosure_to_docx(_seed_model(seed)))
        paths.append(path)
    return {p.stem: q.read_bytes() for p, q in docx_to_pdf(paths, tmp).items()}


def _figures(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("source", "differences")}


@pytest.mark.parametrize("stem", [p.stem for p in seed_files()])
def test_each_sample_pdf_scores_as_its_text_seed(
    sample_pdfs: dict[str, bytes], stem: str, truth_score
) -> None:
    truth = json.loads((TRUTH / f"{stem}.json").read_text(encoding="utf-8"))
    seed = SEEDS / f"{stem}.txt"
    from_text = truth_score.score(truth, disclosure_to_dict(_seed_model(seed)), show=5)
    from_pdf = truth_score.score(
        truth, disclosure_to_dict(parse_bytes(sample_pdfs[stem], f"{stem}.pdf")), show=5
    )
    assert _figures(from_pdf) == _figures(from_text), from_pdf["differences"]
    # the figures measured before the reader moved to PDFium: every project and indicator, exactly
    assert from_pdf["indicator_f1"] == 1.0 and from_pdf["projects_found"] == from_pdf["projects_truth"]
    assert from_pdf["project_field_accuracy"] == 1.0 and from_pdf["projects_extra"] == 0
    assert set(from_pdf["indicator_field_accuracy"].values()) == {1.0}


# ------------------------------------------------------------------------------ pdfplumber as the oracle


def _plumber_pages(data: bytes) -> list[tuple[list[tuple], list[tuple]]]:
    """Per page: pdfplumber's de-duplicated characters and the cells of its tables, rounded."""
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.dedupe_chars().chars if c.get("text")]
            out.append((_char_keys(chars), _cell_keys([t.cells for t in page.find_tables()])))
    return out


def _our_pages(data: bytes) -> list[tuple[list[tuple], list[tuple]]]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    structure = list(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data)))))
    doc = reader._open_pdfium(data, "t.pdf")
    try:
        out = []
        for pno, spage in enumerate(structure, 1):
            _, chars, _, tables = reader._read_page(doc, spage, pno, "t.pdf")
            dicts = [reader.char_dict(c) for c in chars]
            out.append((_char_keys(dicts), _cell_keys([t.cells for t in tables])))
        return out
    finally:
        reader._close_doc(doc)


def _char_keys(chars: list[dict]) -> list[tuple]:
    # PDFium leaves out a run that draws only spaces (its glyphs have no ink); the reader infers
    # that space from the gap, as for any other gap between words
    return sorted(
        (c["text"], round(c["top"], 1), c["x0"], c["x1"], c["top"], c["bottom"], c["size"], c["upright"])
        for c in chars
        if c["text"].strip()
    )


def _same_chars(ours: list[tuple], theirs: list[tuple]) -> bool:
    """The same characters with the same boxes, to the thousandth of a point (PDFium holds
    positions in single precision)."""
    return len(ours) == len(theirs) and all(
        a[0] == b[0] and a[7] == b[7] and all(abs(x - y) < 2e-3 for x, y in zip(a[2:7], b[2:7], strict=True))
        for a, b in zip(ours, theirs, strict=True)
    )


def _cell_keys(tables: list[list]) -> list[tuple]:
    return sorted(tuple(sorted(tuple(round(v, 2) for v in cell) for cell in cells)) for cells in tables)


def _same_pages(data: bytes) -> None:
    ours, theirs = _our_pages(data), _plumber_pages(data)
    assert len(ours) == len(theirs)
    for pno, ((chars, tables), (pchars, ptables)) in enumerate(zip(ours, theirs, strict=True), 1):
        assert _same_chars(chars, pchars), (
            pno,
            [c for c in chars if c not in pchars][:5],
            [c for c in pchars if c not in chars][:5],
        )
        assert tables == ptables, pno


@pytest.mark.parametrize("stem", [p.stem for p in seed_files()[:2]])
def test_sample_pages_give_pdfplumbers_characters_and_tables(
    sample_pdfs: dict[str, bytes], stem: str
) -> None:
    _same_pages(sample_pdfs[stem])


def _pdf(content: bytes, *, form: bytes | None = None) -> bytes:
    """A one-page PDF (A4 with its MediaBox at the origin) drawing `content` with Helvetica as /F1
    and a DejaVu-free standard font /F2 (Times-Roman); `form` becomes XObject /X1 (compressed)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(zlib.compress(content))
        + zlib.compress(content)
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R /F2 6 0 R >> /XObject << /X1 7 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    body = form or b""
    objs.append(
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Matrix [1 0 0 1 0 0] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, at)
    return bytes(out)


def _grid(x0: float, top: float, widths: list[float], heights: list[float], how: str) -> bytes:
    """Ruling lines of a grid drawn as stroked lines, rectangles (`re`), thin filled rectangles or
    closed four-sided paths."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] - h)
    ops = []
    for y in ys:
        if how == "lines":
            ops.append(b"%.3f %.3f m %.3f %.3f l S" % (xs[0], y, xs[-1], y))
        elif how == "fill":
            ops.append(b"%.3f %.3f %.3f 0.5 re f" % (xs[0], y - 0.25, xs[-1] - xs[0]))
        else:
            ops.append(
                b"%.3f %.3f m %.3f %.3f l %.3f %.3f l %.3f %.3f l h S"
                % (xs[0], y, xs[-1], y, xs[-1], y - 0.4, xs[0], y - 0.4)
            )
    for x in xs:
        if how == "lines":
            ops.append(b"%.3f %.3f m %.3f %.3f l S" % (x, ys[0], x, ys[-1]))
        elif how == "fill":
            ops.append(b"%.3f %.3f 0.5 %.3f re f" % (x - 0.25, ys[-1], ys[0] - ys[-1]))
        else:
            ops.append(b"%.3f %.3f %.3f %.3f re S" % (x, ys[-1], 0.4, ys[0] - ys[-1]))
    text = []
    for r in range(len(heights)):
        for c in range(len(widths)):
            text.append(b"1 0 0 1 %.3f %.3f Tm (r%dc%d Ab) Tj" % (xs[c] + 2, ys[r] - 10, r, c))
    return b"0.5 w " + b"\n".join(ops) + b"\nBT /F1 9 Tf " + b" ".join(text) + b" ET\n"


@pytest.mark.parametrize("how", ["lines", "fill", "closed"])
def test_crafted_grids_give_pdfplumbers_characters_and_tables(how: str) -> None:
    content = _grid(60, 780, [80, 120.5, 60], [14, 22.25, 14, 30], how)
    content += _grid(100, 500, [200, 150], [20, 20], how)
    _same_pages(_pdf(content))


def test_forms_curves_and_scaled_text_give_pdfplumbers_characters_and_tables() -> None:
    form = _grid(10, 300, [90, 90], [18, 18], "lines")
    content = (
        b"q 1 0 0 1 40 400 cm /X1 Do Q\n"  # a form drawn with its own matrix
        b"q 0.5 0 0 0.5 300 100 cm /X1 Do Q\n"  # the same form, scaled
        b"100 700 m 150 750 200 650 250 700 c S\n"  # a curve: edges only where straight
        b"300 700 m 400 700 l 400 650 l 300 650 l h f\n"  # a closed path: a rectangle
        b"BT /F2 1 Tf 12 0 0 12 60 760 Tm (Scaled Times) Tj ET\n"  # size from the text matrix
        b"BT /F1 10 Tf 1 0 0 1 60 740 Tm 0.5 Tc (Spaced out) Tj 1 0 0 1 60 720 Tm [(Ke) 200 (rned)] TJ ET\n"
    )
    _same_pages(_pdf(content, form=form))


def test_overprinted_characters_are_kept_once_as_pdfplumber_keeps_them() -> None:
    """Fake bold (each word drawn twice, a hair apart): one of each kept. PDFium drops the second
    drawing of a run itself, where pdfplumber keeps the upper one: the same characters, up to the
    offset of the overprint (0.3 pt here)."""
    words = b" ".join(
        b"1 0 0 1 %d 700 Tm (w%d) Tj 1 0 0 1 %.1f 700.2 Tm (w%d) Tj" % (20 * i, i, 20 * i + 0.3, i)
        for i in range(25)
    )
    ((chars, _),) = _our_pages(_pdf(b"BT /F1 9 Tf " + words + b" ET"))
    ((pchars, _),) = _plumber_pages(_pdf(b"BT /F1 9 Tf " + words + b" ET"))
    assert len(chars) == len(pchars) == sum(len(f"w{i}") for i in range(25))
    for c, pc in zip(chars, pchars, strict=True):
        assert c[0] == pc[0] and all(abs(a - b) <= 0.31 for a, b in zip(c[2:7], pc[2:7], strict=True))


def test_dedupe_keeps_what_pdfplumber_keeps_on_random_overprints() -> None:
    from pdfplumber.utils import dedupe_chars as pdfplumber_dedupe

    rnd = random.Random(14)
    for _ in range(60):
        chars = []
        for _ in range(rnd.randrange(1, 120)):
            x, y = (
                rnd.choice([10, 10.4, 11, 11.9, 30]) + rnd.random(),
                rnd.choice([5, 5.5, 6.2, 7, 40]) + rnd.random(),
            )
            chars.append(
                {
                    "text": rnd.choice("ab"),
                    "fontname": rnd.choice(["F1", "F2"]),
                    "size": rnd.choice([9.0, 10.0]),
                    "upright": rnd.random() < 0.9,
                    "x0": x,
                    "x1": x + 5,
                    "top": y,
                    "bottom": y + 9,
                    "doctop": y,
                }
            )
        assert reader.dedupe_chars(chars) == pdfplumber_dedupe(chars)


def _pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (1-based), with a cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream_obj(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def test_forms_drawing_a_dangling_reference_many_times_are_refused_before_pdfium() -> None:
    """A damaged file whose form draws an object pdfminer cannot find, 40,000 times: PDFium repairs
    such files and would draw whatever it finds; each draw counts, so the page is refused by the cap
    instead of reaching PDFium (which aborts the process when memory runs out)."""
    from jixiao.ingest import ReadError, parse_bytes

    form = b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << /XObject << /X2 9 0 R >> >>"
    data = _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /XObject << /X1 5 0 R >> >> >>",
            _stream_obj(b"q " + b"/X1 Do " * 200 + b"Q"),
            _stream_obj(b"q " + b"/X2 Do " * 200 + b"Q", form),
        ]
    )
    with pytest.raises(ReadError) as e:
        parse_bytes(data, "dangling.pdf")
    assert "字符超过" in e.value.message
    # drawn once, a dangling reference is harmless: the page is read
    once = data.replace(b"/X2 Do " * 200, b"/X2 Do " + b" " * (7 * 199))
    with pytest.raises(ReadError) as e:  # no target table on a blank page, but no cap refusal
        parse_bytes(once, "once.pdf")
    assert "字符超过" not in e.value.message


def test_cells_group_into_tables_as_pdfplumber_groups_them() -> None:
    """Random grids of cells (some merged, some apart, in shuffled order): the same tables, with
    their cells in the same order, as pdfplumber's `cells_to_tables`."""
    from pdfplumber.table import cells_to_tables

    rnd = random.Random(7)
    for _ in range(200):
        cells = []
        for _ in range(rnd.randrange(1, 4)):  # a few grids, touching or apart
            x, y = rnd.choice([0, 50, 100, 300]), rnd.choice([0, 40, 80, 400])
            xs = [x + sum(rnd.choice([10, 20]) for _ in range(k)) for k in range(rnd.randrange(2, 6))]
            ys = [y + sum(rnd.choice([8, 16]) for _ in range(k)) for k in range(rnd.randrange(2, 6))]
            for i in range(len(xs) - 1):
                for j in range(len(ys) - 1):
                    if rnd.random() < 0.85:
                        wide = min(i + rnd.choice([1, 1, 2]), len(xs) - 1)
                        cells.append((float(xs[i]), float(ys[j]), float(xs[wide]), float(ys[j + 1])))
        cells = list(dict.fromkeys(cells))  # distinct, as found (one per top left corner)
        rnd.shuffle(cells)
        assert reader._cells_to_tables(cells) == cells_to_tables(cells)
