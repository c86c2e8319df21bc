"""Accounts and API tokens: users, their units, passwords and tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.web.actions.common import (
    Invalid,
    NotFound,
    record_history,
)
from jixiao.web.models import (
    ApiToken,
    Role,
    Unit,
    User,
)
from jixiao.web.permissions import (
    Denied,
    can_manage_users,
)


def _units_by_id(ids: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in units}
    if missing:
        raise Invalid(f"没有编号为 {'、'.join(map(str, sorted(missing)))} 的单位。", {"unit": str(missing)})
    return units


def _resolve_units(codes: list[str]) -> list[Unit]:
    """Units as a user names them (`jixiao user create --unit`): a code, region:code or id:N (see
    `units.find_units`), else a bare number as the unit's id. A code several units share is an
    error listing them."""
    from jixiao.web.lib.units import UnitSpecError, find_units, resolve_unit

    units: list[Unit] = []
    for typed in codes:
        c = typed
        if not find_units(c) and c.strip().isdigit():
            if not find_units(f"id:{c.strip()}"):  # neither a code nor an id: named as typed
                raise Invalid(
                    f"没有单位 {typed.strip()}（--unit 可写 单位编码、地区:编码 或 id:单位编号）。",
                    {"unit": typed},
                )
            c = f"id:{c.strip()}"
        try:
            units.append(resolve_unit(c))
        except UnitSpecError as e:
            raise Invalid(e.message, {"unit": c}) from None
    return units


def why_no_units(role: str) -> str | None:
    """Why a user of `role` belongs to no unit (administrators and reviewers see every unit), or
    None for a unit user."""
    if role in (Role.ADMIN, Role.REVIEWER):
        return f"{Role(role).label}可查看所有单位，不属于某个单位；请不要为其指定所属单位"
    return None


def password_errors(password: str, user: User | None = None) -> str | None:
    """What Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) find wrong with a
    password for `user`, in Chinese; None when it passes."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"):
        try:
            password_validation.validate_password(password, user)
        except ValidationError as e:
            lines = []
            for err in e.error_list:
                if err.code == "password_too_short":  # Django's Chinese catalogue lacks this one
                    n = (err.params or {}).get("min_length", 8)
                    lines.append(f"密码太短，至少要 {n} 个字符。")
                else:
                    m = " ".join(err.messages)
                    lines.append(m if m.endswith("。") else m + "。")
            return "密码不符合要求：" + "".join(lines)
    return None


def create_user(
    actor: User | None,
    username: str,
    role: str,
    *,
    unit_codes: list[str] | None = None,
    unit_ids: list[int] | None = None,
    password: str | None = None,
    validate_password: bool = True,
) -> tuple[User, str]:
    """Create an account; returns the user and the password (generated when not given). Units by
    code (`jixiao user create --unit`) or by id (the admin's choice). A given password must pass
    Django's password validators; only the demo's well-known accounts skip them
    (`validate_password=False`)."""
    if not can_manage_users(actor):
        raise Denied("只有管理员可以创建用户。")
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if not username or len(username) > 150:
        errors["username"] = "用户名不能为空，且不超过 150 字"
    if password is not None and validate_password:
        problem = password_errors(password, User(username=username, role=role))
        if problem:
            errors["password"] = problem
    if role not in Role.values:
        errors["role"] = f"角色应为 {', '.join(Role.values)} 之一"
    if role == Role.UNIT and not unit_codes and not unit_ids:
        errors["unit"] = "单位用户至少要属于一个单位（--unit 编码）"
    if (unit_codes or unit_ids) and (why := why_no_units(role)):
        errors["unit"] = why
    if username and User.objects.filter(username=username).exists():
        errors["username"] = f"用户名 {username} 已存在"
    if errors:
        raise Invalid("；".join(errors.values()), errors)
    with transaction.atomic():
        units = _resolve_units(unit_codes or []) + _units_by_id(unit_ids or [])
        pw = password or secrets.token_urlsafe(9)
        user = User(
            username=username, role=role, is_staff=(role == Role.ADMIN), is_superuser=(role == Role.ADMIN)
        )
        user.set_password(pw)
        user.save()
        if units:
            user.units.set(units)
        record_history(
            actor,
            "user",
            f"创建用户 {username}（{Role(role).label}）"
            + (f"，单位：{'、'.join(u.name for u in units)}" if units else ""),
        )
    return user, pw


def user_change_errors(
    actor: User | None,
    user: User,
    *,
    role: str,
    units: list[Unit],
    active: bool | None,
    password: str | None,
) -> dict[str, str]:
    """What is wrong with changing `user` so (field → message; empty when nothing): the checks of
    `update_user`, also run by the admin's form before it saves."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = f"角色应为 {', '.join(Role.values)} 之一"
    if role == Role.UNIT and not units:
        errors["units"] = "单位用户至少要属于一个单位"
    if units and (why := why_no_units(role)):
        errors["units"] = why
    if actor is not None and actor.pk == user.pk:
        if active is False:
            errors["is_active"] = "不能停用自己的账号"
        if role != Role.ADMIN:
            errors["role"] = "不能取消自己的管理员角色"
    if password is not None:
        problem = password_errors(password, user)
        if problem:
            errors["password"] = problem
    return errors


def update_user(
    actor: User | None,
    username: str,
    *,
    role: str | None = None,
    unit_codes: list[str] | None = None,
    unit_ids: list[int] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change an account (管理员 only): its role, its units (by code or id; they replace the old
    ones; an administrator or reviewer has none: a role that sees every unit drops them, and
    naming units for it is refused), whether it may log in (a deactivated user's sessions and API
    tokens stop working at once), its password. An administrator cannot deactivate or demote
    themselves (someone must undo it)."""
    if not can_manage_users(actor):
        raise Denied("只有管理员可以修改用户。")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=(username or "").strip()).first()
        if user is None:
            raise NotFound(f"用户 {username} 不存在。")
        new_role = role if role is not None else user.role
        given = unit_codes is not None or unit_ids is not None
        if given:
            units = _resolve_units(unit_codes or []) + _units_by_id(unit_ids or [])
        elif why_no_units(new_role):
            units, given = [], True  # the units go with a role that sees every unit
        else:
            units = list(user.units.all())
        errors = user_change_errors(actor, user, role=new_role, units=units, active=active, password=password)
        if errors:
            raise Invalid("；".join(errors.values()), errors)
        changes: list[dict[str, Any]] = []
        if new_role != user.role:
            changes.append({"field": "role", "old": user.role, "new": new_role})
            user.role = new_role
            user.is_staff = user.is_superuser = new_role == Role.ADMIN
        old_units = sorted(u.name for u in user.units.all())
        if given and sorted(u.name for u in units) != old_units:
            changes.append({"field": "units", "old": old_units, "new": sorted(u.name for u in units)})
            user.units.set(units)
        if active is not None and active != user.is_active:
            changes.append({"field": "is_active", "old": user.is_active, "new": active})
            user.is_active = active
        if password is not None:
            changes.append({"field": "password", "old": None, "new": None})
            user.set_password(password)
        if not changes:
            return user
        user.save()
        labels = {"role": "角色", "units": "单位", "is_active": "启用", "password": "密码"}
        record_history(
            actor,
            "user",
            f"修改用户 {user.username}："
            + "、".join(labels[c["field"]] for c in changes)
            + ("（已停用）" if user.is_active is False else ""),
            changes=[c for c in changes if c["field"] != "password"] or None,
        )
    return user


def revoke_tokens(
    actor: User | None, username: str, prefix: str | None = None, *, ids: list[int] | None = None
) -> int:
    """Revoke a user's API tokens (all of them, those whose first characters are `prefix`, or those
    with these `ids`): administrators for anyone, users for themselves. Returns how many."""
    target = User.objects.filter(username=(username or "").strip()).first()
    if target is None:
        raise NotFound(f"用户 {username} 不存在。")
    if not can_manage_users(actor) and (actor is None or actor.pk != target.pk):
        raise Denied("只能撤销自己的令牌。")
    with transaction.atomic():
        tokens = ApiToken.objects.filter(user=target)
        if prefix:
            tokens = tokens.filter(prefix__startswith=prefix[:8])
        if ids is not None:
            tokens = tokens.filter(pk__in=ids)
        gone = sorted(tokens.values_list("prefix", flat=True))
        if not gone:
            raise NotFound(f"用户 {target.username} 没有{'以 ' + prefix + ' 开头的' if prefix else ''}令牌。")
        tokens.delete()
        record_history(
            actor, "token", f"撤销 {target.username} 的 API 令牌 " + "、".join(f"{p}…" for p in gone)
        )
    return len(gone)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(actor: User | None, username: str) -> str:
    """A new API token for `username` (admins for anyone, users for themselves); shown once."""
    target = User.objects.filter(username=username).first()
    if target is None:
        raise NotFound(f"用户 {username} 不存在。")
    if not can_manage_users(actor) and (actor is None or actor.pk != target.pk):
        raise Denied("只能为自己申请令牌。")
    token = "jx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=target, digest=_digest(token), prefix=token[:8])
        record_history(actor, "token", f"为 {username} 签发 API 令牌 {token[:8]}…")
    return token


def user_for_token(token: str) -> User | None:
    """The active user an API token belongs to; notes when the token was last used (at most once a
    minute, no history: this is bookkeeping, not a change of data)."""
    if not token:
        return None
    t = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if t is None or not t.user.is_active:
        return None
    now = timezone.now()
    if t.last_used is None or (now - t.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=t.pk).update(last_used=now)
    return t.user
