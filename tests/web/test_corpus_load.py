"""`jixiao corpus load`: a corpus data set into the database as published disclosures, idempotently.

Runs on SQLite (batched inserts) and on PostgreSQL (COPY) alike.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.corpus import dataset
from jixiao.corpus.build import import_corpus
from jixiao.ingest import parse_file
from jixiao.web import actions, convert
from jixiao.web.actions.corpus import load_dataset
from jixiao.web.models import Disclosure, History, Indicator, Project, State, Unit
from tests.cli_runner import run_cli
from tests.conftest import SEEDS, seed_files

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/seeds")


@pytest.fixture(scope="module")
def seeds_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "ds"
    s = import_corpus([str(p) for p in seed_files()], out, workers=0, batch_size=2)
    assert s.by_status == {"ok": 5}
    return out


def _counts() -> tuple[int, int, int, int]:
    return (
        Unit.objects.count(),
        Disclosure.objects.count(),
        Project.objects.count(),
        Indicator.objects.count(),
    )


@pytest.mark.django_db
def test_load_stores_every_document_as_a_published_unit_year(seeds_dataset: Path) -> None:
    docs = dataset.read(seeds_dataset, "documents").to_pylist()
    n_ind = sum(d["indicators"] for d in docs)
    n_proj = sum(d["projects"] for d in docs)
    s = load_dataset(None, seeds_dataset, batch=50)
    assert (s.unit_years, s.projects, s.indicators) == (5, n_proj, n_ind)
    assert _counts() == (s.units, 5, n_proj, n_ind)
    assert set(Project.objects.values_list("state", flat=True)) == {State.PUBLISHED}
    assert History.objects.filter(action="import", disclosure__isnull=False).count() == 5
    assert all(p.version == 1 for p in Project.objects.all())
    jl = Disclosure.objects.get(unit__name="巨鹿县市场监督管理局本级", year=2024)
    assert jl.unit.region == "河北省邢台市巨鹿县" and jl.unit.code == "414001"
    assert jl.overall_goal and jl.projects.count() == 10


@pytest.mark.django_db
def test_loaded_rows_equal_what_the_single_import_stores(seeds_dataset: Path) -> None:
    load_dataset(None, seeds_dataset)
    for path in seed_files():
        doc = parse_file(path)
        disc = Disclosure.objects.get(unit__name=doc.unit_name, year=doc.year)
        projects = list(disc.projects.order_by("seq"))
        assert len(projects) == len(doc.projects)
        for p, stored in zip(doc.projects, projects, strict=True):
            fields = convert.project_fields(p)
            assert {k: getattr(stored, k) for k in ("name", "code", "seq", "purpose", "goal")} == {
                k: fields[k] for k in ("name", "code", "seq", "purpose", "goal")
            }
            assert stored.budget_total == p.budget_total
            assert stored.spending_plan == fields["spending_plan"]
            rows = list(stored.indicators.order_by("seq"))
            assert len(rows) == len(p.indicators)
            for i, (ind, row) in enumerate(zip(p.indicators, rows, strict=True), 1):
                want = convert.indicator_fields(ind, doc.year)
                got = {k: getattr(row, k) for k in want}
                if want["target_number"] is not None:
                    assert Decimal(got.pop("target_number")) == want.pop("target_number"), (path.name, i)
                else:
                    assert got.pop("target_number") is None
                    want.pop("target_number")
                assert got == want, (path.name, p.name, i)


@pytest.mark.django_db
def test_a_second_load_writes_nothing(seeds_dataset: Path) -> None:
    load_dataset(None, seeds_dataset)
    before = _counts()
    again = load_dataset(None, seeds_dataset)
    assert (again.units, again.unit_years, again.projects, again.indicators) == (0, 0, 0, 0)
    assert again.projects_existing == before[2]
    assert _counts() == before


@pytest.mark.django_db
def test_load_never_overwrites_a_units_own_projects(seeds_dataset: Path) -> None:
    own = parse_file(seed_files()[2])  # 巨鹿县, imported by the unit itself: drafts
    r = actions.import_disclosure(None, own, published=False)
    proj = Project.objects.filter(disclosure_id=r.disclosure_id).order_by("seq").first()
    actions.edit_project(None, proj.pk, actions.ProjectEdit(version=proj.version, name="本单位改过的名称"))
    s = load_dataset(None, seeds_dataset)
    assert s.unit_years == 4 and s.projects_existing == len(own.projects)
    mine = Project.objects.filter(disclosure_id=r.disclosure_id)
    assert mine.count() == len(own.projects) and set(mine.values_list("state", flat=True)) == {State.DRAFT}
    assert mine.filter(name="本单位改过的名称").exists()


@pytest.mark.django_db
def test_only_administrators_load(seeds_dataset: Path) -> None:
    user, _ = actions.create_user(None, "u1", "reviewer", password="pw-123456")
    with pytest.raises(actions.Denied):
        load_dataset(user, seeds_dataset)
    with pytest.raises(actions.Invalid, match="不是语料库数据集"):
        load_dataset(None, seeds_dataset.parent / "missing")
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_loaded_unit_year_page_shows_the_projects(seeds_dataset: Path) -> None:
    from django.test import Client

    load_dataset(None, seeds_dataset)
    user, _ = actions.create_user(None, "admin1", "admin", password="pw-123456")
    c = Client()
    c.force_login(user)
    d = Disclosure.objects.get(unit__name="巨鹿县市场监督管理局本级", year=2024)
    page = c.get(f"/units/{d.unit_id}/2024/")
    assert page.status_code == 200
    assert "食品抽检经费" in page.content.decode()


@pytest.mark.skipif(
    os.environ.get("JIXIAO_DATABASE_URL", "").startswith("postgres"), reason="CLI tests: SQLite pass"
)
@pytest.mark.django_db
def test_load_command_twice(seeds_dataset: Path, tmp_path: Path) -> None:
    cmd = ["corpus", "load", str(seeds_dataset)]
    r = run_cli(cmd)
    assert r.returncode == 0, r.stderr
    assert "单位年度 5 个" in r.stdout and "项目 63 个" in r.stdout
    r = run_cli(cmd)
    assert r.returncode == 0 and "项目 0 个、指标 0 个；已存在未改动的项目 63 个" in r.stdout
    bad = run_cli([*cmd[:-1], str(tmp_path)])
    assert bad.returncode == 2 and "不是语料库数据集" in bad.stderr


@pytest.mark.django_db
def test_comparison_on_the_database_equals_comparison_on_the_data_set(seeds_dataset: Path) -> None:
    from jixiao.corpus.compare import compare, load_indicators, select
    from jixiao.corpus.library import build_library, library_to_dict
    from jixiao.web.lib.corpus import database_frame

    load_dataset(None, seeds_dataset)
    on_parquet, on_db = load_indicators(seeds_dataset), database_frame()
    assert len(on_db) == len(on_parquet)
    for name in ("食品抽检批次", "食品抽检率", "全年食品抽检经费金额"):
        [a] = select(on_parquet, unit="巨鹿", indicator=name)
        [b] = select(on_db, unit="巨鹿", indicator=name)
        ca, cb = compare(on_parquet, a), compare(on_db, b)
        assert ca.distribution == cb.distribution and ca.rank == cb.rank
        assert sorted(p.number for p in ca.peers) == sorted(p.number for p in cb.peers)
        assert (ca.cost_per_output is None) == (cb.cost_per_output is None)
        if ca.cost_per_output is not None:
            assert ca.cost_per_output.subject.number == cb.cost_per_output.subject.number == 300000 / 650
    la = library_to_dict(build_library(on_parquet, department="市场监管"))
    lb = library_to_dict(build_library(on_db, department="市场监管"))
    assert la["categories"] == lb["categories"]
