"""Benchmark storing parsed documents (`jixiao import`'s write path) on SQLite and PostgreSQL.

    python bench/store.py [--docs 200] [--seeds ../shared/seeds] [--rounds 1]
                          [--database-url postgresql://postgres@127.0.0.1:5432/jixiao_bench_store]

The seeds are parsed once and copied into DOCS documents, each filed under a unit of its own (the
unit code and name varied, as in a province's 500 disclosures). Then, per round:

- per database (a child process each, on a database created afresh: a temporary SQLite file, and
  the PostgreSQL database named, which is DROPPED and created again): the floor first, parsing DOCS
  documents (the seeds in turn) in that process just before storing (the machine's load changes);
  then `import_disclosure` of every document as new, then of every document again (a re-import:
  every project matched, nothing changed), on PostgreSQL `import_many` of them as new into an
  emptied database (two documents stored at once, each `import_disclosure` in a thread of its own:
  one's statements run on the server while the other is prepared), then `bulk_load` of them in
  batches of 100 into an emptied database (its rows sent while its reviews are computed);
  documents/s and SQL queries per document for each (counted on this thread's connection: none for
  `import_many`).

Prints one line per measurement and its ratio to the floor (> 1: storing is faster than parsing),
by the clock and by this process's CPU time (steadier on a busy machine; for PostgreSQL it leaves
out the server's own work, which is printed apart: the CPU time of this connection's backend
process, read from /proc, ms a document).
Only 127.0.0.1 is contacted; everything is bounded by --docs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgdb import recreate_postgres  # bench/pgdb.py

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jixiao_bench_store"


def seed_files(folder: Path) -> list[tuple[str, bytes]]:
    files = sorted(f for f in folder.iterdir() if f.is_file())
    if not files:
        raise SystemExit(f"no seed files in {folder}")
    return [(f.name, f.read_bytes()) for f in files]


def parse_floor(seeds: list[tuple[str, bytes]], n: int) -> tuple[float, float]:
    """Documents/s of parsing alone, by the clock and by this process's CPU time: n documents, the
    seeds in turn."""
    from jixiao.ingest import parse_bytes

    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        name, data = seeds[i % len(seeds)]
        parse_bytes(data, name)
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def varied_docs(seeds: list[tuple[str, bytes]], n: int) -> list:
    """n parsed documents, document i filed under a unit of its own (code and name varied in the
    document's unit line and in its tables' unit lines; a table naming a subordinate unit names a
    subordinate of its own too)."""
    from jixiao.ingest import parse_bytes
    from jixiao.web.lib.units import same_name

    parsed = [parse_bytes(data, name) for name, data in seeds]
    out = []
    for i in range(n):
        d = parsed[i % len(parsed)]
        code = f"8{i:05d}"
        name = f"{d.unit_name or '基准单位'}（第{i + 1}号）"
        projects = [
            dataclasses.replace(p, unit_code=code, unit_name=name)
            if same_name(p.unit_name, d.unit_name)
            else dataclasses.replace(p, unit_name=f"{p.unit_name}（第{i + 1}号）")
            if p.unit_name
            else p
            for p in d.projects
        ]
        out.append(
            dataclasses.replace(
                d, unit_code=code, unit_name=name, projects=projects, source=f"{i:05d}-{d.source}"
            )
        )
    return out


def server_cpu(connection) -> float | None:  # type: ignore[no-untyped-def]
    """The CPU seconds the PostgreSQL backend of `connection` has used (/proc of this machine:
    the server at 127.0.0.1), None on SQLite or where it cannot be read."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(url: str, seeds_dir: Path, n: int) -> dict:
    """In a process of its own (Django is set up once per process, for one database)."""
    os.environ["JIXIAO_DATABASE_URL"] = url
    from jixiao.web import setup

    setup()
    from django.core.management import call_command
    from django.db import connection

    from jixiao.web import actions
    from jixiao.web.actions.imports_many import import_many
    from jixiao.web.models import Disclosure, Indicator, Project, Unit

    call_command("migrate", verbosity=0)
    seeds = seed_files(seeds_dir)
    docs = varied_docs(seeds, n)
    floor, floor_cpu = parse_floor(seeds, n)  # in this process, just before: the load changes
    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def timed(label: str, fn, own: bool = True) -> dict:  # type: ignore[no-untyped-def]
        """`own`: fn works on this thread's connection (else its queries and server CPU are not
        counted)."""
        nonlocal queries
        queries = 0
        server = server_cpu(connection) if own else None
        with connection.execute_wrapper(count):
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        after = server_cpu(connection) if own else None
        return {
            "what": label,
            "docs_s": n / elapsed,
            "cpu_docs_s": n / cpu,
            "queries": queries / n if own else None,
            # the server's CPU time for this connection (not for import_many's own connections)
            "server_ms": None if server is None or after is None else (after - server) / n * 1000,
        }

    def import_all() -> None:
        for d in docs:
            actions.import_disclosure(None, d)

    out = [timed("import, new", import_all)]
    projects, indicators = Project.objects.count(), Indicator.objects.count()
    out.append(timed("import again", import_all))
    if (Project.objects.count(), Indicator.objects.count()) != (projects, indicators):
        raise SystemExit("re-import changed the number of rows")

    def emptied() -> None:
        Disclosure.objects.all().delete()
        Unit.objects.all().delete()
        connection.close()  # the workers' connections see the emptied tables

    def import_two() -> None:
        for _d, got in import_many(None, docs, lambda d: d):
            if isinstance(got, Exception):
                raise got

    if connection.vendor == "postgresql":
        emptied()
        out.append(timed("import, new, 2 at once", import_two, own=False))
        if (Project.objects.count(), Indicator.objects.count()) != (projects, indicators):
            raise SystemExit("import_many stored another number of rows")
    emptied()

    def bulk() -> None:
        for i in range(0, n, 100):
            actions.bulk_load(None, docs[i : i + 100])

    out.append(timed("bulk_load, 100 a batch", bulk))
    if Project.objects.count() != projects:
        raise SystemExit("bulk_load stored another number of projects")
    return {
        "projects": projects,
        "indicators": indicators,
        "floor": floor,
        "floor_cpu": floor_cpu,
        "results": out,
    }


def run_child(url: str, seeds_dir: Path, n: int) -> dict:
    r = subprocess.run(
        [sys.executable, __file__, "--child", url, "--seeds", str(seeds_dir), "--docs", str(n)],
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode:
        raise SystemExit(f"child for {url} failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "seeds")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--database-url", default=os.environ.get("JIXIAO_BENCH_DATABASE_URL", DEFAULT_URL))
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.seeds, args.docs)))
        return 0
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL URL")
    seeds = seed_files(args.seeds)
    print(f"jixiao store bench: {args.docs} documents from {len(seeds)} seeds, {os.cpu_count()} CPUs")
    figures: dict[tuple[str, str], list[float]] = {}
    cpu_figures: dict[tuple[str, str], list[float]] = {}  # this process's CPU (not PostgreSQL's)
    qs: dict[tuple[str, str], float | None] = {}
    servers: dict[tuple[str, str], list[float]] = {}  # the PostgreSQL backend's CPU ms/document
    floors: list[float] = []
    for rnd in range(args.rounds):
        print(f"round {rnd + 1}:", flush=True)
        targets = []
        if not args.no_sqlite:
            targets.append("SQLite")
        if not args.no_postgres:
            targets.append("PostgreSQL")
        for db in targets:
            with tempfile.TemporaryDirectory() as tmp:
                if db == "SQLite":
                    url = f"sqlite:///{tmp}/store.sqlite3"
                else:
                    recreate_postgres(args.database_url)
                    url = args.database_url
                got = run_child(url, args.seeds, args.docs)
            floor, floor_cpu = got["floor"], got["floor_cpu"]
            floors.append(floor)
            print(
                f"  {db:<11}{'floor: parsing alone':<24}{floor:>8.1f} documents/s"
                f"  (CPU: {floor_cpu:.1f} documents/s)",
                flush=True,
            )
            for r in got["results"]:
                figures.setdefault((db, r["what"]), []).append(r["docs_s"] / floor)
                cpu_figures.setdefault((db, r["what"]), []).append(r["cpu_docs_s"] / floor_cpu)
                qs[(db, r["what"])] = r["queries"]
                server = r.get("server_ms")
                print(
                    f"  {db:<11}{r['what']:<24}{r['docs_s']:>8.1f} documents/s"
                    + (f"{r['queries']:>8.1f} queries/document" if r["queries"] is not None else " " * 24)
                    + f"   ×{r['docs_s'] / floor:.2f} of the floor"
                    f"  (CPU: {r['cpu_docs_s']:.1f} documents/s, ×{r['cpu_docs_s'] / floor_cpu:.2f}"
                    + (f"; server CPU {server:.1f} ms/document" if server is not None else "")
                    + ")",
                    flush=True,
                )
                if server is not None:
                    servers.setdefault((db, r["what"]), []).append(server)
    floor = statistics.median(floors)
    print(f"median over {args.rounds} round(s), floor {floor:.1f} documents/s:")
    for (db, what), ratios in figures.items():
        r = statistics.median(ratios)
        print(
            f"  {db:<11}{what:<24}×{r:.2f} of the floor ({r * floor:.1f} documents/s), "
            + (f"{qs[(db, what)]:.1f} queries/document; " if qs[(db, what)] is not None else "")
            + f"CPU ×{statistics.median(cpu_figures[(db, what)]):.2f}"
            + (
                f"; server CPU {statistics.median(servers[(db, what)]):.1f} ms/document"
                if (db, what) in servers
                else ""
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
