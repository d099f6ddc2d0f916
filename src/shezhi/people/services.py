"""Every write to the workforce: people, assignments, reveals."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core.models import Role

from . import permissions
from .models import Assignment, Person, RoleAssignment

# Which level of area each kind of assignment is made on.
ROLE_LEVEL = {
    Assignment.Role.RESPONSIBLE_WORKER: c.MICRO_GRID,
    Assignment.Role.MEMBER: c.MICRO_GRID,
    Assignment.Role.EMBEDDED_CADRE: c.MICRO_GRID,
    Assignment.Role.FULL_TIME_WORKER: c.GENERAL_GRID,
}


def _require_manager(actor, area: Area) -> None:
    if actor is not None and not permissions.can(actor, "manage", area):
        raise PermissionDenied(_("You may not change the workforce of %(area)s.") % {"area": area})


def set_personal_fields(person: Person, *, phone: str | None, id_number: str | None) -> None:
    """Validate, then store phone and ID number encrypted with their index and last four."""
    errors = {}
    if phone is not None:
        phone = phone.strip()
        if phone:
            try:
                pd.validate_phone(phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if "phone" not in errors:
            person.phone = pd.normalise("phone", phone) if phone else ""
            person.phone_index = pd.blind_index("phone", phone) if phone else ""
            person.phone_last4 = pd.last4("phone", phone) if phone else ""
    if id_number is not None:
        id_number = id_number.strip()
        if id_number:
            try:
                pd.validate_id_number(id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
        if "id_number" not in errors:
            person.id_number = pd.normalise("id_number", id_number) if id_number else ""
            person.id_number_index = pd.blind_index("id_number", id_number) if id_number else ""
            person.id_number_last4 = pd.last4("id_number", id_number) if id_number else ""
    if errors:
        raise ValidationError(errors)


def create_person(
    *,
    actor,
    area: Area,
    name: str,
    category: str,
    force_type: str,
    phone: str = "",
    id_number: str = "",
    **fields,
) -> Person:
    """Add a person to ``area``'s workforce; a duplicate ID number is refused."""
    _require_manager(actor, area)
    person = Person(
        area=area, name=name.strip(), category=category, force_type=force_type, **fields
    )
    set_personal_fields(person, phone=phone, id_number=id_number)
    # Uniqueness is checked below with a message naming the field.
    person.full_clean(exclude=["phone", "id_number", "user"], validate_constraints=False)
    if (
        person.id_number_index
        and Person.objects.filter(id_number_index=person.id_number_index).exists()
    ):
        raise ValidationError(
            {"id_number": [_("A person with this ID number is already registered.")]}
        )
    with transaction.atomic():
        person.save()
    return person


def assign(
    *,
    actor,
    person: Person,
    area: Area,
    role: str,
    started_on: dt.date | None = None,
) -> Assignment:
    """Put ``person`` in ``area`` in ``role``; a micro-grid keeps one responsible worker."""
    _require_manager(actor, area)
    expected = ROLE_LEVEL[Assignment.Role(role)]
    if area.level != expected:
        raise ValidationError(
            {
                "area": [
                    _("A %(role)s is assigned to a %(level)s, not to %(area)s.")
                    % {
                        "role": Assignment.Role(role).label,
                        "level": Area.Level(expected).label,
                        "area": area,
                    }
                ]
            }
        )
    if role == Assignment.Role.RESPONSIBLE_WORKER:
        holder = (
            Assignment.objects.filter(
                area=area, role=Assignment.Role.RESPONSIBLE_WORKER, ended_on__isnull=True
            )
            .select_related("person")
            .first()
        )
        if holder is not None:
            raise ValidationError(
                {
                    "area": [
                        _("%(area)s already has a responsible worker: %(name)s.")
                        % {"area": area, "name": holder.person.name}
                    ]
                }
            )
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                person=person,
                area=area,
                role=role,
                started_on=started_on or timezone.localdate(),
            )
    except IntegrityError as exc:
        # The partial unique indexes catch what a concurrent request slipped past.
        raise ValidationError(
            {
                "area": [
                    _("%(name)s already holds this role in %(area)s.")
                    % {"name": person.name, "area": area}
                ]
            }
        ) from exc


def end_assignment(
    *, actor, assignment: Assignment, ended_on: dt.date | None = None, reason: str = ""
) -> Assignment:
    """End an assignment; the row stays as history."""
    _require_manager(actor, assignment.area)
    if assignment.ended_on is not None:
        raise ValidationError(_("This assignment has already ended."))
    ended_on = ended_on or timezone.localdate()
    if ended_on < assignment.started_on:
        raise ValidationError(_("An assignment cannot end before it started."))
    assignment.ended_on = ended_on
    assignment.end_reason = reason.strip()[:200]
    assignment.save(update_fields=["ended_on", "end_reason"])
    return assignment


def reveal_personal_data(*, actor, person: Person, field: str, reason: str) -> str:
    """Show one personal value in clear to a manager of the person's area, audited."""
    if field not in ("phone", "id_number"):
        raise ValidationError(_("Only a phone or an ID number can be revealed."))
    _require_manager(actor, person.area)
    return pd.reveal(actor=actor, obj=person, field=field, reason=reason)


def grant_resident_role(*, user, area: Area) -> RoleAssignment:
    """Let ``user`` hold the resident role over ``area`` (their household's micro-grid),
    as a confirmed household binding does; idempotent. Called by households' services
    once a micro-grid worker has confirmed who the user is."""
    held, _created = RoleAssignment.objects.get_or_create(user=user, role=Role.RESIDENT, area=area)
    return held
