"""Money on the staff pages: integer fen shown as yuan with two decimals (no floats)."""

from django import template

from shezhi.projects.services import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    return "" if fen is None else _yuan(int(fen))


@register.filter
def percent_bp(bp) -> str:
    """Basis points as a percentage: 5000 → "50%", 1250 → "12.5%"."""
    whole, rest = divmod(int(bp), 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"
