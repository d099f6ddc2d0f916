"""Importing a household workbook: read, check, and write all of it, or (``valid_rows_only``)
the rows without errors, in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shezhi.people.roster import RowError

from .. import permissions
from .checking import check, sort_errors
from .reading import MAX_ROWS, Progress, Reader, Sheet, read_sheet, sheet_from_cells
from .writing import write

logger = logging.getLogger(__name__)

# A report keeps this many errors (the counts cover them all).
ERRORS_KEPT = 5000


@dataclass
class ImportOutcome:
    rows: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    written: bool = False
    valid_rows_only: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "errors": [e.to_dict() for e in self.errors[:ERRORS_KEPT]],
            "errors_total": self.errors_total,
            "written": self.written,
            "valid_rows_only": self.valid_rows_only,
            **self.counts,
        }


def can_import(user) -> bool:
    return permissions.can(user, "change")


def import_households(
    *,
    actor,
    data: bytes,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    max_rows: int = MAX_ROWS,
) -> ImportOutcome:
    """Check a household workbook and write it: every row, or only the valid ones.

    All or nothing by default: with any error nothing is written and every error is
    reported with its row and column. ``actor`` writes only where they register
    households (``permissions``: ``change``); None is a system import (the demo), anywhere.
    """
    if actor is not None and not can_import(actor):
        raise PermissionDenied(_("You register the households of no area."))

    report = _phases(progress)
    sheet = read_sheet(data, max_rows=max_rows, progress=report(0.0, 0.45))
    report(0.0, 0.45)(1, 1)
    return _import(sheet, actor=actor, valid_rows_only=valid_rows_only, report=report)


def import_cells(
    *,
    actor,
    rows,
    keys: list[str],
    total: int = 0,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """The same import from rows already in cells ({column key: value}); the demo's path."""
    if actor is not None and not can_import(actor):
        raise PermissionDenied(_("You register the households of no area."))
    report = _phases(progress)
    sheet = sheet_from_cells(rows, keys=keys, progress=report(0.0, 0.45), total=total)
    report(0.0, 0.45)(1, 1)
    return _import(sheet, actor=actor, valid_rows_only=valid_rows_only, report=report)


def _phases(progress: Progress | None):
    """``report(start, share)``: a progress callback for one phase of the whole (reading
    0–45 %, checking to 50 %, writing the rest)."""

    def phase(start: float, share: float):
        def report(done: int, total: int) -> None:
            if progress and total:
                progress(int(1000 * (start + share * min(done / total, 1.0))), 1000)

        return report

    return phase


def _import(sheet: Sheet, *, actor, valid_rows_only: bool, report) -> ImportOutcome:
    phase = report
    outcome = ImportOutcome(valid_rows_only=valid_rows_only, rows=sheet.read)
    if sheet.fatal:
        outcome.errors = outcome_errors = list(sheet.errors)
        outcome.errors_total = len(outcome_errors)
        outcome.rows_rejected = sheet.read
        return outcome
    plan = check(sheet, actor=actor)
    phase(0.5, 0.0)(1, 1)
    errors = [e for r in sheet.rows for e in r.errors]
    outcome.errors = sort_errors(errors, Reader(sheet.columns))
    outcome.errors_total = len(errors)
    outcome.rows_rejected = len({e.row for e in errors})
    if (errors and not valid_rows_only) or not plan.rows:
        return outcome
    try:
        with transaction.atomic():
            outcome.counts = write(plan, actor=actor, progress=phase(0.5, 0.5))
    except IntegrityError:
        logger.info("household import: a concurrent change conflicted", exc_info=True)
        outcome.counts = {}
        outcome.errors.insert(
            0,
            RowError(
                0,
                "",
                "",
                _(
                    "Someone else registered one of these households or residents while the file "
                    "was being checked; nothing was written. Import it again."
                ),
            ),
        )
        outcome.errors_total += 1
        return outcome
    outcome.written = True
    outcome.rows_imported = plan.rows
    return outcome
