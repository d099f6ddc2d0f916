"""The events app's places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, signed_in
from shezhi.core.roles import DISPATCHER_ROLES, GRID_ROLES, HANDLER_ROLES, SENIOR_STAFF_ROLES


def _may(roles):
    """Shown to those holding a role the page admits (core.roles, as the pages check)."""

    def shown(who: Who) -> bool:
        return who.holds(roles)

    return shown


def _department(who: Who) -> bool:
    return "department_staff" in who.roles


PLACES = [
    Place("report", "events:report", _("Report a problem"), "nav-report", signed_in, 10),
    Place("my_reports", "events:my_reports", _("My reports"), "nav-my-reports", signed_in, 20),
    Place("inbox", "events:inbox", _("My tasks"), "nav-inbox", _may(HANDLER_ROLES), 30),
    Place("patrol", "events:patrol", _("Patrol report"), "nav-patrol", _may(GRID_ROLES), 40),
    Place("spot", "events:spot", _("Handled on the spot"), "nav-spot", _may(GRID_ROLES), 50),
    Place("queue", "events:queue_home", _("Dispatch"), "nav-queue", _may(DISPATCHER_ROLES), 60),
    Place("hotline", "events:hotline", _("12345 hotline transfer"), "nav-hotline",
          _may(DISPATCHER_ROLES), 70),
    Place("assign", "events:assign", _("Assign an event"), "nav-assign",
          _may(SENIOR_STAFF_ROLES), 80),
    Place("department", "events:department", _("Department"), "nav-department", _department, 90),
    Place("map", "events:public_map", _("Event map"), "nav-map", signed_in, 110),
]  # fmt: skip
