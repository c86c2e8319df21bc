"""Published 监控表 pages (项目支出绩效运行监控表) read into `MonitoringTable` and turned into lights.

There are no real published monitoring pages in ../shared/field: the yardstick is a few reference
tables written for the tests (tests/heldout/monitor_pages.py: the national form with tick columns,
data to July and to June, and a regional variant with text columns and amounts in 元), printed in
every layout the importer reads. Floors are what the reader reached when they were set."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from jixiao.cli.main import main
from jixiao.cycle.monitor import assess, snapshot_from_reading
from jixiao.ingest import read_cells
from jixiao.ingest.monitoring import NoMonitoring, read_monitoring, read_monitoring_bytes
from jixiao.ingest.selfeval import read_selfeval
from tests.heldout.make_pages import render_text
from tests.heldout.monitor_pages import REFERENCES, _fix_left, build, pages
from tests.monitor_score import heldout, score_table

# mean per layout over the reference tables; ticks (偏差原因, 完成目标可能性 of the national form) are
# read by their column where the layout keeps blank cells (tabs, grids) and left unread where blank
# cells are dropped (spaces, pipes regrouped, one cell per line): a tick's column is not guessed
LAYOUT_FLOORS = {
    "tabs": 1.0,
    "pipes": 0.9,
    "pipes_inner": 0.9,
    "spaces": 0.9,
    "cells": 0.88,
    "cells_pipe": 0.9,
    "run": 0.6,  # each row's cells run together: cut at each value's end, ticks unread
    "docx": 1.0,
    "xlsx": 1.0,
    "html": 1.0,
}


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    return {name: r / t for name, r, t in heldout()}


@pytest.mark.parametrize("layout", sorted(LAYOUT_FLOORS))
def test_heldout_layouts_are_read_at_their_floor(scores, layout):
    mine = [v for k, v in scores.items() if k.split("_", 2)[2] == layout]
    assert len(mine) == len(REFERENCES)
    assert sum(mine) / len(mine) >= LAYOUT_FLOORS[layout] - 1e-9


def _page(stem: str, layout: str) -> tuple[str, bytes]:
    for name, suffix, data, _ref in pages():
        if name == f"{stem}_{layout}":
            return f"{name}.{suffix}", data
    raise KeyError(stem)


def test_the_national_form_is_read_whole_from_a_grid():
    name, data = _page("national_water", "docx")
    (t,) = read_monitoring(read_cells(data, name))
    assert (t.year, t.period, t.month, t.money_unit) == (2023, "1-7月", 7, "万元")
    assert t.project_name == "农村饮水安全巩固提升工程"
    assert t.budget_rows["年度资金总额"]["1-7月执行数"] == "386.40"
    assert t.budget_rows["年度资金总额"]["偏差原因分析"].startswith("部分工程尚未完工验收")
    ind = {i.name: i for i in t.indicators}["农村自来水普及率"]
    assert (ind.level1, ind.level2, ind.target, ind.actual, ind.forecast) == (
        "效益指标",
        "社会效益指标",
        "≥95%",
        "93%",
        "95%",
    )
    # the ticks: 经费保障 under 偏差原因分析, 有可能 under 完成目标可能性
    assert (ind.reason_category, ind.likelihood, ind.remarks) == (
        "经费保障",
        "有可能",
        "争取追加资金，加快入户工程",
    )
    assert score_table(REFERENCES["national_water"], t.to_dict()) == (89, 89)


def test_a_self_evaluation_is_no_monitoring_table_and_back():
    name, data = _page("national_water", "tabs")
    assert not [t for t in read_selfeval(read_cells(data, name)) if t.indicators]
    text = (
        "项目支出绩效自评表\n项目名称\t某项目\n"
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
        "产出指标\t数量指标\t培训人数\t≥100人\t120人\t10\t10\t\n"
    )
    assert not [t for t in read_monitoring(read_cells(text.encode(), "s.txt")) if t.indicators]


@pytest.mark.parametrize("layout", ["tabs", "cells", "pipes"])
def test_two_tables_in_one_file_are_two_readings(layout):
    a = render_text(_fix_left(build(REFERENCES["national_water"])), layout)
    b = render_text(_fix_left(build(REFERENCES["regional_toilets"])), layout)
    tables = read_monitoring(read_cells((a + "\n" + b).encode("utf-8"), "two.txt"))
    assert [t.project_name for t in tables][1:] == ["城区公共厕所运行维护经费"]
    assert [len(t.indicators) for t in tables] == [10, 7]


def test_amounts_in_yuan_become_wan_yuan_and_the_period_sets_the_date():
    name, data = _page("regional_toilets", "xlsx")
    (t,) = read_monitoring_bytes(data, name)
    snap, warnings = snapshot_from_reading(t)
    assert warnings == []
    assert (snap.budget, snap.executed, snap.as_of.isoformat()) == (
        Decimal(320),
        Decimal("172.8"),
        "2024-07-31",
    )
    sat = snap.indicators[-1]
    assert sat.deviation.likelihood == "有可能" and sat.deviation.measures == "加强保洁频次和巡查考核"
    assert assess(snap).light == "green"
    name, data = _page("national_june", "html")
    (t,) = read_monitoring_bytes(data, name)
    snap, _ = snapshot_from_reading(t)
    assert snap.as_of.isoformat() == "2022-06-30"
    assert assess(snap).spending_light == "red"  # 27% spent at half the year


@pytest.mark.parametrize("layout", ["tabs", "xlsx"])
def test_monitor_gives_the_lights_of_a_published_page(tmp_path, capsys, layout):
    # a published .xlsx page is not a filled monitoring workbook: read as a page
    name, data = _page("national_water", layout)
    page = tmp_path / name
    page.write_bytes(data)
    assert main(["monitor", str(page), "--format", "json"]) == 0
    captured = capsys.readouterr()
    (out,) = json.loads(captured.out)
    assert out["project"] == "农村饮水安全巩固提升工程"
    assert out["as_of"] == "2023-07-31"
    assert out["spending_light"] == "yellow"  # 42% spent against 58.3% of the year
    lights = {i["name"]: i["light"] for i in out["indicators"]}
    assert lights["受益农村人口数量"] == "red"  # 1.9 of 3.2万人 at 7/12 of the year
    assert lights["受益群众满意度"] is None  # printed 「—」: not known yet
    assert "无法" not in captured.err


@pytest.mark.parametrize("layout", ["docx", "cells"])
def test_parse_prints_the_reading_of_a_monitoring_page(tmp_path, capsys, layout):
    # one cell per line cuts 「1-7月执行情况」 in two: the importer takes the page for a 自评表, the
    # readers tell
    name, data = _page("regional_toilets" if layout == "docx" else "national_water", layout)
    page = tmp_path / name
    page.write_bytes(data)
    assert main(["parse", str(page)]) == 0
    captured = capsys.readouterr()
    got = json.loads(captured.out)
    assert got["kind"] == "monitor"
    assert got["project_name"] in ("城区公共厕所运行维护经费", "农村饮水安全巩固提升工程")
    assert "运行监控表" in captured.err and "jixiao monitor" in captured.err


def test_an_unreadable_page_is_a_chinese_error_naming_the_file(tmp_path, capsys):
    page = tmp_path / "空监控表.txt"
    page.write_text("2023年度项目支出绩效运行监控表\n项目名称\t某项目\n", "utf-8")
    assert main(["monitor", str(page)]) == 2
    err = capsys.readouterr().err
    assert str(page) in err and "未找到已公开的运行监控表" in err and "年度指标值" in err
    with pytest.raises(NoMonitoring):
        read_monitoring_bytes(page.read_bytes(), page.name)


def test_a_page_with_a_3000_digit_run_is_read_in_bounded_time():
    ref = dict(REFERENCES["national_water"])
    ref["indicators"] = [dict(i) for i in ref["indicators"]]
    ref["indicators"][0]["actual"] = "9" * 3000
    for layout in ("tabs", "spaces", "cells", "run"):
        text = render_text(_fix_left(build(ref)), layout)
        start = time.process_time()
        read_monitoring(read_cells(text.encode("utf-8"), f"long_{layout}.txt"))
        assert time.process_time() - start < 5, layout


def test_the_year_given_is_used_only_where_the_page_prints_none(tmp_path, capsys):
    """`--year` is the budget year of a page that does not print its own (as for every reader):
    a page printed 2024 stays 2024, data to 31 July 2024, whatever year is given."""
    name, data = _page("regional_toilets", "xlsx")
    (t,) = read_monitoring_bytes(data, name)
    assert t.year == 2024
    snap, _ = snapshot_from_reading(t, 2021)
    assert snap.as_of.isoformat() == "2024-07-31" and snap.year == 2024
    t.year = None
    assert snapshot_from_reading(t, 2021)[0].as_of.isoformat() == "2021-07-31"
    page = tmp_path / name
    page.write_bytes(data)
    assert main(["monitor", str(page), "--year", "2021", "--format", "json", "--timeout", "0"]) == 0
    assert "2024-07-31" in capsys.readouterr().out
