"""Outcomes are graded once per pattern of findings (issue 14, item 4): projects whose findings
have the same rules, severities and indicators grade alike, each with outcome objects of its own."""

from __future__ import annotations

from jixiao.review import engine
from jixiao.review.facts import clear_caches
from jixiao.review.findings import Finding


def _f(rule: str, severity: str, index: int | None, project: str, message: str) -> Finding:
    return Finding(rule, severity, "可行性", f"标题{rule}", message, "改", 1, project, "x", index)  # type: ignore[arg-type]


def test_a_kept_grade_is_the_grade_of_its_findings():
    a = [_f("JX201", "error", 0, "甲", "指标甲"), _f("JX503", "warning", 2, "甲", "约")]
    b = [_f("JX201", "error", 0, "乙", "别的话"), _f("JX503", "warning", 2, "乙", "大约")]
    clear_caches()
    fresh = engine.outcome(b, 4, project_seq=2, project="乙")
    first = engine.outcome(a, 4, project_seq=1, project="甲")
    kept = engine.outcome(b, 4, project_seq=2, project="乙")  # graded as 甲's
    assert (kept.project_seq, kept.project) == (2, "乙")
    assert (kept.grade, kept.headings, kept.counts, kept.score, kept.reasons, kept.heading_scores) == (
        fresh.grade,
        fresh.headings,
        fresh.counts,
        fresh.score,
        fresh.reasons,
        fresh.heading_scores,
    )
    # each outcome holds its own dicts and lists
    kept.headings["可行性"] = "优"
    kept.reasons.append("x")
    again = engine.outcome(a, 4)
    assert again.headings == first.headings and again.reasons == first.reasons


def test_what_decides_a_grade_is_in_the_key():
    a = [_f("JX201", "error", 0, "甲", "m")]
    assert engine.outcome(a, 1).grade != engine.outcome(a, 40).grade  # the number of indicators
    hint = [_f("JX201", "hint", 0, "甲", "m")]
    assert engine.outcome(hint, 1).score != engine.outcome(a, 1).score  # the severity
    checked = dict.fromkeys(("完整性", "相关性", "适当性", "可行性"), True)
    unchecked = {**checked, "相关性": False}
    assert (
        engine.outcome([], 3, checked=checked).headings["相关性"]
        != (engine.outcome([], 3, checked=unchecked).headings["相关性"])
    )


def test_kept_grades_are_bounded(monkeypatch):
    """Past `OUTCOMES_LIMIT` kept grades the store starts again: a web worker's memory stays
    bounded, and an outcome is the same whether it was kept or not."""
    monkeypatch.setattr(engine, "OUTCOMES_LIMIT", 2)
    clear_caches()
    cases = [([_f("JX201", "error", i, "甲", "m")], 5 + i) for i in range(4)]
    first = [engine.outcome(fs, n).grade for fs, n in cases]
    assert len(engine._OUTCOMES) <= 2
    clear_caches()
    monkeypatch.undo()
    assert [engine.outcome(fs, n).grade for fs, n in cases] == first
