"""The micro-projects' places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who
from shezhi.core.roles import STAFF_ROLES

from .permissions import RESIDENT


def _resident(who: Who) -> bool:
    return who.holds(RESIDENT)


def _staff(who: Who) -> bool:
    return who.signed_in and who.holds(STAFF_ROLES)


PLACES = [
    # Residents: 身边的项目 (browse, propose, back, pledge, rate; an initiator's projects).
    Place("projects", "projects:near", _("Projects near me"), "nav-projects", _resident, 23),
    Place("projects_staff", "projects:staff_index", _("Micro-projects desk"),
          "nav-projects-staff", _staff, 26),
]  # fmt: skip
