# ruff: noqa: RUF012  (Django declares Meta options and choices as class lists)
"""Django admin: browse everything; writes go through actions (data is read-only here; user
accounts are created and changed with `actions.create_user` / `update_user`, API tokens revoked
with `actions.revoke_tokens`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from jixiao.web import actions
from jixiao.web.models import (
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


class ReadOnlyAdmin(admin.ModelAdmin):
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


class SubGoalInline(admin.TabularInline):
    model = SubGoal
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "title", "goal", "indicators")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "source", "imported_at")
    list_filter = ("year",)
    search_fields = ("unit__name", "unit__code", "source")
    inlines = [SubGoalInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    can_delete = False
    fields = (
        "seq",
        "level1",
        "level2",
        "name",
        "value",
        "target_kind",
        "target_op",
        "target_number",
        "target_unit",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "unit", "year", "budget_total", "state", "version")
    list_filter = ("state", "year")
    search_fields = ("name", "code", "unit__name")
    list_select_related = ("unit",)
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "level1", "level2", "value", "target_kind", "project")
    list_filter = ("level1_canonical", "target_kind")
    search_fields = ("name", "value")
    list_select_related = ("project",)


@admin.register(MonitoringSnapshot)
class MonitoringSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("project", "as_of", "light", "execution_rate", "complete", "outcome", "entered_by")
    list_filter = ("light", "complete", "outcome")
    search_fields = ("project__name", "project__unit__name")
    list_select_related = ("project",)


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("project", "total", "grade", "budget_adjusted", "budget_executed", "entered_by")
    list_filter = ("grade",)
    search_fields = ("project__name", "project__unit__name")
    list_select_related = ("project",)


@admin.register(ReviewResult)
class ReviewResultAdmin(ReadOnlyAdmin):
    """Derived rows (the stored review); rebuilt whenever their unit-year changes."""

    list_display = ("disclosure", "project", "grade", "counts", "version")
    list_filter = ("grade",)
    search_fields = ("name", "unit_name")
    list_select_related = ("disclosure__unit", "project")


@admin.register(History)
class HistoryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "project", "summary")
    list_filter = ("action",)
    list_select_related = ("project",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued with `jixiao token NAME`; here they can be revoked (deleted)."""

    list_display = ("user", "prefix", "created", "last_used")
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


class TokenInline(admin.TabularInline):
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
