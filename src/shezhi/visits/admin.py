from django.contrib import admin

from .models import Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "worker", "household", "outcome")
    list_filter = ("outcome",)
    raw_id_fields = ("household", "worker", "area", "met")
    # The notes and the other person met are personal data: read on the visit's page.
    exclude = ("notes", "other_person")
    date_hierarchy = "at"
