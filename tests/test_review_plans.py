"""Review plans are kept by what decides them, not per unit (issue 14, item 5): a process reviewing
thousands of units with the same settings keeps one plan, and its caches stay bounded."""

from __future__ import annotations

import pytest

from jixiao.model import Disclosure, Indicator, Project
from jixiao.review import engine, review_document
from jixiao.review.settings import loads_settings


def _doc(code: str) -> Disclosure:
    inds = [Indicator("产出指标", "数量指标", "检查户数", None, "≥100户", None, None, None, None)]
    p = Project(seq=1, title="t", name=f"{code}项目", code=f"{code}P1", indicators=inds)
    return Disclosure(source=f"{code}.txt", unit_code=code, unit_name=f"单位{code}", year=2024, projects=[p])


SETTINGS = """
[rules]
disable = ["JX503"]
[units."900001"]
disable = ["JX103"]
[units."900002"]
disable = ["JX103"]
[units."900003".severity]
JX305 = "hint"
"""


def test_reviewing_many_units_with_equal_settings_keeps_one_plan():
    settings = loads_settings(SETTINGS)
    engine._PLANS.clear()
    for i in range(300):
        review_document(_doc(f"8{i:05d}"), settings)
    assert len(engine._PLANS) == 1
    assert len(settings._cache) == 1  # the units without overrides share one resolution
    # two units whose overrides say the same share a plan; another severity is another plan
    for code in ("900001", "900002", "900003"):
        review_document(_doc(code), settings)
    assert len(engine._PLANS) == 3
    assert settings.for_unit("900001") == settings.for_unit("900002")
    assert settings.for_unit("900001").disabled == {"JX503", "JX103"}
    assert settings.for_unit("900003").severity == {"JX305": "hint"}


def test_a_unit_override_still_changes_what_is_found():
    settings = loads_settings(SETTINGS)
    doc = _doc("800000")
    base = {f.rule for f in review_document(doc, settings).findings}
    assert base and "JX503" not in base
    rule = sorted(base)[0]
    other = loads_settings(SETTINGS + f'\n[units."800000"]\ndisable = ["{rule}"]\n')
    assert rule not in {f.rule for f in review_document(doc, other).findings}
    assert rule in {f.rule for f in review_document(_doc("800001"), other).findings}


def test_the_web_review_caches_are_bounded_by_weight():
    from jixiao.web.lib.reviews import BoundedCache

    c = BoundedCache(100)
    for i in range(50):
        c.put(i, str(i), 10)
        assert c.weight <= 100
    assert len(c) == 10 and c.get(49) == "49" and c.get(0) is None
    c.get(40)  # used: kept over 41
    c.put("big", "x", 35)
    assert c.get(40) == "40" and c.get(41) is None and c.weight <= 100


def test_findings_the_engine_makes_equal_those_finding_makes():
    """The engine builds findings without Finding's frozen __init__; they must be the same objects
    in every respect (a field added to Finding and not to the engine fails here)."""
    from jixiao.ingest import parse_file
    from jixiao.review import Finding
    from tests.conftest import SEEDS

    docs = [parse_file(p) for p in sorted(SEEDS.glob("*.txt"))[:2]] + [_doc("800000")]
    found = [f for d in docs for f in review_document(d).findings]
    assert found
    for f in found:
        again = Finding(**vars(f))
        assert list(vars(again).items()) == list(vars(f).items())
        assert again == f and hash(again) == hash(f) and repr(again) == repr(f)


def test_hit_takes_its_fields_in_order_with_their_defaults():
    import dataclasses
    import inspect

    from jixiao.review.registry import Hit

    params = list(inspect.signature(Hit).parameters.values())
    fields = dataclasses.fields(Hit)
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    h = Hit("消息", indicator=2)
    assert (h.message, h.hint, h.indicator, h.project, h.severity) == ("消息", None, 2, None, None)
    assert h == Hit("消息", None, 2) and hash(h) == hash(Hit("消息", None, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.message = "x"  # type: ignore[misc]
