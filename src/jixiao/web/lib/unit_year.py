"""A unit-year's projects and indicator categories, read for the unit-year page."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, TextField, When
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix
from markupsafe import Markup, escape

from jixiao.numbers import money, percent
from jixiao.taxonomy import LEVEL2
from jixiao.web.jinja import url
from jixiao.web.lib import reviews
from jixiao.web.lib.compiled import CompiledQuery
from jixiao.web.lib.rows import escape_texts, id_link
from jixiao.web.models import Disclosure, Indicator, Project, ReviewResult, State, SubGoal, Unit
from jixiao.web.permissions import visible_unit_ids

log = logging.getLogger(__name__)

LEVEL1_ORDER = ["产出指标", "成本指标", "效益指标", "满意度指标"]


LEVEL2_ORDER = list(LEVEL2)


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
    "version",
    "updated_at",
    "monitor_light",
    "monitor_as_of",
    "monitor_rate",
    "eval_total",
    "eval_grade",
    "unit_id",
)


class PageReview:
    """The stored review columns the unit-year page reads for a project: the row's id, then
    `reviews.PAGE_REVIEW_FIELDS` (its rules and categories are summed by `reviews.unit_year_summary`,
    read by the ids only when the page's rows are new to the process)."""

    __slots__ = (
        "error_count",
        "grade",
        "hint_count",
        "id",
        "indicator_count",
        "version",
        "warning_count",
    )

    def __init__(self, *values: Any):
        (
            self.id,
            self.version,
            self.grade,
            self.error_count,
            self.warning_count,
            self.hint_count,
            self.indicator_count,
        ) = values


STATE_LABELS = dict(State.choices)


class PageProject:
    """A project as the unit-year page shows it: the columns `UNIT_YEAR_PROJECT_FIELDS` as
    attributes, its spending plan (`spending_plan`: only the spending chart reads it, of monitored
    projects: `PagePlans` reads the page's when the first is asked for), its unit and its stored
    review (`review_result`, None when there is none). Plain objects rather than model instances:
    a big bureau's page lists 200 of them."""

    pk: int
    unit: Unit
    review_result: PageReview | None

    def __init__(self, values: Sequence[Any], plans: PagePlans):
        d = self.__dict__
        d.update(zip(UNIT_YEAR_PROJECT_FIELDS, values, strict=True))
        d["pk"], d["plans"] = d["id"], plans

    @property
    def spending_plan(self) -> Any:
        return self.plans.of(self.pk)  # type: ignore[attr-defined]

    def get_state_display(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))  # type: ignore[attr-defined]


class PagePlans:
    """The spending plans of a page's projects, read in one query when the first is asked for (the
    spending chart, when some project has been monitored), not with the projects: a JSON column
    the database spends time writing out for every row of every page."""

    __slots__ = ("ids", "plans")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.plans: dict[int, Any] | None = None

    def of(self, pid: int) -> Any:
        if self.plans is None:
            self.plans = dict(
                Project.objects.filter(pk__in=self.ids).order_by().values_list("id", "spending_plan")
            )
        return self.plans.get(pid)


def _projects_query(unit_id: int, year: int, disclosure_id: int | None) -> QuerySet[Any]:

    where = Q(unit_id=unit_id, year=year)
    if disclosure_id is not None:
        where |= Q(disclosure_id=disclosure_id)
    return (
        Project.objects.filter(where)
        .order_by("seq", "id")
        .values_list(*UNIT_YEAR_PROJECT_FIELDS, "review_result__id", *reviews.PAGE_REVIEW_FIELDS)
    )


# the year is an IntegerField
PROJECTS_QUERY = CompiledQuery(_projects_query, small=(1,))


def unit_year_projects(
    unit: Unit, year: int, disclosure_id: int | None, rows: list[list[Any]] | None = None
) -> list[Any]:
    """The unit-year page's projects (`PageProject`): the unit's of the year and the disclosure's
    (a bureau's may hold other units' tables), in table order, each with its stored review (one
    query: `reviews.unit_year_summary` sums the review rows and reads the version from the rest)
    and its unit (the page's own; one query more only for a bureau's disclosure with other units'
    tables). `rows`: `PAGE_QUERY`'s when read with the disclosures."""
    n = len(UNIT_YEAR_PROJECT_FIELDS)
    end = n + 1 + len(reviews.PAGE_REVIEW_FIELDS)
    projects: list[Any] = []
    append = projects.append
    plans = PagePlans()
    new, fields = object.__new__, UNIT_YEAR_PROJECT_FIELDS
    # `PageProject(row[:n], plans)` without its call and the row's slice (a big bureau's 200)
    for row in PROJECTS_QUERY.rows(unit.pk, year, disclosure_id) if rows is None else rows:
        p = new(PageProject)
        d = p.__dict__
        d.update(zip(fields, row, strict=False))  # the first n columns
        d["pk"], d["plans"] = d["id"], plans
        d["review_result"] = PageReview(*row[n:end]) if row[n] is not None else None
        append(p)
    plans.ids = [p.pk for p in projects]
    unit_id = unit.pk
    other_ids = {p.unit_id for p in projects} - {unit_id}  # type: ignore[attr-defined]
    others = Unit.objects.in_bulk(other_ids) if other_ids else {}
    for p in projects:
        p.unit = unit if p.unit_id == unit_id else others[p.unit_id]  # type: ignore[attr-defined]
    return projects


def indicator_categories(projects: list[Project]) -> tuple[Counter[Any], Counter[int]]:
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


# ------------------------------------------------------------------ the page, read and prepared


class UnitYearData:
    """What the unit-year page reads: the unit, its disclosures (every year, `disclosure` the
    page's), the projects the user sees (`loaded`: all of them, the review sums over `projects`)
    and their stored review (None when there is none or it could not be read)."""

    __slots__ = ("disclosure", "disclosures", "projects", "review", "unit")

    def __init__(self, unit: Unit, disclosures: list[Any], disclosure: Any, projects: list[Any], review: Any):
        self.unit, self.disclosures, self.disclosure = unit, disclosures, disclosure
        self.projects, self.review = projects, review


DISCLOSURE_FIELDS = ["id", "unit_id", "year", "source", "overall_goal", "imported_at"]
UNIT_FIELDS = ["id", "region", "code", "name"]


def _disclosures_query(unit_id: int, year: int) -> QuerySet[Any]:
    """A unit's disclosures of every year, newest first, each with whether it has 分项绩效目标,
    with the unit's columns and, the year's, with its stored findings about the disclosure as a
    whole (`reviews.loose_columns`: one query less for `reviews.unit_year_summary`)."""
    loose = reviews.loose_columns(Q(year=year))
    return (
        Disclosure.objects.filter(unit_id=unit_id)
        .annotate(has_sub_goals=Exists(SubGoal.objects.filter(disclosure=OuterRef("pk"))), **loose)
        .order_by("-year")
        .values_list(*DISCLOSURE_FIELDS, "has_sub_goals", *(f"unit__{f}" for f in UNIT_FIELDS), *loose)
    )


# the year is an IntegerField (`_page_rows` asks for a year beyond its range as 0)
DISCLOSURES_QUERY = CompiledQuery(_disclosures_query, small=(1,))


def _page_query(unit_id: int, year: int) -> QuerySet[Any]:
    """PostgreSQL: `PROJECTS_QUERY` of the unit-year (the disclosure's id a subquery over the unit
    and year) with `DISCLOSURES_QUERY`'s rows as a last column of one of its rows (NULL in the
    others), a JSON array of arrays (`json_agg` of its columns, newest first, as text): the page
    reads its projects and its disclosures in one query (`_page_rows`). The year's findings about
    the disclosure are one JSON array (`_loose_json`) rather than `reviews.loose_columns`' four
    subqueries, each of which goes through the disclosure's review rows (a big bureau's 200)."""
    disclosure = Disclosure.objects.filter(unit_id=unit_id, year=year).values("id")
    projects = _projects_query(unit_id, year, Subquery(disclosure))  # type: ignore[arg-type]
    stamp = reviews.history_stamp_columns("unit_id", "year")
    sql, params = (
        Disclosure.objects.filter(unit_id=unit_id)
        .annotate(
            has_sub_goals=Exists(SubGoal.objects.filter(disclosure=OuterRef("pk"))),
            page_loose=_loose_json(year),
            **{k: Case(When(Q(year=year), then=v)) for k, v in stamp.items()},
        )
        .order_by("-year")
        .values_list(
            *DISCLOSURE_FIELDS,
            "has_sub_goals",
            *(f"unit__{f}" for f in UNIT_FIELDS),
            "page_loose",
            *reviews.HISTORY_STAMP,
        )
        .query.sql_with_params()
    )
    qn = connection.ops.quote_name
    names = (
        *DISCLOSURE_FIELDS,
        "has_sub_goals",
        *(f"unit__{f}" for f in UNIT_FIELDS),
        "page_loose",
        *reviews.HISTORY_STAMP,
    )
    disclosures = RawSQL(
        f"CASE WHEN row_number() OVER () = 1 THEN (SELECT json_agg(json_build_array("
        f"{', '.join(f'd.{qn(c)}' for c in names)}) ORDER BY d.{qn('year')} DESC)::text FROM ({sql}) d) END",
        params,
        output_field=TextField(),
    )
    return projects.annotate(page_disclosures=disclosures).values_list(
        *UNIT_YEAR_PROJECT_FIELDS, "review_result__id", *reviews.PAGE_REVIEW_FIELDS, "page_disclosures"
    )


def _loose_json(year: int) -> RawSQL:
    """`reviews.LOOSE_QUERY`'s row of a disclosure of the year (its first row without a project by
    seq and id: version, findings, counts, rules) as one JSON array, NULL for none and for the
    other years."""
    qn = connection.ops.quote_name
    meta = ReviewResult._meta
    col = {
        f: qn(meta.get_field(f).column)
        for f in ("disclosure", "project", "seq", "id", *reviews.LOOSE_COLUMNS)
    }
    return RawSQL(
        f"CASE WHEN {qn(Disclosure._meta.db_table)}.{qn('year')} = %s THEN (SELECT json_build_array("
        f"{', '.join(f'r.{col[c]}' for c in reviews.LOOSE_COLUMNS)}) FROM {qn(meta.db_table)} r "
        f"WHERE r.{col['disclosure']} = {qn(Disclosure._meta.db_table)}.{qn('id')} "
        f"AND r.{col['project']} IS NULL "
        f"ORDER BY r.{col['seq']}, r.{col['id']} LIMIT 1) END",
        (year,),
        output_field=TextField(),
    )


PAGE_QUERY = CompiledQuery(_page_query, small=(1,))
_LOOSE_AT = len(DISCLOSURE_FIELDS) + 1 + len(UNIT_FIELDS)  # where `_page_query`'s loose array is
_DISCLOSURE_TIMES = tuple(  # in `DISCLOSURES_QUERY`'s row
    i
    for i, name in enumerate(
        (*DISCLOSURE_FIELDS, "has_sub_goals", *UNIT_FIELDS, *reviews.LOOSE_COLUMNS, *reviews.HISTORY_STAMP)
    )
    if name in ("imported_at", "history_at")
)


def _page_rows(unit_id: int, year: int) -> tuple[list[list[Any]] | None, list[list[Any]]]:
    """(the page's projects' rows or None when not read yet, its disclosures' rows): on PostgreSQL
    in one query (`PAGE_QUERY`), the disclosures taken back from their JSON as `DISCLOSURES_QUERY`
    gives them (times in the connection's time zone; the loose findings decoded as their JSONField
    decodes them), else, and for a unit-year without projects, `DISCLOSURES_QUERY`'s own rows."""
    in_range = -(2**31) <= year < 2**31
    rows = PAGE_QUERY.rows(unit_id, year) if connection.vendor == "postgresql" and in_range else None
    text = next((row[-1] for row in rows if row[-1] is not None), None) if rows else None
    if text is None:
        # a year beyond the IntegerField's is asked as 0: the page takes the loose columns of its
        # own year's disclosure only, and there is none
        return rows, DISCLOSURES_QUERY.rows(unit_id, year if in_range else 0)
    read = json.loads(text)
    tz = connection.timezone
    none = [None] * len(reviews.LOOSE_COLUMNS)
    for row in read:
        row[_LOOSE_AT : _LOOSE_AT + 1] = row[_LOOSE_AT] or none
        for i in _DISCLOSURE_TIMES:
            if row[i] is not None:
                row[i] = datetime.fromisoformat(row[i]).astimezone(tz)
    return rows, read


def read_unit_year(user: Any, unit_id: int, year: int) -> UnitYearData:
    """The unit-year as `user` may see it, or Http404: the unit, its years and this year's
    disclosure in one query (with whether it has 分项绩效目标, so that they are read only then),
    the projects with their stored review in one more (`unit_year_projects`), a second read when
    stale stored reviews were just refreshed."""
    from django.http import Http404

    visible = visible_unit_ids(user)
    rows, read = _page_rows(unit_id, year)
    disclosures = []
    u = None
    n = len(DISCLOSURE_FIELDS)
    m = n + 1 + len(UNIT_FIELDS)
    loose: Any = None  # the year's disclosure's `LOOSE_QUERY` row, read with it
    for row in read:
        if u is None:
            u = Unit.from_db("default", UNIT_FIELDS, row[n + 1 : m])
        d = Disclosure.from_db("default", DISCLOSURE_FIELDS, row[:n])
        d.has_sub_goals = bool(row[n])
        d.unit = u
        disclosures.append(d)
        if d.year == year:
            loose = reviews.loose_of(row[m:])
    if u is None:
        u = Unit.objects.filter(pk=unit_id).first()
        if u is None:
            raise Http404("单位不存在或您无权查看")
    if visible is not None and u.pk not in visible:
        raise Http404("单位不存在或您无权查看")
    disclosure = next((d for d in disclosures if d.year == year), None)
    review = None
    projects: list[Any] = []
    for _ in range(2):  # a second read when stale stored reviews were just refreshed
        loaded = unit_year_projects(u, year, disclosure.pk if disclosure else None, rows)
        rows = None
        # a bureau's disclosure may hold subordinate units' tables: a unit user sees only their own
        projects = loaded if visible is None else [p for p in loaded if p.unit_id in visible]
        try:
            review = reviews.unit_year_summary(disclosure, loaded, projects, loose)
        except Exception:
            log.exception("review of unit %s year %s failed", unit_id, year)
            break
        if review is not None:
            break
        loose = reviews.UNREAD  # refreshed: read again
    if disclosure is None and not projects:
        raise Http404("该单位没有这一年度的数据")
    return UnitYearData(u, disclosures, disclosure, projects, review)


def sorted_categories(cats: Counter[Any]) -> list[tuple[tuple[str | None, str | None], int]]:
    """Indicator counts by (level1, level2) in the standard order of the categories."""

    def order(kv: tuple[tuple[str | None, str | None], int]) -> tuple[int, int, str]:
        l1, l2 = kv[0]
        return (
            LEVEL1_ORDER.index(l1) if l1 in LEVEL1_ORDER else 9,
            LEVEL2_ORDER.index(l2) if l2 in LEVEL2_ORDER else 99,
            l2 or "",
        )

    return sorted(cats.items(), key=order)


def review_title(counts: dict[str, int]) -> str:
    """The findings of a project's review by severity, for the hint over its grade."""
    return f"错误 {counts.get('error', 0)} · 警告 {counts.get('warning', 0)} · 提示 {counts.get('hint', 0)}"


class PageRows:
    """The rows of the unit-year page's two project tables (`web/unit_year.html`'s projects and
    `web/cycle/_unit_year.html`'s monitoring and self-evaluation), as HTML."""

    __slots__ = ("cycle", "projects")

    def __init__(self, projects: Markup, cycle: Markup):
        self.projects, self.cycle = projects, cycle


def prepare_rows(projects: list[Any], unit: Unit, outcomes: dict[int, Any] | None) -> PageRows:
    """The HTML of each project's rows, made here in one pass rather than in the templates (a big
    bureau's page shows 200 projects in two tables: a template spends some 20 escapes, lookups and
    tests a row): links, amounts, the review grade and its counts, the monitoring and
    self-evaluation cells (from `lib.cycle.unit_year_cycle`, which runs first). The page is the
    same as the autoescaping templates made it: text from the database is escaped
    (`markupsafe.escape`); numbers, dates, amounts and percentages (digits and signs) and the
    links' ids need no escaping, the links' text around the id is escaped once a page.

    The rows lately made are kept by everything they show (`_rows_key`): a page shown again
    with the same projects, values and review makes none again; any change makes them anew, kept
    in place of the page's old ones (at most `_KEPT_ROWS.limit` characters of them are kept, the
    oldest dropped first). They are found by the page (script prefix, unit, project ids: cheap to
    hash), then the key compared: hashing the key itself (a big bureau's 1,000 amounts, each a
    Decimal made anew by every request) cost more than making it."""
    key = _rows_key(projects, unit.pk, outcomes)
    page = (key[0], key[1], tuple(p.id for p in projects))
    kept = _KEPT_ROWS.get(page)
    if kept is not None and kept[0] == key:
        return kept[1]  # type: ignore[no-any-return]
    rows = _prepare_rows(projects, unit, outcomes)
    # the HTML and, about, what the key holds on to (its values for each project)
    _KEPT_ROWS.replace(page, (key, rows), len(rows.projects) + len(rows.cycle) + 300 * len(projects))
    return rows


_KEPT_ROWS = reviews.KeptPages(1_500_000)  # characters: some 7 big bureaus' rows or 70 units' (~3 MB)


def _rows_key(projects: list[Any], unit_id: int, outcomes: dict[int, Any] | None) -> tuple[Any, ...]:
    """Every value `_prepare_rows` reads: the links' script prefix, the page's unit, and of each
    project its fields, its unit's name when another's, its review's grade and counts. Amounts
    and rates are shown rounded (equal numbers alike); the score as its text, kept so."""
    rows = []
    for p in projects:
        o = outcomes.get(p.id) if outcomes else None
        review = None
        if o is not None and o.grade:
            c = o.counts
            review = (o.grade, c.get("error", 0), c.get("warning", 0), c.get("hint", 0))
        score = p.score
        rows.append(
            (
                p.id,
                p.seq,
                p.name,
                p.title,
                p.code,
                p.unit.name if p.unit_id != unit_id else None,
                p.budget_total,
                p.budget_fiscal,
                p.budget_other,
                p.indicators_n,
                review,
                p.state,
                p.light,
                p.light_label,
                p.grade,
                p.execution_rate,
                score if score is None else (type(score), str(score)),
                p.as_of,
            )
        )
    return (get_script_prefix(), unit_id, tuple(rows))


def _prepare_rows(projects: list[Any], unit: Unit, outcomes: dict[int, Any] | None) -> PageRows:
    project_url, monitor_url, selfeval_url = (
        id_link(name) for name in ("project", "project_monitor", "project_selfeval")
    )
    states: dict[Any, str] = {}  # the few distinct cells of a column, made once a page
    grades: dict[Any, str] = {}
    lights: dict[Any, tuple[str, str]] = {}
    rows: list[str] = []
    cycle: list[str] = []
    # each project's texts escaped at once (`escape_texts`): name, code, other unit, review grade
    texts = _row_texts(projects, unit.pk, outcomes)
    escaped = iter(escape_texts(texts))
    for p, label, code, other_unit, title, g in zip(projects, *[escaped] * 5, strict=True):
        pid, seq = p.id, _num(p.seq)
        url = project_url(pid)
        other = f' <small class="muted">（{other_unit}）</small>' if other_unit else ""
        grade = f'<a href="{url}#review" class="grade g-{g}" title="{title}">{g}</a>' if g else ""
        state = states.get(p.state)
        if state is None:
            state = states[p.state] = (
                f'<span class="state {escape(p.state)}">{escape(p.get_state_display())}</span>'
            )
        rows.append(
            f'<tr><td>{seq}</td><td><a href="{url}">{label}</a>{other}</td>\n'
            f'    <td class="code">{code}</td><td class="num">{money(p.budget_total)}</td>'
            f'<td class="num">{money(p.budget_fiscal)}</td>\n'
            f'    <td class="num">{money(p.budget_other)}</td><td class="num">{_num(p.indicators_n)}</td>'
            f"<td>{grade}</td><td>{state}</td></tr>\n  "
        )
        light = lights.get((p.light, p.light_label))
        if light is None:
            light = lights[(p.light, p.light_label)] = (
                escape(p.light or "none"),
                escape(p.light_label or "未填报"),
            )
        eval_grade = grades.get(p.grade)
        if eval_grade is None:
            eg = escape(p.grade)
            eval_grade = grades[p.grade] = f'<span class="grade g-{eg}">{eg}</span>' if p.grade else ""
        rate = "" if p.execution_rate is None else percent(p.execution_rate, 1)
        score = "未填报" if p.score is None else _num(p.score)
        cycle.append(
            f'<tr class="row-{light[0]}"><td>{seq}</td><td>{label}</td>\n'
            f'    <td><a href="{monitor_url(pid)}">'
            f'<span class="light {light[0]}">{light[1]}</span></a></td>\n'
            f'    <td>{"" if not p.as_of else _num(p.as_of)}</td><td class="num">{rate}</td>\n'
            f'    <td class="num"><a href="{selfeval_url(pid)}">{score}</a></td><td>{eval_grade}</td></tr>'
        )
    return PageRows(Markup("".join(rows)), Markup("".join(cycle)))


def _row_texts(projects: list[Any], unit_id: int, outcomes: dict[int, Any] | None) -> list[Any]:
    """Each project's texts that `prepare_rows` escapes, five a project: its name, code, its unit's
    name when another unit's, the review's counts and grade ("" for none)."""
    texts: list[Any] = []
    for p in projects:
        o = outcomes.get(p.id) if outcomes else None
        c = o.counts if o is not None and o.grade else None
        texts += (
            p.name or p.title,
            p.code or "—",
            p.unit.name if p.unit_id != unit_id and p.unit.name else "",
            ""
            if c is None
            else f"错误 {c.get('error', 0)} · 警告 {c.get('warning', 0)} · 提示 {c.get('hint', 0)}",
            "" if c is None else o.grade,  # type: ignore[union-attr]
        )
    return texts


class ReviewCells:
    """The cells of the unit-year page's review box that loop (`web/review/_unit_year.html`): the
    most frequent rules with their links, the grades' headings and their counts, as HTML."""

    __slots__ = ("grade_counts", "grade_heads", "rules")

    def __init__(self, rules: Markup, grade_heads: Markup, grade_counts: Markup):
        self.rules, self.grade_heads, self.grade_counts = rules, grade_heads, grade_counts


def review_cells(review: Any) -> ReviewCells:
    """`ReviewCells` of a `reviews.UnitYearSummary`, as the autoescaping template made them (the
    rule codes and grades escaped; the counts are integers)."""
    rules_url = escape(url("review_rules"))
    codes = escape_texts([t for code, _ in review.rules[:6] for t in (str(code).lower(), code)])
    rules = "".join(
        f'<a class="code" href="{rules_url}#{low}">{code}</a> {_num(n)}　'
        for low, code, (_, n) in zip(codes[::2], codes[1::2], review.rules[:6], strict=True)
    )
    grades = escape_texts(list(review.grades))
    heads = "".join(f'<th><span class="grade g-{g}">{g}</span></th>' for g in grades)
    counts = "".join(f'<td class="num">{_num(n)}</td>' for n in review.grades.values())
    return ReviewCells(Markup(rules), Markup(heads), Markup(counts))


_PLAIN_TYPES = (int, Decimal, date)  # what text of theirs a template shows needs no escaping


def _num(v: Any) -> Any:
    """A number or date as a template shows it (`str`: digits and signs, nothing to escape); any
    other value escaped."""
    return v if type(v) in _PLAIN_TYPES else escape(v)
