"""`jixiao check FILE` (and `jixiao score --check FILE`) on a published 自评表 page, and `jixiao parse`
of a 自评表 page: the reading as JSON instead of the "this is a 自评表" error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.heldout.make_pages import render
from tests.heldout.selfeval_pages import build, references

FIELD = Path("/work/shared/field")
SUIXI = FIELD / "batch1" / "14_suixi_minzheng_selfeval.txt"
SEED_TARGET = FIELD / "batch1" / "01_wuhan_qingshan_jiaoyuju.txt"


def test_check_reads_the_page_and_names_the_departures():
    r = run_cli(["check", str(SUIXI)])
    assert r.returncode == 0, r.stderr
    assert "自评表复核：临时救助" in r.stdout
    assert "特困人员救助供养人数" in r.stdout and "没有达到年度指标值，却给了满分" in r.stdout
    assert "实际值超过了上限" in r.stdout  # 扶贫临时救助标准 5830 of ≤5300 scored full


def test_check_json_lists_every_table():
    r = run_cli(["check", str(SUIXI), "--format", "json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert isinstance(out, list) and len(out) == 1
    assert out[0]["project_name"] == "临时救助" and out[0]["year"] == 2019
    kinds = {d["kind"] for d in out[0]["check"]["discrepancies"]}
    assert {"missed-target-full", "cap-breached-full"} <= kinds
    assert len(out[0]["table"]["indicators"]) == 9


def test_score_check_takes_a_page_too():
    r = run_cli(["score", str(SUIXI), "--check"])
    assert r.returncode == 0, r.stderr
    assert "自评表复核：临时救助" in r.stdout


@pytest.mark.parametrize("layout", ["docx", "xlsx", "html", "tabs"])
def test_check_reads_word_excel_and_web_pages(tmp_path, layout):
    ref = dict(references())["14_suixi_minzheng_selfeval"]
    suffix, data = render(build(ref), layout)
    f = tmp_path / f"自评表.{suffix}"
    f.write_bytes(data)
    r = run_cli(["check", str(f), "--format", "json"])
    assert r.returncode == 0, r.stderr
    (one,) = json.loads(r.stdout)
    assert one["project_name"] == "临时救助"
    assert "missed-target-full" in {d["kind"] for d in one["check"]["discrepancies"]}


def test_two_tables_in_one_page_are_both_checked(tmp_path):
    refs = dict(references())
    text = b"".join(
        render(build(refs[k]), "tabs")[1]
        for k in ("13_langfang_shipinxuexiao_selfeval", "14_suixi_minzheng_selfeval")
    )
    f = tmp_path / "two.txt"
    f.write_bytes(text)
    r = run_cli(["check", str(f)])
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("自评表复核：") == 2
    assert re.search(r"two\.txt（第 \d+ 行）", r.stdout)


def test_a_target_table_is_refused_in_chinese(tmp_path):
    r = run_cli(["check", str(SEED_TARGET)])
    assert r.returncode == 2
    assert str(SEED_TARGET) in r.stderr and "未找到已公开的自评表" in r.stderr
    f = tmp_path / "empty.pdf"
    f.write_bytes(b"")
    r = run_cli(["check", str(f)])
    assert r.returncode == 2 and "文件为空" in r.stderr and str(f) in r.stderr


def test_the_json_extraction_is_still_read(tmp_path):
    ref = FIELD / "batch1" / "14_suixi_minzheng_selfeval.selfeval.json"
    r = run_cli(["check", str(ref), "--format", "json"])
    assert r.returncode == 0, r.stderr
    assert isinstance(json.loads(r.stdout), dict)  # one object, as before


def test_parse_of_a_selfeval_page_gives_its_reading():
    r = run_cli(["parse", str(SUIXI)])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["kind"] == "selfeval" and out["project_name"] == "临时救助"
    assert out["budget"]["rows"]["年度资金总额:"]["全年预算数(A)"] == "30"
    assert "这是自评表" in r.stderr
    # a table format has no place for it: the error as before
    r = run_cli(["parse", str(SUIXI), "--format", "csv"])
    assert r.returncode == 2 and "这是自评表" in r.stderr


LANGFANG = FIELD / "batch1" / "13_langfang_shipinxuexiao_selfeval.txt"


@pytest.mark.skipif(not LANGFANG.exists(), reason="field set not present")
@pytest.mark.parametrize("command", [["check"], ["score", "--check"]])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_number_the_method_cannot_work_with_is_a_message_not_a_traceback(tmp_path, command, fmt):
    """An actual of 30 digits (a run of OCR digits) is past what the scorer computes with
    (decimal.InvalidOperation): the command names the file and says so in Chinese, exit 2."""
    lines = LANGFANG.read_text("utf-8").split("\n")
    assert lines[450] == "100"  # 学生满意度's actual
    lines[450] = "1" + "0" * 29
    page = tmp_path / "page.txt"
    page.write_text("\n".join(lines), "utf-8")
    r = run_cli([*command, str(page), "--format", fmt])
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    assert "Traceback" not in r.stderr and "InvalidOperation" not in r.stderr
    assert "page.txt" in r.stderr and "无法按方法复算" in r.stderr, r.stderr
