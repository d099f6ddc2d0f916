"""The projects app's places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from .permissions import RESIDENT


def _resident(who: Who) -> bool:
    return who.holds(RESIDENT)


PLACES = [
    # Residents: 身边的项目 (browse, propose, back, pledge, rate; an initiator's projects).
    Place("projects", "projects:near", _("Projects near me"), "nav-projects", _resident, 23),
]
