"""Benchmark the web application on PostgreSQL behind the real WSGI server.

    python bench/web.py [--units 1000] [--projects 20] [--indicators 12] [--big 200] [--clients 20]
                        [--pairs 10] [--slice-seconds 2] [--slice-requests 2000] [--mixed 600]
                        [--only unit big project search api api-paged] [--no-load]
                        [--database-url postgresql://…]

1. (Re)creates the database (default postgresql://postgres@127.0.0.1:5432/jixiao_bench), migrates,
   and bulk-loads UNITS units × PROJECTS projects × INDICATORS indicators through `actions.bulk_load`,
   plus one big unit of BIG projects (a big bureau). --no-load reuses what an earlier run loaded,
   after visiting every unit-year page once (not measured): reviews stored by older code are
   stale for this code, and a page renews its unit-year's at the first visit.
2. Starts `jixiao serve` (gunicorn workers) on a free port of 127.0.0.1 with that database and the
   benchmark's floor page switched on (JIXIAO_BENCH_PAGES=1: /bench/trivial/, 20 KB of static HTML
   behind the login).
3. For each of the unit-year page, the big unit's unit-year page, the project page, search and the
   API list: CLIENTS concurrent clients (threads with keep-alive connections, logged in as a
   reviewer, spread over --client-processes processes kept for the page) warm up on the trivial
   page and on the page (2 × CLIENTS requests each, not measured), then send PAIRS pairs of slices,
   one of the trivial page and one of the page, each slice for SLICE_SECONDS (or until
   SLICE_REQUESTS have been answered); the trivial slice first in even pairs, second in odd ones.
   The machine's speed drifts from minute to minute (other work on the cores): a floor measured
   once moves every ratio with it, a floor measured seconds beside each slice of the page does not.
   Slices of equal time, not of equal requests: a slice of the trivial page of 100 requests lasts
   under half a second, and one burst of other work decides its pair.
   Prints per page its p50/p95 latency, requests/s and CPU ms a request (server, PostgreSQL's
   backends of this database, clients) over all its slices, its trivial slices' p50/p95
   (`floor`), and the medians over the pairs of the ratios page ÷ trivial of p50, p95 and the
   server's CPU a request, with their quartiles (the spread: a burst of other work makes a pair's
   ratio an outlier, which the quartiles, unlike the least and greatest, leave aside); last, the
   trivial page's figures over all pairs. Under other load, the server's CPU ratio holds better
   than the latencies' (three runs on 2 cores at load 5-9: unit-year CPU × 2.13-2.47, p50 ×
   1.56-2.64; before pairing, one run's rounds gave p50 × 2.20-3.25).
4. With --mixed SECONDS: all the pages above at random for that long (memory under load; the
   workers' memory is printed once a minute meanwhile).
The server's workers' resident memory (VmRSS) is printed when they have started and at the end.
Only 127.0.0.1 is contacted; every loop is bounded; the server is stopped at the end.
On a machine busy with other work, bench/pagecpu.py (run after this one has loaded the data, with
the same --database-url) measures the same pages' CPU time per request in one process instead.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jixiao_bench"

TOPICS = [
    "食品安全",
    "特种设备",
    "产品质量",
    "知识产权",
    "计量检定",
    "市场主体",
    "广告监测",
    "价格监督",
    "网络交易",
    "消费维权",
    "标准化",
    "认证认可",
    "药品监管",
    "医疗器械",
    "化妆品",
    "执法办案",
    "信用监管",
    "公务用车",
    "办公楼运维",
    "信息化建设",
    "档案管理",
    "宣传培训",
    "协管员补助",
    "应急处置",
    "检验检测",
]
L2 = [
    ("产出指标", "数量指标", "{t}检查户数", "≥{n}户"),
    ("产出指标", "数量指标", "{t}抽检批次", "≥{n}批次"),
    ("产出指标", "质量指标", "{t}计划完成率", "≥9{d}%"),
    ("产出指标", "质量指标", "{t}合格率", "≥9{d}%"),
    ("产出指标", "时效指标", "{t}完成时间", "{y}年12月31日前"),
    ("产出指标", "成本指标", "{t}项目成本", "≤{n}万元"),
    ("效益指标", "社会效益指标", "{t}重大事故发生次数", "0次"),
    ("效益指标", "经济效益指标", "{t}减轻企业负担", "提升"),
    ("效益指标", "可持续影响指标", "{t}长效机制", "长期"),
    ("效益指标", "生态效益指标", "{t}环境影响", "持续向好"),
    ("满意度指标", "服务对象满意度指标", "{t}服务对象满意度", "≥9{d}%"),
    ("满意度指标", "服务对象满意度指标", "{t}群众满意度", "≥8{d}%"),
]


def make_docs(units: int, projects: int, indicators: int, year: int):
    from jixiao.model import Disclosure, Indicator, Project

    rnd = random.Random(7)
    docs = []
    for u in range(units):
        code = f"9{u:05d}"
        ps = []
        for k in range(projects):
            t = TOPICS[(u + k) % len(TOPICS)]
            inds = []
            for i in range(indicators):
                l1, l2, name, value = L2[i % len(L2)]
                inds.append(
                    Indicator(
                        level1=l1,
                        level2=l2,
                        name=name.format(t=t),
                        description=f"{t}相关工作的{l2[:-2]}情况",
                        value=value.format(n=rnd.randint(5, 900), d=rnd.randint(0, 9), y=year),
                        basis="年度工作计划",
                    )
                )
            budget = Decimal(rnd.randint(50, 50000)) / 10
            ps.append(
                Project(
                    seq=k + 1,
                    title=f"{t}工作经费{k + 1}绩效目标表",
                    name=f"{t}工作经费{k + 1}",
                    code=f"{code}{year % 100}P{k:05d}",
                    budget_total=budget,
                    budget_fiscal=budget,
                    purpose=f"开展{t}相关工作",
                    goal=f"完成年度{t}工作任务。",
                    spending_plan={"3月底": "25%", "6月底": "50%", "10月底": "75%", "12月底": "100%"},
                    indicators=inds,
                )
            )
        docs.append(
            Disclosure(
                source=f"bench-{code}.txt",
                unit_code=code,
                unit_name=f"基准测试第{u + 1}号单位",
                year=year,
                overall_goal="完成年度各项工作任务。",
                projects=ps,
            )
        )
    return docs


def big_unit_doc(projects: int, indicators: int, year: int):
    """One unit of `projects` projects (a big bureau), built like `make_docs`' units."""
    import dataclasses

    doc = make_docs(1, projects, indicators, year)[0]
    code = "999999"
    ps = [
        dataclasses.replace(p, code=f"{code}{year % 100}P{i:05d}", name=f"{p.name}（大单位）")
        for i, p in enumerate(doc.projects)
    ]
    return dataclasses.replace(
        doc, unit_code=code, unit_name="基准测试大单位", source=f"bench-{code}.txt", projects=ps
    )


def load(args: argparse.Namespace) -> None:
    os.environ["JIXIAO_DATABASE_URL"] = args.database_url
    from jixiao.web import setup

    setup()
    from django.core.management import call_command

    from jixiao.web import actions

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    docs = make_docs(args.units, args.projects, args.indicators, args.year)
    n = 0
    chunk = 100
    for i in range(0, len(docs), chunk):
        n += actions.bulk_load(None, docs[i : i + chunk])
        print(
            f"\r  loading: {min(i + chunk, len(docs))}/{len(docs)} units, {n} indicators", end="", flush=True
        )
    if args.big:
        n += actions.bulk_load(None, [big_unit_doc(args.big, args.indicators, args.year)])
    actions.create_user(None, "bench", "reviewer", password="bench-password")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    print(
        f"\n  loaded {len(docs)} units, {len(docs) * args.projects} projects, {n} indicators "
        f"in {time.perf_counter() - t:.1f} s"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A keep-alive HTTP/1.1 connection to the server with the login cookie."""

    def __init__(self, port: int, cookie: str):
        self.port = port
        self.cookie = cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.conn.request("GET", path, headers={"Cookie": self.cookie})
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError


def renew_reviews(port: int, cookie: str, unit_ids: list[int], year: int, threads: int = 4) -> None:
    """Every unit-year page once, not measured: data loaded by older code holds stored reviews that
    are stale for this code, and a page reviews its unit-year again (and stores it) at its first
    visit, several times its usual cost (one run read the unit-year page at 7.3x the trivial one
    that way, 2.6x once renewed)."""
    t = time.perf_counter()
    todo = iter(unit_ids)
    lock = threading.Lock()
    failed: list[int] = []

    def work() -> None:
        s = Session(port, cookie)
        while True:
            with lock:
                uid = next(todo, None)
            if uid is None:
                return
            status, _ = s.get(f"/units/{uid}/{year}/")
            if status != 200:
                with lock:
                    failed.append(uid)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    print(
        f"unit-year pages visited once (stale stored reviews renewed, not measured): {len(unit_ids)} "
        f"in {time.perf_counter() - t:.1f} s" + (f", {len(failed)} failed" if failed else ""),
        flush=True,
    )


def login(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    r = conn.getresponse()
    body = r.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"username": "bench", "password": "bench-password", "csrfmiddlewaretoken": token}
    )
    conn.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    r = conn.getresponse()
    r.read()
    session = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie") or "")
    if r.status != 302 or not session:
        raise SystemExit(f"login failed: HTTP {r.status}")
    return f"csrftoken={csrf_cookie}; sessionid={session.group(1)}"


CTX: dict = {}  # filled before the client processes fork: ids, codes, year, search terms


def make_path(kind: str, r: random.Random) -> str:
    c = CTX
    if kind == "mixed":
        kind = r.choice(["unit", "big", "project", "search", "api", "trivial"])
    if kind == "trivial":
        return "/bench/trivial/"
    if kind == "big":
        return f"/units/{c['big_unit']}/{c['year']}/"
    if kind == "unit":
        return f"/units/{r.choice(c['unit_ids'])}/{c['year']}/"
    if kind == "project":
        return f"/projects/{r.choice(c['project_ids'])}/"
    if kind == "search":
        return "/search/?" + urllib.parse.urlencode({"q": r.choice(c["terms"])})
    if kind == "api":
        return f"/api/projects?unit={r.choice(c['codes'])}&year={c['year']}&limit=50"
    if kind == "api-paged":
        return f"/api/projects?limit=50&offset={r.randrange(0, max(1, len(c['project_ids']) - 50))}"
    raise ValueError(kind)


def _client_process(args: tuple) -> tuple[list[float], int, float]:
    """One load-generating process: `threads` keep-alive clients until `total` requests or the
    deadline; (the latencies, the errors, this process's CPU seconds meanwhile)."""
    cpu = time.process_time()
    kind, port, cookie, threads, total, deadline, seed = args
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker(n: int) -> None:
        nonlocal errors
        rnd = random.Random(seed * 1000 + n)
        s = Session(port, cookie)
        while time.time() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            path = make_path(kind, rnd)
            t0 = time.perf_counter()
            try:
                status, _ = s.get(path)
            except OSError:
                status = 0
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if status != 200:
                    errors += 1

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return latencies, errors, time.process_time() - cpu


class Load:
    """CLIENTS concurrent clients spread over PROCESSES client processes (so that the clients' own
    GIL does not add to the latencies measured), kept for all the slices of a scenario."""

    def __init__(self, port: int, cookie: str, clients: int, processes: int):
        import multiprocessing

        self.port, self.cookie, self.clients = port, cookie, clients
        self.processes = max(1, min(processes, clients))
        self.pool = multiprocessing.get_context("fork").Pool(self.processes)

    def __enter__(self) -> Load:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.terminate()
        self.pool.join()

    def spread(self, n: int) -> list[int]:
        """n split over the processes as evenly as whole numbers go."""
        k = self.processes
        return [n // k + (1 if i < n % k else 0) for i in range(k)]

    def slice(self, kind: str, total: int, seconds: float, seed: int) -> dict:
        """Requests of one kind until TOTAL have been answered or SECONDS have passed: the
        latencies (s), errors, wall time and the CPU seconds of the server, PostgreSQL and the
        clients meanwhile."""
        shares, totals = self.spread(self.clients), self.spread(total)
        before = {g: _cpu_seconds(pids) for g, pids in _cpu_groups().items()}
        start = time.perf_counter()
        deadline = time.time() + seconds
        parts = self.pool.map(
            _client_process,
            [
                (kind, self.port, self.cookie, shares[i], totals[i], deadline, seed * 100 + i)
                for i in range(self.processes)
            ],
        )
        wall = time.perf_counter() - start
        cpu = {g: _cpu_spent(before[g], _cpu_seconds(pids)) for g, pids in _cpu_groups().items()}
        cpu["clients"] = sum(c for _, _, c in parts)
        return {
            "lat": [x for part, _, _ in parts for x in part],
            "errors": sum(e for _, e, _ in parts),
            "wall": wall,
            "cpu": cpu,
        }

    def warm_up(self, kinds: list[str]) -> None:
        """Not measured: every server process answers a few requests of each kind first."""
        for kind in kinds:
            self.slice(kind, 2 * self.clients, 20, 99)


def merge(slices: list[dict], name: str) -> dict:
    """The slices of one kind taken together: requests, errors, p50/p95 ms, requests/s and CPU ms
    a request (server, PostgreSQL — all of its processes on this machine — and clients)."""
    lat = [x for s in slices for x in s["lat"]]
    wall = sum(s["wall"] for s in slices)
    p50, p95 = percentiles(lat)
    groups = {g for s in slices for g in s["cpu"]}
    return {
        "name": name,
        "n": len(lat),
        "errors": sum(s["errors"] for s in slices),
        "p50": p50 * 1000,
        "p95": p95 * 1000,
        "rps": len(lat) / wall if wall else 0.0,
        "cpu": {
            g: 1000 * sum(s["cpu"].get(g, 0.0) for s in slices) / len(lat) if lat else 0.0 for g in groups
        },
    }


def percentiles(lat: list[float]) -> tuple[float, float]:
    """p50 and p95 of latencies (0, 0 for none)."""
    if not lat:
        return 0.0, 0.0
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else lat * 99
    return q[49], q[94]


def pair_order(i: int, kind: str) -> tuple[str, str]:
    """The order of the two slices of pair i: the trivial page first in even pairs, the page under
    test first in odd ones (ABBA: a steady drift over a pair's slices favours neither)."""
    return ("trivial", kind) if i % 2 == 0 else (kind, "trivial")


def pair_ratios(pairs: list[tuple[dict, dict]]) -> dict[str, tuple[float, float, float]]:
    """Per pair (the trivial page's slice, the page's slice) the ratios page ÷ trivial of p50, p95
    and the server's CPU a request; for each, the median over the pairs with the first and third
    quartiles (pairs where the trivial figure is 0 left out; (0, 0, 0) when none is left)."""
    each: dict[str, list[float]] = {"p50": [], "p95": [], "server": []}
    for floor, page in pairs:
        f, p = percentiles(floor["lat"]), percentiles(page["lat"])
        for key, a, b in (("p50", p[0], f[0]), ("p95", p[1], f[1])):
            if b > 0:
                each[key].append(a / b)
        if floor["lat"] and page["lat"] and floor["cpu"].get("server"):
            fs = floor["cpu"]["server"] / len(floor["lat"])
            each["server"].append(page["cpu"].get("server", 0.0) / len(page["lat"]) / fs)
    return {k: median_quartiles(v) for k, v in each.items()}


def median_quartiles(values: list[float]) -> tuple[float, float, float]:
    """(median, first quartile, third quartile) of the values; (0, 0, 0) for none."""
    if not values:
        return 0.0, 0.0, 0.0
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q2, q1, q3


def run_paired(name: str, kind: str, port: int, cookie: str, args: argparse.Namespace) -> dict:
    """PAIRS pairs of slices, the trivial page's and this page's, interleaved with the same client
    processes, each slice up to SLICE_REQUESTS requests or SLICE_SECONDS: the page's slices merged,
    the trivial page's merged, and the per-pair ratios (`pair_ratios`)."""
    pairs = []
    with Load(port, cookie, args.clients, args.client_processes) as load:
        load.warm_up(["trivial", kind])
        for i in range(args.pairs):
            got = {k: load.slice(k, args.slice_requests, args.slice_seconds, i) for k in pair_order(i, kind)}
            pairs.append((got["trivial"], got[kind]))
    res = merge([p for _, p in pairs], name)
    res["trivial"] = merge([f for f, _ in pairs], "trivial page")
    res["floor_slices"] = [f for f, _ in pairs]
    res["ratios"] = pair_ratios(pairs)
    return res


def run_mixed(port: int, cookie: str, clients: int, seconds: float, processes: int) -> dict:
    """All the pages at random for SECONDS, after a warm-up."""
    with Load(port, cookie, clients, processes) as load:
        load.warm_up(["mixed"])
        return merge([load.slice("mixed", 10**9, seconds, 1)], "mixed")


def _cpu_groups() -> dict[str, list[int]]:
    """The processes whose CPU a scenario's requests cost, besides the clients' own (which each
    client process reports): the server's (`CTX["server_pid"]` and its workers) and PostgreSQL's
    backends serving the bench's database (`CTX["dbname"]`, by their process titles: other
    databases' work on the same server, another bench's or tests', is left out; every process
    named postgres when no database is named; none when the server runs elsewhere)."""
    server = CTX.get("server_pid")
    dbname = CTX.get("dbname")
    pg = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() != "postgres":
                    continue
                if dbname is None or serves(dbname, (d / "cmdline").read_bytes().decode(errors="replace")):
                    pg.append(int(d.name))
            except OSError:
                continue
    return {"server": ([server, *_children(server)] if server else []), "db": pg}


def serves(dbname: str, cmdline: str) -> bool:
    """Whether a PostgreSQL process title (`postgres: [cluster: ]user database host(port) state`)
    is a backend connected to the database `dbname`."""
    words = cmdline.replace("\0", " ").split()
    if not words or words[0] != "postgres:":
        return False
    if len(words) > 1 and words[1].endswith(":"):  # the cluster's name (cluster_name)
        words = words[1:]
    return len(words) > 2 and words[2] == dbname


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds of these processes so far (/proc/PID/stat), by pid."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14, 15
    return out


def _cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two `_cpu_seconds` readings: a process started since counts whole
    (a new database connection), one gone since is left out (what it spent after the first
    reading is not known)."""
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent's pid
            out.append(int(d.name))
    return sorted(out)


def worker_rss(server_pid: int) -> dict[int, int]:
    """VmRSS in KiB of the server's worker processes (gunicorn's children; the server itself when
    it has none, as waitress), from /proc (Linux)."""
    out = {}
    for pid in _children(server_pid) or [server_pid]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[pid] = int(line.split()[1])
        except OSError:
            continue
    return out


def rss_text(rss: dict[int, int]) -> str:
    if not rss:
        return "unknown (no /proc)"
    each = " ".join(f"{v / 1024:.0f}" for v in rss.values())
    return f"{sum(rss.values()) / 1024:.0f} MiB in {len(rss)} processes ({each} MiB)"


def run_pages(
    args: argparse.Namespace, scenarios: list[tuple[str, str]], port: int, cookie: str
) -> list[dict]:
    """Each page against the trivial page in interleaved pairs (`run_paired`); prints a line a page
    as it is measured and returns the results."""
    print(
        f"{'page':<24}{'requests':>9}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}{'req/s':>7}"
        f"{'floor p50':>10}{'p95':>6}{'p50 × (q1–q3)':>20}{'p95 × (q1–q3)':>20}{'CPU ×':>7}"
        "   CPU ms a request: server, database, clients"
    )
    out = []
    for name, kind in scenarios:
        res = run_paired(name, kind, port, cookie, args)
        out.append(res)
        print(row(res), flush=True)
    if out:  # the trivial page's slices of every pair, for its own figures
        print(row(merge([f for r in out for f in r["floor_slices"]], "trivial page, all pairs")), flush=True)
    return out


def row(res: dict) -> str:
    """One line of the table: a page's merged figures, its trivial slices' p50/p95, the medians of
    the per-pair ratios with their quartiles, the median ratio of server CPU a request."""
    line = (
        f"{res['name']:<24}{res['n']:>9}{res['errors']:>7}"
        f"{res['p50']:>8.1f}{res['p95']:>8.1f}{res['rps']:>7.0f}"
    )
    if "ratios" in res:
        x = res["ratios"]
        floor = res["trivial"]
        line += f"{floor['p50']:>10.1f}{floor['p95']:>6.1f}"
        for key in ("p50", "p95"):
            line += f"{x[key][0]:>7.2f} ({x[key][1]:.2f}–{x[key][2]:.2f})".rjust(20)
        line += f"{x['server'][0]:>7.2f}"
    else:
        line += " " * (10 + 6 + 20 + 20 + 7)
    return line + "   " + " ".join(f"{res['cpu'].get(g, 0.0):.2f}" for g in ("server", "db", "clients"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=20)
    ap.add_argument("--indicators", type=int, default=12)
    ap.add_argument("--big", type=int, default=200, help="projects of the one big unit (0: none)")
    ap.add_argument("--mixed", type=float, default=0, help="seconds of mixed load at the end (0: none)")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--pairs", type=int, default=10, help="pairs of slices (trivial page, page) a page")
    ap.add_argument("--slice-seconds", type=float, default=2, help="seconds a slice")
    ap.add_argument("--slice-requests", type=int, default=2000, help="requests a slice (upper bound)")
    ap.add_argument(
        "--threads", type=int, default=0, help="server threads per process (default: jixiao serve's)"
    )
    ap.add_argument("--workers", type=int, default=0, help="server processes (default: jixiao serve's)")
    ap.add_argument("--database-url", default=os.environ.get("JIXIAO_BENCH_DATABASE_URL", DEFAULT_URL))
    ap.add_argument("--client-processes", type=int, default=4, help="processes the clients run in")
    ap.add_argument("--only", nargs="*", help="scenarios to run: unit project search api api-paged")
    ap.add_argument("--no-load", action="store_true", help="reuse the data already loaded")
    args = ap.parse_args(argv)
    if args.pairs < 1 or args.slice_requests < 1 or args.slice_seconds <= 0:
        ap.error("--pairs, --slice-requests and --slice-seconds must be positive")
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench/web.py needs a PostgreSQL --database-url")

    print(
        f"jixiao web bench: {args.units} units × {args.projects} projects × {args.indicators} indicators, "
        f"{args.clients} clients, {os.cpu_count()} CPUs"
    )
    if not args.no_load:
        from pgdb import recreate_postgres  # bench/pgdb.py

        recreate_postgres(args.database_url)
        load(args)

    import psycopg

    with psycopg.connect(args.database_url) as conn:
        big = conn.execute("SELECT id FROM web_unit WHERE code = '999999'").fetchone()
        unit_ids = [r[0] for r in conn.execute("SELECT id FROM web_unit WHERE code <> '999999' ORDER BY id")]
        project_ids = [r[0] for r in conn.execute("SELECT id FROM web_project ORDER BY id")]
        codes = [r[0] for r in conn.execute("SELECT code FROM web_unit ORDER BY id")]

    port = free_port()
    env = {
        **os.environ,
        "JIXIAO_DATABASE_URL": args.database_url,
        "JIXIAO_SECRET_KEY": "bench-secret",
        "JIXIAO_DEBUG": "0",
        "JIXIAO_BENCH_PAGES": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "serve", "--port", str(port)]
        + (["--threads", str(args.threads)] if args.threads else [])
        + (["--workers", str(args.workers)] if args.workers else []),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("server failed:\n" + server.stderr.read().decode()) from None
                time.sleep(0.1)
        cookie = login(port)
        CTX["server_pid"] = server.pid
        CTX["dbname"] = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
        CTX.update(
            big_unit=big[0] if big else unit_ids[0],
            unit_ids=unit_ids,
            project_ids=project_ids,
            codes=codes,
            year=args.year,
            terms=["满意度", "合格率", "食品安全", "特种设备抽检批次", "项目成本", "长效机制", "完成时间"],
        )
        if args.no_load:
            renew_reviews(port, cookie, [*unit_ids, *([big[0]] if big else [])], args.year)
        start_rss = worker_rss(server.pid)
        print(f"server workers' memory at start: {rss_text(start_rss)}")
        scenarios = [
            ("unit-year page", "unit"),
            (f"unit-year, {args.big} proj.", "big"),
            ("project page", "project"),
            ("search", "search"),
            ("API list", "api"),
            ("API list (all, paged)", "api-paged"),
        ]
        scenarios = [
            (name, kind)
            for name, kind in scenarios
            if (not args.only or kind in args.only) and (kind != "big" or big is not None)
        ]
        run_pages(args, scenarios, port, cookie)
        if args.mixed:
            # the workers' memory once a minute while the mixed load runs (a trend, not two points)
            stop = threading.Event()

            def sample() -> None:
                t0 = time.monotonic()
                while not stop.wait(60):
                    rss = worker_rss(server.pid)
                    print(f"  {time.monotonic() - t0:4.0f} s: {rss_text(rss)}", flush=True)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            try:
                res = run_mixed(port, cookie, args.clients, args.mixed, args.client_processes)
            finally:
                stop.set()
                sampler.join()
            print(row({**res, "name": f"mixed, {args.mixed:g} s"}), flush=True)
        end_rss = worker_rss(server.pid)
        print(f"server workers' memory at start: {rss_text(start_rss)}")
        print(f"server workers' memory at end:   {rss_text(end_rss)}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
