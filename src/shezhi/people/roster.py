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

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
import secrets
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.areas.selectors import visible_areas
from shezhi.core import jobs
from shezhi.core import personal_data as pd
from shezhi.core.models import RoleAssignment
from shezhi.core.roles import MANAGER_ROLES
from shezhi.core.scope import holds_role_over, scope_q

from . import selectors
from .models import Assignment, Person
from .roster_models import RosterImport
from .services import ROLE_LEVEL

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Rows written per bulk statement (and per progress report while writing).
BATCH = 1000
# Values per ``IN (...)`` lookup while checking a file against the database.
LOOKUP_CHUNK = 900
# An .xlsx is a zip: refuse one that would inflate beyond this (a zip bomb).
MAX_INFLATED_BYTES = 512 * 1024 * 1024
# Rows of the template and exports that carry the drop-down lists.
VALIDATED_ROWS = 10_000

ROSTER_IMPORT_MAX_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHEZHI_ROSTER_IMPORT_MAX_BYTES", ROSTER_IMPORT_MAX_BYTES))


# --- the format --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy English label (a msgid)
    zh: str  # the file format's Chinese header
    required: bool = False
    width: int = 14
    text: bool = False  # format the column as text (codes and numbers Excel would round)


COLUMNS: tuple[Column, ...] = (
    Column("name", pgettext_lazy("roster column", "Name"), "姓名", True, 10),
    Column(
        "id_number", pgettext_lazy("roster column", "ID number"), "身份证号", width=21, text=True
    ),
    Column("phone", pgettext_lazy("roster column", "Phone"), "手机号", width=15, text=True),
    Column("gender", pgettext_lazy("roster column", "Gender"), "性别", width=6),
    Column(
        "area", pgettext_lazy("roster column", "Area code"), "所在区域编码", True, 21, text=True
    ),
    Column("category", pgettext_lazy("roster column", "Category"), "人员类别", True, 24),
    Column("force_type", pgettext_lazy("roster column", "Force type"), "力量类型", True, 10),
    Column("party_member", pgettext_lazy("roster column", "Party member"), "党员", width=6),
    Column("veteran", pgettext_lazy("roster column", "Veteran"), "退役军人", width=8),
    Column(
        "group_leader",
        pgettext_lazy("roster column", "Building or unit head"),
        "楼栋长/单元长",
        width=12,
    ),
    Column("employer", pgettext_lazy("roster column", "Unit of employment"), "工作单位", width=24),
    Column(
        "lives_in",
        pgettext_lazy("roster column", "Micro-grid lived in (code)"),
        "居住微网格编码",
        width=21,
        text=True,
    ),
    Column(
        "works_in",
        pgettext_lazy("roster column", "Micro-grid worked in (code)"),
        "工作微网格编码",
        width=21,
        text=True,
    ),
    Column(
        "assignment_areas",
        pgettext_lazy("roster column", "Assignment area code(s)"),
        "任职区域编码",
        width=21,
        text=True,
    ),
    Column("role", pgettext_lazy("roster column", "Assignment role"), "任职角色", width=16),
    Column(
        "started_on",
        pgettext_lazy("roster column", "Assignment start date"),
        "任职开始日期",
        width=13,
    ),
)
COLUMN_BY_KEY = {col.key: col for col in COLUMNS}
COLUMN_ORDER = {col.key: i for i, col in enumerate(COLUMNS)}

# The file format's Chinese names of the choices.
CATEGORY_ZH = {
    Person.Category.FULL_TIME_GRID_WORKER: "专职网格员",
    Person.Category.MICRO_GRID_WORKER: "微网格员",
    Person.Category.EMBEDDED_CADRE: "机关企事业单位党员干部",
    Person.Category.STREET_CADRE: "镇街干部",
    Person.Category.COMMUNITY_COMMITTEE: "社区“两委”成员",
    Person.Category.OTHER: "其他",
}
FORCE_TYPE_ZH = {
    Person.ForceType.PROFESSIONAL: "专业",
    Person.ForceType.FULL_TIME: "专职",
    Person.ForceType.PART_TIME: "兼职",
    Person.ForceType.SERVICE: "服务",
    Person.ForceType.SELF_GOVERNANCE: "自治",
}
ROLE_ZH = {
    Assignment.Role.RESPONSIBLE_WORKER: "微网格负责人",
    Assignment.Role.MEMBER: "微网格员",
    Assignment.Role.EMBEDDED_CADRE: "下沉干部",
    Assignment.Role.FULL_TIME_WORKER: "专职网格员",
}
GENDER_ZH = {Person.Gender.FEMALE: "女", Person.Gender.MALE: "男"}
# Further spellings people type.
EXTRA_ALIASES = {
    "category": {
        "社区两委成员": Person.Category.COMMUNITY_COMMITTEE,
        "两委成员": Person.Category.COMMUNITY_COMMITTEE,
        "机关企事业单位干部": Person.Category.EMBEDDED_CADRE,
        "街道干部": Person.Category.STREET_CADRE,
    },
    "force_type": {
        "专业力量": Person.ForceType.PROFESSIONAL,
        "专职力量": Person.ForceType.FULL_TIME,
        "兼职力量": Person.ForceType.PART_TIME,
        "服务力量": Person.ForceType.SERVICE,
        "自治力量": Person.ForceType.SELF_GOVERNANCE,
    },
    "role": {
        "责任微网格员": Assignment.Role.RESPONSIBLE_WORKER,
        "编入干部": Assignment.Role.EMBEDDED_CADRE,
        "编入微网格干部": Assignment.Role.EMBEDDED_CADRE,
    },
    "gender": {"f": Person.Gender.FEMALE, "m": Person.Gender.MALE},
}
YES = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "t"})
NO = frozenset({"否", "n", "no", "0", "false", "×", "f"})

CHOICES = {
    "category": (Person.Category, CATEGORY_ZH),
    "force_type": (Person.ForceType, FORCE_TYPE_ZH),
    "role": (Assignment.Role, ROLE_ZH),
    "gender": (Person.Gender, GENDER_ZH),
}

EXAMPLE_PREFIXES = ("示例", "例：", "example")
LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")
MASK_CHAR = "*"
_FOLD = re.compile(r"[\s\"'“”‘’「」『』*＊]+")
_REQUIRED_NOTE = re.compile(r"[（(](必填|选填|required|optional)[)）]", re.IGNORECASE)


def _fold(text: str) -> str:
    """What two spellings of one header or choice label share."""
    text = unicodedata.normalize("NFKC", str(text))
    text = _REQUIRED_NOTE.sub("", text)
    return _FOLD.sub("", text).casefold()


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def header(col: Column) -> str:
    """A column's header in the active language (the format's Chinese names for Chinese)."""
    return col.zh if _chinese() else str(col.label)


def choice_label(kind: str, value: str) -> str:
    choices, zh = CHOICES[kind]
    return zh[value] if _chinese() else str(choices(value).label)


def yes_no(value: bool) -> str:
    if _chinese():
        return "是" if value else "否"
    return _("Yes") if value else _("No")


def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for col in COLUMNS:
        spellings = {col.key, col.zh, str(col.label)}
        with translation.override("en"):
            spellings.add(str(col.label))
        for s in spellings:
            aliases[_fold(s)] = col.key
    return aliases


def _choice_aliases(kind: str) -> dict[str, str]:
    choices, zh = CHOICES[kind]
    aliases: dict[str, str] = {}
    for value in choices.values:
        spellings = {value, zh[value], str(choices(value).label)}
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                spellings.add(str(choices(value).label))
        for s in spellings:
            aliases.setdefault(_fold(s), value)
    for spelling, value in EXTRA_ALIASES.get(kind, {}).items():
        aliases.setdefault(_fold(spelling), value)
    return aliases


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


def _column_rank(column: str, reader: _Reader) -> int:
    for key, text in reader.headers.items():
        if text == column:
            return COLUMN_ORDER[key]
    return -1


def _chunks(values: Sequence, size: int = LOOKUP_CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _check_against_database(
    parsed: list[_Row], reader: _Reader, within: Sequence[str] | None
) -> None:
    codes = sorted(
        {r.area_code for r in parsed}
        | {r.lives_in_code for r in parsed}
        | {r.works_in_code for r in parsed}
        | {code for r in parsed for code, _role, _day in r.plans}
    )
    codes = [code for code in codes if code]
    areas: dict[str, Area] = {}
    for chunk in _chunks(codes):
        for area in Area.objects.filter(code__in=chunk).only(
            "id", "code", "name", "path", "depth", "level", "kind"
        ):
            areas[area.code] = area
    reader.areas = areas

    def inside(area: Area) -> bool:
        return within is None or any(area.path.startswith(p) for p in within)

    def outside(r: _Row, key: str, area: Area) -> None:
        reader.error(
            r,
            key,
            area.code,
            _("You may not change the workforce of %(area)s.") % {"area": area},
        )

    micro_in_file: set[int] = set()
    for r in parsed:
        if r.area_code:
            area = areas.get(r.area_code)
            if area is None:
                reader.error(
                    r,
                    "area",
                    r.area_code,
                    _("No area has the code %(code)s.") % {"code": r.area_code},
                )
            elif not inside(area):
                outside(r, "area", area)
        for key, code in (("lives_in", r.lives_in_code), ("works_in", r.works_in_code)):
            if not code:
                continue
            area = areas.get(code)
            if area is None:
                reader.error(r, key, code, _("No area has the code %(code)s.") % {"code": code})
            elif area.level != c.MICRO_GRID:
                reader.error(
                    r,
                    key,
                    code,
                    _("%(area)s is a %(level)s, not a micro-grid.")
                    % {"area": area, "level": Area.Level(area.level).label},
                )
        for code, role, _day in r.plans:
            area = areas.get(code)
            if area is None:
                reader.error(
                    r,
                    "assignment_areas",
                    code,
                    _("No area has the code %(code)s.") % {"code": code},
                )
                continue
            expected = ROLE_LEVEL[Assignment.Role(role)]
            if area.level != expected:
                reader.error(
                    r,
                    "role",
                    r.cells.get("role"),
                    _("A %(role)s is assigned to a %(level)s, not to %(area)s.")
                    % {
                        "role": choice_label("role", role),
                        "level": Area.Level(expected).label,
                        "area": area,
                    },
                )
            elif not inside(area):
                outside(r, "assignment_areas", area)
            if role == Assignment.Role.RESPONSIBLE_WORKER:
                micro_in_file.add(area.pk)

    # Micro-grids that already have a responsible worker.
    held: set[int] = set()
    for chunk in _chunks(sorted(micro_in_file)):
        held.update(
            Assignment.objects.filter(
                area_id__in=chunk,
                role=Assignment.Role.RESPONSIBLE_WORKER,
                ended_on__isnull=True,
            ).values_list("area_id", flat=True)
        )
    for r in parsed:
        for code, role, _day in r.plans:
            area = areas.get(code)
            if role == Assignment.Role.RESPONSIBLE_WORKER and area is not None and area.pk in held:
                reader.error(
                    r,
                    "assignment_areas",
                    code,
                    _(
                        "%(area)s already has a responsible worker; end that assignment "
                        "first, or import this person as a member."
                    )
                    % {"area": area},
                )

    # People already registered: the same ID number (blind index) …
    indexes = sorted({r.id_index for r in parsed if r.id_index})
    registered: set[str] = set()
    for chunk in _chunks(indexes):
        registered.update(
            Person.objects.filter(id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
        )
    # … or, for a masked ID number (an exported row), the same name and last four.
    masked = [r for r in parsed if r.masked_id_last4 and r.name and not r.id_index]
    known_masked: set[tuple[str, str]] = set()
    for chunk in _chunks(sorted({r.name for r in masked})):
        known_masked.update(
            Person.objects.filter(name__in=chunk)
            .exclude(id_number_last4="")
            .values_list("name", "id_number_last4")
        )
    for r in parsed:
        if r.id_index in registered:
            reader.error(
                r,
                "id_number",
                r.id_number,
                _("A person with this ID number is already registered."),
                pd.ID_NUMBER,
            )
        elif r.masked_id_last4 and (r.name, r.masked_id_last4) in known_masked:
            reader.error(
                r,
                "id_number",
                r.cells.get("id_number"),
                _(
                    "%(name)s with an ID number ending in %(last4)s is already registered: "
                    "this looks like a row of an export. Remove it, or enter the full ID number."
                )
                % {"name": r.name, "last4": r.masked_id_last4},
            )


def _check_within_file(parsed: list[_Row], reader: _Reader) -> None:
    by_id: dict[str, list[_Row]] = defaultdict(list)
    for r in parsed:
        if r.id_index:
            by_id[r.id_index].append(r)
    for rows in by_id.values():
        if len(rows) < 2:
            continue
        for r in rows:
            others = "、".join(str(o.row) for o in rows if o is not r)
            reader.error(
                r,
                "id_number",
                r.id_number,
                _("The same ID number is also on row(s) %(rows)s: one person, one row.")
                % {"rows": others},
                pd.ID_NUMBER,
            )
    responsible: dict[str, list[_Row]] = defaultdict(list)
    for r in parsed:
        for code, role, _day in r.plans:
            if role == Assignment.Role.RESPONSIBLE_WORKER:
                responsible[code].append(r)
    for code, rows in responsible.items():
        if len(rows) < 2:
            continue
        area = reader.areas.get(code)
        for r in rows:
            others = "、".join(str(o.row) for o in rows if o is not r)
            reader.error(
                r,
                "assignment_areas",
                code,
                _(
                    "Row(s) %(rows)s also make a responsible worker of %(area)s; a micro-grid "
                    "has one responsible worker."
                )
                % {"rows": others, "area": area or code},
            )


def _record(r: _Row, areas: dict[str, Area]) -> RosterRecord:
    return RosterRecord(
        row=r.row,
        name=r.name,
        area=areas[r.area_code],
        category=r.category,
        force_type=r.force_type,
        gender=r.gender,
        party_member=r.flags.get("party_member", False),
        veteran=r.flags.get("veteran", False),
        group_leader=r.flags.get("group_leader", False),
        employer=r.employer,
        lives_in=areas.get(r.lives_in_code) if r.lives_in_code else None,
        works_in=areas.get(r.works_in_code) if r.works_in_code else None,
        phone=r.phone,
        id_number=r.id_number,
        assignments=[
            PlannedAssignment(area=areas[code], role=role, started_on=day)
            for code, role, day in r.plans
        ],
    )


# --- importing ---------------------------------------------------------------------


def manager_paths(actor) -> list[str] | None:
    """Paths of the areas whose workforce ``actor`` manages; None: everywhere."""
    if actor is None or actor.is_superuser:
        return None
    if not actor.is_authenticated:
        return []
    return list(
        RoleAssignment.objects.filter(user=actor, role__in=MANAGER_ROLES).values_list(
            "area__path", flat=True
        )
    )


def can_import_rosters(user) -> bool:
    return manager_paths(user) != []


def import_roster(
    *,
    actor,
    data: bytes,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    max_rows: int = 50_000,
) -> RosterOutcome:
    """Check a roster and write it: every row, or (``valid_rows_only``) the valid ones.

    All or nothing by default: with any error nothing is written and every error
    is reported. ``actor`` may write only inside the areas whose workforce they
    manage (None: a system import, anywhere). One transaction; people, their
    assignments and their audit entries are written in bulk.
    """
    paths = manager_paths(actor)
    if paths == []:
        raise PermissionDenied(_("You do not manage the workforce of any area."))

    def read_progress(done: int, total: int) -> None:
        if progress:
            progress(done, 2 * total)

    read = read_roster(data, max_rows=max_rows, within=paths, progress=read_progress)
    outcome = RosterOutcome(read=read, valid_rows_only=valid_rows_only)
    if (read.errors and not valid_rows_only) or not read.records:
        return outcome
    if read.fatal:
        return outcome
    try:
        _write(read.records, actor=actor, outcome=outcome, progress=progress)
    except IntegrityError:
        logger.info("roster import: a concurrent change conflicted", exc_info=True)
        outcome.people_created = outcome.assignments_created = outcome.rows_imported = 0
        outcome.extra_errors.append(
            RowError(
                0,
                "",
                "",
                _(
                    "Someone else registered one of these people or responsible workers "
                    "while the file was being checked; nothing was written. Import it again."
                ),
            )
        )
        return outcome
    outcome.written = True
    return outcome


def _person(record: RosterRecord) -> Person:
    person = Person(
        area=record.area,
        name=record.name,
        gender=record.gender,
        category=record.category,
        force_type=record.force_type,
        party_member=record.party_member,
        veteran=record.veteran,
        group_leader=record.group_leader,
        employer=record.employer,
        lives_in=record.lives_in,
        works_in=record.works_in,
    )
    # Values are normalised and validated already; encryption happens as they are saved.
    if record.phone:
        person.phone = record.phone
        person.phone_index = pd.blind_index(pd.PHONE, record.phone)
        person.phone_last4 = record.phone[-4:]
    if record.id_number:
        person.id_number = record.id_number
        person.id_number_index = pd.blind_index(pd.ID_NUMBER, record.id_number)
        person.id_number_last4 = record.id_number[-4:]
    return person


def _write(
    records: list[RosterRecord], *, actor, outcome: RosterOutcome, progress: Progress | None
) -> None:
    total = len(records)
    done_before = outcome.read.rows
    with transaction.atomic():
        for batch in _chunks(records, BATCH):
            people = [_person(rec) for rec in batch]
            Person.objects.bulk_create(people, batch_size=BATCH)
            assignments = [
                Assignment(person=p, area=a.area, role=a.role, started_on=a.started_on)
                for p, rec in zip(people, batch, strict=True)
                for a in rec.assignments
            ]
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            _audit_created([*people, *assignments], actor)
            outcome.people_created += len(people)
            outcome.assignments_created += len(assignments)
            outcome.rows_imported += len(batch)
            if progress:
                written = outcome.rows_imported * done_before // max(total, 1)
                progress(done_before + written, 2 * done_before)


def _audit_created(objs: Sequence, actor) -> None:
    """Audit-log entries for bulk-created rows, as django-auditlog writes for one save."""
    if not objs or not django_apps.is_installed("auditlog"):
        return
    from auditlog.cid import get_cid
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import smart_str

    json_changes = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    cid = get_cid()
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    entries = []
    for obj in objs:
        model = type(obj)
        if not auditlog.contains(model):
            continue
        changes = model_instance_diff(None, obj, use_json_for_changes=json_changes)
        extra = getattr(obj, "get_additional_data", None)
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(model),
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=smart_str(obj),
                action=LogEntry.Action.CREATE,
                changes=changes,
                actor_id=actor_id,
                cid=cid,
                timestamp=now,
                additional_data=extra() if callable(extra) else None,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH)


# --- writing workbooks -------------------------------------------------------------

_HEAD_FILL = "FFDCE6F0"
_REQUIRED_FONT = "FFB71C1C"


def _explanation_rows() -> list[tuple[str, str, str, str]]:
    def values(kind: str) -> str:
        choices, zh = CHOICES[kind]
        with translation.override("en"):
            english = {v: str(choices(v).label) for v in choices.values}
        return "\n".join(
            f"{zh[v]} / {english[v]} / {v}" if _chinese() else f"{choices(v).label} / {v}"
            for v in choices.values
        )

    yes_no_values = _("是 / 否 (also Y/N, 1/0, true/false); empty means no")
    rows = {
        "name": (_("The person's name."), ""),
        "id_number": (
            _(
                "The 18-character resident ID number; checked, stored encrypted. One person "
                "per ID number: a number already registered is refused."
            ),
            _("A value containing * (an export's masked copy) counts as absent."),
        ),
        "phone": (
            _("A mobile number, or a landline with its area code (028-83331234)."),
            _("A value containing * (an export's masked copy) counts as absent."),
        ),
        "gender": (_("Optional."), values("gender")),
        "area": (
            _("The code of the area the person's record belongs to (any level)."),
            _("An existing area code inside the areas you manage."),
        ),
        "category": (_("Which part of the workforce the person belongs to."), values("category")),
        "force_type": (_("The kind of force."), values("force_type")),
        "party_member": ("", yes_no_values),
        "veteran": ("", yes_no_values),
        "group_leader": ("", yes_no_values),
        "employer": (_("Optional."), ""),
        "lives_in": (
            _("Optional: the micro-grid the person lives in (for the three priorities)."),
            _("An 18-digit micro-grid code."),
        ),
        "works_in": (
            _("Optional: the micro-grid the person works in."),
            _("An 18-digit micro-grid code."),
        ),
        "assignment_areas": (
            _(
                "Optional: where the person serves. Several codes may be separated by ；, "
                "or 、 (for example a full-time grid worker covering two general grids)."
            ),
            _(
                "A micro-grid for responsible workers, members and embedded cadres; a "
                "general grid for full-time grid workers. A micro-grid has one responsible "
                "worker."
            ),
        ),
        "role": (
            _("The role held in the assignment areas: one, or one per area code."),
            values("role"),
        ),
        "started_on": (
            _("Optional (default: the day of the import): one date, or one per area code."),
            _("A date such as 2024-03-01."),
        ),
    }
    out = []
    for col in COLUMNS:
        what, accepted = rows[col.key]
        out.append((header(col), _("Yes") if col.required else _("No"), what, accepted))
    return out


def _workbook(rows: Iterable[Sequence[Any]], *, example: bool, masked_note: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "花名册" if _chinese() else _("Roster")
    letters = {col.key: get_column_letter(i) for i, col in enumerate(COLUMNS, start=1)}
    ws.append([header(col) for col in COLUMNS])
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color=_REQUIRED_FONT if col.required else None)
        cell.fill = PatternFill("solid", fgColor=_HEAD_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        dim = ws.column_dimensions[letters[col.key]]
        dim.width = col.width
        if col.text:
            dim.number_format = "@"
        elif col.key == "started_on":
            dim.number_format = "yyyy-mm-dd"
        if col.required:
            cell.comment = Comment(_("Required."), "社治港")
    ws.freeze_panes = "B2"
    if masked_note:
        note = _(
            "Phone and ID numbers are masked in this export: only the last four characters "
            "are shown, since an export is a copy. Importing it again reads a masked value "
            "as absent."
        )
        for key in ("id_number", "phone"):
            ws[f"{letters[key]}1"].comment = Comment(note, "社治港", width=300, height=120)
        ws.oddHeader.center.text = note
    count = 0
    for row in rows:
        ws.append(list(row))
        count += 1
    if example:
        ws.append(
            [
                ("示例：张伟" if _chinese() else _("Example: Zhang Wei")),
                "11010519491231002X",
                "13800138000",
                choice_label("gender", Person.Gender.MALE),
                "510113001001001001",
                choice_label("category", Person.Category.MICRO_GRID_WORKER),
                choice_label("force_type", Person.ForceType.PART_TIME),
                yes_no(True),
                yes_no(False),
                yes_no(True),
                "",
                "510113001001001001",
                "",
                "510113001001001001",
                choice_label("role", Assignment.Role.RESPONSIBLE_WORKER),
                dt.date(2024, 3, 1),
            ]
        )
        for cell in ws[2]:
            cell.font = Font(italic=True, color="FF808080")
        count += 1
    for cell in ws[letters["started_on"]][1:]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"

    # Drop-down lists, kept on a hidden sheet (labels may hold quotes and commas).
    lists = wb.create_sheet("lists")
    last = VALIDATED_ROWS + 1 + count
    ref = quote_sheetname(lists.title)
    for j, kind in enumerate(("category", "force_type", "role", "gender"), start=1):
        choices, _zh = CHOICES[kind]
        letter = get_column_letter(j)
        lists.cell(row=1, column=j, value=kind)
        for i, value in enumerate(choices.values, start=2):
            lists.cell(row=i, column=j, value=choice_label(kind, value))
        dv = DataValidation(
            type="list",
            formula1=f"{ref}!${letter}$2:${letter}${len(choices.values) + 1}",
            allow_blank=True,
        )
        if kind == "role":
            # Several roles may be listed in one cell: warn, do not refuse.
            dv.errorStyle = "warning"
            dv.error = _("Several roles may be separated by ；")
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{letters[kind]}2:{letters[kind]}{last}")
    yn = DataValidation(type="list", formula1=f'"{yes_no(True)},{yes_no(False)}"', allow_blank=True)
    yn.showErrorMessage = True
    yn.errorStyle = "warning"
    ws.add_data_validation(yn)
    for key in ("party_member", "veteran", "group_leader"):
        yn.add(f"{letters[key]}2:{letters[key]}{last}")
    lists.sheet_state = "hidden"

    info = wb.create_sheet("填写说明" if _chinese() else _("Instructions"), 1)
    info.append([_("Column"), _("Required"), _("What to enter"), _("Accepted values")])
    for cell in info[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEAD_FILL)
    for row in _explanation_rows():
        info.append(list(row))
    for general in (
        "",
        _(
            "One person per row. A file with any error writes nothing, unless you choose "
            "to import only the valid rows; every error is reported with its row and column."
        ),
        _("Rows whose name starts with 示例 (the example) are skipped."),
        _(
            "Choice columns take the Chinese label, the English label or the English code "
            "shown above."
        ),
    ):
        info.append([general])
    for letter, width in (("A", 18), ("B", 8), ("C", 60), ("D", 60)):
        info.column_dimensions[letter].width = width
    for row in info.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def roster_template() -> bytes:
    """An empty roster: the header row, one example row, drop-down lists, an instructions sheet."""
    return _workbook([], example=True, masked_note=False)


def _masked(kind: str, last4: str) -> str:
    if not last4:
        return ""
    return MASK_CHAR * (14 if kind == pd.ID_NUMBER else 7) + last4


def export_roster(*, user, area: Area) -> bytes:
    """``area``'s people (within ``user``'s scope) with their current assignments.

    Same columns as the template, so an export imports back. Phone and ID numbers
    are masked (last four only): an export is a copy; a header note says so.
    Assignments in areas outside the user's scope are left out.
    """
    if not (visible_areas(user).filter(pk=area.pk).exists() and can_export(user, area)):
        raise PermissionDenied(_("You may not export the roster of %(area)s.") % {"area": area})
    people = list(
        selectors.people_in(user, area)
        .select_related("area", "lives_in", "works_in")
        .defer("phone", "id_number", "area__boundary", "lives_in__boundary", "works_in__boundary")
    )
    current = Assignment.objects.filter(
        ended_on__isnull=True,
        person_id__in=selectors.people_in(user, area).values("pk"),
    ).select_related("area")
    scope = scope_q(user, "area__path")
    if scope is not None:
        current = current.filter(scope)
    by_person: dict[int, list[Assignment]] = defaultdict(list)
    for a in current.only("person_id", "role", "started_on", "area__code").order_by(
        "person_id", "area__code", "role"
    ):
        by_person[a.person_id].append(a)

    def rows():
        for p in people:
            held = by_person.get(p.pk, [])
            roles = [choice_label("role", a.role) for a in held]
            dates = [a.started_on for a in held]
            if len(set(roles)) == 1:
                roles = roles[:1]
            if len(set(dates)) == 1:
                dates = dates[:1]
            yield [
                p.name,
                _masked(pd.ID_NUMBER, p.id_number_last4),
                _masked(pd.PHONE, p.phone_last4),
                choice_label("gender", p.gender) if p.gender else "",
                p.area.code,
                choice_label("category", p.category),
                choice_label("force_type", p.force_type),
                yes_no(p.party_member),
                yes_no(p.veteran),
                yes_no(p.group_leader),
                p.employer,
                p.lives_in.code if p.lives_in else "",
                p.works_in.code if p.works_in else "",
                "；".join(a.area.code for a in held),
                "；".join(roles),
                dates[0] if len(dates) == 1 else "；".join(d.isoformat() for d in dates),
            ]

    return _workbook(rows(), example=False, masked_note=True)


def can_export(user, area: Area) -> bool:
    return holds_role_over(user, area, MANAGER_ROLES)


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
    data = uploaded_file.read()
    with transaction.atomic():
        job = RosterImport(
            created_by=actor, original_name=name[:255], valid_rows_only=valid_rows_only
        )
        job.file.save(f"{secrets.token_hex(16)}.xlsx.sealed", ContentFile(_seal(data)), save=False)
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_roster_import

    run_roster_import.enqueue(job_id)


def run_roster_job(job_id: int) -> RosterImport:
    """The worker's side of ``start_roster_import``: check, write or not, report."""
    job = jobs.claim(RosterImport, job_id)
    if job is None:
        return RosterImport.objects.get(pk=job_id)
    progress = jobs.progress_reporter(RosterImport, job.pk)

    try:
        with job.file.open("rb") as fh:
            data = _unseal(fh.read())
        outcome = import_roster(
            actor=job.created_by,
            data=data,
            valid_rows_only=job.valid_rows_only,
            progress=progress,
        )
        job.report = outcome.to_dict()
        if outcome.written and not outcome.errors:
            job.status = RosterImport.Status.IMPORTED
        elif outcome.written:
            job.status = RosterImport.Status.PARTLY_IMPORTED
        else:
            job.status = RosterImport.Status.REJECTED
    except Exception as exc:
        logger.exception("roster import %s failed", job_id)
        job.status = RosterImport.Status.FAILED
        job.report = {
            "errors": [
                RowError(0, "", "", _("The import failed: %(error)s") % {"error": exc}).to_dict()
            ],
            "written": False,
        }
    job.progress = 1.0
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "report", "progress", "finished_at"])
    # The upload has done its work: no copy of the roster stays on disk.
    if job.file:
        job.file.delete(save=False)
        RosterImport.objects.filter(pk=job.pk).update(file="")
    return job


def roster_imports(user):
    """Imports the user may read: their own; a superuser reads all."""
    qs = RosterImport.objects.select_related("created_by").order_by("-created_at")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(created_by=user) if user.is_authenticated else qs.none()


__all__ = [
    "COLUMNS",
    "PlannedAssignment",
    "RosterOutcome",
    "RosterRead",
    "RosterRecord",
    "RowError",
    "export_roster",
    "import_roster",
    "read_roster",
    "roster_template",
]
