"""The micro-projects' places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who
from shezhi.core.roles import STAFF_ROLES


def _staff(who: Who) -> bool:
    return who.signed_in and who.holds(STAFF_ROLES)


PLACES = [
    Place("projects_staff", "projects:staff_index", _("Micro-projects desk"),
          "nav-projects-staff", _staff, 26),
]  # fmt: skip
