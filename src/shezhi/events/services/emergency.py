"""Emergency mode: street staff and district admins switch it for their areas."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.errors import BadInput, Forbidden, NotAllowed

from .. import permissions
from ..models import EmergencyPeriod
from .clock import in_emergency


def start_emergency(*, actor, area: Area, reason: str, at: datetime | None = None):
    if not permissions.can(actor, "declare_emergency", area):
        raise Forbidden(_("Street staff or district admins switch emergency mode."))
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("Give a reason."), field="reason")
    now = at or timezone.now()
    if in_emergency(area, now):
        raise NotAllowed(_("The area is already in emergency mode."))
    return EmergencyPeriod.objects.create(
        area=area, reason=reason, started_at=now, started_by=actor
    )


def end_emergency(*, actor, period: EmergencyPeriod, at: datetime | None = None):
    if not permissions.can(actor, "declare_emergency", period.area):
        raise Forbidden(_("Street staff or district admins switch emergency mode."))
    if period.ended_at is not None:
        raise NotAllowed(_("Emergency mode has already ended."))
    period.ended_at = at or timezone.now()
    period.save(update_fields=["ended_at"])
    return period
