"""The home page's work lists (工作台): what waits for each role.

- 审核人 (finance bureau): projects submitted and awaiting review, oldest first; projects whose latest
  monitoring light is red or yellow; self-evaluations overdue.
- 单位用户: returned projects with the reviewer's comment; reports due (this year's monitoring, the
  self-evaluation of past years' projects); drafts not yet submitted.
- 管理员: both.

Each list is one query over the projects the user may see (`permissions.visible_projects`) — the
rows of one page, the unit joined, the history figures (who returned it, when it was submitted) as
correlated subqueries — plus a COUNT(*) when the page is full; never one query per row.

The rules that make a report due or overdue are stated on the page (`WorkList.rule`):
- monitoring: the data of the current budget year as of 7月31日 (national practice; see
  `jixiao.cycle.monitor.default_as_of`), reported by 8月31日. From 7月31日 on, an approved or
  published project of the current year whose latest snapshot is dated before 7月31日 (or that has
  none) is due, and overdue after 8月31日.
- self-evaluation: a project of year Y is evaluated by 3月31日 of Y+1. An approved or published
  project of the last `SELFEVAL_YEARS` budget years with no self-evaluation is due (unit list) and,
  once that date has passed, overdue (reviewer list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from jixiao.cycle.monitor import default_as_of
from jixiao.web.models import History, MonitoringSnapshot, Project, Role, State
from jixiao.web.permissions import role_of, visible_projects

LIST_LIMIT = 20  # rows shown per list on the home page
PAGE = 100  # rows per page when one list is shown whole
SELFEVAL_YEARS = 3  # past budget years whose missing self-evaluations are listed
SELFEVAL_DUE = (3, 31)  # month, day of the year after the budget year
MONITOR_DUE = (8, 31)  # month, day of the budget year
# the states in which targets are approved: monitoring and self-evaluation are entered for these
# ("published" is the state a published disclosure is imported in, where the workflow has it)
REPORTABLE = (str(State.APPROVED), "published")

STATE_LABELS = {**dict(State.choices), "published": "已公开"}
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯"}

# the columns a work list reads of each project (the rest stays in the database)
_FIELDS = (
    "id",
    "name",
    "title",
    "key",
    "year",
    "seq",
    "state",
    "updated_at",
    "unit_id",
    "unit__id",
    "unit__name",
    "monitor_light",
    "monitor_as_of",
)


@dataclass
class WorkItem:
    """One project in a work list, with what the list says about it."""

    project_id: int
    name: str
    unit_id: int
    unit_name: str
    year: int | None
    state: str
    page: str  # the route of the page where the work is done: project, project_monitor, project_selfeval
    since: datetime | date | None = None  # submitted, returned, last changed or monitored
    by: str = ""  # who returned it
    note: str = ""  # the reviewer's comment, the outcome recorded
    light: str = ""
    complete: bool | None = None  # the monitoring report is complete
    due: date | None = None
    overdue: bool = False

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS.get(self.light, "")


@dataclass
class WorkList:
    """A titled list: the total, the rows of one page, and the rule that fills it (in Chinese)."""

    key: str
    title: str
    rule: str
    empty: str
    total: int = 0
    items: list[WorkItem] = field(default_factory=list)
    offset: int = 0
    audience: str = ""  # "review" or "unit": which half of the page it belongs to

    @property
    def more(self) -> bool:
        return self.offset + len(self.items) < self.total


REVIEW_LISTS = ("submitted", "lights", "selfeval_overdue")
UNIT_LISTS = ("returned", "monitor_due", "selfeval_due", "drafts")


def lists_for(user: Any) -> tuple[str, ...]:
    """The keys of the work lists a user has, in page order."""
    r = role_of(user)
    if r == Role.ADMIN:
        return REVIEW_LISTS + UNIT_LISTS
    if r == Role.REVIEWER:
        return REVIEW_LISTS
    if r == Role.UNIT:
        return UNIT_LISTS
    return ()


def work_lists(
    user: Any,
    today: date,
    *,
    only: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[WorkList]:
    """The user's work lists (one query each, two when the page of `limit` rows, default
    LIST_LIMIT, is full), or only the list `only` (none when the user has no such list) from
    `offset`."""
    limit = LIST_LIMIT if limit is None else limit
    keys = lists_for(user)
    if only is not None:
        keys = tuple(k for k in keys if k == only)
    projects = visible_projects(user)
    return [BUILDERS[k](projects, today, limit, offset) for k in keys]


# ------------------------------------------------------------------ the lists


def _page(qs: QuerySet[Project], limit: int, offset: int) -> tuple[int, list[Project]]:
    """One page of `qs` and the total: the total is the page's own length when the page is not full,
    else one COUNT(*) (answered from the indexes on state and light; a window count beside each row
    would make PostgreSQL build every row of a long list to keep 20)."""
    rows = list(qs[offset : offset + limit])
    if len(rows) < limit and (rows or not offset):
        return offset + len(rows), rows
    return qs.order_by().count(), rows


def _base(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.select_related("unit").only(*_FIELDS)


def _item(p: Project, page: str, **kw: Any) -> WorkItem:
    return WorkItem(
        project_id=p.pk,
        name=p.name or p.title or p.key,
        unit_id=p.unit_id,
        unit_name=p.unit.name,
        year=p.year,
        state=p.state,
        page=page,
        **kw,
    )


def _last_history(action: str, column: str) -> Subquery:
    """The `column` of the project's latest History record of `action`."""
    return Subquery(
        History.objects.filter(project=OuterRef("pk"), action=action)
        .order_by("-at", "-id")
        .values(column)[:1]
    )


def submitted(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    qs = (
        _base(projects)
        .filter(state=State.SUBMITTED)
        .annotate(submitted_at=_last_history("submit", "at"))
        .order_by(F("submitted_at").asc(nulls_first=True), "id")
    )
    total, rows = _page(qs, limit, offset)
    return WorkList(
        "submitted",
        "待审核项目",
        "单位已提交、等待审核（退回或批复）的项目，提交最早的在前。",
        "没有等待审核的项目。",
        total,
        [_item(p, "project", since=p.submitted_at) for p in rows],
        offset,
        "review",
    )


def lights(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    latest = MonitoringSnapshot.objects.filter(project=OuterRef("pk"), as_of=OuterRef("monitor_as_of"))
    qs = (
        _base(projects)
        .filter(monitor_light__in=("red", "yellow"))
        .annotate(
            outcome=Subquery(latest.values("outcome")[:1]),
            outcome_note=Subquery(latest.values("outcome_note")[:1]),
            complete=Subquery(latest.values("complete")[:1]),
            treated=Case(
                When(Q(outcome="") | Q(outcome__isnull=True), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            red_first=Case(
                When(monitor_light="red", then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("treated", "red_first", F("monitor_as_of").desc(nulls_last=True), "id")
    )
    total, rows = _page(qs, limit, offset)
    labels = {v: label for v, label in _outcome_choices()}
    items = []
    for p in rows:
        note = labels.get(p.outcome or "", "")
        if note and p.outcome_note:
            note += f"：{p.outcome_note}"
        items.append(
            _item(
                p,
                "project_monitor",
                since=p.monitor_as_of,
                light=p.monitor_light,
                note=note,
                complete=bool(p.complete),
            )
        )
    return WorkList(
        "lights",
        "红灯、黄灯项目",
        "最近一次运行监控为红灯或黄灯的项目；尚未记录处理意见的在前，红灯在黄灯前。",
        "没有红灯或黄灯项目。",
        total,
        items,
        offset,
        "review",
    )


def _outcome_choices() -> list[tuple[str, str]]:
    from jixiao.web.models import Outcome

    return list(Outcome.choices)


def selfeval_due_date(year: int) -> date:
    """The date by which the self-evaluation of a project of budget `year` is due."""
    return date(year + 1, *SELFEVAL_DUE)


def _selfeval_missing(projects: QuerySet[Project], today: date) -> QuerySet[Project]:
    return _base(projects).filter(
        state__in=REPORTABLE,
        selfeval__isnull=True,
        year__gte=today.year - SELFEVAL_YEARS,
        year__lt=today.year,
    )


def _selfeval_rule() -> str:
    m, d = SELFEVAL_DUE
    return (
        f"已批复（或已公开）的项目，应在项目年度次年 {m} 月 {d} 日前完成绩效自评；"
        f"列出近 {SELFEVAL_YEARS} 个年度的项目"
    )


def selfeval_overdue(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    # the latest budget year whose deadline has passed
    last = today.year - 1 if today > selfeval_due_date(today.year - 1) else today.year - 2
    qs = _selfeval_missing(projects, today).filter(year__lte=last).order_by("-year", "unit_id", "seq", "id")
    total, rows = _page(qs, limit, offset)
    return WorkList(
        "selfeval_overdue",
        "绩效自评逾期",
        _selfeval_rule() + "，已过期限仍未填报的项目（年度近的在前）。",
        "没有逾期未填报绩效自评的项目。",
        total,
        [
            _item(p, "project_selfeval", due=selfeval_due_date(p.year), overdue=True)
            for p in rows
            if p.year is not None
        ],
        offset,
        "review",
    )


def returned(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    qs = (
        _base(projects)
        .filter(state=State.RETURNED)
        .annotate(
            returned_at=_last_history("return", "at"),
            returned_by=_last_history("return", "username"),
            return_summary=_last_history("return", "summary"),
        )
        .order_by(F("returned_at").asc(nulls_first=True), "id")
    )
    total, rows = _page(qs, limit, offset)
    return WorkList(
        "returned",
        "已退回项目",
        "审核人退回、待修改后重新提交的项目，附退回意见，退回最早的在前。",
        "没有被退回的项目。",
        total,
        [
            _item(
                p,
                "project",
                since=p.returned_at,
                by=p.returned_by or "",
                note=_comment(p.return_summary),
            )
            for p in rows
        ],
        offset,
        "unit",
    )


def _comment(summary: str | None) -> str:
    """The reviewer's comment in a 退回 History summary (`退回：意见（附审核发现 n 条）`)."""
    s = (summary or "").strip()
    return s.removeprefix("退回：").removeprefix("退回:").strip()


def monitor_period(today: date) -> tuple[date, date]:
    """The current monitoring period: (as-of date, report due date) of the current budget year."""
    return default_as_of(today.year), date(today.year, *MONITOR_DUE)


def monitor_due(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    as_of, due = monitor_period(today)
    rule = (
        f"本年度（{today.year} 年）运行监控：数据截至 {as_of.month} 月 {as_of.day} 日，"
        f"{due.month} 月 {due.day} 日前填报；自 {as_of.month} 月 {as_of.day} 日起，"
        "列出已批复（或已公开）、尚未填报这一期监控的本年度项目。"
    )
    if today < as_of:
        return WorkList(
            "monitor_due",
            "待填报运行监控",
            rule,
            f"本期运行监控尚未开始（{as_of.isoformat()} 起填报）。",
            audience="unit",
        )
    qs = (
        _base(projects)
        .filter(state__in=REPORTABLE, year=today.year)
        .filter(Q(monitor_as_of__isnull=True) | Q(monitor_as_of__lt=as_of))
        .order_by("unit_id", "seq", "id")
    )
    total, rows = _page(qs, limit, offset)
    return WorkList(
        "monitor_due",
        "待填报运行监控",
        rule,
        f"本期（数据截至 {as_of.isoformat()}）没有待填报的运行监控。",
        total,
        [_item(p, "project_monitor", since=p.monitor_as_of, due=due, overdue=today > due) for p in rows],
        offset,
        "unit",
    )


def selfeval_due(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    qs = _selfeval_missing(projects, today).order_by("-year", "unit_id", "seq", "id")
    total, rows = _page(qs, limit, offset)
    items = []
    for p in rows:
        if p.year is None:
            continue
        due = selfeval_due_date(p.year)
        items.append(_item(p, "project_selfeval", due=due, overdue=today > due))
    return WorkList(
        "selfeval_due",
        "待填报绩效自评",
        _selfeval_rule() + "；过期的标为逾期。",
        "没有待填报的绩效自评。",
        total,
        items,
        offset,
        "unit",
    )


def drafts(projects: QuerySet[Project], today: date, limit: int, offset: int) -> WorkList:
    qs = (
        _base(projects)
        .filter(state=State.DRAFT)
        .order_by(F("year").desc(nulls_last=True), "unit_id", "seq", "id")
    )
    total, rows = _page(qs, limit, offset)
    return WorkList(
        "drafts",
        "未提交的草稿",
        "尚未提交审核的草稿项目，年度近的在前。",
        "没有未提交的草稿。",
        total,
        [_item(p, "project", since=p.updated_at) for p in rows],
        offset,
        "unit",
    )


BUILDERS = {
    "submitted": submitted,
    "lights": lights,
    "selfeval_overdue": selfeval_overdue,
    "returned": returned,
    "monitor_due": monitor_due,
    "selfeval_due": selfeval_due,
    "drafts": drafts,
}
