"""Back office for events.

Categories and emergency periods are edited here. Events, their history and
whistles are read-only: a state only changes through the workflow service, so
the back office cannot bypass the transition table or the history.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shezhi.people.masking import masked

from .models import (
    Category,
    EmergencyPeriod,
    Event,
    EventTransition,
    SlaNotice,
    Whistle,
    WhistleSummons,
)


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 0
    fields = [
        "code",
        "name",
        "department_code",
        "deadline_value",
        "deadline_unit",
        "emergency_deadline_value",
        "emergency_deadline_unit",
        "grid_can_solve",
        "allows_spot_handling",
        "allows_anonymous",
        "active",
    ]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "department_code",
        "deadline_value",
        "deadline_unit",
        "emergency_deadline_value",
        "emergency_deadline_unit",
        "active",
    ]
    list_filter = ["kind", "active", "parent"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["code"]

    def get_inlines(self, request, obj):
        # Only a class (大类) has subcategories.
        return [SubcategoryInline] if obj is not None and obj.parent_id is None else []


@admin.register(EmergencyPeriod)
class EmergencyPeriodAdmin(admin.ModelAdmin):
    list_display = ["area", "reason", "started_at", "ended_at", "started_by"]
    list_filter = ["ended_at"]
    search_fields = ["area__code", "area__name", "reason"]
    autocomplete_fields = ["area", "started_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = EventTransition
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "actor", "reason", "data"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "category", "state", "source", "area", "created_at", "deadline_at"]
    list_filter = ["state", "source", "category__parent"]
    search_fields = ["id", "description", "address", "area__code"]
    date_hierarchy = "created_at"
    exclude = ["contact_phone", "contact_name", "contact_phone_index"]
    readonly_fields = ["masked_contact_phone"]
    inlines = [TransitionInline]
    list_select_related = ["category", "area"]

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, obj):
        return masked("phone", obj.contact_phone_last4)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("contact_phone", "contact_name")


@admin.register(EventTransition)
class EventTransitionAdmin(ReadOnlyAdmin):
    list_display = ["event", "action", "from_state", "to_state", "actor", "at"]
    list_filter = ["action"]
    search_fields = ["event__id"]
    list_select_related = ["event__category", "actor"]


class SummonsInline(admin.TabularInline):
    model = WhistleSummons
    extra = 0
    readonly_fields = ["department", "due_at", "reported_in_at", "reported_in_by", "rating"]
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdmin):
    list_display = ["event", "area", "blown_by", "blown_at", "closed_at"]
    inlines = [SummonsInline]
    list_select_related = ["event__category", "area", "blown_by"]


@admin.register(SlaNotice)
class SlaNoticeAdmin(ReadOnlyAdmin):
    list_display = ["event", "kind", "deadline_at", "created_at"]
    list_filter = ["kind"]
