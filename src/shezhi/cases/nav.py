"""The cases app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, anyone

from .permissions import ACTIONS


def _writer(who: Who) -> bool:
    return who.holds(ACTIONS["write"])


PLACES = [
    Place("cases", "cases:library", _("Case library"), "nav-cases", anyone, 24),
    Place("cases-manage", "cases:manage", _("Write cases"), "nav-cases-manage", _writer, 64),
]
