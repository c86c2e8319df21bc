"""Benchmark: projects reviewed per second on one core.

The five sample disclosures are parsed once; their disclosures are reviewed over and over (as
whole disclosures, so that copied-set detection works within one unit as in real use) until
100,000 projects have been reviewed. Prints projects per second and the total time.

The rate is given on CPU time of this process (one core, whatever else the machine is doing) and
on wall-clock time. With `--cold` the memo caches of parsed 指标值, names and level labels are
cleared before every disclosure, so nothing carries over from the previous copy (the worst case:
every text new). With `--outcomes` each disclosure goes through `review_document` (findings plus
each project's 优/良/中/差, what imports store and the pages show) instead of `review`.

    python bench/review.py [--projects N] [--cold] [--outcomes]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

from jixiao.ingest import parse_file
from jixiao.review import review, review_document
from jixiao.review.facts import clear_caches

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="projects reviewed per second on one core")
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--cold", action="store_true", help="clear the memo caches before every disclosure")
    ap.add_argument("--outcomes", action="store_true", help="review_document: findings and outcomes")
    args = ap.parse_args(argv)

    paths = sorted(args.seeds.glob("*.txt"))
    if not paths:
        print(f"{args.seeds}: no sample disclosures", file=sys.stderr)
        return 2
    docs = [parse_file(p) for p in paths]
    per_round = sum(len(d.projects) for d in docs)
    rounds = -(-args.projects // per_round)
    # distinct copies of the model, so that nothing is shared by identity between rounds
    batches = [[copy.deepcopy(d) for d in docs] for _ in range(min(rounds, 20))]

    findings = reviewed = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for r in range(rounds):
        for d in batches[r % len(batches)]:
            if reviewed >= args.projects:
                break
            if args.cold:
                clear_caches()
            findings += len(review_document(d).findings if args.outcomes else review(d))
            reviewed += len(d.projects)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"seeds: {len(docs)} disclosures, {per_round} projects; reviewed {reviewed:,} projects "
        f"({rounds} rounds{', cold caches' if args.cold else ''}"
        f"{', with outcomes' if args.outcomes else ''}), {findings:,} findings"
    )
    print(f"total time: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"projects reviewed per second (one core, CPU time): {reviewed / cpu:,.0f}")
    print(f"projects reviewed per second (wall clock):         {reviewed / wall:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
