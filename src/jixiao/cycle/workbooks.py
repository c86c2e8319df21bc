"""Excel data-entry workbooks: 绩效运行监控表 and 项目支出绩效自评表, written pre-filled and read back.

Pure functions over bytes (openpyxl); no web or database imports.

- `monitor_template(projects, year)` / `selfeval_template(projects, year)` write one sheet per
  project in the standard layout (监控表1, 监控表2 … / 自评表1, 自评表2 …; a single project's sheet is
  just 监控表 / 自评表), pre-filled with the project's name, code, budget, spending plan and targets.
  Cells the unit fills are shaded yellow; choices (偏差原因, 完成目标可能性, 完成情况, 自评档次) are
  drop-down lists. A hidden sheet `_jixiao` records the kind, the year and which sheet is which
  project (its seq, code, name and spending plan).
- `read_monitor_workbook(data)` / `read_selfeval_workbook(data)` read a filled workbook back into
  `MonitorSnapshot` / `SelfEvaluation` objects, or raise `WorkbookError` listing every wrong cell as
  `自评表!F12: 指标「…」: 实际完成值为空` — never a partial result.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.cycle.evaluate import (
    BANDS,
    EXECUTION,
    QUALITATIVE,
    Budget,
    EvaluationError,
    IndicatorActual,
    ScoringSettings,
    SelfEvaluation,
    allocate_points,
    band_name,
    direction_of,
    normalize_weights,
    score_indicator,
    to_decimal,
)
from jixiao.cycle.monitor import (
    LIKELIHOODS,
    REASON_CATEGORIES,
    STATUS_OPTIONS,
    Deviation,
    IndicatorProgress,
    MonitorError,
    MonitorSnapshot,
    default_as_of,
    expected_progress,
    indicator_light,
    validate_snapshot,
)
from jixiao.export.cellsafe import formula, put_text, workbook_bytes, xlsx_value
from jixiao.model import Project
from jixiao.values import parse_value

META_SHEET = "_jixiao"
KIND_MONITOR = "monitor"
KIND_SELFEVAL = "selfeval"
MONITOR_TITLE = "项目绩效运行监控表"
SELFEVAL_TITLE = "项目支出绩效自评表"
EXECUTION_REASON_HEAD = "执行率偏差原因"  # the 自评表's cell beside 项目资金 (newer workbooks)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT = PatternFill("solid", fgColor="FFF2CC")  # cells the unit fills
_HEAD = PatternFill("solid", fgColor="D9E1F2")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


class WorkbookError(ValueError):
    """A filled workbook that cannot be imported; `problems` lists every wrong cell, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class _Meta:
    kind: str | None
    year: int | None
    sheets: dict[str, dict[str, Any]]  # sheet name → {"seq", "code", "name", "plan", "unit"}


# ---------------------------------------------------------------- writing helpers


def _sheet_names(prefix: str, n: int) -> list[str]:
    return [prefix] if n == 1 else [f"{prefix}{i}" for i in range(1, n + 1)]


def _put(
    ws: Worksheet,
    ref: str,
    value: Any,
    *,
    head: bool = False,
    entry: bool = False,
    center: bool = False,
    fmt: str | None = None,
) -> None:
    c = ws[ref]
    put_text(c, value)  # text from a document is never a formula
    c.border = _BORDER
    c.alignment = _CENTER if (center or head) else _WRAP
    if head:
        c.font = _BOLD
        c.fill = _HEAD
    if entry:
        c.fill = _INPUT
    if fmt:
        c.number_format = fmt


def _formula(ws: Worksheet, ref: str, text: str, *, fmt: str) -> None:
    """A formula of the template itself (the only cells `workbook_bytes` keeps as formulas)."""
    _put(ws, ref, None, fmt=fmt)
    formula(ws[ref], text)


def _merge(ws: Worksheet, rng: str, value: Any = None, **kw: Any) -> None:
    first = rng.split(":")[0]
    ws.merge_cells(rng)
    _put(ws, first, value, **kw)
    for row in ws[rng]:
        for c in row:
            c.border = _BORDER


def _title(ws: Worksheet, last_col: str, title: str, subtitle: str) -> None:
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = _CENTER
    ws.merge_cells(f"A2:{last_col}2")
    ws["A2"] = subtitle
    ws["A2"].alignment = _CENTER
    ws.row_dimensions[1].height = 28


def _list_validation(ws: Worksheet, options: Sequence[str], title: str) -> DataValidation:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=f"请从下拉列表选择：{'、'.join(options)}",
    )
    ws.add_data_validation(dv)
    return dv


def _plan_text(plan: dict[str, str] | None) -> str:
    return "；".join(f"{k} {v}" for k, v in (plan or {}).items())


def _decimal_cell(d: Decimal | None) -> int | float | None:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _write_meta(
    wb: Workbook, kind: str, year: int, rows: list[tuple[str, Project]], unit: str | None
) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    ws.append(["kind", kind])
    ws.append(["year", year])
    ws.append(["unit", xlsx_value(unit or "")])
    ws.append(["sheet", "seq", "code", "name", "plan", "goal"])
    for sheet, p in rows:
        ws.append(
            [
                xlsx_value(v)
                for v in (
                    sheet,
                    p.seq,
                    p.code or "",
                    p.name or "",
                    json.dumps(p.spending_plan or {}, ensure_ascii=False),
                    p.goal or "",
                )
            ]
        )


def _save(wb: Workbook) -> bytes:
    return workbook_bytes(wb)


def _is_qualitative(value: str | None, level1: str | None, level2: str | None, year: int | None) -> bool:
    return direction_of(parse_value(value or "", year=year), level1, level2) == QUALITATIVE


_MONITOR_NOTE = (
    "填表说明：黄色单元格由单位填写。定量指标填写截至监控日的累计完成值（如 3000批次、96%）；"
    "定性指标在“完成情况”中选择 达成/部分达成/未达成。监控结果为红灯或黄灯的，"
    "须填写偏差原因、完成目标可能性和整改措施。监控结果在导入时计算。"
)
_SELFEVAL_NOTE = (
    "填表说明：黄色单元格由单位填写。全年预算数为调整后的预算；实际完成值按年度指标值的单位填写"
    "（如 97%、5600元/批次、2024年11月30日）。定性指标选择自评档次，"
    "并可在“得分”中填写档次范围内的分数（不填则按档次中点建议）。"
    "定量指标的得分在导入时按国家方法计算。"
)


# ---------------------------------------------------------------- 绩效运行监控表

# indicator columns of the monitoring sheet
_M_COLS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "截至监控日完成值",
    "完成情况（定性指标）",
    "监控结果",
    "偏差原因",
    "偏差原因说明",
    "完成目标可能性",
    "整改措施",
]
_M_WIDTHS = [12, 14, 22, 16, 16, 14, 10, 14, 28, 14, 28]
_M_AS_OF = "B3"
_M_FUNDS_ROW = 7
_M_HEADER_ROW = 9


def monitor_template(
    projects: Sequence[Project], year: int, *, as_of: date | None = None, unit_name: str | None = None
) -> bytes:
    """A 绩效运行监控表 workbook (.xlsx bytes), one sheet per project, pre-filled with targets."""
    if not projects:
        raise ValueError("没有项目，无法生成监控表")
    as_of = as_of or default_as_of(year)
    wb = Workbook()
    wb.remove(wb.active)
    names = _sheet_names("监控表", len(projects))
    for sheet, p in zip(names, projects, strict=True):
        ws = wb.create_sheet(sheet)
        for i, w in enumerate(_M_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        _title(ws, "K", MONITOR_TITLE, f"（{year}年度）")
        _put(ws, "A3", "监控截止日期", head=True)
        _put(ws, _M_AS_OF, as_of, entry=True, fmt="yyyy-mm-dd")
        _put(ws, "C3", "实施单位", head=True)
        _merge(ws, "D3:K3", p.unit_name or unit_name)
        _put(ws, "A4", "项目名称", head=True)
        _merge(ws, "B4:F4", p.name)
        _put(ws, "G4", "项目编码", head=True)
        _merge(ws, "H4:K4", p.code)
        _put(ws, "A5", "资金支出计划", head=True)
        _merge(ws, "B5:K5", _plan_text(p.spending_plan) or "（未填写，按时间进度 月份÷12 计算）")
        r = _M_FUNDS_ROW - 1
        funds_head = [
            "预算数（万元）",
            "截至监控日执行数（万元）",
            "执行率",
            "计划进度",
            "进度比",
            "",
            "监控结果",
            "偏差原因",
            "偏差原因说明",
            "完成目标可能性",
            "整改措施",
        ]
        for col, label in zip("ABCDEFGHIJK", funds_head, strict=True):
            _put(ws, f"{col}{r}", label, head=True)
        r = _M_FUNDS_ROW
        expected, _ = expected_progress(p.spending_plan, as_of, year, p.budget_total)
        _put(ws, f"A{r}", _decimal_cell(p.budget_total), fmt="0.00")
        _put(ws, f"B{r}", None, entry=True, fmt="0.00")
        _formula(ws, f"C{r}", f'=IF(AND(ISNUMBER(A{r}),A{r}>0,ISNUMBER(B{r})),B{r}/A{r},"")', fmt="0.00%")
        _put(ws, f"D{r}", float(round(expected, 4)), fmt="0.00%")
        _formula(ws, f"E{r}", f'=IF(AND(ISNUMBER(C{r}),D{r}>0),C{r}/D{r},"")', fmt="0.00%")
        _put(ws, f"F{r}", None)
        _put(ws, f"G{r}", None)
        for col in "HIJK":
            _put(ws, f"{col}{r}", None, entry=True)
        reasons = _list_validation(ws, REASON_CATEGORIES, "偏差原因")
        likely = _list_validation(ws, LIKELIHOODS, "完成目标可能性")
        status = _list_validation(ws, STATUS_OPTIONS, "完成情况")
        reasons.add(f"H{r}")
        likely.add(f"J{r}")
        for i, label in enumerate(_M_COLS):
            _put(ws, f"{get_column_letter(i + 1)}{_M_HEADER_ROW}", label, head=True)
        for k, ind in enumerate(p.indicators):
            r = _M_HEADER_ROW + 1 + k
            qual = _is_qualitative(ind.value, ind.level1, ind.level2, year)
            for col, val in zip("ABCD", [ind.level1, ind.level2, ind.name, ind.value], strict=True):
                _put(ws, f"{col}{r}", val)
            _put(ws, f"E{r}", None, entry=not qual, fmt="@")
            _put(ws, f"F{r}", None, entry=qual)
            if qual:
                status.add(f"F{r}")
            _put(ws, f"G{r}", None)
            for col in "HIJK":
                _put(ws, f"{col}{r}", None, entry=True)
            reasons.add(f"H{r}")
            likely.add(f"J{r}")
        note = _M_HEADER_ROW + len(p.indicators) + 2
        ws.merge_cells(f"A{note}:K{note}")
        ws[f"A{note}"] = _MONITOR_NOTE
        ws[f"A{note}"].alignment = _WRAP
        ws.row_dimensions[note].height = 45
        ws.freeze_panes = f"A{_M_HEADER_ROW + 1}"
    _write_meta(wb, KIND_MONITOR, year, list(zip(names, projects, strict=True)), unit_name)
    return _save(wb)


# ---------------------------------------------------------------- 项目支出绩效自评表

_S_COLS = [
    "绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
    "自评档次（定性指标）",
]
_S_WIDTHS = [12, 12, 14, 22, 16, 16, 8, 8, 30, 20]
_S_FUNDS_ROW = 6
_S_GOAL_ROW = 7
_S_HEADER_ROW = 9


def selfeval_template(
    projects: Sequence[Project],
    year: int,
    *,
    unit_name: str | None = None,
    settings: ScoringSettings | None = None,
) -> bytes:
    """A 项目支出绩效自评表 workbook (.xlsx bytes), one sheet per project, pre-filled with targets and the
    default 分值 of each indicator."""
    if not projects:
        raise ValueError("没有项目，无法生成自评表")
    settings = settings or ScoringSettings()
    ex_points = settings.weights.get(EXECUTION, Decimal(0))
    wb = Workbook()
    wb.remove(wb.active)
    names = _sheet_names("自评表", len(projects))
    for sheet, p in zip(names, projects, strict=True):
        ws = wb.create_sheet(sheet)
        for i, w in enumerate(_S_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        _title(ws, "J", SELFEVAL_TITLE, f"（{year}年度）")
        _put(ws, "A3", "项目名称", head=True)
        _merge(ws, "B3:E3", p.name)
        _put(ws, "F3", "项目编码", head=True)
        _merge(ws, "G3:J3", p.code)
        _put(ws, "A4", "实施单位", head=True)
        _merge(ws, "B4:J4", p.unit_name or unit_name)
        r = _S_FUNDS_ROW - 1
        ws.merge_cells(f"A{r}:A{r + 1}")
        _put(ws, f"A{r}", "项目资金（万元）", head=True)
        funds_head = ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
        for col, label in zip("BCDEFGH", funds_head, strict=True):
            _put(ws, f"{col}{r}", label, head=True)
        cut = _text((settings.execution_explain_below * 100).normalize())
        _merge(ws, f"I{r}:J{r}", f"{EXECUTION_REASON_HEAD}（执行率低于 {cut}% 时必填）", head=True)
        _merge(ws, f"I{r + 1}:J{r + 1}", None, entry=True)
        r = _S_FUNDS_ROW
        _put(ws, f"B{r}", "年度资金总额", head=True)
        _put(ws, f"C{r}", _decimal_cell(p.budget_total), fmt="0.00")
        _put(ws, f"D{r}", _decimal_cell(p.budget_total), entry=True, fmt="0.00")
        _put(ws, f"E{r}", None, entry=True, fmt="0.00")
        _put(ws, f"F{r}", _decimal_cell(ex_points))
        _formula(ws, f"G{r}", f'=IF(AND(ISNUMBER(D{r}),D{r}>0,ISNUMBER(E{r})),E{r}/D{r},"")', fmt="0.00%")
        _formula(ws, f"H{r}", f'=IF(ISNUMBER(G{r}),MIN(G{r}*F{r},F{r}),"")', fmt="0.00")
        r = _S_GOAL_ROW
        ws.merge_cells(f"A{r}:A{r + 1}")
        _put(ws, f"A{r}", "年度总体目标", head=True)
        _merge(ws, f"B{r}:E{r}", "预期目标", head=True)
        _merge(ws, f"F{r}:J{r}", "实际完成情况", head=True)
        _merge(ws, f"B{r + 1}:E{r + 1}", p.goal)
        _merge(ws, f"F{r + 1}:J{r + 1}", None, entry=True)
        ws.row_dimensions[r + 1].height = 60
        for i, label in enumerate(_S_COLS):
            _put(ws, f"{get_column_letter(i + 1)}{_S_HEADER_ROW}", label, head=True)
        bands = _list_validation(ws, BANDS, "自评档次")
        inds = [IndicatorActual(i.level1, i.level2, i.name, i.value or "") for i in p.indicators]
        try:
            alloc: list[Decimal | None] = [pts for _, pts in allocate_points(inds, settings.weights)[0]]
        except EvaluationError:
            alloc = [None] * len(inds)  # an unknown level 1: the unit fills 分值 by hand
        for k, ind in enumerate(p.indicators):
            r = _S_HEADER_ROW + 1 + k
            qual = _is_qualitative(ind.value, ind.level1, ind.level2, year)
            _put(ws, f"A{r}", None)
            for col, val in zip("BCDE", [ind.level1, ind.level2, ind.name, ind.value], strict=True):
                _put(ws, f"{col}{r}", val)
            _put(ws, f"F{r}", None, entry=True, fmt="@")
            pts = alloc[k]
            _put(
                ws,
                f"G{r}",
                _decimal_cell(pts.quantize(Decimal("0.01")) if pts is not None else None),
                fmt="0.00",
            )
            _put(ws, f"H{r}", None, entry=qual, fmt="0.00")
            _put(ws, f"I{r}", None, entry=True)
            _put(ws, f"J{r}", None, entry=qual)
            if qual:
                bands.add(f"J{r}")
        last = _S_HEADER_ROW + len(p.indicators)
        total = last + 1
        _put(ws, f"A{total}", "总分", head=True)
        ws.merge_cells(f"B{total}:F{total}")
        for col in "BCDEF":
            ws[f"{col}{total}"].border = _BORDER
        _formula(
            ws,
            f"G{total}",
            f"=F{_S_FUNDS_ROW}+SUM(G{_S_HEADER_ROW + 1}:G{last})" if p.indicators else f"=F{_S_FUNDS_ROW}",
            fmt="0.00",
        )
        _put(ws, f"H{total}", None, fmt="0.00")
        _merge(ws, f"I{total}:J{total}", None)
        note = total + 2
        ws.merge_cells(f"A{note}:J{note}")
        ws[f"A{note}"] = _SELFEVAL_NOTE
        ws[f"A{note}"].alignment = _WRAP
        ws.row_dimensions[note].height = 45
        ws.freeze_panes = f"A{_S_HEADER_ROW + 1}"
    _write_meta(wb, KIND_SELFEVAL, year, list(zip(names, projects, strict=True)), unit_name)
    return _save(wb)


# ---------------------------------------------------------------- reading helpers


OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # the compound-file header of .xls and .doc


def _load(data: bytes) -> Any:
    from jixiao.ingest.cells import ReadError
    from jixiao.ingest.zipsafe import open_package

    if data.startswith(OLE_MAGIC):  # Excel 97–2003 (.xls), or an old Word .doc
        raise WorkbookError(
            ["这是旧版 Office 文件（如 .xls），不是 .xlsx 工作簿：请在 Excel 中另存为 .xlsx 后再给出"]
        )
    if not data.startswith(b"PK"):  # not a zip package at all: text, PDF, HTML … not a broken workbook
        raise WorkbookError(
            [
                "无法读取工作簿：不是 Excel 工作簿（.xlsx）：请给出用填报模板"
                "（网页上单位年度页的“填报模板”，或 jixiao template monitor|selfeval）生成并填好的工作簿"
            ]
        )
    try:  # the same zip checks as the readers: a bomb is refused before openpyxl inflates anything
        open_package(data, "工作簿", ".xlsx", "xl/workbook.xml").close()
    except ReadError as e:
        raise WorkbookError([f"无法读取工作簿：{e.message}"]) from None
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception as e:  # openpyxl raises many kinds on a damaged or foreign file
        raise WorkbookError([f"无法读取工作簿：{e}"]) from None


def _read_meta(wb: Any) -> _Meta:
    if META_SHEET not in wb.sheetnames:
        return _Meta(None, None, {})
    ws = wb[META_SHEET]
    kind = year = None
    sheets: dict[str, dict[str, Any]] = {}
    in_rows = False
    for row in ws.iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        if in_rows:
            plan: dict[str, str] = {}
            try:
                plan = json.loads(row[4]) if len(row) > 4 and row[4] else {}
            except (TypeError, ValueError):
                plan = {}
            sheets[str(row[0])] = {
                "seq": row[1],
                "code": row[2] or None,
                "name": row[3] or None,
                "plan": plan,
                "goal": (str(row[5]) if len(row) > 5 and row[5] else None),
            }
        elif row[0] == "kind":
            kind = row[1]
        elif row[0] == "year":
            year = int(row[1]) if isinstance(row[1], int | float) else None
        elif row[0] == "sheet":
            in_rows = True
    return _Meta(kind, year, sheets)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime | date):
        day = v.date() if isinstance(v, datetime) else v
        return f"{day.year}年{day.month}月{day.day}日"
    if isinstance(v, float | int | Decimal) and not isinstance(v, bool):
        s = format(to_decimal(v), "f")
        return s.rstrip("0").rstrip(".") if "." in s else s
    s = str(v).strip()
    return s or None


def _value_text(cell: Any) -> str | None:
    """A cell as the unit meant it: a number in a percent-formatted cell is a percentage."""
    v = cell.value
    if isinstance(v, float | int) and not isinstance(v, bool) and "%" in (cell.number_format or ""):
        return f"{_text(to_decimal(v) * 100)}%"
    return _text(v)


def _number(
    cell: Any, ref: str, label: str, problems: list[str], *, required: bool, minimum: Decimal | None = None
) -> Decimal | None:
    v = cell.value
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            problems.append(f"{ref}: {label}为空")
        return None
    if isinstance(v, str) and v.strip().startswith("="):
        problems.append(f"{ref}: {label}应填写数值，不能是公式")
        return None
    text = v if not isinstance(v, str) else re.sub(r"\s*万元$", "", v.strip())
    try:
        d = to_decimal(text)
    except ValueError:
        problems.append(f"{ref}: {label}「{v}」不是数字")
        return None
    if minimum is not None and d < minimum:
        problems.append(f"{ref}: {label}不能小于 {_text(minimum)}")
        return None
    return d


def _sheets_of(wb: Any, meta: _Meta, kind: str, title: str) -> list[str]:
    if meta.kind is not None and meta.kind != kind:
        want = "监控表" if kind == KIND_MONITOR else "自评表"
        got = "监控表" if meta.kind == KIND_MONITOR else "自评表"
        raise WorkbookError([f"这是{got}工作簿，不是{want}"])
    names = [s for s in wb.sheetnames if s != META_SHEET and str(wb[s]["A1"].value or "").strip() == title]
    if not names:
        raise WorkbookError([f"工作簿中没有“{title}”工作表（A1 应为标题 {title}）"])
    return names


def _find_row(ws: Worksheet, col: str, label: str, start: int = 1) -> int | None:
    for r in range(start, ws.max_row + 1):
        if str(ws[f"{col}{r}"].value or "").strip() == label:
            return r
    return None


def _indicator_rows(ws: Worksheet, header: int, stop_label: str | None) -> list[int]:
    rows = []
    r = header + 1
    while r <= ws.max_row:
        a = str(ws[f"A{r}"].value or "").strip()
        if stop_label and a == stop_label:
            break
        if a.startswith("填表说明"):
            break
        if all(ws[f"{c}{r}"].value in (None, "") for c in "BCDE"):
            break
        rows.append(r)
        r += 1
    return rows


# ---------------------------------------------------------------- read 监控表


def read_monitor_workbook(data: bytes, *, complete: bool = True) -> list[MonitorSnapshot]:
    """The snapshots entered in a 绩效运行监控表 workbook, one per project sheet.

    Raises WorkbookError listing every wrong cell: a date or number that is not one, a choice not
    in its list, an actual that cannot be compared with its target; with `complete` (the default)
    also every gap `validate_snapshot` finds (empty 执行数 or actual, a red or yellow line without
    偏差原因, 完成目标可能性 or 整改措施). Nothing is returned unless the whole workbook is right.
    """
    wb = _load(data)
    meta = _read_meta(wb)
    problems: list[str] = []
    snaps: list[MonitorSnapshot] = []
    for sheet in _sheets_of(wb, meta, KIND_MONITOR, MONITOR_TITLE):
        ws = wb[sheet]
        info = meta.sheets.get(sheet, {})
        before = len(problems)
        as_of = _read_date(ws[_M_AS_OF].value, f"{sheet}!{_M_AS_OF}", problems)
        year = meta.year or (as_of.year if as_of else None)
        header = _find_row(ws, "A", "一级指标") or _M_HEADER_ROW
        funds = _find_row(ws, "A", "预算数（万元）")
        fr = (funds + 1) if funds else _M_FUNDS_ROW
        budget = _number(ws[f"A{fr}"], f"{sheet}!A{fr}", "预算数", problems, required=False)
        executed = _number(
            ws[f"B{fr}"], f"{sheet}!B{fr}", "截至监控日执行数", problems, required=False, minimum=Decimal(0)
        )
        spend_dev = _read_deviation(ws, fr, sheet, problems)
        snap = MonitorSnapshot(
            as_of=as_of or date(year or 1970, 7, 31),
            budget=budget,
            executed=executed,
            spending_plan=info.get("plan") or None,
            year=year,
            project_name=_text(ws["B4"].value) or info.get("name"),
            project_code=_text(ws["H4"].value) or info.get("code"),
            project_seq=int(info["seq"]) if isinstance(info.get("seq"), int | float) else None,
            deviation=spend_dev,
            goal=info.get("goal"),
            cells={
                "budget": f"{sheet}!A{fr}",
                "executed": f"{sheet}!B{fr}",
                **{k: f"{sheet}!{c}{fr}" for k, c in _DEV_COLS.items()},
            },
        )
        for r in _indicator_rows(ws, header, None):
            status = _text(ws[f"F{r}"].value)
            if status and band_name(status) is None:
                problems.append(f"{sheet}!F{r}: 完成情况「{status}」应为 {'、'.join(STATUS_OPTIONS)} 之一")
                status = None
            ind = IndicatorProgress(
                level1=_text(ws[f"A{r}"].value),
                level2=_text(ws[f"B{r}"].value),
                name=_text(ws[f"C{r}"].value),
                target=_text(ws[f"D{r}"].value) or "",
                actual=_value_text(ws[f"E{r}"]),
                status=status,
                deviation=_read_deviation(ws, r, sheet, problems),
                cells={
                    "actual": f"{sheet}!E{r}",
                    "status": f"{sheet}!F{r}",
                    "target": f"{sheet}!D{r}",
                    **{k: f"{sheet}!{c}{r}" for k, c in _DEV_COLS.items()},
                },
            )
            snap.indicators.append(ind)
        if as_of is None or len(problems) > before:
            continue
        # indicators that cannot be compared with their targets, located
        expected, _ = expected_progress(snap.spending_plan, snap.as_of, year, snap.budget)
        for i, ind in enumerate(snap.indicators):
            try:
                indicator_light(ind, expected, snap.as_of, index=i, year=year, where=ind.name or "")
            except MonitorError as e:
                problems.append(f"{ind.cells['actual']}: 指标「{ind.name}」: {str(e).split(': ', 1)[-1]}")
        if len(problems) > before:
            continue
        if complete:
            for p in validate_snapshot(snap):
                problems.append(f"{p.cell or sheet}: {p.where}: {p.message}")
        snaps.append(snap)
    if problems:
        raise WorkbookError(problems)
    return snaps


_DEV_COLS = {"reason_category": "H", "reason_text": "I", "likelihood": "J", "measures": "K"}


def _read_deviation(ws: Worksheet, r: int, sheet: str, problems: list[str]) -> Deviation:
    cat = _text(ws[f"H{r}"].value)
    likely = _text(ws[f"J{r}"].value)
    if cat and cat not in REASON_CATEGORIES:
        problems.append(f"{sheet}!H{r}: 偏差原因「{cat}」应为 {'、'.join(REASON_CATEGORIES)} 之一")
    if likely and likely not in LIKELIHOODS:
        problems.append(f"{sheet}!J{r}: 完成目标可能性「{likely}」应为 {'、'.join(LIKELIHOODS)} 之一")
    return Deviation(
        category=cat, text=_text(ws[f"I{r}"].value), likelihood=likely, measures=_text(ws[f"K{r}"].value)
    )


def _read_date(v: Any, ref: str, problems: list[str]) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = _text(v)
    if not text:
        problems.append(f"{ref}: 监控截止日期为空")
        return None
    tv = parse_value(text)
    if tv.kind == "date" and isinstance(tv.value, str):
        try:
            return date.fromisoformat(tv.value)
        except ValueError:
            pass
    problems.append(f"{ref}: 监控截止日期「{text}」不是日期（如 2024-07-31）")
    return None


# ---------------------------------------------------------------- read 自评表

_S_FIELD_COL = {"actual": "F", "target": "E", "weight": "G", "score": "H", "band": "J", "level1": "B"}


def _selfeval_indicator(
    ws: Worksheet, sheet: str, r: int, year: int | None, problems: list[str]
) -> IndicatorActual:
    """One indicator row of a 自评表 sheet; what is wrong with it goes to `problems` by cell."""

    def cell(col: str) -> Any:
        return ws[f"{col}{r}"]

    name = _text(cell("D").value)
    label = f"指标「{name or _text(cell('C').value) or r}」"
    weight = _number(
        cell("G"), f"{sheet}!G{r}", f"{label}: 分值", problems, required=True, minimum=Decimal(0)
    )
    score = _number(
        cell("H"), f"{sheet}!H{r}", f"{label}: 得分", problems, required=False, minimum=Decimal(0)
    )
    band = _text(cell("J").value)
    actual = _value_text(cell("F"))
    target = _text(cell("E").value) or ""
    if band and band_name(band) is None:
        problems.append(f"{sheet}!J{r}: {label}: 自评档次「{band}」应为 {'、'.join(BANDS)} 之一")
    elif _is_qualitative(target, _text(cell("B").value), _text(cell("C").value), year):
        if not band and band_name(actual) is None:
            problems.append(f"{sheet}!J{r}: {label}: 定性指标需选择自评档次（{'、'.join(BANDS)}）")
    elif actual is None:
        problems.append(f"{sheet}!F{r}: {label}: 实际完成值为空")
    return IndicatorActual(
        level1=_text(cell("B").value),
        level2=_text(cell("C").value),
        name=name,
        target=target,
        actual=actual,
        weight=weight,
        band=band,
        score=score,
        reason=_text(cell("I").value),
    )


def read_selfeval_workbook(data: bytes) -> list[SelfEvaluation]:
    """The year-end data entered in a 项目支出绩效自评表 workbook, one `SelfEvaluation` per sheet.

    Every indicator is checked by the scorer as it will be scored (an empty 实际完成值, a percentage
    against a count, a score outside its band, 分值 not adding up to 100 …); WorkbookError lists every
    wrong cell and nothing is returned unless the whole workbook is right.
    """
    wb = _load(data)
    meta = _read_meta(wb)
    problems: list[str] = []
    out: list[SelfEvaluation] = []
    for sheet in _sheets_of(wb, meta, KIND_SELFEVAL, SELFEVAL_TITLE):
        ws = wb[sheet]
        info = meta.sheets.get(sheet, {})
        before = len(problems)
        funds = _find_row(ws, "B", "年度资金总额") or _S_FUNDS_ROW
        initial = _number(ws[f"C{funds}"], f"{sheet}!C{funds}", "年初预算数", problems, required=False)
        adjusted = _number(ws[f"D{funds}"], f"{sheet}!D{funds}", "全年预算数", problems, required=True)
        if adjusted is not None and adjusted <= 0:
            problems.append(f"{sheet}!D{funds}: 全年预算数应大于 0")
        executed = _number(
            ws[f"E{funds}"], f"{sheet}!E{funds}", "全年执行数", problems, required=True, minimum=Decimal(0)
        )
        ex_points = _number(
            ws[f"F{funds}"],
            f"{sheet}!F{funds}",
            "预算执行率分值",
            problems,
            required=True,
            minimum=Decimal(0),
        )
        has_reason = (_text(ws[f"I{funds - 1}"].value) or "").startswith(EXECUTION_REASON_HEAD)
        reason = (_text(ws[f"I{funds}"].value) or "") if has_reason else None
        goal_row = _find_row(ws, "A", "年度总体目标") or _S_GOAL_ROW
        header = _find_row(ws, "B", "一级指标") or _S_HEADER_ROW
        rows = _indicator_rows(ws, header, "总分")
        total_row = rows[-1] + 1 if rows else header + 1
        inds = [_selfeval_indicator(ws, sheet, r, meta.year, problems) for r in rows]
        if not rows:
            problems.append(f"{sheet}!B{header + 1}: 没有绩效指标")
        ev = SelfEvaluation(
            budget=Budget(adjusted=adjusted or Decimal(0), executed=executed or Decimal(0), initial=initial),
            indicators=inds,
            year=meta.year,
            project_name=_text(ws["B3"].value) or info.get("name"),
            project_code=_text(ws["G3"].value) or info.get("code"),
            unit_name=_text(ws["B4"].value),
            goal=_text(ws[f"B{goal_row + 1}"].value),
            goal_actual=_text(ws[f"F{goal_row + 1}"].value),
            project_seq=int(info["seq"]) if isinstance(info.get("seq"), int | float) else None,
            execution_reason=reason,
        )
        if len(problems) > before:
            continue
        problems += _check_selfeval(ev, sheet, rows, funds, total_row, ex_points or Decimal(0))
        if len(problems) == before:
            out.append(ev)
    if problems:
        raise WorkbookError(problems)
    return out


def _check_selfeval(
    ev: SelfEvaluation, sheet: str, rows: list[int], funds: int, total_row: int, ex_points: Decimal
) -> list[str]:
    """Score every indicator as `score_evaluation` will, locating each error at its cell.

    The pre-filled 分值 are the default shares: where they are left as written the category weights
    apply (a missing category is then only a warning); where the unit changed any, every indicator's
    分值 counts and with the 预算执行率 分值 they must add up to 100."""
    settings = ScoringSettings()
    default = settings.weights
    problems: list[str] = []
    try:
        bare = [IndicatorActual(i.level1, i.level2, i.name, i.target) for i in ev.indicators]
        alloc, _ = allocate_points(bare, default)
    except EvaluationError as e:
        r = rows[e.indicator] if e.indicator is not None else total_row
        return [f"{sheet}!{_S_FIELD_COL.get(e.field or '', 'B')}{r}: {e}"]
    as_default = ex_points == default.get(EXECUTION) and all(
        i.weight is not None and i.weight == pts.quantize(Decimal("0.01"))
        for i, (_, pts) in zip(ev.indicators, alloc, strict=True)
    )
    if as_default:
        for i in ev.indicators:
            i.weight = None
    else:
        sums: dict[str, Decimal] = {EXECUTION: ex_points}
        for i, (cat, _) in zip(ev.indicators, alloc, strict=True):
            sums[cat] = sums.get(cat, Decimal(0)) + (i.weight or Decimal(0))
        total = sum(sums.values(), Decimal(0))
        if total != 100:
            return [
                f"{sheet}!G{total_row}: 分值合计（预算执行率 {_text(ex_points)} 加各指标分值）"
                f"为 {_text(total)}，应为 100"
            ]
        ev.weights = normalize_weights(sums)
    settings = settings.with_weights(ev.weights)
    try:
        points = allocate_points(ev.indicators, settings.weights)[0]
    except EvaluationError as e:
        r = rows[e.indicator] if e.indicator is not None else total_row
        return [f"{sheet}!G{r}: {e}"]
    if ev.budget.adjusted <= 0:
        return [f"{sheet}!D{funds}: 全年预算数应大于 0"]
    rate = ev.budget.executed / ev.budget.adjusted
    if ev.execution_reason == "" and rate < settings.execution_explain_below:
        cut = settings.execution_explain_below * 100
        problems.append(
            f"{sheet}!I{funds}: 预算执行率 {_text((rate * 100).quantize(Decimal('0.01')))}% "
            f"低于 {_text(cut.normalize())}%，请填写执行率偏差原因"
        )
    for k, (ind, (cat, pts)) in enumerate(zip(ev.indicators, points, strict=True)):
        try:
            score_indicator(ind, pts, settings, index=k, category=cat, year=ev.year)
        except EvaluationError as e:
            problems.append(f"{sheet}!{_S_FIELD_COL.get(e.field or '', 'F')}{rows[k]}: {e}")
    return problems
