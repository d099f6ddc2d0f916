"""The campaigns app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions


def _works(who: Who) -> bool:
    return who.signed_in and who.once("campaigns", lambda: permissions.can(who.user, "view"))


PLACES = [Place("campaigns", "campaigns:list", _("Campaigns"), "nav-campaigns", _works, 128)]
