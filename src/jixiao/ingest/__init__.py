"""Import disclosures: readers (text, docx, xlsx, html, pdf) → cell stream → interpreter → model."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jixiao.ingest.cells import CellStream, ReadError
from jixiao.model import Disclosure

__all__ = ["ReadError", "parse_bytes", "parse_file", "read_cells"]

MAX_BYTES = 50 * 1024 * 1024


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
        ".html", ".htm"):
        return "html"
    return "text"


def read_cells(data: bytes, name: str) -> CellStream:
    """Turn a document's bytes into a cell stream with the reader for its format."""
    if not data:
        raise ReadError(name, "the file is empty")
    if len(data) > MAX_BYTES:
        raise ReadError(name, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    fmt = sniff_format(data, name)
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
        raise ReadError(name, "legacy .doc/.xls files are not supported; save as .docx/.xlsx")
    raise ReadError(name, "not a .docx/.xlsx document (unknown zip archive)")


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
        raise ReadError(str(path), f"cannot read the file: {e.strerror or e}") from e
    return parse_bytes(data, str(path), year=year)
