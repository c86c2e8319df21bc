"""The importer on held-out pages of the national form family that no rule was written for.

`tests/heldout/make_pages.py` builds ~335 pages (the field pages' contents re-laid in every text
layout, new projects with label/header synonyms, structural variants, .docx/.xlsx/.html renderings)
with their reference extractions; `tests/heldout/score.py` prints the figures per family and the
worst pages. The floors below are the figures the importer reached when they were set, minus a
small margin: a change that generalises worse fails here, one that generalises better should raise
them. Per-family floors, not per-page ones: no page is excused or marked as an expected failure.
"""

from __future__ import annotations

import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "heldout"
sys.path.insert(0, str(HERE))

import make_pages  # noqa: E402
import score  # noqa: E402

# mean indicator F1 and mean project-field accuracy per family (measured, minus a margin)
FLOORS = {
    "relayout": (0.985, 0.98),
    "synonyms": (0.98, 0.98),
    "structure": (0.99, 0.98),
    "binary": (0.98, 0.98),
    "fieldforms": (0.965, 0.99),
}


@pytest.fixture(scope="module")
def docs() -> list[make_pages.Doc]:
    return make_pages.all_docs()


@pytest.fixture(scope="module")
def results(docs: list[make_pages.Doc]) -> list[score.Result]:
    return score.run(docs, show=3)


def test_every_family_and_layout_is_generated(docs: list[make_pages.Doc]) -> None:
    families = {d.family for d in docs}
    assert families == set(FLOORS)
    layouts = {d.layout for d in docs}
    assert layouts == set(make_pages.TEXT_LAYOUTS) | set(make_pages.BINARY_LAYOUTS)
    assert len({d.name for d in docs}) == len(docs)
    fields = sorted(p for p in make_pages.field_targets())
    assert sum(d.family == "relayout" for d in docs) == len(fields) * len(make_pages.TEXT_LAYOUTS)


def test_reference_strings_are_printed_on_their_page(docs: list[make_pages.Doc]) -> None:
    """The generator's own check: every name, level and whole value of a reference is in the text."""
    ws = re.compile(r"\s+")
    for d in docs:
        if d.suffix != "txt":
            continue
        text = re.sub(r"—\d+—", "", ws.sub("", d.data.decode("utf-8")))  # page numbers are not text
        t = d.truth
        for s in (t["unit_name"], *(p["name"] for p in t["projects"]), *(p["goal"] for p in t["projects"])):
            assert s is None or ws.sub("", s) in text, (d.name, s)
        for p in t["projects"]:
            for ind in p["indicators"]:
                for f in ("level1", "level2", "name", "basis", "description"):
                    v = ind[f]
                    assert v is None or ws.sub("", v) in text, (d.name, f, v)
                if "split" not in d.name and "flat-0" not in d.name and ind["value"]:
                    assert ws.sub("", ind["value"]) in text, (d.name, ind["value"])


def test_families_reach_their_floor(results: list[score.Result]) -> None:
    by: dict[str, list[score.Result]] = defaultdict(list)
    for r in results:
        by[r.family].append(r)
    report = []
    failed = []
    for fam, (f1_floor, pf_floor) in FLOORS.items():
        f1 = statistics.mean(r.f1 for r in by[fam])
        pf = statistics.mean(r.project_fields for r in by[fam])
        report.append(f"{fam}: F1 {f1:.3f} (floor {f1_floor}), project fields {pf:.3f} (floor {pf_floor})")
        if f1 < f1_floor or pf < pf_floor:
            failed.append(fam)
    worst = sorted(results, key=lambda r: (r.f1, r.project_fields))[:8]
    detail = [f"{r.name}: F1 {r.f1:.3f} {r.error or ''} {r.differences[:2]}" for r in worst]
    assert not failed, "\n".join([*report, "worst pages:", *detail])


def test_no_page_crashes_the_importer(results: list[score.Result]) -> None:
    """A page may be misread, but the importer never fails with an unexpected exception."""
    crashed = [f"{r.name}: {r.error}" for r in results if r.crashed]
    assert not crashed, crashed
