"""Reading a roster workbook: the header, then each row's cells parsed and checked."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd

from ..models import Person
from .checks import _check_against_database, _check_within_file, _column_rank, _record
from .format import (
    CHOICES,
    COLUMN_BY_KEY,
    COLUMNS,
    EXAMPLE_PREFIXES,
    LIST_SEPARATORS,
    MASK_CHAR,
    NO,
    YES,
    _choice_aliases,
    _fold,
    _header_aliases,
    choice_label,
    header,
)
from .results import RosterRead, RowError

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


# An .xlsx is a zip: refuse one that would inflate beyond this (a zip bomb).
MAX_INFLATED_BYTES = 512 * 1024 * 1024


# --- reading -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def _code(value: Any) -> str:
    return "".join(_text(value).split())


def _shown(value: Any, kind: str | None = None) -> Any:
    """A cell's value as a report may keep it: personal data masked, long text cut."""
    if value is None or value == "":
        return ""
    if kind is not None:
        return pd.mask(kind, _text(value))
    if isinstance(value, (int, float, bool)):
        return value
    return _text(value)[:100]


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _parse_date(value: Any) -> dt.date:
    """A date from an Excel date cell, a serial number or text; ValueError when none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if 1 <= value < 100_000:
            return from_excel(value).date()
        raise ValueError(value)
    text = _text(value).replace(" ", "")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _split(value: Any) -> list[Any]:
    """The items of a list cell; a date or number cell is one item."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [value]
    return [p.strip() for p in LIST_SEPARATORS.split(value) if p.strip()]


@dataclass
class _Row:
    row: int
    cells: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    name: str = ""
    area_code: str = ""
    category: str = ""
    force_type: str = ""
    gender: str = ""
    flags: dict[str, bool] = field(default_factory=dict)
    employer: str = ""
    lives_in_code: str = ""
    works_in_code: str = ""
    phone: str = ""
    id_number: str = ""
    id_index: str = ""
    masked_id_last4: str = ""
    plans: list[tuple[str, str, dt.date]] = field(default_factory=list)  # (code, role, date)


class _Reader:
    def __init__(self, headers: dict[str, str]):
        self.headers = headers  # key -> header text as written in the file
        self.choices = {kind: _choice_aliases(kind) for kind in CHOICES}
        self.today = timezone.localdate()
        self.areas: dict[str, Area] = {}

    def column(self, key: str) -> str:
        return self.headers.get(key) or header(COLUMN_BY_KEY[key])

    def error(self, r: _Row, key: str, value: Any, message: str, kind: str | None = None) -> None:
        r.errors.append(RowError(r.row, self.column(key), _shown(value, kind), str(message)))

    def accepted(self, kind: str) -> str:
        choices, _zh = CHOICES[kind]
        return "、".join(f"{choice_label(kind, v)} ({v})" for v in choices.values)

    def choice(self, r: _Row, key: str, kind: str, *, required: bool) -> str:
        raw = r.cells.get(key)
        text = _text(raw)
        if not text:
            if required:
                self.error(r, key, raw, _("This column must not be empty."))
            return ""
        value = self.choices[kind].get(_fold(text))
        if value is None:
            self.error(
                r,
                key,
                raw,
                _("%(value)s is not an accepted value; use one of: %(accepted)s.")
                % {"value": text, "accepted": self.accepted(kind)},
            )
            return ""
        return value

    def flag(self, r: _Row, key: str) -> bool:
        raw = r.cells.get(key)
        if raw is None or raw == "":
            return False
        if isinstance(raw, bool):
            return raw
        text = _fold(_text(raw))
        if text in YES:
            return True
        if text in NO or not text:
            return False
        self.error(r, key, raw, _("Write 是 or 否 (also accepted: Y/N, 1/0, true/false)."))
        return False

    def personal(self, r: _Row, key: str, kind: str, validate) -> str:
        raw = r.cells.get(key)
        if raw is None or raw == "":
            return ""
        if isinstance(raw, float):
            self.error(
                r,
                key,
                raw,
                _(
                    "This number was stored as a number, and Excel keeps only 15 digits of "
                    "a number: format the column as text (the template does) and type it again."
                ),
                kind,
            )
            return ""
        text = _text(raw)
        if MASK_CHAR in text or "＊" in str(raw):
            if kind == pd.ID_NUMBER:
                tail = pd.normalise(kind, text.replace(MASK_CHAR, ""))[-4:]
                if re.fullmatch(r"\d{3}[\dX]", tail):
                    r.masked_id_last4 = tail
            return ""  # masked (an export's copy): absent, not an error
        try:
            validate(text)
        except ValidationError as exc:
            message = exc.messages[0]
            if isinstance(raw, int):
                message = "{} {}".format(
                    message,
                    _("(The cell holds a number: format the column as text, as Excel rounds.)"),
                )
            self.error(r, key, raw, message, kind)
            return ""
        return pd.normalise(kind, text)

    def code(self, r: _Row, key: str, *, required: bool = False) -> str:
        raw = r.cells.get(key)
        code = _code(raw)
        if not code:
            if required:
                self.error(r, key, raw, _("This column must not be empty."))
            return ""
        if isinstance(raw, float) and len(code) > 15:
            self.error(
                r, key, raw, _("This code was stored as a number and rounded: format it as text.")
            )
            return ""
        if not c.CODE_RE.match(code):
            self.error(
                r,
                key,
                raw,
                _("%(code)s is not an area code (6 to 18 digits, in steps of 3).") % {"code": code},
            )
            return ""
        return code

    def parse(self, r: _Row) -> None:
        cells = r.cells
        r.name = _text(cells.get("name"))
        if not r.name:
            self.error(r, "name", cells.get("name"), _("This column must not be empty."))
        elif len(r.name) > Person._meta.get_field("name").max_length:
            self.error(
                r,
                "name",
                cells.get("name"),
                _("At most %(count)d characters.")
                % {"count": Person._meta.get_field("name").max_length},
            )
        r.id_number = self.personal(r, "id_number", pd.ID_NUMBER, pd.validate_id_number)
        if r.id_number:
            r.id_index = pd.blind_index(pd.ID_NUMBER, r.id_number)
        r.phone = self.personal(r, "phone", pd.PHONE, pd.validate_phone)
        r.gender = self.choice(r, "gender", "gender", required=False)
        r.area_code = self.code(r, "area", required=True)
        r.category = self.choice(r, "category", "category", required=True)
        r.force_type = self.choice(r, "force_type", "force_type", required=True)
        r.flags = {key: self.flag(r, key) for key in ("party_member", "veteran", "group_leader")}
        r.employer = _text(cells.get("employer"))
        limit = Person._meta.get_field("employer").max_length
        if len(r.employer) > limit:
            self.error(
                r,
                "employer",
                cells.get("employer"),
                _("At most %(count)d characters.") % {"count": limit},
            )
        r.lives_in_code = self.code(r, "lives_in")
        r.works_in_code = self.code(r, "works_in")
        self.parse_assignments(r)

    def parse_assignments(self, r: _Row) -> None:
        cells = r.cells
        codes_raw, roles_raw, dates_raw = (
            cells.get("assignment_areas"),
            cells.get("role"),
            cells.get("started_on"),
        )
        codes = [_code(v) for v in _split(codes_raw)]
        roles = _split(roles_raw)
        dates = _split(dates_raw)
        if not codes:
            if roles:
                self.error(
                    r,
                    "assignment_areas",
                    codes_raw,
                    _("A role is given but no assignment area code."),
                )
            elif dates:
                self.error(
                    r,
                    "assignment_areas",
                    codes_raw,
                    _("A start date is given but no assignment area code."),
                )
            return
        ok = True
        for code in codes:
            if not c.CODE_RE.match(code):
                ok = False
                self.error(
                    r,
                    "assignment_areas",
                    codes_raw,
                    _("%(code)s is not an area code (6 to 18 digits, in steps of 3).")
                    % {"code": code},
                )
        if not roles:
            self.error(r, "role", roles_raw, _("Give the role held in the assignment area."))
            return
        if len(roles) not in (1, len(codes)):
            self.error(
                r,
                "role",
                roles_raw,
                _("Give one role, or one role per area code (%(count)d).") % {"count": len(codes)},
            )
            return
        if len(dates) not in (0, 1, len(codes)):
            self.error(
                r,
                "started_on",
                dates_raw,
                _("Give one start date, or one per area code (%(count)d).") % {"count": len(codes)},
            )
            return
        values = []
        for raw in roles:
            text = _text(raw)
            value = self.choices["role"].get(_fold(text))
            if value is None:
                ok = False
                self.error(
                    r,
                    "role",
                    roles_raw,
                    _("%(value)s is not an accepted value; use one of: %(accepted)s.")
                    % {"value": text, "accepted": self.accepted("role")},
                )
            values.append(value)
        parsed_dates = []
        for raw in dates:
            try:
                day = _parse_date(raw)
            except (ValueError, OverflowError):
                ok = False
                self.error(
                    r,
                    "started_on",
                    dates_raw,
                    _("%(value)s is not a date; write it as 2024-03-01.") % {"value": _text(raw)},
                )
                continue
            if day.year < 1949 or day > self.today + dt.timedelta(days=366):
                ok = False
                self.error(
                    r,
                    "started_on",
                    dates_raw,
                    _("%(date)s is not a plausible start date.") % {"date": day.isoformat()},
                )
            parsed_dates.append(day)
        if not ok:
            return
        if not parsed_dates:
            parsed_dates = [self.today]
        n = len(codes)
        roles_n = values * n if len(values) == 1 else values
        dates_n = parsed_dates * n if len(parsed_dates) == 1 else parsed_dates
        seen = set()
        for code, role, day in zip(codes, roles_n, dates_n, strict=True):
            if (code, role) in seen:
                self.error(
                    r,
                    "assignment_areas",
                    codes_raw,
                    _("%(code)s is listed twice with the same role.") % {"code": code},
                )
                continue
            seen.add((code, role))
            r.plans.append((code, role, day))


def _open_workbook(data: bytes):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inflated = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError):
        return None, _(
            "This file is not an Excel workbook (.xlsx). An old .xls or a .csv file must "
            "first be saved as .xlsx (Excel: File → Save as → Excel workbook)."
        )
    if inflated > MAX_INFLATED_BYTES:
        return None, _("This workbook is too large once unpacked.")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an untrusted file: any failure to parse is the file's fault
        logger.info("roster: unreadable workbook", exc_info=True)
        return None, _(
            "This file cannot be read as an Excel workbook (.xlsx); save it again from "
            "Excel or WPS as .xlsx."
        )
    if not wb.worksheets:
        return None, _("The workbook has no sheet.")
    return wb, None


class _Unreadable(Exception):
    pass


def _guarded(rows: Iterable[tuple]):
    """The sheet's rows; malformed XML inside the workbook (the file's fault) as _Unreadable."""
    try:
        yield from rows
    except Exception as exc:
        raise _Unreadable from exc


def _find_header(rows: Iterable[tuple], aliases: dict[str, str]):
    """(row number, {key: (index, text)}, duplicates) of the header among the first rows."""
    for number, row in enumerate(rows, start=1):
        found: dict[str, tuple[int, str]] = {}
        duplicates: list[str] = []
        for i, cell in enumerate(row):
            if cell is None:
                continue
            key = aliases.get(_fold(cell))
            if key is None:
                continue
            if key in found:
                duplicates.append(_text(cell))
            else:
                found[key] = (i, _text(cell))
        if len(found) >= 2:
            return number, found, duplicates
        if number >= 10:
            break
    return None, {}, []


def read_roster(
    data: bytes,
    *,
    max_rows: int = 50_000,
    within: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RosterRead:
    """Parse and check a roster workbook; rows without errors become records.

    ``within``: tree paths every written area must lie inside (the areas whose
    workforce the importer manages); None checks no scope. ``import_roster``
    passes its actor's. Checks against the database (area codes, ID numbers
    already registered, micro-grids that already have a responsible worker) take
    a constant number of queries per ``LOOKUP_CHUNK`` distinct values.
    """
    result = RosterRead()
    wb, problem = _open_workbook(data)
    if wb is None:
        result.errors.append(RowError(0, "", "", str(problem)))
        result.fatal = True
        return result
    try:
        ws = wb.worksheets[0]
        total_hint = ws.max_row if isinstance(ws.max_row, int) else 0
        # Trust no dimension record: some writers state a wrong one, which would cut rows.
        ws.reset_dimensions()
        rows = _guarded(ws.iter_rows(values_only=True))
        head: list[tuple] = []
        for row in rows:
            head.append(row)
            if len(head) >= 10:
                break
        number, found, duplicates = _find_header(head, _header_aliases())
        if number is None:
            result.errors.append(
                RowError(
                    1,
                    "",
                    "",
                    _(
                        "No header row found: the first sheet needs a header row with the "
                        "columns %(columns)s (download the template)."
                    )
                    % {"columns": "、".join(header(col) for col in COLUMNS if col.required)},
                )
            )
            result.fatal = True
            return result
        result.header_row = number
        for text in duplicates:
            result.errors.append(
                RowError(number, text, text, _("This column appears twice in the header row."))
            )
        missing = [col for col in COLUMNS if col.required and col.key not in found]
        for col in missing:
            result.errors.append(
                RowError(
                    number,
                    header(col),
                    "",
                    _("The required column %(column)s is missing from the header row.")
                    % {"column": header(col)},
                )
            )
        if result.errors:
            result.fatal = True
            return result

        reader = _Reader({key: text for key, (_i, text) in found.items()})
        index = {key: i for key, (i, _t) in found.items()}
        parsed: list[_Row] = []

        def data_rows():
            yield from enumerate(head[number:], start=number + 1)
            yield from enumerate(rows, start=len(head) + 1)

        for row_number, row in data_rows():
            cells = {key: (row[i] if i < len(row) else None) for key, i in index.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            name = _text(cells.get("name")).casefold()
            if name.startswith(EXAMPLE_PREFIXES):
                continue
            if result.rows >= max_rows:
                result.errors.append(
                    RowError(
                        row_number,
                        "",
                        "",
                        _(
                            "The roster has more than %(count)d rows; split it into several "
                            "files. Nothing was checked beyond this row."
                        )
                        % {"count": max_rows},
                    )
                )
                result.fatal = True
                break
            result.rows += 1
            r = _Row(row=row_number, cells=cells)
            reader.parse(r)
            parsed.append(r)
            if progress and result.rows % 500 == 0:
                progress(result.rows, max(total_hint - number, result.rows + 1))
    except _Unreadable:
        logger.info("roster: unreadable sheet", exc_info=True)
        result.records, result.rows, result.fatal = [], 0, True
        result.errors = [
            RowError(
                0,
                "",
                "",
                _(
                    "This file cannot be read as an Excel workbook (.xlsx); save it again "
                    "from Excel or WPS as .xlsx."
                ),
            )
        ]
        return result
    finally:
        wb.close()

    _check_against_database(parsed, reader, within)
    _check_within_file(parsed, reader)
    for r in parsed:
        result.errors.extend(r.errors)
    result.errors.sort(key=lambda e: (e.row, _column_rank(e.column, reader)))
    bad = result.rows_with_errors
    result.records = [_record(r, reader.areas) for r in parsed if r.row not in bad]
    if progress:
        progress(result.rows, result.rows)
    return result
