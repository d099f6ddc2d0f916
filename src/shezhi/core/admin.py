from django.contrib import admin

from .models import ApiToken, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__code", "area__name"]
    autocomplete_fields = ["user", "area"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "expires_at", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued through POST /api/v1/auth/token
