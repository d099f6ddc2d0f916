"""Notifications in the app, and their delivery on the other channels (SMS, WeCom …).

A ``Notification`` is what the notification centre lists; it is written once by
``services.notify`` and only ever changes when its reader marks it read. A
``Delivery`` records one attempt (or the last of a few) to send one
notification on one channel: one row per (notification, channel) is what makes
a retried task send nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def about(self, subject: models.Model) -> NotificationQuerySet:
        """The notifications whose subject is ``subject`` (a row of any model)."""
        return self.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # What happened, for code and filters: "event.dispatched", "roster.imported" …
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A path on this site (``/events/12/``) the notification opens.
    url = models.CharField(_("link"), max_length=500, blank=True)
    # What it is about, of any kind an app registered (``core.notices.register_subject``):
    # an event, and later a demand, a project, an emergency task … or nothing.
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject type"),
    )
    subject_id = models.PositiveBigIntegerField(_("subject"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notif_user_read_created"),
            # The notification centre's order for one user (newest first), without a sort.
            models.Index(fields=["user", "created_at", "id"], name="notif_user_created"),
            models.Index(fields=["subject_type", "subject_id"], name="notif_subject"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One notification on one channel: its outcome, and how many tries it took."""

    class Status(models.TextChoices):
        # Claimed by a worker that is sending it now (or died doing so: then it
        # stays here and is never sent twice; the notification is still in the app).
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Nothing to send on this channel: no phone for an SMS, say.
        SKIPPED = "skipped", _("Skipped")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notif_delivery_once_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["status", "channel"], name="notif_delivery_status")]

    def __str__(self) -> str:
        return f"{self.notification_id} · {self.channel} · {self.get_status_display()}"
