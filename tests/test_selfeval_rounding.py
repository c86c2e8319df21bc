"""The 自评表 adds up as printed: every item score (and 预算执行率's) is rounded once, half up, to the
0.01 it is printed with; the total is the sum of those printed scores (scaled to 100 after summing
when the table's own 分值 do not total 100), and the grade follows the printed total. jixiao's own
check of a published 自评表 finds nothing to say about a table jixiao exported."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest

from jixiao.cycle.evaluate import (
    EXECUTION_SCORE,
    GRADE,
    SCORE_DIFFERS,
    TOTAL_SUM,
    PublishedIndicator,
    PublishedSelfEvaluation,
    check_published,
    evaluation_from_dict,
    grade_of,
    render_summary,
    render_text,
    result_to_dict,
    score_evaluation,
)
from jixiao.export.selfeval import selfeval_to_xlsx
from tests.test_evaluate import EXAMPLE

D = Decimal
CENT = D("0.01")
WEIGHTS_110 = {"预算执行率": 10, "产出指标": 60, "效益指标": 30, "满意度指标": 10}


def _printed(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def test_worked_example_total_is_the_sum_of_its_printed_scores():
    # unrounded: 8.5 + 12.5 + 12.5 + 0 + 11.7925 + 10.5 + 15 + 9.4444 = 80.2369 → 80.24, but the
    # table prints 11.79 and 9.44, which with the others add up to 80.23
    ev = evaluation_from_dict(EXAMPLE)
    r = score_evaluation(ev)
    assert [s.score for s in r.indicators][3] == D("11.79") and r.indicators[6].score == D("9.44")
    assert all(s.score == _printed(s.score) for s in r.indicators)
    assert r.total == r.execution_score + sum(s.score for s in r.indicators) == D("80.23")
    assert r.grade == "良"
    out = result_to_dict(ev, r)
    assert out["total"] == 80.23
    assert D(str(out["total"])) == D(str(out["execution_score"])) + sum(
        D(str(i["score"])) for i in out["indicators"]
    )
    assert "80.23" in render_text(ev, r) and "80.23" in render_summary([ev], [r])


def test_scores_are_rounded_half_up():
    # 175.3 of ≥200 out of 10 points = 8.765 → 8.77 (half-even would give 8.76);
    # 73 of 80 万元 spent = 91.25% × 10 = 9.125 → 9.13
    data = {
        "budget": {"adjusted": 80, "executed": 73},
        "weights": {"预算执行率": 10, "产出指标": 90},
        "indicators": [{"level1": "产出指标", "name": "x", "target": "≥200次", "actual": "175.3次"}],
    }
    r = score_evaluation(evaluation_from_dict(data))
    assert r.execution_score == D("9.13")
    # 90 × 175.3 / 200 = 78.885 → 78.89
    assert r.indicators[0].score == D("78.89") and r.total == D("88.02")


def test_a_grade_follows_the_printed_total():
    # unrounded items that sum to 89.996 print as 90.00: the printed total is 优, not 良
    data = {
        "budget": {"adjusted": 1, "executed": 1},
        "weights": {"预算执行率": 10, "产出指标": 90},
        "indicators": [{"level1": "产出指标", "name": "x", "target": "≥1000次", "actual": "888.84次"}],
    }
    r = score_evaluation(evaluation_from_dict(data))
    # 90 × 0.88884 = 79.9956 → 80.00; 10 + 80 = 90 → 优
    assert r.indicators[0].score == D(80) and r.total == D(90) and r.grade == grade_of(D(90)) == "优"


def test_a_table_of_110_sums_its_printed_scores_then_scales_once():
    ev = evaluation_from_dict({**EXAMPLE, "weights": WEIGHTS_110})
    r = score_evaluation(ev)
    assert r.raw_total == r.execution_score + sum(s.score for s in r.indicators)
    assert r.full_marks == 110 and r.total == _printed(r.raw_total * 100 / 110)
    assert r.grade == grade_of(r.total)


def _published_from_xlsx(data: bytes) -> PublishedSelfEvaluation:
    """Our exported 自评表 read back as a reader of the printed table would: the funds line, each
    indicator row (一级/二级 merged down), the 总分 line."""
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    funds = next(r for r in rows if r[1] == "年度资金总额")
    head = next(k for k, r in enumerate(rows) if r[1] == "一级指标")
    total = next(r for r in rows if r[0] == "总分")
    inds, level1, level2 = [], None, None
    for r in rows[head + 1 :]:
        if r[0] == "总分":
            break
        level1, level2 = r[1] or level1, r[2] or level2
        inds.append(
            PublishedIndicator(level1, level2, r[3], r[4], r[5], D(str(r[6])), D(str(r[7])), r[8] or None)
        )
    return PublishedSelfEvaluation(
        indicators=inds,
        budget_adjusted=D(str(funds[4])),
        budget_executed=D(str(funds[5])),
        execution_weight=D(str(funds[6])),
        execution_score=D(str(funds[8])),
        total_weight=D(str(total[6])),
        total_score=D(str(total[7])),
        grade=str(total[8]).removeprefix("自评等级："),
        year=2024,
    )


@pytest.mark.parametrize("weights", [None, WEIGHTS_110], ids=["100", "110"])
def test_our_exported_table_passes_our_own_published_check(weights):
    data = json.loads(json.dumps(EXAMPLE))
    data["year"] = 2024
    if weights:
        data["weights"] = weights
    ev = evaluation_from_dict(data)
    r = score_evaluation(ev)
    table = _published_from_xlsx(selfeval_to_xlsx([(ev, r)]))
    printed_sum = table.execution_score + sum(i.score for i in table.indicators)
    assert table.total_score == printed_sum  # exactly, not within a tolerance
    check = check_published(table)
    kinds = {d.kind for d in check.discrepancies}
    assert not kinds & {TOTAL_SUM, GRADE, EXECUTION_SCORE, SCORE_DIFFERS}, check.discrepancies
    assert check.recomputed_total == r.total and check.recomputed_grade == r.grade
    assert table.grade.startswith(r.grade)


def test_shared_points_are_printed_to_the_cent_and_add_up_to_the_category_weight():
    # 产出 50 among 3 indicators: 16.67 + 16.67 + 16.66 (not 16.666… printed 16.67 three times = 50.01)
    data = json.loads(json.dumps(EXAMPLE))
    data["year"] = 2024
    del data["indicators"][3]
    ev = evaluation_from_dict(data)
    r = score_evaluation(ev)
    points = [s.points for s in r.indicators]
    assert points[:3] == [D("16.67"), D("16.67"), D("16.66")]
    assert sum(points[:3]) == 50 and r.execution_points + sum(points) == 100
    table = _published_from_xlsx(selfeval_to_xlsx([(ev, r)]))
    assert table.execution_weight + sum(i.weight for i in table.indicators) == table.total_weight == 100
    check = check_published(table)
    assert not check.discrepancies, check.discrepancies
    assert check.recomputed_total == r.total == table.total_score
