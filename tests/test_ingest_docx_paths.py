"""The .docx reader's one-walk path (documents with no deleted, moved or hidden text and no text
boxes) reads every paragraph and cell exactly as the general path with its ancestor tests."""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

from lxml import etree

from jixiao.export.docx import disclosure_to_docx
from jixiao.ingest import parse_file
from jixiao.ingest.cells import Block, Row
from jixiao.ingest.docx import (
    _ALTERNATE,
    _HIDING,
    _TEXT_BOX,
    _W,
    _BodyReader,
    _plain_cell_text,
    _plain_paragraph_text,
    _plain_table_rows,
    cell_text,
    paragraph_text,
)
from tests.conftest import seed_files

sys.path.insert(0, str(Path(__file__).resolve().parent / "heldout"))
import make_pages


def _documents() -> list[bytes]:
    docs = [disclosure_to_docx(parse_file(p)) for p in seed_files()]
    docs += [d.data for d in make_pages.binary_family() if d.suffix == "docx"]
    return docs


def test_one_walk_reads_paragraphs_and_cells_as_the_general_path() -> None:
    cells = paras = 0
    for data in _documents():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        for p in root.iter(_W + "p"):
            assert _plain_paragraph_text(p) == paragraph_text(p)
            paras += 1
        for tc in root.iter(_W + "tc"):
            assert _plain_cell_text(tc) == cell_text(tc)
            cells += 1
    assert cells > 1000 and paras > 1000


def test_a_cell_with_a_tab_stop_breaks_and_a_nested_table() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    xml = (
        f"<w:tc {w}><w:tcPr/><w:p><w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
        "<w:r><w:t>产出</w:t><w:tab/><w:t>指标</w:t><w:br/><w:t>数量</w:t><w:br w:type='page'/></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>内层</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:r><w:noBreakHyphen/></w:r></w:p></w:tc>"
    )
    tc = etree.fromstring(xml)
    assert _plain_cell_text(tc) == cell_text(tc) == "产出\t指标\n数量\n内层\n链接-"


def _walked_as_cell_by_cell(tbl: etree._Element) -> int:
    """The one walk of a table gives the rows that reading it cell by cell (`_merge_state`,
    `_plain_cell_text` per cell) gives; returns the number of cells."""
    out: list[Block] = []
    reader = _BodyReader(out, lambda rid: [])
    reader.text_of, reader.cell_text = _plain_paragraph_text, _plain_cell_text
    reader._table(tbl, 7)
    assert _plain_table_rows(tbl, 7) == out
    return sum(len(r.cells) for r in out if isinstance(r, Row))


def test_one_walk_of_a_table_reads_its_rows_as_cell_by_cell() -> None:
    cells = 0
    for data in _documents():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        if next(root.iter(*_HIDING, _TEXT_BOX, _ALTERNATE), None) is not None:
            continue  # read cell by cell
        for tbl in root.iter(_W + "tbl"):
            cells += _walked_as_cell_by_cell(tbl)
    assert cells > 1000


def test_one_walk_of_an_odd_table() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = "<w:r><w:t>{}</w:t></w:r>"
    xml = (
        f"<w:tbl {w}><w:tblPr><w:p>{r.format('表属性')}</w:p></w:tblPr><w:tr>"
        # a loose run before any paragraph, a nested table, a loose run after it, doubled vMerge
        f"<w:tc><w:tcPr><w:vMerge/><w:vMerge w:val='restart'/></w:tcPr>{r.format('无段')}"
        f"<w:p>{r.format('甲')}</w:p><w:tbl><w:tr><w:tc><w:tcPr><w:hMerge/></w:tcPr>"
        f"<w:p>{r.format('内')}</w:p></w:tc></w:tr></w:tbl>{r.format('尾')}</w:tc>"
        # a stray paragraph and run in the row, outside every cell
        f"<w:p>{r.format('游离')}</w:p>{r.format('游离')}"
        # a w:tcPr that is not the first child; a cell in a content control; a w:t outside a run
        f"<w:tc><w:p>{r.format('乙')}</w:p><w:tcPr><w:hMerge/></w:tcPr></w:tc>"
        f"<w:sdt><w:sdtContent><w:tc><w:tcPr><w:hMerge w:val='restart'/><w:vMerge w:val='restart'/>"
        f"</w:tcPr><w:p><w:t>丙</w:t>{r.format('丁')}"
        "<w:r><w:tab/><w:t>戊</w:t><w:br w:type='page'/><w:cr/></w:r></w:p>"
        f"</w:tc></w:sdtContent></w:sdt><w:tc/><w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"
        # a cell and a row that the reader does not reach (inside an element that is no wrapper)
        f"<w:bookmarkStart><w:tc><w:p>{r.format('不读')}</w:p></w:tc></w:bookmarkStart></w:tr>"
        f"<w:sdt><w:sdtContent><w:tr><w:tc><w:p>{r.format('己')}</w:p></w:tc></w:tr></w:sdtContent></w:sdt>"
        f"<w:tblGrid><w:tr><w:tc><w:p>{r.format('不读')}</w:p></w:tc></w:tr></w:tblGrid><w:tr/>"
        f"<w:tr><w:p>{r.format('无格')}</w:p><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p>{r.format('续')}</w:p></w:tc>"
        "</w:tr></w:tbl>"
    )
    tbl = etree.fromstring(xml)
    assert _walked_as_cell_by_cell(tbl) == 6
    rows = _plain_table_rows(tbl, 1)
    assert [[c.text for c in row.cells] for row in rows] == [
        ["甲\n内尾", "乙", "丁\t戊", ""],
        ["己"],
        [],
        [""],
    ]
    assert str(rows[3].cells[0].loc) == "table 1 row 4 col 1"


_WRAP = ("w:sdt", "w:sdtContent", "w:customXml", "w:smartTag", "w:ins", "w:hyperlink", "w:fldSimple")
_OTHER = ("w:bookmarkStart", "w:tblPr", "w:trPr", "w:tcPr", "w:pPr", "w:rPr", "w:foo", "w:tblGrid", "w:sdtPr")
_PIECES = ("<w:t>{}</w:t>", "<w:tab/>", "<w:br/>", "<w:br w:type='page'/>", "<w:cr/>", "<w:noBreakHyphen/>")
_MERGES = ("<w:vMerge/>", "<w:vMerge w:val='restart'/>", "<w:hMerge/>", "<w:hMerge w:val='restart'/>")


class _OddTable:
    """A random table with wrappers, nested tables, merges and elements in odd places."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def some(self, most: int) -> range:
        return range(self.r.randint(0, most))

    def wrap(self, xml: str, p: float = 0.15) -> str:
        if self.r.random() >= p:
            return xml
        tag = self.r.choice(_WRAP + _OTHER)
        return f"<{tag}>{xml}</{tag}>"

    def run(self) -> str:
        pieces = (
            self.r.choice(_PIECES).format(self.r.choice(["甲", " 乙 ", "", "1.5"])) for _ in self.some(3)
        )
        return "<w:r>" + "".join(pieces) + "</w:r>"

    def para(self) -> str:
        items = [self.wrap(self.run(), 0.3) for _ in self.some(3)]
        if self.r.random() < 0.2:
            items.append(self.r.choice(("<w:pPr><w:tabs><w:tab/></w:tabs></w:pPr>", "<w:t>散</w:t>")))
        return "<w:p>" + "".join(items) + "</w:p>"

    def cell(self, depth: int) -> str:
        items = ["<w:tcPr>" + "".join(self.r.choice(_MERGES) for _ in self.some(3)) + "</w:tcPr>"]
        for _ in self.some(3):
            x = self.r.random()
            items.append(
                self.table(depth + 1)
                if x < 0.1 and depth < 2
                else self.run()
                if x < 0.2
                else self.wrap(self.para())
            )
        if self.r.random() < 0.2:
            self.r.shuffle(items)
        return "<w:tc>" + "".join(items) + "</w:tc>"

    def row(self, depth: int) -> str:
        items = [self.wrap(self.cell(depth)) if self.r.random() < 0.85 else self.para() for _ in self.some(4)]
        return "<w:tr>" + "".join(items) + "</w:tr>"

    def table(self, depth: int = 0) -> str:
        items = [
            self.wrap(self.row(depth)) if self.r.random() < 0.85 else self.wrap(self.cell(depth))
            for _ in self.some(4)
        ]
        return "<w:tbl>" + "".join(items) + "</w:tbl>"


def test_one_walk_of_random_odd_tables() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    cells = 0
    for seed in range(1500):
        cells += _walked_as_cell_by_cell(
            etree.fromstring(_OddTable(seed).table().replace("<w:tbl>", f"<w:tbl {w}>", 1))
        )
    assert cells > 1000
