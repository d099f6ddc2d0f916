"""Money on the projects' pages: fen shown as yuan with two decimals (never a float)."""

from django import template

from shezhi.projects import services
from shezhi.projects.models import MoneyTransfer, Payment

register = template.Library()


@register.filter
def yuan(fen) -> str:
    return services.yuan(int(fen or 0))


@register.filter
def transfer_kind(kind: str) -> str:
    try:
        return MoneyTransfer.Kind(kind).label
    except ValueError:
        return kind


@register.filter
def channel_name(channel: str) -> str:
    try:
        return Payment.Channel(channel).label
    except ValueError:
        return channel
