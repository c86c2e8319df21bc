"""`jixiao corpus import | load | compare | library`: the corpus commands.

Beside the other command groups at the bottom of the layers, so that `corpus load` may reach the
web layer (`web.actions.corpus`) while `jixiao.corpus` itself never imports it. Dask, pyarrow and
Django are imported only when a command runs, so that `jixiao --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys

from jixiao.cli.common import EXIT_BAD_INPUT, budget_year

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any


class _Ticker:
    """Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, text: str, *, final: bool = False) -> None:
        import time

        now = time.monotonic()
        if self.tty:
            sys.stderr.write(f"\r{self.label}：{text}\033[K" + ("\n" if final else ""))
            sys.stderr.flush()
        elif final or now - self.last >= 5:
            print(f"{self.label}：{text}", file=sys.stderr)
            self.last = now


def cmd_import(args: argparse.Namespace) -> int:
    from jixiao.corpus.build import Progress, import_corpus

    tick = _Ticker("导入")

    def progress(p: Progress) -> None:
        rate = p.done / p.elapsed if p.elapsed else 0.0
        tick(
            f"{p.done}/{p.total} 个文件，{p.bytes / 1048576:.1f} MB，失败 {p.failed}，"
            f"{rate:.1f} 个/秒，用时 {p.elapsed:.0f} 秒",
            final=p.done == p.total,
        )

    s = import_corpus(
        args.inputs,
        args.out,
        scheduler=args.scheduler,
        workers=args.workers,
        batch_size=args.batch,
        year=args.year,
        retry_failed=args.retry_failed,
        progress=progress,
    )
    if s.found == 0:
        print(
            f"{' '.join(args.inputs)}: 没有找到可导入的文件（.txt .docx .xlsx .html .pdf）", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    for path, message in s.failures:
        print(message if message.startswith(path) else f"{path}: {message}", file=sys.stderr)
    order = [*_STATUS, *sorted(set(s.by_status) - set(_STATUS))]
    status = "，".join(f"{_STATUS.get(k, k)} {s.by_status[k]}" for k in order if s.by_status.get(k))
    peak = max(s.worker_peak_rss.values(), default=0) / 1048576
    print(
        f"共 {s.found} 个文件：本次处理 {s.documents} 个（{status or '无'}），已完成跳过 {s.skipped} 个；"
        f"{s.indicators} 个指标；{s.bytes / 1048576:.1f} MB，{s.seconds:.1f} 秒，"
        f"{s.workers} 个工作进程，每进程内存峰值 {peak:.0f} MB；数据集 {args.out}",
        file=sys.stderr,
    )
    return 0


_STATUS = {"ok": "成功", "warnings": "有警告", "empty": "无绩效目标表", "failed": "失败"}


def cmd_load(args: argparse.Namespace) -> int:
    from jixiao.cli.common import database_label, prepare_database

    prepare_database()
    from jixiao.web.actions import ActionError
    from jixiao.web.actions.corpus import LoadProgress, load_dataset

    tick = _Ticker("载入")

    def progress(p: LoadProgress) -> None:
        tick(
            f"{p.partitions_done}/{p.partitions} 个分区，{p.indicators} 个指标，用时 {p.elapsed:.0f} 秒",
            final=p.partitions_done == p.partitions,
        )

    try:
        s = load_dataset(None, args.dataset, batch=args.batch, progress=progress)
    except ActionError as e:
        print(e.message, file=sys.stderr)
        return EXIT_BAD_INPUT
    for msg in s.not_loaded:
        print(msg, file=sys.stderr)
    rate = s.rows / s.seconds if s.seconds else 0.0
    print(
        f"已载入 {database_label()}：{s.documents} 个文件，"
        f"新建单位 {s.units} 个、单位年度 {s.unit_years} 个、"
        f"项目 {s.projects} 个、指标 {s.indicators} 个；已存在未改动的项目 {s.projects_existing} 个；"
        f"{s.seconds:.1f} 秒（{rate:.0f} 行/秒）"
    )
    return 0


def _frame(dataset_dir: str) -> Any:
    from jixiao.corpus.compare import load_indicators

    if not os.path.isdir(os.path.join(dataset_dir, "documents")):
        raise SystemExit(
            f"{dataset_dir}: 不是语料库数据集（没有 documents 目录）；请先运行 jixiao corpus import。"
        )
    return load_indicators(dataset_dir)


def cmd_compare(args: argparse.Namespace) -> int:
    import json

    from jixiao.corpus.compare import compare, comparison_to_dict, format_comparison, select

    try:
        frame = _frame(args.dataset)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return EXIT_BAD_INPUT
    subjects = select(frame, unit=args.unit, project=args.project, indicator=args.indicator, year=args.year)
    if not subjects:
        print("没有找到符合条件的指标（请检查 --unit、--project、--indicator、--year）", file=sys.stderr)
        return EXIT_BAD_INPUT
    if len(subjects) > args.limit:
        print(
            f"找到 {len(subjects)} 个指标，只比较前 {args.limit} 个（用 --limit 或更具体的条件）",
            file=sys.stderr,
        )
    results = [compare(frame, s, same_name=args.same_name) for s in subjects[: args.limit]]
    if args.format == "json":
        print(json.dumps([comparison_to_dict(r) for r in results], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(format_comparison(r) for r in results))
    return 0


def cmd_library(args: argparse.Namespace) -> int:
    import json

    from jixiao.corpus.library import build_library, format_library, library_to_dict

    try:
        frame = _frame(args.dataset)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return EXIT_BAD_INPUT
    lib = build_library(
        frame, department=args.department, project_words=args.project, top=args.top, examples=args.examples
    )
    if args.format == "json":
        print(json.dumps(library_to_dict(lib), ensure_ascii=False, indent=2))
    else:
        print(format_library(lib))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("corpus", help="大量单位的公开文件：用 Dask 批量解析、入库、比较、指标库")
    cs = p.add_subparsers(dest="corpus_command", required=True, metavar="SUBCOMMAND")

    q = cs.add_parser("import", help="并行解析文件为 Parquet 数据集（可续做）")
    q.add_argument("inputs", nargs="+", metavar="DIR|GLOB|FILE", help="文件夹、通配符或文件")
    q.add_argument("--out", required=True, metavar="DATASET", help="数据集文件夹（不存在则创建；续做时沿用）")
    q.add_argument(
        "--scheduler",
        default=os.environ.get("JIXIAO_DASK_SCHEDULER"),
        metavar="ADDRESS",
        help="运行中的 Dask 调度器（tcp://host:8786）；默认：本机集群（或 JIXIAO_DASK_SCHEDULER）",
    )
    q.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="本机工作进程数（默认：每核一个；0：在本进程中执行，不用 Dask）",
    )
    q.add_argument("--batch", type=int, metavar="N", help="每个任务和分区的文件数（默认：自动）")
    q.add_argument("--year", type=budget_year, help="文件未写明时的预算年度")
    q.add_argument("--retry-failed", action="store_true", help="重新读取之前失败的文件")
    q.set_defaults(func=cmd_import)

    q = cs.add_parser("load", help="把数据集作为已公开文件载入数据库（可重复执行）")
    q.add_argument("dataset", metavar="DATASET", help="数据集文件夹")
    q.add_argument("--batch", type=int, default=5000, help="每批插入的行数（默认 5000）")
    q.set_defaults(func=cmd_load)

    q = cs.add_parser("compare", help="把一个指标与其他单位的同类指标并列比较")
    q.add_argument("dataset", metavar="DATASET", help="数据集文件夹")
    q.add_argument("--unit", help="单位：编码或名称的一部分")
    q.add_argument("--project", help="项目名称的一部分或项目编码")
    q.add_argument("--indicator", help="指标名称（三级指标）的一部分")
    q.add_argument("--year", type=budget_year, help="预算年度")
    q.add_argument("--same-name", action="store_true", help="只比较指标名称相同的单位")
    q.add_argument("--limit", type=int, default=10, help="最多比较 N 个匹配的指标（默认 10）")
    q.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    q.set_defaults(func=cmd_compare)

    q = cs.add_parser("library", help="各单位按项目类型使用的指标（指标库）")
    q.add_argument("dataset", metavar="DATASET", help="数据集文件夹")
    q.add_argument("--department", help="部门类型（市场监管、教育、卫生健康……）；不给则列出各类型")
    q.add_argument("--project", help="项目名称中的词（食品抽检、培训……）")
    q.add_argument("--top", type=int, default=10, help="每个类别列出的指标数（默认 10）")
    q.add_argument("--examples", type=int, default=3, help="每个指标的实例数（默认 3）")
    q.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    q.set_defaults(func=cmd_library)
