"""`jixiao review` and `jixiao rules` from the command line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jixiao.cli.main import main
from jixiao.review import RULES
from jixiao.review.catalogue import catalogue_markdown
from tests.cli_runner import run_cli
from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="sample disclosures not available")


def seed(prefix: str) -> Path:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path


def test_json_is_a_list_of_findings_with_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(seed("001")), "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert isinstance(items, list) and items
    keys = ["rule", "severity", "project_seq", "project", "indicator", "message", "hint"]
    assert all(list(i)[:7] == keys for i in items)
    first = next(i for i in items if i["rule"] == "JX301")
    assert first["project_seq"] == 2 and first["indicator"] == "工资及保险发放准确率"
    assert first["severity"] == "error" and "7人" in first["message"] and first["hint"]


def test_text_reads_like_a_memo_grouped_by_project(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(seed("003"))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("天津市河西区市场监督管理局（355101）2024年度项目绩效目标审核意见")
    assert "共审核5个项目" in out
    assert "一、抽验检查工作经费（特种设备、产品质检、药品、医疗器械等）（第1个项目）审核结果：" in out
    assert "五、市场执法检查办案经费（第5个项目，天津市河西区市场监管综合行政执法支队（355301））" in out
    assert "JX503 指标值含估计用语：" in out and "改法：" in out
    # one project's findings come together, before the next project's heading
    assert out.index("JX601") < out.index("二、食品安全工作经费")


def test_xlsx_has_a_summary_and_one_sheet_per_unit(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "review.xlsx"
    assert main(["review", str(seed("001")), str(seed("003")), "--format", "xlsx", "-o", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "审核结果",
        "414001 市场监管部门市场监督管理局本级",
        "355101 天津市河西区市场监督管理局",
        "355301 天津市河西区市场监管综合行政执法支队",  # 003 project 5 names its own unit
    ]
    summary = list(wb["审核结果"].iter_rows(values_only=True))
    assert summary[0][:7] == ("来源文件", "单位编码", "单位名称", "年度", "项目序号", "项目名称", "审核结果")
    assert len(summary) == 1 + 9 + 5
    rows = list(wb["414001 市场监管部门市场监督管理局本级"].iter_rows(values_only=True))
    assert rows[0][4:6] == ("规则", "级别")
    assert any(r[4] == "JX301" and r[5] == "错误" and r[3] == "工资及保险发放准确率" for r in rows[1:])


def test_a_directory_is_reviewed_file_by_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(seed("002"), tmp_path / "a.txt")
    shutil.copy(seed("004"), tmp_path / "b.txt")
    assert main(["review", str(tmp_path), "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert {Path(i["source"]).name for i in items} == {"a.txt", "b.txt"}


def test_a_bad_file_is_one_located_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    assert main(["review", str(bad), str(seed("002")), "--format", "json"]) == 2
    cap = capsys.readouterr()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}: ")
    assert json.loads(cap.out)  # the good file is still reviewed
    assert main(["review", str(tmp_path / "absent.txt")]) == 2
    assert "absent.txt" in capsys.readouterr().err


def test_a_bad_config_is_reported_and_nothing_is_reviewed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[rules]\ndisable = ["JX000"]\n', encoding="utf-8")
    assert main(["review", str(seed("001")), "--config", str(cfg)]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and str(cfg) in cap.err and "JX000" in cap.err


def test_config_switches_rules_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "review.toml"
    cfg.write_text('[units."414001"]\ndisable = ["JX201"]\n', encoding="utf-8")
    assert main(["review", str(seed("001")), "--config", str(cfg), "--format", "json"]) == 0
    assert not [i for i in json.loads(capsys.readouterr().out) if i["rule"] == "JX201"]


def test_history_makes_the_ambition_rule_fire(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hist = tmp_path / "history.json"
    hist.write_text(
        json.dumps(
            [{"project": "食品抽检经费", "indicator": "食品抽检批次", "actual": "700 批次"}],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert main(["review", str(seed("002")), "--history", str(hist), "--format", "json"]) == 0
    [f] = [i for i in json.loads(capsys.readouterr().out) if i["rule"] == "JX603"]
    assert f["project"] == "食品抽检经费" and "≥650批次" in f["message"] and "700 批次" in f["message"]


def test_min_severity_leaves_out_lesser_findings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(seed("000")), "--format", "json", "--min-severity", "error"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and {i["severity"] for i in items} == {"error"}


def test_rules_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    cat = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in cat] == sorted(RULES)
    assert all(r["what"] and r["why"] and r["example"] and r["sources"] for r in cat)
    assert main(["rules"]) == 0
    assert "JX201 指标值是未填写的模板占位 [错误·可行性]" in capsys.readouterr().out


def test_the_rules_page_in_docs_is_generated_from_the_code() -> None:
    page = REPO / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == catalogue_markdown(), (
        "regenerate: jixiao rules --format markdown -o docs/rules.md"
    )


def test_review_a_unit_from_the_database(db: None) -> None:
    """`jixiao review --unit CODE --year Y` reads what `jixiao import` stored (the test database)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(args)

    assert run("import", str(seed("004"))).returncode == 0
    done = run("review", "--unit", "414001", "--year", "2024", "--format", "json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert any(i["rule"] == "JX302" and i["project_seq"] == 11 for i in items)
    missing = run("review", "--unit", "999999", "--year", "2024")
    assert missing.returncode == 2 and "没有单位 999999" in missing.stderr
    no_year = run("review", "--unit", "414001", "--year", "2019")
    assert no_year.returncode == 2 and "2019 年" in no_year.stderr
    # a second county's 414001: the code alone is ambiguous, region:code names one
    assert run("import", str(seed("001"))).returncode == 0
    both = run("review", "--unit", "414001", "--year", "2024")
    assert both.returncode == 2 and "不唯一" in both.stderr, both.stderr
    hint = re.search(r"例如 --unit (\S+?)（", both.stderr)
    assert hint, both.stderr
    one = run("review", "--unit", hint.group(1), "--format", "json")
    assert one.returncode == 0, one.stderr
