"""Households and residents in and out of Excel (.xlsx), in the shape street offices keep.

- ``household_template``: the header row, an example, drop-down lists, instructions.
- ``import_households``: read (calamine), check against the database and across rows
  (``checking``: unknown community or compound, a building outside its community, a
  room above the floors, duplicate ID numbers in the file or the database, two heads of
  a household, birth date or sex disagreeing with the ID number, bad choices, tags …,
  each named by row and column), then write all or (``valid_rows_only``) the valid rows,
  in bulk, in one transaction (``writing``), the tag counts recounted.
- ``start_import`` / ``run_import_job``: the same, run by the background worker with its
  progress on the page (``core.jobs``, as the roster import).
- ``export_residents``: an area's residents, masked, which import again.
"""

from .background import (
    ImportRefused,
    household_imports,
    max_upload_bytes,
    run_import_job,
    start_import,
)
from .exporting import can_export, export_residents, household_template
from .importing import ImportOutcome, can_import, import_cells, import_households

__all__ = [
    "ImportOutcome",
    "ImportRefused",
    "can_export",
    "can_import",
    "export_residents",
    "household_imports",
    "household_template",
    "import_cells",
    "import_households",
    "max_upload_bytes",
    "run_import_job",
    "start_import",
]
