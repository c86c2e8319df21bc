"""绩效运行监控 (双监控): in-year traffic lights for spending and indicator progress.

Pure functions of the entered snapshot plus `MonitorSettings`; no web or database imports.

- Expected progress at the as-of date: the project's own spending plan (资金支出计划, cumulative
  shares by milestone such as 3月底 25%, 6月底 50%), interpolated by days between milestones with 0
  at 1 January (and 100% at 31 December where the plan stops earlier); without a usable plan,
  straight-line time: month ÷ 12.
- Spending light: (executed ÷ 预算数) ÷ expected progress; red below 60%, yellow from 60% to 80%,
  green from 80%.
- Indicator lights, higher-is-better: for counts that accumulate over the year (批次, 次, 件, 场,
  人次 …, or a name that counts activities: 培训人数, 检查户数, 发放金额) actual to date ÷ (target ×
  expected progress); rates, percentages and stocks (「7人」 paid, 「10个」 offices kept running,
  frequencies such as 1次/月) are compared with the target itself (`accumulates()`; setting
  `scale_rates=True` scales percentages like counts; `IndicatorProgress.accumulates` overrides
  per indicator). Same bands, blue from 120% (over-achieving: the target may be too low).
  Lower-is-better (≤, <, cost, and a zero count without comparator 「0起」 read as =0): red once
  the actual passes the target, else green. Deadlines: a completion date after the deadline, or no completion
  once the deadline has passed, is red. Qualitative: 达成 / 部分达成 / 未达成 → green / yellow / red.
- The project's light is the worst of its spending light and its indicators' lights (blue counts as
  green).
- Red and yellow lines need 偏差原因 (经费保障, 制度保障, 人员保障, 硬件条件保障 or 其他, plus text),
  完成目标可能性 (确定能 / 有可能 / 完全不可能) and 整改措施: `validate_snapshot` lists what is missing.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from jixiao import numbers
from jixiao.cycle.evaluate import (
    BAND_MET,
    BAND_NOT_MET,
    BAND_PARTLY,
    BOOLEAN,
    DATE,
    EQUAL_ZERO,
    HIGHER,
    LOWER,
    QUALITATIVE,
    band_name,
    comparable_numbers,
    direction_of,
)
from jixiao.model import Project, TargetValue
from jixiao.values import parse_value, unit_category

if TYPE_CHECKING:
    from jixiao.ingest.monitoring import MonitoringTable


class Light(StrEnum):
    """A traffic light (双监控): green on track, yellow behind, red far behind, blue well ahead."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    BLUE = "blue"


GREEN, YELLOW, RED, BLUE = Light.GREEN, Light.YELLOW, Light.RED, Light.BLUE
LIGHT_LABELS: dict[str, str] = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯", BLUE: "蓝灯"}
_SEVERITY: dict[str, int] = {BLUE: 0, GREEN: 0, YELLOW: 1, RED: 2}

REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
STATUS_OPTIONS = ("达成", "部分达成", "未达成")  # qualitative indicators' progress
_STATUS_LIGHT = {BAND_MET: GREEN, BAND_PARTLY: YELLOW, BAND_NOT_MET: RED}

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class MonitorError(ValueError):
    """Invalid monitoring input; the message is Chinese and names the project and indicator."""


@dataclass(frozen=True)
class MonitorSettings:
    red_below: Decimal = Decimal("0.6")  # progress ratio below this: red
    green_from: Decimal = Decimal("0.8")  # from this: green (between: yellow)
    blue_from: Decimal = Decimal("1.2")  # indicators from this: blue
    scale_rates: bool = False  # scale percentage targets by expected progress like counts


@dataclass
class Deviation:
    """偏差原因, 完成目标可能性, 整改措施 of one red or yellow line."""

    category: str | None = None  # one of REASON_CATEGORIES
    text: str | None = None  # 偏差原因说明
    likelihood: str | None = None  # one of LIKELIHOODS
    measures: str | None = None  # 整改措施

    def is_empty(self) -> bool:
        return not (self.category or self.text or self.likelihood or self.measures)


@dataclass
class IndicatorProgress:
    """One indicator's progress to the as-of date as entered."""

    level1: str | None
    level2: str | None
    name: str | None
    target: str  # 年度指标值 as approved
    actual: str | None = None  # 截至监控日完成值
    status: str | None = None  # qualitative: 达成 / 部分达成 / 未达成
    deviation: Deviation = field(default_factory=Deviation)
    # compare with target × expected progress (True) or with the target itself (False); None: decide
    # from the unit and the name (`accumulates`)
    accumulates: bool | None = None
    cells: dict[str, str] = field(default_factory=dict)  # field → "Sheet!F12" where read from a workbook


@dataclass
class MonitorSnapshot:
    """A project's monitoring data as of a date: money spent and each indicator's actual to date."""

    as_of: date
    budget: Decimal | None  # 预算数 (万元)
    executed: Decimal | None  # 截至监控日执行数 (万元)
    indicators: list[IndicatorProgress] = field(default_factory=list)
    spending_plan: dict[str, str] | None = None
    year: int | None = None
    project_name: str | None = None
    project_code: str | None = None
    project_seq: int | None = None
    deviation: Deviation = field(default_factory=Deviation)  # the spending line's
    cells: dict[str, str] = field(default_factory=dict)
    goal: str | None = None  # 年度总体目标, as the project's 绩效目标表 states it


def default_as_of(year: int) -> date:
    """National practice: data to the end of July."""
    return date(year, 7, 31)


def snapshot_for(project: Project, as_of: date, year: int | None = None) -> MonitorSnapshot:
    """An empty snapshot of a project: its budget, plan and targets, nothing entered yet."""
    return MonitorSnapshot(
        as_of=as_of,
        budget=project.budget_total,
        executed=None,
        indicators=[IndicatorProgress(i.level1, i.level2, i.name, i.value or "") for i in project.indicators],
        spending_plan=dict(project.spending_plan) if project.spending_plan else None,
        year=year or as_of.year,
        project_name=project.name,
        project_code=project.code,
        project_seq=project.seq,
        goal=project.goal,
    )


# ---------------------------------------------------------------- expected progress

_MONTH_RE = re.compile(r"(\d{1,2})\s*月")
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_QUARTER_RE = re.compile(r"第?([一二三四1-4])季度")


def _milestone_date(key: str, year: int) -> date | None:
    tv = parse_value(key, year=year)
    if tv.kind == "date" and isinstance(tv.value, str):
        try:
            d = date.fromisoformat(tv.value)
        except ValueError:
            d = None
        if d is not None:
            return d if d.year == year else (date(year, 12, 31) if d.year > year else None)
    m = _MONTH_RE.findall(key)  # "1-3月" → the last month named
    month = int(m[-1]) if m else None
    if month is None:
        q = _QUARTER_RE.search(key)
        month = _QUARTER[q.group(1)] if q else None
    if month is None or not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _milestone_share(text: str, budget: Decimal | None) -> Decimal | None:
    tv = parse_value(text)
    if not isinstance(tv.value, Decimal) or tv.op == "range":
        return None
    if tv.kind == "percent":
        return tv.value / HUNDRED
    if tv.kind == "number" and tv.unit and budget:
        if tv.base_unit == "元" and tv.base_value is not None:
            return tv.base_value / Decimal(10_000) / budget  # an amount: 万元 of 预算数
        return None
    if tv.kind == "number" and not tv.unit and ZERO <= tv.value <= HUNDRED:
        return tv.value / HUNDRED  # "25": a percentage written without %
    return None


def plan_milestones(
    plan: dict[str, str] | None, year: int, budget: Decimal | None = None
) -> list[tuple[date, Decimal]]:
    """The usable (date, cumulative share) milestones of a spending plan, by date; [] when none."""
    out: dict[date, Decimal] = {}
    for key, val in (plan or {}).items():
        d = _milestone_date(str(key), year)
        share = _milestone_share(str(val or ""), budget)
        if d is not None and share is not None:
            out[d] = share
    return sorted(out.items())


def expected_progress(
    plan: dict[str, str] | None, as_of: date, year: int | None = None, budget: Decimal | None = None
) -> tuple[Decimal, str]:
    """(expected cumulative share spent at `as_of`, "plan" or "time").

    From the plan: linear by days between milestones, 0 at 1 January, 100% at 31 December where the
    plan ends earlier. Without a plan: month ÷ 12 (the month of the as-of date).
    """
    year = year or as_of.year
    ms = plan_milestones(plan, year, budget)
    if not ms:
        if as_of.year < year:
            return ZERO, "time"
        if as_of.year > year:
            return ONE, "time"
        return Decimal(as_of.month) / Decimal(12), "time"
    start = date(year - 1, 12, 31)
    points = [(start, ZERO), *ms]
    end = date(year, 12, 31)
    if points[-1][0] < end:
        points.append((end, max(ONE, points[-1][1])))
    if as_of <= start:
        return ZERO, "plan"
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if as_of <= d1:
            span = Decimal((d1 - d0).days)
            return s0 + (s1 - s0) * Decimal((as_of - d0).days) / span, "plan"
    return points[-1][1], "plan"


def band_light(ratio: Decimal, settings: MonitorSettings, *, blue: bool = False) -> str:
    if blue and ratio >= settings.blue_from:
        return BLUE
    if ratio >= settings.green_from:
        return GREEN
    if ratio >= settings.red_below:
        return YELLOW
    return RED


def worst(lights: list[str | None]) -> str | None:
    """The worst light (red > yellow > green; blue counts as green); None when none is known."""
    known = [lt for lt in lights if lt]
    if not known:
        return None
    w = max(known, key=lambda lt: _SEVERITY[lt])
    return GREEN if w == BLUE else w


# ---------------------------------------------------------------- result


@dataclass
class IndicatorLight:
    index: int
    name: str | None
    direction: str
    light: str | None  # None: not yet entered
    ratio: Decimal | None = None  # progress ratio where computed
    note: str | None = None  # how the light was reached, in Chinese


@dataclass
class MonitorResult:
    as_of: date
    expected: Decimal  # expected progress (share)
    expected_source: str  # "plan" or "time"
    execution_rate: Decimal | None  # executed ÷ 预算数
    spending_ratio: Decimal | None  # execution rate ÷ expected progress
    spending_light: str | None
    indicators: list[IndicatorLight]
    light: str | None  # the project's: worst of all


def _where(s: MonitorSnapshot, ind: IndicatorProgress | None = None) -> str:
    p = f"项目「{s.project_name}」" if s.project_name else "项目"
    return f"{p}指标「{ind.name or ind.level2 or ''}」" if ind is not None else p


def _date_light(
    res: IndicatorLight,
    target: TargetValue,
    actual_text: str,
    status: str | None,
    as_of: date,
    year: int | None,
) -> None:
    """时限: done by the deadline green, late red; not done yet: the unit's status, else red once
    the deadline has passed."""
    deadline = date.fromisoformat(str(target.value))
    actual = parse_value(actual_text, year=year) if actual_text else None
    if actual is not None and actual.kind == "date" and isinstance(actual.value, str):
        done = date.fromisoformat(actual.value)
        res.light = GREEN if done <= deadline else RED
        res.note = "按时完成" if done <= deadline else "完成时间晚于时限"
    elif status:
        res.light = _STATUS_LIGHT[status]
        res.note = f"完成情况：{status}"
    elif as_of > deadline:
        res.light, res.note = RED, "已过时限尚未完成"
    else:
        res.light, res.note = GREEN, "尚未到时限"


def _higher_light(
    res: IndicatorLight, ind: IndicatorProgress, target: TargetValue, t: Decimal, a: Decimal,
    expected: Decimal, settings: MonitorSettings,
) -> None:  # fmt: skip
    """越高越好: against the plan's progress where the indicator accumulates over the year, else
    against the annual value directly (rates, stocks)."""
    if t <= 0:
        res.light = GREEN if a >= t else RED
        return
    if ind.accumulates is not None:
        cumulative = ind.accumulates
    elif target.kind == "percent":
        cumulative = settings.scale_rates
    else:
        cumulative = accumulates(target, ind.name)
    due = t * expected if cumulative else t
    if due <= 0:
        res.light, res.note = GREEN, "尚未到计划进度"
        return
    res.ratio = a / due
    res.light = band_light(res.ratio, settings, blue=True)
    res.note = "按计划进度累计比较" if cumulative else "与年度指标值直接比较（比率或存量）"


def indicator_light(
    ind: IndicatorProgress,
    expected: Decimal,
    as_of: date,
    *,
    index: int = 0,
    year: int | None = None,
    settings: MonitorSettings | None = None,
    where: str = "",
) -> IndicatorLight:
    """The light of one indicator as of `as_of`, `expected` being the share of the year's plan due."""
    settings = settings or MonitorSettings()
    target = parse_value(ind.target or "", year=year)
    direction = direction_of(target, ind.level1, ind.level2)
    res = IndicatorLight(index=index, name=ind.name, direction=direction, light=None)
    actual_text = (ind.actual or "").strip()
    status = band_name(ind.status) or (band_name(actual_text) if direction == QUALITATIVE else None)
    if ind.status and band_name(ind.status) is None:
        raise MonitorError(f"{where}: 完成情况「{ind.status}」应为 {'、'.join(STATUS_OPTIONS)} 之一")
    if direction == QUALITATIVE:
        if status:
            res.light = _STATUS_LIGHT[status]
            res.note = f"定性：{status}"
        return res
    if direction == DATE:
        _date_light(res, target, actual_text, status, as_of, year)
        return res
    if not actual_text:
        return res
    actual = parse_value(actual_text, year=year)
    if direction == BOOLEAN:
        if actual.kind != "boolean" or not isinstance(actual.value, bool):
            raise MonitorError(f"{where}: 完成值「{actual_text}」应为“是”或“否”")
        res.light = GREEN if actual.value == target.value else YELLOW
        return res
    try:
        t, a = comparable_numbers(target, actual, what="完成值")
    except ValueError as e:
        raise MonitorError(f"{where}: {e}") from None
    if direction in (LOWER, EQUAL_ZERO):
        passed = a >= t if target.op == "<" else a > t  # "＜1个": reaching 1 already passes it
        res.light = RED if passed else GREEN
        res.note = "超过年度指标值" if passed else "未超过年度指标值"
        return res
    assert direction == HIGHER
    _higher_light(res, ind, target, t, a, expected, settings)
    return res


# units of things that happen, counted as they happen over the year
_EVENT_UNITS = frozenset(
    {
        "次",
        "批次",
        "批",
        "件",
        "场",
        "场次",
        "人次",
        "户次",
        "家次",
        "期",
        "份",
        "篇",
        "起",
        "例",
        "宗",
        "轮",
        "课时",
        "学时",
        "单",
        "趟",
        "车次",
        "架次",
        "批(次)",
    }
)
# names that count activities done during the year (people trained, firms inspected, money paid)
_ACTIVITY_NAME = re.compile(
    r"培训|检查|抽检|抽查|抽验|检测|检验|检定|宣传|受理|办理|办结|查处|处置|发放|救助|接待|举办|开展|新增|"
    r"建设|采购|购置|安装|维修|维护次|印制|走访|巡查|监测|执法|服务人次|补助人|资助|奖励|投放|种植|造林|"
    r"改造|整治|治理|修缮|评审|审核|核查|调查|咨询|诊疗|接种|筛查|招聘|引进|培育"
)


def accumulates(target: TargetValue, name: str | None = None) -> bool:
    """Does the indicator count something that accumulates over the year (so that by July only part
    of it is due)? Events (批次, 次, 件, 场, 人次 …) and money do; a frequency (1次/月), a duration,
    a rate and a stock (「7人」 on the payroll, 「10个」 offices kept running) do not — unless the name
    counts an activity (培训人数 500人, 检查户数 110户)."""
    if target.kind != "number":
        return False
    unit = (target.base_unit or target.unit or "").strip()
    if "/" in unit or "／" in unit:
        return False  # a frequency or a per-unit amount
    if unit_category(unit) == "duration":
        return False
    if unit_category(unit) == "money" or unit in _EVENT_UNITS or unit.endswith("次"):
        return True
    return bool(name and _ACTIVITY_NAME.search(name))


def assess(snapshot: MonitorSnapshot, settings: MonitorSettings | None = None) -> MonitorResult:
    """The lights of one project's snapshot; MonitorError (located) on input that cannot be compared."""
    settings = settings or MonitorSettings()
    year = snapshot.year or snapshot.as_of.year
    expected, source = expected_progress(snapshot.spending_plan, snapshot.as_of, year, snapshot.budget)
    rate = ratio = None
    spending = None
    if snapshot.executed is not None and snapshot.budget:
        if snapshot.executed < 0:
            raise MonitorError(f"{_where(snapshot)}: 执行数不能为负数")
        rate = snapshot.executed / snapshot.budget
        if expected > 0:
            ratio = rate / expected
            spending = band_light(ratio, settings)
        else:
            spending = GREEN
    lights = [
        indicator_light(
            ind, expected, snapshot.as_of, index=i, year=year, settings=settings, where=_where(snapshot, ind)
        )
        for i, ind in enumerate(snapshot.indicators)
    ]
    return MonitorResult(
        as_of=snapshot.as_of,
        expected=expected,
        expected_source=source,
        execution_rate=rate,
        spending_ratio=ratio,
        spending_light=spending,
        indicators=lights,
        light=worst([spending, *(x.light for x in lights)]),
    )


@dataclass(frozen=True)
class Problem:
    """A located gap in a monitoring report: where (project, indicator, cell) and what is missing."""

    where: str
    field: str
    message: str
    cell: str | None = None

    def __str__(self) -> str:
        return f"{self.cell}: {self.where}: {self.message}" if self.cell else f"{self.where}: {self.message}"


def _deviation_problems(dev: Deviation, where: str, light: str, cells: dict[str, str]) -> list[Problem]:
    label = LIGHT_LABELS[light]
    out: list[Problem] = []

    def add(fld: str, msg: str) -> None:
        out.append(Problem(where, fld, f"{label}，{msg}", cells.get(fld)))

    if not dev.category:
        add("reason_category", f"需选择偏差原因（{'、'.join(REASON_CATEGORIES)}）")
    elif dev.category not in REASON_CATEGORIES:
        add("reason_category", f"偏差原因「{dev.category}」应为 {'、'.join(REASON_CATEGORIES)} 之一")
    if not (dev.text or "").strip():
        add("reason_text", "需填写偏差原因说明")
    if not dev.likelihood:
        add("likelihood", f"需选择完成目标可能性（{'、'.join(LIKELIHOODS)}）")
    elif dev.likelihood not in LIKELIHOODS:
        add("likelihood", f"完成目标可能性「{dev.likelihood}」应为 {'、'.join(LIKELIHOODS)} 之一")
    if not (dev.measures or "").strip():
        add("measures", "需填写整改措施")
    return out


def validate_snapshot(
    snapshot: MonitorSnapshot, result: MonitorResult | None = None, settings: MonitorSettings | None = None
) -> list[Problem]:
    """What keeps the report from being complete: missing 执行数 or actuals, and red/yellow lines
    without 偏差原因, 完成目标可能性 or 整改措施. Empty when the report can be submitted."""
    problems: list[Problem] = []
    where = _where(snapshot)
    if snapshot.budget is None or snapshot.budget <= 0:
        problems.append(Problem(where, "budget", "预算数为空或不大于 0", snapshot.cells.get("budget")))
    if snapshot.executed is None:
        problems.append(Problem(where, "executed", "截至监控日执行数为空", snapshot.cells.get("executed")))
    elif snapshot.executed < 0:
        problems.append(Problem(where, "executed", "执行数不能为负数", snapshot.cells.get("executed")))
        return problems
    if result is None:
        try:
            result = assess(snapshot, settings)
        except MonitorError:
            # locate every indicator that cannot be compared, then stop
            year = snapshot.year or snapshot.as_of.year
            expected, _ = expected_progress(snapshot.spending_plan, snapshot.as_of, year, snapshot.budget)
            for i, ind in enumerate(snapshot.indicators):
                w = _where(snapshot, ind)
                try:
                    indicator_light(
                        ind, expected, snapshot.as_of, index=i, year=year, settings=settings, where=w
                    )
                except MonitorError as e:
                    msg = str(e).removeprefix(f"{w}: ")
                    problems.append(Problem(w, "actual", msg, ind.cells.get("actual")))
            return problems
    if result.spending_light in (RED, YELLOW):
        problems += _deviation_problems(
            snapshot.deviation, f"{where}资金执行", result.spending_light, snapshot.cells
        )
    for ind, lt in zip(snapshot.indicators, result.indicators, strict=True):
        w = _where(snapshot, ind)
        if lt.light is None:
            if lt.direction == QUALITATIVE:
                msg = f"需选择完成情况（{'、'.join(STATUS_OPTIONS)}）"
                problems.append(Problem(w, "status", msg, ind.cells.get("status")))
            else:
                problems.append(Problem(w, "actual", "截至监控日完成值为空", ind.cells.get("actual")))
        elif lt.light in (RED, YELLOW):
            problems += _deviation_problems(ind.deviation, w, lt.light, ind.cells)
    return problems


def json_number(d: Decimal | None) -> int | float | None:
    """A share or amount for JSON, rounded to 0.0001."""
    return numbers.json_number(d, places=Decimal("0.0001"))  # type: ignore[no-any-return]


def result_to_dict(
    snapshot: MonitorSnapshot, result: MonitorResult, problems: list[Problem] | None = None
) -> dict[str, object]:
    """A snapshot and its lights as JSON-ready data (shares as fractions rounded to 0.0001)."""
    return {
        "project": snapshot.project_name,
        "project_code": snapshot.project_code,
        "as_of": snapshot.as_of.isoformat(),
        "budget": json_number(snapshot.budget),
        "executed": json_number(snapshot.executed),
        "execution_rate": json_number(result.execution_rate),
        "expected_progress": json_number(result.expected),
        "expected_source": result.expected_source,
        "spending_ratio": json_number(result.spending_ratio),
        "spending_light": result.spending_light,
        "light": result.light,
        "deviation": vars(snapshot.deviation) if not snapshot.deviation.is_empty() else None,
        "indicators": [
            {
                "level1": ind.level1,
                "level2": ind.level2,
                "name": ind.name,
                "target": ind.target,
                "actual": ind.actual,
                "status": ind.status,
                "direction": lt.direction,
                "light": lt.light,
                "ratio": json_number(lt.ratio),
                "note": lt.note,
                "deviation": vars(ind.deviation) if not ind.deviation.is_empty() else None,
            }
            for ind, lt in zip(snapshot.indicators, result.indicators, strict=True)
        ],
        "problems": [str(p) for p in (problems or [])],
    }


# ---------------------------------------------------------------- published pages

_PLANNED_COL = re.compile(r"全年预算数|调整后?预算数")
_BUDGET_ANY_COL = re.compile(r"年初预算数|预算数")
_EXECUTED_COL = re.compile(r"执行(数|金额)")
_UNFILLED = re.compile(r"^\s*[-—–/／]*\s*$")
_TO_WAN = {"万元": Decimal(1), "元": Decimal(10_000), "千元": Decimal(10)}


def _money(text: str | None, unit: str | None) -> Decimal | None:
    """A printed amount in 万元 (`3200000.00` in 元 → 320)."""
    s = (text or "").replace(",", "").replace("，", "").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", s):
        return None
    return Decimal(s) / _TO_WAN.get(unit or "万元", Decimal(1))


def snapshot_from_reading(
    table: MonitoringTable, year: int | None = None
) -> tuple[MonitorSnapshot, list[str]]:
    """A published 监控表 as the snapshot the lights are computed from, and located warnings (in
    Chinese) for what it could not take: data to the end of the printed period's month (July where
    none is printed); 预算数 the 全年预算数 (else 年初预算数) of the first budget row, 执行数 its
    1-X月执行数, both in 万元; each indicator's 年度指标值 and 1-X月执行情况, with its 偏差原因,
    完成目标可能性 and 备注/整改措施 as the deviation. A printed actual the lights cannot compare
    with its target (`按计划推进` against `≥85公里`) is left out and named in the warnings."""
    where = table.source
    year = table.year or year  # `year`: where the page prints none (`jixiao monitor --year`)
    if year is None:
        raise MonitorError(f"{where}: 监控表未写明年度，请用 --year 指定")
    month = table.month or 7
    as_of = date(year, month, calendar.monthrange(year, month)[1])
    warnings: list[str] = []
    first = next(iter(table.budget_rows.values()), None)
    budget = executed = None
    dev = Deviation()
    if first is not None:
        cells = first
        planned = [c for c in cells if _PLANNED_COL.search(c)] or [
            c for c in cells if _BUDGET_ANY_COL.search(c) and not _EXECUTED_COL.search(c)
        ]
        done = [c for c in cells if _EXECUTED_COL.search(c) and "预计" not in c]
        budget = _money(cells.get(planned[0]), table.money_unit) if planned else None
        executed = _money(cells.get(done[0]), table.money_unit) if done else None
        dev.text = next((v for c, v in cells.items() if c.startswith("偏差原因")), None)
        dev.likelihood = next((v for c, v in cells.items() if "可能性" in c), None)
    if budget is None:
        warnings.append(f"{where}: 预算表未读出预算数（全年预算数或年初预算数）")
    if executed is None:
        warnings.append(f"{where}: 预算表未读出执行数（如 1-7月执行数）")
    snap = MonitorSnapshot(
        as_of=as_of,
        budget=budget,
        executed=executed,
        year=year,
        project_name=table.project_name,
        deviation=dev,
        goal=table.goal_target,
    )
    expected, _ = expected_progress(None, as_of, year, budget)
    for ind in table.indicators:
        prog = IndicatorProgress(
            ind.level1,
            ind.level2,
            ind.name,
            ind.target or "",
            actual=ind.actual,
            deviation=Deviation(ind.reason_category, ind.reason, ind.likelihood, ind.remarks),
        )
        if prog.actual is not None and _UNFILLED.match(prog.actual):
            prog.actual = None  # printed as not yet known
        loc = ind.loc.zh() if ind.loc else ""
        try:
            indicator_light(prog, expected, as_of, year=year, where=f"{loc + ': ' if loc else ''}{ind.name}")
        except MonitorError as e:
            prog.actual = None
            warnings.append(f"{where}: {e}（未计入灯色）")
        snap.indicators.append(prog)
    return snap, warnings
