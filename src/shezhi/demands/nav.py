"""The demands app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, signed_in

PLACES = [Place("demands", "demands:mine", _("My demands"), "nav-demands", signed_in, 22)]
