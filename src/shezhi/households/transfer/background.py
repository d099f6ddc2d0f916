"""The background import: an upload stored sealed, run by the worker, reported
(``core.jobs``, as the roster import runs)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shezhi.core import jobs
from shezhi.people.roster import RowError

from ..import_models import HouseholdImport
from .importing import can_import, import_households

MAX_BYTES = 120 * 1024 * 1024


class ImportRefused(jobs.UploadRefused):
    """The upload was refused before anything was stored (message is for the user)."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHEZHI_HOUSEHOLD_IMPORT_MAX_BYTES", MAX_BYTES))


def start_import(*, actor, uploaded_file, valid_rows_only: bool = False) -> HouseholdImport:
    """Store an uploaded workbook (sealed: it holds ID numbers in clear) and queue its
    import for the worker."""
    if not can_import(actor):
        raise ImportRefused(_("You register the households of no area."))
    name = jobs.upload_name(
        uploaded_file,
        limit=max_upload_bytes(),
        suffixes={".xlsx": _("%(name)s is not an Excel workbook (.xlsx).")},
        refused=ImportRefused,
    )
    from ..tasks import run_household_import  # tasks imports this module

    return jobs.start(
        HouseholdImport,
        run_household_import,
        created_by=actor,
        original_name=name,
        valid_rows_only=valid_rows_only,
        file=jobs.store_upload(uploaded_file, name=name, sealed=True),
    )


def _work(job: HouseholdImport, progress) -> tuple[str, dict]:
    outcome = import_households(
        actor=job.created_by,
        data=jobs.read_upload(job),
        valid_rows_only=job.valid_rows_only,
        progress=progress,
    )
    return jobs.outcome_status(HouseholdImport, outcome)


def _failed(exc: Exception) -> dict:
    error = RowError(0, "", "", _("The import failed: %(error)s") % {"error": exc})
    return {"errors": [error.to_dict()], "errors_total": 1, "written": False}


def run_import_job(job_id: int) -> HouseholdImport:
    return jobs.run(HouseholdImport, job_id, work=_work, failed=_failed, after=jobs.forget_upload)


def household_imports(user):
    """Imports the user may read: their own; a superuser reads all."""
    qs = HouseholdImport.objects.select_related("created_by").order_by("-created_at")
    if user.is_superuser:
        return qs
    return qs.filter(created_by=user)
