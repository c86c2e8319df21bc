"""Demo monitoring snapshots and self-evaluations, so `jixiao demo` shows lights and scores.

Entered through `actions` like a unit user would: the 2023 projects of the fictional market bureau
get a year-end self-evaluation, its 2024 projects and the education bureau's a monitoring snapshot
to the end of July, some on track, some behind (with 偏差原因, 完成目标可能性 and 整改措施).
Actuals are derived from each indicator's target so the data stays right when the demo changes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from jixiao.cycle import evaluate, monitor
from jixiao.values import parse_value

# (unit code, year, project seq) → (share of 预算数 spent by 31 July, indicator attainment factor)
MONITORING = {
    ("999001", 2024, 1): (Decimal("0.60"), Decimal("1.05")),
    ("999001", 2024, 2): (Decimal("0.38"), Decimal("1.00")),
    ("999001", 2024, 3): (Decimal("0.20"), Decimal("0.50")),
    ("999001", 2024, 4): (Decimal("0.55"), Decimal("1.00")),
    ("999001", 2024, 5): (Decimal("0.58"), Decimal("1.00")),
    ("999001", 2024, 6): (Decimal("0.47"), Decimal("0.90")),
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
DEVIATION = {
    "reason_category": "制度保障",
    "reason_text": "政府采购流程较长，合同签订晚于计划",
    "likelihood": "有可能",
    "measures": "加快采购和验收进度，9 月底前完成主要支付",
}


def _fmt(d: Decimal) -> str:
    q = d.quantize(Decimal("0.01"))
    return format(q.normalize() if q != q.to_integral_value() else q.quantize(Decimal(1)), "f")


def _actual(
    target: str,
    year: int,
    factor: Decimal,
    *,
    scale: Decimal = Decimal(1),
    level1: str | None = None,
    level2: str | None = None,
) -> dict[str, Any]:
    """An actual for `target` at `factor` of it (counts also × `scale`, the expected progress)."""
    tv = parse_value(target, year=year)
    direction = evaluate.direction_of(tv, level1, level2)
    if direction == evaluate.QUALITATIVE or (tv.kind == "date" and not isinstance(tv.value, str)):
        return {"qualitative": True}
    if tv.kind == "date":
        return {"actual": (date.fromisoformat(tv.value) - timedelta(days=20)).strftime("%Y年%m月%d日")}
    if tv.kind == "boolean":
        return {"actual": target}
    if not isinstance(tv.value, Decimal):
        return {"qualitative": True}
    unit = "%" if tv.kind == "percent" else (tv.unit or "")
    value = tv.value
    if direction in (evaluate.LOWER, evaluate.EQUAL_ZERO):
        value = value * Decimal("0.95") if factor >= 1 else value * (2 - factor)
    else:
        value = value * factor * (scale if tv.kind != "percent" else 1)
        if tv.kind == "percent":
            value = min(value, Decimal(100))
    return {"actual": _fmt(value) + unit}


def load_demo_cycle(actor: Any = None) -> tuple[int, int]:
    """Enter the demo snapshots and self-evaluations; (snapshots, self-evaluations) stored."""
    from jixiao.web import actions
    from jixiao.web.models import Project

    snaps = evals = 0
    for (code, year, seq), (spent, factor) in MONITORING.items():
        p = Project.objects.filter(unit__code=code, year=year, seq=seq).first()
        if p is None or not p.budget_total:
            continue
        as_of = monitor.default_as_of(year)
        expected, _ = monitor.expected_progress(p.spending_plan, as_of, year, p.budget_total)
        rows = []
        for ind in p.indicators.all():
            a = _actual(ind.value or "", year, factor, scale=expected, level1=ind.level1, level2=ind.level2)
            if a.get("qualitative"):
                rows.append({"status": "达成" if factor >= 1 else "部分达成"})
            else:
                rows.append({"actual": a["actual"]})
        executed = _fmt(p.budget_total * spent)
        s = actions.save_monitoring(actor, p.pk, as_of=as_of, executed=executed, rows=rows)
        if not s.complete:  # behind plan: the reasons a unit would give
            for r, stored in zip(rows, s.rows, strict=True):
                if stored.get("light") in ("red", "yellow"):
                    r.update(DEVIATION)
            dev = DEVIATION if s.spending_light in ("red", "yellow") else None
            s = actions.save_monitoring(actor, p.pk, as_of=as_of, executed=executed, rows=rows, deviation=dev)
        snaps += 1
    for (code, year, seq), (rate, factor, band) in SELFEVAL.items():
        p = Project.objects.filter(unit__code=code, year=year, seq=seq).first()
        if p is None or not p.budget_total:
            continue
        rows = []
        for ind in p.indicators.all():
            a = _actual(ind.value or "", year, factor, level1=ind.level1, level2=ind.level2)
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
                        "reason": "" if factor >= 1 else "受检测机构产能限制，下年提前安排",
                    }
                )
        reason = "" if rate >= Decimal("0.9") else "部分合同尾款跨年支付，下年加快结算"
        actions.save_selfeval(
            actor,
            p.pk,
            adjusted=_fmt(p.budget_total),
            executed=_fmt(p.budget_total * rate),
            rows=rows,
            execution_reason=reason,
            goal_actual="基本完成年度绩效目标",
        )
        evals += 1
    return snaps, evals
