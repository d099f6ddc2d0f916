"""Back office: activities are edited here; sign-ups (attendance, points) are read-only.

Attendance and points change only through ``services`` (exactly once); a sign-up
edited here could not keep the ledger in step, so the back office only reads them.
"""

from django.contrib import admin

from shezhi.core.admin import ReadOnlyAdmin

from .models import Signup, VolunteerActivity


class SignupInline(admin.TabularInline):
    model = Signup
    extra = 0
    can_delete = False
    fields = ["user", "status", "signed_up_at", "checked_in_at", "checked_out_at", "minutes"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VolunteerActivity)
class VolunteerActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "post", "starts_at", "ends_at", "slots", "signed_up", "status"]
    list_filter = ["status"]
    search_fields = ["title", "post__name"]
    date_hierarchy = "starts_at"
    # Times, places and status change through the service (no overbooking, volunteers told).
    readonly_fields = [
        "post", "starts_at", "ends_at", "slots", "signed_up", "status", "area", "created_by",
        "created_at", "updated_at", "cancelled_at", "cancel_reason",
    ]  # fmt: skip
    exclude = ["area_path"]
    inlines = [SignupInline]

    def has_add_permission(self, request):
        # Published through the service (scope, times, slots checked).
        return False


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    list_display = ["activity", "user", "status", "checked_in_at", "checked_out_at", "minutes"]
    list_filter = ["status", "check_out_method"]
    search_fields = ["activity__title", "user__username"]
    raw_id_fields = ["activity", "user", "transfer", "checked_in_by", "checked_out_by"]
