"""Excel entry workbooks: write pre-filled, fill cells as a user would (openpyxl), read back."""

from __future__ import annotations

import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jixiao.cli.main import main
from jixiao.cycle.evaluate import score_evaluation
from jixiao.cycle.monitor import GREEN, RED, assess
from jixiao.cycle.workbooks import (
    WorkbookError,
    monitor_template,
    read_monitor_workbook,
    read_selfeval_workbook,
    selfeval_template,
)
from tests.conftest import SEEDS
from tests.fixtures_models import product_sampling, vehicle_insurance

D = Decimal


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------ 自评表


def _filled_selfeval() -> tuple[bytes, object]:
    """vehicle_insurance (6 indicators) filled the way a unit would, every target met."""
    wb = _open(selfeval_template([vehicle_insurance()], 2024, unit_name="示例市市场监督管理局"))
    ws = wb["自评表"]
    ws["E6"] = 6.5  # 全年执行数
    ws["F8"] = "按时缴纳全部车辆保险"
    ws["F10"] = "98%"  # 公车保险缴纳率 ≥95%
    ws["F11"] = 17  # 管理车辆数 17辆: a bare number in the target's unit
    ws["F12"] = datetime(2024, 12, 20)  # 2024年12月31日前, typed as a date
    ws["F13"] = "6.5万元"  # 项目控制预算数 ≤6.80万元
    ws["F14"] = "是"  # 提高工作效率 是
    ws["F15"] = 0.96  # 使用对象满意率 ≥95%, typed into a percent cell
    ws["F15"].number_format = "0%"
    return _save(wb), wb


def test_selfeval_template_layout():
    wb = _open(selfeval_template([vehicle_insurance()], 2024))
    assert wb.sheetnames == ["自评表", "_jixiao"]
    assert wb["_jixiao"].sheet_state == "hidden"
    ws = wb["自评表"]
    assert ws["A1"].value == "项目支出绩效自评表" and ws["A2"].value == "（2024年度）"
    assert ws["B3"].value == "公务用车保险费" and ws["G3"].value == "13990124P00LDLE10006G"
    assert [ws[f"{c}5"].value for c in "CDEFGH"] == [
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    assert ws["C6"].value == 6.8 and ws["D6"].value == 6.8 and ws["F6"].value == 10
    assert [ws[f"{c}9"].value for c in "EFGHI"] == [
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    # 产出 50 shared by 4, 效益 30, 满意度 10
    assert [ws[f"G{r}"].value for r in range(10, 16)] == [12.5, 12.5, 12.5, 12.5, 30, 10]
    assert ws["E13"].value == "≤6.80万元"
    assert ws["A16"].value == "总分"


def test_selfeval_round_trip_scores():
    data, _ = _filled_selfeval()
    [ev] = read_selfeval_workbook(data)
    assert ev.project_name == "公务用车保险费" and ev.project_code == "13990124P00LDLE10006G"
    assert ev.year == 2024
    assert ev.budget.initial == D("6.8") and ev.budget.adjusted == D("6.8") and ev.budget.executed == D("6.5")
    assert ev.goal_actual == "按时缴纳全部车辆保险"
    assert [i.actual for i in ev.indicators] == ["98%", "17", "2024年12月20日", "6.5万元", "是", "96%"]
    r = score_evaluation(ev)
    # 6.5 / 6.8 = 95.59% → 9.56; every indicator met → 90; total 99.56 优
    assert r.execution_score.quantize(D("0.01")) == D("9.56")
    assert [s.score for s in r.indicators] == [D("12.5")] * 4 + [D(30), D(10)]
    assert r.total.quantize(D("0.01")) == D("99.56") and r.grade == "优"


def test_selfeval_execution_below_90_needs_its_reason_cell():
    _, wb = _filled_selfeval()
    ws = wb["自评表"]
    assert ws["I5"].value == "执行率偏差原因（执行率低于 90% 时必填）"
    ws["E6"] = 5.44  # 80% of 6.8
    with pytest.raises(WorkbookError) as e:
        read_selfeval_workbook(_save(wb))
    assert e.value.problems == ["自评表!I6: 预算执行率 80% 低于 90%，请填写执行率偏差原因"]
    ws["I6"] = "保险费年中降价"
    [ev] = read_selfeval_workbook(_save(wb))
    assert ev.execution_reason == "保险费年中降价"
    # a workbook written before the cell existed is read as before: no reason, none asked for
    ws["I5"] = ws["I6"] = None
    [ev] = read_selfeval_workbook(_save(wb))
    assert ev.execution_reason is None and score_evaluation(ev).execution_explanation


def test_selfeval_empty_cells_are_located_and_nothing_returned():
    data = selfeval_template([vehicle_insurance()], 2024)
    with pytest.raises(WorkbookError) as e:
        read_selfeval_workbook(data)
    assert e.value.problems == [
        "自评表!E6: 全年执行数为空",
        "自评表!F10: 指标「公车保险缴纳率」: 实际完成值为空",
        "自评表!F11: 指标「管理车辆数（辆）」: 实际完成值为空",
        "自评表!F12: 指标「按项目计划完成工作」: 实际完成值为空",
        "自评表!F13: 指标「项目控制预算数」: 实际完成值为空",
        "自评表!F14: 指标「提高工作效率」: 实际完成值为空",
        "自评表!F15: 指标「使用对象满意率」: 实际完成值为空",
    ]


@pytest.mark.parametrize(
    ("cell", "value", "located"),
    [
        ("E6", "六点五", "自评表!E6: 全年执行数「六点五」不是数字"),
        ("D6", 0, "自评表!D6: 全年预算数应大于 0"),
        ("F10", "3家", "自评表!F10: 指标「公车保险缴纳率」: 年度指标值「≥95%」是百分比"),
        ("F11", "90%", "自评表!F11: 指标「管理车辆数（辆）」: 年度指标值「17辆」是数量"),
        ("F12", "尚在办理", "自评表!F12: 指标「按项目计划完成工作」"),
        ("G10", "多", "自评表!G10: 指标「公车保险缴纳率」: 分值「多」不是数字"),
        ("G10", 20, "自评表!G16: 分值合计（预算执行率 10 加各指标分值）为 107.5，应为 100"),
        ("H10", 5, "自评表!H10: 指标「公车保险缴纳率」: 只有定性指标可以自填得分"),
    ],
)
def test_selfeval_wrong_cells_are_located(cell, value, located):
    _, wb = _filled_selfeval()
    wb["自评表"][cell] = value
    with pytest.raises(WorkbookError) as e:
        read_selfeval_workbook(_save(wb))
    assert any(p.startswith(located) for p in e.value.problems), e.value.problems


def test_selfeval_changed_weights_summing_to_100_are_used():
    _, wb = _filled_selfeval()
    ws = wb["自评表"]
    ws["G10"], ws["G11"], ws["G12"], ws["G13"], ws["G14"], ws["G15"] = 20, 10, 10, 10, 30, 10
    ws["F11"] = "15辆"  # 15/17 × 10 = 8.8235… → 8.82 as printed
    [ev] = read_selfeval_workbook(_save(wb))
    r = score_evaluation(ev)
    assert [s.points for s in r.indicators] == [D(20), D(10), D(10), D(10), D(30), D(10)]
    assert r.indicators[1].score == D("8.82")


def test_selfeval_two_projects_qualitative_band_and_error_in_second_sheet():
    wb = _open(selfeval_template([vehicle_insurance(1), product_sampling(2)], 2024))
    assert wb.sheetnames[:2] == ["自评表1", "自评表2"]
    filled, _ = _filled_selfeval()
    src = _open(filled)["自评表"]
    ws1 = wb["自评表1"]
    for ref in ("E6", "F10", "F11", "F12", "F13", "F14", "F15"):
        ws1[ref] = src[ref].value
        ws1[ref].number_format = src[ref].number_format
    ws2 = wb["自评表2"]
    ws2["E6"] = 80
    actuals = [
        "330批次",
        "12类",
        "100%",
        "96%",
        "100%",
        "2024年3月20日",
        "2400元/批次",
        "0起",
        None,
        None,
        "92%",
        None,
    ]
    for k, a in enumerate(actuals):
        ws2[f"F{10 + k}"] = a
    ws2["J18"] = "达成年度指标"  # 企业质量意识 明显提升
    ws2["J19"] = "部分达成并具有一定效果"  # 质量监管长效机制 长期
    ws2["H19"] = 7  # 效益 30 shared by 3 → 10 points: 部分达成 [6, 8) — inside
    # 消费者满意度 (row 21) left empty → located in the second sheet
    with pytest.raises(WorkbookError) as e:
        read_selfeval_workbook(_save(wb))
    assert e.value.problems == ["自评表2!F21: 指标「消费者满意度」: 实际完成值为空"]
    ws2["F21"] = "88%"
    ws2["H19"] = 8  # 8 of 10 is 80%: belongs to 达成, rejected for 部分达成
    with pytest.raises(WorkbookError) as e:
        read_selfeval_workbook(_save(wb))
    assert len(e.value.problems) == 1
    assert e.value.problems[0].startswith("自评表2!H19: 指标「质量监管长效机制」")
    ws2["H19"] = 7
    evs = read_selfeval_workbook(_save(wb))
    assert [ev.project_name for ev in evs] == ["公务用车保险费", "产品质量监督抽查经费"]
    r = score_evaluation(evs[1])
    assert r.indicators[8].proposed and r.indicators[8].score == 9  # 达成: the band midpoint, 9
    assert r.indicators[9].score == 7 and not r.indicators[9].proposed


def test_reading_the_wrong_kind_of_workbook():
    with pytest.raises(WorkbookError, match="监控表工作簿"):
        read_selfeval_workbook(monitor_template([vehicle_insurance()], 2024))
    with pytest.raises(WorkbookError, match="无法读取"):
        read_selfeval_workbook(b"not a workbook")


# ------------------------------------------------------------ 监控表


def _filled_monitor(reasons: bool = True) -> bytes:
    wb = _open(monitor_template([vehicle_insurance()], 2024))
    ws = wb["监控表"]
    assert ws["B3"].value == datetime(2024, 7, 31)
    ws["B7"] = 2  # 2 / 6.8 = 29.4% of expected 56.30% → 52% red
    ws["E10"] = "96%"  # ≥95%: 101% green
    ws["E11"] = "17辆"  # vehicles kept insured: a stock, 17 of 17 = 100% green (not scaled by time)
    # E12 deadline 2024-12-31 not yet due: left empty, green
    ws["E13"] = "2万元"  # ≤6.80万元: green
    ws["E14"] = "是"
    ws["E15"] = "90%"  # 90/95 = 94.7% green
    if reasons:
        ws["H7"], ws["I7"], ws["J7"], ws["K7"] = "经费保障", "资金下达较晚", "确定能", "9月前完成支付"
    return _save(wb)


def test_monitor_template_layout():
    wb = _open(monitor_template([vehicle_insurance()], 2024))
    ws = wb["监控表"]
    assert ws["A1"].value == "项目绩效运行监控表"
    assert ws["B5"].value == "3月底 25%；6月底 50%；10月底 75%；12月底 100%"
    assert ws["A7"].value == 6.8 and ws["D7"].value == pytest.approx(0.563, abs=1e-4)
    assert [ws[f"{c}9"].value for c in "DEFHIJK"] == [
        "年度指标值",
        "截至监控日完成值",
        "完成情况（定性指标）",
        "偏差原因",
        "偏差原因说明",
        "完成目标可能性",
        "整改措施",
    ]
    assert ws["D10"].value == "≥95%"


def test_monitor_round_trip_lights():
    [snap] = read_monitor_workbook(_filled_monitor())
    assert snap.project_name == "公务用车保险费" and snap.executed == 2 and snap.budget == D("6.8")
    assert snap.spending_plan == vehicle_insurance().spending_plan
    assert snap.deviation.category == "经费保障" and snap.deviation.likelihood == "确定能"
    r = assess(snap)
    assert r.spending_light == RED and r.light == RED
    assert [i.light for i in r.indicators] == [GREEN, GREEN, GREEN, GREEN, GREEN, GREEN]


def test_monitor_red_without_reason_is_located():
    with pytest.raises(WorkbookError) as e:
        read_monitor_workbook(_filled_monitor(reasons=False))
    cells = [p.split(":")[0] for p in e.value.problems]
    assert cells == ["监控表!H7", "监控表!I7", "监控表!J7", "监控表!K7"]
    assert "红灯" in e.value.problems[0]
    # as a draft it reads, and the gaps are left to validate_snapshot
    [snap] = read_monitor_workbook(_filled_monitor(reasons=False), complete=False)
    assert snap.deviation.is_empty()


@pytest.mark.parametrize(
    ("cell", "value", "located"),
    [
        ("B3", "七月底左右", "监控表!B3: 监控截止日期「七月底左右」不是日期"),
        ("B7", "两万", "监控表!B7: 截至监控日执行数「两万」不是数字"),
        ("H7", "天气", "监控表!H7: 偏差原因「天气」应为"),
        ("J7", "应该能", "监控表!J7: 完成目标可能性「应该能」应为"),
        ("E10", "3家", "监控表!E10: 指标「公车保险缴纳率」: 年度指标值「≥95%」是百分比"),
        ("E11", None, "监控表!E11: 项目「公务用车保险费」指标「管理车辆数（辆）」: 截至监控日完成值为空"),
    ],
)
def test_monitor_wrong_cells_are_located(cell, value, located):
    wb = _open(_filled_monitor())
    wb["监控表"][cell] = value
    with pytest.raises(WorkbookError) as e:
        read_monitor_workbook(_save(wb))
    assert any(p.startswith(located) for p in e.value.problems), e.value.problems


# ------------------------------------------------------------ CLI


def test_cli_template_from_a_disclosure_and_score_it(tmp_path, capsys):
    out = tmp_path / "selfeval.xlsx"
    rc = main(["template", "selfeval", "--from", str(SEEDS / "001_69cafeba3764958f.txt"), "-o", str(out)])
    assert rc == 0
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "自评表1" and wb["自评表1"]["A1"].value == "项目支出绩效自评表"
    capsys.readouterr()
    # the empty template does not score: every empty cell located, exit 2
    assert main(["score", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: 自评表1!E6: 全年执行数为空" in err and "Traceback" not in err


def test_cli_score_xlsx_and_monitor(tmp_path, capsys):
    f = tmp_path / "filled.xlsx"
    f.write_bytes(_filled_selfeval()[0])
    assert main(["score", str(f), "--format", "json"]) == 0
    [res] = json.loads(capsys.readouterr().out)
    assert res["total"] == 99.56 and res["grade"] == "优"
    m = tmp_path / "monitor.xlsx"
    m.write_bytes(_filled_monitor())
    assert main(["monitor", str(m)]) == 0
    out = capsys.readouterr().out
    assert "公务用车保险费" in out and "红灯" in out and "绿灯" in out
    m.write_bytes(_filled_monitor(reasons=False))
    assert main(["monitor", str(m)]) == 2
    assert "监控表!H7" in capsys.readouterr().err


def test_cli_template_needs_a_source(tmp_path, capsys):
    assert main(["template", "monitor", "-o", str(tmp_path / "m.xlsx")]) == 2
    assert "--from" in capsys.readouterr().err
