"""The background import: an upload stored sealed, run by the worker, reported."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shezhi.core import jobs

from .. import permissions
from ..roster_models import RosterImport
from .importing import can_import_rosters, import_roster
from .results import RowError

ROSTER_IMPORT_MAX_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHEZHI_ROSTER_IMPORT_MAX_BYTES", ROSTER_IMPORT_MAX_BYTES))


# --- the background import ---------------------------------------------------------


class RosterRefused(jobs.UploadRefused):
    """The upload was refused before anything was stored (message is for the user)."""


def start_roster_import(*, actor, uploaded_file, valid_rows_only: bool = False) -> RosterImport:
    """Store an uploaded roster (sealed: it holds ID numbers in clear) and queue its import
    for the background worker."""
    if not can_import_rosters(actor):
        raise RosterRefused(_("You do not manage the workforce of any area."))
    name = jobs.upload_name(
        uploaded_file,
        limit=max_upload_bytes(),
        suffixes={".xlsx": _("%(name)s is not an Excel workbook (.xlsx).")},
        refused=RosterRefused,
    )
    from ..tasks import run_roster_import  # tasks imports this module

    return jobs.start(
        RosterImport,
        run_roster_import,
        created_by=actor,
        original_name=name,
        valid_rows_only=valid_rows_only,
        file=jobs.store_upload(uploaded_file, name=name, sealed=True),
    )


def _run_roster(job: RosterImport, progress) -> tuple[str, dict]:
    outcome = import_roster(
        actor=job.created_by,
        data=jobs.read_upload(job),
        valid_rows_only=job.valid_rows_only,
        progress=progress,
    )
    return jobs.outcome_status(RosterImport, outcome)


def _roster_failed(exc: Exception) -> dict:
    error = RowError(0, "", "", _("The import failed: %(error)s") % {"error": exc})
    return {"errors": [error.to_dict()], "written": False}


def run_roster_job(job_id: int) -> RosterImport:
    """The worker's side of ``start_roster_import``: check, write or not, report."""
    return jobs.run(
        RosterImport, job_id, work=_run_roster, failed=_roster_failed, after=jobs.forget_upload
    )


def roster_imports(user):
    """Imports the user may read: their own; a superuser reads all."""
    qs = RosterImport.objects.select_related("created_by").order_by("-created_at")
    q = permissions.scope(user, "view_import")
    return qs if q is None else qs.filter(q)
