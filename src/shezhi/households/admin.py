"""Back office for the household base: read-mostly.

Places and residents are written through the API and the pages so the rules in
``services`` apply (located buildings, valid ID numbers, one head per household, the
tag counts). Phones, ID numbers, birth dates and sensitive tags are neither shown nor
edited here: the resident page reveals them one at a time with a reason.
"""

from django.contrib import admin

from .masking import masked_value
from .models import Building, Compound, Household, Resident, ResidentMove, TagCount


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Compound)
class CompoundAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "property_company", "property_phone"]
    search_fields = ["name", "address", "community__code", "community__name"]
    list_select_related = ["community"]
    exclude = ["property_manager_phone", "boundary"]
    readonly_fields = ["masked_manager_phone"]

    @admin.display(description="property manager's phone")
    def masked_manager_phone(self, obj):
        return masked_value("phone", obj.property_manager_phone_last4)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("property_manager_phone", "community__boundary")


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "micro_grid", "floors", "units"]
    search_fields = ["number", "compound__name", "micro_grid__code"]
    list_select_related = ["compound", "micro_grid"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "micro_grid"]
    list_filter = ["kind"]
    search_fields = ["room", "building__compound__name", "micro_grid__code"]
    list_select_related = ["building__compound", "micro_grid"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "household", "relation", "residence", "masked_phone"]
    list_filter = ["relation", "residence", "sex"]
    search_fields = ["name"]
    list_select_related = ["household__building__compound"]
    exclude = ["phone", "id_number", "birth_date", "sensitive_tags"]
    readonly_fields = ["masked_phone", "masked_id_number"]

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return masked_value("phone", obj.phone_last4)

    @admin.display(description="ID number")
    def masked_id_number(self, obj):
        return masked_value("id_number", obj.id_number_last4)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("phone", "id_number", "birth_date", "sensitive_tags")
        )


@admin.register(ResidentMove)
class ResidentMoveAdmin(ReadOnlyAdmin):
    list_display = ["resident", "from_label", "to_label", "moved_on", "moved_by"]
    search_fields = ["resident__name"]


@admin.register(TagCount)
class TagCountAdmin(ReadOnlyAdmin):
    list_display = ["micro_grid", "tag", "count"]
    list_filter = ["tag"]
