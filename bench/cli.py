"""Benchmark the command line (issue 14, item 3): start-up and `jixiao parse` end to end.

    python bench/cli.py [--files 500] [--rounds 5] [--seeds ../shared/seeds]

Start-up: `jixiao --help` and `jixiao value 95%` against `python -c pass` (the floor), CPU time
(user + system, steady on a busy machine), medians of interleaved runs.
Parse: N files (the seeds copied round-robin into a temporary folder) through `jixiao parse` to a
file, against bench/floors/cli_floor.py (read + decode + split + json.dumps) on the same files;
MB/s, the ratio, and the peak RSS of the parse for N/5 and N files (memory flat in the number of
files means the two peaks are close).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
JIXIAO = [sys.executable, "-m", "jixiao.cli"]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""As installed: with bytecode (an installed package has its .pyc files; the variable would make
every run compile jixiao's sources again)."""


def _run(cmd: list[str], out: str | None = None, *, cpu: bool = False) -> tuple[float, int]:
    """Seconds (wall, or CPU user+system with cpu=True: steadier on a busy machine) and peak RSS
    (KiB) of one run of `cmd` (stdout to `out` or /dev/null)."""
    start = time.perf_counter()
    with open(out or os.devnull, "wb") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(p.pid, 0)
    elapsed = usage.ru_utime + usage.ru_stime if cpu else time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"{' '.join(cmd[:4])} … failed")
    return elapsed, usage.ru_maxrss


def _median(cmds: dict[str, list[str]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, cmd in cmds.items():
            times[k].append(_run(cmd, cpu=True)[0])
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "seeds")
    a = ap.parse_args()
    import compileall

    import jixiao

    compileall.compile_dir(str(Path(jixiao.__file__).parent), quiet=1)  # the .pyc files an install has
    start = _median(
        {
            "floor": [sys.executable, "-c", "pass"],
            "help": [*JIXIAO, "--help"],
            "value": [*JIXIAO, "value", "≥95%"],
        },
        a.rounds * 2,
    )
    for k in ("help", "value"):
        print(
            f"start-up jixiao {k}: {start[k] * 1000:.0f} ms CPU; "
            f"floor python -c pass {start['floor'] * 1000:.0f} ms; ratio {start[k] / start['floor']:.1f}x; "
            f"jixiao's own share {(start[k] - start['floor']) * 1000:.0f} ms"
        )

    seeds = sorted(a.seeds.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no sample disclosures in {a.seeds}")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(a.files):
            dst = Path(tmp) / f"{i:04d}_{seeds[i % len(seeds)].name}"
            shutil.copyfile(seeds[i % len(seeds)], dst)
            files.append(str(dst))
        mb = sum(os.path.getsize(f) for f in files) / 1048576
        out = str(Path(tmp) / "out.json")
        jx, fl, rss_big = [], [], 0
        for _ in range(max(1, a.rounds // 2)):
            t, rss_big = _run([*JIXIAO, "parse", "-o", out, *files])
            jx.append(t)
            fl.append(_run([sys.executable, str(HERE / "floors" / "cli_floor.py"), *files])[0])
        small = files[: max(1, a.files // 5)]
        _, rss_small = _run([*JIXIAO, "parse", "-o", out, *small])
        j, f = statistics.median(jx), statistics.median(fl)
        print(
            f"jixiao parse {a.files} files ({mb:.1f} MB): {j:.2f} s, {mb / j:.1f} MB/s; floor {f:.2f} s "
            f"({mb / f:.1f} MB/s); ratio {j / f:.1f}x"
        )
        print(
            f"peak RSS: {len(small)} files {rss_small / 1024:.0f} MiB, "
            f"{a.files} files {rss_big / 1024:.0f} MiB (growth {(rss_big - rss_small) / 1024:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
