"""The checks of a whole roster: against the database and across its rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd

from ..models import Assignment, Person
from ..services import ROLE_LEVEL
from .format import COLUMN_ORDER, choice_label
from .results import PlannedAssignment, RosterRecord

if TYPE_CHECKING:
    from .reading import _Reader, _Row

# Values per ``IN (...)`` lookup while checking a file against the database.
LOOKUP_CHUNK = 900


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
