"""How pages write a thing's name: in the current language, one definition everywhere."""

from __future__ import annotations

from django.utils.translation import get_language


def local_name(obj) -> str:
    """A category's (or anything with ``name_en``) name in the current language."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return getattr(obj, "name", str(obj))
