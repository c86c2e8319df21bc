# ruff: noqa: RUF012  (Django declares Meta options and choices as class lists)
"""Django admin: browse everything; writes go through actions (data is read-only here; user
accounts are created and changed with `actions.create_user` / `update_user`, API tokens revoked
with `actions.revoke_tokens`).

Every label is Chinese: Django's zh_Hans catalogs (plus jixiao/web/locale) translate the admin
itself; the model fields that have no Chinese verbose name (foreign keys, derived columns) get theirs
from `LABELS` here (list columns, filters, change forms and inlines), so the models and their
migrations stay as they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.timezone import localtime

from jixiao.numbers import money, percent
from jixiao.web import actions
from jixiao.web.jinja import KIND_LABELS, SEVERITY_LABELS
from jixiao.web.models import (
    LIGHTS,
    ApiToken,
    Disclosure,
    History,
    Indicator,
    MonitoringSnapshot,
    Project,
    ReviewResult,
    Role,
    SelfEvaluation,
    SubGoal,
    Unit,
    User,
)

admin.site.site_header = "jixiao 绩效管理 · 管理后台"
admin.site.site_title = "jixiao 管理后台"
admin.site.index_title = "数据与账号管理"
# jixiao's roles (admin, reviewer, unit) decide what an account may do; Django's groups and their
# permission lists (stored with English names such as "Can add group") are not used
admin.site.unregister(Group)

# Chinese labels of the fields whose verbose name is not Chinese (models.py leaves foreign keys and
# derived columns unnamed)
LABELS: dict[type[Model], dict[str, str]] = {
    ApiToken: {
        "user": "用户",
        "digest": "令牌摘要（SHA-256）",
        "prefix": "令牌前缀",
        "created": "创建时间",
        "last_used": "最近使用时间",
    },
    Disclosure: {"unit": "预算单位"},
    SubGoal: {"disclosure": "单位年度公开", "seq": "序号"},
    Project: {"disclosure": "单位年度公开", "unit": "预算单位", "key": "导入键"},
    Indicator: {
        "project": "项目",
        "seq": "序号",
        "level1_canonical": "一级指标（规范）",
        "level2_canonical": "二级指标（规范）",
        "target_kind": "指标值类型",
        "target_op": "比较符",
        "target_number": "目标数值",
        "target_unit": "目标单位",
    },
    History: {"user": "用户", "project": "项目", "disclosure": "单位年度公开"},
    MonitoringSnapshot: {"project": "项目", "execution_rate": "执行率"},
    SelfEvaluation: {"project": "项目"},
    ReviewResult: {
        "disclosure": "单位年度公开",
        "project": "项目",
        "version": "审核版本",
        "seq": "序号",
        "name": "项目名称",
        "unit_code": "单位编码",
        "unit_name": "单位名称",
        "findings": "审核发现",
        "grade": "审核结论",
        "headings": "各部分结论",
        "counts": "发现数量",
        "rules": "按规则的发现",
        "categories": "指标类别",
        "settings_error": "审核设置错误",
        "score": "得分",
        "reasons": "结论原因",
        "heading_scores": "各部分得分",
        "error_count": "错误数",
        "warning_count": "警告数",
        "hint_count": "提示数",
        "indicator_count": "指标数",
    },
}
HELP_TEXTS: dict[type[Model], dict[str, str]] = {
    Project: {"key": "项目编码，没有编码时用项目名称；再次导入时按它找到同一个项目"},
}


def column(model: type[Model], name: str) -> Any:
    """A list column showing field `name` under its Chinese label (sortable by the field)."""

    def show(obj: Any) -> Any:
        return getattr(obj, name)

    show.__name__ = name
    return admin.display(description=LABELS[model][name], ordering=name)(show)


def shown(model: type[Model], name: str, fmt: Callable[[Any], str]) -> Any:
    """A list column showing field `name` as the pages show it, through `fmt` (`money`: 48.500000 →
    48.5; `percent`: 0.850000 → 85.0%), under its Chinese label, sortable by the field."""

    def show(obj: Any) -> str:
        return fmt(getattr(obj, name))

    show.__name__ = name
    label = LABELS.get(model, {}).get(name) or model._meta.get_field(name).verbose_name
    return admin.display(description=label, ordering=name)(show)


def titled(model: type[Model], name: str) -> tuple[str, type[admin.FieldListFilter]]:
    """A list filter on field `name` titled with its Chinese label."""
    title = LABELS[model][name]

    class Titled(admin.AllValuesFieldListFilter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return name, Titled


class KindFilter(admin.SimpleListFilter):
    """Indicators by the kind of their parsed 指标值, named in Chinese."""

    title = "指标值类型"
    parameter_name = "target_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(KIND_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(target_kind=self.value()) if self.value() else queryset


class ChineseLabels:
    """Change forms and inline tables label every field in Chinese (see `LABELS`)."""

    model: type[Model]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs.setdefault("labels", LABELS.get(self.model))
        kwargs.setdefault("help_texts", HELP_TEXTS.get(self.model))
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("labels", LABELS.get(self.model))
        kwargs.setdefault("help_texts", HELP_TEXTS.get(self.model))
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


class ReadOnlyAdmin(ChineseLabels, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name", "region")


class SubGoalInline(ChineseLabels, admin.TabularInline):
    model = SubGoal
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "title", "goal", "indicators")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = (column(Disclosure, "unit"), "year", "source", "imported_at")
    list_filter = ("year",)
    search_fields = ("unit__name", "unit__code", "source")
    inlines = [SubGoalInline]


class IndicatorInline(ChineseLabels, admin.TabularInline):
    model = Indicator
    extra = 0
    can_delete = False
    fields = (
        "seq",
        "level1",
        "level2",
        "name",
        "value",
        "kind",
        "target_op",
        "target_number",
        "target_unit",
    )
    readonly_fields = fields

    @admin.display(description="指标值类型")
    def kind(self, obj: Indicator) -> str:
        return KIND_LABELS.get(obj.target_kind, obj.target_kind)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "code",
        column(Project, "unit"),
        "year",
        shown(Project, "budget_total", money),
        "state",
        "version",
    )
    list_filter = ("state", "year")
    search_fields = ("name", "code", "unit__name")
    list_select_related = ("unit",)
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "level1", "level2", "value", "kind", column(Indicator, "project"))
    list_filter = (titled(Indicator, "level1_canonical"), KindFilter)
    search_fields = ("name", "value")
    list_select_related = ("project",)
    exclude = ("target_kind",)  # shown in Chinese by `kind`
    readonly_fields = ("kind",)

    @admin.display(description="指标值类型", ordering="target_kind")
    def kind(self, obj: Indicator) -> str:
        return KIND_LABELS.get(obj.target_kind, obj.target_kind)


@admin.register(MonitoringSnapshot)
class MonitoringSnapshotAdmin(ReadOnlyAdmin):
    exclude = ("spending_light",)  # shown in Chinese by `spending`
    readonly_fields = ("spending",)

    @admin.display(description="资金执行结果")
    def spending(self, obj: MonitoringSnapshot) -> str:
        return dict(LIGHTS).get(obj.spending_light, obj.spending_light)

    list_display = (
        column(MonitoringSnapshot, "project"),
        "as_of",
        "light",
        shown(MonitoringSnapshot, "execution_rate", percent),
        "complete",
        "outcome",
        "entered_by",
    )
    list_filter = ("light", "complete", "outcome")
    search_fields = ("project__name", "project__unit__name")
    list_select_related = ("project",)


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ReadOnlyAdmin):
    list_display = (
        column(SelfEvaluation, "project"),
        "total",
        "grade",
        shown(SelfEvaluation, "budget_adjusted", money),
        shown(SelfEvaluation, "budget_executed", money),
        "entered_by",
        "published_at",
    )
    list_filter = ("grade",)
    search_fields = ("project__name", "project__unit__name")
    list_select_related = ("project",)


@admin.register(ReviewResult)
class ReviewResultAdmin(ReadOnlyAdmin):
    """Derived rows (the stored review); rebuilt whenever their unit-year changes."""

    list_display = (
        column(ReviewResult, "disclosure"),
        column(ReviewResult, "project"),
        column(ReviewResult, "grade"),
        "finding_counts",
        column(ReviewResult, "version"),
    )
    list_filter = (titled(ReviewResult, "grade"),)
    search_fields = ("name", "unit_name")
    list_select_related = ("disclosure__unit", "project")

    @admin.display(description=LABELS[ReviewResult]["counts"])
    def finding_counts(self, obj: ReviewResult) -> str:
        """「错误 1，警告 2，提示 0」: the stored counts under their Chinese severity names."""
        counts = obj.counts or {}
        if not counts:
            return "-"
        return "，".join(f"{SEVERITY_LABELS.get(k, k)} {n}" for k, n in counts.items())


@admin.register(History)
class HistoryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", column(History, "project"), "summary")
    list_filter = ("action",)
    list_select_related = ("project",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued with `jixiao token NAME`; here they can be revoked (deleted)."""

    list_display = (
        column(ApiToken, "user"),
        column(ApiToken, "prefix"),
        column(ApiToken, "created"),
        column(ApiToken, "last_used"),
    )
    list_select_related = ("user",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and getattr(request.user, "is_admin_role", False)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.revoke_tokens(request.user, obj.user.username, ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        by_user: dict[str, list[int]] = {}
        for pk, name in queryset.values_list("pk", "user__username"):
            by_user.setdefault(name, []).append(pk)
        for name, ids in by_user.items():
            actions.revoke_tokens(request.user, name, ids=ids)


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label="密码（留空则自动生成）", required=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("username", "role", "units")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == Role.UNIT and not data.get("units"):  # as actions.create_user refuses
            self.add_error("units", "单位用户至少要属于一个单位")
        elif data.get("units") and (why := actions.why_no_units(data.get("role") or "")):
            self.add_error("units", why)
        if data.get("password"):
            user = User(username=data.get("username") or "", role=data.get("role") or "")
            problem = actions.password_errors(data["password"], user)
            if problem:
                self.add_error("password", problem)
        return data


class UserChangeForm(forms.ModelForm):
    """Role, units and whether the account may log in; a new password only when typed. Saved by
    `actions.update_user`, which validates (a unit user needs a unit; no self-lockout)."""

    new_password = forms.CharField(
        label="新密码（留空则不改）", required=False, min_length=8, widget=forms.PasswordInput
    )

    actor: Any = None  # the administrator, set per request by UserAdmin.get_form

    class Meta:
        model = User
        fields = ("role", "units", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        errors = actions.user_change_errors(
            self.actor,
            self.instance,
            role=data.get("role") or "",
            units=list(data.get("units") or []),
            active=data.get("is_active"),
            password=data.get("new_password") or None,
        )
        for name, message in errors.items():
            self.add_error("new_password" if name == "password" else name, message)
        return data


class TokenInline(ChineseLabels, admin.TabularInline):
    model = ApiToken
    extra = 0
    fields = ("prefix", "created", "last_used")
    readonly_fields = fields
    verbose_name_plural = "API 令牌（撤销请到“API 令牌”列表删除）"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username",)
    filter_horizontal = ("units",)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [TokenInline] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the history keeps naming the user

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = UserCreateForm if obj is None else UserChangeForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["username", "role", "units", "password"]
        return ["role", "units", "is_active", "new_password"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        ids = [u.pk for u in form.cleaned_data.get("units") or []]
        if change:
            actions.update_user(  # the form ran the same checks
                request.user,
                obj.username,
                role=form.cleaned_data.get("role"),
                unit_ids=ids,
                active=form.cleaned_data.get("is_active"),
                password=form.cleaned_data.get("new_password") or None,
            )
            return
        user, pw = actions.create_user(
            request.user,
            obj.username,
            obj.role or Role.UNIT,
            unit_ids=ids,
            password=form.cleaned_data.get("password") or None,
        )
        obj.pk = user.pk
        obj._state.adding = False
        if not form.cleaned_data.get("password"):
            messages.info(request, f"用户 {user.username} 的初始密码：{pw}")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # units were set by actions.create_user / update_user; the tokens list is read-only (its
        # formset saves nothing, but the admin's change message reads what it saved)
        for formset in formsets:
            formset.save()


# ------------------------------------------------------------------------- django-axes in Chinese
# axes names its models and fields through gettext (translated in jixiao/web/locale); its records'
# titles and two list columns are plain English strings, given Chinese ones here.


def _attempt_str(self: AccessAttempt) -> str:
    return f"登录尝试：{self.username} {localtime(self.attempt_time):%Y-%m-%d %H:%M:%S}"


def _log_str(self: AccessLog) -> str:
    return f"登录记录：{self.username} {localtime(self.attempt_time):%Y-%m-%d %H:%M:%S}"


def _failure_str(self: AccessFailureLog) -> str:
    locked = "，已锁定" if self.locked_out else ""
    return f"登录失败：{self.username} {localtime(self.attempt_time):%Y-%m-%d %H:%M:%S}{locked}"


AccessAttempt.__str__ = _attempt_str  # type: ignore[method-assign,assignment]
AccessLog.__str__ = _log_str  # type: ignore[method-assign,assignment]
AccessFailureLog.__str__ = _failure_str  # type: ignore[method-assign,assignment]


class AttemptAdmin(AxesAttemptAdmin):
    @admin.display(description="过期时间")
    def expiration(self, obj: AccessAttempt) -> Any:
        return super().expiration(obj)

    @admin.display(description="状态")
    def status(self, obj: AccessAttempt) -> Any:
        return super().status(obj)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AttemptAdmin)
