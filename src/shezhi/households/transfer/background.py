"""The background import: an upload stored sealed, run by the worker, reported
(``core.jobs``, as the roster import runs)."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from shezhi.core import jobs
from shezhi.people.roster import RowError

from ..import_models import HouseholdImport
from .importing import can_import, import_households

MAX_BYTES = 120 * 1024 * 1024


class ImportRefused(Exception):
    """The upload was refused before anything was stored (message is for the user)."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHEZHI_HOUSEHOLD_IMPORT_MAX_BYTES", MAX_BYTES))


def start_import(*, actor, uploaded_file, valid_rows_only: bool = False) -> HouseholdImport:
    """Store an uploaded workbook (encrypted) and queue its import for the worker."""
    if not can_import(actor):
        raise ImportRefused(_("You register the households of no area."))
    limit = max_upload_bytes()
    if uploaded_file.size > limit:
        raise ImportRefused(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": uploaded_file.size / 1e6, "limit": limit / 1e6}
        )
    name = Path(uploaded_file.name).name
    if Path(name).suffix.lower() != ".xlsx":
        raise ImportRefused(_("%(name)s is not an Excel workbook (.xlsx).") % {"name": name})
    from ..tasks import run_household_import  # tasks imports this module

    return jobs.start(
        HouseholdImport,
        run_household_import,
        created_by=actor,
        original_name=name[:255],
        valid_rows_only=valid_rows_only,
        # The upload holds ID numbers in clear: kept encrypted until the worker reads it.
        file=ContentFile(
            jobs.seal(uploaded_file.read()), name=f"{secrets.token_hex(16)}.xlsx.sealed"
        ),
    )


def _work(job: HouseholdImport, progress) -> tuple[str, dict]:
    with job.file.open("rb") as fh:
        data = jobs.unseal(fh.read())
    outcome = import_households(
        actor=job.created_by, data=data, valid_rows_only=job.valid_rows_only, progress=progress
    )
    if outcome.written and not outcome.errors:
        return HouseholdImport.Status.IMPORTED, outcome.to_dict()
    if outcome.written:
        return HouseholdImport.Status.PARTLY_IMPORTED, outcome.to_dict()
    return HouseholdImport.Status.REJECTED, outcome.to_dict()


def _failed(exc: Exception) -> dict:
    error = RowError(0, "", "", _("The import failed: %(error)s") % {"error": exc})
    return {"errors": [error.to_dict()], "errors_total": 1, "written": False}


def _delete_upload(job: HouseholdImport) -> None:
    if job.file:
        job.file.delete(save=False)
        HouseholdImport.objects.filter(pk=job.pk).update(file="")


def run_import_job(job_id: int) -> HouseholdImport:
    return jobs.run(HouseholdImport, job_id, work=_work, failed=_failed, after=_delete_upload)


def household_imports(user):
    """Imports the user may read: their own; a superuser reads all."""
    qs = HouseholdImport.objects.select_related("created_by").order_by("-created_at")
    if user.is_superuser:
        return qs
    return qs.filter(created_by=user)
