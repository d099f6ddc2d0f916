"""Writes of households (户) and their residents: registration, changes, tags, moves and
reveals."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import personal_data as pd
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.participation import merge_participant
from shezhi.core.scope import holds_role_over
from shezhi.people.models import Person
from shezhi.people.selectors import visible_people

from .. import permissions
from .. import tags as tagset
from ..identity import id_facts
from ..models import Building, Household, Resident, ResidentMove
from .checks import (
    _UNSET,
    _choice,
    _day,
    _personal_phone,
    _require,
    _require_change,
    _tags,
    _text,
    recount,
)

User = get_user_model()


# ---------------------------------------------------------------------------
# Households


def _place(building: Building, unit, room) -> tuple[str, str]:
    unit = _text(unit, "unit", 10)
    room = _text(room, "room", 20, required=True)
    if unit.isdigit() and not 1 <= int(unit) <= building.units:
        raise BadInput(
            _("Building %(number)s has units 1 to %(units)d.")
            % {"number": building.number, "units": building.units},
            field="unit",
        )
    # Rooms numbered floor + two digits (1502: 15th floor) must be on a floor it has.
    if room.isdigit() and len(room) >= 3 and int(room[:-2]) > building.floors:
        raise BadInput(
            _("Building %(number)s has %(floors)d floors; room %(room)s would be above them.")
            % {"number": building.number, "floors": building.floors, "room": room},
            field="room",
        )
    return unit, room


def _unique_room(building: Building, unit: str, room: str, exclude_pk=None) -> None:
    qs = Household.objects.filter(building=building, unit=unit, room=room)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise BadInput(_("This room is already registered."), field="room")


def create_household(
    *, actor, building: Building, room: str, unit: str = "", kind: str = "other"
) -> Household:
    """Register a household (户) in a building; it lies in the building's micro-grid."""
    _require(
        actor,
        "change",
        building,
        _("Only those who work this building's area register its households."),
    )
    unit, room = _place(building, unit, room)
    kind = _choice(kind, Household.Kind, "kind")
    _unique_room(building, unit, room)
    household = Household(
        building=building,
        unit=unit,
        room=room,
        kind=kind,
        micro_grid=building.micro_grid,
        area_path=building.area_path,
    )
    try:
        with transaction.atomic(), set_actor(actor):
            household.save()
    except IntegrityError:
        raise BadInput(_("This room is already registered."), field="room") from None
    return household


def update_household(
    *, actor, household: Household, unit=_UNSET, room=_UNSET, kind=_UNSET
) -> Household:
    _require_change(actor, household)
    changes = {}
    if unit is not _UNSET or room is not _UNSET:
        changes["unit"], changes["room"] = _place(
            household.building,
            household.unit if unit is _UNSET else unit,
            household.room if room is _UNSET else room,
        )
        _unique_room(household.building, changes["unit"], changes["room"], household.pk)
    if kind is not _UNSET:
        changes["kind"] = _choice(kind, Household.Kind, "kind")
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Household.objects.select_for_update().get(pk=household.pk)
            for key, value in changes.items():
                setattr(locked, key, value)
            if changes:
                locked.save()
    except IntegrityError:
        raise BadInput(_("This room is already registered."), field="room") from None
    return locked


# ---------------------------------------------------------------------------
# Residents

RESIDENT_FIELDS = (
    "name",
    "id_number",
    "phone",
    "sex",
    "birth_date",
    "relation",
    "residence",
    "arrived_on",
    "tags",
    "sensitive_tags",
    "person",
    "user",
)


def _check_head(household: Household, relation: str, exclude_pk=None) -> None:
    if relation != Resident.Relation.HEAD:
        return
    head = household.residents.filter(relation=Resident.Relation.HEAD)
    if exclude_pk is not None:
        head = head.exclude(pk=exclude_pk)
    head = head.only("name").first()
    if head is not None:
        raise BadInput(
            _("This household already has a head: %(name)s.") % {"name": head.name},
            field="relation",
        )


def _person(actor, value, current_pk=None) -> Person | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Person) else value
    try:
        person = visible_people(actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        person = None
    if person is None:
        raise BadInput(_("No such person in your workforce records."), field="person")
    taken = Resident.objects.filter(person=person).exclude(pk=current_pk).exists()
    if taken:
        raise BadInput(_("This person is already linked to another resident."), field="person")
    return person


def _sign_in(value, household: Household, current_pk=None):
    """A resident sign-in: a user holding the resident role where the household is."""
    if value in (None, ""):
        return None
    user = value
    if not isinstance(value, User):
        user = User.objects.filter(username=str(value).strip()[:150], is_active=True).first()
    if (
        user is None
        or user.is_superuser
        or not holds_role_over(user, household.micro_grid, ("resident",))
    ):
        raise BadInput(
            _("There is no resident sign-in of that name in this household's micro-grid."),
            field="user",
        )
    if Resident.objects.filter(user=user).exclude(pk=current_pk).exists():
        raise BadInput(_("This sign-in is already linked to another resident."), field="user")
    return user


def _id_facts_of(resident: Resident | None):
    if resident is None or not resident.id_number_index:
        return None
    try:
        return id_facts(resident.id_number)
    except ValidationError:
        return None


def _resident_values(actor, household: Household, current: Resident | None, given: dict) -> dict:
    """The columns to write for ``given`` (the fields a caller gave), checked together with
    what ``current`` holds: the birth date and sex agree with the ID number."""
    unknown = set(given) - set(RESIDENT_FIELDS)
    if unknown:
        raise BadInput(_("Unknown field."), field=sorted(unknown)[0])
    out: dict = {}
    if "name" in given:
        out["name"] = _text(given["name"], "name", 50, required=True)

    facts = _id_facts_of(current)
    if "id_number" in given:
        raw = _text(given["id_number"], "id_number", 30)
        if raw:
            try:
                facts = id_facts(raw)
            except ValidationError as exc:
                raise BadInput(" ".join(exc.messages), field="id_number") from None
            index = pd.blind_index(pd.ID_NUMBER, facts.number)
            others = Resident.objects.filter(id_number_index=index)
            if current is not None:
                others = others.exclude(pk=current.pk)
            if others.exists():
                raise BadInput(
                    _("A resident with this ID number is already registered."), field="id_number"
                )
            out.update(
                id_number=facts.number, id_number_index=index, id_number_last4=facts.number[-4:]
            )
        else:
            facts = None
            out.update(id_number="", id_number_index="", id_number_last4="")

    birth = _day(given["birth_date"], "birth_date") if "birth_date" in given else _UNSET
    sex = given.get("sex", _UNSET)
    if sex not in (_UNSET, "", None):
        sex = _choice(sex, Resident.Sex, "sex")
    if facts is not None:
        if birth not in (_UNSET, None) and birth != facts.birth_date:
            raise BadInput(
                _("The birth date %(given)s disagrees with the ID number's %(id)s.")
                % {"given": birth.isoformat(), "id": facts.birth_date.isoformat()},
                field="birth_date",
            )
        if sex not in (_UNSET, "", None) and sex != facts.sex:
            raise BadInput(
                _("The sex disagrees with the ID number's (its 17th digit)."), field="sex"
            )
        if "id_number" in given or birth is not _UNSET or sex is not _UNSET:
            out.update(
                birth_date=facts.birth_date.isoformat(),
                birth_year=facts.birth_date.year,
                sex=facts.sex,
            )
    else:
        if birth is not _UNSET:
            out.update(
                birth_date=birth.isoformat() if birth else "",
                birth_year=birth.year if birth else None,
            )
        if sex is not _UNSET:
            out["sex"] = sex or ""

    if "phone" in given:
        out.update(_personal_phone(given["phone"], "phone"))
    if "relation" in given:
        out["relation"] = _choice(given["relation"], Resident.Relation, "relation")
        _check_head(household, out["relation"], current.pk if current else None)
    if "residence" in given:
        out["residence"] = _choice(given["residence"], Resident.Residence, "residence")
    if "arrived_on" in given:
        arrived = _day(given["arrived_on"], "arrived_on")
        born = facts.birth_date if facts is not None else (birth if birth is not _UNSET else None)
        if arrived and born and arrived < born:
            raise BadInput(_("The arrival date is before the birth date."), field="arrived_on")
        out["arrived_on"] = arrived
    if "tags" in given:
        out["tags"] = tagset.encode(_tags(given["tags"], "tags", tagset.PLAIN))
    if given.get("sensitive_tags") is not None:
        _require(
            actor,
            "sensitive",
            household,
            _(
                "Only the staff of the area and the household's micro-grid worker read and"
                " set sensitive tags."
            ),
        )
        chosen = tagset.encode(
            _tags(given["sensitive_tags"], "sensitive_tags", tagset.SENSITIVE_TAGS)
        )
        if current is None or chosen != current.sensitive_tags:
            out["sensitive_tags"] = chosen
            out["sensitive_changed_at"] = timezone.now()
    if "person" in given:
        out["person"] = _person(actor, given["person"], current.pk if current else None)
    if "user" in given:
        out["user"] = _sign_in(given["user"], household, current.pk if current else None)
    return out


def _integrity(exc: IntegrityError) -> BadInput:
    text = str(exc)
    if "id_number" in text:
        return BadInput(
            _("A resident with this ID number is already registered."), field="id_number"
        )
    if "person" in text:
        return BadInput(_("This person is already linked to another resident."), field="person")
    if "user" in text or "sign_in" in text:
        return BadInput(_("This sign-in is already linked to another resident."), field="user")
    return BadInput(_("This household already has a head."), field="relation")


def _merge_participation(resident: Resident) -> None:
    """What the linked person or sign-in took part in now counts as this resident's."""
    if resident.person_id is not None:
        merge_participant(old=f"p:{resident.person_id}", new=f"r:{resident.pk}")
    if resident.user_id is not None:
        merge_participant(old=f"u:{resident.user_id}", new=f"r:{resident.pk}")


def create_resident(*, actor, household: Household, name: str, **fields) -> Resident:
    """Register a resident of ``household``.

    A valid ID number (GB 11643 check character) gives the birth date and sex; a birth
    date or sex that disagrees with it is refused, as is an ID number already registered
    (found by its blind index) or a second head of the household.
    """
    _require_change(actor, household)
    values = _resident_values(actor, household, None, {"name": name, **fields})
    resident = Resident(household=household, **values)
    try:
        with transaction.atomic(), set_actor(actor):
            resident.save()
            _merge_participation(resident)
            recount([household.micro_grid_id])
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return resident


def update_resident(*, actor, resident: Resident, **changes) -> Resident:
    """Change what is given; the household changes only by ``move_resident``."""
    household = resident.household
    _require_change(actor, household)
    current = Resident.objects.get(pk=resident.pk)
    values = _resident_values(actor, household, current, changes)
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            for key, value in values.items():
                setattr(locked, key, value)
            if values:
                locked.save()
                _merge_participation(locked)
            if {"tags", "sensitive_tags"} & set(values):
                recount([household.micro_grid_id])
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return locked


def set_tags(*, actor, resident: Resident, tags=None, sensitive_tags=None) -> Resident:
    """Set a resident's plain tags and, for their readers, the sensitive ones; ``None``
    leaves a set as it is."""
    changes = {}
    if tags is not None:
        changes["tags"] = tags
    if sensitive_tags is not None:
        changes["sensitive_tags"] = sensitive_tags
    return update_resident(actor=actor, resident=resident, **changes)


def move_resident(
    *,
    actor,
    resident: Resident,
    to_household: Household,
    moved_on=None,
    reason: str = "",
    relation: str = Resident.Relation.OTHER,
) -> ResidentMove:
    """Move a resident to another household; the move is kept as history."""
    source = resident.household
    _require_change(actor, source)
    if not permissions.can(actor, "change", to_household):
        if permissions.can(actor, "view", to_household):
            raise Forbidden(
                _("Only those who work the new household's area register its residents.")
            )
        raise Http404("Not found.")
    if to_household.pk == source.pk:
        raise BadInput(_("The resident already lives in this household."), field="to_household")
    moved_on = _day(moved_on, "moved_on") or timezone.localdate()
    reason = _text(reason, "reason", 200)
    relation = _choice(relation, Resident.Relation, "relation")
    _check_head(to_household, relation)
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            if locked.household_id != source.pk:
                raise BadInput(
                    _("Somebody moved this resident meanwhile; open the page again."),
                    field="to_household",
                )
            locked.household = to_household
            locked.relation = relation
            locked.save()
            move = ResidentMove.objects.create(
                resident=locked,
                from_household=source,
                to_household=to_household,
                from_path=source.area_path,
                to_path=to_household.area_path,
                from_label=str(source)[:200],
                to_label=str(to_household)[:200],
                moved_on=moved_on,
                reason=reason,
                moved_by=actor if getattr(actor, "pk", None) else None,
            )
            recount([source.micro_grid_id, to_household.micro_grid_id])
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return move


# ---------------------------------------------------------------------------
# Reveals

# Each value a reveal may show → the action that opens it.
REVEALS = {"phone": "reveal_phone", "id_number": "reveal_id_number", "sensitive_tags": "sensitive"}


def reveal(*, actor, resident: Resident, field: str, reason: str) -> str:
    """One stored value in clear, after recording who saw it, when and why
    (``core.models.PersonalDataView``); sensitive tags come back as ",code,code,"."""
    if field not in REVEALS:
        raise BadInput(
            _("Only a phone, an ID number or the sensitive tags can be revealed."), field="field"
        )
    _require(
        actor,
        REVEALS[field],
        resident,
        _("Your role does not open this value; ask the community staff."),
    )
    try:
        return pd.reveal(actor=actor, obj=resident, field=field, reason=reason)
    except ValidationError as exc:
        raise BadInput(" ".join(exc.messages), field="reason") from None


def reveal_sensitive_tags(*, actor, resident: Resident, reason: str) -> list[str]:
    return tagset.decode(
        reveal(actor=actor, resident=resident, field="sensitive_tags", reason=reason)
    )
