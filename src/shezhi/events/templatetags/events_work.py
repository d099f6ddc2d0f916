"""Template helpers of the working-side pages: ``|local_name``, a name in the current
language (``shezhi.core.names``; the navigation is built in ``shezhi.site.navigation``)."""

from __future__ import annotations

from django import template

from shezhi.core.names import local_name

register = template.Library()
register.filter("local_name", local_name)
