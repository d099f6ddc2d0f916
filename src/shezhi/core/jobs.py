"""The life cycle every uploaded file run by the background worker shares.

An upload (areas, rosters, later ones) is a row with its file, who sent it, its
status, its progress and its report:

- ``start``: the page stores the row and, once committed, queues the worker's task;
- ``run``: the worker claims the row once, does the work reporting progress without
  writing on every step, and leaves the status and the report on the row (a crash
  becomes the job's "failed" status and a report, never a retry importing twice);
- ``job_or_404`` / ``page_context``: the report page, a template extending
  ``core/upload_job.html`` (the status and, while it runs, the progress, the page
  refreshing itself; then the job's own summary and problems);
- ``core/_upload_jobs.html``: the upload page's list of earlier uploads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

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


def start(model: type[UploadJob], task, **fields) -> UploadJob:
    """Store the job row and queue ``task`` (a django-tasks task taking the row's id)
    once the row is committed. ``fields``: the row's own (created_by, file, …)."""
    with transaction.atomic():
        job = model.objects.create(**fields)
        transaction.on_commit(lambda: task.enqueue(job.pk))
    return job


def run(
    model: type[UploadJob],
    pk: int,
    *,
    work: Callable[[Any, Callable[[int, int], None]], tuple[str, dict]],
    failed: Callable[[Exception], dict],
    after: Callable[[Any], None] | None = None,
):
    """The worker's side of ``start``: claim, ``work(job, progress) -> (status, report)``,
    save. An exception in ``work`` is logged and saved as the "failed" status with
    ``failed(exc)`` as the report. ``after(job)`` runs once the row is saved (e.g. to
    delete the uploaded file). Returns the job (as it is, if it had already finished)."""
    job = claim(model, pk)
    if job is None:
        return model.objects.get(pk=pk)
    progress = progress_reporter(model, job.pk)
    try:
        job.status, job.report = work(job, progress)
    except Exception as exc:
        logger.exception("%s %s failed", model._meta.verbose_name, pk)
        job.status = "failed"
        job.report = failed(exc)
    job.progress = 1.0
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "report", "progress", "finished_at"])
    if after is not None:
        after(job)
    return job


def start_from_form(form, start: Callable[..., UploadJob], *, refused: type[Exception], **kwargs):
    """The upload page's step: ``start(uploaded_file=<the form's file>, **kwargs)``; a
    refusal (``refused``, raised before anything is stored) goes next to the file field
    and None is returned."""
    try:
        return start(uploaded_file=form.cleaned_data["file"], **kwargs)
    except refused as exc:
        form.add_error("file", str(exc))
        return None


def job_or_404(queryset, pk: int):
    """One job of those the user may read (``queryset``), else 404."""
    job = queryset.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def page_context(job, *, testid: str) -> dict:
    """What the report page (extending ``core/upload_job.html``) needs; ``testid`` names
    its status (``<testid>-status``) and progress (``<testid>-progress``)."""
    return {
        "job": job,
        "testid": testid,
        "running": job.status in (QUEUED, RUNNING),
        "progress_percent": round(job.progress * 100),
    }


def seal(data: bytes) -> bytes:
    """An upload holding personal data in clear, encrypted (``personal_data.encrypt``) to
    be kept until the worker reads it; ``unseal`` gives it back."""
    import base64

    from shezhi.core import personal_data as pd

    return pd.encrypt(base64.b64encode(data).decode()).encode()


def unseal(token: bytes) -> bytes:
    import base64

    from shezhi.core import personal_data as pd

    return base64.b64decode(pd.decrypt(token.decode()))
