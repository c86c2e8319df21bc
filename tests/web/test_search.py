"""指标检索 (issue 12, item 5): filters by unit, year, category and value kind, the total count of
hits, and the hits as .xlsx (text cells only, never a live formula). Only indicators of projects the
user may see are found or exported."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from openpyxl import load_workbook

from jixiao.web import actions
from jixiao.web.demo import market_bureau
from jixiao.web.jinja import KIND_LABELS
from jixiao.web.models import Indicator
from jixiao.web.views.search import level2_by_parent

pytestmark = pytest.mark.django_db


def hits(client, **params) -> tuple[int, list[list[str]]]:
    """The total the page states and the rows of its table (cells as text)."""
    r = client.get("/search/", params)
    assert r.status_code == 200
    html = r.content.decode()
    m = re.search(r"共 <b>(\d+)</b> 条", html)
    assert m, html[-3000:]
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if len(cells) == 7:
            rows.append(cells)
    return int(m.group(1)), rows


def export(client, **params) -> tuple[list[list], dict[str, str]]:
    r = client.get("/search/export.xlsx", params)
    assert r.status_code == 200, r.content[:500]
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in r["Content-Disposition"] and ".xlsx" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["检索结果", "检索条件"]
    ws = wb["检索结果"]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # no live formula anywhere
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    info = {a: b for a, b in wb["检索条件"].iter_rows(values_only=True)}
    return rows, info


def test_unit_filter_and_the_total(clients, demo):
    market, edu = demo["999001"], demo["999002"]
    c = clients["reviewer"]
    n, rows = hits(c, q="满意度", unit=f"id:{market.pk}")
    expected = (
        Indicator.objects.filter(project__unit=market, name__contains="满意度")
        | Indicator.objects.filter(project__unit=market, value__contains="满意度")
        | Indicator.objects.filter(project__unit=market, description__contains="满意度")
    )
    assert n == expected.distinct().count() > 0 and len(rows) == n
    assert {r[1] for r in rows} == {"示例市市场监督管理局"}
    # by code, as typed when there are too many units for a list
    assert hits(c, q="满意度", unit="999002")[0] == hits(c, q="满意度", unit=f"id:{edu.pk}")[0] > 0
    # an unknown unit finds nothing and says so
    r = c.get("/search/", {"q": "满意度", "unit": "没有这个单位"}).content.decode()
    assert "没有找到单位“没有这个单位”" in r and "共 <b>0</b> 条" in r


def test_total_counts_every_page(clients, demo):
    c = clients["reviewer"]
    n, rows = hits(c, year="2024")  # no keyword: every 2024 indicator
    assert n == Indicator.objects.filter(project__year=2024).count() > 50
    assert len(rows) == 50
    n2, rows2 = hits(c, year="2024", offset="50")
    assert n2 == n and len(rows2) == min(50, n - 50)
    assert not {tuple(r) for r in rows} & {tuple(r) for r in rows2}
    # past the last hit: the total, no range that ends before it starts, and why the list is empty
    html = c.get("/search/", {"year": "2024", "offset": str(n + 100)}).content.decode()
    assert f"共 <b>{n}</b> 条" in html and f"第 {n + 101}–" not in html
    assert f"第 {n + 100} 条之后没有更多的指标" in html


def test_category_and_kind_filters(clients, demo):
    c = clients["reviewer"]
    # level 1: 满意度指标 only
    n, rows = hits(c, level1="满意度指标")
    assert n == Indicator.objects.filter(level1_canonical="满意度指标").count() > 0
    assert {r[3].split(" / ")[0] for r in rows} == {"满意度指标"}
    # level 2 under 产出: 时效指标, with the kind date
    n, rows = hits(c, level2="时效指标", kind="date")
    assert n == Indicator.objects.filter(level2_canonical="时效指标", target_kind="date").count() > 0
    assert all(r[3].endswith("时效指标") and ("不晚于" in r[6] or r[6].startswith("日期")) for r in rows)
    # every kind: the page's total is the database's, and the parsed value shown fits the kind
    counts = Counter(Indicator.objects.values_list("target_kind", flat=True))
    assert set(counts) >= {"number", "percent", "date", "text"}
    for kind in KIND_LABELS:
        n, rows = hits(c, kind=kind)
        assert n == counts.get(kind, 0), kind
        if kind == "percent":
            assert rows and all("%" in r[6] for r in rows)
        if kind == "text":
            assert rows and all(r[6] == "定性" for r in rows)
    # the category list offers every level-2 category once, under its level 1
    offered = [l2 for _, l2s in level2_by_parent() for l2 in l2s]
    assert len(offered) == len(set(offered)) == 12
    # unknown values are ignored, not an error
    assert hits(c, q="满意度", kind="bogus", level1="x")[0] == hits(c, q="满意度")[0]


def test_unit_user_finds_nothing_of_other_units(clients, demo):
    market = demo["999001"]
    edu = clients["edu"]
    # asking for another unit by id or by code finds nothing, and names nothing of it
    for spec in (f"id:{market.pk}", "999001", "示例市市场监督管理局"):
        r = edu.get("/search/", {"q": "满意度", "unit": spec}).content.decode()
        assert "共 <b>0</b> 条" in r and "示例市市场监督管理局" not in r.replace(spec, "")
        rows, info = export(edu, q="满意度", unit=spec)
        assert rows == [rows[0]] and info["命中总数"] == "0"
    # without a unit filter: only their own
    n, rows = hits(edu, q="满意度")
    assert n > 0 and {r[1] for r in rows} == {"示例市示例区教育局"}
    rows, info = export(edu, kind="percent")
    assert len(rows) - 1 == int(info["命中总数"]) > 0
    assert {r[2] for r in rows[1:]} == {"示例市示例区教育局"}
    # the unit list offers only their own units
    page = edu.get("/search/").content.decode()
    assert "示例市市场监督管理局" not in page


def test_export_holds_every_hit_as_text(clients, demo, users):
    doc = market_bureau(2031)
    ind = doc.projects[0].indicators[0]
    ind.name = '=HYPERLINK("http://evil.example/x","点击")'
    ind.description = "+1+2"
    actions.import_disclosure(None, doc)
    c = clients["reviewer"]
    rows, info = export(c, q="HYPERLINK")
    header, data = rows[0], rows[1:]
    assert header[:5] == ["年度", "单位编码", "单位名称", "项目编码", "项目名称"]
    assert len(data) == 1 and info["命中总数"] == "1" and info["关键词"] == "HYPERLINK"
    row = dict(zip(header, data[0], strict=True))
    assert row["三级指标"] == '=HYPERLINK("http://evil.example/x","点击")' and row["指标描述"] == "+1+2"
    assert row["年度"] == 2031 and row["指标值"] == "≥320批次" and row["数值"] == 320
    assert row["指标值类型"] == "数值" and row["解析值"] == "≥ 320 批次"
    # one column per meaning: the document's 项目编码, and where the project is in the system (not
    # a database 「项目编号」 beside 「项目编码」)
    assert "项目编号" not in header and header.count("项目编码") == 1
    project = Indicator.objects.get(name=ind.name).project
    assert row["项目编码"] == project.code
    assert row["项目页面"] == f"http://testserver/projects/{project.pk}/"
    # the quote prefix keeps it text when edited in Excel
    r = c.get("/search/export.xlsx", {"q": "HYPERLINK"})
    ws = load_workbook(io.BytesIO(r.content))["检索结果"]
    assert ws.cell(row=2, column=header.index("三级指标") + 1).quotePrefix
    assert ws.cell(row=2, column=header.index("项目页面") + 1).hyperlink.target == row["项目页面"]
    # the export holds the same hits as the page, with the filters stated
    n, _ = hits(c, year="2024", kind="percent")
    rows, info = export(c, year="2024", kind="percent")
    assert len(rows) - 1 == n == int(info["命中总数"]) and info["指标值类型"] == "百分比"
    assert {r[header.index("指标值类型")] for r in rows[1:]} == {"百分比"}
    # nothing asked: nothing exported
    r = c.get("/search/export.xlsx")
    assert r.status_code == 400 and "请先输入检索条件" in r.content.decode()
    # the page links the export with its filters
    page = c.get("/search/", {"q": "满意度", "kind": "percent"}).content.decode()
    assert "/search/export.xlsx?q=%E6%BB%A1%E6%84%8F%E5%BA%A6&amp;kind=percent" in page


def test_export_is_capped(clients, demo, monkeypatch):
    from jixiao.web.lib import search

    monkeypatch.setattr(search, "EXPORT_MAX", 5)
    rows, info = export(clients["reviewer"], year="2024")
    assert len(rows) - 1 == 5 and int(info["命中总数"]) > 5 and "仅导出最新的 5 条" in info["导出条数"]


def test_total_past_the_cap_is_counted_on_request(clients, demo, monkeypatch):
    from jixiao.web.views import search as view

    monkeypatch.setattr(view, "COUNT_CAP", 60)
    c = clients["reviewer"]
    n = Indicator.objects.filter(project__year=2024).count()
    assert n > 60
    html = c.get("/search/", {"year": "2024"}).content.decode()
    assert "共 <b>60</b> 条以上" in html and "统计准确总数" in html
    exact, rows = hits(c, year="2024", exact="1")
    assert exact == n and len(rows) == 50
    html = c.get("/search/", {"year": "2024", "exact": "1"}).content.decode()
    assert "条以上" not in html and "exact=1&amp;offset=50" in html  # the pager keeps the exact count
    # a page of hits that fits needs no count at all
    assert (
        hits(c, q="检定计量器具台件数")[0]
        == Indicator.objects.filter(name__contains="检定计量器具台件数").count()
    )


@pytest.mark.parametrize("prepare", [True, False])
@pytest.mark.parametrize("q", ["", "率", "满意度", "nothing-like-this"])
def test_page_hits_are_the_searchs_slices(demo, q, prepare, monkeypatch):
    """`page_hits` (the page's indicators chosen in a subquery, then joined) and `page_and_count` (the
    newest hits' ids counted and cut in one query, then joined; on PostgreSQL with prepared
    statements the ids read, then the page's rows by them) give the rows of the search's own slice,
    in its order, on every page, and the count of its newest `scan` hits."""
    from jixiao.web.lib import compiled
    from jixiao.web.lib.search import (
        HIT_FIELDS,
        Search,
        SearchFilters,
        UnitChoice,
        page_and_count,
        page_hits,
    )

    monkeypatch.setattr(compiled, "PREPARE", prepare)
    search = Search(None, SearchFilters(q=q), UnitChoice(None))
    qs = search.qs
    total = qs.count()
    scan = 30
    for offset in range(0, total + 7, 7):
        want = list(qs.values_list(*HIT_FIELDS)[offset : offset + 7])
        assert page_hits(qs, offset, 7) == want
        rows, counted = page_and_count(search, offset, 7, scan)
        assert rows == want
        if offset + 7 > scan:  # beyond the counted hits: the page alone
            assert counted is None
        elif want or offset == 0:
            assert counted == min(total, scan)
        else:  # past the last hit: nothing to count from in one query; the ids read, their count
            assert counted in (None, min(total, scan))


def filter_cases(demo, users):
    from jixiao.web.lib.search import SearchFilters, UnitChoice, resolve_unit_filter

    edu, market = users["edu"], demo["999001"]
    return [
        (edu, SearchFilters(q="率"), UnitChoice(None)),
        (edu, SearchFilters(q="满意度"), resolve_unit_filter(edu, f"id:{market.pk}")),
        (None, SearchFilters(q="率", year=2024, level1="产出指标"), UnitChoice([market.pk])),
        (None, SearchFilters(level2="时效指标", kind="date"), UnitChoice(None)),
        (None, SearchFilters(q="Rate_%\\x"), UnitChoice(None)),
        (None, SearchFilters(q="100%_完成\\"), UnitChoice(None)),
        (users["market"], SearchFilters(q="①②③④", year=2023, kind="percent"), UnitChoice(None)),
        (None, SearchFilters(q="①②③④x ⑤level1⑤"), UnitChoice([market.pk, demo["999002"].pk])),
        (None, SearchFilters(year=2024, level1="满意度指标", level2="服务对象满意度指标"), UnitChoice(None)),
        (users["reviewer"], SearchFilters(q="率"), UnitChoice([])),
    ]


def test_page_and_count_keeps_the_filters(demo, users):
    """The one query of `page_and_count` keeps every filter of the search: a unit user's units, the
    unit asked, year, categories and kind; a filter that can match nothing finds nothing."""
    from jixiao.web.lib.search import HIT_FIELDS, Search, page_and_count

    edu = users["edu"]
    for user, f, unit in filter_cases(demo, users):
        search = Search(user, f, unit)
        qs = search.qs
        want = list(qs.values_list(*HIT_FIELDS)[:51])
        rows, counted = page_and_count(search, 0, 51, 1001)
        assert rows == want and counted == min(qs.count(), 1001), f
        assert {r[-1] for r in rows} <= {"示例市示例区教育局"} or user is not edu


def test_ids_sql_is_the_orms(demo, users):
    """`Search.ids_sql`, compiled once per shape and filled in, is the SQL and the parameters the
    ORM makes of the search's own query, whatever the keyword holds (LIKE's wildcards and escape,
    the marks it is compiled with, Latin letters or none)."""
    from django.core.exceptions import EmptyResultSet

    from jixiao.web.lib import search as search_module
    from jixiao.web.lib.search import Search

    for user, f, unit in filter_cases(demo, users):
        for _ in range(2):  # compiled, then from the compiled shape
            search = Search(user, f, unit)
            try:
                want = (
                    search.qs.values_list("id")[:1001]
                    .query.get_compiler("default")
                    .as_sql(with_col_aliases=True)
                )
            except EmptyResultSet:
                want = None
            got = search.ids_sql(1001)
            assert (got and (got[0], tuple(got[1]))) == (want and (want[0], tuple(want[1]))), f
            if got and want:  # typed as the ORM types them (PostgreSQL: Int4 of an integer column)
                assert [type(v) for v in got[1]] == [type(v) for v in want[1]]
    assert None not in search_module._IDS_SQL.values()  # every shape compiled once, none left to the ORM


REFERENCE_ROWS = """{% for i in results %}<tr><td>{{ i.year }}</td><td>{{ i.unit }}</td>
    <td><a href="{{ i.url }}">{{ i.project }}</a></td>
    <td>{{ i.category }}</td><td>{{ i.name }}</td><td>{{ i.value }}</td><td>{{ i.target }}</td></tr>
  {% endfor %}"""


class ReferenceHit:
    """A row as the search template read it before its rows were made in Python."""

    def __init__(self, row):
        from jixiao.web.jinja import target_text, url

        level1, level2, name, value, target, project_id, year, pname, ptitle, unit = row
        self.year, self.unit, self.url = year or "", unit, url("project", project_id)
        self.project, self.category = pname or ptitle, f"{level1 or ''} / {level2 or ''}"
        self.name, self.value, self.target = name, value or "", target_text(target)


HOSTILE = [
    '<script>alert("x")</script>',
    "a & b 'c' \"d\" <e>",
    "&amp; already",
    "\x1f separator \x1f twice",
    "{{ 7*7 }} {% raw %}",
    "满意度≥95%",
    None,
    "",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hits_html_is_the_templates(hostile):
    """`hits_html` makes the rows the autoescaping template made, byte for byte, whatever the texts
    hold (markup, quotes, ampersands, the separator `escape_texts` joins with, None)."""
    from django.template import engines

    from jixiao.web.lib.search import escape_texts, hits_html

    rows = [
        (
            "产出指标",
            "数量指标",
            "检查户数",
            "≥100户",
            {"kind": "number", "op": ">=", "value": 100, "unit": "户"},
            7,
            2024,
            "项目甲",
            "标题甲",
            "单位甲",
        ),
        (
            hostile,
            hostile,
            hostile,
            hostile,
            {"kind": "text", "raw": hostile},
            8,
            None,
            hostile,
            "t",
            hostile,
        ),
        (None, None, "名称", None, None, 9, 2023, None, hostile, "单位"),
        (
            hostile,
            "二级",
            hostile,
            "值",
            {"kind": "date", "value": None, "raw": hostile},
            10,
            2024,
            "",
            hostile,
            "u",
        ),
    ]
    env = engines["jinja2"].env
    want = env.from_string(REFERENCE_ROWS).render(results=[ReferenceHit(r) for r in rows])
    assert str(hits_html(rows)) == want
    assert hits_html([]) == ""
    texts = [hostile, 12, None, "<&>", hostile]
    from markupsafe import escape

    assert escape_texts(texts) == [str(escape(t)) for t in texts]


def test_unit_filter_is_a_list_up_to_its_limit(demo, users, monkeypatch):
    """Up to UNIT_SELECT_MAX visible units the filter is a list of them (by code and name), above it a
    text box; a unit user's list holds their own units only."""
    from jixiao.web.lib import search
    from jixiao.web.models import Unit

    n = Unit.objects.count()
    everyone = [(u.pk, u.code, u.name) for u in Unit.objects.order_by("code", "name")]
    reviewer, edu = users["reviewer"], users["edu"]

    def limit(k: int) -> None:  # the queries compiled anew with it, the module's own kept
        monkeypatch.setattr(search, "UNIT_SELECT_MAX", k)
        monkeypatch.setattr(search.MANY_UNITS_QUERY, "_compiled", {})
        monkeypatch.setattr(search.ALL_UNITS_QUERY, "_compiled", {})

    limit(n)
    assert [tuple(o) for o in search.unit_choices(reviewer)] == everyone
    assert '<select name="unit"' in _client_page(reviewer, q="率")  # told by the page's query
    for k in (n - 1, 1):
        limit(k)
        assert search.unit_choices(reviewer) is None
        assert '<input name="unit"' in _client_page(reviewer, q="率")
    limit(n)
    assert [o.code for o in search.unit_choices(edu)] == ["999002"]
    page = _client_page(edu)
    assert '<select name="unit"' in page and "示例市市场监督管理局" not in page


def _client_page(user, **query: str) -> str:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c.get("/search/", query).content.decode()


def test_search_columns_have_fine_statistics(db):
    """On PostgreSQL the texts search matches keep 1,000 most common values and histogram buckets
    (migration 0012): with the default 100 the estimate of a keyword's hits changed with each
    ANALYZE's sample, and a common word estimated rare was read in full from the trigram indexes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statistics targets are PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT attname, attstattarget FROM pg_attribute "
            "WHERE attrelid = 'web_indicator'::regclass AND attname IN ('name', 'description', 'value')"
        )
        got = dict(cur.fetchall())
    assert got == {"name": 1000, "description": 1000, "value": 1000}


def test_a_hit_deleted_between_the_pages_two_statements_keeps_the_count_and_pager(clients, demo, monkeypatch):
    """On PostgreSQL with prepared statements the page reads the newest hits' ids, then their rows,
    in two statements (two snapshots): a hit deleted in between leaves the page a row short, not
    the search counted as that page's rows only (no count shown past it, no next page)."""
    from django.db import connection

    from jixiao.web.lib import compiled
    from jixiao.web.lib import search as lib

    if not compiled.prepares(connection):
        pytest.skip("two statements only on PostgreSQL with prepared statements")
    real = lib.prepared_rows

    def then_delete_one(conn, sql, params, *, prepare=True):
        rows = real(conn, sql, params, prepare=prepare)
        if not prepare:  # the hits' ids: the newest but one deleted before the page's rows are read
            Indicator.objects.filter(pk=int(rows[0][0].split(",")[1])).delete()
        return rows

    monkeypatch.setattr(lib, "prepared_rows", then_delete_one)
    n = Indicator.objects.filter(project__year=2024).count()
    assert n > 60
    html = clients["reviewer"].get("/search/", {"year": "2024"}).content.decode()
    assert f"共 <b>{min(n, 200)}</b> 条" in html and "offset=50" in html


WALKED_WORDS = [
    "率",
    "满意度",
    "完成",
    "RATE",
    "rate",
    "Pm2.5",
    "%",
    "_",
    "100%_完成\\",
    "≥",
    "%\\",
    "nothing-like-this",
]


@pytest.mark.parametrize("walk_rows", [10_000, 40, 3])
def test_a_walked_keyword_pages_as_the_planned_one(demo, walk_rows, monkeypatch):
    """On PostgreSQL with prepared statements a keyword whose newest hits were all found
    (`_WALKS`) is read by walking the newest WALK_ROWS indicators (`_page_walked`, strpos rather
    than LIKE): the same rows, order and count as the search's own query on every page, Latin
    letters in either case and LIKE's wildcards and escape taken as text; when the walk finds fewer
    than asked, the search is planned (the planned page, the keyword no longer walked)."""
    from django.db import connection

    from jixiao.web.lib import compiled
    from jixiao.web.lib import search as lib

    if not compiled.prepares(connection):
        pytest.skip("walked only on PostgreSQL with prepared statements")
    monkeypatch.setattr(lib, "WALK_ROWS", walk_rows)
    monkeypatch.setattr(lib, "_WALKS", {})
    # Latin letters in either case, LIKE's wildcards and escape among the texts, in the newest rows
    latin = ["PM2.5 Rate", "pm2.5 rate 100%_完成\\", "Rate_%\\x", "RATE ≥ 95%"]
    base = Indicator.objects.order_by("id")[:24]
    for n, ind in enumerate(base):
        ind.pk = None
        ind.name, ind.description, ind.value = latin[n % 4], latin[(n + 1) % 4], latin[(n + 2) % 4]
    Indicator.objects.bulk_create(base)
    scan = 20
    for q in WALKED_WORDS:
        search = lib.Search(None, lib.SearchFilters(q=q), lib.UnitChoice(None))
        qs = search.qs
        total = qs.count()
        key = lib._walk_key(search)
        assert key is not None
        for offset in range(0, scan - 6, 7):
            lib._WALKS[key] = True
            want = list(qs.values_list(*lib.HIT_FIELDS)[offset : offset + 7])
            rows, counted = lib.page_and_count(search, offset, 7, scan)
            assert (rows, counted) == (want, min(total, scan)), (q, offset)
            assert lib._WALKS[key] is (total >= scan and walked_within(walk_rows, scan, qs)), (q, offset)


def walked_within(walk_rows: int, scan: int, qs) -> bool:
    """Whether the newest `scan` hits of `qs` are among the newest `walk_rows` indicators."""
    newest = set(Indicator.objects.order_by("-id").values_list("id", flat=True)[:walk_rows])
    return set(qs.values_list("id", flat=True)[:scan]) <= newest


def test_only_a_common_keyword_alone_is_walked(demo, users, monkeypatch):
    """A keyword is walked (`_WALKS`) once its planned search found as many hits as counted; a rare
    one, or a search with any other filter or of a user who does not see every unit, never is."""
    from django.db import connection

    from jixiao.web.lib import compiled
    from jixiao.web.lib import search as lib

    if not compiled.prepares(connection):
        pytest.skip("walked only on PostgreSQL with prepared statements")
    monkeypatch.setattr(lib, "_WALKS", {})
    common = lib.Search(users["reviewer"], lib.SearchFilters(q="率"), lib.UnitChoice(None))
    rare = lib.Search(None, lib.SearchFilters(q="nothing-like-this"), lib.UnitChoice(None))
    assert common.qs.count() > 20
    for s in (common, rare):
        lib.page_and_count(s, 0, 7, 20)
    assert lib._WALKS == {("率", "contains"): True}
    market = demo["999001"]
    for user, f, unit in [
        (users["edu"], lib.SearchFilters(q="率"), lib.UnitChoice(None)),
        (users["market"], lib.SearchFilters(q="率"), lib.UnitChoice(None)),
        (users["reviewer"], lib.SearchFilters(q="率"), lib.UnitChoice([market.pk])),
        (users["reviewer"], lib.SearchFilters(q="率"), lib.UnitChoice([])),
        (None, lib.SearchFilters(q="率", year=2024), lib.UnitChoice(None)),
        (None, lib.SearchFilters(q="率", level1="产出指标"), lib.UnitChoice(None)),
        (None, lib.SearchFilters(q="率", level2="时效指标"), lib.UnitChoice(None)),
        (None, lib.SearchFilters(q="率", kind="percent"), lib.UnitChoice(None)),
        (None, lib.SearchFilters(year=2024), lib.UnitChoice(None)),
    ]:
        assert lib._walk_key(lib.Search(user, f, unit)) is None, f
    assert lib._walk_key(lib.Search(users["admin"], lib.SearchFilters(q="Rate"), lib.UnitChoice(None))) == (
        "Rate",
        "icontains",
    )
    calls = []
    real = lib._page_walked
    monkeypatch.setattr(lib, "_page_walked", lambda *a: calls.append(a) or real(*a))
    want = list(common.qs.values_list(*lib.HIT_FIELDS)[:7])
    assert lib.page_and_count(common, 0, 7, 20) == (want, 20) and len(calls) == 1
