"""A roster import run by the background worker: the upload, its progress, its report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterImport(models.Model):
    """One uploaded roster. The file is kept encrypted until the worker has read it,
    then deleted; the report keeps personal data only masked."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        PARTLY_IMPORTED = "partly_imported", _("Valid rows imported")
        REJECTED = "rejected", _("Rejected (nothing written)")
        FAILED = "failed", _("Failed (nothing written)")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="roster_imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    valid_rows_only = models.BooleanField(_("import only the valid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    # {"errors": [{"row", "column", "value", "message"}], "rows": n, "people_created": n, …}
    report = models.JSONField(_("report"), default=dict, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_status_display()}"
