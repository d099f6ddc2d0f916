from django.contrib import admin

from . import participation
from .models import (
    ApiToken,
    CalendarOverride,
    Participation,
    ParticipationDay,
    PersonalDataView,
    UserPreference,
    WorkerBeat,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the platform writes itself (an audit trail, a pre-aggregate): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "expires_at", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued through POST /api/v1/auth/token


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(ReadOnlyAdmin):
    """The reveal audit: read-only, so nobody can add to it, change it or erase it."""

    list_display = ["viewed_at", "user", "content_type", "object_id", "field_name", "reason"]
    list_filter = ["content_type", "field_name"]
    search_fields = ["user__username", "object_id", "reason"]
    date_hierarchy = "viewed_at"
    list_select_related = ["user", "content_type"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Days off and working days that beat the national calendar (typhoons, local holidays)."""

    list_display = ["date", "working", "note"]
    list_filter = ["working"]
    search_fields = ["note"]
    date_hierarchy = "date"
    ordering = ["-date"]


@admin.register(WorkerBeat)
class WorkerBeatAdmin(admin.ModelAdmin):
    """The background workers running now (and lately): written by the workers only."""

    list_display = ["worker_id", "host", "pid", "started_at", "beat_at"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "elder_mode", "updated_at")
    list_filter = ("elder_mode",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    """Who took part (core.participation): written by the domains' services, read here."""

    list_display = ["at", "way", "participant", "area_path", "source_type", "source_id"]
    list_filter = ["way"]
    date_hierarchy = "at"
    show_full_result_count = False  # a district's year is hundreds of thousands of rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # A row deleted here changes the counts: its participant's chains are rebuilt in the
    # same transaction (core.participation).
    def delete_model(self, request, obj):
        participation.delete_rows(Participation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        participation.delete_rows(queryset)


@admin.register(ParticipationDay)
class ParticipationDayAdmin(ReadOnlyAdmin):
    """The counts' pre-aggregate (core.participation): kept by the writes, shown read-only."""

    list_display = ["participant", "prefix", "way", "day", "prev_day"]
    list_filter = ["way"]
    show_full_result_count = False
