"""Files that cannot be read or written are said in Chinese, with the path, exit 2, no traceback (the
operating system's own text, 「No such file or directory」, is English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_69cafeba3764958f.txt"


def _english(text: str) -> list[str]:
    return re.findall(r"\b[A-Za-z]{3,}(?: [A-Za-z]{2,})+\b", text)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["parse", "{missing}"], "文件不存在"),
        (["parse", "{folder}"], "是文件夹"),
        (["review", "{missing}"], "文件不存在"),
        (["score", "{missing}.json"], "文件不存在"),
        (["monitor", "{missing}.xlsx"], "文件不存在"),
        (["export", "targets", "{missing}", "-o", "{folder}/x.xlsx"], "文件不存在"),
        (["review", "--config", "{missing}.toml", str(SEED)], "文件不存在"),
    ],
)
def test_a_file_that_cannot_be_read_is_said_in_chinese(tmp_path, args, said):
    missing, folder = tmp_path / "没有这个文件.txt", tmp_path
    argv = [a.format(missing=missing, folder=folder) for a in args]
    r = run_cli(argv)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert said in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not _english(r.stderr), r.stderr


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seeds")
def test_an_output_that_cannot_be_written_is_said_in_chinese(tmp_path):
    out = tmp_path / "没有这个文件夹" / "x.json"
    r = run_cli(["parse", str(SEED), "-o", str(out)])
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert str(out) in r.stderr and "不存在" in r.stderr and not _english(r.stderr), r.stderr
    r = run_cli(["rules", "-o", str(tmp_path)])  # a folder where a file should go
    assert r.returncode == 2 and "Traceback" not in r.stderr and "是文件夹" in r.stderr, r.stderr
