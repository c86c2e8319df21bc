"""Benchmark the importer: MB/s, documents/s and peak memory, for text and for .docx input.

    python bench/parse.py [--mb 10] [--seeds ../shared/seeds]

Text: the five sample disclosures parsed in turn until at least --mb MB have been read (documents/s
and MB/s on one core), then the samples concatenated into one document of at least --mb MB (peak
memory of a single large parse, measured with tracemalloc, and the process's peak RSS).
.docx: the samples written as .docx by jixiao's own writer, then parsed in turn the same way.
Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from pathlib import Path

from jixiao.ingest import parse_bytes

HERE = Path(__file__).resolve().parent


def _throughput(label: str, docs: list[tuple[str, bytes]], target_mb: float) -> None:
    total = 0
    n = 0
    target = target_mb * 1024 * 1024
    start = time.perf_counter()
    while total < target:
        for name, data in docs:
            parse_bytes(data, name)
            total += len(data)
            n += 1
    elapsed = time.perf_counter() - start
    print(
        f"{label}: {total / 1048576:.1f} MB in {n} documents, {elapsed:.2f} s: "
        f"{total / 1048576 / elapsed:.2f} MB/s, {n / elapsed:.1f} documents/s"
    )


def _peak(label: str, name: str, data: bytes) -> None:
    """Time one large parse, then parse it again under tracemalloc for its peak memory (tracing
    slows Python down several times, so the two are measured apart)."""
    gc.collect()
    start = time.perf_counter()
    doc = parse_bytes(data, name)
    elapsed = time.perf_counter() - start
    del doc
    gc.collect()
    tracemalloc.start()
    doc = parse_bytes(data, name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    indicators = sum(len(p.indicators) for p in doc.projects)
    print(
        f"{label}: one document of {len(data) / 1048576:.1f} MB ({len(doc.projects)} projects, "
        f"{indicators} indicators) in {elapsed:.2f} s ({len(data) / 1048576 / elapsed:.2f} MB/s); "
        f"peak traced memory {peak / 1048576:.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "seeds")
    a = ap.parse_args()
    seeds = sorted(a.seeds.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no sample disclosures in {a.seeds}")
    texts = [(p.name, p.read_bytes()) for p in seeds]
    _throughput("text", texts, a.mb)
    big = b""
    while len(big) < a.mb * 1024 * 1024:
        for _, data in texts:
            big += data + b"\n\n"
    _peak("text", "big.txt", big)

    from jixiao.export.docx import disclosure_to_docx

    docx = [(n.replace(".txt", ".docx"), disclosure_to_docx(parse_bytes(d, n))) for n, d in texts]
    _throughput("docx", docx, a.mb)
    name, data = max(docx, key=lambda d: len(d[1]))
    _peak("docx", name, data)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
