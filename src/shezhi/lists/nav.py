"""The lists' place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions, selectors


def _sees_lists(who: Who) -> bool:
    return who.signed_in and who.once("lists", lambda: permissions.can(who.user, "manage"))


def _has_community(who: Who) -> bool:
    return who.signed_in and who.once(
        "lists_community", lambda: selectors.home_community(who.user) is not None
    )


PLACES = [
    Place("lists", "lists:index", _("Three lists"), "nav-lists", _sees_lists, 24),
    Place(
        "community_needs", "lists:my_community", _("Community needs list"),
        "nav-community-needs", _has_community, 23,
    ),
]  # fmt: skip
