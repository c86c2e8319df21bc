"""`jixiao demo | serve | worker | import | user | token`: the web application's commands.

Every command that touches the database reads JIXIAO_DATABASE_URL (default: ./jixiao.sqlite3, the
file `jixiao demo` creates) and brings the schema up to date first. Writes go through `actions`.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from jixiao.cli.common import (
    EXIT_BAD_INPUT,
    add_parse_limits,
    budget_year,
    database_label,
    parse_limits,
    parse_path,
    prepare_database,
    read_error_text,
)
from jixiao.oserror import os_reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def default_workers() -> int:
    """Processes for `jixiao serve`: two per core plus one (gunicorn's rule; the pages are CPU-bound
    Python, one request at a time per process), or JIXIAO_WORKERS; 1 where gunicorn cannot run."""
    if os.name != "posix":
        return 1
    env = os.environ.get("JIXIAO_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"JIXIAO_WORKERS 应为进程数（正整数），现为“{env}”") from None
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
    # What start-up made (modules, templates, the URLconf, review settings) lives as long as the
    # server: out of the collector's sight, a full collection scans only what requests make (one
    # took ~130 ms on a big page's request before), and forked workers share those pages longer.
    gc.collect()
    gc.freeze()
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


def start_embedded_worker() -> Any:
    """The task worker process `jixiao serve` and `jixiao demo` run beside the web server, unless
    JIXIAO_TASK_WORKER=external says separate `jixiao worker` processes do the background work.
    It stops with the server (and on its own once the server is gone). None when not started."""
    import atexit
    import subprocess

    from django.conf import settings

    if settings.TASK_WORKER == "external":
        return None
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "worker", "--parent-pid", str(os.getpid()), "--interval", "0.5"],
        stdin=subprocess.DEVNULL,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    return proc


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the background tasks (exports, large uploads, re-reviews) until stopped."""
    if args.parent_pid:  # started by `jixiao serve`, which has just brought the schema up to date
        from jixiao.web import setup

        setup()
    else:
        prepare_database()
    from jixiao.web.tasks import run_worker

    if not args.parent_pid:
        print(f"jixiao worker：{database_label()}，等待后台任务（Ctrl-C 停止）", flush=True)
    run_worker(interval=args.interval, batch=args.batch, parent_pid=args.parent_pid)
    return 0


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
    from pathlib import Path

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
    start_embedded_worker()
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
    try:
        workers = args.workers or default_workers()
    except ValueError as e:
        print(f"jixiao serve：{e}，拒绝启动。", file=sys.stderr)
        return EXIT_BAD_INPUT
    prepare_database()
    print(
        f"jixiao serve：{database_label()}，http://{args.host}:{args.port}/"
        f"（{workers} 个进程 × {args.threads} 线程）",
        flush=True,
    )
    if start_embedded_worker() is not None:
        print(
            "后台任务：附带一个任务进程（生产环境可设 JIXIAO_TASK_WORKER=external，另行运行 jixiao worker）"
        )
    serve_wsgi(args.host, args.port, args.threads, workers)
    return 0


def _files(paths: list[str]) -> list[Path]:
    from pathlib import Path

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


def _unchanged(n: int) -> str:
    """「（其中 N 个无变化）」 after an update count, as the upload page says it; nothing for 0."""
    return f"（其中 {n} 个无变化）" if n else ""


def cmd_import(args: argparse.Namespace) -> int:
    prepare_database()
    from jixiao.ingest import ReadError
    from jixiao.web import actions
    from jixiao.web.actions.imports_many import import_many

    unit = None
    if args.unit_id is not None:
        unit, code = _unit_option(args, "import")
        if code:
            return code
    files = _files(args.paths)
    if not files:
        print("没有找到可导入的文件（.txt .docx .xlsx .html .pdf）", file=sys.stderr)
        return EXIT_BAD_INPUT
    # each file read in a worker process held to --timeout / --memory-mb (default: the settings')
    limits = parse_limits(args, actions.parse_limits())
    failed = 0
    totals = {"created": 0, "updated": 0, "unchanged": 0, "indicators": 0, "warnings": 0}
    tty = sys.stderr.isatty()

    def parse(f: Path) -> Any:
        return parse_path(str(f), year=args.year, limits=limits)  # a worker process (unless --timeout 0)

    # the next files parsed (each in a worker process) while one is stored; on PostgreSQL two
    # documents stored at once, those that may touch the same unit one after another (the outcome
    # of importing them in turn: `actions.imports_many`)
    done = import_many(
        None,
        files,
        parse,
        unit=unit,
        unit_code=args.unit,
        year=args.year,
        region=args.region or "",
        confirm_unit=args.confirm_unit,
        # a parse's time limit is wall-clock: no more parses at once than the machine has cores
        # beside this process's own work
        ahead=max(1, min(2, (os.cpu_count() or 1) - 1)),
    )
    for n, (f, r) in enumerate(done, 1):
        prefix = f"[{n}/{len(files)}]"
        if tty:
            bar = "#" * int(30 * (n - 1) / len(files))
            print(f"\r{prefix} [{bar:<30}] {f.name[:40]:<40}", end="", file=sys.stderr, flush=True)
        if isinstance(r, ReadError):
            failed += 1
            print(("\n" if tty else "") + read_error_text(r), file=sys.stderr)
            continue
        if isinstance(r, actions.ActionError):
            failed += 1
            # most of the import's refusals name the document already (its source: this file)
            message = r.message if r.message.startswith(f"{f}: ") else f"{f}: {r.message}"
            print(("\n" if tty else "") + message, file=sys.stderr)
            continue
        if isinstance(r, Exception):
            done.close()  # the documents being stored finish; no further one is started
            print(
                ("\n" if tty else "") + f"{f}: 导入中断（{type(r).__name__}），之前的文件已导入",
                file=sys.stderr,
            )
            raise r
        totals["created"] += r.created
        totals["updated"] += r.updated
        totals["unchanged"] += r.unchanged
        totals["indicators"] += r.indicators
        totals["warnings"] += len(r.warnings)
        line = (
            f"{prefix} {f}: {r.unit} {r.year or '年度未知'} 年，新项目 {r.created}，更新 {r.updated}"
            f"{_unchanged(r.unchanged)}，指标 {r.indicators}，警告 {len(r.warnings)}"
        )
        print(("\r" if tty else "") + line + (" " * 20 if tty else ""), file=sys.stderr)
        for d in r.dropped:
            print(f"    文件中没有：{d}", file=sys.stderr)
        if args.verbose:
            for w in r.warnings:
                print(f"    {w}", file=sys.stderr)
    print(
        f"完成：{len(files) - failed}/{len(files)} 个文件导入，新项目 {totals['created']} 个，更新 "
        f"{totals['updated']} 个{_unchanged(totals['unchanged'])}，指标 {totals['indicators']} 个，"
        f"警告 {totals['warnings']} 条"
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
    from jixiao.web.models import Unit

    before = list(Unit.objects.filter(members__username=(args.name or "").strip()).order_by("code", "name"))
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
    if before and not units and actions.why_no_units(user.role):
        print(
            f"已移除所属单位：{'、'.join(u.name for u in before)}（{user.get_role_display()}可查看所有单位）"
        )
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """The accounts, one per line, tab-separated under a header: 用户名 角色 状态 所属单位 API 令牌."""
    prepare_database()
    from jixiao.web.models import Role, User

    print("\t".join(["用户名", "角色", "状态", "所属单位", "API 令牌"]))
    for user in User.objects.order_by("username").prefetch_related("units", "tokens"):
        units = (
            "全部单位"
            if user.is_superuser or user.role != Role.UNIT
            else "、".join(u.code or u.name for u in user.units.all())
        )
        tokens = len(user.tokens.all())
        print(
            "\t".join(
                [
                    user.username,
                    user.get_role_display(),
                    "正常" if user.is_active else "已停用",
                    units or "-",
                    str(tokens),
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
    from pathlib import Path

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
            print(f"{name}: 无法读取文件：{os_reason(e)}", file=sys.stderr)
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
    """Add demo, serve, worker, import, report, user and token to the `jixiao` command line."""
    p = sub.add_parser("demo", help="创建带示例单位和账号的演示数据库（SQLite）并启动网页服务")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--data", metavar="DIR", help="存放 jixiao.sqlite3 的文件夹（默认：当前文件夹）")
    p.add_argument("--no-serve", action="store_true", help="只载入演示数据，不启动服务")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="启动网页服务（生产环境；设置取自 JIXIAO_* 环境变量）")
    p.add_argument(
        "--host", default=os.environ.get("JIXIAO_HOST", "127.0.0.1"), help="监听地址（默认 127.0.0.1）"
    )
    p.add_argument(
        "--port", type=int, default=int(os.environ.get("JIXIAO_PORT", "8000")), help="端口（默认 8000）"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("JIXIAO_THREADS", "1")),
        help="每个进程的线程数（默认 1：每个进程一次处理一个请求，负载高时延迟也平稳；"
        "前面没有缓冲代理时，可为慢速客户端调高）",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="进程数（默认：JIXIAO_WORKERS，否则 CPU 核数 × 2 + 1，最多 9，用 gunicorn；"
        "1 = 单进程 waitress）",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "worker",
        help="运行后台任务（导出 Word/PDF、导入大文件、重新审核），任务队列在数据库中",
        description="任务队列保存在数据库（JIXIAO_DATABASE_URL）中。`jixiao serve` 自带一个任务进程，"
        "除非设置 JIXIAO_TASK_WORKER=external；生产环境运行一个或多个 jixiao worker。",
    )
    p.add_argument("--interval", type=float, default=1.0, help="队列为空时每隔几秒查看一次（默认 1）")
    p.add_argument("--batch", action="store_true", help="运行完已排队的任务后退出")
    p.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("import", help="解析公开文件并存入数据库（JIXIAO_DATABASE_URL）")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="文件或文件夹")
    p.add_argument(
        "--unit",
        metavar="SPEC",
        help="把文件归入这个单位（编码、REGION:CODE 或 id:N）；文件写明的是别的单位时停止，"
        "除非给出 --confirm-unit；尚无单位使用的编码即作为文件所写单位的编码",
    )
    p.add_argument("--unit-id", type=int, metavar="N", help="把文件归入编号为 N 的单位")
    p.add_argument(
        "--confirm-unit",
        action="store_true",
        help="文件写明的是别的单位时，仍按 --unit 导入",
    )
    p.add_argument("--year", type=budget_year, help="文件未写明时的预算年度")
    p.add_argument("--region", help="单位所在地区（单位按地区 + 编码 + 名称识别）")
    p.add_argument("-v", "--verbose", action="store_true", help="列出每条警告")
    add_parse_limits(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "report",
        help="把填好的运行监控 / 绩效自评工作簿（jixiao template 生成）导入数据库",
        description="保存在 `jixiao template` 生成的工作簿中填写的运行监控或绩效自评；"
        "每个有误的单元格都写明工作表和单元格，有误的工作簿一项也不保存。",
    )
    p.add_argument("files", nargs="+", metavar="FILE.xlsx", help="填好的工作簿")
    p.add_argument(
        "--kind",
        choices=("monitor", "selfeval"),
        help="monitor：运行监控；selfeval：绩效自评（默认：按工作表名判断）",
    )
    p.add_argument("--unit", metavar="SPEC", help="只在这个单位中查找项目（编码、REGION:CODE 或 id:N）")
    p.add_argument("--unit-id", type=int, metavar="N", help="同上，按单位编号")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("user", help="管理账号")
    usub = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    c = usub.add_parser("create", help="创建账号")
    c.add_argument("name", help="用户名")
    c.add_argument(
        "--role", required=True, choices=("admin", "reviewer", "unit"), help="角色：管理员、审核人、单位用户"
    )
    c.add_argument(
        "--unit",
        action="append",
        metavar="SPEC",
        help="所属单位：编码，几个单位编码相同时用 REGION:CODE，或 id:N（多个单位时重复给出）",
    )
    c.add_argument("--password", help="密码（默认：自动生成并显示）")
    c.set_defaults(func=cmd_user)
    c = usub.add_parser("set", help="修改账号：角色、所属单位、密码、是否停用")
    c.add_argument("name", help="用户名")
    c.add_argument("--role", choices=("admin", "reviewer", "unit"), help="角色：管理员、审核人、单位用户")
    c.add_argument(
        "--unit",
        action="append",
        metavar="SPEC",
        help="所属单位：编码、REGION:CODE 或 id:N（可重复；替换原有的所属单位）",
    )
    c.add_argument("--password", help="新密码（至少 8 个字符）")
    act = c.add_mutually_exclusive_group()
    act.add_argument("--active", dest="active", action="store_const", const=True, help="恢复登录")
    act.add_argument(
        "--inactive", dest="active", action="store_const", const=False, help="停用：不能登录，API 令牌失效"
    )
    c.set_defaults(func=cmd_user_set, active=None)
    c = usub.add_parser("list", help="列出账号（用户名、角色、状态、所属单位、令牌数）")
    c.set_defaults(func=cmd_user_list)

    p = sub.add_parser("token", help="为用户签发 API 令牌（Authorization: Bearer 令牌）")
    p.add_argument("name", help="用户名")
    p.add_argument(
        "--revoke",
        nargs="?",
        const="",
        metavar="PREFIX",
        help="改为撤销该用户的令牌（全部，或以 PREFIX 开头的那个，如 jx_AbCd）",
    )
    p.set_defaults(func=cmd_token)
