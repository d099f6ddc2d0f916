"""Volunteering publishes its check-outs; the apps that react to them listen here.

A volunteer's check-out (by the code at the post, by staff, or by the sweep at the
activity's end) is published as a ``CheckedOut`` once its row is written. A listener
registers with ``on_checked_out`` in its own ``AppConfig.ready()`` and is called
inside the check-out's transaction: what it writes commits or rolls back with the
check-out, and an error it raises undoes the check-out. That is what the points for
the hours need (``incentives.volunteer_points``): one award per sign-up, exactly
once. A listener may answer the points transfer it wrote; the sign-up keeps it
(``Signup.transfer``).

The notice of a cancelled activity goes out through ``core.notices``, like every
domain's. Listeners run in the order they registered; volunteering imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Signup, VolunteerActivity


@dataclass(frozen=True)
class CheckedOut:
    """One check-out, as written: the sign-up, its activity, the minutes credited."""

    signup: Signup
    activity: VolunteerActivity
    minutes: int
    at: dt.datetime
    # Who checked the volunteer out: the volunteer, a member of staff, or None (the sweep).
    by: Any


# A listener answers the points transfer it wrote for the sign-up, or None.
Listener = Callable[[CheckedOut], Any]
_checked_out: list[Listener] = []


def on_checked_out(listener: Listener) -> Listener:
    """Call ``listener(done)`` in the transaction of every check-out; once per listener."""
    if listener not in _checked_out:
        _checked_out.append(listener)
    return listener


def checked_out(done: CheckedOut) -> Any:
    """Publish ``done`` to its listeners, now; the first points transfer one answered,
    or None."""
    transfer = None
    for listener in _checked_out:
        answer = listener(done)
        if transfer is None:
            transfer = answer
    return transfer
