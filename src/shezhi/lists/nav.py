"""The lists' place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions


def _sees_lists(who: Who) -> bool:
    return who.signed_in and who.once("lists", lambda: permissions.can(who.user, "manage"))


PLACES = [Place("lists", "lists:index", _("Three lists"), "nav-lists", _sees_lists, 24)]
