"""Benchmark the importer per text layout and for .docx, each against its floor in the same run.

    python bench/parse.py [--runs 5] [--min-time 0.2] [--mb 10] [--seeds ../shared/seeds]
                          [--field ../shared/field] [--only SUBSTRING] [--no-peak] [--cold]

Text layouts measured (every group is a list of documents parsed one by one, as `parse_bytes` does):
  seeds[L]        the five sample disclosures as given, grouped by the layout the reader finds (L);
  seeds-as-L      the seeds' reference contents printed in every text layout the tests make
                  (`tests/heldout/make_pages.py`: tabs, pipes, pipes_inner, spaces, cells,
                  cells_pipe, run);
  field[L]        the field pages (../shared/field/batch*/NN_*.txt), grouped by the layout found;
  field (all)     every field page.
.docx: the seeds written by jixiao's own writer.

For each group, jixiao and the floor (`bench/floors/text_floor.py`: read + decode + split lines;
`bench/floors/docx_floor.py`: zip + lxml over every `w:tc`) are timed in turn, `--runs` times
interleaved, each timing repeating the group for at least `--min-time` seconds of CPU time of this
process (one core, whatever else the machine does); the medians are printed with their ratio.
Then the peak memory of one large text document (`--mb` MB: the seeds concatenated, timed once in
CPU time beside its floor, then parsed again under tracemalloc) and of the largest .docx, and the
process's peak RSS.

Repeating a group finds every text's work in jixiao's caches (labels, header cells, values): the
rates are those of documents parsed again. `--cold` clears the caches before each repetition, so
that each document is timed as on its first parse, as in a batch import of new documents.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jixiao.ingest import ReadError, parse_bytes, read_cells

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "floors"))
sys.path.insert(0, str(ROOT / "tests" / "heldout"))

import docx_floor  # noqa: E402
import text_floor  # noqa: E402

Docs = list[tuple[str, bytes]]


def _parse(name: str, data: bytes) -> None:
    try:
        parse_bytes(data, name)
    except ReadError:
        pass  # a page that is no target table (a self-evaluation page) is still read in full


def _jixiao_caches() -> list[Any]:
    """Every `functools.lru_cache` of jixiao's loaded modules."""
    return [
        v
        for name, module in list(sys.modules.items())
        if name.startswith("jixiao")
        for v in list(vars(module).values())
        if hasattr(v, "cache_clear") and hasattr(v, "cache_info")
    ]


def _rate(docs: Docs, work: Callable[[str, bytes], object], min_time: float, cold: bool = False) -> float:
    """MB/s of CPU time: the group repeated until at least `min_time` seconds have passed. `cold`:
    jixiao's caches are cleared (untimed) before each repetition, so that every document is read
    as on its first parse (the caches then hold only what the group's earlier documents left)."""
    size = sum(len(d) for _, d in docs)
    reps = 0
    caches = _jixiao_caches() if cold else []
    gc.collect()
    elapsed = 0.0
    while True:
        for c in caches:
            c.cache_clear()
        start = time.process_time()
        for name, data in docs:
            work(name, data)
        elapsed += time.process_time() - start
        reps += 1
        if elapsed >= min_time:
            return size * reps / 1048576 / elapsed


def _measure(
    label: str, docs: Docs, floor: Callable[[bytes], object], runs: int, min_time: float, cold: bool = False
) -> None:
    ours: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        ours.append(_rate(docs, _parse, min_time, cold))
        base.append(_rate(docs, lambda _n, d: floor(d), min_time))
    o, f = statistics.median(ours), statistics.median(base)
    size = sum(len(d) for _, d in docs)
    print(
        f"{label:<24} {len(docs):>3} docs {size / 1024:>7.0f} KB   jixiao {o:>6.2f} MB/s   "
        f"floor {f:>7.1f} MB/s   ratio {f / o:>6.1f}x",
        flush=True,
    )


def _by_layout(prefix: str, docs: Docs) -> dict[str, Docs]:
    groups: dict[str, Docs] = {}
    for name, data in docs:
        try:
            layout = read_cells(data, name).layout
        except ReadError:
            layout = "unreadable"
        groups.setdefault(f"{prefix}[{layout}]", []).append((name, data))
    return dict(sorted(groups.items()))


def _seed_layouts(truth_dir: Path) -> dict[str, Docs]:
    """The seeds' reference contents printed in every text layout of the held-out generator."""
    import make_pages

    groups: dict[str, Docs] = {}
    for path in sorted(truth_dir.glob("*.json")):
        t = json.loads(path.read_text(encoding="utf-8"))
        projects = make_pages.from_truth(t)
        for layout in make_pages.TEXT_LAYOUTS:
            o = make_pages.Opts(
                layout=layout, year=t["year"] or 2023, code="bracket", impl_label=None, punct="ascii"
            )
            d = make_pages.make(f"{path.stem}-{layout}", "bench", projects, o)
            groups.setdefault(f"seeds-as-{layout}", []).append((f"{d.name}.txt", d.data))
    return groups


def _peak(label: str, name: str, data: bytes, floor: Callable[[bytes], object]) -> None:
    """Time one large parse (CPU time of this process, like the groups) beside its floor on the
    same bytes, then parse it again under tracemalloc for its peak memory (tracing slows Python
    down several times, so the two are measured apart)."""
    gc.collect()
    start = time.process_time()
    doc = parse_bytes(data, name)
    elapsed = time.process_time() - start
    del doc
    start = time.process_time()
    floor(data)
    floor_elapsed = max(time.process_time() - start, 1e-9)
    gc.collect()
    tracemalloc.start()
    doc = parse_bytes(data, name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    indicators = sum(len(p.indicators) for p in doc.projects)
    size = len(data) / 1048576
    print(
        f"{label}: one document of {size:.1f} MB ({len(doc.projects)} projects, "
        f"{indicators} indicators) in {elapsed:.2f} s CPU ({size / elapsed:.2f} MB/s; floor "
        f"{size / floor_elapsed:.1f} MB/s, ratio {elapsed / floor_elapsed:.1f}x); "
        f"peak traced memory {peak / 1048576:.0f} MB",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.2)
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--field", type=Path, default=ROOT.parent / "shared" / "field")
    ap.add_argument("--only", default="", help="measure only the groups whose label contains this")
    ap.add_argument("--no-peak", action="store_true", help="skip the peak-memory measurements")
    ap.add_argument(
        "--cold",
        action="store_true",
        help="clear jixiao's caches before each repetition of a group: every document read as on its "
        "first parse (repeating a group otherwise finds every text's work cached)",
    )
    a = ap.parse_args()
    seeds = sorted(a.seeds.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no sample disclosures in {a.seeds}")
    texts: Docs = [(p.name, p.read_bytes()) for p in seeds]
    field: Docs = [(p.name, p.read_bytes()) for p in sorted(a.field.glob("batch*/[0-9]*.txt"))]
    for _, data in texts[:1]:
        parse_bytes(data, "warm.txt")  # lazy imports and compiled patterns, outside the timings

    groups: dict[str, Docs] = {}
    groups.update(_by_layout("seeds", texts))
    groups["seeds (all)"] = texts
    groups.update(_seed_layouts(a.seeds.parent / "truth"))
    if field:
        groups.update(_by_layout("field", field))
        groups["field (all)"] = field
    mode = ", caches cleared before each repetition (--cold)" if a.cold else ""
    runs = f"medians of {a.runs} interleaved runs (jixiao, floor)"
    print(f"text, CPU time of one core; {runs}{mode}", flush=True)
    for label, docs in groups.items():
        if a.only in label:
            _measure(label, docs, text_floor.floor, a.runs, a.min_time, a.cold)

    from jixiao.export.docx import disclosure_to_docx

    docx: Docs = [(n.replace(".txt", ".docx"), disclosure_to_docx(parse_bytes(d, n))) for n, d in texts]
    if a.only in "docx":
        _measure("docx (seeds)", docx, docx_floor.floor, a.runs, a.min_time, a.cold)

    if a.no_peak:
        return
    big = b""
    while len(big) < a.mb * 1024 * 1024:
        for _, data in texts:
            big += data + b"\n\n"
    _peak("text", "big.txt", big, text_floor.floor)
    name, data = max(docx, key=lambda d: len(d[1]))
    _peak("docx", name, data, docx_floor.floor)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
