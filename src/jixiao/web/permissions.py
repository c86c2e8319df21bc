"""Who may see and do what. Roles: 管理员 (everything), 审核人 (all units: read, return, approve),
单位用户 (own units only: read, import, edit drafts, submit).

Objects a user may not see are reported as missing (404) by pages and the API; actions a user
may not take on what they can see are refused (403).
"""

from __future__ import annotations

from django.db.models import QuerySet

from jixiao.web.models import CYCLE_STATES, Disclosure, Project, Role, State, Unit, User
from jixiao.web.refusals import Denied  # noqa: F401  (re-exported: raised by every permission check)


def role_of(user: User | None) -> str | None:
    if user is None:
        return Role.ADMIN  # the command line acts as administrator
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role


def sees_all(user: User | None) -> bool:
    return role_of(user) in (Role.ADMIN, Role.REVIEWER)


def visible_units(user: User | None) -> QuerySet[Unit]:
    if sees_all(user):
        return Unit.objects.all()
    if role_of(user) == Role.UNIT:
        return Unit.objects.filter(members=user)
    return Unit.objects.none()


def visible_unit_ids(user: User | None) -> list[int] | None:
    """None = all units; else the ids of the user's units."""
    if sees_all(user):
        return None
    if role_of(user) == Role.UNIT:
        return list(user.units.values_list("id", flat=True))  # type: ignore[union-attr]
    return []


def visible_projects(user: User | None) -> QuerySet[Project]:
    qs = Project.objects.all()
    ids = visible_unit_ids(user)
    return qs if ids is None else qs.filter(unit_id__in=ids)


def visible_disclosures(user: User | None) -> QuerySet[Disclosure]:
    qs = Disclosure.objects.all()
    ids = visible_unit_ids(user)
    if ids is None:
        return qs
    # a unit-year is visible to members of its unit and to members of units whose projects it holds
    return qs.filter(unit_id__in=ids)


def can_view_unit(user: User | None, unit: Unit) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or unit.pk in ids


def can_view_project(user: User | None, project: Project) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or project.unit_id in ids


def can_import_into(user: User | None, unit: Unit | None) -> bool:
    r = role_of(user)
    if r == Role.ADMIN:
        return True
    if r == Role.UNIT and unit is not None and unit.pk is not None:
        return can_view_unit(user, unit)
    return False


def can_edit_project(user: User | None, project: Project) -> bool:
    r = role_of(user)
    if r == Role.ADMIN:
        return True
    if r == Role.UNIT:
        return can_view_project(user, project) and project.state in (State.DRAFT, State.RETURNED)
    return False


def can_delete_project(user: User | None, project: Project) -> bool:
    """删除项目 of a project the caller found `user` may see (`can_view_project`: for a unit user, one
    of their units'): a draft, by an administrator or a unit user (`actions.delete_project` also
    keeps a unit user from deleting one with monitoring or a self-evaluation). Without a query: the
    project page asks it on every view."""
    return role_of(user) in (Role.ADMIN, Role.UNIT) and project.state == State.DRAFT


def can_submit(user: User | None, project: Project) -> bool:
    return can_edit_project(user, project) and project.state in (State.DRAFT, State.RETURNED)


def can_review(user: User | None, project: Project) -> bool:
    """Return or approve: reviewers and administrators, on a submitted project."""
    return role_of(user) in (Role.ADMIN, Role.REVIEWER) and project.state == State.SUBMITTED


def can_manage_users(user: User | None) -> bool:
    return role_of(user) == Role.ADMIN


def reports_for(user: User | None, project: Project) -> bool:
    """The project's unit users and administrators: those who enter its monitoring and self-evaluation."""
    r = role_of(user)
    return r == Role.ADMIN or (r == Role.UNIT and can_view_project(user, project))


def can_report(user: User | None, project: Project) -> bool:
    """Enter monitoring snapshots and the self-evaluation now: those who report for the project, once
    its targets are approved or published (`Project.cycle_block_reason` says why not before)."""
    return reports_for(user, project) and project.state in CYCLE_STATES


def can_publish_selfeval(user: User | None) -> bool:
    """公开 and 撤回公开 of a self-evaluation: who may publish a project's targets — reviewers and
    administrators (their imports record targets as published, `actions.imports.publishes`, and
    their approval makes them public); never a unit user, whose import is always a draft."""
    return role_of(user) in (Role.ADMIN, Role.REVIEWER)


def can_record_outcome(user: User | None) -> bool:
    """Record the corrective outcome of a monitoring result: reviewers and administrators."""
    return role_of(user) in (Role.ADMIN, Role.REVIEWER)
