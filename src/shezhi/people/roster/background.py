"""The background import: an upload stored sealed, run by the worker, reported."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from shezhi.core import jobs
from shezhi.core import personal_data as pd

from .. import permissions
from ..roster_models import RosterImport
from .importing import can_import_rosters, import_roster
from .results import RowError

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
    from ..tasks import run_roster_import  # tasks imports this module

    return jobs.start(
        RosterImport,
        run_roster_import,
        created_by=actor,
        original_name=name[:255],
        valid_rows_only=valid_rows_only,
        file=ContentFile(_seal(uploaded_file.read()), name=f"{secrets.token_hex(16)}.xlsx.sealed"),
    )


def _run_roster(job: RosterImport, progress) -> tuple[str, dict]:
    with job.file.open("rb") as fh:
        data = _unseal(fh.read())
    outcome = import_roster(
        actor=job.created_by, data=data, valid_rows_only=job.valid_rows_only, progress=progress
    )
    if outcome.written and not outcome.errors:
        return RosterImport.Status.IMPORTED, outcome.to_dict()
    if outcome.written:
        return RosterImport.Status.PARTLY_IMPORTED, outcome.to_dict()
    return RosterImport.Status.REJECTED, outcome.to_dict()


def _roster_failed(exc: Exception) -> dict:
    error = RowError(0, "", "", _("The import failed: %(error)s") % {"error": exc})
    return {"errors": [error.to_dict()], "written": False}


def _delete_upload(job: RosterImport) -> None:
    # The upload has done its work: no copy of the roster stays on disk.
    if job.file:
        job.file.delete(save=False)
        RosterImport.objects.filter(pk=job.pk).update(file="")


def run_roster_job(job_id: int) -> RosterImport:
    """The worker's side of ``start_roster_import``: check, write or not, report."""
    return jobs.run(
        RosterImport, job_id, work=_run_roster, failed=_roster_failed, after=_delete_upload
    )


def roster_imports(user):
    """Imports the user may read: their own; a superuser reads all."""
    qs = RosterImport.objects.select_related("created_by").order_by("-created_at")
    q = permissions.scope(user, "view_import")
    return qs if q is None else qs.filter(q)
