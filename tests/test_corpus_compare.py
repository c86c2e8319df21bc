"""Comparison and the indicator library against figures computed by hand on a small corpus.

The corpus: five county market-supervision bureaus (A–E) with a food-sampling project each, one
of them (A) also in 2023, an education bureau (H), and a bureau (F) whose 次 counts inspections,
not samplings. Written as parsed disclosures, turned into rows by the import's own row builder and
stored as a Parquet data set, then read back as the comparison reads any data set.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.corpus import dataset
from jixiao.corpus.compare import (
    compare,
    comparison_to_dict,
    format_comparison,
    load_indicators,
    names_agree,
    normalise_unit,
    select,
)
from jixiao.corpus.library import build_library, department_type, format_library, project_matches
from jixiao.corpus.rows import disclosure_rows
from jixiao.model import Disclosure, Indicator, Project
from tests.cli_runner import run_cli

# unit, year, budget 万元, 数量指标 (name, value), 成本指标 value
SAMPLING = [
    ("A县市场监督管理局", 2024, "30", ("食品抽检批次", "≥600批次"), "≤500元/批次"),
    ("B县市场监督管理局", 2024, "30", ("食品抽检批次", "≥500批次"), "≤0.06万元/批次"),
    ("C县市场监督管理局", 2024, "20", ("食品抽检 批次", "400批次"), "≤450元/批次"),
    ("D县市场监督管理局", 2024, "40", ("食品抽检批次", "≥1000批次"), "≤5000 元/批次"),
    ("E县市场监督管理局", 2024, "15", ("食品抽检批次", "≥300次"), "≤550元/批次"),
    ("A县市场监督管理局", 2023, "28", ("食品抽检批次", "≥550批次"), "≤520元/批次"),
]


def _doc(unit: str, year: int, projects: list[Project]) -> Disclosure:
    return Disclosure(
        f"{unit}{year}.txt",
        unit_code="414001",
        unit_name=unit,
        year=year,
        region="某省某市",
        projects=projects,
    )


def _sampling(unit: str, year: int, budget: str, qty: tuple[str, str], cost: str) -> Disclosure:
    inds = [
        Indicator("产出指标", "数量指标", qty[0], value=qty[1]),
        Indicator("产出指标", "质量指标", "抽检合格率", value="≥95%"),
        Indicator("产出指标", "成本指标", "单批次抽检成本", value=cost),
        Indicator("满意度指标", "服务对象满意度指标", "群众满意度", value="≥90%"),
    ]
    return _doc(
        unit,
        year,
        [Project(1, "项目绩效目标表", "食品安全抽检经费", budget_total=Decimal(budget), indicators=inds)],
    )


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    docs = [_sampling(*row) for row in SAMPLING]
    docs.append(
        _doc("F县市场监督管理局", 2024, [
            Project(1, "项目绩效目标表", "市场检查经费", budget_total=Decimal("10"), indicators=[
                Indicator("产出指标", "数量指标", "开展检查", value="≥20次"),
                Indicator("成本指标", "经济成本指标", "单次检查成本", value="≤5000元/次"),
            ]),
        ])
    )  # fmt: skip
    docs.append(
        _doc("H县教育局", 2024, [
            Project(1, "项目绩效目标表", "学生资助经费", budget_total=Decimal("50"), indicators=[
                Indicator("产出指标", "数量指标", "资助学生人数", value="≥200人"),
                Indicator("满意度指标", "服务对象满意度指标", "群众满意度", value="≥95%"),
            ]),
        ])
    )  # fmt: skip
    out = tmp_path_factory.mktemp("ds")
    for i, d in enumerate(docs, 1):
        projects, indicators = disclosure_rows(d, sha256=f"{i:064d}", path=d.source)
        doc_row = {
            "sha256": f"{i:064d}",
            "path": d.source,
            "run": "r1",
            "status": "ok",
            "unit_name": d.unit_name,
        }
        dataset.write_partition(
            out, f"part-r1-{i:06d}", {"documents": [doc_row], "projects": projects, "indicators": indicators}
        )
    return load_indicators(out)


def _one(frame, unit: str, indicator: str, year: int = 2024) -> int:
    [row] = select(frame, unit=unit, indicator=indicator, year=year)
    return row


def test_units_are_normalised_and_names_compared() -> None:
    assert normalise_unit("万元/批次") == ("元/批次", 1e4)
    assert normalise_unit("千元") == ("元", 1e3)
    assert normalise_unit("件/万人") == ("件/万人", 1.0)  # a 万 in the denominator is no scale
    assert normalise_unit("％") == ("%", 1.0)
    assert names_agree("食品抽检批次", "食品抽检 批次") and names_agree("抽检批次", "食品抽检批次")
    assert not names_agree("开展检查", "食品抽检批次")


def test_cost_indicator_among_other_units_by_hand(frame) -> None:
    c = compare(frame, _one(frame, "A县", "单批次抽检成本"))
    assert c.unit == "元/批次" and c.category == ("成本指标", "经济成本指标")
    # peers: B 0.06万元/批次 = 600, C 450, D 5000, E 550; not A's own 2023 target, not F's 元/次
    assert sorted(p.number for p in c.peers) == [450, 550, 600, 5000]
    assert {p.unit_name for p in c.peers} == {
        "B县市场监督管理局",
        "C县市场监督管理局",
        "D县市场监督管理局",
        "E县市场监督管理局",
    }
    d = c.distribution
    # 450 500 550 600 5000: Q1 at position 1 = 500, median 550, Q3 at position 3 = 600; IQR 100
    assert (d.n, d.min, d.q1, d.median, d.q3, d.max) == (5, 450, 500, 550, 600, 5000)
    assert (d.low_fence, d.high_fence) == (350, 750)
    assert c.rank == 4  # 550, 600 and 5000 are higher
    assert [(e.unit_name, e.outlier) for e in c.outliers] == [("D县市场监督管理局", "高")]
    assert c.subject.outlier is None


def test_cost_per_unit_of_output_by_hand(frame) -> None:
    c = compare(frame, _one(frame, "A县", "单批次抽检成本")).cost_per_output
    assert c is not None and c.unit == "元/批次"
    # A: 30万元 ÷ 600批次 = 500 元/批次
    assert c.subject.number == pytest.approx(500)
    # B 300000/500 = 600, C 200000/400 = 500, D 400000/1000 = 400, E 150000/300次 = 500 (次 agrees by name)
    assert sorted(round(p.number, 6) for p in c.peers) == [400, 500, 500, 600]
    d = c.distribution
    assert (d.q1, d.median, d.q3) == (500, 500, 500)
    assert {(e.unit_name, e.outlier) for e in c.outliers} == {
        ("D县市场监督管理局", "低"),
        ("B县市场监督管理局", "高"),
    }
    assert c.rank == 2


def test_ci_with_batches_only_when_names_agree(frame) -> None:
    c = compare(frame, _one(frame, "A县", "食品抽检批次"))
    units = {p.unit_name: p.number for p in c.peers}
    assert units == {
        "B县市场监督管理局": 500,
        "C县市场监督管理局": 400,
        "D县市场监督管理局": 1000,
        "E县市场监督管理局": 300,
    }
    assert "F县市场监督管理局" not in units  # 开展检查 ≥20次 names another output
    assert "H县教育局" not in units  # 人, not 批次


def test_percent_and_text_indicators(frame) -> None:
    c = compare(frame, _one(frame, "H县", "群众满意度"))
    # A's 2024 and 2023 targets, B–E: six peers at 90%; H's own ≥95% is the highest
    assert c.unit == "%" and sorted(p.number for p in c.peers) == [90] * 6
    assert c.rank == 1 and c.distribution.median == 90
    assert c.outliers == [c.subject] and c.subject.outlier == "高"  # IQR 0: anything off 90 is an outlier
    text = format_comparison(c)
    assert "中位数 90" in text and "排第 1 位" in text
    assert json.loads(json.dumps(comparison_to_dict(c), ensure_ascii=False))["distribution"]["n"] == 7


def test_department_types_and_project_words() -> None:
    assert department_type("A县市场监督管理局") == "市场监管"
    assert department_type("湘潭市环境卫生管理处") == "城市管理"
    assert department_type("区卫生健康局") == "卫生健康"
    assert department_type("某某中心", "学生资助经费") == "其他"
    assert department_type("南岳区实验中学") == "教育"
    assert project_matches("食品安全抽检经费", "食品抽检") and project_matches(
        "食品安全抽检经费", "食品 抽检"
    )
    assert not project_matches("学生资助经费", "食品抽检")


def test_library_for_food_sampling_by_hand(frame) -> None:
    lib = build_library(frame, department="市场监管", project_words="食品抽检", examples=3)
    assert lib.units == 5 and lib.projects == 6  # A in two years
    cats = {(c.level1, c.level2): c for c in lib.categories}
    assert next(iter(cats)) == ("产出指标", "数量指标")
    [qty] = cats[("产出指标", "数量指标")].indicators
    assert qty.name == "食品抽检批次" and qty.names == ["食品抽检 批次", "食品抽检批次"]
    assert (qty.units, qty.uses) == (5, 6)
    # numbers in 批次: 400 500 550 600 1000 (E's 300次 is another unit) → Q1 500, median 550, Q3 600
    assert qty.usual_unit == "批次" and (qty.q1, qty.median, qty.q3) == (500, 550, 600)
    assert qty.usual_op == ">="
    # examples: one per unit, newest year first
    assert [e.unit_name for e in qty.examples] == [
        "A县市场监督管理局",
        "B县市场监督管理局",
        "C县市场监督管理局",
    ]
    assert qty.examples[0].year == 2024 and qty.examples[0].value == "≥600批次"
    [sat] = cats[("满意度指标", "服务对象满意度指标")].indicators
    assert sat.values == [("≥90%", 6)] and sat.median == 90
    [cost] = cats[("成本指标", "经济成本指标")].indicators
    # 450 500 520 550 600 5000 元/批次: Q1 = 500 + 0.25·20 = 505, median 535, Q3 = 587.5
    assert (cost.q1, cost.median, cost.q3) == (505, 535, 587.5)
    text = format_library(lib)
    assert "食品抽检批次：5 个单位，6 次；常用 ≥550 批次" in text


def test_library_lists_department_types_when_none_is_asked(frame) -> None:
    lib = build_library(frame)
    kinds = {d.name: (d.units, d.projects) for d in lib.departments}
    assert kinds == {"市场监管": (6, 7), "教育": (1, 1)}
    assert lib.units == 7


def test_compare_and_library_commands_on_a_data_set(tmp_path: Path) -> None:
    from tests.conftest import seed_files

    out = tmp_path / "ds"
    r = run_cli(["corpus", "import", *seed_files(), "--out", out, "--workers", "0"])
    assert r.returncode == 0, r.stderr
    assert "共 5 个文件：本次处理 5 个（成功 5）" in r.stderr
    r = run_cli(["corpus", "compare", out, "--unit", "巨鹿", "--indicator", "食品抽检批次"])
    assert r.returncode == 0, r.stderr
    assert "巨鹿县市场监督管理局本级 2024「食品抽检经费」食品抽检批次：≥650 批次" in r.stdout
    assert "可比指标" in r.stdout and "排第" in r.stdout
    r = run_cli(["corpus", "library", out, "--department", "市场监管", "--format", "json"])
    assert r.returncode == 0, r.stderr
    lib = json.loads(r.stdout)
    assert lib["units"] >= 5 and lib["categories"][0]["level1"] == "产出指标"
    r = run_cli(["corpus", "compare", tmp_path / "nothing"])
    assert r.returncode == 2 and "不是语料库数据集" in r.stderr
