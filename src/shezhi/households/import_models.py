"""A household import run by the background worker: the upload, its progress, its report."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shezhi.core.jobs import UploadJob


class HouseholdImport(UploadJob):
    """One uploaded household workbook. The file is kept encrypted until the worker has
    read it, then deleted; the report keeps personal data only masked."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        PARTLY_IMPORTED = "partly_imported", _("Valid rows imported")
        REJECTED = "rejected", _("Rejected (nothing written)")
        FAILED = "failed", _("Failed (nothing written)")

    file = models.FileField(_("file"), upload_to="household_imports/%Y/%m/", blank=True)
    valid_rows_only = models.BooleanField(_("import only the valid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )

    class Meta(UploadJob.Meta):
        verbose_name = _("household import")
        verbose_name_plural = _("household imports")
