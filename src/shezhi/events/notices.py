"""What one step of an event tells whom: one notification per person, naming the change.

``services.perform`` publishes each step (``hooks.StepDone``); the notifications app
asks the step for its notices here and writes them. Each person gets one
notification for the step (never two, whatever lists they are on), whose title
says what changed: the new state when the step moves the event on, otherwise
the step itself (rated, escalated to …, whistle blown …), so a rating after the
closing is never a second "已结案". Residents following their report read their
own words (``wording``): "已受理", "已处理，请您确认", "已解决"; they are not told
of the internal routing (dispatch). The SLA scan's escalation of an overdue
event completes the overdue notice of the same deadline rather than adding one.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from shezhi.core.notices import Notice
from shezhi.people.models import RoleAssignment

from .models import Event, EventFollower
from .workflow import ACTIONS

S = Event.State

# Steps that are news for the residents following the event (``_resident_what``): the
# table's rows say so (``workflow.Action.resident_news``).
RESIDENT_NEWS = frozenset(name for name, a in ACTIONS.items() if a.resident_news)


def _staff_what(event: Event, action: str) -> str:
    """The change, in the staff's words (already translated)."""
    if action == "verify_fail":
        return _("verification failed: rework")
    if action == "reject_deferral":
        return _("deferral refused")
    if action == "resume":
        return _("handling resumed")
    if action == "reopen":
        return _("reopened by the reporter")
    if action == "rate":
        return _("rated by the reporter: %(rating)s") % {
            "rating": Event.Rating(event.rating).label if event.rating else ""
        }
    if action == "escalate":
        return _("escalated to %(area)s") % {"area": event.owner_area.name}
    if action == "escalate_overdue":
        return _("overdue, escalated to %(area)s") % {"area": event.owner_area.name}
    if action == "whistle":
        return _("whistle blown: report in")
    if action == "report_in":
        return _("a department reported in")
    if action == "rate_whistle":
        return _("your report-in was rated")
    return str(Event.State(event.state).label)


def _resident_what(event: Event, action: str, kind: str) -> str:
    from .wording import ME_TOO_STATES, RESIDENT_STATES

    if action == "handle":
        labels = RESIDENT_STATES if kind == EventFollower.Kind.REPORTER else ME_TOO_STATES
        return str(labels[S.HANDLED])
    return str(
        {
            "register": RESIDENT_STATES[S.REGISTERED],
            "void": RESIDENT_STATES[S.VOIDED],
            "merge": RESIDENT_STATES[S.MERGED],
            "verify_pass": RESIDENT_STATES[S.CLOSED],
        }[action]
    )


def _residents(followers: dict[int, str]) -> set[int]:
    """Followers holding no staff role anywhere: they read the residents' words."""
    if not followers:
        return set()
    staff = set(
        RoleAssignment.objects.filter(user_id__in=list(followers))
        .exclude(role="resident")
        .values_list("user_id", flat=True)
    )
    return set(followers) - staff


def step_notices(event: Event, action: str, recipients, actor=None) -> list[Notice]:
    """What ``action`` on ``event`` tells ``recipients`` (user ids): one notice each."""
    ids = {u for u in recipients if u}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return []
    followers = dict(
        EventFollower.objects.filter(event=event, user_id__in=ids).values_list("user_id", "kind")
    )
    residents = _residents(followers)
    if action not in RESIDENT_NEWS:
        # Internal steps (the dispatch, above all) are not news for residents.
        ids -= residents
        residents = set()
    staff = ids - residents
    url = f"/events/{event.pk}/"
    body = event.description[:200]
    # Stored in the platform's language: recipients read them later, anywhere.
    with override(settings.LANGUAGE_CODE):
        template = _("Event %(number)s (%(category)s): %(what)s")
        head = {"number": event.number, "category": event.category.name}
        groups: dict[str, set[int]] = {}
        if staff:
            text = template % {**head, "what": _staff_what(event, action)}
            groups.setdefault(text, set()).update(staff)
        for user_id in residents:
            what = _resident_what(event, action, followers[user_id])
            groups.setdefault(template % {**head, "what": what}, set()).add(user_id)
    merge = {}
    if action == "escalate_overdue":
        # The same scan told the handler and the holding level it is overdue: that
        # notice now says it was escalated too; the level above gets its own.
        merge = {"merge_into": ("event.overdue",), "merge_since": event.deadline_at}
    return [
        Notice(
            recipients=users,
            kind=f"event.{action}",
            title=text,
            body=body,
            url=url,
            subject_model=Event,
            subject_id=event.pk,
            **merge,
        )
        for text, users in groups.items()
    ]
