"""`jixiao export targets|selfeval|monitor FILE ... --format xlsx|docx|pdf -o OUT`: the standard tables.

- targets: 项目绩效目标表 of disclosures (any format `jixiao parse` reads); several files are written
  as one document, projects in order (each keeps its own unit line). Also --format html.
- selfeval: 项目支出绩效自评表 of the inputs `jixiao score` reads (FILE.json, or a filled 自评表 workbook
  FILE.xlsx), one per project, with the unit summary when there are several projects.
- monitor: 项目绩效运行监控表 of filled monitoring workbooks (as `jixiao monitor` reads them), with
  the unit summary when there are several projects; --draft accepts missing reasons and actuals.

PDF is made from the .docx through LibreOffice. Bad input prints located lines on stderr
(`FILE: 自评表!F12: …`) and exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from jixiao.cli.common import EXIT_BAD_INPUT, budget_year, unopened, write_out
from jixiao.oserror import os_reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any

KINDS = ("targets", "selfeval", "monitor")


class InputError(Exception):
    """Bad input: `lines` are printed as `FILE: line` on stderr."""

    def __init__(self, name: str, lines: list[str] | str) -> None:
        self.name = name
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__(f"{name}: {self.lines[0] if self.lines else ''}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="导出标准表格（绩效目标表、自评表、监控表）为 .xlsx、.docx 或 PDF",
        description="targets：公开文件的项目绩效目标表；selfeval：FILE.json 或填好的自评表工作簿的"
        "项目支出绩效自评表（及汇总）；monitor：填好的运行监控工作簿的项目绩效运行监控表（及汇总）。"
        "导出 PDF 需要 LibreOffice（soffice）。",
    )
    p.add_argument("kind", choices=KINDS, help="表格种类")
    p.add_argument("files", nargs="+", metavar="FILE", help="输入文件")
    p.add_argument(
        "--format",
        choices=("xlsx", "docx", "pdf", "html"),
        default=None,
        help="输出格式（默认：按 OUT 的扩展名）；html 仅用于 targets",
    )
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="输出文件")
    p.add_argument("--year", type=budget_year, help="targets：文件未写明时的预算年度")
    p.add_argument("--unit-name", dest="unit_name", metavar="NAME", help="表中打印的实施单位名称")
    p.add_argument("--department", metavar="NAME", help="自评表和监控表上打印的主管部门")
    p.add_argument("--draft", action="store_true", help="monitor：允许缺少原因和实际值（留空打印）")
    p.add_argument("--timeout", type=float, default=180.0, help="PDF：等待 LibreOffice 的秒数（默认 180）")
    p.set_defaults(func=cmd_export)


def _format_of(args: argparse.Namespace) -> str:
    from pathlib import Path

    if args.format:
        return str(args.format)
    ext = Path(args.output).suffix.lower().lstrip(".")
    if ext in ("xlsx", "docx", "pdf", "html"):
        return ext
    raise InputError(args.output, "无法从文件扩展名判断格式，请用 --format xlsx|docx|pdf 指定")


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jixiao.export.pdf import PdfError, docx_to_pdf

    try:
        fmt = _format_of(args)
        if fmt == "html" and args.kind != "targets":
            raise InputError(args.output, "html 只用于 targets；自评表和监控表请导出 xlsx、docx 或 pdf")
        if args.kind == "targets":
            data = _targets(args, fmt)
        elif args.kind == "selfeval":
            data = _selfeval(args, fmt)
        else:
            data = _monitor(args, fmt)
        if isinstance(data, tuple):  # ("docx", bytes) to be converted
            data = docx_to_pdf(data[1], timeout=args.timeout, name=Path(args.output).stem or "document")
    except InputError as e:
        for line in e.lines:
            print(f"{e.name}: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PdfError as e:
        print(f"{args.output}: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_out(data, args.output)
    return 0


def _read(name: str) -> bytes:
    from pathlib import Path

    try:
        return Path(name).read_bytes()
    except OSError as e:
        raise InputError(name, f"无法读取文件：{os_reason(e)}") from None


def _targets(args: argparse.Namespace, fmt: str) -> bytes | str | tuple[str, bytes]:
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.export.html import disclosure_to_html
    from jixiao.export.xlsx import disclosure_to_xlsx
    from jixiao.ingest import ReadError, parse_file
    from jixiao.model import Disclosure

    docs: list[Disclosure] = []
    for name in args.files:
        try:
            doc = parse_file(name, year=args.year)
        except ReadError as e:
            why = unopened(e) or f"{e.location.zh()}: {e.message}"
            raise InputError(e.source, why) from None
        if not doc.projects:
            raise InputError(name, "没有找到项目绩效目标表")
        docs.append(doc)
    doc = docs[0] if len(docs) == 1 else merge_disclosures(docs)
    if args.unit_name:
        doc.unit_name = args.unit_name
    if fmt == "xlsx":
        return disclosure_to_xlsx(doc)
    if fmt == "html":
        return disclosure_to_html(doc)
    data = disclosure_to_docx(doc)
    return ("docx", data) if fmt == "pdf" else data


def merge_disclosures(docs: list[Any]) -> Any:
    """Several disclosures as one document: the first one's unit and year, every project in order
    (renumbered), each keeping the unit its own document names; the unit goals are left out."""
    from copy import deepcopy

    from jixiao.model import Disclosure

    first = docs[0]
    out = Disclosure(
        source="+".join(d.source for d in docs),
        unit_code=first.unit_code,
        unit_name=first.unit_name,
        year=first.year,
    )
    for d in docs:
        for p in d.projects:
            q = deepcopy(p)
            if q.unit_code is None and q.unit_name is None:
                q.unit_code, q.unit_name = d.unit_code, d.unit_name
            q.seq = len(out.projects) + 1
            out.projects.append(q)
    return out


# the formats of published pages (what `jixiao parse` reads), which `jixiao score` does not
PAGE_SUFFIXES = (".txt", ".docx", ".doc", ".pdf", ".html", ".htm")


def load_evaluations(name: str, data: bytes) -> list[Any]:
    """The `SelfEvaluation`s of a `jixiao score` input: a 自评表 workbook or FILE.json."""
    import json

    from jixiao.cycle.evaluate import EvaluationError, evaluation_from_dict
    from jixiao.cycle.workbooks import WorkbookError, read_selfeval_workbook

    suffix = os.path.splitext(name)[1].lower()
    if suffix in PAGE_SUFFIXES:  # a published 自评表 page: not what this reads
        raise InputError(
            name,
            f"{suffix} 文件不能直接评分：请给出 FILE.json（预算、分值、指标及实际完成值），或填好的自评表"
            "工作簿 FILE.xlsx（用 jixiao template selfeval --from 绩效目标表文件 -o 自评表.xlsx 生成后填写）",
        )
    try:
        if data.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm")):
            return list(read_selfeval_workbook(data))
        try:
            obj = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise InputError(name, "不是 UTF-8 编码的 JSON 文件") from None
        except json.JSONDecodeError as e:
            raise InputError(name, f"第 {e.lineno} 行: 不是有效的 JSON") from None
        return [evaluation_from_dict(obj)]
    except WorkbookError as e:
        raise InputError(name, e.problems) from None
    except EvaluationError as e:
        raise InputError(name, str(e)) from None


def _selfeval(args: argparse.Namespace, fmt: str) -> bytes | tuple[str, bytes]:
    from jixiao.cycle.evaluate import EvaluationError, score_evaluation
    from jixiao.export.selfeval import selfeval_to_docx, selfeval_to_xlsx

    items = []
    for name in args.files:
        for ev in load_evaluations(name, _read(name)):
            try:
                items.append((ev, score_evaluation(ev)))
            except EvaluationError as e:
                raise InputError(name, str(e)) from None
            if args.unit_name and not ev.unit_name:
                ev.unit_name = args.unit_name
    kw: dict[str, Any] = {"department": args.department, "unit_name": args.unit_name}
    if fmt == "xlsx":
        return selfeval_to_xlsx(items, **kw)
    data = selfeval_to_docx(items, **kw)
    return ("docx", data) if fmt == "pdf" else data


def _monitor(args: argparse.Namespace, fmt: str) -> bytes | tuple[str, bytes]:
    from jixiao.cycle.monitor import MonitorError, assess
    from jixiao.cycle.workbooks import WorkbookError, read_monitor_workbook
    from jixiao.export.monitoring import monitoring_to_docx, monitoring_to_xlsx

    items = []
    for name in args.files:
        try:
            snaps = read_monitor_workbook(_read(name), complete=not args.draft)
            items += [(s, assess(s)) for s in snaps]
        except WorkbookError as e:
            raise InputError(name, e.problems) from None
        except MonitorError as e:
            raise InputError(name, str(e)) from None
    kw: dict[str, Any] = {"department": args.department, "unit_name": args.unit_name}
    if fmt == "xlsx":
        return monitoring_to_xlsx(items, **kw)
    data = monitoring_to_docx(items, **kw)
    return ("docx", data) if fmt == "pdf" else data
