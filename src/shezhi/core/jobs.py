"""What every uploaded file run by the background worker shares.

An upload (areas, rosters, later ones) is a row with its file, who sent it, its
status, its progress and its report; the worker claims it once, reports progress
without writing on every step, and leaves the report on the row for its page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

QUEUED = "queued"
RUNNING = "running"


class UploadJob(models.Model):
    """Fields common to the upload jobs; each concrete job adds its status choices and file."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    report = models.JSONField(_("report"), default=dict, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_status_display()}"


def claim(model: type[UploadJob], pk: int):
    """The job, marked running; None when it has already finished.

    A retried task must never import the same file twice.
    """
    job = model.objects.select_related("created_by").get(pk=pk)
    if job.status not in (QUEUED, RUNNING):
        return None
    model.objects.filter(pk=pk).update(status=RUNNING)
    return job


def progress_reporter(
    model: type[UploadJob], pk: int, every: float = 0.5
) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback that writes at most every ``every`` seconds."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if total and now - last[0] > every:
            last[0] = now
            model.objects.filter(pk=pk).update(progress=min(done / total, 1.0))

    return progress
