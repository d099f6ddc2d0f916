"""A household in need, found by an emergency operation's door-to-door check, becomes
an event (``operations.hooks.on_help_needed``, registered in ``EventsConfig.ready``).

The event is reported by the worker who checked, at the household's building, with
the source "operation"; it is keyed on the check line, so a retried check reports it
once. Emergency deadlines follow from the area being in emergency mode (an operation
only runs inside one) when the event is dispatched. The description names the
operation, the building and the needs, never a resident: the worker's notes go with it
as written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.operations.hooks import HelpNeeded
from shezhi.operations.models import Need

from .models import Category, Event
from .services import report_event

# 群众诉求 › 困难帮扶 (hardship support): the category a household's need is filed under.
NEED_CATEGORY = "1601"


def _category() -> Category:
    chosen = Category.objects.filter(code=NEED_CATEGORY, active=True).first()
    if chosen is None:  # a district that renamed its categories: any leaf will do
        chosen = Category.objects.filter(parent__isnull=False, active=True).order_by("code").first()
    return chosen


def report_need(need: HelpNeeded) -> Event:
    household = need.household
    building = household.building
    labels = dict(Need.choices)
    description = _("%(operation)s: %(place)s needs help (%(needs)s).") % {
        "operation": need.operation.title,
        "place": f"{building.compound.name} {building.label} {household.place_label}",
        "needs": "、".join(str(labels.get(n, n)) for n in need.needs),
    }
    if need.notes:
        description = f"{description} {need.notes}"
    return report_event(
        submitted_by=need.actor,
        source=Event.Source.OPERATION,
        category=_category(),
        description=description[:2000],
        lng=building.lng,
        lat=building.lat,
        address=f"{building.compound.name} {building.label} {household.place_label}"[:200],
        idempotency_key=f"operation-line-{need.line.pk}",
        at=need.at,
    ).event
