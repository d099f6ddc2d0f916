"""Django's plain form widgets drawn in Python, to the byte what its templates draw.

A list whose every row carries a small form (the event queue's dispatch, the inbox's
result form) renders a few hundred widgets per page. Through Django's form renderer
each widget is a template with an include per attribute list and per option, which
cost more than everything else on such a page together. ``PlainWidgets`` draws the
inputs, text areas, selects and file inputs in Python, the same markup as Django's
``django/forms/widgets/*.html`` (``tests/core/test_widgets.py`` compares the two on
every widget of the action forms); any other widget goes to the templates as before.

Use it on a form class: ``default_renderer = PlainWidgets``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_CONTEXT = Context(autoescape=True)
_WIDGETS = "django/forms/widgets/"


def _text(value: Any) -> str:
    """``{{ value }}`` in a template: localized, made text, escaped unless safe."""
    if type(value) is str:  # the usual case, which localizing leaves as it is
        return escape(value)
    if isinstance(value, Promise):  # a translated label: likewise, once made text
        return conditional_escape(str(value))
    return render_value_in_context(value, _CONTEXT)


def _string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` (a safe filter: safe text stays unescaped)."""
    text = str(value)  # what "%s" makes of it
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"')
    return "".join(out)


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_string(w["value"])}"'
    return f'<input type="{_text(w["type"])}" name="{_text(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _textarea(w: dict) -> str:
    body = _text(w["value"]) if w["value"] else ""
    return f'<textarea name="{_text(w["name"])}"{_attrs(w["attrs"])}>\n{body}</textarea>'


def _option(o: dict) -> str:
    return f'<option value="{_string(o["value"])}"{_attrs(o["attrs"])}>{_text(o["label"])}</option>'


def _select(w: dict) -> str | None:
    out = [f'<select name="{_text(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _WIDGETS + "select_option.html":
                return None
            out.append(f"\n  {_option(option)}\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _file(w: dict) -> str | None:
    if w.get("is_initial"):  # a file already there: the template's link and checkbox
        return None
    return f'<input type="{_text(w["type"])}" name="{_text(w["name"])}"{_attrs(w["attrs"])}>'


# The widgets whose template is ``input.html`` and nothing else.
_INPUTS = ("input", "text", "number", "email", "url", "color", "search", "tel", "password",
           "hidden", "file", "date", "datetime", "time")  # fmt: skip
_DRAW: dict[str, Callable[[dict], str | None]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS},
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}clearable_file_input.html": _file,
}


class PlainWidgets(DjangoTemplates):
    """Django's default form renderer, with the plain widgets drawn in Python."""

    def render(self, template_name, context, request=None):
        draw = _DRAW.get(template_name)
        widget = context.get("widget") if draw is not None else None
        if widget is not None and widget.get("template_name") == template_name:
            html = draw(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request)
