from django.contrib import admin

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "sent_at", "last_attempt_at", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "user__username", "kind")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "read_at")
    list_select_related = ("user",)
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "status", "attempts", "sent_at", "last_attempt_at")
    list_filter = ("channel", "status")
    search_fields = ("notification__title", "notification__user__username", "error")
    raw_id_fields = ("notification",)
    readonly_fields = ("sent_at", "last_attempt_at")
    list_select_related = ("notification",)
