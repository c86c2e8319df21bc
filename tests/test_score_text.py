"""`jixiao score` text output: an explanation asked for and given is printed, not asked for again;
one missing is still asked for."""

from __future__ import annotations

import copy
import json

from jixiao.cli.main import main
from tests.test_evaluate import EXAMPLE  # executed 102 of 120: 85%, below the 90% cut-off


def _score(tmp_path, capsys, data) -> str:
    f = tmp_path / "in.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["score", str(f)]) == 0
    return capsys.readouterr().out


def _budget_block(out: str) -> str:
    return out.split("一级指标", 1)[0]


def test_score_text_asks_for_the_reason_when_missing(tmp_path, capsys):
    data = copy.deepcopy(EXAMPLE)
    data.pop("execution_reason", None)
    out = _budget_block(_score(tmp_path, capsys, data))
    assert "预算执行率 85% 低于 90%，需说明原因" in out


def test_score_text_prints_the_reason_given(tmp_path, capsys):
    data = copy.deepcopy(EXAMPLE)
    data["execution_reason"] = "两台检测设备采购延至次年一季度交付"
    data["indicators"][2]["reason"] = "年底集中抽检，结果次年1月公开"  # missed its deadline
    out = _score(tmp_path, capsys, data)
    head = _budget_block(out)
    assert "需说明原因" not in head
    assert "两台检测设备采购延至次年一季度交付" in head and "85%" in head
    line = next(ln for ln in out.splitlines() if ln.startswith("产出指标") and "完成时间" in ln)
    assert line.rstrip().endswith("年底集中抽检，结果次年1月公开") and "！" not in line
    # an indicator whose explanation is still missing is still flagged
    line = next(ln for ln in out.splitlines() if "每批次成本" in ln)
    assert "！未达到年度指标值" in line


def test_score_text_prints_a_reason_given_above_the_cut_off(tmp_path, capsys):
    data = copy.deepcopy(EXAMPLE)
    data["budget"]["executed"] = 118  # 98%
    data["execution_reason"] = "结余 2 万元退回财政"
    head = _budget_block(_score(tmp_path, capsys, data))
    assert "结余 2 万元退回财政" in head and "需说明原因" not in head and "低于" not in head
