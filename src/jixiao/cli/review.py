"""`jixiao review` and `jixiao rules`.

    jixiao review FILE|DIR ... [--format text|json|xlsx] [--config FILE] [--history FILE] [-o OUT]
    jixiao review --unit CODE --year Y          (against the database, once the web app provides it)
    jixiao rules [--format text|json|markdown]

Bad input files print one located line on stderr and make the exit status 2; the other files are
still reviewed.
"""

from __future__ import annotations

import argparse
import os
import sys

from jixiao.cli.common import (
    EXIT_BAD_INPUT,
    add_parse_limits,
    budget_year,
    parse_limits,
    parse_path,
    read_error_text,
    unit_disclosures,
    write_out,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from jixiao.model import Disclosure
    from jixiao.review.engine import DocumentReview
    from jixiao.review.history import History
    from jixiao.review.settings import ReviewSettings

SUFFIXES = (".txt", ".docx", ".xlsx", ".xlsm", ".html", ".htm", ".pdf")


def _expand(paths: list[str]) -> Iterator[str]:
    from pathlib import Path

    for name in paths:
        p = Path(name)
        if p.is_dir():
            found = sorted(
                q
                for q in p.rglob("*")
                if q.is_file() and q.suffix.lower() in SUFFIXES and not q.name.startswith((".", "~$"))
            )
            if not found:
                print(
                    f"{name}: no disclosures (.txt .docx .xlsx .html .pdf) in this directory", file=sys.stderr
                )
            yield from (str(q) for q in found)
        else:
            yield name


class _Refused(Exception):
    """A command-line argument or setting file that stops the command (exit status 2)."""


def _settings(args: argparse.Namespace) -> tuple[ReviewSettings, History | None]:
    """The review settings and the previous year's actuals the arguments name."""
    from jixiao.review.history import HistoryError, load_history
    from jixiao.review.settings import ReviewSettings, SettingsError, load_settings

    # against the database, the web app's settings file applies unless --config names another
    config = args.config or (os.environ.get("JIXIAO_REVIEW_CONFIG") if args.unit else None)
    try:
        settings = load_settings(config) if config else ReviewSettings()
        history = load_history(args.history) if args.history else None
    except (SettingsError, HistoryError) as e:
        raise _Refused(str(e)) from None
    return settings, history


def _parse_all(files: list[str], year: int | None, limits: Any) -> tuple[list[Disclosure], bool]:
    """The files read, each in a worker process held to `limits` (`cli.common.parse_limits`; None:
    in process), with progress on a terminal when there are many; and whether any failed."""
    from jixiao.ingest import ReadError

    progress = len(files) > 3 and sys.stderr.isatty()
    docs: list[Disclosure] = []
    failed = False
    for i, name in enumerate(files, 1):
        if progress:
            print(f"\r[{i}/{len(files)}] {name[-60:]}", end="", file=sys.stderr, flush=True)
        try:
            docs.append(parse_path(name, year=year, limits=limits))
        except ReadError as e:
            if progress:
                print(file=sys.stderr)
            print(read_error_text(e), file=sys.stderr)
            failed = True
    if progress:
        print(file=sys.stderr)
    return docs, failed


def _documents(args: argparse.Namespace) -> tuple[list[tuple[Disclosure, History | None]], bool]:
    """The unit's disclosures from the database (--unit, each with its stored history of earlier
    years, as the web app reviews them) and the files' (a directory without any counts as failed,
    no history), and whether any file failed."""
    docs: list[tuple[Disclosure, History | None]] = []
    if args.unit:
        try:
            docs = unit_disclosures(args.unit, args.year)
        except LookupError as e:
            raise _Refused(f"--unit {args.unit}: {e}") from None
    elif not args.files:
        raise _Refused("give FILE or DIR arguments, or --unit CODE --year Y")
    files = list(_expand(args.files or []))
    read, failed = _parse_all(files, args.year, parse_limits(args))
    return docs + [(d, None) for d in read], failed or bool(args.files and not files)


SEVERITIES_SHOWN = {"error": ("error",), "warning": ("error", "warning")}


def _drop_below(reviews: list[DocumentReview], min_severity: str) -> None:
    """Drop the findings below `min_severity` (the outcome stays as reviewed)."""
    keep = SEVERITIES_SHOWN.get(min_severity)
    if keep is None:
        return
    for r in reviews:
        r.findings = [f for f in r.findings if f.severity in keep]
        for p in r.projects:
            p.findings = [f for f in p.findings if f.severity in keep]


def cmd_review(args: argparse.Namespace) -> int:
    from jixiao.review.engine import review_document
    from jixiao.review.report import findings_json, findings_xlsx, memo

    try:
        settings, history = _settings(args)
        if args.format == "xlsx" and args.output in (None, "-") and sys.stdout.isatty():
            raise _Refused("xlsx 格式须用 -o FILE.xlsx 指定输出文件")
        docs, failed = _documents(args)
    except _Refused as e:
        print(str(e), file=sys.stderr)
        return EXIT_BAD_INPUT
    # --history names the actuals for every document; otherwise a stored unit-year reads its own
    reviews = [review_document(d, settings, history or stored) for d, stored in docs]
    _drop_below(reviews, args.min_severity)
    if args.format == "json":
        write_out(findings_json(reviews), args.output)
    elif args.format == "xlsx":
        write_out(findings_xlsx(reviews), args.output)
    elif reviews:
        write_out(memo(reviews), args.output)
    return EXIT_BAD_INPUT if failed else 0


def cmd_rules(args: argparse.Namespace) -> int:
    from jixiao.review.catalogue import catalogue_json, catalogue_markdown, catalogue_text

    render = {"text": catalogue_text, "json": catalogue_json, "markdown": catalogue_markdown}[args.format]
    write_out(render(), args.output)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `review` and `rules` to the `jixiao` command line."""
    p = sub.add_parser(
        "review",
        help="按审核规则审核绩效目标（绩效目标审核）",
        description="按审核规则（见 `jixiao rules`）审核项目绩效目标表。",
    )
    p.add_argument("files", nargs="*", metavar="FILE|DIR", help="公开文件，或存放公开文件的文件夹")
    p.add_argument(
        "--format",
        choices=("text", "json", "xlsx"),
        default="text",
        help="text：审核意见（默认）；json：审核发现列表；xlsx：每个单位一个工作表",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="审核设置（TOML）：规则开关、严重程度、阈值、按单位设置"
        "（与 --unit 一起用时默认取 $JIXIAO_REVIEW_CONFIG，与网页端相同）",
    )
    p.add_argument(
        "--history",
        metavar="FILE",
        help="上年实际完成值：JSON 列表，每项含 {project, code, indicator, actual}",
    )
    p.add_argument(
        "--min-severity",
        choices=("error", "warning", "hint"),
        default="hint",
        help="不列出低于此严重程度的发现（审核结论不变）",
    )
    p.add_argument("--year", type=budget_year, help="文件未写明时的预算年度（也用于 --unit）")
    p.add_argument("--unit", metavar="CODE", help="审核数据库（网页端）中该单位的项目")
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认：标准输出）")
    add_parse_limits(p)
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("rules", help="列出审核规则")
    p.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="输出格式（默认 text）"
    )
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认：标准输出）")
    p.set_defaults(func=cmd_rules)
