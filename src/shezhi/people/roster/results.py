"""What reading and importing a roster return: records, row errors, outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shezhi.areas.models import Area

# --- results -----------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the row as Excel numbers it (0: the file itself) and the column header."""

    row: int
    column: str
    value: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class PlannedAssignment:
    area: Area
    role: str
    started_on: dt.date


@dataclass
class RosterRecord:
    """One valid row: a person to create and the assignments to make."""

    row: int
    name: str
    area: Area
    category: str
    force_type: str
    gender: str = ""
    party_member: bool = False
    veteran: bool = False
    group_leader: bool = False
    employer: str = ""
    lives_in: Area | None = None
    works_in: Area | None = None
    phone: str = ""  # normalised; "" when absent or masked
    id_number: str = ""  # normalised; "" when absent or masked
    assignments: list[PlannedAssignment] = field(default_factory=list)


@dataclass
class RosterRead:
    records: list[RosterRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # data rows read (blank and example rows aside)
    header_row: int = 0
    # The file as a whole is wrong (not a workbook, header, too many rows): write nothing.
    fatal: bool = False

    @property
    def rows_with_errors(self) -> set[int]:
        return {e.row for e in self.errors}

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class RosterOutcome:
    read: RosterRead
    valid_rows_only: bool = False
    written: bool = False
    people_created: int = 0
    assignments_created: int = 0
    rows_imported: int = 0
    extra_errors: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [*self.extra_errors, *self.read.errors]

    @property
    def rows_rejected(self) -> int:
        if self.read.fatal:
            return self.read.rows
        return len({e.row for e in self.errors if e.row > self.read.header_row})

    def to_dict(self) -> dict[str, Any]:
        return {
            "errors": [e.to_dict() for e in self.errors],
            "rows": self.read.rows,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "people_created": self.people_created,
            "assignments_created": self.assignments_created,
            "written": self.written,
            "valid_rows_only": self.valid_rows_only,
        }
