"""bench/web.py's pairing of the trivial page's slices with each page's (issue 12, item 7): the
ratios are taken within each pair and summarised by their median, so that the machine's drift
between pairs does not move them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def web():
    path = Path(__file__).resolve().parent.parent / "bench" / "web.py"
    spec = importlib.util.spec_from_file_location("bench_web", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_web"] = mod
    spec.loader.exec_module(mod)
    return mod


def part(ms: list[float], server_s: float = 0.0, wall: float = 1.0) -> dict:
    """A slice as `Load.slice` returns it: latencies in seconds, CPU seconds by group."""
    return {"lat": [x / 1000 for x in ms], "errors": 0, "wall": wall, "cpu": {"server": server_s}}


def test_pairs_alternate_which_slice_goes_first(web) -> None:
    orders = [web.pair_order(i, "unit") for i in range(4)]
    assert orders == [("trivial", "unit"), ("unit", "trivial")] * 2


def test_percentiles_of_latencies(web) -> None:
    assert web.percentiles([x / 1000 for x in range(1, 101)]) == pytest.approx((0.0505, 0.09505))
    assert web.percentiles([0.2]) == (0.2, 0.2)
    assert web.percentiles([]) == (0.0, 0.0)


def test_ratios_are_the_median_of_each_pairs_own_ratio_with_its_quartiles(web) -> None:
    pairs = [
        (part([10] * 20, server_s=0.02), part([20] * 20, server_s=0.06)),
        (part([10] * 20, server_s=0.02), part([50] * 20, server_s=0.02)),
        (part([10] * 20, server_s=0.02), part([30] * 20, server_s=0.08)),
    ]
    r = web.pair_ratios(pairs)
    assert r["p50"] == pytest.approx((3.0, 2.5, 4.0))
    assert r["p95"] == pytest.approx((3.0, 2.5, 4.0))
    assert r["server"] == pytest.approx((3.0, 2.0, 3.5))


def test_one_outlying_pair_moves_neither_the_median_nor_the_quartiles_much(web) -> None:
    assert web.median_quartiles([2.0, 2.1, 2.2, 2.3, 13.1]) == pytest.approx((2.2, 2.1, 2.3))
    assert web.median_quartiles([4.0]) == (4.0, 4.0, 4.0)
    assert web.median_quartiles([]) == (0.0, 0.0, 0.0)


def test_a_drifting_machine_moves_the_pairs_ratios_less_than_a_floor_measured_once(web) -> None:
    # the machine slows down 2.5 times over the run; the page always costs 3 trivial pages
    slow = [1.0, 1.2, 1.5, 1.8, 2.1, 2.5]
    pairs = [(part([10 * s] * 30), part([30 * s * 1.02] * 30)) for s in slow]
    assert web.pair_ratios(pairs)["p50"][0] == pytest.approx(3.06)
    once = web.merge([p for _, p in pairs], "page")["p50"] / web.merge([pairs[0][0]], "floor")["p50"]
    assert once > 4.5  # what a floor measured once, first, would have said


def test_a_pair_without_a_trivial_figure_is_left_out(web) -> None:
    pairs = [(part([]), part([20] * 5)), (part([10] * 5), part([40] * 5))]
    r = web.pair_ratios(pairs)
    assert r["p50"] == pytest.approx((4.0, 4.0, 4.0))
    assert r["server"] == (0.0, 0.0, 0.0)  # no server CPU was read in either pair


def test_merge_adds_the_slices_up(web) -> None:
    m = web.merge([part([10, 20], server_s=0.004, wall=0.5), part([30, 40], server_s=0.004, wall=1.5)], "x")
    assert (m["n"], m["errors"], m["rps"]) == (4, 0, 2.0)
    assert m["p50"] == pytest.approx(25.0)
    assert m["cpu"]["server"] == pytest.approx(2.0)  # ms a request


def test_the_database_cpu_counts_the_backends_of_the_benchs_database_only(web) -> None:
    title = "postgres: 15/main: postgres jx_webratio_bench 127.0.0.1(59140) idle"
    assert web.serves("jx_webratio_bench", title)
    assert web.serves("jx_webratio_bench", title.replace("15/main: ", ""))  # no cluster name
    assert web.serves("jx_webratio_bench", title.replace(" ", "\0"))  # /proc's separators
    assert not web.serves("jx_webratio_bench", title.replace("jx_webratio_bench", "jx_store6_a"))
    assert not web.serves("jx_webratio", title)
    assert not web.serves("jx_webratio_bench", "postgres: 15/main: checkpointer")
    assert not web.serves("jx_webratio_bench", "/usr/lib/postgresql/15/bin/postgres -D /var/lib/x")
