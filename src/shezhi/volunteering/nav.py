"""Volunteering's places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, anyone

from . import permissions


def _manages_activities(who: Who) -> bool:
    return who.once("volunteering", lambda: permissions.can(who.user, "manage"))


PLACES = [
    Place("volunteering_manage", "volunteering:manage", _("Manage activities"),
          "nav-volunteering-manage", _manages_activities, 140),
    Place("volunteering", "volunteering:list", _("Volunteering"), "nav-volunteering", anyone,
          180),
]  # fmt: skip
