from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import BreakGlassGrant, Notification, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "teams", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("PORT", {"fields": ("role", "teams", "phone", "notify_by_email", "notify_by_sms")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("PORT", {"fields": ("role", "teams")}),)
    filter_horizontal = ("teams", "groups", "user_permissions")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "on_call_worker")


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(admin.ModelAdmin):
    """Emergency accesses are a record of what happened: read-only, like the audit log."""

    list_display = ("granted_at", "user", "survivor_id", "expires_at")
    list_filter = ("granted_at",)
    search_fields = ("survivor_id", "user__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Notification)
admin.site.site_header = "PORT administration"
