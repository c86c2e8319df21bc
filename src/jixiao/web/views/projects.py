"""Pages: a project's 绩效目标表, its edit form and its workflow transitions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from jixiao.numbers import plain
from jixiao.web import actions
from jixiao.web.lib.access import project_with_unit, visible_project, visible_project_with
from jixiao.web.lib.compiled import CompiledQuery, attnames, json_values
from jixiao.web.lib.project_rows import indicator_rows
from jixiao.web.models import CYCLE_STATES, History, Indicator, Project, State
from jixiao.web.permissions import (
    Denied,
    can_delete_project,
    can_edit_project,
    can_review,
    can_submit,
)


def _table_rows(indicators: list[Any]) -> list[dict[str, Any]]:
    """Indicator rows with rowspans for merged 一级/二级 cells (the standard layout)."""
    rows: list[dict[str, Any]] = [{"ind": i, "l1span": 0, "l2span": 0} for i in indicators]
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["ind"].level1 == rows[i]["ind"].level1:
            j += 1
        rows[i]["l1span"] = j - i
        k = i
        while k < j:
            m = k
            while m < j and rows[m]["ind"].level2 == rows[k]["ind"].level2:
                m += 1
            rows[k]["l2span"] = m - k
            k = m
        i = j
    return rows


class ShownIndicator(NamedTuple):
    """What the page shows of an indicator (its row and its line of the edit form): a plain row,
    not a model instance (a project lists a dozen or more)."""

    pk: int
    level1: str | None
    level2: str | None
    name: str | None
    description: str | None
    value: str | None
    basis: str | None
    target: dict[str, Any] | None
    target_kind: str


TARGET = ShownIndicator._fields.index("target")
INDICATORS_QUERY = CompiledQuery(
    lambda pid: Indicator.objects.filter(project_id=pid).values_list("id", *ShownIndicator._fields[1:]),
    raw=(TARGET,),  # decoded at once (`json_values`)
)


def page_indicators(project_id: int) -> list[ShownIndicator]:
    """The project's indicators in their order (the model's), as the page shows them."""
    rows = INDICATORS_QUERY.rows(project_id)
    for row, target in zip(rows, json_values([row[TARGET] for row in rows]), strict=True):
        row[TARGET] = target
    return [ShownIndicator._make(row) for row in rows]


def _indicators_json() -> RawSQL:
    """PostgreSQL: `INDICATORS_QUERY`'s rows as a column of the project's query, a JSON array of
    arrays in the model's order (`json_agg`, as text; NULL for none), so that the project page
    reads them without a query and a round trip of their own. Each value is JSON's as the database
    gives it: texts and ids as they are, the target (jsonb) as its JSON, which is what
    `page_indicators` decodes it from (`shown_indicators` takes them back)."""
    qn = connection.ops.quote_name
    meta = Indicator._meta
    cols = ", ".join(f"i.{qn(meta.get_field(f).column)}" for f in ("id", *ShownIndicator._fields[1:]))
    order = ", ".join(f"i.{qn(meta.get_field(f).column)}" for f in INDICATOR_ORDER)
    return RawSQL(
        f"(SELECT json_agg(json_build_array({cols}) ORDER BY {order})::text FROM {qn(meta.db_table)} i "
        f"WHERE i.{qn(meta.get_field('project').column)} = {qn(Project._meta.db_table)}.{qn('id')})",
        (),
        output_field=TextField(),
    )


INDICATOR_ORDER = ("seq", "id")  # the model's ordering within a project (project_id, seq, id)


def shown_indicators(text: str | None) -> list[ShownIndicator]:
    """The indicators of `_indicators_json`'s column."""
    return [ShownIndicator._make(row) for row in json.loads(text)] if text else []


HISTORY_SHOWN = 100  # the newest changes the page lists
HISTORY_QUERY = CompiledQuery(
    lambda pid: (
        History.objects.filter(project_id=pid)
        .order_by("-at", "-id")
        .values_list(*attnames(History))[:HISTORY_SHOWN]
    ),
    History,
)


def _history_json() -> RawSQL:
    """PostgreSQL: `HISTORY_QUERY`'s rows as a column of the project's query, as `_indicators_json`
    its indicators (`page_history` takes them back)."""
    qn = connection.ops.quote_name
    meta = History._meta
    cols = ", ".join(f"h.{qn(f.column)}" for f in meta.concrete_fields)
    at, pk, project = (qn(meta.get_field(f).column) for f in ("at", "id", "project"))
    return RawSQL(
        f"(SELECT json_agg(json_build_array({cols}) ORDER BY h.{at} DESC, h.{pk} DESC)::text "
        f"FROM (SELECT * FROM {qn(meta.db_table)} WHERE {project} = {qn(Project._meta.db_table)}.{qn('id')} "
        f"ORDER BY {at} DESC, {pk} DESC LIMIT {HISTORY_SHOWN}) h)",
        (),
        output_field=TextField(),
    )


HISTORY_AT = attnames(History).index("at")


def page_history(text: str | None) -> list[History]:
    """The changes of `_history_json`'s column as `HISTORY_QUERY.instances` gives them: the time
    (JSON's ISO text, with its offset) in the connection's time zone, as the ORM reads it; the
    changes (jsonb) decoded from their JSON as the JSONField decodes them."""
    if not text:
        return []
    names, tz, out = attnames(History), connection.timezone, []
    for row in json.loads(text):
        if row[HISTORY_AT] is not None:
            row[HISTORY_AT] = datetime.fromisoformat(row[HISTORY_AT]).astimezone(tz)
        out.append(History.from_db("default", names, row))
    return out


PAGE_EXTRA = ("page_indicators", "page_history")  # PostgreSQL: before the review's columns


def page_read(values: list[Any]) -> tuple[list[Any], list[ShownIndicator] | None, list[History] | None]:
    """`PAGE_QUERY`'s columns after the project's and its unit's: those of its review, the last
    (`reviews.read_with_project`), and its indicators and history when read with it (PostgreSQL:
    `PAGE_EXTRA`), else None."""
    from jixiao.web.lib.reviews import READ_WITH_PROJECT_WIDTH as width

    if len(values) == width:
        return values, None, None
    return values[-width:], shown_indicators(values[0]), page_history(values[1])


def _page_query(project_id: int) -> Any:
    from jixiao.web.lib.reviews import read_with_project

    annotations, names = read_with_project()
    if connection.vendor == "postgresql":  # the indicators and history too (`PAGE_EXTRA`)
        annotations = {**annotations, "page_indicators": _indicators_json(), "page_history": _history_json()}
        names = (*PAGE_EXTRA, *names)
    return project_with_unit(project_id, annotations, names)


# the project, its unit, its unit-year's version, its stored review and (PostgreSQL) its
# indicators and history in one query (compiled once)
PAGE_QUERY = CompiledQuery(_page_query)


def _project_context(
    request: HttpRequest, proj: Project, *, read: Any = None, **extra: Any
) -> dict[str, Any]:
    """The page's context; `read`: what `PAGE_QUERY` read with the project (the review's version and
    stored row, the indicators on PostgreSQL: `page_read`), else they are read here."""
    from jixiao.review import HEADINGS
    from jixiao.web.lib.reviews import ReadWithProject, last_return, project_review, rows_with_findings

    shown = history = None
    if read is not None:
        read, shown, history = page_read(read)
    indicators = page_indicators(proj.pk) if shown is None else shown
    user = request.user
    if history is None:
        history = HISTORY_QUERY.instances(proj.pk)
    # the whole unit-year is reviewed (rules across projects too), cached per unit-year version
    findings = project_review(proj, indicators, None if read is None else ReadWithProject.of(read))
    returned = last_return(history) if proj.state == State.RETURNED else None
    approval = actions.last_approval(history) if proj.state in CYCLE_STATES else None
    may_submit, may_review = can_submit(user, proj), can_review(user, proj)
    # what the review says against submitting or approving the project as it stands (the same
    # stored review as `findings`; the actions check it again when the form is posted)
    gate = actions.review_gate(proj, findings) if may_submit or may_review else actions.ReviewGate()
    ctx = {
        "p": proj,
        "unit": proj.unit,
        "rows": rows_with_findings(_table_rows(indicators), findings),
        "indicators": indicators,
        "history": history,
        "can_edit": can_edit_project(user, proj),
        "can_submit": may_submit,
        "can_review": may_review,
        "can_delete": can_delete_project(user, proj),
        "gate": gate,
        "approval": approval,
        "confirm": None,  # "submit" / "approve": the confirmation to show open
        "plan": list((proj.spending_plan or {}).items()),
        "findings": findings,
        "returned": returned,
        "returned_keys": {f.get("key") for f in returned["findings"]} if returned else set(),
        "review_headings": HEADINGS,
        "indicator_rows": indicator_rows,
    }
    if ctx["can_edit"] and "form" not in extra:
        ctx["form"] = _form_from_project(proj, indicators)
    ctx.update(extra)
    return ctx


PLAN_NODES = ["3月底", "6月底", "10月底", "12月底"]


FORM_ROWS = 8  # a new (or short) table gets blank rows up to this many: a whole 绩效目标表 in one go


def _blank_rows(indicators: list[Any]) -> int:
    """The edit form's empty rows after the indicators: two, or up to FORM_ROWS rows in all."""
    return max(2, FORM_ROWS - len(indicators))


def _form_from_project(proj: Project, indicators: list[Any]) -> dict[str, Any]:
    plan = proj.spending_plan or {}
    nodes = list(plan.keys()) or PLAN_NODES
    return {
        "version": proj.version,
        "name": proj.name or "",
        "code": proj.code or "",
        "purpose": proj.purpose or "",
        "goal": proj.goal or "",
        "budget_total": plain(proj.budget_total),
        "budget_fiscal": plain(proj.budget_fiscal),
        "budget_other": plain(proj.budget_other),
        "plan": [(n, plan.get(n, "")) for n in nodes],
        "rows": [
            {"id": i.pk, **{k: getattr(i, k) or "" for k in actions.INDICATOR_FIELDS}} for i in indicators
        ]
        + [{"id": "", **{k: "" for k in actions.INDICATOR_FIELDS}} for _ in range(_blank_rows(indicators))],
        "errors": {},
    }


def _form_from_post(post: Any) -> dict[str, Any]:
    try:
        n = int(post.get("rows") or 0)
    except ValueError:
        n = 0
    rows = []
    for i in range(min(n, 500)):
        rows.append(
            {
                "id": post.get(f"ind-{i}-id", ""),
                **{k: post.get(f"ind-{i}-{k}", "") for k in actions.INDICATOR_FIELDS},
            }
        )
    nodes = post.getlist("plan-node")
    shares = post.getlist("plan-share")
    return {
        "version": post.get("version"),
        **{
            k: post.get(k, "")
            for k in ("name", "code", "purpose", "goal", "budget_total", "budget_fiscal", "budget_other")
        },
        "plan": list(zip(nodes, shares, strict=False)),
        "rows": rows,
        "errors": {},
    }


def _suggestions(request: HttpRequest, proj: Project) -> Any:
    """指标库建议 for the edit form, asked for with ?suggest=1 (the library is learned from the
    whole corpus: not worth computing on every view of the page)."""
    from jixiao.web.lib.corpus import suggestions_for

    return suggestions_for(request.user, proj)


def _insert_row(form: dict[str, Any], spec: str) -> None:
    """A suggestion inserted into the form's first empty row (a new one when none is empty);
    `spec` is 一级 TAB 二级 TAB 三级 TAB 指标值."""
    level1, level2, name, value = ([*spec.split("\t"), "", "", "", ""])[:4]
    row = {"id": "", **{k: "" for k in actions.INDICATOR_FIELDS}}
    row.update(level1=level1[:100], level2=level2[:100], name=name[:300], value=value[:300])
    rows = form["rows"]
    for i, r in enumerate(rows):
        if not r.get("id") and not any(r.get(k) for k in actions.INDICATOR_FIELDS):
            rows[i] = row
            break
    else:
        rows.append(row)
    rows.append({"id": "", **{k: "" for k in actions.INDICATOR_FIELDS}})


@login_required
def project(request: HttpRequest, project_id: int) -> HttpResponse:
    proj, read = visible_project_with(request, PAGE_QUERY, project_id)
    extra: dict[str, Any] = {}
    if request.GET.get("suggest") == "1" and can_edit_project(request.user, proj):
        extra["suggestions"] = _suggestions(request, proj)
    return render(request, "web/project.html", _project_context(request, proj, read=read, **extra))


@login_required
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("project", project_id=project_id)
    proj = visible_project(request, project_id)
    form = _form_from_post(request.POST)
    if request.POST.get("insert") and can_edit_project(request.user, proj):
        _insert_row(form, request.POST["insert"])
        messages.info(request, "已插入指标库建议的指标，尚未保存：核对指标值后点“保存”。")
        ctx = _project_context(request, proj, form=form, suggestions=_suggestions(request, proj))
        return render(request, "web/project.html", ctx)
    try:
        actions.edit_project(request.user, proj.pk, actions.ProjectEdit.from_form(request.POST))
    except actions.Invalid as e:
        form["errors"] = e.errors
        return render(
            request,
            "web/project.html",
            _project_context(request, proj, form=form, error=e.message),
            status=400,
        )
    except actions.Conflict as e:
        proj.refresh_from_db()
        return render(
            request,
            "web/project.html",
            _project_context(request, proj, form=form, error=e.message, conflict=True),
            status=409,
        )
    except Denied as e:
        return render(request, "web/project.html", _project_context(request, proj, error=str(e)), status=403)
    messages.success(request, "已保存。")
    return redirect("project", project_id=proj.pk)


@login_required
def project_transition(request: HttpRequest, project_id: int, transition: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proj = visible_project(request, project_id)
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        if transition == "submit":
            gate = actions.review_gate(proj) if can_submit(request.user, proj) else actions.ReviewGate()
            if gate.errors and not request.POST.get("confirm") and version in (None, proj.version):
                # the unit is shown the error findings and asked to confirm first; nothing is written
                return render(
                    request,
                    "web/project.html",
                    _project_context(
                        request,
                        proj,
                        confirm="submit",
                        error=f"审核规则检查发现 {len(gate.errors)} 条错误，审核人可能退回。"
                        "请先修改，或确认后仍然提交。",
                    ),
                    status=409,
                )
            actions.submit_project(request.user, proj.pk, version=version)
            messages.success(
                request,
                f"已提交审核（审核规则检查有 {len(gate.errors)} 条错误）。"
                if gate.errors
                else "已提交审核。",
            )
        elif transition == "return":
            actions.return_project(
                request.user,
                proj.pk,
                version=version,
                comment=request.POST.get("comment", ""),
                findings=request.POST.getlist("finding"),
            )
            messages.success(request, "已退回。")
        elif transition == "approve":
            actions.approve_project(
                request.user, proj.pk, version=version, confirm_reason=request.POST.get("confirm_reason")
            )
            messages.success(request, "已批复。")
        else:
            raise Http404("没有这个操作")
    except actions.ConfirmationNeeded as e:
        return render(
            request,
            "web/project.html",
            _project_context(request, proj, error=e.message, confirm="approve"),
            status=409,
        )
    except Denied as e:
        return render(request, "web/project.html", _project_context(request, proj, error=str(e)), status=403)
    except actions.Conflict as e:
        proj.refresh_from_db()
        return render(
            request, "web/project.html", _project_context(request, proj, error=e.message), status=409
        )
    except actions.Invalid as e:
        return render(
            request, "web/project.html", _project_context(request, proj, error=e.message), status=400
        )
    return redirect("project", project_id=proj.pk)


@login_required
def project_delete(request: HttpRequest, project_id: int) -> HttpResponse:
    """删除项目 (a draft created or imported by mistake), once confirmed (`confirm=1`, the form in the
    page's confirmation box): back to its unit-year with a message; the deletion is recorded there."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proj = visible_project(request, project_id)
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    if request.POST.get("confirm") != "1":
        ctx = _project_context(request, proj, confirm="delete", error="删除项目前请确认。")
        return render(request, "web/project.html", ctx, status=409)
    try:
        gone = actions.delete_project(request.user, proj.pk, version=version)
    except Denied as e:
        return render(request, "web/project.html", _project_context(request, proj, error=str(e)), status=403)
    except actions.Conflict as e:
        proj.refresh_from_db()
        return render(
            request, "web/project.html", _project_context(request, proj, error=e.message), status=409
        )
    messages.success(
        request,
        f"已删除项目「{gone.name}」；删除记录保存在本单位 {gone.year} 年的变更记录中，"
        "管理员可在后台“变更记录”中查看。",
    )
    if gone.year is None:
        return redirect("unit", unit_id=gone.unit_id)
    return redirect("unit_year", unit_id=gone.unit_id, year=gone.year)
