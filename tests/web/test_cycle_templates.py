"""The pre-filled monitoring and self-evaluation workbooks hold only the projects that can be reported
on (approved or published targets): a sheet for a project still in review would make the whole filled
workbook refused after the unit filled it in."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.web.conftest import approve_for_cycle


def _sheet_projects(data: bytes) -> list[str]:
    """The project each project sheet is for (the sheets named 监控表N / 自评表N)."""
    wb = load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        if ws.title.startswith(("监控表", "自评表")):
            out += [str(row[1]) for row in ws.iter_rows(max_row=6, values_only=True) if row[0] == "项目名称"]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["monitor", "selfeval"])
def test_the_unit_template_leaves_out_projects_not_yet_approved(clients, demo, kind):
    from jixiao.web.models import Project

    unit = demo["999001"]
    projects = list(Project.objects.filter(unit=unit, year=2024).order_by("seq"))
    for p in projects[:2]:
        approve_for_cycle(p)
    r = clients["market"].get(f"/units/{unit.pk}/2024/template/{kind}.xlsx")
    assert r.status_code == 200
    assert _sheet_projects(r.content) == [p.name for p in projects[:2]]


@pytest.mark.django_db
def test_a_unit_year_without_approved_projects_offers_no_template(clients, demo):
    unit = demo["999001"]
    html = clients["market"].get(f"/units/{unit.pk}/2024/").content.decode()
    assert f"/units/{unit.pk}/2024/template/" not in html
    assert "绩效目标批复后" in html
    r = clients["market"].get(f"/units/{unit.pk}/2024/template/selfeval.xlsx")
    assert r.status_code == 404 and "没有已批复或已公开的项目" in r.content.decode()
