"""The check of a published 自评表 as a workbook (`jixiao.export.selfeval_check`): a summary sheet,
the deviations by where, the indicators printed beside recomputed; no live formula anywhere, even
from a cell printed as one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao.cycle.evaluate import check_published, published_from_dict
from jixiao.export.selfeval_check import check_to_xlsx
from jixiao.ingest import read_cells
from jixiao.ingest.selfeval import read_selfeval

FIELD = Path(__file__).resolve().parents[2] / "shared" / "field"
LANGFANG = FIELD / "batch1" / "13_langfang_shipinxuexiao_selfeval.txt"


def _checked(d):
    return d, check_published(published_from_dict(d))


@pytest.mark.skipif(not LANGFANG.exists(), reason="field set not present")
def test_the_field_page_checked_as_a_workbook():
    (t,) = read_selfeval(read_cells(LANGFANG.read_bytes(), LANGFANG.name))
    data = check_to_xlsx(LANGFANG.name, [_checked(t.to_dict())])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["复核结果", "与方法不符", "绩效指标"]
    summary = [[c.value for c in r] for r in wb["复核结果"].iter_rows()]
    assert summary[0][:2] == ["文件", LANGFANG.name]
    row = summary[-1]
    assert "办公宿舍楼、食堂及餐厅暖通改造经费" in row and 97.24 in row and "优" in row and 2 in row
    dev = [[c.value for c in r] for r in wb["与方法不符"].iter_rows(min_row=2)]
    assert [d[1] for d in dev] == ["预算执行率", "第 1 行 指标「指标1工程资金金额」"]
    assert dev[0][2:4] == ["9", 8.62] and "执行率 86.2%" in dev[0][4]
    inds = [[c.value for c in r] for r in wb["绩效指标"].iter_rows(min_row=2)]
    assert len(inds) == 9 and inds[0][-3] == 8.62 and "得分不同" in inds[0][-2]


def test_no_live_formula_from_a_printed_cell():
    d = {
        "project_name": '=HYPERLINK("http://evil.example","点")',
        "indicators": [
            {
                "level1": "产出指标",
                "name": "=1+1",
                "target": "≥95%",
                "actual": "96%",
                "weight": "90",
                "score": "90",
            }
        ],
        "budget": {"columns": [], "rows": {}},
    }
    wb = load_workbook(io.BytesIO(check_to_xlsx("=x.txt", [_checked(d)])))
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for c in r:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
