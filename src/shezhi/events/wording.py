"""Residents' own words for an event: its states, the steps they take, its history.

Staff read the workflow's words (已处置，待核查, 核查通过：结案); a resident
following their report reads what it means for them (已处理，请您确认,
确认已解决). Pages ask ``resident_view`` whether the viewer is such a resident
(no staff part in the event) and then use the labels here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Event

S = Event.State

# An event's state, as its reporter reads it.
RESIDENT_STATES = {
    S.REPORTED: _("Sent, waiting to be taken on"),
    S.REGISTERED: _("Taken on"),
    S.DISPATCHED: _("Passed to the handler"),
    S.ACCEPTED: _("Being handled"),
    S.HANDLED: _("Handled, please confirm"),
    S.CLOSED: _("Resolved"),
    S.RETURNED: _("Being reassigned"),
    S.DEFERRAL_REQUESTED: _("Being handled"),
    S.DEFERRED: _("Postponed"),
    S.VOIDED: _("Not taken on"),
    S.MERGED: _("Merged with a report of the same problem"),
}
# … and as someone who said "me too" reads it (the reporter confirms, not they).
ME_TOO_STATES = {**RESIDENT_STATES, S.HANDLED: _("Handled, the reporter confirms")}

# The steps a resident takes, in their words.
RESIDENT_ACTIONS = {
    "verify_pass": _("Confirm it is resolved"),
    "verify_fail": _("Not resolved yet"),
    "reopen": _("The problem is back: reopen"),
}

# The history's steps, in a resident's words (the others keep the table's label).
RESIDENT_STEPS = {
    "register": _("Taken on"),
    "dispatch": _("Passed to the handler"),
    "accept": _("Handling started"),
    "handle": _("Handling done"),
    "verify_pass": _("Confirmed resolved"),
    "verify_fail": _("Not resolved yet: handled again"),
    "return": _("Being reassigned"),
    "reopen": _("Reopened"),
    "void": _("Not taken on"),
    "merge": _("Merged with a report of the same problem"),
}

STAFF_PARTS = frozenset({"dispatcher", "grid", "handler", "summoned"})


def resident_view(parts) -> bool:
    """True when the viewer has no staff part in the event (see ``permissions.parties``)."""
    return not (set(parts) & STAFF_PARTS)


def resident_state(event: Event, *, reporter: bool = True) -> str:
    """The event's state as its reporter (or, ``reporter=False``, a "me too") reads it."""
    labels = RESIDENT_STATES if reporter else ME_TOO_STATES
    label = labels.get(event.state)
    return str(label) if label is not None else event.get_state_display()


def resident_state_of(state: str) -> str:
    label = RESIDENT_STATES.get(state)
    if label is not None:
        return str(label)
    try:
        return str(S(state).label)
    except ValueError:
        return state
