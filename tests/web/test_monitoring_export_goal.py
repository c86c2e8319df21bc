"""The project's 监控表 downloaded from its page states the project's 年度总体目标."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from jixiao.web import actions
from jixiao.web.models import Project
from tests.test_export_monitoring_goal import _sheet_goal


def test_monitoring_download_fills_the_goal(demo, users, clients):
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=1)
    Project.objects.filter(pk=p.pk).update(state="approved")
    assert p.goal
    actions.save_monitoring(
        users["market"],
        p.pk,
        actions.MonitoringEntry(
            as_of="2024-07-31",
            executed="30",
            rows=tuple(
                actions.MonitoringRow(actual=a)
                for a in ["200批次", "96%", "100%", "", "1400元/批次", "", "92%"]
            ),
        ),
    )
    r = clients["market"].get(reverse("project_export", args=[p.pk, "monitor", "xlsx"]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    assert _sheet_goal(ws) == p.goal
    r = clients["market"].get(reverse("unit_export", args=[p.unit_id, 2024, "monitor", "xlsx"]))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    assert _sheet_goal(wb[wb.sheetnames[0]]) == p.goal
