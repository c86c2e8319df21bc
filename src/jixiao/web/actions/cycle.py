"""Monitoring (运行监控) and self-evaluation (绩效自评) entries, and the reviewer's outcome of a snapshot.

What a unit enters comes in as frozen dataclasses, each read from a page's form in one place
(`from_form`) and built by the API from its body schema: `MonitoringEntry` with one `MonitoringRow`
per indicator, `SelfEvalEntry` with one `SelfEvalRow` per indicator. Their values are what was typed
or read from a workbook cell (text, or a number a workbook reader already parsed); the actions
validate them, reporting every field's error at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from jixiao.cycle import evaluate, monitor
from jixiao.numbers import plain
from jixiao.web import convert
from jixiao.web.actions.common import (
    LONG_TEXT_MAX,
    Conflict,
    Invalid,
    NotFound,
    actor_name,
    clean_text,
    locked_project,
    long_text,
    parse_money,
    record_history,
)
from jixiao.web.models import (
    Indicator,
    MonitoringSnapshot,
    Outcome,
    Project,
    SelfEvaluation,
    User,
)
from jixiao.web.permissions import (
    Denied,
    can_publish_selfeval,
    can_record_outcome,
    can_view_project,
    reports_for,
)

if TYPE_CHECKING:
    from django.http import QueryDict

MONITOR_ROW_FIELDS = ("actual", "status", "reason_category", "reason_text", "likelihood", "measures")


SELFEVAL_ROW_FIELDS = ("actual", "band", "score", "reason")

DEVIATION_FIELDS = ("reason_category", "reason_text", "likelihood", "measures")

Number = str | int | float | Decimal | None
"""A number as typed (text, commas allowed), sent as JSON, or already read from a workbook cell."""


@dataclass(frozen=True)
class DeviationEntry:
    """偏差原因 (one of `monitor.REASON_CATEGORIES`), its explanation, 完成目标可能性 and 整改措施."""

    reason_category: str | None = None
    reason_text: str | None = None
    likelihood: str | None = None
    measures: str | None = None


@dataclass(frozen=True)
class MonitoringRow(DeviationEntry):
    """One indicator's monitoring entry: the actual so far (or 完成情况 of a qualitative one) and the
    deviation of a red or yellow line. `cells` locates each field in a workbook (field → "E12")."""

    actual: str | None = None
    status: str | None = None
    cells: Mapping[str, str] = field(default_factory=dict)

    def as_form(self) -> dict[str, str]:
        """The row's fields as the form shows them back."""
        return {k: getattr(self, k) or "" for k in MONITOR_ROW_FIELDS}


@dataclass(frozen=True)
class MonitoringEntry:
    """A monitoring snapshot as entered: the date, the amount spent, the spending line's deviation
    and the indicators' rows in the project's order. `revision`: the `snapshot_revision` of the
    snapshot the user edited ("" for none; None replaces whatever is stored for the date)."""

    as_of: date | str | None
    executed: Number = None
    deviation: DeviationEntry = field(default_factory=DeviationEntry)
    rows: tuple[MonitoringRow, ...] = ()
    revision: str | None = None

    @classmethod
    def from_form(cls, post: QueryDict, n_rows: int) -> MonitoringEntry:
        """The monitoring form of a project with `n_rows` indicators (fields row-N-FIELD)."""
        return cls(
            as_of=post.get("as_of", ""),
            executed=post.get("executed", ""),
            deviation=DeviationEntry(**{k: post.get(k, "") for k in DEVIATION_FIELDS}),
            rows=tuple(
                MonitoringRow(**{k: post.get(f"row-{i}-{k}", "") for k in MONITOR_ROW_FIELDS})
                for i in range(n_rows)
            ),
            revision=post.get("revision", ""),
        )

    def as_form(self) -> dict[str, str]:
        """The entry's fields (not the rows) as the form shows them back."""
        return {
            "as_of": self.as_of.isoformat() if isinstance(self.as_of, date) else self.as_of or "",
            "executed": "" if self.executed is None else str(self.executed),
            **{k: getattr(self.deviation, k) or "" for k in DEVIATION_FIELDS},
            "revision": self.revision or "",
        }


@dataclass(frozen=True)
class SelfEvalRow:
    """One indicator's year-end entry: the actual, 自评档次 of a qualitative one, the score when the
    unit sets it, the explanation of a deviation, and the indicator's 分值 when not the default."""

    actual: str | None = None
    band: str | None = None
    score: Number = None
    reason: str | None = None
    weight: Number = None

    def as_form(self) -> dict[str, str]:
        """The row's fields as the form shows them back."""
        return {k: str(v) if (v := getattr(self, k)) is not None else "" for k in SELFEVAL_ROW_FIELDS}


@dataclass(frozen=True)
class SelfEvalEntry:
    """A year-end self-evaluation as entered: 全年预算数 (`adjusted`) and 全年执行数 (`executed`), the
    explanation of an execution rate below 90%, the overall goal's outcome, the indicators' rows in
    the project's order, and `weights` replacing the default 10/50/30/10 (they must sum to 100)."""

    adjusted: Number
    executed: Number
    rows: tuple[SelfEvalRow, ...] = ()
    execution_reason: str = ""
    goal_actual: str = ""
    weights: Mapping[str, Number] | None = None

    @classmethod
    def from_form(cls, post: QueryDict, n_rows: int) -> SelfEvalEntry:
        """The self-evaluation form of a project with `n_rows` indicators (fields row-N-FIELD)."""
        return cls(
            adjusted=post.get("adjusted", ""),
            executed=post.get("executed", ""),
            execution_reason=post.get("execution_reason", ""),
            goal_actual=post.get("goal_actual", ""),
            rows=tuple(
                SelfEvalRow(**{k: post.get(f"row-{i}-{k}", "") for k in SELFEVAL_ROW_FIELDS})
                for i in range(n_rows)
            ),
        )

    def as_form(self) -> dict[str, str]:
        """The entry's fields (not the rows) as the form shows them back."""
        return {
            "adjusted": "" if self.adjusted is None else str(self.adjusted),
            "executed": "" if self.executed is None else str(self.executed),
            "execution_reason": self.execution_reason,
            "goal_actual": self.goal_actual,
        }


def _report_project(actor: User | None, project_id: int) -> tuple[Project, list[Indicator]]:
    """The project, locked, when the actor may report on it now: its unit's users and administrators
    (else Denied), on approved or published targets only (else Invalid naming the project's state)."""
    proj = locked_project(actor, project_id)
    if not reports_for(actor, proj):
        raise Denied("只有本单位用户或管理员可以填报运行监控和绩效自评。")
    why = proj.cycle_block_reason
    if why:
        raise Invalid(why, {"state": why})
    return proj, list(proj.indicators.all())


def _date(v: date | str | None, label: str, errors: dict[str, str], key: str) -> date | None:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v or "").strip())
    except ValueError:
        errors[key] = f"{label}应为日期，例如 2024-07-31"
        return None


def _choice(v: Any, options: tuple[str, ...], label: str, errors: dict[str, str], key: str) -> str | None:
    s = clean_text(v)
    if s is not None and s not in options:
        errors[key] = f"{label}「{s}」应为 {'、'.join(options)} 之一"
        return None
    return s


def _wan(d: Decimal) -> str:
    """An amount in 万元 as a person writes it: 48.5, 465000 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def above_budget(spent: Decimal | None, label: str, budget: Decimal | None, budget_label: str) -> str | None:
    """What to say of an amount executed above the budget (typed in 元 rather than 万元, most
    often), or None."""
    if spent is None or budget is None or spent <= budget:
        return None
    return f"{label} {_wan(spent)} 万元超过{budget_label} {_wan(budget)} 万元，请核对（金额以万元计）"


def _dec_str(d: Decimal | None) -> str | None:
    return None if d is None else plain(d)


def _deviation(d: DeviationEntry, errors: dict[str, str], prefix: str = "") -> monitor.Deviation:
    """The domain's deviation of an entry; an unknown 偏差原因 or 完成目标可能性 is an error at
    `prefix` + the field's name."""
    return monitor.Deviation(
        category=_choice(
            d.reason_category, monitor.REASON_CATEGORIES, "偏差原因", errors, f"{prefix}reason_category"
        ),
        text=long_text(d.reason_text, "偏差原因说明", errors, f"{prefix}reason_text"),
        likelihood=_choice(
            d.likelihood, monitor.LIKELIHOODS, "完成目标可能性", errors, f"{prefix}likelihood"
        ),
        measures=long_text(d.measures, "整改措施", errors, f"{prefix}measures"),
    )


def _monitoring_snapshot(
    entry: MonitoringEntry, proj: Project, indicators: list[Indicator], errors: dict[str, str]
) -> tuple[date | None, monitor.MonitorSnapshot, date]:
    """The entry read into the domain's snapshot, every field checked before anything is refused so
    that the form shows all its errors at once: the date typed (None when unreadable), the snapshot,
    and the date the actuals are compared at (the project year's default date when the date typed
    cannot be read)."""
    day = _date(entry.as_of, "监控截至日期", errors, "as_of")
    spent = parse_money(entry.executed, "截至监控日执行数", errors, "executed")
    if day is not None and proj.year and day.year != proj.year:
        errors["as_of"] = f"监控截至日期应在项目年度 {proj.year} 年内"
    if len(entry.rows) > len(indicators):
        errors["rows"] = f"填报了 {len(entry.rows)} 行，项目只有 {len(indicators)} 个指标"
    dev = _deviation(entry.deviation, errors)
    check_day = (
        day
        if day is not None and "as_of" not in errors
        else monitor.default_as_of(proj.year or timezone.localdate().year)
    )
    snap = monitor.snapshot_for(
        convert.project_from_orm(proj, indicators), check_day, year=proj.year or check_day.year
    )
    snap.executed = spent
    snap.deviation = dev
    for i, ind in enumerate(snap.indicators):
        r = entry.rows[i] if i < len(entry.rows) else MonitoringRow()
        ind.actual = clean_text(r.actual)
        ind.status = _choice(r.status, monitor.STATUS_OPTIONS, "完成情况", errors, f"row-{i}-status")
        ind.deviation = _deviation(r, errors, f"row-{i}-")
        ind.cells = {k: str(v) for k, v in r.cells.items()}
    return day, snap, check_day


def _check_actuals(snap: monitor.MonitorSnapshot, check_day: date, errors: dict[str, str]) -> None:
    """Locate every actual that cannot be compared with its target."""
    expected, _ = monitor.expected_progress(snap.spending_plan, check_day, snap.year, snap.budget)
    for i, ind in enumerate(snap.indicators):
        if f"row-{i}-status" in errors:
            continue
        try:
            monitor.indicator_light(ind, expected, check_day, index=i, year=snap.year, where="")
        except monitor.MonitorError as e:
            msg = str(e).removeprefix(": ")
            errors[f"row-{i}-actual"] = (
                f"{ind.cells.get('actual', '')} 指标「{ind.name or ''}」：{msg}".strip()
            )


def _monitoring_values(
    actor: User | None,
    indicators: list[Indicator],
    snap: monitor.MonitorSnapshot,
    result: monitor.MonitorResult,
    problems: list[monitor.Problem],
) -> dict[str, Any]:
    """The stored snapshot's columns."""
    dev = snap.deviation
    stored_rows = [
        {
            "indicator_id": orm_ind.pk,
            "name": ind.name,
            "target": ind.target,
            "actual": ind.actual,
            "status": ind.status,
            "reason_category": ind.deviation.category,
            "reason_text": ind.deviation.text,
            "likelihood": ind.deviation.likelihood,
            "measures": ind.deviation.measures,
            "light": lt.light,
            "ratio": _dec_str(lt.ratio),
            "note": lt.note,
        }
        for orm_ind, ind, lt in zip(indicators, snap.indicators, result.indicators, strict=True)
    ]
    return {
        "executed": snap.executed,
        "reason_category": dev.category or "",
        "reason_text": dev.text or "",
        "likelihood": dev.likelihood or "",
        "measures": dev.measures or "",
        "rows": stored_rows,
        "light": result.light or "",
        "spending_light": result.spending_light or "",
        "execution_rate": result.execution_rate,
        "expected": result.expected,
        "problems": [str(p) for p in problems],
        "complete": not problems,
        "entered_by": actor_name(actor),
    }


def _check_revision(proj: Project, day: date, revision: str | None) -> None:
    """Conflict when the snapshot of `day` is not the one the user edited (`revision`)."""
    if revision is None:
        return
    there = MonitoringSnapshot.objects.filter(project=proj, as_of=day).first()
    if there is not None and snapshot_revision(there) != revision:
        raise Conflict(
            f"截至 {day.isoformat()} 的监控记录已由 {there.entered_by or '其他用户'} 于 "
            f"{timezone.localtime(there.updated_at):%Y-%m-%d %H:%M} 保存，您看到的不是最新内容；"
            "未保存。请重新打开该日期的记录后再修改。"
        )


def save_monitoring(
    actor: User | None,
    project_id: int,
    entry: MonitoringEntry,
    *,
    require_complete: bool = False,
) -> MonitoringSnapshot:
    """Store a monitoring snapshot of a project as of a date (replacing one of the same date).

    `entry.revision`: the `snapshot_revision` of the snapshot the user edited ("" for none). When
    given, a snapshot of that date that the user has not seen as it now is (changed since, or
    someone else's of a date they typed) is not overwritten: Conflict, nothing stored.

    `entry.rows` are the indicators' entries in the project's order; `entry.deviation` the spending
    line's 偏差原因 etc. The lights come from `jixiao.cycle.monitor.assess`; a red or yellow line
    without 偏差原因, 完成目标可能性 and 整改措施 is stored as incomplete (its gaps in `problems`), or
    refused with `require_complete` (the workbook import). Input that cannot be read or compared
    (a date, a number, an actual in the wrong unit) is refused, nothing stored.
    """
    with transaction.atomic():
        proj, indicators = _report_project(actor, project_id)
        errors: dict[str, str] = {}
        day, snap, check_day = _monitoring_snapshot(entry, proj, indicators, errors)
        _check_actuals(snap, check_day, errors)
        if errors:
            raise Invalid("监控数据有误，未保存：" + "；".join(errors.values()), errors)
        assert day is not None  # no error: the date was read
        try:
            result = monitor.assess(snap)
        except monitor.MonitorError as e:
            raise Invalid(f"监控数据有误，未保存：{e}", {"executed": str(e)}) from None
        problems = monitor.validate_snapshot(snap, result)
        if require_complete and problems:
            raise Invalid(
                "监控表不完整，未保存：" + "；".join(str(p) for p in problems),
                {f"problem-{k}": str(p) for k, p in enumerate(problems)},
            )
        values = _monitoring_values(actor, indicators, snap, result, problems)
        _check_revision(proj, day, entry.revision)
        obj, created = MonitoringSnapshot.objects.update_or_create(project=proj, as_of=day, defaults=values)
        keep_cycle_summary(proj.pk)
        label = monitor.LIGHT_LABELS.get(result.light or "", "未完成评价")
        record_history(
            actor,
            "monitor",
            f"{'填报' if created else '修改'}运行监控（截至 {day.isoformat()}）：{label}"
            + ("" if not problems else f"，待补充 {len(problems)} 项"),
            project=proj,
            changes={
                "as_of": day.isoformat(),
                "executed": _dec_str(snap.executed),
                "light": result.light,
                "complete": not problems,
            },
        )
        return obj


def snapshot_revision(snapshot: MonitoringSnapshot) -> str:
    """What identifies a stored monitoring snapshot as a user saw it: its date and update time."""
    return f"{snapshot.as_of.isoformat()}|{snapshot.updated_at.isoformat()}"


def keep_cycle_summary(project_id: int) -> None:
    """Repeat the project's latest 运行监控 result and its 自评 score on the project row, which the
    unit-year page and other lists read (called in the transaction of every snapshot or
    self-evaluation write; neither the project's version nor its update time changes)."""
    snap = (
        MonitoringSnapshot.objects.filter(project_id=project_id)
        .order_by("-as_of")
        .values_list("light", "as_of", "execution_rate")
        .first()
    )
    ev = SelfEvaluation.objects.filter(project_id=project_id).values_list("total", "grade").first()
    light, as_of, rate = snap or ("", None, None)
    total, grade = ev or (None, "")
    Project.objects.filter(pk=project_id).update(
        monitor_light=light, monitor_as_of=as_of, monitor_rate=rate, eval_total=total, eval_grade=grade
    )


def record_outcome(
    actor: User | None, snapshot_id: int, *, outcome: str, note: str = ""
) -> MonitoringSnapshot:
    """审核人 records the corrective outcome of a monitoring result: continue, adjust target (with
    approval), reduce budget or suspend."""
    with transaction.atomic():
        snap = (
            MonitoringSnapshot.objects.select_for_update()
            .select_related("project")
            .filter(pk=snapshot_id)
            .first()
        )
        if snap is None or not can_view_project(actor, snap.project):
            raise NotFound("监控记录不存在或您无权查看。")
        if not can_record_outcome(actor):
            raise Denied("只有审核人或管理员可以记录监控处理意见。")
        if outcome not in Outcome.values:
            raise Invalid(f"处理意见应为 {'、'.join(Outcome.labels)} 之一。", {"outcome": "请选择处理意见"})
        note = (note or "").strip()
        if len(note) > LONG_TEXT_MAX:
            raise Invalid(f"处理意见说明不能超过 {LONG_TEXT_MAX} 字。", {"outcome_note": "说明过长"})
        if outcome != Outcome.CONTINUE and not note:
            raise Invalid("调整目标、调减预算或暂停实施时请填写说明。", {"outcome_note": "请填写说明"})
        old = snap.outcome
        snap.outcome, snap.outcome_note = outcome, note
        snap.outcome_by, snap.outcome_at = actor_name(actor), timezone.now()
        snap.save(update_fields=["outcome", "outcome_note", "outcome_by", "outcome_at", "updated_at"])
        record_history(
            actor,
            "outcome",
            f"监控处理意见（截至 {snap.as_of.isoformat()}）：{Outcome(outcome).label}"
            + (f"：{note}" if note else ""),
            project=snap.project,
            changes=[{"field": "outcome", "old": old, "new": outcome}],
        )
        return snap


def _error_key(e: evaluate.EvaluationError) -> str:
    """The form field of a scorer's EvaluationError: row-N-FIELD for an indicator's, else the field."""
    if e.indicator is not None:
        return f"row-{e.indicator}-{e.field or 'actual'}"
    return {"budget.adjusted": "adjusted", "budget.executed": "executed"}.get(
        e.field or "", e.field or "adjusted"
    )


def _check_selfeval(
    ev: evaluate.SelfEvaluation,
    adjusted: Decimal | None,
    executed: Decimal | None,
    initial: Decimal | None,
    execution_reason: str | None,
    errors: dict[str, str],
) -> None:
    """Add to `errors` everything the scorer would refuse, for every field at once: the budget line
    (and its explanation below the cut-off unless `execution_reason` is None), then each indicator on
    its own (an actual that cannot be compared, a score outside its band, an explanation asked for
    and missing). Fields already in `errors` (unreadable input) are not checked again."""
    settings = evaluate.ScoringSettings().with_weights(ev.weights)
    if adjusted is not None and executed is not None and "weights" not in errors:
        head = replace(
            ev, indicators=[], budget=evaluate.Budget(adjusted=adjusted, executed=executed, initial=initial)
        )
        try:
            line = evaluate.score_evaluation(head, settings)
        except evaluate.EvaluationError as e:
            errors.setdefault(_error_key(e), str(e))
        else:
            if line.execution_explanation and execution_reason is not None and not execution_reason:
                errors["execution_reason"] = f"{line.execution_explanation}：请填写偏差原因分析及改进措施"
    try:
        alloc, _ = evaluate.allocate_points(ev.indicators, dict(settings.weights), strict=settings.strict)
    except evaluate.EvaluationError as e:
        errors.setdefault(_error_key(e), str(e))
        return
    for i, (ind, (cat, pts)) in enumerate(zip(ev.indicators, alloc, strict=True)):
        if any(k.startswith(f"row-{i}-") for k in errors):
            continue
        try:
            s = evaluate.score_indicator(ind, pts, settings, index=i, category=cat, year=ev.year)
        except evaluate.EvaluationError as e:
            errors.setdefault(_error_key(e), str(e))
            continue
        if s.needs_explanation and not s.reason:
            errors[f"row-{i}-reason"] = (
                f"指标「{s.name or ''}」：{'；'.join(s.explanations)}，请填写偏差原因分析及改进措施"
            )


def _read_selfeval_row(i: int, ind: evaluate.IndicatorActual, r: SelfEvalRow, errors: dict[str, str]) -> None:
    """Fill the scorer's indicator `ind` from its row; unreadable numbers and bands are errors."""
    ind.actual = clean_text(r.actual)
    ind.reason = long_text(r.reason, f"指标「{ind.name or ''}」：偏差原因", errors, f"row-{i}-reason")
    if clean_text(r.weight) is not None:
        try:
            ind.weight = evaluate.to_decimal(r.weight)
        except (ValueError, InvalidOperation, TypeError):
            errors[f"row-{i}-weight"] = f"指标「{ind.name or ''}」：分值「{r.weight}」应为数字"
    band = clean_text(r.band)
    if band is not None and evaluate.band_name(band) is None:
        errors[f"row-{i}-band"] = f"自评档次「{band}」应为 {'、'.join(evaluate.BANDS)} 之一"
    ind.band = evaluate.band_name(band) if band else None
    score = clean_text(r.score)
    if score is not None:
        try:
            ind.score = evaluate.to_decimal(score)
        except (ValueError, InvalidOperation, TypeError):
            errors[f"row-{i}-score"] = f"指标「{ind.name or ''}」：得分「{score}」应为数字"


def _read_selfeval(
    entry: SelfEvalEntry, proj: Project, indicators: list[Indicator], errors: dict[str, str]
) -> tuple[Decimal | None, Decimal | None, evaluate.SelfEvaluation]:
    """The entry read: 全年预算数, 全年执行数 and the scorer's evaluation, with every field's error."""
    adj = parse_money(entry.adjusted, "全年预算数", errors, "adjusted")
    spent = parse_money(entry.executed, "全年执行数", errors, "executed")
    for key, value, label in (("adjusted", adj, "全年预算数"), ("executed", spent, "全年执行数")):
        if value is None and key not in errors:
            errors[key] = f"请填写{label}（万元）"
    if why := above_budget(spent, "全年执行数", adj, "全年预算数"):
        errors["executed"] = why  # (monitoring knows only the initial 预算数: a warning there)
    if len(entry.rows) > len(indicators):
        errors["rows"] = f"填报了 {len(entry.rows)} 行，项目只有 {len(indicators)} 个指标"
    ev = evaluate.evaluation_for(convert.project_from_orm(proj, indicators), year=proj.year)
    for i, ind in enumerate(ev.indicators):
        _read_selfeval_row(i, ind, entry.rows[i] if i < len(entry.rows) else SelfEvalRow(), errors)
    ev.goal_actual = long_text(entry.goal_actual, "总体目标实际完成情况", errors, "goal_actual")
    if entry.weights:
        try:
            ev.weights = evaluate.normalize_weights(entry.weights)
        except (evaluate.EvaluationError, ValueError) as e:
            errors["weights"] = str(e)
    return adj, spent, ev


def _selfeval_rows(indicators: list[Indicator], ev: evaluate.SelfEvaluation) -> list[dict[str, Any]]:
    return [
        {
            "indicator_id": orm_ind.pk,
            "name": ind.name,
            "target": ind.target,
            "actual": ind.actual,
            "band": ind.band,
            "score": _dec_str(ind.score),
            "reason": ind.reason,
            "weight": _dec_str(ind.weight),
        }
        for orm_ind, ind in zip(indicators, ev.indicators, strict=True)
    ]


def save_selfeval(
    actor: User | None,
    project_id: int,
    entry: SelfEvalEntry,
    *,
    require_execution_reason: bool = True,
) -> SelfEvaluation:
    """Store a project's year-end self-evaluation and its score (`jixiao.cycle.evaluate`).

    `entry.weights` replace the default 10/50/30/10 (they must sum to 100); a row's `weight` is the
    indicator's 分值. `require_execution_reason=False`: the workbook import, which checks the 自评表's
    执行率偏差原因 cell itself (and locates the error) — workbooks written before that cell existed
    store an execution rate below 90% without its explanation.

    `entry.rows` are the indicators' entries in the project's order. Refused, nothing stored, when
    the scorer rejects the input (a score outside its band, an actual that cannot be compared) or an
    explanation it asks for is missing (执行率 below 90%, an indicator at 130% of its target or more).
    """
    with transaction.atomic():
        proj, indicators = _report_project(actor, project_id)
        _refuse_published(proj)
        errors: dict[str, str] = {}
        adj, spent, ev = _read_selfeval(entry, proj, indicators, errors)
        reason = long_text(entry.execution_reason, "执行率偏差原因", errors, "execution_reason") or ""
        _check_selfeval(
            ev, adj, spent, proj.budget_total, reason if require_execution_reason else None, errors
        )
        if errors:
            explain_only = all(k == "execution_reason" or k.endswith("-reason") for k in errors)
            head = "自评数据需要说明，未保存：" if explain_only else "自评数据有误，未保存："
            raise Invalid(head + "；".join(errors.values()), errors)
        assert adj is not None and spent is not None  # no error: both were read
        ev.budget = evaluate.Budget(adjusted=adj, executed=spent, initial=proj.budget_total)
        try:
            result = evaluate.score_evaluation(ev)
        except evaluate.EvaluationError as e:  # checked above; kept for a rule added to the scorer only
            raise Invalid(f"自评数据有误，未保存：{e}", {_error_key(e): str(e)}) from None
        values = {
            "budget_adjusted": adj,
            "budget_executed": spent,
            "execution_reason": reason,
            "goal_actual": ev.goal_actual or "",
            "rows": _selfeval_rows(indicators, ev),
            "result": evaluate.result_to_dict(ev, result),
            "total": result.total.quantize(Decimal("0.01")),
            "grade": result.grade,
            "entered_by": actor_name(actor),
        }
        obj, created = SelfEvaluation.objects.update_or_create(project=proj, defaults=values)
        keep_cycle_summary(proj.pk)
        record_history(
            actor,
            "selfeval",
            f"{'填报' if created else '修改'}绩效自评：{values['total']} 分，{result.grade}",
            project=proj,
            changes={
                "adjusted": _dec_str(adj),
                "executed": _dec_str(spent),
                "total": str(values["total"]),
                "grade": result.grade,
            },
        )
        return obj


def _refuse_published(proj: Project) -> None:
    """A published self-evaluation is not changed (Denied), by anyone: as a unit user's edit of
    published targets is refused, what readers see stays what was published until a reviewer
    withdraws it (`withdraw_selfeval`, recorded), after which it is entered again and republished."""
    published = (
        SelfEvaluation.objects.select_for_update()
        .filter(project=proj, published_at__isnull=False)
        .values_list("published_by", "published_at")
        .first()
    )
    if published is not None:
        who, at = published
        when = f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
        raise Denied(
            f"项目「{proj}」的绩效自评已公开（{who or '审核人'} 于 {when}），"
            "不能修改；如需更正，请审核人或管理员先撤回公开。"
        )


def _publishable(actor: User | None, project_id: int, verb: str) -> tuple[Project, SelfEvaluation]:
    """The project and its self-evaluation, locked, when the actor may `verb` (公开/撤回公开) it:
    NotFound for a project the actor may not see, Denied for anyone but reviewers and
    administrators, Invalid when there is no self-evaluation."""
    proj = locked_project(actor, project_id)
    if not can_publish_selfeval(actor):
        raise Denied(f"只有审核人或管理员可以{verb}绩效自评。")
    se = SelfEvaluation.objects.select_for_update().filter(project=proj).first()
    if se is None:
        raise Invalid(f"项目「{proj}」尚未填报绩效自评，不能{verb}。", {"selfeval": "尚未填报绩效自评"})
    return proj, se


def publish_selfeval(actor: User | None, project_id: int, *, seen: str | None = None) -> SelfEvaluation:
    """公开 a project's self-evaluation (决算公开 of its 自评表): reviewers and administrators, when the
    project's targets are public themselves (已批复 or 已公开, `lib.corpus.PUBLIC_STATES`) and the
    self-evaluation is complete (scored, and still scorable against the project's indicators).
    Recorded in the history with who and when; publishing a published one is refused. `seen`: the
    `updated_at` (ISO) of the self-evaluation the reviewer looked at; Conflict when it changed since."""
    from jixiao.web.lib.corpus import PUBLIC_STATES
    from jixiao.web.lib.cycle import StaleEntry, scored_selfeval

    with transaction.atomic():
        proj, se = _publishable(actor, project_id, "公开")
        if seen is not None and se.updated_at.isoformat() != seen:
            raise Conflict(
                f"项目「{proj}」的绩效自评已被修改（{se.entered_by or '其他用户'} 于 "
                f"{timezone.localtime(se.updated_at):%Y-%m-%d %H:%M} 保存），您看到的不是最新内容；"
                "未公开。请核对最新的自评表后再公开。"
            )
        if se.published_at is not None:
            raise Invalid(
                f"项目「{proj}」的绩效自评已公开（{se.published_by or '审核人'} 于 "
                f"{timezone.localtime(se.published_at):%Y-%m-%d %H:%M}），无需再次公开。",
                {"selfeval": "已公开"},
            )
        if proj.state not in PUBLIC_STATES:
            raise Invalid(
                f"项目「{proj}」{proj.get_state_display()}：绩效目标批复公开后才能公开绩效自评。",
                {"state": proj.get_state_display()},
            )
        if se.total is None or not se.grade:
            raise Invalid(f"项目「{proj}」的绩效自评尚未完成评分，不能公开。", {"selfeval": "尚未评分"})
        try:
            scored_selfeval(se, proj, list(proj.indicators.all()))
        except StaleEntry as e:
            raise Invalid(f"{e}未公开。", {"selfeval": "与绩效指标不一致"}) from None
        se.published_at, se.published_by = timezone.now(), actor_name(actor)
        se.save(update_fields=["published_at", "published_by"])
        record_history(
            actor,
            "publish",
            f"公开绩效自评：{se.total} 分，{se.grade}",
            project=proj,
            changes=[
                {"field": "selfeval.published_at", "old": None, "new": se.published_at.isoformat()},
                {"field": "selfeval.total", "old": None, "new": str(se.total)},
            ],
        )
        return se


def withdraw_selfeval(actor: User | None, project_id: int) -> SelfEvaluation:
    """撤回公开 of a project's self-evaluation: reviewers and administrators; the readers' pages and
    the public API no longer show it, and the unit may change it again. Recorded in the history
    with who and when (and when it had been published)."""
    with transaction.atomic():
        proj, se = _publishable(actor, project_id, "撤回公开")
        if se.published_at is None:
            raise Invalid(f"项目「{proj}」的绩效自评未公开，无需撤回。", {"selfeval": "未公开"})
        was, by = se.published_at, se.published_by
        se.published_at, se.published_by = None, ""
        se.save(update_fields=["published_at", "published_by"])
        record_history(
            actor,
            "withdraw",
            f"撤回绩效自评的公开（{by or '审核人'} 于 {timezone.localtime(was):%Y-%m-%d %H:%M} 公开）",
            project=proj,
            changes=[{"field": "selfeval.published_at", "old": was.isoformat(), "new": None}],
        )
        return se
