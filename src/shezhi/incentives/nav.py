"""The points' places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, signed_in

from . import permissions


def _points_staff(who: Who) -> bool:
    return who.signed_in and who.once("points", lambda: permissions.can(who.user, "manage"))


PLACES = [
    Place("points_manage", "incentives:manage", _("Manage points"), "nav-points-manage",
          _points_staff, 150),
    Place("points", "incentives:home", _("My points"), "nav-points", signed_in, 160),
]  # fmt: skip
