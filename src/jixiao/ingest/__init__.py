"""Import disclosures: readers (text, docx, xlsx, html, pdf) → cell stream → interpreter → model."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jixiao.ingest.cells import CellStream, Para, ReadError
from jixiao.ingest.limits import MAX_BYTES, MAX_TEXT, mb
from jixiao.model import Disclosure, Location
from jixiao.oserror import os_reason

__all__ = ["ReadError", "parse_bytes", "parse_file", "read_cells"]


def sniff_format(data: bytes, name: str = "") -> str:
    """The format of a document from its first bytes (the suffix only breaks ties)."""
    head = data[:2048]
    suffix = Path(name).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or suffix == ".docx":
            return "docx"
        if b"xl/" in data[:65536] or suffix in (".xlsx", ".xlsm"):
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .doc/.xls
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")) or suffix in (
        ".html",
        ".htm",
    ):
        return "html"
    return "text"


def read_cells(data: bytes, name: str) -> CellStream:
    """Turn a document's bytes into a cell stream with the reader for its format.

    Whatever goes wrong inside a reader (a damaged zip, XML or PDF structure, a cap passed, memory
    running out) is a `ReadError` with a Chinese message naming the file; nothing else escapes.
    """
    if not data:
        raise ReadError(name, "文件为空")
    if len(data) > MAX_BYTES:
        raise ReadError(name, f"文件超过 {mb(MAX_BYTES)} 的上限")
    fmt = sniff_format(data, name)
    _check_suffix(fmt, data, name)
    try:
        stream = _read(fmt, data, name)
    except ReadError as e:
        kind = _SUFFIX_KIND.get(Path(name).suffix.lower())
        if fmt == "text" and kind:
            # bytes that are neither the document its name promises nor text: say what it should be
            raise ReadError(
                name,
                f"不是有效的{kind}文件：{_SUFFIX_EXPECTED[kind]}，文件已损坏或扩展名与内容不符",
                Location(line=1),
            ) from e
        raise
    except MemoryError as e:
        raise ReadError(name, "无法读取此文件：所需内存超出上限", Location(line=1)) from e
    except RecursionError as e:
        raise ReadError(name, "无法读取此文件：结构嵌套过深", Location(line=1)) from e
    except Exception as e:  # a reader's own checks missed a damaged structure: still a located error
        raise ReadError(
            name,
            f"无法读取此文件：文件已损坏或格式不受支持（{type(e).__name__}）",
            Location(line=1),
        ) from e
    _check_text_size(stream, name)
    return stream


# what a file holds when it is not a document (a picture or an archive renamed .pdf …)
_SIGNATURES = [
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
]
_SUFFIX_KIND = {".pdf": " PDF ", ".docx": " Word（.docx）", ".xlsx": " Excel（.xlsx）"}
_SUFFIX_EXPECTED = {
    " PDF ": "文件开头没有 PDF 标记（%PDF）",
    " Word（.docx）": ".docx 文档是 zip 压缩格式，此文件不是",
    " Excel（.xlsx）": ".xlsx 工作簿是 zip 压缩格式，此文件不是",
}


def _check_suffix(fmt: str, data: bytes, name: str) -> None:
    """A picture or an archive given as a document (a photo renamed .pdf): say what it is instead of
    reading it as text and reporting binary bytes. Anything else goes to the readers as before (an
    HTML page saved as .xlsx is still read as HTML)."""
    what = next((label for sig, label in _SIGNATURES if data.startswith(sig)), None)
    if what is None or fmt not in ("text", "html"):
        return
    kind = _SUFFIX_KIND.get(Path(name).suffix.lower())
    if kind:
        raise ReadError(name, f"不是{kind}文件：内容是 {what}，文件扩展名与内容不符", Location(line=1))
    raise ReadError(name, f"不是文本或网页文件：内容是 {what}", Location(line=1))


def _read(fmt: str, data: bytes, name: str) -> CellStream:
    if fmt == "text":
        from jixiao.ingest.text import read_text

        return read_text(data, name)
    if fmt == "docx":
        from jixiao.ingest.docx import read_docx

        return read_docx(data, name)
    if fmt == "xlsx":
        from jixiao.ingest.xlsx import read_xlsx

        return read_xlsx(data, name)
    if fmt == "html":
        from jixiao.ingest.html import read_html

        return read_html(data, name)
    if fmt == "pdf":
        from jixiao.ingest.pdf import read_pdf

        return read_pdf(data, name)
    if fmt == "ole":
        raise ReadError(name, "不支持旧版 .doc/.xls 文件，请另存为 .docx/.xlsx 后上传")
    raise ReadError(name, "不是 .docx/.xlsx 文档（无法识别的 zip 压缩包）")


def _check_text_size(stream: CellStream, name: str) -> None:
    """The whole text of a document is capped (the interpreter reads every cell's text)."""
    total = 0
    for b in stream.blocks:
        if isinstance(b, Para):
            total += len(b.text)
        else:
            for c in b.cells:
                total += len(c.text)
        if total > MAX_TEXT:
            raise ReadError(name, f"拒绝读取：文字超过 {MAX_TEXT} 字的上限（到 {b.loc} 为止）", b.loc)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Parsing builds many small objects and no reference cycles: collecting the young generation
    over and over while they pile up costs a third of the time on a large document."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_bytes(data: bytes, name: str, *, year: int | None = None) -> Disclosure:
    """Parse one document given as bytes; `name` is used in messages."""
    from jixiao.ingest.interpret import interpret

    with _no_gc_pauses():
        return interpret(read_cells(data, name), year=year)


def parse_file(path: str | Path, *, year: int | None = None) -> Disclosure:
    """Parse one document from disk."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(str(path), f"无法读取文件：{os_reason(e)}") from e
    return parse_bytes(data, str(path), year=year)
