"""The standard 项目绩效目标表 as a grid, shared by the .docx, .xlsx and HTML writers.

One project's table is laid out on a 7-column grid, as in the published tables:

    项目编码 | code (2)          | 项目名称 | name (3)
    预算规模及资金用途 (2 rows) | 预算数 | n | 其中：财政资金 | n | 其他资金 | n
                     (cont.)   | 资金用途 text (6)
    资金支出计划（%） (2 rows)  | 3月底 | 6月底 | 10月底 | 12月底      (spread over 6 columns)
                     (cont.)   | 25%   | 50%   | 75%    | 100%
    绩效目标                     | goal text (6)
    一级指标 | 二级指标 | 三级指标 | 绩效指标描述 (2) | 指标值 | 指标值确定依据
    产出指标 (merged down) | 数量指标 (merged down) | ... indicator rows

Without a 指标值确定依据 column (no indicator has a basis, or `basis_column=False`) the 指标值
cell takes the last two columns. Writers turn `GridCell.rows > 1` into a vertical merge and
`GridCell.covered` into its continuation, and `span` into a horizontal merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.model import Disclosure, Indicator, Project
from jixiao.numbers import fixed

GRID = 7
HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
# relative widths of the 7 grid columns (cm on an A4 page with 2 cm margins)
WIDTHS_CM = (2.2, 2.3, 2.8, 2.1, 2.1, 2.2, 2.3)


@dataclass
class GridCell:
    text: str
    col: int  # first grid column (0-based)
    span: int = 1  # grid columns taken
    rows: int = 1  # rows taken (vertical merge), given on the first row
    covered: bool = False  # continuation of a vertical merge from above
    label: bool = False  # a printed label (bold, centred) rather than data
    number: Decimal | None = None  # money written as a number (xlsx)
    percent: Decimal | None = None  # a spending-plan share written as a number (xlsx)


@dataclass
class GridRow:
    cells: list[GridCell]
    kind: str  # "code", "budget", "purpose", "plan-head", "plan-values", "goal", "header", "indicator"
    indicator: Indicator | None = None


@dataclass
class ProjectTable:
    project: Project
    title: str  # "1.车辆保险费绩效目标表"
    unit_line: str  # "414001市场监管部门市场监督管理局本级"
    money_line: str  # "单位：万元"
    head: list[GridRow] = field(default_factory=list)  # rows before the indicator header
    header: GridRow | None = None
    indicators: list[GridRow] = field(default_factory=list)


@dataclass
class LayoutOptions:
    """How the writers lay out the table (so tests cover the layouts found in the field)."""

    money_unit: str = "万元"  # or "元": amounts printed ×10000 with 单位：元
    basis_column: bool | None = None  # None: only when some indicator has a basis
    merge_levels: bool = True  # False: 一级/二级 printed once per group, blank cells below (no merge)


def money_text(v: Decimal | None, unit: str) -> tuple[str, Decimal | None]:
    """The printed amount ("6.80") and the number, in the unit of the table."""
    if v is None:
        return "", None
    if unit == "元":
        v = v * 10000
    q = v.quantize(Decimal("0.01"))
    return fixed(q), q


def project_title(p: Project) -> str:
    title = p.title or f"{p.name or ''}绩效目标表"
    return f"{p.seq}.{title}"


def unit_line(p: Project, doc: Disclosure) -> str:
    code = p.unit_code if p.unit_code is not None or p.unit_name is not None else doc.unit_code
    name = p.unit_name if p.unit_name is not None else doc.unit_name
    return f"{code or ''}{name or ''}"


def _spread(n: int, width: int) -> list[int]:
    base, extra = divmod(width, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def has_basis_column(p: Project, opts: LayoutOptions) -> bool:
    if opts.basis_column is not None:
        return opts.basis_column
    return any(i.basis for i in p.indicators)


def layout_project(p: Project, doc: Disclosure, opts: LayoutOptions | None = None) -> ProjectTable:
    opts = opts or LayoutOptions()
    t = ProjectTable(p, project_title(p), unit_line(p, doc), f"单位：{opts.money_unit}")
    L = _label
    if p.code is not None:
        t.head.append(
            GridRow(
                [L("项目编码", 0), GridCell(p.code, 1, 2), L("项目名称", 3), GridCell(p.name or "", 4, 3)],
                "code",
            )
        )
    else:
        t.head.append(GridRow([L("项目名称", 0), GridCell(p.name or "", 1, 6)], "code"))
    total, total_n = money_text(p.budget_total, opts.money_unit)
    fiscal, fiscal_n = money_text(p.budget_fiscal, opts.money_unit)
    other, other_n = money_text(p.budget_other, opts.money_unit)
    t.head.append(
        GridRow(
            [
                GridCell("预算规模及资金用途", 0, rows=2, label=True),
                L("预算数", 1),
                GridCell(total, 2, number=total_n),
                L("其中：财政资金", 3),
                GridCell(fiscal, 4, number=fiscal_n),
                L("其他资金", 5),
                GridCell(other, 6, number=other_n),
            ],
            "budget",
        )
    )
    t.head.append(GridRow([GridCell("", 0, covered=True), GridCell(p.purpose or "", 1, 6)], "purpose"))
    if p.spending_plan:
        spans = _spread(len(p.spending_plan), GRID - 1)
        heads = [GridCell("资金支出计划（%）", 0, rows=2, label=True)]
        values, col = [GridCell("", 0, covered=True)], 1
        for (k, v), s in zip(p.spending_plan.items(), spans, strict=True):
            heads.append(GridCell(k, col, s, label=True))
            values.append(GridCell(v, col, s, percent=_percent(v)))
            col += s
        t.head.append(GridRow(heads, "plan-head"))
        t.head.append(GridRow(values, "plan-values"))
    t.head.append(GridRow([L("绩效目标", 0), GridCell(p.goal or "", 1, 6)], "goal"))
    basis = has_basis_column(p, opts)
    t.header = header_row(basis)
    t.indicators = indicator_rows(p.indicators, basis, opts.merge_levels)
    return t


def header_row(basis: bool) -> GridRow:
    cells = [_label(HEADER[0], 0), _label(HEADER[1], 1), _label(HEADER[2], 2), _label(HEADER[3], 3, 2)]
    if basis:
        cells += [_label(HEADER[4], 5), _label(HEADER[5], 6)]
    else:
        cells += [_label(HEADER[4], 5, 2)]
    return GridRow(cells, "header")


def indicator_rows(
    inds: list[Indicator], basis: bool, merge: bool, carried_from: Indicator | None = None
) -> list[GridRow]:
    """Indicator rows with 一级/二级 cells merged down over their groups (or blank below when not merged).

    `carried_from` is the indicator printed just before these rows (a table continued after a page
    break): a group it started is continued here with a blank 一级/二级 cell.
    """
    rows: list[GridRow] = []
    n = len(inds)
    for i, ind in enumerate(inds):
        cells: list[GridCell] = []
        for col, attr in ((0, "level1"), (1, "level2")):
            cur = getattr(ind, attr) or ""
            same_as_above = i > 0 and _group_key(inds[i - 1], col) == _group_key(ind, col)
            if same_as_above:
                cells.append(GridCell("", col, covered=merge))
            else:
                run = 1
                while i + run < n and _group_key(inds[i + run], col) == _group_key(ind, col):
                    run += 1
                if i == 0 and carried_from and _group_key(carried_from, col) == _group_key(ind, col):
                    cur = ""
                cells.append(GridCell(cur, col, rows=run if merge else 1))
        cells.append(GridCell(ind.name or "", 2))
        cells.append(GridCell(ind.description or "", 3, 2))
        if basis:
            cells += [GridCell(ind.value or "", 5), GridCell(ind.basis or "", 6)]
        else:
            cells.append(GridCell(ind.value or "", 5, 2))
        rows.append(GridRow(cells, "indicator", ind))
    return rows


def indicator_chunks(t: ProjectTable, merge: bool, every: int | None) -> list[list[GridRow]]:
    """The indicator rows cut into pieces of `every` rows (a table broken across pages)."""
    inds = t.project.indicators
    if not every or every >= len(inds):
        return [t.indicators]
    basis = len(t.header.cells) == 6 if t.header else True
    out: list[list[GridRow]] = []
    for start in range(0, len(inds), every):
        prev = inds[start - 1] if start else None
        out.append(indicator_rows(inds[start : start + every], basis, merge, carried_from=prev))
    return out


def _group_key(ind: Indicator, col: int) -> tuple[str | None, ...]:
    # a 二级指标 group never crosses a 一级指标 boundary
    return (ind.level1,) if col == 0 else (ind.level1, ind.level2)


def _label(text: str, col: int, span: int = 1) -> GridCell:
    return GridCell(text, col, span, label=True)


def _percent(v: str) -> Decimal | None:
    s = v.strip()
    if s.endswith("%") and s[:-1].isdigit():
        return Decimal(s[:-1]) / 100
    return None


def goal_paragraphs(doc: Disclosure) -> list[tuple[str, str]]:
    """The unit's 部门整体绩效目标 as (style, text) paragraphs: style is "heading", "subheading" or "text"."""
    out: list[tuple[str, str]] = []
    if not doc.overall_goal and not doc.sub_goals:
        return out
    out.append(("heading", "第一部分"))
    out.append(("heading", "部门整体绩效目标"))
    n = 0
    if doc.overall_goal:
        n += 1
        out.append(("subheading", f"{_cn_num(n)}、总体绩效目标"))
        out += [("text", line) for line in doc.overall_goal.split("\n") if line.strip()]
    if doc.sub_goals:
        n += 1
        out.append(("subheading", f"{_cn_num(n)}、分项绩效目标"))
        for k, sg in enumerate(doc.sub_goals, 1):
            if sg.title is None:  # an item that is only its goal text: "（九）一方面，…"
                out += _lines(f"（{_cn_num(k)}）", sg.goal or "")
                if sg.indicators:
                    out += _lines("绩效指标：", sg.indicators)
                continue
            out.append(("text", f"（{_cn_num(k)}）{sg.title}"))
            if sg.goal:
                out += _lines("绩效目标：", sg.goal)
            if sg.indicators:
                out += _lines("绩效指标：", sg.indicators)
    return out


def _lines(label: str, text: str) -> list[tuple[str, str]]:
    """A labelled text as paragraphs: the label before the first line, one paragraph per line."""
    lines = [line for line in text.split("\n") if line.strip()] or [""]
    return [("text", label + lines[0])] + [("text", line) for line in lines[1:]]


PROJECTS_HEADINGS = ("第二部分", "预算项目绩效目标")  # before the tables, when the unit goals come first


def document_title(doc: Disclosure) -> str:
    year = f"{doc.year}年" if doc.year else ""
    return f"{doc.unit_name or ''}{year}部门预算绩效目标"


_DIGITS = "零一二三四五六七八九"


def _cn_num(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 23 → 二十三 (enough for headings)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"
