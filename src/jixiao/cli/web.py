"""`jixiao demo | serve | import | user | token`: the web application's commands.

Every command that touches the database reads JIXIAO_DATABASE_URL (default: ./jixiao.sqlite3, the
file `jixiao demo` creates) and brings the schema up to date first. Writes go through `actions`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from jixiao.cli.common import EXIT_BAD_INPUT, database_label, prepare_database


def default_workers() -> int:
    """Processes for `jixiao serve`: two per core plus one (gunicorn's rule; the pages are CPU-bound
    Python, one request at a time per process), or JIXIAO_WORKERS; 1 where gunicorn cannot run."""
    if os.name != "posix":
        return 1
    env = os.environ.get("JIXIAO_WORKERS")
    if env:
        return max(1, int(env))
    return min(9, 2 * (os.cpu_count() or 1) + 1)


def warm_up() -> None:
    """Do once, before the server starts (and forks its workers), what each process's first request
    would otherwise pay for: import every view and the review engine through the URLconf, compile the
    page templates and read the review settings."""
    from django.template import engines
    from django.template.backends.jinja2 import Jinja2
    from django.urls import reverse

    from jixiao.web.lib import reviews

    reverse("units")  # imports the URLconf with every view and builds the reverse index
    for engine in engines.all():
        if isinstance(engine, Jinja2):
            for name in engine.env.list_templates(extensions=["html"]):
                engine.env.get_template(name)
    reviews.review_settings()


def serve_wsgi(host: str, port: int, threads: int = 8, workers: int = 1) -> None:
    """Serve the app with a production WSGI server; static files come from the app (WhiteNoise).

    One process: waitress (pure Python, also on Windows). Several: gunicorn with threaded workers,
    so that every core serves requests.
    """
    from django.db import connections

    from jixiao.web.wsgi import application

    warm_up()
    connections.close_all()  # no connection may be shared across processes
    if workers > 1 and os.name == "posix":
        from gunicorn.app.base import BaseApplication

        class _Gunicorn(BaseApplication):
            def load_config(self) -> None:
                for key, value in {
                    "bind": f"{host}:{port}",
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread" if threads > 1 else "sync",
                    "timeout": 60,
                    "keepalive": 5,
                    "accesslog": None,
                    "errorlog": "-",
                    "loglevel": "warning",
                    "proc_name": "jixiao",
                }.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        _Gunicorn().run()
        return
    from waitress import serve

    serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="jixiao",
        channel_timeout=60,
        connection_limit=200,
        backlog=512,
    )


def demo_secret_key(data: Path) -> str:
    """The demo's secret key: made once, kept in DATA/secret_key (mode 0600), read on every start."""
    import secrets

    path = data / "secret_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    os.chmod(path, 0o600)
    return key


def cmd_demo(args: argparse.Namespace) -> int:
    data = Path(args.data or ".").resolve()
    data.mkdir(parents=True, exist_ok=True)
    os.environ["JIXIAO_DATABASE_URL"] = f"sqlite:///{data / 'jixiao.sqlite3'}"
    os.environ["JIXIAO_SECRET_KEY"] = demo_secret_key(data)
    os.environ.setdefault("JIXIAO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    prepare_database()
    from jixiao.web.demo.load import load_demo

    report = load_demo()
    for line in report.lines:
        print(f"  {line}")
    print(f"数据库：{database_label()}")
    print("账号（用户名 / 密码 / 角色）：")
    for name, pw, role, units, created in report.accounts:
        label = {"admin": "管理员", "reviewer": "审核人", "unit": "单位用户"}[role]
        print(
            f"  {name:<9} {pw:<12} {label}{'（' + '、'.join(units) + '）' if units else ''}"
            + ("" if created else "  （已有账号，密码以当前设置为准）")
        )
    if args.no_serve:
        return 0
    print(f"地址：http://127.0.0.1:{args.port}/    （Ctrl-C 停止）", flush=True)
    serve_wsgi("127.0.0.1", args.port)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("JIXIAO_DEBUG", "0")
    if not os.environ.get("JIXIAO_SECRET_KEY", "").strip():
        from jixiao.web.settings import env_flag

        if not env_flag("JIXIAO_DEBUG"):
            print(
                "jixiao serve：未设置 JIXIAO_SECRET_KEY，拒绝启动。请设置一个长的随机密钥（例如 "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' 的输出），并在每次启动时"
                "使用同一个；仅在调试时（JIXIAO_DEBUG=1）可以不设。",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        import secrets

        # debug only: one random key for this run, shared by every worker process
        os.environ["JIXIAO_SECRET_KEY"] = secrets.token_urlsafe(50)
        print(
            "警告：未设置 JIXIAO_SECRET_KEY（调试模式）：本次运行使用临时密钥，重启后需重新登录。",
            file=sys.stderr,
        )
    prepare_database()
    workers = args.workers or default_workers()
    print(
        f"jixiao serve：{database_label()}，http://{args.host}:{args.port}/"
        f"（{workers} 个进程 × {args.threads} 线程）",
        flush=True,
    )
    serve_wsgi(args.host, args.port, args.threads, workers)
    return 0


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(
                sorted(
                    f
                    for f in path.rglob("*")
                    if f.is_file() and f.suffix.lower() in (".txt", ".docx", ".xlsx", ".html", ".htm", ".pdf")
                )
            )
        else:
            out.append(path)
    return out


def _unit_option(args: argparse.Namespace, command: str) -> tuple[Any, int]:
    """The unit `--unit SPEC` or `--unit-id N` names (None when neither is given), or an exit code
    after printing why not (unknown, or a code several units share: the matches are listed)."""
    from jixiao.web.lib.units import UnitSpecError, resolve_unit
    from jixiao.web.models import Unit

    unit_id = getattr(args, "unit_id", None)
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            print(f"jixiao {command}: 没有编号为 {unit_id} 的单位", file=sys.stderr)
            return None, EXIT_BAD_INPUT
        return unit, 0
    if not getattr(args, "unit", None):
        return None, 0
    try:
        return resolve_unit(args.unit), 0
    except UnitSpecError as e:
        print(f"jixiao {command}: {e.message}", file=sys.stderr)
        return None, EXIT_BAD_INPUT


def cmd_import(args: argparse.Namespace) -> int:
    prepare_database()
    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import parse_file_bounded
    from jixiao.web import actions

    unit = None
    if args.unit_id is not None:
        unit, code = _unit_option(args, "import")
        if code:
            return code
    files = _files(args.paths)
    if not files:
        print("没有找到可导入的文件（.txt .docx .xlsx .html .pdf）", file=sys.stderr)
        return EXIT_BAD_INPUT
    failed = 0
    totals = {"created": 0, "updated": 0, "indicators": 0, "warnings": 0}
    tty = sys.stderr.isatty()
    for n, f in enumerate(files, 1):
        prefix = f"[{n}/{len(files)}]"
        if tty:
            bar = "#" * int(30 * (n - 1) / len(files))
            print(f"\r{prefix} [{bar:<30}] {f.name[:40]:<40}", end="", file=sys.stderr, flush=True)
        try:
            doc = parse_file_bounded(f, year=args.year, limits=actions.parse_limits())  # worker process
            r = actions.import_disclosure(
                None,
                doc,
                unit=unit,
                unit_code=args.unit,
                year=doc.year or args.year,
                region=args.region or "",
                confirm_unit=args.confirm_unit,
            )
        except ReadError as e:
            failed += 1
            print(("\n" if tty else "") + f"{e.source}: {e.location}: {e.message}", file=sys.stderr)
            continue
        except actions.ActionError as e:
            failed += 1
            print(("\n" if tty else "") + f"{f}: {e.message}", file=sys.stderr)
            continue
        totals["created"] += r.created
        totals["updated"] += r.updated
        totals["indicators"] += r.indicators
        totals["warnings"] += len(r.warnings)
        line = (
            f"{prefix} {f}: {r.unit} {r.year or '年度未知'} 年，新项目 {r.created}，更新 {r.updated}，"
            f"指标 {r.indicators}，警告 {len(r.warnings)}"
        )
        print(("\r" if tty else "") + line + (" " * 20 if tty else ""), file=sys.stderr)
        for d in r.dropped:
            print(f"    文件中没有：{d}", file=sys.stderr)
        if args.verbose:
            for w in r.warnings:
                print(f"    {w}", file=sys.stderr)
    print(
        f"完成：{len(files) - failed}/{len(files)} 个文件导入，新项目 {totals['created']} 个，更新 "
        f"{totals['updated']} 个，指标 {totals['indicators']} 个，警告 {totals['warnings']} 条"
        + (f"，失败 {failed} 个" if failed else "")
        + f"（{database_label()}）"
    )
    return EXIT_BAD_INPUT if failed else 0


def cmd_user(args: argparse.Namespace) -> int:
    prepare_database()
    from jixiao.web import actions

    try:
        user, pw = actions.create_user(
            None, args.name, args.role, unit_codes=args.unit or [], password=args.password
        )
    except actions.ActionError as e:
        print(f"jixiao user create: {e.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    units = "、".join(str(u) for u in user.units.all())
    print(f"已创建用户 {user.username}（{user.get_role_display()}{'：' + units if units else ''}）")
    if not args.password:
        print(f"初始密码：{pw}")
    return 0


def cmd_user_set(args: argparse.Namespace) -> int:
    prepare_database()
    from jixiao.web import actions

    try:
        user = actions.update_user(
            None,
            args.name,
            role=args.role,
            unit_codes=args.unit,
            active=args.active,
            password=args.password,
        )
    except actions.ActionError as e:
        print(f"jixiao user set: {e.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    units = "、".join(str(u) for u in user.units.all())
    state = "" if user.is_active else "，已停用"
    print(f"用户 {user.username}：{user.get_role_display()}{'：' + units if units else ''}{state}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    prepare_database()
    from jixiao.web.models import User

    for user in User.objects.order_by("username").prefetch_related("units", "tokens"):
        units = "、".join(u.code or u.name for u in user.units.all())
        tokens = len(user.tokens.all())
        print(
            "\t".join(
                [
                    user.username,
                    user.role,
                    "active" if user.is_active else "inactive",
                    units or "-",
                    f"{tokens} token{'s' if tokens != 1 else ''}",
                ]
            )
        )
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    prepare_database()
    from jixiao.web import actions

    try:
        if args.revoke is not None:
            n = actions.revoke_tokens(None, args.name, args.revoke or None)
            print(f"已撤销 {args.name} 的 {n} 个 API 令牌")
            return 0
        token = actions.issue_token(None, args.name)
    except actions.ActionError as e:
        print(f"jixiao token: {e.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(token)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Import filled 运行监控 / 自评 workbooks (from `jixiao template`), each all or nothing."""
    prepare_database()
    from jixiao.web import actions

    unit, code = _unit_option(args, "report")
    if code:
        return code
    failed = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as e:
            print(f"{name}: 无法读取文件：{e.strerror or e}", file=sys.stderr)
            failed += 1
            continue
        try:
            r = actions.import_cycle_workbook(None, data, name=name, kind=args.kind, unit=unit)
        except actions.ActionError as e:
            failed += 1
            print(f"{e.message}", file=sys.stderr)
            for line in e.errors.values():
                print(f"{name}: {line}", file=sys.stderr)
            continue
        label = "运行监控" if r.kind == "monitor" else "绩效自评"
        print(f"{name}: 已导入{label} {len(r.projects)} 个项目", file=sys.stderr)
        for _, line in r.projects:
            print(f"  {line}")
    return EXIT_BAD_INPUT if failed else 0


def register(sub: Any) -> None:
    """Add demo, serve, import, report, user and token to the `jixiao` command line."""
    p = sub.add_parser(
        "demo", help="create a demo SQLite database with sample units and accounts, and serve it"
    )
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--data", metavar="DIR", help="folder for jixiao.sqlite3 (default: the current folder)")
    p.add_argument("--no-serve", action="store_true", help="load the demo data and stop")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "serve", help="serve the web application (production; settings from JIXIAO_* variables)"
    )
    p.add_argument("--host", default=os.environ.get("JIXIAO_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("JIXIAO_PORT", "8000")))
    p.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("JIXIAO_THREADS", "1")),
        help="threads per process (default 1: each process serves one request at a time, which keeps "
        "latency even under load; behind no buffering proxy, raise it for slow clients)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes (default: cores + 1 with gunicorn; 1 = waitress in one process)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "import", help="parse disclosures and store them in the database (JIXIAO_DATABASE_URL)"
    )
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")
    p.add_argument(
        "--unit",
        metavar="SPEC",
        help="file the documents under this unit (code, REGION:CODE or id:N); a document naming another "
        "unit stops unless --confirm-unit; a code no unit has yet is the code of the unit the document names",
    )
    p.add_argument("--unit-id", type=int, metavar="N", help="file the documents under the unit with this id")
    p.add_argument(
        "--confirm-unit",
        action="store_true",
        help="import into --unit even when the document names another unit",
    )
    p.add_argument("--year", type=int, help="the budget year when the document does not say")
    p.add_argument("--region", help="region of the unit (units are identified by region + code + name)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every warning")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "report",
        help="import filled monitoring / self-evaluation workbooks (jixiao template) into the database",
        description="Store the 运行监控 or 绩效自评 entered in workbooks written by `jixiao template`; "
        "every wrong cell is reported by sheet and cell and nothing of that workbook is stored.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.xlsx")
    p.add_argument("--kind", choices=("monitor", "selfeval"), help="default: from the sheet names")
    p.add_argument(
        "--unit", metavar="SPEC", help="look the projects up in this unit only (code, REGION:CODE or id:N)"
    )
    p.add_argument("--unit-id", type=int, metavar="N", help="the same, by the unit's id")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("user", help="manage accounts")
    usub = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    c = usub.add_parser("create", help="create an account")
    c.add_argument("name")
    c.add_argument("--role", required=True, choices=("admin", "reviewer", "unit"))
    c.add_argument(
        "--unit",
        action="append",
        metavar="SPEC",
        help="unit: code, REGION:CODE when several units share it, or id:N (repeat for several units)",
    )
    c.add_argument("--password", help="password (default: generated and printed)")
    c.set_defaults(func=cmd_user)
    c = usub.add_parser("set", help="change an account: role, units, password, active or not")
    c.add_argument("name")
    c.add_argument("--role", choices=("admin", "reviewer", "unit"))
    c.add_argument(
        "--unit",
        action="append",
        metavar="SPEC",
        help="unit: code, REGION:CODE or id:N (repeat; replaces the account's units)",
    )
    c.add_argument("--password", help="a new password (at least 8 characters)")
    act = c.add_mutually_exclusive_group()
    act.add_argument("--active", dest="active", action="store_const", const=True, help="may log in again")
    act.add_argument(
        "--inactive", dest="active", action="store_const", const=False, help="may not log in; tokens stop"
    )
    c.set_defaults(func=cmd_user_set, active=None)
    c = usub.add_parser("list", help="list the accounts (name, role, active, units, tokens)")
    c.set_defaults(func=cmd_user_list)

    p = sub.add_parser("token", help="issue an API token for a user (Authorization: Bearer TOKEN)")
    p.add_argument("name")
    p.add_argument(
        "--revoke",
        nargs="?",
        const="",
        metavar="PREFIX",
        help="revoke the user's tokens instead (all, or the one starting with PREFIX, e.g. jx_AbCd)",
    )
    p.set_defaults(func=cmd_token)
