"""One row per indicator, with the unit and project columns repeated: ready for Excel (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, TextIO

from jixiao.export.cellsafe import csv_field, workbook_bytes, xlsx_value
from jixiao.model import Disclosure

COLUMNS: list[tuple[str, str]] = [
    ("source", "来源文件"),
    ("unit_code", "单位编码"),
    ("unit_name", "单位名称"),
    ("year", "年度"),
    ("project_seq", "项目序号"),
    ("project_name", "项目名称"),
    ("project_code", "项目编码"),
    ("budget_total", "预算数（万元）"),
    ("budget_fiscal", "财政资金（万元）"),
    ("budget_other", "其他资金（万元）"),
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("description", "绩效指标描述"),
    ("value", "指标值"),
    ("basis", "指标值确定依据"),
    ("level1_canonical", "一级指标（规范）"),
    ("level2_canonical", "二级指标（规范）"),
    ("target_kind", "指标值类型"),
    ("target_op", "比较符"),
    ("target_value", "数值"),
    ("target_high", "上限"),
    ("target_unit", "单位"),
    ("target_approx", "约数"),
]


def indicator_rows(docs: Iterable[Disclosure]) -> Iterator[list[Any]]:
    for doc in docs:
        for p in doc.projects:
            for ind in p.indicators:
                t = ind.target
                rec: dict[str, Any] = {
                    "source": doc.source,
                    "unit_code": p.unit_code or doc.unit_code,
                    "unit_name": p.unit_name or doc.unit_name,
                    "year": doc.year,
                    "project_seq": p.seq,
                    "project_name": p.name,
                    "project_code": p.code,
                    "budget_total": p.budget_total,
                    "budget_fiscal": p.budget_fiscal,
                    "budget_other": p.budget_other,
                    "level1": ind.level1,
                    "level2": ind.level2,
                    "name": ind.name,
                    "description": ind.description,
                    "value": ind.value,
                    "basis": ind.basis,
                    "level1_canonical": ind.level1_canonical,
                    "level2_canonical": ind.level2_canonical,
                    "target_kind": t.kind,
                    "target_op": t.op,
                    "target_value": t.value,
                    "target_high": t.high,
                    "target_unit": t.unit,
                    "target_approx": t.approx,
                }
                yield [_cell(rec[k]) for k, _ in COLUMNS]


def _cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "是" if v else None
    return v


def write_csv(docs: Iterable[Disclosure], out: TextIO) -> None:
    """Write the rows as CSV to `out` as the documents come (one document in memory at a time):
    numbers as printed (6.80 stays 6.80), text starting like a formula (`= + - @`, tab, CR) with a
    leading `'` (see `jixiao.export.cellsafe`)."""
    w = csv.writer(out)
    w.writerow([label for _, label in COLUMNS])
    for row in indicator_rows(docs):
        w.writerow([csv_field(v) for v in row])


def to_csv(docs: Iterable[Disclosure]) -> str:
    """The rows as one CSV text (see `write_csv`)."""
    buf = io.StringIO()
    write_csv(docs, buf)
    return buf.getvalue()


def to_xlsx(docs: Iterable[Disclosure]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效指标"
    ws.append([label for _, label in COLUMNS])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in indicator_rows(docs):
        ws.append([float(v) if isinstance(v, Decimal) else xlsx_value(v) for v in row])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return workbook_bytes(wb)
