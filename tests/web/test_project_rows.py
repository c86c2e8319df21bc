"""The project page's indicator rows, made in Python (`lib.project_rows.indicator_rows`), are what
the autoescaping template made of the same rows: `ROWS` below is the loop as `web/project.html`
wrote it and `FINDING` `web/review/_finding.html`, included for each finding. Checked on every demo
project, with hostile text in every field a row shows, findings under rows, a return that attached
some of them, a project without indicators."""

from __future__ import annotations

import pytest
from django.template import engines
from jinja2 import DictLoader

from jixiao.web.lib import reviews
from jixiao.web.lib.project_rows import indicator_rows
from jixiao.web.models import Indicator, Project
from jixiao.web.views.projects import _table_rows, page_indicators

pytestmark = pytest.mark.django_db

ROWS = (
    '  {% for r in rows %}<tr>\n    {% if r.l1span %}<td rowspan="{{ r.l1span }}">{{ r.ind.level1 or "'
    '" }}</td>{% endif %}\n    {% if r.l2span %}<td rowspan="{{ r.l2span }}">{{ r.ind.level2 or "" }}<'
    '/td>{% endif %}\n    <td>{{ r.ind.name or "" }}{% for f in r.findings %}<a class="mark {{ f.sever'
    'ity }}" href="#f-{{ f.key|replace(\':\', \'-\') }}" title="{{ f.title }}">{{ f.rule }}</a>{% endfor '
    '%}</td><td>{{ r.ind.description or "" }}</td><td class="value">{{ r.ind.value or "" }}</td>\n    '
    '<td>{{ r.ind.basis or "" }}</td><td class="parsed kind-{{ r.ind.target_kind }}"><span class="kin'
    'd">{{ r.ind.target_kind|kind_label }}</span> {{ r.ind.target|target_text }}{% if r.ind.target_ki'
    'nd in ("number", "percent") %} <a class="compare" href="{{ url(\'compare\', r.ind.pk) }}" title="与'
    '其他单位同类指标比较">比较</a>{% endif %}</td></tr>\n  '
    '{% if r.findings %}<tr class="row-findings"><td colspa'
    'n="5"><ul class="row-findings">{% for f in r.findings %}{% include "finding" %}{% endfor %}</ul>'
    '</td></tr>{% endif %}\n  {% else %}<tr><td colspan="7" class="muted">没有绩效指标</td></tr>{% endfor %}'
)

FINDING = (
    '<li class="finding {{ f.severity }}{% if returned and f.key in returned_keys %} attached{% endif'
    " %}\" id=\"f-{{ f.key|replace(':', '-') }}\"><a class=\"code\" href=\"{{ url('review_rules') }}#{{ f.r"
    'ule|lower }}" title="{{ f.title }}">{{ f.rule }}</a> <span class="sev sev-{{ f.severity }}">{{ f'
    '.severity|severity_label }}</span> <span class="heading-tag">{{ f.heading }}</span> {{ f.message'
    ' }}{% if f.hint %} <span class="hint">改法：{{ f.hint }}</span>{% endif %}{% if returned and f.key '
    'in returned_keys %} <span class="tag">退回时附上</span>{% endif %}</li>'
)

HOSTILE = "<b>\"A&B'</b>:x"


def _both_ways(project, returned=None, returned_keys=()):
    indicators = page_indicators(project.pk)
    findings = reviews.project_review(project, indicators)
    rows = reviews.rows_with_findings(_table_rows(indicators), findings)
    env = engines["jinja2"].env.overlay(loader=DictLoader({"finding": FINDING}))
    ctx = {"rows": rows, "returned": returned, "returned_keys": returned_keys}
    got = "  " + indicator_rows(rows, returned, returned_keys)  # the page's indent before the rows
    return got, env.from_string(ROWS).render(ctx), rows


def test_rows_are_the_templates_rows(demo):
    marked = 0
    for project in Project.objects.all():
        got, want, rows = _both_ways(project)
        assert got == want
        marked += sum(bool(r.get("findings")) for r in rows)
    assert marked  # some rows have findings under them


def test_hostile_text_and_attached_findings_as_the_template_made_them(demo, market_project):
    from markupsafe import escape

    inds = Indicator.objects.filter(project=market_project).order_by("id")
    first = inds.first()
    Indicator.objects.filter(pk=first.pk).update(
        level1=HOSTILE, level2=HOSTILE, name=HOSTILE, description=HOSTILE, value=HOSTILE, basis=HOSTILE
    )
    Indicator.objects.filter(pk=inds[1].pk).update(target_kind="<&\"x'>", target=None, name="", value="")
    got, want, rows = _both_ways(market_project)
    assert got == want and str(escape(HOSTILE)) in got and "<b>" not in got
    findings = [f for r in rows for f in r.get("findings") or ()]
    assert findings
    returned = {"username": "reviewer", "findings": [{"key": findings[0].key}]}
    got, want, _rows = _both_ways(market_project, returned, {findings[0].key})
    assert got == want and "退回时附上" in got and " attached" in got


def test_a_project_without_indicators(demo, market_project):
    Indicator.objects.filter(project=market_project).delete()
    got, want, rows = _both_ways(market_project)
    assert rows == [] and got == want and "没有绩效指标" in got
