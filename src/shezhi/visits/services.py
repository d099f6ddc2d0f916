"""Every write of the visits app: recording a visit (once, whole, with its points).

``record_visit`` checks everything a fuzzer or a hurried thumb can send before it
writes anything (a refusal is a ``BadInput`` naming the field); then, in one
transaction, it writes the visit, whom it met, its tag proposals and its photos (files
deleted again if the transaction fails), and publishes
the visit (``hooks``): the points are paid inside the same transaction.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import photos as photo_processing
from shezhi.core.errors import BadInput, Forbidden
from shezhi.households.models import Household, Resident

from . import checklist, hooks, intervals, permissions
from .models import TagProposal, Visit, VisitPhoto

NOTES_MAX = 2000
OTHER_MAX = 100
KEY_MAX = 64
# A visit entered later (the phone was offline) may be up to a week old; a clock a few
# minutes fast is not refused.
BACKDATE_LIMIT = timedelta(days=7)
CLOCK_SLACK = timedelta(minutes=5)


@dataclass
class Recorded:
    visit: Visit
    created: bool


@dataclass(frozen=True)
class Proposal:
    resident: int
    tag: str
    add: bool = True


def _check_at(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SLACK:
        raise BadInput(_("The visit cannot be in the future."), field="at")
    if at < now - BACKDATE_LIMIT:
        raise BadInput(_("A visit can be entered up to 7 days after it happened."), field="at")
    return at


def _check_text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise BadInput(
            _("%(field)s is longer than %(limit)s characters.") % {"field": field, "limit": limit},
            field=field,
        )
    return value


def _check_met(household: Household, outcome: str, met, other: str) -> list[int]:
    ids = []
    for value in met or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise BadInput(_("Residents met are given by their ids."), field="met") from None
    ids = sorted(set(ids))
    if outcome == Visit.Outcome.NOBODY_HOME:
        if ids or other:
            raise BadInput(_("Nobody was home: nobody can have been met."), field="met")
        return []
    if ids:
        found = set(
            Resident.objects.filter(household=household, pk__in=ids).values_list("pk", flat=True)
        )
        if found != set(ids):
            raise BadInput(_("Only residents of this household can be met here."), field="met")
    elif not other:
        raise BadInput(_("Say whom you met, or that nobody was home."), field="met")
    return ids


def _check_proposals(household: Household, proposals) -> list[Proposal]:
    out = []
    for p in proposals or ():
        if not isinstance(p, Proposal):
            try:
                p = Proposal(int(p["resident"]), str(p["tag"]), bool(p.get("add", True)))
            except (KeyError, TypeError, ValueError):
                raise BadInput(
                    _("A tag change names a resident and a tag."), field="tags"
                ) from None
        if p.tag not in intervals.ALLOWED_TAGS:
            # Sensitive tags are set on the resident's page by their readers, never here.
            raise BadInput(_("%(tag)s is not a tag a visit may propose.") % {"tag": p.tag},
                           field="tags")  # fmt: skip
        out.append(p)
    if len({(p.resident, p.tag) for p in out}) != len(out):
        raise BadInput(_("Each tag is proposed once per resident."), field="tags")
    residents = {p.resident for p in out}
    if residents:
        found = set(
            Resident.objects.filter(household=household, pk__in=residents).values_list(
                "pk", flat=True
            )
        )
        if found != residents:
            raise BadInput(_("Only residents of this household can have tags proposed."),
                           field="tags")  # fmt: skip
    return out


def _by_key(actor, key: str) -> Visit | None:
    if not key:
        return None
    return (
        Visit.objects.filter(worker=actor, idempotency_key=key).exclude(idempotency_key="").first()
    )


def record_visit(
    *,
    actor,
    household: Household,
    outcome: str = Visit.Outcome.MET,
    met=(),
    other_person: str = "",
    items=(),
    notes: str = "",
    tag_proposals=(),
    photos=(),
    at: datetime | None = None,
    idempotency_key: str = "",
) -> Recorded:
    """Record ``actor``'s visit to ``household``; a repeated idempotency key returns the
    first visit and writes nothing (its points were paid with it)."""
    if not permissions.can(actor, "record", household):
        raise Forbidden(_("Only those who work this household's area record its visits."))
    key = _check_text(idempotency_key, KEY_MAX, "idempotency_key")
    existing = _by_key(actor, key)
    if existing is not None:
        return Recorded(existing, False)
    now = timezone.now()
    at = _check_at(at, now)
    if outcome not in Visit.Outcome.values:
        raise BadInput(_("Unknown outcome %(o)s.") % {"o": outcome}, field="outcome")
    other = _check_text(other_person, OTHER_MAX, "other_person")
    notes = _check_text(notes, NOTES_MAX, "notes")
    met_ids = _check_met(household, outcome, met, other)
    codes = [str(c) for c in items or ()]
    unknown = [c for c in codes if c not in checklist.BY_CODE]
    if unknown:
        raise BadInput(_("Unknown checklist item %(c)s.") % {"c": unknown[0]}, field="items")
    proposals = _check_proposals(household, tag_proposals)
    processed = photo_processing.process_photos(photos)
    building = household.building

    saved: list[str] = []
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                household=household,
                worker=actor,
                at=at,
                outcome=outcome,
                other_person=other,
                checklist=checklist.encode(codes),
                notes=notes,
                area_id=household.micro_grid_id,
                area_path=household.area_path,
                lng=building.lng,
                lat=building.lat,
                idempotency_key=key,
            )
            if met_ids:
                visit.met.set(met_ids)
            TagProposal.objects.bulk_create(
                TagProposal(visit=visit, resident_id=p.resident, tag=p.tag, add=p.add)
                for p in proposals
            )
            for p in processed:
                photo = VisitPhoto(visit=visit)
                photo.image.save(p.content.name, p.content, save=False)
                saved.append(photo.image.name)
                photo.save()
            hooks.visit_recorded(
                hooks.VisitRecorded(visit=visit, household=household, worker=actor)
            )
            for item in visit.needs:
                hooks.need_found(
                    hooks.NeedFound(visit=visit, household=household, need=item.code,
                                    label=str(item.label), notes=notes)
                )  # fmt: skip
    except IntegrityError:
        _delete(saved)
        again = _by_key(actor, key)
        if again is not None:  # a retry racing the first submission: the first stands
            return Recorded(again, False)
        raise
    except BaseException:
        _delete(saved)
        raise
    return Recorded(visit, True)


def _delete(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
