"""CLI commands of the monitoring and self-evaluation cycle: `score`, `template`, `monitor`.

Registered in `jixiao.cli.main._registrars`. Every bad input prints located lines (`FILE: 自评表!F12: …`
or `FILE: 指标「…」: …`) to stderr and exits 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys

from jixiao.cli.common import EXIT_BAD_INPUT, write_out

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="score a project's year-end self-evaluation (项目支出绩效自评表)",
        description="Score FILE.json (budget, weights, indicators with actuals) or a filled "
        "自评表 workbook (FILE.xlsx from `jixiao template selfeval`). JSON output "
        "is one object for FILE.json and a list (one per sheet) for FILE.xlsx; "
        "text output adds a unit summary when the workbook has several projects.",
    )
    p.add_argument("file", metavar="FILE", help="FILE.json or FILE.xlsx")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    p.add_argument(
        "--check",
        action="store_true",
        help="FILE.json is a published 自评表 as printed (indicators with weight and score, "
        "the printed total): recompute it by the method and list where the printed "
        "scores differ and why, with the recomputed grade beside the printed one",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse a table whose weights do not total 100 (default: score it with its own "
        "weights, scale the total to 100 and name the deviation)",
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "template",
        help="write a pre-filled Excel workbook for monitoring or self-evaluation",
        description="Write a 绩效运行监控表 or 项目支出绩效自评表 workbook, one sheet per "
        "project, pre-filled from a disclosure (--from FILE) or the database "
        "(--unit, --year).",
    )
    p.add_argument("kind", choices=("monitor", "selfeval"))
    p.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="a disclosure document (.txt .docx .xlsx .html .pdf) to take the projects from",
    )
    p.add_argument(
        "--unit",
        metavar="SPEC",
        help="budget unit (needs the database): its code, REGION:CODE when several units share "
        "the code (REGION a division code such as 130303 or the end of the region name), "
        "or id:N",
    )
    p.add_argument("--year", type=int, help="budget year (default: the document's)")
    p.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        help="monitoring: data to this date (default: 31 July of the year)",
    )
    p.add_argument("-o", "--output", metavar="FILE.xlsx", required=True)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser(
        "monitor",
        help="traffic lights of a filled 绩效运行监控表 workbook",
        description="Read a filled monitoring workbook and print each project's lights; "
        "every wrong or missing cell is reported with its sheet and cell.",
    )
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--draft", action="store_true", help="accept missing reasons and actuals (report them as warnings)"
    )
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    p.set_defaults(func=cmd_monitor)


def _fail(name: str, lines: list[str] | str) -> int:
    for line in [lines] if isinstance(lines, str) else lines:
        print(f"{name}: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _read(name: str) -> bytes:
    from pathlib import Path

    return Path(name).read_bytes()


def cmd_score(args: argparse.Namespace) -> int:
    import json

    from jixiao.cli.export import InputError, load_evaluations
    from jixiao.cycle.evaluate import (
        EvaluationError,
        ScoringSettings,
        render_summary,
        render_text,
        result_to_dict,
        score_evaluation,
    )

    name = args.file
    try:
        data = _read(name)
    except OSError as e:
        return _fail(name, f"无法读取文件：{e.strerror or e}")
    if getattr(args, "check", False):
        return _check_published(name, data, args)
    single = not (data.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm")))
    try:
        evs = load_evaluations(name, data)
        settings = ScoringSettings(strict=bool(getattr(args, "strict", False)))
        results = [score_evaluation(ev, settings) for ev in evs]
    except InputError as e:
        return _fail(name, e.lines)
    except EvaluationError as e:
        return _fail(name, str(e))
    if args.format == "json":
        dicts = [result_to_dict(ev, r) for ev, r in zip(evs, results, strict=True)]
        payload: Any = dicts[0] if single else dicts
        write_out(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    parts = [render_text(ev, r) for ev, r in zip(evs, results, strict=True)]
    if len(evs) > 1:
        parts.append(render_summary(evs, results))
    write_out("\n".join(parts), args.output)
    return 0


def _check_published(name: str, data: bytes, args: argparse.Namespace) -> int:
    import json

    from jixiao.cycle.evaluate import check_published, published_from_dict, render_check

    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return _fail(name, f"invalid JSON: {e}")
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), list):
        return _fail(name, "应为已公开自评表的 JSON：含 indicators（每行 target、actual、weight、score）")
    table = published_from_dict(doc)
    check = check_published(table)
    if args.format == "json":
        write_out(json.dumps(check.to_dict(), ensure_ascii=False, indent=2) + "\n", args.output)
    else:
        write_out(render_check(table, check), args.output)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    if not args.source:
        if not (args.unit and args.year):
            return _fail("template", "需要 --from FILE（公开文件），或 --unit CODE --year Y（数据库）")
        try:  # the web app provides unit_projects(code, year) -> (projects, unit name)
            from jixiao.cli.common import unit_projects
        except Exception:  # no web app, or it cannot start (no Django, no settings)
            return _fail(
                "template", "--unit 需要数据库（web 应用）；没有数据库时请用 --from FILE 指定公开文件"
            )
        try:
            projects, unit_name = unit_projects(args.unit, args.year)
        except ValueError as e:  # units.UnitSpecError: no such unit, or a code several units share
            return _fail("template", getattr(e, "message", str(e)))
        if not projects:
            return _fail("template", f"单位 {args.unit} 在 {args.year} 年没有项目")
        return _write_template(args, projects, args.year, unit_name)
    from jixiao.ingest import ReadError, parse_file

    try:
        doc = parse_file(args.source, year=args.year)
    except ReadError as e:
        return _fail(e.source, f"{e.location}: {e.message}")
    year = args.year or doc.year
    if year is None:
        return _fail(args.source, "文件未写明预算年度，请用 --year 指定")
    projects = doc.projects
    if args.unit:
        projects = [p for p in projects if (p.unit_code or doc.unit_code) == args.unit]
    if not projects:
        return _fail(args.source, "没有找到项目绩效目标表" + (f"（单位 {args.unit}）" if args.unit else ""))
    return _write_template(args, projects, year, doc.unit_name)


def _write_template(args: argparse.Namespace, projects: list[Any], year: int, unit_name: str | None) -> int:
    from datetime import date

    from jixiao.cycle.workbooks import monitor_template, selfeval_template

    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            return _fail("--as-of", f"「{args.as_of}」不是日期（YYYY-MM-DD）")
    if args.kind == "monitor":
        data = monitor_template(projects, year, as_of=as_of, unit_name=unit_name)
    else:
        data = selfeval_template(projects, year, unit_name=unit_name)
    write_out(data, args.output)
    print(f"{args.output}: {len(projects)} 个项目", file=sys.stderr)
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    import json
    from decimal import Decimal

    from jixiao.cycle.monitor import LIGHT_LABELS, MonitorError, assess, result_to_dict, validate_snapshot
    from jixiao.cycle.workbooks import WorkbookError, read_monitor_workbook

    name = args.file
    try:
        snaps = read_monitor_workbook(_read(name), complete=not args.draft)
        results = [assess(s) for s in snaps]
    except OSError as e:
        return _fail(name, f"无法读取文件：{e.strerror or e}")
    except WorkbookError as e:
        return _fail(name, e.problems)
    except MonitorError as e:
        return _fail(name, str(e))
    problems = [validate_snapshot(s, r) for s, r in zip(snaps, results, strict=True)]

    def pct(d: Decimal | None) -> str:
        from decimal import Decimal

        return "未填" if d is None else f"{(d * 100).quantize(Decimal('0.1'))}%"

    def label(light: str | None) -> str:
        return LIGHT_LABELS.get(light or "", "未填")

    if args.format == "json":
        out = [result_to_dict(s, r, p) for s, r, p in zip(snaps, results, problems, strict=True)]
        write_out(json.dumps(out, ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    from jixiao.cycle.evaluate import text_table as _table

    lines: list[str] = []
    for s, r, g in zip(snaps, results, problems, strict=True):
        lines.append(f"{s.project_name or ''}（截至 {s.as_of.isoformat()}）：{label(r.light)}")
        src = "资金支出计划" if r.expected_source == "plan" else "时间进度"
        lines.append(
            f"  资金：执行率 {pct(r.execution_rate)}，计划进度 {pct(r.expected)}（{src}），"
            f"进度比 {pct(r.spending_ratio)}：{label(r.spending_light)}"
        )
        rows = [["三级指标", "年度指标值", "截至监控日完成值", "进度比", "监控结果"]]
        for ind, i in zip(s.indicators, r.indicators, strict=True):
            rows.append(
                [
                    ind.name or "",
                    ind.target,
                    ind.actual or ind.status or "",
                    pct(i.ratio) if i.ratio is not None else "",
                    label(i.light),
                ]
            )
        lines += ["  " + ln for ln in _table(rows)]
        lines += [f"  ！{p}" for p in g]
        lines.append("")
    write_out("\n".join(lines), args.output)
    return 0
