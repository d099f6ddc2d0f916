"""What a list may show of a resident by default: the surname and stars, the last four
digits of a phone or an ID number."""

from __future__ import annotations

from shezhi.people.masking import masked as masked_value

__all__ = ["masked_name", "masked_value"]


def masked_name(name: str) -> str:
    """``张**``: the first character and one star for each of the others."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
