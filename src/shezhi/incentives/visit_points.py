"""The points a household visit earns (incentives.rules: ``household_visit``).

Listens to visits' recorded visits (``visits.hooks.on_visit_recorded``), inside the
visit's own transaction, so a visit and its points commit or roll back together. The
award is keyed on the visit (``household_visit:household_visit:<id>``): one per visit
however often it is submitted (a retry with the same key records nothing new, and the
ledger refuses a second transfer for the cause). The district's daily cap per person
applies on the visit's local day (``award_piece``). A visit made while its area (or an
area above it) is in emergency mode pays into the emergency bucket, as every piece of
work then does. Registered in ``IncentivesConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.events.selectors import active_emergency_periods
from shezhi.visits.hooks import VisitRecorded

from . import services as points
from .models import Bucket, CauseType, RuleKind, Transfer


def award_visit(done: VisitRecorded) -> Transfer | None:
    visit = done.visit
    emergency = bool(active_emergency_periods(visit.area, visit.at))
    return points.award_piece(
        kind=RuleKind.HOUSEHOLD_VISIT,
        user=done.worker,
        area=visit.area,
        cause_type=CauseType.HOUSEHOLD_VISIT,
        cause_id=str(visit.pk),
        # The visit's number, not the household's address: a statement names no home.
        cause_ref=_("Household visit #%(n)s") % {"n": visit.pk},
        bucket=Bucket.EMERGENCY if emergency else None,
        at=visit.at,
        actor=done.worker,
    )
