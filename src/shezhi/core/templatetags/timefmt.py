"""``{% load timefmt %}``: ``|when``, ``|when_date``, ``|ago`` (see ``shezhi.core.timefmt``)."""

from __future__ import annotations

from django import template

from shezhi.core import timefmt

register = template.Library()


@register.filter
def when(moment) -> str:
    return timefmt.when(moment)


@register.filter
def when_date(moment) -> str:
    return timefmt.when_date(moment)


@register.filter
def ago(moment) -> str:
    return timefmt.ago(moment)
