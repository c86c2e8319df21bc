"""The 项目支出绩效自评表 of each project and the unit's 自评汇总表, as .xlsx and .docx.

The layout is the national one (财政部 项目支出绩效自评表), on a 9-column grid:

    项目名称 | name (5)                       | 项目编码 | code (2)
    主管部门 | department (3)   | 实施单位 (2) | unit (3)
    项目资金（万元）  | (2)          | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    (merged down 5)  | 年度资金总额 | …          | …          | …          | 10   | 90%    | 9
                     | 其中：当年财政拨款 / 上年结转资金 / 其他资金 | amounts | — | — | —
    年度总体目标 (2 rows) | 预期目标 (4)          | 实际完成情况 (4)
                          | goal text             | what was achieved
    绩效指标 (merged)| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因…
                     | indicator rows, 一级/二级 merged down over their groups
    总分 (6)                                                        | 100  | total | 自评等级：优

Scores come from `jixiao.cycle.evaluate.score_evaluation`; this module only lays them out. Where a
deviation needs explaining and none was entered, the cell says so (待说明：…), so that an incomplete
report shows as incomplete when printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from jixiao.cycle.evaluate import EvaluationResult, SelfEvaluation, band_name, round_score
from jixiao.export.grid import (
    Cell,
    StandardTable,
    fmt_number,
    money,
    percent_text,
    tables_to_docx,
    tables_to_xlsx,
)
from jixiao.model import Project

TITLE = "项目支出绩效自评表"
SUMMARY_TITLE = "项目支出绩效自评汇总表"
WIDTHS_CM = (2.0, 1.7, 1.9, 2.4, 1.8, 1.9, 1.1, 1.4, 2.8)  # A4 portrait, 2 cm margins: 17 cm
SUMMARY_WIDTHS_CM = (1.0, 4.2, 4.1, 1.8, 1.8, 1.5, 1.4, 1.2)
GRADES = ("优", "良", "中", "差")
ZERO = Decimal(0)
DASH = "—"


@dataclass
class FundLine:
    """One row of the 项目资金 block (万元): 年初预算数, 全年预算数, 全年执行数."""

    initial: Decimal | None = None
    adjusted: Decimal | None = None
    executed: Decimal | None = None


@dataclass
class FundSources:
    """The 其中 rows of the 项目资金 block: 当年财政拨款, 上年结转资金, 其他资金 (any may be unknown)."""

    fiscal: FundLine | None = None
    carryover: FundLine | None = None
    other: FundLine | None = None


def funds_from_project(project: Project) -> FundSources:
    """The 其中 rows as far as the approved target table knows them: 年初预算数 of 财政资金 and 其他资金."""
    return FundSources(
        fiscal=FundLine(initial=project.budget_fiscal) if project.budget_fiscal is not None else None,
        other=FundLine(initial=project.budget_other) if project.budget_other is not None else None,
    )


def _label(text: str, col: int, span: int = 1, rows: int = 1) -> Cell:
    return Cell(text, col, span, rows, label=True)


def _money(d: Decimal | None, col: int) -> Cell:
    c = money(d)
    if c is None:
        return Cell("", col)
    c.col = col
    return c


def _score(d: Decimal, col: int, *, mark: str = "") -> Cell:
    q = round_score(d)
    return Cell(fmt_number(q) + mark, col, number=q, number_format="0.00")


def actual_text(actual: str | None, band: str | None) -> str:
    """实际完成值 as printed: a qualitative indicator shows its band beside what was entered."""
    actual = actual or ""
    if band:
        if actual and band_name(actual) is None:
            return f"{actual}（{band}）"
        return band
    return actual


def _funds_rows(result: EvaluationResult, funds: FundSources | None) -> list[list[Cell]]:
    """项目资金（万元）: the header, 年度资金总额 with its execution score, and the three sources."""
    L = _label
    rows: list[list[Cell]] = []
    b = result.budget
    rows.append(
        [
            L("项目资金（万元）", 0, rows=5),
            Cell("", 1, 2),
            L("年初预算数", 3),
            L("全年预算数", 4),
            L("全年执行数", 5),
            L("分值", 6),
            L("执行率", 7),
            L("得分", 8),
        ]
    )
    rows.append(
        [
            L("年度资金总额", 1, 2),
            _money(b.initial, 3),
            _money(b.adjusted, 4),
            _money(b.executed, 5),
            _score(result.execution_points, 6),
            Cell(
                percent_text(result.execution_rate),
                7,
                number=result.execution_rate.quantize(Decimal("0.0001")),
                number_format="0.00%",
            ),
            _score(result.execution_score, 8),
        ]
    )
    funds = funds or FundSources()
    for label, line in (
        ("其中：当年财政拨款", funds.fiscal),
        ("上年结转资金", funds.carryover),
        ("其他资金", funds.other),
    ):
        line = line or FundLine()
        rows.append(
            [
                Cell(label, 1, 2, align="center"),
                _money(line.initial, 3),
                _money(line.adjusted, 4),
                _money(line.executed, 5),
                Cell(DASH, 6, align="center"),
                Cell(DASH, 7, align="center"),
                Cell(DASH, 8, align="center"),
            ]
        )
    return rows


def _indicator_rows(ev: SelfEvaluation, result: EvaluationResult) -> list[list[Cell]]:
    """绩效指标: the header and one row per indicator, 一级/二级 merged down their runs."""
    L = _label
    rows: list[list[Cell]] = []
    n = len(ev.indicators)
    rows.append(
        [
            L("绩效指标", 0, rows=n + 1),
            L("一级指标", 1),
            L("二级指标", 2),
            L("三级指标", 3),
            L("年度指标值", 4),
            L("实际完成值", 5),
            L("分值", 6),
            L("得分", 7),
            L("偏差原因分析及改进措施", 8),
        ]
    )
    pairs = list(zip(ev.indicators, result.indicators, strict=True))
    for i, (ind, s) in enumerate(pairs):
        row: list[Cell] = []
        for col, key in ((1, lambda x: (x.level1,)), (2, lambda x: (x.level1, x.level2))):
            if i and key(pairs[i - 1][0]) == key(ind):
                continue  # covered by the merge above
            run = 1
            while i + run < n and key(pairs[i + run][0]) == key(ind):
                run += 1
            row.append(Cell((ind.level1 if col == 1 else ind.level2) or "", col, rows=run, align="center"))
        note = ind.reason or ""
        if not note and s.needs_explanation:
            note = "待说明：" + "；".join(s.explanations)
        row += [
            Cell(ind.name or "", 3),
            Cell(ind.target, 4, align="center"),
            Cell(actual_text(ind.actual, s.band), 5, align="center"),
            _score(s.points, 6),
            _score(s.score, 7, mark="*" if s.proposed else ""),
            Cell(note, 8),
        ]
        rows.append(row)
    return rows


def selfeval_table(
    ev: SelfEvaluation,
    result: EvaluationResult,
    *,
    department: str | None = None,
    funds: FundSources | None = None,
    sheet_name: str | None = None,
    published: bool = False,
) -> StandardTable:
    """The 项目支出绩效自评表 of one scored project as a grid; `published`: as readers see it once
    published (its notes say what a score is, not what the unit should do)."""
    year = f"（{ev.year}年度）" if ev.year else None
    t = StandardTable(TITLE, WIDTHS_CM, subtitle=year, sheet_name=sheet_name or "自评表")
    L = _label
    rows = t.rows
    rows.append(
        [
            L("项目名称", 0),
            Cell(ev.project_name or "", 1, 4),
            L("项目编码", 5),
            Cell(ev.project_code or "", 6, 3),
        ]
    )
    rows.append(
        [L("主管部门", 0), Cell(department or "", 1, 3), L("实施单位", 4, 2), Cell(ev.unit_name or "", 6, 3)]
    )
    rows += _funds_rows(result, funds)
    # 年度总体目标
    rows.append([L("年度总体目标", 0, rows=2), L("预期目标", 1, 4), L("实际完成情况", 5, 4)])
    rows.append([Cell(ev.goal or "", 1, 4), Cell(ev.goal_actual or "", 5, 4)])
    rows += _indicator_rows(ev, result)
    full = result.execution_points + sum((s.points for s in result.indicators), ZERO)
    # the 总分 row adds up the scores printed above it; a table whose 分值 do not total 100 shows the
    # sum out of its own total and, beside the grade, that sum scaled to 100 (which the grade follows)
    shown = result.raw_total if result.raw_total is not None else result.total
    scaled = f"（折算为百分制 {fmt_number(result.total)}）" if result.raw_total is not None else ""
    rows.append(
        [
            L("总分", 0, 6),
            _score(full, 6),
            _score(shown, 7),
            Cell(f"自评等级：{result.grade}{scaled}", 8, label=True),
        ]
    )
    if result.execution_explanation:
        reason = f"偏差原因：{ev.execution_reason}" if ev.execution_reason else "偏差原因待说明"
        t.notes.append(f"注：{result.execution_explanation}；{reason}。")
    if any(s.proposed for s in result.indicators):
        t.notes.append(
            "注：带 * 的得分按所选自评档次的中点计算。"
            if published
            else "注：带 * 的得分为系统按所选自评档次中点建议的得分，请确认或修改。"
        )
    t.notes += [f"注：{w}。" for w in result.warnings]
    return t


def grade_counts(results: Sequence[EvaluationResult]) -> dict[str, int]:
    """How many projects got each grade (优, 良, 中, 差; every grade present, in that order)."""
    counts = dict.fromkeys(GRADES, 0)
    for r in results:
        counts[r.grade] = counts.get(r.grade, 0) + 1
    return counts


def selfeval_summary_table(
    evs: Sequence[SelfEvaluation],
    results: Sequence[EvaluationResult],
    *,
    unit_name: str | None = None,
    year: int | None = None,
) -> StandardTable:
    """The unit's 项目支出绩效自评汇总表: every project's budget, execution, score and grade."""
    unit_name = unit_name or next((e.unit_name for e in evs if e.unit_name), None)
    year = year or next((e.year for e in evs if e.year), None)
    t = StandardTable(
        SUMMARY_TITLE,
        SUMMARY_WIDTHS_CM,
        subtitle=f"（{year}年度）" if year else None,
        caption=(f"单位：{unit_name}" if unit_name else "", "金额单位：万元"),
        sheet_name="汇总",
    )
    L = _label
    t.rows.append(
        [
            L("序号", 0),
            L("项目名称", 1),
            L("项目编码", 2),
            L("全年预算数", 3),
            L("全年执行数", 4),
            L("执行率", 5),
            L("自评得分", 6),
            L("自评等级", 7),
        ]
    )
    for k, (ev, r) in enumerate(zip(evs, results, strict=True), start=1):
        t.rows.append(
            [
                Cell(str(k), 0, number=Decimal(k), number_format="0"),
                Cell(ev.project_name or "", 1),
                Cell(ev.project_code or "", 2),
                _money(r.budget.adjusted, 3),
                _money(r.budget.executed, 4),
                Cell(
                    percent_text(r.execution_rate),
                    5,
                    number=r.execution_rate.quantize(Decimal("0.0001")),
                    number_format="0.00%",
                ),
                _score(r.total, 6),
                Cell(r.grade, 7, align="center"),
            ]
        )
    adjusted = sum((r.budget.adjusted for r in results), ZERO)
    executed = sum((r.budget.executed for r in results), ZERO)
    rate = executed / adjusted if adjusted else None
    avg = round_score(sum((r.total for r in results), ZERO) / len(results)) if results else None
    t.rows.append(
        [
            L("合计", 0, 3),
            _money(adjusted, 3),
            _money(executed, 4),
            Cell(
                percent_text(rate),
                5,
                number=rate.quantize(Decimal("0.0001")) if rate is not None else None,
                number_format="0.00%",
            ),
            _score(avg, 6) if avg is not None else Cell("", 6),
            Cell("", 7),
        ]
    )
    counts = grade_counts(results)
    t.notes.append(
        f"共 {len(results)} 个项目；平均得分 {fmt_number(avg) if avg is not None else '—'}；"
        + "，".join(f"{g} {n} 个" for g, n in counts.items())
        + "。"
    )
    return t


Item = tuple[SelfEvaluation, EvaluationResult]


def selfeval_tables(
    items: Sequence[Item],
    *,
    summary: bool | None = None,
    department: str | None = None,
    funds: Sequence[FundSources | None] | None = None,
    unit_name: str | None = None,
) -> list[StandardTable]:
    """Each project's 自评表 (sheets 自评表1, 自评表2 …, or 自评表 alone), then the unit summary.

    summary: None (the default) adds the summary when there are several projects.
    funds: the 其中 rows per project, in the order of `items` (None where unknown).
    """
    tables = []
    single = len(items) == 1
    for k, (ev, r) in enumerate(items):
        f = funds[k] if funds and k < len(funds) else None
        tables.append(
            selfeval_table(
                ev, r, department=department, funds=f, sheet_name="自评表" if single else f"自评表{k + 1}"
            )
        )
    if summary or (summary is None and len(items) > 1):
        tables.append(
            selfeval_summary_table([e for e, _ in items], [r for _, r in items], unit_name=unit_name)
        )
    return tables


def selfeval_to_xlsx(
    items: Sequence[Item],
    *,
    summary: bool | None = None,
    department: str | None = None,
    funds: Sequence[FundSources | None] | None = None,
    unit_name: str | None = None,
) -> bytes:
    """The .xlsx bytes: one sheet per project's 自评表, then 汇总 (options as in `selfeval_tables`)."""
    return tables_to_xlsx(
        selfeval_tables(items, summary=summary, department=department, funds=funds, unit_name=unit_name)
    )


def selfeval_to_docx(
    items: Sequence[Item],
    *,
    summary: bool | None = None,
    department: str | None = None,
    funds: Sequence[FundSources | None] | None = None,
    unit_name: str | None = None,
) -> bytes:
    """The .docx bytes: one page per project's 自评表, then the 汇总表 (options as in `selfeval_tables`)."""
    return tables_to_docx(
        selfeval_tables(items, summary=summary, department=department, funds=funds, unit_name=unit_name)
    )
