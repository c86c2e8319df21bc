"""What review produces: located findings, and the outcome a reviewer would give a project."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "hint"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "hint")
SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "hint": "提示"}

# The four headings of 绩效目标审核 (财预〔2015〕88号《中央部门预算绩效目标管理办法》).
COMPLETENESS = "完整性"
RELEVANCE = "相关性"
APPROPRIATENESS = "适当性"
FEASIBILITY = "可行性"
HEADINGS: tuple[str, ...] = (COMPLETENESS, RELEVANCE, APPROPRIATENESS, FEASIBILITY)

# The review outcome of a project: 优 goes ahead, 良 goes ahead after small fixes, 中 revise and
# resubmit, 差 targets unusable.
GRADES: tuple[str, ...] = ("优", "良", "中", "差")
# a heading none of whose rules could run on the project (no budget data, say): never 优
UNCHECKED = "未审核"


@dataclass(frozen=True)
class Finding:
    """One defect found by one rule, located at a project and (usually) one of its indicators."""

    rule: str  # e.g. "JX201"
    severity: Severity
    heading: str  # 完整性 / 相关性 / 适当性 / 可行性
    title: str  # the rule's Chinese title
    message: str  # what is wrong, in the words of this case
    hint: str  # how to fix it
    project_seq: int | None = None
    project: str | None = None
    indicator: str | None = None  # 三级指标 as printed
    indicator_index: int | None = None  # position in Project.indicators (0-based)
    source: str | None = None  # the disclosure's file
    unit_code: str | None = None
    unit_name: str | None = None

    @property
    def key(self) -> str:
        """A stable reference to this finding inside its disclosure (rule, project, indicator), for
        attaching findings to a return decision: "JX201:3:5" (indicator 5 of project 3), "JX103:3:-"."""
        ind = "-" if self.indicator_index is None else str(self.indicator_index)
        return f"{self.rule}:{'-' if self.project_seq is None else self.project_seq}:{ind}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: the seven documented keys first, then the extra context."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "project_seq": self.project_seq,
            "project": self.project,
            "indicator": self.indicator,
            "message": self.message,
            "hint": self.hint,
            "title": self.title,
            "heading": self.heading,
            "indicator_index": self.indicator_index,
            "source": self.source,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "key": self.key,
        }


@dataclass(frozen=True)
class Outcome:
    """The reviewer's grade of one project, overall and per heading."""

    project_seq: int | None
    project: str | None
    grade: str  # 优 良 中 差
    headings: dict[str, str] = field(default_factory=dict)  # heading → grade, or 未审核
    counts: dict[str, int] = field(default_factory=dict)  # severity → number of findings
    # the explanation of the grade (not compared: results stored before it existed equal fresh ones)
    score: float | None = field(default=None, compare=False)  # 0–100: 100 less the weighted share touched
    reasons: list[str] = field(default_factory=list, compare=False)  # why this grade, weightiest first
    heading_scores: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def verdict(self) -> str:
        return GRADE_VERDICT[self.grade]

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_seq": self.project_seq,
            "project": self.project,
            "grade": self.grade,
            "verdict": self.verdict,
            "headings": dict(self.headings),
            "counts": dict(self.counts),
            "score": self.score,
            "reasons": list(self.reasons),
        }


GRADE_VERDICT: dict[str, str] = {
    "优": "直接进入预算安排流程",
    "良": "小幅修改完善后进入预算安排流程",
    "中": "修改完善后重新报送审核",
    "差": "绩效目标不可用，不得进入预算安排流程",
}
