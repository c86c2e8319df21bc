"""The .docx reader's one-walk path (documents with no deleted, moved or hidden text and no text
boxes) reads every paragraph and cell exactly as the general path with its ancestor tests."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from lxml import etree

from jixiao.export.docx import disclosure_to_docx
from jixiao.ingest import parse_file
from jixiao.ingest.docx import (
    _W,
    _merge_state,
    _plain_cell_text,
    _plain_paragraph_text,
    _plain_table_cells,
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
    """Every w:tc of `tbl` outside any other cell: the one walk of the table gives the text and merge
    state that `_plain_cell_text` and `_merge_state` give for the cell alone."""
    found = _plain_table_cells(tbl)
    outer = [tc for tc in tbl.iter(_W + "tc") if not any(a.tag == _W + "tc" for a in tc.iterancestors())]
    assert list(found) == outer
    for tc in outer:
        assert found[tc] == (_plain_cell_text(tc), *_merge_state(tc))
    return len(outer)


def test_one_walk_of_a_table_reads_its_cells_as_cell_by_cell() -> None:
    cells = 0
    for data in _documents():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        for tbl in root.iter(_W + "tbl"):
            if not any(a.tag == _W + "tc" for a in tbl.iterancestors()):
                cells += _walked_as_cell_by_cell(tbl)
    assert cells > 1000


def test_one_walk_of_an_odd_table() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = "<w:r><w:t>{}</w:t></w:r>"
    xml = (
        f"<w:tbl {w}><w:tblPr><w:p>{r.format('表属性')}</w:p></w:tblPr><w:tr>"
        # a loose run before any paragraph, a nested table, a loose run after it, doubled vMerge
        f"<w:tc><w:tcPr><w:vMerge w:val='restart'/><w:vMerge/></w:tcPr>{r.format('无段')}"
        f"<w:p>{r.format('甲')}</w:p><w:tbl><w:tr><w:tc><w:tcPr><w:hMerge/></w:tcPr>"
        f"<w:p>{r.format('内')}</w:p></w:tc></w:tr></w:tbl>{r.format('尾')}</w:tc>"
        # a stray paragraph and run in the row, outside every cell
        f"<w:p>{r.format('游离')}</w:p>{r.format('游离')}"
        # a w:tcPr that is not the first child; a cell in a content control; a w:t outside a run
        f"<w:tc><w:p>{r.format('乙')}</w:p><w:tcPr><w:hMerge/></w:tcPr></w:tc>"
        f"<w:sdt><w:sdtContent><w:tc><w:tcPr><w:hMerge w:val='restart'/><w:vMerge w:val='continue'/>"
        f"</w:tcPr><w:p><w:t>丙</w:t>{r.format('丁')}"
        "<w:r><w:tab/><w:t>戊</w:t><w:br w:type='page'/><w:cr/></w:r></w:p>"
        f"</w:tc></w:sdtContent></w:sdt><w:tc/><w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"
        "</w:tr></w:tbl>"
    )
    tbl = etree.fromstring(xml)
    assert _walked_as_cell_by_cell(tbl) == 5
    found = list(_plain_table_cells(tbl).values())
    assert found[0] == ("甲\n内尾", True, False)
    assert found[2] == ("丁\t戊", True, False)
