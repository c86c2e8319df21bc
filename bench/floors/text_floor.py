"""Floor for text import: read + decode + split lines, nothing else.

    python bench/floors/text_floor.py FILE...      # prints MB/s over the files

`floor(data)` is what `bench/parse.py` times beside jixiao in the same run: the same decoding
choice as the reader (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030), then the lines.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def floor(data: bytes) -> int:
    """Decode and split into lines; returns the number of lines (so the work is not optimised away)."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    return len(text.split("\n"))


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
    print(f"text floor: {total * reps / 1048576 / elapsed:.1f} MB/s over {len(docs)} files")


if __name__ == "__main__":
    main(sys.argv[1:])
