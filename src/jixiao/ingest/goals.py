"""部门整体绩效目标: the unit's overall goal (总体绩效目标) and sub goals (分项绩效目标).

They are running text before the project tables. The section headings are numbered in any of the
usual styles (一、 / （一） / 1、); the sub-goal items use one style, each with a title, then either
"绩效目标：…" and "绩效指标：…" lines, or the goal text directly. Lines wrapped by a PDF conversion
are joined back.
"""

from __future__ import annotations

import re

from jixiao.ingest.cells import Para

_NUM = r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])"
_OVERALL = re.compile(
    rf"^{_NUM}?\s*"
    r"(?:部门|单位)?(?:整体)?总体(?:绩效)?目标[:：]?\s*$"
)
_SUB = re.compile(
    rf"^{_NUM}?\s*"
    r"(?:部门|单位)?(?:整体)?分项(?:绩效)?目标[:：]?\s*$"
)
_END = re.compile(
    r"工作保障措施|^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])"
    r"\s*保障措施|"
    r"^第[一二三四五六七八九十]部分|绩效目标表$|^(?:[一二三四五六七八九十]+[、.．])\s*\S{2,12}$|"
    r"^(预算)?项目(支出)?绩效目标$|^资金绩效目标$"
)

_STYLES: list[tuple[str, re.Pattern[str]]] = [
    ("paren-cn", re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")),
    ("cn", re.compile(r"^([一二三四五六七八九十]+)[、.．]\s*(.*)$")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[、.．](?!\d)\s*(.*)$")),
    ("paren-arabic", re.compile(r"^[（(](\d{1,2})[）)]\s*(.*)$")),
]
_GOAL_LINE = re.compile(r"^(?:年度)?绩效目标[:：]\s*(.*)$")
_IND_LINE = re.compile(r"^(?:主要)?绩效指标[:：]\s*(.*)$")


def _item(text: str) -> tuple[str, str] | None:
    for style, pat in _STYLES:
        m = pat.match(text)
        if m:
            return style, m.group(2)
    return None


def _join(parts: list[str], wrapped: bool) -> str | None:
    parts = [p for p in parts if p.strip()]
    if not parts:
        return None
    return ("" if wrapped else "\n").join(p.strip() for p in parts)


SubGoalTuple = tuple[str | None, str | None, str | None]


def read_unit_goals(paras: list[Para], layout: str) -> tuple[str | None, list[SubGoalTuple]]:
    """(overall goal, [(title, goal, indicators)]) from the paragraphs before the first table."""
    wrapped = layout == "pdf-text"
    lines = [p.text.strip() for p in paras if p.text.strip()]
    overall_at = next((i for i, t in enumerate(lines) if _OVERALL.match(t)), None)
    sub_at = next((i for i, t in enumerate(lines) if _SUB.match(t)), None)
    overall: str | None = None
    if overall_at is not None:
        stop = sub_at if sub_at is not None and sub_at > overall_at else len(lines)
        body: list[str] = []
        for t in lines[overall_at + 1 : stop]:
            if _END.search(t) and not body:
                break
            if _END.search(t) and not _item(t):
                break
            body.append(t)
        overall = _join(body, wrapped)
    subs: list[SubGoalTuple] = []
    if sub_at is None:
        return overall, subs
    style: str | None = None
    title: str | None = ""
    goal: list[str] = []
    inds: list[str] = []
    field = "goal"
    started = False

    def flush() -> None:
        if started:
            subs.append((title, _join(goal, wrapped), _join(inds, wrapped)))

    for t in lines[sub_at + 1 :]:
        item = _item(t)
        if _END.search(t) and (item is None or item[0] != style or "保障措施" in t):
            break
        if item and (style is None or item[0] == style):
            flush()
            style = item[0]
            started = True
            rest = item[1].strip()
            goal, inds, field = [], [], "goal"
            # "1.发挥信用监管导向效能作用。一方面，…": the first sentence is the title
            m = re.match(r"^([^。；;，,]{2,40}?)[。；;]\s*(.+)$", rest)  # ASCII ; and , alike
            if m:
                title, first = m.group(1), m.group(2)
                goal.append(first)
            elif re.search(r"[，,。；;]", rest):
                title = None  # the item is goal text without a heading of its own
                goal.append(rest)
            else:
                title = rest
            continue
        if not started:
            continue
        m = _GOAL_LINE.match(t)
        if m:
            field = "goal"
            goal.append(m.group(1))
            continue
        m = _IND_LINE.match(t)
        if m:
            field = "indicators"
            inds.append(m.group(1))
            continue
        (goal if field == "goal" else inds).append(t)
    flush()
    return overall, subs
