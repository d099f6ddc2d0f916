"""The background import: an upload stored sealed, run by the worker, reported."""

from __future__ import annotations

import base64
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import jobs
from shezhi.core import personal_data as pd

from ..roster_models import RosterImport
from .importing import can_import_rosters, import_roster
from .results import RowError

logger = logging.getLogger(__name__)


ROSTER_IMPORT_MAX_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHEZHI_ROSTER_IMPORT_MAX_BYTES", ROSTER_IMPORT_MAX_BYTES))


# --- the background import ---------------------------------------------------------


class RosterRefused(Exception):
    """The upload was refused before anything was stored (message is for the user)."""


def _seal(data: bytes) -> bytes:
    # The upload holds ID numbers in clear: kept encrypted until the worker reads it.
    return pd.encrypt(base64.b64encode(data).decode()).encode()


def _unseal(token: bytes) -> bytes:
    return base64.b64decode(pd.decrypt(token.decode()))


def start_roster_import(*, actor, uploaded_file, valid_rows_only: bool = False) -> RosterImport:
    """Store an uploaded roster (encrypted) and queue its import for the background worker."""
    if not can_import_rosters(actor):
        raise RosterRefused(_("You do not manage the workforce of any area."))
    limit = max_upload_bytes()
    if uploaded_file.size > limit:
        raise RosterRefused(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": uploaded_file.size / 1e6, "limit": limit / 1e6}
        )
    name = Path(uploaded_file.name).name
    if Path(name).suffix.lower() != ".xlsx":
        raise RosterRefused(_("%(name)s is not an Excel workbook (.xlsx).") % {"name": name})
    data = uploaded_file.read()
    with transaction.atomic():
        job = RosterImport(
            created_by=actor, original_name=name[:255], valid_rows_only=valid_rows_only
        )
        job.file.save(f"{secrets.token_hex(16)}.xlsx.sealed", ContentFile(_seal(data)), save=False)
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from ..tasks import run_roster_import

    run_roster_import.enqueue(job_id)


def run_roster_job(job_id: int) -> RosterImport:
    """The worker's side of ``start_roster_import``: check, write or not, report."""
    job = jobs.claim(RosterImport, job_id)
    if job is None:
        return RosterImport.objects.get(pk=job_id)
    progress = jobs.progress_reporter(RosterImport, job.pk)

    try:
        with job.file.open("rb") as fh:
            data = _unseal(fh.read())
        outcome = import_roster(
            actor=job.created_by,
            data=data,
            valid_rows_only=job.valid_rows_only,
            progress=progress,
        )
        job.report = outcome.to_dict()
        if outcome.written and not outcome.errors:
            job.status = RosterImport.Status.IMPORTED
        elif outcome.written:
            job.status = RosterImport.Status.PARTLY_IMPORTED
        else:
            job.status = RosterImport.Status.REJECTED
    except Exception as exc:
        logger.exception("roster import %s failed", job_id)
        job.status = RosterImport.Status.FAILED
        job.report = {
            "errors": [
                RowError(0, "", "", _("The import failed: %(error)s") % {"error": exc}).to_dict()
            ],
            "written": False,
        }
    job.progress = 1.0
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "report", "progress", "finished_at"])
    # The upload has done its work: no copy of the roster stays on disk.
    if job.file:
        job.file.delete(save=False)
        RosterImport.objects.filter(pk=job.pk).update(file="")
    return job


def roster_imports(user):
    """Imports the user may read: their own; a superuser reads all."""
    qs = RosterImport.objects.select_related("created_by").order_by("-created_at")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(created_by=user) if user.is_authenticated else qs.none()
