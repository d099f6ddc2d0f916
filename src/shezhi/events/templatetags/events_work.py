"""Template helpers of the working-side pages: ``|local_name``, a name in the current
language (``shezhi.core.names``; the navigation is built in ``shezhi.site.navigation``);
``{% compact_form form %}``, a list row's one-tap form."""

from __future__ import annotations

from django import template

from shezhi.core.names import local_name

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
