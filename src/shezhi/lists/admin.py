from django.contrib import admin

from .models import ListProject, NeedItem, NeedsList, Resource


@admin.register(NeedsList)
class NeedsListAdmin(admin.ModelAdmin):
    list_display = ("title", "edition", "area", "published_at")
    raw_id_fields = ("area", "created_by")


@admin.register(NeedItem)
class NeedItemAdmin(admin.ModelAdmin):
    list_display = ("title", "needs_list", "kind", "priority", "status", "residents")
    list_filter = ("status", "kind")
    raw_id_fields = ("needs_list", "area", "groups", "created_by")
    readonly_fields = ("status", "version", "residents")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("provider_name", "provider_kind", "title", "offer_kind", "capacity", "area")
    list_filter = ("provider_kind", "offer_kind", "active")
    raw_id_fields = ("area", "created_by")


@admin.register(ListProject)
class ListProjectAdmin(admin.ModelAdmin):
    list_display = ("item", "resource", "owner", "starts_on", "ends_on", "delivered_at")
    raw_id_fields = ("item", "resource", "owner", "created_by")
