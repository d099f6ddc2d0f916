"""Template helpers of the working-side pages: ``|local_name``, a name in the current
language (``shezhi.core.names``; the navigation is built in ``shezhi.site.navigation``);
``{% compact_form form %}``, a list row's one-tap form; ``{% event_cards rows %}``, a work
list's cards (``events.cards``)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from shezhi.core.names import local_name
from shezhi.events.cards import card_html

register = template.Library()
register.filter("local_name", local_name)


@register.simple_tag(takes_context=True)
def compact_form(context, form) -> str:
    """``events/_action_form.html`` with ``compact``, drawn by the form itself
    (``ActionForm.compact_html``) when it can, by the template when it cannot."""
    html = form.compact_html(context.get("csrf_token"))
    if html is None:
        template = context.template.engine.get_template("events/_action_form.html")
        with context.push(form=form, compact=True):
            html = template.render(context)
    return html


@register.simple_tag(takes_context=True)
def event_cards(context, rows) -> str:
    """Each row's ``events/_event_card.html``, one after the other, as
    ``{% for e in rows %}{% include "events/_event_card.html" %}{% endfor %}`` draws
    them, drawn by ``cards.card_html`` (its forms by ``compact_form``)."""
    cards = []
    for e in rows:
        forms = "".join(conditional_escape(compact_form(context, f)) for f in e.quick_forms)
        cards.append(card_html(e, forms))
    return mark_safe("".join(cards))  # noqa: S308 (card_html, compact_form escape their parts)
