"""The household workbook out: the template (header, example, drop-down lists,
instructions) and the masked export of an area, which imports again.

An export is a copy that leaves the system, so it is masked: names as 张**, phones and ID
numbers as their last four characters, birth dates as the year. Each row carries its
resident code (R and the id): importing the file again updates the same residents, and a
masked cell leaves the stored value as it is. Sensitive tags are written only for those
who read them over the whole area exported (``permissions``: ``sensitive``), and the
export is then recorded as a reveal (``PersonalDataView``) of the area's sensitive tags;
without that right the column is left out, and an import without the column keeps them.
Children under 14 (sensitive personal information, PIPL art. 28/31) are left out of the
export altogether for anyone without that right; an import of it leaves them as they are.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.core.models import PersonalDataView

from .. import identity, permissions
from .. import tags as tagset
from ..masking import masked_name
from ..models import Resident
from .format import CHOICES, COLUMNS, TAG_ZH, chinese, choice_label, header, resident_code

HEAD_FILL = "FFDDEBF7"
REQUIRED_FONT = "FFC00000"
VALIDATED_ROWS = 5000
MASK = "*"


def _tags(text: str) -> str:
    codes = tagset.decode(text)
    if chinese():
        return "、".join(TAG_ZH[c] for c in codes)
    return "、".join(str(tagset.LABELS[c]) for c in codes)


def _masked(last4: str, stars: int) -> str:
    return MASK * stars + last4 if last4 else ""


def _instructions() -> list[tuple[str, str, str]]:
    what = {
        "code": _(
            "Blank for a new resident; an export's code (R and digits) updates that "
            "resident, and moves them when the place differs."
        ),
        "community": _("The community's area code (12 digits)."),
        "compound": _("The compound's name as registered by the community staff."),
        "building": _("The building number as registered (3 for 3栋)."),
        "unit": _("The unit (entrance) number; blank for a building without units."),
        "room": _("The room: floor and two digits, 1502 for the 15th floor."),
        "name": _("The resident's name. A masked name (张**) keeps the stored one."),
        "id_number": _(
            "18 characters, checked (GB 11643); gives the birth date and sex. "
            "Format the column as text."
        ),
        "birth_date": _("2024-03-01; must agree with the ID number."),
        "phone": _("A mobile or landline number; masked (*******1234) keeps the stored one."),
        "arrived_on": _("For residents who came from elsewhere: the date they arrived."),
        "tags": _("Tags separated by 、: %(tags)s.")
        % {"tags": "、".join(TAG_ZH[t] for t in tagset.PLAIN)},
        "sensitive_tags": _("Only for those who read them: %(tags)s.")
        % {"tags": "、".join(TAG_ZH[t] for t in tagset.SENSITIVE_TAGS)},
        "lng": _("Only for a building not yet registered: its point (WGS84)."),
        "lat": _("Only for a building not yet registered: its point (WGS84)."),
    }
    out = []
    for col in COLUMNS:
        accepted = ""
        if col.choices:
            accepted = "、".join(
                choice_label(col.choices, v) for v in CHOICES[col.choices][0].values
            )
        out.append(
            (header(col), _("Yes") if col.required else _("No"), what.get(col.key, accepted))
        )
    return out


def _workbook(rows: Iterable[Sequence[Any]], *, columns, example: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("住户居民" if chinese() else _("Residents"))
    letters = {col.key: get_column_letter(i) for i, col in enumerate(columns, start=1)}
    for col in columns:
        dim = ws.column_dimensions[letters[col.key]]
        dim.width = col.width
        if col.text:
            dim.number_format = "@"
    ws.freeze_panes = "B2"

    # Drop-down lists, kept on a hidden sheet.
    lists = wb.create_sheet("lists")
    ref = quote_sheetname("lists")
    kinds = [col for col in columns if col.choices]
    longest = max(len(CHOICES[c.choices][0].values) for c in kinds)
    for i in range(longest):
        line = []
        for col in kinds:
            values = CHOICES[col.choices][0].values
            line.append(choice_label(col.choices, values[i]) if i < len(values) else None)
        lists.append(line)
    lists.sheet_state = "hidden"

    from openpyxl.cell import WriteOnlyCell

    head = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=header(col))
        cell.font = Font(bold=True, color=REQUIRED_FONT if col.required else None)
        cell.fill = PatternFill("solid", fgColor=HEAD_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        head.append(cell)
    ws.append(head)
    count = 0
    if example:
        ws.append(_example(columns))
        count += 1
    for row in rows:
        ws.append(list(row))
        count += 1
    last = count + 1 + VALIDATED_ROWS
    for j, col in enumerate(kinds, start=1):
        letter = get_column_letter(j)
        n = len(CHOICES[col.choices][0].values)
        dv = DataValidation(
            type="list",
            formula1=f"{ref}!${letter}$1:${letter}${n}",
            allow_blank=True,
            showErrorMessage=True,
        )
        dv.add(f"{letters[col.key]}2:{letters[col.key]}{last}")
        ws.data_validations.append(dv)

    info = wb.create_sheet("填写说明" if chinese() else _("Instructions"))
    info.append([_("Column"), _("Required"), _("What to enter")])
    for line in _instructions():
        info.append(list(line))
    for general in (
        "",
        _(
            "One resident per row; the rows of one household share its community, compound, "
            "building, unit and room, and one of them is the head."
        ),
        _(
            "A file with any error writes nothing, unless you choose to import only the valid "
            "rows; every error is reported with its row and column."
        ),
        _("Rows whose name starts with 示例 (the example) are skipped."),
        _(
            "Updating residents (rows with a resident code): a blank or masked cell keeps what "
            "is stored; the tags columns, when present, hold the whole list."
        ),
    ):
        info.append([general])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _example(columns) -> list:
    values = {
        "community": "510113001001",
        "compound": "示例小区",
        "building": "3",
        "unit": "1",
        "room": "502",
        "kind": choice_label("kind", "owner_occupied"),
        "name": "示例：张伟",
        "id_number": "11010519491231002X",
        "sex": choice_label("sex", "female"),
        "birth_date": "1949-12-31",
        "phone": "13800138000",
        "relation": choice_label("relation", "head"),
        "residence": choice_label("residence", "registered"),
        "tags": "独居老人、高龄" if chinese() else "lives_alone, very_old",
    }
    return [values.get(col.key, "") for col in columns]


def household_template() -> bytes:
    """An empty workbook: the header row, an example row, drop-down lists, instructions."""
    return _workbook([], columns=COLUMNS, example=True)


def can_export(user, area: Area) -> bool:
    return permissions.can(user, "view", area)


def _without_children(qs):
    """Leave out the children under 14 (PIPL art. 28/31: sensitive personal information)
    for an exporter without the sensitive right: born after the year a child turns 14 by
    the year alone; in that year by the birth date, read for those few rows only."""
    today = timezone.localdate()
    floor = identity.child_year_floor(today)
    qs = qs.exclude(birth_year__gt=floor)
    edge = qs.filter(birth_year=floor).values_list("pk", "birth_date")
    children = [pk for pk, born in edge.iterator() if identity.is_child(floor, born, today)]
    return qs.exclude(pk__in=children) if children else qs


def export_residents(*, user, area: Area) -> bytes:
    """The residents of ``area`` the user sees, masked, one per row (see the module)."""
    sensitive = permissions.can(user, "sensitive", area)
    columns = [c for c in COLUMNS if c.key not in ("lng", "lat")]
    if not sensitive:
        columns = [c for c in columns if c.key != "sensitive_tags"]
    keys = [c.key for c in columns]
    qs = Resident.objects.filter(subtree_q("household__area_path", area.path))
    scope = permissions.scope(user, "view", "household__area_path")
    if scope is not None:
        qs = qs.filter(scope)
    if not sensitive:
        qs = _without_children(qs)
    fields = [
        "pk",
        "household__micro_grid__path",
        "household__building__compound__name",
        "household__building__number",
        "household__unit",
        "household__room",
        "household__kind",
        "name",
        "id_number_last4",
        "sex",
        "birth_year",
        "phone_last4",
        "relation",
        "residence",
        "arrived_on",
        "tags",
    ]
    if sensitive:
        fields.append("sensitive_tags")
    communities = dict(Area.objects.filter(level="community").values_list("path", "code"))
    step = Area.steplen
    community_of: dict[str, str] = {}

    def community(path: str) -> str:
        if path not in community_of:
            community_of[path] = next(
                (
                    communities[path[:n]]
                    for n in range(step, len(path) + 1, step)
                    if path[:n] in communities
                ),
                "",
            )
        return community_of[path]

    labels = {
        kind: {v: choice_label(kind, v) for v in CHOICES[kind][0].values}
        for kind in ("kind", "sex", "relation", "residence")
    }
    seen: list[int] = []

    def rows():
        for v in (
            qs.order_by("household__area_path", "household_id", "id")
            .values_list(*fields)
            .iterator(chunk_size=5000)
        ):
            row = dict(zip(fields, v, strict=True))
            seen.append(row["pk"])
            path = row["household__micro_grid__path"]
            values = {
                "code": resident_code(row["pk"]),
                "community": community(path),
                "compound": row["household__building__compound__name"],
                "building": row["household__building__number"],
                "unit": row["household__unit"],
                "room": row["household__room"],
                "kind": labels["kind"].get(row["household__kind"], ""),
                "name": masked_name(row["name"]),
                "id_number": _masked(row["id_number_last4"], 14),
                "sex": labels["sex"].get(row["sex"], ""),
                "birth_date": f"{row['birth_year']}-**-**" if row["birth_year"] else "",
                "phone": _masked(row["phone_last4"], 7),
                "relation": labels["relation"].get(row["relation"], ""),
                "residence": labels["residence"].get(row["residence"], ""),
                "arrived_on": row["arrived_on"].isoformat()
                if isinstance(row["arrived_on"], dt.date)
                else "",
                "tags": _tags(row["tags"]),
                "sensitive_tags": _tags(row.get("sensitive_tags") or ""),
            }
            yield [values[k] for k in keys]

    data = _workbook(rows(), columns=columns, example=False)
    if sensitive and user is not None and user.is_authenticated:
        # One record per area exported: who took the sensitive tags of which area's
        # residents, when (``PersonalDataView``, as a reveal is recorded).
        PersonalDataView.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(Area),
            object_id=str(area.pk),
            field_name="households.sensitive_tags",
            reason=_("Household export of %(area)s (%(count)d residents)")
            % {"area": area.code, "count": len(seen)},
        )
    return data
