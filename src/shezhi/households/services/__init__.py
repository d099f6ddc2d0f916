"""Every write to the household base: compounds, buildings, households, residents, moves,
tags, reveals.

Keyword-only functions, one transaction each, audited (django-auditlog, registered in
``apps.py``, personal data left out) with the acting user. Everything that can be
refused is checked before anything is written, and refused with a ``BadInput`` naming
the field (400), a ``Forbidden`` (403) for an object the actor sees but may not change,
or a 404 for one outside their scope (``permissions``).

A write that changes who lives in a micro-grid, or their tags, recounts that
micro-grid's ``TagCount`` rows in the same transaction (``recount``).
"""

from .binding import decide_binding, request_binding
from .checks import recount
from .places import create_building, create_compound, update_building, update_compound
from .residents import (
    REVEALS,
    create_household,
    create_resident,
    move_resident,
    reveal,
    reveal_sensitive_tags,
    set_tags,
    update_household,
    update_resident,
)

__all__ = [
    "REVEALS",
    "create_building",
    "create_compound",
    "create_household",
    "create_resident",
    "decide_binding",
    "move_resident",
    "recount",
    "request_binding",
    "reveal",
    "reveal_sensitive_tags",
    "set_tags",
    "update_building",
    "update_compound",
    "update_household",
    "update_resident",
]
