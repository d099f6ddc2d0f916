"""The points a volunteer's hours earn (incentives.rules: ``volunteer_hour``).

Listens to volunteering's check-outs (``volunteering.hooks``), inside the check-out's
own transaction, so a check-out and its points commit or roll back together; the
award is keyed on the sign-up, so the ledger holds one per sign-up however often a
check-out is tried. Registered in ``IncentivesConfig.ready``.
"""

from __future__ import annotations

from shezhi.volunteering.hooks import CheckedOut

from . import services as points
from .models import RuleKind, Transfer


def award_hours(done: CheckedOut) -> Transfer | None:
    """The points for the minutes credited (none for none); the transfer, for the sign-up."""
    if done.minutes <= 0:
        return None
    return points.award_piece(
        kind=RuleKind.VOLUNTEER_HOUR,
        user=done.signup.user,
        area=done.activity.post.area,
        cause_type="activity",
        cause_id=str(done.signup.pk),
        cause_ref=done.activity.title,
        quantity=done.minutes / 60,
        at=done.at,
        actor=done.by,
    )
