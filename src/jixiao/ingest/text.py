"""Text reader: decode a .txt disclosure and regroup its lines into table rows and paragraphs.

Three layouts of the same tables are seen in text files, and one file may mix them:

- tab rows: one table row per line, cells separated by tabs (an empty first cell is a merged
  一级指标), as exported from HTML/Excel;
- cell lines: one cell per line, each line starting with a tab, a blank line ending the row; a line
  without a tab right after a cell continues that cell (a cell with several paragraphs), as
  exported from Word;
- PDF text: no tabs at all; cells are wrapped over several lines and several cells may share a
  line. Those regions are regrouped by `jixiao.ingest.pdftext`.

Conversion artefacts (`[bookmark: …]`, `<p>`, `</p>`, `**`) are removed here; they belong to no field.
"""

from __future__ import annotations

import re

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.model import Location

_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]|</?(?:p|br|span|div|strong|b|em|i|u)\b[^>]*>|\*\*", re.I)
_TITLE = re.compile(r"绩效目标(申报|批复)?表$")
_RULE_LINE = re.compile(r"^[\s|:\-+=]*-{3,}[\s|:\-+=]*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes, name: str) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030/GBK.

    Raises ReadError for binary or undecodable content, naming the first bad line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise ReadError(name, f"invalid UTF-16 text at byte {e.start}", _line_of(data, e.start)) from e
    if not data.strip():
        raise ReadError(name, "the file is empty")
    nul = data.find(b"\x00")
    if nul != -1:
        raise ReadError(name, "binary content (NUL byte): not a text document", _line_of(data, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ReadError(
                name,
                f"not valid UTF-8 or GB18030 text (byte 0x{data[utf8_error.start]:02x})",
                _line_of(data, utf8_error.start),
            ) from utf8_error
        # GB18030 decodes almost any byte string; insist that the result looks like CJK text
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        if cjk < len(text) * 0.05:
            raise ReadError(
                name, "not a text document (undecodable bytes)", _line_of(data, utf8_error.start)
            ) from utf8_error
    bad = _CONTROL.search(text)
    if bad and len(_CONTROL.findall(text[:100000])) > 20:
        line = text.count("\n", 0, bad.start()) + 1
        raise ReadError(name, "binary content (control characters): not a text document", Location(line=line))
    return text


def _line_of(data: bytes, offset: int) -> Location:
    return Location(line=data.count(b"\n", 0, offset) + 1)


def clean_line(line: str) -> str:
    """Remove conversion artefacts and the trailing line break; keep everything else as printed."""
    line = line.rstrip("\r\n")
    if "[" in line or "<" in line or "*" in line:
        line = _ARTEFACTS.sub("", line)
    return line


def _is_blank(line: str) -> bool:
    return not line.strip(" \t\u3000\xa0")


def read_text(data: bytes, name: str) -> CellStream:
    text = decode(data, name)
    lines = [clean_line(s) for s in text.split("\n")]
    if sum(1 for s in lines[:5000] if _PIPE_ROW.match(s)) >= 3:
        # Markdown pipe tables: "| 一级指标 | 二级指标 | … |" → tab-separated rows
        lines = ["\t".join(c.strip() for c in s.strip().strip("|").split("|")) if _PIPE_ROW.match(s) else s
                 for s in lines]
    has_tabs = any("\t" in s for s in lines)
    if not has_tabs:
        from jixiao.ingest.pdftext import regroup_pdf_text

        return CellStream(source=name, blocks=regroup_pdf_text(lines), layout="pdf-text")
    return CellStream(source=name, blocks=_tabbed_blocks(lines), layout="tabbed")


def _tabbed_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    group: list[Cell] = []  # cells of the current cell-lines row
    group_start = 0
    table = 0
    in_table = False

    def flush() -> None:
        nonlocal group
        if group:
            blocks.append(Row(cells=group, loc=Location(line=group_start), table=table))
            group = []

    for i, raw in enumerate(lines, start=1):
        stripped_tail = raw.rstrip("\t \u3000\xa0")
        if _is_blank(raw) and "\t" not in raw:
            flush()
            continue
        if _RULE_LINE.match(raw):
            continue  # a Markdown table rule left by the conversion: no content
        if "\t" in stripped_tail.lstrip("\t"):
            # a whole row on one line (cells separated by tabs)
            flush()
            if not in_table:
                table += 1
                in_table = True
            parts = raw.split("\t")
            while len(parts) > 1 and _is_blank(parts[-1]):
                parts.pop()
            blocks.append(Row(
                cells=[Cell(p.strip(), Location(line=i, cell=f"col {k + 1}")) for k, p in enumerate(parts)],
                loc=Location(line=i), table=table))
            continue
        if raw.startswith("\t"):
            if not group:
                group_start = i
                if not in_table:
                    table += 1
                    in_table = True
            group.append(Cell(stripped_tail.strip("\t").strip(), Location(line=i)))
            continue
        # a line without tabs right after a cell continues it (a Word cell with several
        # paragraphs), unless it is a table title
        if group and not _is_blank(lines[i - 2]) and not _TITLE.search(raw.strip()):
            prev = group[-1]
            prev.text = (prev.text + "\n" + raw.strip()) if prev.text else raw.strip()
            continue
        flush()
        in_table = False
        blocks.append(Para(raw.strip(), Location(line=i)))
    flush()
    return blocks
