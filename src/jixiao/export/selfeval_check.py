"""The check of a published 项目支出绩效自评表 as a workbook (the page 自评表复核's download): what
the table printed beside what the method gives, every deviation with where and why.

Three sheets: 复核结果 (one line per table: project, year, where in the file, total and grade
printed and recomputed, 分值合计, 预算执行率 and its points, the number of deviations), 与方法不符
(table, where, printed, recomputed, why) and 绩效指标 (each row as printed, the method's score, the
deviation). Printed cells stay the text printed; the method's figures are numbers. No cell is a live
formula (`cellsafe.workbook_bytes`), whatever the page printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.cycle.evaluate import PublishedCheck
from jixiao.export.cellsafe import put_text, workbook_bytes

Checked = tuple[Mapping[str, Any], PublishedCheck]  # a reading (`SelfEvalTable.to_dict()`) and its check

SUMMARY_HEAD = (
    "项目名称",
    "年度",
    "位置",
    "总分（表中）",
    "总分（按方法，百分制）",
    "等级（表中）",
    "等级（按方法）",
    "分值合计（按方法）",
    "预算执行率（按方法）",
    "执行率得分（按方法）",
    "与方法不符（处）",
)
DEVIATION_HEAD = ("项目名称", "位置", "表中", "按方法", "原因")
INDICATOR_HEAD = (
    "项目名称",
    "行",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值（表中）",
    "得分（表中）",
    "得分（按方法）",
    "与方法不符",
    "偏差原因分析（表中）",
)


def _number(d: Decimal | None) -> float | None:
    return float(d) if d is not None else None


def _put(ws: Worksheet, row: Sequence[Any], *, bold: bool = False) -> None:
    r = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, v in enumerate(row, start=1):
        cell = put_text(ws.cell(r, col), v)
        if bold:
            cell.font = Font(bold=True)


def _name(reading: Mapping[str, Any]) -> str:
    return str(reading.get("project_name") or reading.get("title") or "自评表")


def _summary(ws: Worksheet, source: str, checked: Sequence[Checked]) -> None:
    _put(ws, ["文件", source], bold=True)
    _put(ws, SUMMARY_HEAD, bold=True)
    for reading, c in checked:
        _put(
            ws,
            [
                _name(reading),
                reading.get("year"),
                reading.get("location"),
                reading.get("total_score") or "未列",
                _number(c.recomputed_total),
                reading.get("grade") or "未列",
                c.recomputed_grade,
                _number(c.weight_sum),
                f"{c.execution_rate * 100:.1f}%" if c.execution_rate is not None else None,
                _number(c.execution_score),
                len(c.discrepancies),
            ],
        )


def _where(d: Any) -> str:
    return f"第 {d.indicator + 1} 行 {d.where}" if d.indicator is not None else d.where


def _deviations(ws: Worksheet, checked: Sequence[Checked]) -> None:
    _put(ws, DEVIATION_HEAD, bold=True)
    for reading, c in checked:
        for d in c.discrepancies:
            recomputed: Any = d.recomputed
            try:
                recomputed = float(Decimal(d.recomputed))
            except ArithmeticError:  # a grade (优) or other text
                pass
            _put(ws, [_name(reading), _where(d), d.printed, recomputed, d.why])


def _indicators(ws: Worksheet, checked: Sequence[Checked]) -> None:
    _put(ws, INDICATOR_HEAD, bold=True)
    for reading, c in checked:
        whys: dict[int, list[str]] = {}
        for d in c.discrepancies:
            if d.indicator is not None:
                whys.setdefault(d.indicator, []).append(d.why)
        for i, ind in enumerate(reading.get("indicators") or []):
            score = c.scores[i] if i < len(c.scores) else None
            _put(
                ws,
                [
                    _name(reading),
                    i + 1,
                    ind.get("level1"),
                    ind.get("level2"),
                    ind.get("name"),
                    ind.get("target"),
                    ind.get("actual"),
                    ind.get("weight"),
                    ind.get("score"),
                    _number(score) if score is not None else "未复核",
                    "；".join(whys.get(i, [])) or None,
                    ind.get("deviation_reason"),
                ],
            )


def check_to_xlsx(source: str, checked: Sequence[Checked]) -> bytes:
    """The workbook of the check of every table read from `source`."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "复核结果"
    _summary(ws, source, checked)
    _deviations(wb.create_sheet("与方法不符"), checked)
    _indicators(wb.create_sheet("绩效指标"), checked)
    for sheet in wb.worksheets:
        sheet.freeze_panes = "A2" if sheet.title != "复核结果" else "A3"
        for col in sheet.columns:
            letter = col[0].column_letter
            longest = max((len(str(c.value)) for c in col if c.value is not None), default=4)
            sheet.column_dimensions[letter].width = min(48, max(8, longest * 2))
    return workbook_bytes(wb)
