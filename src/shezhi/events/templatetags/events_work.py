"""Template helpers of the working-side pages: names in the current language and the SLA
colour badge (the navigation is built in ``shezhi.site.navigation``)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def local_name(obj) -> str:
    """A category's (or anything with ``name_en``) name in the current language."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return getattr(obj, "name", str(obj))
