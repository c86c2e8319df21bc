"""`run_cli` shows what a user sees: the same status and bytes as `python -m jixiao.cli` in a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.conftest import SEEDS


def _process(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao.cli", *args], capture_output=True, cwd=cwd, timeout=120
    )


@pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/seeds")
def test_in_process_output_and_status_equal_the_commands(tmp_path: Path, monkeypatch) -> None:
    """A located error on stderr with status 2 (a relative path, from the working directory), an
    argparse error (SystemExit) with its usage, and CSV on stdout: byte for byte the same."""
    (tmp_path / "empty.txt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    for args in (
        ["parse", "empty.txt", "nope.txt"],
        ["parse", "--format", "yaml", "empty.txt"],
        ["parse", str(SEEDS / "004_dc71da0f619798d6.txt"), "--format", "csv"],
    ):
        want = _process(args, tmp_path)
        got = run_cli(args, text=False)
        assert (got.returncode, got.stdout, got.stderr) == (want.returncode, want.stdout, want.stderr), args
    assert want.returncode == 0 and want.stdout.count(b"\n") == 78


def test_environment_and_directory_are_the_tests_and_restored(tmp_path: Path, monkeypatch) -> None:
    """`env=` and `cwd=` apply to the call (the review settings file named by JIXIAO_REVIEW_CONFIG,
    relative to the working directory) and are undone afterwards, with the streams."""
    (tmp_path / "bad.toml").write_text("x = [\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_REVIEW_CONFIG", "kept.toml")
    before = (os.getcwd(), dict(os.environ), sys.stdin, sys.stdout, sys.stderr)
    r = run_cli(["review", "--unit", "1"], env={"JIXIAO_REVIEW_CONFIG": "bad.toml"}, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("bad.toml: ") and "无法读取" not in r.stderr, r.stderr
    assert (os.getcwd(), dict(os.environ), sys.stdin, sys.stdout, sys.stderr) == before
    r = run_cli(["value", "约100万元"], env={"JIXIAO_REVIEW_CONFIG": None})
    assert r.returncode == 0 and '"raw": "约100万元"' in r.stdout and r.stderr == ""
    r = run_cli(["--version"])
    assert r.returncode == 0 and r.stdout.startswith("jixiao ")
    r = run_cli(["value"])
    assert r.returncode == 2 and r.stdout == "" and "缺少必需的参数：TEXT" in r.stderr
