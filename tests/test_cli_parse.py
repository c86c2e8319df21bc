"""`jixiao parse` streams documents and writes compact JSON by default (issue 14, item 3).

In-process: `main()` with pytest's capture, no separate interpreter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao.cli.main import main

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def _seeds() -> list[str]:
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))
    if not files:
        pytest.skip("no sample disclosures in ../shared/seeds")
    return files


def test_several_files_are_one_compact_array_one_document_per_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = _seeds()[:3]
    assert main(["parse", *files]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 2 + len(files)
    assert ": " not in lines[1][:200] and '":"' in lines[1]  # compact separators
    docs = json.loads(out)
    assert [d["source"] for d in docs] == files


def test_indent_gives_the_same_data_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    f = _seeds()[0]
    assert main(["parse", f]) == 0
    compact = capsys.readouterr().out
    assert main(["parse", "--indent", "2", f]) == 0
    pretty = capsys.readouterr().out
    assert pretty.startswith('{\n  "source": ') and len(pretty) > len(compact)
    assert json.loads(pretty) == json.loads(compact)


def test_a_bad_file_between_good_ones_is_reported_and_the_rest_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _seeds()[:2]
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    assert main(["parse", good[0], str(bad), good[1]]) == 2
    cap = capsys.readouterr()
    assert [d["source"] for d in json.loads(cap.out)] == good
    assert cap.err.startswith(f"{bad}: ") and len(cap.err.strip().splitlines()) == 1


def test_csv_to_a_file_streams_the_same_rows_as_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seeds()
    out = tmp_path / "rows.csv"
    assert main(["parse", "--format", "csv", "-o", str(out), *files]) == 0
    assert main(["parse", "--format", "csv", *files]) == 0
    stdout = capsys.readouterr().out
    written = out.read_text(encoding="utf-8")
    assert written.splitlines() == stdout.splitlines()
    assert len(written.splitlines()) > len(files) * 10
