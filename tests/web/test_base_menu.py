"""The main menu of the pages' header, made once per role and staff flag (`jinja.menu`), is the
menu the base template wrote for each user, whoever asked for a page before, and follows the
script prefix the site is served under."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.urls import set_script_prefix

from jixiao.web import jinja

pytestmark = pytest.mark.django_db

# the menu as web/base.html wrote it for the user of the page
NAV = (
    '  <nav aria-label="主菜单">\n'
    "    <a href=\"{{ url('home') }}\">工作台</a>\n"
    "    <a href=\"{{ url('units') }}\">{{ '本单位' if role == 'unit' else '预算单位' }}</a>\n"
    "    <a href=\"{{ url('search') }}\">指标检索</a>\n"
    "    <a href=\"{{ url('library') }}\">指标库</a>\n"
    "    {% if role in ('admin', 'reviewer') %}"
    "<a href=\"{{ url('review_ranking') }}\">审核排名</a>{% endif %}\n"
    "    <a href=\"{{ url('review_rules') }}\">审核规则</a>\n"
    "    {% if role in ('admin', 'unit') %}<a href=\"{{ url('upload') }}\">导入文件</a>{% endif %}\n"
    "    <a href=\"{{ url('monitoring_list') }}\">运行监控</a>\n"
    "    <a href=\"{{ url('selfeval_list') }}\">绩效自评</a>\n"
    "    {% if role in ('admin', 'unit') %}<a href=\"{{ url('cycle_upload') }}\">上传填报表</a>{% endif %}\n"
    "    <a href=\"{{ url('selfeval_check') }}\">自评表复核</a>\n"
    "    <a href=\"{{ url('monitoring_check') }}\">监控表复核</a>\n"
    '    <a href="/api/docs">API</a>\n'
    "    {% if user.is_staff %}<a href=\"{{ url('admin:index') }}\">管理后台</a>{% endif %}\n"
    "  </nav>\n"
)
MENU = re.compile(r'\n  <nav aria-label="主菜单">.*?</nav>\n', re.S)


def _want(user) -> str:
    role = "admin" if user.is_superuser else user.role
    return engines["jinja2"].env.from_string(NAV).render(role=role, user=user)


def test_each_users_menu_is_the_one_the_template_wrote(clients, users):
    users["edu"].is_staff = True  # a unit user with the admin's staff flag
    users["edu"].save()
    seen = set()
    for name in ("reviewer", "market", "admin", "edu", "reviewer", "market"):
        page = clients[name].get("/units/").content.decode()
        got = MENU.findall(page)
        assert got == ["\n" + _want(users[name]) + "\n"], name  # (a template's last newline is dropped)
        seen.add(got[0])
    assert len(seen) == 4  # reviewer, unit, admin (staff), unit with the staff flag


def test_the_menu_follows_the_script_prefix(users):
    try:
        set_script_prefix("/jx/")
        got = str(jinja.menu("reviewer", False))
        assert 'href="/jx/units/"' in got and "  " + got == _want(users["reviewer"])
    finally:
        set_script_prefix("/")
    assert 'href="/units/"' in str(jinja.menu("reviewer", False))
