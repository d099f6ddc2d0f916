"""吹哨报到 (blow the whistle, departments report in): what the three whistle steps
write beside the event: the whistle and its summonses, the report-ins, a rating."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.errors import BadInput, Forbidden, NotAllowed

from .. import permissions
from ..models import Event, Whistle, WhistleSummons
from ..recipients import department_users
from .clock import _start_clock
from .routing import department_of_district

S = Event.State


def report_in_minutes() -> int:
    return getattr(settings, "SHEZHI_REPORT_IN_MINUTES", 30)


def blow_whistle(event: Event, actor, reason: str, data: dict, now) -> tuple[list[int], dict]:
    """Summon the departments ``data`` names; returns (who is told, history data)."""
    raw = data.get("departments") or []
    if isinstance(raw, (str, int)):
        raw = [raw]
    departments = []
    for value in raw:
        dept = department_of_district(event, value)
        if dept not in departments:
            departments.append(dept)
    if not departments:
        raise BadInput(_("Summon at least one department."), field="departments")
    try:
        raw_minutes = data.get("report_in_minutes")
        minutes = int(report_in_minutes() if raw_minutes in (None, "") else raw_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 24 * 60:
        raise BadInput(_("Report-in time is 1 to 1,440 minutes."), field="report_in_minutes")
    history = {}
    if event.owner_area.level in (c.GENERAL_GRID, c.MICRO_GRID):
        # The community blows the whistle (a grid cannot): it takes the event up first.
        community = Area.objects.defer("boundary").get(path=event.owner_path[: 3 * Area.steplen])
        history = {"from_area": event.owner_area.code, "to_area": community.code}
        event.owner_area = community
        event.owner_path = community.path
    whistle = Whistle.objects.create(
        event=event, area=event.owner_area, blown_by=actor, reason=reason, blown_at=now
    )
    due = now + timedelta(minutes=minutes)
    WhistleSummons.objects.bulk_create(
        [WhistleSummons(whistle=whistle, department=d, due_at=due) for d in departments]
    )
    history |= {
        "whistle": whistle.pk,
        "departments": [d.code for d in departments],
        "report_in_minutes": minutes,
    }
    if event.state in (S.REGISTERED, S.RETURNED):
        # Nobody handles it yet: the first summoned department leads.
        lead = departments[0]
        if event.dispatch_count and not (
            event.handler_kind == Event.HandlerKind.DEPARTMENT
            and event.handler_department_id == lead.pk
        ):
            event.redispatch_count += 1
        event.handler_kind = Event.HandlerKind.DEPARTMENT
        event.handler_user = None
        event.handler_area = None
        event.handler_department = lead
        event.dispatch_count += 1
        event.registered_at = event.registered_at or now
        event.dispatched_at = now
        _start_clock(event, now, fresh=True)
        event.state = S.DISPATCHED
        history["lead"] = lead.code
    return department_users([d.pk for d in departments]), history


def report_in(event: Event, actor, note: str, now) -> list[WhistleSummons]:
    """Mark the open summonses of the actor's departments reported in; returns them."""
    summonses = list(
        WhistleSummons.objects.filter(
            whistle__event=event,
            whistle__closed_at__isnull=True,
            department_id__in=permissions.user_departments(actor),
            reported_in_at__isnull=True,
        ).select_related("whistle")
    )
    for s in summonses:
        s.reported_in_at = now
        s.reported_in_by = actor
        s.note = note
        s.save(update_fields=["reported_in_at", "reported_in_by", "note"])
    return summonses


def rateable_summons(event: Event, value, actor) -> WhistleSummons:
    qs = WhistleSummons.objects.filter(whistle__event=event).select_related(
        "department", "whistle__area"
    )
    try:
        summons = qs.get(pk=int(value))
    except (WhistleSummons.DoesNotExist, TypeError, ValueError):
        raise BadInput(_("Choose the department's summons to rate."), field="summons") from None
    if not permissions.can(actor, "rate_summons", summons):
        raise Forbidden(_("Only the level that blew the whistle rates the response."))
    if summons.rating is not None:
        raise NotAllowed(_("That response is already rated."))
    return summons
