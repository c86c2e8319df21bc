"""`import_many` (`jixiao import` of many files): two documents stored at once on PostgreSQL, the
outcome that of importing them one after another, in order, each all or nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from jixiao.web import actions
from jixiao.web.actions.imports_many import import_many, unit_keys
from jixiao.web.models import Disclosure, History, Indicator, Project, ReviewResult, Unit

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED = {s.name[:3]: s for s in sorted(SEEDS.glob("*.txt"))}

pytestmark = pytest.mark.skipif(len(SEED) < 5, reason="the seed disclosures (../shared/seeds) are not here")


def seed(n: str):
    from jixiao.ingest import parse_bytes

    return parse_bytes(SEED[n].read_bytes(), SEED[n].name)


def as_unit(doc, code: str, name: str):
    ps = [dataclasses.replace(p, unit_code=code, unit_name=name) for p in doc.projects]
    return dataclasses.replace(doc, unit_code=code, unit_name=name, projects=ps, source=f"{name}.txt")


def stored() -> list[tuple]:
    return [
        (p.unit.name, p.year, p.key, p.goal, p.version, [i.value for i in p.indicators.order_by("seq")])
        for p in Project.objects.select_related("unit").order_by("unit__name", "year", "key")
    ]


def test_the_units_a_document_may_touch():
    doc = seed("003")  # a bureau's disclosure with a subordinate's table
    keys = unit_keys(doc)
    assert len(keys) == 2 and unit_keys(doc, chosen=True) == {"\0all"}
    assert unit_keys(as_unit(doc, "1", "某 局")) == unit_keys(as_unit(doc, "2", "某局"))


@pytest.mark.parametrize("ahead", [0, 2])
@pytest.mark.django_db(transaction=True)
def test_many_documents_stored_two_at_once_as_one_after_another(ahead):
    """Results in order; a refused document (its error naming it) and one that cannot be read
    change nothing; two files of one unit-year: the later one wins, as one after another."""
    docs = [as_unit(seed(n), f"72000{i}", f"并行单位{i}") for i, n in enumerate(sorted(SEED))]
    first, later = docs[1], docs[1]
    later = dataclasses.replace(
        first,
        projects=[dataclasses.replace(p, goal=(p.goal or "") + "（后一份）") for p in first.projects],
        source="后一份.txt",
    )
    nameless = dataclasses.replace(docs[2], unit_name=None, source="无单位.txt")
    items = [*docs, "坏文件.txt", nameless, later]

    def prepare(item):
        if isinstance(item, str):
            raise ValueError(f"{item}: 无法读取")
        return item

    got = list(import_many(None, items, prepare, ahead=ahead))
    assert [item for item, _ in got] == items
    outcomes = [r for _, r in got]
    assert all(isinstance(r, actions.ImportResult) for r in outcomes[:5])
    assert isinstance(outcomes[5], ValueError) and "坏文件.txt" in str(outcomes[5])
    assert isinstance(outcomes[6], actions.ActionError) and "无单位.txt" in outcomes[6].message
    assert isinstance(outcomes[7], actions.ImportResult) and outcomes[7].created == 0
    after = stored()
    assert Disclosure.objects.count() == Unit.objects.count() == 5
    mine = [x for x in after if x[0] == "并行单位1"]
    assert mine and all(x[3].endswith("（后一份）") and x[4] == 2 for x in mine)
    # the same rows as importing them one after another
    for d in Disclosure.objects.all():
        assert ReviewResult.objects.filter(disclosure=d).count() == d.projects.count() + 1
    Disclosure.objects.all().delete()
    Unit.objects.all().delete()
    History.objects.all().delete()
    for item in items:
        try:
            actions.import_disclosure(None, prepare(item))
        except (ValueError, actions.ActionError):
            pass
    assert stored() == after
    assert Indicator.objects.count() == sum(len(x[5]) for x in after)
