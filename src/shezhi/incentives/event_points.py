"""The piece-rate points the event workflow's steps earn or cost (incentives.rules).

Listens to the steps events publishes (``events.hooks``), inside the step's own
transaction, so a step and its points commit or roll back together and the
ledger's once-per-cause keys keep every award exactly once. Registered in
``IncentivesConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.events.facts import transition_facts
from shezhi.events.hooks import StepDone

from . import services as points
from .models import Bucket, RuleKind

POINTS_ACTIONS = {"register", "merge", "verify_pass", "verify_fail", "close_on_spot"}


def award_points(step: StepDone) -> None:
    """The points ``step`` earns or costs, in its transaction.

    - registered: the reporter of a patrol, resident or API report, once per event
      (a hotline call or an assignment from above has no reporter here);
    - merged as a duplicate: that award is taken back (a duplicate earns nothing;
      a voided report never earned it, registration comes first);
    - closed after a handling within its deadline: the one who reported the
      result, once per event (a reopened and re-closed case pays once), whether a
      verifier closed it or it closed on the spot (``close_on_spot``);
    - verification failed (rework): deducted from the one who reported the result,
      once per failed verification.
    Points of an event in emergency mode (its area's, at the step) go to the
    emergency bucket.
    """
    action = step.action
    if action not in POINTS_ACTIONS:
        return
    event, transition = step.event, step.transition
    bucket = Bucket.EMERGENCY if step.emergency else None
    common = {"area": event.area, "cause_type": "event", "cause_ref": event.number}

    def private(user) -> bool:
        # An anonymous report's points name it to nobody but its reporter (not in
        # their statement as others read it, nor by its place and minute): the
        # registration, and any later award or deduction of the reporter for it.
        return bool(event.anonymous and event.reporter_id and user.pk == event.reporter_id)

    if action == "register" and event.reporter_id:
        points.award_piece(
            kind=RuleKind.EVENT_REGISTERED,
            user=event.reporter,
            cause_id=str(event.pk),
            bucket=bucket,
            at=transition.at,
            private=private(event.reporter),
            **common,
        )
    elif action == "merge":
        points.reverse_cause(
            kind=RuleKind.EVENT_REGISTERED,
            cause_type="event",
            cause_id=str(event.pk),
            reason=_("Merged as a duplicate"),
            at=transition.at,
            private=bool(event.anonymous),
        )
    elif action in ("verify_pass", "verify_fail", "close_on_spot"):
        handled = step.last_handling()
        if handled is None or handled.actor is None:
            return
        on_time = transition_facts(handled).within_deadline
        if action in ("verify_pass", "close_on_spot") and on_time:
            points.award_piece(
                kind=RuleKind.EVENT_CLOSED_ON_TIME,
                user=handled.actor,
                cause_id=str(event.pk),
                bucket=bucket,
                at=transition.at,
                private=private(handled.actor),
                **common,
            )
        elif action == "verify_fail":
            points.award_piece(
                kind=RuleKind.EVENT_REWORKED,
                user=handled.actor,
                cause_id=f"{event.pk}:{transition.pk}",
                bucket=bucket,
                at=transition.at,
                private=private(handled.actor),
                **common,
            )
