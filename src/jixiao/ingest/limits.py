"""Caps the readers hold every document to, so that no small file costs gigabytes or minutes.

A disclosure is a few dozen tables of a few hundred rows; the caps are two orders of magnitude
above the largest real document and far below what hurts. A document over a cap is refused with a
`ReadError` naming the file and the place (sheet cell, table row, page) where the cap was passed.
The parsing worker (`jixiao.ingest.bounded`) adds a time and memory limit for whatever these miss.
"""

from __future__ import annotations

MAX_BYTES = 50 * 1024 * 1024  # one document file

# Office packages (.docx, .xlsx): checked from the zip's central directory before anything inflates
MAX_MEMBERS = 5000  # parts in one archive
MAX_MEMBER_BYTES = 100 * 1024 * 1024  # one part, uncompressed (images and other unread parts)
MAX_TOTAL_BYTES = 300 * 1024 * 1024  # all parts together, uncompressed
MAX_RATIO = 200  # uncompressed ÷ compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_XML_BYTES = 40 * 1024 * 1024  # one XML part that a reader parses (document, sheet, shared strings)
MAX_XML_NODES = 1_500_000  # elements of a Word document part (each costs ~150 bytes as a tree)

# tables, in every format
MAX_CELLS = 500_000  # logical cells in one document, all tables together
MAX_COLUMNS = 1000  # columns of one table (a sheet's last used column, an HTML row's grid width)
MAX_SPAN = 1000  # rowspan / colspan of one HTML cell
MAX_SHEET_AREA = 2_000_000  # last used row × last used column of one worksheet
MAX_TEXT = 20_000_000  # characters of the whole document's text

# PDF
MAX_PAGES = 1000
MAX_PAGE_CONTENT = 16 * 1024 * 1024  # one page's content streams (and forms it draws), inflated
MAX_PAGE_CHARS = 20_000  # characters printed on one page (a dense A4 table page has ~5,000)
# path segments on one page (a line is 2, a rectangle 5): pdfplumber's table finding is quadratic in
# the edges (2,400 boxes: 13 s); LibreOffice draws a full table page with fewer than 100
MAX_PAGE_GRAPHICS = 6000


def mb(n: int) -> str:
    """A byte count for a message: '40 MB'."""
    return f"{n / (1024 * 1024):.0f} MB"
