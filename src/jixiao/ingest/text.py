"""Text reader: decode a .txt disclosure and hand its lines to the layout strategies.

The reader's own work is decoding (UTF-8, UTF-16, GB18030), removing conversion artefacts
(`[bookmark: …]`, `<p>`, `**`) and noise lines (page markers, portal furniture: `jixiao.ingest.noise`),
and the tab layouts exported from HTML/Excel/Word:

- tab rows: one table row per line, cells separated by tabs (an empty first cell is a merged
  一级指标);
- cell lines: one cell per line, each line starting with a tab, a blank line ending the row; a line
  without a tab right after a cell continues that cell (a cell with several paragraphs).

Text without tabs goes to `jixiao.ingest.textrows`, which tries one strategy per way of printing
rows (pipes, runs of spaces, one cell per line, cells run together, PDF-wrapped text) and keeps the
one whose rows fit the indicator header best.
"""

from __future__ import annotations

import re

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row
from jixiao.ingest.noise import (
    has_page_markers,
    is_noise_line,
    may_hold_artefacts,
    norm_key,
    running_headers,
    strip_artefacts,
)
from jixiao.model import Location

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
            raise ReadError(name, f"UTF-16 文本无效（第 {e.start} 字节）", _line_of(data, e.start)) from e
    if not data.strip():
        raise ReadError(name, "文件为空")
    nul = data.find(b"\x00")
    if nul != -1:
        raise ReadError(name, "二进制内容（NUL 字节）：不是文本文件", _line_of(data, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ReadError(
                name,
                f"不是有效的 UTF-8 或 GB18030 文本（字节 0x{data[utf8_error.start]:02x}）",
                _line_of(data, utf8_error.start),
            ) from utf8_error
        # GB18030 decodes almost any byte string; insist that the result looks like CJK text
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        if cjk < len(text) * 0.05:
            raise ReadError(
                name, "不是文本文件（无法解码的字节）", _line_of(data, utf8_error.start)
            ) from utf8_error
    bad = _CONTROL.search(text)
    if bad and len(_CONTROL.findall(text[:100000])) > 20:
        line = text.count("\n", 0, bad.start()) + 1
        raise ReadError(name, "二进制内容（控制字符）：不是文本文件", Location(line=line))
    return text


def _line_of(data: bytes, offset: int) -> Location:
    return Location(line=data.count(b"\n", 0, offset) + 1)


def clean_line(line: str) -> str:
    """Remove conversion artefacts and the trailing line break; a noise line (page marker, portal
    furniture) becomes blank; keep everything else as printed."""
    line = strip_artefacts(line.rstrip("\r\n"))
    if len(line) <= 120 and is_noise_line(line):  # furniture and page markers are short lines
        return ""
    return line


def _clean_lines(raw: list[str], artefacts: bool = True) -> list[str]:
    """`clean_line` over every line (its tests inlined: a text has many lines). `artefacts`:
    whether the text prints any of the characters an artefact starts with (else no line does)."""
    out: list[str] = []
    noise = is_noise_line
    for line in raw:
        line = line.rstrip("\r\n")
        if artefacts and may_hold_artefacts(line):
            line = strip_artefacts(line)
        out.append("" if line and len(line) <= 120 and noise(line) else line)  # a blank is no noise
    return out


_SITE_FOOTER = re.compile(r"ICP备|公网安备|网站标识码|主办|承办|版权所有|技术支持")
_LINK_SPLIT = re.compile(r"\s*\|\s*|\s{2,}")


def _is_link_list(line: str) -> bool:
    """A short list of link names (`内容保障 | 公务邮箱`): two to six short words without digits."""
    s = line.strip()
    if not s or len(s) > 60 or "指标" in s or s.startswith("|") or s.endswith("|"):
        return False
    words = [w for w in _LINK_SPLIT.split(s) if w]
    return 2 <= len(words) <= 6 and all(len(w) <= 8 and not any(ch.isdigit() for ch in w) for w in words)


def _blank_footer_links(raw: list[str], lines: list[str]) -> None:
    """A list of link names printed just above a site's furniture (主办/承办, ICP 备案 …, with only
    blank lines between) is part of the site footer: blanked like the furniture itself."""
    for i, s in enumerate(raw):
        if lines[i] or not s.strip() or not _SITE_FOOTER.search(s):
            continue  # only above a site footer line that was removed
        k = i - 1
        while k >= 0:
            if not raw[k].strip():
                k -= 1
                continue
            if lines[k] and _is_link_list(lines[k]):
                lines[k] = ""
                k -= 1
                continue
            break


_BLANK = " \t\u3000\xa0"


def _is_blank(line: str) -> bool:
    return not line.strip(_BLANK)


def read_text(data: bytes, name: str) -> CellStream:
    text = decode(data, name)
    raw = text.split("\n")
    running = running_headers(raw) if has_page_markers(text) else set()
    lines = _clean_lines(raw, may_hold_artefacts(text))
    _blank_footer_links(raw, lines)
    if running:
        lines = ["" if s and norm_key(s) in running else s for s in lines]
    from jixiao.ingest.pdftext import regroup_pdf_text, regroup_titled
    from jixiao.ingest.textrows import find_blocks

    tabbed = sum(1 for s in lines if "\t" in s)
    if not tabbed:
        blocks, layout = find_blocks(lines, regroup_pdf_text, fallback_titled=regroup_titled)
        return CellStream(source=name, blocks=blocks, layout=layout)
    if tabbed >= 0.3 * sum(1 for s in lines if s.strip()):
        # a tab-separated export: its rows are the document's own
        return CellStream(source=name, blocks=_tabbed_blocks(lines), layout="tabbed")
    # a few tabs among lines printed another way: the tab reading is one candidate among the others
    blocks, layout = find_blocks(
        lines, regroup_pdf_text, first=("tabbed", _tabbed_blocks(lines)), fallback_titled=regroup_titled
    )
    return CellStream(source=name, blocks=blocks, layout=layout)


_COL_NAMES: list[str] = [f"col {k + 1}" for k in range(64)]


def _col_name(k: int) -> str:
    """`col k+1`, the cell part of a tab row's locations (the common widths computed once)."""
    return _COL_NAMES[k] if k < len(_COL_NAMES) else f"col {k + 1}"


def _tab_row(i: int, raw: str, table: int) -> Row:
    """A whole row on one line: its cells separated by tabs (blank trailing cells dropped)."""
    parts = raw.split("\t")
    while len(parts) > 1 and _is_blank(parts[-1]):
        parts.pop()
    new = tuple.__new__  # Location(i, …) without the named tuple's Python-level constructor
    names = _COL_NAMES if len(parts) <= len(_COL_NAMES) else [_col_name(k) for k in range(len(parts))]
    return Row(
        cells=[Cell(p.strip(), new(Location, (i, name))) for p, name in zip(parts, names, strict=False)],
        loc=new(Location, (i, None)),
        table=table,
    )


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

    def text_line(i: int, raw: str) -> None:
        """A line printed without cells: it continues the cell above (a Word cell with several
        paragraphs) unless a blank line or a table title comes between; else it is a paragraph."""
        nonlocal in_table
        if group and not _is_blank(lines[i - 2]) and not _TITLE.search(raw.strip()):
            prev = group[-1]
            prev.text = (prev.text + "\n" + raw.strip()) if prev.text else raw.strip()
            return
        flush()
        in_table = False
        blocks.append(Para(raw.strip(), Location(line=i)))

    for i, raw in enumerate(lines, start=1):
        if "\t" not in raw:
            if not raw.strip(_BLANK):
                if group:
                    flush()
                continue
            if "-" in raw and _RULE_LINE.match(raw):
                continue  # a Markdown table rule left by the conversion: no content
            text_line(i, raw)
            continue
        if "-" in raw and _RULE_LINE.match(raw):
            continue
        stripped_tail = raw.rstrip(_BLANK)
        if "\t" in stripped_tail.lstrip("\t"):
            # a whole row on one line (cells separated by tabs)
            if group:
                flush()
            if not in_table:
                table += 1
                in_table = True
            blocks.append(_tab_row(i, raw, table))
            continue
        if raw.startswith("\t"):
            if not group:
                group_start = i
                if not in_table:
                    table += 1
                    in_table = True
            group.append(Cell(stripped_tail.strip("\t").strip(), Location(line=i)))
            continue
        text_line(i, raw)  # a line whose only tabs trail it: text like any line without tabs
    flush()
    return blocks
