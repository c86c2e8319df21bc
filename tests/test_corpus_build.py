"""The corpus import: one document → rows, the Parquet data set, resuming, failures, and Dask."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jixiao.corpus import dataset
from jixiao.corpus.build import find_documents, import_corpus
from jixiao.corpus.rows import document_rows
from jixiao.corpus.synthetic import generate, load_templates
from jixiao.ingest import parse_bytes
from jixiao.ingest.interpret import NoTargetTable
from tests.cli_runner import run_cli
from tests.conftest import SEEDS, SHARED, TRUTH, seed_files

FIELD = sorted((SHARED / "field").glob("batch*/*.txt"))


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.stem)
def test_seed_rows_match_the_hand_checked_extraction(path: Path) -> None:
    truth = json.loads((TRUTH / f"{path.stem}.json").read_text(encoding="utf-8"))
    r = document_rows(path.read_bytes(), str(path))
    assert r.status == "ok", r.document["message"]
    assert r.document["unit_name"] == truth["unit_name"] and r.document["year"] == truth["year"]
    assert len(r.projects) == len(truth["projects"])
    want = [(p["name"], i["name"], i["value"]) for p in truth["projects"] for i in p["indicators"]]
    got = [(x["project_name"], x["name"], x["value"]) for x in r.indicators]
    assert len(got) == len(want)
    assert sum(g == w for g, w in zip(got, want, strict=True)) / len(want) >= 0.99
    assert {x["unit_name"] for x in r.indicators} >= {truth["unit_name"]}


def test_indicator_rows_carry_the_parsed_target_with_scales_folded_in() -> None:
    path = SEEDS / "002_395e31acaf57e48c.txt"
    r = document_rows(path.read_bytes(), str(path))
    row = next(x for x in r.indicators if x["value"] and "批次" in x["value"] and x["value"].startswith("≥"))
    assert row["target_kind"] == "number" and row["target_op"] == ">=" and row["target_base_unit"] == "批次"
    assert row["target_base_value"] == row["target_value"] > 0
    assert row["unit_region"] == "河北省邢台市巨鹿县" and row["year"] == 2024
    assert row["level1_canonical"] and row["level2_canonical"]
    money = [x for x in r.indicators if (x["target_unit"] or "").startswith("万元")]
    assert money and all(x["target_base_value"] == pytest.approx(x["target_value"] * 10000) for x in money)


def test_measure_unit_column_supplies_a_missing_unit() -> None:
    """指标值 `470` with 度量单位 `元/人` (a layout seen in 甘孜州's tables) compares as 470 元/人."""
    from jixiao.corpus.rows import disclosure_rows
    from jixiao.model import Disclosure, Indicator, Project

    ind = Indicator("产出指标", "成本指标", "检查差旅费", value="470", measure_unit="元/人")
    doc = Disclosure(
        "x.txt",
        unit_code="324001",
        unit_name="甘孜藏族自治州市场监督管理局机关",
        year=2024,
        projects=[Project(1, "绩效目标表", "食品安全工作", indicators=[ind])],
    )
    _projects, [row] = disclosure_rows(doc, sha256="0", path="x.txt")
    assert row["target_unit"] is None and row["target_value"] == 470
    assert row["target_base_unit"] == "元/人" and row["target_base_value"] == 470
    assert row["level1_canonical"] == "产出指标" and row["level2_canonical"] == "成本指标"


@pytest.mark.parametrize("path", FIELD, ids=lambda p: p.stem)
def test_field_pages_never_fail_and_rows_follow_the_parse(path: Path) -> None:
    data = path.read_bytes()
    r = document_rows(data, str(path))
    try:
        doc = parse_bytes(data, str(path))
    except NoTargetTable as e:  # a 自评表 page: readable, no target table, said so
        assert r.status == "empty" and e.message in r.document["message"] and not r.indicators
        return
    assert r.status in ("ok", "warnings")
    assert len(r.indicators) == sum(len(p.indicators) for p in doc.projects)
    assert r.document["n_warnings"] == len(doc.warnings)


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "无法读取"), (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "无法读取"), (b"PK\x03\x04broken", "无法读取")],
    ids=["empty", "legacy-doc", "broken-zip"],
)
def test_bad_bytes_become_a_failed_row_with_a_chinese_message(data: bytes, words: str) -> None:
    r = document_rows(data, "bad.docx")
    assert r.status == "failed" and words in r.document["message"] and "bad.docx" in r.document["message"]
    assert r.projects == [] and r.indicators == []


def _corpus(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for p in seed_files():
        shutil.copy(p, src / p.name)
    for p in [f for f in FIELD if "selfeval" in f.name][:4]:  # readable, but no target table
        shutil.copy(p, src / "sub" / p.name)
    (src / "sub" / "empty.txt").write_bytes(b"")
    (src / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (src / "notes.md").write_text("not a document")
    return src


def test_import_writes_three_partitioned_tables_and_records_each_failure(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "ds"
    s = import_corpus([str(src)], out, workers=0, batch_size=3)
    assert s.found == 11 and s.documents == 11 and s.skipped == 0
    assert s.by_status["failed"] == 2 and s.by_status["ok"] == 5
    assert {Path(p).name for p, _m in s.failures} == {"empty.txt", "broken.docx"}
    assert len(dataset.partitions(out)) == 4  # 11 documents, 3 per partition
    for table in ("projects", "indicators"):
        assert len(dataset.partitions(out, table)) == 4
    docs = dataset.read(out, "documents").to_pylist()
    assert len({(d["sha256"], d["path"]) for d in docs}) == 11
    failed = [d for d in docs if d["status"] == "failed"]
    assert all("无法读取" in d["message"] for d in failed)
    ind = dataset.read(out, "indicators")
    assert ind.num_rows == s.indicators == sum(d["indicators"] for d in docs)
    assert ind.num_rows >= 580
    assert pq.read_schema(dataset.partitions(out, "indicators")[0]) == dataset.schema("indicators")


def test_a_second_run_skips_what_is_done_and_reads_changed_files_again(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "ds"
    import_corpus([str(src)], out, workers=0)
    again = import_corpus([str(src)], out, workers=0)
    assert again.skipped == 11 and again.documents == 0
    # touched but unchanged: read and hashed, not written again
    seed = src / seed_files()[0].name
    os.utime(seed, ns=(time.time_ns(), time.time_ns() + 10**9))
    touched = import_corpus([str(src)], out, workers=0)
    assert touched.skipped == 11 and touched.documents == 0
    # changed content at the same path: a new row, which becomes the current one
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text + "\n", encoding="utf-8")
    changed = import_corpus([str(src)], out, workers=0)
    assert changed.documents == 1 and changed.skipped == 10
    assert dataset.read(out, "documents").num_rows == 12
    cur = dataset.current_documents(out).to_pylist()
    assert len(cur) == 11
    assert next(d for d in cur if d["path"] == str(seed.absolute()))["size"] == len(text.encode()) + 1
    n_current = sum(d["indicators"] for d in cur)
    assert dataset.read_current(out, "indicators").num_rows == n_current
    # failed files are done too, unless asked to retry them
    assert import_corpus([str(src)], out, workers=0).documents == 0
    assert import_corpus([str(src)], out, workers=0, retry_failed=True).documents == 2


def test_a_stopped_run_leaves_no_half_partition(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "ds"
    import_corpus([str(src)], out, workers=0, batch_size=4)
    # a run stopped after writing a partition's indicators but before its documents file
    orphan = out / "indicators" / "part-29990101T000000-000000-000001.parquet"
    shutil.copy(dataset.partitions(out, "indicators")[0], orphan)
    (out / "projects" / ".x.parquet.1234.tmp").write_bytes(b"half")
    s = import_corpus([str(src)], out, workers=0)
    assert s.removed_orphans == 2 and not orphan.exists()
    assert dataset.read(out, "indicators").num_rows == sum(
        d["indicators"] for d in dataset.read(out, "documents").to_pylist()
    )


def test_find_documents_takes_directories_globs_and_files(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    assert len(find_documents([str(src)])) == 11  # notes.md is not a document
    assert len(find_documents([str(src / "*.txt")])) == 5
    assert len(find_documents([str(src / "**" / "*.txt"), str(src / "notes.md")])) == 11


def test_local_cluster_with_two_worker_processes_gives_the_same_rows(tmp_path: Path) -> None:
    templates = load_templates(seed_files() + FIELD[:3])
    src = tmp_path / "syn"
    generate(templates, src, 40, seed=3)
    (src / "bad.docx").write_bytes(b"PK\x03\x04 broken")
    local = import_corpus([str(src)], tmp_path / "a", workers=0)
    seen: list[int] = []
    dask = import_corpus(
        [str(src)], tmp_path / "b", workers=2, batch_size=4, progress=lambda p: seen.append(p.done)
    )
    assert dask.workers == 2 and len(dask.worker_peak_rss) == 2
    assert dask.documents == local.documents == 41 and dask.by_status == local.by_status
    assert dask.by_status["failed"] == 1 and dask.failures[0][0].endswith("bad.docx")
    assert seen[-1] == 41 and seen == sorted(seen)

    def rows(out: Path) -> list[tuple]:
        t = dataset.read(out, "indicators", ["path", "project_seq", "seq", "unit_name", "year", "value"])
        return sorted(t.to_pylist(), key=lambda r: (r["path"], r["project_seq"], r["seq"]))  # type: ignore[arg-type]

    assert rows(tmp_path / "a") == rows(tmp_path / "b")
    years = {r["year"] for r in rows(tmp_path / "b")}
    assert len(years) > 2  # the synthetic corpus varies the year


def test_import_command_reports_progress_and_failures_and_resumes(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    cmd = ["corpus", "import", str(src), "--out", str(tmp_path / "ds")]
    r = run_cli([*cmd, "--workers", "0"])
    assert r.returncode == 0, r.stderr
    assert "导入：11/11 个文件" in r.stderr
    assert f"{src / 'broken.docx'}: 无法读取：" in r.stderr  # a whole .docx: no line
    assert "共 11 个文件：本次处理 11 个（成功 5，无绩效目标表 4，失败 2）" in r.stderr
    r = run_cli([*cmd, "--workers", "0"])
    assert r.returncode == 0 and "本次处理 0 个（无），已完成跳过 11 个" in r.stderr
    r = run_cli([*cmd[:-3], str(tmp_path / "none"), "--out", str(tmp_path / "x")])
    assert r.returncode == 2 and "没有找到可导入的文件" in r.stderr


def test_the_command_line_loads_dask_and_pyarrow_only_for_corpus_commands() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from jixiao.cli.main import build_parser; build_parser(); "
        "print(sorted(m for m in ('dask', 'distributed', 'pyarrow', 'pandas') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_a_running_schedulers_address_takes_the_work(tmp_path: Path) -> None:
    """`--scheduler ADDRESS`: the same import on a cluster started apart (here a scheduler with one
    worker process on this machine), reached only by its address."""
    from distributed import LocalCluster

    src = _corpus(tmp_path)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        s = import_corpus([str(src)], tmp_path / "ds", scheduler=cluster.scheduler_address)
        workers = set(cluster.scheduler_info["workers"])
    assert s.workers == 1 and set(s.worker_peak_rss) == workers
    assert s.documents == 11 and s.by_status["ok"] == 5 and s.by_status["failed"] == 2
    again = import_corpus([str(src)], tmp_path / "ds", workers=0)
    assert again.skipped == 11


def test_a_worker_that_dies_fails_its_batch_not_the_run(tmp_path: Path) -> None:
    """A document that kills its worker process (a parser crash, memory exhausted): the batch is
    reported failed, the other batches are written, and the next run reads that batch again."""
    src = _corpus(tmp_path)
    poison = src / "zz-poison.txt"
    poison.write_text("绩效目标表\n")
    import jixiao.corpus.build as build

    real = build.import_batch

    def dies_on_poison(items, out, part, run, year=None):  # runs in the worker process
        if any(i.path.endswith("zz-poison.txt") for i in items):
            os._exit(1)
        return real(items, out, part, run, year)

    build.import_batch = dies_on_poison
    try:
        import dask

        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # no retries on a new worker
            s = import_corpus([str(src)], tmp_path / "ds", workers=1, batch_size=1)
    finally:
        build.import_batch = real
    assert s.documents == 12
    lost = [m for p, m in s.failures if p.endswith("zz-poison.txt")]
    assert lost and "下次运行时重新读取" in lost[0]
    assert dataset.read(tmp_path / "ds", "documents").num_rows == 11
    again = import_corpus([str(src)], tmp_path / "ds", workers=0)
    assert again.skipped == 11 and again.documents == 1
