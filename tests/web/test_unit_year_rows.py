"""The unit-year page's project rows, made in Python (`lib.unit_year.prepare_rows`), are what the
autoescaping templates made of the same projects: the reference templates below are the rows as
templates once wrote them, from the projects' own fields and the filters. Checked on the demo's
unit-years with hostile text in every field a row shows, a project of another unit in a bureau's
disclosure, projects without a review, monitoring or self-evaluation."""

from __future__ import annotations

import pytest
from django.template import engines

from jixiao.web.lib.cycle import unit_year_cycle
from jixiao.web.lib.unit_year import prepare_rows, read_unit_year
from jixiao.web.models import Project

pytestmark = pytest.mark.django_db

PROJECT_ROWS = (
    "{% for p in projects %}<tr><td>{{ p.seq }}</td><td><a href=\"{{ url('project', p.pk) }}\">"
    "{{ p.name or p.title }}</a>{% if p.unit_id != unit.pk and p.unit.name %} "
    '<small class="muted">（{{ p.unit.name }}）</small>{% endif %}</td>\n'
    '    <td class="code">{{ p.code or "—" }}</td><td class="num">{{ p.budget_total|money }}</td>'
    '<td class="num">{{ p.budget_fiscal|money }}</td>\n'
    '    <td class="num">{{ p.budget_other|money }}</td><td class="num">{{ p.indicators_n }}</td><td>'
    "{% set o = outcomes.get(p.pk) if outcomes else none %}{% if o and o.grade %}"
    '<a href="{{ url(\'project\', p.pk) }}#review" class="grade g-{{ o.grade }}" '
    "title=\"错误 {{ o.counts.get('error', 0) }} · 警告 {{ o.counts.get('warning', 0) }} · "
    "提示 {{ o.counts.get('hint', 0) }}\">{{ o.grade }}</a>{% endif %}</td>"
    '<td><span class="state {{ p.state }}">{{ p.get_state_display() }}</span></td></tr>\n'
    "  {% endfor %}"
)

CYCLE_ROWS = (
    "{% for p in projects %}<tr class=\"row-{{ p.light or 'none' }}\"><td>{{ p.seq }}</td>"
    "<td>{{ p.name or p.title }}</td>\n"
    "    <td><a href=\"{{ url('project_monitor', p.pk) }}\">"
    "<span class=\"light {{ p.light or 'none' }}\">{{ p.light_label or '未填报' }}</span></a></td>\n"
    "    <td>{{ p.as_of or '' }}</td>"
    "<td class=\"num\">{{ '' if p.execution_rate is none else p.execution_rate|percent(1) }}</td>\n"
    '    <td class="num"><a href="{{ url(\'project_selfeval\', p.pk) }}">'
    "{{ '未填报' if p.score is none else p.score }}</a></td>"
    '<td>{% if p.grade %}<span class="grade g-{{ p.grade }}">{{ p.grade }}</span>{% endif %}</td></tr>'
    "{% endfor %}"
)

HOSTILE = "<b>\"A&B'</b>"


def _rows_both_ways(users, unit, year, *, with_review=True):
    data = read_unit_year(users["admin"], unit.pk, year)
    review = data.review if with_review else None
    for p in data.projects:
        p.indicators_n = review.indicators.get(p.pk, 0) if review else 0
    unit_year_cycle(data.projects, year)
    outcomes = review.outcomes if review else None
    got = prepare_rows(data.projects, data.unit, outcomes)
    env = engines["jinja2"].env
    ctx = {"projects": data.projects, "unit": data.unit, "outcomes": outcomes}
    want_projects = env.from_string(PROJECT_ROWS).render(ctx)
    want_cycle = env.from_string(CYCLE_ROWS).render(ctx)
    return data, (str(got.projects), str(got.cycle)), (want_projects, want_cycle)


def test_rows_are_the_templates_rows(demo, users):
    checked = 0
    for unit in demo.values():
        for year in sorted(set(Project.objects.filter(unit=unit).values_list("year", flat=True))):
            data, got, want = _rows_both_ways(users, unit, year)
            assert got == want
            checked += len(data.projects)
    assert checked >= 10


@pytest.mark.parametrize("hostile", [HOSTILE, HOSTILE + "\x1f分\x1f隔"])  # and the rows' separator
def test_hostile_text_is_escaped_as_the_templates_escaped_it(demo, users, hostile):
    from markupsafe import escape

    market, edu = demo["999001"], demo["999002"]
    projects = list(Project.objects.filter(unit=market, year=2024).order_by("seq"))
    assert len(projects) >= 3
    first, second, third = projects[:3]
    Project.objects.filter(pk=first.pk).update(
        name=hostile, code=hostile, state="<s>\"&'", monitor_light="\"x'<", eval_grade="<&"
    )
    Project.objects.filter(pk=second.pk).update(name="", title=hostile, code="", budget_other=None)
    # a bureau's disclosure holding a table of another unit (named with markup)
    Project.objects.filter(pk=third.pk).update(unit=edu)
    edu.name = hostile
    edu.save()
    market.name = hostile
    market.save()
    data, got, want = _rows_both_ways(users, market, 2024)
    assert got == want
    assert str(escape(hostile)) in got[0] and "<b>" not in got[0] + got[1]
    assert f"（{escape(hostile)}" in got[0]  # the other unit's name, escaped
    assert data.review is not None and 'class="grade g-' in got[0]
    # and without a review (the page when reading it failed: no grades)
    _data, got, want = _rows_both_ways(users, market, 2024, with_review=False)
    assert got == want and 'class="grade g-' not in got[0]


def _sequential(rules_of, categories_of):
    """The sums as adding the rows one after another gives them."""
    from collections import Counter

    rules, categories = Counter(), Counter()
    for found in rules_of:
        rules.update(found)
    for cats in categories_of:
        for l1, l2, n in cats:
            categories[(l1, l2)] += n
    return rules, categories


def test_rules_and_categories_summed_once_a_text_are_the_rows_added_one_by_one():
    """`reviews._summed` decodes each distinct JSON text once and weighs it by how often it comes:
    the sums, the order of `most_common` (ties in the order codes first come) and of the categories
    are those of adding every row in turn; texts with repeats, ties, empty rows and None levels."""
    import json
    import random

    from jixiao.web.lib import reviews

    rnd = random.Random(5)
    codes = ["JX101", "JX203", "JX116", "JX505", "JX208"]
    levels = [("产出指标", "数量指标"), ("效益指标", None), (None, None), ("满意度指标", "服务对象")]
    for _ in range(300):
        rule_pool = [
            json.dumps({c: rnd.randint(0, 3) for c in rnd.sample(codes, rnd.randint(0, 4))}) for _ in range(4)
        ]
        cat_pool = [
            json.dumps([[*lv, rnd.randint(1, 3)] for lv in rnd.sample(levels, rnd.randint(0, 4))])
            for _ in range(4)
        ]
        n = rnd.randint(0, 30)
        rules_texts = [rnd.choice(rule_pool) for _ in range(n)]
        cat_texts = [rnd.choice(cat_pool) for _ in range(n)]
        got_rules, got_cats = reviews._summed(rules_texts, cat_texts)
        want_rules, want_cats = _sequential(
            [json.loads(t) for t in rules_texts], [json.loads(t) for t in cat_texts]
        )
        assert got_rules.most_common() == want_rules.most_common()
        assert list(got_cats.items()) == list(want_cats.items())
    # values a database driver decoded already are summed as they are
    got = reviews._summed([{"JX101": 1}, {"JX101": 2}], [[["a", "b", 1]], [["a", "b", 2]]])
    assert got == _sequential([{"JX101": 1}, {"JX101": 2}], [[["a", "b", 1]], [["a", "b", 2]]])


REVIEW_CELLS = (
    "{% for code, n in review.rules[:6] %}"
    '<a class="code" href="{{ url(\'review_rules\') }}#{{ code|lower }}">{{ code }}</a> {{ n }}　'
    "{% endfor %}|"
    '{% for g in review.grades %}<th><span class="grade g-{{ g }}">{{ g }}</span></th>{% endfor %}|'
    '{% for g, n in review.grades.items() %}<td class="num">{{ n }}</td>{% endfor %}'
)


@pytest.mark.parametrize("hostile", [HOSTILE, "JX<1>\x1f&X"])
def test_review_cells_are_the_templates(demo, users, hostile):
    """The review box's rule links and grade cells (`review_cells`) are what the template made: the
    page's own summary, and one with markup in a rule code and a grade, more than six rules."""
    from jixiao.web.lib.reviews import UnitYearSummary
    from jixiao.web.lib.unit_year import review_cells

    env = engines["jinja2"].env
    market = demo["999001"]
    summary = read_unit_year(users["admin"], market.pk, 2024).review
    assert summary is not None and summary.rules
    rules = [(f"JX{i}{hostile}", i) for i in range(8)]
    made_up = UnitYearSummary({}, {"优": 1, hostile: 2, "差": 0}, {}, [], rules)
    for review in (summary, made_up):
        cells = review_cells(review)
        want = env.from_string(REVIEW_CELLS).render(review=review)
        assert f"{cells.rules}|{cells.grade_heads}|{cells.grade_counts}" == want


def test_kept_rows_are_made_anew_when_anything_they_show_changes(demo, users):
    """`prepare_rows` keeps the rows it made by everything they show: asked again with the same
    projects it gives the rows it made; after a change to any value a row shows (the edits below,
    one at a time) it gives what making them afresh gives, never the rows kept before."""
    from decimal import Decimal

    from jixiao.web.lib import unit_year

    market = demo["999001"]
    first = Project.objects.filter(unit=market, year=2024).order_by("seq").first()
    edits = [
        {"name": "改过的名称"},
        {"code": "X-1"},
        {"budget_total": Decimal("123.450000")},
        {"budget_other": Decimal("7")},
        {"budget_fiscal": None},
        {"state": "submitted"},
        {"monitor_light": "red"},
        {"monitor_rate": Decimal("0.5")},
        {"eval_total": Decimal("85.50")},
        {"eval_grade": "良"},
    ]
    seen = []
    for edit in [{}, *edits]:
        Project.objects.filter(pk=first.pk).update(**edit)
        _data, got, want = _rows_both_ways(users, market, 2024)
        assert got == want, edit
        assert got not in seen, edit  # each edit shows
        seen.append(got)
        again = _rows_both_ways(users, market, 2024)[1]
        assert again == got
    projects = _rows_both_ways(users, market, 2024)[0].projects
    assert "85.50</a>" in seen[-2][1]
    assert len(projects) >= 3 and unit_year._KEPT_ROWS.size > 0


def test_kept_rows_of_a_page_made_anew_replace_its_old_ones(demo, users):
    """A page's rows made anew after an edit are kept in place of those made before: asked again
    they are not made again (the same object), and the page holds one entry of the store, not one
    for each state it was ever in."""
    from decimal import Decimal

    from jixiao.web.lib import unit_year

    market = demo["999001"]
    first = Project.objects.filter(unit=market, year=2024).order_by("seq").first()
    unit_year._KEPT_ROWS.values.clear()
    unit_year._KEPT_ROWS.size = 0

    def rows():
        data = read_unit_year(users["admin"], market.pk, 2024)
        for p in data.projects:
            p.indicators_n = data.review.indicators.get(p.pk, 0)
        unit_year_cycle(data.projects, 2024)
        return prepare_rows(data.projects, data.unit, data.review.outcomes)

    rows()
    entries, size = len(unit_year._KEPT_ROWS.values), unit_year._KEPT_ROWS.size
    for i in range(3):
        Project.objects.filter(pk=first.pk).update(budget_total=Decimal(100 + i))
        made = rows()
        assert f">{100 + i}</td>" in str(made.projects)
        assert rows() is made  # kept, not made again
        assert len(unit_year._KEPT_ROWS.values) == entries
        assert unit_year._KEPT_ROWS.size == sum(n for _v, n in unit_year._KEPT_ROWS.values.values())
        assert unit_year._KEPT_ROWS.size <= size + 100


def test_kept_values_stay_within_their_limit():
    from jixiao.kept import Kept

    kept = Kept(100)
    for i in range(50):
        kept.put(("key", i), f"value {i}", 30)
        assert kept.size == sum(size for _v, size in kept.values.values()) <= 100
    assert kept.get(("key", 49)) == "value 49" and kept.get(("key", 0)) is None  # the oldest go
    kept.put("huge", "x", 101)  # more than the limit: not kept, nothing dropped for it
    assert kept.get("huge") is None and kept.get(("key", 49)) == "value 49"


def test_kept_values_shared_by_threads_stay_consistent():
    import sys
    import threading

    from jixiao.kept import Kept

    kept = Kept(1000)
    errors = []

    def fill(n):
        try:
            for i in range(2000):
                kept.put((n, i), i, 7)
                kept.get((n, i - 1))
        except Exception as e:  # a dictionary changed while dropping the oldest, a key gone twice
            errors.append(e)

    threads = [threading.Thread(target=fill, args=(n,)) for n in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switching all the time (unlocked, most runs fail)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert kept.size == 7 * len(kept.values) <= 1000


class _Reads:
    """An object's stand-in that notes the name of every attribute read through it."""

    def __init__(self, obj, seen):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_seen", seen)

    def __getattr__(self, name):
        self._seen.add(name)
        return getattr(self._obj, name)


def test_kept_rows_key_holds_every_value_the_rows_read(demo, users):
    """Whatever `_prepare_rows` reads of a project or of its review outcome, `_rows_key` reads too:
    a value shown in the rows but left out of the key would let a page show rows kept from before
    that value changed. (A method of the project counts as the field it shows.)"""
    from jixiao.web.lib import unit_year

    derived = {"get_state_display": "state"}
    checked = 0
    for unit in demo.values():
        for year in sorted(set(Project.objects.filter(unit=unit).values_list("year", flat=True))):
            data = read_unit_year(users["admin"], unit.pk, year)
            review = data.review
            for p in data.projects:
                p.indicators_n = review.indicators.get(p.pk, 0) if review else 0
            unit_year_cycle(data.projects, year)
            outcomes = review.outcomes if review else None
            reads: dict[str, set[str]] = {}
            for name, use in (("key", unit_year._rows_key), ("rows", unit_year._prepare_rows)):
                seen_p, seen_o = set(), set()
                projects = [_Reads(p, seen_p) for p in data.projects]
                wrapped = {k: _Reads(o, seen_o) for k, o in (outcomes or {}).items()} if outcomes else None
                use(projects, data.unit if name == "rows" else data.unit.pk, wrapped)
                reads[name] = {derived.get(a, a) for a in seen_p} | {f"outcome.{a}" for a in seen_o}
            assert reads["rows"] <= reads["key"], reads["rows"] - reads["key"]
            checked += len(data.projects)
    assert checked >= 10
