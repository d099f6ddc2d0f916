"""The visits app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions


def _reads_visits(who: Who) -> bool:
    return who.signed_in and who.once("visits", lambda: permissions.can(who.user, "view"))


PLACES = [Place("visits", "visits:list", _("Visits"), "nav-visits", _reads_visits, 127)]
