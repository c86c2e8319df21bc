"""CPU per request of the pages `bench/web.py` measures, in this process (no server, no clients).

    python bench/pagecpu.py [--database-url postgresql://…] [--rounds 5] [--only unit big …]
                            [--profile KIND] [--dump DIR]

Reads the database `bench/web.py` loaded (run it once first; its default URL unless
--database-url). Each page is requested through Django's WSGI handler, with the same middleware
and session login as under `jixiao serve`, as the bench's reviewer: the trivial page
(/bench/trivial/), the unit-year page of 10 units, the big unit's, 10 project pages and search
for the bench's 7 terms, once each to warm up, then ROUNDS rounds of all of them in turn (the
trivial page and the big unit's 10 times a round): the kinds interleaved, so that the machine's
drift from minute to minute moves the page and its floor alike. Prints the least, median and mean
CPU time (time.process_time: this process only, not PostgreSQL's) per request of each kind and the
medians' ratio to the trivial page's; with a PostgreSQL server on this machine also its backend's
mean CPU per request (`db ms`, from /proc, in clock ticks: use enough --rounds) and the ratio of
both together to the trivial page's (`total ×`), closer to what bench/web.py's ratios weigh (they
also hold the HTTP server's and the clients' work, the same for every page). On a shared machine
these figures hold better than wall-clock ones (the least the best; other work on the cores still
slows the caches down).

--profile KIND: cProfile of ROUNDS requests of that kind, top functions by own and by
cumulative time. --dump DIR: each page's HTML (CSRF tokens blanked) to DIR, for byte comparisons
before and after a change (`diff -r`).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jixiao_bench"
TERMS = ["满意度", "合格率", "食品安全", "特种设备抽检批次", "项目成本", "长效机制", "完成时间"]
KINDS = ["trivial", "unit", "big", "project", "search"]
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def paths(year: int) -> dict[str, list[str]]:
    import urllib.parse

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM web_unit WHERE code = %s", ["999999"])
        big = cur.fetchone()
        cur.execute("SELECT id FROM web_unit WHERE code <> %s ORDER BY id", ["999999"])
        units = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT id FROM web_project ORDER BY id")
        projects = [r[0] for r in cur.fetchall()]
    rnd = random.Random(12)
    return {
        "trivial": ["/bench/trivial/"],
        "unit": [f"/units/{u}/{year}/" for u in rnd.sample(units, min(10, len(units)))],
        "big": [f"/units/{big[0]}/{year}/"] if big else [],
        "project": [f"/projects/{p}/" for p in rnd.sample(projects, min(10, len(projects)))],
        "search": ["/search/?" + urllib.parse.urlencode({"q": t}) for t in TERMS],
    }


class Caller:
    """GET requests through the WSGI handler with a logged-in session's cookies."""

    def __init__(self, username: str):
        from django.contrib.auth import get_user_model
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import Client

        c = Client()
        c.force_login(get_user_model().objects.get(username=username))
        c.get("/login/")  # the CSRF cookie
        self.cookie = "; ".join(f"{k}={v.value}" for k, v in c.cookies.items())
        self.handler = WSGIHandler()

    def get(self, path: str) -> bytes:
        p, _, q = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": p,
            "QUERY_STRING": q,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": self.cookie,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        body = b"".join(self.handler(environ, lambda s, h, *a: status.append(s)))
        if not status or not status[0].startswith("200"):
            raise SystemExit(f"{path}: HTTP {status[0] if status else '?'}")
        return body


def measure(caller: Caller, urls: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for u in urls:
            t = time.process_time()
            caller.get(u)
            out.append((time.process_time() - t) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=os.environ.get("JIXIAO_BENCH_DATABASE_URL", DEFAULT_URL))
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--user", default="bench")
    ap.add_argument("--only", nargs="*", choices=KINDS)
    ap.add_argument("--profile", choices=KINDS)
    ap.add_argument("--dump", type=Path)
    args = ap.parse_args(argv)
    os.environ.update(
        JIXIAO_DATABASE_URL=args.database_url,
        JIXIAO_BENCH_PAGES="1",
        JIXIAO_DEBUG="0",
        JIXIAO_SECRET_KEY="bench-secret",
    )
    from jixiao.web import setup

    setup()
    caller = Caller(args.user)
    urls = paths(args.year)
    for kind in KINDS:  # warm-up: imports, compiled queries, caches of the process
        for u in urls[kind]:
            caller.get(u)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            for u in urls[kind]:
                name = re.sub(r"[^A-Za-z0-9]+", "_", u.strip("/")) or "root"
                (args.dump / f"{name}.html").write_bytes(CSRF.sub(rb"\1-\2", caller.get(u)))
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile(time.process_time)
        prof.enable()
        measure(caller, urls[args.profile], args.rounds)
        prof.disable()
        st = pstats.Stats(prof)
        st.sort_stats("tottime").print_stats(30)
        st.sort_stats("cumulative").print_stats(45)
        return 0
    floor: float | None = None
    floor_total: float | None = None
    backend = Backend()
    print(
        f"{'page':<10}{'requests':>9}{'min ms':>9}{'median ms':>11}{'mean ms':>9}{'× trivial':>11}"
        + (f"{'db ms':>8}{'total ×':>9}" if backend.ok else "")
    )
    kinds = [k for k in KINDS if not args.only or k in args.only or k == "trivial"]
    ms: dict[str, list[float]] = {k: [] for k in kinds}
    db: dict[str, float] = dict.fromkeys(kinds, 0.0)
    for _ in range(args.rounds):  # the kinds in turn in each round: the machine's drift moves all alike
        for kind in kinds:
            before = backend.cpu()
            ms[kind] += measure(caller, urls[kind], 10 if kind in ("trivial", "big") else 1)
            db[kind] += backend.cpu() - before
    for kind in kinds:
        each = ms[kind]
        if not each:
            continue
        med, mean, db_ms = statistics.median(each), statistics.fmean(each), db[kind] / len(each)
        if kind == "trivial":
            floor = med
        ratio = f"{med / floor:>11.2f}" if floor else ""
        line = f"{kind:<10}{len(each):>9}{min(each):>9.2f}{med:>11.2f}{mean:>9.2f}{ratio}"
        if backend.ok:
            if kind == "trivial":
                floor_total = mean + db_ms
            line += f"{db_ms:>8.2f}" + (f"{(mean + db_ms) / floor_total:>9.2f}" if floor_total else "")
        print(line, flush=True)
    return 0


class Backend:
    """CPU time of this process's PostgreSQL backend (/proc, when the server runs on this machine):
    the database's share of a request, which `bench/web.py`'s ratios include and process_time does
    not. `total ×`: mean CPU per request, this process's and its backend's, over the trivial page's."""

    def __init__(self) -> None:
        from django.db import connection

        self.stat: Path | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                stat = Path(f"/proc/{cur.fetchone()[0]}/stat")
            self.stat = stat if stat.exists() else None
        self.ok = self.stat is not None
        self.tick = os.sysconf("SC_CLK_TCK") if self.ok else 100

    def cpu(self) -> float:
        """The backend's user and system CPU so far, in ms (0 when it cannot be read)."""
        if self.stat is None:
            return 0.0
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / self.tick  # utime, stime


if __name__ == "__main__":
    sys.exit(main())
