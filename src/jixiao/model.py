"""The domain model of jixiao: plain dataclasses, no web or database imports.

A `Disclosure` is what one published document (预算/绩效目标公开文件) says: the budget unit
(预算单位), the budget year, the unit's overall and sub goals (部门整体绩效目标, 分项绩效目标), the
projects (项目) with their performance-target tables (绩效目标表), and where given the unit's budget
overview (收支预算, 三公经费, 政府采购, 国有资产).

Money is in 万元 as printed and kept as `Decimal`; texts are kept as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from jixiao.values import TargetValue, parse_value

# The budget years (预算年度) jixiao takes, wherever a year is typed, sent or read for an import:
# the new-project form, the upload form, the API, the command line's --year and the import action.
BUDGET_YEAR_MIN = 2000
BUDGET_YEAR_MAX = 2100
BUDGET_YEARS = range(BUDGET_YEAR_MIN, BUDGET_YEAR_MAX + 1)
BUDGET_YEAR_RULE = f"年度应为 {BUDGET_YEAR_MIN}–{BUDGET_YEAR_MAX} 之间的四位数字，例如 2025"


def is_budget_year(year: object) -> bool:
    """Whether `year` is an integer (not a bool) within `BUDGET_YEARS`."""
    return isinstance(year, int) and not isinstance(year, bool) and year in BUDGET_YEARS


class Location(NamedTuple):
    """Where something was read: a line of a text file, or a cell of a table/sheet."""

    line: int | None = None
    cell: str | None = None  # e.g. "Sheet1!B7", "table 2 row 5 col 3", "page 3"

    def __str__(self) -> str:
        if self.cell and self.line:
            return f"line {self.line}, {self.cell}"
        if self.cell:
            return self.cell
        if self.line:
            return f"line {self.line}"
        return "document"

    def zh(self) -> str:
        """Where, in Chinese, for people: 「第 3 行」「第 2 页表格 1 第 4 行第 3 列」「Sheet1!B7」
        (`str()` keeps the reader's own form, which files and tests record)."""
        return location_zh(str(self))


_WHERE_ZH = [
    (re.compile(r"\bpage (\d+)"), r"第 \1 页"),
    (re.compile(r"\btable (\d+)"), r"表格 \1"),
    (re.compile(r"\brow (\d+)"), r"第 \1 行"),
    (re.compile(r"\bcol (\d+)"), r"第 \1 列"),
    (re.compile(r"\bline (\d+)"), r"第 \1 行"),
    (re.compile(r"\bparagraph (\d+)"), r"第 \1 段"),
    (re.compile(r"\baltChunk (\d+)"), r"嵌入片段 \1"),
    (re.compile(r"^document$"), "全文"),
    (re.compile(r"(页|行|列|段) (?=第|表格)"), r"\1"),
    (re.compile(r", "), "，"),
]


def location_zh(text: str) -> str:
    """A location as the readers write it (`line 3`, `page 2 table 1 row 4 col 3`, `paragraph 5`,
    `Sheet1!B7`) in Chinese; an Excel reference stays as it is."""
    for pattern, repl in _WHERE_ZH:
        text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True)
class ParseWarning:
    """A located problem found while reading a document (something not used, or doubtful)."""

    file: str
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location.zh()}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.location.line,
            "cell": self.location.cell,
            "message": self.message,
        }


@dataclass
class Indicator:
    """绩效指标: one row of the indicator table (一级/二级/三级指标, 描述, 指标值, 依据)."""

    level1: str | None
    level2: str | None
    name: str | None
    description: str | None = None
    value: str | None = None
    basis: str | None = None
    # columns that some tables have (指标性质, 度量单位, 分值/权重)
    nature: str | None = None
    measure_unit: str | None = None
    weight: str | None = None
    location: Location | None = None
    year: int | None = None  # the budget year, so that dates without a year ("12月底") resolve
    # where 指标性质/指标值/度量单位 are separate cells, `value` joins them as printed and
    # `target_text` keeps the 指标值 cell alone; 指标方向性 (正向/反向) as printed
    target_text: str | None = None
    direction: str | None = None

    @property
    def level1_canonical(self) -> str | None:
        from jixiao.taxonomy import canonical_levels

        return canonical_levels(self.level1, self.level2)[0]

    @property
    def level2_canonical(self) -> str | None:
        from jixiao.taxonomy import canonical_levels

        return canonical_levels(self.level1, self.level2)[1]

    @property
    def target(self) -> TargetValue:
        return parse_value(self.value or "", year=self.year)


@dataclass
class Project:
    """项目: one project performance-target table (项目绩效目标表)."""

    seq: int
    title: str | None
    name: str | None
    code: str | None = None
    unit_code: str | None = None  # the unit the table itself names, when printed
    unit_name: str | None = None
    budget_total: Decimal | None = None  # 预算数 (万元)
    budget_fiscal: Decimal | None = None  # 其中：财政资金
    budget_other: Decimal | None = None  # 其他资金
    purpose: str | None = None  # 资金用途
    spending_plan: dict[str, str] | None = None  # 资金支出计划, e.g. {"3月底": "25%"}
    goal: str | None = None  # 绩效目标
    indicators: list[Indicator] = field(default_factory=list)
    location: Location | None = None
    region: str | None = None  # 行政区划 named by the project code's division, when it has one
    kind: str = "project"  # "department": the unit-year's own 部门整体支出绩效目标表


@dataclass
class SubGoal:
    """分项绩效目标 of the unit as a whole."""

    title: str | None
    goal: str | None = None
    indicators: str | None = None


@dataclass
class ThreePublic:
    """“三公”经费 (万元)."""

    total: Decimal | None = None
    abroad: Decimal | None = None  # 因公出国（境）费
    vehicles: Decimal | None = None  # 公务用车购置及运维费
    vehicle_purchase: Decimal | None = None
    vehicle_running: Decimal | None = None
    reception: Decimal | None = None  # 公务接待费


@dataclass
class ProcurementItem:
    """A 政府采购预算 row."""

    project: str | None
    item: str | None
    catalog_code: str | None
    amount: Decimal | None


@dataclass
class BudgetOverview:
    """The unit's budget as disclosed (收入, 支出, 机关运行经费, 三公经费, 政府采购, 国有资产), 万元."""

    revenue_total: Decimal | None = None
    revenue_general: Decimal | None = None
    revenue_fund: Decimal | None = None
    revenue_special_account: Decimal | None = None
    revenue_other: Decimal | None = None
    carryover: Decimal | None = None
    expenditure_total: Decimal | None = None
    expenditure_basic: Decimal | None = None
    expenditure_personnel: Decimal | None = None
    expenditure_public: Decimal | None = None
    expenditure_project: Decimal | None = None
    operating_costs: Decimal | None = None
    three_public: ThreePublic | None = None
    procurement_total: Decimal | None = None
    procurement: list[ProcurementItem] = field(default_factory=list)
    assets_total: Decimal | None = None


@dataclass
class Disclosure:
    """One document's worth of performance information for one budget unit and year."""

    source: str
    unit_code: str | None = None
    unit_name: str | None = None
    year: int | None = None
    region: str | None = None  # the division most project codes name (GB/T 2260), as a hint
    overall_goal: str | None = None
    sub_goals: list[SubGoal] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    budget_overview: BudgetOverview | None = None
    warnings: list[ParseWarning] = field(default_factory=list)
