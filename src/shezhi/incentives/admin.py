"""Back office for points.

Piece-rate rules and rewards are edited here. The ledger itself (accounts,
transfers, entries, redemptions) is read-only: points only move through the
services, so the back office can neither edit history nor bypass a balance.
"""

from django.contrib import admin

from shezhi.core.admin import ReadOnlyAdmin

from .models import Account, Entry, PieceRateRule, Redemption, Reward, Transfer


@admin.register(PieceRateRule)
class PieceRateRuleAdmin(admin.ModelAdmin):
    list_display = ["district", "kind", "bucket", "points", "daily_cap", "active", "updated_at"]
    list_filter = ["kind", "bucket", "active"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "kind", "cost", "stock", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "area__name", "area__code"]
    raw_id_fields = ["area"]
    readonly_fields = ["area_path"]

    def save_model(self, request, obj, form, change):
        obj.area_path = obj.area.path
        super().save_model(request, obj, form, change)


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["account", "amount", "balance_after"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "user", "points", "bucket", "rule", "cause_type", "cause_ref"]
    list_filter = ["kind", "bucket", "rule", "cause_type", "private_cause"]
    search_fields = ["user__username", "cause_ref", "cause_key"]
    date_hierarchy = "at"
    inlines = [EntryInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "bucket", "user", "district", "balance"]
    list_filter = ["kind", "bucket"]
    search_fields = ["user__username"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reward", "user", "quantity", "points", "status"]
    list_filter = ["status"]
    search_fields = ["user__username", "reward__name"]
