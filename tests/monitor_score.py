"""Score a reading of a published 监控表 against its reference (tests/heldout/monitor_pages.py).

Field by field, each counted where the reference prints something: title, year, project name, 主管部门,
实施单位, money unit, period, every budget cell (rows by label, columns by header), the goal's two
texts, and for each indicator (matched by name) its levels, target, actual, forecast, reason
category and text, likelihood and remarks. A row read that the reference does not have counts against
the reading. Texts are compared without whitespace and with ASCII punctuation.

    python tests/monitor_score.py            # every held-out page: a table of scores
"""

from __future__ import annotations

import sys
from typing import Any

from jixiao.ingest.selfeval import label_key
from jixiao.ingest.vocab import ascii_punct

_HEAD = ("title", "year", "project_name", "department", "implementing_unit", "money_unit", "period")
_IND = (
    "level1",
    "level2",
    "target",
    "actual",
    "forecast",
    "reason_category",
    "reason",
    "likelihood",
    "remarks",
)


def _n(v: Any) -> str:
    return ascii_punct("".join(str(v).split())).strip(":") if v is not None else ""


def score_table(ref: dict[str, Any], got: dict[str, Any] | None) -> tuple[int, int]:
    """(fields right, fields counted) of one reading against its reference."""
    got = got or {}
    right = total = 0

    def one(r: Any, g: Any) -> None:
        nonlocal right, total
        if r is None or _n(r) == "":
            return
        total += 1
        right += _n(r) == _n(g)

    for key in _HEAD:
        one(ref.get(key), got.get(key))
    grows = {label_key(k): v for k, v in ((got.get("budget") or {}).get("rows") or {}).items()}
    for label, cells in ref["budget"]["rows"].items():
        gcells = {label_key(k): v for k, v in (grows.get(label_key(label)) or {}).items()}
        for col, val in cells.items():
            one(val, gcells.get(label_key(col)))
    for key in ("target", "progress"):
        one(ref["annual_goal"].get(key), (got.get("annual_goal") or {}).get(key))
    gind: dict[str, dict[str, Any]] = {}
    for ind in got.get("indicators") or []:
        gind.setdefault(label_key(ind.get("name")), ind)
    matched = set()
    for ind in ref["indicators"]:
        key = label_key(ind["name"])
        g = gind.get(key) or {}
        if g:
            matched.add(key)
        for f in _IND:
            one(ind.get(f), g.get(f))
    total += len([k for k in gind if k not in matched])
    return right, total


def score_page(name: str, data: bytes, ref: dict[str, Any]) -> tuple[int, int]:
    from jixiao.ingest import read_cells
    from jixiao.ingest.monitoring import read_monitoring

    tables = read_monitoring(read_cells(data, name))
    return score_table(ref, tables[0].to_dict() if tables else None)


def heldout() -> list[tuple[str, int, int]]:
    from tests.heldout.monitor_pages import pages

    return [(name, *score_page(f"{name}.{suffix}", data, ref)) for name, suffix, data, ref in pages()]


def main() -> int:
    rows = heldout()
    for name, r, t in rows:
        print(f"{name:32} {r:4}/{t:<4} {r / t:.3f}")
    print(f"mean {sum(r / t for _, r, t in rows) / len(rows):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
