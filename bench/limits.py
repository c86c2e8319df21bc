"""Time and peak memory of parsing each crafted hostile document (issue 9), one fresh process each.

    python bench/limits.py [--cap-mb 3000] [--timeout 120] [--only xlsx,html] [--bounded]

Each file is parsed in-process by `parse_bytes` (the readers' own caps), or with `--bounded` through
`parse_bounded` (the parsing worker with its time and memory limits), in a child Python process run
under an address-space cap of --cap-mb (so a reader without caps fails with MemoryError instead of
taking the machine) and killed after --timeout seconds. Prints wall time, the child's peak RSS and
the outcome (the ReadError message, or the exception).
"""

from __future__ import annotations

import argparse
import os
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
        from jixiao.templates import read_monitor_workbook
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
print(f"{time.perf_counter() - t:.2f}\t{out}")
"""


def run(path: Path, name: str, *, cap_mb: int, timeout: float, bounded: bool) -> tuple[float, float, str]:
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
    # the peak RSS of the finished child (and of any parsing worker it ran)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    line = out.strip().splitlines()[-1] if out.strip() else f"exit {p.returncode}: {err.strip()[-200:]}"
    secs, _, outcome = line.partition("\t")
    try:
        return float(secs), rss, outcome
    except ValueError:
        return wall, rss, line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap-mb", type=int, default=3000)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", default="")
    ap.add_argument("--bounded", action="store_true")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        for key, (name, build) in FILES.items():
            if only and key not in only:
                continue
            data = build()
            path = Path(tmp) / name
            path.write_bytes(data)
            # RUSAGE_CHILDREN is a high-water mark over all children: one child per process run
            pid = os.fork()
            if pid == 0:
                secs, rss, outcome = run(
                    path, name, cap_mb=args.cap_mb, timeout=args.timeout, bounded=args.bounded
                )
                print(
                    f"{name:14} {len(data) / 1024:9.1f} KB  {secs:7.2f} s  peak RSS {rss:7.0f} MB  {outcome}",
                    flush=True,
                )
                os._exit(0)
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
