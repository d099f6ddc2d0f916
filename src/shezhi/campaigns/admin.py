from django.contrib import admin

from .models import Broadcast, Campaign, Package, Result, Round, RoundStop, StageMove, TakeUp


class StageMoveInline(admin.TabularInline):
    model = StageMove
    extra = 0
    readonly_fields = ("stage", "at", "by", "note")
    can_delete = False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "area", "stage", "starts_on", "ends_on")
    list_filter = ("stage",)
    raw_id_fields = ("area", "organisers", "organiser_people", "created_by")
    readonly_fields = ("stage",)  # moved on the board, one dated step at a time
    inlines = [StageMoveInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "campaign", "area", "day", "status")
    list_filter = ("status",)
    raw_id_fields = ("campaign", "area", "workers")


@admin.register(RoundStop)
class RoundStopAdmin(admin.ModelAdmin):
    list_display = ("id", "round", "worker", "area", "kind", "at")
    raw_id_fields = ("round", "worker", "area")
    exclude = ("address",)  # encrypted: read on the round's demands


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "campaign", "area", "tag", "reach", "sent_at")
    raw_id_fields = ("campaign", "area", "sent_by")
    readonly_fields = ("reach", "sent_at", "sent_by")


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "campaign", "area")
    raw_id_fields = ("campaign", "area")


@admin.register(TakeUp)
class TakeUpAdmin(admin.ModelAdmin):
    list_display = ("id", "package", "household", "answer", "at")
    list_filter = ("answer",)
    raw_id_fields = ("package", "household", "recorded_by")


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "campaign", "published_at")
    raw_id_fields = ("campaign",)
