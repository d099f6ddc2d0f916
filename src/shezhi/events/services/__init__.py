"""Every write to events: reporting one, and the one function that moves it on.

``perform`` is the only code that changes an event's state. It checks the
action against the table in ``workflow.py``, the actor's part in the event
(``events.permissions``), the version the actor saw (optimistic concurrency), then
writes the new state, an ``EventTransition`` and the notifications in one transaction.

``reporting`` writes a new report; ``steps`` holds ``perform``; ``effects`` what each
step does (one function per action of the table), with ``routing`` (where a step sends
the event) and ``whistle`` (吹哨报到); ``clock`` the handling deadline; ``emergency``
switches emergency mode. Who may do what is ``events.permissions``'; its ``parties``,
``allowed_actions``, ``user_departments`` and ``open_summoned_departments`` are also
importable from here, as they were.
"""

from ..permissions import (
    allowed_actions,
    open_summoned_departments,
    parties,
    user_departments,
)
from ..recipients import community_staff_users
from .clock import WARN_SHARE, in_emergency
from .effects import drawn_for_spot_check, spot_check_share
from .emergency import end_emergency, start_emergency
from .reporting import (
    ADDRESS_MAX,
    CONTACT_NAME_MAX,
    STAFF_SOURCES,
    Reported,
    categories_snapshot,
    report_event,
    request_fingerprint,
)
from .steps import perform
from .whistle import report_in_minutes

__all__ = [
    "ADDRESS_MAX",
    "CONTACT_NAME_MAX",
    "STAFF_SOURCES",
    "WARN_SHARE",
    "Reported",
    "allowed_actions",
    "categories_snapshot",
    "community_staff_users",
    "drawn_for_spot_check",
    "end_emergency",
    "in_emergency",
    "open_summoned_departments",
    "parties",
    "perform",
    "report_event",
    "report_in_minutes",
    "request_fingerprint",
    "spot_check_share",
    "start_emergency",
    "user_departments",
]
