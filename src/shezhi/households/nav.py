"""The household base's places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions


def _lists_households(who: Who) -> bool:
    return who.signed_in and who.once("households", lambda: permissions.can(who.user, "view"))


def _reads_counts_only(who: Who) -> bool:
    """Department staff and alliance viewers: the figures, not the list."""
    return (
        who.signed_in
        and not _lists_households(who)
        and who.once("household_counts", lambda: permissions.can(who.user, "counts"))
    )


PLACES = [
    Place("households", "households:list", _("Households"), "nav-households",
          _lists_households, 125),
    Place("household_counts", "households:overview_home", _("Household figures"),
          "nav-household-counts", _reads_counts_only, 126),
]  # fmt: skip
