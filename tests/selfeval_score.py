"""Score a reading of a published 自评表 against its hand extraction (`*.selfeval.json`).

Field by field, each counted where the reference prints something: project name, year, 总分 (points
and score), 自评等级, every budget cell (rows matched by label, columns by header), and for each
indicator (matched by name) its target, actual, 分值 and 得分. A row read that the reference does not
have counts against the reading. Texts are compared without whitespace and with ASCII punctuation;
rows, columns and names are matched by `label_key` (also simplified characters, no pinyin).

    python tests/selfeval_score.py            # every field page: a table of scores
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jixiao.ingest.selfeval import label_key
from jixiao.ingest.vocab import ascii_punct

FIELD = Path("/work/shared/field")


def _n(v: Any) -> str:
    return ascii_punct("".join(str(v).split())).strip(":") if v is not None else ""


def _same(a: Any, b: Any) -> bool:
    return _n(a) == _n(b)


def score_table(ref: dict[str, Any], got: dict[str, Any] | None) -> tuple[int, int]:
    """(fields right, fields counted) of one reading against its reference."""
    got = got or {}
    right = total = 0

    def one(r: Any, g: Any) -> None:
        nonlocal right, total
        if r is None or _n(r) == "":
            return
        total += 1
        right += _same(r, g)

    for key in ("project_name", "year", "total_weight", "total_score", "grade"):
        one(ref.get(key), got.get(key))
    grows = {label_key(k): v for k, v in ((got.get("budget") or {}).get("rows") or {}).items()}
    for label, cells in ((ref.get("budget") or {}).get("rows") or {}).items():
        g = grows.get(label_key(label)) or {}
        gcells = {label_key(k): v for k, v in g.items()}
        for col, val in (cells or {}).items():
            one(val, gcells.get(label_key(col)))
    gind = {}
    for ind in got.get("indicators") or []:
        gind.setdefault(label_key(ind.get("name")), ind)
    matched = set()
    for ind in ref.get("indicators") or []:
        key = label_key(ind.get("name"))
        g = gind.get(key) or {}
        if g:
            matched.add(key)
        for f in ("target", "actual", "weight", "score"):
            one(ind.get(f), g.get(f))
    extra = [k for k in gind if k not in matched]
    total += len(extra)
    return right, total


def reference_pages() -> list[Path]:
    return sorted(p for b in ("batch1", "batch3") for p in (FIELD / b).glob("*_selfeval.txt"))


def score_file(path: Path, ref: dict[str, Any]) -> tuple[int, int]:
    """Read `path` and score its first table against `ref`."""
    from jixiao.ingest import read_cells
    from jixiao.ingest.selfeval import read_selfeval

    tables = read_selfeval(read_cells(path.read_bytes(), path.name))
    got = tables[0].to_dict() if tables else None
    return score_table(ref, got)


def score_bytes(data: bytes, name: str, ref: dict[str, Any]) -> tuple[int, int]:
    from jixiao.ingest import read_cells
    from jixiao.ingest.selfeval import read_selfeval

    tables = read_selfeval(read_cells(data, name))
    return score_table(ref, tables[0].to_dict() if tables else None)


def heldout() -> list[tuple[str, int, int]]:
    """(name, right, counted) of every held-out 自评表 page (`tests/heldout/selfeval_pages.py`)."""
    from tests.heldout.selfeval_pages import pages

    return [(name, *score_bytes(data, f"{name}.{suffix}", ref)) for name, suffix, data, ref in pages()]


def main() -> int:
    if "--heldout" in sys.argv:
        got = heldout()
        for name, r, t in got:
            print(f"{name:55s} {r:3d}/{t:3d}  {r / t if t else 0:.2f}")
        print(f"mean {sum(r / t for _, r, t in got if t) / len(got):.3f}")
        return 0
    rows = []
    for page in reference_pages():
        ref = json.loads(page.with_name(page.name.replace(".txt", ".selfeval.json")).read_text("utf-8"))
        r, t = score_file(page, ref)
        rows.append((page.parent.name + "/" + page.stem, r, t))
        print(f"{page.parent.name}/{page.stem:45s} {r:3d}/{t:3d}  {r / t if t else 0:.2f}")
    mean = sum(r / t for _, r, t in rows if t) / len(rows)
    print(f"mean {mean:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
