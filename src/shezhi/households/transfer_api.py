"""The household import's state through the API: an import's status, progress and errors
(the importer's own; anyone else's is a 404). Uploading stays on the page, where the
worker takes it (``transfer.start_import``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from shezhi.core.apitypes import NotFoundOut

from . import transfer

router = Router()


class ImportErrorOut(Schema):
    row: int = Field(description="the row as Excel numbers it; 0 for the file as a whole")
    column: str = Field(description="the column's header as written in the file")
    value: Any = Field(description="the cell, personal data masked")
    message: str


class HouseholdImportOut(Schema):
    id: int
    file_name: str
    status: str = Field(
        description="queued, running, imported, partly_imported (valid rows only), "
        "rejected or failed (nothing written)"
    )
    valid_rows_only: bool
    progress: float = Field(description="0 to 1")
    rows: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    households_created: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    residents_moved: int = 0
    written: bool = False
    errors_total: int = 0
    errors: list[ImportErrorOut] = Field(description="the first 5,000, by row and column")


@router.get(
    "/households/imports/{import_id}",
    response={200: HouseholdImportOut, 404: NotFoundOut},
    summary="A household import's status, progress and errors (the importer's own)",
)
def household_import(request: HttpRequest, import_id: int):
    job = transfer.household_imports(request.user).filter(pk=import_id).first()
    if job is None:
        raise Http404("No such import.")
    report = job.report or {}
    counts = {
        key: int(report.get(key) or 0)
        for key in (
            "rows",
            "rows_imported",
            "rows_rejected",
            "households_created",
            "residents_created",
            "residents_updated",
            "residents_moved",
        )
    }
    errors = report.get("errors", [])
    return {
        "id": job.pk,
        "file_name": job.original_name,
        "status": job.status,
        "valid_rows_only": job.valid_rows_only,
        "progress": job.progress,
        **counts,
        "written": bool(report.get("written")),
        "errors_total": int(report.get("errors_total", len(errors))),
        "errors": errors,
    }
