# ruff: noqa: RUF012  (Django declares Meta options and choices as class lists)
"""Django admin: browse everything; writes go through actions (data is read-only here, user
accounts are created with `actions.create_user`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from jixiao.web import actions
from jixiao.web.models import ApiToken, Disclosure, History, Indicator, Project, Role, SubGoal, Unit, User

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


@admin.register(History)
class HistoryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "project", "summary")
    list_filter = ("action",)
    list_select_related = ("project",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "prefix", "created", "last_used")


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label="密码（留空则自动生成）", required=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("username", "role", "units")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role",)
    search_fields = ("username",)
    filter_horizontal = ("units",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = UserCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        units = form.cleaned_data.get("units") or []
        user, pw = actions.create_user(
            request.user,
            obj.username,
            obj.role or Role.UNIT,
            unit_codes=[str(u.pk) if not u.code else u.code for u in units],
            password=form.cleaned_data.get("password") or None,
        )
        obj.pk = user.pk
        obj._state.adding = False
        if not form.cleaned_data.get("password"):
            messages.info(request, f"用户 {user.username} 的初始密码：{pw}")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # units were set by actions.create_user
