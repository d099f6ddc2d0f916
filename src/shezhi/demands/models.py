"""Residents' demands (诉求/需求, issue 16 §2) and the groups that gather the same wish.

- A **demand** is a wish for a service, a facility or an activity (not a problem: that
  is an event). It comes from a resident's phone, a worker's household visit, a
  campaign action (a round's stop, a broadcast's answer: ``from_campaigns``) or staff
  on a resident's behalf. It is located by its point (the deepest area the locator
  finds) or, without one, by the address's area (the resident's micro-grid, or the
  area the worker chose). ``area_path`` copies the area's path: every scoped list is
  a path range.
- **Anonymity**: the demand keeps its submitter so they are told what became of it, but
  an anonymous demand never shows who asked to anyone else (``selectors``): only the
  submitter's own "my demands" names it, and the group's count of distinct residents
  counts it without naming it.
- Personal data: the address and the visit's notes are encrypted (``EncryptedTextField``);
  the wish itself is the text the grouping reads, kept plain like an event's description,
  and never carries the visit's notes.
- **Photos** (``DemandPhoto``): up to six from the resident's phone, processed by
  ``core.photos`` (EXIF gone) before anything is written.
- A **group** (demand group) gathers the open demands of one community that ask for the
  same thing (``matching``); staff confirm it, split a demand out of it or merge groups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shezhi.core.personal_data import EncryptedTextField


class Kind(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    CHILDCARE = "childcare", _("Childcare")
    PARKING = "parking", _("Parking")
    GREENERY = "greenery", _("Greenery")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    CONVENIENCE = "convenience", _("Convenience services")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class DemandGroup(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    # The community the group belongs to (or the area above, for a demand located no
    # deeper), and its path.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    area_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demand group")
        verbose_name_plural = _("demand groups")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area", "status", "id"], name="demandgroup_open_idx"),
            models.Index(fields=["area_path", "id"], name="demandgroup_path_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Demand(models.Model):
    class Source(models.TextChoices):
        RESIDENT = "resident", _("Resident's phone")
        VISIT = "visit", _("Household visit")
        CAMPAIGN = "campaign", _("Campaign action")
        STAFF = "staff", _("Staff on a resident's behalf")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        GROUPED = "grouped", _("Grouped")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("demand"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # Who asked (a resident's account), kept for "tell me what became of it"; hidden
    # from everyone else when anonymous.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
        verbose_name=_("submitted by"),
    )
    # The worker or staff who collected it (paid the demand_collected piece rate).
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collected_demands",
        verbose_name=_("collected by"),
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    # A visit's need: made once per (visit, need).
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    need = models.CharField(_("need"), max_length=32, blank=True)
    # A campaign's action that heard it (a round's stop, a broadcast's answer: made once
    # per answer); a visit made on a round is linked through the visit.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    broadcast_answer = models.OneToOneField(
        "campaigns.BroadcastAnswer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("broadcast answer"),
    )
    group = models.ForeignKey(
        DemandGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demands",
        verbose_name=_("group"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.TextField(_("outcome told to the resident"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area_path", "id"], name="demand_path_idx"),
            models.Index(fields=["submitter", "id"], name="demand_submitter_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "need"],
                condition=models.Q(visit__isnull=False),
                name="demand_once_per_visit_need",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.lng, self.lat) if self.lng is not None and self.lat is not None else None


def photo_path(instance: DemandPhoto, filename: str) -> str:
    return f"demands/{instance.demand.created_at:%Y/%m}/{instance.demand_id}/{filename}"


class DemandPhoto(models.Model):
    """A photo of a demand (what the resident would like changed): checked, resized and
    stripped of EXIF (so of its place and camera) by ``core.photos``; shown to those who
    may read the demand."""

    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="photos", verbose_name=_("demand")
    )
    image = models.ImageField(
        _("photo"), upload_to=photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demand photo")
        verbose_name_plural = _("demand photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name
