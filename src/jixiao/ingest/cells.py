"""The cell stream: what every reader produces and the interpreter consumes.

A document is a sequence of blocks. A `Para` is running text outside any table (a heading, a
paragraph). A `Row` is one table row: its logical cells in order (a horizontally merged cell once,
a vertically merged continuation as an empty cell), with the id of the table it belongs to, so the
interpreter can tell a new table from a continued one. Every block and cell carries its location
(line of a text file, or table/row/column, sheet!cell, page) for located warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from jixiao.model import Location


@dataclass(slots=True)
class Cell:
    text: str
    loc: Location


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    loc: Location
    table: int | None = None  # readers that know table boundaries set an id per table

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    def nonempty(self) -> list[Cell]:
        return [c for c in self.cells if c.text and not c.text.isspace()]


@dataclass(slots=True)
class Para:
    text: str
    loc: Location


Block = Row | Para


@dataclass
class CellStream:
    """The blocks of one document plus what the reader learned about it."""

    source: str
    blocks: list[Block] = field(default_factory=list)
    layout: str = "unknown"  # e.g. "tsv-rows", "cell-lines", "pdf-text", "docx", "xlsx", "html", "pdf"

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)


class ReadError(Exception):
    """A file that cannot be read at all (empty, binary, truncated, wrong format).

    `location` says where: a line, or 'document' when the whole file is unusable.
    """

    def __init__(self, source: str, message: str, location: Location | None = None) -> None:
        self.source = source
        self.message = message
        self.location = location or Location(line=1)
        super().__init__(f"{source}: {self.location}: {message}")

    def where(self) -> str:
        """`第 N 行: `, where the problem is for people; empty for a problem with a whole
        .docx/.xlsx/.pdf (reported at line 1, which means nothing there)."""
        whole = self.location == (1, None) and not self.source.lower().endswith((".txt", ".html", ".htm"))
        return "" if whole else f"{self.location.zh()}: "

    def describe(self) -> str:
        """`FILE: 第 N 行: why`, for people (the upload page, the commands); a problem with a whole
        .docx/.xlsx/.pdf is `FILE: why`."""
        return f"{self.source}: {self.where()}{self.message}"


# ---------------------------------------------------------------------------------------------
# small recognisers shared by the readers and the interpreter

_WS = re.compile(r"[\s\u3000\xa0]+")


def squash(text: str | None) -> str:
    """Text without any whitespace (labels are compared this way)."""
    return _squash(text) if text else ""


@lru_cache(maxsize=65536)
def _squash(text: str) -> str:
    # labels, levels and values recur on every row and in every document: each squashed once
    return _WS.sub("", text)


_UNIT_LINE = re.compile(
    r"^\s*(?P<code>\d{3,15})\s*(?P<name>[^\d\s：:][^：:]*?(局|院|委|会|中心|办公室|办|厅|部|所|站|队|馆|校|处|署|社|室|级|团|公司)"
    r"(（本级）|\(本级\))?)"
    r"\s*(?P<rest>(金额)?单位[:：].*)?$"
)


@lru_cache(maxsize=16384)
def match_unit_line(text: str) -> tuple[str, str] | None:
    """'414001 巨鹿县市场监督管理局本级 单位：万元' → ('414001', '巨鹿县市场监督管理局本级')."""
    m = _UNIT_LINE.match(text.strip())
    if not m:
        return None
    name = m.group("name").strip()
    if len(squash(name)) > 40:
        return None
    return m.group("code"), name
