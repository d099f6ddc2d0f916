"""The household base's places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who
from shezhi.core.roles import READ_ONLY_ROLES, WORKING_ROLES

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


def _lives_here(who: Who) -> bool:
    """A signed-in user who works no area: a resident (bound or not) sees 我的家."""
    return who.signed_in and not who.superuser and not who.holds((*WORKING_ROLES, *READ_ONLY_ROLES))


def _decides_bindings(who: Who) -> bool:
    return who.signed_in and who.once(
        "decide_binding", lambda: permissions.can(who.user, "decide_binding")
    )


PLACES = [
    Place("households", "households:list", _("Households"), "nav-households",
          _lists_households, 125),
    Place("household_counts", "households:overview_home", _("Household figures"),
          "nav-household-counts", _reads_counts_only, 126),
    Place("my_household", "households:mine", _("My household"), "nav-my-household",
          _lives_here, 127),
    Place("household_bindings", "households:bindings", _("Binding requests"),
          "nav-household-bindings", _decides_bindings, 128),
]  # fmt: skip
