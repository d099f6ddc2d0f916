"""Back office for service posts: read-mostly.

Posts are created and moved through the staff pages (``/posts/manage/``) so the
point is located to its micro-grid and the rules in ``services`` apply; here
the back office can read everything and switch a post on or off.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import HubDuty, ServiceHub, ServicePost, ServicePostPhoto


class PhotoInline(admin.TabularInline):
    model = ServicePostPhoto
    extra = 0
    fields = ["image", "caption", "created_at"]
    readonly_fields = ["image", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServicePost)
class ServicePostAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "area", "responsible", "phone", "active", "updated_at"]
    list_filter = ["type", "active"]
    search_fields = ["name", "address", "area__code", "area__name"]
    list_select_related = ["area", "responsible"]
    ordering = ["area_path", "name"]
    inlines = [PhotoInline]
    fields = [
        "name",
        "type",
        "area",
        "area_path",
        "address",
        "lng",
        "lat",
        "opening_hours",
        "services",
        "responsible",
        "phone",
        "description",
        "active",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f not in ("active",)]
    actions = ["deactivate", "activate"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("area__boundary")

    def has_add_permission(self, request):
        return False  # through /posts/manage/new/, where the point is located

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the history stays

    @admin.action(description=_("Deactivate the selected posts"))
    def deactivate(self, request, queryset):
        for post in queryset:
            post.active = False
            post.save(update_fields=["active", "updated_at"])

    @admin.action(description=_("Activate the selected posts"))
    def activate(self, request, queryset):
        for post in queryset:
            post.active = True
            post.save(update_fields=["active", "updated_at"])


class DutyInline(admin.TabularInline):
    model = HubDuty
    extra = 0
    fields = ["person", "days", "duty"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceHub)
class ServiceHubAdmin(admin.ModelAdmin):
    """Read-only: hubs are opened and changed on ``/hubs/manage/`` (or the API), where the
    tier, the area served, the point and the roster are checked."""

    list_display = ["name", "tier", "area", "compound", "active", "updated_at"]
    list_filter = ["tier", "active"]
    search_fields = ["name", "address", "area__code", "area__name"]
    list_select_related = ["area", "compound"]
    ordering = ["area_path", "rank", "id"]
    inlines = [DutyInline]
    fields = ["name", "tier", "area", "compound", "address", "lng", "lat", "opening_hours",
              "services", "phone", "description", "active", "created_at", "updated_at"]  # fmt: skip
    readonly_fields = fields
    raw_id_fields = ["area", "compound"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("area__boundary", "compound__boundary")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
