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
from jixiao.ingest.docx import _W, _plain_cell_text, _plain_paragraph_text, cell_text, paragraph_text
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
