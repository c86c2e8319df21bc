"""Bounded parsing (issue 9): the readers' caps, the crafted hostile files, and the parse worker.

The crafted files are built by tests/crafted.py (the sizes of the files reported). Each must be
refused by a reader cap with a located Chinese message, inside the worker's time and memory
limits (a cap, not the worker's limit, stops it). The worker itself is tested with functions that
spin, eat memory or raise.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from jixiao.ingest import ReadError, parse_bytes, read_cells
from jixiao.ingest import limits as caps
from jixiao.ingest.bounded import ParseLimits, parse_bounded, run_bounded
from jixiao.model import Location
from tests import crafted
from tests.cli_runner import run_cli
from tests.conftest import seed_files

LIMITS = ParseLimits(timeout=60, memory_mb=512)
SEED = seed_files()[1]

CRAFTED = {
    "wide.xlsx": (crafted.wide_xlsx, "超出列数上限（1000 列）", "Sheet1!XFD1"),
    "rowspan.html": (crafted.rowspan_html, "表格单元格总数超过 500000 个的上限", "table 1 row 1000"),
    "bomb.pdf": (crafted.stream_bomb_pdf, "第 1 页的内容流解压后超过 16 MB", "page 1"),
    "big.docx": (crafted.big_docx, "word/document.xml 解压后 93 MB（XML 部件上限 40 MB）", "line 1"),
    "bomb.xlsx": (crafted.zip_bomb_xlsx, "疑似 zip 炸弹", "line 1"),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_file_is_refused_by_a_reader_cap_inside_the_worker(name: str) -> None:
    make, words, where = CRAFTED[name]
    with pytest.raises(ReadError) as err:
        parse_bounded(make(), name, limits=LIMITS)
    e = err.value
    assert e.source == name and words in e.message, e.message
    assert where in str(e.location)
    assert "解析超时" not in e.message and "内存超过" not in e.message


def test_crafted_workbook_bomb_is_refused_on_the_workbook_path() -> None:
    from jixiao.cycle.workbooks import WorkbookError, read_monitor_workbook, read_selfeval_workbook

    bomb = crafted.zip_bomb_xlsx()
    for read in (read_monitor_workbook, read_selfeval_workbook):
        with pytest.raises(WorkbookError) as err:
            read(bomb)
        assert "疑似 zip 炸弹" in err.value.problems[0]


# ------------------------------------------------------------------ a bad "version needed" field


@pytest.mark.parametrize("ext", ["docx", "xlsx"])
def test_zip_with_a_bad_version_needed_is_a_read_error(ext: str) -> None:
    from jixiao.export.docx import disclosure_to_docx
    from jixiao.export.xlsx import disclosure_to_xlsx

    doc = parse_bytes(SEED.read_bytes(), SEED.name)
    data = crafted.bad_version_zip(disclosure_to_docx(doc) if ext == "docx" else disclosure_to_xlsx(doc))
    with pytest.raises(ReadError) as err:
        read_cells(data, f"v.{ext}")
    assert "不支持的格式" in err.value.message and "9.9" in err.value.message


def test_parse_command_prints_one_line_and_exits_2_on_a_bad_version_zip(tmp_path: Path) -> None:
    f = tmp_path / "v.docx"
    f.write_bytes(crafted.bad_version_zip(crafted.big_docx(cells=100)))
    r = run_cli(["parse", f], text=False)
    err = r.stderr.decode("utf-8").strip().splitlines()
    assert r.returncode == 2 and len(err) == 1, err
    assert err[0].startswith(f"{f}: ") and "Traceback" not in err[0] and "不支持的格式" in err[0]


def test_any_reader_failure_becomes_a_read_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.ingest.html as html

    def broken(data: bytes, name: str):  # type: ignore[no-untyped-def]
        raise KeyError("lxml internals")

    monkeypatch.setattr(html, "read_html", broken)
    with pytest.raises(ReadError) as err:
        read_cells(b"<html><body>x</body></html>", "a.html")
    assert "文件已损坏或格式不受支持" in err.value.message and "KeyError" in err.value.message


# ------------------------------------------------------------------ the caps, one by one


def _sheet(cells: str, merges: str = "") -> bytes:
    return crafted.xlsx_package(
        crafted._SHEET_HEAD + cells + crafted._SHEET_TAIL.replace("</worksheet>", merges + "</worksheet>")
    )


def _c(ref: str, text: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_xlsx_styled_empty_cells_far_away_do_not_count() -> None:
    data = _sheet(
        f'<row r="1">{_c("A1", "项目名称")}{_c("B1", "示例")}<c r="XFD1" s="1"/></row>'
        f'<row r="1048576"><c r="A1048576" s="1"/></row>'
    )
    rows = [b.texts for b in read_cells(data, "s.xlsx").blocks]
    assert rows == [["项目名称", "示例"]]


def test_xlsx_used_range_over_the_area_cap_names_the_cell() -> None:
    data = _sheet(f'<row r="1">{_c("A1")}</row><row r="5000">{_c("ALL5000")}</row>')
    with pytest.raises(ReadError) as err:
        read_cells(data, "s.xlsx")
    assert "已用区域 A1:ALL5000 超过 2000000 个单元格的上限" in err.value.message
    assert err.value.location == Location(cell="Sheet1!ALL5000")


def test_xlsx_overlapping_merges_are_refused() -> None:
    merges = "<mergeCells>" + '<mergeCell ref="A1:B1000"/>' * 3000 + "</mergeCells>"
    data = _sheet("".join(f'<row r="{r}">{_c(f"A{r}")}{_c(f"B{r}")}</row>' for r in range(1, 1001)), merges)
    with pytest.raises(ReadError) as err:
        read_cells(data, "s.xlsx")
    assert "合并单元格相互重叠" in err.value.message


def test_html_spans_are_clamped_and_wide_rows_refused() -> None:
    page = "<table><tr><td rowspan=99999 colspan=99999>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
    rows = [b.texts for b in read_cells(page.encode(), "p.html").blocks]
    assert rows == [["a", "b"], ["", "c"]]
    wide = "<table><tr>" + "<td>x</td>" * (caps.MAX_COLUMNS + 1) + "</tr></table>"
    with pytest.raises(ReadError) as err:
        read_cells(wide.encode(), "w.html")
    assert "table 1 row 1 有 1001 个单元格" in err.value.message


def test_docx_with_too_many_elements_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.ingest.docx as docx

    monkeypatch.setattr(docx, "MAX_XML_NODES", 500)
    with pytest.raises(ReadError) as err:
        read_cells(crafted.big_docx(cells=200), "d.docx")
    assert "个元素，超过 500 个的上限" in err.value.message


def _pdf_pages(n: int, content: bytes) -> bytes:
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(n))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objs += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * n
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, at)
    return bytes(out)


def test_pdf_page_count_cap() -> None:
    with pytest.raises(ReadError) as err:
        read_cells(_pdf_pages(caps.MAX_PAGES + 1, b"BT /F1 9 Tf 10 10 Td (x) Tj ET"), "p.pdf")
    assert f"PDF 有 {caps.MAX_PAGES + 1} 页，超过 {caps.MAX_PAGES} 页的上限" in err.value.message


def test_pdf_characters_and_graphics_per_page_caps() -> None:
    many = b"BT /F1 1 Tf 10 10 Td (" + b"x" * (caps.MAX_PAGE_CHARS + 1) + b") Tj ET"
    with pytest.raises(ReadError) as err:
        read_cells(_pdf_pages(2, many), "c.pdf")
    assert "第 1 页的字符超过" in err.value.message and err.value.location == Location(cell="page 1")
    lines = b"\n".join(b"10 %d m 500 %d l S" % (i % 700, i % 700) for i in range(caps.MAX_PAGE_GRAPHICS + 1))
    with pytest.raises(ReadError) as err:
        read_cells(_pdf_pages(1, lines), "g.pdf")
    assert "第 1 页的线条和图形超过" in err.value.message


def _pdfminer_decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's own (quadratic) version, the oracle."""
    import zlib

    d = zlib.decompressobj()
    out = b""
    i = 0
    try:
        for i in range(len(data)):
            out += d.decompress(data[i : i + 1])
    except zlib.error:
        if i < len(data) - 3:
            raise
    return out


def test_pdf_damaged_stream_is_inflated_as_pdfminer_does() -> None:
    import random
    import zlib

    from jixiao.ingest.pdf import _decompress_corrupted

    rnd = random.Random(4)
    data = zlib.compress(bytes(rnd.randrange(30) for _ in range(20_000)))
    for k in range(40):
        bad = bytearray(data[: rnd.randrange(len(data))] if k % 2 else data)
        for _ in range(k % 3):
            bad[rnd.randrange(len(bad))] ^= 0xFF
        outcomes = []
        for f in (_decompress_corrupted, _pdfminer_decompress_corrupted):
            try:
                outcomes.append(f(bytes(bad)))
            except zlib.error:
                outcomes.append("error")
        assert outcomes[0] == outcomes[1]


def test_text_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.ingest

    monkeypatch.setattr(jixiao.ingest, "MAX_TEXT", 1000)
    with pytest.raises(ReadError) as err:
        read_cells(SEED.read_bytes(), SEED.name)
    assert "文字超过 1000 字的上限" in err.value.message


def test_zip_part_counts_and_encrypted_members() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(caps.MAX_MEMBERS + 1):
            z.writestr(f"p{i}", b"")
    with pytest.raises(ReadError) as err:
        read_cells(buf.getvalue(), "m.docx")
    assert f"有 {caps.MAX_MEMBERS + 1} 个部件" in err.value.message


# ------------------------------------------------------------------ the parse worker


def test_bounded_parse_gives_the_same_model_as_in_process() -> None:
    data = SEED.read_bytes()
    assert parse_bounded(data, SEED.name, year=2024, limits=LIMITS) == parse_bytes(data, SEED.name, year=2024)


def test_worker_over_time_is_killed_with_a_chinese_message() -> None:
    with pytest.raises(ReadError) as err:
        run_bounded(crafted.spin, 30, name="slow.docx", limits=ParseLimits(timeout=1, memory_mb=512))
    assert err.value.source == "slow.docx" and err.value.message.startswith("解析超时（1 秒）")


def test_worker_over_memory_is_stopped_and_the_parent_keeps_none_of_it() -> None:
    def rss_mb() -> float:
        with open("/proc/self/status") as f:
            return next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS")) / 1024

    before = rss_mb()
    with pytest.raises(ReadError) as err:
        run_bounded(crafted.hog, 400, name="big.xlsx", limits=ParseLimits(timeout=60, memory_mb=128))
    assert err.value.message.startswith("解析所需内存超过 128 MB")
    assert run_bounded(crafted.hog, 300, name="ok.xlsx", limits=LIMITS) == 300 * 1024 * 1024
    assert rss_mb() - before < 50  # the 300 MB lived and died in the worker


def test_worker_exceptions_cross_back_intact() -> None:
    from jixiao.cycle.workbooks import WorkbookError

    with pytest.raises(ReadError) as err:
        run_bounded(crafted.fail_with, "read", name="a.xlsx", limits=LIMITS)
    assert (err.value.source, err.value.message, err.value.location) == (
        "a.xlsx",
        "第 3 行有误",
        Location(cell="Sheet1!C3"),
    )
    with pytest.raises(WorkbookError) as werr:
        run_bounded(crafted.fail_with, "workbook", name="w.xlsx", limits=LIMITS)
    assert werr.value.problems == ["监控表!E10: 不是数字", "监控表!E11: 为空"]
    with pytest.raises(ValueError, match="普通错误"):
        run_bounded(crafted.fail_with, "other", name="x", limits=LIMITS)


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_PARSE_TIMEOUT", "7.5")
    monkeypatch.setenv("JIXIAO_PARSE_MEMORY_MB", "256")
    assert ParseLimits.from_env() == ParseLimits(timeout=7.5, memory_mb=256)
    monkeypatch.delenv("JIXIAO_PARSE_TIMEOUT")
    monkeypatch.delenv("JIXIAO_PARSE_MEMORY_MB")
    assert ParseLimits.from_env() == ParseLimits(timeout=30, memory_mb=512)


def test_pdf_dedupe_keeps_what_pdfplumber_keeps_in_the_same_order() -> None:
    import pdfplumber
    from pdfplumber.utils import dedupe_chars as pdfplumber_dedupe

    from jixiao.ingest.pdf import dedupe_chars

    # overprinted text (a fake bold: each word drawn twice, a hair apart) on one long line
    word = b"1 0 0 1 %d 700 Tm (w%d) Tj 1 0 0 1 %.1f 700 Tm (w%d) Tj"
    words = b" ".join(word % (20 * i, i, 20 * i + 0.3, i) for i in range(300))
    data = _pdf_pages(1, b"BT /F1 9 Tf " + words + b" ET")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = pdf.pages[0].chars
        assert len(chars) > 1000
        kept = dedupe_chars(chars)
        assert kept == pdfplumber_dedupe(chars) and len(kept) < len(chars)


def test_pdf_grid_cells_get_their_own_characters() -> None:
    rows = [b.texts for b in read_cells(crafted.grid_pdf(12), "grid.pdf").blocks if hasattr(b, "cells")]
    assert rows == [["abcdefg"] * 12] * 12


def test_a_commands_files_are_read_by_one_reused_worker_held_to_the_limits() -> None:
    """Inside `reused_worker()` (a command's run), files go one after another to the same forked
    child, whose caches stay warm; each file is still held to the limits, and a child that overran
    is replaced for the next file. Outside it, each file has a fresh child as before. Run in a
    fresh interpreter: a command runs no other thread, while the test process may (then every
    file has a fresh child from the fork server, safely, and nothing would be reused)."""
    import subprocess
    import sys

    code = "from tests.test_ingest_limits import _reuse_checks; _reuse_checks()"
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (r.stdout, r.stderr)


def _reuse_checks() -> None:
    import os
    import threading

    assert threading.active_count() == 1

    from jixiao.ingest.bounded import reused_worker

    limits = ParseLimits(timeout=1, memory_mb=128)

    def pid() -> int:
        return run_bounded(os.getpid, name="a.txt", limits=limits, fork=True)

    with reused_worker():
        first = pid()
        assert first != os.getpid() and pid() == first
        # CPU is limited per file, not summed: three files of 0.7 s under a 1 s limit all pass
        for _ in range(3):
            assert run_bounded(crafted.spin, 0.7, name="b.txt", limits=limits, fork=True) == "done"
        assert pid() == first
        with pytest.raises(ReadError) as err:
            run_bounded(crafted.hog, 200, name="big.txt", limits=limits, fork=True)
        assert err.value.message.startswith("解析所需内存超过 128 MB")
        second = pid()
        assert second != first and pid() == second
        with pytest.raises(ReadError) as err:
            run_bounded(crafted.spin, 30, name="slow.txt", limits=limits, fork=True)
        assert err.value.source == "slow.txt" and err.value.message.startswith("解析超时（1 秒）")
        third = pid()
        assert third not in (first, second)
        data = SEED.read_bytes()
        assert parse_bounded(data, SEED.name, year=2024, limits=limits, fork=True) == parse_bytes(
            data, SEED.name, year=2024
        )
    with pytest.raises(ProcessLookupError):
        os.kill(third, 0)  # stopped on leaving
    assert pid() != pid()  # outside: a fresh child for each file
    print("ok")


def test_the_file_after_one_that_came_near_the_memory_cap_is_read() -> None:
    """A reused child that came near its memory cap answers, then quits of itself; the next file
    goes to a fresh child, and is never reported as an overrun it did not cause (the quitting
    child's closed pipe is not that file's answer)."""
    import os

    from jixiao.ingest.bounded import reused_worker

    limits = ParseLimits(timeout=5, memory_mb=128)
    with reused_worker():
        for _ in range(10):
            assert run_bounded(crafted.hog, 118, name="near.txt", limits=limits, fork=True) > 0
            assert run_bounded(os.getpid, name="next.txt", limits=limits, fork=True) != os.getpid()
