"""Households tells core's participation record who a sign-in or a person is as a resident,
so a resident who raised a demand from their phone and joined an organisation as a
resident of the household base counts once (``core.participation``)."""

from __future__ import annotations

from .models import Resident


def resident_of(user, person) -> int | None:
    """The resident bound to this sign-in, or linked to this workforce person."""
    if user is not None and getattr(user, "is_authenticated", False):
        found = Resident.objects.filter(user=user).values_list("pk", flat=True).first()
        if found is not None:
            return found
    if person is not None:
        pk = person if isinstance(person, int) else person.pk
        return Resident.objects.filter(person_id=pk).values_list("pk", flat=True).first()
    return None
