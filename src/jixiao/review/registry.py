"""The rule registry: each rule is one small function registered with `@rule(...)`.

A rule's documentation lives in its docstring, in three parts as Ruff writes them, in Chinese:

    检查什么：…
    为什么：…
    示例与改法：…

Scopes:
- ``indicator``: ``fn(ind: IndicatorFacts, proj: ProjectFacts, ctx: Context) -> Hit | None``, called for
  each indicator whose category is in ``categories`` and whose parsed 指标值 kind is in ``kinds``
  (either left empty: all);
- ``project``: ``fn(proj: ProjectFacts, ctx: Context) -> Iterable[Hit]``;
- ``document``: ``fn(doc: DocumentFacts, ctx: Context) -> Iterable[Hit]`` (hits name their project).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jixiao.numbers import json_number
from jixiao.review.findings import HEADINGS, SEVERITIES, Severity

# The national guidelines the rules come from (cited by document; the rules paraphrase them).
GUIDE_TARGETS_2015 = "财政部《中央部门预算绩效目标管理办法》（财预〔2015〕88号）"
GUIDE_CORE_2021 = "财政部《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》（财预〔2021〕101号）"
GUIDE_EVAL_2020 = "财政部《项目支出绩效评价管理办法》（财预〔2020〕10号）"
TABLE_ARITHMETIC = "项目绩效目标表的填报口径：预算数 = 其中财政资金 + 其他资金（表内勾稽关系）"

SCOPES = ("indicator", "project", "document")


@dataclass(frozen=True, init=False)
class Hit:
    """What a rule function returns: the case-specific message, optionally a case-specific hint,
    and for project/document rules the indicator (index) and project it concerns."""

    message: str
    hint: str | None = None
    indicator: int | None = None
    project: Any = None  # ProjectFacts, for document-scope rules
    # a milder severity for this case (a form's standard option rather than a defect); a severity
    # set in the settings for the rule still wins
    severity: str | None = None

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        indicator: int | None = None,
        project: Any = None,
        severity: str | None = None,
    ) -> None:
        # the generated frozen __init__ with the instance dict filled at once, not through
        # object.__setattr__ per field (one Hit a finding); tests/test_review_plans.py checks
        # that this signature is the fields'
        self.__dict__.update(
            message=message, hint=hint, indicator=indicator, project=project, severity=severity
        )


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # short English name (kebab-case), stable like the code
    title: str  # Chinese title
    severity: Severity
    heading: str
    scope: str
    func: Callable[..., Any]
    sources: tuple[str, ...]
    what: str  # 检查什么
    why: str  # 为什么
    example: str  # 示例与改法
    fix: str  # default fix hint
    categories: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()  # target kinds (number, percent, date, boolean, text); empty: all
    thresholds: dict[str, Any] = field(default_factory=dict)
    # could the rule run on this project at all (its data present)? fn(proj: ProjectFacts,
    # ctx: Context) -> bool; None: always. Indicator rules also need an indicator of their
    # categories and kinds. A heading none of whose rules could run is shown 未审核, not 优.
    applies: Callable[..., bool] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "title": self.title,
            "severity": self.severity,
            "heading": self.heading,
            "scope": self.scope,
            "categories": sorted(self.categories),
            "sources": list(self.sources),
            "what": self.what,
            "why": self.why,
            "example": self.example,
            "fix": self.fix,
            "thresholds": {k: _plain(v) for k, v in self.thresholds.items()},
        }


_plain = json_number


RULES: dict[str, Rule] = {}

_SECTION = re.compile(r"^\s*(检查什么|为什么|示例与改法)[：:]\s*", re.M)


def _sections(doc: str) -> dict[str, str]:
    parts = _SECTION.split(doc or "")
    out: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        text = "\n".join(line.strip() for line in parts[i + 1].strip().splitlines())
        out[parts[i]] = text.strip()
    return out


def rule(
    code: str,
    name: str,
    title: str,
    *,
    severity: Severity,
    heading: str,
    scope: str,
    sources: tuple[str, ...],
    fix: str,
    categories: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    thresholds: dict[str, Any] | None = None,
    applies: Callable[..., bool] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a rule function under `code` (JXnnn)."""
    if severity not in SEVERITIES:
        raise ValueError(f"{code}: unknown severity {severity!r}")
    if heading not in HEADINGS:
        raise ValueError(f"{code}: unknown heading {heading!r}")
    if scope not in SCOPES:
        raise ValueError(f"{code}: unknown scope {scope!r}")
    if not re.fullmatch(r"JX\d{3}", code):
        raise ValueError(f"bad rule code {code!r}")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        doc = _sections(func.__doc__ or "")
        missing = [k for k in ("检查什么", "为什么", "示例与改法") if not doc.get(k)]
        if missing:
            raise ValueError(f"{code}: docstring lacks {', '.join(missing)}")
        RULES[code] = Rule(
            code=code,
            name=name,
            title=title,
            severity=severity,
            heading=heading,
            scope=scope,
            func=func,
            sources=sources,
            what=doc["检查什么"],
            why=doc["为什么"],
            example=doc["示例与改法"],
            fix=fix,
            categories=frozenset(categories),
            kinds=frozenset(kinds),
            thresholds=dict(thresholds or {}),
            applies=applies,
        )
        return func

    return register


def default_thresholds() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in RULES.values():
        out.update(r.thresholds)
    return out
