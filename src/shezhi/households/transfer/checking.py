"""Checking a read workbook against the database and across its rows, into a plan of
writes. Nothing here writes.

Every look-up is one query per ``CHUNK`` distinct values (communities, compounds,
buildings, households, ID numbers' blind indexes, resident codes, heads), never one
per row. A row's error names its row and column; in "valid rows only" mode the rows
with errors are left out of the plan, and a household is made only for a valid row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.errors import BadInput
from shezhi.people.roster import RowError

from .. import permissions
from ..models import Building, Compound, Household, Resident, natural_key
from ..services.checks import _UNSET
from ..services.places import _locate_building
from ..services.residents import _place
from .format import COLUMN_ORDER, resident_code
from .reading import KEEP, Reader, Row, Sheet

CHUNK = 2000

HouseKey = tuple[int | str, str, str]  # (building id, or "new:<compound>:<number>", unit, room)


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(slots=True)
class NewHousehold:
    """A household the file registers (written as a row, not a model instance: a
    district's file makes 160,000 of them)."""

    building: Building
    unit: str
    room: str
    kind: str
    pk: int | None = None

    @property
    def micro_grid_id(self) -> int:
        return self.building.micro_grid_id

    @property
    def area_path(self) -> str:
        return self.building.area_path


@dataclass
class Plan:
    """What the valid rows write."""

    new_buildings: dict[str, Building] = field(default_factory=dict)
    new_households: dict[HouseKey, NewHousehold] = field(default_factory=dict)
    households: dict[HouseKey, Household] = field(default_factory=dict)  # existing
    kinds: dict[HouseKey, str] = field(default_factory=dict)
    creates: list[tuple[Row, HouseKey]] = field(default_factory=list)
    updates: list[tuple[Row, Resident, HouseKey]] = field(default_factory=list)
    rows: int = 0


class _Scope:
    """Where the actor writes: households (``change``), sensitive tags, places."""

    def __init__(self, actor):
        self.actor = actor
        self.change = permissions.in_scope_paths(actor, "change") if actor else None
        self.view = permissions.in_scope_paths(actor, "view") if actor else None
        self._sensitive: dict[int, bool] = {}
        self._places: dict[int, bool] = {}

    @staticmethod
    def _inside(path: str, tops: list[str] | None) -> bool:
        return tops is None or any(path.startswith(t) for t in tops)

    def writes(self, path: str) -> bool:
        return self._inside(path, self.change)

    def touches(self, path: str) -> bool:
        """An area above or inside the actor's: one whose compounds they may name."""
        return self.view is None or any(path.startswith(t) or t.startswith(path) for t in self.view)

    def sensitive(self, micro_grid: Area) -> bool:
        if self.actor is None:
            return True
        if micro_grid.pk not in self._sensitive:
            self._sensitive[micro_grid.pk] = permissions.can(self.actor, "sensitive", micro_grid)
        return self._sensitive[micro_grid.pk]

    def places(self, compound: Compound) -> bool:
        if self.actor is None:
            return True
        if compound.pk not in self._places:
            self._places[compound.pk] = permissions.can(self.actor, "manage_places", compound)
        return self._places[compound.pk]


def check(sheet: Sheet, *, actor) -> Plan:
    """Check ``sheet``'s rows against the database and each other (their errors are added
    to the rows); the plan of what the rows without errors write."""
    reader = Reader(sheet.columns)
    scope = _Scope(actor)
    rows = sheet.rows
    err = reader.error

    # Communities, compounds, buildings.
    codes = {r.community for r in rows if r.community}
    communities = {
        a.code: a for a in Area.objects.filter(code__in=codes, level=c.COMMUNITY).defer("boundary")
    }
    communities = {k: a for k, a in communities.items() if scope.touches(a.path)}
    compounds: dict[tuple[int, str], Compound] = {}
    for com in (
        Compound.objects.filter(community__in=communities.values())
        .select_related("community")
        .defer("boundary", "community__boundary")
    ):
        compounds[(com.community_id, com.name)] = com
    buildings: dict[tuple[int, str], Building] = {}
    for b in Building.objects.filter(compound__in=list(compounds.values())).only(
        "id", "compound_id", "number", "floors", "units", "micro_grid_id", "area_path"
    ):
        buildings[(b.compound_id, b.number)] = b
    micro_grids = {
        a.pk: a
        for a in Area.objects.filter(pk__in={b.micro_grid_id for b in buildings.values()}).defer(
            "boundary"
        )
    }

    plan = Plan()
    where: dict[int, tuple[Building, HouseKey]] = {}  # row number -> building and household
    for r in rows:
        if not (r.community and r.compound and r.building and r.room):
            continue
        community = communities.get(r.community)
        if community is None:
            err(
                r,
                "community",
                r.community,
                _("No community with the code %(code)s in the areas you work.")
                % {"code": r.community[:20]},
            )
            continue
        compound = compounds.get((community.pk, r.compound))
        if compound is None:
            err(
                r,
                "compound",
                r.compound,
                _(
                    "No compound named %(name)s in %(community)s; the community staff "
                    "register compounds first."
                )
                % {"name": r.compound[:40], "community": community.name},
            )
            continue
        building = buildings.get((compound.pk, r.building))
        if building is None:
            building = _new_building(r, compound, plan, scope, reader)
            if building is None:
                continue
        if not scope.writes(building.area_path):
            err(
                r,
                "building",
                r.building,
                _("This building lies outside the areas where you register households."),
            )
            continue
        key: HouseKey = (building.pk or f"new:{compound.pk}:{building.number}", r.unit, r.room)
        where[r.row] = (building, key)

    # Households: existing ones by (building, unit, room); new ones checked as the
    # services check them.
    keys = {key for _b, key in where.values()}
    existing_ids = {k[0] for k in keys if isinstance(k[0], int)}
    for batch in chunks(sorted(existing_ids), 500):
        for h in Household.objects.filter(building_id__in=batch).only(
            "id", "building_id", "unit", "room", "kind", "micro_grid_id", "area_path"
        ):
            key = (h.building_id, h.unit, h.room)
            if key in keys:
                plan.households[key] = h
    placed_ok: dict[HouseKey, str | None] = {}
    for r in rows:
        if r.row not in where:
            continue
        building, key = where[r.row]
        if key in plan.households:
            continue
        if key not in placed_ok:
            try:
                _place(building, r.unit, r.room)
                placed_ok[key] = None
            except BadInput as exc:
                placed_ok[key] = f"{exc.field}:{exc}"
        problem = placed_ok[key]
        if problem:
            column, message = problem.split(":", 1)
            err(
                r, column if column in ("unit", "room") else "room", getattr(r, column, ""), message
            )

    # Resident codes: updates of residents the actor may change.
    by_code: dict[int, Resident] = {}
    seen_code: dict[int, int] = {}
    codes_wanted = {r.code for r in rows if r.code is not None}
    for batch in chunks(sorted(codes_wanted)):
        for res in Resident.objects.filter(pk__in=batch).select_related("household"):
            if scope.writes(res.household.area_path):
                by_code[res.pk] = res
    for r in rows:
        if r.code is None:
            continue
        if r.code not in by_code:
            err(
                r,
                "code",
                resident_code(r.code),
                _("No resident with this code in the areas where you register households."),
            )
        elif r.code in seen_code:
            err(
                r,
                "code",
                resident_code(r.code),
                _("This resident is already in row %(row)d.") % {"row": seen_code[r.code]},
            )
        else:
            seen_code[r.code] = r.row
            _check_update(r, by_code[r.code], reader)

    # ID numbers: in the file, then in the database (blind index).
    first_id: dict[str, int] = {}
    for r in rows:
        if r.id_number and r.id_index:
            if r.id_index in first_id:
                err(
                    r,
                    "id_number",
                    r.id_number,
                    _("The same ID number is in row %(row)d.") % {"row": first_id[r.id_index]},
                    "id_number",
                )
            else:
                first_id[r.id_index] = r.row
    owners: dict[str, int] = {}
    for batch in chunks(first_id):
        owners.update(
            Resident.objects.filter(id_number_index__in=batch).values_list("id_number_index", "pk")
        )
    for r in rows:
        if r.id_index and r.id_index in owners and owners[r.id_index] != r.code:
            err(
                r,
                "id_number",
                r.id_number,
                _("A resident with this ID number is already registered."),
                "id_number",
            )

    # Sensitive tags: only their readers set them.
    for r in rows:
        if r.sensitive_tags and r.row in where:
            building, _key = where[r.row]
            grid = micro_grids.get(building.micro_grid_id) or building.micro_grid
            if not scope.sensitive(grid):
                err(
                    r,
                    "sensitive_tags",
                    "",
                    _(
                        "Only the staff of the area and the household's micro-grid worker "
                        "set sensitive tags."
                    ),
                )
        elif r.sensitive_tags == "" and r.code is not None and r.row in where:
            building, _key = where[r.row]
            grid = micro_grids.get(building.micro_grid_id) or building.micro_grid
            if not scope.sensitive(grid):
                r.sensitive_tags = KEEP  # a blank cell from someone who cannot see them

    _check_heads(rows, where, plan, by_code, reader)

    # The plan: rows without errors.
    for r in rows:
        if r.errors or r.row not in where:
            continue
        building, key = where[r.row]
        if key not in plan.households and key not in plan.new_households:
            plan.new_households[key] = NewHousehold(
                building, r.unit, r.room, r.kind or Household.Kind.OTHER
            )
        elif (
            key in plan.households
            and r.kind
            and key not in plan.kinds
            and plan.households[key].kind != r.kind
        ):
            plan.kinds[key] = r.kind
        if r.code is None:
            plan.creates.append((r, key))
        else:
            plan.updates.append((r, by_code[r.code], key))
        plan.rows += 1
    return plan


def _new_building(r: Row, compound: Compound, plan: Plan, scope: _Scope, reader: Reader):
    """A building the file registers: located from its longitude and latitude, in the
    compound's community, by those who register places."""
    tag = f"{compound.pk}:{r.building}"
    if tag in plan.new_buildings:
        return plan.new_buildings[tag]
    if r.lng is None or r.lat is None:
        reader.error(
            r,
            "building",
            r.building,
            _(
                "No building %(number)s in %(compound)s; give its longitude and latitude "
                "to register it."
            )
            % {"number": r.building[:20], "compound": compound.name},
        )
        return None
    if not scope.places(compound):
        reader.error(
            r,
            "building",
            r.building,
            _(
                "No building %(number)s in %(compound)s, and only community staff, street "
                "staff and district admins register buildings."
            )
            % {"number": r.building[:20], "compound": compound.name},
        )
        return None
    try:
        placed = _locate_building(scope.actor, compound, r.lng, r.lat, "wgs84", _UNSET)
    except BadInput as exc:
        reader.error(r, "lng", r.lng, str(exc))
        return None
    building = Building(
        compound=compound,
        number=r.building,
        sort_key=natural_key(r.building),
        floors=200,
        units=50,
        **placed,
    )
    plan.new_buildings[tag] = building
    return building


def _check_update(r: Row, current: Resident, reader: Reader) -> None:
    """A row updating ``current``: the birth date and sex agree with the stored ID number
    when the row keeps it."""
    if r.id_number is KEEP and current.id_number_index and current.birth_date:
        if r.birth_given and r.birth_date and r.birth_date.isoformat() != current.birth_date:
            reader.error(
                r,
                "birth_date",
                r.birth_date.isoformat(),
                _("The birth date %(given)s disagrees with the ID number's %(id)s.")
                % {"given": r.birth_date.isoformat(), "id": current.birth_date},
            )
        if r.sex and current.sex and r.sex != current.sex:
            reader.error(
                r, "sex", r.sex, _("The sex disagrees with the ID number's (its 17th digit).")
            )
    if (
        isinstance(r.arrived_on, dt.date)
        and current.birth_date
        and not r.birth_given
        and r.arrived_on.isoformat() < current.birth_date
    ):
        reader.error(
            r,
            "arrived_on",
            r.arrived_on.isoformat(),
            _("The arrival date is before the birth date."),
        )


def _check_heads(rows, where, plan: Plan, by_code, reader: Reader) -> None:
    """At most one head per household: in the file, and with the head already stored
    (unless the file moves that head away or gives them another relation)."""
    db_heads: dict[int, int] = {}
    ids = [h.pk for h in plan.households.values()]
    for batch in chunks(ids):
        db_heads.update(
            Resident.objects.filter(
                household_id__in=batch, relation=Resident.Relation.HEAD
            ).values_list("household_id", "pk")
        )
    # Where each resident named by code ends up, and as what.
    ends: dict[int, tuple[HouseKey, str]] = {}
    for r in rows:
        if r.code is not None and r.row in where and not r.errors:
            ends[r.code] = (where[r.row][1], r.relation)
    first_head: dict[HouseKey, int] = {}
    for r in rows:
        if r.relation != Resident.Relation.HEAD or r.row not in where:
            continue
        key = where[r.row][1]
        if key in first_head:
            reader.error(
                r,
                "relation",
                r.relation,
                _("This household already has a head in row %(row)d.") % {"row": first_head[key]},
            )
            continue
        first_head[key] = r.row
        household = plan.households.get(key)
        head = db_heads.get(household.pk) if household is not None else None
        if head is None or head == r.code:
            continue
        end = ends.get(head)
        if end is not None and (end[0] != key or end[1] != Resident.Relation.HEAD):
            continue
        reader.error(
            r,
            "relation",
            r.relation,
            _(
                "This household already has a head (resident %(code)s); give them "
                "another relation in this file first."
            )
            % {"code": resident_code(head)},
        )


def sort_errors(errors: list[RowError], reader: Reader) -> list[RowError]:
    rank = {reader.column(k): i for k, i in COLUMN_ORDER.items()}
    return sorted(errors, key=lambda e: (e.row, rank.get(e.column, 99)))
