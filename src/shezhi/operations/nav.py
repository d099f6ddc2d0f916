"""Operations' place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions


def _sees_operations(who: Who) -> bool:
    return who.signed_in and who.once("operations", lambda: permissions.can(who.user, "dashboard"))


PLACES = [
    Place("operations", "operations:index", _("Emergency operations"), "nav-operations",
          _sees_operations, 150),
]  # fmt: skip
