"""Benchmark PDF import against its floors, measured in the same run.

    python bench/pdf.py [--rounds 7] [--seeds ../shared/seeds] [--cache DIR] [--pdf DIR]

The five sample disclosures are written as .docx by jixiao's writer and printed to PDF by
LibreOffice (as the tests do; kept in --cache so later runs skip the conversion), or the PDFs of
--pdf DIR are taken as they are. Each round times, one after the other on the same files:
`jixiao parse` (parse_bytes: reading the cells and interpreting them), `jixiao read` (the cell
stream alone) and the floors of bench/floors/pdf_floor.py (pdfplumber words + tables; pypdfium2
plain text). Prints the median of the rounds for each as pages/s and MB/s, and jixiao's time as a
ratio of each floor's (2.0× = twice the floor's time). Times are the process's CPU time (steadier
than wall-clock time on a shared machine; --wall for wall-clock).

On a machine too busy for steady times, count instructions instead: `--reads N` only reads the
PDFs N times (`jixiao read`, no floors, no timing), to run under valgrind, e.g.

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/pdf.py --reads 1

(with PYTHONHASHSEED=0; the difference between --reads 1 and --reads 0 is the reading alone).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "floors"))

from pdf_floor import FLOORS  # noqa: E402

from jixiao.ingest import parse_bytes  # noqa: E402
from jixiao.ingest.pdf import read_pdf  # noqa: E402


def sample_pdfs(seeds: Path, cache: Path) -> list[Path]:
    """The samples printed to PDF by LibreOffice (cached by seed name)."""
    from tests.format_helpers import docx_to_pdf, soffice

    from jixiao.export.docx import disclosure_to_docx

    stems = sorted(p.stem for p in seeds.glob("*.txt"))
    out = [cache / f"{stem}.pdf" for stem in stems]
    if all(p.exists() for p in out):
        return out
    if soffice() is None:
        sys.exit("LibreOffice (soffice) is needed to print the samples to PDF (or give --pdf DIR)")
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem in stems:
        src = seeds / f"{stem}.txt"
        doc = parse_bytes(src.read_bytes(), src.name)
        doc.budget_overview = None  # as the tests print them: the targets, not the budget overview
        for p in doc.projects:
            if p.unit_code is None and p.unit_name is None:
                p.unit_code, p.unit_name = doc.unit_code, doc.unit_name
        path = cache / f"{stem}.docx"
        path.write_bytes(disclosure_to_docx(doc))
        paths.append(path)
    docx_to_pdf(paths, cache)
    return out


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _timed(
    run: Callable[[bytes], object], files: list[tuple[str, bytes]], clock: Callable[[], float]
) -> float:
    gc.collect()
    start = clock()
    for _name, data in files:
        run(data)
    return clock() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/jixiao-bench-pdf"))
    ap.add_argument("--pdf", type=Path, help="time these PDFs instead of the printed samples")
    ap.add_argument("--wall", action="store_true", help="wall-clock time instead of the process's CPU time")
    ap.add_argument("--reads", type=int, help="only read the PDFs this many times (for an instruction count)")
    args = ap.parse_args()
    paths = sorted(args.pdf.glob("*.pdf")) if args.pdf else sample_pdfs(args.seeds, args.cache)
    files = [(p.name, p.read_bytes()) for p in paths]
    if args.reads is not None:
        for _ in range(args.reads):
            for name, data in files:
                read_pdf(data, name)
        return
    pages = sum(_pages(data) for _, data in files)
    size = sum(len(data) for _, data in files) / 1048576
    clock = time.perf_counter if args.wall else time.process_time
    print(
        f"{len(files)} PDFs, {pages} pages, {size:.2f} MB; {args.rounds} interleaved rounds, medians "
        f"of {'wall-clock' if args.wall else 'CPU'} time (one core)"
    )

    runs: dict[str, Callable[[bytes], object]] = {
        "jixiao parse": lambda data: parse_bytes(data, "bench.pdf"),
        "jixiao read": lambda data: read_pdf(data, "bench.pdf"),
        **FLOORS,
    }
    for run in runs.values():  # warm up: imports, PDFium's start-up, font caches
        run(files[0][1])
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.rounds):
        for label, run in runs.items():
            times[label].append(_timed(run, files, clock))
    med = {label: statistics.median(ts) for label, ts in times.items()}
    for label, t in med.items():
        print(f"{label:26} {t:7.3f} s  {pages / t:7.1f} pages/s  {size / t:6.2f} MB/s")
    for label in ("jixiao parse", "jixiao read"):
        ratios = ", ".join(f"{med[label] / med[floor]:.2f}× {floor}" for floor in FLOORS)
        print(f"{label}: {ratios}")


if __name__ == "__main__":
    main()
