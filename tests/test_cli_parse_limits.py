"""`jixiao check FILE` and `jixiao parse FILE` read each file in a worker process held to a time and a
memory limit, as the web's uploads are (`jixiao.ingest.bounded`): `--timeout` (seconds) and
`--memory-mb`, by default JIXIAO_PARSE_TIMEOUT / JIXIAO_PARSE_MEMORY_MB or 30 s / 512 MB; `--timeout
0` reads in the command's own process. An overrun is a Chinese error naming the file and the option;
what is read within the limits is the same, byte for byte, as read in-process."""

from __future__ import annotations

import argparse

import pytest

from jixiao.cli.common import parse_limits
from jixiao.ingest.bounded import ParseLimits
from tests.cli_runner import run_cli
from tests.conftest import SHARED, seed_files

FIELD = SHARED / "field"
LANGFANG = FIELD / "batch1" / "13_langfang_shipinxuexiao_selfeval.txt"  # a 自评表 page
needs_field = pytest.mark.skipif(not LANGFANG.exists(), reason="needs ../shared/field")


@needs_field
@pytest.mark.parametrize("command", ["check", "parse"])
def test_a_file_over_the_time_limit_is_stopped_with_its_name(command):
    r = run_cli([command, LANGFANG, "--timeout", "0.01"])
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert f"{LANGFANG}: 解析超时（0.01 秒），已停止" in r.stderr and "--timeout" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "第 1 行" not in r.stderr


@needs_field
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_reads_the_same_within_the_limits(fmt):
    bounded = run_cli(["check", LANGFANG, "--format", fmt])
    inline = run_cli(["check", LANGFANG, "--format", fmt, "--timeout", "0"])
    assert bounded.returncode == inline.returncode == 0, bounded.stderr
    assert bounded.stdout == inline.stdout and bounded.stdout


def test_parse_gives_the_same_output_bounded_and_in_process():
    files = [*seed_files(), *sorted(FIELD.glob("*/*.txt"))]
    for f in files:
        bounded = run_cli(["parse", f])
        inline = run_cli(["parse", f, "--timeout", "0"])
        assert (bounded.returncode, bounded.stdout, bounded.stderr) == (
            inline.returncode,
            inline.stdout,
            inline.stderr,
        ), f


def _args(*argv: str) -> argparse.Namespace:
    from jixiao.cli.main import build_parser

    return build_parser("parse").parse_args(["parse", "x.txt", *argv])


def test_the_limits_come_from_the_options_else_the_environment(monkeypatch):
    monkeypatch.delenv("JIXIAO_PARSE_TIMEOUT", raising=False)
    monkeypatch.delenv("JIXIAO_PARSE_MEMORY_MB", raising=False)
    assert parse_limits(_args()) == ParseLimits(timeout=30, memory_mb=512)
    assert parse_limits(_args("--timeout", "5", "--memory-mb", "256")) == ParseLimits(5, 256)
    assert parse_limits(_args("--timeout", "0")) is None
    monkeypatch.setenv("JIXIAO_PARSE_TIMEOUT", "7.5")
    assert parse_limits(_args()) == ParseLimits(timeout=7.5, memory_mb=512)
    assert parse_limits(_args("--timeout", "2")) == ParseLimits(timeout=2, memory_mb=512)


@pytest.mark.parametrize(
    ("option", "value"), [("--timeout", "-1"), ("--timeout", "abc"), ("--memory-mb", "8")]
)
def test_nonsense_limits_are_refused_in_chinese(option, value):
    r = run_cli(["check", "x.txt", option, value])
    assert r.returncode == 2 and f"“{value}”：应为" in r.stderr, r.stderr


def test_review_reads_each_file_within_the_limits_alike():
    seed = seed_files()[0]
    r = run_cli(["review", seed, "--timeout", "0.01"])
    assert r.returncode == 2 and f"{seed}: 解析超时（0.01 秒），已停止" in r.stderr, r.stderr
    bounded, inline = run_cli(["review", *seed_files()]), run_cli(["review", *seed_files(), "--timeout", "0"])
    assert (bounded.returncode, bounded.stdout, bounded.stderr) == (
        inline.returncode,
        inline.stdout,
        inline.stderr,
    )
    assert bounded.stdout


def _monitoring_page(tmp_path):
    from tests.heldout.monitor_pages import pages

    name, suffix, data, _ = next(iter(pages()))
    path = tmp_path / f"{name}.{suffix}"
    path.write_bytes(data)
    return path


def test_monitor_reads_a_published_page_within_the_limits(tmp_path):
    """`jixiao monitor PAGE` reads a published 监控表 in the same bounded worker: the same lights as
    in-process, an overrun named with its option, and the budget-year bound on `--year`."""
    page = _monitoring_page(tmp_path)
    bounded = run_cli(["monitor", page, "--format", "json"])
    inline = run_cli(["monitor", page, "--format", "json", "--timeout", "0"])
    assert bounded.returncode == inline.returncode == 0, bounded.stderr
    assert bounded.stdout == inline.stdout and '"light"' in bounded.stdout
    slow = run_cli(["monitor", page, "--timeout", "0.001"])
    assert slow.returncode == 2 and "解析超时（0.001 秒）" in slow.stderr and "--timeout" in slow.stderr
    assert "Traceback" not in slow.stderr
    wrong = run_cli(["monitor", page, "--year", "1999"])
    assert wrong.returncode == 2 and "1999" in wrong.stderr and "Traceback" not in wrong.stderr
