"""The life cycle every uploaded file run by the background worker shares.

An upload (areas, rosters, later ones) is a row with its file, who sent it, its
status, its progress and its report:

- ``upload_name`` / ``store_upload`` / ``read_upload`` / ``forget_upload``: the upload's
  checks (size, kind), kept sealed when it holds personal data in clear, read back by
  the worker and deleted once it has done its work;
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
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
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


class UploadRefused(Exception):
    """An upload refused before anything was stored (the message is for the user)."""


def upload_name(uploaded_file, *, limit: int, suffixes: dict[str, str], refused=UploadRefused):
    """The upload's own file name once its size and kind are checked, else ``refused``.

    ``suffixes``: the accepted endings (".xlsx") and, as the value, what to tell the user
    about a file with another one (``%(name)s`` is its name).
    """
    if uploaded_file.size > limit:
        raise refused(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": uploaded_file.size / 1e6, "limit": limit / 1e6}
        )
    name = Path(uploaded_file.name).name
    if Path(name).suffix.lower() not in suffixes:
        raise refused(next(iter(suffixes.values())) % {"name": name})
    return name[:255]


def store_upload(uploaded_file, *, name: str, sealed: bool) -> ContentFile:
    """The file to keep on the job row: sealed (``seal``) under a random name when it holds
    personal data in clear, else as it came."""
    if not sealed:
        return uploaded_file
    suffix = Path(name).suffix.lower()
    return ContentFile(seal(uploaded_file.read()), name=f"{secrets.token_hex(16)}{suffix}.sealed")


def read_upload(job) -> bytes:
    """The worker's copy of the upload (unsealed when it was sealed)."""
    with job.file.open("rb") as fh:
        data = fh.read()
    return unseal(data) if job.file.name.endswith(".sealed") else data


def forget_upload(job) -> None:
    """The upload has done its work: no copy of it (and of the personal data in it) stays."""
    if job.file:
        job.file.delete(save=False)
        type(job).objects.filter(pk=job.pk).update(file="")


def outcome_status(model: type[UploadJob], outcome) -> tuple[str, dict]:
    """The status and report of an import whose outcome has ``written``, ``errors`` and
    ``to_dict()``: imported, partly imported (valid rows only) or rejected."""
    if outcome.written and not outcome.errors:
        return model.Status.IMPORTED, outcome.to_dict()
    if outcome.written:
        return model.Status.PARTLY_IMPORTED, outcome.to_dict()
    return model.Status.REJECTED, outcome.to_dict()


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
