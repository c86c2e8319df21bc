"""Server-rendered pages. Views parse input, read through `permissions`, and write only through
`actions`; objects a user may not see are 404."""

from __future__ import annotations

import logging
import re
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from jixiao.export import charts
from jixiao.taxonomy import LEVEL2
from jixiao.web import actions
from jixiao.web.models import Disclosure, History, Indicator, Project, Role, State, SubGoal, Unit
from jixiao.web.permissions import (
    Denied,
    can_edit_project,
    can_import_into,
    can_review,
    can_submit,
    can_view_unit,
    role_of,
    visible_projects,
    visible_unit_ids,
    visible_units,
)

LEVEL1_ORDER = ["产出指标", "成本指标", "效益指标", "满意度指标"]
LEVEL2_ORDER = list(LEVEL2)
SEARCH_PAGE = 50

log = logging.getLogger(__name__)


def _visible_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id)
    if not can_view_unit(request.user, unit):
        raise Http404("单位不存在或您无权查看")
    return unit


def _visible_project(request: HttpRequest, project_id: int) -> Project:
    try:
        proj = visible_projects(request.user).select_related("unit").get(pk=project_id)
    except Project.DoesNotExist:
        raise Http404("项目不存在或您无权查看") from None
    return proj


@login_required
def units(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    qs = visible_units(request.user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(region__icontains=q))
    qs = qs.annotate(projects_n=Count("projects", distinct=True), last_year=Max("disclosures__year"))
    page = Paginator(qs.order_by("region", "code", "name"), 100).get_page(request.GET.get("page"))
    return render(request, "web/units.html", {"page": page, "q": q})


@login_required
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    u = _visible_unit(request, unit_id)
    years = list(Disclosure.objects.filter(unit=u).order_by("-year").values_list("year", flat=True))
    years += [
        y for y in Project.objects.filter(unit=u).values_list("year", flat=True).distinct() if y not in years
    ]
    years = [y for y in years if y is not None]
    if years:
        return redirect("unit_year", unit_id=u.pk, year=max(years))
    return render(request, "web/unit_empty.html", {"unit": u})


UNIT_YEAR_PROJECT_FIELDS = (
    "id",
    "seq",
    "key",
    "name",
    "title",
    "code",
    "budget_total",
    "budget_fiscal",
    "budget_other",
    "state",
    "disclosure_id",
    "spending_plan",
    "version",
    "updated_at",
    "monitor_light",
    "monitor_as_of",
    "monitor_rate",
    "eval_total",
    "eval_grade",
    "unit_id",
)


def _unit_year_projects(where: Q, unit: Unit) -> list[Project]:
    """The unit-year page's projects, in table order, each with its stored review (one query:
    `reviews.unit_year_summary` sums the review rows and reads the version from the rest) and its
    unit (the page's own; one query more only for a bureau's disclosure with other units' tables)."""
    from jixiao.web.reviews import PAGE_REVIEW_FIELDS

    projects = list(
        Project.objects.filter(where)
        .select_related("review_result")
        .only(*UNIT_YEAR_PROJECT_FIELDS, *PAGE_REVIEW_FIELDS)
        .order_by("seq", "id")
    )
    others = Unit.objects.in_bulk({p.unit_id for p in projects} - {unit.pk})
    for p in projects:
        p.unit = unit if p.unit_id == unit.pk else others[p.unit_id]
    return projects


def _indicator_categories(projects: list[Project]) -> tuple[Counter[Any], Counter[int]]:
    """Indicators by (level1, level2) category and per project, counted in the database."""
    cats: Counter[tuple[str | None, str | None]] = Counter()
    per_project: Counter[int] = Counter()
    rows = (
        Indicator.objects.filter(project__in=[p.pk for p in projects])
        .order_by()
        .values_list("project_id", "level1_canonical", "level2_canonical")
        .annotate(n=Count("id"))
    )
    for pid, l1, l2, n in rows:
        cats[(l1, l2)] += n
        per_project[pid] += n
    return cats, per_project


@login_required
def unit_year(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    # the unit, its years and this year's disclosure in one query
    all_years = list(
        Disclosure.objects.filter(unit_id=unit_id).select_related("unit").defer("budget_overview", "warnings")
    )
    u = all_years[0].unit if all_years else _visible_unit(request, unit_id)
    if not can_view_unit(request.user, u):
        raise Http404("单位不存在或您无权查看")
    disclosure = next((d for d in all_years if d.year == year), None)
    where = Q(unit=u, year=year) | Q(disclosure=disclosure) if disclosure else Q(unit=u, year=year)
    visible = visible_unit_ids(request.user)
    from jixiao.web.reviews import unit_year_summary

    review = None
    for _ in range(2):  # a second read when stale stored reviews were just refreshed
        loaded = _unit_year_projects(where, u)
        # a bureau's disclosure may hold subordinate units' tables: a unit user sees only their own
        projects = loaded if visible is None else [p for p in loaded if p.unit_id in visible]
        try:
            review = unit_year_summary(disclosure, loaded, projects)
        except Exception:
            log.exception("review of unit %s year %s failed", unit_id, year)
            break
        if review is not None:
            break
    if disclosure is None and not projects:
        raise Http404("该单位没有这一年度的数据")
    total = sum((p.budget_total or Decimal(0) for p in projects), Decimal(0))
    fiscal = sum((p.budget_fiscal or Decimal(0) for p in projects), Decimal(0))
    other = sum((p.budget_other or Decimal(0) for p in projects), Decimal(0))
    by_budget = sorted((p for p in projects if p.budget_total), key=lambda p: p.budget_total, reverse=True)
    budget_chart = charts.budget_by_project_svg(
        [(p.name or p.title or p.key, p.budget_total) for p in by_budget[:30]],
        title="项目预算数",
        width=560,
        label_px=220,
    )
    if review is not None:
        cats, per_project = review.categories, review.indicators
    else:  # no stored review to read them from
        cats, per_project = _indicator_categories(projects)
    for p in projects:
        p.indicators_n = per_project.get(p.pk, 0)
    items = sorted(
        cats.items(),
        key=lambda kv: (
            LEVEL1_ORDER.index(kv[0][0]) if kv[0][0] in LEVEL1_ORDER else 9,
            LEVEL2_ORDER.index(kv[0][1]) if kv[0][1] in LEVEL2_ORDER else 99,
            kv[0][1] or "",
        ),
    )
    cat_chart = charts.hbars(
        [(f"{l2 or l1 or '未分类'}", n, charts.category_color(l1)) for (l1, l2), n in items],
        title="指标按二级指标",
        subtitle=f"共 {sum(n for _, n in items)} 个指标，颜色为一级指标",
        unit="个",
        width=560,
        label_px=150,
        axis_caption="指标数（个）",
    )
    years = sorted({d.year for d in all_years if d.year}, reverse=True)
    states = Counter(p.state for p in projects)
    from jixiao.web.views_cycle import unit_year_cycle  # monitoring lights, scores, spending chart

    return render(
        request,
        "web/unit_year.html",
        {
            "unit": u,
            "year": year,
            "disclosure": disclosure,
            "projects": projects,
            "sub_goals": list(SubGoal.objects.filter(disclosure=disclosure)) if disclosure else [],
            "total": total,
            "fiscal": fiscal,
            "other": other,
            "budget_chart": budget_chart,
            "cat_chart": cat_chart,
            "years": years,
            "indicators_n": sum(cats.values()),
            "states": [(State(s).label, n) for s, n in states.items()],
            "legend": [(c, i) for i, c in enumerate(LEVEL1_ORDER)],
            "cycle": unit_year_cycle(projects, year),
            "review": review,
        },
    )


def _table_rows(indicators: list[Indicator]) -> list[dict[str, Any]]:
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


def _project_context(request: HttpRequest, proj: Project, **extra: Any) -> dict[str, Any]:
    from jixiao.review import HEADINGS
    from jixiao.web.reviews import last_return, project_review, rows_with_findings

    indicators = list(proj.indicators.all())
    user = request.user
    history = list(History.objects.filter(project=proj).order_by("-at", "-id")[:100])
    # the whole unit-year is reviewed (rules across projects too), cached per unit-year version
    findings = project_review(proj, indicators)
    returned = last_return(history) if proj.state == State.RETURNED else None
    ctx = {
        "p": proj,
        "unit": proj.unit,
        "rows": rows_with_findings(_table_rows(indicators), findings),
        "indicators": indicators,
        "history": history,
        "can_edit": can_edit_project(user, proj),
        "can_submit": can_submit(user, proj),
        "can_review": can_review(user, proj),
        "plan": list((proj.spending_plan or {}).items()),
        "findings": findings,
        "returned": returned,
        "returned_keys": {f.get("key") for f in returned["findings"]} if returned else set(),
        "review_headings": HEADINGS,
    }
    if ctx["can_edit"] and "form" not in extra:
        ctx["form"] = _form_from_project(proj, indicators)
    ctx.update(extra)
    return ctx


PLAN_NODES = ["3月底", "6月底", "10月底", "12月底"]


def _form_from_project(proj: Project, indicators: list[Indicator]) -> dict[str, Any]:
    plan = proj.spending_plan or {}
    nodes = list(plan.keys()) or PLAN_NODES
    return {
        "version": proj.version,
        "name": proj.name or "",
        "code": proj.code or "",
        "purpose": proj.purpose or "",
        "goal": proj.goal or "",
        "budget_total": _dec(proj.budget_total),
        "budget_fiscal": _dec(proj.budget_fiscal),
        "budget_other": _dec(proj.budget_other),
        "plan": [(n, plan.get(n, "")) for n in nodes],
        "rows": [
            {"id": i.pk, **{k: getattr(i, k) or "" for k in actions.INDICATOR_FIELDS}} for i in indicators
        ]
        + [{"id": "", **{k: "" for k in actions.INDICATOR_FIELDS}} for _ in range(2)],
        "errors": {},
    }


def _dec(v: Decimal | None) -> str:
    if v is None:
        return ""
    return str(v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize())


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


@login_required
def project(request: HttpRequest, project_id: int) -> HttpResponse:
    proj = _visible_project(request, project_id)
    return render(request, "web/project.html", _project_context(request, proj))


@login_required
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("project", project_id=project_id)
    proj = _visible_project(request, project_id)
    form = _form_from_post(request.POST)
    try:
        version = int(form["version"])
    except (TypeError, ValueError):
        version = -1
    fields = {
        k: form[k]
        for k in ("name", "code", "purpose", "goal", "budget_total", "budget_fiscal", "budget_other")
    }
    fields["spending_plan"] = {n: s for n, s in form["plan"] if n}
    try:
        actions.edit_project(request.user, proj.pk, version=version, fields=fields, indicators=form["rows"])
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
    proj = _visible_project(request, project_id)
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        if transition == "submit":
            actions.submit_project(request.user, proj.pk, version=version)
            messages.success(request, "已提交审核。")
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
            actions.approve_project(request.user, proj.pk, version=version)
            messages.success(request, "已批复。")
        else:
            raise Http404("没有这个操作")
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


def text_filter(fields: list[str], q: str) -> Q:
    """Rows where any of `fields` contains `q`.

    Text without Latin letters has no case, so it is matched with a case-sensitive LIKE, which
    PostgreSQL answers from the trigram indexes (migration 0002) and scans several times faster
    than UPPER(...) LIKE; text with Latin letters is matched case-insensitively.
    """
    lookup = "icontains" if re.search(r"[A-Za-z]", q) else "contains"
    out = Q()
    for f in fields:
        out |= Q(**{f"{f}__{lookup}": q})
    return out


def search_indicators(user: Any, q: str, *, year: int | None = None) -> Any:
    """Indicators visible to `user` whose name, value or description contains `q`, newest first."""
    qs = Indicator.objects.filter(text_filter(["name", "description", "value"], q))
    ids = visible_unit_ids(user)
    if ids is not None:
        qs = qs.filter(project__unit_id__in=ids)
    if year:
        qs = qs.filter(project__year=year)
    # newest first by primary key: PostgreSQL walks the key backwards and stops after one page
    return qs.order_by("-id")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    ctx: dict[str, Any] = {"q": q, "year": year}
    if q:
        qs = (
            search_indicators(request.user, q, year=year)
            .select_related("project", "project__unit")
            .only(
                "id",
                "level1",
                "level2",
                "name",
                "value",
                "target",
                "project__id",
                "project__year",
                "project__name",
                "project__title",
                "project__unit__name",
            )
        )
        try:
            offset = min(max(0, int(request.GET.get("offset") or 0)), 2**31 - 1)  # a database bound
        except ValueError:
            offset = 0
        results = list(qs[offset : offset + SEARCH_PAGE + 1])
        ctx.update(
            {
                "results": results[:SEARCH_PAGE],
                "shown_to": offset + min(len(results), SEARCH_PAGE),
                "offset": offset,
                "next": offset + SEARCH_PAGE if len(results) > SEARCH_PAGE else None,
                "prev": max(0, offset - SEARCH_PAGE) if offset else None,
            }
        )
    return render(request, "web/search.html", ctx)


ALLOWED_SUFFIXES = (".txt", ".docx", ".xlsx", ".html", ".htm", ".pdf")


def upload_too_large(name: str, size: int | None) -> dict[str, Any] | None:
    """The result for an uploaded file whose declared size is over the limit (checked before the
    file is read into memory), else None."""
    if (size or 0) <= settings.MAX_UPLOAD_MB * 1024 * 1024:
        return None
    return {
        "file": name,
        "ok": False,
        "warnings": [],
        "errors": [f"{name}: 文件超过 {settings.MAX_UPLOAD_MB} MB 的上限"],
    }


def import_upload(
    user: Any, name: str, data: bytes, *, unit: Unit | None, year: int | None, confirm_unit: bool = False
) -> dict[str, Any]:
    """Parse and store one uploaded file; a result dict for the page and the API (never raises).

    `unit`: the unit chosen for the file, which the file must name unless an administrator confirms
    (`confirm_unit`). `dropped` lists what the stored unit-year had and the file does not."""
    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import parse_bounded

    res: dict[str, Any] = {"file": name, "ok": False, "errors": [], "warnings": []}
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        res["errors"].append(f"{name}: 不支持的文件类型（可上传 .txt .docx .xlsx .html .pdf）")
        return res
    if len(data) > limit:
        res["errors"].append(f"{name}: 文件超过 {settings.MAX_UPLOAD_MB} MB 的上限")
        return res
    try:
        doc = parse_bounded(data, name, year=year, limits=actions.parse_limits())
    except ReadError as e:
        res["errors"].append(f"{e.source}: {e.location}: {e.message}")
        return res
    except Exception as e:  # the parser must not take the page down
        res["errors"].append(f"{name}: 无法解析此文件（{type(e).__name__}）")
        return res
    res["warnings"] = [str(w) for w in doc.warnings]
    try:
        r = actions.import_disclosure(user, doc, unit=unit, year=doc.year or year, confirm_unit=confirm_unit)
    except (actions.ActionError, Denied) as e:
        res["errors"].append(f"{name}: {getattr(e, 'message', str(e))}")
        return res
    res.update(
        {
            "ok": True,
            "unit": r.unit,
            "year": r.year,
            "created": r.created,
            "updated": r.updated,
            "indicators": r.indicators,
            "disclosure_id": r.disclosure_id,
            "unchanged": r.unchanged,
            "dropped": r.dropped,
        }
    )
    d = Disclosure.objects.filter(pk=r.disclosure_id).first()
    if d is not None and d.year:
        res["url"] = reverse("unit_year", args=[d.unit_id, d.year])
    return res


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    my_units = list(visible_units(request.user)) if role_of(request.user) == Role.UNIT else []
    can_upload = role_of(request.user) in (Role.ADMIN, Role.UNIT)
    ctx: dict[str, Any] = {
        "my_units": my_units,
        "can_upload": can_upload,
        "may_confirm": role_of(request.user) == Role.ADMIN,
        "max_mb": settings.MAX_UPLOAD_MB,
    }
    if request.method == "POST":
        if not can_upload:
            ctx["error"] = "审核人不能导入数据。"
            return render(request, "web/upload.html", ctx, status=403)
        unit = None
        unit_id = (request.POST.get("unit") or "").strip()
        if unit_id:
            small_id = unit_id.isdigit() and len(unit_id) < 18
            unit = Unit.objects.filter(pk=int(unit_id)).first() if small_id else None
            if unit is None or not can_import_into(request.user, unit):
                raise Http404("单位不存在或您无权导入")
        elif len(my_units) == 1:
            unit = my_units[0]
        try:
            year = int(request.POST.get("year") or 0) or None
        except ValueError:
            year = None
        if year is not None and not 1900 <= year <= 2999:
            ctx["error"] = "年度应为 1900 到 2999 之间的整数。"
            return render(request, "web/upload.html", ctx, status=400)
        files = request.FILES.getlist("files")
        if not files:
            ctx["error"] = "请选择要上传的文件。"
            return render(request, "web/upload.html", ctx, status=400)
        results = []
        for f in files[:20]:
            if too_large := upload_too_large(f.name or "upload", f.size):
                results.append(too_large)
                continue
            results.append(
                import_upload(
                    request.user,
                    f.name,
                    f.read(),
                    unit=unit,
                    year=year,
                    confirm_unit=request.POST.get("confirm_unit") in ("1", "on", "true"),
                )
            )
        ctx["results"] = results
    return render(request, "web/upload.html", ctx)


__all__ = ["project", "project_edit", "project_transition", "search", "unit", "unit_year", "units", "upload"]
