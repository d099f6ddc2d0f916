from django.contrib import admin

from .models import Operation


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "area", "state", "started_at", "households")
    list_filter = ("state", "kind")
    raw_id_fields = ("area", "period", "started_by", "ended_by")
    readonly_fields = ("households", "vulnerable")
