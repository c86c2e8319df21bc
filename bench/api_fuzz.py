"""Fuzz the JSON API of a real `jixiao serve` with schemathesis, as every role; count server errors.

    python bench/api_fuzz.py [--examples 100] [--database-url postgresql://…] [--workers 2]

1. Creates a throwaway database (a temporary SQLite file, or recreates the PostgreSQL database
   given, default none), loads the demo data (units, disclosures, monitoring, self-evaluation) and
   one account per role (admin, reviewer, two unit users), each with an API token.
2. Starts `jixiao serve` on a free port of 127.0.0.1.
3. Runs `schemathesis run /api/openapi.json` once per role (Authorization: Bearer TOKEN), all
   phases (examples, coverage, fuzzing, stateful), positive and negative data, --max-examples
   EXAMPLES per operation, check not_a_server_error; reads the NDJSON event log for the number of
   requests and the status codes.
Prints one line per role and a total. Only 127.0.0.1 is contacted; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pgdb import recreate_postgres  # bench/pgdb.py

ROLES = (
    ("admin", "admin", []),
    ("reviewer", "reviewer", []),
    ("market", "unit", ["999001"]),
    ("edu", "unit", ["999002"]),
)


def load(url: str) -> dict[str, str]:
    """Demo data and one account per role; returns {role name: API token}."""
    code = f"""
import json, os
os.environ["JIXIAO_DATABASE_URL"] = {url!r}
from jixiao.web import setup
setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jixiao.web import actions
from jixiao.web.demo import demo_disclosures
from jixiao.web.demo.cycle import load_demo_cycle
for doc in demo_disclosures():
    actions.import_disclosure(None, doc)
load_demo_cycle()
tokens = {{}}
for name, role, units in {list(ROLES)!r}:
    actions.create_user(None, name, role, unit_codes=units, password="fuzz-" + name + "-Pw7")
    tokens[name] = actions.issue_token(None, name)
print(json.dumps(tokens))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def events(path: Path) -> Counter[str]:
    """Status codes of every response in a schemathesis NDJSON event log ("5xx" counted apart)."""
    codes: Counter[str] = Counter()

    def walk(v: object) -> None:
        if isinstance(v, dict):
            if "status_code" in v and isinstance(v["status_code"], int) and "elapsed" in v:
                codes[str(v["status_code"])] += 1
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            walk(json.loads(line))
    return codes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=100, help="cases per operation and phase")
    ap.add_argument("--database-url", help="a PostgreSQL database to recreate (default: temporary SQLite)")
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    exe = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-fuzz-"))
    url = args.database_url or f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    if url.startswith("postgres"):
        recreate_postgres(url)
    tokens = load(url)
    port = free_port()
    env = {
        **os.environ,
        "JIXIAO_DATABASE_URL": url,
        "JIXIAO_SECRET_KEY": "fuzz-" + "k" * 40,
        "JIXIAO_DEBUG": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "server.log", "wb"),
    )
    total: Counter[str] = Counter()
    failed_runs = 0
    start = time.perf_counter()
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("server failed: " + (tmp / "server.log").read_text()) from None
                time.sleep(0.1)
        print(
            f"API fuzz: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, "
            f"{args.examples} examples per operation, {args.workers} server processes"
        )
        for name, _, _ in ROLES:
            log = tmp / f"{name}.ndjson"
            r = subprocess.run(
                [
                    exe,
                    "run",
                    f"http://127.0.0.1:{port}/api/openapi.json",
                    "-H",
                    f"Authorization: Bearer {tokens[name]}",
                    "--checks",
                    "not_a_server_error",
                    "--mode",
                    "all",
                    "--max-examples",
                    str(args.examples),
                    "--seed",
                    str(args.seed),
                    "--continue-on-failure",
                    "--report",
                    "ndjson",
                    "--report-ndjson-path",
                    str(log),
                    "--no-color",
                ],
                capture_output=True,
                text=True,
            )
            codes = events(log) if log.exists() else Counter()
            errors = sum(n for c, n in codes.items() if c.startswith("5"))
            failed_runs += r.returncode != 0
            total.update(codes)
            print(
                f"  {name:<9} {sum(codes.values()):>7} requests, {errors} server errors, "
                f"exit {r.returncode}, codes {dict(sorted(codes.items()))}",
                flush=True,
            )
            if r.returncode != 0:
                print("\n".join(r.stdout.splitlines()[-40:]))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    errors = sum(n for c, n in total.items() if c.startswith("5"))
    print(
        f"total: {sum(total.values())} requests, {errors} server errors, "
        f"{time.perf_counter() - start:.0f} s; logs in {tmp}"
    )
    return 1 if errors or failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
