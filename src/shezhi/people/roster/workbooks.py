"""Writing roster workbooks: the empty template and an area's export."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from shezhi.areas import permissions as area_permissions
from shezhi.areas.models import Area
from shezhi.areas.selectors import visible_areas
from shezhi.core import personal_data as pd

from .. import permissions, selectors
from ..models import Assignment, Person
from .format import CHOICES, COLUMNS, MASK_CHAR, _chinese, choice_label, header, yes_no

# Rows of the template and exports that carry the drop-down lists.
VALIDATED_ROWS = 10_000


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
    # Their assignments in the areas the user sees (any role of theirs), as on the pages.
    scope = area_permissions.scope(user, "view", field="area__path")
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
    return permissions.can(user, "manage", area)
