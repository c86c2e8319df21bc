"""Bar charts are kept by their content (`charts._DRAWN`): drawn again, the same arguments give
what drawing them afresh gives; values equal as numbers but not as text or type are kept apart;
the kept charts stay within their limit."""

from __future__ import annotations

from decimal import Decimal

from jixiao.export import charts


def _bars(items, **kw):
    args = dict(title="指标", subtitle="小计", unit="个", width=560, label_px=150, axis_caption="个数")
    args.update(kw)
    return charts.hbars(items, **args)


def _fresh(items, **kw):
    args = dict(title="指标", subtitle="小计", unit="个", width=560, label_px=150, axis_caption="个数")
    args.update(kw)
    return charts._hbars(
        items,
        args["title"],
        args["subtitle"],
        args["unit"],
        args["width"],
        args["label_px"],
        args["axis_caption"],
        args.get("number", charts.fmt),
        3,
    )


def test_kept_charts_are_the_fresh_ones_and_values_are_told_apart():
    ints = [("数量指标", 1, "#2f6fb0"), ("质量<指标>", 2, "#d08a2c")]
    decimals = [(label, Decimal(v), c) for label, v, c in ints]
    scaled = [(label, Decimal(f"{v}.00"), c) for label, v, c in ints]
    for items in (ints, decimals, scaled, ints, decimals):
        assert _bars(items) == _fresh(items)
    assert _bars(ints) != _bars(decimals)  # integer ticks for counts only
    assert _bars(ints, title="别的") != _bars(ints) and "别的" in _bars(ints, title="别的")
    assert _bars(decimals, number=charts.money) == _fresh(decimals, number=charts.money)
    assert _bars(decimals, number=charts.money) != _bars(decimals)


def test_kept_charts_stay_within_their_limit(monkeypatch):
    drawn = charts.Kept(50_000)
    monkeypatch.setattr(charts, "_DRAWN", drawn)
    for i in range(200):
        svg = _bars([(f"项目{i}", i + 1, "#2f6fb0")])
        assert svg == _fresh([(f"项目{i}", i + 1, "#2f6fb0")])
        assert drawn.size == sum(size for _svg, size in drawn.values.values()) <= 50_000
    assert 0 < len(drawn.values) < 200
    assert _bars([("项目199", 200, "#2f6fb0")]) in [
        svg for svg, _size in drawn.values.values()
    ]  # the newest are kept
