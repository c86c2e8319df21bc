"""Regroup PDF-extracted text (no tabs) into paragraphs and table rows."""

from __future__ import annotations

from jixiao.ingest.cells import Block, Para
from jixiao.model import Location


def regroup_pdf_text(lines: list[str]) -> list[Block]:
    return [Para(s.strip(), Location(line=i)) for i, s in enumerate(lines, start=1) if s.strip()]
