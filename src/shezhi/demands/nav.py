"""The demands app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, signed_in
from shezhi.core.roles import STAFF_ROLES


def _staff(who: Who) -> bool:
    return who.holds(STAFF_ROLES)


PLACES = [
    Place("demands", "demands:mine", _("My demands"), "nav-demands", signed_in, 22),
    Place("demand_queue", "demands:queue", _("Demand groups"), "nav-demand-queue", _staff, 64),
]
