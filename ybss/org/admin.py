"""Admin for county admins: users and roles, both hierarchies, API tokens.

Business records (persons, houses ...) are deliberately NOT in the admin: every read of them must
go through the scoped, audited pages and API. The admin site itself is open only to the county
admin role (``ybss.org.admin_site``)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AdminDivision, ApiToken, PoliceUnit, Role, User


def _admin_has_permission(request: Any) -> bool:
    u = request.user
    return bool(u.is_active and u.is_staff and (u.is_superuser or getattr(u, "role", "") == Role.ADMIN))


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.site_header = _("ybss administration")
admin.site.site_title = _("ybss administration")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "police_unit", "division", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    raw_id_fields = ("police_unit", "division")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and jurisdiction"), {"fields": ("full_name", "role", "police_unit", "division", "phone")}),
    )


@admin.register(AdminDivision)
class AdminDivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(PoliceUnit)
class PoliceUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    filter_horizontal = ("divisions",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "expires_at", "last_used_at", "revoked")
    readonly_fields = ("key_hash", "created_at", "last_used_at")
