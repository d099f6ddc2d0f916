"""Household visits (入户走访): who visited which household when, whom they met, what
they checked and found, their notes and photos; and each household's latest visit.

- A visit is history: written once by ``services.record_visit`` (in one transaction
  with its points and hooks), never edited; a mistake is put right by a note on the
  next visit. The household's micro-grid and path are copied, so every scoped list is
  a path range (``core.lists``), and the building's point, so the visit is located.
- Who was met: residents of the household (by id), or nobody home, or another person
  (free text). The free text and the notes may name people: stored encrypted
  (``EncryptedTextField``), like every personal datum.
- Tag changes are **proposals** (``TagProposal``), not changes: households owns
  residents' tags, its own services decide who may set them (sensitive ones only by
  their readers) and audit them, and households may not import visits (the contract
  ``households-reads-the-ground-only``). The worker applies a proposal on the
  resident's page with one tap; the proposal shows there until it is.
- A household's last visit is read from ``visit_household_at_idx`` (household, at): one
  index probe per household, for the worker's list and the coverage alike, as of any
  day (a derived "last visit" row could not say what the coverage was at a month's end).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.core.personal_data import EncryptedTextField

from . import checklist


class Visit(models.Model):
    class Outcome(models.TextChoices):
        MET = "met", _("Met the household")
        NOBODY_HOME = "nobody_home", _("Nobody home")

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
        db_index=False,  # visit_household_at_idx leads with it
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="household_visits",
        verbose_name=_("visited by"),
        db_index=False,  # visit_worker_at_idx leads with it
    )
    at = models.DateTimeField(_("visited at"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.MET
    )
    met = models.ManyToManyField(
        "households.Resident", blank=True, related_name="+", verbose_name=_("residents met")
    )
    # Someone else met (a carer, a tenant not registered): free text, encrypted.
    other_person = EncryptedTextField(_("other person met"), blank=True)
    # Checklist items ticked (``checklist.encode``: ",gas,medical,").
    checklist = models.CharField(_("checklist"), max_length=300, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    # The household's micro-grid and path at the visit, and its building's point (WGS84).
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("micro-grid")
    )
    area_path = models.CharField(max_length=255, editable=False)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    # A retried submission (a phone offline, a double tap) carries the same key: one visit.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["worker", "-at", "-id"], name="visit_worker_at_idx"),
            models.Index(fields=["household", "-at", "-id"], name="visit_household_at_idx"),
            models.Index(fields=["area_path", "at", "id"], name="visit_path_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_visit_key",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d}"

    @property
    def items(self) -> list[str]:
        return checklist.decode(self.checklist)

    def items_of(self, group: str) -> list[checklist.Item]:
        return [checklist.BY_CODE[c] for c in self.items if checklist.BY_CODE[c].group == group]

    @property
    def hazards(self) -> list[checklist.Item]:
        return self.items_of(checklist.SAFETY)

    @property
    def needs(self) -> list[checklist.Item]:
        return self.items_of(checklist.NEEDS)

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


def photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{instance.visit.at:%Y/%m}/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    """A photo of a visit: checked, resized and stripped of EXIF by ``core.photos``."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit")
    )
    image = models.ImageField(
        _("photo"), upload_to=photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class TagProposal(models.Model):
    """A plain tag the worker found should be added to (or taken off) a resident."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="tag_proposals", verbose_name=_("visit")
    )
    resident = models.ForeignKey(
        "households.Resident",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("resident"),
    )
    tag = models.CharField(_("tag"), max_length=32)
    add = models.BooleanField(_("add (or remove)"), default=True)

    class Meta:
        verbose_name = _("tag proposal")
        verbose_name_plural = _("tag proposals")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "resident", "tag"], name="unique_visit_tag_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{'+' if self.add else '−'}{self.tag}"
