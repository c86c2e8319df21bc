"""Editing a project's 绩效目标表 and moving it through the workflow (报送, 退回, 审核通过)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from jixiao import model as m
from jixiao.web import convert
from jixiao.web.actions.common import (
    LONG_TEXT_MAX,
    Conflict,
    Invalid,
    NotFound,
    check_version,
    clean_text,
    jsonable,
    locked_project,
    parse_money,
    record_history,
    rereview,
)
from jixiao.web.models import (
    Disclosure,
    History,
    Indicator,
    Project,
    Role,
    SelfEvaluation,
    State,
    Unit,
    User,
)
from jixiao.web.permissions import (
    Denied,
    can_delete_project,
    can_edit_project,
    can_import_into,
    can_review,
    can_view_unit,
    role_of,
)

if TYPE_CHECKING:
    from django.http import QueryDict

PROJECT_TEXT_FIELDS = {"name": "项目名称", "code": "项目编码", "purpose": "资金用途", "goal": "绩效目标"}


PROJECT_MONEY_FIELDS = {"budget_total": "预算数", "budget_fiscal": "财政资金", "budget_other": "其他资金"}


INDICATOR_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "description": "指标描述",
    "value": "指标值",
    "basis": "指标值确定依据",
}


# long texts (TextField) are bounded too (`common.LONG_TEXT_MAX`)
INDICATOR_LIMITS = {
    "level1": 100,
    "level2": 100,
    "name": 300,
    "value": 300,
    "description": LONG_TEXT_MAX,
    "basis": LONG_TEXT_MAX,
}


def _bump(proj: Project, version: int) -> None:
    """Advance the version only if nobody else did in between (safe on every database)."""
    n = Project.objects.filter(pk=proj.pk, version=version).update(version=version + 1)
    if n != 1:
        raise Conflict("保存冲突：该项目刚被他人修改，本次保存未生效。请刷新页面后重新修改。")
    proj.version = version + 1


class Unchanged(Enum):
    """The value of a `ProjectEdit` field that the edit leaves as it is."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the indicator table as entered; `id` is the stored row it replaces (None: new)."""

    id: int | None = None
    level1: str | None = None
    level2: str | None = None
    name: str | None = None
    description: str | None = None
    value: str | None = None
    basis: str | None = None


@dataclass(frozen=True)
class ProjectEdit:
    """A change of a project's 绩效目标表 as entered. `version` is the version the editor saw. Each
    field left UNCHANGED keeps its value; None (or blank text) clears it. The amounts are text as
    typed (万元, commas allowed); `spending_plan` maps 节点 → "NN%"; `indicators` is the complete new
    list of rows (None keeps the rows)."""

    version: int
    name: str | Unchanged | None = UNCHANGED
    code: str | Unchanged | None = UNCHANGED
    purpose: str | Unchanged | None = UNCHANGED
    goal: str | Unchanged | None = UNCHANGED
    budget_total: str | Unchanged | None = UNCHANGED
    budget_fiscal: str | Unchanged | None = UNCHANGED
    budget_other: str | Unchanged | None = UNCHANGED
    spending_plan: Mapping[str, str | None] | Unchanged | None = UNCHANGED
    indicators: tuple[IndicatorRow, ...] | None = None

    @classmethod
    def from_form(cls, post: QueryDict) -> ProjectEdit:
        """The project page's edit form: every field, `rows` indicator rows ind-N-FIELD (at most
        MAX_FORM_ROWS), the spending plan as pairs plan-node/plan-share; an unreadable version
        is -1 (a conflict)."""
        try:
            version = int(post.get("version") or "")
        except (TypeError, ValueError):
            version = -1
        try:
            n = int(post.get("rows") or 0)
        except ValueError:
            n = 0
        rows = tuple(
            IndicatorRow(
                id=_row_id(post.get(f"ind-{i}-id", "")),
                **{k: post.get(f"ind-{i}-{k}", "") for k in INDICATOR_FIELDS},
            )
            for i in range(min(n, MAX_FORM_ROWS))
        )
        nodes, shares = post.getlist("plan-node"), post.getlist("plan-share")
        return cls(
            version=version,
            **{k: post.get(k, "") for k in (*PROJECT_TEXT_FIELDS, *PROJECT_MONEY_FIELDS)},
            spending_plan={n: s for n, s in zip(nodes, shares, strict=False) if n},
            indicators=rows,
        )

    def given(self) -> dict[str, Any]:
        """The project fields this edit sets, by name."""
        return {
            k: v
            for k in (*PROJECT_TEXT_FIELDS, *PROJECT_MONEY_FIELDS, "spending_plan")
            if (v := getattr(self, k)) is not UNCHANGED
        }


MAX_FORM_ROWS = 500


def _row_id(v: Any) -> int | None:
    """The stored row an entered row replaces; anything that is not a number is a new row."""
    try:
        return int(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _check_may_edit(actor: User | None, proj: Project) -> None:
    if not can_edit_project(actor, proj):
        if role_of(actor) == Role.UNIT:
            raise Denied(f"项目{proj.get_state_display()}，单位用户不能修改。")
        raise Denied("您没有修改项目的权限。")


def _read_text(fields: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    new: dict[str, Any] = {}
    for k in PROJECT_TEXT_FIELDS:
        if k in fields:
            new[k] = v = clean_text(fields[k])
            if k in TEXT_LIMITS and v and len(v) > TEXT_LIMITS[k]:
                errors[k] = f"{PROJECT_TEXT_FIELDS[k]}不能超过 {TEXT_LIMITS[k]} 字"
            if k == "name" and not v:
                errors[k] = "项目名称不能为空"
    return new


TEXT_LIMITS = {"name": 300, "code": 60, "purpose": LONG_TEXT_MAX, "goal": LONG_TEXT_MAX}


def _read_money(proj: Project, fields: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    new: dict[str, Any] = {}
    for k, label in PROJECT_MONEY_FIELDS.items():
        if k in fields:
            new[k] = parse_money(fields[k], label, errors, k)
    total = new.get("budget_total", proj.budget_total)
    fiscal = new.get("budget_fiscal", proj.budget_fiscal)
    other = new.get("budget_other", proj.budget_other)
    if not errors.keys() & PROJECT_MONEY_FIELDS.keys() and total is not None and fiscal is not None:
        if fiscal + (other or 0) > total:
            errors["budget_fiscal"] = "财政资金与其他资金之和不能大于预算数"
    return new


def _read_plan(plan: Mapping[str, Any], errors: dict[str, str]) -> dict[str, str] | None:
    """资金支出计划: each node's share as "NN%", from 0% to 100% and never below the node before.

    A node left blank is kept blank ("", as the importer stores a milestone printed without its
    share): review JX402 names it, and saving a form that did not touch the plan leaves it as it
    was. A plan of blank nodes only is no plan (None), as on import."""
    clean_plan: dict[str, str] = {}
    last = Decimal(-1)
    for node, share in plan.items():
        s = clean_text(share)
        if s is None:
            clean_plan[str(node)] = ""
            continue
        num = s.rstrip("%％").strip()
        try:
            d = Decimal(num)
            if not d.is_finite():  # NaN, Infinity
                raise InvalidOperation
        except InvalidOperation:
            errors[f"spending_plan.{node}"] = f"资金支出计划“{node}”应为百分比，例如 50%"
            continue
        if d < 0 or d > 100:
            errors[f"spending_plan.{node}"] = f"资金支出计划“{node}”应在 0% 到 100% 之间"
        elif d < last:
            errors[f"spending_plan.{node}"] = f"资金支出计划“{node}”不能小于前一节点"
        last = max(last, d)
        clean_plan[str(node)] = s if s.endswith(("%", "％")) else s + "%"
    return clean_plan if any(clean_plan.values()) else None


def _read_rows(indicators: tuple[IndicatorRow, ...], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The indicator rows cleaned, blank rows dropped; a missing or too long cell is an error."""
    rows = []
    for n, row in enumerate(indicators, 1):
        r: dict[str, Any] = {k: clean_text(getattr(row, k)) for k in INDICATOR_FIELDS}
        if not any(r.values()):
            continue  # a blank row in the form
        for k in ("level1", "name", "value"):
            if not r[k]:
                errors[f"indicators.{n}.{k}"] = f"第 {n} 行：{INDICATOR_FIELDS[k]}不能为空"
        for k, lim in INDICATOR_LIMITS.items():
            if r[k] and len(r[k]) > lim:
                errors[f"indicators.{n}.{k}"] = f"第 {n} 行：{INDICATOR_FIELDS[k]}不能超过 {lim} 字"
        r["id"] = row.id
        rows.append(r)
    return rows


def _set_fields(proj: Project, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Set the changed fields on `proj`; their changes for the history."""
    changes = []
    for k, v in new.items():
        old = getattr(proj, k)
        if old != v and not (old in (None, "") and v in (None, "")):
            changes.append({"field": k, "old": jsonable(old), "new": jsonable(v)})
            setattr(proj, k, v)
    return changes


def edit_project(actor: User | None, project_id: int, edit: ProjectEdit) -> Project:
    """Change a project's fields and/or its indicator rows (`ProjectEdit`). A stale `edit.version`
    raises Conflict and writes nothing; input that does not validate raises Invalid with every
    field's error."""
    with transaction.atomic():
        proj = locked_project(actor, project_id)
        _check_may_edit(actor, proj)
        check_version(proj, edit.version)
        errors: dict[str, str] = {}
        fields = edit.given()
        new = _read_text(fields, errors)
        new.update(_read_money(proj, fields, errors))
        if "spending_plan" in fields:
            new["spending_plan"] = _read_plan(fields["spending_plan"] or {}, errors)
        rows = _read_rows(edit.indicators, errors) if edit.indicators is not None else None
        if errors:
            raise Invalid("输入有误，未保存：" + "；".join(errors.values()), errors)
        changes = _set_fields(proj, new)
        if rows is not None:
            changes.extend(_replace_indicators(proj, rows))
        if not changes:
            return proj
        _bump(proj, proj.version)
        proj.save(update_fields=[*new.keys(), "updated_at"])
        record_history(actor, "edit", describe_changes(changes), project=proj, changes=changes)
        rereview([proj.disclosure_id])
    return proj


def create_project(actor: User | None, unit_id: int, year: Any, name: str, code: str = "") -> Project:
    """新建项目: an empty draft project of the unit-year (the unit-year is made when it has no data
    yet), for the unit to write its 绩效目标表 in the edit form. Unit users create in their own
    units, administrators anywhere; a name already used in the unit-year is refused."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or (actor is not None and not can_view_unit(actor, unit)):
        raise NotFound("单位不存在或您无权查看。")
    if actor is not None and not can_import_into(actor, unit):
        raise Denied("只有本单位的用户和管理员可以新建项目。")
    errors: dict[str, str] = {}
    try:
        y = int(str(year).strip())
    except ValueError:
        y = 0
    if not m.is_budget_year(y):
        errors["year"] = m.BUDGET_YEAR_RULE
    name, code = clean_text(name) or "", clean_text(code) or ""
    if not name:
        errors["name"] = "请填写项目名称"
    for k, v in (("name", name), ("code", code)):  # refused like the edit form's, never cut
        if len(v) > TEXT_LIMITS[k]:
            errors[k] = f"{PROJECT_TEXT_FIELDS[k]}不能超过 {TEXT_LIMITS[k]} 字"
    if errors:
        raise Invalid("未新建项目：" + "；".join(errors.values()), errors)
    key = convert.project_key(code, name)
    with transaction.atomic():
        # locked against imports (`imports._UNITS_LOCKED`) and other creates into the unit: they wait
        # for each other, so that the check below sees their projects and numbers (NO KEY: rows
        # that merely refer to the unit are written meanwhile)
        list(Unit.objects.select_for_update(no_key=True).filter(pk=unit.pk).values_list("pk"))
        same = Project.objects.filter(Q(key=key) | Q(name=name), unit=unit, year=y).first()
        if same is not None:
            raise Invalid(
                f"{unit.name} {y} 年已有项目「{same.name or same.code}」，请打开它修改，或换一个名称、编码。",
                {"name": "已有同名或同编码的项目"},
            )
        disclosure, _ = Disclosure.objects.get_or_create(unit=unit, year=y, defaults={"source": "网页填写"})
        last = (
            Project.objects.filter(unit=unit, year=y).order_by("-seq").values_list("seq", flat=True).first()
        )
        proj = Project.objects.create(
            disclosure=disclosure,
            unit=unit,
            year=y,
            key=key,
            seq=(last or 0) + 1,
            name=name,
            code=code or None,
            state=State.DRAFT,
        )
        record_history(actor, "edit", f"新建项目「{name}」（{y} 年，草稿）", project=proj)
        rereview([disclosure.pk])
    return proj


@dataclass(frozen=True)
class DeletedProject:
    """What `delete_project` removed: the project's id and name, the unit-year it was in (where the
    deletion is recorded: `history` is that History row's id)."""

    id: int
    name: str
    unit_id: int
    year: int | None
    disclosure_id: int
    history: int


HISTORY_KEPT = 500  # the project's newest history records copied into the record of its deletion


def _check_may_delete(actor: User | None, proj: Project) -> None:
    """删除项目: administrators delete any draft; unit users a draft of their own unit (the caller
    found the project visible) with no monitoring snapshot and no self-evaluation; nobody else."""
    if not can_delete_project(actor, proj):
        if role_of(actor) not in (Role.ADMIN, Role.UNIT):
            raise Denied("只有本单位的用户或管理员可以删除项目。")
        raise Denied(f"项目{proj.get_state_display()}，不能删除：只有草稿状态的项目可以删除。")
    if role_of(actor) == Role.UNIT:
        if proj.snapshots.exists():
            raise Denied("项目已有运行监控记录，不能删除；如确需删除，请联系管理员。")
        if SelfEvaluation.objects.filter(project=proj).exists():
            raise Denied("项目已有绩效自评，不能删除；如确需删除，请联系管理员。")


def _deleted_record(proj: Project) -> list[dict[str, Any]]:
    """The deletion's `History.changes`: the project as it was (fields, indicators, what cascades
    with it) and its own history, which is deleted with it (`History.project` cascades)."""
    keep = ("name", "code", "title", "seq", "state", "version", "purpose", "spending_plan", "goal")
    fields = {k: jsonable(getattr(proj, k)) for k in keep}
    fields.update({k: jsonable(getattr(proj, k)) for k in PROJECT_MONEY_FIELDS})
    indicators = list(
        proj.indicators.order_by("seq", "id").values(*INDICATOR_FIELDS, "nature", "measure_unit", "weight")[
            :MAX_FORM_ROWS
        ]
    )
    # what an administrator deletes with it (a unit user may not): kept whole, as JSON
    entries = {
        "selfeval_record": SelfEvaluation.objects.filter(project=proj).values().first(),
        "snapshot_records": list(proj.snapshots.order_by("id").values()),
    }
    entries = json.loads(json.dumps(entries, cls=DjangoJSONEncoder))
    earlier = [
        {"at": h.at.isoformat(), "user": h.username, "action": h.action, "summary": h.summary}
        for h in proj.history.order_by("-at", "-id")[:HISTORY_KEPT]
    ]
    return [
        {"field": "project", "old": {"id": proj.pk, **fields}, "new": None},
        {"field": "indicators", "old": indicators, "new": None},
        {"field": "snapshots", "old": proj.snapshots.count(), "new": None},
        {"field": "selfeval", "old": SelfEvaluation.objects.filter(project=proj).count(), "new": None},
        {"field": "history", "old": earlier, "new": None},
        *({"field": k, "old": v, "new": None} for k, v in entries.items()),
    ]


def delete_project(actor: User | None, project_id: int, *, version: int | None = None) -> DeletedProject:
    """删除项目 created or imported by mistake (`_check_may_delete` says who may delete what). The
    project's history is deleted with it, so the deletion is recorded on its unit-year
    (`History.disclosure`, action "delete"), holding the project as it was and its history; the
    unit-year stays (empty when it was its last project) and is reviewed again."""
    with transaction.atomic():
        proj = locked_project(actor, project_id)
        check_version(proj, version)
        _check_may_delete(actor, proj)
        changes = _deleted_record(proj)
        label = proj.name or proj.code or f"第 {proj.seq} 个项目"
        n = len(changes[1]["old"])
        disclosure = Disclosure.objects.get(pk=proj.disclosure_id)
        proj.delete()
        h = record_history(
            actor,
            "delete",
            f"删除项目「{label}」（{proj.year} 年，草稿，{n} 个指标）",
            disclosure=disclosure,
            changes=changes,
        )
        rereview([disclosure.pk])
    return DeletedProject(project_id, label, proj.unit_id, proj.year, disclosure.pk, h.pk)


def _replace_indicators(proj: Project, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    existing = {i.pk: i for i in proj.indicators.all()}
    changes: list[dict[str, Any]] = []
    kept: set[int] = set()
    for seq, r in enumerate(rows, 1):
        rid = r["id"]
        ind = existing.get(rid) if rid is not None else None
        domain = m.Indicator(
            level1=r["level1"],
            level2=r["level2"],
            name=r["name"],
            description=r["description"],
            value=r["value"],
            basis=r["basis"],
        )
        if ind is None:
            data = convert.indicator_fields(domain, proj.year)
            data.pop("location")
            Indicator.objects.create(project=proj, seq=seq, **data)
            changes.append({"field": "indicator", "old": None, "new": r["name"] + "：" + (r["value"] or "")})
            continue
        kept.add(ind.pk)
        diff = {k: (getattr(ind, k), r[k]) for k in INDICATOR_FIELDS if (getattr(ind, k) or None) != r[k]}
        if diff or ind.seq != seq:
            data = convert.indicator_fields(domain, proj.year)
            data.pop("location")
            data.pop("nature"), data.pop("measure_unit"), data.pop("weight")
            for k, v in data.items():
                setattr(ind, k, v)
            ind.seq = seq
            ind.save()
            for k, (old, newv) in diff.items():
                changes.append({"field": f"indicator.{k}", "indicator": ind.name, "old": old, "new": newv})
    for pk, ind in existing.items():
        if pk not in kept:
            changes.append({"field": "indicator", "old": f"{ind.name}：{ind.value or ''}", "new": None})
            ind.delete()
    return changes


FIELD_LABELS = {
    **PROJECT_TEXT_FIELDS,
    **PROJECT_MONEY_FIELDS,
    "spending_plan": "资金支出计划",
    **{f"indicator.{k}": v for k, v in INDICATOR_FIELDS.items()},
    "indicator": "指标",
}


def describe_changes(changes: list[dict[str, Any]]) -> str:
    parts = []
    for c in changes[:8]:
        label = FIELD_LABELS.get(c["field"], c["field"])
        if c["field"] == "state":
            parts.append(f"状态：{_state_label(c['old'])} → {_state_label(c['new'])}")
        elif c["field"] == "indicator":
            parts.append(f"新增指标 {c['new']}" if c["old"] is None else f"删除指标 {c['old']}")
        elif c["field"].startswith("indicator."):
            parts.append(
                f"指标“{c.get('indicator') or ''}”的{label}：{c['old'] or '（空）'} → {c['new'] or '（空）'}"
            )
        else:
            parts.append(f"{label}：{_short(c['old'])} → {_short(c['new'])}")
    if len(changes) > 8:
        parts.append(f"等 {len(changes)} 处")
    return "；".join(parts)


def _state_label(v: Any) -> str:
    return str(State(v).label) if v in State.values else str(v)


def _short(v: Any) -> str:
    s = "（空）" if v in (None, "") else str(v)
    return s if len(s) <= 40 else s[:39] + "…"


@dataclass
class ReviewGate:
    """What the project's stored review (`lib.reviews.project_review`) says against approving it as
    it stands: the outcome and the error findings (as `finding_record` snapshots)."""

    grade: str | None = None
    verdict: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """The outcome says revise and resubmit (中) or unusable (差)."""
        return self.grade in NOT_PASSED

    @property
    def needs_reason(self) -> bool:
        """Approving needs the reviewer's explicit confirmation with a reason."""
        return bool(self.errors) or self.failed

    def describe(self) -> str:
        parts = []
        if self.errors:
            parts.append(f"有 {len(self.errors)} 条错误")
        if self.grade:
            parts.append(f"审核结论为“{self.grade}”（{self.verdict}）")
        return "，".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "verdict": self.verdict,
            "needs_reason": self.needs_reason,
            "findings": self.errors,
        }


NOT_PASSED = ("中", "差")  # outcomes that do not let a project go ahead as it is


def review_gate(proj: Project, findings: Any = None) -> ReviewGate:
    """The stored review of `proj` (refreshed when stale) as it bears on approving and submitting.
    A review that cannot be computed (a rule bug) gives an empty gate: it must not block the workflow.
    `findings`: the project's `reviews.project_review` when the caller has just read it."""
    from jixiao.web.lib.reviews import finding_record, project_review

    pf = findings if findings is not None else project_review(proj)
    if pf is None:
        return ReviewGate()
    errors = [finding_record(f) for f in pf.findings if f.severity == "error"]
    return ReviewGate(pf.outcome.grade, pf.outcome.verdict, errors)


class ConfirmationNeeded(Conflict):
    """Approving a project whose review has errors (or says 中/差) without a reason (HTTP 409):
    nothing was written; `gate` holds the findings to show."""

    def __init__(self, message: str, gate: ReviewGate):
        super().__init__(message, {"confirm_reason": "请填写审核通过的理由"})
        self.gate = gate


def submit_project(actor: User | None, project_id: int, *, version: int | None = None) -> Project:
    """单位用户 (or 管理员) submits a draft or returned project for review. Error findings do not stop
    it (the pages ask the unit to confirm first; `review_gate` gives them to the API as warnings);
    their number is recorded in the history, for the reviewer."""
    with transaction.atomic():
        proj = locked_project(actor, project_id)
        check_version(proj, version)
        if proj.state not in (State.DRAFT, State.RETURNED):
            raise Denied(f"项目{proj.get_state_display()}，不能再次提交。")
        if role_of(actor) not in (Role.ADMIN, Role.UNIT):
            raise Denied("只有单位用户或管理员可以提交项目。")
        if not proj.indicators.exists():
            raise Invalid("项目没有绩效指标，不能提交。", {"indicators": "至少填写一个绩效指标"})
        gate = review_gate(proj)
        summary = "提交审核"
        extra: list[dict[str, Any]] = []
        if gate.errors:
            summary += f"（审核规则检查有 {len(gate.errors)} 条错误，单位确认后提交）"
            extra.append({"field": "warnings", "old": None, "new": gate.errors})
        return _move(actor, proj, State.SUBMITTED, "submit", summary, extra=extra)


def _locked_for_review(actor: User | None, project_id: int, version: int | None, verb: str) -> Project:
    """The project, locked, at the version the reviewer saw, when the actor may `verb` (退回/批复) it
    now: a reviewer or administrator, on a submitted project (else Denied saying which)."""
    proj = locked_project(actor, project_id)
    check_version(proj, version)
    if not can_review(actor, proj):
        raise Denied(
            f"只有审核人或管理员可以{verb}已提交的项目。"
            if proj.state == State.SUBMITTED
            else f"项目{proj.get_state_display()}，只有已提交的项目可以{verb}。"
        )
    return proj


def return_project(
    actor: User | None,
    project_id: int,
    *,
    comment: str,
    version: int | None = None,
    findings: list[str] | None = None,
) -> Project:
    """审核人 returns a submitted project with a comment saying what to fix, optionally attaching
    review findings by `Finding.key`; a snapshot of each is kept in the History record."""
    comment = (comment or "").strip()
    with transaction.atomic():
        proj = _locked_for_review(actor, project_id, version, "退回")
        if not comment:
            raise Invalid("退回时请填写退回意见。", {"comment": "请填写退回意见"})
        if len(comment) > LONG_TEXT_MAX:
            raise Invalid(f"退回意见不能超过 {LONG_TEXT_MAX} 字。", {"comment": "退回意见过长"})
        attached: list[dict[str, Any]] = []
        if findings:
            from jixiao.web.lib.reviews import findings_for_keys

            attached, missing = findings_for_keys(proj, findings)
            if missing:
                raise Invalid(
                    f"所选审核发现已不存在（{'、'.join(missing)}），请刷新页面后重新选择。",
                    {"findings": "、".join(missing)},
                )
        summary = f"退回：{comment}" + (f"（附审核发现 {len(attached)} 条）" if attached else "")
        extra: list[dict[str, Any]] = [{"field": "comment", "old": None, "new": comment}]
        if attached:
            extra.append({"field": "findings", "old": None, "new": attached})
        return _move(actor, proj, State.RETURNED, "return", summary, extra=extra)


def approve_project(
    actor: User | None,
    project_id: int,
    *,
    version: int | None = None,
    confirm_reason: str | None = None,
) -> Project:
    """审核人 approves a submitted project. When its stored review has error findings or an outcome
    of 中/差 (`review_gate`), the reviewer must confirm with a reason (`confirm_reason`), else
    ConfirmationNeeded (409) and nothing is written; the reason and the findings it overrides go to
    the history, and the project page shows them to the unit."""
    reason = clean_text(confirm_reason)
    with transaction.atomic():
        proj = _locked_for_review(actor, project_id, version, "批复")
        if reason and len(reason) > 2000:
            raise Invalid("审核通过的理由不能超过 2000 字。", {"confirm_reason": "理由不能超过 2000 字"})
        gate = review_gate(proj)
        if gate.needs_reason and not reason:
            raise ConfirmationNeeded(
                f"项目「{proj}」的审核规则检查{gate.describe()}。"
                "审核通过前请确认，并填写审核通过的理由；未批复。",
                gate,
            )
        summary = "审核通过（批复）"
        extra: list[dict[str, Any]] = []
        if reason:
            summary += (
                f"：审核规则检查{gate.describe()}；审核人确认通过，理由：{reason}"
                if gate.needs_reason
                else f"：{reason}"
            )
            extra.append({"field": "confirm_reason", "old": None, "new": reason})
        if gate.needs_reason:
            extra.append({"field": "review", "old": None, "new": gate.to_dict()})
        return _move(actor, proj, State.APPROVED, "approve", summary, extra=extra)


@dataclass(frozen=True)
class Approval:
    """An approval given with a reason: who, when, the reason and the review it overrode (its grade,
    verdict and error findings as `finding_record` snapshots)."""

    at: datetime
    username: str
    reason: str
    grade: str | None = None
    verdict: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)


def last_approval(history: Iterable[History]) -> Approval | None:
    """The latest approval in a project's history (newest first) when it came with a reason."""
    for h in history:
        if h.action != "approve":
            continue
        entries = {c.get("field"): c.get("new") for c in (h.changes or []) if isinstance(c, dict)}
        if not entries.get("confirm_reason"):
            return None
        review = entries.get("review") or {}
        return Approval(
            at=h.at,
            username=h.username,
            reason=str(entries["confirm_reason"]),
            grade=review.get("grade"),
            verdict=review.get("verdict"),
            findings=review.get("findings") or [],
        )
    return None


def _move(
    actor: User | None, proj: Project, to: str, action: str, summary: str, *, extra: list[Any] | None = None
) -> Project:
    old = proj.state
    _bump(proj, proj.version)
    proj.state = to
    proj.save(update_fields=["state", "updated_at"])
    changes = [{"field": "state", "old": old, "new": to}, *(extra or [])]
    record_history(actor, action, summary, project=proj, changes=changes)
    rereview([proj.disclosure_id])
    return proj
