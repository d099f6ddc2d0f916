from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "stage", "area")
    list_filter = ("kind", "stage")
    search_fields = ("name",)
    raw_id_fields = ("area", "compound", "created_by")
