"""The areas app's places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, signed_in

from . import permissions


def _imports_areas(who: Who) -> bool:
    return who.signed_in and who.once("imports", lambda: permissions.can(who.user, "import"))


PLACES = [
    Place("areas", "areas:browser", _("Areas"), "nav-areas", signed_in, 120),
    Place("import_areas", "areas:imports", _("Import areas"), "nav-import-areas",
          _imports_areas, 190),
]  # fmt: skip
