"""The `jixiao` command line: parse, value, and the commands other modules register.

Every command that fails on bad input prints one located line (`FILE: line N: what is wrong`)
to stderr and exits with status 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys

from jixiao.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    ChineseParser,
    add_parse_limits,
    budget_year,
    end_command,
    open_out,
    parse_limits,
    parse_path,
    read_bounded,
    read_error_text,
    write_out,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    from jixiao.model import Disclosure


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse each file in turn and write it out before reading the next (memory stays flat in the
    number of files): one JSON object for one file, else a JSON array written element by element;
    compact JSON unless --indent is given."""
    import json

    from jixiao.export.json import disclosure_to_dict
    from jixiao.export.rows import to_xlsx, write_csv
    from jixiao.ingest import ReadError

    failed = False
    limits = parse_limits(args)

    def parsed() -> Iterator[Disclosure | dict]:
        nonlocal failed
        for name in args.files:
            try:
                doc = parse_path(name, year=args.year, limits=limits)
            except ReadError as e:
                try:
                    other = _other_reading(e, name, limits) if args.format == "json" else None
                except ReadError as overrun:  # the page's own reading ran out of time or memory
                    e, other = overrun, None
                if other is not None:
                    if other.get("kind") == "monitor":
                        said = "这是运行监控表（不是绩效目标表），输出监控表内容；红黄绿灯请用 jixiao monitor"
                    else:
                        said = "这是自评表（不是绩效目标表），输出自评表内容；按评分办法复核请用 jixiao check"
                    print(f"{name}: {said}", file=sys.stderr)
                    yield other
                    continue
                whole = getattr(e, "whole_document", False)
                print(read_error_text(e, whole=whole), file=sys.stderr)
                failed = True
                continue
            for w in doc.warnings:
                print(w, file=sys.stderr)
            if args.strict and doc.warnings:
                print(f"{name}: {len(doc.warnings)} 条警告，且指定了 --strict", file=sys.stderr)
                failed = True
                continue
            yield doc

    if args.format == "xlsx":
        if args.output in (None, "-") and sys.stdout.isatty():
            print("xlsx 输出需要 -o 文件名.xlsx", file=sys.stderr)
            return EXIT_BAD_INPUT
        write_out(to_xlsx(parsed()), args.output)
        return EXIT_BAD_INPUT if failed else 0
    indent = args.indent if args.indent and args.indent > 0 else None
    separators = None if indent else (",", ":")

    def dump(doc: Disclosure | dict) -> str:
        d = doc if isinstance(doc, dict) else disclosure_to_dict(doc)
        return json.dumps(d, ensure_ascii=False, indent=indent, separators=separators)

    with open_out(args.output) as out:
        if args.format == "csv":
            write_csv(parsed(), out)
        elif len(args.files) == 1:
            for doc in parsed():
                out.write(dump(doc) + "\n")
        else:
            out.write("[")
            for i, doc in enumerate(parsed()):
                out.write(("," if i else "") + "\n" + dump(doc))
                out.flush()
            out.write("\n]\n")
    return EXIT_BAD_INPUT if failed else 0


def _other_reading(e: Exception, name: str, limits: Any) -> dict | None:
    """A page the importer found to be a 自评表 or a 监控表: its reading (one table: its object;
    several: `{"kind": "selfeval"|"monitor", "source", "tables"}`), or None; each reader held to
    `limits` (its overrun, a `ParseOverrun`, is raised)."""
    kind = getattr(e, "other_kind", None)
    if kind not in ("自评表", "监控表"):
        return None
    from pathlib import Path

    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import ParseOverrun
    from jixiao.ingest.monitoring import NoMonitoring, read_monitoring_bytes
    from jixiao.ingest.selfeval import NoSelfEvaluation, read_selfeval_bytes

    try:
        data = Path(name).read_bytes()
    except OSError:
        return None
    # the kind the importer named first, then the other: a header cut over lines (`1-` /
    # `7月执行情况`) can make a 监控表 look like a 自评表 to the importer; the readers tell
    readers: list[tuple[str, Callable[[bytes, str], Sequence[Any]]]] = [
        ("selfeval", read_selfeval_bytes),
        ("monitor", read_monitoring_bytes),
    ]
    if kind == "监控表":
        readers.reverse()
    for what, read in readers:
        try:
            tables = list(read_bounded(read, name, data, limits))
        except ParseOverrun:
            raise
        except (ReadError, NoSelfEvaluation, NoMonitoring):
            continue
        if len(tables) == 1:
            return tables[0].to_dict()  # type: ignore[no-any-return]
        return {"kind": what, "source": name, "tables": [t.to_dict() for t in tables]}
    return None


def cmd_value(args: argparse.Namespace) -> int:
    import json

    from jixiao.values import parse_value

    for text in args.texts:
        print(json.dumps(parse_value(text, year=args.year).to_dict(), ensure_ascii=False))
    return 0


OWN_COMMANDS = ("parse", "value")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; for `command` one of `OWN_COMMANDS` only what it needs: the other
    command groups' modules are imported and their parsers built only when asked for (start-up
    time: `jixiao value` does not build some twenty parsers it never uses)."""
    ap = ChineseParser(prog="jixiao", description="jixiao 预算绩效管理：导入、审核、运行监控与绩效自评")
    from jixiao import __version__

    ap.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="把公开文件（.txt .docx .xlsx .html .pdf）解析为结构化数据")
    p.add_argument("files", nargs="+", metavar="FILE", help="要解析的文件")
    p.add_argument("--format", choices=("json", "csv", "xlsx"), default="json", help="输出格式（默认 json）")
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认：标准输出）")
    p.add_argument("--indent", type=int, metavar="N", help="JSON 缩进 N 个空格，便于阅读（默认紧凑输出）")
    p.add_argument("--strict", action="store_true", help="有警告即视为失败（退出码 2）")
    p.add_argument("--year", type=budget_year, help="文件未写明时的预算年度")
    add_parse_limits(p)
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("value", help="解析指标值文字：比较符、数值、单位与类型")
    p.add_argument("texts", nargs="+", metavar="TEXT", help="指标值文字，如 ≥95%%")
    p.add_argument("--year", type=int, help="未写年份的日期所属的年度")
    p.set_defaults(func=cmd_value)

    if command not in OWN_COMMANDS:
        for register in _registrars():
            register(sub)
    return ap


def _registrars() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Other modules add their commands here (review, score, web ...)."""
    regs: list[Callable[[argparse._SubParsersAction], None]] = []
    from jixiao.cli.cycle import register as register_cycle

    regs.append(register_cycle)
    from jixiao.cli.export import register as register_export

    regs.append(register_export)
    from jixiao.cli.review import register as register_review

    regs.append(register_review)
    from jixiao.cli.web import register as register_web

    regs.append(register_web)
    from jixiao.cli.corpus import register as register_corpus

    regs.append(register_corpus)
    return regs


def main(argv: Sequence[str] | None = None) -> int:
    """Run `jixiao ARGV` (default: the process's arguments) and return the exit status. Output goes
    to sys.stdout / sys.stderr as they are at the call, so tests call it in process
    (tests/cli_runner.py); argparse errors and --help / --version raise SystemExit as usual."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_in[0] if args_in else None)
    args = parser.parse_args(args_in)
    try:
        return _run(args, args_in)
    finally:
        end_command()  # a worker process the command read its files in


def _run(args: argparse.Namespace, args_in: list[str]) -> int:
    from jixiao.web import SettingsError

    try:
        return int(args.func(args) or 0)
    except SettingsError as e:  # a JIXIAO_* variable that cannot be used: named, no traceback
        print(f"jixiao {args_in[0] if args_in else ''}：设置有误：{e}。", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as e:
        if e.filename is None:
            raise
        # a file the command could not open (an output path, mostly): named, why in Chinese
        from jixiao.oserror import opening_reason

        print(f"{e.filename}: 无法打开：{opening_reason(e)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
