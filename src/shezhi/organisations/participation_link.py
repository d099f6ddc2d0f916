"""Joining an organisation is taking part (issue 16 §6): one call to the shared record."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shezhi.core import participation


def joined(member) -> None:
    """Record the member's joining (way "organisation", the day joined at local noon),
    inside the caller's transaction; once per membership."""
    at = timezone.make_aware(dt.datetime.combine(member.joined_on, dt.time(12)))
    participation.record_participation(
        way=participation.Way.ORGANISATION,
        area=member.organisation.area,
        at=at,
        source=member,
        resident=member.resident,
        person=member.person,
    )
