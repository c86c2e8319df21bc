"""Indicator search: the text filter shared by the search page and the API, the search page's
filters (unit, year, category, value kind) and its .xlsx export."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from markupsafe import Markup, escape

from jixiao.export.cellsafe import put_text, workbook_bytes
from jixiao.model import is_budget_year
from jixiao.taxonomy import LEVEL1, LEVEL2
from jixiao.web.jinja import target_text
from jixiao.web.lib.compiled import CompiledQuery, prepared_rows, prepares
from jixiao.web.lib.rows import escape_texts, id_link
from jixiao.web.lib.units import ambiguous, find_units
from jixiao.web.models import Indicator, Unit
from jixiao.web.permissions import (
    visible_unit_ids,
    visible_units,
)

SEARCH_PAGE = 50
# hits counted exactly on the search page unless the user asks for the exact total (统计准确总数):
# four pages of SEARCH_PAGE. Counting the newest N hits walks about N ÷ (share of rows holding the
# word) rows, so the first page's count costs in proportion to N: 200 rather than 1,000 cuts a
# common word's search from ~4.7 to ~2.0 ms of PostgreSQL CPU (bench/pagecpu.py, 242,400
# indicators); above it the page says 「共 200 条以上」 with the exact total a click away.
COUNT_CAP = 200
EXPORT_MAX = 10_000  # rows in one .xlsx export (newest first); narrow the search for more
UNIT_SELECT_MAX = 200  # above this many visible units the unit filter is a text box, not a list

# the parsed kind of 指标值 (`TargetValue.kind`, Indicator.target_kind) as users name it
KINDS: dict[str, str] = {
    "number": "数值",
    "percent": "百分比",
    "date": "日期",
    "boolean": "是否",
    "text": "定性",
}


def text_filter(fields: list[str], q: str) -> Q:
    """Rows where any of `fields` contains `q`.

    Text without Latin letters has no case, so it is matched with a case-sensitive LIKE, which
    PostgreSQL answers from the trigram indexes (migration 0002) and scans several times faster
    than UPPER(...) LIKE; text with Latin letters is matched case-insensitively.
    """
    lookup = _like_lookup(q)
    out = Q()
    for f in fields:
        out |= Q(**{f"{f}__{lookup}": q})
    return out


def search_indicators(
    user: Any,
    q: str,
    *,
    year: int | None = None,
    unit_ids: list[int] | None = None,
    level1: str | None = None,
    level2: str | None = None,
    kind: str | None = None,
) -> Any:
    """Indicators visible to `user` whose name, value or description contains `q` (any, when `q` is
    empty), of the given units (`unit_ids`: None for any), year, canonical categories and parsed
    value kind; newest first."""
    return _search_query(q, visible_unit_ids(user), unit_ids, year, level1, level2, kind)


def _search_query(
    q: str,
    visible: list[int] | None,
    unit_ids: list[int] | None,
    year: int | None,
    level1: str | None,
    level2: str | None,
    kind: str | None,
) -> QuerySet[Indicator]:
    """`search_indicators` of a user who sees the units `visible` (None: every unit)."""
    qs = Indicator.objects.all()
    if q:
        qs = qs.filter(text_filter(["name", "description", "value"], q))
    if visible is not None:
        qs = qs.filter(project__unit_id__in=visible)
    if unit_ids is not None:
        qs = qs.filter(project__unit_id__in=unit_ids)
    if year:
        qs = qs.filter(project__year=year)
    if level1:
        qs = qs.filter(level1_canonical=level1)
    if level2:
        qs = qs.filter(level2_canonical=level2)
    if kind:
        qs = qs.filter(target_kind=kind)
    # newest first by primary key: PostgreSQL walks the key backwards and stops after one page
    return qs.order_by("-id")


@dataclass
class SearchFilters:
    """What the search page was asked (from its query string), checked: unknown categories and
    kinds are dropped, a unit is looked up among the units the user sees only."""

    q: str = ""
    year: int | None = None
    unit: str = ""  # as typed or chosen: a unit spec (`lib.units.find_units`), `id:12` from the list
    level1: str = ""
    level2: str = ""
    kind: str = ""

    @property
    def active(self) -> bool:
        """Whether anything was asked (an empty form lists nothing)."""
        return bool(self.q or self.year or self.unit or self.level1 or self.level2 or self.kind)

    def query(self) -> dict[str, str]:
        """The filters as query-string parameters (for the pager and the export link)."""
        out = {
            "q": self.q,
            "year": str(self.year or ""),
            "unit": self.unit,
            "level1": self.level1,
            "level2": self.level2,
            "kind": self.kind,
        }
        return {k: v for k, v in out.items() if v}

    def describe(self, unit_label: str | None = None) -> list[tuple[str, str]]:
        """The filters in words, for the export's 检索条件 sheet."""
        rows = [
            ("关键词", self.q or "（不限）"),
            ("单位", unit_label or self.unit or "（不限）"),
            ("年度", str(self.year) if self.year else "（不限）"),
            ("一级指标", self.level1 or "（不限）"),
            ("二级指标", self.level2 or "（不限）"),
            ("指标值类型", KINDS.get(self.kind, "（不限）")),
        ]
        return rows


def parse_filters(params: Mapping[str, Any]) -> SearchFilters:
    def text(name: str, n: int) -> str:
        return str(params.get(name) or "").strip()[:n]

    try:
        year = int(text("year", 10) or 0) or None
    except ValueError:
        year = None
    if year is not None and not is_budget_year(year):
        year = None
    level1, level2, kind = text("level1", 20), text("level2", 20), text("kind", 10)
    return SearchFilters(
        q=text("q", 100),
        year=year,
        unit=text("unit", 200),
        level1=level1 if level1 in LEVEL1 else "",
        level2=level2 if level2 in LEVEL2 else "",
        kind=kind if kind in KINDS else "",
    )


@dataclass
class UnitChoice:
    """The unit filter resolved: the ids to search (None: any unit), the unit's label, or a message
    saying why nothing is searched (no such unit among those the user sees, or several fit)."""

    ids: list[int] | None
    label: str | None = None
    error: str | None = None


def resolve_unit_filter(user: Any, spec: str) -> UnitChoice:
    """The units a unit filter names among those `user` sees. A unit the user may not see is not
    found, exactly as one that does not exist."""

    if not spec:
        return UnitChoice(None)
    found = find_units(spec, visible_units(user))
    if not found:
        return UnitChoice([], error=f"没有找到单位“{spec}”（可写单位编码、名称，或 地区:编码）。")
    if len(found) > 1:
        return UnitChoice([], error=ambiguous(spec, found, option="").message)
    return UnitChoice([found[0].pk], label=f"{found[0].code} {found[0].name}".strip())


class UnitOption(NamedTuple):
    """A unit of the filter's list (plain values: the list may hold 200 of them)."""

    pk: int
    code: str
    name: str


def unit_choices(user: Any, past_list: bool | None = None) -> list[UnitOption] | None:
    """The units for the filter's list, or None when the user sees too many for a list (then the
    filter is a text box taking a code or name). `past_list`: whether there are more units than the
    list holds, when already known (`Search.units_past_list`), for a user who sees every unit."""
    if visible_unit_ids(user) is None:  # every unit: the same queries for every such user
        # a row past the list's: not 201 rows read and dropped
        if MANY_UNITS_QUERY.rows() if past_list is None else past_list:
            return None
        rows = ALL_UNITS_QUERY.rows()
    else:
        rows = [list(r) for r in _unit_options(visible_units(user))]
    return None if len(rows) > UNIT_SELECT_MAX else [UnitOption(*row) for row in rows]


def _unit_options(units: QuerySet[Unit]) -> QuerySet[Any]:
    return units.order_by("code", "name").values_list("id", "code", "name")[: UNIT_SELECT_MAX + 1]


ALL_UNITS_QUERY = CompiledQuery(lambda: _unit_options(Unit.objects.all()))
MANY_UNITS_QUERY = CompiledQuery(
    lambda: Unit.objects.order_by().values_list("id")[UNIT_SELECT_MAX : UNIT_SELECT_MAX + 1]
)


HIT_FIELDS = (
    "level1",
    "level2",
    "name",
    "value",
    "target",
    "project_id",
    "project__year",
    "project__name",
    "project__title",
    "project__unit__name",
)


def page_hits(qs: QuerySet[Indicator], offset: int, n: int) -> list[tuple[Any, ...]]:
    """Hits `offset` to `offset + n` of a search, in its order (`HIT_FIELDS`): the page's indicators
    chosen first (a subquery), their projects and units joined to those only. Joined before the page
    was cut, PostgreSQL joined every hit of a rare word (its trigram index finds them all, then
    sorts): 808 hits took 8.6 ms against 2.5 ms."""

    page = Indicator.objects.filter(id__in=qs.values("id")[offset : offset + n])
    if qs.query.order_by:  # else the model's ordering, as `qs`'s
        page = page.order_by(*qs.query.order_by)
    return list(page.values_list(*HIT_FIELDS))


def page_and_count(
    search: Search, offset: int, n: int, scan: int
) -> tuple[list[tuple[Any, ...]], int | None]:
    """Hits `offset` to `offset + n` of a search (newest first), as `page_hits` gives them, and how
    many of its newest `scan` hits there are: the newest `scan` hits' ids (the count's own scan, the
    key walked backwards), counted and cut to the page, then the page's rows joined to their
    projects and units. The count is None when it was not read: a page beyond the first `scan` hits
    (`page_hits` and a count of their own then), a page past the last hit (in the one query). The filters are
    the search's own query as the ORM compiles it (`Search.ids_sql`), its values bound parameters.

    On PostgreSQL, with prepared statements (`compiled.prepares`), a keyword alone whose newest
    `scan` hits were found before in this process (a common word, `_WALKS`) in one prepared
    statement, its plan kept: the newest indicators walked (`_page_walked`). Else two statements:
    the ids, planned for the keyword (below), then the page's rows from its ids, a prepared
    statement whose plan (a nested loop over the ids' keys) is made once a connection: planning the
    joins cost more than running them. The second also tells whether the user, seeing every unit,
    sees more units than the filter's list holds (`Search.units_past_list`, for `unit_choices`): a
    round trip saved.
    Otherwise one query: the ids a CTE (MATERIALIZED on PostgreSQL: planned inside the page's LIMIT,
    the scan was planned for a few rows and walked the whole key for a rare word, 808 hits: 159 ms,
    not 3 ms), counted and cut, then joined.
    Whether the ids are walked (a common word) or read from the trigram indexes and sorted (a rare
    one) is the planner's choice by its estimate of the keyword's hits: the searched columns keep
    finer statistics (migration 0012), without which a common word was at times estimated rare
    (20,200 hits estimated 42: 57-124 ms instead of 11-15).

    Where the ids' ~1.1 ms of PostgreSQL CPU goes (bench/pagecpu.py's 7 words, 242,400 indicators):
    planning ~0.27 ms, three quarters of it the LIKE estimates over the statistics (0.19 ms with a
    target of 300); a common word's walk ~0.12 µs a row plus ~0.22 µs for the three LIKEs (2,400
    rows for 201 hits: the text read newest first until then). Measured and not kept: one trigram
    index over name‖U+001F‖description‖U+001F‖value, as an expression or a stored column (planning
    0.43-0.48 ms on its long texts' statistics, the walk no cheaper: one LIKE over the joined text
    costs what three over its parts do; with the default target a rare word was estimated common
    and walked: 25 ms); a covering index of the texts walked without the heap (~10 % less);
    strpos before each LIKE (the walk 0.13 ms cheaper, planning 0.07 ms dearer, the planner's
    costs shifted); ids and rows in one statement (rows as JSON from subqueries: 0.15 ms less in
    this process, 0.3 ms more in PostgreSQL), pipelined (no gain) or the rows from a PL/pgSQL
    function, its plan kept (0.1 ms less in this process, none in PostgreSQL)."""

    if offset + n > scan:
        return page_hits(search.qs, offset, n), None
    using = search.using
    connection = connections[using]
    prepared = prepares(connection)  # (PostgreSQL only)
    walk = _walk_key(search) if prepared else None
    found = _page_walked(search, walk, offset, n, scan)
    if found is not None:
        return found
    ids = search.ids_sql(scan)
    if ids is None:  # a filter that can match nothing (no visible units)
        return [], 0
    if prepared:
        return _page_prepared(search, ids, offset, n, walk, scan)
    head, tail = _page_sql(using)
    with connection.cursor() as cur:
        cur.execute(f"{head}{ids[0]}{tail}", [*ids[1], n, offset])
        rows = cur.fetchall()
    if not rows:
        return [], (0 if offset == 0 else None)
    targets = _json_texts([r[5] for r in rows])
    return [(*r[1:5], t, *r[6:]) for r, t in zip(rows, targets, strict=True)], rows[0][0]


def _page_prepared(
    search: Search,
    ids: tuple[str, list[Any]],
    offset: int,
    n: int,
    walk: tuple[str, str] | None = None,
    scan: int = 0,
) -> tuple[list[tuple[Any, ...]], int]:
    """`page_and_count` on PostgreSQL with prepared statements: the newest hits' ids (not prepared:
    planned for the keyword), then the page's rows by their ids (prepared). `walk`: the search's key
    in `_WALKS` (`_walk_key`), marked there when its newest `scan` hits were all found."""
    connection = connections[search.using]
    # on the cursor kept for prepared statements, not prepared (planned for the keyword): a cursor
    # of Django's own made for it cost more than the query's other work in this process; the ids
    # as one text (one row, not 201), cut here and given back as an array's text (psycopg dumps a
    # list element by element in Python: a third of this function's time for 51 ids)
    joined = prepared_rows(connection, f"SELECT {_JOINED_IDS} FROM ({ids[0]}) h(i)", ids[1], prepare=False)
    hit_ids = joined[0][0].split(",") if joined[0][0] else []
    if walk is not None and len(hit_ids) == scan:
        _walk_next_time(walk)
    page = hit_ids[offset : offset + n]
    if not page:
        return [], len(hit_ids)
    units = search.args[1] is None  # a user who sees every unit: the unit list's check too
    array = "{" + ",".join(page) + "}"
    rows = prepared_rows(connection, _rows_sql(search.using, UNIT_SELECT_MAX if units else None), [array])
    if units and rows:  # (none when the page's indicators were deleted since their ids were read)
        search.units_past_list = rows[0][0] is not None
    targets = _json_texts([r[5] for r in rows])
    return [(*r[1:5], t, *r[6:]) for r, t in zip(rows, targets, strict=True)], len(hit_ids)


# at most this many of the newest indicators are walked by `_page_walked`
WALK_ROWS = 10_000
# keywords (`_walk_key`) whose newest hits `_page_walked` is to find (True), or not (False: it did not
# find them, as many as asked, within WALK_ROWS rows); those not here are planned for (`_page_prepared`)
_WALKS: dict[tuple[str, str], bool] = {}


def _walk_key(search: Search) -> tuple[str, str] | None:
    """The search's key in `_WALKS` when it is one `_page_walked` answers: a keyword alone, of a
    user who sees every unit (no other filter); else None."""
    q, visible, unit_ids, year, level1, level2, kind = search.args
    if not q or visible is not None or unit_ids is not None or year or level1 or level2 or kind:
        return None
    return (q, _like_lookup(q))


def _walk_next_time(walk: tuple[str, str]) -> None:
    """Mark a keyword whose planned search found its newest hits, as many as counted: a common word,
    walked from now on (`_page_walked`), unless a walk has already found it short."""
    if walk not in _WALKS:
        if len(_WALKS) >= 4096:  # keywords as users type them: bounded
            _WALKS.clear()
        _WALKS[walk] = True


def _page_walked(
    search: Search, walk: tuple[str, str] | None, offset: int, n: int, scan: int
) -> tuple[list[tuple[Any, ...]], int] | None:
    """`page_and_count` of a keyword known to be common (`_WALKS`), in one prepared statement whose
    plan PostgreSQL keeps (a generic plan: no planning a request): the newest WALK_ROWS indicators
    walked down the key, the newest `scan` hits among them taken, counted, cut to the page and
    joined as `_rows_sql` joins them. None when fewer than `scan` hits were found there (then the
    search is planned as any other: `_page_prepared`); when `scan` were, they are the newest `scan`
    hits of all, exactly those the planned query reads (every newer indicator was walked).

    The keyword is matched with strpos rather than LIKE (the same rows: `text_filter`'s LIKE
    '%q%' is the keyword anywhere in the text, case-sensitively or after UPPER on both sides):
    PostgreSQL estimates LIKE from the columns' statistics (migration 0012) at every execution, a
    custom plan each time (~0.27 ms), and strpos is cheaper to run. Measured (bench/pagecpu.py's
    search, six of its seven words walked, 242,400 indicators, walking on and off alternating in
    one process): 4.85 to 4.19 ms of CPU a search, PostgreSQL's 0.34 ms less, this process's 0.32
    (one round trip, not two).
    A rare word (fewer hits than `scan`) is never walked; one with more, too sparse for the walk
    (or whose hits thinned out since, or which many new indicators without it pushed out of the
    walk), is walked once, found short and planned from then on. Only this choice is kept for a
    keyword, never a hit: every search reads the hits as they are now."""
    if walk is None or not _WALKS.get(walk):  # not known to be common, or found short: planned
        return None
    q, lookup = walk
    sql = _walk_sql(search.using, lookup, scan, WALK_ROWS)
    rows = prepared_rows(connections[search.using], sql, [q, q, q, n, offset])
    if not rows or rows[0][0] != scan:
        _WALKS[walk] = False  # not within the newest WALK_ROWS rows (now): planned from here on
        return None
    search.units_past_list = rows[0][1] is not None
    targets = _json_texts([r[6] for r in rows])
    return [(*r[2:6], t, *r[7:]) for r, t in zip(rows, targets, strict=True)], scan


@cache
def _walk_sql(using: str, lookup: str, scan: int, walk_rows: int) -> str:
    """The SQL of `_page_walked`: parameters the keyword three times, then the page's size and offset;
    columns the hits counted, whether there is a unit past the unit list's (`_rows_sql`), then
    `HIT_FIELDS`."""
    qn = connections[using].ops.quote_name
    i, u = qn(Indicator._meta.db_table), qn(Unit._meta.db_table)
    texts = [qn(Indicator._meta.get_field(f).column) for f in ("name", "description", "value")]
    if lookup == "icontains":
        match = " OR ".join(f"strpos(UPPER(w.{c}::text), UPPER(%s::text)) > 0" for c in texts)
    else:
        match = " OR ".join(f"strpos(w.{c}::text, %s::text) > 0" for c in texts)
    columns, joins = _hit_columns(using)
    pk = qn("id")
    return (
        f"WITH hits AS MATERIALIZED (SELECT w.{pk} FROM (SELECT {pk}, {', '.join(texts)} FROM {i} "
        f"ORDER BY {pk} DESC LIMIT {int(walk_rows)}) w WHERE {match} ORDER BY w.{pk} DESC LIMIT {int(scan)}) "
        f"SELECT (SELECT COUNT(*) FROM hits), (SELECT {u}.{pk} FROM {u} LIMIT 1 OFFSET {UNIT_SELECT_MAX}), "
        f"{', '.join(columns)} FROM (SELECT hits.{pk} AS id FROM hits ORDER BY hits.{pk} DESC "
        f"LIMIT %s OFFSET %s) h INNER JOIN {i} ON {i}.{pk} = h.id {joins}"
        "ORDER BY h.id DESC"
    )


# the newest hits' ids (`Search.ids_sql`, a subquery h(i)) as one text, newest first: digits and commas
_JOINED_IDS = "string_agg(h.i::text, ',' ORDER BY h.i DESC)"


def _json_texts(texts: list[Any]) -> list[Any]:
    """A JSON column's texts decoded in one call rather than one a row (`JSONField.from_db_value`
    each: json.loads, None kept); values already decoded pass through."""
    if all(type(t) is str for t in texts):
        return json.loads("[" + ",".join(texts) + "]")
    return [json.loads(t) if type(t) is str else t for t in texts]


def _hit_columns(using: str) -> tuple[list[str], str]:
    """The columns of `HIT_FIELDS` (qualified names) and the joins from the indicators to their
    projects and units, for the SQL of `page_and_count`."""
    from jixiao.web.models import Project

    qn = connections[using].ops.quote_name

    def col(model: Any, field: str) -> str:
        return f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(field).column)}"

    p, u = (qn(m._meta.db_table) for m in (Project, Unit))
    columns = [col(Indicator, f) for f in HIT_FIELDS[:6]]
    columns += [col(Project, f) for f in ("year", "name", "title")] + [col(Unit, "name")]
    joins = (
        f"INNER JOIN {p} ON {col(Project, 'id')} = {col(Indicator, 'project')} "
        f"INNER JOIN {u} ON {col(Unit, 'id')} = {col(Project, 'unit')} "
    )
    return columns, joins


@cache
def _page_sql(using: str) -> tuple[str, str]:
    """The SQL of `page_and_count` (one query) before and after the SQL of the hits' ids (whose
    parameters come first, then the page's size and offset): names only, no values."""
    connection = connections[using]
    qn = connection.ops.quote_name
    i = qn(Indicator._meta.db_table)
    columns, joins = _hit_columns(using)
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    head = f"WITH hits AS {materialized}("
    tail = (
        f") SELECT h.n, {', '.join(columns)} "
        f"FROM (SELECT hits.{qn('id')} AS id, COUNT(*) OVER () AS n FROM hits "
        f"ORDER BY hits.{qn('id')} DESC LIMIT %s OFFSET %s) h "
        f"INNER JOIN {i} ON {i}.{qn('id')} = h.id {joins}"
        "ORDER BY h.id DESC"
    )
    return head, tail


@cache
def _rows_sql(using: str, unit_list_max: int | None) -> str:
    """PostgreSQL's SQL of the page's rows (`_page_prepared`) from an array of their ids, in its
    order; first, with `unit_list_max`, the id of a unit past that many (None when there is none:
    `MANY_UNITS_QUERY`'s question), else None."""
    qn = connections[using].ops.quote_name
    i, u = qn(Indicator._meta.db_table), qn(Unit._meta.db_table)
    columns, joins = _hit_columns(using)
    first = "NULL"
    if unit_list_max is not None:
        first = f"(SELECT {u}.{qn('id')} FROM {u} LIMIT 1 OFFSET {int(unit_list_max)})"
    return (
        f"SELECT {first}, {', '.join(columns)} "
        "FROM unnest(%s::bigint[]) WITH ORDINALITY AS h(id, o) "
        f"INNER JOIN {i} ON {i}.{qn('id')} = h.id {joins}"
        "ORDER BY h.o"
    )


def hits_html(rows: list[tuple[Any, ...]]) -> Markup:
    """The search page's table rows (`page_hits`' rows) as HTML, made here in one pass rather than
    in the template (50 rows of seven cells: some 400 escapes, lookups and tests a page): the same
    HTML as the autoescaping template made (tests/web/test_search.py renders both), every text from
    the database escaped (`escape_texts`), the year (an integer) and the link's id as they are, the
    link's text around the id escaped once a page."""
    project_url = id_link("project")
    texts: list[Any] = []
    for level1, level2, name, value, target, _, _, pname, ptitle, unit in rows:
        texts += (unit, pname or ptitle, f"{level1 or ''} / {level2 or ''}", name, value or "")
        texts.append(target_text(target))
    cells = iter(escape_texts(texts))
    out = []
    for row, unit, project, category, name, value, target in zip(rows, *[cells] * 6, strict=True):
        out.append(
            f"<tr><td>{_plain(row[6] or '')}</td><td>{unit}</td>\n"
            f'    <td><a href="{project_url(row[5])}">{project}</a></td>\n'
            f"    <td>{category}</td><td>{name}</td><td>{value}</td><td>{target}</td></tr>\n  "
        )
    return Markup("".join(out))


def _plain(v: Any) -> Any:
    """An integer as a template shows it (digits and a sign, nothing to escape); any other value
    escaped."""
    return v if type(v) is int else escape(v)


def filtered(user: Any, f: SearchFilters, unit: UnitChoice) -> QuerySet[Indicator]:
    return Search(user, f, unit).qs


class Search:
    """A search as `user` asked it: its query (`qs`, built in the ORM when first needed) and the SQL
    of its newest hits' ids (`ids_sql`, compiled by the ORM once per shape of the filters)."""

    using = "default"
    # whether the user, who sees every unit, sees more than the unit list holds, when a query of the
    # page told (`page_and_count`): None when none did
    units_past_list: bool | None = None

    def __init__(self, user: Any, f: SearchFilters, unit: UnitChoice):
        self.args = (
            f.q,
            visible_unit_ids(user),
            unit.ids,
            f.year or None,
            f.level1 or None,
            f.level2 or None,
            f.kind or None,
        )

    @cached_property
    def qs(self) -> QuerySet[Indicator]:
        return _search_query(*self.args)

    def ids_sql(self, scan: int) -> tuple[str, list[Any]] | None:
        """The SQL and parameters of the ids of the newest `scan` hits, newest first; None when the
        filters can match nothing. The same SQL and parameters as the ORM makes of `qs` (its values
        bound parameters), compiled once per shape (`_ids_template`) and then filled in."""
        q, visible, unit_ids, year, level1, level2, kind = self.args
        shape = (
            self.using,
            scan,
            _like_lookup(q) if q else "",
            None if visible is None else len(visible),
            None if unit_ids is None else len(unit_ids),
            year is not None,
            level1 is not None,
            level2 is not None,
            kind is not None,
        )
        template = _IDS_SQL.get(shape)
        if template is None:
            if len(_IDS_SQL) >= 512:  # shapes differ in the lengths of unit lists: bounded
                _IDS_SQL.clear()
            template = _IDS_SQL[shape] = _ids_template(shape)
        if template is False:  # matches nothing whatever the values
            return None
        if template is None:  # a shape the marks could not be told apart in: the ORM each time
            try:
                sql, params = _compile_ids(self.qs, self.using, scan)
            except EmptyResultSet:
                return None
            return sql, list(params)
        sql, order = template
        values = [*(visible or ()), *(unit_ids or ()), year, level1, level2, kind]
        like = connections[self.using].ops.prep_for_like_query(q) if q else ""
        params = []
        for kind_, v in order:
            if kind_ == "value":
                i, typed = v
                params.append(values[i] if typed is None else typed(values[i]))
            elif kind_ == "like":
                params.append(f"%{like}%")
            else:
                params.append(v)
        return sql, params


def _like_lookup(q: str) -> str:
    """The lookup `text_filter` uses for `q` (a shape of the search's SQL)."""
    return "icontains" if re.search(r"[A-Za-z]", q) else "contains"


def _compile_ids(qs: QuerySet[Indicator], using: str, scan: int) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.values_list("id")[:scan].query.get_compiler(using).as_sql(with_col_aliases=True)
    return sql, tuple(params)


_IDS_SQL: dict[tuple[Any, ...], Any] = {}
# marks no user value can be taken for: the keyword's (without and with a Latin letter, as
# `_like_lookup` tells them apart; nothing LIKE escapes), the categories' and the kind's
_LIKE_MARK = {"contains": "①②③④", "icontains": "①②③④x"}
_TEXT_MARKS = ("⑤level1⑤", "⑥level2⑥", "⑦kind⑦")


def _ids_template(shape: tuple[Any, ...]) -> Any:
    """The SQL of a shape of `Search.ids_sql` compiled with marks in place of the values, with where
    each of its parameters comes from (`_sources`). False when the shape matches nothing, None when
    a parameter holds a mark other than whole (then the ORM compiles each search)."""
    using, scan, lookup, n_visible, n_units, has_year, has_l1, has_l2, has_kind = shape
    mark = CompiledQuery.MARK
    first = n_visible or 0
    visible = None if n_visible is None else [mark + i for i in range(n_visible)]
    units = None if n_units is None else [mark + first + i for i in range(n_units)]
    year = mark + first + (n_units or 0) if has_year else None
    like = _LIKE_MARK[lookup] if lookup else ""
    texts = [m if has else None for m, has in zip(_TEXT_MARKS, (has_l1, has_l2, has_kind), strict=True)]
    try:
        sql, params = _compile_ids(_search_query(like, visible, units, year, *texts), using, scan)
    except EmptyResultSet:
        return False
    order = _sources(params, [*(visible or ()), *(units or ()), year], like)
    return None if order is None else (sql, order)


def _sources(params: tuple[Any, ...], ints: list[int | None], like: str) -> list[tuple[str, Any]] | None:
    """Where each parameter of a query compiled with marks comes from: ("value", (its index into
    the values: `ints`' marks, then the categories' and the kind's), the type the ORM gives it in or
    None), ("like", None) for the keyword's pattern, ("constant", the query's own); None when one
    holds a mark other than whole."""
    order: list[tuple[str, Any]] = []
    for p in params:
        if isinstance(p, int) and not isinstance(p, bool) and p in ints:
            # as the ORM gives it: PostgreSQL's integer columns' values typed (psycopg's Int4)
            order.append(("value", (ints.index(p), None if type(p) is int else type(p))))
        elif type(p) is str and p in _TEXT_MARKS:
            order.append(("value", (len(ints) + _TEXT_MARKS.index(p), None)))
        elif like and p == f"%{like}%":
            order.append(("like", None))
        elif type(p) is str and any(m in p for m in (*_TEXT_MARKS, *_LIKE_MARK.values())):
            return None
        else:
            order.append(("constant", p))
    return order


# ------------------------------------------------------------------ .xlsx export

EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("project__year", "年度"),
    ("project__unit__code", "单位编码"),
    ("project__unit__name", "单位名称"),
    ("project__code", "项目编码"),
    ("project__name", "项目名称"),
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("description", "指标描述"),
    ("value", "指标值"),
    ("level1_canonical", "一级指标（规范）"),
    ("level2_canonical", "二级指标（规范）"),
    ("target_kind", "指标值类型"),
    ("target", "解析值"),
    ("target_number", "数值"),
    ("target_unit", "计量单位"),
    # where the project is in the system: its page's address, a link (the database id alone, headed
    # 「项目编号」 beside the document's 「项目编码」, read as a second code)
    ("project_id", "项目页面"),
]


def export_rows(qs: QuerySet[Indicator], limit: int | None = None) -> Iterator[list[Any]]:
    """The rows of the export, newest first, at most `limit` (default EXPORT_MAX): plain values,
    read in chunks."""

    limit = EXPORT_MAX if limit is None else limit
    fields = [k for k, _ in EXPORT_COLUMNS]
    for rec in qs.values_list(*fields)[:limit].iterator(chunk_size=2000):
        row = dict(zip(fields, rec, strict=True))
        row["target_kind"] = KINDS.get(row["target_kind"] or "text", row["target_kind"])
        row["target"] = target_text(row["target"])
        n = row["target_number"]
        row["target_number"] = float(n) if n is not None else None
        yield [row[k] for k in fields]


def export_xlsx(
    qs: QuerySet[Indicator],
    f: SearchFilters,
    *,
    total: int,
    unit_label: str | None,
    now: datetime,
    project_url: Callable[[int], str],
) -> bytes:
    """The hits as a workbook: sheet 检索结果 (one row per indicator, at most EXPORT_MAX) and sheet
    检索条件 (the filters, the total and how many rows were written). Every text cell is text, never
    a formula (`jixiao.export.cellsafe`). Column 项目页面 holds `project_url(project id)`, linked."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "检索结果"
    ws.append([label for _, label in EXPORT_COLUMNS])
    for c in ws[1]:
        c.font = Font(bold=True)
    written = 0
    page = [k for k, _ in EXPORT_COLUMNS].index("project_id")
    urls: dict[int, str] = {}
    for r, row in enumerate(export_rows(qs), start=2):
        pk = row[page]
        row[page] = urls.get(pk) or urls.setdefault(pk, project_url(pk))
        for c, v in enumerate(row, start=1):
            put_text(ws.cell(row=r, column=c), v)
        link = ws.cell(row=r, column=page + 1)
        link.hyperlink = row[page]
        link.style = "Hyperlink"
        written += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for letter, width in zip("ABCDEFGHIJ", (6, 10, 24, 22, 28, 10, 12, 24, 24, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions[get_column_letter(page + 1)].width = 36
    info = wb.create_sheet("检索条件")
    rows = [
        *f.describe(unit_label),
        ("命中总数", str(total)),
        (
            "导出条数",
            str(written) + (f"（仅导出最新的 {EXPORT_MAX} 条，请缩小检索范围）" if total > written else ""),
        ),
        ("导出时间", now.strftime("%Y-%m-%d %H:%M")),
    ]
    for r, (label, value) in enumerate(rows, start=1):
        put_text(info.cell(row=r, column=1), label).font = Font(bold=True)
        put_text(info.cell(row=r, column=2), value)
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    return workbook_bytes(wb)
