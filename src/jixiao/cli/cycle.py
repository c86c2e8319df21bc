"""CLI commands of the monitoring and self-evaluation cycle: `score`, `check`, `template`, `monitor`.

Registered in `jixiao.cli.main._registrars`. Every bad input prints located lines (`FILE: 自评表!F12: …`
or `FILE: 指标「…」: …`) to stderr and exits 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys

from jixiao.cli.common import EXIT_BAD_INPUT, add_parse_limits, budget_year, unopened, write_out
from jixiao.oserror import os_reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    import json
    from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="为项目年度绩效自评评分（项目支出绩效自评表）",
        description="为 FILE.json（预算、分值、指标及实际完成值）或填好的自评表工作簿"
        "（`jixiao template selfeval` 生成的 FILE.xlsx）评分。json 输出：FILE.json 为一个对象，"
        "FILE.xlsx 为列表（每个工作表一个）；text 输出在工作簿有多个项目时附单位汇总。",
    )
    p.add_argument("file", metavar="FILE", help="FILE.json 或 FILE.xlsx")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认：标准输出）")
    p.add_argument(
        "--check",
        action="store_true",
        help="FILE 是已公开的自评表（页面 .txt/.pdf/.docx/.xlsx/.html，"
        "或其 JSON 摘录，含各指标分值、得分与总分）：按评分办法重算，"
        "列出与公开得分不一致之处及原因，并并列重算等级与公开等级",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="分值合计不是 100 时拒绝评分（默认：按表中分值评分，总分折算为百分制并指出偏差）",
    )
    add_parse_limits(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "check",
        help="复核已公开的项目支出绩效自评表（公开页面或其 JSON 摘录）",
        description="读出 FILE 中的每一张已公开自评表（.txt .pdf .docx .xlsx .html 页面，"
        "或 FILE.json 摘录），"
        "按评分办法重算各指标得分、总分和等级，列出与公开得分不一致之处及原因。"
        "json 输出：FILE.json 为一个对象，页面为列表（每张自评表一个）。",
    )
    p.add_argument("file", metavar="FILE", help="自评表页面或 FILE.json")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认：标准输出）")
    add_parse_limits(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "template",
        help="生成预填的运行监控或绩效自评 Excel 工作簿",
        description="生成绩效运行监控表或项目支出绩效自评表工作簿，每个项目一个工作表，"
        "按公开文件（--from FILE）或数据库（--unit、--year）预填。",
    )
    p.add_argument("kind", choices=("monitor", "selfeval"), help="monitor：运行监控表；selfeval：自评表")
    p.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="从这份公开文件（.txt .docx .xlsx .html .pdf）取项目",
    )
    p.add_argument(
        "--unit",
        metavar="SPEC",
        help="预算单位（需要数据库）：单位编码；几个单位编码相同时用 REGION:CODE"
        "（REGION 为区划代码如 130303，或地区名称的末尾）；或 id:N",
    )
    p.add_argument("--year", type=budget_year, help="预算年度（默认：文件中的年度）")
    p.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        help="运行监控：数据截至日期（默认：当年 7 月 31 日）",
    )
    p.add_argument("-o", "--output", metavar="FILE.xlsx", required=True, help="输出的工作簿")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser(
        "monitor",
        help="读取填好的绩效运行监控表工作簿，给出各项目的红黄绿灯",
        description="读取填好的运行监控工作簿，输出每个项目的监控灯色；"
        "每个有误或缺漏的单元格都写明工作表和单元格。",
    )
    p.add_argument(
        "file",
        metavar="FILE",
        help="填好的运行监控工作簿 FILE.xlsx，或已公开的运行监控表页面（.txt .pdf .docx .xlsx .html）",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    p.add_argument("--draft", action="store_true", help="允许缺少原因和实际值（作为警告列出）")
    p.add_argument("--year", type=budget_year, metavar="YYYY", help="已公开页面未写明年度时的预算年度")
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认：标准输出）")
    add_parse_limits(p)
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
        return _fail(name, f"无法读取文件：{os_reason(e)}")
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


def _json_error(e: UnicodeDecodeError | json.JSONDecodeError) -> str:
    import json

    if isinstance(e, json.JSONDecodeError):
        return f"第 {e.lineno} 行第 {e.colno} 列: 不是有效的 JSON"
    return "不是 UTF-8 编码的 JSON 文件"


def _check_published(name: str, data: bytes, args: argparse.Namespace) -> int:
    """A published 自评表 checked by the method: its extraction as JSON (one object out), or the
    page itself (.txt/.pdf/.docx/.xlsx/.html: every 自评表 in it read and checked, a list out)."""
    import json

    from jixiao.cycle.evaluate import (
        check_published,
        published_from_dict,
        render_check,
        uncheckable_reason,
    )

    if not _is_json(name, data):
        return _check_page(name, data, args)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return _fail(name, _json_error(e))
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), list):
        return _fail(name, "应为已公开自评表的 JSON：含 indicators（每行 target、actual、weight、score）")
    table = published_from_dict(doc)
    try:
        check = check_published(table)
    except (ValueError, ArithmeticError) as e:
        return _fail(name, f"表中的数无法按方法复算：{uncheckable_reason(e)}")
    if args.format == "json":
        write_out(json.dumps(check.to_dict(), ensure_ascii=False, indent=2) + "\n", args.output)
    else:
        write_out(render_check(table, check), args.output)
    return 0


def _is_json(name: str, data: bytes) -> bool:
    """A JSON extraction (FILE.json, or text that opens with `{`) rather than a page."""
    if name.lower().endswith(".json"):
        return True
    if name.lower().endswith((".txt", ".pdf", ".docx", ".xlsx", ".xlsm", ".html", ".htm")):
        return False
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _check_page(name: str, data: bytes, args: argparse.Namespace) -> int:
    import json

    from jixiao.cli.common import parse_limits, read_error_text, read_selfeval_path
    from jixiao.cycle.evaluate import (
        check_published,
        published_from_reading,
        render_check,
        uncheckable_reason,
    )
    from jixiao.ingest import ReadError
    from jixiao.ingest.selfeval import NoSelfEvaluation

    try:
        # in a worker process held to --timeout / --memory-mb, as 自评表复核 reads an upload
        tables = read_selfeval_path(name, data, parse_limits(args))
    except NoSelfEvaluation as e:
        return _fail(name, e.message)
    except ReadError as e:
        print(read_error_text(e), file=sys.stderr)
        return EXIT_BAD_INPUT
    checks = []
    for t in tables:
        pub = published_from_reading(t)
        try:
            checks.append((t, pub, check_published(pub)))
        except (ValueError, ArithmeticError) as e:
            where = f"{t.loc.zh()}: " if t.loc else ""
            return _fail(name, f"{where}表中的数无法按方法复算：{uncheckable_reason(e)}")
    if args.format == "json":
        out = []
        for t, _pub, check in checks:
            out.append(
                {
                    "project_name": t.project_name,
                    "year": t.year,
                    "location": t.loc.zh() if t.loc else None,
                    "table": t.to_dict(),
                    "check": check.to_dict(),
                }
            )
        write_out(json.dumps(out, ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    parts = []
    for t, pub, check in checks:
        where = f"（{t.loc.zh()}）" if t.loc and len(checks) > 1 else ""
        parts.append(f"{name}{where}\n" + render_check(pub, check))
    write_out("\n".join(parts), args.output)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`jixiao check FILE`: `jixiao score --check FILE`."""
    name = args.file
    try:
        data = _read(name)
    except OSError as e:
        return _fail(name, f"无法读取文件：{os_reason(e)}")
    return _check_published(name, data, args)


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
            projects, unit_name, left_out = unit_projects(args.unit, args.year)
        except ValueError as e:  # units.UnitSpecError: no such unit, or a code several units share
            return _fail("template", getattr(e, "message", str(e)))
        if not projects:
            if left_out:
                return _fail(
                    "template",
                    f"单位 {args.unit} 在 {args.year} 年没有已批复或已公开的项目（{'、'.join(left_out)}）："
                    "运行监控和绩效自评只对已批复或已公开的绩效目标填报",
                )
            return _fail("template", f"单位 {args.unit} 在 {args.year} 年没有项目")
        if left_out:
            print(
                f"jixiao template: 未列入 {len(left_out)} 个尚未批复的项目（运行监控和绩效自评只对"
                f"已批复或已公开的绩效目标填报）：{'、'.join(left_out)}",
                file=sys.stderr,
            )
        return _write_template(args, projects, args.year, unit_name)
    from jixiao.ingest import ReadError, parse_file

    try:
        doc = parse_file(args.source, year=args.year)
    except ReadError as e:
        return _fail(e.source, unopened(e) or f"{e.location.zh()}: {e.message}")
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


class _PageFailed(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines)
        self.lines = lines


def _published_snapshots(
    name: str, data: bytes, year: int | None, limits: Any, quiet: bool = False
) -> list[Any] | None:
    """The snapshots of a published 监控表 page (its warnings printed), read within `limits`
    (`read_bounded`), or — `quiet` — None where the file holds none; `_PageFailed` (Chinese lines)
    when it cannot be read (an overrun of the limits, quiet or not)."""
    from jixiao.cli.common import overrun_hint, read_bounded
    from jixiao.cycle.monitor import snapshot_from_reading
    from jixiao.ingest import ReadError
    from jixiao.ingest.monitoring import NoMonitoring, read_monitoring_bytes

    try:
        tables = read_bounded(read_monitoring_bytes, name, data, limits)
    except ReadError as e:
        if hint := overrun_hint(e):
            raise _PageFailed([f"{e.message}{hint}"]) from None
        if quiet:
            return None
        raise _PageFailed([unopened(e) or f"{e.location.zh()}: {e.message}"]) from None
    except NoMonitoring as e:
        if quiet:
            return None
        raise _PageFailed([e.message]) from None
    snaps = []
    for t in tables:
        snap, warnings = snapshot_from_reading(t, year)
        for w in warnings:
            print(w, file=sys.stderr)
        snaps.append(snap)
    return snaps


def cmd_monitor(args: argparse.Namespace) -> int:
    import json
    from decimal import Decimal

    from jixiao.cli.common import parse_limits
    from jixiao.cycle.monitor import LIGHT_LABELS, MonitorError, assess, result_to_dict, validate_snapshot
    from jixiao.cycle.workbooks import WorkbookError, read_monitor_workbook

    name = args.file
    try:
        data = _read(name)
    except OSError as e:
        return _fail(name, f"无法读取文件：{os_reason(e)}")
    workbook = data.startswith(b"PK\x03\x04") and name.lower().endswith((".xlsx", ".xlsm"))
    limits = parse_limits(args)
    try:
        try:
            snaps = read_monitor_workbook(data, complete=not args.draft) if workbook else None
        except WorkbookError as e:
            snaps = _published_snapshots(name, data, args.year, limits, quiet=True)
            if snaps is None:
                return _fail(name, e.problems)
        if snaps is None:
            try:
                snaps = _published_snapshots(name, data, args.year, limits)
            except _PageFailed as e:
                # neither a published page nor a workbook: say what a workbook would have been
                try:
                    read_monitor_workbook(data, complete=not args.draft)
                except WorkbookError as we:
                    raise _PageFailed(e.lines + we.problems) from None
                raise
        results = [assess(s) for s in snaps]
    except _PageFailed as e:
        return _fail(name, e.lines)
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
