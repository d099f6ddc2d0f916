"""Every write to events: reporting one, and the one function that moves it on.

``perform`` is the only code that changes an event's state. It checks the
action against the table in ``workflow.py``, the actor's part in the event,
the version the actor saw (optimistic concurrency), then writes the new state,
an ``EventTransition`` and the notifications in one transaction.

``reporting`` writes a new report; ``steps`` holds ``perform`` and what each step
does; ``clock`` the handling deadline; ``emergency`` switches emergency mode.
"""

from .clock import WARN_SHARE, in_emergency
from .emergency import can_switch_emergency, end_emergency, start_emergency
from .reporting import (
    ADDRESS_MAX,
    CONTACT_NAME_MAX,
    STAFF_SOURCES,
    Reported,
    categories_snapshot,
    report_event,
    request_fingerprint,
)
from .steps import (
    allowed_actions,
    community_staff_users,
    drawn_for_spot_check,
    open_summoned_departments,
    parties,
    perform,
    report_in_minutes,
    spot_check_share,
    user_departments,
)

__all__ = [
    "ADDRESS_MAX",
    "CONTACT_NAME_MAX",
    "STAFF_SOURCES",
    "WARN_SHARE",
    "Reported",
    "allowed_actions",
    "can_switch_emergency",
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
