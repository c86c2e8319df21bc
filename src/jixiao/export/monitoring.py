"""The 项目绩效运行监控表 of each project (and a unit summary of the lights), as .xlsx and .docx.

The layout follows the national 绩效目标执行监控表, on a 16-column landscape grid, top to bottom:

- 项目名称 / 项目编码, 主管部门 / 实施单位;
- 项目资金（万元）: 年初预算数, 1-7月执行数, 执行率, 计划进度, 预计全年执行数, 偏差原因,
  完成目标可能性, 整改措施, 监控结果 (the spending light, tinted, with its progress ratio);
- 年度总体目标;
- 绩效指标: 一级 / 二级 (merged down over their groups) / 三级指标, 年度指标值, 1-7月实际完成值,
  预计全年完成情况, 偏差原因分析 (√ under 经费保障, 制度保障, 人员保障, 硬件条件保障 or 其他, then
  原因说明), 完成目标可能性, 整改措施, 监控结果;
- 项目监控结果: the lights counted in words, and the project's light.

"1-7月" follows the as-of date (1-9月 for 30 September; 截至8月15日 for a mid-month date). The lights
and ratios come from `jixiao.cycle.monitor.assess`; this module only lays them out. The 预计全年 columns
are not part of `MonitorSnapshot`; pass them as a `MonitorForecast` or they stay blank to be
filled by hand.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jixiao.cycle.monitor import (
    BLUE,
    GREEN,
    LIGHT_LABELS,
    QUALITATIVE,
    REASON_CATEGORIES,
    RED,
    YELLOW,
    Deviation,
    IndicatorLight,
    IndicatorProgress,
    MonitorResult,
    MonitorSnapshot,
    plan_milestones,
)
from jixiao.export.grid import (
    Cell,
    StandardTable,
    money,
    percent_text,
    tables_to_docx,
    tables_to_xlsx,
)

TITLE = "项目绩效运行监控表"
SUMMARY_TITLE = "项目绩效运行监控汇总表"
# A4 landscape, 1.5 cm margins: 26.7 cm
WIDTHS_CM = (1.5, 1.6, 1.8, 2.5, 1.8, 1.9, 1.9, 1.1, 1.1, 1.1, 1.1, 1.1, 2.4, 1.5, 2.6, 1.6)
SUMMARY_WIDTHS_CM = (1.0, 5.0, 4.2, 1.9, 1.9, 1.6, 1.6, 1.6, 6.0, 1.6)
NOT_ENTERED = "未填"
REASON_COL = 7  # first of the five 偏差原因 category columns; 说明 follows them
CHECK = "√"


@dataclass
class MonitorForecast:
    """预计全年执行数 (万元) and 预计全年完成情况 per indicator (in the snapshot's indicator order)."""

    executed: Decimal | None = None
    indicators: Sequence[str | None] = field(default_factory=list)


def period_label(as_of: date) -> str:
    """1-7月 for 31 July; 截至8月15日 for a date inside a month."""
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return "1月" if as_of.month == 1 else f"1-{as_of.month}月"
    return f"截至{as_of.month}月{as_of.day}日"


def light_label(light: str | None) -> str:
    return LIGHT_LABELS.get(light or "", NOT_ENTERED)


def _label(text: str, col: int, span: int = 1, rows: int = 1) -> Cell:
    return Cell(text, col, span, rows, label=True)


def _money(d: Decimal | None, col: int, span: int = 1) -> Cell:
    c = money(d)
    if c is None:
        return Cell("", col, span)
    c.col, c.span = col, span
    return c


def _share(d: Decimal | None, col: int) -> Cell:
    if d is None:
        return Cell("", col)
    q = d.quantize(Decimal("0.0001"))
    return Cell(percent_text(d, "0.1"), col, number=q, number_format="0.0%")


def _light(light: str | None, col: int, ratio: Decimal | None = None) -> Cell:
    text = light_label(light)
    if ratio is not None:
        text += f"\n{percent_text(ratio, '0.1')}"
    return Cell(text, col, align="center", light=light)


def _deviation_text(dev: Deviation) -> str:
    parts = [p for p in (dev.category, dev.text) if p]
    return "：".join(parts)


def monitoring_table(
    snapshot: MonitorSnapshot,
    result: MonitorResult,
    *,
    department: str | None = None,
    unit_name: str | None = None,
    goal: str | None = None,
    forecast: MonitorForecast | None = None,
    sheet_name: str | None = None,
) -> StandardTable:
    """The 项目绩效运行监控表 of one project's assessed snapshot as a grid."""
    period = period_label(snapshot.as_of)
    year = snapshot.year or snapshot.as_of.year
    d = snapshot.as_of
    t = StandardTable(
        TITLE,
        WIDTHS_CM,
        subtitle=f"（{year}年度，数据截至{d.year}年{d.month}月{d.day}日）",
        landscape=True,
        sheet_name=sheet_name or "监控表",
    )
    forecast = forecast or MonitorForecast()
    t.rows += _project_rows(snapshot, department, unit_name)
    t.rows += _funds_rows(snapshot, result, forecast, period)
    t.rows.append([_label("年度总体目标", 0, 2), Cell(goal or snapshot.goal or "", 2, 14)])
    t.rows += _indicator_header(len(snapshot.indicators), period)
    inds = snapshot.indicators
    for i, (ind, lt) in enumerate(zip(inds, result.indicators, strict=True)):
        fc = forecast.indicators[i] if i < len(forecast.indicators) else None
        t.rows.append(_level_cells(inds, i) + _indicator_cells(ind, lt, fc))
    t.rows.append(
        [_label("项目监控结果", 0, 4), Cell(light_summary(result), 4, 11), _light(result.light, 15)]
    )
    t.notes += monitoring_notes(snapshot, result)
    return t


def _project_rows(
    snapshot: MonitorSnapshot, department: str | None, unit_name: str | None
) -> list[list[Cell]]:
    """项目名称 / 项目编码, 主管部门 / 实施单位."""
    L = _label
    return [
        [
            L("项目名称", 0, 2),
            Cell(snapshot.project_name or "", 2, 7),
            L("项目编码", 9, 2),
            Cell(snapshot.project_code or "", 11, 5),
        ],
        [
            L("主管部门", 0, 2),
            Cell(department or "", 2, 7),
            L("实施单位", 9, 2),
            Cell(unit_name or "", 11, 5),
        ],
    ]


def _funds_rows(
    snapshot: MonitorSnapshot, result: MonitorResult, forecast: MonitorForecast, period: str
) -> list[list[Cell]]:
    """项目资金（万元）: the budget line's labels and its figures, deviation and light."""
    L = _label
    dev = snapshot.deviation
    return [
        [
            L("项目资金（万元）", 0, 2, rows=2),
            L("年初预算数", 2),
            L(f"{period}执行数", 3),
            L("执行率", 4),
            L("计划进度", 5),
            L("预计全年执行数", 6),
            L("偏差原因", REASON_COL, 6),
            L("完成目标可能性", 13),
            L("整改措施", 14),
            L("监控结果", 15),
        ],
        [
            _money(snapshot.budget, 2),
            _money(snapshot.executed, 3),
            _share(result.execution_rate, 4),
            _share(result.expected, 5),
            _money(forecast.executed, 6),
            Cell(_deviation_text(dev), REASON_COL, 6),
            Cell(dev.likelihood or "", 13, align="center"),
            Cell(dev.measures or "", 14),
            _light(result.spending_light, 15, result.spending_ratio),
        ],
    ]


def _indicator_header(n: int, period: str) -> list[list[Cell]]:
    """绩效指标 (merged down over the `n` indicator rows) and the two header rows."""
    L = _label
    return [
        [
            L("绩效指标", 0, rows=n + 2),
            L("一级指标", 1, rows=2),
            L("二级指标", 2, rows=2),
            L("三级指标", 3, rows=2),
            L("年度指标值", 4, rows=2),
            L(f"{period}实际完成值", 5, rows=2),
            L("预计全年完成情况", 6, rows=2),
            L("偏差原因分析", REASON_COL, 6),
            L("完成目标可能性", 13, rows=2),
            L("整改措施", 14, rows=2),
            L("监控结果", 15, rows=2),
        ],
        [L(c, REASON_COL + k) for k, c in enumerate(REASON_CATEGORIES)]
        + [L("原因说明", REASON_COL + len(REASON_CATEGORIES))],
    ]


LEVEL_COLUMNS: tuple[tuple[int, Callable[[IndicatorProgress], tuple[str | None, ...]]], ...] = (
    (1, lambda x: (x.level1,)),
    (2, lambda x: (x.level1, x.level2)),
)
"""一级 and 二级指标: their column and what makes a run of rows one merged cell."""


def _level_cells(inds: Sequence[IndicatorProgress], i: int) -> list[Cell]:
    """一级 / 二级指标 of row `i`, merged down over the rows that share them (none where the row
    above started the run)."""
    ind = inds[i]
    cells = []
    for col, key in LEVEL_COLUMNS:
        if i and key(inds[i - 1]) == key(ind):
            continue
        run = 1
        while i + run < len(inds) and key(inds[i + run]) == key(ind):
            run += 1
        cells.append(Cell((ind.level1 if col == 1 else ind.level2) or "", col, rows=run, align="center"))
    return cells


def _indicator_cells(ind: IndicatorProgress, lt: IndicatorLight, fc: str | None) -> list[Cell]:
    """三级指标 to 监控结果 of one indicator: a qualitative one's 完成情况 beside its actual, √ under
    its 偏差原因 category."""
    actual = ind.actual or ""
    if lt.direction == QUALITATIVE and ind.status:
        actual = f"{actual}（{ind.status}）" if actual and actual != ind.status else ind.status
    dev = ind.deviation
    return [
        Cell(ind.name or "", 3),
        Cell(ind.target, 4, align="center"),
        Cell(actual, 5, align="center"),
        Cell(fc or "", 6, align="center"),
        *(
            Cell(CHECK if dev.category == c else "", REASON_COL + k, align="center")
            for k, c in enumerate(REASON_CATEGORIES)
        ),
        Cell(dev.text or "", REASON_COL + len(REASON_CATEGORIES)),
        Cell(dev.likelihood or "", 13, align="center"),
        Cell(dev.measures or "", 14),
        _light(lt.light, 15, lt.ratio),
    ]


def light_summary(result: MonitorResult) -> str:
    """资金执行 黄灯；绩效指标 绿灯 9 项、黄灯 1 项、红灯 1 项 (the lights of one project, in words)."""
    counts: dict[str, int] = {}
    for lt in result.indicators:
        key = lt.light or ""
        counts[key] = counts.get(key, 0) + 1
    parts = [f"{light_label(k)} {counts[k]} 项" for k in (GREEN, BLUE, YELLOW, RED, "") if counts.get(k)]
    return f"资金执行 {light_label(result.spending_light)}；绩效指标 " + ("、".join(parts) or "无")


def monitoring_notes(snapshot: MonitorSnapshot, result: MonitorResult) -> list[str]:
    year = snapshot.year or snapshot.as_of.year
    if result.expected_source == "plan":
        ms = plan_milestones(snapshot.spending_plan, year, snapshot.budget)
        plan = "、".join(f"{d.month}月底 {percent_text(s, '0.1')}" for d, s in ms)
        how = f"按资金支出计划（{plan}）在节点之间按天插值"
    else:
        how = "无资金支出计划，按时间进度（月份 ÷ 12）"
    ratio = result.spending_ratio
    notes = [
        f"注：计划进度 {percent_text(result.expected, '0.1')}，{how}；"
        "资金执行进度比 = 执行率 ÷ 计划进度"
        + (f" = {percent_text(ratio, '0.1')}" if ratio is not None else "")
        + "。",
        "注：监控结果 绿灯为进度正常（进度比 ≥80%），黄灯为轻度偏差（60%–80%），红灯为严重偏差"
        "（<60%，或越小越好的指标已超过年度指标值），蓝灯为超额完成（≥120%，目标可能偏低）；"
        "监控结果下方的百分数为进度比。",
    ]
    return notes


def monitoring_summary_table(
    items: Sequence[tuple[MonitorSnapshot, MonitorResult]], *, unit_name: str | None = None
) -> StandardTable:
    """The unit's lights: per project 预算数, 执行数, 执行率, 计划进度, 资金 light, red/yellow indicators."""
    first = items[0][0] if items else None
    year = (first.year or first.as_of.year) if first else None
    sub = None
    if first:
        d = first.as_of
        sub = f"（{year}年度，数据截至{d.year}年{d.month}月{d.day}日）"
    t = StandardTable(
        SUMMARY_TITLE,
        SUMMARY_WIDTHS_CM,
        subtitle=sub,
        caption=(f"单位：{unit_name}" if unit_name else "", "金额单位：万元"),
        landscape=True,
        sheet_name="汇总",
    )
    L = _label
    t.rows.append(
        [
            L("序号", 0),
            L("项目名称", 1),
            L("项目编码", 2),
            L("预算数", 3),
            L("执行数", 4),
            L("执行率", 5),
            L("计划进度", 6),
            L("资金执行", 7),
            L("红灯、黄灯指标", 8),
            L("监控结果", 9),
        ]
    )
    for k, (s, r) in enumerate(items, start=1):
        flagged = [
            f"{ind.name or ''}（{light_label(lt.light)}）"
            for ind, lt in zip(s.indicators, r.indicators, strict=True)
            if lt.light in (RED, YELLOW)
        ]
        t.rows.append(
            [
                Cell(str(k), 0, number=Decimal(k), number_format="0"),
                Cell(s.project_name or "", 1),
                Cell(s.project_code or "", 2),
                _money(s.budget, 3),
                _money(s.executed, 4),
                _share(r.execution_rate, 5),
                _share(r.expected, 6),
                _light(r.spending_light, 7),
                Cell("；".join(flagged), 8),
                _light(r.light, 9),
            ]
        )
    counts: dict[str, int] = {}
    for _, r in items:
        counts[r.light or ""] = counts.get(r.light or "", 0) + 1
    t.notes.append(
        f"共 {len(items)} 个项目："
        + "，".join(f"{light_label(k)} {counts[k]} 个" for k in (GREEN, YELLOW, RED, "") if counts.get(k))
        + "。"
    )
    return t


Item = tuple[MonitorSnapshot, MonitorResult]


def monitoring_tables(
    items: Sequence[Item],
    *,
    summary: bool | None = None,
    department: str | None = None,
    unit_name: str | None = None,
    goals: Sequence[str | None] | None = None,
    forecasts: Sequence[MonitorForecast | None] | None = None,
) -> list[StandardTable]:
    """Each project's 监控表 (sheets 监控表1, 监控表2 …, or 监控表 alone), then the unit summary.

    summary: None (the default) adds the summary when there are several projects. goals and
    forecasts are per project, in the order of `items`.
    """
    single = len(items) == 1
    tables = []
    for k, (s, r) in enumerate(items):
        tables.append(
            monitoring_table(
                s,
                r,
                department=department,
                unit_name=unit_name,
                goal=goals[k] if goals and k < len(goals) else None,
                forecast=forecasts[k] if forecasts and k < len(forecasts) else None,
                sheet_name="监控表" if single else f"监控表{k + 1}",
            )
        )
    if summary or (summary is None and len(items) > 1):
        tables.append(monitoring_summary_table(items, unit_name=unit_name))
    return tables


def monitoring_to_xlsx(
    items: Sequence[Item],
    *,
    summary: bool | None = None,
    department: str | None = None,
    unit_name: str | None = None,
    goals: Sequence[str | None] | None = None,
    forecasts: Sequence[MonitorForecast | None] | None = None,
) -> bytes:
    """The .xlsx bytes: one sheet per project's 监控表, then 汇总 (options as in `monitoring_tables`)."""
    return tables_to_xlsx(
        monitoring_tables(
            items,
            summary=summary,
            department=department,
            unit_name=unit_name,
            goals=goals,
            forecasts=forecasts,
        )
    )


def monitoring_to_docx(
    items: Sequence[Item],
    *,
    summary: bool | None = None,
    department: str | None = None,
    unit_name: str | None = None,
    goals: Sequence[str | None] | None = None,
    forecasts: Sequence[MonitorForecast | None] | None = None,
) -> bytes:
    """The .docx bytes: one landscape page per project's 监控表, then the 汇总表."""
    return tables_to_docx(
        monitoring_tables(
            items,
            summary=summary,
            department=department,
            unit_name=unit_name,
            goals=goals,
            forecasts=forecasts,
        )
    )
