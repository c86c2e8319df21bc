"""A file that is not an .xlsx workbook at all, given where a filled monitoring or self-evaluation
workbook is read (`jixiao monitor`, `report`, `export monitor`, the web upload), is told for what it
is — a text or Word file, an old .xls — with what to give instead; it used to be called a damaged
zip archive (「zip 压缩包已截断或损坏」), which sends the user looking for a broken download."""

from __future__ import annotations

import pytest

from jixiao.cycle.workbooks import WorkbookError, read_monitor_workbook, read_selfeval_workbook
from tests.cli_runner import run_cli

OLD_XLS = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("监控表\t项目\n".encode(), "不是 Excel 工作簿"),
        (b"%PDF-1.7\n", "不是 Excel 工作簿"),
        (OLD_XLS, "另存为 .xlsx"),
    ],
)
def test_a_file_that_is_no_workbook_is_named_for_what_it_is(data, said):
    for read in (read_monitor_workbook, read_selfeval_workbook):
        with pytest.raises(WorkbookError) as e:
            read(data)
        text = "；".join(e.value.problems)
        assert said in text and "压缩包" not in text, text


def test_the_command_line_says_it_too(tmp_path):
    f = tmp_path / "监控表.txt"
    f.write_text("监控表\t项目\n", encoding="utf-8")
    r = run_cli(["monitor", str(f)])
    assert r.returncode == 2 and "不是 Excel 工作簿" in r.stderr and "jixiao template" in r.stderr, r.stderr
