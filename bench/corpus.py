"""Benchmark the corpus end to end: a synthetic corpus imported on Dask and loaded into the database.

    JIXIAO_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jx_corpus python bench/corpus.py \
        [--documents 10000] [--workers 1,2] [--seeds ../shared/seeds] [--field ../shared/field]

1. Generates --documents text disclosures in a temporary folder (not kept): the sample disclosures
   and the field pages varied in unit, region, year and numbers (`jixiao.corpus.synthetic`).
2. The cost of the pure per-document function alone (`rows.document_rows`, in this process, on the
   first 500 documents): ms per document.
3. `import_corpus` on a LocalCluster with each --workers count, into a fresh data set: documents/s,
   MB/s, peak resident memory per worker process, and a resumed run (everything skipped).
4. `load_dataset` of the last data set into the database given by JIXIAO_DATABASE_URL (its jixiao
   tables are FLUSHED first: use a database of your own), then again (idempotent: writes nothing):
   rows/s (units + unit-years + projects + indicators).
The machine's load average is printed beside each figure: the cores may be shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.2f} {b:.2f} {c:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=10000)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "seeds")
    ap.add_argument("--field", type=Path, default=HERE.parent.parent / "shared" / "field")
    ap.add_argument("--no-load", action="store_true", help="skip the database load")
    a = ap.parse_args()

    from jixiao.corpus.build import import_corpus
    from jixiao.corpus.rows import document_rows
    from jixiao.corpus.synthetic import generate, load_templates

    paths = sorted(a.seeds.glob("*.txt")) + sorted(a.field.glob("batch*/*.txt"))
    if not paths:
        raise SystemExit(f"no documents in {a.seeds} or {a.field}")
    templates = load_templates(paths)
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-corpus-bench-"))
    try:
        start = time.perf_counter()
        docs = generate(templates, tmp / "in", a.documents)
        size = sum(p.stat().st_size for p in docs)
        print(
            f"synthetic corpus: {len(docs)} documents from {len(templates)} templates, "
            f"{size / 1048576:.1f} MB, written in {time.perf_counter() - start:.1f} s"
        )

        sample = docs[: min(500, len(docs))]
        data = [(str(p), p.read_bytes()) for p in sample]
        start = time.perf_counter()
        cpu0 = time.process_time()
        n_ind = sum(len(document_rows(b, name).indicators) for name, b in data)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
        per_doc = cpu / len(data)
        print(
            f"pure document_rows in this process: {len(data)} documents ({n_ind} indicators) in {wall:.2f} s "
            f"wall, {cpu:.2f} s CPU: {per_doc * 1000:.2f} ms CPU per document, "
            f"{sum(len(b) for _n, b in data) / 1048576 / cpu:.2f} MB/s per core [{_load()}]"
        )

        out = None
        cpu_per_doc = per_doc
        rates: dict[int, float] = {}
        for w in [int(x) for x in a.workers.split(",") if x.strip()]:
            out = tmp / f"ds-{w}"
            s = import_corpus([str(tmp / "in")], out, workers=w)
            rate = s.documents / s.work_seconds
            rates[w] = rate
            peak = max(s.worker_peak_rss.values(), default=0) / 1048576
            print(
                f"import, {w} worker(s): {s.documents} documents ({s.by_status}), {s.indicators} indicators, "
                f"{s.batches} tasks in {s.seconds:.1f} s ({s.startup_seconds:.1f} s starting the cluster): "
                f"{rate:.1f} documents/s, {s.bytes / 1048576 / s.work_seconds:.2f} MB/s after the start; "
                f"peak RSS per worker {peak:.0f} MB; {s.cpu_seconds / max(1, s.documents) * 1000:.2f} ms "
                f"task CPU per document [{_load()}]"
            )
            cpu_per_doc = s.cpu_seconds / max(1, s.documents)
            again = import_corpus([str(tmp / "in")], out, workers=w)
            print(f"  resumed run: {again.skipped} skipped, {again.documents} parsed, {again.seconds:.2f} s")
        if len(rates) >= 2:
            ws = sorted(rates)
            print(f"speed-up {ws[0]} → {ws[-1]} workers: {rates[ws[-1]] / rates[ws[0]]:.2f}×")
        if rates:
            one = min(rates)
            per_worker = one / rates[one]  # seconds per document per worker, Dask and Parquet included
            for n in (2, 16, 64, 256):
                print(
                    f"estimate: 1,000,000 such documents on {n} workers ≈ "
                    f"{1_000_000 * per_worker / n / 3600:.2f} h at {per_worker * 1000:.1f} ms per document "
                    f"per worker (measured with {one} on this shared machine); ≈ "
                    f"{1_000_000 * cpu_per_doc / n / 3600:.2f} h at the task CPU time of "
                    f"{cpu_per_doc * 1000:.2f} ms per document on idle cores"
                )

        if a.no_load or out is None:
            return
        url = os.environ.get("JIXIAO_DATABASE_URL", "")
        if not url:
            print("load skipped: set JIXIAO_DATABASE_URL to a database of your own (it is flushed)")
            return
        from jixiao.web import setup

        setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("flush", verbosity=0, interactive=False)
        from jixiao.web.actions.corpus import load_dataset

        cpu0 = time.process_time()
        s = load_dataset(None, out)
        cpu = time.process_time() - cpu0
        print(
            f"load into {s.backend}: {s.documents} documents → {s.units} units, {s.unit_years} unit-years, "
            f"{s.projects} projects, {s.indicators} indicators in {s.seconds:.1f} s: "
            f"{s.rows / s.seconds:.0f} rows/s ({s.indicators / s.seconds:.0f} indicators/s); this process "
            f"used {cpu:.1f} s CPU ({s.rows / cpu:.0f} rows per CPU second) [{_load()}]"
        )
        again = load_dataset(None, out)
        print(
            f"  second load (idempotent): {again.rows} rows written, {again.projects_existing} projects "
            f"already there, {again.seconds:.1f} s"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
