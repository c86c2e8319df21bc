"""Demo monitoring snapshots and self-evaluations, so `jixiao demo` shows lights and scores.

Entered through `actions` like a unit user would, on approved or published targets only (the demo's
workflow, `jixiao.web.demo.load`, approves them first): the published 2023 projects of the fictional
market bureau get a year-end self-evaluation, its approved 2024 projects and the education bureau's
a monitoring snapshot to the end of July, some on track, some behind (with 偏差原因, 完成目标可能性
and 整改措施). Actuals are derived from each indicator's target so the data stays right when the demo
changes, and stay plausible: whole numbers for things counted (户, 批次, 人次 …), a completion date
only for a deadline already passed at the as-of date (and then before it), a cost to date within the
money spent, spending within the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jixiao import taxonomy
from jixiao.cycle import evaluate, monitor
from jixiao.numbers import trimmed
from jixiao.values import parse_value, unit_category

# (unit code, year, project seq) → (share of 预算数 spent by 31 July, indicator attainment factor)
MONITORING = {
    ("999001", 2024, 1): (Decimal("0.60"), Decimal("1.05")),
    ("999001", 2024, 2): (Decimal("0.38"), Decimal("1.00")),
    ("999001", 2024, 3): (Decimal("0.20"), Decimal("0.50")),
    ("999001", 2024, 4): (Decimal("0.55"), Decimal("1.00")),
    ("999001", 2024, 5): (Decimal("0.58"), Decimal("1.00")),
    ("999002", 2024, 1): (Decimal("0.62"), Decimal("1.00")),
    ("999002", 2024, 2): (Decimal("0.25"), Decimal("0.70")),
}
# (unit code, year, project seq) → (全年执行数 ÷ 预算数, attainment factor, qualitative band)
SELFEVAL = {
    ("999001", 2023, 1): (Decimal("0.98"), Decimal("1.02"), evaluate.BAND_MET),
    ("999001", 2023, 2): (Decimal("0.93"), Decimal("0.92"), evaluate.BAND_MET),
    ("999001", 2023, 3): (Decimal("0.85"), Decimal("0.80"), evaluate.BAND_PARTLY),
    ("999001", 2023, 4): (Decimal("0.99"), Decimal("1.00"), evaluate.BAND_MET),
}
# self-evaluations the reviewer publishes with the 2023 final accounts (决算公开); the third is left
# unpublished, so the demo shows the 公开自评表 button as well as a published 自评表
PUBLISHED_SELFEVAL = {("999001", 2023, 1), ("999001", 2023, 2), ("999001", 2023, 4)}
# the spending line behind plan: why the money went out late
DEVIATION = {
    "reason_category": "制度保障",
    "reason_text": "政府采购流程较长，合同签订晚于计划",
    "likelihood": "有可能",
    "measures": "加快采购和验收进度，9 月底前完成主要支付",
}
# an indicator behind plan: the reason a unit would give for its kind (see `deviation_for`)
_DEVIATIONS = {
    "cost": ("经费保障", "材料和人工价格上涨，单位成本高于预算测算", "优化采购方式，严格成本核算和支出审核"),
    "limit": (
        "其他",
        "个别单位主体责任落实不到位，风险隐患未及时消除",
        "加大隐患排查和执法检查力度，压实主体责任",
    ),
    taxonomy.QUANTITY: (
        "人员保障",
        "工作力量不足，部分任务进度滞后",
        "增加人员投入，按月调度工作进度",
    ),
    taxonomy.QUALITY: ("硬件条件保障", "部分设备老化，作业质量不稳定", "更新检测设备，加强质量抽查"),
    taxonomy.TIMELINESS: (
        "制度保障",
        "政府采购流程较长，合同签订晚于计划",
        "加快采购和验收进度，确保按期完成",
    ),
    taxonomy.SATISFACTION: ("其他", "服务对象对办理时限和宣传解释有意见", "优化服务流程，加强政策宣传解释"),
    taxonomy.BENEFIT: ("其他", "项目效益需在实施后逐步显现", "加强跟踪问效，及时总结推广"),
}


# units of things counted one by one: their actuals are whole numbers
COUNTED_UNITS = frozenset(
    "户 户次 批 批次 个 人 人次 名 家 家次 件 次 场 场次 起 例 宗 所 辆".split()
    + "台 台件 台套 套 份 篇 期 项 处 座 间 只 头".split()
)


def is_counted(unit: str | None) -> bool:
    """Whether a unit counts whole things (户, 批次, 人次 …): not money, time, rates or measures."""
    return bool(unit) and unit in COUNTED_UNITS


def is_whole_cost(target: Any, level1: str | None, level2: str | None) -> bool:
    """A cost indicator of the project as a whole (「项目成本 35万元」), not a per-unit cost (元/批次)."""
    unit = target.unit or ""
    return (
        evaluate.is_cost(level1, level2)
        and target.kind == "number"
        and unit_category(unit) == "money"
        and "/" not in unit
        and "／" not in unit
    )


def _actual(
    target: str,
    year: int,
    factor: Decimal,
    *,
    scale: Decimal = Decimal(1),
    level1: str | None = None,
    level2: str | None = None,
    name: str | None = None,
    as_of: date | None = None,
    spent: Decimal | None = None,
    budget: Decimal | None = None,
) -> dict[str, Any]:
    """A plausible actual for `target` at `factor` of it: counts that accumulate over the year
    (`monitor.accumulates`, by the unit and the indicator's `name`) also × `scale`, the expected
    progress at `as_of`; stocks (people paid, vehicles kept) are not scaled, and rates fall short
    more gently than counts. A deadline not reached at `as_of` has no completion date yet (an
    empty actual); a whole-project cost is the share of `spent` (万元) that the cost is of `budget`."""
    tv = parse_value(target, year=year)
    direction = evaluate.direction_of(tv, level1, level2)
    if direction == evaluate.QUALITATIVE or (tv.kind == "date" and not isinstance(tv.value, str)):
        return {"qualitative": True}
    if tv.kind == "date":
        done = date.fromisoformat(str(tv.value)) - timedelta(days=20)
        if as_of is not None and done > as_of:
            return {"actual": ""}  # not due yet: no completion date to report
        return {"actual": done.strftime("%Y年%m月%d日")}
    if tv.kind == "boolean":
        return {"actual": target}
    if not isinstance(tv.value, Decimal):
        return {"qualitative": True}
    if spent is not None and budget and is_whole_cost(tv, level1, level2):
        # cost to date: this cost's share of the money spent, in the target's own unit (万元 or 元)
        wan = Decimal(10000) if tv.unit == "元" else Decimal(1)
        share = min(tv.value / wan / budget, Decimal(1))
        return {"actual": trimmed(spent * share * wan) + (tv.unit or "")}
    unit = "%" if tv.kind == "percent" else (tv.unit or "")
    value = tv.value
    if direction in (evaluate.LOWER, evaluate.EQUAL_ZERO):
        value = value * Decimal("0.95") if factor >= 1 else value * (2 - factor)
    elif tv.kind == "percent":
        gentle = factor if factor >= 1 else 1 - (1 - factor) * Decimal("0.3")
        value = min(value * gentle, Decimal(100))
    else:
        value = value * factor * (scale if monitor.accumulates(tv, name) else 1)
    base_unit = tv.base_unit or tv.unit
    if tv.kind == "number" and is_counted(base_unit):
        # a whole number of things, in the base unit (「5940台件」 rather than 「0.594万台件」)
        ratio = Decimal(str(tv.base_value)) / tv.value if tv.value and tv.base_value else Decimal(1)
        n = (value * ratio).to_integral_value(rounding=ROUND_HALF_UP)
        return {"actual": f"{n}{base_unit}"}
    return {"actual": trimmed(value) + unit}


def deviation_for(target: str, year: int, level1: str | None, level2: str | None) -> dict[str, str]:
    """偏差原因, 完成目标可能性 and 整改措施 of an indicator behind plan, chosen by its kind: a cost over
    budget, a limit breached (死亡率, 事故: lower is better), else by its category (数量 behind
    schedule, 质量, 时效, 效益, 满意度)."""
    tv = parse_value(target, year=year)
    direction = evaluate.direction_of(tv, level1, level2)
    c1, c2 = taxonomy.canonical_levels(level1, level2)
    if evaluate.is_cost(level1, level2):
        key = "cost"
    elif direction in (evaluate.LOWER, evaluate.EQUAL_ZERO):
        key = "limit"
    elif c2 in _DEVIATIONS:
        key = c2
    elif c1 in _DEVIATIONS:
        key = c1
    else:
        key = taxonomy.QUANTITY
    category, text, measures = _DEVIATIONS[key]
    return {"reason_category": category, "reason_text": text, "likelihood": "有可能", "measures": measures}


def _year_end_reason(ind: Any, actual: str, year: int) -> str:
    """The 偏差原因分析及改进措施 of an indicator that fell short at year end, by its kind; "" for
    one that met its target (an on-time date, a cost within budget, no accident)."""
    short = evaluate.score_indicator(
        evaluate.IndicatorActual(ind.level1, ind.level2, ind.name, ind.value or "", actual),
        Decimal(10),
        evaluate.ScoringSettings(),
        year=year,
    ).needs_explanation
    if not short:
        return ""
    d = deviation_for(ind.value or "", year, ind.level1, ind.level2)
    return f"{d['reason_text']}；{d['measures']}"


@dataclass
class CycleReport:
    """What `load_demo_cycle` entered and what it found entered already (a second run adds nothing)."""

    snapshots: int = 0
    evaluations: int = 0
    snapshots_kept: int = 0
    evaluations_kept: int = 0
    published: int = 0  # self-evaluations published on the readers' pages
    skipped: int = 0  # projects whose targets are not approved or published: nothing entered


def load_demo_cycle(
    actor: Any = None, *, actors: dict[str, Any] | None = None, publisher: Any = None
) -> CycleReport:
    """Enter the demo snapshots and self-evaluations on the projects that do not have them yet, each
    as its unit's user in `actors` (unit code → user; else `actor`), on approved or published
    targets only; `publisher` (a reviewer) publishes those in `PUBLISHED_SELFEVAL`."""
    from jixiao.web import actions
    from jixiao.web.models import MonitoringSnapshot, Project

    report = CycleReport()
    actors = actors or {}
    for (code, year, seq), (spent, factor) in MONITORING.items():
        p = Project.objects.filter(unit__code=code, year=year, seq=seq).first()
        if p is None or not p.budget_total:
            continue
        if p.cycle_block_reason:
            report.skipped += 1
            continue
        as_of = monitor.default_as_of(year)
        if MonitoringSnapshot.objects.filter(project=p, as_of=as_of).exists():
            report.snapshots_kept += 1
            continue
        who = actors.get(code, actor)
        expected, _ = monitor.expected_progress(p.spending_plan, as_of, year, p.budget_total)
        executed = (p.budget_total * spent).quantize(Decimal("0.01"))
        rows = []
        inds = list(p.indicators.all())
        for ind in inds:
            a = _actual(
                ind.value or "",
                year,
                factor,
                scale=expected,
                level1=ind.level1,
                level2=ind.level2,
                name=ind.name,
                as_of=as_of,
                spent=executed,
                budget=p.budget_total,
            )
            if a.get("qualitative"):
                rows.append({"status": "达成" if factor >= 1 else "部分达成"})
            else:
                rows.append({"actual": a["actual"]})
        entry = actions.MonitoringEntry(
            as_of=as_of, executed=trimmed(executed), rows=tuple(actions.MonitoringRow(**r) for r in rows)
        )
        s = actions.save_monitoring(who, p.pk, entry)
        if not s.complete:  # behind plan: the reasons a unit would give
            for r, stored, ind in zip(rows, s.rows, inds, strict=True):
                if stored.get("light") in ("red", "yellow"):
                    r.update(deviation_for(ind.value or "", year, ind.level1, ind.level2))
            dev = DEVIATION if s.spending_light in ("red", "yellow") else {}
            entry = replace(
                entry,
                rows=tuple(actions.MonitoringRow(**r) for r in rows),
                deviation=actions.DeviationEntry(**dev),
            )
            actions.save_monitoring(who, p.pk, entry)
        report.snapshots += 1
    _enter_selfevals(report, actor, actors, publisher)
    return report


def _enter_selfevals(report: CycleReport, actor: Any, actors: dict[str, Any], publisher: Any) -> None:
    """The year-end self-evaluations of `SELFEVAL` (see `load_demo_cycle`), counted in `report`."""
    from jixiao.web import actions
    from jixiao.web.models import Project, SelfEvaluation

    for (code, year, seq), (rate, factor, band) in SELFEVAL.items():
        p = Project.objects.filter(unit__code=code, year=year, seq=seq).first()
        if p is None or not p.budget_total:
            continue
        if p.cycle_block_reason:
            report.skipped += 1
            continue
        if SelfEvaluation.objects.filter(project=p).exists():
            report.evaluations_kept += 1
            continue
        executed = (p.budget_total * min(rate, Decimal(1))).quantize(Decimal("0.01"))
        rows = []
        for ind in p.indicators.all():
            a = _actual(
                ind.value or "",
                year,
                factor,
                level1=ind.level1,
                level2=ind.level2,
                name=ind.name,
                as_of=date(year, 12, 31),
                spent=executed,
                budget=p.budget_total,
            )
            if a.get("qualitative"):
                rows.append(
                    {
                        "band": band,
                        "reason": "" if band == evaluate.BAND_MET else "效果尚待观察，下年持续跟踪",
                    }
                )
            else:
                rows.append(
                    {
                        "actual": a["actual"],
                        "reason": "" if factor >= 1 else _year_end_reason(ind, a["actual"], year),
                    }
                )
        reason = "" if rate >= Decimal("0.9") else "部分合同尾款跨年支付，下年加快结算"
        actions.save_selfeval(
            actors.get(code, actor),
            p.pk,
            actions.SelfEvalEntry(
                adjusted=trimmed(p.budget_total),
                executed=trimmed(executed),
                rows=tuple(actions.SelfEvalRow(**r) for r in rows),
                execution_reason=reason,
                goal_actual="基本完成年度绩效目标",
            ),
        )
        report.evaluations += 1
        if publisher is not None and (code, year, seq) in PUBLISHED_SELFEVAL:
            actions.publish_selfeval(publisher, p.pk)
            report.published += 1
