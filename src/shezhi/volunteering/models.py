"""Volunteer activities at service posts (微阵地), sign-ups, and attendance.

An activity is published at a post with a time and a number of places
(``slots``). ``signed_up`` counts the current sign-ups and is only ever changed
by a conditional UPDATE (``services``), and the database refuses a count above
the slots: however many residents sign up at once, nobody is overbooked.

A sign-up records check-in and check-out (by the QR code shown at the post, by
staff, or by the end-of-activity sweep), the minutes credited and the points
transfer those minutes earned (once: the ledger keys the award on the sign-up).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VolunteerActivity(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    post = models.ForeignKey(
        "places.ServicePost",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("service post"),
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(
        pgettext_lazy("free text about a thing", "description"), blank=True
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    slots = models.PositiveIntegerField(_("places"))
    # Current sign-ups (status signed_up); kept by conditional updates only.
    signed_up = models.PositiveIntegerField(_("signed up"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )
    # Copied from the post: scoped lists are a prefix filter without a join.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="vol_activity_status_start"),
            models.Index(fields=["post", "starts_at"], name="vol_activity_post_start"),
            # The staff's lists, latest first, walked from now back (keyset on starts_at, id).
            models.Index(fields=["starts_at", "id"], name="vol_activity_start"),
            # What is still to come: a range of the few not yet over, not a walk through
            # every activity since the first (then sorted by start, a few hundred rows).
            models.Index(fields=["status", "ends_at"], name="vol_activity_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="vol_activity_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(slots__gte=1), name="vol_activity_slots_positive"),
            models.CheckConstraint(
                condition=Q(signed_up__lte=F("slots")), name="vol_activity_never_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def slots_left(self) -> int:
        return max(0, self.slots - self.signed_up)

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


class Signup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        CANCELLED = "cancelled", _("Cancelled")

    class CheckOut(models.TextChoices):
        SCAN = "scan", _("Scanned the code")
        STAFF = "staff", _("By staff")
        SWEEP = "sweep", _("At the end of the activity")

    activity = models.ForeignKey(
        VolunteerActivity,
        on_delete=models.PROTECT,
        related_name="signups",
        verbose_name=_("activity"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="volunteer_signups",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SIGNED_UP
    )
    signed_up_at = models.DateTimeField(_("signed up at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked out by"),
    )
    check_out_method = models.CharField(
        _("checked out how"), max_length=8, choices=CheckOut.choices, blank=True
    )
    minutes = models.PositiveIntegerField(_("minutes credited"), default=0)
    transfer = models.ForeignKey(
        "incentives.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("points transfer"),
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "pk"]
        indexes = [models.Index(fields=["user", "signed_up_at"], name="vol_signup_user_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(status="signed_up"),
                name="vol_one_current_signup",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="vol_signup_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.activity}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)
