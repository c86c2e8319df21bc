"""The binary-format readers at the cell level: which blocks, rows and cells each one produces."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Cm
from openpyxl import Workbook

from jixiao.export.docx import disclosure_to_docx
from jixiao.ingest import read_cells
from jixiao.ingest.cells import Para, ReadError, Row
from jixiao.ingest.docx import read_docx
from jixiao.ingest.html import decode_html, read_html
from jixiao.ingest.pdf import read_pdf
from jixiao.ingest.xlsx import format_number, read_xlsx
from tests.fixtures_models import food_safety, unit_full
from tests.format_helpers import blocks, docx_to_pdf, paras, rows, soffice

# ---------------------------------------------------------------------------------------------- docx


def _docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def raw_docx() -> bytes:
    """A hand-built Word document: merged cells both ways, a nested table, breaks, hidden text."""
    d = Document()
    d.add_paragraph("1.测试项目绩效目标表")
    d.add_paragraph("   ")  # blank paragraphs are not blocks
    p = d.add_paragraph("单位：")
    p.add_run("万元")
    p.add_run("（草稿）").font.hidden = True
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).text = "项目名称"
    t.cell(0, 1).merge(t.cell(0, 3)).text = "测试项目"
    t.cell(1, 0).merge(t.cell(3, 0)).text = "产出指标"
    for r, (l2, name, value) in enumerate(
        [("数量指标", "检查户数", "≥10家"), ("质量指标", "合格率", "≥95%"), ("时效指标", "完成时间", "")], 1
    ):
        t.cell(r, 1).text, t.cell(r, 2).text, t.cell(r, 3).text = l2, name, value
    cell = t.cell(3, 3)
    cell.paragraphs[0].add_run("第一行").add_break()
    cell.paragraphs[0].add_run("第二行")
    cell.add_table(rows=1, cols=1).cell(0, 0).text = "内表"
    d.add_paragraph("表后文字\t带制表符")
    t2 = d.add_table(rows=1, cols=2)
    t2.cell(0, 0).text, t2.cell(0, 1).text = "续表", "下一页"
    return _docx_bytes(d)


def test_docx_blocks_in_document_order_with_logical_cells() -> None:
    s = read_docx(raw_docx(), "raw.docx")
    assert s.layout == "docx"
    assert blocks(s) == [
        ("P", "1.测试项目绩效目标表"),
        ("P", "单位：万元"),
        ("R", 1, ["项目名称", "测试项目"]),  # a horizontally merged cell once
        ("R", 1, ["产出指标", "数量指标", "检查户数", "≥10家"]),
        ("R", 1, ["", "质量指标", "合格率", "≥95%"]),  # vertical continuation: an empty cell
        ("R", 1, ["", "时效指标", "完成时间", "第一行\n第二行\n内表"]),  # breaks and nested table text
        ("P", "表后文字\t带制表符"),
        ("R", 2, ["续表", "下一页"]),  # a second table right after: just more rows, its own id
    ]


def test_docx_locations_name_table_row_and_column() -> None:
    s = read_docx(raw_docx(), "raw.docx")
    row = [b for b in s.blocks if isinstance(b, Row)][3]
    assert str(row.loc) == "table 1 row 4"
    assert str(row.cells[3].loc) == "table 1 row 4 col 4"
    assert str(s.blocks[0].loc) == "paragraph 1"


def test_docx_writer_table_reads_back_as_the_seed_layout() -> None:
    s = read_docx(disclosure_to_docx(unit_full()), "full.docx")
    r = rows(s)
    assert ["901001示例市市场监督管理局本级", "单位：万元"] in r
    assert ["项目编码", "13990124P00LDLE10006G", "项目名称", "公务用车保险费"] in r
    assert ["预算规模及资金用途", "预算数", "6.80", "其中：财政资金", "6.80", "其他资金", ""] in r
    assert ["", "缴纳单位公务用车保险"] in r
    assert ["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"] in r
    assert ["", "25%", "50%", "75%", "100%"] in r
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    assert r.count(header) == 3
    # 产品质量监督抽查经费: 3 数量指标 rows under one merged 产出指标 / 数量指标, blank basis kept as a cell
    first = [
        "产出指标",
        "数量指标",
        "监督抽查批次",
        "全年完成产品质量监督抽查批次数",
        "≥320批次",
        "部门工作计划",
    ]
    i = r.index(first)
    assert r[i + 1] == ["", "", "抽查产品类别", "覆盖电动自行车、儿童用品、建材等类别", "≥12类", ""]
    assert paras(s)[:3] == ["示例市市场监督管理局本级2024年部门预算绩效目标", "第一部分", "部门整体绩效目标"]


def test_docx_split_table_repeats_header_in_a_second_table() -> None:
    s = read_docx(disclosure_to_docx(unit_full(), split_every=5), "split.docx")
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    # 6 + 12 + 15 indicators in pieces of 5: 2 + 3 + 3 tables with a header each
    assert rows(s).count(header) == 8
    b = blocks(s)
    firsts = [i for i, x in enumerate(b) if x[0] == "R" and x[2] == header]
    # project 2's second piece starts with the header, then a blank (carried) 一级指标 cell
    second = firsts[3]
    assert b[second + 1][2][:3] == ["", "时效指标", "抽查结果公布时间"]
    assert b[second][1] != b[second - 1][1]  # a new Word table: a new table id


def test_docx_tracked_deletions_and_fallback_text_are_not_read() -> None:
    d = Document()
    d.add_paragraph("保留")
    body = d.element.body
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    p = etree.SubElement(body, f"{{{w}}}p")
    ins = etree.SubElement(p, f"{{{w}}}ins")
    r = etree.SubElement(ins, f"{{{w}}}r")
    etree.SubElement(r, f"{{{w}}}t").text = "新增"
    dele = etree.SubElement(p, f"{{{w}}}del")
    r2 = etree.SubElement(dele, f"{{{w}}}r")
    etree.SubElement(r2, f"{{{w}}}delText").text = "删除"
    body.append(body.find(f"{{{w}}}sectPr"))  # keep sectPr last
    assert paras(read_docx(_docx_bytes(d), "t.docx")) == ["保留", "新增"]


# ---------------------------------------------------------------------------------------------- xlsx


def raw_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    ws["A1"] = "1.测试项目绩效目标表"
    ws.merge_cells("A1:F1")
    for ref, v in zip(
        ("A3", "B3", "C3", "D3", "E3", "F3"), ("项目名称", "测试", "预算数", 6.8, "占比", 0.25), strict=True
    ):
        ws[ref] = v
    ws["D3"].number_format = "0.00"
    ws["F3"].number_format = "0%"
    ws["A4"], ws["C4"], ws["D4"] = "产出指标", "金额", 1234.5
    ws["D4"].number_format = "#,##0.00"
    ws.merge_cells("A4:A5")
    ws["B4"] = "数量指标"
    ws["B5"], ws["C5"] = "时效指标", dt.datetime(2024, 12, 31)
    ws["C5"].number_format = 'yyyy"年"m"月"d"日"'
    ws["D5"] = "=0起"
    ws["D5"].data_type = "s"
    ws["E5"] = 17
    ws["B7"], ws["C7"] = "第二块", "B7 起"
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不读"
    hidden.sheet_state = "hidden"
    other = wb.create_sheet("Sheet2")
    other["B2"] = "另一张表"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_rows_blocks_merges_and_printed_numbers() -> None:
    s = read_xlsx(raw_xlsx(), "raw.xlsx")
    assert s.layout == "xlsx"
    assert blocks(s) == [
        ("R", 1, ["1.测试项目绩效目标表"]),  # merged A1:F1: the value in A1; a block spans its used columns
        ("R", 2, ["项目名称", "测试", "预算数", "6.80", "占比", "25%"]),  # a blank row: a new table id
        ("R", 2, ["产出指标", "数量指标", "金额", "1,234.50", "", ""]),
        ("R", 2, ["", "时效指标", "2024年12月31日", "=0起", "17", ""]),  # vertical merge continuation
        ("R", 3, ["第二块", "B7 起"]),  # B:C only
        ("R", 4, ["另一张表"]),  # the hidden sheet is not read
    ]


def test_xlsx_locations_are_excel_references() -> None:
    s = read_xlsx(raw_xlsx(), "raw.xlsx")
    row = [b for b in s.blocks if isinstance(b, Row)][2]
    assert str(row.cells[3].loc) == "绩效目标表!D4"
    assert str(row.loc) == "绩效目标表!A4:F4"
    assert str(s.blocks[-1].cells[0].loc) == "Sheet2!B2"


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (6.8, "0.00", "6.80"),
        (6.8, "General", "6.8"),
        (7.0, "General", "7"),
        (0.25, "0%", "25%"),
        (0.125, "0.0%", "12.5%"),
        (1234.5, "#,##0.00", "1,234.50"),
        (-3, "0.00;(0.00)", "(3.00)"),
        (12.5, '0.00"万元"', "12.50万元"),
        (0.1 + 0.2, "General", "0.3"),
        (1.5, "#.##", "1.5"),
        (2.675, "0.00", "2.68"),
        (100, "0", "100"),
        (80000, "#,##0", "80,000"),
    ],
)
def test_xlsx_numbers_as_printed(value: float, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


# ---------------------------------------------------------------------------------------------- html

RAW_HTML = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>不读标题</title><style>td {{ color: red }}</style><script>var x = "不读脚本";</script></head>
<body><table class="layout"><tr><td>
<h3>1.测试项目绩效目标表</h3>
<p>901001示例局&nbsp;&nbsp; 单位：万元</p>
<table border="1">
<tr><th>一级指标</th><th>二级指标</th><th colspan="2">三级指标及描述</th><th>指标值</th></tr>
<tr><td rowspan="3">产出指标</td><td rowspan="2">数量指标</td><td>检查户数</td>
    <td>描述<br>第二行</td><td>≥10家</td></tr>
<tr><td>抽检批次</td><td><p>甲</p><p>乙</p></td><td rowspan="2">100%</td></tr>
<tr><td>时效指标</td><td>完成时间</td><td>  年底  前 </td></tr>
</table>
<p>表后<b>文字</b></p></td></tr></table>
</body></html>"""


def test_html_rows_with_rowspan_colspan_and_text_outside_tables() -> None:
    s = read_html(RAW_HTML.encode("gbk"), "page.html")
    assert s.layout == "html"
    assert blocks(s) == [
        ("P", "1.测试项目绩效目标表"),
        ("P", "901001示例局 单位：万元"),
        ("R", 1, ["一级指标", "二级指标", "三级指标及描述", "指标值"]),
        ("R", 1, ["产出指标", "数量指标", "检查户数", "描述\n第二行", "≥10家"]),
        ("R", 1, ["", "", "抽检批次", "甲\n乙", "100%"]),
        ("R", 1, ["", "时效指标", "完成时间", "年底 前", ""]),
        ("P", "表后文字"),
    ]
    row = [b for b in s.blocks if isinstance(b, Row)][1]
    assert str(row.cells[2].loc).endswith("table 1 row 2 col 3")
    assert row.loc.line is not None


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("<p>预算数</p>".encode("gb18030"), "<p>预算数</p>"),  # no declaration, not UTF-8: GB18030
        (b"\xef\xbb\xbf<p>\xe9\xa2\x84\xe7\xae\x97</p>", "<p>预算</p>"),  # UTF-8 BOM
        ("<p>预算</p>".encode("utf-16"), "<p>预算</p>"),  # UTF-16 BOM
        ('<meta charset="gb2312"><p>绩效</p>'.encode("gbk"), '<meta charset="gb2312"><p>绩效</p>'),
        ('<meta charset="gbk"><p>绩效</p>'.encode(), '<meta charset="gbk"><p>绩效</p>'),  # valid UTF-8 wins
    ],
)
def test_html_encoding_detection(data: bytes, text: str) -> None:
    assert decode_html(data) == text


def test_html_entities_are_not_expanded_and_nothing_is_fetched() -> None:
    page = b"""<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY big "AAAA">]>
<html><body><p>a&xxe;b&big;c</p><img src="http://example.invalid/x.png"></body></html>"""
    text = " ".join(paras(read_html(page, "x.html")))
    assert "root:" not in text and "AAAA" not in text


# ---------------------------------------------------------------------------------------------- pdf

needs_soffice = pytest.mark.skipif(
    soffice() is None,
    reason="LibreOffice (soffice) is not installed; "
    ".ci/run installs libreoffice-writer-nogui, fonts-noto-cjk and fonts-liberation",
)


def wrap_docx() -> bytes:
    """Narrow columns: Chinese text and a long code wrap inside cells; a cell with two paragraphs."""
    d = Document()
    d.add_paragraph("换行测试")
    t = d.add_table(rows=2, cols=4)
    t.style = "Table Grid"
    for col, w in zip(t.columns, (2.0, 2.5, 5.0, 4.0), strict=True):
        col.width = Cm(w)
        for c in col.cells:
            c.width = Cm(w)
    t.cell(0, 0).text = "13990124P00LDLE10023A"
    t.cell(0, 1).text = "聘请第三方对企业标准、团体标准及计量标准进行审查数量"
    t.cell(0, 2).text = "Hello wrapping world of performance targets"
    t.cell(0, 3).text = "1.第一段。"
    t.cell(0, 3).add_paragraph("2.第二段。")
    t.cell(1, 0).text = "≥95%"
    t.cell(1, 1).text = "2024年12月31日前"
    t.cell(1, 2).text = "短"
    t.cell(1, 3).text = ""
    d.add_paragraph(LONG_PARAGRAPH).alignment = 3  # justified: wraps at the right margin
    d.add_paragraph(LONG_PARAGRAPH).paragraph_format.first_line_indent = Cm(0.74)
    d.add_paragraph("表后一行文字")
    return _docx_bytes(d)


LONG_PARAGRAPH = (
    "围绕建设统一大市场，深化“放管服”改革，营造公平竞争的市场环境；"
    "守住食品、药品、特种设备和产品质量安全底线，全年不发生重大安全事故，群众满意度不低于90%。"
)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("readers_pdf")
    sources = {
        "wrap": wrap_docx(),
        "long": disclosure_to_docx(_long_doc()),
        "running": with_running_header(disclosure_to_docx(_long_doc())),
    }
    paths = []
    for name, data in sources.items():
        (tmp / f"{name}.docx").write_bytes(data)
        paths.append(tmp / f"{name}.docx")
    return {p.stem: q.read_bytes() for p, q in docx_to_pdf(paths, tmp).items()}


def with_running_header(data: bytes) -> bytes:
    """The document with a running header and a page-number footer on every page."""
    d = Document(io.BytesIO(data))
    d.sections[0].header.paragraphs[0].text = "示例市市场监督管理局本级2024年部门预算绩效目标公开"
    d.sections[0].footer.paragraphs[0].text = "第 1 页"
    return _docx_bytes(d)


def rows_of(stream) -> list[Row]:
    return [b for b in stream.blocks if isinstance(b, Row)]


def _long_doc():
    doc = unit_full()
    doc.overall_goal, doc.sub_goals = None, []
    p = food_safety(1)
    p.indicators = p.indicators * 3  # 45 rows: the table runs over two pages or more
    doc.projects = [p]
    return doc


@needs_soffice
def test_pdf_cells_wrapped_over_lines_are_joined(pdfs: dict[str, bytes]) -> None:
    s = read_pdf(pdfs["wrap"], "wrap.pdf")
    assert s.layout == "pdf"
    assert blocks(s) == [
        ("P", "换行测试"),
        (
            "R",
            1,
            [
                "13990124P00LDLE10023A",
                "聘请第三方对企业标准、团体标准及计量标准进行审查数量",
                "Hello wrapping world of performance targets",
                "1.第一段。\n2.第二段。",
            ],
        ),
        ("R", 1, ["≥95%", "2024年12月31日前", "短", ""]),
        ("P", LONG_PARAGRAPH),  # the wrapped lines of a paragraph are joined back
        ("P", LONG_PARAGRAPH),  # a new indented paragraph is not joined to the one above
        ("P", "表后一行文字"),
    ]
    row = [b for b in s.blocks if isinstance(b, Row)][1]
    assert str(row.cells[1].loc) == "page 1 table 1 row 2 col 2"


@needs_soffice
def test_pdf_table_across_pages_keeps_rows_in_order(pdfs: dict[str, bytes]) -> None:
    docx_rows = rows_of(read_docx(disclosure_to_docx(_long_doc()), "long.docx"))
    pdf_rows = rows_of(read_pdf(pdfs["long"], "long.pdf"))
    pages = {str(r.loc).split(" table")[0] for r in pdf_rows}
    assert len(pages) >= 2, "the fixture should run over a page break"
    header = docx_rows[7].texts
    assert header[0] == "一级指标"
    # the PDF has the header again on each new page (w:tblHeader), and the indicator table keeps
    # one table id over the page break
    first_header = next(r for r in pdf_rows if r.texts == header)
    body = [r for r in pdf_rows if r.texts != header or r is first_header]
    main_table = docx_rows[1:]
    assert [r.texts for r in body[: len(main_table)]] == [r.texts for r in main_table]
    indicator_table = pdf_rows[pdf_rows.index(first_header) :]
    assert len({r.table for r in indicator_table}) == 1
    assert sum(r.texts == header for r in pdf_rows) == len(pages)


def test_read_cells_dispatches_binary_formats() -> None:
    assert read_cells(raw_docx(), "x.docx").layout == "docx"
    assert read_cells(raw_xlsx(), "x.xlsx").layout == "xlsx"
    assert read_cells(RAW_HTML.encode("gbk"), "x.html").layout == "html"


# ---------------------------------------------------------------------------------------------- bad input


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def minimal_pdf_without_text() -> bytes:
    """A valid one-page PDF that only draws a rectangle (what a scan looks like to a text reader)."""
    content = b"0 0 1 rg 100 100 200 200 re f"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def empty_xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


BAD_INPUTS = {
    "truncated.docx": (lambda: disclosure_to_docx(unit_full())[:3000], "zip 压缩包已截断或损坏"),
    "notword.docx": (lambda: _zip({"hello.txt": b"hi", "word/x.bin": b"1"}), "没有 word/document.xml"),
    "damaged.docx": (lambda: _damaged(disclosure_to_docx(unit_full())), "已损坏"),
    "empty.xlsx": (empty_xlsx, "没有任何有内容的单元格"),
    "notexcel.xlsx": (lambda: _zip({"xl/other.xml": b"<x/>"}), "没有 xl/workbook.xml"),
    "bomb.docx": (lambda: _zip({"word/document.xml": b"<" + b" " * (8 * 1024 * 1024)}), "疑似 zip 炸弹"),
    "scan.pdf": (minimal_pdf_without_text, "PDF 没有文字层（扫描件？）"),
    "broken.pdf": (lambda: b"%PDF-1.4\n1 0 obj <<\n" + b"\x00garbage" * 20, "PDF"),
    "badxml.docx": (
        lambda: _zip({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
        "不是可读取的 Word 文档",
    ),
    # random bytes under a document's name: what the file should be, not 「不是文本文件」
    "random.docx": (lambda: bytes(range(256)) * 8, "不是有效的 Word（.docx）文件"),
    "random.xlsx": (lambda: bytes(range(128, 256)) * 8, "不是有效的 Excel（.xlsx）文件"),
    "random.pdf": (lambda: b"abc\x00" * 64, "不是有效的 PDF 文件"),
    # a space between Chinese and a Latin word, as in every other message
    "picture.pdf": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(64), "不是 PDF 文件：内容是 PNG 图片"),
}


def _damaged(data: bytes) -> bytes:
    """Flip bytes inside word/document.xml's compressed data: the CRC check fails."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 20
    buf = bytearray(data)
    for i in range(start, start + 40):
        buf[i] ^= 0x55
    return bytes(buf)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_a_read_error_with_a_clear_message(name: str) -> None:
    make, words = BAD_INPUTS[name]
    with pytest.raises(ReadError) as err:
        read_cells(make(), name)
    assert words in err.value.message
    assert err.value.source == name
    assert str(err.value).startswith(f"{name}: line 1: ")


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_on_the_command_line_is_one_line_and_status_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jixiao.cli.main import main

    make, words = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(make())
    assert main(["parse", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # a whole .docx/.xlsx/.pdf that cannot be read is named without a line; the reason in Chinese
    assert len(err) == 1 and err[0].startswith(f"{path}: ") and words in err[0], err
    assert "Traceback" not in err[0] and "line" not in err[0]


def test_random_bytes_under_a_document_name_do_not_speak_of_text() -> None:
    for name in ("broken.docx", "broken.xlsx", "broken.pdf"):
        with pytest.raises(ReadError) as err:
            read_cells(bytes(range(256)) * 8, name)
        assert "文本" not in err.value.message and "扩展名" in err.value.message, err.value.message


def test_a_text_file_under_a_document_name_is_still_read_as_text() -> None:
    text = "项目名称\t测试项目\n年度目标\t完成建设\n".encode()
    assert read_cells(text, "saved_as.docx").layout == read_cells(text, "saved_as.txt").layout


def test_a_missing_file_is_told_in_chinese(tmp_path: Path) -> None:
    from jixiao.ingest import parse_file
    from jixiao.ingest.bounded import parse_file_bounded

    for parse in (parse_file, parse_file_bounded):
        with pytest.raises(ReadError) as err:
            parse(tmp_path / "nope.docx")
        assert err.value.message == "无法读取文件：文件不存在", err.value.message
        with pytest.raises(ReadError) as err:
            parse(tmp_path)
        assert err.value.message == "无法读取文件：是文件夹，不是文件", err.value.message


def test_a_bad_text_file_on_the_command_line_names_the_line_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jixiao.cli.main import main

    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert main(["parse", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"{path}: 第 1 行: 文件为空"


def test_para_and_row_are_the_only_blocks() -> None:
    for s in (read_docx(raw_docx(), "a"), read_xlsx(raw_xlsx(), "b"), read_html(RAW_HTML.encode("gbk"), "c")):
        assert all(isinstance(b, Para | Row) for b in s.blocks)


# ---------------------------------------------------------------------------------------------- fuzzing

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SAMPLES: dict[str, bytes] = {}


def _sample(kind: str) -> bytes:
    if not _SAMPLES:
        _SAMPLES["docx"] = raw_docx()
        _SAMPLES["xlsx"] = raw_xlsx()
        _SAMPLES["html"] = RAW_HTML.encode("gbk")
    return _SAMPLES[kind]


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    data = bytearray(_sample(kind))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@pytest.mark.parametrize("kind", ["docx", "xlsx", "html"])
def test_mutated_documents_give_cells_or_a_read_error(kind: str) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(kind))
    def check(data: bytes) -> None:
        try:
            read_cells(data, f"fuzz.{kind}")
        except ReadError as e:
            assert e.message

    check()


@given(st.binary(max_size=2048))
@settings(max_examples=60, deadline=None)
def test_random_bytes_under_binary_names_give_cells_or_a_read_error(data: bytes) -> None:
    for name in ("x.docx", "x.xlsx", "x.pdf", "x.html"):
        try:
            read_cells(b"PK\x03\x04" + data if name.endswith(("docx", "xlsx")) else data, name)
        except ReadError as e:
            assert e.message


@needs_soffice
def test_mutated_pdfs_give_cells_or_a_read_error(pdfs: dict[str, bytes]) -> None:
    base = pdfs["wrap"]

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(1, 255)), min_size=1, max_size=12),
        st.integers(64, len(base)),
    )
    def check(flips: list[tuple[int, int]], keep: int) -> None:
        data = bytearray(base)
        for pos, x in flips:
            data[pos] ^= x
        try:
            read_cells(bytes(data[:keep]), "fuzz.pdf")
        except ReadError as e:
            assert e.message

    check()


def _patched_sheet(data: bytes, patch: Callable[[bytes], bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info.filename)
            zf.writestr(info, patch(body) if info.filename == "xl/worksheets/sheet1.xml" else body)
    return out.getvalue()


def test_xlsx_a_wrong_used_range_does_not_hide_rows() -> None:
    wrong = b'<dimension ref="A1"/>'
    data = _patched_sheet(raw_xlsx(), lambda b: re.sub(rb'<dimension ref="[^"]*"/>', wrong, b))
    assert rows(read_xlsx(data, "dim.xlsx")) == rows(read_xlsx(raw_xlsx(), "ok.xlsx"))


def test_xlsx_a_value_left_in_a_covered_cell_is_not_read() -> None:
    """Some exporters write the merged value into every cell of the range: only the top-left counts."""
    data = raw_xlsx()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                # A5 is covered by the merge A4:A5
                cell = '<c r="A5" t="inlineStr"><is><t>产出</t></is></c>'.encode()
                body = re.sub(rb'(<row r="5"[^>]*>)', rb"\1" + cell, body, count=1)
                assert b"A5" in body
            zf.writestr(info, body)
    rows_ = rows(read_xlsx(out.getvalue(), "covered.xlsx"))
    assert ["", "时效指标", "2024年12月31日", "=0起", "17", ""] in rows_


def test_docx_table_of_contents_is_not_read() -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_char(p, kind: str) -> None:
        r = p.add_run()
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r._r.append(fc)

    d = Document()
    d.add_paragraph("目录")
    p1 = d.add_paragraph()
    field_char(p1, "begin")
    instr = OxmlElement("w:instrText")
    instr.text = ' TOC \\o "1-3" \\h \\z \\u '
    p1.add_run()._r.append(instr)
    field_char(p1, "separate")
    p1.add_run("一、总体绩效目标\t3")
    p2 = d.add_paragraph("1.公务用车保险费绩效目标表\t5")
    field_char(p2, "end")
    d.add_paragraph("一、总体绩效目标")
    assert paras(read_docx(_docx_bytes(d), "toc.docx")) == ["目录", "一、总体绩效目标"]


@needs_soffice
def test_pdf_running_headers_do_not_break_a_table_across_pages(pdfs: dict[str, bytes]) -> None:
    plain = rows_of(read_pdf(pdfs["long"], "long.pdf"))
    s = read_pdf(pdfs["running"], "running.pdf")
    assert [r.texts for r in rows_of(s)] == [r.texts for r in plain]
    assert [r.table for r in rows_of(s)] == [r.table for r in plain]
    assert "示例市市场监督管理局本级2024年部门预算绩效目标公开" in paras(s)


def with_alt_chunk(data: bytes, chunk_name: str, chunk: bytes) -> bytes:
    """Put an imported chunk (w:altChunk) at the end of a .docx body, as web systems write them."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/document.xml":
                body = body.replace(b"<w:sectPr", b'<w:altChunk r:id="rIdChunk1"/><w:sectPr', 1)
            elif info.filename == "word/_rels/document.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdChunk1" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/aFChunk" Target="'
                    + chunk_name.encode()
                    + b'"/></Relationships>',
                )
            zf.writestr(info, body)
        zf.writestr(f"word/{chunk_name}", chunk)
    return out.getvalue()


def test_docx_imported_html_and_mht_chunks_are_read_in_place() -> None:
    d = Document()
    d.add_paragraph("正文")
    html = "<html><body><p>导入</p><table><tr><td>一级指标</td><td>二级指标</td></tr></table></body></html>"
    s = read_docx(with_alt_chunk(_docx_bytes(d), "chunk1.html", html.encode("gbk")), "chunk.docx")
    assert blocks(s) == [("P", "正文"), ("P", "导入"), ("R", 1, ["一级指标", "二级指标"])]
    assert str(s.blocks[2].cells[1].loc) == "altChunk 1 line 1, table 1 row 1 col 2"
    mht = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
        b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + __import__("base64").encodebytes(html.encode())
        + b"\r\n--B--\r\n"
    )
    s = read_docx(with_alt_chunk(_docx_bytes(d), "chunk1.mht", mht), "chunk.docx")
    assert blocks(s)[1:] == [("P", "导入"), ("R", 1, ["一级指标", "二级指标"])]


def test_docx_without_text_is_a_read_error() -> None:
    with pytest.raises(ReadError, match="没有文字"):
        read_docx(_docx_bytes(Document()), "empty.docx")


def test_html_a_table_nested_in_a_data_cell_is_text_of_that_cell() -> None:
    page = """<table><tr><td>资金支出计划（%）</td><td>x</td><td>y</td>
    <td><table><tr><td>3月底</td><td>25%</td></tr></table></td></tr></table>"""
    assert blocks(read_html(page.encode(), "n.html")) == [
        ("R", 1, ["资金支出计划（%）", "x", "y", "3月底\n25%"])
    ]
