"""Time and peak memory of parsing each crafted hostile document (issue 9), one fresh process each.

    python bench/limits.py [--cap-mb 3000] [--timeout 120] [--only xlsx,html] [--bounded]
    python bench/limits.py --overhead [--repeat 7]

Each file is parsed in-process by `parse_bytes` (the readers' own caps), or with `--bounded` through
`parse_bounded` (the parsing worker with its time and memory limits), in a child Python process run
under an address-space cap of --cap-mb (so a reader without caps fails with MemoryError instead of
taking the machine) and killed after --timeout seconds. Prints wall time, the child's peak RSS and
the outcome (the ReadError message, or the exception).

`--overhead` instead times every sample disclosure written as .txt, .docx, .xlsx and .html, parsed
in-process and through the parsing worker (median of --repeat runs each, after one warm-up), and
prints the cost the worker adds per document.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import crafted  # noqa: E402

FILES = {
    "xlsx": ("wide.xlsx", crafted.wide_xlsx),
    "html": ("rowspan.html", crafted.rowspan_html),
    "pdf": ("bomb.pdf", crafted.stream_bomb_pdf),
    "line": ("long-line.pdf", crafted.long_line_pdf),
    "grid": ("grid.pdf", crafted.grid_pdf),
    "blank": ("blank-run.txt", crafted.blank_run_txt),
    "docx": ("big.docx", crafted.big_docx),
    "zip": ("bomb.xlsx", crafted.zip_bomb_xlsx),
    "workbook": ("monitor-bomb.xlsx", crafted.zip_bomb_xlsx),
    "version": ("version.docx", lambda: crafted.bad_version_zip(crafted.big_docx(cells=1000))),
}

CHILD = r"""
import sys, time
from pathlib import Path
path, name, bounded = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
data = Path(path).read_bytes()
t = time.perf_counter()
try:
    if name.startswith("monitor-"):  # the workbook upload path
        from jixiao.cycle.workbooks import read_monitor_workbook
        read_monitor_workbook(data)
    elif bounded:
        from jixiao.ingest.bounded import ParseLimits, parse_bounded
        parse_bounded(data, name, limits=ParseLimits())
    else:
        from jixiao.ingest import parse_bytes
        parse_bytes(data, name)
    out = "parsed"
except BaseException as e:
    msg = getattr(e, "message", None) or str(e)
    out = f"{type(e).__name__}: {msg[:90]}"
with open("/proc/self/status") as f:  # VmHWM: this process's peak (ru_maxrss survives exec)
    rss = next(int(x.split()[1]) for x in f if x.startswith("VmHWM")) / 1024
print(f"{time.perf_counter() - t:.2f}\t{rss:.0f}\t{out}")
"""


def run(path: Path, name: str, *, cap_mb: int, timeout: float, bounded: bool) -> tuple[float, float, str]:
    args_cap_mb = cap_mb

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))

    t = time.perf_counter()
    p = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), name, "1" if bounded else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return time.perf_counter() - t, 0.0, f"killed after {timeout:.0f} s"
    wall = time.perf_counter() - t
    # the child's own peak RSS (with --bounded: the caller's, the parse runs in the worker)
    line = out.strip().splitlines()[-1] if out.strip() else f"exit {p.returncode}: {err.strip()[-200:]}"
    parts = line.split("\t", 2)
    if len(parts) < 3:  # killed by the address-space cap before printing
        return wall, float(args_cap_mb), line
    return float(parts[0]), float(parts[1]), parts[2]


def overhead(repeat: int) -> None:
    import statistics

    from jixiao.export.docx import disclosure_to_docx
    from jixiao.export.html import disclosure_to_html
    from jixiao.export.xlsx import disclosure_to_xlsx
    from jixiao.ingest import parse_bytes
    from jixiao.ingest.bounded import ParseLimits, parse_bounded

    limits = ParseLimits()
    docs: list[tuple[str, bytes]] = []
    for path in sorted((ROOT.parent / "shared" / "seeds").glob("*.txt")):
        data = path.read_bytes()
        model = parse_bytes(data, path.name)
        docs += [
            (f"{path.stem[:3]}.txt", data),
            (f"{path.stem[:3]}.docx", disclosure_to_docx(model)),
            (f"{path.stem[:3]}.xlsx", disclosure_to_xlsx(model)),
            (f"{path.stem[:3]}.html", disclosure_to_html(model).encode()),
        ]
    t = time.perf_counter()
    parse_bounded(docs[0][1], docs[0][0], limits=limits)
    print(f"first call (starts the fork server): {time.perf_counter() - t:.2f} s")
    added = []
    for name, data in docs:
        runs: dict[str, list[float]] = {"in": [], "worker": []}
        for _ in range(repeat + 1):
            t = time.perf_counter()
            parse_bytes(data, name)
            runs["in"].append(time.perf_counter() - t)
            t = time.perf_counter()
            parse_bounded(data, name, limits=limits)
            runs["worker"].append(time.perf_counter() - t)
        a, b = (statistics.median(runs[k][1:]) * 1000 for k in ("in", "worker"))
        added.append(b - a)
        kb = len(data) / 1024
        print(f"{name:9} {kb:6.0f} KB  in-process {a:6.1f} ms  worker {b:6.1f} ms  +{b - a:5.1f} ms")
    print(f"added per document: median {statistics.median(added):.1f} ms, max {max(added):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap-mb", type=int, default=3000)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", default="")
    ap.add_argument("--bounded", action="store_true")
    ap.add_argument("--overhead", action="store_true")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    if args.overhead:
        overhead(args.repeat)
        return
    only = set(filter(None, args.only.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        for key, (name, build) in FILES.items():
            if only and key not in only:
                continue
            data = build()
            path = Path(tmp) / name
            path.write_bytes(data)
            secs, rss, outcome = run(
                path, name, cap_mb=args.cap_mb, timeout=args.timeout, bounded=args.bounded
            )
            kb = len(data) / 1024
            print(f"{name:17} {kb:7.1f} KB  {secs:6.2f} s  peak RSS {rss:5.0f} MB  {outcome}", flush=True)


if __name__ == "__main__":
    main()
