"""The 监控表's 年度总体目标 comes from the project's 绩效目标 when the caller gives none: from the
project in a snapshot, and through a filled monitoring workbook (`jixiao export monitor`)."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from jixiao.cycle.monitor import assess, snapshot_for
from jixiao.export.monitoring import monitoring_table
from tests.fixtures_models import product_sampling, vehicle_insurance
from tests.test_export_cli import _monitor_workbook, run


def _goal_cell(rows) -> str:
    for row in rows:
        if row and row[0].text == "年度总体目标":
            return row[1].text
    raise AssertionError("no 年度总体目标 row")


def test_goal_from_the_project_unless_given():
    p = product_sampling()
    assert p.goal
    s = snapshot_for(p, date(2024, 7, 31))
    assert _goal_cell(monitoring_table(s, assess(s)).rows) == p.goal
    assert _goal_cell(monitoring_table(s, assess(s), goal="另行填写的目标").rows) == "另行填写的目标"


def _sheet_goal(ws) -> str | None:
    for row in ws.iter_rows():
        if row[0].value == "年度总体目标":
            return next((c.value for c in row[1:] if c.value), None)
    raise AssertionError("no 年度总体目标 row")


def test_goal_through_a_filled_workbook(tmp_path, capsys):
    src = _monitor_workbook(tmp_path, reasons=True)
    out = tmp_path / "监控表.xlsx"
    code, err = run(capsys, "monitor", str(src), "-o", str(out))
    assert code == 0, err
    goal = vehicle_insurance().goal
    assert goal and _sheet_goal(load_workbook(out)["监控表"]) == goal
