"""The importer against the hand-checked extractions of the five sample disclosures."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.export.json import disclosure_to_dict
from jixiao.ingest import parse_bytes, parse_file
from tests.cli_runner import run_cli
from tests.conftest import SEEDS, TRUTH, seed_files

SEED_IDS = [p.stem for p in seed_files()]


@pytest.mark.parametrize("stem", SEED_IDS)
def test_seed_matches_truth(stem: str, truth_score) -> None:
    doc = parse_file(SEEDS / f"{stem}.txt")
    truth = json.loads((TRUTH / f"{stem}.json").read_text(encoding="utf-8"))
    r = truth_score.score(truth, disclosure_to_dict(doc), show=20)
    assert r["indicator_f1"] >= 0.995, r["differences"]
    assert r["project_field_accuracy"] >= 0.99, r["differences"]
    assert r["projects_found"] == r["projects_truth"] and r["projects_extra"] == 0, r["differences"]
    assert r["document_field_accuracy"] == 1.0, r["differences"]
    ok, total = map(int, r["sub_goals_exact"].split("/"))
    assert ok == total, r["differences"]


@pytest.mark.parametrize("stem", SEED_IDS)
def test_seed_budget_overview_matches_truth(stem: str) -> None:
    got = disclosure_to_dict(parse_file(SEEDS / f"{stem}.txt"))["budget_overview"]
    want = json.loads((TRUTH / f"{stem}.json").read_text(encoding="utf-8"))["budget_overview"]
    assert json.loads(json.dumps(got), parse_float=Decimal, parse_int=Decimal) == json.loads(
        json.dumps(want), parse_float=Decimal, parse_int=Decimal
    )


@pytest.mark.parametrize("stem", SEED_IDS)
def test_seed_parses_without_warnings(stem: str) -> None:
    doc = parse_file(SEEDS / f"{stem}.txt")
    assert doc.warnings == []


def test_money_is_decimal_and_levels_are_canonicalised() -> None:
    doc = parse_file(SEEDS / "001_69cafeba3764958f.txt")
    p = doc.projects[0]
    assert p.budget_total == Decimal("6.80") and isinstance(p.budget_total, Decimal)
    assert doc.year == 2022 and doc.unit_code == "414001"
    # 效果指标 (older spelling) is canonicalised to 效益指标 beside the printed label
    doc0 = parse_file(SEEDS / "000_b15b158b2ebb9642.txt")
    effect = next(i for p in doc0.projects for i in p.indicators if i.level1 == "效果指标")
    assert effect.level1_canonical == "效益指标"


def test_page_break_repeats_are_skipped_and_levels_carried() -> None:
    """000: a page break repeats the 绩效目标 row and the header; the first goal copy counts and the
    一级指标 of the row after the break is carried from above."""
    doc = parse_file(SEEDS / "000_b15b158b2ebb9642.txt")
    p = doc.projects[1]
    assert [i.name for i in p.indicators][-2:] == [
        "中国驰名商标奖励影响力不断扩大",
        "获奖企业对奖励实施过程满意度",
    ]
    assert p.indicators[-2].level1 == "效果指标" and p.indicators[-2].level2 == "可持续影响指标"
    assert p.goal is not None and p.goal.count("加强知识产权保护") == 1
    assert "<p>" not in (doc.projects[2].goal or "")


def test_gb18030_and_bom_encodings_parse_the_same() -> None:
    raw = (SEEDS / "004_dc71da0f619798d6.txt").read_text(encoding="utf-8")
    base = disclosure_to_dict(parse_bytes(raw.encode("utf-8"), "x.txt"))
    for data in (raw.encode("gb18030"), b"\xef\xbb\xbf" + raw.encode("utf-8"), raw.encode("utf-16")):
        other = disclosure_to_dict(parse_bytes(data, "x.txt"))
        assert other["projects"] == base["projects"]
        assert other["unit_name"] == base["unit_name"]


def _run(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_cli(args, input=input, text=False)


def test_cli_parse_json_one_file_is_an_object_several_an_array() -> None:
    one = _run("parse", str(SEEDS / "001_69cafeba3764958f.txt"))
    assert one.returncode == 0, one.stderr
    obj = json.loads(one.stdout)
    assert obj["unit_name"] == "市场监管部门市场监督管理局本级"
    ind = obj["projects"][0]["indicators"][0]
    assert ind["target"]["kind"] == "percent" and ind["target"]["op"] == ">="
    assert ind["level1_canonical"] == "产出指标"
    two = _run("parse", str(SEEDS / "001_69cafeba3764958f.txt"), str(SEEDS / "003_665f1d82f3b4329e.txt"))
    arr = json.loads(two.stdout)
    assert [d["unit_code"] for d in arr] == ["414001", "355101"]


def test_cli_parse_csv_and_xlsx_have_one_row_per_indicator(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    src = str(SEEDS / "004_dc71da0f619798d6.txt")
    csv_out = _run("parse", src, "--format", "csv")
    assert csv_out.returncode == 0
    lines = csv_out.stdout.decode("utf-8").strip().splitlines()
    assert len(lines) == 1 + 77
    assert lines[1].split(",")[2] == "乐亭县市场监督管理局本级"
    out = tmp_path / "x.xlsx"
    r = _run("parse", src, "--format", "xlsx", "-o", str(out))
    assert r.returncode == 0, r.stderr
    ws = load_workbook(out).active
    assert ws.max_row == 1 + 77
    assert ws["F2"].value == "办公楼运维费"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"\x00\x01\x02binary\x00" * 50, "二进制"),
        (b"PK\x03\x04" + b"\x00" * 40, "zip"),
        (b"%PDF-1.4\n%truncated", "PDF"),
    ],
)
def test_cli_bad_input_exits_2_with_one_located_line(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    r = _run("parse", str(f))
    assert r.returncode == 2
    err = r.stderr.decode("utf-8").strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{f}: ") and "Traceback" not in err[0]
    assert message.lower() in err[0].lower()


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    r = _run("parse", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and "无法读取文件".encode() in r.stderr


def test_unused_table_row_is_a_located_warning_and_strict_fails(tmp_path: Path) -> None:
    lines = (SEEDS / "000_b15b158b2ebb9642.txt").read_text(encoding="utf-8").split("\n")
    at = next(i for i, s in enumerate(lines) if s.startswith("一级指标\t")) + 1
    lines.insert(at, "注：\t\t\t\t\t\t额外的说明\t多余的单元格")
    f = tmp_path / "with_note.txt"
    f.write_text("\n".join(lines), encoding="utf-8")
    doc = parse_file(f)
    assert any(w.location.line == at + 1 for w in doc.warnings), [str(w) for w in doc.warnings]
    r = _run("parse", str(f), "--strict")
    assert r.returncode == 2
    assert f"第 {at + 1} 行" in r.stderr.decode("utf-8")
    assert _run("parse", str(f)).returncode == 0


@pytest.mark.parametrize(
    ("stem", "region"),
    [
        ("001_69cafeba3764958f", "河北省秦皇岛市山海关区"),
        ("002_395e31acaf57e48c", "河北省邢台市巨鹿县"),
        ("004_dc71da0f619798d6", "河北省唐山市乐亭县"),
        ("003_665f1d82f3b4329e", None),  # no project codes: no hint
    ],
)
def test_region_from_the_project_codes_division(stem: str, region: str | None) -> None:
    doc = parse_file(SEEDS / f"{stem}.txt")
    assert doc.region == region
    assert all(p.region == region for p in doc.projects if p.code)
