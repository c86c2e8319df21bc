"""The monitoring and self-evaluation forms show every error at once, each beside its field, and
keep what the user typed; a stored but incomplete report shows its gaps beside the fields."""

from __future__ import annotations

from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse

from jixiao.web.models import MonitoringSnapshot, Project, SelfEvaluation


def _project(demo, seq: int) -> Project:
    p = Project.objects.get(unit=demo["999001"], year=2024, seq=seq)
    # monitoring and self-evaluation are entered on approved targets
    Project.objects.filter(pk=p.pk).update(state="approved")
    return p


def _beside(doc, name: str) -> str:
    """The error text shown in the cell or label that holds the field `name`."""
    (field,) = doc.xpath(f'//*[@name="{name}"]')
    (holder,) = field.xpath("ancestor::*[self::td or self::label][1]")
    return " ".join(e.text_content() for e in holder.xpath('.//em[contains(@class, "error")]'))


SELFEVAL_OK = {
    "row-0-actual": "330批次",
    "row-1-actual": "96%",
    "row-2-actual": "100%",
    "row-3-actual": "2024年12月20日",
    "row-4-actual": "1400元/批次",
    "row-5-band": "达成年度指标",
    "row-5-score": "28",
    "row-6-actual": "92%",
}


def test_selfeval_form_shows_three_mistakes_beside_their_fields(demo, clients):
    p = _project(demo, 1)  # 产品质量监督抽查经费: 7 indicators, row 5 qualitative (30 points)
    url = reverse("project_selfeval", args=[p.pk])
    post = {
        **SELFEVAL_OK,
        "adjusted": "48.5",
        "executed": "四十",  # not a number
        "row-0-actual": "330个",  # 个 against a target in 批次
        "row-5-score": "5",  # outside 达成年度指标 [24, 30]
    }
    r = clients["market"].post(url, post)
    assert r.status_code == 400
    doc = lxml.html.fromstring(r.content.decode())
    assert "应为数字" in _beside(doc, "executed") or "四十" in _beside(doc, "executed")
    assert "监督抽查批次" in _beside(doc, "row-0-actual")
    assert "不在自评档次" in _beside(doc, "row-5-score")
    # nothing else is marked, and the alert counts exactly these three
    marked = doc.xpath('//form//em[contains(@class, "error")]')
    assert len(marked) == 3
    assert "有 3 处需要修改" in doc.xpath('//*[@role="alert"]')[0].text_content()
    # what was typed is kept
    assert doc.xpath('//input[@name="executed"]/@value') == ["四十"]
    assert doc.xpath('//input[@name="row-0-actual"]/@value') == ["330个"]
    assert doc.xpath('//input[@name="row-6-actual"]/@value') == ["92%"]
    assert doc.xpath('//select[@name="row-5-band"]/option[@selected]/text()') == ["达成年度指标"]
    assert not SelfEvaluation.objects.filter(project=p).exists()

    # the three corrected, the explanation the scorer then asks for is the only error left
    post.update(executed="46", **{"row-0-actual": "330批次", "row-5-score": "28"})
    r = clients["market"].post(url, {**post, "row-6-actual": "80%"})  # below 90%: needs a reason
    assert r.status_code == 400
    doc = lxml.html.fromstring(r.content.decode())
    assert "请填写偏差原因分析" in _beside(doc, "row-6-reason")
    assert len(doc.xpath('//form//em[contains(@class, "error")]')) == 1
    r = clients["market"].post(url, post)
    assert r.status_code == 302
    assert SelfEvaluation.objects.get(project=p).budget_executed == 46


def test_selfeval_errors_and_explanations_come_together(demo, users):
    """An unreadable actual in one row and a missing explanation in another: both at once."""
    from jixiao.web import actions

    p = _project(demo, 1)
    rows = [
        {"actual": SELFEVAL_OK.get(f"row-{i}-actual", ""), "band": "", "score": "", "reason": ""}
        for i in range(7)
    ]
    rows[5].update(band="达成年度指标", score="28")
    rows[1]["actual"] = "很多"  # not comparable with ≥95%
    rows[6]["actual"] = "70%"  # needs an explanation
    with pytest.raises(actions.Invalid) as e:
        actions.save_selfeval(
            users["market"],
            p.pk,
            actions.SelfEvalEntry(
                adjusted="48.5", executed="20", rows=tuple(actions.SelfEvalRow(**r) for r in rows)
            ),
        )
    assert {"row-1-actual", "row-6-reason", "execution_reason"} <= set(e.value.errors)


def test_monitor_form_shows_every_mistake_beside_its_field(demo, clients):
    p = _project(demo, 1)
    url = reverse("project_monitor", args=[p.pk])
    post = {
        "as_of": "2024-13-01",  # not a date
        "executed": "20",
        "reason_category": "天气",  # not one of the categories
        "row-0-actual": "200个",  # 个 against 批次
        "row-1-actual": "60%",
        "row-2-actual": "100%",
        "row-6-actual": "满意",  # a rate expected
    }
    r = clients["market"].post(url, post)
    assert r.status_code == 400
    doc = lxml.html.fromstring(r.content.decode())
    assert "日期" in _beside(doc, "as_of")
    assert "天气" in _beside(doc, "reason_category")
    assert "监督抽查批次" in _beside(doc, "row-0-actual")
    assert "群众满意度" in _beside(doc, "row-6-actual")
    assert len(doc.xpath('//form//em[contains(@class, "error")]')) == 4
    assert doc.xpath('//input[@name="as_of"]/@value') == ["2024-13-01"]
    assert doc.xpath('//input[@name="row-0-actual"]/@value') == ["200个"]
    assert doc.xpath('//input[@name="row-1-actual"]/@value') == ["60%"]
    assert not MonitoringSnapshot.objects.filter(project=p).exists()


def test_stored_incomplete_report_shows_its_gaps_beside_the_fields(demo, clients):
    p = _project(demo, 1)
    url = reverse("project_monitor", args=[p.pk])
    post = {
        "as_of": "2024-07-31",
        "executed": "5",  # 5 / 48.5 against about 58% of the year: red
        "row-0-actual": "200批次",
        "row-1-actual": "60%",
        "row-2-actual": "100%",
        "row-6-actual": "92%",
    }
    r = clients["market"].post(url, post)
    assert r.status_code == 302
    snap = MonitoringSnapshot.objects.get(project=p)
    assert snap.light == "red" and not snap.complete
    doc = lxml.html.fromstring(clients["market"].get(url).content.decode())

    def todo(name: str) -> str:
        (field,) = doc.xpath(f'//*[@name="{name}"]')
        (holder,) = field.xpath("ancestor::*[self::td or self::label][1]")
        return " ".join(e.text_content() for e in holder.xpath('.//em[contains(@class, "todo")]'))

    assert "整改措施" in todo("measures") and "完成目标可能性" in todo("likelihood")
    # every gap the report lists is shown beside a field
    assert len(doc.xpath('//form//em[contains(@class, "todo")]')) == len(snap.problems)


def test_spending_above_the_budget_refused_or_warned_beside_its_field(demo, clients):
    """全年执行数 typed in 元 (1,250,000 for 125 万元) was stored with an execution rate of
    992063% and full points; a year's execution above 全年预算数 is an error beside the field, and
    the labels say the amounts are in 万元. A monitoring amount to date above the initial 预算数 may
    be right (a budget raised during the year, which the monitoring form does not ask): saved, with
    a warning that names both amounts."""
    p = _project(demo, 1)  # 产品质量监督抽查经费, 预算数 48.5
    url = reverse("project_selfeval", args=[p.pk])
    html = clients["market"].get(url).content.decode()
    assert "全年预算数（调整后，万元）" in html and "全年执行数（万元）" in html
    r = clients["market"].post(url, {**SELFEVAL_OK, "adjusted": "48.5", "executed": "465000"})
    assert r.status_code == 400
    doc = lxml.html.fromstring(r.content.decode())
    assert "超过全年预算数" in _beside(doc, "executed")
    assert not SelfEvaluation.objects.filter(project=p).exists()
    r = clients["market"].post(url, {**SELFEVAL_OK, "adjusted": "48.5", "executed": "48.5"})
    assert r.status_code == 302

    url = reverse("project_monitor", args=[p.pk])
    r = clients["market"].post(url, {"as_of": "2024-07-31", "executed": "55"}, follow=True)
    assert r.status_code == 200
    assert MonitoringSnapshot.objects.get(project=p).executed == Decimal("55")
    html = r.content.decode()
    assert "截至监控日执行数 55 万元超过预算数 48.5 万元" in html
    r = clients["market"].post(url, {"as_of": "2024-06-30", "executed": "30"}, follow=True)
    assert "超过预算数" not in r.content.decode()
