"""Floor for .docx import: open the zip, parse word/document.xml with lxml and visit every `w:tc`.

    python bench/floors/docx_floor.py FILE.docx...      # prints MB/s over the files

`floor(data)` is what `bench/parse.py` times beside jixiao's .docx reader in the same run.
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def floor(data: bytes) -> int:
    """Unzip the document part, parse it and visit every table cell with its text; returns the
    number of characters of cell text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml")
    root = etree.fromstring(xml)
    n = 0
    for tc in root.iter(f"{W}tc"):
        for t in tc.iter(f"{W}t"):
            n += len(t.text or "")
    return n


def main(paths: list[str]) -> None:
    docs = [Path(p).read_bytes() for p in paths]
    total = sum(map(len, docs))
    start = time.process_time()
    reps = 0
    while time.process_time() - start < 0.5:
        for d in docs:
            floor(d)
        reps += 1
    elapsed = time.process_time() - start
    print(f"docx floor: {total * reps / 1048576 / elapsed:.1f} MB/s over {len(docs)} files")


if __name__ == "__main__":
    main(sys.argv[1:])
