"""Rosters in and out: the workforce as an Excel workbook (.xlsx).

The format (what ``roster_template`` writes, ``read_roster`` reads and
``export_roster`` writes back):

- The first sheet holds one header row, then one person per row. Headers may be
  written in Chinese (姓名, 身份证号 …, the file format's own names), in English or
  as the field keys; their order does not matter and unknown columns are ignored.
  A title row above the header row is allowed.
- Choice columns take the Chinese label, the English label or the English code
  value (``micro_grid_worker``); yes/no columns take 是/否, Y/N, yes/no, 1/0 or
  true/false, and an empty cell means no.
- One row may make several assignments: list the area codes separated by ；, ; , or
  、 with one role (it holds for every code) or one role per code, and one start
  date or one per code.
- A phone or ID number containing ``*`` is masked (an export shows only the last
  four characters): it is read as absent, never as an error.
- A row whose name starts with 示例 (or "Example") is the template's example and is
  skipped.

Importing is all or nothing: with any error nothing is written and every error is
reported with its row (as Excel numbers it) and column. ``valid_rows_only`` writes
the rows without errors instead. Writing is a handful of bulk statements per
thousand rows, never a query per row; audit-log entries are written in bulk too.
"""

from .background import (
    RosterRefused,
    max_upload_bytes,
    roster_imports,
    run_roster_job,
    start_roster_import,
)
from .format import COLUMNS, Column, choice_label, header, yes_no
from .importing import can_import_rosters, import_roster, manager_paths
from .reading import read_roster
from .results import PlannedAssignment, RosterOutcome, RosterRead, RosterRecord, RowError
from .workbooks import can_export, export_roster, roster_template

__all__ = [
    "COLUMNS",
    "Column",
    "PlannedAssignment",
    "RosterOutcome",
    "RosterRead",
    "RosterRecord",
    "RosterRefused",
    "RowError",
    "can_export",
    "can_import_rosters",
    "choice_label",
    "export_roster",
    "header",
    "import_roster",
    "manager_paths",
    "max_upload_bytes",
    "read_roster",
    "roster_imports",
    "roster_template",
    "run_roster_job",
    "start_roster_import",
    "yes_no",
]
