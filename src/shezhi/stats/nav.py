"""The stats app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from .selectors import top_statistics_area


def reads_statistics(who: Who) -> bool:
    """Whether some area's numbers are the user's to read (the dashboard opens on it)."""
    return who.signed_in and who.once(
        "statistics", lambda: top_statistics_area(who.user) is not None
    )


PLACES = [
    Place("dashboard", "stats:home", _("Dashboard"), "nav-dashboard", reads_statistics, 100),
]
