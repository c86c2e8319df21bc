"""`jixiao template --unit CODE --year Y` from the database and `jixiao report FILE.xlsx` back into it."""

from __future__ import annotations

import io
import os

import pytest
from openpyxl import load_workbook

from tests.cli_runner import run_cli

pytestmark = pytest.mark.skipif(
    os.environ.get("JIXIAO_DATABASE_URL", "").startswith("postgres"),
    reason="CLI tests run in the SQLite pass",
)


def _filled(bad: bool) -> bytes:
    from jixiao.cycle.workbooks import monitor_template
    from jixiao.web.demo import market_bureau

    project = market_bureau(2024).projects[0]
    wb = load_workbook(io.BytesIO(monitor_template([project], 2024)))
    ws = wb["监控表"]
    ws["B7"] = 10  # 10 / 48.5 = 21% against about 58% expected: red
    for ref, v in {
        "E10": "200批次",
        "E11": "96%",
        "E12": "100%",
        "E14": "1400元/批次",
        "F15": "达成",
        "E16": "92%",
    }.items():
        ws[ref] = v
    if not bad:
        ws["H7"], ws["I7"], ws["J7"], ws["K7"] = "经费保障", "资金下达晚", "有可能", "9月前完成支付"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_template_from_the_database_and_report_back(tmp_path, db):
    r = run_cli(["demo", "--data", str(tmp_path), "--no-serve"])
    assert r.returncode == 0, r.stderr
    out = tmp_path / "m.xlsx"
    r = run_cli(["template", "monitor", "--unit", "999001", "--year", "2024", "-o", str(out)])
    assert r.returncode == 0, r.stderr
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "监控表1" and wb["监控表1"]["B4"].value == "产品质量监督抽查经费"
    r = run_cli(["template", "selfeval", "--unit", "000000", "--year", "2024", "-o", tmp_path / "x.xlsx"])
    assert r.returncode == 2 and "没有单位 000000" in r.stderr
    # unfilled: every empty cell named, exit 2, nothing stored
    r = run_cli(["report", str(out)])
    assert r.returncode == 2 and "监控表1!B7" in r.stderr
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(_filled(bad=True))
    good.write_bytes(_filled(bad=False))
    r = run_cli(["report", str(bad)])
    assert r.returncode == 2 and "监控表!H7" in r.stderr and "需选择偏差原因" in r.stderr
    r = run_cli(["report", "--unit", "999001", str(good)])
    assert r.returncode == 0, r.stderr
    assert "产品质量监督抽查经费：截至 2024-07-31，红灯" in r.stdout


def test_template_from_the_database_holds_only_projects_that_can_be_reported(tmp_path, db):
    """The demo's 999001 2024 has one project still submitted (not approved): its sheet would have
    the whole filled workbook refused, so the template leaves it out and says so."""
    r = run_cli(["demo", "--data", str(tmp_path), "--no-serve"])
    assert r.returncode == 0, r.stderr
    out = tmp_path / "s.xlsx"
    r = run_cli(["template", "selfeval", "--unit", "999001", "--year", "2024", "-o", str(out)])
    assert r.returncode == 0, r.stderr
    names = [
        str(row[1])
        for ws in load_workbook(out).worksheets
        if ws.title.startswith("自评表")
        for row in ws.iter_rows(max_row=6, values_only=True)
        if row[0] == "项目名称"
    ]
    assert len(names) == 5 and "计量器具检定及标准化工作经费" not in names, names
    assert "计量器具检定及标准化工作经费" in r.stderr and "未列入" in r.stderr
    # a unit-year with no approved project: told why, exit 2
    r = run_cli(["template", "monitor", "--unit", "999003", "--year", "2024", "-o", str(tmp_path / "m.xlsx")])
    assert r.returncode == 2 and "没有已批复或已公开的项目" in r.stderr
