from django.contrib import admin

from .masking import masked
from .models import Assignment, Department, Person, RoleAssignment


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    search_fields = ["code", "name"]
    filter_horizontal = ["areas"]
    autocomplete_fields = ["district"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Phones and ID numbers are neither shown nor edited here: the people pages reveal
    them one at a time with a reason, and the services validate them."""

    list_display = ["name", "category", "force_type", "area", "masked_phone", "active"]
    list_filter = ["category", "force_type", "party_member", "veteran", "group_leader"]
    search_fields = ["name", "employer", "area__code"]
    autocomplete_fields = ["area", "lives_in", "works_in", "user"]
    exclude = ["phone", "id_number"]
    readonly_fields = ["masked_phone", "masked_id_number", "created_at", "updated_at"]
    inlines = [AssignmentInline]

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return masked("phone", obj.phone_last4)

    @admin.display(description="ID number")
    def masked_id_number(self, obj):
        return masked("id_number", obj.id_number_last4)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("phone", "id_number")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "area", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["person__name", "area__code", "area__name"]
    autocomplete_fields = ["person", "area"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "department", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__code", "area__name"]
    autocomplete_fields = ["user", "area", "department"]
