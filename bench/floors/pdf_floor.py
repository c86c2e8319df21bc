"""Floors for reading a PDF: what maintained libraries take for the same pages, in the same run.

    python bench/floors/pdf_floor.py FILE.pdf [...]

- `pdfplumber_words_tables`: pdfplumber's words and tables of every page (`extract_words()` and
  `find_tables()` with their cells' text): the library jixiao used before, at its ordinary API.
- `pdfium_text`: PDFium (pypdfium2) loads every page and extracts its plain text (the cost of the
  C library alone, without any positions or layout).

Each function takes the file's bytes and returns how many pages it read.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path


def pdfplumber_words_tables(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_words()
            for table in page.find_tables():
                table.extract()
            page.close()
        return len(pdf.pages)


def pdfium_text(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for page in pdf:
            text_page = page.get_textpage()
            text_page.get_text_range()
            text_page.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


FLOORS = {"pdfplumber words+tables": pdfplumber_words_tables, "pypdfium2 text": pdfium_text}


def main(argv: list[str]) -> None:
    files = [Path(a).read_bytes() for a in argv]
    for label, floor in FLOORS.items():
        start = time.perf_counter()
        pages = sum(floor(data) for data in files)
        elapsed = time.perf_counter() - start
        print(f"{label}: {pages} pages in {elapsed:.3f} s ({pages / elapsed:.1f} pages/s)")


if __name__ == "__main__":
    main(sys.argv[1:])
