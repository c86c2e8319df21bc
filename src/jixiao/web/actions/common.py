"""What every write shares: the actions' errors, the history record and the re-review after a change."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.numbers import plain
from jixiao.web.models import (
    Disclosure,
    History,
    Project,
    User,
)
from jixiao.web.permissions import (
    can_view_project,
)
from jixiao.web.refusals import ActionError, Conflict, Invalid, NotFound  # noqa: F401  (re-exported)


def rereview(disclosure_ids: Iterable[int]) -> None:
    """Review these unit-years again after a write and store the results (derived data the pages
    read), inside the caller's transaction. A failing rule must not stop the write: the pages then
    review the unit-year when they find its stored review stale."""
    from jixiao.web.lib.reviews import store_reviews

    try:
        with transaction.atomic():
            store_reviews(disclosure_ids)
    except Exception:
        logging.getLogger(__name__).exception("review of unit-years %s not stored", disclosure_ids)


def actor_name(actor: User | None) -> str:
    return actor.username if actor is not None else "命令行"


def record_history(
    actor: User | None,
    action: str,
    summary: str,
    *,
    project: Project | None = None,
    disclosure: Disclosure | None = None,
    changes: Any = None,
) -> History:
    return History.objects.create(
        user=actor if actor is not None and actor.pk else None,
        username=actor_name(actor),
        action=action,
        summary=summary,
        project=project,
        disclosure=disclosure,
        changes=changes,
    )


def parse_money(text: object, label: str, errors: dict[str, str], key: str) -> Decimal | None:
    """An amount in 万元 as typed (commas allowed) or already a number; blank is None. Unreadable,
    negative or absurd amounts put their message at `key` in `errors` and give None."""
    if text is None:
        return None
    s = str(text).strip().replace(",", "").replace("，", "")
    if not s:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        errors[key] = f"{label}应为数字（万元），例如 12.5"
        return None
    if not d.is_finite() or d < 0 or d >= Decimal(10) ** 12:
        errors[key] = f"{label}应为不小于 0 的数字（万元）"
        return None
    return d


def clean_text(v: object) -> str | None:
    """The text stripped; None for None and blank text."""
    if v is None:
        return None
    s = str(v).strip()
    return s or None


# a free text typed or sent (a goal, a deviation's explanation, a note): far beyond any table's, so
# that no save stores, reviews and shows reviewers the megabytes a request may carry (21 MB)
LONG_TEXT_MAX = 20_000


def long_text(v: object, label: str, errors: dict[str, str], key: str) -> str | None:
    """`clean_text`, with an error at `key` when longer than LONG_TEXT_MAX characters (the text is
    returned all the same: nothing is saved with an error, and later checks see it was given)."""
    s = clean_text(v)
    if s is not None and len(s) > LONG_TEXT_MAX:
        errors[key] = f"{label}不能超过 {LONG_TEXT_MAX} 字"
    return s


def locked_project(actor: User | None, project_id: int) -> Project:
    proj = Project.objects.select_for_update().select_related("unit").filter(pk=project_id).first()
    if proj is None or not can_view_project(actor, proj):
        raise NotFound("项目不存在或您无权查看。")
    return proj


def check_version(proj: Project, version: int | None) -> None:
    if version is None:
        return
    if int(version) != proj.version:
        last = proj.history.order_by("-at", "-id").first()
        who = f"{last.username} 于 {timezone.localtime(last.at):%Y-%m-%d %H:%M:%S} " if last else ""
        raise Conflict(
            f"保存冲突：该项目已被{who}修改（当前版本 {proj.version}，您编辑的是版本 {version}）。"
            "为避免覆盖他人的修改，本次保存未生效。请刷新页面查看最新内容后再修改。"
        )


def jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return plain(v)
    return v
