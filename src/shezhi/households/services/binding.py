"""A resident's sign-in bound to their household: asked for by the resident, decided by
the micro-grid worker (issue 15 §5).

- ``request_binding``: any signed-in user not yet bound names a household and
  themselves (name + last four of the ID number, or the whole number). The request is
  matched against that household's residents at once; whether it matched is for the
  worker's eyes only — the resident always hears "sent" (no oracle for who lives where).
  The ID number is not kept: only its last four characters. One pending request per
  user; asking again replaces the pending one (withdrawn).
- ``decide_binding``: the micro-grid worker holding the household's micro-grid (or the
  staff over it: ``permissions.BINDING_DECIDERS``) confirms — naming the resident, the
  matched one by default — or refuses with a reason. Confirming sets ``Resident.user``
  and gives the user the resident role on the micro-grid (``people.services``), so every
  resident-facing reach (broadcasts, emergency checks: ``selectors.bound_users_in``)
  finds them. The resident is told either way (``core.notices``).

Bad input is a 400 naming the field, nothing written; a request outside the decider's
scope is a 404; a request already decided is a 409.
"""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import personal_data as pd
from shezhi.core.errors import BadInput, NotAllowed
from shezhi.core.notices import Notice, publish_notices
from shezhi.core.participation import merge_participant
from shezhi.people import services as people_services

from .. import permissions
from ..models import BindingRequest, Household, Resident

REASON_MAX = 200


def _clean_identity(name: str, id_number: str) -> tuple[str, str, str]:
    """(name, last four, blind index of the whole number or '')."""
    name = " ".join((name or "").split())
    if not name:
        raise BadInput(_("Enter your name as registered."), field="name")
    if len(name) > 50:
        raise BadInput(_("A name has at most 50 characters."), field="name")
    raw = unicodedata.normalize("NFKC", id_number or "").strip().upper()
    if len(raw) == 4 and (raw[:3].isdigit() and (raw[3].isdigit() or raw[3] == "X")):
        return name, raw, ""
    if len(raw) == 18:
        try:
            pd.validate_id_number(raw)
        except Exception:
            raise BadInput(_("This ID number is not valid."), field="id_number") from None
        return name, raw[-4:], pd.blind_index(pd.ID_NUMBER, raw)
    raise BadInput(
        _("Enter the last four characters of your ID number, or the whole number."),
        field="id_number",
    )


def _match(household: Household, name: str, last4: str, index: str) -> Resident | None:
    """The household's one resident with this name and ID number (its last four, or
    the whole through the blind index), not bound to another sign-in; else None."""
    qs = household.residents.filter(name=name, id_number_last4=last4, user__isnull=True)
    if index:
        qs = qs.filter(id_number_index=index)
    found = list(qs.only("pk", "household_id")[:2])
    return found[0] if len(found) == 1 else None


def request_binding(*, user, household: Household, name: str, id_number: str) -> BindingRequest:
    """Ask to be bound to ``household``; the micro-grid worker is told."""
    if not user.is_authenticated:
        raise BadInput(_("Sign in first."), field=None)
    name, last4, index = _clean_identity(name, id_number)
    if Resident.objects.filter(user=user).exists():
        raise NotAllowed(_("Your sign-in is already bound to a household."))
    with transaction.atomic():
        BindingRequest.objects.filter(user=user, status=BindingRequest.Status.PENDING).update(
            status=BindingRequest.Status.WITHDRAWN, decided_at=timezone.now()
        )
        made = BindingRequest.objects.create(
            user=user,
            household=household,
            area_path=household.area_path,
            name=name,
            id_last4=last4,
            resident=_match(household, name, last4, index),
        )
        deciders = permissions.binding_deciders(household)
        if deciders:
            publish_notices(
                [
                    Notice(
                        recipients=deciders,
                        kind="binding_requested",
                        title=_("A resident asks to be bound to %(place)s")
                        % {"place": str(household)},
                        url=reverse("households:bindings"),
                        subject_model=BindingRequest,
                        subject_id=made.pk,
                    )
                ]
            )
    return made


def decide_binding(
    *,
    actor,
    binding: BindingRequest,
    confirm: bool,
    reason: str = "",
    resident: Resident | int | None = None,
) -> BindingRequest:
    """Confirm (binding the resident's sign-in) or refuse (with a reason) ``binding``."""
    if not permissions.can(actor, "decide_binding", binding):
        raise Http404
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise BadInput(
            _("A reason has at most %(n)d characters.") % {"n": REASON_MAX}, field="reason"
        )
    if not confirm and not reason:
        raise BadInput(_("Say why the request is refused."), field="reason")
    chosen = None
    if confirm:
        pk = resident.pk if isinstance(resident, Resident) else resident
        pk = pk if pk is not None else binding.resident_id
        if pk is None:
            raise BadInput(_("Choose which resident of the household this is."), field="resident")
        chosen = binding.household.residents.filter(pk=pk).first()
        if chosen is None:
            raise BadInput(_("Choose a resident of this household."), field="resident")
        if chosen.user_id is not None and chosen.user_id != binding.user_id:
            raise BadInput(
                _("This resident is already bound to another sign-in."), field="resident"
            )
    try:
        with transaction.atomic():
            locked = BindingRequest.objects.select_for_update().get(pk=binding.pk)
            if locked.status != BindingRequest.Status.PENDING:
                raise NotAllowed(_("This request has already been decided."))
            locked.status = (
                BindingRequest.Status.CONFIRMED if confirm else BindingRequest.Status.REFUSED
            )
            locked.reason = reason
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            if chosen is not None:
                locked.resident = chosen
                Resident.objects.filter(pk=chosen.pk).update(user=locked.user)
                # What the sign-in did before it was bound now counts as the resident's.
                merge_participant(old=f"u:{locked.user_id}", new=f"r:{chosen.pk}")
                people_services.grant_resident_role(
                    user=locked.user, area=binding.household.micro_grid
                )
            locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "resident"])
            if confirm:
                title = _("You are now bound to your household %(place)s") % {
                    "place": str(binding.household)
                }
            else:
                title = _("Your request to be bound to a household was refused")
            publish_notices(
                [
                    Notice(
                        recipients={locked.user_id},
                        kind="binding_decided",
                        title=title,
                        body=reason,
                        url=reverse("households:mine"),
                        subject_model=BindingRequest,
                        subject_id=locked.pk,
                    )
                ]
            )
    except IntegrityError:
        # The sign-in got bound to another resident meanwhile (one resident per sign-in).
        raise BadInput(
            _("This sign-in is already bound to another resident."), field="resident"
        ) from None
    return locked
