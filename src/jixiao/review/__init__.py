"""绩效目标审核: the rule catalogue and the engine that runs it over a disclosure.

    from jixiao.review import review, review_document, load_settings
    findings = review(doc)                       # list[Finding]
    result = review_document(doc)                # findings + each project's 优/良/中/差
    rank_projects([result, ...])                 # all projects, worst first
    finding.key                                  # "JX201:3:5": attach to a return decision

Rules live in `jixiao.review.rules` (one function each); `RULES` is the catalogue.
"""

from __future__ import annotations

from jixiao.review.engine import (
    DocumentReview,
    ProjectReview,
    outcome,
    rank_projects,
    review,
    review_document,
)
from jixiao.review.findings import GRADES, HEADINGS, SEVERITIES, Finding, Outcome
from jixiao.review.history import History, HistoryError, load_history
from jixiao.review.registry import RULES, Rule
from jixiao.review.settings import (
    ReviewSettings,
    SettingsError,
    load_settings,
    loads_settings,
    settings_from_dict,
)

__all__ = [
    "GRADES",
    "HEADINGS",
    "RULES",
    "SEVERITIES",
    "DocumentReview",
    "Finding",
    "History",
    "HistoryError",
    "Outcome",
    "ProjectReview",
    "ReviewSettings",
    "Rule",
    "SettingsError",
    "load_history",
    "load_settings",
    "loads_settings",
    "outcome",
    "rank_projects",
    "review",
    "review_document",
    "settings_from_dict",
]
