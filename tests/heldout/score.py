"""Score an importer on the held-out pages (`make_pages.py`) and on the five seeds.

    python tests/heldout/score.py [--src /work/ingest/src] [--worst 15] [--show 3] [--only NAME-PREFIX]

Prints, per variant family, the mean indicator F1 (truth_score.py), the mean project-field and
document-field accuracy and the number of pages below 0.85; then per variant (the page name without
its content key), then the worst pages with their first differences. `--src` puts another checkout's
`src` first on the import path (the importer under test); by default the installed `jixiao` is used.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared"


def truth_score_module() -> Any:
    spec = importlib.util.spec_from_file_location("truth_score", SHARED / "tools" / "truth_score.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass
class Result:
    name: str
    family: str
    layout: str
    f1: float
    project_fields: float
    document_fields: float
    projects: str
    differences: list[str]
    error: str | None = None
    crashed: bool = False  # an exception other than the importer's own ReadError


def variant(name: str) -> str:
    """The page's variant without its content key.

    `structure-levels-zhi-henan-cells` → `structure-levels-zhi`."""
    parts = name.split("-")
    if parts[0] == "relayout":
        return "relayout-" + parts[-1]
    if parts[0] == "synonyms":
        return "synonyms-" + parts[-1]
    keep = [p for p in parts[:-1] if p not in _KEYS]
    return "-".join(keep) if parts[0] != "binary" else "-".join([*keep, parts[-1]])


_KEYS: set[str] = set()


def run(docs: list, *, show: int = 3) -> list[Result]:
    from jixiao.export.json import disclosure_to_dict
    from jixiao.ingest import ReadError, parse_bytes

    ts = truth_score_module()
    out = []
    for d in docs:
        try:
            got = disclosure_to_dict(parse_bytes(d.data, f"{d.name}.{d.suffix}"))
        except Exception as e:  # a page the importer refuses scores 0
            out.append(
                Result(
                    d.name,
                    d.family,
                    d.layout,
                    0.0,
                    0.0,
                    0.0,
                    "0",
                    [],
                    f"{type(e).__name__}: {e}",
                    crashed=not isinstance(e, ReadError),
                )
            )
            continue
        r = ts.score(d.truth, got, show=show)
        out.append(
            Result(
                d.name,
                d.family,
                d.layout,
                r["indicator_f1"],
                r["project_field_accuracy"],
                r["document_field_accuracy"],
                f"{r['projects_found']}/{r['projects_truth']}+{r['projects_extra']}",
                r["differences"],
            )
        )
    return out


def seeds(show: int = 3) -> list[Result]:
    from jixiao.export.json import disclosure_to_dict
    from jixiao.ingest import parse_bytes

    ts = truth_score_module()
    out = []
    for t in sorted((SHARED / "seeds").glob("*.txt")):
        truth = json.loads((SHARED / "truth" / f"{t.stem}.json").read_text(encoding="utf-8"))
        r = ts.score(truth, disclosure_to_dict(parse_bytes(t.read_bytes(), t.name)), show=show)
        out.append(
            Result(
                t.stem,
                "seeds",
                "text",
                r["indicator_f1"],
                r["project_field_accuracy"],
                r["document_field_accuracy"],
                "",
                r["differences"],
            )
        )
    return out


def summary(results: list[Result], key: Any) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    return {
        k: {
            "n": len(v),
            "f1": statistics.mean(r.f1 for r in v),
            "project": statistics.mean(r.project_fields for r in v),
            "document": statistics.mean(r.document_fields for r in v),
            "below": sum(r.f1 < 0.85 for r in v),
        }
        for k, v in sorted(groups.items())
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", help="a checkout's src directory to import jixiao from")
    ap.add_argument("--worst", type=int, default=15)
    ap.add_argument("--show", type=int, default=3)
    ap.add_argument("--only", help="score only pages whose name starts with this")
    ap.add_argument("--variants", action="store_true", help="also print per-variant figures")
    ap.add_argument("--json", help="write every page's figures to this file")
    a = ap.parse_args(argv)
    if a.src:
        sys.path.insert(0, a.src)
    sys.path.insert(0, str(HERE))
    import make_pages

    _KEYS.update(make_pages.CONTENT)
    docs = make_pages.all_docs()
    if a.only:
        docs = [d for d in docs if d.name.startswith(a.only)]
    if not docs:
        print(f"no page name starts with {a.only!r}")
        return 1
    t0 = time.perf_counter()
    results = run(docs, show=a.show)
    took = time.perf_counter() - t0
    import jixiao

    print(f"importer: {Path(jixiao.__file__).parent}; {len(docs)} pages parsed in {took:.1f} s")
    print(f"{'family':<12} {'pages':>5} {'ind F1':>7} {'proj fields':>11} {'doc fields':>10} {'<0.85':>6}")
    fam = summary(results, lambda r: r.family)
    for k, v in fam.items():
        print(
            f"{k:<12} {v['n']:>5} {v['f1']:>7.3f} {v['project']:>11.3f} "
            f"{v['document']:>10.3f} {v['below']:>6}"
        )
    norun_results = [r for r in results if r.family == "relayout" and r.layout != "run"]
    if norun_results:
        norun = summary(norun_results, lambda r: "x")["x"]
        print(
            f"{'(no run)':<12} {norun['n']:>5} {norun['f1']:>7.3f} {norun['project']:>11.3f} "
            f"{norun['document']:>10.3f} {norun['below']:>6}   relayout without the run-together layout"
        )
    allv = summary(results, lambda r: "all")["all"]
    print(
        f"{'all':<12} {allv['n']:>5} {allv['f1']:>7.3f} {allv['project']:>11.3f} {allv['document']:>10.3f} "
        f"{allv['below']:>6}"
    )
    sd = seeds()
    print("seeds: " + ", ".join(f"{r.name[:3]} F1 {r.f1:.3f} pf {r.project_fields:.3f}" for r in sd))
    if a.variants:
        print("\nper variant:")
        for k, v in summary(results, lambda r: variant(r.name)).items():
            print(f"  {k:<44} {v['n']:>3} F1 {v['f1']:.3f} proj {v['project']:.3f} doc {v['document']:.3f}")
        print("\nper layout:")
        for k, v in summary(results, lambda r: r.layout).items():
            print(f"  {k:<12} {v['n']:>3} F1 {v['f1']:.3f} proj {v['project']:.3f} doc {v['document']:.3f}")
    print(f"\nworst {a.worst}:")
    for r in sorted(results, key=lambda r: (r.f1, r.project_fields, r.document_fields))[: a.worst]:
        print(
            f"  {r.name}: F1 {r.f1:.3f} proj {r.project_fields:.3f} doc {r.document_fields:.2f} "
            f"projects {r.projects}" + (f" ERROR {r.error}" if r.error else "")
        )
        for dline in r.differences:
            print(f"      - {dline[:160]}")
    if a.json:
        Path(a.json).write_text(
            json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
