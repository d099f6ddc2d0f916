"""Checks of what a request gives, shared by the services: each refuses with ``BadInput``
naming the field, so a page or the API answers a 4xx that says which field, never a 500."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import BadInput


def text(value, limit: int, field: str, *, required: bool = False) -> str:
    """``value`` as text, stripped; None is empty. Refuses (``BadInput`` on ``field``) what
    is not text, an empty value when ``required``, and more than ``limit`` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(_("This must be text."), field=field)
    value = value.strip()
    if required and not value:
        raise BadInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise BadInput(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return value
